"""Account Revenue's pieces: report panes shown as exported, and the open-invoice list.

:class:`ReportTable` draws the very :class:`~tektoro_tui.exports.model.Table` the service
built for CSV/XLSX, totals row included, so what is shown is what is exported; it only
formats cells (amounts with ``Money.format()``, hours as h:mm, dates in ISO form).
:class:`ReportPane` puts the report's date fields and caption above it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static

from ..domain.money import Money
from ..errors import Problem
from ..exports.model import CellValue, Column, Table
from ..services.invoicing.views import AgingRow, InvoiceView
from .formatting import day, hours
from .keyed_table import KeyedTable
from .printer_detail import amount_cell, clipped, notice_label, status_label
from .stable_table import StableTable

NUMERIC_KINDS = ("money", "hours", "int")
TOTALS_KEY = "totals"
OPEN_INVOICE_COLUMNS = ("Number", "Client", "Due date", "Gross", "Due", "Status", "Notice")


def _justify(column: Column) -> Literal["left", "right"]:
    return "right" if column.kind in NUMERIC_KINDS else "left"


def report_cell(column: Column, value: CellValue, *, bold: bool = False) -> Text:
    """One cell of a report as text, right-aligned for numbers."""
    if value is None:
        text = ""
    elif isinstance(value, Money):
        text = value.format()
    elif column.kind == "hours" and isinstance(value, int):
        text = hours(value)
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return Text(text, style="bold" if bold else "", justify=_justify(column))


def _heading(column: Column, widest: int) -> Text:
    """A column heading; a long one over narrow numbers is split over two lines."""
    text = column.heading
    if column.kind in NUMERIC_KINDS and " " in text and len(text) > widest:
        text = "\n".join(text.rsplit(" ", 1))
    return Text(text, justify=_justify(column))


def report_currency(table: Table) -> str:
    """The currency of the report's amounts, or '' when it has none."""
    for row in (*table.rows, table.totals or ()):
        for value in row:
            if isinstance(value, Money):
                return value.currency
    return ""


def report_caption(table: Table) -> str:
    """The line above a report: its title, period and currency."""
    currency = report_currency(table)
    parts = [table.title, table.subtitle, f"amounts in {currency}" if currency else ""]
    if not table.rows:
        parts.append("nothing to show")
    return " · ".join(part for part in parts if part)


class ReportTable(StableTable):
    """A service-built report table, its totals row in bold at the bottom."""

    DEFAULT_CSS = """
    ReportTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        """An empty report."""
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.report: Table | None = None

    def show(self, report: Table) -> None:
        """Replace what is shown with ``report``; the cursor stays on the same row number."""
        row = self.cursor_row
        self.report = report
        self.clear(columns=True)
        rows = [self._cells(report.columns, values) for values in report.rows]
        if report.totals is not None:
            rows.append(self._cells(report.columns, report.totals, bold=True))
        headings = [
            _heading(column, max((len(row[i]) for row in rows), default=0))
            for i, column in enumerate(report.columns)
        ]
        self.header_height = max((len(heading.split()) for heading in headings), default=1)
        for index, heading in enumerate(headings):
            # text columns take their whole width; the table narrows them to fit (StableTable)
            self.add_column(heading, key=str(index))
        for index, cells in enumerate(rows):
            last = report.totals is not None and index == len(rows) - 1
            self.add_row(*cells, key=TOTALS_KEY if last else str(index))
        if 0 < row < self.row_count:
            self.move_cursor(row=row)

    @staticmethod
    def _cells(
        columns: Sequence[Column], values: Sequence[CellValue], *, bold: bool = False
    ) -> list[Text]:
        return [report_cell(c, v, bold=bold) for c, v in zip(columns, values, strict=True)]

    @property
    def current_index(self) -> int | None:
        """The index of the highlighted report row (None on the totals row or when empty)."""
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        if row_key.value is None or row_key.value == TOTALS_KEY:
            return None
        return int(row_key.value)


class ReportPane(Vertical):
    """A report's date fields, its caption and its table; Enter in a date asks to apply."""

    DEFAULT_CSS = """
    ReportPane {
        height: 1fr;
    }
    ReportPane > .report-dates {
        height: 1;
        padding: 0 1;
    }
    ReportPane > .report-dates > Label {
        padding: 0 1;
    }
    ReportPane > .report-dates > Input {
        width: 14;
    }
    ReportPane > .report-caption, ReportPane > .report-note {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    class DatesApplied(Message):
        """Enter was pressed in one of the pane's date fields."""

        def __init__(self, pane: ReportPane) -> None:
            super().__init__()
            self.pane = pane

        @property
        def control(self) -> ReportPane:
            """The pane whose dates were applied."""
            return self.pane

    def __init__(self, dates: Sequence[tuple[str, str]], *, id: str) -> None:
        """A pane with date fields ``(field name, label)``, e.g. ``("as_of", "As of")``."""
        super().__init__(id=id)
        self._dates = tuple(dates)

    def compose(self) -> ComposeResult:
        """Date fields, caption, table and a note line under it."""
        with Horizontal(classes="report-dates"):
            for name, label in self._dates:
                yield Label(label)
                yield Input(placeholder="YYYY-MM-DD", id=f"date-{name}", compact=True)
        yield Static("", classes="report-caption", markup=False)
        yield ReportTable(id=f"{self.id}-table")
        yield Static("", classes="report-note", markup=False)

    @property
    def table(self) -> ReportTable:
        """The report table."""
        return self.query_one(ReportTable)

    @property
    def report(self) -> Table | None:
        """The report shown."""
        return self.table.report

    def typed(self) -> dict[str, str]:
        """The date fields as typed, by field name."""
        return {name: self.query_one(f"#date-{name}", Input).value for name, _ in self._dates}

    def fill_blank(self, name: str, value: date) -> None:
        """Put ``value`` in the date field ``name`` if it is empty (the default shown)."""
        field = self.query_one(f"#date-{name}", Input)
        if not field.value.strip():
            field.value = value.isoformat()

    def focus_dates(self) -> None:
        """Put the cursor in the first date field."""
        self.query(Input).first().focus()

    def mark(self, problems: Iterable[Problem]) -> None:
        """Mark the date fields named in ``problems``; clear the others."""
        bad = {problem.field for problem in problems}
        for name, _ in self._dates:
            self.query_one(f"#date-{name}", Input).set_class(name in bad, "-invalid")

    def show(self, report: Table) -> None:
        """Show ``report`` and its caption."""
        self.query_one(".report-caption", Static).update(report_caption(report))
        self.table.show(report)

    def note(self, text: str) -> None:
        """Show ``text`` under the table."""
        self.query_one(".report-note", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a date field: apply the dates and return to the table."""
        event.stop()
        self.table.focus()
        self.post_message(self.DatesApplied(self))


class AgingPane(ReportPane):
    """The aging report; the highlighted client's open invoices are named under it."""

    class ClientChosen(Message):
        """Enter on a client's row: the user wants to act on its invoices."""

        def __init__(self, row: AgingRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, id: str) -> None:
        """An aging pane with its as-of date field."""
        super().__init__((("as_of", "As of"),), id=id)
        self._rows: tuple[AgingRow, ...] = ()

    def show_aging(self, report: Table, rows: tuple[AgingRow, ...]) -> None:
        """Show the report and remember which invoices each client row stands for."""
        self._rows = rows
        self.show(report)
        self._name_invoices()

    @property
    def current_row(self) -> AgingRow | None:
        """The highlighted client (None on the totals row)."""
        index = self.table.current_index
        return self._rows[index] if index is not None and index < len(self._rows) else None

    def _name_invoices(self) -> None:
        row = self.current_row
        self.note(f"{row.client_name}: {', '.join(row.invoices)} (Enter: to them)" if row else "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Name the highlighted client's invoices."""
        self._name_invoices()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a client: ask for its invoices."""
        event.stop()
        row = self.current_row
        if row is not None and row.invoices:
            self.post_message(self.ClientChosen(row))


class OpenInvoiceTable(KeyedTable):
    """The invoices not yet booked, keyed by number."""

    DEFAULT_CSS = """
    OpenInvoiceTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        """An empty list."""
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._invoices: dict[str, InvoiceView] = {}

    def on_mount(self) -> None:
        """Add the columns."""
        for heading in OPEN_INVOICE_COLUMNS:
            self.add_column(heading, key=heading)

    def show(self, invoices: Iterable[InvoiceView]) -> None:
        """Show ``invoices`` in place; the cursor stays on its invoice (or the nearest one
        left)."""
        self._invoices = {view.number or "": view for view in invoices}
        self.show_rows((key, open_invoice_cells(view)) for key, view in self._invoices.items())

    @property
    def current(self) -> InvoiceView | None:
        """The highlighted invoice."""
        key = self.current_key
        return None if key is None else self._invoices.get(key)


def open_invoice_cells(invoice: InvoiceView) -> tuple[object, ...]:
    """One row of the list of invoices not yet booked."""
    return (
        invoice.number or "",
        clipped(invoice.client_name),
        day(invoice.due_date),
        amount_cell(invoice.gross.format()),
        amount_cell(invoice.due.format()),
        status_label(invoice),
        notice_label(invoice.overdue_notice_days),
    )
