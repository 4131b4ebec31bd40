"""Client invoices: the list with statuses and filters, sending, marking paid, cancelling.

The "Client invoices" list of every issued invoice and credit note, with the status people
expect (issued, sent, partially paid, paid, overdue, booked, cancelled). Administrators and
accountants mark an invoice sent (e-mailing the PDF when SMTP and the client's address are
set) or paid; a client user marks their own company's invoice paid in the portal; cancelling
an issued invoice issues a credit note. The list exports to CSV/XLSX with ``invoice.export``.

Who sees what is one rule, applied in SQL by every method: ``invoice.view_all`` sees every
invoice; ``invoice.view_own_projects`` the invoices of projects the user manages or estimates;
``invoice.view_own_client`` only the user's own company's. An invoice outside the rule is
"not found", so a client never learns that another client's invoice exists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from ...data import models as m
from ...domain.money import Money, percent_text, sum_money
from ...domain.permissions import Perm, Role
from ...domain.states import InvoiceAction, InvoiceStatus, invoice_transition
from ...errors import (
    ConfigError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    Problem,
    ValidationError,
    shown,
)
from ...exports.filenames import safe_filename
from ...exports.model import Column, RenderOptions, Table
from ..base import (
    Actor,
    ServiceBase,
    UnitOfWork,
    chunks,
    export_format,
    org_currency,
    org_today,
    row_dict,
    write_table,
)
from ..mail import MailError, MailService
from .common import CREDIT_NOTE, PAYABLE_STATUSES, TITLES
from .issuing import cancel_with_credit_note
from .payments import apply_payment, lock_by_number
from .read_models import invoice_document
from .views import (
    CLIENT_INVOICE_STATUSES,
    ClientInvoiceFilter,
    ClientInvoiceList,
    ClientInvoiceRow,
    MarkPaidForm,
    PaymentForm,
    SendResult,
)

INVOICE_KINDS = tuple(TITLES)
"""The types the list filters by: standard, credit_note and the settlement kinds."""
VIEW_PERMISSIONS = (
    Perm.INVOICE_VIEW_ALL,
    Perm.INVOICE_VIEW_OWN_PROJECTS,
    Perm.INVOICE_VIEW_OWN_CLIENT,
)
_IN_CHUNK = 1000  # ids per IN list, well below every backend's parameter limit


@dataclass(frozen=True)
class _Viewer:
    """The acting user as the visibility rule needs them, read live from the database."""

    role: Role
    company_id: int | None
    scope: ColumnElement[bool]


class ClientInvoiceService(ServiceBase):
    """The Client invoices list, its actions, and the client portal's view of it."""

    def list(self, actor: Actor, flt: ClientInvoiceFilter | None = None) -> ClientInvoiceList:
        """Issued invoices and credit notes the actor may see, newest first.

        All with ``invoice.view_all``; a project manager's own projects with
        ``invoice.view_own_projects``; a client user's own company with
        ``invoice.view_own_client`` — never another client's.
        """
        with self._read(actor) as session:
            return self._listing(session, actor, flt or ClientInvoiceFilter())[0]

    def row(self, actor: Actor, number: str) -> ClientInvoiceRow:
        """One invoice of the list, under the same visibility rule."""
        with self._read(actor) as session:
            viewer = _viewer(session, actor)
            return _one(
                session,
                viewer.scope,
                org_today(session, self.clock.now()),
                m.Invoice.number,
                number,
            )

    def mark_sent(
        self, actor: Actor, number: str, *, email: bool = True, address: str | None = None
    ) -> SendResult:
        """Mark an issued invoice sent; e-mail its PDF to the client when possible (to
        ``address`` when given, else the client's own address).

        The status changes in one transaction; the e-mail goes out after the commit, so a slow
        or broken mail server never undoes the change. ``mail_status`` says what happened.

        Raises:
            IllegalTransition: the invoice was sent already, is paid or cancelled, or is a
                credit note.
        """
        with self._write(actor, Perm.INVOICE_ISSUE) as uow:
            session = uow.session
            viewer = _viewer(session, actor)
            invoice = lock_by_number(session, number, viewer.scope)
            _check_sendable(invoice)
            before = row_dict(invoice)
            sent = invoice_transition(InvoiceStatus(invoice.status), InvoiceAction.SEND)
            invoice.status = sent.value
            invoice.sent_at = uow.now
            session.flush()
            uow.audit("invoice.send", "invoice", invoice.id, before, row_dict(invoice))
            row = _one(
                session,
                viewer.scope,
                org_today(session, self.clock.now()),
                m.Invoice.id,
                invoice.id,
            )
            client = session.get(m.Company, invoice.client_id)
            if address is None:
                address = client.email.strip() if client is not None else ""
        if not email:
            return SendResult(row, "not e-mailed")
        return SendResult(row, self._email_invoice(actor, row, address))

    def send_copy(self, actor: Actor, number: str, address: str) -> str:
        """E-mail the PDF of an invoice to ``address`` without changing it (a paid one
        included); what happened, in words."""
        with self._read(actor, Perm.INVOICE_ISSUE) as session:
            viewer = _viewer(session, actor)
            row = _one(
                session,
                viewer.scope,
                org_today(session, self.clock.now()),
                m.Invoice.number,
                number,
            )
        return self._email_invoice(actor, row, address)

    def mark_paid(self, actor: Actor, number: str, form: MarkPaidForm) -> ClientInvoiceRow:
        """Record a payment of everything still due (``invoice.record_payment``).

        A blank payment date means today. The invoice row is locked first, so two people
        marking it paid at once never pay it twice: the second is refused, it is paid.

        Raises:
            IllegalTransition: the invoice is paid, cancelled or a credit note.
            ValidationError: a bad date or method.
        """
        with self._write(actor, Perm.INVOICE_RECORD_PAYMENT) as uow:
            viewer = _viewer(uow.session, actor)
            invoice = lock_by_number(uow.session, number, viewer.scope)
            return self._pay_in_full(uow, invoice, form, viewer.scope, via="office")

    def portal_mark_paid(self, actor: Actor, number: str, form: MarkPaidForm) -> ClientInvoiceRow:
        """A client user marks their own company's invoice paid (recorded via the portal).

        The payment is of everything still due, recorded by the client user with
        ``recorded_via='portal'``; the method is the form's ("other" when blank). Another
        company's invoice is "not found".
        """
        with self._write(actor, Perm.INVOICE_VIEW_OWN_CLIENT) as uow:
            session = uow.session
            viewer = _viewer(session, actor)
            if viewer.role is not Role.CLIENT:
                raise PermissionDenied(
                    "Only client users mark invoices paid in the client portal; record the "
                    "payment under Client invoices instead."
                )
            own = _own_company(viewer.company_id)
            invoice = lock_by_number(session, number, own)
            portal = MarkPaidForm(
                paid_on=form.paid_on,
                method=form.method.strip() or "other",
                reference=form.reference,
                account_holder=form.account_holder,
                account_number=form.account_number,
            )
            return self._pay_in_full(uow, invoice, portal, own, via="portal")

    def cancel(self, actor: Actor, number: str, reason: str) -> ClientInvoiceRow:
        """Cancel an issued invoice by issuing a credit note for it; returns the credit note.

        The credit note is :func:`.issuing.cancel_with_credit_note`'s (one transaction, series
        CN, only invoices on which nothing is paid); the original then shows "cancelled".
        """
        with self._write(actor, Perm.INVOICE_ISSUE) as uow:
            session = uow.session
            viewer = _viewer(session, actor)
            original = lock_by_number(session, number, viewer.scope)
            note = cancel_with_credit_note(uow, original, reason)
            return _one(
                session, viewer.scope, org_today(session, self.clock.now()), m.Invoice.id, note.id
            )

    def table(self, actor: Actor, flt: ClientInvoiceFilter | None = None) -> Table:
        """The list as a table for CSV/XLSX; refused without ``invoice.export``."""
        chosen = flt or ClientInvoiceFilter()
        with self._read(actor, Perm.INVOICE_EXPORT) as session:
            listing, today = self._listing(session, actor, chosen)
            rates = _vat_by_rate(session, [row.id for row in listing.rows])
        return _table(listing, chosen, today, rates)

    def export(
        self, actor: Actor, fmt: str, out: Path, flt: ClientInvoiceFilter | None = None
    ) -> Path:
        """Write the list as CSV or XLSX to ``out``; refused without ``invoice.export``."""
        kind = export_format(fmt)
        table = self.table(actor, flt)
        return write_table(table, kind, out)

    # --- helpers needing the service -----------------------------------------------------------

    def _listing(
        self, session: Session, actor: Actor, flt: ClientInvoiceFilter
    ) -> tuple[ClientInvoiceList, date]:
        """The filtered rows the actor may see, with totals, and today's date."""
        viewer = _viewer(session, actor)
        today = org_today(session, self.clock.now())
        query = _filtered(_base_query(viewer.scope), flt, today)
        found = session.execute(query).all()
        projects = _projects_of(session, [r.document_id for r in found if r.project_name is None])
        rows = tuple(_row(r, today, projects) for r in found)
        currencies = {row.gross.currency for row in rows}
        if len(currencies) > 1:
            return ClientInvoiceList(rows, None, None, None), today
        currency = currencies.pop() if currencies else org_currency(session)
        return (
            ClientInvoiceList(
                rows,
                sum_money((r.gross for r in rows), currency),
                sum_money((r.paid for r in rows), currency),
                sum_money((r.due for r in rows), currency),
            ),
            today,
        )

    def _pay_in_full(
        self,
        uow: UnitOfWork,
        invoice: m.Invoice,
        form: MarkPaidForm,
        scope: ColumnElement[bool],
        *,
        via: str,
    ) -> ClientInvoiceRow:
        """Record, on a locked invoice, a payment of everything still due; its row after."""
        session = uow.session
        today = org_today(session, self.clock.now())
        due = Money(max(invoice.gross_cents - invoice.paid_cents, 0), invoice.currency)
        payment = PaymentForm(
            amount=str(due.amount),
            paid_on=form.paid_on.strip() or today.isoformat(),
            method=form.method,
            reference=form.reference,
            account_holder=form.account_holder,
            account_number=form.account_number,
        )
        apply_payment(uow, invoice, payment, recorded_via=via)
        return _one(session, scope, today, m.Invoice.id, invoice.id)

    def _email_invoice(self, actor: Actor, row: ClientInvoiceRow, address: str) -> str:
        """E-mail the invoice PDF to the client; what happened, in words. The printed
        document is read only once the mail can go out."""
        from ...exports.pdf import render_invoice_pdf

        mail = MailService(self.db, self.clock)
        settings = mail.smtp_settings(actor)
        if settings is None:
            return "no SMTP configured"
        if not address:
            return f"no e-mail address for {row.client_name}"
        with self._read(actor) as session:
            invoice = self._get(session, m.Invoice, row.id, "Invoice")
            document = invoice_document(session, invoice)
        pdf = render_invoice_pdf(document, RenderOptions())
        due_on = f", due {row.due_date.isoformat()}" if row.due_date else ""
        try:
            receipt = mail.send_to(
                actor,
                recipient=address,
                subject=f"Invoice {row.number} from {document.seller.name}",
                body=(
                    f"Dear {row.client_name},\n\nplease find attached invoice {row.number} "
                    f"for {row.gross.format()} {row.gross.currency}{due_on}."
                ),
                attachment_name=f"{safe_filename(row.number)}.pdf",
                attachment=pdf,
                mime_type="application/pdf",
                settings=settings,
            )
        except (MailError, ConfigError) as exc:
            return f"not sent: {exc.message}"
        return f"sent to {receipt.recipient}"


# ==============================================================================================
# Visibility
# ==============================================================================================


def _viewer(session: Session, actor: Actor) -> _Viewer:
    """The live role, company and invoice-viewing grants of ``actor`` (one query).

    Raises:
        PermissionDenied: the role holds none of the invoice-viewing permissions.
    """
    found = session.execute(
        select(m.UserAccount.role, m.UserAccount.company_id, m.RolePermission.permission)
        .select_from(m.UserAccount)
        .outerjoin(
            m.RolePermission,
            and_(
                m.RolePermission.role == m.UserAccount.role,
                m.RolePermission.permission.in_([p.value for p in VIEW_PERMISSIONS]),  # type: ignore[attr-defined]
            ),
        )
        .where(m.UserAccount.id == actor.user_id)
    ).all()
    if not found:
        raise NotFound("Your user account does not exist.")
    role, company_id = Role(found[0][0]), found[0][1]
    granted = {perm for _role, _company, perm in found if perm}
    return _Viewer(role, company_id, _scope(actor, role, company_id, granted))


def _own_company(company_id: int | None) -> ColumnElement[bool]:
    """Invoices of one company; none at all for a client user without a company."""
    if company_id is None:
        return false()
    return m.Invoice.client_id == company_id  # type: ignore[return-value]


def _scope(
    actor: Actor, role: Role, company_id: int | None, granted: set[str]
) -> ColumnElement[bool]:
    """The SQL condition on ``invoice`` rows the actor may see.

    A project manager's (or estimator's) projects count both for invoices of one project and
    for a client's invoice spanning several projects that bills time of theirs.
    """
    if Perm.INVOICE_VIEW_ALL.value in granted:
        return true()
    parts: list[ColumnElement[bool]] = []
    if Perm.INVOICE_VIEW_OWN_PROJECTS.value in granted:
        own_projects = select(m.Project.id).where(
            or_(
                m.Project.project_manager_id == actor.user_id,
                m.Project.estimator_id == actor.user_id,
            )
        )
        billed_there = (
            select(m.DocumentLine.id)
            .join(m.TimeEntry, m.TimeEntry.id == m.DocumentLine.time_entry_id)
            .where(
                m.DocumentLine.document_id == m.Invoice.document_id,
                m.TimeEntry.project_id.in_(own_projects),  # type: ignore[attr-defined]
            )
            .exists()
        )
        parts.append(
            or_(
                m.Invoice.project_id.in_(own_projects),  # type: ignore[union-attr]
                and_(m.Invoice.project_id.is_(None), billed_there),  # type: ignore[union-attr]
            )
        )
    if Perm.INVOICE_VIEW_OWN_CLIENT.value in granted:
        parts.append(_own_company(company_id))
    if not parts:
        raise PermissionDenied(
            f"Your role ({role.label}) may not see invoices. "
            "An administrator can change this under Permissions."
        )
    return or_(*parts)


# ==============================================================================================
# The list query
# ==============================================================================================


def _base_query(scope: ColumnElement[bool]) -> Select[Any]:
    """Every issued invoice and credit note within ``scope``, newest first, one row each."""
    note = aliased(m.Invoice)
    columns: list[Any] = [
        m.Invoice.id,
        m.Invoice.number,
        m.Invoice.kind,
        m.Invoice.client_id,
        m.Company.name.label("client_name"),  # type: ignore[attr-defined]
        m.Project.name.label("project_name"),  # type: ignore[attr-defined]
        m.Invoice.issue_date,
        m.Invoice.due_date,
        m.Invoice.status,
        m.Invoice.currency,
        m.Invoice.net_cents,
        m.Invoice.vat_cents,
        m.Invoice.gross_cents,
        m.Invoice.paid_cents,
        m.Invoice.sent_at,
        m.Invoice.paid_at,
        m.Invoice.document_id,
        m.Invoice.external_number,
        m.ProjectChange.number.label("change_number"),  # type: ignore[attr-defined]
        func.coalesce(note.number, note.external_number).label("credited_by"),
    ]
    return (
        select(*columns)
        .join(m.Company, m.Company.id == m.Invoice.client_id)
        .outerjoin(m.Project, m.Project.id == m.Invoice.project_id)
        .outerjoin(m.ProjectChange, m.ProjectChange.id == m.Invoice.project_change_id)
        .outerjoin(note, and_(note.credited_invoice_id == m.Invoice.id, note.kind == CREDIT_NOTE))
        .where(m.Invoice.status != InvoiceStatus.DRAFT.value, scope)
        .order_by(m.Invoice.issue_date.desc(), m.Invoice.id.desc())  # type: ignore[union-attr]
    )


def _overdue(today: date) -> ColumnElement[bool]:
    """Unpaid, not a credit note, and past its due date on ``today``."""
    return and_(
        m.Invoice.kind != CREDIT_NOTE,
        m.Invoice.status.in_(PAYABLE_STATUSES),  # type: ignore[attr-defined]
        m.Invoice.due_date < today,  # type: ignore[operator]
    )


def _status_condition(status: str, today: date) -> ColumnElement[bool]:
    """The rows showing ``status`` (with "overdue" derived)."""
    if status == "overdue":
        return _overdue(today)
    if status in PAYABLE_STATUSES:
        return and_(
            m.Invoice.status == status,
            or_(
                m.Invoice.kind == CREDIT_NOTE,
                m.Invoice.due_date.is_(None),  # type: ignore[union-attr]
                m.Invoice.due_date >= today,  # type: ignore[operator]
            ),
        )
    return m.Invoice.status == status  # type: ignore[return-value]


def _filtered(query: Select[Any], flt: ClientInvoiceFilter, today: date) -> Select[Any]:
    """``query`` narrowed by the filter; a status that does not exist is refused."""
    status = flt.status.strip().lower()
    if status:
        if status not in CLIENT_INVOICE_STATUSES:
            raise ValidationError(
                [Problem("status", f"must be one of: {', '.join(CLIENT_INVOICE_STATUSES)}")]
            )
        query = query.where(_status_condition(status, today))
    if not flt.include_credit_notes:
        query = query.where(m.Invoice.kind != CREDIT_NOTE)
    if flt.client_id is not None:
        query = query.where(m.Invoice.client_id == flt.client_id)
    if flt.project_id is not None:
        query = query.where(m.Invoice.project_id == flt.project_id)
    kind = flt.kind.strip().lower()
    if kind:
        if kind not in INVOICE_KINDS:
            raise ValidationError([Problem("kind", f"must be one of: {', '.join(INVOICE_KINDS)}")])
        query = query.where(m.Invoice.kind == kind)
    if flt.date_from is not None:
        query = query.where(m.Invoice.issue_date >= flt.date_from)  # type: ignore[operator]
    if flt.date_to is not None:
        query = query.where(m.Invoice.issue_date <= flt.date_to)  # type: ignore[operator]
    term = flt.search.strip().lower()
    if term:
        query = query.where(
            or_(
                func.lower(m.Invoice.number).contains(term, autoescape=True),
                func.lower(m.Invoice.external_number).contains(term, autoescape=True),
                func.lower(m.Company.name).contains(term, autoescape=True),
                func.lower(m.Project.name).contains(term, autoescape=True),
            )
        )
    return query


def _one(
    session: Session, scope: ColumnElement[bool], today: date, column: Any, value: object
) -> ClientInvoiceRow:
    """The row whose ``column`` equals ``value`` within ``scope``, or NotFound."""
    key = value.strip() if isinstance(value, str) else value
    found = session.execute(_base_query(scope).where(column == key)).first()
    if found is None:
        raise NotFound(f"Invoice {shown(key)} does not exist.")
    projects = _projects_of(session, [found.document_id] if found.project_name is None else [])
    return _row(found, today, projects)


def _projects_of(session: Session, document_ids: Sequence[int | None]) -> dict[int, str]:
    """The projects billed on each document record, as "Hall, Roof" (one query per 1000).

    For invoices of a client's whole period, which carry no project of their own.
    """
    wanted = sorted({ident for ident in document_ids if ident is not None})
    if not wanted:
        return {}
    names: dict[int, set[str]] = defaultdict(set)
    for chunk in chunks(wanted, _IN_CHUNK):
        rows = session.execute(
            select(m.DocumentLine.document_id, m.DocumentLine.project_name)
            .where(m.DocumentLine.document_id.in_(chunk))  # type: ignore[attr-defined]
            .distinct()
        ).all()
        for document_id, name in rows:
            names[document_id].add(str(name))
    return {ident: ", ".join(sorted(found)) for ident, found in names.items()}


def _row(r: Any, today: date, projects: dict[int, str]) -> ClientInvoiceRow:
    """One result row as shown: due amount, derived status and days overdue."""
    currency = r.currency
    credit = r.kind == CREDIT_NOTE
    overdue = (
        not credit
        and r.status in PAYABLE_STATUSES
        and r.due_date is not None
        and r.due_date < today
    )
    due = (
        0 if credit or r.status == InvoiceStatus.CANCELLED else max(r.gross_cents - r.paid_cents, 0)
    )
    return ClientInvoiceRow(
        id=r.id,
        number=r.number or r.external_number or "",
        kind=r.kind,
        client_id=r.client_id,
        client_name=r.client_name,
        project_name=r.project_name or projects.get(r.document_id, ""),
        issue_date=r.issue_date,
        due_date=r.due_date,
        status=r.status,
        display_status="overdue" if overdue else r.status,
        net=Money(r.net_cents, currency),
        vat=Money(r.vat_cents, currency),
        gross=Money(r.gross_cents, currency),
        paid=Money(r.paid_cents, currency),
        due=Money(due, currency),
        days_overdue=(today - r.due_date).days if overdue else 0,
        sent_at=r.sent_at,
        paid_at=r.paid_at,
        credited_by=r.credited_by or "",
        change_number=r.change_number,
        external=r.external_number is not None,
    )


# ==============================================================================================
# Sending
# ==============================================================================================


def _check_sendable(invoice: m.Invoice) -> None:
    """Only an issued invoice (not yet sent, nothing paid) is marked sent."""
    if invoice.kind == CREDIT_NOTE:
        raise IllegalTransition(
            "credit note",
            "a credit note",
            "mark sent",
            "a credit note is settled against the invoice it cancels; print it from the "
            "Invoice Printer to give it to the client",
        )
    if invoice.external_number is not None:
        raise IllegalTransition(
            "recorded invoice",
            "issued in another program",
            "mark sent",
            "the program that issued it sent it; record its payments here",
        )
    current = InvoiceStatus(invoice.status)
    if current is InvoiceStatus.ISSUED:
        return
    reasons = {
        InvoiceStatus.SENT: "it was already sent"
        + (f" on {invoice.sent_at:%Y-%m-%d}" if invoice.sent_at else ""),
        InvoiceStatus.PARTIALLY_PAID: "a payment is already recorded on it, so the client has it",
        InvoiceStatus.PAID: "the invoice is already paid",
        InvoiceStatus.BOOKED: "the invoice is already paid and booked",
        InvoiceStatus.CANCELLED: "cancelled invoices cannot change",
    }
    if current in reasons:
        raise IllegalTransition(
            "client invoice", current.value.replace("_", " "), "mark sent", reasons[current]
        )
    invoice_transition(current, InvoiceAction.SEND)


# ==============================================================================================
# Export
# ==============================================================================================

_COLUMNS = (
    Column("Number"),
    Column("Kind"),
    Column("Client"),
    Column("Project"),
    Column("Issue date", "date"),
    Column("Due date", "date"),
    Column("Status"),
    Column("Net", "money"),
    Column("VAT", "money"),
    Column("Gross", "money"),
    Column("Paid", "money"),
    Column("Due", "money"),
    Column("Days overdue", "int"),
    Column("Change", "int"),
)

_ByRate = dict[int, dict[int, tuple[int, int]]]


def _vat_by_rate(session: Session, invoice_ids: Sequence[int]) -> _ByRate:
    """Per invoice, its (net, VAT) cents at each VAT rate, summed from its lines."""
    found: _ByRate = defaultdict(dict)
    for chunk in chunks(sorted(invoice_ids), _IN_CHUNK):
        rows = session.execute(
            select(
                m.InvoiceLine.invoice_id,
                m.InvoiceLine.vat_bp,
                func.sum(m.InvoiceLine.net_cents),
                func.sum(m.InvoiceLine.vat_cents),
            )
            .where(m.InvoiceLine.invoice_id.in_(chunk))  # type: ignore[attr-defined]
            .group_by(m.InvoiceLine.invoice_id, m.InvoiceLine.vat_bp)
        ).all()
        for invoice_id, rate, net, vat in rows:
            found[int(invoice_id)][int(rate)] = (int(net), int(vat))
    return found


def _table(
    listing: ClientInvoiceList, flt: ClientInvoiceFilter, today: date, rates: _ByRate
) -> Table:
    """The list as a table: money as numbers, a totals row when one currency.

    Net, VAT and gross of each invoice stand side by side; when the listed invoices use more
    than one VAT rate, the net and VAT at each rate follow, so a bookkeeper can reconcile each
    rate with the VAT return.
    """
    used = sorted({rate for by_rate in rates.values() for rate in by_rate})
    split = used if len(used) > 1 else []
    rate_columns = tuple(
        column
        for rate in split
        for column in (
            Column(f"Net at {percent_text(rate)}%", "money"),
            Column(f"VAT at {percent_text(rate)}%", "money"),
        )
    )
    rows = tuple(
        (*_table_row(row), *_rate_cells(row, rates.get(row.id, {}), split)) for row in listing.rows
    )
    totals: tuple[Any, ...] | None = None
    if listing.total_gross is not None:
        currency = listing.total_gross.currency
        sums = [
            sum_money((cell for cell in (r[i] for r in rows) if cell is not None), currency)
            for i in range(len(_COLUMNS), len(_COLUMNS) + len(rate_columns))
        ]
        totals = (
            "Total",
            f"{len(listing.rows)} documents",
            "",
            "",
            None,
            None,
            "",
            sum_money((r.net for r in listing.rows), currency),
            sum_money((r.vat for r in listing.rows), currency),
            listing.total_gross,
            listing.total_paid,
            listing.total_due,
            None,
            None,
            *sums,
        )
    return Table(
        title="Client invoices",
        subtitle=_filter_text(flt, today),
        columns=(*_COLUMNS, *rate_columns),
        rows=rows,
        totals=totals,
    )


def _rate_cells(
    row: ClientInvoiceRow, by_rate: dict[int, tuple[int, int]], rates: Sequence[int]
) -> tuple[Money | None, ...]:
    """An invoice's net and VAT at each rate (blank where it has no line at that rate)."""
    cells: list[Money | None] = []
    for rate in rates:
        if rate in by_rate:
            net, vat = by_rate[rate]
            cells.extend((Money(net, row.net.currency), Money(vat, row.net.currency)))
        else:
            cells.extend((None, None))
    return tuple(cells)


def _table_row(row: ClientInvoiceRow) -> tuple[Any, ...]:
    """One invoice's cells in column order."""
    return (
        row.number,
        TITLES.get(row.kind, row.kind) + (" (external)" if row.external else ""),
        row.client_name,
        row.project_name,
        row.issue_date,
        row.due_date,
        row.display_status.replace("_", " "),
        row.net,
        row.vat,
        row.gross,
        row.paid,
        row.due,
        row.days_overdue,
        row.change_number,
    )


def _filter_text(flt: ClientInvoiceFilter, today: date) -> str:
    """The filter in words, for the export's subtitle."""
    parts = [f"As of {today.isoformat()}"]
    if flt.status:
        parts.append(f"status {flt.status.replace('_', ' ')}")
    if flt.client_id is not None:
        parts.append(f"client #{flt.client_id}")
    if flt.project_id is not None:
        parts.append(f"project #{flt.project_id}")
    if flt.kind:
        parts.append(f"type {flt.kind}")
    if flt.date_from or flt.date_to:
        start = flt.date_from.isoformat() if flt.date_from else "…"
        end = flt.date_to.isoformat() if flt.date_to else "…"
        parts.append(f"issued {start} to {end}")
    if flt.search.strip():
        parts.append(f'matching "{flt.search.strip()}"')
    if not flt.include_credit_notes:
        parts.append("without credit notes")
    return " · ".join(parts)
