"""The register of contractors' compliance documents and what is missing or expired.

Each row of ``contractor_document`` is one document a person handed in (a contract, a tax form,
an insurance certificate ...), with the path of its scan and the day it stops being valid.
Administrators (``contractor_invoices.manage``, the people who pay contractors) keep the
register; a contractor may read their own documents. The overview tells, per contractor, which
required documents are missing and which documents have expired or will within
:data:`EXPIRY_WARNING_DAYS` days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.permissions import Perm, Role
from ...domain.validation import Form
from ...domain.values import is_whole_number
from ...errors import NotFound, PermissionDenied, shown
from ..base import Actor, ServiceBase, has_permission, org_today, row_dict
from ..versions import check_version
from .views import (
    DOCUMENT_TYPES,
    EXPIRY_WARNING_DAYS,
    REQUIRED_DOCUMENT_TYPES,
    ComplianceRow,
    ContractorDocumentForm,
    ContractorDocumentView,
)

CONTRACTOR_ROLES = (
    Role.STAFF.value,
    Role.PROJECT_MANAGER.value,
    Role.PM_ASSISTANT.value,
    Role.ESTIMATOR.value,
    Role.HR.value,
)
"""Whose compliance the overview checks: everyone who books time as a worker.

Administrators, accountants and managers run the firm and clients are outside it; everyone
else (staff / contractors, the project roles and HR) enters time cards that the firm pays for,
so each of them needs a signed contract, a tax form and an insurance certificate on file.
"""

MAX_FILE_PATH = 500


class ComplianceService(ServiceBase):
    """Contract, tax form and insurance certificate of each contractor, with expiry dates."""

    def documents(
        self, actor: Actor, *, user_id: int | None = None, as_of: date | None = None
    ) -> tuple[ContractorDocumentView, ...]:
        """Documents in the register (one contractor's, or all), by person and type.

        Without ``contractor_invoices.manage`` a user sees only their own documents (asking for
        nobody in particular gives their own; asking for someone else is refused).
        """
        with self._read(actor) as session:
            if not has_permission(session, actor, Perm.CONTRACTOR_INVOICES):
                if user_id not in (None, actor.user_id):
                    raise PermissionDenied(
                        "You may see only your own compliance documents. "
                        "Ask an administrator for anyone else's."
                    )
                user_id = actor.user_id
            day = as_of or org_today(session, self.clock.now())
            query = select(m.ContractorDocument, m.UserAccount.name).join(
                m.UserAccount,
                m.UserAccount.id == m.ContractorDocument.user_id,  # type: ignore[arg-type]
            )
            if user_id is not None:
                query = query.where(m.ContractorDocument.user_id == user_id)
            rows = session.execute(
                query.order_by(m.UserAccount.name, m.ContractorDocument.user_id)
            ).all()
            views = [_view(row, name, day) for row, name in rows]
            return tuple(sorted(views, key=_document_order))

    def add(self, actor: Actor, form: ContractorDocumentForm) -> ContractorDocumentView:
        """Register a document.

        Raises:
            ValidationError: unknown type, contractor or date, or a file path over 500
                characters; every problem at once.
        """
        with self._write(actor, Perm.CONTRACTOR_INVOICES) as uow:
            values = _check_form(uow.session, form)
            row = m.ContractorDocument(created_at=uow.now, **values)
            uow.session.add(row)
            uow.session.flush()
            uow.audit("compliance.add", "contractor_document", row.id, None, row_dict(row))
            return self._view_of(uow.session, row, uow.now)

    def edit(
        self,
        actor: Actor,
        document_id: int,
        form: ContractorDocumentForm,
        *,
        version: int | None = None,
    ) -> ContractorDocumentView:
        """Change a document's type, file path or expiry date (or whose it is); refused if
        someone saved it after the form was opened on ``version``."""
        with self._write(actor, Perm.CONTRACTOR_INVOICES) as uow:
            row = _lock(uow.session, document_id)
            check_version(
                uow.session, row, version, "contractor_document", f"Document #{document_id}"
            )
            values = _check_form(uow.session, form)
            before = row_dict(row)
            for key, value in values.items():
                setattr(row, key, value)
            uow.session.flush()
            uow.audit("compliance.edit", "contractor_document", row.id, before, row_dict(row))
            return self._view_of(uow.session, row, uow.now)

    def delete(self, actor: Actor, document_id: int) -> None:
        """Remove a document from the register."""
        with self._write(actor, Perm.CONTRACTOR_INVOICES) as uow:
            row = _lock(uow.session, document_id)
            before = row_dict(row)
            uow.session.delete(row)
            uow.session.flush()
            uow.audit("compliance.delete", "contractor_document", document_id, before, None)

    def overview(
        self, actor: Actor, *, as_of: date | None = None, only_problems: bool = False
    ) -> tuple[ComplianceRow, ...]:
        """Per contractor: required documents missing, expired, expiring within 30 days.

        Contractors are the active users of :data:`CONTRACTOR_ROLES`, by name.
        """
        with self._read(actor, Perm.CONTRACTOR_INVOICES) as session:
            day = as_of or org_today(session, self.clock.now())
            return compliance_rows(session, day, only_problems=only_problems)

    @staticmethod
    def _view_of(
        session: Session, row: m.ContractorDocument, now: datetime
    ) -> ContractorDocumentView:
        """The view of a just-written document, its state as of today."""
        name = session.execute(
            select(m.UserAccount.name).where(m.UserAccount.id == row.user_id)
        ).scalar_one()
        return _view(row, name, org_today(session, now))


# ==============================================================================================
# The overview (also read by the administrator's dashboard)
# ==============================================================================================


def compliance_rows(
    session: Session, as_of: date, *, only_problems: bool = False
) -> tuple[ComplianceRow, ...]:
    """Every contractor's compliance on ``as_of`` (two small queries, no permission check).

    A required type is *missing* when no document of that type is on file at all; a type is
    *expired* when it has documents and all of them have expired (so an expired certificate is
    listed once, as expired, never also as missing); it is *expiring* when its longest-valid
    document ends within the warning window. Either missing or expired makes a contractor
    non-compliant.
    """
    people = session.execute(
        select(m.UserAccount.id, m.UserAccount.name)
        .where(
            m.UserAccount.role.in_(CONTRACTOR_ROLES),  # type: ignore[attr-defined]
            m.UserAccount.is_active.is_(True),  # type: ignore[attr-defined]
        )
        .order_by(m.UserAccount.name, m.UserAccount.id)
    ).all()
    if not people:
        return ()
    docs = session.execute(
        select(
            m.ContractorDocument.user_id,
            m.ContractorDocument.doc_type,
            m.ContractorDocument.expires_on,
        ).where(m.ContractorDocument.user_id.in_([p.id for p in people]))  # type: ignore[attr-defined]
    ).all()
    by_person: dict[int, dict[str, list[date | None]]] = defaultdict(lambda: defaultdict(list))
    for user_id, doc_type, expires_on in docs:
        by_person[user_id][doc_type].append(expires_on)
    rows = (_row(ident, name, by_person.get(ident, {}), as_of) for ident, name in people)
    return tuple(row for row in rows if not only_problems or _has_problem(row))


def document_state(expires_on: date | None, as_of: date) -> str:
    """valid, expiring (within EXPIRY_WARNING_DAYS of ``as_of``) or expired."""
    if expires_on is None:
        return "valid"
    if expires_on < as_of:
        return "expired"
    if expires_on <= as_of + timedelta(days=EXPIRY_WARNING_DAYS):
        return "expiring"
    return "valid"


def _row(user_id: int, name: str, held: dict[str, list[date | None]], as_of: date) -> ComplianceRow:
    """One contractor's row from the expiry dates of their documents by type."""
    best = {doc_type: _longest(dates) for doc_type, dates in held.items()}
    states = {doc_type: document_state(end, as_of) for doc_type, end in best.items()}
    return ComplianceRow(
        user_id=user_id,
        user_name=name,
        missing=tuple(t for t in REQUIRED_DOCUMENT_TYPES if t not in states),
        expired=_in_order(t for t, state in states.items() if state == "expired"),
        expiring=_in_order(t for t, state in states.items() if state == "expiring"),
    )


def _longest(dates: list[date | None]) -> date | None:
    """The latest expiry of a type's documents (None, never expiring, beats every date)."""
    if any(end is None for end in dates):
        return None
    return max(end for end in dates if end is not None)


def _in_order(types: Iterable[str]) -> tuple[str, ...]:
    """Document types in the register's order (unknown ones last, by name)."""
    found = set(types)
    known = [t for t in DOCUMENT_TYPES if t in found]
    return (*known, *sorted(found - set(DOCUMENT_TYPES)))


def _has_problem(row: ComplianceRow) -> bool:
    """Something missing, expired or expiring."""
    return bool(row.missing or row.expired or row.expiring)


# ==============================================================================================
# Writing
# ==============================================================================================


def _check_form(session: Session, form: ContractorDocumentForm) -> dict[str, object]:
    """The column values of a document form, or ValidationError naming every bad field."""
    check = Form()
    user_id = _contractor(session, check, form.contractor)
    doc_type = check.choice("type", form.doc_type.strip().lower(), DOCUMENT_TYPES)
    file_path = check.text("file", form.file_path, required=False, max_length=MAX_FILE_PATH)
    expires_on = check.date("expires", form.expires_on, required=False)
    check.raise_if_any()
    return {
        "user_id": user_id,
        "doc_type": doc_type,
        "file_path": file_path or "",
        "expires_on": expires_on,
    }


def _contractor(session: Session, check: Form, value: str) -> int | None:
    """The user id of the contractor given by id or e-mail; clients are refused."""
    text = check.text("contractor", value, max_length=254)
    if text is None:
        return None
    query = select(m.UserAccount.id, m.UserAccount.role)
    if is_whole_number(text):
        ident = check.id("contractor", text)
        if ident is None:
            return None
        found = session.execute(query.where(m.UserAccount.id == ident)).one_or_none()
    else:
        found = session.execute(query.where(m.UserAccount.email_key == text.lower())).one_or_none()
    if found is None:
        check.add("contractor", f"no person with id or e-mail '{shown(text)}'")
        return None
    if found.role == Role.CLIENT.value:
        check.add("contractor", "is a client user; documents are kept for contractors only")
        return None
    return int(found.id)


def _lock(session: Session, document_id: int) -> m.ContractorDocument:
    """The document row, locked for this transaction, or NotFound."""
    row = session.execute(
        select(m.ContractorDocument)
        .where(m.ContractorDocument.id == document_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"Compliance document #{document_id} does not exist.")
    return row


# ==============================================================================================
# Read models
# ==============================================================================================


def _view(row: m.ContractorDocument, name: str, as_of: date) -> ContractorDocumentView:
    """A document as shown, with its state on ``as_of``."""
    return ContractorDocumentView(
        id=row.id or 0,
        user_id=row.user_id,
        user_name=name,
        doc_type=row.doc_type,
        file_path=row.file_path,
        expires_on=row.expires_on,
        state=document_state(row.expires_on, as_of),
        version=row.version,
    )


def _document_order(view: ContractorDocumentView) -> tuple[object, ...]:
    """By person, then type in the register's order, then expiry (open-ended last)."""
    rank = DOCUMENT_TYPES.index(view.doc_type) if view.doc_type in DOCUMENT_TYPES else 99
    return (view.user_name, view.user_id, rank, view.expires_on or date.max, view.id)
