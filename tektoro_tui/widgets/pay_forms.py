"""The forms of crew pay: a shift added or edited by hand, a crew's plan, the batch fill, the
transfer to accounting, clocking in, and an employee's pay terms (the HR tab).

Each form returns the payroll service's own form (or a small draft of what the screen passes
on), with the service's field names, so every problem it reports marks its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.money import optional_percent_text
from ..domain.timeparse import clock_text
from ..errors import Problem
from ..services.payroll.views import FILL_BOTH, FILL_END, ShiftForm, ShiftView, TermsForm, TermsView
from .dialogs.form import FormModal
from .fields import FieldSpec

Options = tuple[tuple[str, str], ...]

FILL_OPTIONS: Options = (
    ("End as planned where it is missing or over 15 min late", FILL_END),
    ("Start and end as planned where both are missing", FILL_BOTH),
)


def _choice_or_text(name: str, label: str, options: Options, placeholder: str) -> FieldSpec:
    """A drop-down of ``options``, or a text field when none could be read."""
    if options:
        return FieldSpec(name, label, kind="select", options=options, placeholder=placeholder)
    return FieldSpec(name, label, placeholder="name or id")


def _time(minute: int | None) -> str:
    return "" if minute is None else clock_text(minute)


# --- a shift ----------------------------------------------------------------------------------

RATE_SPECS = (
    FieldSpec("custom_rates", "Own % rates for this shift", kind="switch"),
    FieldSpec("over_day", "% over the day length", placeholder="with own % rates"),
    FieldSpec("outside_window", "% outside the window", placeholder="with own % rates"),
)
TIME_FIELDS = ("planned_start", "planned_end", "actual_start", "actual_end")


def shift_draft(shift: ShiftView) -> ShiftForm:
    """A shift as its edit form starts (times as clock times; past midnight rolls over)."""
    return ShiftForm(
        planned_start=_time(shift.planned_start),
        planned_end=_time(shift.planned_end),
        actual_start=_time(shift.actual_start),
        actual_end=_time(shift.actual_end),
        lunch=str(shift.lunch_minutes),
        custom_rates="yes" if shift.custom_rates else "no",
        over_day=optional_percent_text(shift.over_day_bp),
        outside_window=optional_percent_text(shift.outside_window_bp),
    )


def _texts(values: dict[str, Any], specs: tuple[FieldSpec, ...]) -> dict[str, str]:
    """What each field of ``specs`` holds, as the service's form takes it ("" if empty or
    nothing chosen)."""
    return {spec.name: str(values.get(spec.name) or "") for spec in specs}


def _rates(values: dict[str, Any]) -> dict[str, str]:
    custom = bool(values.get("custom_rates"))
    return {
        "custom_rates": "yes" if custom else "no",
        "over_day": values.get("over_day", "") if custom else "",
        "outside_window": values.get("outside_window", "") if custom else "",
    }


def shift_edit_modal(
    shift: ShiftView, types: Options, draft: ShiftForm, problems: tuple[Problem, ...]
) -> FormModal[ShiftForm]:
    """Changing a shift by hand, with the reason (required, kept with the before and after)."""
    specs = (
        FieldSpec("planned_start", "Planned start", placeholder="07:00"),
        FieldSpec("planned_end", "Planned end", placeholder="15:30"),
        FieldSpec("actual_start", "Actual start", placeholder="empty: not clocked in"),
        FieldSpec("actual_end", "Actual end", placeholder="empty: not clocked out"),
        FieldSpec("lunch", "Lunch break (minutes)"),
        _choice_or_text("work_type", "Type of work", types, "(as it is)"),
        *RATE_SPECS,
        FieldSpec("reason", "Reason for the change", placeholder="required: why it changes"),
    )
    had = {name: bool(getattr(draft, name).strip()) for name in TIME_FIELDS}

    def build(values: dict[str, Any]) -> ShiftForm:
        # a time emptied here clears it ("-"); blank would keep what is stored
        times = {name: values.get(name, "").strip() or ("-" if had[name] else "") for name in had}
        return ShiftForm(
            **times,
            lunch=values.get("lunch", ""),
            work_type=str(values.get("work_type") or ""),
            reason=values.get("reason", ""),
            **_rates(values),
        )

    return FormModal(
        f"Edit the shift of {shift.employee}, {shift.shift_date.isoformat()}",
        specs,
        draft,
        build,
        problems,
        intro="A change by hand is kept with its reason, before and after (audited); the "
        "day's approval is withdrawn and its pay worked out again. An end at or before the "
        "start is the next morning.",
    )


def shift_add_modal(
    people: Options,
    projects: Options,
    types: Options,
    draft: ShiftForm,
    problems: tuple[Problem, ...],
) -> FormModal[ShiftForm]:
    """One shift of one employee on one day (entered afterwards: actual = planned)."""
    texts = (
        _choice_or_text("employees", "Employee", people, "(choose)"),
        _choice_or_text("project", "Project", projects, "(choose)"),
        FieldSpec("shift_date", "Date", placeholder="YYYY-MM-DD"),
        FieldSpec("planned_start", "Planned start", placeholder="07:00"),
        FieldSpec("planned_end", "Planned end", placeholder="15:30"),
        FieldSpec("actual_start", "Actual start", placeholder="blank: as planned, if past"),
        FieldSpec("actual_end", "Actual end", placeholder="blank: as planned, if past"),
        FieldSpec("lunch", "Lunch break (minutes)", placeholder="blank: the firm's default"),
        _choice_or_text("work_type", "Type of work", types, "(none)"),
    )

    def build(values: dict[str, Any]) -> ShiftForm:
        return ShiftForm(**_texts(values, texts), **_rates(values))

    return FormModal(
        "Add a work shift",
        (*texts, *RATE_SPECS),
        draft,
        build,
        problems,
        intro="A day already past with no actual times is settled as planned (a shift entered "
        "afterwards). A day off may be entered: it is marked.",
    )


def plan_modal(
    projects: Options, types: Options, draft: ShiftForm, problems: tuple[Problem, ...]
) -> FormModal[ShiftForm]:
    """Planning a crew (several people, comma-separated) over a range of working days."""
    specs = (
        FieldSpec("employees", "Employees", placeholder="e-mails or names, comma-separated"),
        _choice_or_text("project", "Project", projects, "(choose)"),
        FieldSpec("shift_date", "From", placeholder="YYYY-MM-DD"),
        FieldSpec("date_to", "To", placeholder="blank: the first day only"),
        FieldSpec("planned_start", "Start", placeholder="07:00"),
        FieldSpec("planned_end", "End", placeholder="15:30"),
        FieldSpec("lunch", "Lunch break (minutes)", placeholder="blank: the firm's default"),
        _choice_or_text("work_type", "Type of work", types, "(none)"),
    )

    def build(values: dict[str, Any]) -> ShiftForm:
        return ShiftForm(**_texts(values, specs))

    return FormModal(
        "Plan work shifts",
        specs,
        draft,
        build,
        problems,
        intro="Every working day of the range (weekends and holidays of the firm's settings, "
        "days planned already on the project and transferred days are left out, and named).",
    )


# --- batch fill and the transfer ----------------------------------------------------------------


@dataclass(frozen=True)
class FillDraft:
    """A batch fill as chosen: which blanks, over which days, for whom."""

    mode: str = FILL_END
    date_from: str = ""
    date_to: str = ""
    everyone: bool = True
    employee: str = ""  # whom "this employee only" names to the service (set by the screen)


def fill_modal(
    employee: str, draft: FillDraft, problems: tuple[Problem, ...]
) -> FormModal[FillDraft]:
    """Choosing a batch fill; Save shows its dry run, nothing is written yet."""
    specs = (
        FieldSpec("mode", "Fill", kind="select", options=FILL_OPTIONS, allow_blank=False),
        FieldSpec("date_from", "From", placeholder="YYYY-MM-DD"),
        FieldSpec("date_to", "To", placeholder="YYYY-MM-DD"),
        FieldSpec("everyone", "Every employee", kind="switch"),
    )

    def build(values: dict[str, Any]) -> FillDraft:
        return FillDraft(
            str(values.get("mode") or FILL_END),
            values.get("date_from", "").strip(),
            values.get("date_to", "").strip(),
            bool(values.get("everyone")),
        )

    return FormModal(
        "Batch fill from the plan",
        specs,
        draft,
        build,
        problems,
        intro="Only shifts whose planned end has passed, not approved and not transferred; "
        f"every employee's, or {employee}'s only. Save shows exactly what would be written; "
        "nothing is written until you say Yes.",
    )


@dataclass(frozen=True)
class TransferDraft:
    """A transfer to accounting as chosen: the period, and for whom."""

    date_from: str = ""
    date_to: str = ""
    everyone: bool = True
    employee: str = ""  # whom "this employee only" names to the service (set by the screen)


def transfer_modal(
    employee: str, draft: TransferDraft, problems: tuple[Problem, ...]
) -> FormModal[TransferDraft]:
    """Choosing the period to transfer; Save shows each employee's total first."""
    specs = (
        FieldSpec("date_from", "From", placeholder="YYYY-MM-DD"),
        FieldSpec("date_to", "To", placeholder="YYYY-MM-DD, a day already past"),
        FieldSpec("everyone", "Every employee", kind="switch"),
    )

    def build(values: dict[str, Any]) -> TransferDraft:
        return TransferDraft(
            values.get("date_from", "").strip(),
            values.get("date_to", "").strip(),
            bool(values.get("everyone")),
        )

    return FormModal(
        "Transfer pay to accounting",
        specs,
        draft,
        build,
        problems,
        intro=f"Every employee's pay, or {employee}'s only. Every day of the period must be "
        "settled and approved. Once transferred, the period's shifts are locked by the "
        "database: nothing in it can change. Save shows the totals first.",
    )


# --- the clock ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockInDraft:
    """Where one starts working: the project and, if any, the type of work."""

    project: str = ""
    work_type: str = ""


def clock_in_modal(
    projects: Options, types: Options, draft: ClockInDraft, problems: tuple[Problem, ...]
) -> FormModal[ClockInDraft]:
    """Clocking in: today's planned shift on the project, or a new one (marked unplanned)."""
    specs = (
        _choice_or_text("project", "Project", projects, "(choose)"),
        _choice_or_text("work_type", "Type of work", types, "(as planned)"),
    )

    def build(values: dict[str, Any]) -> ClockInDraft:
        return ClockInDraft(str(values.get("project") or ""), str(values.get("work_type") or ""))

    return FormModal(
        "Clock in",
        specs,
        draft,
        build,
        problems,
        intro="Your working day starts now, on today's planned shift of the project (or a "
        "new one, marked as not planned).",
    )


# --- pay terms (the HR tab) ---------------------------------------------------------------------


def terms_draft(terms: TermsView | None, *, same_day: bool) -> TermsForm:
    """The terms form started from ``terms``: the same day (an edit) or a new date."""
    if terms is None:
        return TermsForm(external="no")
    return TermsForm(
        effective_from=terms.effective_from.isoformat() if same_day else "",
        hourly_rate=terms.hourly_rate.format(thousands=""),
        over_day=optional_percent_text(terms.over_day_bp),
        outside_window=optional_percent_text(terms.outside_window_bp),
        external="yes" if terms.external else "no",
        rates=terms.rates_text,
        note=terms.note,
    )


TERMS_SPECS = (
    FieldSpec("effective_from", "Effective from", placeholder="YYYY-MM-DD"),
    FieldSpec("hourly_rate", "Standard hourly rate", placeholder="gross, per hour"),
    FieldSpec("over_day", "Own % over the day length", placeholder="blank: the firm's"),
    FieldSpec("outside_window", "Own % outside the window", placeholder="blank: the firm's"),
    FieldSpec("external", "External (by subcontract)", kind="switch"),
    FieldSpec("rates", "Rates by type of work", placeholder="Roofing=50; Bricklaying=45"),
    FieldSpec("note", "Note"),
)


def terms_modal(
    employee: str, draft: TermsForm, problems: tuple[Problem, ...]
) -> FormModal[TermsForm]:
    """An employee's pay terms from a date on."""
    had_rates = bool(draft.rates.strip())

    def build(values: dict[str, Any]) -> TermsForm:
        return TermsForm(
            effective_from=values.get("effective_from", ""),
            hourly_rate=values.get("hourly_rate", ""),
            over_day=values.get("over_day", ""),
            outside_window=values.get("outside_window", ""),
            external="yes" if values.get("external") else "no",
            # emptied here clears the rates ("-"); blank would keep those saved on that date
            rates=values.get("rates", "").strip() or ("-" if had_rates else ""),
            note=values.get("note", ""),
        )

    return FormModal(
        f"Pay terms of {employee}",
        TERMS_SPECS,
        draft,
        build,
        problems,
        intro="The terms hold from their date until the next terms. Shifts from that date "
        "on, not transferred, are paid again by them (and lose their approval when their "
        "pay changes).",
    )
