"""Account Revenue (stage 7): recognised revenue, receivables aging, overdue notices, booking."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money, sum_money
from ...domain.permissions import Perm
from ...domain.states import InvoiceAction, InvoiceStatus, invoice_transition
from ...errors import (
    IllegalTransition,
)
from ...exports.model import (
    Column,
    Table,
)
from ..base import Actor, ServiceBase, org_today, row_dict
from .views import (
    AgingRow,
    InvoiceView,
    RevenueRow,
)

if TYPE_CHECKING:
    pass
from .common import (
    AGING_BUCKETS,
    CREDIT_NOTE,
    OVERDUE_NOTICE_DAYS,
    PAYABLE_STATUSES,
    client_names,
    invalid_field,
    lock_invoice,
)
from .read_models import invoice_view


class RevenueActions(ServiceBase):
    """Account Revenue: recognised revenue, aging, overdue notices and booking."""

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
            shares = project_shares(session, spread)
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
            names = client_names(session, {item[0] for item in open_items})
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
            raise invalid_field("days", "must be 60 or 90 (or none to clear)")
        with self._write(actor, Perm.INVOICE_ISSUE) as uow:
            session = uow.session
            invoice = lock_invoice(session, m.Invoice.number == number, f"Invoice {number}")
            if days is not None:
                _check_notice(invoice, days, org_today(uow.session, uow.now))
            before = row_dict(invoice)
            invoice.overdue_notice_days = days
            session.flush()
            uow.audit("invoice.overdue_notice", "invoice", invoice.id, before, row_dict(invoice))
            return invoice_view(session, invoice)

    def mark_booked(self, actor: Actor, number: str) -> InvoiceView:
        """Book a paid invoice (or a credit note); it leaves the Invoice Printer."""
        with self._write(actor, Perm.INVOICE_ISSUE) as uow:
            session = uow.session
            invoice = lock_invoice(session, m.Invoice.number == number, f"Invoice {number}")
            before = row_dict(invoice)
            invoice.status = _booked_status(invoice).value
            invoice.booked_at = uow.now
            session.flush()
            uow.audit("invoice.book", "invoice", invoice.id, before, row_dict(invoice))
            return invoice_view(session, invoice)


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
        raise invalid_field(
            "days",
            f"invoice {invoice.number} is {max(late, 0)} day(s) past its due date "
            f"({invoice.due_date}), not yet {days}",
        )


def _booked_status(invoice: m.Invoice) -> InvoiceStatus:
    """Paid invoices are booked; an issued credit note is booked as soon as it exists."""
    if invoice.kind == CREDIT_NOTE and invoice.status == InvoiceStatus.ISSUED:
        return InvoiceStatus.BOOKED
    return invoice_transition(InvoiceStatus(invoice.status), InvoiceAction.BOOK)


def project_shares(
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
