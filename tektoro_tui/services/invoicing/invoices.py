"""Client invoices: the Documenter, the Invoice Printer and Account Revenue (stages 5 to 7).

A document record of kind ``invoice`` becomes a *draft* in the Documenter: one time line per
record line, plus adjustments, expenses and a markup the user adds. Every change re-prices the
draft through :func:`tektoro_tui.domain.invoice.compose_invoice`, the same function the screen
uses for its live totals. Issuing gives the draft the next number of its series and freezes it
(the database refuses any later change); corrections are credit notes, which cancel the whole
unpaid invoice. Payments recognise revenue; the aging report shows what is still owed.

Numbers read ``<prefix>/<year>/<seq>``, e.g. ``INV/2026/00042``: ``seq`` is the series counter
with five digits (more once it passes 99999). The counter never restarts, not even in January,
so a series is gapless over its whole life; the year is the issue year, for people reading it.
Within a series issue dates never go backwards.

A draft keeps a provisional issue date (the day it was last edited) and a due date that many
payment days later; issuing re-dates both to the real issue date and keeps the number of days.
Read models hide these provisional dates and show ``due_days`` instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.invoice import DraftLine, compose_invoice
from ...domain.money import Money, sum_money
from ...domain.permissions import Perm, Role
from ...domain.rounding import RoundingMode
from ...domain.states import InvoiceAction, InvoiceStatus, invoice_transition
from ...domain.validation import Form
from ...domain.vat import VatMode
from ...errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
    Problem,
    ValidationError,
)
from ...exports.filenames import safe_filename
from ...exports.model import (
    Column,
    DocumentLine,
    InvoiceDocument,
    Party,
    RenderOptions,
    Table,
    VatRow,
)
from ...paths import ensure_dir, exports_dir
from ..base import Actor, ServiceBase, UnitOfWork, chunks, local_today, row_dict, write_file
from .views import (
    PAYMENT_METHODS,
    AdjustmentForm,
    AgingRow,
    DraftForm,
    ExpenseForm,
    InvoiceLineView,
    InvoiceView,
    PaymentForm,
    PaymentView,
    RevenueRow,
    VatBreakdown,
)

if TYPE_CHECKING:
    from ..contractor_invoices.views import ContractorPaymentForm

SERIES_INVOICE = "INV"
SERIES_CREDIT_NOTE = "CN"
CREDIT_NOTE = "credit_note"
STANDARD = "standard"
PAYABLE_STATUSES = (
    InvoiceStatus.ISSUED.value,
    InvoiceStatus.SENT.value,
    InvoiceStatus.PARTIALLY_PAID.value,
)
PRINTER_STATUSES = (*PAYABLE_STATUSES, InvoiceStatus.PAID.value)
OVERDUE_NOTICE_DAYS = (60, 90)
MAX_DUE_DAYS = 365
MAX_MARKUP_BP = 10_000
RENDER_FORMATS = ("pdf", "html")
ID_CHUNK = 10_000
"""Ids per IN (...) list: SQLite takes at most 32,766 parameters in one statement."""
REMOVABLE_KINDS = ("adjustment", "expense")
TITLES = {
    STANDARD: "Invoice",
    CREDIT_NOTE: "Credit note",
    "partial": "Partial invoice",
    "total": "Invoice",
    "advance": "Advance invoice",
    "final": "Final invoice",
}
AGING_BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")

_Change = Callable[[UnitOfWork, m.Invoice, m.Organisation, list[m.InvoiceLine]], None]


class InvoiceService(ServiceBase):
    """Drafts, issuing, credit notes, printing, payments and the revenue reports."""

    # ==========================================================================================
    # Documenter
    # ==========================================================================================

    def open_record(self, actor: Actor, document_id: int) -> InvoiceView:
        """The draft invoice of an invoice record, created on first opening.

        Raises:
            IllegalTransition: for a statement of write-downs, or a record already invoiced.
        """
        with self._write(actor) as uow:
            session = uow.session
            _require_documenter(session, actor)
            record = session.execute(
                select(m.DocumentRecord).where(m.DocumentRecord.id == document_id).with_for_update()
            ).scalar_one_or_none()
            if record is None:
                raise NotFound(f"Document record #{document_id} does not exist.")
            _refuse_write_down(record)
            live = _live_invoice(session, record.id)
            if live is not None and live.status == InvoiceStatus.DRAFT:
                return _view(session, live)
            if live is not None:
                raise IllegalTransition(
                    "document record",
                    "already invoiced",
                    "open",
                    f"record {record.reference} was issued as invoice {live.number}; "
                    "find it in the Invoice Printer",
                )
            invoice = _new_draft(session, uow, record, actor)
            uow.audit("invoice.draft", "invoice", invoice.id, None, _image(session, invoice))
            return _view(session, invoice)

    def drafts(self, actor: Actor) -> tuple[InvoiceView, ...]:
        """Every draft invoice, newest first (the Documenter's list)."""
        with self._read(actor) as session:
            _require_documenter(session, actor)
            rows = session.execute(
                select(m.Invoice)
                .where(m.Invoice.status == InvoiceStatus.DRAFT.value)
                .order_by(m.Invoice.created_at.desc(), m.Invoice.id.desc())  # type: ignore[attr-defined,union-attr]
            ).scalars()
            return tuple(_view(session, row) for row in rows)

    def payment_terms_options(self, actor: Actor) -> tuple[tuple[int, str], ...]:
        """(id, name) of the payment-terms templates a draft may use, by name."""
        with self._read(actor) as session:
            _require_documenter(session, actor)
            rows = session.execute(
                select(m.PaymentTermsTemplate.id, m.PaymentTermsTemplate.name)
                .where(m.PaymentTermsTemplate.is_deleted.is_(False))  # type: ignore[attr-defined]
                .order_by(m.PaymentTermsTemplate.name, m.PaymentTermsTemplate.id)
            ).all()
            return tuple((int(ident), str(name)) for ident, name in rows)

    def update_draft(self, actor: Actor, invoice_id: int, form: DraftForm) -> InvoiceView:
        """Commentary, attached text, markup, payment terms, due days and the time VAT rate."""

        def change(
            uow: UnitOfWork, invoice: m.Invoice, org: m.Organisation, rows: list[m.InvoiceLine]
        ) -> None:
            values = _check_draft_form(uow.session, form, org)
            days = values.pop("due_days")
            vat_bp = values.pop("vat_bp")
            for key, value in values.items():
                setattr(invoice, key, value)
            _set_provisional_dates(invoice, _today(uow, org), days)
            for row in rows:
                if row.kind == "time":
                    row.vat_bp = vat_bp

        return self._edit_draft(actor, invoice_id, "invoice.update_draft", change, "markup_percent")

    def add_adjustment(self, actor: Actor, invoice_id: int, form: AdjustmentForm) -> InvoiceView:
        """A ± amount with a reason, on one time line (placed right after it) or the invoice."""

        def change(
            uow: UnitOfWork, invoice: m.Invoice, org: m.Organisation, rows: list[m.InvoiceLine]
        ) -> None:
            check = Form()
            amount = check.money("amount", form.amount, invoice.currency, allow_zero=False)
            reason = check.text("reason", form.reason, max_length=500)
            target = _adjusted_line(check, rows, form.line_id)
            default_bp = target.vat_bp if target is not None else _time_vat_bp(rows, org)
            vat_bp = _optional_rate(check, "vat_rate", form.vat_rate, default_bp)
            if amount is not None and target is not None and -amount.cents > target.net_cents:
                check.add(
                    "amount",
                    f"would take line {target.position} below zero (it is "
                    f"{Money(target.net_cents, invoice.currency).format()})",
                )
            check.raise_if_any()
            assert amount is not None and reason is not None
            position = _position_after(rows, target)
            uow.session.add(
                m.InvoiceLine(
                    invoice_id=invoice.id,
                    position=position,
                    kind="adjustment",
                    description=f"Adjustment: {reason}",
                    detail=f"Applies to: {target.description}" if target is not None else "",
                    net_cents=amount.cents,
                    vat_bp=vat_bp,
                    vat_cents=0,
                    gross_cents=amount.cents,
                    reason=reason,
                )
            )

        return self._edit_draft(actor, invoice_id, "invoice.add_adjustment", change, "amount")

    def add_expense(self, actor: Actor, invoice_id: int, form: ExpenseForm) -> InvoiceView:
        """An out-of-pocket expense passed on to the client (after the existing lines)."""

        def change(
            uow: UnitOfWork, invoice: m.Invoice, org: m.Organisation, rows: list[m.InvoiceLine]
        ) -> None:
            check = Form()
            when = check.date("expense_date", form.expense_date)
            if when is not None and when > _today(uow, org):
                check.add("expense_date", "must not be in the future")
            description = check.text("description", form.description, max_length=2000)
            amount = check.money(
                "amount", form.amount, invoice.currency, min_cents=1, allow_zero=False
            )
            vat_bp = _optional_rate(check, "vat_rate", form.vat_rate, org.default_vat_bp)
            check.raise_if_any()
            assert amount is not None and description is not None
            uow.session.add(
                m.InvoiceLine(
                    invoice_id=invoice.id,
                    position=_position_after(rows, None),
                    kind="expense",
                    description=description,
                    net_cents=amount.cents,
                    unit_price_cents=amount.cents,
                    vat_bp=vat_bp,
                    vat_cents=0,
                    gross_cents=amount.cents,
                    expense_date=when,
                )
            )

        return self._edit_draft(actor, invoice_id, "invoice.add_expense", change, "amount")

    def remove_line(self, actor: Actor, invoice_id: int, line_id: int) -> InvoiceView:
        """Remove an adjustment or an expense; time and markup lines stay."""

        def change(
            uow: UnitOfWork, invoice: m.Invoice, org: m.Organisation, rows: list[m.InvoiceLine]
        ) -> None:
            row = next((r for r in rows if r.id == line_id), None)
            if row is None:
                raise NotFound(f"Line #{line_id} is not a line of this invoice.")
            if row.kind not in REMOVABLE_KINDS:
                reasons = {
                    "time": "time lines come from the document record; adjust them instead",
                    "markup": "the markup line follows the markup percentage; set it to 0",
                }
                reason = reasons.get(row.kind, "only adjustments and expenses can be removed")
                raise IllegalTransition("line", f"a {row.kind} line", "remove", reason)
            uow.session.delete(row)
            rows.remove(row)

        return self._edit_draft(actor, invoice_id, "invoice.remove_line", change, "line_id")

    def issue(
        self, actor: Actor, invoice_id: int, *, issue_date: date | None = None
    ) -> InvoiceView:
        """Give a draft the next gapless number and freeze it with its seller, buyer and texts.

        Raises:
            IllegalTransition: the invoice is not a draft, has no lines or is for zero or less.
            ValidationError: the issue date is in the future, in a locked period, or earlier
                than the last invoice of the series.
        """
        with self._write(actor, Perm.INVOICE_ISSUE) as uow:
            session = uow.session
            org = _org(session)
            invoice = _lock(session, m.Invoice.id == invoice_id, f"Invoice #{invoice_id}")
            invoice_transition(InvoiceStatus(invoice.status), InvoiceAction.ISSUE)
            when = _check_issue_date(issue_date or _today(uow, org), _today(uow, org), org)
            before = _image(session, invoice)
            rows = _recompute(session, invoice, org)
            _refuse_empty(invoice, rows)
            terms = _terms_text(session, invoice.payment_terms_id)
            days = _due_days(invoice, org)
            seq, number = _take_number(session, SERIES_INVOICE, when)
            client = self._get(session, m.Company, invoice.client_id, "Client")
            _stamp_issue(invoice, org, seq, number, when, actor, uow)
            _copy_buyer(invoice, client)
            invoice.due_date = when + timedelta(days=days)
            invoice.sale_date = _sale_date(session, rows)
            invoice.payment_terms_text = terms
            invoice.status = invoice_transition(InvoiceStatus.DRAFT, InvoiceAction.ISSUE).value
            session.flush()  # one UPDATE: number, dates, snapshots and status together
            uow.audit("invoice.issue", "invoice", invoice.id, before, _image(session, invoice))
            return _view(session, invoice)

    def credit_note(
        self, actor: Actor, number: str, *, reason: str, issue_date: date | None = None
    ) -> InvoiceView:
        """Cancel a whole unpaid invoice with a credit note (series CN) mirroring its lines.

        Raises:
            IllegalTransition: payments are recorded on it, or it is not issued or sent.
        """
        check = Form()
        why = check.text("reason", reason, max_length=4000)
        check.raise_if_any()
        with self._write(actor, Perm.INVOICE_ISSUE) as uow:
            session = uow.session
            org = _org(session)
            original = _lock(session, m.Invoice.number == number, f"Invoice {number}")
            _check_creditable(original)
            cancelled = invoice_transition(
                InvoiceStatus(original.status),
                InvoiceAction.CANCEL,
                paid_cents=original.paid_cents,
                total_cents=original.gross_cents,
                via_credit_note=True,
            )
            when = _check_issue_date(issue_date or _today(uow, org), _today(uow, org), org)
            if original.issue_date is not None and when < original.issue_date:
                raise _invalid(
                    "issue_date",
                    f"must not be before {original.issue_date}, the issue date of invoice {number}",
                )
            before = row_dict(original)
            note = _credit_note_for(session, uow, original, org, actor, when, why or "")
            original.status = cancelled.value
            original.cancelled_at = uow.now
            session.flush()
            uow.audit("invoice.cancel", "invoice", original.id, before, row_dict(original))
            uow.audit("invoice.credit_note", "invoice", note.id, None, _image(session, note))
            return _view(session, note)

    # ==========================================================================================
    # Invoice Printer
    # ==========================================================================================

    def printer_list(self, actor: Actor, *, lines: bool = True) -> tuple[InvoiceView, ...]:
        """Issued invoices and credit notes not yet booked, newest first.

        Args:
            actor: Who reads the list (needs ``invoice.view_all``).
            lines: False leaves each view's ``lines`` and ``vat_breakdown`` empty, for list
                screens: an invoice can have thousands of lines, while every total, date and
                name comes from the invoice row. Read one invoice whole with :meth:`get`.
        """
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            rows = session.execute(
                select(m.Invoice, m.Company.name, m.DocumentRecord.reference)
                .outerjoin(m.Company, m.Company.id == m.Invoice.client_id)
                .outerjoin(m.DocumentRecord, m.DocumentRecord.id == m.Invoice.document_id)
                .where(m.Invoice.status.in_(PRINTER_STATUSES))  # type: ignore[attr-defined]
                .order_by(m.Invoice.issue_date.desc(), m.Invoice.id.desc())  # type: ignore[union-attr]
            ).all()
            return tuple(
                _view(session, row, lines=lines, names=(client or "", reference or ""))
                for row, client, reference in rows
            )

    def get(self, actor: Actor, invoice_id: int) -> InvoiceView:
        """One invoice: any with ``invoice.view_all``, drafts also for Documenter users."""
        with self._read(actor) as session:
            invoice = self._get(session, m.Invoice, invoice_id, "Invoice")
            _require_visible(session, actor, invoice)
            return _view(session, invoice)

    def get_by_number(
        self, actor: Actor, number: str, *, line_limit: int | None = None
    ) -> InvoiceView:
        """One issued invoice or credit note by its number.

        With ``line_limit`` only the first that many lines are read (the totals, the VAT
        breakdown and ``line_count`` still cover every line): a screen that shows a few hundred
        lines of a ten-thousand-line invoice need not build the rest.
        """
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            return _view(session, _by_number(session, number), line_limit=line_limit)

    def payments(self, actor: Actor, number: str) -> tuple[PaymentView, ...]:
        """The payments recorded on an invoice, oldest first; account numbers masked except
        for administrators."""
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            invoice = _by_number(session, number)
            unmasked = _role(session, actor) is Role.ADMINISTRATOR
            rows = session.execute(
                select(m.Payment, m.UserAccount.name)
                .join(m.UserAccount, m.UserAccount.id == m.Payment.recorded_by_id)
                .where(m.Payment.invoice_id == invoice.id)
                .order_by(m.Payment.paid_on, m.Payment.id)
            ).all()
            return tuple(_payment_view(row, name, invoice.currency, unmasked) for row, name in rows)

    def document_for(self, actor: Actor, number: str) -> InvoiceDocument:
        """What the printed invoice shows, from the frozen invoice row and its lines."""
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            return _document(session, _by_number(session, number))

    def render(
        self,
        actor: Actor,
        number: str,
        *,
        fmt: str = "pdf",
        out: Path | None = None,
        show_line_details: bool = True,
    ) -> Path:
        """Write the invoice as PDF or HTML and return the file's path.

        The file goes to ``out`` (a file, or a folder to put it in) or to the exports folder as
        ``<number>.<fmt>`` with the number made file-safe ("INV-2026-00001.pdf"). Rendering reads
        only; identical options give identical bytes.
        """
        if fmt not in RENDER_FORMATS:
            raise _invalid("format", "must be pdf or html")
        document = self.document_for(actor, number)
        options = RenderOptions(show_line_details=show_line_details)
        if fmt == "pdf":
            from ...exports.pdf import render_invoice_pdf

            data = render_invoice_pdf(document, options)
        else:
            from ...exports.html import render_invoice_html

            data = render_invoice_html(document, options).encode("utf-8")
        name = f"{safe_filename(number)}.{fmt}"
        target = ensure_dir(exports_dir()) / name if out is None else out
        if target.is_dir():
            target = target / name
        return write_file(target, data)

    def record_payment(self, actor: Actor, number: str, form: PaymentForm) -> InvoiceView:
        """Record a client payment (recognise revenue); partial payments are allowed.

        The invoice row is locked first, so two people paying the same invoice at once are
        served one after the other and the second sees the first one's payment.

        Raises:
            ValidationError: bad fields, more than is still due, a date before the issue date.
            IllegalTransition: a draft, a cancelled or paid invoice, or a credit note.
        """
        with self._write(actor, Perm.INVOICE_RECORD_PAYMENT) as uow:
            session = uow.session
            invoice = _lock(session, m.Invoice.number == number, f"Invoice {number}")
            record_payment_locked(uow, invoice, form)
            return _view(session, invoice)

    # ==========================================================================================
    # Account Revenue
    # ==========================================================================================

    def revenue(
        self, actor: Actor, *, date_from: date | None = None, date_to: date | None = None
    ) -> tuple[RevenueRow, ...]:
        """Recognised revenue (payments received) by month, client and project.

        A payment on an invoice of one project counts for that project. An invoice of a
        client's whole month spans several projects: its payments are shared between them in
        proportion to the invoice's time lines (via :meth:`Money.allocate`, so the parts add up
        to the payment to the cent).
        """
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            query = (
                select(
                    m.Payment.invoice_id,
                    m.Payment.paid_on,
                    m.Payment.amount_cents,
                    m.Invoice.currency,
                    m.Invoice.client_id,
                    m.Company.name,
                    m.Invoice.project_id,
                    m.Project.name,
                )
                .join(m.Invoice, m.Invoice.id == m.Payment.invoice_id)
                .join(m.Company, m.Company.id == m.Invoice.client_id)
                .outerjoin(m.Project, m.Project.id == m.Invoice.project_id)
            )
            if date_from is not None:
                query = query.where(m.Payment.paid_on >= date_from)
            if date_to is not None:
                query = query.where(m.Payment.paid_on <= date_to)
            payments = session.execute(query).all()
            spread = [p.invoice_id for p in payments if p.project_id is None]
            shares = _project_shares(session, spread)
            return _revenue_rows(_split_by_project(payments, shares))

    def revenue_table(
        self, actor: Actor, *, date_from: date | None = None, date_to: date | None = None
    ) -> Table:
        """The revenue report as a table with a totals row, for CSV/XLSX and mail."""
        rows = self.revenue(actor, date_from=date_from, date_to=date_to)
        total = _total((row.amount for row in rows), rows[0].amount.currency if rows else None)
        return Table(
            title="Recognised revenue",
            subtitle=_period_text(date_from, date_to),
            columns=(
                Column("Month"),
                Column("Client"),
                Column("Project"),
                Column("Amount", "money"),
            ),
            rows=tuple((r.month, r.client_name, r.project_name, r.amount) for r in rows),
            totals=("Total", "", "", total),
        )

    def aging(self, actor: Actor, *, as_of: date) -> tuple[AgingRow, ...]:
        """What each client owed on ``as_of``, by days past the due date.

        Counted as things stood that day: invoices issued by then, less payments received by
        then, unless a credit note dated by then cancelled them. So a past date shows the
        receivables of that day, even for invoices paid since.
        """
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            open_items = _outstanding(session, as_of)
            names = _client_names(session, {item[0] for item in open_items})
            return _aging_rows(open_items, names, as_of)

    def aging_table(self, actor: Actor, as_of: date) -> Table:
        """The aging report as a table with a totals row."""
        rows = self.aging(actor, as_of=as_of)
        currency = rows[0].total.currency if rows else None
        money_columns = (
            "Current",
            "1–30 days",
            "31–60 days",
            "61–90 days",
            "Over 90 days",
            "Total",
        )
        return Table(
            title="Receivables aging",
            subtitle=f"As of {as_of.isoformat()}",
            columns=(Column("Client"), *(Column(h, "money") for h in money_columns)),
            rows=tuple((r.client_name, *_aging_amounts(r)) for r in rows),
            totals=(
                "Total",
                *(
                    _total((_aging_amounts(r)[i] for r in rows), currency)
                    for i in range(len(money_columns))
                ),
            ),
        )

    def set_overdue_notice(self, actor: Actor, number: str, days: int | None) -> InvoiceView:
        """Print a 60- or 90-day overdue notice on an unpaid invoice (None clears it).

        Raises:
            ValidationError: another number of days, or the invoice is not that late yet.
            IllegalTransition: the invoice is paid, cancelled or a credit note.
        """
        if days is not None and days not in OVERDUE_NOTICE_DAYS:
            raise _invalid("days", "must be 60 or 90 (or none to clear)")
        with self._write(actor, Perm.INVOICE_ISSUE) as uow:
            session = uow.session
            org = _org(session)
            invoice = _lock(session, m.Invoice.number == number, f"Invoice {number}")
            if days is not None:
                _check_notice(invoice, days, _today(uow, org))
            before = row_dict(invoice)
            invoice.overdue_notice_days = days
            session.flush()
            uow.audit("invoice.overdue_notice", "invoice", invoice.id, before, row_dict(invoice))
            return _view(session, invoice)

    def mark_booked(self, actor: Actor, number: str) -> InvoiceView:
        """Book a paid invoice (or a credit note); it leaves the Invoice Printer."""
        with self._write(actor, Perm.INVOICE_ISSUE) as uow:
            session = uow.session
            invoice = _lock(session, m.Invoice.number == number, f"Invoice {number}")
            before = row_dict(invoice)
            invoice.status = _booked_status(invoice).value
            invoice.booked_at = uow.now
            session.flush()
            uow.audit("invoice.book", "invoice", invoice.id, before, row_dict(invoice))
            return _view(session, invoice)

    # ==========================================================================================
    # helpers needing the service
    # ==========================================================================================

    def _edit_draft(
        self, actor: Actor, invoice_id: int, action: str, change: _Change, field: str
    ) -> InvoiceView:
        """Lock a draft, apply ``change``, re-price it, refuse a negative total, audit."""
        with self._write(actor) as uow:
            session = uow.session
            _require_documenter(session, actor)
            org = _org(session)
            invoice = _lock(session, m.Invoice.id == invoice_id, f"Invoice #{invoice_id}")
            invoice_transition(InvoiceStatus(invoice.status), InvoiceAction.EDIT)
            before = _image(session, invoice)
            rows = [row for row in _line_rows(session, invoice.id) if row.kind != "markup"]
            change(uow, invoice, org, rows)
            session.flush()
            _recompute(session, invoice, org)
            if invoice.net_cents < 0:
                net = Money(invoice.net_cents, invoice.currency)
                raise _invalid(
                    field,
                    f"would make the invoice total negative ({net}); an invoice must not be "
                    "for less than zero",
                )
            uow.audit(action, "invoice", invoice.id, before, _image(session, invoice))
            return _view(session, invoice)


# ==============================================================================================
# Access
# ==============================================================================================


def _invalid(field: str, message: str) -> ValidationError:
    """A refusal naming the one field that is wrong."""
    return ValidationError([Problem(field, message)])


def _require_documenter(session: Session, actor: Actor) -> None:
    """Refuse anyone who may neither use the Documenter nor issue invoices."""
    if ServiceBase._has(session, actor, Perm.DOCUMENTER_USE):
        return
    if ServiceBase._has(session, actor, Perm.INVOICE_ISSUE):
        return
    raise PermissionDenied(
        "Your role may not assemble invoices in the Documenter. "
        "An administrator can change this under Permissions."
    )


def _require_visible(session: Session, actor: Actor, invoice: m.Invoice) -> None:
    """Any invoice with ``invoice.view_all``; drafts also for Documenter users."""
    if ServiceBase._has(session, actor, Perm.INVOICE_VIEW_ALL):
        return
    if invoice.status == InvoiceStatus.DRAFT:
        _require_documenter(session, actor)
        return
    raise PermissionDenied("Your role may not see all invoices.")


def _role(session: Session, actor: Actor) -> Role:
    """The acting user's current role."""
    role = session.execute(
        select(m.UserAccount.role).where(m.UserAccount.id == actor.user_id)
    ).scalar_one()
    return Role(role)


# ==============================================================================================
# Loading
# ==============================================================================================


def _org(session: Session) -> m.Organisation:
    """The organisation row; invoices need it set up."""
    org = session.get(m.Organisation, 1)
    if org is None:
        raise NotFound("The organisation is not set up yet.")
    return org


def _today(uow: UnitOfWork, org: m.Organisation) -> date:
    """Today in the organisation's time zone."""
    return local_today(uow.now, org.timezone)


def _lock(session: Session, condition: Any, label: str) -> m.Invoice:
    """Load one invoice row locked for this transaction (re-read, never a stale copy)."""
    invoice = session.execute(
        select(m.Invoice)
        .where(condition)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if invoice is None:
        raise NotFound(f"{label} does not exist.")
    return invoice


def _by_number(session: Session, number: str) -> m.Invoice:
    """An issued invoice by number, or NotFound."""
    invoice = session.execute(
        select(m.Invoice).where(m.Invoice.number == number.strip())
    ).scalar_one_or_none()
    if invoice is None:
        raise NotFound(f"Invoice {number} does not exist.")
    return invoice


def _line_rows(
    session: Session, invoice_id: int | None, limit: int | None = None
) -> list[m.InvoiceLine]:
    """An invoice's lines in printed order (the first ``limit`` of them when given)."""
    query = (
        select(m.InvoiceLine)
        .where(m.InvoiceLine.invoice_id == invoice_id)
        .order_by(m.InvoiceLine.position, m.InvoiceLine.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def _stored_breakdown(
    session: Session, invoice_id: int | None, currency: str
) -> tuple[int, tuple[VatBreakdown, ...]]:
    """The number of lines and the net, VAT and gross per rate, summed by the database (the
    same figures as :func:`_breakdown` of every line)."""
    line = m.InvoiceLine
    rows = session.execute(
        select(
            line.vat_bp,
            func.count(line.id),
            func.sum(line.net_cents),
            func.sum(line.vat_cents),
            func.sum(line.gross_cents),
        )
        .where(line.invoice_id == invoice_id)
        .group_by(line.vat_bp)
        .order_by(line.vat_bp)
    ).all()
    count = sum(int(n) for _rate, n, *_sums in rows)
    return count, tuple(
        VatBreakdown(
            int(rate),
            Money(int(net), currency),
            Money(int(vat), currency),
            Money(int(gross), currency),
        )
        for rate, _n, net, vat, gross in rows
    )


def _live_invoice(session: Session, document_id: int | None) -> m.Invoice | None:
    """The record's standard invoice that is not cancelled (draft or issued), if any."""
    return (
        session.execute(
            select(m.Invoice)
            .where(
                m.Invoice.document_id == document_id,
                m.Invoice.kind == STANDARD,
                m.Invoice.status != InvoiceStatus.CANCELLED.value,
            )
            .order_by(m.Invoice.id)
        )
        .scalars()
        .first()
    )


def _series_row(session: Session, code: str) -> m.InvoiceSeries:
    """A numbering series by code."""
    series = session.execute(
        select(m.InvoiceSeries).where(m.InvoiceSeries.code == code)
    ).scalar_one_or_none()
    if series is None:
        raise NotFound(f"The numbering series {code} does not exist.")
    return series


def _client_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Company names by id."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(m.Company.id, m.Company.name).where(m.Company.id.in_(wanted))  # type: ignore[union-attr]
    ).all()
    return {int(ident): str(name) for ident, name in rows}


# ==============================================================================================
# Drafts
# ==============================================================================================


def _refuse_write_down(record: m.DocumentRecord) -> None:
    """A statement of write-downs is never invoiced."""
    if record.kind != "invoice":
        raise IllegalTransition(
            "document record",
            "a statement of write-downs",
            "invoice",
            f"record {record.reference} lists written-down time, which is not billed; "
            "only invoice records become invoices",
        )


def _new_draft(
    session: Session, uow: UnitOfWork, record: m.DocumentRecord, actor: Actor
) -> m.Invoice:
    """A draft with one time line per record line, priced."""
    org = _org(session)
    series = _series_row(session, SERIES_INVOICE)
    invoice = m.Invoice(
        series_id=series.id,
        kind=STANDARD,
        status=InvoiceStatus.DRAFT.value,
        client_id=record.client_id,
        project_id=record.project_id,
        document_id=record.id,
        currency=org.currency,
        vat_mode=org.vat_mode,
        rounding_mode=org.rounding_mode,
        created_by_id=actor.user_id,
        created_at=uow.now,
    )
    _set_provisional_dates(invoice, _today(uow, org), org.payment_deadline_days)
    session.add(invoice)
    session.flush()
    record_lines = session.execute(
        select(m.DocumentLine)
        .where(m.DocumentLine.document_id == record.id)
        .order_by(m.DocumentLine.work_date, m.DocumentLine.id)
    ).scalars()
    for position, line in enumerate(record_lines, start=1):
        session.add(_time_line(invoice, line, position, org.default_vat_bp))
    session.flush()
    _recompute(session, invoice, org)
    return invoice


def _time_line(
    invoice: m.Invoice, line: m.DocumentLine, position: int, vat_bp: int
) -> m.InvoiceLine:
    """The invoice line billing one document line."""
    return m.InvoiceLine(
        invoice_id=invoice.id,
        position=position,
        kind="time",
        description=(
            f"{line.work_date.isoformat()} {line.person_name} — "
            f"{line.task_name}/{line.activity_name}"
        ),
        detail=line.description,
        minutes=line.minutes,
        unit_price_cents=line.rate_cents,
        net_cents=line.billed_cents,
        vat_bp=vat_bp,
        vat_cents=0,
        gross_cents=line.billed_cents,
        document_line_id=line.id,
    )


def _set_provisional_dates(invoice: m.Invoice, today: date, days: int) -> None:
    """Date a draft as if issued today, due ``days`` later (issuing re-dates both)."""
    invoice.issue_date = today
    invoice.due_date = today + timedelta(days=days)


def _due_days(invoice: m.Invoice, org: m.Organisation) -> int:
    """Payment days of an invoice: due date minus issue date, else the organisation default."""
    if invoice.issue_date is not None and invoice.due_date is not None:
        return (invoice.due_date - invoice.issue_date).days
    return org.payment_deadline_days


def _check_draft_form(session: Session, form: DraftForm, org: m.Organisation) -> dict[str, Any]:
    """The draft's new values from the form; every problem at once."""
    check = Form()
    values: dict[str, Any] = {
        "commentary": check.text("commentary", form.commentary, required=False, max_length=4000),
        "attached_text": check.text(
            "attached_text", form.attached_text, required=False, max_length=8000
        ),
        "markup_bp": check.percent_bp(
            "markup_percent", form.markup_percent or "0", max_bp=MAX_MARKUP_BP
        ),
        "markup_on_whole": bool(form.markup_on_whole),
        "payment_terms_id": form.payment_terms_id,
        "vat_bp": _optional_rate(check, "vat_rate", form.vat_rate, org.default_vat_bp),
    }
    days = check.int_range("due_days", form.due_days, 0, MAX_DUE_DAYS, required=False)
    values["due_days"] = org.payment_deadline_days if days is None else days
    if form.payment_terms_id is not None:
        template = session.get(m.PaymentTermsTemplate, form.payment_terms_id)
        if template is None or template.is_deleted:
            check.add("payment_terms_id", "no such payment-terms template")
    check.raise_if_any()
    return values


def _optional_rate(check: Form, field: str, text: str, default_bp: int) -> int:
    """A VAT rate typed as a percentage, or ``default_bp`` when left blank."""
    if not (text or "").strip():
        return default_bp
    rate = check.percent_bp(field, text)
    return default_bp if rate is None else rate


def _adjusted_line(
    check: Form, rows: Sequence[m.InvoiceLine], line_id: int | None
) -> m.InvoiceLine | None:
    """The time line an adjustment applies to (None for the whole invoice)."""
    if line_id is None:
        return None
    target = next((row for row in rows if row.id == line_id), None)
    if target is None:
        check.add("line_id", "is not a line of this invoice")
    elif target.kind != "time":
        check.add("line_id", "only time lines can be adjusted; leave it empty for the invoice")
        return None
    return target


def _position_after(rows: Sequence[m.InvoiceLine], target: m.InvoiceLine | None) -> int:
    """Where a new line goes: after ``target`` and its adjustments, else after every line.

    Later lines move down one place to make room.
    """
    if target is None:
        return max((row.position for row in rows), default=0) + 1
    marker = f"Applies to: {target.description}"
    index = rows.index(target)
    while (
        index + 1 < len(rows)
        and rows[index + 1].kind == "adjustment"
        and rows[index + 1].detail == marker
    ):
        index += 1
    position = rows[index].position + 1
    for row in rows[index + 1 :]:
        row.position += 1
    return position


def _time_vat_bp(rows: Sequence[m.InvoiceLine], org: m.Organisation) -> int:
    """The VAT rate of the draft's time lines (the markup line uses it too)."""
    return next((row.vat_bp for row in rows if row.kind == "time"), org.default_vat_bp)


def _draft_line(row: m.InvoiceLine, currency: str) -> DraftLine:
    """A stored line as the domain composes it."""
    return DraftLine(
        kind=row.kind,
        description=row.description,
        net=Money(row.net_cents, currency),
        vat_bp=row.vat_bp,
        detail=row.detail,
        minutes=row.minutes,
        unit_price=None if row.unit_price_cents is None else Money(row.unit_price_cents, currency),
        expense_date=row.expense_date,
        reason=row.reason,
        line_ref=row.id,
    )


def _new_markup_row(invoice: m.Invoice) -> m.InvoiceLine:
    """An empty markup line; :func:`_recompute` fills in its text and amounts."""
    return m.InvoiceLine(
        invoice_id=invoice.id,
        position=0,
        kind="markup",
        net_cents=0,
        vat_bp=0,
        vat_cents=0,
        gross_cents=0,
    )


def _recompute(session: Session, invoice: m.Invoice, org: m.Organisation) -> list[m.InvoiceLine]:
    """Re-price a draft: regenerate the markup line, store every line's and the invoice's
    net, VAT and gross, number the lines 1..n. Returns the lines in order."""
    rows = _line_rows(session, invoice.id)
    markups = [row for row in rows if row.kind == "markup"]
    kept = [row for row in rows if row.kind != "markup"]
    composed = compose_invoice(
        [_draft_line(row, invoice.currency) for row in kept],
        markup_bp=invoice.markup_bp,
        markup_on_whole=invoice.markup_on_whole,
        vat_mode=VatMode(invoice.vat_mode),
        currency=invoice.currency,
        markup_vat_bp=_time_vat_bp(kept, org),
        rounding=RoundingMode(invoice.rounding_mode),
    )
    final = list(kept)
    if len(composed.lines) > len(kept):
        extra = composed.lines[-1]
        markup = markups.pop(0) if markups else _new_markup_row(invoice)
        markup.description, markup.detail, markup.vat_bp = (
            extra.description,
            extra.detail,
            extra.vat_bp,
        )
        session.add(markup)
        final.append(markup)
    for stale in markups:
        session.delete(stale)
    for position, (row, totals) in enumerate(zip(final, composed.totals.lines, strict=True), 1):
        row.position = position
        row.net_cents, row.vat_cents, row.gross_cents = (
            totals.net.cents,
            totals.vat.cents,
            totals.gross.cents,
        )
    invoice.net_cents = composed.totals.net.cents
    invoice.vat_cents = composed.totals.vat.cents
    invoice.gross_cents = composed.totals.gross.cents
    session.flush()
    return final


# ==============================================================================================
# Issuing and credit notes
# ==============================================================================================


def _check_issue_date(when: date, today: date, org: m.Organisation) -> date:
    """Refuse an issue date in the future or inside the locked period."""
    if when > today:
        raise _invalid("issue_date", f"must not be after today ({today})")
    lock = org.period_lock_date
    if lock is not None and when <= lock:
        raise _invalid("issue_date", f"falls in the locked period (closed up to {lock})")
    return when


def _refuse_empty(invoice: m.Invoice, rows: Sequence[m.InvoiceLine]) -> None:
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
        raise _invalid(
            "payment_terms_id",
            "the chosen payment-terms template was deleted; choose another one in the Documenter",
        )
    return template.body


def _take_number(session: Session, code: str, when: date) -> tuple[int, str]:
    """The next number of series ``code``, taken in this transaction.

    One conditional UPDATE both refuses a date earlier than the series' last one and bumps the
    counter; the updated row stays locked until commit (PostgreSQL) or the whole write is
    serialised (SQLite BEGIN IMMEDIATE), so two issuers never get the same number and a rolled
    back issue leaves no gap.
    """
    table = m.InvoiceSeries
    result = session.execute(
        update(table)
        .where(
            table.code == code,
            (table.last_issue_date.is_(None)) | (table.last_issue_date <= when),  # type: ignore[union-attr,operator]
        )
        .values(last_number=table.last_number + 1, last_issue_date=when)
        .returning(table.last_number, table.prefix)
    ).one_or_none()
    if result is None:
        series = _series_row(session, code)
        last = f"{series.prefix}/{series.last_issue_date.year}/{series.last_number:05d}"  # type: ignore[union-attr]
        raise _invalid(
            "issue_date",
            f"numbers must be chronological: the last invoice of series {code} ({last}) is "
            f"dated {series.last_issue_date}; use that date or later",
        )
    seq, prefix = int(result[0]), str(result[1])
    return seq, f"{prefix}/{when.year}/{seq:05d}"


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


def _sale_date(session: Session, rows: Sequence[m.InvoiceLine]) -> date | None:
    """The last day of work billed (the date of sale), or None without time lines."""
    ids = [row.document_line_id for row in rows if row.document_line_id is not None]
    latest: date | None = None
    for chunk in chunks(ids, ID_CHUNK):  # SQLite allows 32,766 parameters a statement
        found = session.execute(
            select(func.max(m.DocumentLine.work_date)).where(m.DocumentLine.id.in_(chunk))  # type: ignore[union-attr]
        ).scalar_one()
        if found is not None and (latest is None or found > latest):
            latest = found
    return latest


def _check_creditable(original: m.Invoice) -> None:
    """A credit note cancels a whole issued invoice on which nothing is paid."""
    if original.kind == CREDIT_NOTE:
        raise IllegalTransition(
            "credit note", "a credit note", "credit", "a credit note cannot itself be credited"
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
    series = _series_row(session, SERIES_CREDIT_NOTE)
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
    for row in _line_rows(session, original.id):
        session.add(_negated_line(note, row))
    session.flush()  # lines go in while the note is still a draft (the trigger allows only that)
    seq, number = _take_number(session, SERIES_CREDIT_NOTE, when)
    _stamp_issue(note, org, seq, number, when, actor, uow)
    note.status = invoice_transition(InvoiceStatus.DRAFT, InvoiceAction.ISSUE).value
    session.flush()
    return note


def _negated_line(note: m.Invoice, row: m.InvoiceLine) -> m.InvoiceLine:
    """A credit-note line mirroring ``row`` to the cent."""
    return m.InvoiceLine(
        invoice_id=note.id,
        position=row.position,
        kind=row.kind,
        description=row.description,
        detail=row.detail,
        minutes=row.minutes,
        unit_price_cents=row.unit_price_cents,
        net_cents=-row.net_cents,
        vat_bp=row.vat_bp,
        vat_cents=-row.vat_cents,
        gross_cents=-row.gross_cents,
        expense_date=row.expense_date,
        reason=row.reason,
        document_line_id=row.document_line_id,
    )


# ==============================================================================================
# Payments, notices, booking
# ==============================================================================================


def _check_payable(invoice: m.Invoice) -> None:
    """Credit notes are never paid; drafts, cancelled and paid invoices refuse by state."""
    if invoice.kind == CREDIT_NOTE:
        raise IllegalTransition(
            "credit note",
            "a credit note",
            "record a payment on",
            "a credit note is settled against the invoice it cancels, not paid",
        )
    if invoice.status not in PAYABLE_STATUSES:
        invoice_transition(
            InvoiceStatus(invoice.status),
            InvoiceAction.RECORD_PAYMENT,
            paid_cents=invoice.paid_cents,
            total_cents=invoice.gross_cents,
        )


def _payment_fields(
    check: Form,
    form: PaymentForm | ContractorPaymentForm,
    currency: str,
    methods: tuple[str, ...] = PAYMENT_METHODS,
) -> dict[str, Any]:
    """The payment's column values from the form (None where a field is wrong); client and
    contractor payments differ only in the methods they allow."""
    amount = check.money("amount", form.amount, currency, min_cents=1, allow_zero=False)
    return {
        "amount_cents": amount.cents if amount is not None else None,
        "paid_on": check.date("paid_on", form.paid_on),
        "method": check.choice("method", form.method.strip().lower(), methods),
        "reference": check.text("reference", form.reference, required=False),
        "account_holder": check.text("account_holder", form.account_holder, required=False),
        "account_number": check.text(
            "account_number", form.account_number, required=False, max_length=64
        ),
    }


def _apply_payment(
    session: Session,
    uow: UnitOfWork,
    invoice: m.Invoice,
    fields: dict[str, Any],
    recorded_via: str = "office",
) -> m.Payment:
    """Insert the payment and move the (locked) invoice to partially paid or paid."""
    paid = invoice.paid_cents + fields["amount_cents"]
    status = invoice_transition(
        InvoiceStatus(invoice.status),
        InvoiceAction.RECORD_PAYMENT,
        paid_cents=paid,
        total_cents=invoice.gross_cents,
    )
    assert uow.actor is not None
    payment = m.Payment(
        invoice_id=invoice.id,
        recorded_by_id=uow.actor.user_id,
        recorded_via=recorded_via,
        recorded_at=uow.now,
        **fields,
    )
    session.add(payment)
    invoice.paid_cents = paid
    invoice.status = status.value
    if status is InvoiceStatus.PAID:
        invoice.paid_at = uow.now
    session.flush()
    return payment


def _check_payment_date(
    check: Form,
    paid_on: date | None,
    invoice: m.Invoice | m.MasterInvoice,
    today: date,
    org: m.Organisation,
    kind: str = "invoice",
) -> None:
    """A payment is dated between the invoice's issue date and today, outside locked periods
    (``kind`` names the invoice in the message: "invoice", "contractor invoice")."""
    if paid_on is None:
        return
    if invoice.issue_date is not None and paid_on < invoice.issue_date:
        check.add(
            "paid_on",
            f"must not be before {invoice.issue_date}, the issue date of {kind} {invoice.number}",
        )
    elif paid_on > today:
        check.add("paid_on", f"must not be after today ({today})")
    elif org.period_lock_date is not None and paid_on <= org.period_lock_date:
        check.add("paid_on", f"falls in the locked period (closed up to {org.period_lock_date})")


def _check_notice(invoice: m.Invoice, days: int, today: date) -> None:
    """An overdue notice needs an unpaid invoice at least ``days`` past its due date."""
    if invoice.kind == CREDIT_NOTE or invoice.status not in PAYABLE_STATUSES:
        what = "a credit note" if invoice.kind == CREDIT_NOTE else invoice.status.replace("_", " ")
        raise IllegalTransition(
            "client invoice",
            what,
            "add an overdue notice to",
            "only unpaid invoices get overdue notices",
        )
    late = (today - invoice.due_date).days if invoice.due_date is not None else 0
    if late < days:
        raise _invalid(
            "days",
            f"invoice {invoice.number} is {max(late, 0)} day(s) past its due date "
            f"({invoice.due_date}), not yet {days}",
        )


def _booked_status(invoice: m.Invoice) -> InvoiceStatus:
    """Paid invoices are booked; an issued credit note is booked as soon as it exists."""
    if invoice.kind == CREDIT_NOTE and invoice.status == InvoiceStatus.ISSUED:
        return InvoiceStatus.BOOKED
    return invoice_transition(InvoiceStatus(invoice.status), InvoiceAction.BOOK)


def lock_by_number(session: Session, number: str, *conditions: Any) -> m.Invoice:
    """An issued invoice by number, locked for this transaction like every payment needs.

    ``conditions`` narrow which invoices may be found (e.g. the actor's own company's); one
    that exists but does not match is NotFound too, so its existence is not revealed.
    """
    wanted = number.strip()
    return _lock(session, and_(m.Invoice.number == wanted, *conditions), f"Invoice {wanted}")


def record_payment_locked(
    uow: UnitOfWork, invoice: m.Invoice, form: PaymentForm, *, recorded_via: str = "office"
) -> m.Payment:
    """The rules and writes of :meth:`InvoiceService.record_payment` inside the caller's
    transaction, on an invoice the caller has locked (:func:`lock_by_number`).

    Validates the form, refuses credit notes, paid or cancelled invoices, overpayment and bad
    dates, inserts the payment, moves the invoice on and writes the same audit events.
    """
    session = uow.session
    org = _org(session)
    check = Form()
    fields = _payment_fields(check, form, invoice.currency)
    _check_payable(invoice)
    _check_payment_date(check, fields["paid_on"], invoice, _today(uow, org), org)
    due = invoice.gross_cents - invoice.paid_cents
    if fields["amount_cents"] is not None and fields["amount_cents"] > due:
        check.add(
            "amount",
            f"only {Money(due, invoice.currency)} is still due on invoice {invoice.number}",
        )
    check.raise_if_any()
    before = row_dict(invoice)
    payment = _apply_payment(session, uow, invoice, fields, recorded_via)
    uow.audit("payment.record", "payment", payment.id, None, payment_audit_image(payment))
    uow.audit("invoice.payment", "invoice", invoice.id, before, row_dict(invoice))
    return payment


def invoice_document(session: Session, invoice: m.Invoice) -> InvoiceDocument:
    """The printable document of an issued invoice (what :meth:`InvoiceService.render` prints)."""
    return _document(session, invoice)


def mask_account(number: str) -> str:
    """An account number with all but its last four characters hidden ("••••••1234").

    Numbers of four characters or fewer are hidden whole, so no short number leaks.
    """
    if not number:
        return ""
    return "•" * len(number) if len(number) <= 4 else "•" * (len(number) - 4) + number[-4:]


def payment_audit_image(row: m.Payment) -> dict[str, Any]:
    """A payment as the audit log keeps it: the account number masked, like every log."""
    image = row_dict(row)
    image["account_number"] = mask_account(row.account_number)
    return image


def _payment_view(row: m.Payment, recorded_by: str, currency: str, unmasked: bool) -> PaymentView:
    """A payment as shown to people."""
    return PaymentView(
        id=row.id or 0,
        invoice_id=row.invoice_id,
        master_invoice_id=row.master_invoice_id,
        method=row.method,
        paid_on=row.paid_on,
        amount=Money(row.amount_cents, currency),
        account_holder=row.account_holder,
        account_number=row.account_number if unmasked else mask_account(row.account_number),
        reference=row.reference,
        recorded_by_name=recorded_by,
        recorded_at=row.recorded_at,
    )


# ==============================================================================================
# Revenue and aging
# ==============================================================================================


def _project_shares(
    session: Session, invoice_ids: Sequence[int]
) -> dict[int, list[tuple[int, str, int]]]:
    """Per invoice, (project id, name, gross of its time lines) for invoices without a project."""
    shares: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    if not invoice_ids:
        return shares
    rows = session.execute(
        select(
            m.InvoiceLine.invoice_id,
            m.Project.id,
            m.Project.name,
            func.sum(m.InvoiceLine.gross_cents),
        )
        .join(m.DocumentLine, m.DocumentLine.id == m.InvoiceLine.document_line_id)
        .join(m.TimeEntry, m.TimeEntry.id == m.DocumentLine.time_entry_id)
        .join(m.Project, m.Project.id == m.TimeEntry.project_id)
        .where(m.InvoiceLine.invoice_id.in_(sorted(set(invoice_ids))))  # type: ignore[attr-defined]
        .group_by(m.InvoiceLine.invoice_id, m.Project.id, m.Project.name)
        .order_by(m.InvoiceLine.invoice_id, m.Project.id)
    ).all()
    for invoice_id, project_id, name, gross in rows:
        shares[invoice_id].append((project_id, name, max(int(gross), 0)))
    return shares


def _split_by_project(
    payments: Sequence[Any], shares: dict[int, list[tuple[int, str, int]]]
) -> list[tuple[Any, ...]]:
    """Payment rows, those of multi-project invoices split into one row per project."""
    rows: list[tuple[Any, ...]] = []
    for invoice_id, paid_on, cents, currency, client_id, client, project_id, project in payments:
        parts = shares.get(invoice_id, []) if project_id is None else []
        if not parts or sum(weight for _, _, weight in parts) == 0:
            rows.append((paid_on, cents, currency, client_id, client, project_id, project))
            continue
        pieces = Money(cents, currency).allocate([weight for _, _, weight in parts])
        for (pid, name, _), piece in zip(parts, pieces, strict=True):
            rows.append((paid_on, piece.cents, currency, client_id, client, pid, name))
    return rows


def _revenue_rows(rows: Sequence[Any]) -> tuple[RevenueRow, ...]:
    """Payments summed by (month, client, project), ordered by month, client, project."""
    sums: dict[tuple[str, int, str, int | None, str, str], int] = defaultdict(int)
    for paid_on, cents, currency, client_id, client, project_id, project in rows:
        key = (f"{paid_on:%Y-%m}", client_id, client, project_id, project or "", currency)
        sums[key] += cents
    ordered = sorted(sums.items(), key=lambda item: (item[0][0], item[0][2], item[0][4]))
    return tuple(
        RevenueRow(month, client_id, client, project_id, project, Money(cents, currency))
        for (month, client_id, client, project_id, project, currency), cents in ordered
    )


def _outstanding(session: Session, as_of: date) -> list[tuple[int, str, date | None, Money]]:
    """(client id, number, due date, amount owed) of every invoice open on ``as_of``."""
    paid = (
        select(m.Payment.invoice_id, func.sum(m.Payment.amount_cents).label("paid"))
        .where(m.Payment.invoice_id.is_not(None), m.Payment.paid_on <= as_of)  # type: ignore[union-attr]
        .group_by(m.Payment.invoice_id)
        .subquery()
    )
    credit = (
        select(m.Invoice.credited_invoice_id)
        .where(m.Invoice.kind == CREDIT_NOTE, m.Invoice.issue_date <= as_of)  # type: ignore[operator]
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            m.Invoice.client_id,
            m.Invoice.number,
            m.Invoice.due_date,
            m.Invoice.currency,
            m.Invoice.gross_cents,
            func.coalesce(paid.c.paid, 0),
        )
        .outerjoin(paid, paid.c.invoice_id == m.Invoice.id)
        .where(
            m.Invoice.status != InvoiceStatus.DRAFT.value,
            m.Invoice.kind != CREDIT_NOTE,
            m.Invoice.issue_date <= as_of,  # type: ignore[operator]
            m.Invoice.id.not_in(credit),  # type: ignore[union-attr]
        )
        .order_by(m.Invoice.issue_date, m.Invoice.id)
    ).all()
    return [
        (client_id, number, due, Money(gross - paid_cents, currency))
        for client_id, number, due, currency, gross, paid_cents in rows
        if gross - paid_cents > 0
    ]


def _bucket(due: date | None, as_of: date) -> str:
    """The aging bucket of an amount due on ``due``, seen on ``as_of``."""
    late = (as_of - due).days if due is not None else 0
    if late <= 0:
        return "current"
    if late <= 30:
        return "days_1_30"
    if late <= 60:
        return "days_31_60"
    if late <= 90:
        return "days_61_90"
    return "over_90"


def _aging_rows(
    items: Sequence[tuple[int, str, date | None, Money]], names: dict[int, str], as_of: date
) -> tuple[AgingRow, ...]:
    """One row per client with its amounts by bucket, ordered by client name."""
    by_client: dict[int, list[tuple[str, date | None, Money]]] = defaultdict(list)
    for client_id, number, due, amount in items:
        by_client[client_id].append((number, due, amount))
    rows = []
    for client_id, owed in by_client.items():
        currency = owed[0][2].currency
        buckets = {name: Money.zero(currency) for name in AGING_BUCKETS}
        for _number, due, amount in owed:
            buckets[_bucket(due, as_of)] += amount
        rows.append(
            AgingRow(
                client_id=client_id,
                client_name=names.get(client_id, f"client #{client_id}"),
                total=sum_money((amount for _n, _d, amount in owed), currency),
                invoices=tuple(number for number, _d, _a in owed),
                **buckets,
            )
        )
    return tuple(sorted(rows, key=lambda row: (row.client_name, row.client_id)))


def _aging_amounts(row: AgingRow) -> tuple[Money, ...]:
    """A client's amounts in column order (buckets, then the total)."""
    return (row.current, row.days_1_30, row.days_31_60, row.days_61_90, row.over_90, row.total)


def _total(amounts: Iterable[Money], currency: str | None) -> Money | None:
    """The sum of a column, or None for an empty report."""
    return None if currency is None else sum_money(amounts, currency)


def _period_text(date_from: date | None, date_to: date | None) -> str:
    """The report's period in words."""
    if date_from and date_to:
        return f"{date_from.isoformat()} to {date_to.isoformat()}"
    if date_from:
        return f"From {date_from.isoformat()}"
    if date_to:
        return f"Up to {date_to.isoformat()}"
    return "All payments"


# ==============================================================================================
# Read models and the printed document
# ==============================================================================================


def _image(session: Session, invoice: m.Invoice) -> dict[str, Any]:
    """The full image of an invoice for the audit log: its row and every line."""
    session.flush()
    return {
        "invoice": row_dict(invoice),
        "lines": [row_dict(row) for row in _line_rows(session, invoice.id)],
    }


def _amount_due(invoice: m.Invoice) -> int:
    """What the client still owes: nothing on cancelled invoices and credit notes."""
    if invoice.kind == CREDIT_NOTE or invoice.status == InvoiceStatus.CANCELLED:
        return 0
    return max(invoice.gross_cents - invoice.paid_cents, 0)


def _line_view(row: m.InvoiceLine, currency: str) -> InvoiceLineView:
    """One stored line as shown."""
    return InvoiceLineView(
        id=row.id or 0,
        position=row.position,
        kind=row.kind,
        description=row.description,
        detail=row.detail,
        minutes=row.minutes,
        unit_price=None if row.unit_price_cents is None else Money(row.unit_price_cents, currency),
        net=Money(row.net_cents, currency),
        vat_bp=row.vat_bp,
        vat=Money(row.vat_cents, currency),
        gross=Money(row.gross_cents, currency),
        expense_date=row.expense_date,
        reason=row.reason,
    )


def _breakdown(lines: Sequence[InvoiceLineView], currency: str) -> tuple[VatBreakdown, ...]:
    """Net, VAT and gross per rate, from the stored lines, sorted by rate."""
    out = []
    for rate in sorted({line.vat_bp for line in lines}):
        group = [line for line in lines if line.vat_bp == rate]
        out.append(
            VatBreakdown(
                rate,
                sum_money((line.net for line in group), currency),
                sum_money((line.vat for line in group), currency),
                sum_money((line.gross for line in group), currency),
            )
        )
    return tuple(out)


def _names(session: Session, invoice: m.Invoice) -> tuple[str, str]:
    """The invoice's client name and document record reference ("" when there is none)."""
    client = session.get(m.Company, invoice.client_id)
    record = session.get(m.DocumentRecord, invoice.document_id) if invoice.document_id else None
    return (client.name if client else "", record.reference if record else "")


def _view(
    session: Session,
    invoice: m.Invoice,
    *,
    lines: bool = True,
    names: tuple[str, str] | None = None,
    line_limit: int | None = None,
) -> InvoiceView:
    """The frozen read model of an invoice (a draft shows due days, not provisional dates).

    Args:
        session: The open session.
        invoice: The invoice row.
        lines: False leaves the lines and the VAT breakdown empty (a list needs only the
            totals, which the invoice row holds).
        names: The client name and document reference when the caller has read them already
            (a list joins them in its one query); looked up otherwise.
        line_limit: Read only the first that many lines; the VAT breakdown and
            ``line_count`` are then summed by the database over every line.
    """
    currency = invoice.currency
    client_name, document_reference = names if names is not None else _names(session, invoice)
    rows = _line_rows(session, invoice.id, line_limit) if lines else ()
    lines_shown = tuple(_line_view(row, currency) for row in rows)
    line_count: int | None = None
    if lines and line_limit is not None:
        line_count, breakdown = _stored_breakdown(session, invoice.id, currency)
    else:
        breakdown = _breakdown(lines_shown, currency)
    draft = invoice.status == InvoiceStatus.DRAFT
    days = (
        (invoice.due_date - invoice.issue_date).days
        if invoice.due_date and invoice.issue_date
        else None
    )
    return InvoiceView(
        id=invoice.id or 0,
        number=invoice.number,
        kind=invoice.kind,
        status=invoice.status,
        client_id=invoice.client_id,
        client_name=client_name,
        project_id=invoice.project_id,
        document_id=invoice.document_id,
        document_reference=document_reference,
        issue_date=None if draft else invoice.issue_date,
        due_date=None if draft else invoice.due_date,
        currency=currency,
        vat_mode=invoice.vat_mode,
        lines=lines_shown,
        vat_breakdown=breakdown,
        net=Money(invoice.net_cents, currency),
        vat=Money(invoice.vat_cents, currency),
        gross=Money(invoice.gross_cents, currency),
        paid=Money(invoice.paid_cents, currency),
        due=Money(_amount_due(invoice), currency),
        markup_bp=invoice.markup_bp,
        markup_on_whole=invoice.markup_on_whole,
        commentary=invoice.commentary,
        attached_text=invoice.attached_text,
        payment_terms_id=invoice.payment_terms_id,
        payment_terms_text=invoice.payment_terms_text,
        footer=invoice.footer,
        overdue_notice_days=invoice.overdue_notice_days,
        credited_invoice_id=invoice.credited_invoice_id,
        issued_at=invoice.issued_at,
        booked_at=invoice.booked_at,
        due_days=days,
        line_count=line_count,
    )


def _quantity(row: m.InvoiceLine) -> str:
    """The printed quantity: hours as h:mm for time, 1 for an expense, nothing otherwise."""
    if row.kind == "time" and row.minutes is not None:
        return f"{row.minutes // 60}:{row.minutes % 60:02d} h"
    if row.kind == "expense":
        return "1"
    return ""


def _printed_line(row: m.InvoiceLine, currency: str) -> DocumentLine:
    """One line as printed (an expense shows its date before its description)."""
    description = row.description
    if row.kind == "expense" and row.expense_date is not None:
        description = f"{row.expense_date.isoformat()} {description}"
    unit = row.unit_price_cents if row.kind in ("time", "expense") else None
    return DocumentLine(
        position=row.position,
        kind=row.kind,
        description=description,
        detail=row.detail,
        quantity=_quantity(row),
        unit_price=None if unit is None else Money(unit, currency),
        net=Money(row.net_cents, currency),
        vat_bp=row.vat_bp,
        vat=Money(row.vat_cents, currency),
        gross=Money(row.gross_cents, currency),
    )


def _seller(invoice: m.Invoice, org: m.Organisation) -> Party:
    """The seller as printed: the snapshot taken at issue, contact details as set now."""
    return Party(
        name=invoice.seller_name,
        address=invoice.seller_address,
        tax_id=invoice.seller_tax_id,
        email=org.email,
        phone=org.phone,
        bank_account=org.bank_account,
    )


def _document(session: Session, invoice: m.Invoice) -> InvoiceDocument:
    """The printable document of an issued invoice, from its frozen columns.

    The seller's e-mail, phone and bank account are not frozen on the invoice, so they come
    from the current settings; name, address and tax id are the snapshot taken at issue.
    """
    if invoice.status == InvoiceStatus.DRAFT or invoice.number is None:
        raise IllegalTransition("client invoice", "a draft", "print", "issue it first")
    org = _org(session)
    currency = invoice.currency
    rows = _line_rows(session, invoice.id)
    rates = _breakdown(tuple(_line_view(row, currency) for row in rows), currency)
    credited = (
        session.get(m.Invoice, invoice.credited_invoice_id) if invoice.credited_invoice_id else None
    )
    assert invoice.issue_date is not None
    return InvoiceDocument(
        number=invoice.number,
        kind=invoice.kind,
        title=TITLES.get(invoice.kind, "Invoice"),
        issue_date=invoice.issue_date,
        sale_date=invoice.sale_date,
        due_date=invoice.due_date,
        seller=_seller(invoice, org),
        buyer=Party(
            name=invoice.buyer_name, address=invoice.buyer_address, tax_id=invoice.buyer_tax_id
        ),
        currency=currency,
        lines=tuple(_printed_line(row, currency) for row in rows),
        vat_rows=tuple(VatRow(r.rate_bp, r.net, r.vat, r.gross) for r in rates),
        net=Money(invoice.net_cents, currency),
        vat=Money(invoice.vat_cents, currency),
        gross=Money(invoice.gross_cents, currency),
        paid=Money(invoice.paid_cents, currency),
        due=Money(_amount_due(invoice), currency),
        commentary=invoice.commentary,
        attached_text=invoice.attached_text,
        payment_terms=invoice.payment_terms_text,
        footer=invoice.footer,
        overdue_notice_days=invoice.overdue_notice_days,
        credited_number=credited.number if credited else None,
        logo_path=org.logo_path,
    )
