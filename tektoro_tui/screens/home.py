"""Home: who you are, where your own time entries stand, and where you can go from here."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..domain.permissions import Perm
from ..services.views import HomeSummary
from ..widgets.formatting import hours
from ..widgets.stable_table import StableTable
from .areas import AREAS, areas_for
from .base import AreaScreen, call_service
from .messages import AreaWanted, OrganisationNamed


class HomeScreen(AreaScreen):
    """The signed-in user's dashboard and the menu of the screens their role may open."""

    TITLE_TEXT = "Home"
    HELP = (
        "Your own time entries by status, your staff group and the entries waiting for "
        "your approval, and a warning while code presets are missing. Open any screen "
        "with its key or from the menu."
    )
    BINDINGS = [
        Binding(area.hotkey, f"app.open('{area.key}')", area.short)
        for area in AREAS
        if area.key != "home"
    ]

    def compose_body(self) -> ComposeResult:
        """Greeting, warnings, own entries, team figures and the menu."""
        with VerticalScroll(id="home"):
            yield Static(f"Hello, {self.actor.name}.", id="greeting", markup=False)
            yield Static(self.actor.role.label, id="who", markup=False)
            yield Static("", id="missing", markup=False)
            with Horizontal(id="home-panels"):
                with Vertical(id="entries-box", classes="panel"):
                    yield Label("Your time entries", classes="panel-title")
                    yield StableTable(id="entries", cursor_type="none", show_cursor=False)
                    yield Static("", id="team", markup=False)
                with Vertical(id="menu-box", classes="panel"):
                    yield Label("Go to", classes="panel-title")
                    yield OptionList(*self._menu_options(), id="menu")

    def _menu_options(self) -> list[Option]:
        return [
            Option(f"[b]{area.hotkey}[/b]  {area.title}", id=area.key)
            for area in areas_for(self.actor)
            if area.key != "home"
        ]

    def on_mount(self) -> None:
        """Set up the entries table and load the summary."""
        super().on_mount()
        table = self.query_one("#entries", DataTable)
        table.add_column("Status", key="status")
        table.add_column("Entries", key="count")
        table.add_column("Hours", key="hours")
        self.query_one("#menu", OptionList).focus()
        self.load_summary()

    def on_screen_resume(self) -> None:
        """Coming back to home: the figures may have changed."""
        if self.is_mounted:
            self.load_summary()

    def load_summary(self) -> None:
        """Fetch the summary in a worker."""
        call_service(
            self,
            lambda: self.services.home.summary(self.actor),
            self.show_summary,
            group="summary",
            exclusive=True,
        )

    def show_summary(self, summary: HomeSummary) -> None:
        """Fill the screen from ``summary``."""
        self.post_message(OrganisationNamed(summary.organisation))
        self.query_one("#who", Static).update(f"{summary.organisation} · {summary.role.label}")
        self._show_entries(summary)
        self._show_team(summary)
        self._show_missing(summary.missing_presets)

    def _show_entries(self, summary: HomeSummary) -> None:
        table = self.query_one("#entries", DataTable)
        table.clear()
        for status, count, minutes in summary.entries_by_status:
            table.add_row(status.replace("_", " ").capitalize(), str(count), hours(minutes))

    def _show_team(self, summary: HomeSummary) -> None:
        team = self.query_one("#team", Static)
        supervises = summary.staff_count > 0 or self.actor.may(Perm.TIME_APPROVE_ANY)
        team.display = supervises
        team.update(
            f"Your staff: {summary.staff_count}\n"
            f"Waiting for your approval: {summary.pending_approvals}"
        )

    def _show_missing(self, missing: tuple[str, ...]) -> None:
        warning = self.query_one("#missing", Static)
        warning.display = bool(missing)
        hint = " Add them under Code presets (p)." if self.actor.may(Perm.PRESETS_MANAGE) else ""
        warning.update(f"Time cards need every code preset. Missing: {', '.join(missing)}.{hint}")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen screen."""
        event.stop()
        if event.option.id:
            self.post_message(AreaWanted(event.option.id))
