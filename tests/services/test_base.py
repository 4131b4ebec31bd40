"""The rules every service shares: "today" in the firm's time zone, and the one table writer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from tektoro_tui.errors import TektoroError, ValidationError
from tektoro_tui.exports.model import Column, Table
from tektoro_tui.services.base import Actor, FixedClock, org_today, write_table
from tektoro_tui.services.hub import Services

LATE_EVENING_UTC = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)


def test_today_before_set_up_is_the_utc_date(db_url: str) -> None:
    services = Services.connect(db_url, clock=FixedClock(LATE_EVENING_UTC))
    try:
        assert services.settings.today() == date(2026, 3, 10)
    finally:
        services.close()


def test_today_is_the_firms_date_wherever_the_clock_stands(
    services: Services, admin: Actor, clock: FixedClock
) -> None:
    org = services.settings.get(admin)
    assert org.timezone == "UTC"
    clock.advance(hours=14)  # 2026-03-10 23:30 UTC: still the 10th in London...
    with services.db.write() as session:
        session.execute(text("UPDATE organisation SET timezone = 'Europe/Warsaw'"))
    # ...but already the 11th in Warsaw (UTC+1 in March), for every service and face alike.
    assert services.settings.today() == date(2026, 3, 11)
    assert services.invoices.today() == date(2026, 3, 11)
    with services.db.read() as session:
        assert org_today(session, clock.now()) == date(2026, 3, 11)


def _table() -> Table:
    return Table(
        title="Hours",
        subtitle="",
        columns=(Column("Person"), Column("Minutes", "int")),
        rows=(("Ann", 90),),
        totals=None,
    )


def test_one_writer_for_both_formats(tmp_path: Path) -> None:
    csv_path = write_table(_table(), "CSV", tmp_path / "hours.csv")
    assert csv_path.read_text(encoding="utf-8-sig").splitlines()[-1] == "Ann,90"
    xlsx_path = write_table(_table(), "xlsx", tmp_path / "hours.xlsx")
    sheet = openpyxl.load_workbook(xlsx_path).active
    assert [cell.value for cell in sheet[4]] == ["Ann", 90]


def test_a_bad_format_names_the_field_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        write_table(_table(), "pdf", tmp_path / "hours.pdf")
    assert refused.value.problems[0].field == "format"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["a-folder", "a-file/below"])
def test_an_unwritable_target_is_a_titled_message(tmp_path: Path, where: str) -> None:
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(TektoroError) as refused:
        write_table(_table(), "csv", tmp_path / where)
    assert refused.value.title == "Could not save the file"
    assert str(tmp_path / where) in refused.value.message
