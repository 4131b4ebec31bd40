"""One's own pay on the dashboard: this month's working days with their amounts and total,
and whether one is clocked in (I clocks in, O clocks out).

Shown to anyone of the firm who is on the payroll (who has pay terms or shifts); the figures
are the payroll service's own (``PayrollService.period`` and ``open_shift``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from ..services.payroll.views import PayPeriod, ShiftView
from .dashboard_common import FigureTable
from .pay_parts import OWN_COLUMNS, own_cells, own_total

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services


@dataclass(frozen=True)
class OwnPay:
    """One's days of this month and the shift one is clocked in on (if any)."""

    period: PayPeriod
    running: ShiftView | None


def read_own_pay(services: Services, actor: Actor) -> OwnPay | None:
    """This month's own days and the clock's state; None for someone not on the payroll
    (no pay terms, no shift this month, not clocked in). Run in a worker."""
    found = services.payroll.own(actor)
    return None if found is None else OwnPay(*found)


class OwnPayPanel(Vertical):
    """Your working days of this month, their pay and the clock."""

    DEFAULT_CSS = """
    OwnPayPanel {
        height: auto;
        display: none;
    }
    OwnPayPanel.-shown {
        display: block;
    }
    OwnPayPanel > .dashboard-head {
        text-style: bold;
        color: $text-accent;
        height: 1;
    }
    OwnPayPanel > FigureTable {
        max-height: 40;
    }
    OwnPayPanel > #own-pay-total {
        height: auto;
        margin-bottom: 1;
    }
    """

    def compose(self) -> ComposeResult:
        """The title, the days and the total with the clock's state."""
        yield Label("Your pay this month", classes="dashboard-head")
        yield FigureTable(OWN_COLUMNS, numeric=(3,), id="own-days")
        yield Static("", id="own-pay-total", markup=False)

    def show(self, own: OwnPay | None) -> None:
        """Show ``own`` (hidden for someone not on the payroll)."""
        self.set_class(own is not None, "-shown")
        if own is None:
            return
        self.query_one("#own-days", FigureTable).fill(own_cells(s) for s in own.period.shifts)
        self.query_one("#own-pay-total", Static).update(own_total(own.period, own.running))
