"""What the payroll service hands out and takes in: frozen rows and forms of text fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...domain.money import Money
from ...domain.timeparse import clock_text

MAX_PLAN_DAYS = 366
MAX_PERIOD_DAYS = 366
MAX_LUNCH_MINUTES = 240
FILL_END = "end"
FILL_BOTH = "both"
FILL_MODES = (FILL_END, FILL_BOTH)


def time_text(minute: int | None) -> str:
    """A shift's time: "07:00", "02:00+1" past midnight, "" when not known."""
    if minute is None:
        return ""
    days = minute // (24 * 60)
    return clock_text(minute) + (f"+{days}" if days else "")


def range_text(start: int | None, end: int | None) -> str:
    """A shift's span: "07:00-15:30", "22:00-06:00+1", "07:00-" while open, "" unknown."""
    if start is None and end is None:
        return ""
    return f"{time_text(start)}-{time_text(end)}"


@dataclass(frozen=True)
class TermsForm:
    """An employee's pay terms as typed on the HR tab (every field text)."""

    effective_from: str = ""
    hourly_rate: str = ""
    over_day: str = ""  # own % over the day length; blank: the organisation's
    outside_window: str = ""  # own % outside the window; blank: the organisation's
    external: str = ""  # yes | no (blank: no)
    rates: str = ""  # "Roofing=45.00; Bricklaying=40" (non-standard rates by type of work)
    note: str = ""


@dataclass(frozen=True)
class TermsView:
    """An employee's pay terms from a date on."""

    id: int
    version: int
    employee_id: int
    effective_from: date
    external: bool
    hourly_rate: Money
    over_day_bp: int | None
    outside_window_bp: int | None
    rates: tuple[tuple[str, Money], ...]
    note: str

    @property
    def rates_text(self) -> str:
        """The non-standard rates as they are typed."""
        return "; ".join(f"{name}={money.amount}" for name, money in self.rates)


@dataclass(frozen=True)
class ShiftForm:
    """A work shift as typed. ``employees`` names one person (or several, comma-separated,
    when planning a crew) by e-mail, name or #id; blanks of an edit keep what is stored."""

    employees: str = ""
    project: str = ""
    shift_date: str = ""
    date_to: str = ""  # planning: the last day of the range
    work_type: str = ""
    planned_start: str = ""
    planned_end: str = ""
    actual_start: str = ""  # "-" empties it (an edit)
    actual_end: str = ""
    lunch: str = ""  # minutes; blank: the organisation's default lunch
    custom_rates: str = ""  # yes | no: the shift's own % rates
    over_day: str = ""
    outside_window: str = ""
    reason: str = ""  # why a shift is changed by hand (required for an edit)


@dataclass(frozen=True)
class Bucket:
    """One rate of a day's pay: its minutes, the hourly rate with its supplement, money."""

    name: str
    minutes: int
    percent_bp: int
    hourly: Money
    amount: Money


@dataclass(frozen=True)
class ShiftView:
    """One shift as the Pay screen and the CLI show it (pay only to who may see it)."""

    id: int
    version: int
    employee_id: int
    employee: str
    project_id: int
    project: str
    work_type: str
    shift_date: date
    planned_start: int | None
    planned_end: int | None
    actual_start: int | None
    actual_end: int | None
    lunch_minutes: int
    custom_rates: bool
    over_day_bp: int | None
    outside_window_bp: int | None
    settled: bool
    pay: Money | None
    buckets: tuple[Bucket, ...]
    rate: Money | None  # the copy it was priced with (only to who may see its pay)
    window_start: int | None
    window_end: int | None
    day_length: int | None
    day_off: str
    irregular: tuple[str, ...]
    approved: bool
    approved_by: str
    transferred: bool
    note: str

    @property
    def planned_text(self) -> str:
        """The planned span."""
        return range_text(self.planned_start, self.planned_end)

    @property
    def actual_text(self) -> str:
        """The actual span (empty end while open or unsettled)."""
        return range_text(self.actual_start, self.actual_end)

    @property
    def started_text(self) -> str:
        """When work started, as a clock time ("07:02"; "" before the clock-in)."""
        return time_text(self.actual_start)

    @property
    def status(self) -> str:
        """One word for the day's state."""
        if self.transferred:
            return "transferred"
        if not self.settled:
            return "unsettled"
        if self.approved:
            return "approved"
        return "irregular" if self.irregular else "settled"


@dataclass(frozen=True)
class ProjectTotal:
    """A project's share of a period's pay."""

    project: str
    minutes: int
    amount: Money


@dataclass(frozen=True)
class PayPeriod:
    """One employee's days over a period, with what is unsettled, irregular or not approved,
    and the totals per project and for the period (settled days only)."""

    employee_id: int
    employee: str
    date_from: date
    date_to: date
    shifts: tuple[ShiftView, ...]
    unsettled: int
    irregular: int
    unapproved: int
    standard_minutes: int
    over_day_minutes: int
    outside_minutes: int
    by_project: tuple[ProjectTotal, ...]
    total: Money
    transferred: tuple[tuple[date, date, Money], ...]

    @property
    def minutes(self) -> int:
        """Every paid minute of the settled days."""
        return self.standard_minutes + self.over_day_minutes + self.outside_minutes


@dataclass(frozen=True)
class PlanResult:
    """Shifts made by planning a range, and the days left out with the reason."""

    created: tuple[ShiftView, ...]
    skipped: tuple[tuple[str, date, str], ...]


@dataclass(frozen=True)
class FillChange:
    """One shift a batch fill sets (or would set), before and after."""

    shift_id: int
    employee: str
    shift_date: date
    project: str
    before: str
    after: str


@dataclass(frozen=True)
class FillResult:
    """What a batch fill wrote (or, as a dry run, would write)."""

    mode: str
    changes: tuple[FillChange, ...]
    dry_run: bool


@dataclass(frozen=True)
class ApproveResult:
    """Days approved, and the days left as they were with the reason."""

    approved: tuple[ShiftView, ...]
    skipped: tuple[tuple[ShiftView, str], ...]


@dataclass(frozen=True)
class TransferLine:
    """One employee's part of a transfer to accounting."""

    employee_id: int
    employee: str
    shifts: int
    minutes: int
    total: Money


@dataclass(frozen=True)
class TransferResult:
    """A period transferred to accounting (or, as a dry run, what would be)."""

    date_from: date
    date_to: date
    lines: tuple[TransferLine, ...]
    total: Money
    dry_run: bool


@dataclass(frozen=True)
class PersonChoice:
    """Someone who can be paid, for the forms' choices."""

    id: int
    name: str
    email: str

    @property
    def key(self) -> str:
        """How a form names the person."""
        return self.email or f"#{self.id}"
