"""A modal form that returns what was typed as the service's form dataclass.

The form itself checks nothing: it hands the typed draft back (``ModalScreen[T | None]``) and
the caller gives it to a service. When the service finds problems, the caller opens the form
again with the same draft and the problems, and every bad field is marked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ...errors import Problem
from ..fields import FieldSpec, FormField, form_fields, read_values, show_problems
from ..formatting import field_label
from ..key_footer import KeyFooter

T = TypeVar("T")


class FormModal(ModalScreen[T | None]):
    """Edit one draft in a dialog; Save returns the draft, Cancel returns None."""

    DEFAULT_CSS = """
    FormModal {
        align: center middle;
    }
    FormModal > #dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        background: $panel;
        border: thick $primary;
        padding: 0 1;
    }
    FormModal #dialog-title {
        text-style: bold;
        width: 100%;
        content-align: center middle;
        margin-bottom: 1;
    }
    FormModal #fields {
        height: auto;
        max-height: 1fr;
    }
    FormModal FormField.-inline {
        margin: 0;
    }
    FormModal #form-problems {
        display: none;
        color: $text-error;
    }
    FormModal #form-problems.-shown {
        display: block;
    }
    FormModal #buttons {
        height: auto;
        align-horizontal: right;
    }
    FormModal #buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        title: str,
        specs: Sequence[FieldSpec],
        draft: Any,
        build: Callable[[dict[str, Any]], T],
        problems: Sequence[Problem] = (),
        *,
        intro: str = "",
    ) -> None:
        """A form titled ``title`` with ``specs`` prefilled from ``draft``.

        Args:
            title: The dialog's title.
            specs: The fields, in order.
            draft: The values to start from (a form dataclass).
            build: Turns the typed values (by field name) into the form dataclass.
            problems: Problems from an earlier attempt, to mark at once.
            intro: A line of explanation under the title.
        """
        super().__init__()
        self._title = title
        self._specs = tuple(specs)
        self._draft = draft
        self._build = build
        self._problems = tuple(problems)
        self._intro = intro

    def compose(self) -> ComposeResult:
        """The title, the fields, unplaced problems and the buttons."""
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            if self._intro:
                yield Static(self._intro, id="intro", markup=False)
            with VerticalScroll(id="fields"):
                yield from form_fields(self._specs, self._draft, compact=True)
            yield Static("", id="form-problems", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Mark the problems of the last attempt, or focus the first field."""
        if self._problems:
            self.mark_problems(self._problems)
        else:
            first = self.query(FormField).first()
            first.control.focus()

    def mark_problems(self, problems: Sequence[Problem]) -> None:
        """Mark each bad field; list problems that belong to no field under the fields."""
        rest = show_problems(self, problems)
        box = self.query_one("#form-problems", Static)
        box.update("\n".join(f"{field_label(p.field)}: {p.message}" for p in rest))
        box.set_class(bool(rest), "-shown")

    def action_save(self) -> None:
        """Hand the typed draft back to the caller."""
        self.dismiss(self._build(read_values(self)))

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save or cancel."""
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a text field saves the form."""
        event.stop()
        self.action_save()
