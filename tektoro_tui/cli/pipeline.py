"""CLI commands of the seven-stage time pipeline, for scripts.

``tektoro time add|list|accept|reject|approve``, ``tektoro wip list|allocate|process``,
``tektoro documenter create-invoice``, ``tektoro invoice render|pay|list|book|notice``,
``tektoro revenue report|aging`` and ``tektoro export time|revenue``. Every command acts as
the user of the stored CLI session (``tektoro login``), prints data as JSON with
``--json``, and exits 1 with the reason on stderr when refused. Batch commands take
``--dry-run``: they print what would change and the totals, and write nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..domain.money import percent_text
from ..errors import Problem, ValidationError, shown
from .common import (
    DbOption,
    JsonOption,
    current_actor,
    id_value,
    progress_line,
    services_for,
    typed_id,
    whole_number,
)
from .output import hours as hours
from .output import json_text, project_hours_lines, revenue_lines
from .output import jsonable as jsonable

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services
    from ..services.invoicing.views import InvoiceView
    from ..services.pipeline.views import BatchResult, EntryPage, ReportFilter

time_app = typer.Typer(help="Time cards: add, list, accept, approve, reject.", no_args_is_help=True)
wip_app = typer.Typer(help="Work in progress: list, allocate, process.", no_args_is_help=True)
documenter_app = typer.Typer(help="Assemble and issue invoices.", no_args_is_help=True)
invoice_app = typer.Typer(help="Issued invoices: render, payments, booking.", no_args_is_help=True)
revenue_app = typer.Typer(help="Recognised revenue and receivables aging.", no_args_is_help=True)
export_app = typer.Typer(help="Export reports to CSV or XLSX.", no_args_is_help=True)

DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")]
Ids = Annotated[
    list[int] | None,
    typer.Argument(help="Entry ids.", show_default=False, parser=id_value, metavar="ID..."),
]
MAX_LIST = 100_000
"""The most entries one listing prints."""
DateOpt = Annotated[str | None, typer.Option(help="A date, YYYY-MM-DD.", show_default=False)]
FromOpt = Annotated[str | None, typer.Option("--from", help="First work date.")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last work date.")]
PersonOpt = Annotated[str | None, typer.Option(help="Owner id or e-mail.")]
ProjectOpt = Annotated[str | None, typer.Option(help="Project id or name.")]
StatusOpt = Annotated[list[str] | None, typer.Option(help="Status (repeatable).")]


# --- output helpers ------------------------------------------------------------------------


def emit(data: Any) -> None:
    """Print ``data`` as JSON."""
    typer.echo(json_text(data))


def print_batch(result: BatchResult, as_json: bool) -> None:
    """A batch action's outcome: what changed (or would), its totals, what was skipped."""
    if as_json:
        emit(result)
        return
    verb = "Would " + result.action if result.dry_run else result.done
    if result.dry_run:
        typer.echo("DRY RUN: nothing was written.")
    totals = result.totals
    from ..domain.wording import counted

    entries = counted(totals.entries, "entry", "entries")
    typer.echo(
        f"{verb}: {entries}, {hours(totals.minutes)} h, {totals.value.format()} "
        f"{totals.value.currency}"
    )
    for skip in result.skipped:
        typer.echo(f"  skipped #{skip.entry_id}: {skip.reason}")


def print_entries(page: EntryPage, as_json: bool) -> None:
    """Entries as lines, then the totals of the whole filter."""
    if as_json:
        emit({"entries": page.items, "totals": page.totals})
        return
    for e in page.items:
        typer.echo(
            f"{e.id:>8}  {e.work_date}  {e.owner_name[:18]:<18} {e.project_name[:20]:<20} "
            f"{hours(e.minutes):>6}  {e.value.format():>12}  {e.status}"
        )
    t = page.totals
    typer.echo(
        f"Total: {t.entries} entries, {hours(t.minutes)} h, {t.value.format()} {t.value.currency}"
    )


def parse_date(field: str, text: str | None) -> date | None:
    """An optional date option, refused with the option's name when malformed or out of range."""
    from ..domain.values import parse_date as read_date

    if not text:
        return None
    try:
        return read_date(text)
    except ValueError as exc:
        raise ValidationError([Problem(field, str(exc))]) from None


# --- resolving names to ids ----------------------------------------------------------------


def resolve_preset(
    services: Services,
    actor: Actor,
    kind: str,
    value: str | None,
    *,
    project_id: int | None = None,
) -> int | None:
    """A preset given by id or by name (a project also by code), compared as the database
    keeps names unique: case and spacing aside. A task is looked for only among the tasks of
    ``project_id``. Unknown and ambiguous names are refused."""
    if value is None or value == "":
        return None
    if (ident := typed_id(kind, value)) is not None:
        return ident
    found = services.presets.lookup(actor, kind, value, project_id=project_id)
    if len(found) == 1:
        return found[0]
    what = kind.replace("_", " ")
    if not found:
        where = " in that project" if kind == "task" and project_id is not None else ""
        raise ValidationError([Problem(kind, f"no active {what} named '{shown(value)}'{where}")])
    hint = "; give its id or code" if kind == "project" else "; give its id"
    raise ValidationError(
        [Problem(kind, f"more than one active {what} is named '{shown(value)}'{hint}")]
    )


def _collect(problems: list[Problem], resolve: Any, *args: Any, **kwargs: Any) -> int | None:
    """``resolve(*args, **kwargs)``, or None with its problems added to ``problems`` (so a
    command reports every bad name at once)."""
    try:
        return resolve(*args, **kwargs)
    except ValidationError as refused:
        problems.extend(refused.problems)
        return None


def resolve_user(
    services: Services, actor: Actor, value: str | None, field: str = "person"
) -> int | None:
    """A user given by id or e-mail, among those ``actor`` may see; problems name ``field``
    (the option as typed)."""
    if not value:
        return None
    if (ident := typed_id(field, value)) is not None:
        return ident
    for user in services.users.list_users(actor, search=value, limit=200).items:
        if user.email.lower() == value.strip().lower():
            return user.id
    raise ValidationError(
        [Problem(field, f"no user with e-mail '{shown(value)}' that you can see")]
    )


def report_filter(
    services: Services,
    actor: Actor,
    *,
    date_from: str | None,
    date_to: str | None,
    person: str | None,
    project: str | None,
    status: list[str] | None,
) -> ReportFilter:
    """The Time Report filter from command options."""
    from ..services.pipeline.views import ReportFilter

    return ReportFilter(
        date_from=parse_date("from", date_from),
        date_to=parse_date("to", date_to),
        owner_id=resolve_user(services, actor, person),
        project_id=resolve_preset(services, actor, "project", project),
        statuses=tuple(status or ()),
    )


@contextmanager
def reporting(
    db: str | None,
    *,
    date_from: str | None,
    date_to: str | None,
    person: str | None,
    project: str | None,
    status: list[str] | None = None,
) -> Iterator[tuple[Services, Actor, ReportFilter]]:
    """The services of ``db``, the logged-in user and the Time Report filter the options
    give, for the commands that read or act on what the Time Report shows."""
    with services_for(db) as services:
        actor = current_actor(services)
        yield (
            services,
            actor,
            report_filter(
                services,
                actor,
                date_from=date_from,
                date_to=date_to,
                person=person,
                project=project,
                status=status,
            ),
        )


# --- time ----------------------------------------------------------------------------------


@time_app.command("add")
def time_add(
    project: Annotated[str, typer.Option(help="Project id or name.")],
    task: Annotated[str, typer.Option(help="Task id or name.")],
    activity: Annotated[str, typer.Option(help="Activity id or name.")],
    rate: Annotated[str, typer.Option("--rate", help="Rate code id or name.")],
    time: Annotated[str, typer.Option("--time", help="1:30, 1.5, 08:00-09:30 or 22:00-02:00+1.")],
    work_date: Annotated[str, typer.Option("--date", help="Work date (default today).")] = "",
    description: Annotated[str, typer.Option(help="What was done.")] = "",
    non_billable: Annotated[bool, typer.Option("--non-billable")] = False,
    for_user: Annotated[
        str | None, typer.Option("--for", help="A direct staff member (id or e-mail).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Enter a time card."""
    from ..services.pipeline.views import TimeCardForm

    with services_for(db) as services:
        actor = current_actor(services)
        problems: list[Problem] = []
        codes = {
            kind: _collect(problems, resolve_preset, services, actor, kind, value)
            for kind, value in (("project", project), ("activity", activity), ("rate_code", rate))
        }
        task_id = None
        if codes["project"] is not None:  # a task is named within its project
            task_id = _collect(
                problems,
                resolve_preset,
                services,
                actor,
                "task",
                task,
                project_id=codes["project"],
            )
        owner_id = _collect(problems, resolve_user, services, actor, for_user, "for")
        if problems:
            raise ValidationError(problems)
        form = TimeCardForm(
            project_id=codes["project"],
            task_id=task_id,
            activity_id=codes["activity"],
            rate_code_id=codes["rate_code"],
            time_spent=time,
            work_date=work_date,
            description=description,
            billable=not non_billable,
            owner_id=owner_id,
        )
        entry = services.time.add_entry(actor, form)
    if as_json:
        emit(entry)
    else:
        typer.echo(
            f"Entry #{entry.id}: {entry.work_date} {hours(entry.minutes)} h on "
            f"{entry.project_name} ({entry.value.format()} {entry.value.currency}), draft."
        )


@time_app.command("list")
def time_list(
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    person: PersonOpt = None,
    project: ProjectOpt = None,
    status: StatusOpt = None,
    limit: Annotated[
        int, typer.Option(help="At most this many entries.", parser=whole_number(1, MAX_LIST))
    ] = 200,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The Time Report: your entries and your direct staff's, newest first, with totals."""
    with reporting(
        db, date_from=date_from, date_to=date_to, person=person, project=project, status=status
    ) as (services, actor, flt):
        page = services.time.report(actor, flt, limit=limit)
    print_entries(page, as_json)


@time_app.command("summary")
def time_summary(
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    person: PersonOpt = None,
    project: ProjectOpt = None,
    status: StatusOpt = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The Time Report summed per project: entries, hours and value, with the total."""
    with reporting(
        db, date_from=date_from, date_to=date_to, person=person, project=project, status=status
    ) as (services, actor, flt):
        rows = services.time.project_hours(actor, flt)
    if as_json:
        emit({"projects": rows})
        return
    for line in project_hours_lines(rows):
        typer.echo(line)


@time_app.command("accept")
def time_accept(
    ids: Ids = None,
    all_shown: Annotated[
        bool, typer.Option("--all", help="Accept everything the filter shows.")
    ] = False,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    person: PersonOpt = None,
    project: ProjectOpt = None,
    dry_run: DryRun = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Accept entries (they move on to Approvals): ids, or --all with a filter."""
    if not ids and not all_shown:
        raise typer.BadParameter("give entry ids, or --all to accept everything shown")
    with reporting(
        db, date_from=date_from, date_to=date_to, person=person, project=project, status=None
    ) as (services, actor, flt):
        result = services.time.accept(actor, ids or None, flt=flt, dry_run=dry_run)
    print_batch(result, as_json)


@time_app.command("approve")
def time_approve(
    ids: Ids = None,
    contributor: Annotated[
        str | None, typer.Option(help="Approve all of one staff member (id or e-mail).")
    ] = None,
    include_all: Annotated[
        bool, typer.Option("--firm-wide", help="Everyone's entries (needs time.approve_any).")
    ] = False,
    dry_run: DryRun = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve accepted entries of your direct staff (they move on to WIP)."""
    if not ids and not contributor:
        raise typer.BadParameter("give entry ids, or --contributor")
    with services_for(db) as services:
        actor = current_actor(services)
        result = services.time.approve(
            actor,
            ids or None,
            contributor_id=resolve_user(services, actor, contributor, "contributor"),
            include_all=include_all,
            dry_run=dry_run,
        )
    print_batch(result, as_json)


@time_app.command("reject")
def time_reject(
    ids: Ids = None,
    reason: Annotated[str, typer.Option(help="Why (shown on the Time Report).")] = "",
    contributor: Annotated[str | None, typer.Option(help="All of one staff member.")] = None,
    include_all: Annotated[bool, typer.Option("--firm-wide")] = False,
    dry_run: DryRun = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject accepted entries with a reason; they go back to the Time Report."""
    if not ids and not contributor:
        raise typer.BadParameter("give entry ids, or --contributor")
    with services_for(db) as services:
        actor = current_actor(services)
        result = services.time.reject(
            actor,
            ids or None,
            reason=reason,
            contributor_id=resolve_user(services, actor, contributor, "contributor"),
            include_all=include_all,
            dry_run=dry_run,
        )
    print_batch(result, as_json)


# --- wip -----------------------------------------------------------------------------------


@wip_app.command("list")
def wip_list(
    client: Annotated[str | None, typer.Option(help="Client id or name.")] = None,
    entries: Annotated[bool, typer.Option("--entries", help="List the entries too.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approved work by client and project, with what is allocated to bill, write down, hold."""
    with services_for(db) as services:
        actor = current_actor(services)
        client_id = resolve_preset(services, actor, "client", client)
        groups = services.wip.groups(actor, client_id=client_id)
        page = services.wip.entries(actor, client_id=client_id, limit=500) if entries else None
    if as_json:
        emit({"groups": groups, "entries": page.items if page else []})
        return
    for g in groups:
        typer.echo(
            f"{g.client_name[:20]:<20} {g.project_name[:24]:<24} "
            f"open {g.unallocated.entries:>6} ({g.unallocated.value.format():>12})  "
            f"bill {g.to_bill.value.format():>12}  written down {g.written_down.format():>10}  "
            f"hold {g.on_hold.entries:>5}"
        )
    if page is not None:
        print_entries(page, False)


@wip_app.command("allocate")
def wip_allocate(
    ids: Annotated[list[int], typer.Argument(help="Entry ids.", parser=id_value, metavar="ID...")],
    kind: Annotated[str, typer.Option(help="bill, write_down or hold.")],
    amount: Annotated[str, typer.Option(help="Write-down amount per entry (blank = all).")] = "",
    reason: Annotated[str, typer.Option(help="Write-down reason.")] = "",
    note: Annotated[str, typer.Option(help="Note on the write-down.")] = "",
    until: Annotated[str, typer.Option(help="Hold until this date (blank = until released).")] = "",
    dry_run: DryRun = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Allocate WIP entries: bill, write down (all or part, with a reason), or hold."""
    from ..services.pipeline.views import AllocationForm

    form = AllocationForm(
        kind=kind, write_down_amount=amount, reason=reason, note=note, hold_until=until
    )
    with services_for(db) as services:
        actor = current_actor(services)
        result = services.wip.allocate(actor, ids, form, dry_run=dry_run)
    print_batch(result, as_json)


@wip_app.command("process")
def wip_process(
    client: Annotated[str | None, typer.Option(help="Only this client (id or name).")] = None,
    per_project: Annotated[
        bool, typer.Option("--per-project", help="One record per project.")
    ] = False,
    as_of: DateOpt = None,
    dry_run: DryRun = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Turn allocated entries into document records (invoice records, write-down statements)."""
    with services_for(db) as services:
        actor = current_actor(services)
        result = services.wip.process(
            actor,
            as_of=parse_date("as_of", as_of),
            client_id=resolve_preset(services, actor, "client", client),
            per_project=per_project,
            dry_run=dry_run,
        )
    if as_json:
        emit(result)
        return
    if dry_run:
        typer.echo("DRY RUN: nothing was written.")
    for doc in result.documents:
        typer.echo(
            f"{doc.reference:<10} {doc.kind:<10} {doc.client_name[:24]:<24} "
            f"{doc.entries:>6} entries billed {doc.billed.format():>12} "
            f"written down {doc.written_down.format():>10}"
        )
    typer.echo(
        f"Total: {result.totals.entries} entries, billed {result.billed.format()}, "
        f"written down {result.written_down.format()} {result.billed.currency}"
    )


# --- documenter and invoices ---------------------------------------------------------------


@documenter_app.command("create-invoice")
def create_invoice(
    document: Annotated[str, typer.Argument(help="Document record id or reference (DR-000123).")],
    issue_date: DateOpt = None,
    commentary: Annotated[
        str | None, typer.Option(help="Commentary printed on the invoice.", show_default=False)
    ] = None,
    markup: Annotated[
        str | None, typer.Option(help="Markup percent (0 for none).", show_default=False)
    ] = None,
    markup_on_whole: Annotated[
        bool | None,
        typer.Option(
            "--markup-on-whole/--markup-on-expenses",
            help="Mark up the whole invoice, or the expenses only.",
            show_default=False,
        ),
    ] = None,
    vat_rate: Annotated[
        str | None,
        typer.Option("--vat-rate", help="VAT percent of the time lines.", show_default=False),
    ] = None,
    terms: Annotated[
        int | None,
        typer.Option(
            help="Payment-terms template id (sets its due days).",
            show_default=False,
            parser=id_value,
        ),
    ] = None,
    no_terms: Annotated[
        bool, typer.Option("--no-terms", help="Issue without payment terms.")
    ] = False,
    due_days: Annotated[
        str | None, typer.Option(help="Days to pay after the issue date.", show_default=False)
    ] = None,
    dry_run: DryRun = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue the invoice of a document record with the next gapless number.

    The draft is issued as it stands (as prepared in the Documenter, or a new draft with the
    firm's defaults); an option given changes only what it names, everything else stays. Editing
    and issuing are one transaction: either both happen or nothing does. With --dry-run every
    check runs and nothing is written.
    """
    if terms is not None and no_terms:
        raise typer.BadParameter("give --terms or --no-terms, not both")
    form = _draft_form(
        commentary=commentary,
        markup_percent=markup,
        markup_on_whole=markup_on_whole,
        vat_rate=vat_rate,
        payment_terms_id=None if no_terms else terms,
        clear_terms=no_terms,
        due_days=due_days,
    )
    with services_for(db) as services:
        actor = current_actor(services)
        doc_id = _document_id(services, actor, document)
        missing = services.invoices.seller_missing(actor)
        issued = services.invoices.issue_record(
            actor, doc_id, form, issue_date=issue_date, dry_run=dry_run
        )
    if missing:  # said once the issue went through (a refusal stays one line)
        from ..domain.wording import missing_details

        them = "it" if len(missing) == 1 else "them"
        gap = missing_details("the firm's", missing)
        typer.echo(
            f"Warning: {gap}: the invoice prints without {them} (add {them} on the Settings "
            "screen).",
            err=True,
        )
    if dry_run and as_json:
        emit({"dry_run": True, **jsonable(issued)})
        return
    if dry_run:
        typer.echo("DRY RUN: nothing was written. The invoice would be:")
    _print_invoice(issued, as_json)


def _draft_form(*, clear_terms: bool, **options: Any) -> Any:
    """A draft form of the options given (an option left out keeps the draft's value)."""
    from ..services.invoicing.views import DraftForm

    given = {name: value for name, value in options.items() if value is not None}
    if clear_terms:
        given["payment_terms_id"] = None
    return DraftForm(**given)


def _document_id(services: Services, actor: Actor, value: str) -> int:
    if (ident := typed_id("document", value)) is not None:
        return ident
    for doc in services.wip.documents(actor, kind="invoice"):
        if doc.reference.lower() == value.lower() and doc.id is not None:
            return doc.id
    raise ValidationError([Problem("document", f"no invoice record '{shown(value)}'")])


def _print_invoice(view: Any, as_json: bool) -> None:
    if as_json:
        emit(view)
        return
    typer.echo(
        f"{view.number or '(draft #' + str(view.id) + ')'}  {view.client_name}  "
        f"net {view.net.format()}  VAT {view.vat.format()}  gross {view.gross.format()} "
        f"{view.currency}  {view.status}"
    )
    for row in view.vat_breakdown:
        typer.echo(
            f"  VAT {percent_text(row.rate_bp)}%: net {row.net.format()} VAT {row.vat.format()}"
        )


@invoice_app.command("list")
def invoice_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Issued invoices not yet booked (the Invoice Printer)."""
    with services_for(db) as services:
        actor = current_actor(services)
        rows = services.invoices.printer_list(actor)
    if as_json:
        emit(rows)
        return
    for view in rows:
        _print_invoice(view, False)


@invoice_app.command("render")
def invoice_render(
    number: Annotated[str, typer.Argument(help="Invoice number.")],
    fmt: Annotated[str, typer.Option("--format", help="pdf or html.")] = "pdf",
    out: Annotated[Path | None, typer.Option(help="File or folder to write to.")] = None,
    no_details: Annotated[
        bool, typer.Option("--no-details", help="Hide line descriptions.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Render an issued invoice as PDF or HTML; prints the file's path."""
    if fmt not in ("pdf", "html"):
        raise typer.BadParameter("--format must be pdf or html")
    with services_for(db) as services:
        actor = current_actor(services)
        path = services.invoices.render(
            actor, number, fmt=fmt, out=out, show_line_details=not no_details
        )
    typer.echo(str(path))


@invoice_app.command("pay")
def invoice_pay(
    number: Annotated[str, typer.Argument(help="Invoice number.")],
    amount: Annotated[str, typer.Option(help="Amount received.")],
    paid_on: Annotated[str, typer.Option("--date", help="Date received.")],
    method: Annotated[str, typer.Option(help="wire, ach, check, cash, card, other.")] = "wire",
    reference: Annotated[str, typer.Option(help="Bank reference.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a client payment (recognises revenue); partial payments are allowed."""
    from ..services.invoicing.views import PaymentForm

    with services_for(db) as services:
        actor = current_actor(services)
        view = services.invoices.record_payment(
            actor,
            number,
            PaymentForm(amount=amount, paid_on=paid_on, method=method, reference=reference),
        )
    print_client_payment(view, as_json)


def print_client_payment(view: InvoiceView, as_json: bool) -> None:
    """What a client invoice stands at after a payment: JSON, or one line of text."""
    if as_json:
        emit(view)
    else:
        typer.echo(
            f"{view.number}: paid {view.paid.format()}, still due {view.due.format()} "
            f"{view.currency} ({view.status})."
        )


@invoice_app.command("notice")
def invoice_notice(
    number: Annotated[str, typer.Argument(help="Invoice number.")],
    days: Annotated[
        int | None, typer.Option(help="60 or 90.", show_default=False, parser=whole_number(0, 999))
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the overdue notice.")] = False,
    db: DbOption = None,
) -> None:
    """Add a 60- or 90-day overdue notice (--days), or remove it (--clear); re-render to print."""
    if (days is None) == (not clear):
        raise typer.BadParameter("give --days 60 or 90 to add a notice, or --clear to remove it")
    with services_for(db) as services:
        actor = current_actor(services)
        view = services.invoices.set_overdue_notice(actor, number, days)
    typer.echo(f"{view.number}: overdue notice {view.overdue_notice_days or 'cleared'}.")


@invoice_app.command("book")
def invoice_book(
    number: Annotated[str, typer.Argument(help="Invoice number.")], db: DbOption = None
) -> None:
    """Mark a paid invoice booked (it leaves the Invoice Printer)."""
    with services_for(db) as services:
        actor = current_actor(services)
        view = services.invoices.mark_booked(actor, number)
    typer.echo(f"{view.number}: booked.")


# --- revenue and exports -------------------------------------------------------------------


@revenue_app.command("report")
def revenue_report(
    as_of: DateOpt = None,
    date_from: FromOpt = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recognised revenue (net of VAT) by month, client and project, up to --as-of.

    Each payment received recognises its share of its invoice's net; the VAT it carried and
    the amount received are shown beside it.
    """
    with services_for(db) as services:
        actor = current_actor(services)
        rows = services.invoices.revenue(
            actor, date_from=parse_date("from", date_from), date_to=parse_date("as_of", as_of)
        )
    if as_json:
        emit(rows)
        return
    for line in revenue_lines(rows):
        typer.echo(line)


@revenue_app.command("aging")
def revenue_aging(as_of: DateOpt = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Receivables aging as of a date: current, 1-30, 31-60, 61-90, over 90 days past due."""
    with services_for(db) as services:
        actor = current_actor(services)
        when = parse_date("as_of", as_of) or _today(services)
        rows = services.invoices.aging(actor, as_of=when)
    if as_json:
        emit({"as_of": when, "rows": rows})
        return
    typer.echo(f"Aging as of {when}: current / 1-30 / 31-60 / 61-90 / over 90 / total")
    for r in rows:
        cells = (r.current, r.days_1_30, r.days_31_60, r.days_61_90, r.over_90, r.total)
        typer.echo(f"{r.client_name[:24]:<24} " + " ".join(f"{c.format():>12}" for c in cells))


def _today(services: Services) -> date:
    return services.settings.today()


@export_app.command("time")
def export_time(
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    person: PersonOpt = None,
    project: ProjectOpt = None,
    status: StatusOpt = None,
    db: DbOption = None,
) -> None:
    """Export the Time Report (what `time list` shows) to CSV or XLSX.

    The entries are written as they are read, so memory stays flat for any number of them; on
    a terminal, the progress is shown on standard error.
    """
    with (
        reporting(
            db, date_from=date_from, date_to=date_to, person=person, project=project, status=status
        ) as (services, actor, flt),
        progress_line("entries") as progress,
    ):
        written = services.time.export_report(actor, flt, fmt, out, progress)
    typer.echo(str(written))


@export_app.command("revenue")
def export_revenue(
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    date_from: FromOpt = None,
    as_of: DateOpt = None,
    db: DbOption = None,
) -> None:
    """Export the recognised revenue report to CSV or XLSX."""
    with services_for(db) as services:
        actor = current_actor(services)
        table = services.invoices.revenue_table(
            actor, date_from=parse_date("from", date_from), date_to=parse_date("as_of", as_of)
        )
        written = _write_table(table, fmt, out)
    typer.echo(str(written))


def _write_table(table: Any, fmt: str, out: Path) -> Path:
    from ..services.base import write_table  # imported here: --help stays light

    return write_table(table, fmt, out)


def register(app: typer.Typer) -> None:
    """Add the pipeline command groups to the main ``tektoro`` command."""
    app.add_typer(time_app, name="time")
    app.add_typer(wip_app, name="wip")
    app.add_typer(documenter_app, name="documenter")
    app.add_typer(invoice_app, name="invoice")
    app.add_typer(revenue_app, name="revenue")
    app.add_typer(export_app, name="export")
