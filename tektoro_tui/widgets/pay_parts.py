"""The pieces of the Pay screen and of the own-pay dashboard: table cells, a day's breakdown,
the period's summary and the lines of a dry run.

Everything here turns the payroll service's views into what is shown; every figure (minutes,
amounts, counts, totals) is the service's own. No service is called from here.
"""

from __future__ import annotations

from rich.text import Text

from ..domain.money import percent_text
from ..services.payroll.views import (
    FillResult,
    PayPeriod,
    PersonChoice,
    ShiftView,
    TransferResult,
    range_text,
)
from .formatting import hours, weekday
from .printer_detail import amount_cell, clipped

DAY_COLUMNS = ("Date", "Project", "Planned", "Actual", "Amount", "Status", "Marks")
CREW_COLUMNS = ("Employee", "Project", "Planned", "Actual", "Status", "Marks")
OWN_COLUMNS = ("Date", "Project", "Actual", "Amount", "Status")
TERMS_COLUMNS = ("From", "Hourly rate", "Over day", "Outside", "External", "By type of work")
IRREGULAR = "red"
"""How a day that is irregular and not approved is drawn: every cell red, the reasons bold."""


def person_key(person: PersonChoice) -> str:
    """How a form names the person to the service: the e-mail, else the id."""
    return person.email or str(person.id)


def person_options(people: tuple[PersonChoice, ...]) -> tuple[tuple[str, str], ...]:
    """The people as a drop-down's (label, value)."""
    return tuple((p.name, str(p.id)) for p in people)


def flagged(shift: ShiftView) -> bool:
    """Whether the day stands out in red: irregular and not approved (nor transferred)."""
    return bool(shift.irregular) and not shift.approved


def marks_text(shift: ShiftView) -> str:
    """The day's irregularities ('accepted: ...' once approved as they are)."""
    if not shift.irregular:
        return ""
    reasons = "; ".join(shift.irregular)
    return f"accepted: {reasons}" if shift.approved else reasons


def day_text(shift: ShiftView) -> str:
    """'2024-04-22 Mon'."""
    return f"{shift.shift_date.isoformat()} {weekday(shift.shift_date)}"


def _cell(text: str, shift: ShiftView, *, bold: bool = False) -> Text:
    if flagged(shift):
        return Text(text, style=f"bold {IRREGULAR}" if bold else IRREGULAR)
    if shift.transferred:
        return Text(text, style="dim")
    return Text(text)


def day_cells(shift: ShiftView) -> tuple[object, ...]:
    """One day of the Pay screen: an unsettled day has no actual end and no amount."""
    amount = "" if shift.pay is None else shift.pay.format()
    cells = (
        _cell(day_text(shift), shift),
        _cell(clipped(shift.project, 16), shift),
        _cell(shift.planned_text, shift),
        _cell(shift.actual_text, shift),
    )
    amount_text = amount_cell(amount)
    if flagged(shift):
        amount_text.stylize(IRREGULAR)
    return (
        *cells,
        amount_text,
        _cell(shift.status, shift, bold=True),
        _cell(marks_text(shift), shift, bold=True),
    )


def crew_cells(shift: ShiftView) -> tuple[object, ...]:
    """One shift of the crew's day: who, where, when, and what is irregular."""
    return (
        _cell(clipped(shift.employee, 18), shift),
        _cell(clipped(shift.project, 16), shift),
        _cell(shift.planned_text, shift),
        _cell(shift.actual_text, shift),
        _cell(shift.status, shift, bold=True),
        _cell(marks_text(shift), shift, bold=True),
    )


def own_cells(shift: ShiftView) -> tuple[str, ...]:
    """One day of the own-pay dashboard."""
    return (
        day_text(shift),
        clipped(shift.project, 16),
        shift.actual_text or "—",
        "" if shift.pay is None else shift.pay.format(),
        shift.status,
    )


def day_breakdown(shift: ShiftView) -> str:
    """The highlighted day: its times, each bucket of its pay (minutes, hourly rate with its
    supplement, amount) as copied when it was priced, its marks and its state."""
    what = " · ".join(x for x in (day_text(shift), shift.project, shift.work_type) if x)
    lines = [
        f"{what} · {shift.employee}",
        f"Planned {shift.planned_text or '—'} · actual {shift.actual_text or '—'} · lunch "
        f"{shift.lunch_minutes} min" + (f" · {shift.day_off}" if shift.day_off else ""),
    ]
    if not shift.settled:
        lines.append("Not settled: no actual start and end yet, so no amount.")
    elif shift.pay is None:
        lines.append("Settled; the pay is shown only to the employee and payroll.")
    else:
        for bucket in shift.buckets:
            supplement = f" (+{percent_text(bucket.percent_bp)} %)" if bucket.percent_bp else ""
            lines.append(
                f"  {bucket.name:<21}{hours(bucket.minutes):>6} h × "
                f"{bucket.hourly.format():>7}/h{supplement:<10}= {bucket.amount.format():>10}"
            )
        label = "Day's pay"
        lines.append(f"  {label:<51}= {shift.pay.format():>10}")
        if shift.rate is not None and shift.window_start is not None:
            window = (
                "no window (a day off)"
                if shift.window_start == shift.window_end
                else f"window {range_text(shift.window_start, shift.window_end)}"
            )
            lines.append(
                f"Priced with {shift.rate.format()}/h, {window}, a day of "
                f"{hours(shift.day_length or 0)} h"
            )
    if shift.custom_rates:
        lines.append(
            f"Own % rates: over the day +{percent_text(shift.over_day_bp or 0)} %, outside "
            f"the window +{percent_text(shift.outside_window_bp or 0)} %"
        )
    if shift.irregular:
        head = "Accepted as irregular" if shift.approved else "Irregular"
        lines.append(f"{head}: {'; '.join(shift.irregular)}")
    lines.append(_state(shift))
    if shift.note:
        lines.append(f"Note: {shift.note}")
    return "\n".join(lines)


def _state(shift: ShiftView) -> str:
    if shift.transferred:
        return "Transferred to accounting: it can no longer change."
    if shift.approved:
        return f"Approved by {shift.approved_by or 'payroll'}."
    if shift.settled:
        return "Settled; not approved yet."
    return "Not approved."


def period_summary(period: PayPeriod) -> str:
    """The counts of the period, its totals per project and in all, what was transferred."""
    counts = (
        f"{len(period.shifts)} day(s) · {period.unsettled} unsettled · {period.irregular} "
        f"irregular · {period.unapproved} not approved"
    )
    projects = " · ".join(
        f"{p.project} {hours(p.minutes)} h {p.amount.format()}" for p in period.by_project
    )
    total = (
        f"Period total {period.total} ({hours(period.minutes)} h: standard "
        f"{hours(period.standard_minutes)}, over the day {hours(period.over_day_minutes)}, "
        f"outside the window {hours(period.outside_minutes)})"
    )
    transferred = (
        "Transferred to accounting: "
        + "; ".join(
            f"{start.isoformat()} to {end.isoformat()} ({money})"
            for start, end, money in period.transferred
        )
        if period.transferred
        else "Nothing of this period is transferred to accounting yet."
    )
    lines = [counts]
    if projects:
        lines.append(f"By project: {projects}")
    lines += [total, transferred]
    return "\n".join(lines)


def fill_lines(result: FillResult) -> list[str]:
    """Each shift a batch fill sets: who, day, project, before and after."""
    return [
        f"{c.employee:<20} {c.shift_date.isoformat()}  {clipped(c.project, 18):<18} "
        f"{c.before or '-':>13} -> {c.after}"
        for c in result.changes
    ]


def transfer_lines(result: TransferResult) -> list[str]:
    """Each employee's part of a transfer: days, hours and pay."""
    return [
        f"{clipped(line.employee, 24):<24} {line.shifts:>3} day(s) {hours(line.minutes):>8} h "
        f"{line.total.format():>14}"
        for line in result.lines
    ]


def own_total(period: PayPeriod, running: ShiftView | None) -> str:
    """The own-pay dashboard's line under the days: the total and the clock's state."""
    clock = (
        f"Clocked in at {running.started_text} on {running.shift_date.isoformat()} "
        f"({running.project}): O clocks out."
        if running is not None
        else "Not clocked in: I clocks in."
    )
    unsettled = f", {period.unsettled} unsettled" if period.unsettled else ""
    return (
        f"{period.date_from.isoformat()} to {period.date_to.isoformat()}: {period.total} for "
        f"{hours(period.minutes)} h{unsettled}. {clock}"
    )
