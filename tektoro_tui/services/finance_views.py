"""Read models and forms of payments, contractor and client invoices, terms, dashboards, metrics.

The services of issue 4 (``payables``, ``receivables``, ``terms``, ``compliance``,
``dashboards``, ``metrics``, ``changes``) return these frozen values; the TUI and the CLI show
them and never see ORM rows. Forms carry text exactly as typed; the services validate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..domain.money import Money
from .pipeline_views import PaymentView

# ==============================================================================================
# Contractor master invoices (payables)
# ==============================================================================================

CONTRACTOR_PAYMENT_METHODS = ("wire", "ach", "check", "other")
"""How the firm pays a contractor (the seed's wire transfer, ACH, check, other)."""

MASTER_INVOICE_STATUS_LABELS = {
    "draft": "Awaiting approval",
    "approved": "Approved",
    "partially_paid": "Partially paid",
    "paid": "Paid",
}


@dataclass(frozen=True)
class ContractorOption:
    """A person who may be paid for tickets, for the generator's picker."""

    id: int
    name: str
    email: str
    role: str
    pay_rate: Money
    unbilled_minutes: int  # approved tickets not yet on a master invoice
    unbilled_entries: int


@dataclass(frozen=True)
class MasterInvoiceForm:
    """What the administrator types to generate a master invoice.

    ``contractor`` is a user id or e-mail; the period is inclusive; a blank ``issue_date``
    means today in the organisation's time zone.
    """

    contractor: str
    period_start: str
    period_end: str
    issue_date: str = ""


@dataclass(frozen=True)
class MasterInvoiceLineView:
    """One ticket on a master invoice (or its preview), at the contractor's pay rate."""

    time_entry_id: int
    work_date: date
    project_name: str
    task_name: str
    description: str
    minutes: int
    pay_rate: Money
    amount: Money


@dataclass(frozen=True)
class MasterInvoicePreview:
    """What generating would write, before anything is written."""

    contractor_id: int
    contractor_name: str
    period_start: date
    period_end: date
    issue_date: date
    lines: tuple[MasterInvoiceLineView, ...]
    total_minutes: int
    total: Money
    skipped: tuple[str, ...] = ()  # e.g. "2 tickets of the period are not approved yet"


@dataclass(frozen=True)
class MasterInvoiceView:
    """A contractor master invoice with its lines and payments (when asked for one invoice)."""

    id: int
    number: str
    contractor_id: int
    contractor_name: str
    period_start: date
    period_end: date
    issue_date: date
    status: str  # draft (awaiting approval), approved, partially_paid, paid
    total_minutes: int
    total: Money
    paid: Money
    due: Money
    created_by_name: str
    approved_by_name: str
    approved_at: datetime | None
    paid_at: datetime | None
    entries: int = 0
    lines: tuple[MasterInvoiceLineView, ...] = ()
    payments: tuple[PaymentView, ...] = ()

    @property
    def status_label(self) -> str:
        """The status as people say it."""
        return MASTER_INVOICE_STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class ContractorPaymentForm:
    """A payment to a contractor, as typed."""

    amount: str
    paid_on: str
    method: str = "wire"
    account_holder: str = ""
    account_number: str = ""
    reference: str = ""


@dataclass(frozen=True)
class ContractorPaymentResult:
    """The outcome of recording a contractor payment.

    ``mail_status`` says what happened to the e-mail to the contractor: "" while the invoice is
    not fully paid, otherwise "sent to …", "not sent: …" or "no SMTP configured".
    """

    invoice: MasterInvoiceView
    payment: PaymentView
    notified: bool
    mail_status: str = ""


@dataclass(frozen=True)
class NotificationView:
    """An in-app message for the signed-in user."""

    id: int
    kind: str
    message: str
    created_at: datetime
    read: bool


# ==============================================================================================
# Client invoices (receivables)
# ==============================================================================================

CLIENT_INVOICE_STATUSES = (
    "issued",
    "sent",
    "partially_paid",
    "overdue",
    "paid",
    "booked",
    "cancelled",
)
"""The statuses the Client invoices list shows and filters by ("overdue" is derived: unpaid and
past its due date)."""


@dataclass(frozen=True)
class ClientInvoiceFilter:
    """Filters of the Client invoices list; empty fields filter nothing."""

    status: str = ""  # one of CLIENT_INVOICE_STATUSES
    client_id: int | None = None
    date_from: date | None = None  # issue date
    date_to: date | None = None
    search: str = ""  # part of the number or the client's name
    include_credit_notes: bool = True


@dataclass(frozen=True)
class ClientInvoiceRow:
    """One issued invoice or credit note in the Client invoices list or the client portal."""

    id: int
    number: str
    kind: str
    client_id: int
    client_name: str
    project_name: str
    issue_date: date | None
    due_date: date | None
    status: str  # stored status
    display_status: str  # status with "overdue" derived
    gross: Money
    paid: Money
    due: Money
    days_overdue: int
    sent_at: datetime | None
    paid_at: datetime | None
    credited_by: str = ""  # number of the credit note that cancelled it


@dataclass(frozen=True)
class ClientInvoiceList:
    """The filtered list with its totals (None when currencies differ)."""

    rows: tuple[ClientInvoiceRow, ...]
    total_gross: Money | None
    total_paid: Money | None
    total_due: Money | None


@dataclass(frozen=True)
class MarkPaidForm:
    """Marking a client invoice paid: a payment of everything still due.

    A blank ``paid_on`` means today. In the client portal only the reference is asked for.
    """

    paid_on: str = ""
    method: str = "wire"
    reference: str = ""
    account_holder: str = ""
    account_number: str = ""


@dataclass(frozen=True)
class SendResult:
    """A client invoice marked sent, and what happened to the e-mail to the client."""

    invoice: ClientInvoiceRow
    mail_status: str


# ==============================================================================================
# Payment-terms templates
# ==============================================================================================

TERMS_KINDS = ("standard", "instructions", "late_fee")
TERMS_KIND_LABELS = {
    "standard": "Standard terms",
    "instructions": "Payment instructions",
    "late_fee": "Late-fee policy",
}


@dataclass(frozen=True)
class TermsForm:
    """A payment-terms template as typed."""

    name: str
    kind: str
    body: str


@dataclass(frozen=True)
class TermsView:
    """A payment-terms template in the library."""

    id: int
    name: str
    kind: str
    body: str
    used_on: int  # issued invoices that carry a copy of its text
    created_at: datetime
    updated_at: datetime | None

    @property
    def kind_label(self) -> str:
        """The kind as people say it."""
        return TERMS_KIND_LABELS.get(self.kind, self.kind)


# ==============================================================================================
# Compliance documents
# ==============================================================================================

DOCUMENT_TYPES = ("contract", "tax_form", "insurance", "nda", "certificate", "other")
REQUIRED_DOCUMENT_TYPES = ("contract", "tax_form", "insurance")
DOCUMENT_TYPE_LABELS = {
    "contract": "Contract",
    "tax_form": "Tax form",
    "insurance": "Insurance certificate",
    "nda": "Non-disclosure agreement",
    "certificate": "Certificate",
    "other": "Other",
}
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class ContractorDocumentForm:
    """A compliance document as typed; ``contractor`` is a user id or e-mail."""

    contractor: str
    doc_type: str
    file_path: str = ""
    expires_on: str = ""  # blank = does not expire


@dataclass(frozen=True)
class ContractorDocumentView:
    """A document in the register, with whether it is still valid."""

    id: int
    user_id: int
    user_name: str
    doc_type: str
    file_path: str
    expires_on: date | None
    state: str  # valid, expiring (within EXPIRY_WARNING_DAYS), expired


@dataclass(frozen=True)
class ComplianceRow:
    """One contractor's compliance: required documents missing, expired or expiring soon."""

    user_id: int
    user_name: str
    missing: tuple[str, ...]
    expired: tuple[str, ...]
    expiring: tuple[str, ...]

    @property
    def compliant(self) -> bool:
        """Nothing missing and nothing expired."""
        return not self.missing and not self.expired


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
    pending_approvals: int  # accepted tickets waiting for approval


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

    invoiced: Money  # issued client invoices (net of credit notes)
    paid: Money  # received on them
    outstanding: Money
    overdue: Money
    overdue_count: int
    contractors: tuple[ContractorSummaryRow, ...]
    contractors_outstanding: Money
    awaiting_approval: int  # master invoices in draft
    compliance: tuple[ComplianceRow, ...]  # contractors with something missing/expired/expiring


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


Dashboard = ContractorDashboard | ManagerDashboard | AdminDashboard | ClientDashboard


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
    invoiced: Money  # issued invoices, net of credit notes
    received: Money  # payments received


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
    revenue_by_status: tuple[StatusCount, ...]  # client invoice display statuses, gross
    projects: tuple[ProjectMetric, ...]
    weekly: tuple[SeriesPoint, ...]
    monthly: tuple[SeriesPoint, ...]
    roles: tuple[RoleTickets, ...]


# ==============================================================================================
# Real-time feed
# ==============================================================================================


@dataclass(frozen=True)
class ChangeView:
    """One change of the real-time feed: which entity changed and how."""

    id: int
    entity: str  # table name: invoice, payment, time_entry, master_invoice, ...
    entity_id: str | None
    action: str
    occurred_at: datetime


@dataclass(frozen=True)
class ChangeBatch:
    """The changes seen by one wake-up of a subscription."""

    changes: tuple[ChangeView, ...]

    @property
    def entities(self) -> frozenset[str]:
        """The tables touched."""
        return frozenset(change.entity for change in self.changes)
