"""The bar charts, and the Financial metrics screen on the finance world (tests/finance_world.py).

Hand-computed figures for the default period (2025-04-01 to 2026-03-10, the last twelve
months): tickets draft 1 (1:00), pending 1 (1:30), approved 7 (Carl 3 × 2:00 + 2:00 + 1:00,
Dora 2 × 3:00 = 15:00), rejected 1 (0:30). Per month: February 12:00 (Carl 6:00 on Roof, Dora
6:00 on Hall), March 6:00 (Carl). Projects: Roof 12:00, Hall 6:00. In March alone: draft 1,
pending 1, approved 2 (3:00).
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, TabbedContent

from tektoro_tui.app import TektoroApp
from tektoro_tui.paths import exports_dir
from tektoro_tui.screens.home import HomeScreen
from tektoro_tui.screens.messages import DataChanged
from tektoro_tui.screens.metrics import MetricsScreen
from tektoro_tui.widgets.bar_chart import (
    Bar,
    BarChart,
    horizontal_bar,
    horizontal_lines,
    meter,
    vertical_lines,
)
from tests.finance_world import PASSWORD, World

from .dashboard_world import CARL, MONA, OLGA_LOGIN, on_sqlite_only, world, world_template
from .tuitools import (
    errors,
    go,
    keys,
    log_in,
    notifications,
    open_area,
    settle,
    snapshot_steps,
    table_rows,
)

__all__ = ["world", "world_template"]

SIZE = (100, 32)

# --- the bar chart ----------------------------------------------------------------------------

MONTHS = [Bar("2026-01", 600, "10:00"), Bar("2026-02", 720, "12:00"), Bar("2026-03", 90, "1:30")]


def test_horizontal_bars_fill_the_room_between_labels_and_values() -> None:
    lines = horizontal_lines(MONTHS, 40)
    assert all(len(line) == 40 for line in lines)
    room = 40 - len("2026-01") - len("12:00") - 2
    assert lines[1] == f"2026-02 {'█' * room} 12:00"
    assert lines[0].startswith("2026-01 " + "█" * 21) and lines[0].endswith(" 10:00")
    assert lines[2] == f"2026-03 ███▎{' ' * (room - 4)}  1:30"


def test_partial_blocks_are_eighths_and_nothing_is_drawn_for_zero() -> None:
    assert horizontal_bar(1, 8, 1) == "▏"
    assert horizontal_bar(4, 8, 1) == "▌"
    assert horizontal_bar(8, 8, 1) == "█"
    assert horizontal_bar(5, 10, 4) == "██"
    assert horizontal_bar(0, 10, 4) == ""
    assert horizontal_bar(7, 0, 4) == "", "all zero: no bars, no division by zero"
    assert horizontal_bar(-3, 10, 4) == ""
    assert horizontal_lines([], 40) == []


def test_horizontal_bars_scale_to_any_width() -> None:
    narrow = horizontal_lines(MONTHS, 20)
    assert narrow[1] == "2026-02 ██████ 12:00"
    tiny = horizontal_lines(MONTHS, 5)
    assert tiny[1] == "2026-02 █ 12:00", "at least one cell of bar, even when too narrow"


def test_vertical_bars_stand_on_an_axis_with_the_top_value_and_the_labels() -> None:
    # 4 lines = 32 eighths: January 600 / 720 of them = 27 (3 whole lines and 3 eighths),
    # February all 32, March 90 / 720 = 4 eighths; bars 3 cells wide with a gap.
    assert vertical_lines(MONTHS, 30, 4) == [
        "12:00│▃▃▃ ███",
        "     │███ ███",
        "     │███ ███",
        "    0│███ ███ ▄▄▄",
        "     └2026-01 2026-03",
    ]


def test_too_many_upright_bars_keep_the_latest() -> None:
    weeks = [Bar(f"W{n:02d}", n, str(n)) for n in range(1, 61)]
    lines = vertical_lines(weeks, 22, 3)
    assert len(lines[0]) <= 22
    assert lines[-1].endswith("W60"), "the latest week is drawn"
    assert lines[-1].split("└")[1].startswith("W42"), "as many as fit: 22 - 3 = 19 bars"


def test_a_meter_shows_progress_in_ten_cells() -> None:
    assert meter(40) == "████░░░░░░"
    assert meter(45) == "████▌░░░░░"
    assert meter(0) == "░" * 10
    assert meter(130) == "█" * 10
    assert meter(50, 4) == "██░░"


async def test_the_chart_widget_draws_at_its_width() -> None:
    class ChartApp(App[None]):
        def compose(self) -> ComposeResult:
            yield BarChart("Hours per month", id="chart")

    app = ChartApp()
    async with app.run_test(size=(42, 10)) as pilot:
        chart = app.query_one(BarChart)
        assert str(chart.render()).splitlines() == ["Hours per month", "Nothing to show."]
        chart.show(MONTHS)
        await pilot.pause()
        lines = str(chart.render()).splitlines()
        assert lines[0] == "Hours per month"
        assert lines[1:] == horizontal_lines(MONTHS, 40), "42 columns less the padding"
        assert chart.size.height == 4


# --- the screen -------------------------------------------------------------------------------


def chart_lines(app: TektoroApp, selector: str) -> list[str]:
    """What a chart of the current screen draws."""
    return str(app.screen.query_one(selector, BarChart).render()).splitlines()


@pytest.mark.pg_story
async def test_the_metrics_show_every_table_and_the_charts(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "f", MetricsScreen, login=OLGA_LOGIN)
        assert not errors(app)
        assert app.screen.query_one("#date-date_from", Input).value == "2025-04-01"
        assert app.screen.query_one("#date-date_to", Input).value == "2026-03-10"
        hours = {row[0]: row[1:3] for row in table_rows(app, "#table-hours_by_status")}
        assert hours["Draft"] == ["1", "1:00"]
        assert hours["Pending approval"] == ["1", "1:30"]
        assert hours["Approved, not paid"] == ["7", "15:00"]
        revenue = {row[0]: row[1:] for row in table_rows(app, "#table-revenue_by_status")}
        assert revenue["Overdue"] == ["1", "600.00"]  # net of VAT (738.00 gross)
        projects = {row[0]: row[2] for row in table_rows(app, "#table-projects")}
        assert projects["Roof"] == "12:00" and projects["Hall"] == "6:00"
        assert table_rows(app, "#table-roles")[0][:2] == ["Staff / contractor", "2"]

        await keys(pilot, "4")
        monthly = chart_lines(app, "#monthly-hours")
        assert monthly[0] == "Hours per month"
        february = next(line for line in monthly if line.startswith("2026-02"))
        march = next(line for line in monthly if line.startswith("2026-03"))
        assert february.endswith("12:00") and march.endswith("6:00")
        assert february.count("█") == 2 * march.count("█")
        assert chart_lines(app, "#monthly-value")[0] == "Value per month (EUR)"
        await keys(pilot, "3")
        weekly = chart_lines(app, "#weekly-hours")
        assert weekly[0] == "Hours per week" and any("█" in line for line in weekly)


async def test_a_new_period_is_read_on_enter_and_a_bad_date_is_marked(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "f", MetricsScreen, login=OLGA_LOGIN)
        await pilot.press("y")
        app.screen.query_one("#date-date_from", Input).value = "2026-03-01"
        app.screen.query_one("#date-date_to", Input).value = "2026-03-31"
        await keys(pilot, "enter")
        hours = {row[0]: row[1:3] for row in table_rows(app, "#table-hours_by_status")}
        assert hours["Approved, not paid"] == ["2", "3:00"]
        await keys(pilot, "4")
        assert [line[:7] for line in chart_lines(app, "#monthly-hours")[1:]] == ["2026-03"]

        app.screen.query_one("#date-date_from", Input).value = "31.02.2026"
        app.screen.query_one("#date-date_from", Input).focus()
        await keys(pilot, "enter")
        assert app.screen.query_one("#date-date_from", Input).has_class("-invalid")
        assert any(n[2] == "error" for n in notifications(app))
        assert table_rows(app, "#table-hours_by_status") != [], "the last figures stay"


async def test_the_table_in_focus_exports_to_xlsx_and_csv(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "f", MetricsScreen, login=OLGA_LOGIN)
        await keys(pilot, "2")
        assert app.screen.query_one(TabbedContent).active == "projects"
        await keys(pilot, "x", "x")
        written = sorted(exports_dir().glob("*.xlsx"))
        assert len(written) == 1 and written[0].name.startswith("Hours-and-income-per-project")
        sheet = openpyxl.load_workbook(written[0]).active
        assert sheet is not None
        cells = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
        names = [row[0] for row in cells]
        assert "Roof" in names and "Hall" in names

        await keys(pilot, "1")
        await pilot.press("tab")  # from hours by status to revenue by status
        await settle(pilot)
        await keys(pilot, "x", "c")
        (written_csv,) = exports_dir().glob("*.csv")
        text = Path(written_csv).read_text(encoding="utf-8-sig")
        assert next(csv.reader(text.splitlines()))[0] == "Status"
        assert "Overdue" in text and "Pending approval" not in text, "the revenue table"


@pytest.mark.pg_story
async def test_new_tickets_elsewhere_show_without_a_key_press(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "f", MetricsScreen, login=OLGA_LOGIN)
        card = world.hall.card("2h", "2026-03-09", "More building", owner=world.dora)
        world.services.time.add_entry(world.admin, card)
        app.screen.post_message(DataChanged(frozenset({"time_entry"})))
        await settle(pilot)
        hours = {row[0]: row[1:3] for row in table_rows(app, "#table-hours_by_status")}
        assert hours["Draft"] == ["2", "3:00"]


async def test_managers_may_open_the_metrics_and_contractors_may_not(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "f", MetricsScreen, login=(MONA, PASSWORD))
        assert table_rows(app, "#table-projects")
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, CARL, PASSWORD)
        app.open_area("metrics")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any(n[0] == "Not allowed" for n in notifications(app))


@on_sqlite_only
@pytest.mark.parametrize("tab", ["3", "4"], ids=["weekly", "monthly"])
def test_metrics_snapshot(world: World, tab: str, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = TektoroApp(services=world.services)
    steps = snapshot_steps(*go("f"), tab, login=OLGA_LOGIN)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)
