"""Time Card: enter the time you spent on a project, one card after another, by keyboard.

Saving keeps the date and the codes and empties time and description, so the next card of the
same kind is a time, a description and Enter. The list below shows the cards of the person and
day being filled in, with the day's totals from the service.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static

from ..domain.permissions import Perm
from ..domain.validation import Form
from ..domain.wording import sentence
from ..errors import Problem, TektoroError, ValidationError
from ..services.administration.presets import PresetsMissing
from ..services.pipeline.views import EntryPage, ReportFilter, TimeCardForm, TimeEntryView
from ..widgets import keymap
from ..widgets.fields import FormField, read_values, show_problems
from ..widgets.formatting import field_label, hours, weekday
from ..widgets.time_entry_table import EntryTable, totals_text
from ..widgets.time_fields import CardChoices, TimeCardFields, card_from, new_card
from ..widgets.unsaved import UnsavedChanges
from .base import AreaScreen, call_service
from .preset_pane import ALL, every_page

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

DAY_COLUMNS = ("project", "task", "activity", "hours", "value", "status", "description")
DAY_LIMIT = 200
FIRST_EMPTY = ("project_id", "task_id", "activity_id", "rate_code_id", "time_spent")


def load_card_choices(services: Services, actor: Actor, *, with_staff: bool) -> CardChoices:
    """The active codes, the people a card may be for and today (runs in a worker)."""
    presets = services.presets
    projects = every_page(
        lambda after: presets.list_projects(actor, active_only=True, after=after, limit=ALL)
    )
    tasks = every_page(
        lambda after: presets.list_tasks(actor, active_only=True, after=after, limit=ALL)
    )
    activities = every_page(
        lambda after: presets.list_activities(actor, active_only=True, after=after, limit=ALL)
    )
    rates = every_page(
        lambda after: presets.list_rate_codes(actor, active_only=True, after=after, limit=ALL)
    )
    people: tuple[tuple[str, int], ...] = ()
    if with_staff:
        staff = [user for user in services.users.direct_staff(actor) if user.is_active]
        if staff:
            people = ((f"{actor.name} (me)", actor.user_id), *((u.name, u.id) for u in staff))
    return CardChoices(
        projects=tuple((_project_label(p.code, p.name, p.client_name), p.id) for p in projects),
        tasks=tuple((t.project_id, t.name, t.id) for t in tasks),
        activities=tuple((a.name, a.id, a.billable_default) for a in activities),
        rate_codes=tuple((f"{r.name} · {r.hourly_rate}/h", r.id) for r in rates),
        people=people,
        today=services.settings.today(),
        missing=tuple(presets.missing_presets()),
    )


def _project_label(code: str, name: str, client: str) -> str:
    label = f"{code} · {name}" if code else name
    return f"{label} ({client})"


def day_text(day: date) -> str:
    """A date with its weekday, the same in every locale: "Mon 2024-05-06"."""
    return f"{weekday(day)} {day.isoformat()}"


class TimeCardScreen(UnsavedChanges, AreaScreen):
    """One card at a time; the day's cards and totals below."""

    TITLE_TEXT = "Time Card"
    HELP = (
        "Enter the time you spent: date (empty = today), project, task, activity, rate code, "
        "time as 1:30, 1.5 or 08:00-09:30 (past midnight: 22:00-02:00+1), and what you did. "
        "Type into a drop-down to find a "
        "code. Ctrl+S, or Enter in the description, saves the card and empties time and "
        "description for the next one. A supervisor can enter a card for a direct staff "
        "member (For). The list shows that person's cards of the day. Leaving a card that "
        "is not saved asks first."
    )
    BINDINGS = [
        Binding(keymap.SAVE, "save", "Save card"),
        Binding(keymap.RELOAD, "reload", "Reload codes"),
    ]
    UNSAVED_WHAT = "The time card"
    DEFAULT_CSS = """
    TimeCardScreen {
        #card-missing {
            display: none;
            margin: 0 1;
            padding: 0 1;
            border: round $warning;
            color: $text-warning;
            height: auto;
        }
        #card {
            height: auto;
            padding: 0 1;
        }
        #card-message {
            display: none;
            height: auto;
            margin: 0 1;
            color: $text-error;
        }
        #day-title {
            margin: 0 1;
        }
        #day-entries {
            height: 1fr;
            min-height: 4;
        }
        #day-totals {
            margin: 0 1;
            text-style: bold;
        }
    }
    """

    def __init__(self, services: Services, actor: Actor) -> None:
        """The time card of ``actor``."""
        super().__init__(services, actor)
        self._choices: CardChoices | None = None
        self._last_saved: int | None = None
        self._saving = False

    def compose_body(self) -> ComposeResult:
        """The card (filled once the codes are loaded), then the day's cards."""
        yield Static("", id="card-missing", markup=False)
        with Vertical(id="card"):
            yield Static("Loading the code presets…", id="card-loading")
        yield Static("", id="card-message", markup=False)
        yield Label("", id="day-title", classes="section-title")
        yield EntryTable(DAY_COLUMNS, selectable=False, id="day-entries")
        yield Static("", id="day-totals", markup=False)

    def on_mount(self) -> None:
        """Load the codes."""
        super().on_mount()
        self.load_choices(None)

    @property
    def fields(self) -> TimeCardFields | None:
        """The card's fields, once shown."""
        found = self.query(TimeCardFields)
        return found.first() if found else None

    # --- loading ----------------------------------------------------------------------------

    def load_choices(self, keep: TimeCardForm | None) -> None:
        """Load the codes in a worker, then show the card (``keep`` refills it)."""
        call_service(
            self,
            lambda: load_card_choices(self.services, self.actor, with_staff=True),
            lambda choices: self._show_card(choices, keep),
            failed=self._not_loaded,
        )

    def _not_loaded(self, error: BaseException) -> None:
        for note in self.query("#card-loading").results(Static):
            note.update(f"The code presets could not be loaded: {error}")

    def _show_card(self, choices: CardChoices, keep: TimeCardForm | None) -> None:
        self._choices = choices
        self._show_missing(choices.missing)
        draft = keep or new_card(choices, self.actor.user_id)
        self.call_later(self._mount_card, TimeCardFields(choices, draft, with_owner=True))

    async def _mount_card(self, fields: TimeCardFields) -> None:
        box = self.query_one("#card", Vertical)
        await box.remove_children()
        await box.mount(fields)
        if self._saved_values is None:  # the first card; a reload keeps what was typed
            self.mark_saved()
        self._focus_first_empty(fields)
        self.load_day()

    def _focus_first_empty(self, fields: TimeCardFields) -> None:
        for field in fields.query(FormField):
            if field.field_name in FIRST_EMPTY and field.value in (None, ""):
                field.control.focus()
                return
        fields.query_one("#input-description").focus()

    def _show_missing(self, missing: tuple[str, ...], message: str = "") -> None:
        banner = self.query_one("#card-missing", Static)
        banner.display = bool(missing or message)
        text = message or f"Time cards need every code preset. Missing: {', '.join(missing)}."
        if self.actor.may(Perm.PRESETS_MANAGE):
            hint = " Add them under Code presets (Ctrl+G p)."
        else:
            hint = " Ask whoever manages the code presets to add them (Code presets)."
        banner.update(text + hint)

    def load_day(self) -> None:
        """Load the cards of the chosen person on the chosen day."""
        fields, choices = self.fields, self._choices
        if fields is None or choices is None or choices.today is None:
            return
        values = read_values(fields)
        typed = Form().date("work_date", values["work_date"], required=False)
        day = typed or choices.today
        owner = values.get("owner_id") or self.actor.user_id
        name = next((label for label, ident in choices.people if ident == owner), "")
        who = self.actor.name if owner == self.actor.user_id else name
        flt = ReportFilter(date_from=day, date_to=day, owner_id=owner)
        self.query_one("#day-title", Label).update(f"Cards of {who} on {day_text(day)}")
        call_service(
            self,
            lambda: self.services.time.report(self.actor, flt, limit=DAY_LIMIT),
            self._show_day,
            group="day",
            exclusive=True,
        )

    def _show_day(self, page: EntryPage) -> None:
        table = self.query_one("#day-entries", EntryTable)
        table.show_page(page, first=True)
        if self._last_saved is not None:
            table.move_to(self._last_saved)
        self.query_one("#day-totals", Static).update(f"Day total: {totals_text(page.totals)}")

    def on_select_changed(self, event: Select.Changed) -> None:
        """Another person: show their day."""
        if event.select.id == "input-owner_id":
            self.load_day()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Another date: show that day (once it is a date)."""
        if event.input.id == "input-work_date":
            self.load_day()

    # --- saving -----------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the description saves the card."""
        if event.input.id == "input-description":
            event.stop()
            self.action_save()

    def action_save(self) -> None:
        """Save the card in a worker; mark every problem the service finds.

        One card is saved at a time: Save pressed again while the service is still saving
        does nothing (it would save the same card twice).
        """
        fields = self.fields
        if fields is None or self._saving:
            return
        sent = read_values(fields)
        form = card_from(sent)
        self._show_message("")
        self._saving = True
        call_service(
            self,
            lambda: self.services.time.add_entry(self.actor, form),
            lambda view: self._saved(view, sent),
            problems=self._problems,
            failed=self._failed,
        )

    def _saved(self, view: TimeEntryView, sent: dict[str, Any]) -> None:
        """Empty time and description for the next card, unless the user has typed on since
        Save: then what they typed stays (and counts as not saved)."""
        self._saving = False
        fields = self.fields
        if fields is not None:
            typed_on = read_values(fields) != sent
            show_problems(fields, (), focus=False)
            if not typed_on:
                fields.clear_entry()
            self.mark_saved({**sent, "time_spent": "", "description": ""})
        self._show_missing(())
        who = "" if view.owner_id == self.actor.user_id else f" for {view.owner_name}"
        self.notify(
            sentence(f"Saved {hours(view.minutes)} h on {view.project_name}{who}"),
            title="Card saved",
            timeout=3,
            markup=False,
        )
        self._last_saved = view.id
        self.load_day()

    def _problems(self, problems: tuple[Problem, ...]) -> None:
        fields = self.fields
        rest = list(problems) if fields is None else show_problems(fields, problems)
        self._show_message("\n".join(f"{field_label(p.field)}: {p.message}" for p in rest))

    def _failed(self, error: BaseException) -> None:
        self._saving = False
        if isinstance(error, PresetsMissing):
            self._show_missing((), error.message)
        elif isinstance(error, TektoroError) and not isinstance(error, ValidationError):
            self._show_message(f"{error.title}: {error.message}")

    def _show_message(self, text: str) -> None:
        message = self.query_one("#card-message", Static)
        message.display = bool(text)
        message.update(text)

    def action_reload(self) -> None:
        """Load the codes again (after presets changed), keeping what is typed."""
        fields = self.fields
        self.load_choices(card_from(read_values(fields)) if fields is not None else None)
