"""Read models and forms of the seven-stage time pipeline (DESIGN.md section 5).

Shared by the time, WIP and invoice services and by both faces, so that the
TUI and the CLI show the same figures. Forms carry text as typed; services
validate them and report every problem at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..domain.money import Money

# --- Time Card / Time Report / Approvals ---------------------------------------------------


@dataclass(frozen=True)
class TimeCardForm:
    """A time card as typed. ``owner_id`` None means the acting user's own card."""

    project_id: int | None
    task_id: int | None
    activity_id: int | None
    rate_code_id: int | None
    time_spent: str
    work_date: str = ""  # blank = today in the organisation's time zone
    description: str = ""
    billable: bool = True
    owner_id: int | None = None


@dataclass(frozen=True)
class TimeEntryView:
    """One time entry as the Time Report, Approvals and WIP show it."""

    id: int
    owner_id: int
    owner_name: str
    entered_by_name: str
    work_date: date
    project_id: int
    project_name: str
    client_id: int
    client_name: str
    task_name: str
    activity_name: str
    rate_code_name: str
    minutes: int
    start_minute: int | None
    end_minute: int | None
    description: str
    billable: bool
    status: str
    pay_status: str
    rate: Money
    value: Money
    rejection_reason: str
    allocation: str | None
    write_down: Money
    write_down_reason: str
    write_down_note: str
    hold_until: date | None
    document_id: int | None
    task_id: int = 0  # the codes' ids, so an edit form can start from the entry's choices
    activity_id: int = 0
    rate_code_id: int = 0
    entered_by_id: int = 0
    version: int = 1  # bumped by every change; lets a screen notice a concurrent edit


@dataclass(frozen=True)
class ReportFilter:
    """What the Time Report (and exports of it) show. None means no restriction."""

    date_from: date | None = None
    date_to: date | None = None
    owner_id: int | None = None
    project_id: int | None = None
    client_id: int | None = None
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Totals:
    """Count, time and value of a set of entries."""

    entries: int
    minutes: int
    value: Money


@dataclass(frozen=True)
class EntryPage:
    """One keyset page of entries plus the totals of everything the filter matches."""

    items: tuple[TimeEntryView, ...]
    next_after: tuple[object, ...] | None
    totals: Totals


@dataclass(frozen=True)
class Skipped:
    """An entry a batch action left alone, and why."""

    entry_id: int
    reason: str


@dataclass(frozen=True)
class BatchResult:
    """What a batch action changed (or, on a dry run, would change)."""

    action: str
    dry_run: bool
    entry_ids: tuple[int, ...]
    totals: Totals
    skipped: tuple[Skipped, ...] = ()


@dataclass(frozen=True)
class ContributorSummary:
    """Approvals: one staff member's accepted entries awaiting the supervisor."""

    user_id: int
    name: str
    totals: Totals


# --- WIP ----------------------------------------------------------------------------------

ALLOCATIONS = ("bill", "write_down", "hold")
WRITE_DOWN_REASONS = (
    "Non-billable",
    "Over budget",
    "Training / learning time",
    "Rework / correction",
    "Goodwill",
    "Fixed-price cap",
    "Other",
)


@dataclass(frozen=True)
class AllocationForm:
    """How to allocate WIP entries, as typed.

    ``bill`` may carry a partial write-down (``write_down_amount`` per entry, blank for
    none); ``write_down`` writes off the whole value unless an amount is given; ``hold``
    keeps entries until ``hold_until`` (blank = until released).
    """

    kind: str
    write_down_amount: str = ""
    reason: str = ""
    note: str = ""
    hold_until: str = ""


@dataclass(frozen=True)
class WipGroup:
    """WIP totals of one client and project."""

    client_id: int
    client_name: str
    project_id: int
    project_name: str
    unallocated: Totals
    to_bill: Totals
    written_down: Money
    on_hold: Totals


@dataclass(frozen=True)
class DocumentSummary:
    """A document record produced (or, on a dry run, to be produced) by processing WIP."""

    id: int | None
    reference: str
    kind: str  # 'invoice' or 'write_down'
    client_id: int
    client_name: str
    project_id: int | None
    project_name: str
    entries: int
    minutes: int
    value: Money
    billed: Money
    written_down: Money
    invoice_id: int | None = None
    invoice_number: str | None = None


@dataclass(frozen=True)
class ProcessResult:
    """The outcome of processing WIP."""

    dry_run: bool
    documents: tuple[DocumentSummary, ...]
    totals: Totals
    billed: Money
    written_down: Money


@dataclass(frozen=True)
class RealisationRow:
    """Billed against written-down value for one client or one staff member."""

    key_id: int
    name: str
    value: Money
    billed: Money
    written_down: Money
    realisation_bp: int  # billed / value in basis points (10000 = 100 %)


# --- Documenter, Invoice Printer, Account Revenue -----------------------------------------


@dataclass(frozen=True)
class InvoiceLineView:
    """A line of a draft or issued invoice."""

    id: int
    position: int
    kind: str  # time, adjustment, expense, markup, service
    description: str
    detail: str
    minutes: int | None
    unit_price: Money | None
    net: Money
    vat_bp: int
    vat: Money
    gross: Money
    expense_date: date | None
    reason: str


@dataclass(frozen=True)
class VatBreakdown:
    """Net, VAT and gross of one VAT rate on an invoice."""

    rate_bp: int
    net: Money
    vat: Money
    gross: Money


@dataclass(frozen=True)
class InvoiceView:
    """A client invoice, draft or issued, with its lines and totals."""

    id: int
    number: str | None
    kind: str
    status: str
    client_id: int
    client_name: str
    project_id: int | None
    document_id: int | None
    document_reference: str
    issue_date: date | None
    due_date: date | None
    currency: str
    vat_mode: str
    lines: tuple[InvoiceLineView, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    net: Money
    vat: Money
    gross: Money
    paid: Money
    due: Money
    markup_bp: int
    markup_on_whole: bool
    commentary: str
    attached_text: str
    payment_terms_id: int | None
    payment_terms_text: str
    footer: str
    overdue_notice_days: int | None
    credited_invoice_id: int | None
    issued_at: datetime | None
    booked_at: datetime | None
    due_days: int | None = None  # payment days after the issue date (drafts show only this)
    line_count: int | None = None
    """How many lines the invoice has when ``lines`` holds only the first of them (read with a
    line limit); None when ``lines`` is every line."""

    @property
    def total_lines(self) -> int:
        """How many lines the invoice has, whether or not all of them were read."""
        return len(self.lines) if self.line_count is None else self.line_count


@dataclass(frozen=True)
class DraftForm:
    """The Documenter's editable fields of a draft invoice, as typed."""

    commentary: str = ""
    attached_text: str = ""
    markup_percent: str = "0"
    markup_on_whole: bool = False
    payment_terms_id: int | None = None
    due_days: str = ""  # blank = the organisation's default payment deadline
    vat_rate: str = ""  # blank = the organisation's default VAT rate, applied to time lines


@dataclass(frozen=True)
class AdjustmentForm:
    """A ± amount with a reason, on one line (``line_id``) or the invoice as a whole."""

    amount: str
    reason: str
    line_id: int | None = None
    vat_rate: str = ""


@dataclass(frozen=True)
class ExpenseForm:
    """An out-of-pocket expense passed on to the client."""

    expense_date: str
    description: str
    amount: str
    vat_rate: str = ""


@dataclass(frozen=True)
class PaymentForm:
    """A client payment as typed (recognising revenue)."""

    amount: str
    paid_on: str
    method: str = "wire"
    reference: str = ""
    account_holder: str = ""
    account_number: str = ""


PAYMENT_METHODS = ("wire", "ach", "check", "cash", "card", "other")


@dataclass(frozen=True)
class PaymentView:
    """A recorded payment (account number masked unless shown to an administrator)."""

    id: int
    invoice_id: int | None
    master_invoice_id: int | None
    method: str
    paid_on: date
    amount: Money
    account_holder: str
    account_number: str
    reference: str
    recorded_by_name: str
    recorded_at: datetime


@dataclass(frozen=True)
class RevenueRow:
    """Recognised revenue (payments received) of one month, client and project."""

    month: str  # YYYY-MM
    client_id: int
    client_name: str
    project_id: int | None
    project_name: str
    amount: Money


@dataclass(frozen=True)
class AgingRow:
    """What one client owes as of a date, by days past due."""

    client_id: int
    client_name: str
    current: Money
    days_1_30: Money
    days_31_60: Money
    days_61_90: Money
    over_90: Money
    total: Money
    invoices: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class DocumentLineView:
    """A frozen line of a document record: the copy of one processed time entry."""

    id: int
    document_id: int
    time_entry_id: int
    work_date: date
    person_name: str
    project_name: str
    task_name: str
    activity_name: str
    description: str
    minutes: int
    rate: Money
    value: Money
    billed: Money
    written_down: Money
    write_down_reason: str
