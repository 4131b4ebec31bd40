"""Account Revenue: recognised revenue, receivables aging, overdue notices and booking.

Revenue is what clients paid, by month, client and project; aging is what they owed on a
chosen day, by days past due. Unpaid invoices get a 60- or 90-day overdue notice (printed when
the invoice is printed again); paid invoices are booked, which takes them off the Invoice
Printer. The reports are exported exactly as shown, to CSV or XLSX, or mailed to oneself.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, TabbedContent, TabPane

from ..domain.permissions import Perm
from ..exports.model import Table
from ..services.invoicing.views import AgingRow, InvoiceView
from ..widgets import keymap
from ..widgets.dialogs.confirm import YesNoDialog
from ..widgets.dialogs.export_choice import choose_format
from ..widgets.revenue_export import export_report, mail_report, report_dates
from ..widgets.revenue_report import AgingPane, OpenInvoiceTable, ReportPane
from .base import AreaScreen, call_service, push_dialog

if TYPE_CHECKING:
    from ..services.mail import MailReceipt

TABS = (("revenue", "Revenue"), ("aging", "Aging"), ("invoices", "Invoices"))
REPORT_ACTIONS = ("export", "mail", "edit_dates")
INVOICE_ACTIONS = ("notice", "book")
INVOICES_HINT = (
    "Not yet booked. 6 / 9 add a 60- / 90-day overdue notice (then print the invoice again "
    "in the Invoice Printer, Ctrl+G i); 0 clears it; b books a paid invoice."
)


class RevenueScreen(AreaScreen):
    """Tabs for the revenue report, the aging report and the invoices not yet booked."""

    REFRESH_ON: ClassVar[frozenset[str]] = frozenset({"invoice", "payment"})

    TITLE_TEXT = "Account Revenue"
    HELP = (
        "Revenue (1): payments received by month, client and project, for an optional "
        "period. Aging (2): what clients owed on the as-of date (default today), by days "
        "past due; Enter on a client takes you to their invoices. Invoices (3): 6 or 9 adds "
        "a 60- or 90-day overdue notice, 0 clears it, b books a paid invoice (it leaves the "
        "Invoice Printer). x exports the report shown to CSV or XLSX in the exports folder; "
        "m mails it to you as XLSX. y edits the dates; Enter applies them."
    )
    BINDINGS = [
        Binding(keymap.EXPORT, "export", "Export"),
        Binding(keymap.MAIL, "mail", "Mail me"),
        Binding(keymap.PERIOD, "edit_dates", "Dates"),
        Binding(keymap.NOTICE_60, "notice(60)", "60-day notice"),
        Binding(keymap.NOTICE_90, "notice(90)", "90-day notice"),
        Binding(keymap.CLEAR, "notice(None)", "Clear notice"),
        Binding(keymap.BOOK, "book", "Book"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
        *[
            Binding(keymap.TABS[number - 1], f"show_tab('{key}')", f"{title} tab", show=False)
            for number, (key, title) in enumerate(TABS, start=1)
        ],
    ]
    DEFAULT_CSS = """
    RevenueScreen {
        TabPane {
            padding: 0;
        }
        #invoices-hint {
            height: auto;
            padding: 0 1;
            color: $text-muted;
        }
        #revenue-status {
            height: auto;
            max-height: 3;
            padding: 0 1;
            background: $boost;
        }
    }
    """

    def compose_body(self) -> ComposeResult:
        """The three tabs and the line showing the last file written."""
        with TabbedContent(initial="revenue"):
            with TabPane("Revenue", id="revenue"):
                yield ReportPane((("date_from", "From"), ("date_to", "to")), id="revenue-pane")
            with TabPane("Aging", id="aging"):
                yield AgingPane(id="aging-pane")
            with TabPane("Invoices", id="invoices"):
                yield Static(INVOICES_HINT, id="invoices-hint", markup=False)
                yield OpenInvoiceTable(id="open-invoices")
        yield Static("", id="revenue-status", markup=False)

    def on_mount(self) -> None:
        """Load all three tabs."""
        super().on_mount()
        self.query_one("#revenue-status", Static).display = False
        self._pane("revenue").table.focus()
        self.action_reload()

    def _pane(self, key: str) -> ReportPane:
        return self.query_one(f"#{key}-pane", ReportPane)

    @property
    def tab(self) -> str:
        """The open tab ("revenue" until the tabs are there)."""
        tabs = self.query(TabbedContent)
        return (tabs.first().active if tabs else "") or "revenue"

    @property
    def invoices(self) -> OpenInvoiceTable:
        """The list of invoices not yet booked."""
        return self.query_one(OpenInvoiceTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Report keys on the reports, invoice keys on the invoices (for those who may)."""
        if action in REPORT_ACTIONS:
            return self.tab != "invoices"
        if action in INVOICE_ACTIONS:
            return self.tab == "invoices" and self.actor.may(Perm.INVOICE_ISSUE)
        return True

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Refresh the key hints and focus the tab's table."""
        self.refresh_bindings()
        if self.tab == "invoices":
            self.invoices.focus()
        else:
            self._pane(self.tab).table.focus()

    def action_show_tab(self, key: str) -> None:
        """Switch to the tab ``key``."""
        self.query_one(TabbedContent).active = key

    def action_edit_dates(self) -> None:
        """Put the cursor in the first date field of the open report."""
        if self.tab != "invoices":
            self._pane(self.tab).focus_dates()

    def action_reload(self) -> None:
        """Read every tab again."""
        self.load_revenue()
        self.load_aging()
        self.load_invoices()

    def refresh_data(self) -> None:
        """Read every tab again for the dates typed (someone issued, paid or booked an
        invoice); the invoice list is updated in place."""
        self.action_reload()

    # --- the reports -------------------------------------------------------------------------

    def on_report_pane_dates_applied(self, event: ReportPane.DatesApplied) -> None:
        """Enter in a date field: read the report for the new dates."""
        if event.pane.id == "aging-pane":
            self.load_aging()
        else:
            self.load_revenue()

    def load_revenue(self) -> None:
        """Read the revenue report for the period typed."""
        pane = self._pane("revenue")
        typed = pane.typed()

        def fetch() -> Table:
            dates = report_dates(typed)
            return self.services.invoices.revenue_table(
                self.actor, date_from=dates["date_from"], date_to=dates["date_to"]
            )

        pane.mark(())
        call_service(self, fetch, pane.show, problems=pane.mark, group="revenue", exclusive=True)

    def load_aging(self) -> None:
        """Read the aging report as of the date typed (today when blank)."""
        pane = self._pane("aging")
        typed = pane.typed()

        def fetch() -> tuple[date, Table, tuple[AgingRow, ...]]:
            when = report_dates(typed)["as_of"] or self.services.settings.today()
            invoices = self.services.invoices
            return (
                when,
                invoices.aging_table(self.actor, when),
                invoices.aging(self.actor, as_of=when),
            )

        pane.mark(())
        call_service(
            self, fetch, self._show_aging, problems=pane.mark, group="aging", exclusive=True
        )

    def _show_aging(self, loaded: tuple[date, Table, tuple[AgingRow, ...]]) -> None:
        when, report, rows = loaded
        pane = self.query_one(AgingPane)
        pane.fill_blank("as_of", when)
        pane.show_aging(report, rows)

    def on_aging_pane_client_chosen(self, event: AgingPane.ClientChosen) -> None:
        """Enter on a client in Aging: its first open invoice, in Invoices."""
        self.action_show_tab("invoices")
        self.invoices.move_to(event.row.invoices[0])

    # --- exporting -------------------------------------------------------------------------

    def _shown_report(self) -> Table | None:
        return self._pane(self.tab).report if self.tab != "invoices" else None

    def action_export(self, fmt: str = "") -> None:
        """Write the report shown to CSV or XLSX in the exports folder (asking which)."""
        report = self._shown_report()
        if report is None:
            return
        if not fmt:
            choose_format(self, f"The {self.tab} report shown", self.action_export)
            return
        call_service(self, lambda: export_report(report, fmt), self._exported)

    def _exported(self, path: Path) -> None:
        self._show_path(path)
        self.notify(str(path), title="Report exported", timeout=6, markup=False)

    def action_mail(self) -> None:
        """Write the report shown as XLSX, then mail it to yourself (the file stays)."""
        report = self._shown_report()
        if report is None:
            return

        def written(path: Path) -> None:
            self._show_path(path)
            self.notify("Sending the report…", timeout=3)
            call_service(
                self, lambda: mail_report(self.services, self.actor, report, path), self._mailed
            )

        call_service(self, lambda: export_report(report, "xlsx"), written)

    def _mailed(self, receipt: MailReceipt) -> None:
        self.notify(
            f"Sent {receipt.attachment_name} to {receipt.recipient}.",
            title="Mail sent",
            timeout=6,
            markup=False,
        )

    def _show_path(self, path: Path) -> None:
        status = self.query_one("#revenue-status", Static)
        status.update(f"Last file: {path}")
        status.display = True

    # --- invoices ----------------------------------------------------------------------------

    def load_invoices(self) -> None:
        """Read the invoices not yet booked."""
        call_service(
            self,
            lambda: self.services.invoices.printer_list(self.actor, lines=False),
            self.invoices.show,
            group="open-invoices",
            exclusive=True,
        )

    def action_notice(self, days: int | None) -> None:
        """Add a 60- or 90-day overdue notice to the highlighted invoice, or clear it."""
        invoice = self.invoices.current
        if invoice is None or invoice.number is None:
            return
        number = invoice.number
        call_service(
            self,
            lambda: self.services.invoices.set_overdue_notice(
                self.actor, number, days, line_limit=0
            ),
            self._noticed,
        )

    def _noticed(self, invoice: InvoiceView) -> None:
        days = invoice.overdue_notice_days
        if days is None:
            text = f"{invoice.number} no longer carries an overdue notice."
        else:
            text = f"{invoice.number} now carries a {days}-day overdue notice."
        text += " Print it again in the Invoice Printer (Ctrl+G i) so the printout shows it."
        self.notify(text, title="Overdue notice", timeout=8, markup=False)
        self.load_invoices()

    def action_book(self) -> None:
        """Mark the highlighted (paid) invoice booked, after confirming."""
        invoice = self.invoices.current
        if invoice is None or invoice.number is None:
            return
        number = invoice.number
        question = (
            f"Mark {number} ({invoice.client_name}, {invoice.gross}) booked? It leaves the "
            "Invoice Printer for good."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self,
                    lambda: self.services.invoices.mark_booked(self.actor, number, line_limit=0),
                    self._booked,
                )

        push_dialog(self, YesNoDialog("Book invoice", question), answered)

    def _booked(self, invoice: InvoiceView) -> None:
        self.notify(f"{invoice.number} is booked.", title="Booked", timeout=5, markup=False)
        self.load_invoices()
