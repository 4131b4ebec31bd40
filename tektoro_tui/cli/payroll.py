"""CLI commands of crew pay (DESIGN.md §9, seed 003 "Employee remuneration").

``tektoro shift plan|add|list|show|crew|edit|delete|fill``, ``tektoro clock in|out|status``,
``tektoro pay show|approve|transfer|terms|set-terms`` and ``tektoro export pay``. Every
command acts as the user of the stored CLI session, prints JSON with ``--json`` and exits 1
with the reason on stderr when refused, naming the option at fault as it is typed
(``--start``, not the form's ``planned_start``). ``shift fill --dry-run`` and ``pay transfer
--dry-run`` check everything and write nothing; a transfer refused lists every day in its way
on stderr, one a line, before the refusal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..domain.money import percent_text
from ..domain.wording import counted
from ..errors import Problem, ValidationError
from .common import (
    DbOption,
    JsonOption,
    ProjectOpt,
    VersionOpt,
    current_actor,
    fail,
    id_value,
    one_line,
    progress_line,
    services_for,
)
from .common import money_text as _m
from .pipeline import DryRun, emit, export_app, hours, jsonable

if TYPE_CHECKING:
    from ..services.payroll.views import (
        ApproveResult,
        FillResult,
        PayPeriod,
        ShiftForm,
        ShiftView,
        TermsView,
        TransferResult,
    )

shift_app = typer.Typer(
    help="Work shifts: plan a crew, add, list, edit, delete, batch-fill from the plan.",
    no_args_is_help=True,
)
clock_app = typer.Typer(help="Clock in and out of your working day.", no_args_is_help=True)
pay_app = typer.Typer(
    help="Crew pay: the month's settlement, approval, transfer to accounting, pay terms.",
    no_args_is_help=True,
)

OPTION_NAMES = {
    "employees": "--employee",
    "employee": "--employee",
    "project": "--project",
    "shift_date": "--date",
    "date_from": "--from",
    "date_to": "--to",
    "work_type": "--work-type",
    "planned_start": "--start",
    "planned_end": "--end",
    "actual_start": "--actual-start",
    "actual_end": "--actual-end",
    "lunch": "--lunch",
    "custom_rates": "--custom-rates",
    "over_day": "--over-day",
    "outside_window": "--outside-window",
    "reason": "--reason",
    "mode": "--mode",
    "format": "--format",
    "effective_from": "--from",
    "hourly_rate": "--rate",
    "external": "--external",
    "rates": "--rates",
    "note": "--note",
}
"""The option a problem of the payroll service's forms is about, as it is typed here."""

EmployeeOpt = Annotated[str, typer.Option("--employee", help="E-mail, id or exact name.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")]
FirstDay = Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")]
LastDay = Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")]
WorkTypeOpt = Annotated[
    str, typer.Option("--work-type", help="Type of work (the firm's list; '-' none on an edit).")
]
LunchOpt = Annotated[
    str, typer.Option("--lunch", help="Unpaid lunch break in minutes (default: the firm's).")
]
CustomOpt = Annotated[
    str, typer.Option("--custom-rates", help="yes: the shift has its own % rates (below).")
]
OverOpt = Annotated[
    str, typer.Option("--over-day", help="% for hours over the day length (own rates).")
]
OutsideOpt = Annotated[
    str, typer.Option("--outside-window", help="% for hours outside the working window.")
]
ActualStartOpt = Annotated[
    str, typer.Option("--actual-start", help="When work really started ('-' empties it).")
]
ActualEndOpt = Annotated[
    str, typer.Option("--actual-end", help="When work really ended ('-' empties it).")
]
ReasonOpt = Annotated[
    str, typer.Option("--reason", help="Why, in words (kept with the shift and in the audit log).")
]
Employee = Annotated[
    str, typer.Argument(help="The employee: e-mail, id or exact name.", metavar="EMAIL")
]
ShiftId = Annotated[
    int, typer.Argument(help="Work shift number (see shift list).", parser=id_value)
]


@contextmanager
def _as_typed(**names: str) -> Iterator[None]:
    """Refusals of the service's forms naming the options as typed here (``--start``)."""
    chosen = {**OPTION_NAMES, **names}
    try:
        yield
    except ValidationError as refused:
        raise ValidationError(
            [Problem(chosen.get(p.field, p.field), p.message) for p in refused.problems],
            title=refused.title if refused.titled else None,
        ) from None


# --- printing ------------------------------------------------------------------------------


def _actual_text(view: ShiftView) -> str:
    """The actual span; an unsettled day shows no end (the seed: no end, no amount)."""
    from ..services.payroll.views import range_text

    if view.settled:
        return view.actual_text
    return range_text(view.actual_start, None)


def _marks(view: ShiftView) -> str:
    return f"  ! {'; '.join(view.irregular)}" if view.irregular else ""


def _shift_data(view: ShiftView) -> dict[str, Any]:
    """A shift as JSON, with its spans and status as the lines show them."""
    data: dict[str, Any] = jsonable(view)
    data.update(planned=view.planned_text, actual=_actual_text(view), status=view.status)
    return data


def _print_shift(view: ShiftView, *, with_pay: bool) -> None:
    pay = f" {(_m(view.pay) if view.pay is not None else ''):>16}" if with_pay else ""
    kind = f" {view.work_type[:14]:<14}" if view.work_type else ""
    typer.echo(
        f"#{view.id:<6} {view.shift_date} {view.employee[:20]:<20} {view.project[:24]:<24}"
        f" planned {view.planned_text or '-':<14} actual {_actual_text(view) or '-':<14}"
        f" {view.status:<11}{pay}{kind}{_marks(view)}"
    )


def _print_shifts(views: tuple[ShiftView, ...] | list[ShiftView], as_json: bool) -> None:
    if as_json:
        emit([_shift_data(v) for v in views])
        return
    with_pay = any(v.pay is not None for v in views)
    for view in views:
        _print_shift(view, with_pay=with_pay)
    typer.echo(f"{counted(len(views), 'shift')}.")


def _print_buckets(view: ShiftView, indent: str = "    ") -> None:
    for bucket in view.buckets:
        extra = f" +{percent_text(bucket.percent_bp)} %" if bucket.percent_bp else ""
        typer.echo(
            f"{indent}{bucket.name + extra:<30} {hours(bucket.minutes):>6} h at "
            f"{_m(bucket.hourly)}/h = {_m(bucket.amount)}"
        )


def _print_detail(view: ShiftView) -> None:
    """One shift as ``show``, ``add`` and ``edit`` print it."""
    _print_shift(view, with_pay=view.pay is not None)
    typer.echo(
        f"  lunch {view.lunch_minutes} min"
        + (
            f"; own rates +{percent_text(view.over_day_bp or 0)} % over the day, "
            f"+{percent_text(view.outside_window_bp or 0)} % outside the window"
            if view.custom_rates
            else ""
        )
        + (f"; {view.day_off}" if view.day_off else "")
        + (f"; approved by {view.approved_by}" if view.approved_by else "")
        + f"; version {view.version}"
    )
    if view.note:
        typer.echo(f"  note: {view.note}")
    _print_buckets(view)


def _period_data(period: PayPeriod) -> dict[str, Any]:
    data: dict[str, Any] = jsonable(period)
    data["shifts"] = [_shift_data(v) for v in period.shifts]
    data["minutes"] = period.minutes
    data["transferred"] = [
        {"date_from": first.isoformat(), "date_to": last.isoformat(), "total": jsonable(total)}
        for first, last, total in period.transferred
    ]
    return data


def _print_period(period: PayPeriod, breakdown: bool) -> None:
    typer.echo(f"Pay of {period.employee}, {period.date_from} to {period.date_to}")
    for view in period.shifts:
        amount = _m(view.pay) if view.pay is not None else ""
        typer.echo(
            f"  {view.shift_date} {view.project[:24]:<24} planned {view.planned_text or '-':<14}"
            f" actual {_actual_text(view) or '-':<14} {amount:>16} {view.status}{_marks(view)}"
        )
        if breakdown:
            _print_buckets(view, indent="      ")
    if not period.shifts:
        typer.echo("  No work shifts in the period.")
    typer.echo(
        f"Unsettled days: {period.unsettled}, irregular: {period.irregular}, "
        f"not approved: {period.unapproved}"
    )
    if period.by_project:
        typer.echo("By project:")
    for total in period.by_project:
        typer.echo(f"  {total.project[:32]:<32} {hours(total.minutes):>7} h {_m(total.amount):>18}")
    typer.echo(
        f"Total of the settled days: {hours(period.minutes)} h (standard "
        f"{hours(period.standard_minutes)}, over the day length {hours(period.over_day_minutes)},"
        f" outside the window {hours(period.outside_minutes)}): {_m(period.total)}"
    )
    for first, last, paid in period.transferred:
        typer.echo(f"Transferred to accounting: {first} to {last}, {_m(paid)}")


def _terms_line(terms: TermsView) -> str:
    def own(bp: int | None) -> str:
        return "the firm's %" if bp is None else f"+{percent_text(bp)} %"

    if terms.external:
        paid = "external: paid through their subcontract"
    else:
        paid = (
            f"{_m(terms.hourly_rate)}/h, over the day {own(terms.over_day_bp)}, outside the "
            f"window {own(terms.outside_window_bp)}"
        )
    rates = f"; {terms.rates_text}" if terms.rates else ""
    note = f"; {terms.note}" if terms.note else ""
    return f"from {terms.effective_from}: {paid}{rates}{note} (version {terms.version})"


def _print_fill(result: FillResult) -> None:
    if result.dry_run:
        typer.echo("DRY RUN: nothing was written.")
    for change in result.changes:
        typer.echo(
            f"#{change.shift_id:<6} {change.shift_date} {change.employee[:20]:<20} "
            f"{change.project[:24]:<24} {change.before} -> {change.after}"
        )
    how = "end as planned" if result.mode == "end" else "start and end as planned"
    verb = "Would fill" if result.dry_run else "Filled"
    typer.echo(f"{verb} {counted(len(result.changes), 'shift')} ({how}).")


def _print_approved(result: ApproveResult) -> None:
    typer.echo(f"Approved {counted(len(result.approved), 'day')}.")
    for view in result.approved:
        pay = _m(view.pay) if view.pay is not None else ""
        typer.echo(f"  #{view.id:<6} {view.shift_date} {view.employee[:20]:<20} {pay}")
    if result.skipped:
        typer.echo(f"Skipped {counted(len(result.skipped), 'day')}:")
    for view, why in result.skipped:
        typer.echo(f"  #{view.id:<6} {view.shift_date} {view.employee[:20]:<20} {why}")


def _print_transfer(result: TransferResult) -> None:
    if result.dry_run:
        typer.echo("DRY RUN: nothing was written.")
    for line in result.lines:
        typer.echo(
            f"  {line.employee[:28]:<28} {counted(line.shifts, 'shift'):>10} "
            f"{hours(line.minutes):>8} h {_m(line.total):>18}"
        )
    verb = "Would transfer" if result.dry_run else "Transferred"
    typer.echo(
        f"{verb} {result.date_from} to {result.date_to} to accounting: {_m(result.total)}"
        + ("" if result.dry_run else "; the period's shifts are locked.")
    )


def _refuse(option: str, message: str) -> None:
    """Refuse the command over one option before the database is opened, as the services
    refuse a field (exit 1, one line on stderr)."""
    fail(str(Problem(option, message)), ValidationError.title)


def _shift_form(**fields: str) -> ShiftForm:
    from ..services.payroll.views import ShiftForm

    return ShiftForm(**fields)


# --- shifts --------------------------------------------------------------------------------


@shift_app.command("plan")
def shift_plan(
    employees: Annotated[
        str, typer.Option("--employees", help="Who: e-mails, ids or names, comma-separated.")
    ],
    project: ProjectOpt,
    first: FirstDay,
    start: Annotated[str, typer.Option("--start", help="Planned start, e.g. 07:00.")],
    end: Annotated[str, typer.Option("--end", help="Planned end, e.g. 15:30.")],
    last: Annotated[str, typer.Option("--to", help="Last day (default: the first).")] = "",
    lunch: LunchOpt = "",
    work_type: WorkTypeOpt = "",
    custom_rates: CustomOpt = "",
    over_day: OverOpt = "",
    outside_window: OutsideOpt = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan shifts for one employee or a crew on every working day of a range.

    Days off, days already planned on the project and days without a pay rate are left out,
    each with the reason. Days already past are settled as planned.
    """
    if not end.strip():
        _refuse("--end", "is required to plan: the planned end")
    form = _shift_form(
        employees=employees, project=project, shift_date=first, date_to=last,
        work_type=work_type, planned_start=start, planned_end=end, lunch=lunch,
        custom_rates=custom_rates, over_day=over_day, outside_window=outside_window,
    )  # fmt: skip
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed(employees="--employees", shift_date="--from"):
            result = services.payroll.plan(actor, form)
    if as_json:
        emit(
            {
                "created": [_shift_data(v) for v in result.created],
                "skipped": [
                    {"employee": who, "date": day.isoformat(), "reason": why}
                    for who, day, why in result.skipped
                ],
            }
        )
        return
    for view in result.created:
        _print_shift(view, with_pay=any(v.pay is not None for v in result.created))
    for who, day, why in result.skipped:
        typer.echo(f"  skipped {day} {who}: {why}")
    typer.echo(
        f"{counted(len(result.created), 'shift')} planned, "
        f"{counted(len(result.skipped), 'day')} skipped."
    )


@shift_app.command("add")
def shift_add(
    employee: EmployeeOpt,
    project: ProjectOpt,
    day: Annotated[str, typer.Option("--date", help="The day worked, YYYY-MM-DD.")],
    start: Annotated[str, typer.Option("--start", help="Planned start, e.g. 07:00.")] = "",
    end: Annotated[str, typer.Option("--end", help="Planned end.")] = "",
    actual_start: ActualStartOpt = "",
    actual_end: ActualEndOpt = "",
    lunch: LunchOpt = "",
    work_type: WorkTypeOpt = "",
    custom_rates: CustomOpt = "",
    over_day: OverOpt = "",
    outside_window: OutsideOpt = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Enter one shift of one employee on one day.

    A day already past with no actual times is settled as planned; an unplanned shift gives
    only --actual-start and --actual-end.
    """
    form = _shift_form(
        employees=employee, project=project, shift_date=day, work_type=work_type,
        planned_start=start, planned_end=end, actual_start=actual_start, actual_end=actual_end,
        lunch=lunch, custom_rates=custom_rates, over_day=over_day, outside_window=outside_window,
    )  # fmt: skip
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed():
            view = services.payroll.add(actor, form)
    if as_json:
        emit(_shift_data(view))
    else:
        _print_detail(view)


@shift_app.command("list")
def shift_list(
    employee: EmployeeOpt = "",
    project: ProjectOpt = "",
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List shifts: planned and actual times, status, irregularities and pay.

    This month by default. Your own, your crew's (times only) or, with a pay right, anyone's.
    """
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed():
            views = services.payroll.shifts(
                actor, employee=employee, project=project, date_from=date_from, date_to=date_to
            )
    _print_shifts(views, as_json)


@shift_app.command("show")
def shift_show(shift_id: ShiftId, db: DbOption = None, as_json: JsonOption = False) -> None:
    """One shift with its breakdown: the minutes, rate and amount of each bucket."""
    with services_for(db) as services:
        actor = current_actor(services)
        view = services.payroll.shift(actor, shift_id)
    if as_json:
        emit(_shift_data(view))
    else:
        _print_detail(view)


@shift_app.command("crew")
def shift_crew(
    day: Annotated[str, typer.Option("--date", help="The day (default today).")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Your crew's day: the shifts of the people you supervise, and your own."""
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed(date="--date"):
            views = services.payroll.crew_day(actor, day or None)
    _print_shifts(views, as_json)


@shift_app.command("edit")
def shift_edit(
    shift_id: ShiftId,
    reason: ReasonOpt,
    version: VersionOpt = None,
    actual_start: ActualStartOpt = "",
    actual_end: ActualEndOpt = "",
    start: Annotated[str, typer.Option("--start", help="Planned start ('-' empties it).")] = "",
    end: Annotated[str, typer.Option("--end", help="Planned end ('-' empties it).")] = "",
    lunch: LunchOpt = "",
    project: ProjectOpt = "",
    work_type: WorkTypeOpt = "",
    custom_rates: CustomOpt = "",
    over_day: OverOpt = "",
    outside_window: OutsideOpt = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a shift by hand, with the reason (audited with the before and after).

    Options left out keep their value; '-' empties a time. The shift's approval is withdrawn.
    """
    form = _shift_form(
        project=project, work_type=work_type, planned_start=start, planned_end=end,
        actual_start=actual_start, actual_end=actual_end, lunch=lunch,
        custom_rates=custom_rates, over_day=over_day, outside_window=outside_window,
        reason=reason,
    )  # fmt: skip
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed():
            view = services.payroll.edit(actor, shift_id, form, version=version)
    if as_json:
        emit(_shift_data(view))
    else:
        _print_detail(view)


@shift_app.command("delete")
def shift_delete(
    shift_id: ShiftId,
    reason: ReasonOpt,
    version: VersionOpt = None,
    db: DbOption = None,
) -> None:
    """Remove a shift entered by mistake, with the reason (audited)."""
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed():
            services.payroll.delete(actor, shift_id, reason, version=version)
    typer.echo(f"Deleted work shift #{shift_id}.")


@shift_app.command("fill")
def shift_fill(
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="end: the end as planned where a start exists and the end is missing or over "
            "15 minutes late; both: start and end as planned where both are missing.",
        ),
    ],
    first: FirstDay,
    last: LastDay,
    employee: EmployeeOpt = "",
    dry_run: DryRun = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fill the missing times of past shifts from their plan, or show what would be filled.

    Approved and transferred shifts are left alone; each change is printed as before -> after.
    """
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed():
            result = services.payroll.fill(
                actor, mode, first, last, employee=employee, dry_run=dry_run
            )
    if as_json:
        emit(result)
    else:
        _print_fill(result)


# --- the clock -----------------------------------------------------------------------------


@clock_app.command("in")
def clock_in(
    project: ProjectOpt,
    work_type: Annotated[str, typer.Option("--work-type", help="Type of work.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Start your working day now on a project (today's planned shift there, or a new one)."""
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed():
            view = services.payroll.clock_in(actor, project, work_type)
    if as_json:
        emit(_shift_data(view))
        return
    planned = f" (planned {view.planned_text})" if view.planned_text else " (not planned)"
    typer.echo(
        f"Clocked in at {view.started_text} on {view.shift_date}, "
        f"{view.project}{planned}; shift #{view.id}.{_marks(view)}"
    )


@clock_app.command("out")
def clock_out(db: DbOption = None, as_json: JsonOption = False) -> None:
    """End your running shift now."""
    with services_for(db) as services:
        actor = current_actor(services)
        view = services.payroll.clock_out(actor)
    if as_json:
        emit(_shift_data(view))
        return
    pay = f", {_m(view.pay)}" if view.pay is not None else ""
    typer.echo(
        f"Clocked out: {view.shift_date} {view.actual_text} on {view.project}{pay}; "
        f"shift #{view.id}.{_marks(view)}"
    )


@clock_app.command("status")
def clock_status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Whether you are clocked in, since when and where."""
    with services_for(db) as services:
        actor = current_actor(services)
        view = services.payroll.open_shift(actor)
    if as_json:
        emit(None if view is None else _shift_data(view))
        return
    if view is None:
        typer.echo("Not clocked in.")
        return
    typer.echo(
        f"Clocked in since {view.started_text} on {view.shift_date}, {view.project};"
        f" shift #{view.id}.{_marks(view)}"
    )


# --- pay -----------------------------------------------------------------------------------


@pay_app.command("show")
def pay_show(
    employee: Annotated[
        str | None,
        typer.Argument(
            help="The employee: e-mail, id or exact name (default: you).",
            show_default=False,
            metavar="EMAIL",
        ),
    ] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    breakdown: Annotated[
        bool, typer.Option("--breakdown", help="Each day's buckets: minutes, rate, amount.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show an employee's days and pay over a period (this month by default).

    Each day with its project, planned and actual times, amount, status and irregularities
    (an unsettled day shows no actual end and no amount); then how many days are unsettled,
    irregular or not approved, and the totals per project and for the period.
    """
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed():
            period = services.payroll.period(
                actor, employee if employee is not None else actor.user_id, date_from, date_to
            )
    if as_json:
        emit(_period_data(period))
    else:
        _print_period(period, breakdown)


@pay_app.command("approve")
def pay_approve(
    employee: Annotated[
        str | None,
        typer.Argument(
            help="Approve every settled, regular day of this employee in --from/--to.",
            show_default=False,
            metavar="EMAIL",
        ),
    ] = None,
    shift_ids: Annotated[
        list[int] | None,
        typer.Option(
            "--shift", help="A shift to approve (repeatable).", parser=id_value, show_default=False
        ),
    ] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    accept_irregular: Annotated[
        bool,
        typer.Option("--accept-irregular", help="Approve the named irregular shifts as they are."),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve days: the shifts named with --shift, or every settled day of EMAIL.

    EMAIL's days are those of --from/--to (this month by default); an irregular day is
    approved only when named with --shift and --accept-irregular.
    """
    if shift_ids and employee is not None:
        _refuse("--shift", "names the days itself: give either --shift or EMPLOYEE")
    if not shift_ids and employee is None:
        _refuse("--shift", "or EMPLOYEE is required: which days to approve")
    if shift_ids and (date_from or date_to):
        _refuse("--from", "goes with EMPLOYEE, not with --shift")
    if accept_irregular and not shift_ids:
        _refuse("--accept-irregular", "only with days named by --shift: each is accepted by name")
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed():
            result = services.payroll.approve(
                actor,
                shift_ids or (),
                employee=employee or "",
                date_from=date_from,
                date_to=date_to,
                accept_irregular=accept_irregular,
            )
    if as_json:
        emit(
            {
                "approved": [_shift_data(v) for v in result.approved],
                "skipped": [{**_shift_data(v), "reason": why} for v, why in result.skipped],
            }
        )
    else:
        _print_approved(result)


@pay_app.command("transfer")
def pay_transfer(
    first: FirstDay,
    last: LastDay,
    employee: Annotated[
        str, typer.Option("--employee", help="One employee (default: everyone with shifts).")
    ] = "",
    dry_run: DryRun = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Transfer a period's pay to accounting and lock its shifts.

    Refused while a day is unsettled, irregular or not approved: every such day is listed on
    standard output, the refusal is one line on stderr, and nothing is written.
    """
    with services_for(db) as services:
        actor = current_actor(services)
        try:
            with _as_typed():
                result = services.payroll.transfer(
                    actor, first, last, employee=employee, dry_run=dry_run
                )
        except ValidationError as refused:
            _refuse_with_the_list(refused)
            raise
    if as_json:
        emit(result)
    else:
        _print_transfer(result)


def _refuse_with_the_list(refused: ValidationError) -> None:
    """A transfer refused over several days: each on its own line of standard output, then
    the refusal, one line on stderr as every refusal is; one problem (or a wrong option) is
    the usual one-line refusal."""
    if len(refused.problems) < 2 or any(p.field != "period" for p in refused.problems):
        return
    for problem in refused.problems:
        typer.echo(one_line(problem.message))
    fail(
        f"the {len(refused.problems)} days listed stand in the way; nothing was transferred",
        refused.title,
    )


@pay_app.command("terms")
def pay_terms(employee: Employee, db: DbOption = None, as_json: JsonOption = False) -> None:
    """List an employee's pay terms, newest first.

    The standard rate, % rates and rates by type of work in force from each date on.
    """
    with services_for(db) as services:
        actor = current_actor(services)
        history = services.payroll.terms(actor, employee)
    if as_json:
        emit(history)
        return
    for terms in history:
        typer.echo(_terms_line(terms))
    if not history:
        typer.echo("No pay terms yet.")


@pay_app.command("set-terms")
def pay_set_terms(
    employee: Employee,
    effective_from: Annotated[str, typer.Option("--from", help="In force from this day on.")],
    rate: Annotated[str, typer.Option("--rate", help="Standard gross hourly rate.")] = "",
    over_day: Annotated[
        str, typer.Option("--over-day", help="Own % over the day length (blank: the firm's).")
    ] = "",
    outside_window: Annotated[
        str,
        typer.Option("--outside-window", help="Own % outside the window (blank: the firm's)."),
    ] = "",
    external: Annotated[
        str, typer.Option("--external", help="yes: paid through a subcontract, not payroll.")
    ] = "",
    rates: Annotated[
        str,
        typer.Option(
            "--rates", help="Non-standard rates by type of work: 'Roofing=50; Bricklaying=45'."
        ),
    ] = "",
    note: Annotated[str, typer.Option("--note", help="A note.")] = "",
    version: VersionOpt = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Save an employee's pay terms from a date on.

    The terms of that date are replaced; shifts from then on, not transferred, are priced
    again.
    """
    from ..services.payroll.views import TermsForm

    form = TermsForm(effective_from, rate, over_day, outside_window, external, rates, note)
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed():
            terms = services.payroll.set_terms(actor, employee, form, version=version)
    if as_json:
        emit(terms)
    else:
        typer.echo(_terms_line(terms))


# --- the export ----------------------------------------------------------------------------


@export_app.command("pay")
def export_pay(
    first: FirstDay,
    last: LastDay,
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    employee: EmployeeOpt = "",
    db: DbOption = None,
) -> None:
    """Export a period's remuneration to CSV or XLSX for the accounting program.

    One row per employee per settled day with the minutes and money of each rate; the XLSX
    has a second sheet of totals per employee, the CSV a totals row. On a terminal, the
    progress is shown on standard error.
    """
    with services_for(db) as services:
        actor = current_actor(services)
        with _as_typed(), progress_line("days") as progress:
            written = services.payroll.export(
                actor, fmt, out, first, last, employee=employee, progress=progress
            )
    typer.echo(str(written))


def register(app: typer.Typer) -> None:
    """Add this module's command groups to the main ``tektoro`` command (``export pay``
    joins the ``export`` group of :mod:`.pipeline` when this module is imported)."""
    app.add_typer(shift_app, name="shift")
    app.add_typer(clock_app, name="clock")
    app.add_typer(pay_app, name="pay")
