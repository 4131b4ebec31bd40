"""The Financial metrics screen's pieces: its period fields, table blocks and chart panes.

Every table shown is the very :class:`~tektoro_tui.exports.model.Table` the metrics service
builds for CSV/XLSX (drawn by :class:`~.revenue_report.ReportTable`), so what is on screen is
what is exported. The charts draw the weekly and monthly series of the service's report.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Static

from ..errors import Problem
from ..exports.model import Table
from ..services.reporting.views import SeriesPoint
from .bar_chart import Bar, BarChart, Orientation
from .formatting import hours
from .revenue_report import ReportTable, report_caption

DATE_FIELDS = (("date_from", "From"), ("date_to", "to"))


class MetricsDates(Horizontal):
    """The period of the metrics: two date fields; Enter in either applies them."""

    DEFAULT_CSS = """
    MetricsDates {
        height: 1;
        padding: 0 1;
    }
    MetricsDates > Label {
        padding: 0 1;
    }
    MetricsDates > Input {
        width: 14;
    }
    MetricsDates > Input.-invalid {
        background-tint: $error 40%;
    }
    MetricsDates > .metrics-period-hint {
        width: 1fr;
        padding: 0 1;
        color: $text-muted;
    }
    """

    class Applied(Message):
        """Enter was pressed in a date field."""

    def compose(self) -> ComposeResult:
        """The labelled date fields and a hint."""
        for name, label in DATE_FIELDS:
            yield Label(label)
            yield Input(placeholder="YYYY-MM-DD", id=f"date-{name}", compact=True)
        yield Static("f: edit, Enter: apply", classes="metrics-period-hint", markup=False)

    def typed(self) -> dict[str, str]:
        """The fields as typed, by name."""
        return {name: self.query_one(f"#date-{name}", Input).value for name, _ in DATE_FIELDS}

    def fill(self, name: str, value: str) -> None:
        """Show ``value`` in the field ``name`` (the period the report really covers)."""
        self.query_one(f"#date-{name}", Input).value = value

    def mark(self, problems: Iterable[Problem]) -> None:
        """Mark the fields named in ``problems``; clear the others."""
        bad = {problem.field for problem in problems}
        for name, _ in DATE_FIELDS:
            self.query_one(f"#date-{name}", Input).set_class(name in bad, "-invalid")

    def focus_first(self) -> None:
        """Put the cursor in the first field."""
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: apply the period."""
        event.stop()
        self.post_message(self.Applied())


class TableBlock(Vertical):
    """One metric table with its caption (title, period, currency) above it."""

    DEFAULT_CSS = """
    TableBlock {
        height: auto;
    }
    TableBlock.-fill {
        height: 1fr;
    }
    TableBlock > .metrics-caption {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    TableBlock > ReportTable {
        height: auto;
        max-height: 16;
    }
    TableBlock.-fill > ReportTable {
        height: 1fr;
        max-height: 100%;
    }
    """

    def __init__(self, name: str, *, fill: bool = False) -> None:
        """A block for the metric table ``name`` (one of METRIC_TABLES)."""
        super().__init__(id=f"block-{name}", classes="-fill" if fill else "")
        self.metric = name

    def compose(self) -> ComposeResult:
        """Caption and table."""
        yield Static("", classes="metrics-caption", markup=False)
        yield ReportTable(id=f"table-{self.metric}")

    @property
    def table(self) -> ReportTable:
        """The table."""
        return self.query_one(ReportTable)

    def show(self, report: Table) -> None:
        """Show ``report`` and its caption."""
        self.query_one(".metrics-caption", Static).update(report_caption(report))
        self.table.show(report)


def hour_bars(points: Iterable[SeriesPoint]) -> list[Bar]:
    """The hours of each week or month as bars."""
    return [Bar(point.label, point.minutes, hours(point.minutes)) for point in points]


def value_bars(points: Iterable[SeriesPoint]) -> list[Bar]:
    """The billing value of each week's or month's hours as bars."""
    return [Bar(point.label, point.value.cents, point.value.format()) for point in points]


class SeriesPane(VerticalScroll):
    """A time series: its hours and its value as bar charts, then its table."""

    DEFAULT_CSS = """
    SeriesPane {
        height: 1fr;
    }
    SeriesPane > BarChart {
        margin-bottom: 1;
    }
    """

    def __init__(self, name: str, unit: str, orientation: Orientation, *, id: str) -> None:
        """A pane for the series ``name`` ("weekly" or "monthly") of ``unit``s."""
        super().__init__(id=id)
        self.metric = name
        self.unit = unit
        self.orientation: Orientation = orientation

    def compose(self) -> ComposeResult:
        """Two charts and the table."""
        yield BarChart(
            f"Hours per {self.unit}", orientation=self.orientation, id=f"{self.metric}-hours"
        )
        yield BarChart(
            f"Value per {self.unit}", orientation=self.orientation, id=f"{self.metric}-value"
        )
        yield TableBlock(self.metric)

    def show(self, points: tuple[SeriesPoint, ...], report: Table) -> None:
        """Draw the series and show its table."""
        currency = points[0].value.currency if points else ""
        self.query_one(f"#{self.metric}-hours", BarChart).show(hour_bars(points))
        self.query_one(f"#{self.metric}-value", BarChart).show(
            value_bars(points), title=f"Value per {self.unit} ({currency})".replace(" ()", "")
        )
        self.query_one(TableBlock).show(report)


class StatusPane(VerticalScroll):
    """Hours by status and revenue by status, one above the other."""

    DEFAULT_CSS = """
    StatusPane {
        height: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        """Two table blocks."""
        yield TableBlock("hours_by_status")
        yield TableBlock("revenue_by_status")
