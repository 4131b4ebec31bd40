"""The floor for start-up time: a minimal Textual app that shows one DataTable, then exits."""

from textual.app import App, ComposeResult
from textual.widgets import DataTable


class FloorApp(App[None]):
    """One DataTable with a few rows; exits as soon as it has been painted."""

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Value")
        table.add_rows([("row", str(i)) for i in range(10)])
        self.call_after_refresh(self.exit)


if __name__ == "__main__":
    FloorApp().run()
