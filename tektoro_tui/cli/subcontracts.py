"""CLI commands of subcontracting agreements (DESIGN.md §9).

``tektoro subcontract add|list|show|edit|attach|file``, ``tektoro subcontract schedule
add|plan|list``, ``tektoro subcontract report add|edit|list``, ``tektoro subcontract settle``,
``tektoro subcontract invite-foreman``, ``tektoro work-type add|list`` and ``tektoro export
subcontracts``. Every command acts as the user of the stored CLI session, prints JSON with
``--json`` and exits 1 with the reason on stderr when refused; ``settle --dry-run`` checks
everything and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..domain.money import percent_text
from ..domain.timeparse import format_range
from .common import (
    DbOption,
    JsonOption,
    ProjectOpt,
    VersionOpt,
    current_actor,
    id_value,
    services_for,
)
from .common import money_text as _m
from .pipeline import DryRun, emit, export_app

if TYPE_CHECKING:
    from ..services.subcontracts.views import (
        AgreementDetail,
        AgreementRow,
        ReportView,
        ScheduleView,
    )

subcontract_app = typer.Typer(
    help="Subcontracting agreements: add, list, show, edit, attach files, settle.",
    no_args_is_help=True,
)
schedule_app = typer.Typer(
    help="The work schedule of an agreement: one day, a range of days, the list.",
    no_args_is_help=True,
)
report_app = typer.Typer(
    help="Daily reports of an agreement's crews: add, correct, list.", no_args_is_help=True
)
work_type_app = typer.Typer(
    help="The firm's list of types of work (for subcontracts).", no_args_is_help=True
)
subcontract_app.add_typer(schedule_app, name="schedule")
subcontract_app.add_typer(report_app, name="report")

Number = Annotated[str, typer.Argument(help="Agreement number (SA/2026/00001, or 1).")]
SubOpt = Annotated[str, typer.Option("--subcontractor", help="Subcontractor id or name.")]
ScopeOpt = Annotated[str, typer.Option("--scope", help="The work and its deadline, in words.")]
SignedOpt = Annotated[str, typer.Option("--date", help="Contract date (default today).")]
DeadlineOpt = Annotated[str, typer.Option("--deadline", help="Deadline: the basis for payment.")]
TmOpt = Annotated[str, typer.Option("--tm", help="Time and material: yes or no.")]
FixedOpt = Annotated[str, typer.Option("--amount", help="Fixed contract amount.")]
RateOpt = Annotated[str, typer.Option("--rate", help="Hourly rate (time and material).")]
RatesOpt = Annotated[
    str,
    typer.Option(
        "--rates", help="Non-standard hourly rates by type of work: 'Roofing=48; Scaffolding=38'."
    ),
]
OverOpt = Annotated[str, typer.Option("--over-day", help="% for hours over the day length.")]
OutsideOpt = Annotated[
    str, typer.Option("--outside-window", help="% for hours outside the working window.")
]
NoteOpt = Annotated[str, typer.Option("--note", help="A note.")]


def _print_row(row: AgreementRow) -> None:
    kind = "T&M" if row.time_and_material else "fixed"
    late = " OVERDUE" if row.overdue else ""
    typer.echo(
        f"{row.number:<14} {row.project_name[:24]:<24} {row.subcontractor_name[:22]:<22} "
        f"{kind:<5} {_m(row.contract_amount):>18} paid {_m(row.paid):>18} "
        f"remaining {_m(row.remaining):>18} deadline {row.deadline}{late}  {row.status_label}"
    )


def _print_detail(detail: AgreementDetail) -> None:
    row = detail.row
    typer.echo(f"{row.number}: {row.scope}")
    typer.echo(f"  Project {row.project_name}, subcontractor {row.subcontractor_name}")
    typer.echo(
        f"  Signed {row.contract_date}, deadline {row.deadline}"
        f"{' (overdue)' if row.overdue else ''}; {row.status_label}"
    )
    if row.time_and_material:
        typer.echo(f"  Time and material at {_m(detail.hourly_rate)}/h")
    else:
        typer.echo(f"  Fixed amount {_m(detail.fixed_amount)}")
    for rate in detail.rates:
        typer.echo(f"    {rate.work_type}: {_m(rate.hourly_rate)}/h")
    typer.echo(
        f"  Over the day length +{percent_text(detail.over_day_bp)} %, outside the working "
        f"window +{percent_text(detail.outside_window_bp)} %"
    )
    typer.echo(
        f"  Contract amount {_m(row.contract_amount)}, paid {_m(row.paid)}, "
        f"remaining {_m(row.remaining)}"
    )
    if detail.note:
        typer.echo(f"  Note: {detail.note}")
    for f in detail.attachments:
        typer.echo(f"  File #{f.id}: {f.file_name} ({f.size_bytes:,} bytes) by {f.added_by}")
    if detail.stages:
        typer.echo("Settlement stages:")
    for s in detail.stages:
        flags = ", ".join(
            name
            for name, on in (("fully paid", s.fully_paid), ("work completed", s.work_completed))
            if on
        )
        typer.echo(
            f"  {s.stage:>3} {s.settled_on} {_m(s.paid):>18} paid so far {_m(s.paid_after):>18}"
            f"  {s.description}{' [' + flags + ']' if flags else ''}"
        )
    if detail.days:
        typer.echo("Schedule and reports:")
    for day in detail.days:
        plan = (
            f"plan {format_range(day.plan.planned_start, day.plan.planned_end)} "
            f"x{day.plan.planned_headcount} {day.plan.work_type}"
            if day.plan
            else "no plan"
        )
        done = (
            f"report {format_range(day.report.actual_start, day.report.actual_end)} "
            f"x{day.report.headcount} {day.report.work_type} {_m(day.report.amount)}"
            if day.report
            else "no report"
        )
        marks = f"  ! {'; '.join(day.differences)}" if day.differences else ""
        typer.echo(f"  {day.work_date} {day.foreman[:18]:<18} {plan:<40} {done}{marks}")


def _print_schedule(plan: ScheduleView) -> None:
    own = (
        f" own rates +{percent_text(plan.over_day_bp or 0)} % / "
        f"+{percent_text(plan.outside_window_bp or 0)} %"
        if plan.custom_rates
        else ""
    )
    typer.echo(
        f"#{plan.id:<6} {plan.work_date} {format_range(plan.planned_start, plan.planned_end)} "
        f"{plan.work_type:<22} {plan.foreman:<20} x{plan.planned_headcount}{own}"
    )


def _print_report(report: ReportView) -> None:
    settled = " settled" if report.settled else ""
    typer.echo(
        f"#{report.id:<6} {report.report_date} "
        f"{format_range(report.actual_start, report.actual_end)} x{report.headcount:<3} "
        f"{report.work_type:<22} "
        f"{report.foreman:<20} {_m(report.amount):>16}{settled}"
    )


# --- agreements ------------------------------------------------------------------------------


@subcontract_app.command("add")
def subcontract_add(
    project: ProjectOpt,
    subcontractor: SubOpt,
    scope: ScopeOpt,
    deadline: DeadlineOpt,
    tm: TmOpt = "no",
    amount: FixedOpt = "",
    rate: RateOpt = "",
    rates: RatesOpt = "",
    signed: SignedOpt = "",
    over_day: OverOpt = "",
    outside_window: OutsideOpt = "",
    note: NoteOpt = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Make an agreement under the next number of its year's series."""
    from ..services.subcontracts.views import AgreementForm

    form = AgreementForm(
        project, subcontractor, scope, signed, deadline, tm, amount, rate, rates, over_day,
        outside_window, note,
    )  # fmt: skip
    with services_for(db) as services:
        actor = current_actor(services)
        detail = services.subcontracts.add(actor, form)
    if as_json:
        emit(detail)
    else:
        _print_detail(detail)


@subcontract_app.command("edit")
def subcontract_edit(
    number: Number,
    project: ProjectOpt = "",
    subcontractor: SubOpt = "",
    scope: ScopeOpt = "",
    deadline: DeadlineOpt = "",
    tm: TmOpt = "",
    amount: FixedOpt = "",
    rate: RateOpt = "",
    rates: Annotated[
        str, typer.Option("--rates", help="Replace the non-standard rates ('-' removes them).")
    ] = "",
    signed: SignedOpt = "",
    over_day: OverOpt = "",
    outside_window: OutsideOpt = "",
    note: Annotated[str, typer.Option("--note", help="A new note ('-' removes it).")] = "",
    version: VersionOpt = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change an agreement (options left out keep their value)."""
    from ..services.subcontracts.views import AgreementForm

    form = AgreementForm(
        project, subcontractor, scope, signed, deadline, tm, amount, rate, rates, over_day,
        outside_window, note,
    )  # fmt: skip
    with services_for(db) as services:
        actor = current_actor(services)
        detail = services.subcontracts.edit(actor, number, form, version=version)
    if as_json:
        emit(detail)
    else:
        _print_detail(detail)


@subcontract_app.command("list")
def subcontract_list(
    status: Annotated[
        str, typer.Option("--status", help="active, completed (work completed) or all.")
    ] = "active",
    project: Annotated[str, typer.Option("--project", help="Project id, code or name.")] = "",
    subcontractor: Annotated[
        str, typer.Option("--subcontractor", help="Subcontractor id or name.")
    ] = "",
    tm: Annotated[str, typer.Option("--tm", help="yes: T&M only; no: fixed only.")] = "",
    overdue: Annotated[bool, typer.Option("--overdue", help="Deadline passed.")] = False,
    search: Annotated[str, typer.Option("--search", help="Part of number, scope, names.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The agreements you may see with contract amount, paid so far and what remains."""
    with services_for(db) as services:
        actor = current_actor(services)
        flt = _filter(status, project, subcontractor, tm, overdue, search)
        listing = services.subcontracts.list(actor, flt)
    if as_json:
        emit(listing)
        return
    for row in listing.rows:
        _print_row(row)
    typer.echo(
        f"{listing.total} agreements: contract {_m(listing.contract_amount)}, paid "
        f"{_m(listing.paid)}, remaining {_m(listing.remaining)}"
    )


def _filter(  # type: ignore[no-untyped-def]
    status, project, subcontractor, tm, overdue, search, *, limit: int = 0
):
    from ..errors import Problem, ValidationError
    from ..services.subcontracts.views import AgreementFilter

    choice = tm.strip().lower()
    if choice not in ("", "yes", "no"):
        raise ValidationError([Problem("tm", "must be yes or no")])
    return AgreementFilter(
        status=status,
        project=project,
        subcontractor=subcontractor,
        time_and_material=None if not choice else choice == "yes",
        overdue=overdue,
        search=search,
        limit=limit,
    )


@subcontract_app.command("show")
def subcontract_show(number: Number, db: DbOption = None, as_json: JsonOption = False) -> None:
    """One agreement: terms, files, settlement stages, schedule beside reports."""
    with services_for(db) as services:
        actor = current_actor(services)
        detail = services.subcontracts.detail(actor, number)
    if as_json:
        emit(detail)
    else:
        _print_detail(detail)


@subcontract_app.command("attach")
def subcontract_attach(
    number: Number,
    file: Annotated[Path, typer.Argument(help="The file to keep (the signed contract).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Keep a file with the agreement, in the database (10 MB at most)."""
    from ..errors import Problem, ValidationError
    from ..services.subcontracts.views import MAX_ATTACHMENT_BYTES

    if not file.is_file():
        raise typer.BadParameter(f"{file} is not a readable file")
    if file.stat().st_size > MAX_ATTACHMENT_BYTES:
        with services_for(db):
            raise ValidationError(
                [
                    Problem(
                        "file",
                        f"is {file.stat().st_size:,} bytes; at most {MAX_ATTACHMENT_BYTES:,} "
                        "can be kept with an agreement",
                    )
                ]
            )
    content = file.read_bytes()
    with services_for(db) as services:
        actor = current_actor(services)
        kept = services.subcontracts.attach(actor, number, file.name, content)
    if as_json:
        emit(kept)
    else:
        typer.echo(f"Kept {kept.file_name} ({kept.size_bytes:,} bytes) as file #{kept.id}.")


@subcontract_app.command("file")
def subcontract_file(
    number: Number,
    file_id: Annotated[int, typer.Argument(help="File number (see show).", parser=id_value)],
    out: Annotated[Path | None, typer.Option("--out", help="Where to write it.")] = None,
    db: DbOption = None,
) -> None:
    """Write a file kept with the agreement back to disk."""
    from ..services.base import write_file

    with services_for(db) as services:
        actor = current_actor(services)
        name, content = services.subcontracts.attachment(actor, number, file_id)
        path = write_file(out or Path(name), content)
    typer.echo(str(path))


@subcontract_app.command("invite-foreman")
def subcontract_invite_foreman(
    contact: Annotated[str, typer.Argument(help="The foreman's contact: id or name.")],
    email: Annotated[str, typer.Option("--email", help="Another address than the contact's.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invite a subcontractor's contact to log in as a foreman; prints the invitation code."""
    with services_for(db) as services:
        actor = current_actor(services)
        token = services.subcontracts.invite_foreman(actor, contact, email)
    if as_json:
        emit({"invitation_code": token})
    else:
        typer.echo(f"Invitation code: {token}")
        typer.echo("The foreman registers with it: tektoro register CODE")


# --- settlement -------------------------------------------------------------------------------


@subcontract_app.command("settle")
def subcontract_settle(
    number: Number,
    amount: Annotated[str, typer.Option("--amount", help="Paid amount (negative corrects).")],
    description: Annotated[
        str, typer.Option("--description", help="How it was paid, and why, in words.")
    ],
    when: Annotated[str, typer.Option("--date", help="Settlement date (default today).")] = "",
    fully_paid: Annotated[
        bool, typer.Option("--fully-paid", help="The contract is fully paid.")
    ] = False,
    work_completed: Annotated[
        bool, typer.Option("--work-completed", help="The contractual work is completed.")
    ] = False,
    dry_run: DryRun = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Settle a stage of an agreement (append-only; paying beyond the contract is refused)."""
    from ..services.subcontracts.views import StageForm

    form = StageForm(amount, when, description, fully_paid, work_completed)
    with services_for(db) as services:
        actor = current_actor(services)
        result = services.subcontracts.settle(actor, number, form, dry_run=dry_run)
    if as_json:
        emit(result)
        return
    stage, row = result.stage, result.agreement
    verb = "Would settle" if result.dry_run else "Settled"
    typer.echo(
        f"{verb} stage {stage.stage} of {row.number} on {stage.settled_on}: {_m(stage.paid)}; "
        f"paid so far {_m(row.paid)} of {_m(row.contract_amount)}, remaining {_m(row.remaining)}"
        + (" [fully paid]" if row.fully_paid else "")
        + (" [work completed]" if row.work_completed else "")
    )


# --- schedule and reports -------------------------------------------------------------------


def _schedule_form(  # type: ignore[no-untyped-def]
    day, until, start, end, work_type, foreman, people, own_rates, over_day, outside, note
):
    from ..services.subcontracts.views import ScheduleForm

    return ScheduleForm(
        day, until, start, end, work_type, foreman, people, "yes" if own_rates else "no",
        over_day, outside, note,
    )  # fmt: skip


StartOpt = Annotated[str, typer.Option("--start", help="Planned start, e.g. 07:00.")]
EndOpt = Annotated[str, typer.Option("--end", help="Planned end, e.g. 15:00.")]
TypeOpt = Annotated[str, typer.Option("--type", help="Type of work (from the list).")]
ForemanOpt = Annotated[str, typer.Option("--foreman", help="The crew's foreman: contact name.")]
PeopleOpt = Annotated[str, typer.Option("--people", help="Planned headcount.")]
OwnOpt = Annotated[bool, typer.Option("--own-rates", help="This day has its own % rates.")]


@schedule_app.command("add")
def schedule_add(
    number: Number,
    day: Annotated[str, typer.Option("--date", help="The working day.")],
    start: StartOpt,
    end: EndOpt,
    work_type: TypeOpt,
    foreman: ForemanOpt,
    people: PeopleOpt,
    own_rates: OwnOpt = False,
    over_day: OverOpt = "",
    outside_window: OutsideOpt = "",
    note: NoteOpt = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan one working day of a crew."""
    form = _schedule_form(
        day, "", start, end, work_type, foreman, people, own_rates, over_day, outside_window, note
    )
    with services_for(db) as services:
        actor = current_actor(services)
        plan = services.subcontracts.add_schedule(actor, number, form)
    if as_json:
        emit(plan)
    else:
        _print_schedule(plan)


@schedule_app.command("plan")
def schedule_plan(
    number: Number,
    first: Annotated[str, typer.Option("--from", help="First day.")],
    last: Annotated[str, typer.Option("--to", help="Last day.")],
    start: StartOpt,
    end: EndOpt,
    work_type: TypeOpt,
    foreman: ForemanOpt,
    people: PeopleOpt,
    own_rates: OwnOpt = False,
    over_day: OverOpt = "",
    outside_window: OutsideOpt = "",
    note: NoteOpt = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan every working day of a range in one step (weekends and holidays left out)."""
    form = _schedule_form(
        first, last, start, end, work_type, foreman, people, own_rates, over_day,
        outside_window, note,
    )  # fmt: skip
    with services_for(db) as services:
        actor = current_actor(services)
        result = services.subcontracts.plan(actor, number, form)
    if as_json:
        emit(result)
        return
    for plan in result.created:
        _print_schedule(plan)
    for day, why in result.skipped:
        typer.echo(f"  skipped {day}: {why}")
    typer.echo(f"{len(result.created)} days planned, {len(result.skipped)} skipped.")


@schedule_app.command("list")
def schedule_list(number: Number, db: DbOption = None, as_json: JsonOption = False) -> None:
    """The agreement's planned days."""
    with services_for(db) as services:
        actor = current_actor(services)
        plans = services.subcontracts.schedule(actor, number)
    if as_json:
        emit(plans)
        return
    for plan in plans:
        _print_schedule(plan)
    if not plans:
        typer.echo("Nothing planned.")


@report_app.command("add")
def report_add(
    number: Number,
    day: Annotated[str, typer.Option("--date", help="The day worked.")],
    start: Annotated[str, typer.Option("--start", help="Actual start, e.g. 07:00.")],
    end: Annotated[str, typer.Option("--end", help="Actual end, e.g. 15:30.")],
    people: Annotated[str, typer.Option("--people", help="Headcount.")],
    work_type: Annotated[str, typer.Option("--type", help="Type of work (default: planned).")] = "",
    foreman: Annotated[
        str, typer.Option("--foreman", help="Whose crew (default: the day's planned foreman).")
    ] = "",
    note: NoteOpt = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Enter a crew's daily report (a foreman: their own crew's)."""
    from ..services.subcontracts.views import ReportForm

    with services_for(db) as services:
        actor = current_actor(services)
        report = services.subcontracts.add_report(
            actor, number, ReportForm(day, start, end, people, work_type, foreman, note)
        )
    if as_json:
        emit(report)
    else:
        _print_report(report)


@report_app.command("edit")
def report_edit(
    report_id: Annotated[int, typer.Argument(help="Report number (see list).", parser=id_value)],
    start: Annotated[str, typer.Option("--start", help="Actual start.")],
    end: Annotated[str, typer.Option("--end", help="Actual end.")],
    people: Annotated[str, typer.Option("--people", help="Headcount.")],
    work_type: Annotated[str, typer.Option("--type", help="Type of work.")] = "",
    note: NoteOpt = "",
    version: VersionOpt = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Correct a daily report of a day not yet settled."""
    from ..services.subcontracts.views import ReportForm

    with services_for(db) as services:
        actor = current_actor(services)
        report = services.subcontracts.edit_report(
            actor,
            report_id,
            ReportForm("", start, end, people, work_type, "", note),
            version=version,
        )
    if as_json:
        emit(report)
    else:
        _print_report(report)


@report_app.command("list")
def report_list(
    number: Number,
    first: Annotated[str | None, typer.Option("--from", help="First day.")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last day.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The agreement's daily reports (a foreman: their crew's) with their amounts."""
    from .pipeline import parse_date

    with services_for(db) as services:
        actor = current_actor(services)
        reports = services.subcontracts.reports(
            actor, number, date_from=parse_date("from", first), date_to=parse_date("to", last)
        )
    if as_json:
        emit(reports)
        return
    for report in reports:
        _print_report(report)
    typer.echo(f"{len(reports)} reports.")


# --- types of work and the export -------------------------------------------------------------


@work_type_app.command("add")
def work_type_add(
    name: Annotated[str, typer.Argument(help="The type of work, e.g. Roofing.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a type of work to the firm's list."""
    from ..services.administration.presets import WorkTypeForm

    with services_for(db) as services:
        actor = current_actor(services)
        view = services.presets.save_work_type(actor, WorkTypeForm(name=name, is_active=True))
    if as_json:
        emit(view)
    else:
        typer.echo(f"Type of work #{view.id}: {view.name}")


@work_type_app.command("list")
def work_type_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The firm's types of work."""
    with services_for(db) as services:
        actor = current_actor(services)
        page = services.presets.list_work_types(actor, limit=10_000)
    if as_json:
        emit(page.items)
        return
    for view in page.items:
        typer.echo(f"#{view.id:<5} {view.name}{'' if view.is_active else ' (inactive)'}")


@export_app.command("subcontracts")
def export_subcontracts(
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    status: Annotated[str, typer.Option("--status", help="active, completed or all.")] = "all",
    project: Annotated[str, typer.Option("--project", help="Project id, code or name.")] = "",
    db: DbOption = None,
) -> None:
    """Export the agreements to CSV or XLSX (needs 'Export the invoice list')."""
    if fmt not in ("csv", "xlsx"):
        raise typer.BadParameter("--format must be csv or xlsx")
    with services_for(db) as services:
        actor = current_actor(services)
        flt = _filter(status, project, "", "", False, "")
        path = services.subcontracts.export(actor, fmt, out, flt)
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add this module's command groups to the main ``tektoro`` command."""
    app.add_typer(subcontract_app, name="subcontract")
    app.add_typer(work_type_app, name="work-type")
