"""Invoice Printer: issued invoices not yet booked, printed as PDF or HTML, and paid.

Record payment records the client's payment (partial payments allowed); a credit note
cancels a whole unpaid invoice. Rendering only reads, so an invoice can be printed again as
often as wanted; identical options give identical files in the exports folder.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from ..domain.permissions import Perm
from ..errors import Problem
from ..services.invoicing.views import InvoiceView, PaymentForm, PaymentView
from ..widgets import keymap
from ..widgets.dialogs.form import FormModal
from ..widgets.keyed_table import KeyedTable
from ..widgets.printer_detail import (
    DETAIL_LINES,
    INVOICE_COLUMNS,
    InvoiceDetail,
    invoice_cells,
    status_label,
)
from ..widgets.printer_forms import (
    CreditNoteDraft,
    credit_note_modal,
    payment_draft,
    payment_modal,
)
from ..widgets.stable_table import highlighted_key
from .base import AreaScreen, call_service, edit_in_form

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

EMPTY = "No issued invoices are waiting. Issue one in the Documenter (Ctrl+G d)."


class PrinterScreen(AreaScreen):
    """The list of issued, unbooked invoices above the highlighted one's detail."""

    TITLE_TEXT = "Invoice Printer"
    HELP = (
        "Issued invoices and credit notes not yet booked. o writes the highlighted invoice "
        "as PDF, h as HTML, into the exports folder; the path is shown at the bottom (w "
        "copies it). l shows or hides the line descriptions on the printout. p records a "
        "payment the client made (partial payments leave the rest due; the payment counts "
        "as revenue). c cancels an unpaid invoice with a credit note. Book paid invoices in "
        "Account Revenue (Ctrl+G v)."
    )
    BINDINGS = [
        Binding(keymap.PAY, "record_payment", "Record payment"),
        Binding(keymap.OPEN_PDF, "render('pdf')", "PDF"),
        Binding(keymap.OPEN_HTML, "render('html')", "HTML"),
        Binding(keymap.CREDIT_NOTE, "credit_note", "Credit note"),
        Binding(keymap.LINE_DETAILS, "toggle_descriptions", "Details"),
        Binding(keymap.COPY, "copy_path", "Copy path"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
    ]
    DEFAULT_CSS = """
    PrinterScreen {
        #invoices {
            height: auto;
            max-height: 9;
        }
        #printer-status {
            height: auto;
            max-height: 4;
            padding: 0 1;
            background: $boost;
        }
    }
    """

    show_details: reactive[bool] = reactive(True)
    """Whether the printout shows each line's description."""

    last_path: reactive[str] = reactive("")
    """The file written last, shown so it can be copied."""

    REFRESH_ON: ClassVar[frozenset[str]] = frozenset({"invoice", "payment"})

    def __init__(self, services: Services, actor: Actor) -> None:
        """The printer acting as ``actor``."""
        super().__init__(services, actor)
        self._invoices: dict[str, InvoiceView] = {}

    def compose_body(self) -> ComposeResult:
        """The invoice list, the detail pane and the status line."""
        yield KeyedTable(id="invoices", cursor_type="row", zebra_stripes=True)
        yield InvoiceDetail(id="detail")
        yield Static("", id="printer-status", markup=False)

    def on_mount(self) -> None:
        """Set up the list and load it."""
        super().on_mount()
        table = self.table
        for heading in INVOICE_COLUMNS:
            table.add_column(heading, key=heading)
        table.focus()
        self._draw_status()
        self.load_invoices()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Write keys only for those who may use them; none without an invoice."""
        if action == "record_payment" and not self.actor.may(Perm.INVOICE_RECORD_PAYMENT):
            return False
        if action == "credit_note" and not self.actor.may(Perm.INVOICE_ISSUE):
            return False
        if action == "copy_path":
            return bool(self.last_path)
        if action in ("render", "record_payment", "credit_note"):
            return self.current is not None or None
        return True

    # --- loading ----------------------------------------------------------------------------

    def load_invoices(self) -> None:
        """Read the printer's list in a worker (without the invoices' lines)."""
        call_service(
            self,
            lambda: self.services.invoices.printer_list(self.actor, lines=False),
            self._show_invoices,
            group="printer-list",
            exclusive=True,
        )

    def _show_invoices(self, invoices: tuple[InvoiceView, ...]) -> None:
        """Show the list in place; the cursor stays on its invoice (or the nearest one left),
        whose detail is read again when it changed."""
        self._invoices = {view.number or "": view for view in invoices}
        self.table.show_rows((view.number or "", invoice_cells(view)) for view in invoices)
        current = self.current
        if current is None:
            self.query_one(InvoiceDetail).show_invoice(None, EMPTY)
        else:
            self._show_detail(current.number or "")
        self.refresh_bindings()

    @property
    def table(self) -> KeyedTable:
        """The list of invoices."""
        return self.query_one("#invoices", KeyedTable)

    @property
    def current(self) -> InvoiceView | None:
        """The highlighted invoice as listed, without its lines (None before the list is
        there, or when it is empty)."""
        key = highlighted_key(self, "#invoices")
        return None if key is None else self._invoices.get(key)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted invoice and load its lines and payments."""
        if event.row_key.value is not None:
            self._show_detail(str(event.row_key.value))
        self.refresh_bindings()

    def _show_detail(self, number: str) -> None:
        """Show the listed invoice's totals at once, then read it whole with its payments.

        The worker is exclusive, so moving on cancels the read of the invoice left behind.
        """
        listed = self._invoices.get(number)
        detail = self.query_one(InvoiceDetail)
        if listed is None or detail.shows(listed):
            return
        detail.show_summary(listed)

        def fetch() -> tuple[InvoiceView, tuple[PaymentView, ...]]:
            invoices = self.services.invoices
            whole = invoices.get_by_number(self.actor, number, line_limit=DETAIL_LINES)
            return whole, invoices.payments(self.actor, number)

        call_service(
            self,
            fetch,
            lambda loaded: self._show_whole(number, *loaded),
            group="payments",
            exclusive=True,
        )

    def _show_whole(
        self, number: str, invoice: InvoiceView, payments: tuple[PaymentView, ...]
    ) -> None:
        current = self.current
        if current is not None and current.number == number:  # else the cursor has moved on
            self.query_one(InvoiceDetail).show_invoice(invoice, payments=payments)

    # --- printing -------------------------------------------------------------------------

    def action_render(self, fmt: str) -> None:
        """Write the highlighted invoice as PDF or HTML into the exports folder."""
        invoice = self.current
        if invoice is None or invoice.number is None:
            return
        number, details = invoice.number, self.show_details
        call_service(
            self,
            lambda: self.services.invoices.render(
                self.actor, number, fmt=fmt, show_line_details=details
            ),
            self._rendered,
        )

    def _rendered(self, path: Path) -> None:
        self.last_path = str(path)
        self.notify(str(path), title="Invoice written", timeout=6, markup=False)

    def action_toggle_descriptions(self) -> None:
        """Show or hide the line descriptions on the next printout."""
        self.show_details = not self.show_details
        state = "shown" if self.show_details else "hidden"
        self.notify(f"Line descriptions will be {state} on the printout.", timeout=3)

    def action_copy_path(self) -> None:
        """Put the last file's path on the clipboard (where the terminal allows it)."""
        if self.last_path:
            self.app.copy_to_clipboard(self.last_path)
            self.notify("Path copied to the clipboard.", timeout=2)

    def watch_show_details(self) -> None:
        """Keep the status line in step."""
        self._draw_status()

    def watch_last_path(self) -> None:
        """Keep the status line and the copy key in step."""
        self._draw_status()
        self.refresh_bindings()

    def _draw_status(self) -> None:
        status = self.query("#printer-status")
        if not status:
            return
        state = "shown" if self.show_details else "hidden"
        text = f"Line descriptions on the printout: {state} (l toggles)"
        if self.last_path:
            text += f"\nLast file: {self.last_path}"
        status.first(Static).update(text)

    # --- payments and credit notes ----------------------------------------------------------

    def action_record_payment(self) -> None:
        """Record the client's payment of the highlighted invoice (it counts as revenue)."""
        invoice = self.current
        if invoice is None or invoice.number is None:
            return
        number = invoice.number

        def fetch() -> tuple[InvoiceView, date]:
            fresh = self.services.invoices.get_by_number(self.actor, number, line_limit=0)
            return fresh, self.services.settings.today()

        call_service(self, fetch, self._open_payment_form)

    def _open_payment_form(self, loaded: tuple[InvoiceView, date]) -> None:
        invoice, today = loaded
        number = invoice.number or ""
        if invoice.due.is_zero:
            self.notify(
                f"Nothing is due on {number} ({status_label(invoice)}).",
                title="Nothing to record",
                severity="warning",
                markup=False,
            )
            return

        def make_form(draft: PaymentForm, problems: tuple[Problem, ...]) -> FormModal[PaymentForm]:
            return payment_modal(invoice, draft, problems)

        def save(form: PaymentForm) -> InvoiceView:
            return self.services.invoices.record_payment(self.actor, number, form, line_limit=0)

        edit_in_form(self, make_form, payment_draft(invoice, today), save, self._paid)

    def _paid(self, invoice: InvoiceView) -> None:
        number = invoice.number or ""
        if number in self._invoices:  # shown at once; the reload below confirms it
            self._invoices[number] = invoice
            self.table.show_row(number, invoice_cells(invoice))
            self._show_detail(number)
        if invoice.due.is_zero:
            text = f"{invoice.number} is paid in full ({invoice.paid})."
        else:
            text = f"{invoice.number}: paid {invoice.paid}, still due {invoice.due}."
        self.notify(text, title="Payment recorded", timeout=5, markup=False)
        self.load_invoices()

    def action_credit_note(self) -> None:
        """Cancel the highlighted invoice with a credit note, after asking for the reason."""
        invoice = self.current
        if invoice is None or invoice.number is None:
            return
        number = invoice.number

        def make_form(
            draft: CreditNoteDraft, problems: tuple[Problem, ...]
        ) -> FormModal[CreditNoteDraft]:
            return credit_note_modal(invoice, draft, problems)

        def save(draft: CreditNoteDraft) -> InvoiceView:
            return self.services.invoices.credit_note(
                self.actor, number, reason=draft.reason, line_limit=0
            )

        edit_in_form(self, make_form, CreditNoteDraft(), save, self._credited)

    def _credited(self, note: InvoiceView) -> None:
        self.notify(
            f"Credit note {note.number} issued; the invoice it cancels has left the printer.",
            title="Credit note issued",
            timeout=6,
            markup=False,
        )
        self.load_invoices()

    def action_reload(self) -> None:
        """Read the list again."""
        self.load_invoices()

    def refresh_data(self) -> None:
        """Read the list again (someone issued, paid or cancelled an invoice); the cursor stays
        on the same invoice, whose detail and payments are read again when they changed."""
        self.load_invoices()
