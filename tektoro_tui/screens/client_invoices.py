"""Client invoices: every issued invoice and credit note with its status, and the client portal.

The office marks invoices sent (the PDF is e-mailed when it can be) or paid, cancels an issued
invoice with a credit note, writes its PDF and exports the list. A client user sees only their
own company's invoices (the service guarantees it) and tells the firm an invoice has been paid.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ..domain.permissions import Perm, Role
from ..errors import Problem
from ..exports.model import Table
from ..services.invoicing.views import (
    ClientInvoiceFilter,
    ClientInvoiceList,
    ClientInvoiceRow,
    MarkPaidForm,
    SendResult,
)
from ..widgets import keymap
from ..widgets.client_invoice_parts import (
    CLIENT_INVOICE_COLUMNS,
    CancelDraft,
    ClientInvoiceFilters,
    cancel_modal,
    client_invoice_cells,
    mark_paid_modal,
    portal_paid_modal,
    row_summary,
    totals_text,
)
from ..widgets.dialogs.confirm import YesNoDialog
from ..widgets.dialogs.export_choice import choose_format
from ..widgets.dialogs.form import FormModal
from ..widgets.keyed_table import KeyedTable
from ..widgets.revenue_export import export_report
from ..widgets.stable_table import highlighted_key
from .base import AreaScreen, call_service, edit_in_form, push_dialog

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

ROW_ACTIONS = ("send", "pay", "cancel_invoice", "open_pdf")
CLIENT_PAGE = 500
ACTION_PERMS = {
    "pay": Perm.INVOICE_RECORD_PAYMENT,
    "send": Perm.INVOICE_ISSUE,
    "cancel_invoice": Perm.INVOICE_ISSUE,
    "open_pdf": Perm.INVOICE_VIEW_ALL,
    "export": Perm.INVOICE_EXPORT,
}
"""What each key needs (a client user's "pay" is the portal's and needs none of these)."""


class ClientInvoicesScreen(AreaScreen):
    """The filter bar, the list with its totals, and a line about the highlighted invoice."""

    TITLE_TEXT = "Client invoices"
    HELP = (
        "Every client invoice and credit note with its status; overdue ones are red. The bar "
        "on top filters by status, type (partial, advance, ...), client, issue date and a "
        "search in number, client and project (f puts the cursor there); the list marks the "
        "project change an invoice settles and invoices recorded from another program. s "
        "marks the invoice sent and e-mails it when possible (after asking), p "
        "records a payment (marks it paid), c cancels it with a credit note, o writes its "
        "PDF into the exports folder, x exports the list to CSV or XLSX. Clients see their "
        "own company's invoices and press p to tell the firm an invoice has been paid."
    )
    BINDINGS = [
        Binding(keymap.SEND, "send", "Mark sent"),
        Binding(keymap.PAY, "pay", "Mark paid"),
        Binding(keymap.CREDIT_NOTE, "cancel_invoice", "Credit note"),
        Binding(keymap.OPEN_PDF, "open_pdf", "PDF"),
        Binding(keymap.EXPORT, "export", "Export"),
        Binding(keymap.FILTER, "focus_filter", "Filter"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
    ]
    REFRESH_ON = frozenset({"invoice", "payment"})
    DEFAULT_CSS = """
    ClientInvoicesScreen {
        #ci-list {
            height: 1fr;
        }
        #ci-totals {
            height: 1;
            padding: 0 1;
            text-style: bold;
        }
        #ci-row {
            height: auto;
            max-height: 2;
            padding: 0 1;
            color: $text-muted;
        }
        #ci-status {
            height: auto;
            max-height: 3;
            padding: 0 1;
            background: $boost;
        }
    }
    """

    def __init__(self, services: Services, actor: Actor) -> None:
        """The list as ``actor`` may see it (a client user: their own company's)."""
        super().__init__(services, actor)
        self.portal = actor.role is Role.CLIENT
        self._rows: dict[str, ClientInvoiceRow] = {}
        self._filter = ClientInvoiceFilter()

    def compose_body(self) -> ComposeResult:
        """The filter bar, the list, the totals, the highlighted row and the outcome line."""
        yield ClientInvoiceFilters(with_client=not self.portal, id="ci-filters")
        yield KeyedTable(id="ci-list", cursor_type="row", zebra_stripes=True)
        yield Static("", id="ci-totals", markup=False)
        yield Static("", id="ci-row", markup=False)
        yield Static("", id="ci-status", markup=False)

    def on_mount(self) -> None:
        """Set up the list, offer the clients and load it."""
        super().on_mount()
        self.query_one("#ci-status", Static).display = False
        self.table.add_columns(*CLIENT_INVOICE_COLUMNS)
        self.table.focus()
        if not self.portal and self.actor.may(Perm.PRESETS_VIEW):
            call_service(self, self._clients, self.query_one(ClientInvoiceFilters).set_clients)
        self.load_invoices()

    def _clients(self) -> tuple[tuple[str, int], ...]:
        page = self.services.presets.list_companies(self.actor, limit=CLIENT_PAGE)
        return tuple((company.name, company.id) for company in page.items)

    @property
    def table(self) -> KeyedTable:
        """The list of invoices."""
        return self.query_one("#ci-list", KeyedTable)

    @property
    def current(self) -> ClientInvoiceRow | None:
        """The highlighted invoice (None while the list is empty)."""
        key = highlighted_key(self, "#ci-list")
        return None if key is None else self._rows.get(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer each key only to roles that may use it, and only on an invoice."""
        if not self._may(action):
            return False
        if action in ROW_ACTIONS:
            row = self.current
            return (row is not None and row.kind != "credit_note") or None
        return True

    def _may(self, action: str) -> bool:
        if action == "pay" and self.portal:
            return True
        if action in ("send", "cancel_invoice") and self.portal:
            return False
        needed = ACTION_PERMS.get(action)
        return needed is None or self.actor.may(needed)

    # --- loading ----------------------------------------------------------------------------

    def refresh_data(self) -> None:
        """Another session changed invoices or payments: read the list again."""
        self.load_invoices()

    def action_reload(self) -> None:
        """Read the list again."""
        self.load_invoices()

    def action_focus_filter(self) -> None:
        """Put the focus on the filter bar's status."""
        self.query_one("#cif-status").focus()

    def on_client_invoice_filters_changed(self, event: ClientInvoiceFilters.Changed) -> None:
        """The filter changed: read the list for it."""
        self._filter = event.filter
        self.load_invoices()

    def load_invoices(self, then_show: str = "") -> None:
        """Read the list under the filter, in place (the cursor stays on its invoice, or goes
        to ``then_show``)."""
        flt = self._filter
        call_service(
            self,
            lambda: self.services.client_invoices.list(self.actor, flt),
            lambda listed: self._show(listed, then_show),
            group="ci-list",
            exclusive=True,
        )

    def _show(self, listed: ClientInvoiceList, then_show: str) -> None:
        self._rows = {row.number: row for row in listed.rows}
        self.table.show_rows((row.number, client_invoice_cells(row)) for row in listed.rows)
        if then_show in self._rows:
            self.table.move_to(then_show)
        self.query_one("#ci-totals", Static).update(totals_text(listed))
        self._show_current()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Describe the highlighted invoice and offer its keys."""
        self._show_current()

    def _show_current(self) -> None:
        self.query_one("#ci-row", Static).update(row_summary(self.current))
        self.refresh_bindings()

    def _tell(self, text: str, title: str) -> None:
        status = self.query_one("#ci-status", Static)
        status.update(text)
        status.display = True
        self.notify(text, title=title, timeout=8, markup=False)

    # --- sending, paying, cancelling ----------------------------------------------------------

    def action_send(self) -> None:
        """Mark the highlighted invoice sent, after asking (the service e-mails its PDF when
        it can)."""
        row = self.current
        if row is None:
            return
        number = row.number

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self,
                    lambda: self.services.client_invoices.mark_sent(self.actor, number),
                    self._sent,
                )

        question = (
            f"Mark {number} ({row.client_name}, {row.gross}) sent? Its PDF is e-mailed to the "
            "client when an e-mail server and address are set."
        )
        push_dialog(self, YesNoDialog("Mark sent", question, "Mark sent"), answered)

    def _sent(self, result: SendResult) -> None:
        number = result.invoice.number
        self._tell(f"{number} is marked sent. E-mail: {result.mail_status}.", "Marked sent")
        self.load_invoices(then_show=number)

    def action_pay(self) -> None:
        """Mark the highlighted invoice paid (a client confirms a payment in the portal)."""
        row = self.current
        if row is None:
            return
        if self.portal:
            self._open_pay_form(row, MarkPaidForm())
            return
        call_service(
            self,
            lambda: self.services.settings.today(),
            lambda today: self._open_pay_form(row, MarkPaidForm(paid_on=today.isoformat())),
        )

    def _open_pay_form(self, row: ClientInvoiceRow, draft: MarkPaidForm) -> None:
        number, portal = row.number, self.portal
        service = self.services.client_invoices

        def make_form(form: MarkPaidForm, problems: tuple[Problem, ...]) -> FormModal[MarkPaidForm]:
            return (portal_paid_modal if portal else mark_paid_modal)(row, form, problems)

        def save(form: MarkPaidForm) -> ClientInvoiceRow:
            if portal:
                return service.portal_mark_paid(self.actor, number, form)
            return service.mark_paid(self.actor, number, form)

        edit_in_form(self, make_form, draft, save, self._paid)

    def _paid(self, row: ClientInvoiceRow) -> None:
        self._tell(f"{row.number} is marked paid ({row.paid}).", "Marked paid")
        self.load_invoices(then_show=row.number)

    def action_cancel_invoice(self) -> None:
        """Cancel the highlighted invoice with a credit note, after asking for the reason."""
        row = self.current
        if row is None:
            return
        number = row.number

        def make_form(draft: CancelDraft, problems: tuple[Problem, ...]) -> FormModal[CancelDraft]:
            return cancel_modal(row, draft, problems)

        def save(draft: CancelDraft) -> ClientInvoiceRow:
            return self.services.client_invoices.cancel(self.actor, number, draft.reason)

        edit_in_form(self, make_form, CancelDraft(), save, self._cancelled)

    def _cancelled(self, note: ClientInvoiceRow) -> None:
        self._tell(f"Credit note {note.number} issued; the invoice is cancelled.", "Cancelled")
        self.load_invoices(then_show=note.number)

    # --- files --------------------------------------------------------------------------------

    def action_open_pdf(self) -> None:
        """Write the highlighted invoice's PDF into the exports folder and say where."""
        row = self.current
        if row is not None:
            number = row.number
            call_service(
                self,
                lambda: self.services.invoices.render(self.actor, number, fmt="pdf"),
                lambda path: self._written(path, "Invoice written"),
            )

    def action_export(self, fmt: str = "") -> None:
        """Export the list as filtered to CSV or XLSX (asking which; refused without the export
        permission)."""
        if not fmt:
            choose_format(self, "The client invoices listed", self.action_export)
            return
        flt = self._filter

        def write() -> Path:
            report: Table = self.services.client_invoices.table(self.actor, flt)
            return export_report(report, fmt)

        call_service(self, write, lambda path: self._written(path, "List exported"))

    def _written(self, path: Path, title: str) -> None:
        self._tell(f"Written to {path}", title)
