"""CLI commands of the role dashboards and the compliance register, for scripts.

``tektoro dashboard`` prints the signed-in user's own dashboard (administrator and accountant:
the financial summary; manager: approvals and workload; client user: the portal of their own
company; everyone else: their own hours, tickets and pay). ``tektoro compliance list|add|delete``
keeps the register of contractors' documents. Every command acts as the user of the stored CLI
session, prints JSON with ``--json`` and exits 1 with the reason on stderr when refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import Problem, ValidationError
from .common import DbOption, JsonOption, current_actor, id_value, services_for
from .pipeline import emit, hours, jsonable, parse_date

if TYPE_CHECKING:
    from ..domain.money import Money
    from ..services.contractor_invoices.views import ComplianceRow, ContractorDocumentView
    from ..services.reporting.views import (
        AdminDashboard,
        ClientDashboard,
        ContractorDashboard,
        ForemanDashboard,
        ManagerDashboard,
        WorkloadRow,
    )

compliance_app = typer.Typer(
    help="Contractors' compliance documents: list, add, delete.", no_args_is_help=True
)

PeriodOpt = Annotated[
    str, typer.Option("--period", help="Contractor hours: week or month.", show_default=True)
]
FromOpt = Annotated[
    str | None,
    typer.Option("--from", help="Manager's dashboard: first day of the period (default: 1st)."),
]
ToOpt = Annotated[
    str | None,
    typer.Option("--to", help="Manager's dashboard: last day of the period (default: month end)."),
]


def _money(value: Money | None) -> str:
    """An amount with its currency ('-' for none)."""
    return "-" if value is None else str(value)


# --- dashboard -------------------------------------------------------------------------------


def dashboard(
    period: PeriodOpt = "month",
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print your dashboard: your role's figures (only your own company's for a client).

    A manager chooses the period of workload and productivity with --from/--to (this month
    by default); a contractor compares this week or this month with the one before.
    """
    from ..services.reporting.views import (
        AdminDashboard,
        ClientDashboard,
        ContractorDashboard,
        ForemanDashboard,
        ManagerDashboard,
    )

    if period not in ("week", "month"):
        raise typer.BadParameter("--period must be week or month")
    with services_for(db) as services:
        actor = current_actor(services)
        board = services.dashboards.for_actor(actor)
        if isinstance(board, ContractorDashboard) and period != board.period:
            board = services.dashboards.contractor(actor, period=period)
        if date_from or date_to:
            if not isinstance(board, ManagerDashboard):
                raise ValidationError(
                    [Problem("from", "only the manager's dashboard has a chosen period")]
                )
            try:
                board = services.dashboards.manager(
                    actor,
                    date_from=parse_date("from", date_from),
                    date_to=parse_date("to", date_to),
                )
            except ValidationError as refused:  # name the options as typed: --from, --to
                names = {"date_from": "from", "date_to": "to"}
                raise ValidationError(
                    [Problem(names.get(p.field, p.field), p.message) for p in refused.problems]
                ) from None
    if as_json:
        emit({"kind": type(board).__name__.removesuffix("Dashboard").lower(), **jsonable(board)})
        return
    if isinstance(board, ContractorDashboard):
        _print_contractor(board)
    elif isinstance(board, ManagerDashboard):
        _print_manager(board)
    elif isinstance(board, AdminDashboard):
        _print_admin(board)
    elif isinstance(board, ClientDashboard):
        _print_client(board)
    elif isinstance(board, ForemanDashboard):
        _print_foreman(board)


def _print_foreman(board: ForemanDashboard) -> None:
    typer.echo(f"Dashboard of {board.user_name}, foreman of {board.company_name}")
    for row in board.crews:
        missing = ", ".join(d.isoformat() for d in row.unreported) or "none"
        typer.echo(
            f"  {row.number:<14} {row.project_name[:24]:<24} next planned day "
            f"{row.next_day or '-'}, {row.planned_ahead} planned ahead; to report: {missing}"
        )
    if not board.crews:
        typer.echo("  No crew planned.")
    typer.echo("Quick actions: tektoro subcontract report add NUMBER --date ...")


def _print_contractor(board: ContractorDashboard) -> None:
    typer.echo(f"Dashboard of {board.user_name}")
    typer.echo(
        f"Hours {board.current.label}: {hours(board.current.minutes)}  "
        f"({board.previous.label}: {hours(board.previous.minutes)}, change "
        f"{'+' if board.change_minutes >= 0 else '-'}{hours(abs(board.change_minutes))}"
        f"{' ' + board.change_pct if board.change_pct else ''})"
    )
    typer.echo(
        f"Outstanding pay: {_money(board.outstanding_pay)} "
        f"on {board.unpaid_invoices} unpaid invoice(s)"
    )
    typer.echo("Tickets: " + ", ".join(
        f"{t.status} {t.count} ({hours(t.minutes)} h)" for t in board.tickets
    ))  # fmt: skip
    typer.echo(f"Unread notifications: {board.unread_notifications}")
    typer.echo("Quick actions: tektoro time add, tektoro contractor-invoice list")


def _print_workload(title: str, rows: tuple[WorkloadRow, ...]) -> None:
    typer.echo(title)
    for row in rows:
        typer.echo(
            f"  {row.name[:30]:<30} {hours(row.minutes):>8} h  {row.entries:>6} cards  "
            f"billable {row.billable_share_pct}"
        )
    if not rows:
        typer.echo("  (no hours)")


def _print_manager(board: ManagerDashboard) -> None:
    from ..services.contractor_invoices.views import MASTER_INVOICE_STATUS_LABELS

    typer.echo(f"Team dashboard {board.period_start} to {board.period_end}")
    typer.echo("Contractor invoices:")
    for s in board.master_invoices:
        label = MASTER_INVOICE_STATUS_LABELS.get(s.status, s.status)
        typer.echo(f"  {label:<18} {s.count:>4}  {_money(s.amount):>18}")
    _print_workload("Projects:", board.projects)
    _print_workload("Team members:", board.members)
    share = board.team_billable_minutes * 100 / board.team_minutes if board.team_minutes else 0
    typer.echo(
        f"Team: {hours(board.team_minutes)} h, billable {hours(board.team_billable_minutes)} h "
        f"({share:.1f}%)"
    )
    firm = board.firm_pending_approvals
    shown = firm is not None and firm != board.pending_approvals
    in_firm = f" ({firm} in the firm)" if shown else ""
    typer.echo(f"Entries waiting for your approval: {board.pending_approvals}{in_firm}")


def _print_compliance(rows: tuple[ComplianceRow, ...]) -> None:
    for row in rows:
        parts = [
            f"{what}: {', '.join(types)}"
            for what, types in (
                ("missing", row.missing),
                ("expired", row.expired),
                ("expiring", row.expiring),
            )
            if types
        ]
        typer.echo(f"  {row.user_name[:30]:<30} {'; '.join(parts) or 'complete'}")


def _print_admin(board: AdminDashboard) -> None:
    typer.echo("Client invoices:")
    typer.echo(f"  Invoiced (gross)     {_money(board.invoiced):>18}")
    typer.echo(f"  Paid                 {_money(board.paid):>18}")
    typer.echo(f"  Revenue (net of VAT) {_money(board.revenue):>18}")
    typer.echo(f"  Outstanding          {_money(board.outstanding):>18}")
    typer.echo(
        f"  Overdue              {_money(board.overdue):>18}  ({board.overdue_count} invoice(s))"
    )
    typer.echo("Contractors:")
    for c in board.contractors:
        typer.echo(
            f"  {c.name[:30]:<30} {c.invoices:>3} invoice(s) {_money(c.invoiced):>16} "
            f"paid {_money(c.paid):>16} owed {_money(c.outstanding):>16}"
        )
    typer.echo(f"  Owed to contractors: {_money(board.contractors_outstanding)}")
    typer.echo(f"  Awaiting approval: {board.awaiting_approval} master invoice(s)")
    if board.compliance is not None:
        typer.echo("Compliance:")
        if board.compliance:
            _print_compliance(board.compliance)
        else:
            typer.echo("  Every contractor's required documents are on file and valid.")
    if board.may_generate:
        typer.echo("Generate a master invoice: tektoro contractor-invoice generate")


def _print_client(board: ClientDashboard) -> None:
    typer.echo(f"Client portal of {board.company_name}")
    typer.echo(f"Outstanding: {_money(board.outstanding)} (overdue {_money(board.overdue)})")
    for row in board.open_invoices:
        typer.echo(
            f"  {row.number:<18} due {row.due_date}  {_money(row.due):>18}  {row.display_status}"
        )
    typer.echo(f"Paid: {_money(board.paid_total)}")
    for row in board.paid_invoices:
        typer.echo(f"  {row.number:<18} {_money(row.gross):>18}  paid")
    typer.echo(
        f"Approved work being billed: {board.pending_entries} ticket(s), "
        f"{hours(board.pending_minutes)} h, {_money(board.pending_value)}"
    )
    typer.echo("Projects:")
    for p in board.projects:
        typer.echo(
            f"  {p.name[:30]:<30} {p.progress_pct:>3}%  {hours(p.minutes):>8} h  "
            f"invoiced {_money(p.invoiced)}"
        )


# --- compliance ------------------------------------------------------------------------------


def _print_documents(rows: tuple[ContractorDocumentView, ...]) -> None:
    for d in rows:
        typer.echo(
            f"{d.id:>6}  {d.user_name[:24]:<24} {d.doc_type:<12} "
            f"{d.expires_on or 'no expiry'!s:<10}  {d.state:<8} {d.file_path}"
        )


@compliance_app.command("list")
def compliance_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The documents in the register and, for administrators, each contractor's gaps."""
    from ..domain.permissions import Perm

    with services_for(db) as services:
        actor = current_actor(services)
        documents = services.compliance.documents(actor)
        overview = (
            services.compliance.overview(actor) if actor.may(Perm.CONTRACTOR_INVOICES) else ()
        )
    if as_json:
        emit({"documents": documents, "overview": overview})
        return
    _print_documents(documents)
    if not documents:
        typer.echo("No documents in the register.")
    if overview:
        typer.echo("Contractors:")
        _print_compliance(overview)


@compliance_app.command("add")
def compliance_add(
    contractor: Annotated[str, typer.Option(help="The contractor's user id or e-mail.")],
    doc_type: Annotated[
        str,
        typer.Option("--type", help="contract, tax_form, insurance, nda, certificate or other."),
    ],
    file: Annotated[str, typer.Option("--file", help="Path of the scanned document.")] = "",
    expires: Annotated[
        str, typer.Option("--expires", help="Expiry date, YYYY-MM-DD (none if left out).")
    ] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a contractor's document."""
    from ..services.contractor_invoices.views import ContractorDocumentForm

    with services_for(db) as services:
        actor = current_actor(services)
        view = services.compliance.add(
            actor,
            ContractorDocumentForm(
                contractor=contractor, doc_type=doc_type, file_path=file, expires_on=expires
            ),
        )
    if as_json:
        emit(view)
    else:
        typer.echo(
            f"Document #{view.id}: {view.doc_type} of {view.user_name}, "
            f"{'expires ' + str(view.expires_on) if view.expires_on else 'no expiry'} "
            f"({view.state})."
        )


@compliance_app.command("delete")
def compliance_delete(
    document_id: Annotated[
        int, typer.Argument(help="Document id (see 'compliance list').", parser=id_value)
    ],
    db: DbOption = None,
) -> None:
    """Remove a document from the register."""
    with services_for(db) as services:
        actor = current_actor(services)
        services.compliance.delete(actor, document_id)
    typer.echo(f"Document #{document_id} deleted.")


def register(app: typer.Typer) -> None:
    """Add ``dashboard`` and the ``compliance`` group to the main ``tektoro`` command."""
    app.command("dashboard")(dashboard)
    app.add_typer(compliance_app, name="compliance")
