"""Forms that never lose work: knowing what is unsaved, and asking before it is left.

Every screen or dialog holding a form mixes in :class:`UnsavedChanges`. It remembers the
values of its form fields when they were loaded or last saved (:meth:`~UnsavedChanges.
mark_saved`) and compares them with what is typed now. Whatever leaves a screen — Escape,
Ctrl+G, the command palette, logging out, quitting — goes through :func:`leave_then`, which
asks once, in the one :class:`LeaveDialog`, when any of the screens being left has unsaved
changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from textual.app import App
from textual.screen import Screen
from textual.widget import Widget

from .dialogs.confirm import YesNoDialog
from .fields import read_values


class UnsavedChanges:
    """A screen or dialog whose form may hold changes that are not saved yet.

    Call :meth:`mark_saved` once the form shows what is stored (after loading it, after each
    save); :meth:`has_unsaved_changes` then says whether anything typed differs. Screens whose
    form is not made of :class:`~.fields.FormField` s override :meth:`has_unsaved_changes`.
    """

    UNSAVED_WHAT: ClassVar[str] = "This form"
    """How the leave question names what would be lost ("The settings", "The time card")."""

    _saved_values: dict[str, Any] | None = None

    def form_root(self) -> Widget:
        """The widget holding the form's fields (the screen itself unless overridden)."""
        assert isinstance(self, Widget)
        return self

    def typed_values(self) -> dict[str, Any]:
        """The values of every form field, as typed now."""
        return read_values(self.form_root())

    def mark_saved(self, values: dict[str, Any] | None = None) -> None:
        """The form's ``values`` (what it shows now, by default) are what is stored.

        Pass the values that were sent to the service when the user may have typed on while
        it was saving them, so that what was typed since still counts as unsaved.
        """
        self._saved_values = self.typed_values() if values is None else dict(values)

    def has_unsaved_changes(self) -> bool:
        """Whether anything typed differs from what was loaded or last saved."""
        if self._saved_values is None:
            return False
        return self.typed_values() != self._saved_values

    def unsaved_question(self) -> str:
        """The question asked before leaving."""
        return f"{self.UNSAVED_WHAT} has changes that are not saved. Leave without saving them?"


class LeaveDialog(YesNoDialog):
    """The one question before unsaved changes are thrown away; No (Stay) is the default."""

    def __init__(self, question: str) -> None:
        """Ask ``question``; "Leave without saving" or "Stay"."""
        super().__init__("Unsaved changes", question, "Leave without saving", "Stay")


def unsaved(screens: Iterable[Screen[Any]]) -> list[UnsavedChanges]:
    """The screens among ``screens`` that hold unsaved changes."""
    return [
        screen
        for screen in screens
        if isinstance(screen, UnsavedChanges) and screen.has_unsaved_changes()
    ]


def leave_then(
    app: App[Any],
    screens: Iterable[Screen[Any]],
    then: Callable[[], object],
    *,
    question: str | None = None,
) -> None:
    """Run ``then`` (which leaves ``screens``, or drops what they hold) at once, or after
    asking when any of them holds unsaved changes (``question``, or each screen's own). While
    the question is showing, a second request to leave is ignored."""
    if isinstance(app.screen, LeaveDialog):
        return
    found = unsaved(screens)
    if not found:
        then()
        return
    question = question or found[-1].unsaved_question()
    if len(found) > 1:
        question = "Several forms have changes that are not saved. Leave without saving them?"

    def answered(leave: bool | None) -> None:
        if leave:
            then()

    app.push_screen(LeaveDialog(question), answered)
