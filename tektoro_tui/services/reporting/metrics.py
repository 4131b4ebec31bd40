"""Financial metrics: hours and revenue by status, per project, over time, by role.

Every time figure is read from the daily time summary ``time_day_total`` (kept by triggers
on ``time_entry``, migration 0005): a year of a million entries is a few tens of thousands
of summary rows, so the whole report is a handful of grouped queries. Money figures come
from the client invoices and their payments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money, sum_money
from ...domain.permissions import Perm, Role
from ...domain.states import InvoiceStatus
from ...errors import Problem, ValidationError
from ...exports.model import CellValue, Column, Table
from ..base import Actor, ServiceBase, org_today
from ..invoicing.common import CREDIT_NOTE
from ..invoicing.revenue import project_shares, recognised_payments
from .views import (
    HOURS_STATUSES,
    METRIC_TABLES,
    MetricsReport,
    ProjectMetric,
    RoleTickets,
    SeriesPoint,
    StatusCount,
)

REJECTED = "rejected"
HOURS_ORDER = (*HOURS_STATUSES, REJECTED)
"""The hours table: draft, pending, approved, paid, then rejected work listed last."""

APPROVED_STATUSES = ("approved", "allocated", "processed")
UNPAID_INVOICE = (
    InvoiceStatus.ISSUED.value,
    InvoiceStatus.SENT.value,
    InvoiceStatus.PARTIALLY_PAID.value,
)
OVERDUE = "overdue"
REVENUE_ORDER = (
    InvoiceStatus.ISSUED.value,
    InvoiceStatus.SENT.value,
    InvoiceStatus.PARTIALLY_PAID.value,
    OVERDUE,
    InvoiceStatus.PAID.value,
    InvoiceStatus.BOOKED.value,
    InvoiceStatus.CANCELLED.value,
    CREDIT_NOTE,
)
HOURS_LABELS = {
    "draft": "Draft",
    "pending": "Pending approval",
    "approved": "Approved, not paid",
    "paid": "Paid to the contractor",
    REJECTED: "Rejected",
}
"""Hours by status: "paid" means the contractor was paid for the work."""
REVENUE_LABELS = {
    "issued": "Issued",
    "sent": "Sent",
    "partially_paid": "Partially paid",
    OVERDUE: "Overdue",
    "booked": "Booked",
    "cancelled": "Cancelled",
    "paid": "Paid by the client",
    CREDIT_NOTE: "Credit notes",
}
"""Revenue by status: "paid" means the client paid the invoice."""
WEEKS = 12
MONTHS_BY_DEFAULT = 12
TABLE_TITLES = {
    "hours_by_status": "Hours by status",
    "revenue_by_status": "Revenue by status",
    "projects": "Hours and income per project",
    "weekly": "Weekly hours",
    "monthly": "Monthly hours",
    "roles": "Tickets by role",
}

_T = m.TimeDayTotal


@dataclass
class _Sums:
    """Minutes, billable minutes and value being added up for one week or month."""

    minutes: int = 0
    billable: int = 0
    value: int = 0


class MetricsService(ServiceBase):
    """The metrics screen's figures and their tables for CSV/XLSX."""

    def report(
        self, actor: Actor, *, date_from: date | None = None, date_to: date | None = None
    ) -> MetricsReport:
        """Every metric for a period (default: the twelve months up to today).

        The default period starts on the first day of the month eleven months before this
        one, so the monthly series shows twelve whole calendar months (the last one up to
        today, in the organisation's time zone).

        Hours by status: draft; pending (accepted, awaiting approval); approved (approved,
        allocated or processed, not yet paid to the contractor); paid (pay status paid);
        rejected work is listed last. Needs ``invoice.view_all``.

        Raises:
            ValidationError: the period ends before it starts.
        """
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            org = session.get(m.Organisation, 1)
            currency = org.currency if org else "EUR"
            today = org_today(session, self.clock.now())
            end = date_to or today
            start = date_from or _months_back(end, MONTHS_BY_DEFAULT - 1)
            if start > end:
                raise ValidationError(
                    [Problem("date_from", "the period must start on or before its last day")]
                )
            days = _daily(session, start, end)
            return MetricsReport(
                date_from=start,
                date_to=end,
                hours_by_status=_hours_by_status(session, start, end, currency),
                revenue_by_status=_revenue_by_status(session, start, end, today, currency),
                projects=_projects(session, start, end, currency),
                weekly=_weekly(days, start, end, currency),
                monthly=_monthly(days, start, end, currency),
                roles=_roles(session, start, end),
            )

    def table(self, actor: Actor, name: str, report: MetricsReport | None = None) -> Table:
        """One metric (a name of METRIC_TABLES) as a table for CSV/XLSX.

        Without ``report`` the default period is computed. Hours are minutes (column kind
        ``hours``), amounts :class:`Money`, counts ints, so spreadsheets get numbers.

        Raises:
            ValidationError: ``name`` is not one of METRIC_TABLES.
        """
        if name not in METRIC_TABLES:
            raise ValidationError([Problem("table", f"choose one of: {', '.join(METRIC_TABLES)}")])
        if report is None:
            report = self.report(actor)
        else:
            with self._read(actor, Perm.INVOICE_VIEW_ALL):
                pass
        subtitle = f"{report.date_from.isoformat()} to {report.date_to.isoformat()}"
        columns, rows, totals = _TABLE_BUILDERS[name](report)
        return Table(
            title=TABLE_TITLES[name], columns=columns, rows=rows, totals=totals, subtitle=subtitle
        )


# ==============================================================================================
# Periods
# ==============================================================================================


def _months_back(day: date, months: int) -> date:
    """The first day of the month ``months`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _next_month(first: date) -> date:
    return _months_back(first, -1)


def _week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


# ==============================================================================================
# Queries (all over time_day_total, except money)
# ==============================================================================================


def _billable_minutes() -> Any:
    return func.coalesce(func.sum(case((_T.billable.is_(True), _T.minutes), else_=0)), 0)  # type: ignore[attr-defined]


def _in_period(start: date, end: date) -> Any:
    return _T.work_date.between(start, end)  # type: ignore[attr-defined]


def _hours_bucket() -> Any:
    """The hours status of a summary row: draft, pending, approved, paid or rejected."""
    return case(
        (_T.pay_status == "paid", "paid"),
        (_T.status == "draft", "draft"),
        (_T.status == "accepted", "pending"),
        (_T.status.in_(APPROVED_STATUSES), "approved"),  # type: ignore[attr-defined]
        else_=REJECTED,
    )


def _hours_by_status(
    session: Session, start: date, end: date, currency: str
) -> tuple[StatusCount, ...]:
    bucket = _hours_bucket().label("bucket")
    rows = session.execute(
        select(bucket, func.sum(_T.entries), func.sum(_T.minutes), func.sum(_T.value_cents))
        .where(_in_period(start, end))
        .group_by(bucket)
    ).all()
    found = {name: (int(n), int(mins), int(value)) for name, n, mins, value in rows}
    return tuple(
        StatusCount(
            status=name,
            count=found.get(name, (0, 0, 0))[0],
            minutes=found.get(name, (0, 0, 0))[1],
            amount=Money(found.get(name, (0, 0, 0))[2], currency),
        )
        for name in HOURS_ORDER
    )


def _revenue_by_status(
    session: Session, start: date, end: date, today: date, currency: str
) -> tuple[StatusCount, ...]:
    """Issued client invoices of the period by display status, net of VAT; credit notes on
    their own."""
    inv = m.Invoice
    shown = case(
        (inv.kind == CREDIT_NOTE, CREDIT_NOTE),
        (
            inv.status.in_(UNPAID_INVOICE) & (inv.due_date < today),  # type: ignore[attr-defined, operator]
            OVERDUE,
        ),
        else_=inv.status,
    ).label("shown")
    rows = session.execute(
        select(shown, func.count(), func.coalesce(func.sum(inv.net_cents), 0))
        .where(
            inv.status != InvoiceStatus.DRAFT.value,
            inv.issue_date.between(start, end),  # type: ignore[union-attr]
        )
        .group_by(shown)
    ).all()
    found = {name: (int(n), int(net)) for name, n, net in rows}
    return tuple(
        StatusCount(
            status=name,
            count=found.get(name, (0, 0))[0],
            amount=Money(found.get(name, (0, 0))[1], currency),
        )
        for name in REVENUE_ORDER
    )


def _daily(session: Session, start: date, end: date) -> list[tuple[date, int, int, int]]:
    """(day, minutes, billable minutes, value) of every day with time in the period."""
    rows = session.execute(
        select(_T.work_date, func.sum(_T.minutes), _billable_minutes(), func.sum(_T.value_cents))
        .where(_in_period(start, end))
        .group_by(_T.work_date)
    ).all()
    return [(day, int(mins), int(billable), int(value)) for day, mins, billable, value in rows]


def _series(
    buckets: Sequence[tuple[str, date]],
    days: Iterable[tuple[date, int, int, int]],
    start_of: Any,
    currency: str,
) -> tuple[SeriesPoint, ...]:
    sums = {first: _Sums() for _label, first in buckets}
    for day, minutes, billable, value in days:
        target = sums.get(start_of(day))
        if target is not None:
            target.minutes += minutes
            target.billable += billable
            target.value += value
    return tuple(
        SeriesPoint(
            label=label,
            start=first,
            minutes=sums[first].minutes,
            billable_minutes=sums[first].billable,
            value=Money(sums[first].value, currency),
        )
        for label, first in buckets
    )


def _weekly(
    days: Sequence[tuple[date, int, int, int]], start: date, end: date, currency: str
) -> tuple[SeriesPoint, ...]:
    """The last twelve ISO weeks of the period (fewer in a short period), empty ones as 0."""
    last = end - timedelta(days=end.weekday())
    mondays = [last - timedelta(weeks=k) for k in range(WEEKS - 1, -1, -1)]
    mondays = [day for day in mondays if day + timedelta(days=6) >= start]
    buckets = [(_week_label(day), day) for day in mondays]
    return _series(buckets, days, lambda d: d - timedelta(days=d.weekday()), currency)


def _monthly(
    days: Sequence[tuple[date, int, int, int]], start: date, end: date, currency: str
) -> tuple[SeriesPoint, ...]:
    """Every calendar month the period touches, empty ones as 0."""
    buckets = []
    first = start.replace(day=1)
    while first <= end:
        buckets.append((f"{first:%Y-%m}", first))
        first = _next_month(first)
    return _series(buckets, days, lambda d: d.replace(day=1), currency)


def _roles(session: Session, start: date, end: date) -> tuple[RoleTickets, ...]:
    """Ticket counts by the owner's role; minutes of all their tickets, rejected included."""
    user = m.UserAccount
    bucket = case(
        (_T.status == "accepted", "pending"),
        (_T.status.in_(APPROVED_STATUSES), "approved"),  # type: ignore[attr-defined]
        else_=_T.status,
    ).label("bucket")
    rows = session.execute(
        select(user.role, bucket, func.sum(_T.entries), func.sum(_T.minutes))
        .join(user, user.id == _T.owner_id)  # type: ignore[arg-type]
        .where(_in_period(start, end))
        .group_by(user.role, bucket)
    ).all()
    people: dict[str, int] = {
        role: int(n)
        for role, n in session.execute(
            select(user.role, func.count(func.distinct(_T.owner_id)))
            .join(user, user.id == _T.owner_id)  # type: ignore[arg-type]
            .where(_in_period(start, end))
            .group_by(user.role)
        ).all()
    }
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for role, name, entries, minutes in rows:
        counts[role][name] += int(entries)
        counts[role]["minutes"] += int(minutes)
    return tuple(
        RoleTickets(
            role=role,
            people=int(people.get(role, 0)),
            draft=figures["draft"],
            pending=figures["pending"],
            approved=figures["approved"],
            rejected=figures[REJECTED],
            minutes=figures["minutes"],
        )
        for role, figures in sorted(counts.items())
    )


# ==============================================================================================
# Per project: time from the summary, money from invoices and payments
# ==============================================================================================


def _projects(session: Session, start: date, end: date, currency: str) -> tuple[ProjectMetric, ...]:
    time_rows = session.execute(
        select(
            _T.project_id,
            func.sum(_T.minutes),
            _billable_minutes(),
            func.sum(_T.value_cents),
        )
        .where(_in_period(start, end))
        .group_by(_T.project_id)
    ).all()
    minutes = {pid: (int(a), int(b), int(c)) for pid, a, b, c in time_rows}
    invoiced = _invoiced_by_project(session, start, end, currency)
    received = _received_by_project(session, start, end, currency)
    ids = set(minutes) | set(invoiced) | set(received)
    ids.discard(None)
    names = _project_names(session, ids)
    out = []
    for pid in ids:
        mins, billable, value = minutes.get(pid, (0, 0, 0))
        name, client = names.get(pid, (f"project #{pid}", ""))
        out.append(
            ProjectMetric(
                project_id=pid,
                name=name,
                client_name=client,
                minutes=mins,
                billable_minutes=billable,
                value=Money(value, currency),
                invoiced=Money(invoiced.get(pid, 0), currency),
                revenue=Money(received.get(pid, 0), currency),
            )
        )
    return tuple(sorted(out, key=lambda p: (p.client_name, p.name, p.project_id)))


def _project_names(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    wanted = sorted(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(m.Project.id, m.Project.name, m.Company.name)
        .join(m.Company, m.Company.id == m.Project.client_id)  # type: ignore[arg-type]
        .where(m.Project.id.in_(wanted))  # type: ignore[union-attr]
    ).all()
    return {pid: (name, client) for pid, name, client in rows}


def _spread(
    session: Session,
    amounts: Sequence[tuple[int, int | None, int]],
    weights_of: dict[int, int],
    currency: str,
) -> dict[int | None, int]:
    """Amounts of invoices summed per project; an invoice without a project is shared out.

    ``amounts`` holds (invoice id, project id, cents). An invoice of several projects (a
    client's whole month) is split in proportion to its time lines, like Account Revenue
    does; a credit note is split like the invoice it cancels (``weights_of`` maps an invoice
    to the one whose lines give the proportions). What cannot be split stays unassigned.
    """
    spread_ids = [weights_of.get(iid, iid) for iid, pid, _c in amounts if pid is None]
    shares = project_shares(session, spread_ids)
    totals: dict[int | None, int] = defaultdict(int)
    for iid, pid, cents in amounts:
        parts = shares.get(weights_of.get(iid, iid), []) if pid is None else []
        weights = [weight for _pid, _name, weight in parts]
        if not parts or sum(weights) == 0:
            totals[pid] += cents
            continue
        for (part_pid, _name, _w), piece in zip(
            parts, Money(cents, currency).allocate(weights), strict=True
        ):
            totals[part_pid] += piece.cents
    return totals


def _invoiced_by_project(
    session: Session, start: date, end: date, currency: str
) -> dict[int | None, int]:
    """Net of the invoices issued in the period, credit notes (negative) included."""
    inv = m.Invoice
    rows = session.execute(
        select(inv.id, inv.project_id, inv.net_cents, inv.credited_invoice_id).where(
            inv.status != InvoiceStatus.DRAFT.value,
            inv.issue_date.between(start, end),  # type: ignore[union-attr]
        )
    ).all()
    credited = {iid: orig for iid, _pid, _net, orig in rows if orig is not None}
    return _spread(session, [(iid, pid, net) for iid, pid, net, _o in rows], credited, currency)


def _received_by_project(
    session: Session, start: date, end: date, currency: str
) -> dict[int | None, int]:
    """Revenue recognised in the period: the net of VAT of the client payments received."""
    amounts = [
        (p.invoice_id, p.project_id, p.net_cents) for p in recognised_payments(session, start, end)
    ]
    return _spread(session, amounts, {}, currency)


# ==============================================================================================
# Tables
# ==============================================================================================

_Built = tuple[tuple[Column, ...], tuple[tuple[CellValue, ...], ...], tuple[CellValue, ...] | None]


def _money_total(amounts: Iterable[Money | None], currency: str) -> Money:
    return sum_money((a for a in amounts if a is not None), currency)


def _currency(report: MetricsReport) -> str:
    for item in report.hours_by_status:
        if item.amount is not None:
            return item.amount.currency
    return "EUR"


def _hours_table(report: MetricsReport) -> _Built:
    items = report.hours_by_status
    return (
        (Column("Status"), Column("Tickets", "int"), Column("Hours", "hours"),
         Column("Value", "money")),
        tuple((HOURS_LABELS[s.status], s.count, s.minutes, s.amount) for s in items),
        ("Total", sum(s.count for s in items), sum(s.minutes for s in items),
         _money_total((s.amount for s in items), _currency(report))),
    )  # fmt: skip


def _revenue_table(report: MetricsReport) -> _Built:
    items = report.revenue_by_status
    return (
        (Column("Status"), Column("Invoices", "int"), Column("Net", "money")),
        tuple((REVENUE_LABELS[s.status], s.count, s.amount) for s in items),
        ("Total", sum(s.count for s in items),
         _money_total((s.amount for s in items), _currency(report))),
    )  # fmt: skip


def _projects_table(report: MetricsReport) -> _Built:
    items, cur = report.projects, _currency(report)
    return (
        (Column("Project"), Column("Client"), Column("Hours", "hours"),
         Column("Billable hours", "hours"), Column("Value", "money"),
         Column("Invoiced (net)", "money"), Column("Revenue (net)", "money")),
        tuple(
            (p.name, p.client_name, p.minutes, p.billable_minutes, p.value, p.invoiced,
             p.revenue)
            for p in items
        ),
        ("Total", "", sum(p.minutes for p in items), sum(p.billable_minutes for p in items),
         _money_total((p.value for p in items), cur),
         _money_total((p.invoiced for p in items), cur),
         _money_total((p.revenue for p in items), cur)),
    )  # fmt: skip


def _series_table(items: Sequence[SeriesPoint], heading: str, currency: str) -> _Built:
    return (
        (Column(heading), Column("Starts", "date"), Column("Hours", "hours"),
         Column("Billable hours", "hours"), Column("Value", "money")),
        tuple((p.label, p.start, p.minutes, p.billable_minutes, p.value) for p in items),
        ("Total", None, sum(p.minutes for p in items), sum(p.billable_minutes for p in items),
         _money_total((p.value for p in items), currency)),
    )  # fmt: skip


def _roles_table(report: MetricsReport) -> _Built:
    items = report.roles
    return (
        (Column("Role"), Column("People", "int"), Column("Draft", "int"),
         Column("Pending", "int"), Column("Approved", "int"), Column("Rejected", "int"),
         Column("Hours", "hours")),
        tuple(
            (_role_label(r.role), r.people, r.draft, r.pending, r.approved, r.rejected,
             r.minutes)
            for r in items
        ),
        ("Total", sum(r.people for r in items), sum(r.draft for r in items),
         sum(r.pending for r in items), sum(r.approved for r in items),
         sum(r.rejected for r in items), sum(r.minutes for r in items)),
    )  # fmt: skip


def _role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return role


_TABLE_BUILDERS: dict[str, Any] = {
    "hours_by_status": _hours_table,
    "revenue_by_status": _revenue_table,
    "projects": _projects_table,
    "weekly": lambda r: _series_table(r.weekly, "Week", _currency(r)),
    "monthly": lambda r: _series_table(r.monthly, "Month", _currency(r)),
    "roles": _roles_table,
}
