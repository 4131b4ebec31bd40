"""Financial metrics: hours and revenue by status, per project, over time and by role.

One period (by default the service's last twelve months) governs every tab. Hours and their
value per week and per month are drawn as bar charts in the terminal. Every table is the one
the metrics service builds for CSV/XLSX, so ``x`` exports exactly what is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, TabbedContent, TabPane

from ..exports.model import Table
from ..services.reporting.views import METRIC_TABLES, MetricsReport
from ..widgets import keymap
from ..widgets.dialogs.export_choice import choose_format
from ..widgets.metrics_panes import MetricsDates, SeriesPane, StatusPane, TableBlock
from ..widgets.revenue_export import export_report, report_dates
from ..widgets.revenue_report import ReportTable
from .base import AreaScreen, call_service

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

TABS = (
    ("status", "By status"),
    ("projects", "Projects"),
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
    ("roles", "By role"),
)
TAB_TABLES = {
    "status": "hours_by_status",
    "projects": "projects",
    "weekly": "weekly",
    "monthly": "monthly",
    "roles": "roles",
}
"""The table a tab exports when none of its tables has the focus."""

Loaded = tuple[MetricsReport, dict[str, Table]]


class MetricsScreen(AreaScreen):
    """Tabs of metric tables and charts for one period, each table exportable."""

    TITLE_TEXT = "Financial metrics"
    HELP = (
        "Hours by status and revenue by status (1), hours and income per project (2), weekly "
        "(3) and monthly (4) hours and value drawn as bar charts with their tables, tickets "
        "by role (5). y edits the period (Enter applies it; blank means the last twelve "
        "months). x exports the table with the cursor (or the tab's table) to CSV or XLSX in "
        "the exports folder. The figures update by themselves when tickets, invoices or "
        "payments change."
    )
    BINDINGS = [
        Binding(keymap.EXPORT, "export", "Export"),
        Binding(keymap.PERIOD, "edit_dates", "Period"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
        *[
            Binding(keymap.TABS[number - 1], f"show_tab('{key}')", f"{title} tab", show=False)
            for number, (key, title) in enumerate(TABS, start=1)
        ],
    ]
    REFRESH_ON = frozenset({"time_entry", "invoice", "payment"})
    DEFAULT_CSS = """
    MetricsScreen {
        TabbedContent, TabbedContent > ContentSwitcher {
            height: 1fr;
        }
        TabPane {
            padding: 0;
            height: 1fr;
        }
        #metrics-status {
            height: auto;
            max-height: 3;
            padding: 0 1;
            background: $boost;
        }
    }
    """

    def __init__(self, services: Services, actor: Actor) -> None:
        """The screen, empty until the metrics have been read."""
        super().__init__(services, actor)
        self.tables: dict[str, Table] = {}

    def compose_body(self) -> ComposeResult:
        """The period, the five tabs and the line naming the last file written."""
        yield MetricsDates(id="metrics-dates")
        with TabbedContent(initial="status"):
            with TabPane("By status", id="status"):
                yield StatusPane(id="status-pane")
            with TabPane("Projects", id="projects"):
                yield TableBlock("projects", fill=True)
            with TabPane("Weekly", id="weekly"):
                yield SeriesPane("weekly", "week", "vertical", id="weekly-pane")
            with TabPane("Monthly", id="monthly"):
                yield SeriesPane("monthly", "month", "horizontal", id="monthly-pane")
            with TabPane("By role", id="roles"):
                yield TableBlock("roles", fill=True)
        yield Static("", id="metrics-status", markup=False)

    def on_mount(self) -> None:
        """Load the default period."""
        super().on_mount()
        self.query_one("#metrics-status", Static).display = False
        self.query_one("#table-hours_by_status", ReportTable).focus()
        self.action_reload()

    @property
    def tab(self) -> str:
        """The open tab."""
        tabs = self.query(TabbedContent)
        return (tabs.first().active if tabs else "") or "status"

    def action_show_tab(self, key: str) -> None:
        """Switch to the tab ``key``."""
        self.query_one(TabbedContent).active = key

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Put the cursor in the tab's table."""
        self._focus_tab()

    def _focus_tab(self) -> None:
        """Focus the open tab's table (on the charts' tabs, the charts, to scroll them)."""
        if self.tab in ("weekly", "monthly"):
            self.query_one(f"#{self.tab}-pane", SeriesPane).focus()
        else:
            self.query_one(f"#table-{TAB_TABLES[self.tab]}", ReportTable).focus()

    def action_edit_dates(self) -> None:
        """Put the cursor in the first date field."""
        self.query_one(MetricsDates).focus_first()

    def on_metrics_dates_applied(self, _event: MetricsDates.Applied) -> None:
        """Enter in a date field: read the metrics of the new period."""
        self._focus_tab()
        self.action_reload()

    def refresh_data(self) -> None:
        """Tickets, invoices or payments changed somewhere: read the metrics again."""
        self.action_reload()

    # --- loading -----------------------------------------------------------------------------

    def action_reload(self) -> None:
        """Read the metrics of the period typed (the default one when blank)."""
        dates = self.query_one(MetricsDates)
        typed = dates.typed()

        def fetch() -> Loaded:
            period = report_dates(typed)
            metrics = self.services.metrics
            report = metrics.report(
                self.actor, date_from=period["date_from"], date_to=period["date_to"]
            )
            return report, {name: metrics.table(self.actor, name, report) for name in METRIC_TABLES}

        dates.mark(())
        call_service(self, fetch, self.show, problems=dates.mark, group="metrics", exclusive=True)

    def show(self, loaded: Loaded) -> None:
        """Fill every tab from the report and its tables."""
        report, tables = loaded
        self.tables = tables
        dates = self.query_one(MetricsDates)
        dates.fill("date_from", report.date_from.isoformat())
        dates.fill("date_to", report.date_to.isoformat())
        for block in self.query(TableBlock):
            if not isinstance(block.parent, SeriesPane):
                block.show(tables[block.metric])
        self.query_one("#weekly-pane", SeriesPane).show(report.weekly, tables["weekly"])
        self.query_one("#monthly-pane", SeriesPane).show(report.monthly, tables["monthly"])
        self.refresh_bindings()

    # --- exporting ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Export once there is something to export."""
        if action == "export":
            return bool(self.tables)
        return True

    def shown_table(self) -> Table | None:
        """The table with the cursor, or the open tab's table."""
        focused = self.focused
        if isinstance(focused, ReportTable) and focused.report is not None:
            return focused.report
        return self.tables.get(TAB_TABLES[self.tab])

    def action_export(self, fmt: str = "") -> None:
        """Write the table in focus to CSV or XLSX in the exports folder (asking which)."""
        table = self.shown_table()
        if table is None:
            return
        if not fmt:
            choose_format(self, f"The table “{table.title}”", self.action_export)
            return
        call_service(self, lambda: export_report(table, fmt), self._exported)

    def _exported(self, path: Path) -> None:
        status = self.query_one("#metrics-status", Static)
        status.update(f"Last file: {path}")
        status.display = True
        self.notify(str(path), title="Table exported", timeout=6, markup=False)
