"""CLI commands of contractor master invoices and payments, for scripts.

``tektoro contractor-invoice generate|approve|list|show`` and ``tektoro payment record|list``.
``payment record`` takes a master invoice number (MI/...) or a client invoice number (INV/...)
and records the payment on whichever it names. Every command acts as the user of the stored CLI
session, prints JSON with ``--json`` and exits 1 with the reason on stderr when refused.
Account numbers are masked for everyone but administrators, in text and JSON alike, and in
the CSV/XLSX file ``payment list --format csv|xlsx --out FILE`` writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import DbOption, JsonOption, current_actor, services_for
from .pipeline import emit, hours, jsonable, parse_date, print_client_payment, resolve_user

if TYPE_CHECKING:
    from ..services.contractor_invoices.views import MasterInvoicePreview, MasterInvoiceView
    from ..services.invoicing.views import PaymentView

contractor_invoice_app = typer.Typer(
    help="Contractor master invoices: generate, approve, list, show.", no_args_is_help=True
)
payment_app = typer.Typer(
    help="Payments on contractor and client invoices: record, list.", no_args_is_help=True
)

NumberArg = Annotated[str, typer.Argument(help="Invoice number, e.g. MI/2026/00001.")]


def is_master_number(number: str) -> bool:
    """Whether ``number`` names a contractor master invoice (series MI) or a client invoice."""
    from ..services.contractor_invoices.master_invoices import SERIES_MASTER

    return number.strip().upper().startswith(f"{SERIES_MASTER}/")


# --- output ----------------------------------------------------------------------------------


def _print_preview(preview: MasterInvoicePreview, as_json: bool) -> None:
    if as_json:
        emit({"dry_run": True, **jsonable(preview)})
        return
    typer.echo("DRY RUN: nothing was written.")
    typer.echo(
        f"{preview.contractor_name}: {preview.period_start} to {preview.period_end}, "
        f"issue date {preview.issue_date}"
    )
    for line in preview.lines:
        typer.echo(
            f"  #{line.time_entry_id:<8} {line.work_date}  {line.project_name[:20]:<20} "
            f"{hours(line.minutes):>6} h x {line.pay_rate.format():>8}  {line.amount.format():>12}"
        )
    typer.echo(
        f"Total: {len(preview.lines)} tickets, {hours(preview.total_minutes)} h, "
        f"{preview.total.format()} {preview.total.currency}"
    )
    for fact in preview.skipped:
        typer.echo(f"  note: {fact}")


def _summary(view: MasterInvoiceView) -> str:
    return (
        f"{view.number:<16} {view.contractor_name[:24]:<24} {view.period_start} to "
        f"{view.period_end}  {hours(view.total_minutes):>7} h  total {view.total.format():>12}  "
        f"paid {view.paid.format():>12}  due {view.due.format():>12} {view.total.currency}  "
        f"{view.status_label}"
    )


def _payment_line(payment: PaymentView, number: str) -> str:
    return (
        f"{payment.paid_on}  {number:<16} {payment.amount.format():>12} "
        f"{payment.amount.currency}  {payment.method:<6} {payment.account_holder[:20]:<20} "
        f"{payment.account_number:<20} {payment.reference}"
    )


def _print_invoice(view: MasterInvoiceView, as_json: bool) -> None:
    if as_json:
        emit(view)
        return
    typer.echo(_summary(view))
    for line in view.lines:
        typer.echo(
            f"  #{line.time_entry_id:<8} {line.work_date}  {line.project_name[:20]:<20} "
            f"{hours(line.minutes):>6} h  {line.amount.format():>12}  {line.description[:40]}"
        )
    for payment in view.payments:
        typer.echo("  paid " + _payment_line(payment, view.number))


# --- contractor invoices -----------------------------------------------------------------------


@contractor_invoice_app.command("generate")
def generate(
    contractor: Annotated[str, typer.Option(help="The contractor's user id or e-mail.")],
    date_from: Annotated[str, typer.Option("--from", help="First work date of the period.")],
    date_to: Annotated[str, typer.Option("--to", help="Last work date of the period.")],
    issue_date: Annotated[str, typer.Option(help="Issue date (default today).")] = "",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the preview; write nothing.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Generate a master invoice from a contractor's approved tickets of a period."""
    from ..services.contractor_invoices.views import MasterInvoiceForm

    form = MasterInvoiceForm(
        contractor=contractor, period_start=date_from, period_end=date_to, issue_date=issue_date
    )
    with services_for(db) as services:
        actor = current_actor(services)
        if dry_run:
            _print_preview(services.contractor_invoices.preview(actor, form), as_json)
            return
        view = services.contractor_invoices.generate(actor, form)
    _print_invoice(view, as_json)


@contractor_invoice_app.command("approve")
def approve(number: NumberArg, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Approve a master invoice awaiting approval; it can then be paid."""
    with services_for(db) as services:
        actor = current_actor(services)
        view = services.contractor_invoices.approve(actor, number)
    if as_json:
        emit(view)
    else:
        typer.echo(f"{view.number}: approved ({view.total.format()} {view.total.currency}).")


@contractor_invoice_app.command("list")
def list_invoices(
    status: Annotated[
        str, typer.Option(help="draft (awaiting approval), approved, partially_paid, paid.")
    ] = "",
    contractor: Annotated[
        str | None, typer.Option(help="Only this contractor (id or e-mail).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Master invoices newest first: all for administrators, your own for anyone else."""
    with services_for(db) as services:
        actor = current_actor(services)
        contractor_id = resolve_user(services, actor, contractor, "contractor")
        rows = services.contractor_invoices.list(actor, status=status, contractor_id=contractor_id)
    if as_json:
        emit(rows)
        return
    for view in rows:
        typer.echo(_summary(view))


@contractor_invoice_app.command("show")
def show(number: NumberArg, db: DbOption = None, as_json: JsonOption = False) -> None:
    """One master invoice with its tickets and payments."""
    with services_for(db) as services:
        actor = current_actor(services)
        view = services.contractor_invoices.get(actor, number)
    _print_invoice(view, as_json)


# --- payments ------------------------------------------------------------------------------------


@payment_app.command("record")
def record(
    number: Annotated[str, typer.Argument(help="MI/... (contractor) or INV/... (client).")],
    amount: Annotated[str, typer.Option(help="Amount paid.")],
    paid_on: Annotated[str, typer.Option("--date", help="Payment date, YYYY-MM-DD.")],
    method: Annotated[str, typer.Option(help="wire, ach, check or other.")] = "wire",
    holder: Annotated[str, typer.Option(help="Account holder.")] = "",
    account: Annotated[str, typer.Option(help="Account number (shown masked).")] = "",
    reference: Annotated[str, typer.Option(help="Reference or confirmation number.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a payment on a contractor master invoice or a client invoice."""
    with services_for(db) as services:
        actor = current_actor(services)
        if not is_master_number(number):
            from ..services.invoicing.views import PaymentForm

            client = services.invoices.record_payment(
                actor,
                number,
                PaymentForm(
                    amount=amount,
                    paid_on=paid_on,
                    method=method,
                    reference=reference,
                    account_holder=holder,
                    account_number=account,
                ),
            )
            print_client_payment(client, as_json)
            return
        from ..services.invoicing.views import PaymentForm

        result = services.contractor_invoices.record_payment(
            actor,
            number,
            PaymentForm(
                amount=amount,
                paid_on=paid_on,
                method=method,
                account_holder=holder,
                account_number=account,
                reference=reference,
            ),
        )
    if as_json:
        emit(result)
        return
    view = result.invoice
    typer.echo(
        f"{view.number}: paid {view.paid.format()}, still due {view.due.format()} "
        f"{view.total.currency} ({view.status_label})."
    )
    if result.notified:
        typer.echo(f"{view.contractor_name} was notified; e-mail: {result.mail_status}.")


@payment_app.command("list")
def list_payments(
    invoice: Annotated[
        str, typer.Option(help="Only this invoice (MI/... or INV/...).", show_default=False)
    ] = "",
    date_from: Annotated[str | None, typer.Option("--from", help="Paid on or after.")] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="Write the contractor payments as csv or xlsx (with --out)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="File to write (with --format).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Payments on contractor master invoices (or on one client invoice), oldest first.

    With ``--format`` and ``--out`` the contractor payments are written to a CSV or XLSX file
    instead, masked as they are listed.
    """
    if fmt is not None or out is not None:
        _export_payments(invoice, date_from, fmt, out, db)
        return
    with services_for(db) as services:
        actor = current_actor(services)
        if invoice and not is_master_number(invoice):
            rows = services.invoices.payments(actor, invoice.strip())
            keyed = [(row, invoice.strip()) for row in rows]
        else:
            rows = services.contractor_invoices.payments(
                actor, number=invoice, date_from=parse_date("from", date_from)
            )
            names = {view.id: view.number for view in services.contractor_invoices.list(actor)}
            keyed = [(row, names.get(row.master_invoice_id or 0, "")) for row in rows]
    if as_json:
        emit([{"number": number, **jsonable(row)} for row, number in keyed])
        return
    for row, number in keyed:
        typer.echo(_payment_line(row, number))


def _export_payments(
    invoice: str, date_from: str | None, fmt: str | None, out: Path | None, db: str | None
) -> None:
    """Write the contractor payments ``payment list`` would show to ``out``; say where."""
    if fmt is None or out is None:
        raise typer.BadParameter("--format and --out go together")
    if fmt not in ("csv", "xlsx"):
        raise typer.BadParameter("--format must be csv or xlsx")
    if invoice and not is_master_number(invoice):
        raise typer.BadParameter("--format exports contractor payments; --invoice must be MI/...")
    with services_for(db) as services:
        actor = current_actor(services)
        path = services.contractor_invoices.export_payments(
            actor, fmt, out, number=invoice, date_from=parse_date("from", date_from)
        )
    typer.echo(f"Written to {path}")


def register(app: typer.Typer) -> None:
    """Add this module's command groups to the main ``tektoro`` command."""
    app.add_typer(contractor_invoice_app, name="contractor-invoice")
    app.add_typer(payment_app, name="payment")
