"""Recognised revenue from the rows of two queries, without SQLAlchemy.

The revenue report (:meth:`RevenueActions.revenue
<tektoro_tui.services.invoicing.revenue.RevenueActions.revenue>`), the metrics and the
dashboards read payments through :func:`~tektoro_tui.services.invoicing.revenue.
recognised_payments`; a one-shot ``tektoro revenue report`` reads them through the driver
(:mod:`tektoro_tui.services.quick`). Both run the SQL written here and turn its rows into
revenue with the functions here, so there is one way to recognise revenue.

The SQL takes ``:name`` parameters; dates are ISO text on SQLite. A date read back through
plain SQL is text on SQLite and a date on PostgreSQL: :func:`_day` reads both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ...domain.invoice import recognised_net
from ...domain.money import Money

Rows = Callable[[str, dict[str, Any]], Sequence[Sequence[Any]]]
"""Runs SQL with ``:name`` parameters in the caller's transaction; its rows."""


@dataclass(frozen=True)
class RevenueRow:
    """Recognised revenue (payments received) of one month, client and project.

    ``amount`` is the revenue: the net of VAT the payments recognise; ``vat`` the VAT they
    carried; ``received`` what was paid (``amount + vat``).
    """

    month: str  # YYYY-MM
    client_id: int
    client_name: str
    project_id: int | None
    project_name: str
    amount: Money
    vat: Money
    received: Money


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


def revenue(
    read: Rows, backend: str, date_from: date | None = None, date_to: date | None = None
) -> tuple[RevenueRow, ...]:
    """Recognised revenue (payments received in the period) by month, client and project.

    Revenue is net of VAT: each payment recognises its share of its invoice's net
    (:func:`recognise`), and the VAT it carried is shown beside it. A payment on an invoice of
    one project counts for that project. An invoice of a client's whole month spans several
    projects: its payments are shared between them in proportion to the invoice's time lines
    (:func:`split_by_project`).
    """
    payments = recognised_payments(read, backend, date_from, date_to)
    shares = project_shares(read, spread_invoices(payments))
    return revenue_rows(split_by_project(payments, shares))


def recognised_payments(
    read: Rows, backend: str, date_from: date | None = None, date_to: date | None = None
) -> list[RecognisedPayment]:
    """The client payments received in the period, each with the net it recognises
    (:func:`recognise`)."""
    return recognise(read(*payments_sql(backend, date_from, date_to)), date_from, date_to)


def project_shares(read: Rows, invoice_ids: Sequence[int]) -> dict[int, list[tuple[int, str, int]]]:
    """Per invoice of ``invoice_ids``, (project id, name, gross of its time lines)."""
    return shares_of(read(*shares_sql(invoice_ids)) if invoice_ids else ())


def payments_sql(
    backend: str, date_from: date | None = None, date_to: date | None = None
) -> tuple[str, dict[str, Any]]:
    """Every payment of each invoice that was paid (in part) in the period, with the
    invoice's net, gross, currency, client and project, by invoice and payment order: the
    rows :func:`recognise` reads."""
    params: dict[str, Any] = {}
    period = ["invoice_id IS NOT NULL"]
    for name, value, test in (("date_from", date_from, ">="), ("date_to", date_to, "<=")):
        if value is not None:
            period.append(f"paid_on {test} :{name}")
            params[name] = value.isoformat() if backend == "sqlite" else value
    sql = (
        "SELECT pay.id, pay.invoice_id, pay.paid_on, pay.amount_cents, inv.net_cents, "
        "inv.gross_cents, inv.currency, inv.client_id, com.name, inv.project_id, pro.name "
        "FROM payment pay "
        "JOIN invoice inv ON inv.id = pay.invoice_id "
        "JOIN company com ON com.id = inv.client_id "
        "LEFT JOIN project pro ON pro.id = inv.project_id "
        "WHERE pay.invoice_id IN "
        f"(SELECT DISTINCT invoice_id FROM payment WHERE {' AND '.join(period)}) "
        "ORDER BY pay.invoice_id, pay.paid_on, pay.id"
    )
    return sql, params


def recognise(
    rows: Sequence[Sequence[Any]], date_from: date | None = None, date_to: date | None = None
) -> list[RecognisedPayment]:
    """The payments of the rows of :func:`payments_sql` received in the period, each with the
    net it recognises, by date.

    The net is allocated cumulatively over all payments of an invoice in the order they were
    received (:func:`~tektoro_tui.domain.invoice.recognised_net`), so a payment recognises the
    same net whichever period it is reported in, and an invoice's payments add up to its net.
    """
    by_invoice: dict[int, list[Sequence[Any]]] = defaultdict(list)
    for row in rows:
        by_invoice[int(row[1])].append(row)
    found = []
    for payments in by_invoice.values():
        _pid, _iid, _on, _cents, net, gross, *_rest = payments[0]
        shares = recognised_net(int(net), int(gross), [int(row[3]) for row in payments])
        for row, share in zip(payments, shares, strict=True):
            paid_on = _day(row[2])
            if (date_from is None or paid_on >= date_from) and (
                date_to is None or paid_on <= date_to
            ):
                found.append(_recognised(row, paid_on, share))
    return sorted(found, key=lambda p: (p.paid_on, p.payment_id))


def _recognised(row: Sequence[Any], paid_on: date, net_cents: int) -> RecognisedPayment:
    """A row of :func:`payments_sql` with the net it recognises."""
    pid, iid, _on, cents, _net, _gross, currency, client_id, client, project_id, project = row
    return RecognisedPayment(
        payment_id=int(pid),
        invoice_id=int(iid),
        paid_on=paid_on,
        gross_cents=int(cents),
        net_cents=net_cents,
        currency=currency,
        client_id=int(client_id),
        client_name=client,
        project_id=None if project_id is None else int(project_id),
        project_name=project,
    )


def shares_sql(invoice_ids: Sequence[int]) -> tuple[str, dict[str, Any]]:
    """Per invoice of ``invoice_ids`` (not empty) and project, the gross of its time lines:
    the rows :func:`shares_of` reads."""
    ids = sorted(set(invoice_ids))
    params = {f"invoice{index}": value for index, value in enumerate(ids)}
    sql = (
        "SELECT il.invoice_id, pro.id, pro.name, SUM(il.gross_cents) FROM invoice_line il "
        "JOIN document_line dl ON dl.id = il.document_line_id "
        "JOIN time_entry te ON te.id = dl.time_entry_id "
        "JOIN project pro ON pro.id = te.project_id "
        f"WHERE il.invoice_id IN ({', '.join(f':{name}' for name in params)}) "
        "GROUP BY il.invoice_id, pro.id, pro.name ORDER BY il.invoice_id, pro.id"
    )
    return sql, params


def shares_of(rows: Sequence[Sequence[Any]]) -> dict[int, list[tuple[int, str, int]]]:
    """Per invoice, (project id, name, gross of its time lines), from :func:`shares_sql`."""
    shares: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for invoice_id, project_id, name, gross in rows:
        shares[int(invoice_id)].append((int(project_id), name, max(int(gross), 0)))
    return shares


def spread_invoices(payments: Sequence[RecognisedPayment]) -> list[int]:
    """The invoices of ``payments`` that have no project of their own (a client's month)."""
    return [p.invoice_id for p in payments if p.project_id is None]


def split_by_project(
    payments: Sequence[RecognisedPayment], shares: dict[int, list[tuple[int, str, int]]]
) -> list[tuple[Any, ...]]:
    """(paid on, net, gross, currency, client id, client, project id, project) of each payment;
    those of multi-project invoices split into one row per project, in proportion to the
    invoice's time lines (via :meth:`Money.allocate`, so the parts add up to the payment to
    the cent)."""
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


def revenue_rows(rows: Sequence[Any]) -> tuple[RevenueRow, ...]:
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


def _day(value: Any) -> date:
    """A date read back through plain SQL: ISO text on SQLite, a date on PostgreSQL."""
    return date.fromisoformat(value) if isinstance(value, str) else value
