"""KeyedTable on its own: rows brought up to date in place, the cursor kept on its key."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tektoro_tui.widgets.keyed_table import KeyedRow, KeyedTable, same_cell

from .tuitools import settle


class TableApp(App[None]):
    """One keyed table, ten rows high, noting every row highlighted."""

    CSS = "KeyedTable { height: 10; }"

    def __init__(self) -> None:
        super().__init__()
        self.highlighted: list[str] = []

    def compose(self) -> ComposeResult:
        yield KeyedTable(cursor_type="row")

    def on_mount(self) -> None:
        self.query_one(KeyedTable).add_columns("Name", "Value")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.highlighted.append(str(event.row_key.value))


def rows(*keys: str, value: str = "") -> list[KeyedRow]:
    """A row per key, named after it."""
    return [(key, (key.upper(), value)) for key in keys]


async def test_rows_are_changed_added_and_removed_in_place() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(KeyedTable)
        table.show_rows(rows("a", "b", "c", "d"))
        table.move_cursor(row=2)
        await settle(pilot)
        assert app.highlighted == ["a", "c"]

        changed = [("b", ("B", "")), ("c", ("C", "new")), ("e", ("E", "")), ("d", ("D", ""))]
        table.show_rows(changed)
        await settle(pilot)
        assert table.keys() == ["b", "c", "e", "d"], "a gone, e in its place"
        assert table.get_row("c") == ["C", "new"]
        assert table.current_key == "c" and table.cursor_row == 1
        assert app.highlighted == ["a", "c"], "the same row stays highlighted: no message"


async def test_a_removed_row_hands_the_cursor_to_its_neighbour() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(KeyedTable)
        table.show_rows(rows("a", "b", "c", "d"))
        table.move_cursor(row=1)
        await settle(pilot)
        table.show_rows(rows("a", "c", "d"))
        await settle(pilot)
        assert table.current_key == "c", "the next row"
        assert app.highlighted[-1] == "c", "a new row is highlighted: the screen is told"

        table.move_cursor(row=2)
        await settle(pilot)
        table.show_rows(rows("a", "c"))
        await settle(pilot)
        assert table.current_key == "c", "the last row gone: the one before"

        table.show_rows([])
        await settle(pilot)
        assert table.current_key is None


async def test_the_view_stays_where_it_was() -> None:
    app = TableApp()
    keys = [f"{number:03d}" for number in range(100)]
    async with app.run_test() as pilot:
        table = app.query_one(KeyedTable)
        table.show_rows(rows(*keys))
        await settle(pilot)
        table.move_cursor(row=60)
        table.move_cursor(row=55)
        await settle(pilot)
        scroll = table.scroll_y
        assert scroll > 0

        table.show_rows(rows(*keys[:90], "200", *keys[90:], value="changed"))
        await settle(pilot)
        assert table.current_key == "055" and table.scroll_y == scroll
        assert table.get_row("055") == ["055", "changed"]
        assert table.keys()[90] == "200"


async def test_columns_widen_and_narrow_only_when_asked_to_fit() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(KeyedTable)

        def widths() -> list[int]:
            return [column.content_width for column in table.ordered_columns]

        table.show_rows(rows("a", "b", value="1234567890"))
        await settle(pilot)
        assert widths() == [4, 10], "'Name' and '1234567890'"
        table.show_rows(rows("a", "b", value="123456789012"))
        await settle(pilot)
        assert widths() == [4, 12], "a changed cell widens its column"
        table.show_rows(rows("a", "b", value="1"))
        await settle(pilot)
        assert widths() == [4, 12], "and it stays wide, as after a clear and refill"
        table.show_rows(rows("a", "b", value="1"), fit_columns=True)
        await settle(pilot)
        assert widths() == [4, 5], "fitted: 'Name' and 'Value' are the widest now"


def test_a_cell_differs_when_only_its_style_does() -> None:
    assert same_cell("a", "a") and same_cell(Text("a", style="bold"), Text("a", style="bold"))
    assert not same_cell(Text("a", style="bold"), Text("a"))
    assert not same_cell(Text("1", justify="right"), Text("1"))
    assert not same_cell("1", 1) and not same_cell(None, "")
