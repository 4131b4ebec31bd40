"""Read models and forms of the seven-stage time pipeline (DESIGN.md section 5).

Shared by the time, WIP and invoice services and by both faces, so that the
TUI and the CLI show the same figures. Forms carry text as typed; services
validate them and report every problem at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...domain.money import Money
from .summary import ProjectHours as ProjectHours

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
    owners: frozenset[int] | None = None
    """Whose entries the filter covers (None: anybody's), for a screen to tell which changes
    can alter it."""


@dataclass(frozen=True)
class Skipped:
    """An entry a batch action left alone, and why."""

    entry_id: int
    reason: str
    field: str | None = None  # the form field whose value made it skip, when one did


PAST_TENSE = {
    "edit": "Edited",
    "delete": "Deleted",
    "accept": "Accepted",
    "approve": "Approved",
    "reject": "Rejected",
    "allocate": "Allocated",
    "release": "Released",
    "process": "Processed",
}
"""Each batch action as a person reads it once done."""


@dataclass(frozen=True)
class BatchResult:
    """What a batch action changed (or, on a dry run, would change)."""

    action: str
    dry_run: bool
    entry_ids: tuple[int, ...]
    totals: Totals
    skipped: tuple[Skipped, ...] = ()

    @property
    def done(self) -> str:
        """The action in the past tense, for a message: "Accepted", "Released"."""
        return PAST_TENSE.get(self.action, self.action.capitalize())


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
    settled_by_invoices: bool = False  # billed by settlement invoices: never billed here


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
