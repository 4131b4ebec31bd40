"""CLI commands of client invoices and the payment-terms library.

``tektoro invoices list|send|mark-paid|cancel`` (the Client invoices list; the singular
``tektoro invoice`` group of the time pipeline stays as it is), ``tektoro terms
list|add|edit|delete`` and ``tektoro export invoices``. Every command acts as the user of the
stored CLI session, prints JSON with ``--json``, and exits 1 with the reason on stderr when
refused — a client user sees only their own company's invoices here too.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..domain.values import name_key
from ..errors import Problem, ValidationError, shown
from .common import DbOption, JsonOption, current_actor, id_value, services_for, typed_id
from .pipeline import emit, export_app, parse_date

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services
    from ..services.invoicing.views import ClientInvoiceFilter, ClientInvoiceRow, TermsView

terms_app = typer.Typer(
    help="Payment-terms templates: list, add, edit, delete.", no_args_is_help=True
)
invoices_app = typer.Typer(
    help="Client invoices: list with statuses, send, mark paid, cancel.", no_args_is_help=True
)

Number = Annotated[str, typer.Argument(help="Invoice number, e.g. INV/2026/00001.")]
StatusOpt = Annotated[
    str,
    typer.Option(
        "--status", help="issued, sent, partially_paid, overdue, paid, booked or cancelled."
    ),
]
ClientOpt = Annotated[str | None, typer.Option("--client", help="Client id or name.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First issue date, YYYY-MM-DD.")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last issue date, YYYY-MM-DD.")]
SearchOpt = Annotated[str, typer.Option("--search", help="Part of the number or client name.")]
ProjectOpt = Annotated[str, typer.Option("--project", help="Project id, code or name.")]
TypeOpt = Annotated[
    str,
    typer.Option("--type", help="standard, partial, total, advance, final or credit_note."),
]
NameOpt = Annotated[str | None, typer.Option("--name", help="Template name.")]
KindOpt = Annotated[str | None, typer.Option("--kind", help="standard, instructions or late_fee.")]
BodyOpt = Annotated[str | None, typer.Option("--body", help="The text printed on invoices.")]
BodyFileOpt = Annotated[
    Path | None, typer.Option("--body-file", help="Read the text from this UTF-8 file.")
]
DaysOpt = Annotated[
    str | None,
    typer.Option("--days", help="Due days the terms set (14 for Net 14).", show_default=False),
]


# --- helpers -------------------------------------------------------------------------------


def _body(body: str | None, body_file: Path | None) -> str | None:
    """The template text from --body or --body-file (not both)."""
    if body is not None and body_file is not None:
        raise typer.BadParameter("give --body or --body-file, not both")
    if body_file is None:
        return body
    try:
        return body_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(
            [Problem("body_file", f"could not read {body_file}: {exc}")]
        ) from None


def _client_id(services: Services, actor: Actor, value: str | None) -> int | None:
    """A client given by id, or by name among the clients of the invoices ``actor`` sees."""
    if not value:
        return None
    if (ident := typed_id("client", value)) is not None:
        return ident
    wanted = name_key(value)
    for row in services.client_invoices.list(actor).rows:
        if name_key(row.client_name) == wanted:
            return row.client_id
    raise ValidationError(
        [Problem("client", f"no client named '{shown(value)}' among your invoices")]
    )


def _filter(
    services: Services,
    actor: Actor,
    *,
    status: str,
    client: str | None,
    date_from: str | None,
    date_to: str | None,
    search: str,
    project: str = "",
    kind: str = "",
) -> ClientInvoiceFilter:
    """The Client invoices filter from command options."""
    from ..services.invoicing.views import ClientInvoiceFilter

    project_id = services.projects.detail(actor, project).row.id if project.strip() else None
    return ClientInvoiceFilter(
        status=status,
        client_id=_client_id(services, actor, client),
        date_from=parse_date("from", date_from),
        date_to=parse_date("to", date_to),
        search=search,
        project_id=project_id,
        kind=kind,
    )


def _day(value: date | None) -> str:
    """A date as YYYY-MM-DD ('' for none); a date's own format spec is strftime's, so
    ``f"{day:<10}"`` would print the literal "<10"."""
    return value.isoformat() if value else ""


def _print_row(row: ClientInvoiceRow) -> None:
    """One invoice as a line."""
    late = f" ({row.days_overdue} days)" if row.days_overdue else ""
    credited = f" by {row.credited_by}" if row.credited_by else ""
    marks = " (external)" if row.external else ""
    if row.change_number is not None:
        marks += f" change {row.change_number}"
    kind = "" if row.kind == "standard" else f" {row.kind.replace('_', ' ')}"
    typer.echo(
        f"{row.number:<16} {row.client_name[:22]:<22} {_day(row.issue_date):<10} "
        f"due {_day(row.due_date):<10} gross {row.gross.format():>12} "
        f"due {row.due.format():>12} {row.gross.currency}  "
        f"{row.display_status.replace('_', ' ')}{late}{credited}{kind}{marks}"
    )


def _print_terms(view: TermsView) -> None:
    """One template as lines: id, name, kind, due days, use count, then its text indented."""
    due = "" if view.days is None else f", due in {view.days} days"
    typer.echo(f"#{view.id}  {view.name}  ({view.kind_label}{due}, on {view.used_on} invoices)")
    for line in view.body.splitlines():
        typer.echo(f"    {line}")


# --- terms ---------------------------------------------------------------------------------


@terms_app.command("list")
def terms_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The payment-terms templates, by name."""
    with services_for(db) as services:
        actor = current_actor(services)
        views = services.terms.list(actor)
    if as_json:
        emit(views)
        return
    for view in views:
        _print_terms(view)
    if not views:
        typer.echo("No payment-terms templates yet.")


@terms_app.command("add")
def terms_add(
    name: Annotated[str, typer.Option("--name", help="Template name.")],
    kind: Annotated[str, typer.Option("--kind", help="standard, instructions or late_fee.")],
    body: BodyOpt = None,
    body_file: BodyFileOpt = None,
    days: DaysOpt = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a template (administrators); --days for terms that set a deadline."""
    from ..services.invoicing.views import TermsForm

    with services_for(db) as services:
        actor = current_actor(services)
        text = _body(body, body_file) or ""
        view = services.terms.add(
            actor, TermsForm(name=name, kind=kind, body=text, days=days or "")
        )
    if as_json:
        emit(view)
    else:
        typer.echo(f"Added payment-terms template #{view.id} '{view.name}'.")


@terms_app.command("edit")
def terms_edit(
    terms_id: Annotated[int, typer.Argument(help="Template id.", parser=id_value)],
    name: NameOpt = None,
    kind: KindOpt = None,
    body: BodyOpt = None,
    body_file: BodyFileOpt = None,
    days: DaysOpt = None,
    no_days: Annotated[
        bool, typer.Option("--no-days", help="The terms set no due days any more.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a template; options left out keep their value. Issued invoices keep their text."""
    from ..services.invoicing.views import TermsForm

    if days is not None and no_days:
        raise typer.BadParameter("give --days or --no-days, not both")
    with services_for(db) as services:
        actor = current_actor(services)
        given = {"name": name, "kind": kind, "body": _body(body, body_file), "days": days}
        if no_days:
            given["days"] = ""
        form = TermsForm(**{field: value for field, value in given.items() if value is not None})
        view = services.terms.edit(actor, terms_id, form)
    if as_json:
        emit(view)
    else:
        typer.echo(f"Saved payment-terms template #{view.id} '{view.name}'.")


@terms_app.command("delete")
def terms_delete(
    terms_id: Annotated[int, typer.Argument(help="Template id.", parser=id_value)],
    db: DbOption = None,
) -> None:
    """Delete a template; issued invoices keep the text they were issued with."""
    with services_for(db) as services:
        actor = current_actor(services)
        services.terms.delete(actor, terms_id)
    typer.echo(f"Deleted payment-terms template #{terms_id}.")


# --- client invoices -----------------------------------------------------------------------


@invoices_app.command("list")
def invoices_list(
    status: StatusOpt = "",
    client: ClientOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    search: SearchOpt = "",
    project: ProjectOpt = "",
    kind: TypeOpt = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issued invoices and credit notes you may see, newest first, with totals."""
    with services_for(db) as services:
        actor = current_actor(services)
        flt = _filter(
            services,
            actor,
            status=status,
            client=client,
            date_from=date_from,
            date_to=date_to,
            search=search,
            project=project,
            kind=kind,
        )
        listing = services.client_invoices.list(actor, flt)
    if as_json:
        emit(listing)
        return
    for row in listing.rows:
        _print_row(row)
    if listing.total_gross is None or listing.total_due is None:
        typer.echo(f"{len(listing.rows)} documents (several currencies: no totals).")
    else:
        typer.echo(
            f"{len(listing.rows)} documents: gross {listing.total_gross.format()}, "
            f"still due {listing.total_due.format()} {listing.total_gross.currency}"
        )


@invoices_app.command("send")
def invoices_send(
    number: Number,
    no_email: Annotated[
        bool, typer.Option("--no-email", help="Only mark it sent; e-mail nothing.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark an issued invoice sent and e-mail its PDF to the client (when mail is set up)."""
    with services_for(db) as services:
        actor = current_actor(services)
        result = services.client_invoices.mark_sent(actor, number, email=not no_email)
    if as_json:
        emit(result)
    else:
        typer.echo(f"{result.invoice.number}: sent. E-mail: {result.mail_status}.")


@invoices_app.command("mark-paid")
def invoices_mark_paid(
    number: Number,
    paid_on: Annotated[str, typer.Option("--date", help="Date paid (default today).")] = "",
    method: Annotated[
        str, typer.Option("--method", help="wire, ach, check, cash, card or other.")
    ] = "",
    reference: Annotated[str, typer.Option("--reference", help="Bank reference.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a payment of everything still due; a client user marks their own invoice paid."""
    from ..domain.permissions import Role
    from ..services.invoicing.views import MarkPaidForm

    with services_for(db) as services:
        actor = current_actor(services)
        portal = actor.role is Role.CLIENT
        form = MarkPaidForm(
            paid_on=paid_on,
            method=method or ("other" if portal else "wire"),
            reference=reference,
        )
        if portal:
            row = services.client_invoices.portal_mark_paid(actor, number, form)
        else:
            row = services.client_invoices.mark_paid(actor, number, form)
    if as_json:
        emit(row)
    else:
        typer.echo(f"{row.number}: paid {row.paid.format()} {row.paid.currency} ({row.status}).")


@invoices_app.command("cancel")
def invoices_cancel(
    number: Number,
    reason: Annotated[str, typer.Option("--reason", help="Why (printed on the credit note).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel an unpaid invoice by issuing a credit note for it."""
    with services_for(db) as services:
        actor = current_actor(services)
        note = services.client_invoices.cancel(actor, number, reason)
    if as_json:
        emit(note)
    else:
        typer.echo(
            f"{number}: cancelled by credit note {note.number} "
            f"({note.gross.format()} {note.gross.currency})."
        )


# --- export --------------------------------------------------------------------------------


@export_app.command("invoices")
def export_invoices(
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    status: StatusOpt = "",
    client: ClientOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    search: SearchOpt = "",
    project: ProjectOpt = "",
    kind: TypeOpt = "",
    db: DbOption = None,
) -> None:
    """Export the Client invoices list to CSV or XLSX (needs 'Export the invoice list')."""
    if fmt not in ("csv", "xlsx"):
        raise typer.BadParameter("--format must be csv or xlsx")
    with services_for(db) as services:
        actor = current_actor(services)
        flt = _filter(
            services,
            actor,
            status=status,
            client=client,
            date_from=date_from,
            date_to=date_to,
            search=search,
            project=project,
            kind=kind,
        )
        path = services.client_invoices.export(actor, fmt, out, flt)
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add this module's command groups to the main ``tektoro`` command."""
    app.add_typer(terms_app, name="terms")
    app.add_typer(invoices_app, name="invoices")
