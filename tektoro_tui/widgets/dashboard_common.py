"""What every role's dashboard panel is made of: small figure tables and titled sections.

The panels show the figures a :mod:`~tektoro_tui.services.reporting.dashboards` read model
carries, as they are; the only arithmetic here is layout (which column a number goes in).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual.containers import Vertical

from ..domain.money import Money
from ..domain.wording import counted
from .formatting import hours
from .stable_table import StableTable

B = TypeVar("B")


def words(status: str) -> str:
    """A stored status as people say it: 'partially_paid' -> 'Partially paid'."""
    text = status.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def amount(value: Money | None) -> str:
    """An amount without its currency (the panel names the currency once)."""
    return "" if value is None else value.format()


def currency_note(amounts: Iterable[Money | None]) -> str:
    """' (amounts in PLN)' from the first amount given, or '' when there is none."""
    for value in amounts:
        if value is not None:
            return f" (amounts in {value.currency})"
    return ""


def signed_hours(minutes: int) -> str:
    """A change in hours with its sign: '+1:30', '-0:45', '0:00'."""
    return f"+{hours(minutes)}" if minutes > 0 else hours(minutes)


plural = counted
"""'1 invoice', '2 invoices' (the one counting of :mod:`..domain.wording`)."""


class FigureTable(StableTable):
    """A read-only table of figures: no cursor, numbers right-aligned, as tall as its rows."""

    DEFAULT_CSS = """
    FigureTable {
        height: auto;
        max-height: 12;
        margin-bottom: 1;
    }
    """

    def __init__(
        self,
        headings: Sequence[str],
        numeric: Iterable[int] = (),
        *,
        id: str,
        show_header: bool = True,
    ) -> None:
        """A table with ``headings``; the columns at the ``numeric`` indexes align right."""
        super().__init__(
            id=id,
            cursor_type="none",
            show_cursor=False,
            zebra_stripes=True,
            show_header=show_header,
        )
        self.can_focus = False
        self._headings = tuple(headings)
        self._numeric = frozenset(numeric)

    def on_mount(self) -> None:
        """Add the columns."""
        for index, heading in enumerate(self._headings):
            self.add_column(self._cell(index, heading), key=str(index))

    def fill(self, rows: Iterable[Sequence[str]]) -> None:
        """Replace the rows."""
        self.clear()
        for row in rows:
            self.add_row(*(self._cell(index, cell) for index, cell in enumerate(row)))

    def _cell(self, index: int, text: str) -> Text:
        """``text`` aligned as column ``index`` wants: numbers right, words left."""
        return Text(text, justify="right" if index in self._numeric else "left")

    def cell_texts(self) -> list[list[str]]:
        """The rows as plain strings (what a test or a reader sees)."""
        return [[str(cell) for cell in self.get_row_at(i)] for i in range(self.row_count)]


class DashboardPanel(Vertical, Generic[B]):
    """One role's dashboard: filled from that role's read model by :meth:`show`."""

    DEFAULT_CSS = """
    DashboardPanel {
        height: auto;
    }
    DashboardPanel > .dashboard-line {
        height: auto;
        margin-bottom: 1;
    }
    DashboardPanel > .dashboard-head {
        text-style: bold;
        color: $text-accent;
        height: 1;
    }
    DashboardPanel > .dashboard-hint {
        color: $text-muted;
        height: auto;
    }
    DashboardPanel > .dashboard-alert {
        color: $text-warning;
    }
    """

    def show(self, board: B) -> None:
        """Show ``board``'s figures."""
        self.fill(board)

    def fill(self, board: B) -> None:
        """Put ``board``'s figures into the panel's widgets (each panel its own)."""
        raise NotImplementedError
