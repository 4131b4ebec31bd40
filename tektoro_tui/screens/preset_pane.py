"""The machinery shared by the tabs of the code presets screen.

Each tab is a :class:`PresetPane` subclass that knows which service calls list and save its
kind, how a row reads and which fields its form has; the base class does the paging, the
forms and the active toggle for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from ..domain.wording import sentence
from ..errors import Problem
from ..services.administration.views import Page
from ..widgets.dialogs.confirm import YesNoDialog
from ..widgets.dialogs.form import FormModal
from ..widgets.fields import FieldSpec
from ..widgets.paged_table import PagedTable
from .base import call_service, edit_in_form, push_dialog

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

ALL = 500
"""Page size when every item is wanted (for the choices of a drop-down)."""
Options = tuple[tuple[str, Any], ...]
ACTIVE = FieldSpec("is_active", "Active", kind="switch")


def ask_to_toggle(
    node: Widget, noun: str, name: str, active: bool, toggle: Callable[[], object]
) -> None:
    """Ask before deactivating or reactivating the ``noun`` called ``name``; on Yes,
    ``toggle``."""
    verb = "Deactivate" if active else "Reactivate"
    outcome = (
        "It is no longer offered for new work; what was recorded with it stays."
        if active
        else "It is offered for new work again."
    )
    question = f"{verb} the {noun} {name}? {outcome}"

    def answered(yes: bool | None) -> None:
        if yes:
            toggle()

    push_dialog(node, YesNoDialog(f"{verb} {noun}", question, verb), answered)


def every_page(fetch: Callable[[tuple[object, ...] | None], Page[Any]]) -> list[Any]:
    """All items of a keyset-paged list (for the choices of a drop-down)."""
    items: list[Any] = []
    after: tuple[object, ...] | None = None
    while True:
        page = fetch(after)
        items += page.items
        if page.next_after is None:
            return items
        after = page.next_after


class PresetPane(Vertical):
    """A paged list of one kind of preset with New, Edit and (De)activate."""

    KIND: ClassVar[str] = ""
    """The kind :meth:`PresetService.set_active` knows this preset by."""
    NOUN: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    ENTITIES: ClassVar[frozenset[str]] = frozenset()
    """The change-feed tables whose changes this list shows (its own, and those it names)."""

    def __init__(self, services: Services, actor: Actor, *, id: str) -> None:
        """A pane acting as ``actor``."""
        super().__init__(id=id)
        self.services = services
        self.actor = actor
        self.records: dict[int, Any] = {}

    def compose(self) -> ComposeResult:
        """The list."""
        yield PagedTable(self.COLUMNS, id=f"{self.id}-table")

    @property
    def table(self) -> PagedTable:
        """The pane's main list."""
        return self.query_one(f"#{self.id}-table", PagedTable)

    def on_mount(self) -> None:
        """Load the first page."""
        self.reload()

    def focus_list(self) -> None:
        """Put the focus on the list."""
        self.table.focus()

    # --- listing ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Load the list from the first page (when it is another list: a filter changed)."""
        self.table.start_over()
        self.load_page(None)

    def load_page(self, after: tuple[object, ...] | None) -> None:
        """Load one page in a worker."""
        call_service(
            self,
            lambda: self.fetch(after=after),
            self._add_page,
            group=f"{self.id}-list",
            exclusive=after is None,
        )

    def _add_page(self, page: Page[Any]) -> None:
        self.records.update((record.id, record) for record in page.items)
        self.table.add_page(self._rows(page), page.next_after)

    def _rows(self, page: Page[Any]) -> list[tuple[int, tuple[str, ...]]]:
        return [(record.id, self.cells(record)) for record in page.items]

    def refresh_rows(self) -> None:
        """Read the records shown again, in place (the cursor stays on its record)."""
        limit = self.table.refresh_limit

        def refreshed(page: Page[Any]) -> None:
            self.records = {record.id: record for record in page.items}
            self.table.refresh_page(self._rows(page), page.next_after)

        call_service(
            self,
            lambda: self.fetch(limit=limit),
            refreshed,
            group=f"{self.id}-list",
            exclusive=True,
        )

    def on_paged_table_page_wanted(self, event: PagedTable.PageWanted) -> None:
        """Load the next page when the cursor reaches the end of the list."""
        if event.table is self.table:
            event.stop()
            self.load_page(event.after)

    def fetch(self, **opts: Any) -> Page[Any]:
        """One page of this kind (runs in a worker); ``opts`` are the service's paging
        arguments (``after``, ``limit``)."""
        raise NotImplementedError

    def cells(self, record: Any) -> tuple[str, ...]:
        """How a record reads in the list."""
        raise NotImplementedError

    # --- writing ------------------------------------------------------------------------------

    def current(self) -> Any | None:
        """The record under the cursor."""
        ident = self.table.current_id
        return self.records.get(ident) if ident is not None else None

    def new(self) -> None:
        """Create a record in a form."""
        self.open_form(None)

    def edit(self) -> None:
        """Edit the record under the cursor in a form."""
        record = self.current()
        if record is not None:
            self.open_form(record)

    def open_form(self, record: Any | None) -> None:
        """Load the form's choices in a worker, then open the form."""
        call_service(self, self.load_choices, lambda choices: self._edit(record, choices))

    def _edit(self, record: Any | None, choices: Any) -> None:
        specs = self.specs(choices)
        title = f"Edit {self.NOUN} {record.name}" if record else f"New {self.NOUN}"

        def make_form(draft: Any, problems: tuple[Problem, ...]) -> FormModal[Any]:
            return FormModal(title, specs, draft, self.build, problems)

        def save(form: Any) -> Any:
            if record is None:
                return self.save(form, None, None)
            return self.save(form, record.id, record.version)  # refused if saved meanwhile

        edit_in_form(self, make_form, self.draft(record), save, self.saved)

    def saved(self, record: Any) -> None:
        """Show a saved record at once with the cursor on it; then read the list again, so
        that it takes its place in the order."""
        self.records[record.id] = record
        self.table.update_record(record.id, self.cells(record))
        self.table.move_to(record.id)
        self.notify(sentence(f"Saved {self.NOUN} {record.name}"), timeout=3)
        self.refresh_rows()

    def toggle_active(self) -> None:
        """Deactivate or reactivate the record under the cursor, after asking."""
        record = self.current()
        if record is None:
            return
        changed = replace(record, is_active=not record.is_active)

        def toggle() -> Any:
            self.services.presets.set_active(self.actor, self.KIND, record.id, changed.is_active)
            return changed

        ask_to_toggle(
            self,
            self.NOUN,
            record.name,
            record.is_active,
            lambda: call_service(self, toggle, self.saved),
        )

    def load_choices(self) -> Any:
        """What the form's drop-downs offer (runs in a worker)."""
        return None

    def specs(self, choices: Any) -> tuple[FieldSpec, ...]:
        """The form's fields."""
        raise NotImplementedError

    def draft(self, record: Any | None) -> Any:
        """The form's starting values: the record's, or a new one's."""
        raise NotImplementedError

    def build(self, values: dict[str, Any]) -> Any:
        """The service's form dataclass from the typed values."""
        raise NotImplementedError

    def save(self, form: Any, ident: int | None, version: int | None) -> Any:
        """Create (``ident`` None) or update through the service (runs in a worker); an update
        is refused if the record is no longer at ``version``, the one the form was opened on."""
        raise NotImplementedError
