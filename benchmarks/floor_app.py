"""The floor for start-up time: the smallest Textual app showing one DataTable.

A key typed into it is drawn in the table's first row, so a benchmark can see from outside when
it is drawn and takes keys (``startup.py``); ctrl+q quits.
"""

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable


class FloorApp(App[None]):
    """One DataTable with a few rows."""

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Value")
        table.add_rows([("row", str(i)) for i in range(10)])

    def on_key(self, event: events.Key) -> None:
        if event.character and event.is_printable:
            self.query_one(DataTable).update_cell_at((0, 1), event.character)


if __name__ == "__main__":
    FloorApp().run()
