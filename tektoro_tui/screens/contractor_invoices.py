"""Master invoices: what the firm owes its contractors, and a contractor's own pay.

An administrator generates a master invoice for a contractor and a period from their approved
tickets (a preview first), approves it and records payments; when the payments cover it, the
contractor is notified. Anyone else sees "My invoices": only their own master invoices, with
the account numbers of the payments masked by the service. e and E write the payments one may
see (all, or one's own) to CSV or XLSX in the exports folder, masked the same way (x).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Select, Static

from ..domain.permissions import Perm
from ..errors import Problem
from ..services.contractor_invoices.views import (
    MASTER_INVOICE_STATUS_LABELS,
    ContractorPaymentResult,
    MasterInvoiceView,
)
from ..services.invoicing.views import PaymentForm
from ..widgets import keymap
from ..widgets.dialogs.confirm import YesNoDialog
from ..widgets.dialogs.export_choice import choose_format
from ..widgets.dialogs.form import FormModal
from ..widgets.filter_fields import chosen
from ..widgets.keyed_table import KeyedTable
from ..widgets.master_invoice_detail import (
    DETAIL_TICKETS,
    MASTER_COLUMNS,
    MasterDetail,
    master_cells,
)
from ..widgets.master_invoice_forms import (
    payment_draft,
    payment_modal,
    payment_outcome,
)
from ..widgets.revenue_export import export_report
from ..widgets.stable_table import highlighted_key
from .base import AreaScreen, call_service, edit_in_form, push_dialog
from .master_generator import generate_master_invoice

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

ADMIN_ACTIONS = ("generate", "approve", "pay")
STATUS_OPTIONS = tuple((label, status) for status, label in MASTER_INVOICE_STATUS_LABELS.items())
EMPTY_ADMIN = "No master invoices yet. Press g to generate one from approved tickets."
EMPTY_OWN = "You have no master invoices yet; the firm makes them from your approved tickets."


class ContractorInvoicesScreen(AreaScreen):
    """The master invoices (all, or one's own) above the highlighted one's detail."""

    TITLE_TEXT = "Master invoices"
    HELP = (
        "Contractors' master invoices: number, contractor, status, total, paid and still due. "
        "The pane below shows the highlighted invoice's tickets and payments. Administrators: "
        "g generates one for a contractor and period (a preview first), a approves an invoice "
        "awaiting approval (after asking), p records a payment (partial payments add up; the "
        "contractor is notified when it is paid in full). Everyone else sees their own "
        "invoices here, with account numbers masked. The status box at the top (f) filters "
        "the list. x exports the payments (all of them, or your own) to CSV or XLSX in the "
        "exports folder."
    )
    BINDINGS = [
        Binding(keymap.GENERATE, "generate", "Generate"),
        Binding(keymap.APPROVE, "approve", "Approve"),
        Binding(keymap.PAY, "pay", "Record payment"),
        Binding(keymap.EXPORT, "export", "Export"),
        Binding(keymap.FILTER, "focus_filter", "Filter"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
    ]
    REFRESH_ON = frozenset({"master_invoice", "payment"})
    DEFAULT_CSS = """
    ContractorInvoicesScreen {
        #mi-filter {
            width: 30;
            margin: 0 1;
        }
        #mi-list {
            height: auto;
            max-height: 9;
        }
        #mi-status {
            height: auto;
            max-height: 3;
            padding: 0 1;
            background: $boost;
        }
    }
    """

    def __init__(self, services: Services, actor: Actor) -> None:
        """The screen acting as ``actor``: the whole register, or "My invoices"."""
        super().__init__(services, actor)
        self.manages = actor.may(Perm.CONTRACTOR_INVOICES)
        if not self.manages:
            # The title bar and the help name the screen by what this user sees.
            self.TITLE_TEXT = "My invoices"  # type: ignore[misc]
        self._invoices: dict[str, MasterInvoiceView] = {}

    def compose_body(self) -> ComposeResult:
        """The status filter, the list, the detail pane and the outcome line."""
        yield Select(STATUS_OPTIONS, prompt="(any status)", id="mi-filter", compact=True)
        yield KeyedTable(id="mi-list", cursor_type="row", zebra_stripes=True)
        yield MasterDetail(id="mi-detail")
        yield Static("", id="mi-status", markup=False)

    def on_mount(self) -> None:
        """Set up the list and load it."""
        super().on_mount()
        self.query_one("#mi-status", Static).display = False
        self.table.add_columns(*MASTER_COLUMNS)
        self.table.focus()
        self.load_invoices()

    @property
    def table(self) -> KeyedTable:
        """The list of master invoices."""
        return self.query_one("#mi-list", KeyedTable)

    @property
    def current(self) -> MasterInvoiceView | None:
        """The highlighted master invoice (None while the list is empty)."""
        key = highlighted_key(self, "#mi-list")
        return None if key is None else self._invoices.get(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Administrators' keys only for administrators, and only in the invoice's state."""
        if action in ADMIN_ACTIONS and not self.manages:
            return False
        invoice = self.current
        if action == "approve":
            return (invoice is not None and invoice.status == "draft") or None
        if action == "pay":
            return (
                invoice is not None and invoice.status in ("approved", "partially_paid")
            ) or None
        return True

    # --- loading ----------------------------------------------------------------------------

    def refresh_data(self) -> None:
        """Another session changed master invoices, payments or tickets: read them again."""
        self.load_invoices()

    def action_reload(self) -> None:
        """Read the list again."""
        self.load_invoices()

    def action_focus_filter(self) -> None:
        """Put the focus on the status filter."""
        self.query_one("#mi-filter", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        """A status was chosen: list only those."""
        event.stop()
        self.load_invoices()

    def load_invoices(self, then_show: str = "") -> None:
        """Read the master invoices under the chosen status, in place (the cursor stays on its
        invoice, or goes to ``then_show``)."""
        status = str(chosen(self, "#mi-filter") or "")
        call_service(
            self,
            lambda: self.services.contractor_invoices.list(self.actor, status=status),
            lambda invoices: self._show_invoices(invoices, then_show),
            group="mi-list",
            exclusive=True,
        )

    def _show_invoices(self, invoices: tuple[MasterInvoiceView, ...], then_show: str) -> None:
        self._invoices = {view.number: view for view in invoices}
        self.table.show_rows((view.number, master_cells(view)) for view in invoices)
        if not invoices:
            self.query_one(MasterDetail).show_text(EMPTY_ADMIN if self.manages else EMPTY_OWN)
        elif then_show in self._invoices:
            self.table.move_to(then_show)
        self._load_detail()
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Show the highlighted invoice's tickets and payments."""
        self._load_detail()
        self.refresh_bindings()

    def _load_detail(self) -> None:
        invoice = self.current
        if invoice is None:
            return
        number = invoice.number
        call_service(
            self,
            lambda: self.services.contractor_invoices.get(
                self.actor, number, line_limit=DETAIL_TICKETS
            ),
            self._show_detail,
            group="mi-detail",
            exclusive=True,
        )

    def _show_detail(self, invoice: MasterInvoiceView) -> None:
        current = self.current
        if current is not None and current.number == invoice.number:
            self.query_one(MasterDetail).show_invoice(invoice)

    def _tell(self, text: str, title: str) -> None:
        status = self.query_one("#mi-status", Static)
        status.update(text)
        status.display = True
        self.notify(text, title=title, timeout=8, markup=False)

    # --- generating -------------------------------------------------------------------------

    def action_generate(self) -> None:
        """Choose a contractor and period, preview the invoice, then write it."""
        generate_master_invoice(self, self.services, self.actor, self._generated)

    def _generated(self, invoice: MasterInvoiceView) -> None:
        self._tell(
            f"{invoice.number} for {invoice.contractor_name} ({invoice.total}) is awaiting "
            "approval; press a to approve it.",
            "Master invoice generated",
        )
        self.load_invoices(then_show=invoice.number)

    # --- approving and paying ---------------------------------------------------------------

    def action_approve(self) -> None:
        """Approve the highlighted master invoice, after confirming."""
        invoice = self.current
        if invoice is None:
            return
        number = invoice.number
        question = (
            f"Approve {number} ({invoice.contractor_name}, {invoice.total})? Payments can be "
            "recorded once it is approved."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self,
                    lambda: self.services.contractor_invoices.approve(
                        self.actor, number, line_limit=0
                    ),
                    self._approved,
                )

        push_dialog(self, YesNoDialog("Approve master invoice", question), answered)

    def _approved(self, invoice: MasterInvoiceView) -> None:
        self._tell(f"{invoice.number} is approved; p records a payment.", "Approved")
        self.load_invoices(then_show=invoice.number)

    def action_pay(self) -> None:
        """Record a payment of the highlighted master invoice."""
        invoice = self.current
        if invoice is None:
            return
        number = invoice.number

        def fetch() -> tuple[MasterInvoiceView, date]:
            fresh = self.services.contractor_invoices.get(self.actor, number, line_limit=0)
            return fresh, self.services.settings.today()

        call_service(self, fetch, self._open_payment_form)

    def _open_payment_form(self, loaded: tuple[MasterInvoiceView, date]) -> None:
        invoice, today = loaded
        number = invoice.number

        def make_form(draft: PaymentForm, problems: tuple[Problem, ...]) -> FormModal[PaymentForm]:
            return payment_modal(invoice, draft, problems)

        def save(form: PaymentForm) -> ContractorPaymentResult:
            return self.services.contractor_invoices.record_payment(
                self.actor, number, form, line_limit=0
            )

        edit_in_form(self, make_form, payment_draft(invoice, today), save, self._paid)

    def _paid(self, result: ContractorPaymentResult) -> None:
        self._tell(payment_outcome(result), "Payment recorded")
        self.load_invoices(then_show=result.invoice.number)

    # --- exporting --------------------------------------------------------------------------

    def action_export(self, fmt: str = "") -> None:
        """Write the payments this user may see (masked but for administrators) to a CSV or
        XLSX file (asking which)."""
        if not fmt:
            choose_format(self, "The payments you may see", self.action_export)
            return

        def write() -> Path:
            return export_report(self.services.contractor_invoices.payments_table(self.actor), fmt)

        call_service(self, write, self._exported)

    def _exported(self, path: Path) -> None:
        self._tell(f"Written to {path}", "Payments exported")
