"""CLI commands of projects as contracts and the cost register (DESIGN.md §9).

``tektoro project list|show|balance|summary``, ``tektoro project change add|list|edit``,
``tektoro project invoice suggest|issue|record-external``, ``tektoro cost
add|list|edit|delete`` and ``tektoro export costs|projects``. Every command acts as the user of
the stored CLI session, prints JSON with ``--json`` and exits 1 with the reason on stderr when
refused; ``--dry-run`` checks everything and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..domain.money import percent_text
from .common import DbOption, JsonOption, current_actor, id_value, progress_line, services_for
from .common import money_text as _m
from .pipeline import DryRun, emit, export_app, parse_date

if TYPE_CHECKING:
    from ..domain.settlement import ProjectBalance, Suggestion
    from ..services.base import Actor
    from ..services.hub import Services
    from ..services.projects.views import CostFilter, CostView, IssuedSettlement, ProjectRow

project_app = typer.Typer(
    help="Projects as contracts: list, balance, change orders, settlement invoices.",
    no_args_is_help=True,
)
change_app = typer.Typer(help="Change orders of a project: add, list, edit.", no_args_is_help=True)
invoice_app = typer.Typer(
    help="Settlement invoices of a project: suggest, issue, record one issued elsewhere.",
    no_args_is_help=True,
)
cost_app = typer.Typer(
    help="The project cost register: add, list, edit, delete.", no_args_is_help=True
)
project_app.add_typer(change_app, name="change")
project_app.add_typer(invoice_app, name="invoice")

Name = Annotated[str, typer.Argument(help="Project id, code or name.")]
KindOpt = Annotated[str, typer.Option("--type", help="partial, total, advance or final.")]
CostId = Annotated[int, typer.Argument(help="Cost id.", parser=id_value)]
VersionOpt = Annotated[
    int | None,
    typer.Option("--version", help="The version you read (refused if it changed since)."),
]


def _print_project(row: ProjectRow) -> None:
    whole = _m(row.contract_with_changes) if row.contract_with_changes is not None else "T&M"
    typer.echo(
        f"#{row.id:<5} {row.name[:28]:<28} {row.client_name[:20]:<20} {whole:>18} "
        f"invoiced {_m(row.invoiced):>16} costs {_m(row.costs):>16} "
        f"result {_m(row.result):>16} {row.progress_pct:>3} % {row.status.replace('_', ' ')}"
    )


def _print_balance(balance: ProjectBalance) -> None:
    if balance.contract_with_changes is not None:
        typer.echo(f"  Contract with changes  {_m(balance.contract_with_changes):>20}")
    typer.echo(f"  Invoiced (net)         {_m(balance.invoiced):>20}")
    typer.echo(f"  Paid                   {_m(balance.paid):>20}")
    typer.echo(f"  Outstanding (gross)    {_m(balance.outstanding):>20}")
    for kind, amount in balance.costs:
        typer.echo(f"  Costs: {kind:<15} {_m(amount):>20}")
    typer.echo(f"  Costs in all           {_m(balance.total_costs):>20}")
    margin = "" if balance.margin_bp is None else f"  (margin {percent_text(balance.margin_bp)} %)"
    typer.echo(f"  Result                 {_m(balance.result):>20}{margin}")
    if balance.left_to_invoice is not None:
        typer.echo(f"  Left to invoice        {_m(balance.left_to_invoice):>20}")


def _print_suggestion(suggestion: Suggestion) -> None:
    for line in suggestion.lines:
        sign = "-" if line.deducted else " "
        typer.echo(f"  {line.label:<38}{sign}{_m(line.amount):>20}")


def _print_issued(result: IssuedSettlement) -> None:
    verb = "Would issue" if result.dry_run else "Issued"
    typer.echo(f"{verb} {result.kind} invoice {result.number}:")
    for description, net, rate, vat in result.lines:
        typer.echo(
            f"  {description[:48]:<48} net {_m(net):>18}  VAT {percent_text(rate)} % {_m(vat):>16}"
        )
    typer.echo(f"  Net {_m(result.net)}, VAT {_m(result.vat)}, gross {_m(result.gross)}")
    if result.paid.cents:
        typer.echo(f"  Paid at once: {_m(result.paid)}")
    if result.progress_pct is not None:
        typer.echo(f"  Project progress set to {result.progress_pct} %")
    if result.sent:
        typer.echo(f"  E-mail: {result.sent}")


# --- projects ------------------------------------------------------------------------------


@project_app.command("list")
def project_list(
    search: Annotated[str, typer.Option("--search", help="Part of name, code or client.")] = "",
    valuation: Annotated[str, typer.Option("--valuation", help="fixed or tm.")] = "",
    status: Annotated[str, typer.Option("--status", help="active, on_hold or completed.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The projects you may see with contract, invoiced, paid, costs, result and progress."""
    from ..services.projects.views import ProjectFilter

    with services_for(db) as services:
        actor = current_actor(services)
        listing = services.projects.list(
            actor, ProjectFilter(search=search, valuation=valuation, status=status), limit=None
        )
    if as_json:
        emit(listing)
        return
    for row in listing.rows:
        _print_project(row)
    typer.echo(f"{listing.total} projects.")


@project_app.command("show")
def project_show(name: Name, db: DbOption = None, as_json: JsonOption = False) -> None:
    """One project: its figures, settlement invoices and change orders."""
    with services_for(db) as services:
        actor = current_actor(services)
        detail = services.projects.detail(actor, name)
    if as_json:
        emit(detail)
        return
    row = detail.row
    typer.echo(f"{row.name} (#{row.id}{', ' + row.code if row.code else ''}) for {row.client_name}")
    typer.echo(
        f"  {row.valuation_label}, {row.status.replace('_', ' ')}, progress {row.progress_pct} %,"
        f" billed: {row.billing or 'not yet'}"
    )
    if detail.method:
        typer.echo(f"  Settled by {detail.method.replace('_', ' / ')} invoices")
    typer.echo(f"  May take now: {', '.join(detail.next_kinds) or 'no settlement invoice'}")
    _print_balance(detail.balance)
    if detail.invoices:
        typer.echo("Invoices:")
    for inv in detail.invoices:
        change = f" change {inv.change_number}" if inv.change_number else ""
        external = " (external)" if inv.external else ""
        typer.echo(
            f"  {inv.number:<18}{external} {inv.kind:<12} {inv.issue_date} net {_m(inv.net):>16}"
            f" gross {_m(inv.gross):>16} paid {_m(inv.paid):>16} {inv.status}{change}"
        )
    if detail.changes:
        typer.echo("Changes:")
    for ch in detail.changes:
        flag = "approved" if ch.approved else "not approved"
        typer.echo(
            f"  {ch.number:>3} {ch.change_date} {_m(ch.amount):>16} {flag:<13} {ch.description}"
        )


@project_app.command("balance")
def project_balance(name: Name, db: DbOption = None, as_json: JsonOption = False) -> None:
    """A project's financial balance, with invoiced and costs per month."""
    with services_for(db) as services:
        actor = current_actor(services)
        view = services.projects.balance(actor, name)
    if as_json:
        emit(view)
        return
    typer.echo(f"Balance of {view.project_name}")
    _print_balance(view.balance)
    for month in view.months:
        typer.echo(
            f"  {month.month}  invoiced {_m(month.invoiced):>16}  costs {_m(month.costs):>16}"
        )


@project_app.command("summary")
def project_summary(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The firm-wide projects summary: every project you may see and the totals."""
    with services_for(db) as services:
        actor = current_actor(services)
        listing, totals = services.projects.summary(actor)
    if as_json:
        emit({"projects": listing.rows, "totals": totals})
        return
    for row in listing.rows:
        _print_project(row)
    typer.echo(
        f"{listing.total} projects: contract {_m(totals['contract_with_changes'])}, invoiced "
        f"{_m(totals['invoiced'])}, paid {_m(totals['paid'])}, costs {_m(totals['costs'])}, "
        f"result {_m(totals['result'])}"
    )


# --- change orders -------------------------------------------------------------------------


@change_app.command("add")
def change_add(
    name: Name,
    description: Annotated[str, typer.Option("--description", help="What changes.")],
    amount: Annotated[str, typer.Option("--amount", help="± amount, e.g. 12500 or -800.")],
    when: Annotated[str, typer.Option("--date", help="Date of the change (default today).")] = "",
    approved: Annotated[bool, typer.Option("--approved", help="Approved at once.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a change order under the project's next number."""
    from ..services.projects.views import ChangeForm

    with services_for(db) as services:
        actor = current_actor(services)
        view = services.projects.add_change(
            actor, name, ChangeForm(description, when, amount, approved)
        )
    if as_json:
        emit(view)
    else:
        flag = "approved" if view.approved else "not approved yet"
        typer.echo(f"Change {view.number} of {view.project_name}: {_m(view.amount)} ({flag}).")


@change_app.command("list")
def change_list(name: Name, db: DbOption = None, as_json: JsonOption = False) -> None:
    """A project's change orders."""
    with services_for(db) as services:
        actor = current_actor(services)
        views = services.projects.changes(actor, name)
    if as_json:
        emit(views)
        return
    for ch in views:
        flag = "approved" if ch.approved else "not approved"
        by = f" invoiced by {', '.join(ch.invoiced_by)}" if ch.invoiced_by else ""
        typer.echo(
            f"{ch.number:>3} {ch.change_date} {_m(ch.amount):>16} {flag:<13} {ch.description}{by}"
        )
    if not views:
        typer.echo("No changes.")


@change_app.command("edit")
def change_edit(
    name: Name,
    number: Annotated[str, typer.Argument(help="Change number.")],
    description: Annotated[str | None, typer.Option("--description")] = None,
    amount: Annotated[str | None, typer.Option("--amount")] = None,
    when: Annotated[str | None, typer.Option("--date")] = None,
    approve: Annotated[bool, typer.Option("--approve", help="Approve it.")] = False,
    version: VersionOpt = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Edit a change that is not approved yet (options left out keep their value), or approve
    it with --approve."""
    from ..services.projects.views import ChangeForm

    with services_for(db) as services:
        actor = current_actor(services)
        current = {c.number: c for c in services.projects.changes(actor, name)}
        wanted = number.strip()
        found = current.get(int(wanted)) if wanted.isascii() and wanted.isdigit() else None
        form = ChangeForm(
            description if description is not None else (found.description if found else ""),
            when if when is not None else (found.change_date.isoformat() if found else ""),
            amount if amount is not None else (str(found.amount.amount) if found else ""),
            approve,
        )
        view = services.projects.edit_change(actor, name, number, form, version=version)
    if as_json:
        emit(view)
    else:
        flag = "approved" if view.approved else "not approved yet"
        typer.echo(f"Change {view.number} of {view.project_name}: {_m(view.amount)} ({flag}).")


# --- settlement invoices ---------------------------------------------------------------------


@invoice_app.command("suggest")
def invoice_suggest(
    name: Name,
    kind: KindOpt,
    period_from: Annotated[str | None, typer.Option("--from", help="First day (T&M).")] = None,
    period_to: Annotated[
        str | None, typer.Option("--to", help="Last day (T&M, default today).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The suggested net of the next settlement invoice, and how it was reached."""
    with services_for(db) as services:
        actor = current_actor(services)
        view = services.projects.suggest(
            actor, name, kind, period_from=period_from, period_to=period_to
        )
    if as_json:
        emit(view)
        return
    period = f" for {view.period_from or '…'} to {view.period_to}" if view.period_from else ""
    typer.echo(f"Suggested {view.kind} invoice of {view.project_name}{period}:")
    _print_suggestion(view.suggestion)
    typer.echo(
        f"Suggested net: {_m(view.suggestion.net)} (VAT {percent_text(view.vat_bp)} % by default)"
    )
    for note in view.notes:
        typer.echo(f"  {note}")


@invoice_app.command("issue")
def invoice_issue(
    name: Name,
    kind: KindOpt,
    net: Annotated[str, typer.Option("--net", help="Net amount (default: the suggestion).")] = "",
    vat: Annotated[str, typer.Option("--vat", help="VAT rate in % (default: the firm's).")] = "",
    service: Annotated[str, typer.Option("--service", help="Name of the goods or service.")] = "",
    issue_date: Annotated[str, typer.Option("--date", help="Issue date (default today).")] = "",
    due_date: Annotated[str, typer.Option("--due", help="Payment deadline.")] = "",
    footer: Annotated[str | None, typer.Option("--footer", help="Footer text.")] = None,
    progress: Annotated[str, typer.Option("--progress", help="Set work progress to this %.")] = "",
    paid: Annotated[str, typer.Option("--paid", help="Amount paid at once.")] = "",
    paid_in_full: Annotated[bool, typer.Option("--paid-in-full", help="Paid in full.")] = False,
    change: Annotated[str, typer.Option("--change", help="The change number it settles.")] = "",
    period_from: Annotated[str, typer.Option("--from", help="First day (T&M).")] = "",
    period_to: Annotated[str, typer.Option("--to", help="Last day (T&M).")] = "",
    send_to: Annotated[str, typer.Option("--send-to", help="E-mail the PDF here.")] = "",
    dry_run: DryRun = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue a settlement invoice of the project (the next number of series INV)."""
    from ..services.projects.views import SettlementForm

    form = SettlementForm(
        kind=kind,
        issue_date=issue_date,
        due_date=due_date,
        service=service,
        net=net,
        vat_rate=vat,
        footer=footer,
        progress_pct=progress,
        paid_amount=paid,
        paid_in_full=paid_in_full,
        change_number=change,
        period_from=period_from,
        period_to=period_to,
        send_to=send_to,
    )
    with services_for(db) as services:
        actor = current_actor(services)
        result = services.projects.issue(actor, name, form, dry_run=dry_run)
    if as_json:
        emit(result)
    else:
        _print_issued(result)


@invoice_app.command("record-external")
def invoice_record_external(
    name: Name,
    number: Annotated[str, typer.Option("--number", help="Its number in the other program.")],
    issue_date: Annotated[str, typer.Option("--date", help="Its issue date.")],
    net: Annotated[str, typer.Option("--net", help="Net amount.")] = "",
    vat: Annotated[str, typer.Option("--vat", help="VAT amount as on the invoice.")] = "",
    gross: Annotated[str, typer.Option("--gross", help="Gross (checked: net + VAT).")] = "",
    kind: Annotated[str, typer.Option("--type", help="partial, total, advance or final.")] = "",
    vat_rate: Annotated[str, typer.Option("--vat-rate", help="VAT rate in %.")] = "",
    service: Annotated[str, typer.Option("--service", help="What it invoiced.")] = "",
    due_date: Annotated[str, typer.Option("--due", help="Payment deadline.")] = "",
    change: Annotated[str, typer.Option("--change", help="The change number it settles.")] = "",
    credits: Annotated[
        str, typer.Option("--credits", help="Record a credit note cancelling this recorded one.")
    ] = "",
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Its PDF, kept with it.")] = None,
    paid: Annotated[str, typer.Option("--paid", help="Amount already paid on it.")] = "",
    paid_in_full: Annotated[bool, typer.Option("--paid-in-full", help="Paid in full.")] = False,
    paid_on: Annotated[str, typer.Option("--paid-on", help="Date paid (default its date).")] = "",
    dry_run: DryRun = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record an invoice issued in another program against the project (never one of our
    numbers); with --credits, the credit note that cancels one recorded before."""
    from ..services.projects.views import ExternalForm

    form = ExternalForm(
        number=number,
        issue_date=issue_date,
        net=net,
        vat=vat,
        gross=gross,
        kind=kind,
        vat_rate=vat_rate,
        due_date=due_date,
        service=service,
        change_number=change,
        credits=credits,
        attachment=str(pdf) if pdf else "",
        paid_amount=paid,
        paid_in_full=paid_in_full,
        paid_on=paid_on,
    )
    with services_for(db) as services:
        actor = current_actor(services)
        result = services.projects.record_external(actor, name, form, dry_run=dry_run)
    if as_json:
        emit(result)
    else:
        verb = "Would record" if result.dry_run else "Recorded"
        typer.echo(
            f"{verb} {result.kind.replace('_', ' ')} {result.number} (external): net "
            f"{_m(result.net)}, VAT {_m(result.vat)}, gross {_m(result.gross)}"
        )


@invoice_app.command("attachment")
def invoice_attachment(
    name: Name,
    number: Annotated[str, typer.Argument(help="The recorded invoice's own number.")],
    out: Annotated[Path | None, typer.Option(help="File or folder to write it to.")] = None,
    db: DbOption = None,
) -> None:
    """Write the PDF kept with an invoice recorded from another program."""
    with services_for(db) as services:
        actor = current_actor(services)
        path = services.projects.save_attachment(actor, name, number, out=out)
    typer.echo(str(path))


# --- costs ---------------------------------------------------------------------------------


def _print_cost(cost: CostView) -> None:
    typer.echo(
        f"#{cost.id:<6} {cost.cost_date} {cost.project_name[:24]:<24} {cost.type_label:<10} "
        f"{_m(cost.amount):>16}  {cost.name}"
        + (f" [{cost.supplier_invoice_number}]" if cost.supplier_invoice_number else "")
        + f"  (v{cost.version})"
    )


ProjectOpt = Annotated[str, typer.Option("--project", help="Project id, code or name.")]


@cost_app.command("add")
def cost_add(
    project: ProjectOpt,
    name: Annotated[str, typer.Option("--name", help="Cost name (required).")],
    cost_type: Annotated[str, typer.Option("--type", help="material, salary, equipment, other.")],
    amount: Annotated[str, typer.Option("--amount", help="Amount.")],
    when: Annotated[str, typer.Option("--date", help="Date incurred (default today).")] = "",
    invoice: Annotated[str, typer.Option("--invoice", help="Supplier invoice number.")] = "",
    note: Annotated[str, typer.Option("--note", help="Note.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a project cost."""
    from ..services.projects.views import CostForm

    with services_for(db) as services:
        actor = current_actor(services)
        view = services.costs.add(
            actor, CostForm(project, name, invoice, note, when, cost_type, amount)
        )
    if as_json:
        emit(view)
    else:
        typer.echo(
            f"Recorded cost #{view.id}: {view.name}, {_m(view.amount)} on {view.project_name}."
        )


@cost_app.command("list")
def cost_list(
    project: Annotated[str, typer.Option("--project", help="Project id, code or name.")] = "",
    cost_type: Annotated[
        str, typer.Option("--type", help="material, salary, equipment, other.")
    ] = "",
    date_from: Annotated[str | None, typer.Option("--from", help="First date.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last date.")] = None,
    search: Annotated[str, typer.Option("--search", help="Part of name, invoice or project.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The costs of the projects you may see, newest first, with the total."""
    with services_for(db) as services:
        actor = current_actor(services)
        flt = _cost_filter(services, actor, project, cost_type, date_from, date_to, search)
        listing = services.costs.list(actor, flt)
    if as_json:
        emit(listing)
        return
    for cost in listing.rows:
        _print_cost(cost)
    typer.echo(f"{len(listing.rows)} costs: {_m(listing.total)}")


def _cost_filter(
    services: Services,
    actor: Actor,
    project: str,
    cost_type: str,
    date_from: str | None,
    date_to: str | None,
    search: str,
) -> CostFilter:
    """The cost register's filter from command options (a project by id, code or name)."""
    from ..services.projects.views import CostFilter

    project_id = services.projects.detail(actor, project).row.id if project.strip() else None
    return CostFilter(
        project_id=project_id,
        cost_type=cost_type,
        date_from=parse_date("from", date_from),
        date_to=parse_date("to", date_to),
        search=search,
    )


@cost_app.command("edit")
def cost_edit(
    cost_id: CostId,
    project: Annotated[str | None, typer.Option("--project")] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    cost_type: Annotated[str | None, typer.Option("--type")] = None,
    amount: Annotated[str | None, typer.Option("--amount")] = None,
    when: Annotated[str | None, typer.Option("--date")] = None,
    invoice: Annotated[str | None, typer.Option("--invoice")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    version: VersionOpt = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a cost; options left out keep their value."""
    from ..services.projects.views import CostForm

    with services_for(db) as services:
        actor = current_actor(services)
        cur = services.costs.get(actor, cost_id)
        form = CostForm(
            project if project is not None else str(cur.project_id),
            name if name is not None else cur.name,
            invoice if invoice is not None else cur.supplier_invoice_number,
            note if note is not None else cur.note,
            when if when is not None else cur.cost_date.isoformat(),
            cost_type if cost_type is not None else cur.cost_type,
            amount if amount is not None else str(cur.amount.amount),
        )
        view = services.costs.edit(
            actor, cost_id, form, version=cur.version if version is None else version
        )
    if as_json:
        emit(view)
    else:
        typer.echo(f"Saved cost #{view.id}: {view.name}, {_m(view.amount)} (v{view.version}).")


@cost_app.command("delete")
def cost_delete(
    cost_id: CostId,
    version: VersionOpt = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a cost (the audit log keeps what it was)."""
    with services_for(db) as services:
        actor = current_actor(services)
        view = services.costs.delete(actor, cost_id, version=version)
    if as_json:
        emit(view)
    else:
        typer.echo(f"Deleted cost #{view.id}: {view.name}, {_m(view.amount)}.")


# --- exports -------------------------------------------------------------------------------


@export_app.command("costs")
def export_costs(
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    project: Annotated[str, typer.Option("--project", help="Project id, code or name.")] = "",
    cost_type: Annotated[
        str, typer.Option("--type", help="material, salary, equipment, other.")
    ] = "",
    date_from: Annotated[str | None, typer.Option("--from", help="First date.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last date.")] = None,
    db: DbOption = None,
) -> None:
    """Export the cost register to CSV or XLSX (needs 'Export the invoice list').

    The costs are written as they are read, so memory stays flat for any number of them; on
    a terminal, the progress is shown on standard error.
    """
    if fmt not in ("csv", "xlsx"):
        raise typer.BadParameter("--format must be csv or xlsx")
    with services_for(db) as services, progress_line("costs") as progress:
        actor = current_actor(services)
        flt = _cost_filter(services, actor, project, cost_type, date_from, date_to, "")
        path = services.costs.export(actor, fmt, out, flt, progress)
    typer.echo(str(path))


@export_app.command("projects")
def export_projects(
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    db: DbOption = None,
) -> None:
    """Export the projects summary to CSV or XLSX (needs 'Export the invoice list')."""
    if fmt not in ("csv", "xlsx"):
        raise typer.BadParameter("--format must be csv or xlsx")
    with services_for(db) as services:
        actor = current_actor(services)
        path = services.projects.export(actor, fmt, out)
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add this module's command groups to the main ``tektoro`` command."""
    app.add_typer(project_app, name="project")
    app.add_typer(cost_app, name="cost")
