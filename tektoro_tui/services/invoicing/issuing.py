"""Issuing (stage 6): a draft takes the next number of its series and is frozen; credit notes.

Numbers read ``<prefix>/<year>/<seq>``, e.g. ``INV/2026/00042``: ``seq`` is the series counter
with five digits (more once it passes 99999). The counter never restarts, not even in January,
so a series is gapless over its whole life; the year is the issue year, for people reading it.
Within a series issue dates never go backwards. Corrections are credit notes, which cancel the
whole unpaid invoice; the database refuses any other change to an issued invoice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money
from ...domain.permissions import Perm
from ...domain.states import InvoiceAction, InvoiceStatus, invoice_transition
from ...domain.validation import Form, given_fields
from ...errors import (
    IllegalTransition,
    NotFound,
)
from ..base import (
    Actor,
    ServiceBase,
    UnitOfWork,
    insert_rows,
    org_today,
    organisation,
    row_dict,
)
from .views import (
    DraftForm,
    InvoiceView,
)

if TYPE_CHECKING:
    pass
from .common import (
    CREDIT_NOTE,
    LINE_TABLE,
    SERIES_CREDIT_NOTE,
    SERIES_INVOICE,
    LineRecord,
    invalid_field,
    line_records,
    lock_invoice,
    require_documenter,
)
from .documenter import (
    draft_form_change,
    draft_of_record,
    due_days,
    edit_locked_draft,
    recompute_draft,
)
from .numbering import series_row, take_number
from .read_models import audit_image, invoice_view, seller_gaps


class IssuingActions(ServiceBase):
    """Issuing a draft under the next gapless number, and credit notes."""

    def seller_missing(self, actor: Actor) -> tuple[str, ...]:
        """The firm's own details an invoice would print without ("address", "tax ID", ...)."""
        with self._read(actor, Perm.INVOICE_ISSUE) as session:
            return seller_gaps(organisation(session))

    def issue(
        self,
        actor: Actor,
        invoice_id: int,
        *,
        issue_date: date | str | None = None,
        line_limit: int | None = None,
    ) -> InvoiceView:
        """Give a draft the next gapless number and freeze it with its seller, buyer and texts.

        ``line_limit``: the lines the invoice is returned with, as :func:`invoice_view` takes it
        (all when None; an invoice may hold ten thousand).

        Raises:
            IllegalTransition: the invoice is not a draft, has no lines or is for zero or less.
            ValidationError: the issue date is not a date, in the future, in a locked period,
                or earlier than the last invoice of the series.
        """
        with self._write(actor, Perm.INVOICE_ISSUE) as uow:
            invoice = lock_invoice(
                uow.session, m.Invoice.id == invoice_id, f"Invoice #{invoice_id}"
            )
            lines = issue_locked_draft(uow, invoice, issue_date)
            return invoice_view(uow.session, invoice, records=lines, line_limit=line_limit)

    def issue_record(
        self,
        actor: Actor,
        document_id: int,
        form: DraftForm | None = None,
        *,
        issue_date: date | str | None = None,
        dry_run: bool = False,
    ) -> InvoiceView:
        """Issue the invoice of a document record in one transaction: its draft (made on first
        use), with the fields ``form`` gives changed and every other one as the draft holds it.

        With ``dry_run`` every step runs and is checked exactly as it would be, and nothing is
        written: the invoice returned is what would be issued.

        Raises:
            NotFound, IllegalTransition, ValidationError: as opening the record, editing the
                draft and issuing it would; nothing is written then either.
        """
        with self._write(actor, Perm.INVOICE_ISSUE, dry_run=dry_run) as uow:
            require_documenter(uow.session, actor)
            invoice, _lines = draft_of_record(uow, document_id, actor)
            if form is not None and given_fields(form):
                edit_locked_draft(
                    uow, invoice, "invoice.update_draft", draft_form_change(form), "markup_percent"
                )
            lines = issue_locked_draft(uow, invoice, issue_date)
            return invoice_view(uow.session, invoice, records=lines)

    def credit_note(
        self,
        actor: Actor,
        number: str,
        *,
        reason: str,
        issue_date: date | None = None,
        line_limit: int | None = None,
    ) -> InvoiceView:
        """Cancel a whole unpaid invoice with a credit note (series CN) mirroring its lines.

        ``line_limit``: the lines the credit note is returned with, as :meth:`issue` takes it.

        Raises:
            IllegalTransition: payments are recorded on it, or it is not issued or sent.
        """
        with self._write(actor, Perm.INVOICE_ISSUE) as uow:
            original = lock_invoice(uow.session, m.Invoice.number == number, f"Invoice {number}")
            note = cancel_with_credit_note(uow, original, reason, issue_date)
            return invoice_view(uow.session, note, line_limit=line_limit)


def issue_locked_draft(
    uow: UnitOfWork, invoice: m.Invoice, issue_date: date | str | None
) -> list[LineRecord]:
    """Number and freeze a draft the caller locked, dated ``issue_date`` (default today);
    returns its lines.

    Raises:
        IllegalTransition: the invoice is not a draft, has no lines or is for zero or less.
        ValidationError: the issue date is not a date, in the future, in a locked period, or
            earlier than the last invoice of the series.
    """
    session = uow.session
    actor = uow.actor
    assert actor is not None
    org = organisation(session)
    invoice_transition(InvoiceStatus(invoice.status), InvoiceAction.ISSUE)
    today = org_today(session, uow.now)
    when = _check_issue_date(_issue_date(issue_date) or today, today, org)
    lines = line_records(session, invoice.id)
    before = audit_image(session, invoice, lines)
    rows = recompute_draft(session, invoice, org, lines)
    _refuse_empty(invoice, rows)
    terms = _terms_text(session, invoice.payment_terms_id)
    days = due_days(invoice, org)
    seq, number = take_number(session, SERIES_INVOICE, when)
    client = session.get(m.Company, invoice.client_id)
    if client is None:
        raise NotFound(f"Client #{invoice.client_id} does not exist.")
    _stamp_issue(invoice, org, seq, number, when, actor, uow)
    _copy_buyer(invoice, client)
    invoice.due_date = when + timedelta(days=days)
    invoice.sale_date = _sale_date(session, invoice.id)
    invoice.payment_terms_text = terms
    invoice.status = invoice_transition(InvoiceStatus.DRAFT, InvoiceAction.ISSUE).value
    session.flush()  # one UPDATE: number, dates, snapshots and status together
    if invoice.project_id is None:
        record_project_shares(session, invoice.id)
    uow.audit("invoice.issue", "invoice", invoice.id, before, audit_image(session, invoice, rows))
    return rows


def record_project_shares(session: Session, invoice_id: int | None) -> None:
    """Keep what an issued invoice of a client's period bills of each project's time (the net
    of its lines per project), for the project figures: one grouped INSERT ... SELECT."""
    line, doc_line, entry = m.InvoiceLine, m.DocumentLine, m.TimeEntry
    shares = (
        select(line.invoice_id, entry.project_id, func.sum(line.net_cents))
        .join(doc_line, doc_line.id == line.document_line_id)
        .join(entry, entry.id == doc_line.time_entry_id)
        .where(line.invoice_id == invoice_id)
        .group_by(line.invoice_id, entry.project_id)
    )
    session.execute(
        insert(m.InvoiceProjectShare).from_select(["invoice_id", "project_id", "net_cents"], shares)
    )


def issue_prepared(
    uow: UnitOfWork,
    invoice: m.Invoice,
    lines: Sequence[LineRecord],
    when: date,
    *,
    due_date: date | None = None,
    footer: str | None = None,
    audit_action: str = "invoice.issue",
) -> None:
    """Number and freeze a draft whose lines are final as stored (a settlement invoice: its
    deduction lines carry an earlier invoice's own VAT, never worked out anew), dated ``when``.

    The same gapless series, the same seller and buyer snapshots and the same audit as
    :func:`issue_locked_draft`; ``footer`` replaces the organisation's default.

    Raises:
        IllegalTransition: not a draft, no lines, or for zero or less.
        ValidationError: ``when`` in the future, in the locked period or before the series'
            last invoice; a due date before ``when``.
    """
    session = uow.session
    actor = uow.actor
    assert actor is not None
    org = organisation(session)
    invoice_transition(InvoiceStatus(invoice.status), InvoiceAction.ISSUE)
    today = org_today(session, uow.now)
    _check_issue_date(when, today, org)
    if due_date is not None and due_date < when:
        raise invalid_field("due_date", f"must not be before the issue date ({when})")
    _refuse_empty(invoice, lines)
    before = audit_image(session, invoice, lines)
    seq, number = take_number(session, SERIES_INVOICE, when)
    client = session.get(m.Company, invoice.client_id)
    if client is None:
        raise NotFound(f"Client #{invoice.client_id} does not exist.")
    _stamp_issue(invoice, org, seq, number, when, actor, uow)
    if footer is not None:
        invoice.footer = footer
    _copy_buyer(invoice, client)
    invoice.due_date = due_date or when + timedelta(days=org.payment_deadline_days)
    invoice.sale_date = when
    invoice.status = invoice_transition(InvoiceStatus.DRAFT, InvoiceAction.ISSUE).value
    session.flush()
    uow.audit(audit_action, "invoice", invoice.id, before, audit_image(session, invoice, lines))


def _issue_date(value: date | str | None) -> date | None:
    """The issue date as given (a date, or text like 2026-03-31); None for today."""
    if isinstance(value, str) and not value.strip():
        return None
    check = Form()
    when = check.date("issue_date", value, required=False)
    check.raise_if_any()
    return when


def cancel_with_credit_note(
    uow: UnitOfWork, original: m.Invoice, reason: str, issue_date: date | None = None
) -> m.Invoice:
    """Issue the credit note that cancels ``original`` (locked by the caller) in its write.

    The note mirrors every line with the opposite sign, takes the next number of series CN,
    and the original moves to cancelled; both are audited.

    Raises:
        ValidationError: no reason, or an issue date in the future, in the locked period or
            before the original's.
        IllegalTransition: payments are recorded on it, or it is not issued or sent.
    """
    check = Form()
    why = check.text("reason", reason, max_length=4000)
    check.raise_if_any()
    session = uow.session
    org = organisation(session)
    assert uow.actor is not None
    _check_creditable(original)
    cancelled = invoice_transition(
        InvoiceStatus(original.status),
        InvoiceAction.CANCEL,
        paid_cents=original.paid_cents,
        total_cents=original.gross_cents,
        via_credit_note=True,
    )
    today = org_today(uow.session, uow.now)
    when = _check_issue_date(issue_date or today, today, org)
    if original.issue_date is not None and when < original.issue_date:
        raise invalid_field(
            "issue_date",
            f"must not be before {original.issue_date}, the issue date of invoice "
            f"{original.number}",
        )
    before = row_dict(original)
    note = _credit_note_for(session, uow, original, org, uow.actor, when, why or "")
    original.status = cancelled.value
    original.cancelled_at = uow.now
    session.flush()
    uow.audit("invoice.cancel", "invoice", original.id, before, row_dict(original))
    uow.audit("invoice.credit_note", "invoice", note.id, None, audit_image(session, note))
    return note


def _check_issue_date(when: date, today: date, org: m.Organisation) -> date:
    """Refuse an issue date in the future or inside the locked period."""
    if when > today:
        raise invalid_field("issue_date", f"must not be after today ({today})")
    lock = org.period_lock_date
    if lock is not None and when <= lock:
        raise invalid_field("issue_date", f"falls in the locked period (closed up to {lock})")
    return when


def _refuse_empty(invoice: m.Invoice, rows: Sequence[m.InvoiceLine | LineRecord]) -> None:
    """An invoice needs lines and a total above zero."""
    if not rows:
        raise IllegalTransition("client invoice", "empty", "issue", "it has no lines")
    if invoice.gross_cents <= 0:
        gross = Money(invoice.gross_cents, invoice.currency)
        raise IllegalTransition(
            "client invoice",
            "for nothing",
            "issue",
            f"its total is {gross}; an invoice must be for more than zero",
        )


def _terms_text(session: Session, template_id: int | None) -> str:
    """The payment-terms text to copy into the invoice (the template may change later)."""
    if template_id is None:
        return ""
    template = session.get(m.PaymentTermsTemplate, template_id)
    if template is None or template.is_deleted:
        raise invalid_field(
            "payment_terms_id",
            "the chosen payment-terms template was deleted; choose another one in the Documenter",
        )
    return template.body


def _stamp_issue(
    invoice: m.Invoice,
    org: m.Organisation,
    seq: int,
    number: str,
    when: date,
    actor: Actor,
    uow: UnitOfWork,
) -> None:
    """Set the number, dates and seller snapshot an issued document carries (not flushed)."""
    invoice.seq = seq
    invoice.number = number
    invoice.issue_date = when
    invoice.seller_name = org.name
    invoice.seller_address = org.billing_address
    invoice.seller_tax_id = org.tax_id
    invoice.footer = org.invoice_footer
    invoice.issued_by_id = actor.user_id
    invoice.issued_at = uow.now


def _copy_buyer(invoice: m.Invoice, client: m.Company) -> None:
    """Freeze the client's name, address and tax id on the invoice (not flushed)."""
    invoice.buyer_name = client.name
    invoice.buyer_address = client.billing_address
    invoice.buyer_tax_id = client.tax_id


def _sale_date(session: Session, invoice_id: int | None) -> date | None:
    """The last day of work billed (the date of sale), or None without time lines."""
    line = m.InvoiceLine
    return session.execute(
        select(func.max(m.DocumentLine.work_date))
        .join(line, line.document_line_id == m.DocumentLine.id)
        .where(line.invoice_id == invoice_id)
    ).scalar_one()


def _check_creditable(original: m.Invoice) -> None:
    """A credit note cancels a whole issued invoice on which nothing is paid."""
    if original.kind == CREDIT_NOTE:
        raise IllegalTransition(
            "credit note", "a credit note", "credit", "a credit note cannot itself be credited"
        )
    if original.external_number is not None:
        raise IllegalTransition(
            "recorded invoice",
            "issued in another program",
            "cancel",
            f"invoice {original.external_number} was issued in another program: record the "
            "credit note that program issued for it against its project instead",
        )
    if original.paid_cents > 0:
        paid = Money(original.paid_cents, original.currency)
        raise IllegalTransition(
            "client invoice",
            InvoiceStatus(original.status).value.replace("_", " "),
            "cancel",
            f"payments of {paid} are recorded on invoice {original.number}; a credit note "
            "cancels only an invoice on which nothing has been paid",
        )


def _credit_note_for(
    session: Session,
    uow: UnitOfWork,
    original: m.Invoice,
    org: m.Organisation,
    actor: Actor,
    when: date,
    reason: str,
) -> m.Invoice:
    """Insert the credit note with negative copies of the original's lines, then number it."""
    series = series_row(session, SERIES_CREDIT_NOTE)
    note = m.Invoice(
        series_id=series.id,
        kind=CREDIT_NOTE,
        status=InvoiceStatus.DRAFT.value,
        client_id=original.client_id,
        project_id=original.project_id,
        document_id=original.document_id,
        credited_invoice_id=original.id,
        currency=original.currency,
        vat_mode=original.vat_mode,
        rounding_mode=original.rounding_mode,
        net_cents=-original.net_cents,
        vat_cents=-original.vat_cents,
        gross_cents=-original.gross_cents,
        markup_bp=original.markup_bp,
        markup_on_whole=original.markup_on_whole,
        commentary=reason,
        sale_date=original.sale_date,
        buyer_name=original.buyer_name,
        buyer_address=original.buyer_address,
        buyer_tax_id=original.buyer_tax_id,
        created_by_id=actor.user_id,
        created_at=uow.now,
    )
    session.add(note)
    session.flush()
    lines = [_negated_line(note, row) for row in line_records(session, original.id)]
    insert_rows(session, LINE_TABLE, lines)  # while the note is a draft (the trigger's rule)
    seq, number = take_number(session, SERIES_CREDIT_NOTE, when)
    _stamp_issue(note, org, seq, number, when, actor, uow)
    note.status = invoice_transition(InvoiceStatus.DRAFT, InvoiceAction.ISSUE).value
    session.flush()
    return note


def _negated_line(note: m.Invoice, row: LineRecord) -> dict[str, Any]:
    """A credit-note line mirroring ``row`` to the cent (its column values)."""
    values = row._asdict()
    del values["id"]
    values["invoice_id"] = note.id
    for key in ("net_cents", "vat_cents", "gross_cents"):
        values[key] = -values[key]
    return values
