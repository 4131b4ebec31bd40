"""The manager's dashboard: master invoices by status, workload and team productivity.

The key ``y`` on the home screen steps through a few usual periods (this month, last month,
this week, last week); ``Y`` opens a form for any other from–to dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Label, Static

from ..errors import Problem
from ..services.contractor_invoices.views import MASTER_INVOICE_STATUS_LABELS
from ..services.reporting.views import ManagerDashboard, WorkloadRow
from .dashboard_common import DashboardPanel, FigureTable, amount, currency_note, plural
from .dialogs.form import FormModal
from .fields import FieldSpec
from .formatting import hours

MANAGER_PERIODS = ("this month", "last month", "this week", "last week")
CHOSEN_PERIOD = "chosen dates"
"""The period's name once the manager has typed its dates."""


@dataclass(frozen=True)
class PeriodDraft:
    """The from–to dates typed into the period form (the dashboard service checks them)."""

    date_from: str
    date_to: str


def period_modal(draft: PeriodDraft, problems: tuple[Problem, ...]) -> FormModal[PeriodDraft]:
    """The form for the dashboard's period: first and last day, both included."""
    specs = (
        FieldSpec("date_from", "From", placeholder="YYYY-MM-DD (blank: 1st of this month)"),
        FieldSpec("date_to", "To", placeholder="YYYY-MM-DD (blank: end of this month)"),
    )

    def build(values: dict[str, Any]) -> PeriodDraft:
        return PeriodDraft(values["date_from"].strip(), values["date_to"].strip())

    intro = "Workload and team productivity count the hours dated in these days."
    return FormModal("Dashboard period", specs, draft, build, problems, intro=intro)


def period_bounds(choice: str, today: date) -> tuple[date, date]:
    """The first and last day (inclusive) of the period ``choice`` seen from ``today``."""
    if choice.endswith("week"):
        start = today - timedelta(days=today.weekday())
        if choice == "last week":
            start -= timedelta(days=7)
        return start, start + timedelta(days=6)
    start = today.replace(day=1)
    if choice == "last month":
        start = (start - timedelta(days=1)).replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def next_period(choice: str) -> str:
    """The period after ``choice`` in :data:`MANAGER_PERIODS` (round the end)."""
    index = MANAGER_PERIODS.index(choice) if choice in MANAGER_PERIODS else -1
    return MANAGER_PERIODS[(index + 1) % len(MANAGER_PERIODS)]


def _workload_cells(row: WorkloadRow) -> tuple[str, ...]:
    return (
        row.name,
        hours(row.minutes),
        hours(row.billable_minutes),
        row.billable_share_pct,
        str(row.entries),
    )


class ManagerPanel(DashboardPanel[ManagerDashboard]):
    """Master invoices by status, hours per project and per member, the team's totals."""

    period_name = MANAGER_PERIODS[0]
    shown_period: tuple[date, date] | None = None
    """The first and last day of the figures on show (None before the first load)."""

    def compose(self) -> ComposeResult:
        """The figures, top to bottom."""
        yield Static("", id="period", classes="dashboard-line", markup=False)
        yield Label("Master invoices", id="master-title", classes="dashboard-head")
        yield FigureTable(("Status", "Invoices", "Amount"), numeric=(1, 2), id="master")
        yield Label("Team productivity", classes="dashboard-head")
        yield Static("", id="productivity", classes="dashboard-line", markup=False)
        yield Label("Workload per project", classes="dashboard-head")
        workload = ("Project", "Hours", "Billable", "Share", "Tickets")
        yield FigureTable(workload, numeric=(1, 2, 3, 4), id="projects")
        yield Label("Team members", classes="dashboard-head")
        yield FigureTable(("Member", *workload[1:]), numeric=(1, 2, 3, 4), id="members")

    def fill(self, board: ManagerDashboard) -> None:
        """Show the manager's figures."""
        self.shown_period = (board.period_start, board.period_end)
        self.query_one("#period", Static).update(
            f"Period: {board.period_start.isoformat()} – {board.period_end.isoformat()} "
            f"({self.period_name}; y: next, Y: dates)"
        )
        self.query_one("#master-title", Label).update(
            f"Master invoices{currency_note(row.amount for row in board.master_invoices)}"
        )
        self.query_one("#master", FigureTable).fill(
            (
                MASTER_INVOICE_STATUS_LABELS.get(row.status, row.status),
                str(row.count),
                amount(row.amount),
            )
            for row in board.master_invoices
        )
        team = WorkloadRow(0, "Team", board.team_minutes, board.team_billable_minutes, 0)
        self.query_one("#productivity", Static).update(
            f"{hours(team.minutes)} h worked, {hours(team.billable_minutes)} h billable "
            f"({team.billable_share_pct}) · "
            f"{waiting_text(board.pending_approvals, board.firm_pending_approvals)}"
        )
        self.query_one("#projects", FigureTable).fill(map(_workload_cells, board.projects))
        self.query_one("#members", FigureTable).fill(map(_workload_cells, board.members))


def waiting_text(mine: int, firm: int | None) -> str:
    """The waiting count as Approvals counts it: 7 entries ... (33 in the firm)."""
    text = f"{plural(mine, 'entry', 'entries')} waiting for your approval"
    if firm is not None and firm != mine:
        text += f" ({firm} in the firm)"
    return text
