"""Reports as CSV and XLSX: numbers stay numbers, text never becomes a formula."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tektoro_tui.domain.money import Money
from tektoro_tui.exports.filenames import safe_filename
from tektoro_tui.exports.model import Column, Table
from tektoro_tui.exports.tables import (
    hours_decimal,
    table_to_csv_bytes,
    table_to_xlsx_bytes,
)
from tektoro_tui.services.base import write_table

HEADER_ROW = 3


def report() -> Table:
    """A small time report with every kind of column and hostile text."""
    return Table(
        title="Time report",
        subtitle="2026-03-01 to 2026-03-31",
        columns=(
            Column("Date", "date"),
            Column("Person"),
            Column("Description"),
            Column("Hours", "hours"),
            Column("Value", "money"),
            Column("Entries", "int"),
        ),
        rows=(
            (date(2026, 3, 2), "Łukasz Wróbel", "=SUM(A1)", 90, Money(123_450, "EUR"), 3),
            (date(2026, 3, 3), "Jürgen Groß", "+49 30 1234", 20, Money(-5, "EUR"), 1),
            (date(2026, 3, 4), "@admin", "-2+3", 125, Money(100_000_000, "EUR"), 2),
            (None, "\tTabbed", None, None, None, None),
        ),
        totals=("Total", "", "", 235, Money(100_123_445, "EUR"), 6),
    )


def test_xlsx_keeps_money_and_hours_numeric_and_dates_as_dates() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(table_to_xlsx_bytes(report()))).active
    assert sheet["A1"].value == "Time report" and sheet["A1"].font.b
    assert sheet["A2"].value == "2026-03-01 to 2026-03-31"
    assert [c.value for c in sheet[HEADER_ROW]] == [
        "Date",
        "Person",
        "Description",
        "Hours",
        "Value",
        "Entries",
    ]
    assert all(c.font.b for c in sheet[HEADER_ROW])
    first = sheet[HEADER_ROW + 1]
    assert first[0].is_date and first[0].value == datetime(2026, 3, 2)
    assert first[0].number_format == "yyyy-mm-dd"
    hours, value, entries = first[3], first[4], first[5]
    assert (hours.data_type, value.data_type, entries.data_type) == ("n", "n", "n")
    assert Decimal(str(hours.value)) == Decimal("1.50") and hours.number_format == "0.00"
    assert Decimal(str(value.value)) == Decimal("1234.50") and value.number_format == "#,##0.00"
    assert entries.value == 3 and isinstance(entries.value, int)
    second = sheet[HEADER_ROW + 2]
    assert Decimal(str(second[3].value)) == Decimal("0.33")
    assert Decimal(str(second[4].value)) == Decimal("-0.05")
    assert Decimal(str(sheet[HEADER_ROW + 3][4].value)) == Decimal("1000000.00")


def test_xlsx_stores_formula_like_text_as_text() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(table_to_xlsx_bytes(report()))).active
    cells = {
        sheet.cell(row=r, column=c).value: sheet.cell(row=r, column=c)
        for r in range(HEADER_ROW + 1, HEADER_ROW + 5)
        for c in (2, 3)
    }
    for text in ("=SUM(A1)", "+49 30 1234", "-2+3", "@admin", "\tTabbed"):
        cell = cells[text]
        assert cell.data_type == "s", text
        assert cell.quotePrefix, text
    assert not cells["Łukasz Wróbel"].quotePrefix


def test_xlsx_totals_row_bold_columns_fitted_panes_frozen() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(table_to_xlsx_bytes(report()))).active
    totals = sheet[HEADER_ROW + 5]
    assert totals[0].value == "Total" and all(c.font.b for c in totals if c.value is not None)
    assert Decimal(str(totals[3].value)) == Decimal("3.92")
    assert Decimal(str(totals[4].value)) == Decimal("1001234.45")
    assert sheet.max_row == HEADER_ROW + 5
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.column_dimensions["B"].width == len("Łukasz Wróbel") + 2
    assert sheet.column_dimensions["E"].width == len("1,001,234.45") + 2


def test_csv_round_trips_with_bom_plain_numbers_and_guards() -> None:
    data = table_to_csv_bytes(report())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Date", "Person", "Description", "Hours", "Value", "Entries"]
    assert rows[1] == ["2026-03-02", "Łukasz Wróbel", "'=SUM(A1)", "1.50", "1234.50", "3"]
    assert rows[2] == ["2026-03-03", "Jürgen Groß", "'+49 30 1234", "0.33", "-0.05", "1"]
    assert rows[3] == ["2026-03-04", "'@admin", "'-2+3", "2.08", "1000000.00", "2"]
    assert rows[4] == ["", "'\tTabbed", "", "", "", ""]
    assert rows[5] == ["Total", "", "", "3.92", "1001234.45", "6"]
    assert len(rows) == 6


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [(90, "1.50"), (20, "0.33"), (1, "0.02"), (0, "0.00"), (1500, "25.00"), (-30, "-0.50")],
)
def test_hours_are_minutes_over_sixty_rounded_half_up(minutes: int, hours: str) -> None:
    assert hours_decimal(minutes) == Decimal(hours)
    assert str(hours_decimal(minutes)) == hours


def test_writers_create_files_and_return_their_paths(tmp_path: Path) -> None:
    csv_path = write_table(report(), "csv", tmp_path / "out" / "report.csv")
    xlsx_path = write_table(report(), "xlsx", tmp_path / "out" / "report.xlsx")
    assert csv_path.read_bytes() == table_to_csv_bytes(report())
    assert openpyxl.load_workbook(xlsx_path).active["A1"].value == "Time report"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.csv", "report.xlsx"]


def test_a_row_with_the_wrong_number_of_cells_is_refused() -> None:
    table = Table("Broken", (Column("A"), Column("B")), rows=(("only one",),))
    with pytest.raises(ValueError, match="1 cells for 2 columns"):
        table_to_csv_bytes(table)
    with pytest.raises(ValueError, match="1 cells for 2 columns"):
        table_to_xlsx_bytes(table)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FV/2026/03/0001", "FV-2026-03-0001"),
        ("Time report: Łukasz Wróbel.xlsx", "Time-report-Łukasz-Wróbel.xlsx"),
        ("../../etc/passwd", "etc-passwd"),
        ("...", "export"),
        ("", "export"),
        ("CON.csv", "CON_.csv"),
        ("a*b?c<d>.pdf", "a_b_c_d.pdf"),
    ],
)
def test_safe_filename(text: str, expected: str) -> None:
    assert safe_filename(text) == expected
    assert "/" not in safe_filename(text) and len(safe_filename(text * 50)) <= 120


def test_safe_filename_keeps_the_extension_of_a_long_name() -> None:
    name = safe_filename("Revenue report " * 20 + ".xlsx")
    assert len(name) <= 120 and name.startswith("Revenue-report-") and name.endswith(".xlsx")


def test_importing_the_writers_does_not_load_fpdf_or_openpyxl() -> None:
    code = (
        "import sys; import tektoro_tui.exports.html, tektoro_tui.exports.pdf, "
        "tektoro_tui.exports.tables; print(sorted({'fpdf', 'openpyxl'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        (
            "money",
            [
                Money(123456, "EUR"),
                Money(-5, "EUR"),
                Money(0, "EUR"),
                Money(-1050, "JPY"),
                Money(1234567, "KWD"),
                Money(-1, "BHD"),
                Decimal("12.5"),
                2500,
                None,
            ],
        ),
        ("hours", [0, 1, 20, 90, 59, -45, -1, 10**9 + 7, Decimal("1.5"), None]),
        ("text", ["plain", "", "=SUM(A1)", "+1", "-2", "@x", "\tx", "Łódź", 7, None]),
        ("date", [date(2026, 2, 28), None]),
    ],
)
def test_the_short_csv_path_writes_what_the_general_one_does(kind: str, values: list[Any]) -> None:
    """An export of millions formats each cell through its column's short path; every value
    comes out as the general conversion writes it."""
    from tektoro_tui.exports.tables import _csv_field, _csv_text

    column = Column("x", kind)
    field = _csv_field(column)
    assert [field(value) for value in values] == [_csv_text(column, value) for value in values]


@pytest.mark.parametrize(
    ("currency", "text", "shown"),
    [("EUR", "-12.05", "#,##0.00"), ("JPY", "-1205", "#,##0"), ("KWD", "-1.205", "#,##0.000")],
)
def test_int_amounts_are_minor_units_of_the_columns_currency(
    currency: str, text: str, shown: str
) -> None:
    """A streamed table's amounts are plain ints of the currency's minor units."""
    from tektoro_tui.exports.tables import _csv_field, _csv_text, _money_format, _typed

    column = Column("Value", "money", currency=currency)
    assert _csv_field(column)(-1205) == _csv_text(column, -1205) == text
    assert _typed(column, -1205) == Decimal(text)
    assert _money_format(column, -1205) == shown


def test_an_xlsx_whose_rows_fail_half_way_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A streamed export whose database goes away after some rows: the error comes out, and
    the temporary file openpyxl wrote the rows to is gone (not left until the program ends)."""
    import tempfile

    from tektoro_tui.exports.model import StreamedTable
    from tektoro_tui.exports.tables import write_xlsx

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def rows() -> Iterator[tuple[str]]:
        for number in range(3000):
            yield (str(number),)
        raise ConnectionError("the database went away")

    table = StreamedTable("Broken", (Column("A"),), rows(), lambda: None)
    with pytest.raises(ConnectionError):
        write_xlsx(table, io.BytesIO())
    assert list(tmp_path.iterdir()) == []
