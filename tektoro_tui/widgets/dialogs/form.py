"""A modal form that returns what was typed as the service's form dataclass.

The form itself checks nothing. Given a ``check`` (see :meth:`FormModal.save_through`), Save
runs it in a worker while the dialog stays up: the problems it finds are marked in place and the
dialog closes only once it has passed, so keys typed meanwhile always land in this form's
fields. Without one, Save hands the typed draft back (``ModalScreen[T | None]``) at once.
Escape with changes typed asks before they are thrown away.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ...errors import Problem, StaleEdit, TektoroError, ValidationError
from .. import keymap
from ..calls import call_service
from ..fields import FieldSpec, FormField, form_fields, read_values, show_problems
from ..formatting import field_label
from ..key_footer import KeyFooter
from ..unsaved import UnsavedChanges, leave_then

T = TypeVar("T")


class FormModal(UnsavedChanges, ModalScreen[T | None]):
    """Edit one draft in a dialog; Save returns the draft (once checked), Cancel returns None."""

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
    FormModal #buttons #reload {
        display: none;
    }
    FormModal.-stale #buttons #reload {
        display: block;
    }
    """

    BINDINGS = [
        Binding(keymap.SAVE, "save", "Save"),
        Binding(keymap.BACK, "cancel", "Cancel"),
        Binding(keymap.RELOAD, "reload_record", "Reload"),
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
        field_names: Mapping[str, str] | None = None,
    ) -> None:
        """A form titled ``title`` with ``specs`` prefilled from ``draft``.

        Args:
            title: The dialog's title.
            specs: The fields, in order.
            draft: The values to start from (a form dataclass).
            build: Turns the typed values (by field name) into the form dataclass.
            problems: Problems from an earlier attempt, to mark at once.
            intro: A line of explanation under the title.
            field_names: The form field each of the service's problem fields marks, where
                their names differ (the service's "expires" is the form's "expires_on").
        """
        super().__init__()
        self._title = title
        self._specs = tuple(specs)
        self._draft = draft
        self._build = build
        self._problems = tuple(problems)
        self._intro = intro
        self._field_names = dict(field_names or {})
        self._check: Callable[[T], Any] | None = None
        self._checked: Callable[[Any], object] | None = None
        self._reload: Callable[[], object] | None = None
        self.checking = False
        """Whether Save is being checked by the service (the dialog waits for it)."""
        self._sent: dict[str, Any] = {}

    def save_through(self, check: Callable[[T], Any], checked: Callable[[Any], object]) -> None:
        """Let Save run ``check`` on the typed draft in a worker, with the dialog up.

        Args:
            check: The service call (it raises ValidationError for the problems it finds).
            checked: Receives its result on the UI thread, just before the dialog closes.
        """
        self._check = check
        self._checked = checked

    def reload_through(self, reload: Callable[[], object]) -> None:
        """Offer Reload when a save is refused because someone else changed the record:
        it closes the form, unsaved, and ``reload`` reads the record again where it is listed.
        """
        self._reload = reload

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
                yield Button("Reload", id="reload")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Mark the problems of the last attempt, or focus the first field."""
        self.mark_saved()
        if self._problems:
            self.mark_problems(self._problems)
        else:
            first = self.query(FormField).first()
            first.control.focus()

    def mark_problems(self, problems: Sequence[Problem], *, focus: bool = True) -> None:
        """Mark each bad field; list problems that belong to no field under the fields."""
        named = [Problem(self._field_names.get(p.field, p.field), p.message) for p in problems]
        self._show_rest(show_problems(self, named, focus=focus))

    def action_save(self) -> None:
        """Check the typed draft (the dialog stays up meanwhile), or hand it back at once."""
        if self.checking:
            return
        typed = self._build(read_values(self))
        check = self._check
        if check is None:
            self.dismiss(typed)
            return
        self.checking = True
        self._sent = read_values(self)
        self._show_rest(())
        call_service(
            self,
            lambda: check(typed),
            lambda result: self._passed(typed, result),
            problems=self._refused,
            failed=self._failed,
        )

    def _passed(self, typed: T, result: Any) -> None:
        self.checking = False
        self.mark_saved(self._sent)
        if self._checked is not None:
            self.app.call_later(self._checked, result)
        self.dismiss(typed)

    def _refused(self, problems: tuple[Problem, ...]) -> None:
        """Mark what is wrong; the cursor goes to the first bad field unless the user has
        typed on since Save (then their keys keep going where they were going)."""
        self.mark_problems(problems, focus=read_values(self) == self._sent)

    def _failed(self, error: BaseException) -> None:
        """Whatever went wrong, the dialog and what is typed in it stay."""
        self.checking = False
        if not isinstance(error, TektoroError) or isinstance(error, ValidationError):
            return
        self._show_rest((Problem("", f"{error.title}: {error.message}"),))
        if isinstance(error, StaleEdit) and self._reload is not None:
            self.add_class("-stale")  # shows the Reload button
            self.refresh_bindings()
            self.notify(
                "Reload (F5) shows the record as it is now; your edits here are not saved.",
                title=error.title,
                severity="warning",
                timeout=8,
                markup=False,
            )

    def _show_rest(self, problems: Sequence[Problem]) -> None:
        box = self.query_one("#form-problems", Static)
        box.update("\n".join(_problem_text(p) for p in problems))
        box.set_class(bool(problems), "-shown")

    def action_cancel(self) -> None:
        """Close without saving (asking first when something was typed)."""
        if self.checking:
            self.notify("Still checking what was saved…", timeout=2)
            return
        leave_then(self.app, [self], lambda: self.dismiss(None))

    @property
    def stale(self) -> bool:
        """Whether Save was refused because someone else changed the record meanwhile."""
        return self.has_class("-stale")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Reload only once a save was refused over someone else's change."""
        if action == "reload_record":
            return self.stale
        return True

    def action_reload_record(self) -> None:
        """Close the form unsaved and read the record again where it is listed."""
        if not self.stale or self.checking or self._reload is None:
            return
        reload = self._reload

        def close_and_reload() -> None:
            self.dismiss(None)
            self.app.call_later(reload)

        leave_then(self.app, [self], close_and_reload)  # asks before typed edits are dropped

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save, reload or cancel."""
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "reload":
            self.action_reload_record()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a text field saves the form."""
        event.stop()
        self.action_save()


def _problem_text(problem: Problem) -> str:
    return f"{field_label(problem.field)}: {problem.message}" if problem.field else problem.message
