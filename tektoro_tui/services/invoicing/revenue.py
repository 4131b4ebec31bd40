"""Account Revenue (stage 7): recognised revenue, receivables aging, overdue notices, booking."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
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
from . import recognition
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
from .recognition import RecognisedPayment, Rows
from .views import (
    AgingRow,
    InvoiceView,
    RevenueRow,
)


class RevenueActions(ServiceBase):
    """Account Revenue: recognised revenue, aging, overdue notices and booking."""

    def revenue(
        self, actor: Actor, *, date_from: date | None = None, date_to: date | None = None
    ) -> tuple[RevenueRow, ...]:
        """Recognised revenue (payments received) by month, client and project: see
        :func:`~tektoro_tui.services.invoicing.recognition.revenue`."""
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            return recognition.revenue(_reader(session), self.db.backend, date_from, date_to)

    def revenue_table(
        self, actor: Actor, *, date_from: date | None = None, date_to: date | None = None
    ) -> Table:
        """The revenue report as a table with a totals row, for CSV/XLSX and mail."""
        rows = self.revenue(actor, date_from=date_from, date_to=date_to)
        currency = rows[0].amount.currency if rows else None
        return Table(
            title="Recognised revenue",
            subtitle=_period_text(date_from, date_to),
            columns=(
                Column("Month"),
                Column("Client"),
                Column("Project"),
                Column("Revenue (net)", "money"),
                Column("VAT", "money"),
                Column("Received (gross)", "money"),
            ),
            rows=tuple(
                (r.month, r.client_name, r.project_name, r.amount, r.vat, r.received) for r in rows
            ),
            totals=(
                "Total",
                "",
                "",
                _total((row.amount for row in rows), currency),
                _total((row.vat for row in rows), currency),
                _total((row.received for row in rows), currency),
            ),
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

    def set_overdue_notice(
        self, actor: Actor, number: str, days: int | None, *, line_limit: int | None = None
    ) -> InvoiceView:
        """Print a 60- or 90-day overdue notice on an unpaid invoice (None clears it).

        ``line_limit``: the lines the invoice is returned with, as :func:`invoice_view` takes
        it (all when None).

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
            return invoice_view(session, invoice, line_limit=line_limit)

    def mark_booked(
        self, actor: Actor, number: str, *, line_limit: int | None = None
    ) -> InvoiceView:
        """Book a paid invoice (or a credit note); it leaves the Invoice Printer.

        ``line_limit``: the lines the invoice is returned with, as :func:`invoice_view` takes
        it (all when None).
        """
        with self._write(actor, Perm.INVOICE_ISSUE) as uow:
            session = uow.session
            invoice = lock_invoice(session, m.Invoice.number == number, f"Invoice {number}")
            before = row_dict(invoice)
            invoice.status = _booked_status(invoice).value
            invoice.booked_at = uow.now
            session.flush()
            uow.audit("invoice.book", "invoice", invoice.id, before, row_dict(invoice))
            return invoice_view(session, invoice, line_limit=line_limit)


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
    return recognition.project_shares(_reader(session), invoice_ids)


def recognised_payments(
    session: Session, date_from: date | None = None, date_to: date | None = None
) -> list[RecognisedPayment]:
    """The client payments received in the period, each with the net it recognises
    (:func:`~tektoro_tui.services.invoicing.recognition.recognise`)."""
    backend = session.get_bind().dialect.name
    return recognition.recognised_payments(_reader(session), backend, date_from, date_to)


def _reader(session: Session) -> Rows:
    """The plain SQL of :mod:`.recognition`, run in ``session``'s transaction."""

    def read(sql: str, params: dict[str, Any]) -> Sequence[Any]:
        return session.execute(text(sql), params).all()

    return read


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
