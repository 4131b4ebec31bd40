"""The fields of a time card, shared by the Time Card screen and the Time Report's edit form.

:class:`TimeCardFields` lays out date, project, task, activity, rate code, billable, time and
description (and, for a supervisor's own card, whom it is for) as marked-up
:class:`~.fields.FormField` s named after the attributes of
:class:`~tektoro_tui.services.pipeline.views.TimeCardForm`, so the service's problems mark the
right field and :func:`~.fields.read_values` gives the form back. The code presets are drop-downs
you can type into: a letter opens the list and jumps to the first match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from ..domain.timeparse import format_minutes, format_range
from ..errors import Problem
from ..services.pipeline.views import TimeCardForm, TimeEntryView
from .dialogs.form import FormModal
from .fields import FieldSpec, FormField
from .key_footer import KeyFooter

Options = tuple[tuple[str, int], ...]
V = TypeVar("V")
NOT_TYPED = "1:30, 1.5 or 08:00-09:30"


class SearchSelect(Select[V]):
    """A drop-down you can type into: a printable key opens the list and searches it.

    Textual's Select searches only while its list is open; typing on the closed control would
    otherwise fall through to the app's area keys. Here the first letter opens the list and
    is handed on to it, so "harb" + Enter picks "Harbour refit".
    """

    DEFAULT_CSS = """
    SearchSelect > SelectCurrent Static#label {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Printable keys are ours (they search), not the app's shortcuts."""
        return character is not None and character.isprintable() and character != " "

    async def _on_key(self, event: events.Key) -> None:
        if self.expanded or not self.check_consume_key(event.key, event.character):
            return
        event.stop()
        event.prevent_default()
        self.action_show_overlay()
        overlay = self.query_one("SelectOverlay")
        key = events.Key(event.key, event.character)
        self.call_after_refresh(overlay.post_message, key)


class BillableBox(Checkbox):
    """The billable checkbox; stray letters typed on it are ignored, not taken as app keys."""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Printable keys stay here (space still toggles)."""
        return character is not None and character.isprintable()


class CardField(FormField):
    """A one-line labelled field around a control made by the caller."""

    def __init__(self, spec: FieldSpec, control: Widget) -> None:
        """The field ``spec`` showing ``control`` (whose id must be ``input-<name>``)."""
        super().__init__(spec, None, compact=True)
        self._own_control = control

    def compose(self) -> ComposeResult:
        """The label and the control on one row, the (hidden) problem below."""
        label = Label(self.spec.label, classes="field-label")
        yield Horizontal(label, self._own_control, classes="field-row")
        yield Static("", classes="field-problem", markup=False)

    @property
    def value(self) -> Any:
        """The typed value; a checkbox gives its flag."""
        control = self.control
        if isinstance(control, Checkbox):
            return control.value
        return super().value


@dataclass(frozen=True)
class CardChoices:
    """What a time card offers: the active codes, whom it may be for, and today's date."""

    projects: Options
    tasks: tuple[tuple[int, str, int], ...]  # (project id, label, task id)
    activities: tuple[tuple[str, int, bool], ...]  # (label, id, billable by default)
    rate_codes: Options
    people: Options = ()  # the supervisor first, then their direct staff; empty for others
    today: date | None = None
    missing: tuple[str, ...] = ()  # presets without an active entry

    def tasks_of(self, project_id: int | None) -> Options:
        """The tasks of one project, as drop-down options."""
        return tuple((label, ident) for owner, label, ident in self.tasks if owner == project_id)

    def billable_default(self, activity_id: int | None) -> bool | None:
        """Whether ``activity_id`` is billable by default (None when unknown)."""
        for _, ident, billable in self.activities:
            if ident == activity_id:
                return billable
        return None

    def with_entry(self, view: TimeEntryView) -> CardChoices:
        """These choices plus ``view``'s own codes, marked inactive when no longer offered."""

        def keep(options: Options, label: str, ident: int) -> Options:
            if any(value == ident for _, value in options):
                return options
            return (*options, (f"{label} (inactive)", ident))

        tasks = self.tasks
        if not any(ident == view.task_id for _, _, ident in tasks):
            tasks = (*tasks, (view.project_id, f"{view.task_name} (inactive)", view.task_id))
        activities = self.activities
        if self.billable_default(view.activity_id) is None:
            label = f"{view.activity_name} (inactive)"
            activities = (*activities, (label, view.activity_id, view.billable))
        return replace(
            self,
            projects=keep(self.projects, view.project_name, view.project_id),
            tasks=tasks,
            activities=activities,
            rate_codes=keep(self.rate_codes, view.rate_code_name, view.rate_code_id),
        )


def only(options: Options) -> int | None:
    """The value of the only option, so a single choice needs no key press."""
    return options[0][1] if len(options) == 1 else None


def new_card(choices: CardChoices, owner_id: int | None = None) -> TimeCardForm:
    """An empty card dated today, with every code that has a single choice already chosen."""
    project = only(choices.projects)
    activity = only(tuple((label, ident) for label, ident, _ in choices.activities))
    billable = choices.billable_default(activity)
    return TimeCardForm(
        project_id=project,
        task_id=only(choices.tasks_of(project)),
        activity_id=activity,
        rate_code_id=only(choices.rate_codes),
        time_spent="",
        work_date=choices.today.isoformat() if choices.today else "",
        billable=True if billable is None else billable,
        owner_id=owner_id,
    )


def card_for(view: TimeEntryView) -> TimeCardForm:
    """The card of an existing entry, for editing it (a clock range is shown as typed)."""
    if view.start_minute is not None and view.end_minute is not None:
        spent = format_range(view.start_minute, view.end_minute)
    else:
        spent = format_minutes(view.minutes)
    return TimeCardForm(
        project_id=view.project_id,
        task_id=view.task_id,
        activity_id=view.activity_id,
        rate_code_id=view.rate_code_id,
        time_spent=spent,
        work_date=view.work_date.isoformat(),
        description=view.description,
        billable=view.billable,
    )


def _select(name: str, options: Options, value: Any, prompt: str) -> Select[int]:
    known = {ident for _, ident in options}
    return SearchSelect[int](
        options,
        prompt=prompt,
        value=value if value in known else Select.NULL,
        id=f"input-{name}",
        compact=True,
    )


class TimeCardFields(Vertical):
    """Every field of one time card; the task list follows the project, billable the activity."""

    DEFAULT_CSS = """
    TimeCardFields {
        height: auto;
    }
    TimeCardFields FormField.-inline {
        margin: 0;
    }
    TimeCardFields FormField.-inline > .field-row > .field-label {
        width: 13;
    }
    TimeCardFields FormField.-inline > .field-problem {
        padding-left: 13;
    }
    TimeCardFields Checkbox {
        width: auto;
    }
    """

    def __init__(
        self,
        choices: CardChoices,
        draft: TimeCardForm,
        *,
        with_owner: bool = False,
        id: str | None = None,
    ) -> None:
        """Fields offering ``choices``, filled from ``draft``; "For" only ``with_owner``."""
        super().__init__(id=id)
        self.choices = choices
        self._draft = draft
        self._with_owner = with_owner and len(choices.people) > 1
        self._project = draft.project_id
        self._activity = draft.activity_id

    def compose(self) -> ComposeResult:
        """The fields, in the order a card is filled in."""
        draft, choices = self._draft, self.choices
        if self._with_owner:
            owner = draft.owner_id or choices.people[0][1]
            people = SearchSelect(
                choices.people, allow_blank=False, value=owner, id="input-owner_id", compact=True
            )
            yield CardField(FieldSpec("owner_id", "For"), people)
        yield self._text("work_date", "Date", draft.work_date, "YYYY-MM-DD or DD.MM.YYYY")
        yield self._choice("project_id", "Project", choices.projects, draft.project_id)
        yield self._choice("task_id", "Task", choices.tasks_of(draft.project_id), draft.task_id)
        activities = tuple((label, ident) for label, ident, _ in choices.activities)
        yield self._choice("activity_id", "Activity", activities, draft.activity_id)
        yield self._choice("rate_code_id", "Rate code", choices.rate_codes, draft.rate_code_id)
        billable = BillableBox("billable", draft.billable, id="input-billable", compact=True)
        yield CardField(FieldSpec("billable", "Billable"), billable)
        yield self._text("time_spent", "Time", draft.time_spent, NOT_TYPED)
        yield self._text("description", "Description", draft.description, "what you did")

    @staticmethod
    def _text(name: str, label: str, value: str, placeholder: str) -> CardField:
        control = Input(value, placeholder=placeholder, id=f"input-{name}", compact=True)
        return CardField(FieldSpec(name, label), control)

    @staticmethod
    def _choice(name: str, label: str, options: Options, value: Any) -> CardField:
        prompt = "(type to choose)"
        return CardField(FieldSpec(name, label), _select(name, options, value, prompt))

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new project offers its tasks; a new activity sets billable to its default.

        A code picked from its list moves the cursor on to the next field.
        """
        value = None if event.value is Select.NULL else event.value
        if event.select.has_focus_within:
            self.call_after_refresh(self.screen.focus_next)
        if event.select.id == "input-project_id" and value != self._project:
            self._project = value if isinstance(value, int) else None
            tasks = self.query_one("#input-task_id", Select)
            options = self.choices.tasks_of(self._project)
            tasks.set_options(options)
            if only(options) is not None:
                tasks.value = options[0][1]
        elif event.select.id == "input-activity_id" and value != self._activity:
            self._activity = value if isinstance(value, int) else None
            billable = self.choices.billable_default(self._activity)
            if billable is not None:
                self.query_one("#input-billable", Checkbox).value = billable

    def clear_entry(self) -> None:
        """Empty time and description for the next card; keep everything else."""
        self.query_one("#input-time_spent", Input).value = ""
        self.query_one("#input-description", Input).value = ""
        self.query_one("#input-time_spent", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the date or time moves on; in the description it bubbles up to save."""
        if event.input.id in ("input-work_date", "input-time_spent"):
            event.stop()
            self.screen.focus_next()


def card_from(values: dict[str, Any]) -> TimeCardForm:
    """The service's card from the typed values (by field name)."""
    return TimeCardForm(**values)


class TimeEntryForm(FormModal[TimeCardForm]):
    """Edit a draft or rejected entry in a dialog (no "For": an entry keeps its owner)."""

    def __init__(
        self,
        title: str,
        choices: CardChoices,
        draft: TimeCardForm,
        problems: Sequence[Problem] = (),
    ) -> None:
        """A dialog titled ``title`` editing ``draft`` with ``choices``."""
        super().__init__(title, (), draft, card_from, problems)
        self._choices = choices

    def compose(self) -> ComposeResult:
        """The title, the card's fields, problems no field shows, and the buttons."""
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            with VerticalScroll(id="fields"):
                yield TimeCardFields(self._choices, self._draft)
            yield Static("", id="form-problems", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()
