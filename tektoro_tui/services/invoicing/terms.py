"""The library of payment-terms templates (standard terms, payment instructions, late fees).

Administrators (``payment_terms.manage``) create, edit and delete templates. The Documenter
offers them on a draft invoice; issuing copies the text into the invoice, so editing or
deleting a template never changes an issued invoice. Deleting is a soft delete: issued
invoices keep pointing at the template's id (their frozen row cannot change) and keep the
text they were issued with; drafts that chose it fall back to no template.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.permissions import Perm
from ...domain.states import InvoiceStatus
from ...domain.validation import Form, keep_unchanged
from ...errors import NotFound, PermissionDenied
from ..base import Actor, ServiceBase, has_permission, row_dict
from ..versions import check_version
from .common import MAX_DUE_DAYS
from .views import TERMS_KINDS, TermsForm, TermsView

MAX_NAME = 200
MAX_BODY = 4000
READ_PERMISSIONS = (Perm.INVOICE_VIEW_ALL, Perm.DOCUMENTER_USE, Perm.PAYMENT_TERMS_MANAGE)


class PaymentTermsService(ServiceBase):
    """Create, edit, delete and list payment-terms templates."""

    def list(self, actor: Actor) -> tuple[TermsView, ...]:
        """Templates not deleted, by name, each with how many issued invoices carry its text."""
        with self._read(actor) as session:
            _require_reader(session, actor)
            rows = session.execute(
                _views_query().order_by(
                    func.lower(m.PaymentTermsTemplate.name), m.PaymentTermsTemplate.id
                )
            ).all()
            return tuple(_view(*row) for row in rows)

    def get(self, actor: Actor, terms_id: int) -> TermsView:
        """One template (a deleted one is not found)."""
        with self._read(actor) as session:
            _require_reader(session, actor)
            return _load_view(session, terms_id)

    def add(self, actor: Actor, form: TermsForm) -> TermsView:
        """Create a template.

        Raises:
            ValidationError: a blank or taken name, an unknown kind, a blank or too long text.
        """
        with self._write(actor, Perm.PAYMENT_TERMS_MANAGE) as uow:
            session = uow.session
            values = _checked(session, keep_unchanged(form, NEW_TERMS), None)
            template = m.PaymentTermsTemplate(**values, created_at=uow.now)
            session.add(template)
            session.flush()
            uow.audit(
                "payment_terms.add", "payment_terms_template", template.id, None, row_dict(template)
            )
            return _load_view(session, template.id)

    def edit(
        self, actor: Actor, terms_id: int, form: TermsForm, *, version: int | None = None
    ) -> TermsView:
        """Change the fields ``form`` gives (the others stay); issued invoices keep the text
        they were issued with. Refused if someone saved the template after the form was
        opened on ``version``.

        Drafts that chose it print the new text once they are issued; their due days stay.
        """
        with self._write(actor, Perm.PAYMENT_TERMS_MANAGE) as uow:
            session = uow.session
            template = _lock_live(session, terms_id)
            check_version(
                session,
                template,
                version,
                "payment_terms_template",
                f"Payment terms “{template.name}”",
            )
            values = _checked(session, keep_unchanged(form, _form_of(template)), terms_id)
            before = row_dict(template)
            for key, value in values.items():
                setattr(template, key, value)
            template.updated_at = uow.now
            session.flush()
            uow.audit(
                "payment_terms.edit",
                "payment_terms_template",
                template.id,
                before,
                row_dict(template),
            )
            return _load_view(session, terms_id)

    def delete(self, actor: Actor, terms_id: int) -> None:
        """Delete a template (drafts that chose it fall back to none, and so does a firm whose
        default terms it was).

        A soft delete: the row stays (issued invoices refer to its id) but it is no longer
        listed, offered in the Documenter, or usable.
        """
        with self._write(actor, Perm.PAYMENT_TERMS_MANAGE) as uow:
            session = uow.session
            template = _lock_live(session, terms_id)
            before = row_dict(template)
            drafts = list(
                session.execute(
                    select(m.Invoice.id).where(
                        m.Invoice.payment_terms_id == terms_id,
                        m.Invoice.status == InvoiceStatus.DRAFT.value,
                    )
                ).scalars()
            )
            if drafts:
                session.execute(
                    update(m.Invoice)
                    .where(m.Invoice.id.in_(drafts))  # type: ignore[union-attr]
                    .values(payment_terms_id=None)
                )
            org = session.get(m.Organisation, 1)
            was_default = org is not None and org.default_payment_terms_id == terms_id
            if org is not None and was_default:
                org.default_payment_terms_id = None
            template.is_deleted = True
            template.updated_at = uow.now
            session.flush()
            after = {**row_dict(template), "drafts_cleared": drafts, "was_default": was_default}
            uow.audit("payment_terms.delete", "payment_terms_template", terms_id, before, after)


# ==============================================================================================
# Helpers
# ==============================================================================================


def _require_reader(session: Session, actor: Actor) -> None:
    """Anyone who sees invoices, uses the Documenter or manages templates may read them."""
    if any(has_permission(session, actor, perm) for perm in READ_PERMISSIONS):
        return
    raise PermissionDenied(
        "Your role may not see payment-terms templates. "
        "An administrator can change this under Permissions."
    )


def _views_query() -> Any:
    """Live templates with the number of issued invoices that carry their text."""
    used = (
        select(m.Invoice.payment_terms_id, func.count().label("used_on"))
        .where(
            m.Invoice.payment_terms_id.is_not(None),  # type: ignore[union-attr]
            m.Invoice.status != InvoiceStatus.DRAFT.value,
        )
        .group_by(m.Invoice.payment_terms_id)
        .subquery()
    )
    return (
        select(m.PaymentTermsTemplate, func.coalesce(used.c.used_on, 0))
        .outerjoin(used, used.c.payment_terms_id == m.PaymentTermsTemplate.id)
        .where(m.PaymentTermsTemplate.is_deleted.is_(False))  # type: ignore[attr-defined]
    )


def _load_view(session: Session, terms_id: int | None) -> TermsView:
    """One live template as shown, or NotFound."""
    found = session.execute(
        _views_query().where(m.PaymentTermsTemplate.id == terms_id)
    ).one_or_none()
    if found is None:
        raise NotFound(f"Payment-terms template #{terms_id} does not exist.")
    return _view(*found)


def _lock_live(session: Session, terms_id: int) -> m.PaymentTermsTemplate:
    """A live template locked for this transaction, or NotFound."""
    template = session.execute(
        select(m.PaymentTermsTemplate)
        .where(
            m.PaymentTermsTemplate.id == terms_id,
            m.PaymentTermsTemplate.is_deleted.is_(False),  # type: ignore[attr-defined]
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if template is None:
        raise NotFound(f"Payment-terms template #{terms_id} does not exist.")
    return template


NEW_TERMS = TermsForm(name="", kind="", body="", days="")
"""What a template has before anything is typed: every field must be given but the days."""


def _form_of(template: m.PaymentTermsTemplate) -> TermsForm:
    """A template as it stands, as a form with every field given."""
    days = "" if template.days is None else str(template.days)
    return TermsForm(name=template.name, kind=template.kind, body=template.body, days=days)


def _checked(session: Session, form: TermsForm, own_id: int | None) -> dict[str, Any]:
    """The template's column values from the (complete) form; every problem at once."""
    check = Form()
    name = check.text("name", form.name, max_length=MAX_NAME)
    kind = check.choice("kind", (form.kind or "").strip().lower(), TERMS_KINDS)
    body = check.text("body", form.body, max_length=MAX_BODY)
    days = check.int_range("days", form.days, 0, MAX_DUE_DAYS, required=False)
    if name and _name_taken(session, name, own_id):
        check.add("name", f"a payment-terms template named '{name}' already exists")
    check.raise_if_any()
    return {"name": name, "kind": kind, "body": body, "days": days}


def _name_taken(session: Session, name: str, own_id: int | None) -> bool:
    """Whether another live template has ``name``, ignoring case (in Python, so accented
    letters compare the same on SQLite and PostgreSQL; the library is small)."""
    wanted = name.casefold()
    rows = session.execute(
        select(m.PaymentTermsTemplate.id, m.PaymentTermsTemplate.name).where(
            m.PaymentTermsTemplate.is_deleted.is_(False)  # type: ignore[attr-defined]
        )
    ).all()
    return any(ident != own_id and str(other).casefold() == wanted for ident, other in rows)


def _view(template: m.PaymentTermsTemplate, used_on: int) -> TermsView:
    """A template as shown."""
    return TermsView(
        id=template.id or 0,
        name=template.name,
        kind=template.kind,
        body=template.body,
        used_on=int(used_on),
        created_at=template.created_at,
        updated_at=template.updated_at,
        days=template.days,
        version=template.version,
    )
