"""Account Revenue (stage 7): recognised revenue, receivables aging, overdue notices, booking."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.invoice import recognised_net
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
        """Recognised revenue (payments received) by month, client and project.

        Revenue is net of VAT: each payment recognises its share of its invoice's net
        (:func:`recognised_payments`), and the VAT it carried is shown beside it. A payment on an
        invoice of one project counts for that project. An invoice of a client's whole month
        spans several projects: its payments are shared between them in proportion to the
        invoice's time lines (via :meth:`Money.allocate`, so the parts add up to the payment to
        the cent).
        """
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            payments = recognised_payments(session, date_from, date_to)
            spread = [p.invoice_id for p in payments if p.project_id is None]
            shares = project_shares(session, spread)
            return _revenue_rows(_split_by_project(payments, shares))

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


@dataclass(frozen=True)
class RecognisedPayment:
    """One client payment with the net revenue it recognises (its gross less the VAT in it)."""

    payment_id: int
    invoice_id: int
    paid_on: date
    gross_cents: int
    net_cents: int
    currency: str
    client_id: int
    client_name: str
    project_id: int | None
    project_name: str | None


def recognised_payments(
    session: Session, date_from: date | None = None, date_to: date | None = None
) -> list[RecognisedPayment]:
    """The client payments received in the period, each with the net it recognises.

    The net is allocated cumulatively over all payments of an invoice in the order they were
    received (:func:`~tektoro_tui.domain.invoice.recognised_net`), so a payment recognises the
    same net whichever period it is reported in, and an invoice's payments add up to its net.
    """
    P = m.Payment
    in_period = select(P.invoice_id).where(P.invoice_id.is_not(None))  # type: ignore[union-attr]
    if date_from is not None:
        in_period = in_period.where(P.paid_on >= date_from)
    if date_to is not None:
        in_period = in_period.where(P.paid_on <= date_to)
    rows = session.execute(
        select(
            P.id,
            P.invoice_id,
            P.paid_on,
            P.amount_cents,
            m.Invoice.net_cents,
            m.Invoice.gross_cents,
            m.Invoice.currency,
            m.Invoice.client_id,
            m.Company.name,
            m.Invoice.project_id,
            m.Project.name,
        )
        .join(m.Invoice, m.Invoice.id == P.invoice_id)  # type: ignore[arg-type]
        .join(m.Company, m.Company.id == m.Invoice.client_id)  # type: ignore[arg-type]
        .outerjoin(m.Project, m.Project.id == m.Invoice.project_id)  # type: ignore[arg-type]
        .where(P.invoice_id.in_(in_period.distinct()))  # type: ignore[union-attr]
        .order_by(P.invoice_id, P.paid_on, P.id)
    ).all()
    by_invoice: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_invoice[row[1]].append(row)
    found = []
    for payments in by_invoice.values():
        _pid, _iid, _on, _cents, net, gross, *_rest = payments[0]
        shares = recognised_net(int(net), int(gross), [int(row[3]) for row in payments])
        for row, share in zip(payments, shares, strict=True):
            paid_on = row[2]
            if (date_from is None or paid_on >= date_from) and (
                date_to is None or paid_on <= date_to
            ):
                found.append(_recognised(row, share))
    return sorted(found, key=lambda p: (p.paid_on, p.payment_id))


def _recognised(row: Any, net_cents: int) -> RecognisedPayment:
    """A payment row of :func:`recognised_payments`' query with the net it recognises."""
    pid, iid, paid_on, cents, _net, _gross, currency, client_id, client, project_id, project = row
    return RecognisedPayment(
        payment_id=pid,
        invoice_id=iid,
        paid_on=paid_on,
        gross_cents=int(cents),
        net_cents=net_cents,
        currency=currency,
        client_id=client_id,
        client_name=client,
        project_id=project_id,
        project_name=project,
    )


def _split_by_project(
    payments: Sequence[RecognisedPayment], shares: dict[int, list[tuple[int, str, int]]]
) -> list[tuple[Any, ...]]:
    """(paid on, net, gross, currency, client id, client, project id, project) of each payment;
    those of multi-project invoices split into one row per project."""
    rows: list[tuple[Any, ...]] = []
    for p in payments:
        parts = shares.get(p.invoice_id, []) if p.project_id is None else []
        weights = [weight for _, _, weight in parts]
        if not parts or sum(weights) == 0:
            rows.append(
                (p.paid_on, p.net_cents, p.gross_cents, p.currency, p.client_id, p.client_name,
                 p.project_id, p.project_name)
            )  # fmt: skip
            continue
        nets = Money(p.net_cents, p.currency).allocate(weights)
        grosses = Money(p.gross_cents, p.currency).allocate(weights)
        for (pid, name, _), net, gross in zip(parts, nets, grosses, strict=True):
            rows.append(
                (p.paid_on, net.cents, gross.cents, p.currency, p.client_id, p.client_name, pid,
                 name)
            )  # fmt: skip
    return rows


def _revenue_rows(rows: Sequence[Any]) -> tuple[RevenueRow, ...]:
    """Payments summed by (month, client, project), ordered by month, client, project."""
    sums: dict[tuple[str, int, str, int | None, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for paid_on, net, gross, currency, client_id, client, project_id, project in rows:
        key = (f"{paid_on:%Y-%m}", client_id, client, project_id, project or "", currency)
        sums[key][0] += net
        sums[key][1] += gross
    ordered = sorted(sums.items(), key=lambda item: (item[0][0], item[0][2], item[0][4]))
    return tuple(
        RevenueRow(
            month,
            client_id,
            client,
            project_id,
            project,
            amount=Money(net, currency),
            vat=Money(gross - net, currency),
            received=Money(gross, currency),
        )
        for (month, client_id, client, project_id, project, currency), (net, gross) in ordered
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
