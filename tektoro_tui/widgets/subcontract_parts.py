"""The pieces of the Subcontracts screens: table cells, the terms as text, the forms.

Everything here turns the subcontract service's views into what the screens show; no service
is called from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text

from ..domain.money import Money, percent_text
from ..domain.timeparse import clock_text, format_range
from ..errors import Problem
from ..services.subcontracts.views import (
    AgreementDetail,
    AgreementForm,
    AgreementRow,
    ReportForm,
    ReportView,
    ScheduleDay,
    ScheduleForm,
    StageForm,
    StageView,
)
from .dialogs.form import FormModal
from .fields import FieldSpec
from .formatting import hours
from .printer_detail import amount_cell, clipped

Options = tuple[tuple[str, Any], ...]

AGREEMENT_COLUMNS = (
    "Number",
    "Project",
    "Subcontractor",
    "Contract",
    "Paid",
    "Remaining",
    "Deadline",
    "Status",
)
DAY_COLUMNS = ("Date", "Foreman", "Planned", "Reported", "Amount", "Marks")
REPORT_COLUMNS = ("Date", "Foreman", "Hours", "People", "Type of work", "Rate", "Amount", "")
STAGE_COLUMNS = ("No.", "Date", "Paid", "Paid so far", "Description", "Closes")
FILE_COLUMNS = ("File", "Size", "Added by", "SHA-256")


def amount(value: Money | None) -> Text:
    """A right-aligned amount without its currency ('' for none)."""
    return amount_cell("" if value is None else value.format())


def agreement_cells(row: AgreementRow) -> tuple[object, ...]:
    """One row of the agreement list."""
    deadline = Text(row.deadline.isoformat(), style="bold red" if row.overdue else "")
    return (
        row.number,
        clipped(row.project_name, 14),
        clipped(row.subcontractor_name, 14),
        amount(row.contract_amount),
        amount(row.paid),
        amount(row.remaining),
        deadline,
        _status(row),
    )


def _status(row: AgreementRow) -> str:
    """Where it stands in a word or two, "T&M" first for a time-and-material one."""
    if row.work_completed:
        state = "done, paid" if row.fully_paid else "done"
    elif row.fully_paid:
        state = "paid"
    else:
        state = "overdue" if row.overdue else "active"
    return f"T&M {state}" if row.time_and_material else state


def heading(detail: AgreementDetail) -> str:
    """The agreement's heading: number, scope, parties and its money."""
    row = detail.row
    kind = (
        f"time and material at {detail.hourly_rate.format() if detail.hourly_rate else '-'}/h"
        if row.time_and_material
        else f"fixed {detail.fixed_amount.format() if detail.fixed_amount else '-'}"
    )
    late = " (overdue)" if row.overdue else ""
    return (
        f"{row.number} · {row.subcontractor_name} on {row.project_name} · {kind}\n"
        f"{clipped(row.scope, 76)}\n"
        f"Contract {row.contract_amount.format()} · paid {row.paid.format()} · remaining "
        f"{row.remaining.format()} {row.remaining.currency} · deadline {row.deadline}{late} · "
        f"{row.status_label}"
    )


def terms_text(detail: AgreementDetail) -> str:
    """The terms tab: dates, rates, % rates, note and who made it."""
    row = detail.row
    lines = [
        f"Contract date      {row.contract_date}",
        f"Deadline           {row.deadline} (the basis for payment)",
        "Time and material  " + ("yes" if row.time_and_material else "no"),
    ]
    if row.time_and_material:
        lines.append(
            f"Hourly rate        {detail.hourly_rate.format() if detail.hourly_rate else ''}"
        )
    else:
        lines.append(
            f"Fixed amount       {detail.fixed_amount.format() if detail.fixed_amount else ''}"
        )
    for special in detail.rates:
        lines.append(f"  {special.work_type:<17}{special.hourly_rate.format()}/h")
    lines += [
        f"Over the day       +{percent_text(detail.over_day_bp)} %",
        f"Outside the window +{percent_text(detail.outside_window_bp)} %",
        f"Reported           {hours(detail.reported_minutes)} person-hours, "
        f"{detail.reports_total.format()}",
        f"Made by            {detail.created_by}",
    ]
    if detail.note:
        lines.append(f"Note               {detail.note}")
    return "\n".join(lines)


def day_cells(day: ScheduleDay) -> tuple[object, ...]:
    """One day of the schedule: the plan beside the report, what differs marked."""
    plan, report = day.plan, day.report
    marks = Text("; ".join(day.differences), style="bold yellow" if day.differences else "")
    return (
        day.work_date.isoformat(),
        clipped(day.foreman, 12),
        (
            f"{format_range(plan.planned_start, plan.planned_end)} ×{plan.planned_headcount}"
            if plan
            else "—"
        ),
        (
            f"{format_range(report.actual_start, report.actual_end)} ×{report.headcount}"
            if report
            else "—"
        ),
        amount(report.amount) if report else "",
        marks,
    )


def report_cells(report: ReportView) -> tuple[object, ...]:
    """One daily report."""
    minutes = report.standard_minutes + report.over_day_minutes + report.outside_window_minutes
    return (
        report.report_date.isoformat(),
        clipped(report.foreman, 14),
        f"{format_range(report.actual_start, report.actual_end)} ({hours(minutes)})",
        str(report.headcount),
        clipped(report.work_type, 14),
        amount(report.hourly_rate),
        amount(report.amount),
        "settled" if report.settled else "",
    )


def stage_cells(stage: StageView) -> tuple[object, ...]:
    """One settlement stage."""
    closes = ", ".join(
        name
        for name, on in (("fully paid", stage.fully_paid), ("work done", stage.work_completed))
        if on
    )
    return (
        str(stage.stage),
        stage.settled_on.isoformat(),
        amount(stage.paid),
        amount(stage.paid_after),
        clipped(stage.description, 26),
        closes,
    )


# --- forms ------------------------------------------------------------------------------------


def agreement_specs(projects: Options, companies: Options) -> tuple[FieldSpec, ...]:
    """The agreement form's fields; a project or subcontractor is typed when none is offered."""
    project = (
        FieldSpec("project", "Project", kind="select", options=projects, placeholder="(choose)")
        if projects
        else FieldSpec("project", "Project (id, code or name)")
    )
    company = (
        FieldSpec(
            "subcontractor", "Subcontractor", kind="select", options=companies,
            placeholder="(choose)",
        )
        if companies
        else FieldSpec("subcontractor", "Subcontractor (id or name)")
    )  # fmt: skip
    return (
        project,
        company,
        FieldSpec("scope", "Scope of the contract"),
        FieldSpec("contract_date", "Contract date", placeholder="YYYY-MM-DD (blank: today)"),
        FieldSpec("deadline", "Deadline", placeholder="YYYY-MM-DD: the basis for payment"),
        FieldSpec("time_and_material", "Time and material", kind="switch"),
        FieldSpec("fixed_amount", "Fixed amount", placeholder="when not time and material"),
        FieldSpec("hourly_rate", "Hourly rate", placeholder="time and material"),
        FieldSpec("rates", "Rates by type of work", placeholder="Roofing=48; Scaffolding=38"),
        FieldSpec("over_day", "% over the day length", placeholder="blank: the firm's"),
        FieldSpec("outside_window", "% outside the window", placeholder="blank: the firm's"),
        FieldSpec("note", "Note"),
    )


def agreement_modal(
    title: str,
    specs: tuple[FieldSpec, ...],
    draft: AgreementForm,
    problems: tuple[Problem, ...],
) -> FormModal[AgreementForm]:
    """Making or editing an agreement."""

    had_rates, had_note = bool(draft.rates.strip()), bool(draft.note.strip())

    def build(values: dict[str, Any]) -> AgreementForm:
        tm = values.get("time_and_material")
        # a field emptied in an edit clears what was kept ("-"), as blank keeps it
        rates = values.get("rates", "").strip() or ("-" if had_rates else "")
        note = values.get("note", "").strip() or ("-" if had_note else "")
        return AgreementForm(
            project=str(values.get("project") or ""),
            subcontractor=str(values.get("subcontractor") or ""),
            scope=values.get("scope", ""),
            contract_date=values.get("contract_date", ""),
            deadline=values.get("deadline", ""),
            time_and_material="yes" if tm else "no",
            fixed_amount=values.get("fixed_amount", "") if not tm else "",
            hourly_rate=values.get("hourly_rate", "") if tm else "",
            rates=rates,
            over_day=values.get("over_day", ""),
            outside_window=values.get("outside_window", ""),
            note=note,
        )

    return FormModal(
        title,
        specs,
        draft,
        build,
        problems,
        intro="A fixed amount, or time and material: the amount then adds up from the daily "
        "reports. The % rates are copied from the firm's settings unless typed.",
    )


def agreement_draft(detail: AgreementDetail) -> AgreementForm:
    """An agreement as its edit form starts."""
    row = detail.row
    return AgreementForm(
        project=str(row.project_id),
        subcontractor=str(row.subcontractor_id),
        scope=row.scope,
        contract_date=row.contract_date.isoformat(),
        deadline=row.deadline.isoformat(),
        time_and_material="yes" if row.time_and_material else "no",
        fixed_amount=str(detail.fixed_amount.amount) if detail.fixed_amount else "",
        hourly_rate=str(detail.hourly_rate.amount) if detail.hourly_rate else "",
        rates="; ".join(f"{r.work_type}={r.hourly_rate.amount}" for r in detail.rates),
        over_day=percent_text(detail.over_day_bp),
        outside_window=percent_text(detail.outside_window_bp),
        note=detail.note,
    )


def plan_modal(
    number: str,
    types: Options,
    foremen: Options,
    draft: ScheduleForm,
    problems: tuple[Problem, ...],
) -> FormModal[ScheduleForm]:
    """Planning one working day, or every working day of a range."""
    specs = (
        FieldSpec("work_date", "First day", placeholder="YYYY-MM-DD"),
        FieldSpec("date_to", "Last day", placeholder="blank: the first day only"),
        FieldSpec("planned_start", "Planned start", placeholder="07:00"),
        FieldSpec("planned_end", "Planned end", placeholder="15:00"),
        FieldSpec(
            "work_type", "Type of work", kind="select", options=types, placeholder="(choose)"
        ),
        FieldSpec("foreman", "Foreman", kind="select", options=foremen, placeholder="(choose)"),
        FieldSpec("planned_headcount", "Planned people"),
        FieldSpec("custom_rates", "Own % rates", kind="switch"),
        FieldSpec("over_day", "% over the day length", placeholder="with own % rates"),
        FieldSpec("outside_window", "% outside the window", placeholder="with own % rates"),
        FieldSpec("note", "Note"),
    )

    def build(values: dict[str, Any]) -> ScheduleForm:
        return ScheduleForm(
            work_date=values.get("work_date", ""),
            date_to=values.get("date_to", ""),
            planned_start=values.get("planned_start", ""),
            planned_end=values.get("planned_end", ""),
            work_type=str(values.get("work_type") or ""),
            foreman=str(values.get("foreman") or ""),
            planned_headcount=values.get("planned_headcount", ""),
            custom_rates="yes" if values.get("custom_rates") else "no",
            over_day=values.get("over_day", "") if values.get("custom_rates") else "",
            outside_window=values.get("outside_window", "") if values.get("custom_rates") else "",
            note=values.get("note", ""),
        )

    return FormModal(
        f"Plan work: {number}",
        specs,
        draft,
        build,
        problems,
        intro="One working day, or every working day up to the last day (weekends and "
        "holidays of the firm's settings are left out). The lunch break stays blank.",
        field_names={"work_date": "work_date"},
    )


def report_modal(
    number: str,
    types: Options,
    foremen: Options,
    draft: ReportForm,
    problems: tuple[Problem, ...],
    *,
    editing: bool = False,
) -> FormModal[ReportForm]:
    """A crew's daily report (a foreman's own crew: no foreman to choose)."""
    fields = [
        FieldSpec("report_date", "Date", placeholder="YYYY-MM-DD"),
        FieldSpec("actual_start", "Start", placeholder="07:00"),
        FieldSpec("actual_end", "End", placeholder="15:30"),
        FieldSpec("headcount", "People"),
        FieldSpec(
            "work_type", "Type of work", kind="select", options=types,
            placeholder="(as planned)",
        ),
    ]  # fmt: skip
    if foremen and not editing:
        fields.append(
            FieldSpec(
                "foreman", "Foreman", kind="select", options=foremen,
                placeholder="(the day's planned foreman)",
            )
        )  # fmt: skip
    fields.append(FieldSpec("note", "Note"))

    def build(values: dict[str, Any]) -> ReportForm:
        return ReportForm(
            report_date=values.get("report_date", ""),
            actual_start=values.get("actual_start", ""),
            actual_end=values.get("actual_end", ""),
            headcount=values.get("headcount", ""),
            work_type=str(values.get("work_type") or ""),
            foreman=str(values.get("foreman") or ""),
            note=values.get("note", ""),
        )

    return FormModal(
        f"{'Correct the' if editing else 'Daily'} report: {number}",
        tuple(fields),
        draft,
        build,
        problems,
        intro="When the crew worked and how many. A day is no longer corrected once a "
        "settlement stage is dated on or after it.",
    )


def report_draft(report: ReportView) -> ReportForm:
    """A report as its correction form starts."""
    return ReportForm(
        report_date=report.report_date.isoformat(),
        actual_start=clock_text(report.actual_start),
        actual_end=clock_text(report.actual_end),
        headcount=str(report.headcount),
        work_type="",
        note=report.note,
    )


STAGE_SPECS = (
    FieldSpec("amount", "Paid amount", placeholder="negative to correct an earlier stage"),
    FieldSpec("settled_on", "Date", placeholder="YYYY-MM-DD (blank: today)"),
    FieldSpec("description", "Payment description", placeholder="In accordance with the contract"),
    FieldSpec("fully_paid", "Contract fully paid", kind="switch"),
    FieldSpec("work_completed", "Contractual work completed", kind="switch"),
)


def stage_modal(
    row: AgreementRow, draft: StageForm, problems: tuple[Problem, ...]
) -> FormModal[StageForm]:
    """Settling a stage, with what is paid and what remains above it."""

    def build(values: dict[str, Any]) -> StageForm:
        return StageForm(
            amount=values.get("amount", ""),
            settled_on=values.get("settled_on", ""),
            description=values.get("description", ""),
            fully_paid=bool(values.get("fully_paid")),
            work_completed=bool(values.get("work_completed")),
        )

    return FormModal(
        f"Settle: {row.number}",
        STAGE_SPECS,
        draft,
        build,
        problems,
        intro=(
            f"Contract amount {row.contract_amount.format()}, paid so far "
            f"{row.paid.format()}, remaining {row.remaining.format()} {row.remaining.currency}. "
            "Fully paid may close it for less (say why); work completed moves it to the "
            "completed list. A stage never changes once settled."
        ),
    )


@dataclass
class FileDraft:
    """The path of a file to keep with an agreement, as typed."""

    path: str = ""


def file_modal(
    number: str, draft: FileDraft, problems: tuple[Problem, ...]
) -> FormModal[FileDraft]:
    """Keeping a file (the signed contract) with an agreement."""
    return FormModal(
        f"Keep a file with {number}",
        (FieldSpec("path", "Path of the file"),),
        draft,
        lambda values: FileDraft(path=values.get("path", "")),
        problems,
        intro="The file is kept in the database (10 MB at most) with its size, SHA-256 and "
        "who added it; it is never changed afterwards.",
        field_names={"file": "path", "file_name": "path"},
    )
