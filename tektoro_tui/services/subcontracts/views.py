"""What the subcontract service hands out and takes in: frozen rows and forms of text fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...domain.money import Money

STATUS_ACTIVE = "active"
STATUS_COMPLETED = "completed"
STATUSES = (STATUS_ACTIVE, STATUS_COMPLETED, "all")

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""The largest file kept with an agreement (the signed contract as a scan)."""

MAX_HEADCOUNT = 500
MAX_PLAN_DAYS = 366
LATE_MINUTES = 15
"""A report's start or end this many minutes off the plan (or more) is marked."""


@dataclass(frozen=True)
class AgreementForm:
    """An agreement as typed: every field text; blanks of an edit keep what is stored."""

    project: str = ""
    subcontractor: str = ""
    scope: str = ""
    contract_date: str = ""
    deadline: str = ""
    time_and_material: str = ""  # yes | no
    fixed_amount: str = ""
    hourly_rate: str = ""
    rates: str = ""  # "Roofing=55.00; Bricklaying=48" (non-standard hourly rates by type)
    over_day: str = ""  # % for hours over the day length (organisation default)
    outside_window: str = ""  # % for hours outside the working window (organisation default)
    note: str = ""


@dataclass(frozen=True)
class AgreementFilter:
    """Filters of the agreement list; empty fields filter nothing."""

    status: str = STATUS_ACTIVE  # active | completed | all
    project_id: int | None = None
    subcontractor_id: int | None = None
    time_and_material: bool | None = None
    overdue: bool = False  # deadline passed, work not completed
    search: str = ""  # part of the number, scope, project or subcontractor
    project: str = ""  # a project's id, code or name (as typed)
    subcontractor: str = ""  # a subcontractor's id or name (as typed)
    limit: int = 200
    offset: int = 0


@dataclass(frozen=True)
class AgreementRow:
    """One agreement of the list with its money at a glance."""

    id: int
    version: int
    number: str
    project_id: int
    project_name: str
    subcontractor_id: int
    subcontractor_name: str
    scope: str
    contract_date: date
    deadline: date
    time_and_material: bool
    contract_amount: Money
    paid: Money
    remaining: Money
    fully_paid: bool
    work_completed: bool
    overdue: bool

    @property
    def status_label(self) -> str:
        """Where the agreement stands, in words."""
        if self.work_completed:
            return "Work completed" + (", fully paid" if self.fully_paid else "")
        return "Active" + (", fully paid" if self.fully_paid else "")


@dataclass(frozen=True)
class AgreementList:
    """A page of agreements, how many match in all and their money in all."""

    rows: tuple[AgreementRow, ...]
    total: int
    contract_amount: Money
    paid: Money
    remaining: Money


@dataclass(frozen=True)
class RateView:
    """A non-standard hourly rate for a type of work."""

    work_type_id: int
    work_type: str
    hourly_rate: Money


@dataclass(frozen=True)
class AttachmentView:
    """A file kept with an agreement (its bytes are fetched on demand)."""

    id: int
    file_name: str
    size_bytes: int
    sha256: str
    added_by: str
    added_at: object


@dataclass(frozen=True)
class StageView:
    """A settlement stage."""

    id: int
    stage: int
    settled_on: date
    paid: Money
    paid_before: Money
    contract_amount: Money
    description: str
    fully_paid: bool
    work_completed: bool
    created_by: str

    @property
    def paid_after(self) -> Money:
        """Paid so far once this stage was settled."""
        return self.paid_before + self.paid


@dataclass(frozen=True)
class ScheduleView:
    """A planned working day beside what its daily report says."""

    id: int
    version: int
    work_date: date
    planned_start: int
    planned_end: int
    work_type: str
    foreman_contact_id: int
    foreman: str
    planned_headcount: int
    custom_rates: bool
    over_day_bp: int | None
    outside_window_bp: int | None
    note: str


@dataclass(frozen=True)
class ReportView:
    """A daily report, priced."""

    id: int
    version: int
    agreement_id: int
    agreement_number: str
    schedule_id: int | None
    report_date: date
    foreman_contact_id: int
    foreman: str
    actual_start: int
    actual_end: int
    headcount: int
    work_type: str
    note: str
    hourly_rate: Money
    over_day_bp: int
    outside_window_bp: int
    standard_minutes: int
    over_day_minutes: int
    outside_window_minutes: int
    amount: Money
    settled: bool  # on or before the last settlement stage's date: no longer corrected


@dataclass(frozen=True)
class ScheduleDay:
    """One day of the schedule view: the plan, the report and what differs between them."""

    work_date: date
    foreman: str
    plan: ScheduleView | None
    report: ReportView | None
    differences: tuple[str, ...]


@dataclass(frozen=True)
class AgreementDetail:
    """An agreement with everything kept with it."""

    row: AgreementRow
    fixed_amount: Money | None
    hourly_rate: Money | None
    over_day_bp: int
    outside_window_bp: int
    note: str
    created_by: str
    rates: tuple[RateView, ...]
    attachments: tuple[AttachmentView, ...]
    stages: tuple[StageView, ...]
    days: tuple[ScheduleDay, ...]
    reports: tuple[ReportView, ...]  # the ones the viewer sees, oldest first
    reports_total: Money
    reported_minutes: int  # person-minutes of every report


@dataclass(frozen=True)
class ScheduleForm:
    """A planned working day (or, with ``date_to``, every working day of a range)."""

    work_date: str = ""
    date_to: str = ""  # plan: the last day of the range
    planned_start: str = ""
    planned_end: str = ""
    work_type: str = ""
    foreman: str = ""  # a contact of the subcontractor: name or id
    planned_headcount: str = ""
    custom_rates: str = ""  # yes | no
    over_day: str = ""
    outside_window: str = ""
    note: str = ""


@dataclass(frozen=True)
class PlanResult:
    """What "plan these days" made and what it left out, with why."""

    created: tuple[ScheduleView, ...]
    skipped: tuple[tuple[date, str], ...]


@dataclass(frozen=True)
class ReportForm:
    """A daily report as typed."""

    report_date: str = ""
    actual_start: str = ""
    actual_end: str = ""
    headcount: str = ""
    work_type: str = ""  # blank: the plan's
    foreman: str = ""  # blank: the day's planned foreman (a foreman's own login: always them)
    note: str = ""


@dataclass(frozen=True)
class StageForm:
    """A settlement stage as typed."""

    amount: str = ""
    settled_on: str = ""
    description: str = ""
    fully_paid: bool = False
    work_completed: bool = False


@dataclass(frozen=True)
class StageResult:
    """A stage settled (or, in a dry run, what it would be) and the agreement after it."""

    stage: StageView
    agreement: AgreementRow
    dry_run: bool
