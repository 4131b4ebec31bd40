"""Each role's dashboard: contractor, manager, administrator, client portal.

Hours and ticket counts come from ``time_day_total`` (time entries summed per day, owner,
project, status, pay status and billable flag, kept by triggers), so a dashboard reads a few
thousand summary rows through its (owner, day) or (project, day) index instead of a million
entries. Invoices, master invoices and payments are small tables read with plain grouped
queries. Every dashboard is one read transaction: its figures agree with each other.

Hours worked count every time card except rejected ones (a draft is work done, only not yet
submitted; a rejected card is work the firm does not stand behind). The client portal counts
approved work only (approved, allocated, processed): a client never sees unapproved time.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money
from ...domain.permissions import Perm, Role
from ...domain.states import InvoiceStatus, MasterInvoiceStatus, TimeEntryStatus
from ...domain.validation import Form
from ...errors import PermissionDenied, Problem, ValidationError
from ..base import Actor, ServiceBase, has_permission, org_currency, org_today
from ..contractor_invoices.compliance import CONTRACTOR_ROLES, compliance_rows
from ..invoicing.common import CREDIT_NOTE, PAYABLE_STATUSES
from ..invoicing.common import actor_role as live_role
from ..invoicing.revenue import project_shares as invoice_project_shares
from ..invoicing.revenue import recognised_payments
from ..invoicing.views import ClientInvoiceRow
from ..pipeline.time import firm_waiting_for_approval, waiting_for_approval
from .views import (
    DASHBOARD_PERIODS,
    AdminDashboard,
    ClientDashboard,
    ClientProjectRow,
    ContractorDashboard,
    ContractorSummaryRow,
    CrewRow,
    Dashboard,
    ForemanDashboard,
    ManagerDashboard,
    PeriodHours,
    StatusCount,
    WorkloadRow,
)

T = TimeEntryStatus
WORKED_STATUSES = (T.DRAFT, T.ACCEPTED, T.APPROVED, T.ALLOCATED, T.PROCESSED)
"""Time cards that count as hours worked: all but rejected ones."""
APPROVED_STATUSES = (T.APPROVED, T.ALLOCATED, T.PROCESSED)
"""Tickets a contractor sees as approved (approved, and on their way to an invoice)."""
TICKET_GROUPS = {
    T.DRAFT.value: "draft",
    T.ACCEPTED.value: "pending",
    T.APPROVED.value: "approved",
    T.ALLOCATED.value: "approved",
    T.PROCESSED.value: "approved",
    T.REJECTED.value: "rejected",
}
TICKET_ORDER = ("draft", "pending", "approved", "rejected")
BILLING_STATUSES = (T.APPROVED, T.ALLOCATED)
"""Approved work not yet on a document record: what the client portal calls pending."""

MI = MasterInvoiceStatus
MASTER_STATUSES = (MI.DRAFT, MI.APPROVED, MI.PARTIALLY_PAID, MI.PAID)
OWED_MASTER = (MI.APPROVED.value, MI.PARTIALLY_PAID.value)
"""Master invoices the firm owes money on; a draft is not owed until an administrator
approves it."""

OPEN_INVOICE = PAYABLE_STATUSES
PAID_INVOICE = (InvoiceStatus.PAID.value, InvoiceStatus.BOOKED.value)
FINANCE_ROLES = (Role.ADMINISTRATOR, Role.ACCOUNTANT)


class DashboardService(ServiceBase):
    """The figures of every dashboard, each in a handful of indexed queries."""

    def for_actor(self, actor: Actor) -> Dashboard:
        """The dashboard of the actor's role (what ``tektoro dashboard --json`` prints).

        Administrators and accountants get the financial summary, managers the team view,
        client users the portal, everyone else their own figures. The role is read live.
        """
        with self._read(actor) as session:
            role = live_role(session, actor)
        if role in FINANCE_ROLES:
            return self.administrator(actor)
        if role is Role.MANAGER:
            return self.manager(actor)
        if role is Role.CLIENT:
            return self.client(actor)
        if role is Role.FOREMAN:
            return self.foreman(actor)
        return self.contractor(actor)

    # ==========================================================================================
    # Foreman
    # ==========================================================================================

    def foreman(self, actor: Actor) -> ForemanDashboard:
        """The agreements whose crews the foreman leads: the next planned day, how many are
        planned ahead, and the planned days up to today still without a report."""
        with self._read(actor, Perm.SUBCONTRACT_REPORT) as session:
            user = session.execute(
                select(
                    m.UserAccount.name, m.UserAccount.contact_id, m.UserAccount.company_id
                ).where(m.UserAccount.id == actor.user_id)
            ).one()
            company = (
                session.execute(
                    select(m.Company.name).where(m.Company.id == user.company_id)
                ).scalar_one_or_none()
                or ""
            )
            today = org_today(session, self.clock.now())
            contact = user.contact_id
            plans: dict[int, list[date]] = defaultdict(list)
            for agreement_id, day in session.execute(
                select(m.WorkSchedule.agreement_id, m.WorkSchedule.work_date).where(
                    m.WorkSchedule.foreman_contact_id == contact
                )
            ).all():
                plans[int(agreement_id)].append(day)
            reported: dict[int, list[date]] = defaultdict(list)
            for agreement_id, day in session.execute(
                select(m.DailyReport.agreement_id, m.DailyReport.report_date).where(
                    m.DailyReport.foreman_contact_id == contact
                )
            ).all():
                reported[int(agreement_id)].append(day)
            ids = sorted(set(plans) | set(reported))
            rows = session.execute(
                select(
                    m.SubcontractAgreement.id,
                    m.SubcontractAgreement.number,
                    m.SubcontractAgreement.scope,
                    m.Project.name,
                )
                .join(m.Project, m.Project.id == m.SubcontractAgreement.project_id)
                .where(
                    m.SubcontractAgreement.id.in_(ids),  # type: ignore[union-attr]
                    m.SubcontractAgreement.work_completed.is_(False),  # type: ignore[attr-defined]
                )
                .order_by(m.SubcontractAgreement.year, m.SubcontractAgreement.seq)
            ).all()
            crews = []
            for ident, number, scope, project in rows:
                planned = sorted(plans.get(int(ident), []))
                done = set(reported.get(int(ident), []))
                ahead = [d for d in planned if d >= today]
                crews.append(
                    CrewRow(
                        number=str(number),
                        project_name=str(project),
                        scope=str(scope),
                        next_day=ahead[0] if ahead else None,
                        planned_ahead=len(ahead),
                        unreported=tuple(d for d in planned if d <= today and d not in done),
                        reports=len(done),
                        last_report=max(done) if done else None,
                    )
                )
            return ForemanDashboard(str(user.name), str(company), tuple(crews))

    # ==========================================================================================
    # Contractor
    # ==========================================================================================

    def contractor(self, actor: Actor, *, period: str = "month") -> ContractorDashboard:
        """Own outstanding pay, hours this period vs the previous one, ticket counts.

        Outstanding pay is what is still unpaid on the contractor's approved and partially paid
        master invoices; drafts do not count, as nothing is owed before an administrator
        approves them. Ticket counts are over all time; "pending" means accepted by the
        supervisor and waiting for approval, "approved" includes allocated and processed ones.
        """
        if period not in DASHBOARD_PERIODS:
            raise ValidationError([Problem("period", "must be week or month")])
        with self._read(actor, Perm.TIME_ENTER) as session:
            currency = org_currency(session)
            today = org_today(session, self.clock.now())
            current, previous = _periods(today, period)
            now_minutes, before_minutes = _own_hours(session, actor.user_id, current, previous)
            owed, unpaid = _own_master_invoices(session, actor.user_id)
            name = session.execute(
                select(m.UserAccount.name).where(m.UserAccount.id == actor.user_id)
            ).scalar_one()
            return ContractorDashboard(
                user_id=actor.user_id,
                user_name=name,
                period=period,
                current=_period_hours(current, now_minutes),
                previous=_period_hours(previous, before_minutes),
                change_minutes=now_minutes - before_minutes,
                change_pct=_change_pct(now_minutes, before_minutes),
                outstanding_pay=Money(owed, currency),
                unpaid_invoices=unpaid,
                tickets=_own_tickets(session, actor.user_id),
                unread_notifications=_unread(session, actor.user_id),
            )

    # ==========================================================================================
    # Manager
    # ==========================================================================================

    def manager(
        self,
        actor: Actor,
        *,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
    ) -> ManagerDashboard:
        """Master-invoice status, workload per project and member, productivity for a chosen
        period (default: this month).

        ``date_from``/``date_to`` may be dates or text as typed (2026-03-31 or 31.03.2026);
        a blank end is this month's. A malformed or reversed period is refused, naming the
        field.

        Master invoices are counted as they stand now, whatever the period; workload and team
        totals are the hours worked (all but rejected cards) dated in the period; the pending
        approvals are the entries waiting for this manager's approval, as Approvals lists them
        (with the whole firm's beside them for those who may approve any entry).
        """
        with self._read(actor) as session:
            if not (
                has_permission(session, actor, Perm.TIME_APPROVE_ANY)
                or has_permission(session, actor, Perm.INVOICE_VIEW_ALL)
            ):
                raise PermissionDenied(
                    "The manager's dashboard needs the permission to approve any time entry "
                    "or to see all invoices."
                )
            currency = org_currency(session)
            start, end = _manager_period(org_today(session, self.clock.now()), date_from, date_to)
            projects = _workload(session, m.TimeDayTotal.project_id, start, end)
            members = _workload(session, m.TimeDayTotal.owner_id, start, end)
            return ManagerDashboard(
                period_start=start,
                period_end=end,
                master_invoices=_master_status(session, currency),
                projects=_named(session, projects, m.Project),
                members=_named(session, members, m.UserAccount),
                team_minutes=sum(row[1] for row in members.values()),
                team_billable_minutes=sum(row[2] for row in members.values()),
                pending_approvals=waiting_for_approval(session, actor),
                firm_pending_approvals=(
                    firm_waiting_for_approval(session, actor)
                    if has_permission(session, actor, Perm.TIME_APPROVE_ANY)
                    else None
                ),
            )

    # ==========================================================================================
    # Administrator
    # ==========================================================================================

    def administrator(self, actor: Actor) -> AdminDashboard:
        """Invoiced / paid / outstanding, contractors overview, compliance.

        *Invoiced* is the gross of every issued client invoice that still stands: a credit
        note cancels a whole unpaid invoice, so a cancelled invoice and its credit note are
        both left out (their sum is zero anyway). *Paid* is every payment received on client
        invoices; *revenue* the net of VAT those payments recognise; *outstanding* what is
        still due on issued, sent and partially paid invoices
        (so invoiced = paid + outstanding); *overdue* the part of it past its due date today.
        The compliance rows are given only to those who keep the register (None to others, who
        are told nothing about it rather than that all is well), as is the generator.
        """
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            currency = org_currency(session)
            today = org_today(session, self.clock.now())
            sums = _client_balances(session, today)
            contractors = _contractor_rows(session, currency)
            keeps_register = has_permission(session, actor, Perm.CONTRACTOR_INVOICES)
            compliance = (
                compliance_rows(session, today, only_problems=True) if keeps_register else None
            )
            return AdminDashboard(
                invoiced=Money(sums["invoiced"], currency),
                paid=Money(_received(session), currency),
                revenue=Money(sum(p.net_cents for p in recognised_payments(session)), currency),
                outstanding=Money(sums["outstanding"], currency),
                overdue=Money(sums["overdue"], currency),
                overdue_count=sums["overdue_count"],
                contractors=contractors,
                contractors_outstanding=Money(
                    sum(row.outstanding.cents for row in contractors), currency
                ),
                awaiting_approval=_awaiting_approval(session),
                compliance=compliance,
                may_generate=keeps_register,
            )

    # ==========================================================================================
    # Client portal
    # ==========================================================================================

    def client(self, actor: Actor) -> ClientDashboard:
        """The client portal: own company only.

        Open invoices are issued, sent and partially paid ones (overdue when past due); paid
        invoices are paid or booked ones; the paid total is every payment received from the
        company, partial payments included. Pending tickets are approved work on the company's
        projects not yet processed into an invoice. Projects are the company's active ones
        (not completed) with their approved hours and the gross of their standing invoices; an
        invoice of several projects is shared among them by the gross of its time lines (as
        Account Revenue shares its payments).

        Raises:
            PermissionDenied: the actor is not a client user of a company.
        """
        with self._read(actor, Perm.INVOICE_VIEW_OWN_CLIENT) as session:
            company_id = _client_company(session, actor)
            currency = org_currency(session)
            today = org_today(session, self.clock.now())
            company = self._get(session, m.Company, company_id, "Client")
            invoices = _standing_invoices(session, company_id)
            shares = _project_shares(session, invoices)
            rows = tuple(_invoice_row(i, shares, company.name, today) for i in invoices)
            open_rows = tuple(r for r in rows if r.status in OPEN_INVOICE)
            projects = session.execute(
                select(m.Project.id).where(m.Project.client_id == company_id)
            ).scalars()
            pending = _pending_work(session, list(projects))
            return ClientDashboard(
                company_id=company_id,
                company_name=company.name,
                outstanding=Money(sum(r.due.cents for r in open_rows), currency),
                overdue=Money(
                    sum(r.due.cents for r in open_rows if r.display_status == "overdue"), currency
                ),
                open_invoices=open_rows,
                paid_total=Money(sum(r.paid.cents for r in rows), currency),
                paid_invoices=tuple(
                    sorted(
                        (r for r in rows if r.status in PAID_INVOICE),
                        key=lambda r: (r.issue_date or date.min, r.id),
                        reverse=True,
                    )
                ),
                pending_entries=pending[0],
                pending_minutes=pending[1],
                pending_value=Money(pending[2], currency),
                projects=_client_projects(session, company_id, currency, invoices, shares),
            )


# ==============================================================================================
# Shared helpers
# ==============================================================================================


def _values(statuses: tuple[Any, ...]) -> list[str]:
    """Enum members as their stored text."""
    return [getattr(s, "value", s) for s in statuses]


def _sum(expr: Any) -> Any:
    """SUM that reads 0 instead of NULL over no rows."""
    return func.coalesce(func.sum(expr), 0)


def _sum_if(condition: ColumnElement[bool], expr: Any) -> Any:
    """SUM of ``expr`` over the rows meeting ``condition`` (0 over none)."""
    return _sum(case((condition, expr), else_=0))


# ==============================================================================================
# Contractor
# ==============================================================================================


@dataclass(frozen=True)
class _Period:
    """A labelled inclusive date range."""

    label: str
    start: date
    end: date


def _periods(today: date, period: str) -> tuple[_Period, _Period]:
    """The month or ISO week containing ``today``, and the one before it."""
    if period == "week":
        start = today - timedelta(days=today.weekday())
        before = start - timedelta(days=7)
        return _week(start), _week(before)
    start = today.replace(day=1)
    before = (start - timedelta(days=1)).replace(day=1)
    return _month(start), _month(before)


def _week(monday: date) -> _Period:
    """The ISO week starting on ``monday``, labelled like 2026-W11."""
    year, week, _ = monday.isocalendar()
    return _Period(f"{year}-W{week:02d}", monday, monday + timedelta(days=6))


def _month(first: date) -> _Period:
    """The month starting on ``first``, labelled like 2026-03."""
    last = calendar.monthrange(first.year, first.month)[1]
    return _Period(f"{first:%Y-%m}", first, first.replace(day=last))


def _period_hours(period: _Period, minutes: int) -> PeriodHours:
    """The read model of a period's hours."""
    return PeriodHours(label=period.label, start=period.start, end=period.end, minutes=minutes)


def _change_pct(current: int, previous: int) -> str | None:
    """The change as "+12.5%" (half up to one decimal); None when there was nothing before."""
    if previous == 0:
        return None
    pct = (Decimal(current - previous) * 100 / Decimal(previous)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return f"{pct:+}%"


def _own_hours(
    session: Session, user_id: int, current: _Period, previous: _Period
) -> tuple[int, int]:
    """Minutes worked by ``user_id`` in the current and the previous period (one query)."""
    day = m.TimeDayTotal.work_date
    now, before = session.execute(
        select(
            _sum_if(day >= current.start, m.TimeDayTotal.minutes),
            _sum_if(day <= previous.end, m.TimeDayTotal.minutes),
        ).where(
            m.TimeDayTotal.owner_id == user_id,
            day >= previous.start,
            day <= current.end,
            m.TimeDayTotal.status.in_(_values(WORKED_STATUSES)),  # type: ignore[attr-defined]
        )
    ).one()
    return int(now), int(before)


def _own_tickets(session: Session, user_id: int) -> tuple[StatusCount, ...]:
    """Ticket counts and minutes by status group, over all time."""
    rows = session.execute(
        select(
            m.TimeDayTotal.status,
            _sum(m.TimeDayTotal.entries),
            _sum(m.TimeDayTotal.minutes),
        )
        .where(m.TimeDayTotal.owner_id == user_id)
        .group_by(m.TimeDayTotal.status)
    ).all()
    counts: dict[str, list[int]] = {group: [0, 0] for group in TICKET_ORDER}
    for status, entries, minutes in rows:
        group = counts[TICKET_GROUPS[status]]
        group[0] += int(entries)
        group[1] += int(minutes)
    return tuple(StatusCount(g, counts[g][0], counts[g][1]) for g in TICKET_ORDER)


def _own_master_invoices(session: Session, user_id: int) -> tuple[int, int]:
    """(cents still owed, how many invoices) of the contractor's approved master invoices."""
    owed, count = session.execute(
        select(
            _sum(m.MasterInvoice.total_cents - m.MasterInvoice.paid_cents),
            func.count(m.MasterInvoice.id),
        ).where(
            m.MasterInvoice.contractor_id == user_id,
            m.MasterInvoice.status.in_(OWED_MASTER),  # type: ignore[attr-defined]
        )
    ).one()
    return int(owed), int(count)


def _unread(session: Session, user_id: int) -> int:
    """The user's notifications not yet read."""
    return int(
        session.execute(
            select(func.count(m.Notification.id)).where(
                m.Notification.user_id == user_id,
                m.Notification.read_at.is_(None),  # type: ignore[union-attr]
            )
        ).scalar_one()
    )


# ==============================================================================================
# Manager
# ==============================================================================================


def _manager_period(
    today: date, start: date | str | None, end: date | str | None
) -> tuple[date, date]:
    """The chosen period, this month's missing ends filled in; refuse a malformed or reversed
    one."""
    check = Form()
    typed_start = check.date("date_from", start or None, required=False)
    typed_end = check.date("date_to", end or None, required=False)
    check.raise_if_any()
    month = _month(today.replace(day=1))
    first, last = typed_start or month.start, typed_end or month.end
    if first > last:
        raise ValidationError([Problem("date_to", f"must not be before {first.isoformat()}")])
    return first, last


def _master_status(session: Session, currency: str) -> tuple[StatusCount, ...]:
    """Count, minutes and amount of master invoices in each status (zeros included)."""
    rows = session.execute(
        select(
            m.MasterInvoice.status,
            func.count(m.MasterInvoice.id),
            _sum(m.MasterInvoice.total_minutes),
            _sum(m.MasterInvoice.total_cents),
        ).group_by(m.MasterInvoice.status)
    ).all()
    found = {status: (int(n), int(mins), int(cents)) for status, n, mins, cents in rows}
    return tuple(
        StatusCount(
            s.value,
            found.get(s.value, (0, 0, 0))[0],
            found.get(s.value, (0, 0, 0))[1],
            Money(found.get(s.value, (0, 0, 0))[2], currency),
        )
        for s in MASTER_STATUSES
    )


def _workload(
    session: Session, key: Any, start: date, end: date
) -> dict[int, tuple[int, int, int, int]]:
    """Per ``key`` (project or owner): (id, minutes, billable minutes, entries) worked."""
    total = m.TimeDayTotal
    rows = session.execute(
        select(
            key,
            _sum(total.minutes),
            _sum_if(total.billable.is_(True), total.minutes),  # type: ignore[attr-defined]
            _sum(total.entries),
        )
        .where(
            total.work_date >= start,
            total.work_date <= end,
            total.status.in_(_values(WORKED_STATUSES)),  # type: ignore[attr-defined]
        )
        .group_by(key)
    ).all()
    return {
        int(ident): (int(ident), int(mins), int(billable), int(entries))
        for ident, mins, billable, entries in rows
    }


def _named(
    session: Session, rows: dict[int, tuple[int, int, int, int]], model: Any
) -> tuple[WorkloadRow, ...]:
    """Workload rows with the project's or person's name, most hours first."""
    if not rows:
        return ()
    found = session.execute(select(model.id, model.name).where(model.id.in_(list(rows))))
    names = {int(ident): str(name) for ident, name in found}
    views = [
        WorkloadRow(
            id=ident,
            name=names.get(ident, f"#{ident}"),
            minutes=mins,
            billable_minutes=billable,
            entries=entries,
        )
        for ident, mins, billable, entries in rows.values()
    ]
    return tuple(sorted(views, key=lambda r: (-r.minutes, r.name, r.id)))


# ==============================================================================================
# Administrator
# ==============================================================================================


def _client_balances(session: Session, today: date) -> dict[str, int]:
    """Invoiced, outstanding and overdue cents of client invoices, and how many are overdue."""
    inv = m.Invoice
    standing = (inv.kind != CREDIT_NOTE) & inv.status.not_in(  # type: ignore[attr-defined]
        (InvoiceStatus.DRAFT.value, InvoiceStatus.CANCELLED.value)
    )
    unpaid = (inv.kind != CREDIT_NOTE) & inv.status.in_(OPEN_INVOICE)  # type: ignore[attr-defined]
    late = unpaid & (inv.due_date < today)  # type: ignore[operator]
    due = inv.gross_cents - inv.paid_cents
    invoiced, outstanding, overdue, count = session.execute(
        select(
            _sum_if(standing, inv.gross_cents),
            _sum_if(unpaid, due),
            _sum_if(late, due),
            _sum_if(late, 1),
        ).where(inv.status != InvoiceStatus.DRAFT.value)
    ).one()
    return {
        "invoiced": int(invoiced),
        "outstanding": int(outstanding),
        "overdue": int(overdue),
        "overdue_count": int(count),
    }


def _received(session: Session) -> int:
    """Every payment received on client invoices."""
    return int(
        session.execute(
            select(_sum(m.Payment.amount_cents)).where(
                m.Payment.invoice_id.is_not(None)  # type: ignore[union-attr]
            )
        ).scalar_one()
    )


def _contractor_rows(session: Session, currency: str) -> tuple[ContractorSummaryRow, ...]:
    """Per contractor (and anyone else with a master invoice): count, invoiced, paid, owed.

    Invoiced counts every master invoice, drafts awaiting approval included; outstanding only
    approved and partially paid ones, as on the contractor's own dashboard.
    """
    mi = m.MasterInvoice
    owed = mi.status.in_(OWED_MASTER)  # type: ignore[attr-defined]
    sums = session.execute(
        select(
            mi.contractor_id,
            func.count(mi.id),
            _sum(mi.total_cents),
            _sum(mi.paid_cents),
            _sum_if(owed, mi.total_cents - mi.paid_cents),
        ).group_by(mi.contractor_id)
    ).all()
    figures = {int(row[0]): tuple(int(v) for v in row[1:]) for row in sums}
    people = session.execute(
        select(m.UserAccount.id, m.UserAccount.name).where(
            (
                m.UserAccount.role.in_(CONTRACTOR_ROLES)  # type: ignore[attr-defined]
                & m.UserAccount.is_active.is_(True)  # type: ignore[attr-defined]
            )
            | m.UserAccount.id.in_(list(figures))  # type: ignore[union-attr]
        )
    ).all()
    rows = []
    for ident, name in people:
        count, invoiced, paid, outstanding = figures.get(ident, (0, 0, 0, 0))
        rows.append(
            ContractorSummaryRow(
                user_id=ident,
                name=name,
                invoices=count,
                invoiced=Money(invoiced, currency),
                paid=Money(paid, currency),
                outstanding=Money(outstanding, currency),
            )
        )
    return tuple(sorted(rows, key=lambda r: (r.name, r.user_id)))


def _awaiting_approval(session: Session) -> int:
    """Master invoices still in draft."""
    return int(
        session.execute(
            select(func.count(m.MasterInvoice.id)).where(m.MasterInvoice.status == MI.DRAFT.value)
        ).scalar_one()
    )


# ==============================================================================================
# Client portal
# ==============================================================================================


def _client_company(session: Session, actor: Actor) -> int:
    """The company of a client user (read live), or PermissionDenied for anyone else."""
    row = session.execute(
        select(m.UserAccount.role, m.UserAccount.company_id).where(
            m.UserAccount.id == actor.user_id
        )
    ).one()
    if row.role != Role.CLIENT.value or row.company_id is None:
        raise PermissionDenied("The client portal is only for users of a client company.")
    return int(row.company_id)


Shares = dict[int, list[tuple[int, str, int]]]
"""Per invoice id: (project id, project name, weight) of the projects it bills."""


def _standing_invoices(session: Session, company_id: int) -> list[m.Invoice]:
    """The company's standing invoices (no drafts, credit notes or cancelled ones), by due date."""
    inv = m.Invoice
    return list(
        session.execute(
            select(inv)
            .where(
                inv.client_id == company_id,
                inv.kind != CREDIT_NOTE,
                inv.status.not_in(  # type: ignore[attr-defined]
                    (InvoiceStatus.DRAFT.value, InvoiceStatus.CANCELLED.value)
                ),
            )
            .order_by(inv.due_date, inv.issue_date, inv.id)
        ).scalars()
    )


def _project_shares(session: Session, invoices: list[m.Invoice]) -> Shares:
    """The projects each invoice bills: its own project, or for an invoice of a whole client
    the projects of its time lines weighted by their gross."""
    shares: Shares = defaultdict(list)
    own = {i.project_id for i in invoices if i.project_id is not None}
    found = session.execute(
        select(m.Project.id, m.Project.name).where(m.Project.id.in_(own))  # type: ignore[union-attr]
    )
    names = {int(ident): str(name) for ident, name in found}
    for invoice in invoices:
        if invoice.project_id is not None and invoice.id is not None:
            shares[invoice.id].append((invoice.project_id, names[invoice.project_id], 1))
    spread = [i.id for i in invoices if i.project_id is None and i.id is not None]
    for invoice_id, spread_shares in invoice_project_shares(session, spread).items():
        shares[invoice_id].extend(spread_shares)
    return shares


def _invoice_row(
    invoice: m.Invoice, shares: Shares, company_name: str, today: date
) -> ClientInvoiceRow:
    """One invoice as the portal lists it, overdue when unpaid past its due date."""
    project = ", ".join(name for _id, name, _w in shares.get(invoice.id or 0, []))
    due = invoice.gross_cents - invoice.paid_cents if invoice.status in OPEN_INVOICE else 0
    late = (today - invoice.due_date).days if invoice.due_date is not None else 0
    overdue = due > 0 and late > 0
    return ClientInvoiceRow(
        id=invoice.id or 0,
        number=invoice.number or "",
        kind=invoice.kind,
        client_id=invoice.client_id,
        client_name=company_name,
        project_name=project,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        status=invoice.status,
        display_status="overdue" if overdue else invoice.status,
        net=Money(invoice.net_cents, invoice.currency),
        vat=Money(invoice.vat_cents, invoice.currency),
        gross=Money(invoice.gross_cents, invoice.currency),
        paid=Money(invoice.paid_cents, invoice.currency),
        due=Money(due, invoice.currency),
        days_overdue=late if overdue else 0,
        sent_at=invoice.sent_at,
        paid_at=invoice.paid_at,
    )


def _pending_work(session: Session, project_ids: list[int]) -> tuple[int, int, int]:
    """(entries, minutes, value cents) of approved, not yet processed work on the projects."""
    if not project_ids:
        return 0, 0, 0
    total = m.TimeDayTotal
    entries, minutes, value = session.execute(
        select(_sum(total.entries), _sum(total.minutes), _sum(total.value_cents)).where(
            total.project_id.in_(project_ids),  # type: ignore[attr-defined]
            total.status.in_(_values(BILLING_STATUSES)),  # type: ignore[attr-defined]
        )
    ).one()
    return int(entries), int(minutes), int(value)


def _client_projects(
    session: Session,
    company_id: int,
    currency: str,
    invoices: list[m.Invoice],
    shares: Shares,
) -> tuple[ClientProjectRow, ...]:
    """The company's active projects with progress, approved hours and invoiced gross."""
    projects = (
        session.execute(
            select(m.Project)
            .where(
                m.Project.client_id == company_id,
                m.Project.is_active.is_(True),  # type: ignore[attr-defined]
                m.Project.status != "completed",
            )
            .order_by(m.Project.name, m.Project.id)
        )
        .scalars()
        .all()
    )
    ids = [p.id for p in projects]
    if not ids:
        return ()
    total = m.TimeDayTotal
    minutes = {
        int(ident): int(total_minutes)
        for ident, total_minutes in session.execute(
            select(total.project_id, _sum(total.minutes))
            .where(
                total.project_id.in_(ids),  # type: ignore[attr-defined]
                total.status.in_(_values(APPROVED_STATUSES)),  # type: ignore[attr-defined]
            )
            .group_by(total.project_id)
        )
    }
    invoiced = _invoiced_by_project(invoices, shares, currency)
    return tuple(
        ClientProjectRow(
            project_id=p.id or 0,
            name=p.name,
            status=p.status,
            progress_pct=p.progress_pct,
            valuation=p.valuation,
            contract_amount=(
                Money(p.contract_amount_cents, currency)
                if p.contract_amount_cents is not None
                else None
            ),
            minutes=minutes.get(p.id or 0, 0),
            invoiced=Money(invoiced.get(p.id or 0, 0), currency),
        )
        for p in projects
    )


def _invoiced_by_project(
    invoices: list[m.Invoice], shares: Shares, currency: str
) -> dict[int, int]:
    """Gross cents invoiced per project, an invoice of several projects shared by weight."""
    invoiced: dict[int, int] = defaultdict(int)
    for invoice in invoices:
        parts = shares.get(invoice.id or 0, [])
        weights = [weight for _id, _name, weight in parts]
        if not parts or sum(weights) == 0:
            continue
        pieces = Money(invoice.gross_cents, currency).allocate(weights)
        for (project_id, _name, _weight), piece in zip(parts, pieces, strict=True):
            invoiced[project_id] += piece.cents
    return invoiced
