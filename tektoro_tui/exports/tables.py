"""Reports as CSV and XLSX files: the same :class:`~.model.Table` in, bytes or a file out.

CSV is UTF-8 with a byte-order mark (so Excel reads accents right), one header row, money as
plain decimals ("1234.50"), hours as decimal hours ("1.50") and dates in ISO form. XLSX has a title,
a bold header, numbers as numeric cells with number formats, dates as date cells, a bold totals
row, fitted columns and frozen panes. Both guard text against formula injection: a text cell that
starts with =, +, -, @, a tab or a carriage return can never run as a formula. Numbers are never
guarded. openpyxl is imported inside the functions so importing this module stays cheap.

Cell values by column kind: ``money`` takes Money (or a Decimal in major units, or an int of
minor units); ``hours`` takes int minutes (or a Decimal of hours); ``int`` an int; ``date`` a date;
``text`` anything, printed with ``str``. None is an empty cell everywhere.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from typing import Any, BinaryIO, TextIO

from ..domain.money import Money, minor_digits
from ..domain.rounding import divide_to_int
from .filenames import safe_filename
from .model import CellValue, Column, StreamedTable, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
MONEY_FORMATS = {0: "#,##0", 2: "#,##0.00", 3: "#,##0.000"}
HOURS_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
MIN_WIDTH = 8
MAX_WIDTH = 60
FIT_SAMPLE = 1000
"""Rows of a streamed table looked at to fit the XLSX columns."""
TOTAL_ROOM = 3
"""Extra characters a streamed table's money and hours columns get for their total."""
PROGRESS_EVERY = 5000
"""Rows between two progress reports while a table is written."""

CellRow = tuple[CellValue, ...]
Progress = Callable[[int, int], object]
"""Told (rows written, rows expected) while a table is written."""
# Characters XML 1.0 (and so XLSX) cannot hold; tab, LF and CR are allowed.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

__all__ = [
    "hours_decimal",
    "safe_filename",
    "table_to_csv_bytes",
    "table_to_xlsx_bytes",
    "write_csv",
    "write_xlsx",
]


# --- values ---------------------------------------------------------------------------------


def hours_decimal(minutes: int) -> Decimal:
    """Minutes as decimal hours rounded half-up to two places: 90 -> 1.50, 20 -> 0.33."""
    return Decimal(divide_to_int(minutes * 100, 60)).scaleb(-2)


def _money_decimal(value: Money | Decimal | int, currency: str = "") -> Decimal:
    """An amount in major units: Money as is, Decimal as major units, int as minor units (of
    ``currency``; hundredths without one)."""
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, Decimal):
        return value
    return Decimal(value).scaleb(-_digits(currency))


def _digits(currency: str) -> int:
    """Digits after the point of ``currency``'s amounts (2 when none is named)."""
    return minor_digits(currency) if currency else 2


def _hours_value(value: int | Decimal) -> Decimal:
    """Decimal hours of an hours cell: int minutes are converted, a Decimal is already hours."""
    return value if isinstance(value, Decimal) else hours_decimal(value)


def needs_guard(text: str) -> bool:
    """Whether a text cell could be read as a formula by a spreadsheet."""
    return text.startswith(FORMULA_STARTS)


def _typed(column: Column, value: CellValue) -> CellValue:
    """The value a cell holds for ``column``'s kind (numbers exact, text as text)."""
    if value is None or isinstance(value, str):
        return value
    if column.kind == "money" and isinstance(value, Money | Decimal | int):
        return _money_decimal(value, column.currency)
    if column.kind == "hours" and isinstance(value, int | Decimal):
        return _hours_value(value)
    if isinstance(value, Money):
        return value.amount
    return value


def _csv_text(column: Column, value: CellValue) -> str:
    """One CSV field: plain decimals, ISO dates, guarded text."""
    typed = _typed(column, value)
    if typed is None:
        return ""
    if isinstance(typed, str):
        return f"'{typed}" if needs_guard(typed) else typed
    if isinstance(typed, Decimal):
        return f"{typed:f}"
    if isinstance(typed, date):
        return typed.isoformat()
    return str(typed)


# --- CSV ------------------------------------------------------------------------------------


def _table_rows(table: Table) -> Iterator[tuple[CellValue, ...]]:
    """The data rows, then the totals row when there is one."""
    yield from table.rows
    if table.totals is not None:
        yield table.totals


def _totals_of(table: Table | StreamedTable) -> tuple[CellValue, ...] | None:
    """The totals row (a streamed table's once its rows have gone by)."""
    return table.totals() if isinstance(table, StreamedTable) else table.totals


def _counted(table: Table | StreamedTable, progress: Progress | None) -> Iterator[CellRow]:
    """The data rows, each checked for its width, telling ``progress`` every
    :data:`PROGRESS_EVERY` rows and at the end."""
    expected = table.expected if isinstance(table, StreamedTable) else len(table.rows)
    done = 0
    for row in table.rows:
        _check_width(table, row)
        yield row
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(expected, done))
    if progress is not None:
        progress(done, done)


def _csv_field(column: Column) -> Callable[[CellValue], str]:
    """The CSV text of one value of ``column``, with a short path for the values of its kind
    (an export of millions spends most of its time here); the same text as
    :func:`_csv_text`."""
    if column.kind == "money":
        digits = _digits(column.currency)

        def field(value: CellValue) -> str:
            if type(value) is int:
                return _minor_units_text(value, digits)
            if type(value) is Money:
                return _minor_units_text(value.cents, minor_digits(value.currency))
            return _csv_text(column, value)

    elif column.kind == "hours":

        def field(value: CellValue) -> str:
            if type(value) is int and value >= 0:  # minutes: hundredths of hours, half up
                hundredths, left = divmod(value * 100, 60)
                return _minor_units_text(hundredths + (2 * left >= 60), 2)
            return _csv_text(column, value)

    elif column.kind == "date":

        def field(value: CellValue) -> str:
            return value.isoformat() if type(value) is date else _csv_text(column, value)

    else:

        def field(value: CellValue) -> str:
            if type(value) is str:
                return f"'{value}" if value.startswith(FORMULA_STARTS) else value
            return _csv_text(column, value)

    return field


def _minor_units_text(units: int, digits: int) -> str:
    """``units`` hundredths (or 10^-digits) as a plain decimal: 123456, 2 -> "1234.56"."""
    if digits == 2 and units >= 0:  # nearly every amount: the short way
        return f"{units // 100}.{units % 100:02d}"
    if digits == 0:
        return str(units)
    whole, part = divmod(abs(units), 10**digits)
    return f"{'-' if units < 0 else ''}{whole}.{part:0{digits}d}"


def write_csv(table: Table | StreamedTable, file: TextIO, progress: Progress | None = None) -> None:
    """Write the table as CSV text to ``file``: a header row, the data rows as they come, the
    totals row last (the caller opens ``file`` with the encoding: UTF-8 with BOM)."""
    writer = csv.writer(file, lineterminator="\r\n")
    writer.writerow([_guard_heading(column.heading) for column in table.columns])
    columns = table.columns
    fields = [_csv_field(column) for column in columns]
    for row in _counted(table, progress):
        # text that cannot be read as a formula goes as it is (most cells of an export)
        writer.writerow(
            [
                value if type(value) is str and value[:1] not in _FORMULA_FIRST else field(value)
                for field, value in zip(fields, row, strict=True)
            ]
        )
    totals = _totals_of(table)
    if totals is not None:
        _check_width(table, totals)
        writer.writerow(
            [_csv_text(column, value) for column, value in zip(columns, totals, strict=True)]
        )


def table_to_csv_bytes(table: Table) -> bytes:
    """The table as CSV: UTF-8 with BOM, a header row, data rows, the totals row last."""
    buffer = io.StringIO(newline="")
    write_csv(table, buffer)
    return buffer.getvalue().encode("utf-8-sig")


def _guard_heading(heading: str) -> str:
    """A column heading, guarded like any other text."""
    return f"'{heading}" if needs_guard(heading) else heading


def _check_width(table: Table | StreamedTable, row: tuple[CellValue, ...]) -> None:
    """Refuse a row whose number of cells differs from the number of columns."""
    if len(row) != len(table.columns):
        raise ValueError(
            f"table {table.title!r}: a row has {len(row)} cells for {len(table.columns)} columns"
        )


# --- XLSX -----------------------------------------------------------------------------------


def table_to_xlsx_bytes(table: Table) -> bytes:
    """The table as an XLSX workbook with one sheet (see the module docstring)."""
    buffer = io.BytesIO()
    write_xlsx(table, buffer)
    return buffer.getvalue()


def write_xlsx(
    table: Table | StreamedTable,
    file: BinaryIO,
    progress: Progress | None = None,
    extra: tuple[Table, ...] = (),
) -> None:
    """Write the table as an XLSX workbook to ``file``, row by row (openpyxl's write-only mode:
    memory stays flat), and each table of ``extra`` as a sheet after it (a totals sheet). A
    write-only sheet takes its column widths before its first row, so a streamed table's
    columns are fitted to its first :data:`FIT_SAMPLE` rows, with room for the totals that
    are not known yet."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for index, each in enumerate((table, *extra)):
        _write_sheet(workbook, each, progress if index == 0 else None)
    workbook.save(file)


def _write_sheet(workbook: Any, table: Table | StreamedTable, progress: Progress | None) -> None:
    """One sheet of :func:`write_xlsx`."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(_sheet_title(table.title))
    rows = _counted(table, progress)
    sample = list(islice(rows, FIT_SAMPLE))
    for index, width in enumerate(_fitted_widths(table, sample)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A4"

    def cell(column: Column | None, value: CellValue, font: Any = None, fill: Any = None) -> Any:
        written = WriteOnlyCell(sheet)
        if column is None:
            _text_cell(written, str(value))
        else:
            _set_cell(written, column, value)
        if font is not None:
            written.font = font
        if fill is not None:
            written.fill = fill
        return written

    try:
        sheet.append([cell(None, table.title, Font(bold=True, size=14))])
        sheet.append([cell(None, table.subtitle, Font(italic=True))] if table.subtitle else [])
        shade = PatternFill("solid", fgColor="E8E8E8")
        sheet.append([cell(None, c.heading, Font(bold=True), shade) for c in table.columns])
        makers = [_xlsx_cell_maker(sheet, column, cell) for column in table.columns]
        for row in chain(sample, rows):
            sheet.append([make(value) for make, value in zip(makers, row, strict=True)])
        totals = _totals_of(table)
        columns = table.columns
        if totals is not None:
            _check_width(table, totals)
            bold = Font(bold=True)
            sheet.append(
                [cell(col, value, bold) for col, value in zip(columns, totals, strict=True)]
            )
    except BaseException:
        _discard(sheet)
        raise


def _xlsx_cell_maker(
    sheet: Any, column: Column, slow: Callable[[Column, CellValue], Any]
) -> Callable[[CellValue], Any]:
    """The cell of one value of ``column`` in a data row, with a short path for the values of
    its kind (a year's export writes hundreds of thousands of cells): the number format is set
    once on a model cell and its style copied, plain text goes in as it is; anything else takes
    the general path (``slow``), so every cell reads as :func:`_set_cell` would write it."""
    from copy import copy

    from openpyxl.cell import WriteOnlyCell

    def styled(number_format: str) -> Callable[[Any], Any]:
        model = WriteOnlyCell(sheet)
        model.number_format = number_format
        style = model._style

        def make(typed: Any) -> Any:
            written = WriteOnlyCell(sheet, typed)
            written._style = copy(style)
            return written

        return make

    if column.kind == "money":
        digits = _digits(column.currency)
        money = styled(MONEY_FORMATS.get(digits, "#,##0.00"))

        def cell(value: CellValue) -> Any:
            if type(value) is int:
                return money(Decimal(value).scaleb(-digits))
            return slow(column, value)

    elif column.kind == "hours":
        hours = styled(HOURS_FORMAT)

        def cell(value: CellValue) -> Any:
            if type(value) is int and value >= 0:  # minutes: hundredths of hours, half up
                hundredths, left = divmod(value * 100, 60)
                return hours(Decimal(hundredths + (2 * left >= 60)).scaleb(-2))
            return slow(column, value)

    elif column.kind == "date":
        day = styled(DATE_FORMAT)

        def cell(value: CellValue) -> Any:
            return day(value) if type(value) is date else slow(column, value)

    elif column.kind == "text":

        def cell(value: CellValue) -> Any:
            if type(value) is str and not needs_guard(value) and not _ILLEGAL_XML.search(value):
                return value
            return slow(column, value)

    else:

        def cell(value: CellValue) -> Any:
            return slow(column, value)

    return cell


def _discard(sheet: Any) -> None:
    """Close a write-only sheet left half-written (its rows failed to come: a lost
    connection) and remove the temporary file openpyxl keeps its rows in, which it would
    otherwise leave behind until the program ends."""
    with suppress(Exception):
        sheet.close()
        sheet._writer.cleanup()


def _fitted_widths(table: Table | StreamedTable, sample: list[CellRow]) -> list[int]:
    """Each column's width: its longest value (within 8..60 characters). A table in memory
    is measured whole, totals included; a streamed one by ``sample``, its money and hours
    columns with room for the total."""
    known = isinstance(table, Table)
    rows = list(_table_rows(table)) if isinstance(table, Table) else sample
    widths = []
    for index, column in enumerate(table.columns):
        longest = max([len(column.heading), *(_display_width(column, r[index]) for r in rows)])
        if not known and column.kind in ("money", "hours"):
            longest += TOTAL_ROOM
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
    return widths


def _sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\\s]+", " ", _ILLEGAL_XML.sub("", title)).strip(" '")
    return cleaned[:31].strip() or "Report"


def _set_cell(cell: Any, column: Column, value: CellValue) -> None:
    """Put one value in a cell: numbers numeric with a format, dates as dates, text guarded."""
    typed = _typed(column, value)
    if typed is None:
        return
    if isinstance(typed, str):
        _text_cell(cell, typed)
        return
    if isinstance(typed, datetime):
        cell.value = typed.replace(tzinfo=None)
        cell.number_format = f"{DATE_FORMAT} hh:mm"
        return
    cell.value = typed
    if isinstance(typed, date):
        cell.number_format = DATE_FORMAT
    elif column.kind == "money" or isinstance(value, Money):
        cell.number_format = _money_format(column, value)
    elif column.kind == "hours":
        cell.number_format = HOURS_FORMAT
    elif isinstance(typed, Decimal):
        cell.number_format = "0.00"


def _money_format(column: Column, value: CellValue) -> str:
    """The number format for an amount: as many decimals as its currency has."""
    if isinstance(value, Money):
        digits = minor_digits(value.currency)
    else:
        digits = _digits(column.currency) if isinstance(value, int) else 2
    return MONEY_FORMATS.get(digits, "#,##0.00")


def _text_cell(cell: Any, text: str) -> Any:
    """Store ``text`` as a plain string; risky ones get Excel's quote prefix, never a formula."""
    clean = _ILLEGAL_XML.sub("", text)
    cell.value = clean
    if needs_guard(clean):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _display_width(column: Column, value: CellValue) -> int:
    """How many characters a value takes on screen, for fitting the column."""
    typed = _typed(column, value)
    if typed is None:
        return 0
    if isinstance(typed, Decimal) and column.kind == "money":
        return len(f"{typed:,.2f}")
    if isinstance(typed, date):
        return 16 if isinstance(typed, datetime) else 10
    return max((len(part) for part in str(typed).splitlines()), default=0)


# --- files ----------------------------------------------------------------------------------
