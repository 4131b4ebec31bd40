"""Small dialogs: a yes/no question and a notice with something to copy."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from .. import keymap
from ..key_footer import KeyFooter


class YesNoScreen(ModalScreen[bool]):
    """The answering of every yes/no dialog: Y or the Yes button for yes, N, Escape or the No
    button for no; it opens on No, so a stray Enter changes nothing."""

    BINDINGS = [
        Binding(keymap.YES, "answer(True)", "Yes"),
        Binding(f"{keymap.NO},{keymap.BACK}", "answer(False)", "No"),
        Binding(keymap.OTHER_BUTTON, "app.focus_next", "Other button", show=False),
    ]

    def on_mount(self) -> None:
        """Start on No, so a stray Enter changes nothing."""
        self.query_one("#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Close with the button's answer."""
        event.stop()
        self.dismiss(event.button.id == "yes")


class YesNoDialog(YesNoScreen):
    """Ask a question; returns True for yes, False for no or escape."""

    DEFAULT_CSS = """
    YesNoDialog {
        align: center middle;
    }
    YesNoDialog > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        background: $panel;
        border: thick $warning;
        padding: 0 1;
    }
    YesNoDialog #question-title {
        text-style: bold;
        margin-bottom: 1;
    }
    YesNoDialog #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    YesNoDialog Button {
        margin-left: 1;
    }
    """

    def __init__(self, title: str, question: str, yes_label: str = "Yes", no_label: str = "No"):
        """A dialog titled ``title`` asking ``question``."""
        super().__init__()
        self._title = title
        self._question = question
        self._yes = yes_label
        self._no = no_label

    def compose(self) -> ComposeResult:
        """The title, the question and the two buttons."""
        with Vertical():
            yield Label(self._title, id="question-title")
            yield Static(self._question, id="question", markup=False)
            with Horizontal(id="buttons"):
                yield Button(self._yes, variant="warning", id="yes")
                yield Button(self._no, id="no")
        yield KeyFooter()


class NoticeScreen(ModalScreen[None]):
    """The closing of every notice: Escape, Enter or its Close button (focused at once)."""

    BINDINGS = [Binding(f"{keymap.BACK},{keymap.CONFIRM}", "close", "Close")]

    def on_mount(self) -> None:
        """Focus Close."""
        self.query_one("#close", Button).focus()

    def action_close(self) -> None:
        """Close the notice."""
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Close."""
        event.stop()
        self.action_close()


class NoticeDialog(NoticeScreen):
    """Tell the user something they need to keep, e.g. an invitation code, with a copy key."""

    DEFAULT_CSS = """
    NoticeDialog {
        align: center middle;
    }
    NoticeDialog > Vertical {
        width: 70;
        max-width: 100%;
        height: auto;
        background: $panel;
        border: thick $primary;
        padding: 0 1;
    }
    NoticeDialog #notice-title {
        text-style: bold;
        margin-bottom: 1;
    }
    NoticeDialog #notice-secret {
        margin: 1 0;
        padding: 0 1;
        background: $boost;
        text-style: bold;
        color: $text-accent;
    }
    NoticeDialog #buttons {
        height: auto;
        align-horizontal: right;
    }
    NoticeDialog Button {
        margin-left: 1;
    }
    """

    BINDINGS = [Binding(keymap.COPY, "copy", "Copy code")]

    def __init__(self, title: str, text: str, secret: str = "", after: str = "") -> None:
        """A notice titled ``title``: ``text``, then ``secret`` highlighted, then ``after``."""
        super().__init__()
        self._title = title
        self._text = text
        self._secret = secret
        self._after = after

    def compose(self) -> ComposeResult:
        """The texts and the buttons."""
        with Vertical():
            yield Label(self._title, id="notice-title")
            yield Static(self._text, id="notice-text", markup=False)
            if self._secret:
                yield Static(self._secret, id="notice-secret", markup=False)
            if self._after:
                yield Static(self._after, id="notice-after", markup=False)
            with Horizontal(id="buttons"):
                if self._secret:
                    yield Button("Copy", id="copy")
                yield Button("Close", variant="primary", id="close")
        yield KeyFooter()

    def action_copy(self) -> None:
        """Put the secret on the clipboard (where the terminal allows it)."""
        if self._secret:
            self.app.copy_to_clipboard(self._secret)
            self.notify("Copied to the clipboard.", timeout=2)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Copy or close."""
        event.stop()
        if event.button.id == "copy":
            self.action_copy()
        else:
            self.action_close()
