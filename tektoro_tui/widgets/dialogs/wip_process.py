"""The dialog that shows what processing WIP will create, runs it with progress, and reports.

It moves through three states: *asking* (the dry run's records and totals, Yes/No),
*running* (a progress bar the caller feeds) and *done* (the created references, Close). The
dialog never calls a service itself: on Yes it hands itself to the ``start`` callback, which
runs the real processing and reports back through :meth:`show_progress`, :meth:`show_done`
and :meth:`show_failed`.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, ProgressBar, Static

from ...services.pipeline.views import DocumentSummary, ProcessResult
from .. import keymap
from ..key_footer import KeyFooter
from ..stable_table import StableTable
from ..wip_cells import number, shorten
from ..wip_forms import process_summary

DOCUMENT_COLUMNS = ("Reference", "Kind", "Client", "Entries", "Billed", "Written down")
KIND_NAMES = {"invoice": "invoice", "write_down": "write-downs"}
CLIENT_WIDTH = 16


def document_cells(document: DocumentSummary) -> tuple[str | Text, ...]:
    """One document record (to be) created."""
    client = document.client_name
    if document.project_name:
        client = f"{client} / {document.project_name}"
    return (
        document.reference,
        KIND_NAMES.get(document.kind, document.kind),
        shorten(client, CLIENT_WIDTH),
        number(str(document.entries)),
        number(document.billed.format()),
        number(document.written_down.format()),
    )


class ProcessDialog(ModalScreen[bool]):
    """Confirm processing; then show its progress and the references created.

    Dismisses with True when document records were created, False otherwise.
    """

    DEFAULT_CSS = """
    ProcessDialog {
        align: center middle;
    }
    ProcessDialog > Vertical {
        width: 80;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        background: $panel;
        border: thick $warning;
        padding: 0 1;
    }
    ProcessDialog #process-title {
        text-style: bold;
    }
    ProcessDialog DataTable {
        height: auto;
        max-height: 10;
        margin: 1 0;
    }
    ProcessDialog #process-bar {
        display: none;
        margin-top: 1;
    }
    ProcessDialog.-running #process-bar, ProcessDialog.-done #process-bar {
        display: block;
    }
    ProcessDialog #process-note {
        margin-top: 1;
    }
    ProcessDialog #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ProcessDialog Button {
        margin-left: 1;
    }
    ProcessDialog #close, ProcessDialog.-done #yes, ProcessDialog.-done #no,
    ProcessDialog.-running #buttons {
        display: none;
    }
    ProcessDialog.-done #close {
        display: block;
    }
    """

    BINDINGS = [
        Binding(keymap.YES, "process", "Yes, process"),
        Binding(keymap.NO, "no", "No"),
        Binding(keymap.BACK, "close", "Close"),
        Binding(keymap.OTHER_BUTTON, "app.focus_next", "Other button", show=False),
    ]

    def __init__(self, result: ProcessResult, start: Callable[[ProcessDialog], None]) -> None:
        """A dialog on the dry run ``result``; ``start`` runs the real processing."""
        super().__init__()
        self._result = result
        self._start = start
        self._state = "asking"
        self._created = False

    def compose(self) -> ComposeResult:
        """The title, the records, the totals, the progress bar and the buttons."""
        with Vertical():
            yield Label("Process WIP into document records", id="process-title")
            yield StableTable(id="process-documents", cursor_type="none", zebra_stripes=True)
            yield Static(process_summary(self._result), id="process-totals", markup=False)
            yield ProgressBar(id="process-bar", show_eta=False)
            yield Static(
                "These records will be created and their entries frozen for good. Process now?",
                id="process-note",
                markup=False,
            )
            with Horizontal(id="buttons"):
                yield Button("Yes, process", variant="warning", id="yes")
                yield Button("No", id="no")
                yield Button("Close", variant="primary", id="close")
        yield KeyFooter()

    def on_mount(self) -> None:
        """List the records; start on No so a stray Enter changes nothing."""
        table = self.query_one(DataTable)
        table.add_columns(*DOCUMENT_COLUMNS)
        self._fill(self._result.documents)
        self.query_one("#no", Button).focus()

    def _fill(self, documents: tuple[DocumentSummary, ...]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for document in documents:
            table.add_row(*document_cells(document))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Yes/No while asking, Close when done, nothing while running."""
        if action in ("process", "no"):
            return self._state == "asking"
        if action == "close":
            return self._state != "running"
        return True

    def action_process(self) -> None:
        """Start processing (Yes)."""
        if self._state != "asking":
            return
        self._state = "running"
        self.set_class(True, "-running")
        self.query_one("#process-note", Static).update("Processing…")
        self.refresh_bindings()
        self._start(self)

    def action_no(self) -> None:
        """Do not process (No)."""
        if self._state == "asking":
            self.dismiss(False)

    def action_close(self) -> None:
        """Close: No while asking, or after processing."""
        if self._state != "running":
            self.dismiss(self._created)

    def show_progress(self, done: int, total: int) -> None:
        """Move the bar: ``done`` of ``total`` entries written."""
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def show_done(self, result: ProcessResult) -> None:
        """Show the records created with their references."""
        self._created = True
        self._finish()
        self._fill(result.documents)
        self.query_one("#process-totals", Static).update(process_summary(result))
        references = ", ".join(d.reference for d in result.documents)
        self.query_one("#process-note", Static).update(f"Created {references}.")

    def show_failed(self, error: BaseException) -> None:
        """Say that nothing was processed (the app shows the error itself)."""
        self._finish()
        self.query_one("#process-note", Static).update(f"Nothing was processed: {error}")

    def _finish(self) -> None:
        self._state = "done"
        self.set_class(False, "-running")
        self.set_class(True, "-done")
        self.refresh_bindings()
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Yes, No or Close."""
        event.stop()
        if event.button.id == "yes":
            self.action_process()
        else:
            self.action_close()
