"""A subcontractor's foreman's home: the agreements of the crews they lead.

Everything comes from ``DashboardService.foreman``, which reads only the days planned for and
reported by the signed-in foreman's own crews.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label, Static

from ..services.reporting.views import CrewRow, ForemanDashboard
from .dashboard_common import DashboardPanel, FigureTable
from .formatting import day

FOREMAN_HINT = (
    "Ctrl+G b: Subcontracts. Open an agreement (Enter), its Reports tab (2), n enters the "
    "day's report; a report is corrected (e) until the day is settled."
)
SCOPE_WIDTH = 22


def _crew_cells(row: CrewRow) -> tuple[str, ...]:
    missing = len(row.unreported)
    scope = row.scope if len(row.scope) <= SCOPE_WIDTH else row.scope[: SCOPE_WIDTH - 1] + "…"
    return (
        row.number,
        scope,
        day(row.next_day) or "—",
        str(row.planned_ahead),
        f"{missing} (from {row.unreported[0]})" if missing else "none",
    )


class ForemanPanel(DashboardPanel[ForemanDashboard]):
    """The crews' agreements: next planned day, days planned ahead, days still to report."""

    def compose(self) -> ComposeResult:
        """The figures, top to bottom."""
        yield Label("", id="crew-company", classes="dashboard-head")
        yield FigureTable(
            ("Agreement", "Scope", "Next day", "Planned", "To report"),
            numeric=(3,),
            id="crews",
        )
        yield Static("", id="crew-note", classes="dashboard-alert", markup=False)
        yield Static(FOREMAN_HINT, classes="dashboard-hint", markup=False)

    def fill(self, board: ForemanDashboard) -> None:
        """Put the foreman's agreements in."""
        self.query_one("#crew-company", Label).update(
            f"Your crews' agreements{' · ' + board.company_name if board.company_name else ''}"
        )
        self.query_one("#crews", FigureTable).fill(_crew_cells(row) for row in board.crews)
        missing = sum(len(row.unreported) for row in board.crews)
        self.query_one("#crew-note", Static).update(
            f"{missing} planned day(s) up to today have no report yet."
            if missing
            else ("Every planned day so far is reported." if board.crews else "No crew planned.")
        )
