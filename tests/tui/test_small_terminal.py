"""Every screen at 80×24: whole keys in the footer, Help always there, nothing drawn off-screen."""

from __future__ import annotations

from itertools import pairwise

import pytest
from textual.widgets._footer import FooterKey

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.areas import AREAS
from tektoro_tui.widgets.key_footer import FooterSlot, KeyFooter, hidden_keys
from tektoro_tui.widgets.stable_table import StableTable
from tests.finance_world import PASSWORD, World

from .conftest import ADMIN, Firm
from .dashboard_world import OLGA, world, world_template
from .tuitools import errors, go, keys, log_in, settle

__all__ = ["world", "world_template"]


def test_nothing_is_hidden_when_every_key_fits() -> None:
    slots = [FooterSlot(10, 0), FooterSlot(8, -1), FooterSlot(9, 1)]
    assert hidden_keys(slots, 27) == []


def test_keys_that_work_everywhere_go_before_the_screens_own_and_help_stays() -> None:
    # the screen's a, b; Help (never hidden); Back (rank 1); Log out (rank 2)
    slots = [FooterSlot(10, 0), FooterSlot(10, 0), FooterSlot(8, -1), FooterSlot(7, 1)]
    slots.append(FooterSlot(11, 2))
    assert hidden_keys(slots, 40) == [4]  # 46 columns; 35 left, plus " +1": 38
    assert hidden_keys(slots, 37) == [4, 3]  # 28 left, plus " +2": 31
    assert hidden_keys(slots, 25) == [4, 3, 1]  # then the screen's last key: 18 plus " +3"


def test_help_saying_how_many_are_hidden_can_push_out_one_more() -> None:
    slots = [FooterSlot(10, 0), FooterSlot(10, 0), FooterSlot(8, -1), FooterSlot(3, 1)]
    # without Log out 28 fit in 30, but " +1" needs three more columns
    assert hidden_keys(slots, 30) == [3, 1]


def _footer_problems(app: TektoroApp) -> list[str]:
    footer = app.screen.query_one(KeyFooter)
    problems = []
    shown = list(footer.query(FooterKey))
    if not any(key.key == "f1" for key in shown):
        problems.append("no F1 Help")
    for key in shown:
        region = key.region
        if region.width < len(key.key_display) or region.right > footer.region.right:
            problems.append(f"{key.key_display} {key.description!r} is cut")
    widths = sorted((key.region.x, key.region.right) for key in shown)
    for (_, right), (left, _) in pairwise(widths):
        if left < right:
            problems.append("keys overlap")
    return problems


async def test_every_area_fits_80_by_24(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    problems: dict[str, list[str]] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, *ADMIN)
        for area in AREAS:
            await keys(pilot, *go(area.hotkey))
            found = _footer_problems(app)
            if app.screen.show_vertical_scrollbar or app.screen.show_horizontal_scrollbar:
                found.append("the screen itself scrolls (a scrollbar in the corner)")
            if found:
                problems[type(app.screen).__name__] = found
            await keys(pilot, "escape")
        assert not errors(app)
    assert problems == {}


async def test_the_footer_is_fitted_again_when_the_terminal_narrows(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(140, 30)) as pilot:
        await log_in(pilot, *ADMIN)
        await keys(pilot, *go("t"))
        wide = {key.key for key in app.screen.query(FooterKey)}
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        narrow = {key.key for key in app.screen.query(FooterKey)}
        assert narrow < wide
        assert not _footer_problems(app)
        help_key = next(key for key in app.screen.query(FooterKey) if key.key == "f1")
        assert help_key.description == f"Help +{len(wide - narrow)}"
        await pilot.resize_terminal(140, 30)
        await settle(pilot)
        assert {key.key for key in app.screen.query(FooterKey)} == wide


def _cut_columns(table: StableTable) -> list[str]:
    """The columns the table's right edge cuts through, as it stands scrolled to the left."""
    visible = table.scrollable_content_region.width - table._row_label_column_width
    cut, start = [], 0
    for column in table.ordered_columns:
        end = start + column.get_render_width(table) - table.cell_padding
        if start < visible < end:
            cut.append(column.label.plain)
        start += column.get_render_width(table)
    return cut


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_right_edge_never_cuts_a_column(world: World, size: tuple[int, int]) -> None:
    """ "4,829" for 4,829.91: a figure cut at the edge reads as another figure. The columns
    shown are shown whole (names give way first); the rest start at the edge, and come
    whole into view by scrolling right."""
    app = TektoroApp(services=world.services)
    cut: dict[str, list[str]] = {}
    async with app.run_test(size=size) as pilot:
        await log_in(pilot, OLGA, PASSWORD)
        for area in ("i", "l", "v", "w", "u", "t", "f"):
            await keys(pilot, *go(area))
            name = type(app.screen).__name__
            tables = [t for t in app.screen.query(StableTable) if t.row_count and t.display]
            assert tables, f"{name} lists something"
            for when, width in (("", size[0]), (" wider", size[0] + 7), (" again", size[0])):
                if width != app.size.width:
                    await pilot.resize_terminal(width, size[1])
                    await settle(pilot)
                for table in tables:
                    cut[f"{name} #{table.id}{when}"] = _cut_columns(table)
            await keys(pilot, "escape")
        assert not errors(app)
    assert {where: columns for where, columns in cut.items() if columns} == {}
