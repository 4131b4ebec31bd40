"""The preview of a contractor master invoice, asked before it is generated."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from ...services.contractor_invoices.views import MasterInvoicePreview
from .. import keymap
from ..formatting import hours
from ..key_footer import KeyFooter
from ..master_invoice_detail import lines_table


def _preview_parts(preview: MasterInvoicePreview) -> list[RenderableType]:
    heading = Text()
    heading.append(preview.contractor_name, style="bold")
    heading.append(
        f"\nPeriod {preview.period_start} to {preview.period_end}; issue date {preview.issue_date}",
        style="dim",
    )
    total = Text(
        f"{len(preview.lines)} tickets, {hours(preview.total_minutes)} h, total {preview.total}",
        style="bold",
    )
    parts: list[RenderableType] = [heading, lines_table(preview.lines), total]
    if preview.skipped:
        skipped = Text("Not included:", style="bold yellow")
        for reason in preview.skipped:
            skipped.append(f"\n• {reason}", style="yellow")
        parts.append(skipped)
    return parts


class MasterPreviewDialog(ModalScreen[bool]):
    """What generating would write; returns True to write it, False to go back."""

    DEFAULT_CSS = """
    MasterPreviewDialog {
        align: center middle;
    }
    MasterPreviewDialog > Vertical {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        background: $panel;
        border: thick $primary;
        padding: 0 1;
    }
    MasterPreviewDialog #mi-preview-title {
        text-style: bold;
        width: 100%;
        content-align: center middle;
    }
    MasterPreviewDialog #mi-preview-scroll {
        height: auto;
        max-height: 1fr;
    }
    MasterPreviewDialog #mi-preview-body {
        height: auto;
    }
    MasterPreviewDialog #buttons {
        height: auto;
        align-horizontal: right;
    }
    MasterPreviewDialog Button {
        margin-left: 1;
    }
    """

    BINDINGS = [
        Binding(f"{keymap.SAVE},{keymap.GENERATE}", "answer(True)", "Generate"),
        Binding(keymap.BACK, "answer(False)", "Back"),
    ]

    def __init__(self, preview: MasterInvoicePreview) -> None:
        """A dialog showing ``preview``."""
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        """The title, the preview and the two buttons."""
        with Vertical():
            yield Label("Preview of the master invoice", id="mi-preview-title")
            with VerticalScroll(id="mi-preview-scroll"):
                yield Static(Group(*_preview_parts(self.preview)), id="mi-preview-body")
            with Horizontal(id="buttons"):
                yield Button("Generate", variant="primary", id="generate")
                yield Button("Back", id="back")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Start on Generate when there is something to bill."""
        self.query_one("#generate", Button).disabled = not self.preview.lines
        self.query_one("#back" if not self.preview.lines else "#generate", Button).focus()

    def action_answer(self, generate: bool) -> None:
        """Close with the answer (never generate an empty invoice)."""
        self.dismiss(generate and bool(self.preview.lines))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Close with the button's answer."""
        event.stop()
        self.action_answer(event.button.id == "generate")
