"""The pay rule for a working day: how its minutes split into rates, and what they cost.

One rule for everything paid by the hour on a site (DESIGN.md §9): a subcontractor's daily
report (headcount × hours × rate) and, with crew pay, an employee's work shift. Pure functions
of whole minutes and integer cents; nothing here reads a clock or a database.

The rule, in the organisation's words:

* minutes inside the working window count towards the day length in time order: the first
  day-length minutes are paid at the standard rate, the rest at the over-day % rate;
* minutes outside the window are paid at the outside % rate;
* the lunch break is unpaid: it is taken out of the minutes inside the window (where a lunch
  falls), and only what it exceeds of them out of the minutes outside;
* a % rate is a supplement on the standard rate: 50 % pays an hour at 1.5 × the rate;
* each bucket's money is rounded half-up to the cent, then the buckets are summed (wages are
  rounded the same way whatever the firm's rounding of invoices);
* several pieces of one day (two shifts, a shift split at midnight) count towards the day
  length together: each piece is split with the minutes the day has counted before it.

The seed's own example: window 07:00-17:00, an 8 h day, work from 07:00 to 15:30 gives 8 h at
the standard rate and 0:30 at the over-day rate.
"""

from __future__ import annotations

from dataclasses import dataclass

from .rounding import RoundingMode, divide_to_int

HALF_UP = RoundingMode.HALF_UP

MINUTES_PER_DAY = 24 * 60
BP = 10_000


@dataclass(frozen=True)
class PayRules:
    """The organisation's (or an agreement's, or a day's own) working-time settings.

    ``window_start``/``window_end`` are minutes after midnight; ``day_length`` minutes;
    ``over_day_bp``/``outside_bp`` the supplements in basis points (5000 = 50 %).
    """

    window_start: int
    window_end: int
    day_length: int
    over_day_bp: int
    outside_bp: int

    def __post_init__(self) -> None:
        if not 0 <= self.window_start <= self.window_end <= MINUTES_PER_DAY:
            raise ValueError("the working window must lie within one day, start before end")
        if self.day_length < 0 or self.over_day_bp < 0 or self.outside_bp < 0:
            raise ValueError("the day length and the % rates cannot be negative")


@dataclass(frozen=True)
class PaySplit:
    """A day's paid minutes by rate (per person)."""

    standard: int
    over_day: int
    outside: int

    @property
    def total(self) -> int:
        """Every paid minute."""
        return self.standard + self.over_day + self.outside


def split_minutes(
    start: int, end: int, rules: PayRules, lunch: int = 0, *, counted: int = 0
) -> PaySplit:
    """The paid minutes of work from ``start`` to ``end`` (minutes after midnight; an ``end``
    past 1440 runs into the next morning) split by rate, ``counted`` minutes of the day's
    window time having gone towards the day length before this piece.

    Raises:
        ValueError: an end not after the start, a day longer than 24 hours, a negative lunch
            or a lunch as long as the work.
    """
    if not 0 <= start < MINUTES_PER_DAY:
        raise ValueError("the start must be a time of day")
    if end <= start:
        raise ValueError("the end must be after the start")
    if end - start > MINUTES_PER_DAY:
        raise ValueError("a working day cannot be longer than 24 hours")
    if lunch < 0 or lunch >= end - start:
        raise ValueError("the lunch break must be shorter than the work")
    if counted < 0:
        raise ValueError("the minutes counted before cannot be negative")
    inside = _overlap(start, end, rules.window_start, rules.window_end)
    if end > MINUTES_PER_DAY:  # the next morning's window, when the work runs past midnight
        inside += _overlap(
            start, end, rules.window_start + MINUTES_PER_DAY, rules.window_end + MINUTES_PER_DAY
        )
    outside = end - start - inside
    unpaid_inside = min(lunch, inside)
    inside -= unpaid_inside
    outside -= lunch - unpaid_inside
    standard = min(inside, max(rules.day_length - counted, 0))
    return PaySplit(standard=standard, over_day=inside - standard, outside=outside)


@dataclass(frozen=True)
class PayAmounts:
    """What each bucket of a day costs, rounded half-up to the cent, and their sum."""

    standard: int
    over_day: int
    outside: int

    @property
    def total(self) -> int:
        """The day's pay: the buckets summed."""
        return self.standard + self.over_day + self.outside


def bucket_amounts(
    split: PaySplit, hourly_rate_cents: int, rules: PayRules, *, headcount: int = 1
) -> PayAmounts:
    """What ``headcount`` people working ``split`` cost at ``hourly_rate_cents`` an hour,
    bucket by bucket, each rounded half-up to the cent.

    Raises:
        ValueError: a negative rate or headcount.
    """
    if hourly_rate_cents < 0 or headcount < 0:
        raise ValueError("the rate and the headcount cannot be negative")
    per_hour = headcount * hourly_rate_cents

    def bucket(minutes: int, supplement_bp: int) -> int:
        return divide_to_int(per_hour * minutes * (BP + supplement_bp), 60 * BP, HALF_UP)

    return PayAmounts(
        standard=bucket(split.standard, 0),
        over_day=bucket(split.over_day, rules.over_day_bp),
        outside=bucket(split.outside, rules.outside_bp),
    )


def amount_cents(
    split: PaySplit, hourly_rate_cents: int, rules: PayRules, *, headcount: int = 1
) -> int:
    """The day's pay: :func:`bucket_amounts` summed.

    Raises:
        ValueError: a negative rate or headcount.
    """
    return bucket_amounts(split, hourly_rate_cents, rules, headcount=headcount).total


def _overlap(start: int, end: int, low: int, high: int) -> int:
    return max(0, min(end, high) - max(start, low))


def day_off_rules(rules: PayRules) -> PayRules:
    """The rules of a day off (a weekday the firm does not work, a holiday): there is no
    working window, so every minute is paid at the outside % rate."""
    return PayRules(0, 0, rules.day_length, rules.over_day_bp, rules.outside_bp)


# --------------------------------------------------------------------------------------------
# Irregularities of a work shift
# --------------------------------------------------------------------------------------------

FAR_FROM_PLAN = 15
"""Minutes a start or end may differ from the plan before the shift is marked."""
LONGEST_SHIFT = 16 * 60
"""Minutes a shift may last before it is marked as too long."""


@dataclass(frozen=True)
class ShiftTimes:
    """A shift's times as minutes from one fixed origin (``day_origin`` = the shift date's
    ordinal × 1440), so shifts of different days compare; ``None`` where not known."""

    shift_id: int
    day_origin: int
    planned_start: int | None
    planned_end: int | None
    actual_start: int | None
    actual_end: int | None
    project_id: int = 0
    """Where the shift is (its project: the place a crew member clocks in at)."""

    def span(self, now: int) -> tuple[int, int] | None:
        """The absolute minutes the shift occupies: an open shift until its planned end (or,
        unplanned, until ``now``, at most 16 hours)."""
        if self.actual_start is None:
            return None
        start = self.day_origin + self.actual_start
        if self.actual_end is not None:
            return start, self.day_origin + self.actual_end
        if self.planned_end is not None and self.planned_end > self.actual_start:
            return start, self.day_origin + self.planned_end
        return start, max(start + 1, min(now, start + LONGEST_SHIFT))


def irregularities(
    shift: ShiftTimes, others: tuple[ShiftTimes, ...], now: int, day_off: str = ""
) -> tuple[str, ...]:
    """Why a shift needs a look before it is paid, in words (empty when it is regular).

    ``others`` are the same employee's other shifts near it, ``now`` the present moment in
    the same minutes, ``day_off`` what the day is when it is no working day ("Sunday",
    "holiday: Christmas").
    """
    found: list[str] = []
    planned = shift.planned_start is not None and shift.planned_end is not None
    if shift.actual_start is not None and shift.actual_end is None:
        due = (
            shift.day_origin + shift.planned_end
            if shift.planned_end is not None
            else shift.day_origin + shift.actual_start + LONGEST_SHIFT
        )
        if now > due + FAR_FROM_PLAN:
            found.append("no clock-out")
    if not planned and shift.actual_start is not None:
        found.append("not planned")
        if _planned_elsewhere(shift, others, now):
            found.append("clocked in at another project than planned")
    if planned and shift.actual_start is None and _worked_elsewhere(shift, others, now):
        found.append("worked at another project that day")
    if planned and shift.actual_start is not None:
        assert shift.planned_start is not None
        gap = shift.actual_start - shift.planned_start
        if abs(gap) > FAR_FROM_PLAN:
            found.append(f"start {_signed(gap)} from plan")
    if planned and shift.actual_end is not None:
        assert shift.planned_end is not None
        gap = shift.actual_end - shift.planned_end
        if abs(gap) > FAR_FROM_PLAN:
            found.append(f"end {_signed(gap)} from plan")
    if (
        shift.actual_start is not None
        and shift.actual_end is not None
        and shift.actual_end - shift.actual_start > LONGEST_SHIFT
    ):
        found.append("longer than 16 h")
    mine = shift.span(now)
    if mine is not None:
        for other in others:
            theirs = other.span(now)
            if (
                other.shift_id != shift.shift_id
                and theirs is not None
                and mine[0] < theirs[1]
                and theirs[0] < mine[1]
            ):
                found.append("overlaps another shift")
                break
    if day_off and (shift.actual_start is not None or planned):
        found.append(f"work on {day_off}")
    return tuple(found)


def _planned_span(shift: ShiftTimes) -> tuple[int, int] | None:
    """The absolute minutes of a plan not started yet (None for any other shift)."""
    if shift.planned_start is None or shift.planned_end is None or shift.actual_start is not None:
        return None
    return shift.day_origin + shift.planned_start, shift.day_origin + shift.planned_end


def _kept_instead(kept: ShiftTimes, plan: ShiftTimes, now: int) -> bool:
    """Whether ``kept`` (time kept without a plan) fell in the hours of ``plan`` (planned, not
    started) at another project: the crew member was somewhere other than planned, the seed's
    irregular place of login. A plan later in the day, or at the same project, is no such
    thing."""
    if kept.project_id == plan.project_id or kept.planned_start is not None:
        return False
    planned, worked = _planned_span(plan), kept.span(now)
    return (
        planned is not None
        and worked is not None
        and worked[0] < planned[1]
        and planned[0] < worked[1]
    )


def _planned_elsewhere(shift: ShiftTimes, others: tuple[ShiftTimes, ...], now: int) -> bool:
    return any(_kept_instead(shift, other, now) for other in others)


def _worked_elsewhere(shift: ShiftTimes, others: tuple[ShiftTimes, ...], now: int) -> bool:
    return any(_kept_instead(other, shift, now) for other in others)


def _signed(minutes: int) -> str:
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"
