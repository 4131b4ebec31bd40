"""Read models of the role dashboards and the financial metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...domain.money import Money
from ..contractor_invoices.views import ComplianceRow
from ..invoicing.views import ClientInvoiceRow

# ==============================================================================================
# Dashboards
# ==============================================================================================

DASHBOARD_PERIODS = ("week", "month")


@dataclass(frozen=True)
class PeriodHours:
    """Hours of one period (a week or a month)."""

    label: str  # "2026-03" or "2026-W11"
    start: date
    end: date  # inclusive
    minutes: int


@dataclass(frozen=True)
class StatusCount:
    """A count (and sum) under one status."""

    status: str
    count: int
    minutes: int = 0
    amount: Money | None = None


@dataclass(frozen=True)
class ContractorDashboard:
    """A contractor's (staff member's) own figures."""

    user_id: int
    user_name: str
    period: str  # week or month
    current: PeriodHours
    previous: PeriodHours
    change_minutes: int
    change_pct: str | None  # "+12.5%", None when the previous period had no hours
    outstanding_pay: Money  # unpaid (approved or partially paid) master invoices
    unpaid_invoices: int
    tickets: tuple[StatusCount, ...]  # draft, pending, approved, rejected
    unread_notifications: int


@dataclass(frozen=True)
class WorkloadRow:
    """Hours on one project, or of one team member, in the chosen period."""

    id: int
    name: str
    minutes: int
    billable_minutes: int
    entries: int

    @property
    def billable_share_pct(self) -> str:
        """Billable share of the hours, e.g. "87.5%" ("-" with no hours)."""
        if not self.minutes:
            return "-"
        return f"{self.billable_minutes * 100 / self.minutes:.1f}%"


@dataclass(frozen=True)
class ManagerDashboard:
    """A manager's view of approvals, workload and team productivity for a period."""

    period_start: date
    period_end: date
    master_invoices: tuple[
        StatusCount, ...
    ]  # draft (awaiting approval), approved, partially_paid, paid
    projects: tuple[WorkloadRow, ...]
    members: tuple[WorkloadRow, ...]
    team_minutes: int
    team_billable_minutes: int
    pending_approvals: int  # entries waiting for this manager's approval (Approvals' list)
    firm_pending_approvals: int | None = None  # the whole firm's, for approve-any holders


@dataclass(frozen=True)
class ContractorSummaryRow:
    """Invoiced amount and count of one contractor's master invoices."""

    user_id: int
    name: str
    invoices: int
    invoiced: Money
    paid: Money
    outstanding: Money


@dataclass(frozen=True)
class AdminDashboard:
    """The administrator's financial summary, contractors and compliance."""

    invoiced: Money  # gross of the issued client invoices that stand (credit notes cancel)
    paid: Money  # received on them (gross)
    revenue: Money  # recognised: the net of VAT of what was received
    outstanding: Money
    overdue: Money
    overdue_count: int
    contractors: tuple[ContractorSummaryRow, ...]
    contractors_outstanding: Money
    awaiting_approval: int  # master invoices in draft
    # Contractors with something missing/expired/expiring; None when the viewer does not keep
    # the register (an empty tuple would claim that every document is valid).
    compliance: tuple[ComplianceRow, ...] | None
    may_generate: bool = False  # the viewer may generate master invoices (the g key)


@dataclass(frozen=True)
class ClientProjectRow:
    """A client's active project with its progress."""

    project_id: int
    name: str
    status: str
    progress_pct: int
    valuation: str
    contract_amount: Money | None
    minutes: int
    invoiced: Money


@dataclass(frozen=True)
class ClientDashboard:
    """The client portal's figures: only the client's own company."""

    company_id: int
    company_name: str
    outstanding: Money
    overdue: Money
    open_invoices: tuple[ClientInvoiceRow, ...]
    paid_total: Money
    paid_invoices: tuple[ClientInvoiceRow, ...]
    pending_entries: int  # approved work being billed
    pending_minutes: int
    pending_value: Money
    projects: tuple[ClientProjectRow, ...]


@dataclass(frozen=True)
class CrewRow:
    """An agreement whose crew a foreman leads, with what is planned and what to report."""

    number: str
    project_name: str
    scope: str
    next_day: date | None  # the next planned day from today
    planned_ahead: int  # planned days from today on
    unreported: tuple[date, ...]  # planned days up to today without a report, oldest first
    reports: int
    last_report: date | None


@dataclass(frozen=True)
class ForemanDashboard:
    """A subcontractor's foreman's home: the agreements of the crews they lead."""

    user_name: str
    company_name: str
    crews: tuple[CrewRow, ...]


Dashboard = (
    ContractorDashboard | ManagerDashboard | AdminDashboard | ClientDashboard | ForemanDashboard
)


# ==============================================================================================
# Financial metrics
# ==============================================================================================

METRIC_TABLES = ("hours_by_status", "revenue_by_status", "projects", "weekly", "monthly", "roles")
HOURS_STATUSES = ("draft", "pending", "approved", "paid")


@dataclass(frozen=True)
class SeriesPoint:
    """One week or month of the time series."""

    label: str
    start: date
    minutes: int
    billable_minutes: int
    value: Money  # billing value of the hours


@dataclass(frozen=True)
class ProjectMetric:
    """Hours and income of one project."""

    project_id: int
    name: str
    client_name: str
    minutes: int
    billable_minutes: int
    value: Money  # billing value of its time
    invoiced: Money  # net of issued invoices, less credit notes
    revenue: Money  # recognised: the net of VAT of the payments received


@dataclass(frozen=True)
class RoleTickets:
    """Ticket counts of the people of one role."""

    role: str
    people: int
    draft: int
    pending: int
    approved: int
    rejected: int
    minutes: int


@dataclass(frozen=True)
class MetricsReport:
    """Everything the Financial metrics screen shows."""

    date_from: date
    date_to: date
    hours_by_status: tuple[StatusCount, ...]  # draft, pending, approved, paid
    revenue_by_status: tuple[StatusCount, ...]  # client invoice display statuses, net of VAT
    projects: tuple[ProjectMetric, ...]
    weekly: tuple[SeriesPoint, ...]
    monthly: tuple[SeriesPoint, ...]
    roles: tuple[RoleTickets, ...]
