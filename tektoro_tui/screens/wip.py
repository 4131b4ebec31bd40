"""Work in progress: approved work by client and project, allocated, then processed.

The top table lists WIP per client and project (open, to bill, written down, on hold); the
table below lists the entries of the highlighted group, page by page, filtered by their
allocation. Selected entries (or the highlighted one) are allocated in a form or released;
each batch first runs as a dry run and is applied only after the confirmation shows what will
change. Processing turns allocated entries into document records, with a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, TabbedContent, TabPane

from ..domain.validation import Form
from ..errors import Problem
from ..services.pipeline.views import (
    AllocationForm,
    BatchResult,
    EntryPage,
    ProcessResult,
    RealisationRow,
    WipGroup,
)
from ..widgets import keymap
from ..widgets.dialogs.wip_process import ProcessDialog
from ..widgets.paged_table import PagedTable
from ..widgets.wip_cells import FILTERS, entries_text
from ..widgets.wip_forms import (
    ProcessOptions,
    allocation_modal,
    ask_to_apply,
    describe_allocation,
    problems_of,
    process_modal,
)
from ..widgets.wip_realisation import RealisationPane
from ..widgets.wip_tables import WipEntriesTable, WipGroupsTable, WipHeading
from .base import AreaScreen, call_service, edit_in_form, push_dialog

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

ENTRY_ACTIONS = ("toggle_entry", "select_all", "allocate", "release", "next_filter")
Apply = Callable[[tuple[int, ...]], BatchResult]
Refreshed = tuple[tuple[WipGroup, ...], EntryPage | None]


class WipScreen(AreaScreen):
    """WIP groups and their entries; allocate, release and process; realisation."""

    TITLE_TEXT = "Work in progress"
    HELP = (
        "Approved work waits here, by client and project. Mark entries with Space (Ctrl+A "
        "marks every entry shown), then + allocates them: bill (optionally writing part "
        "down), write down with a reason, or hold until a date or until released. - releases "
        "allocated entries back. Process (F9) turns allocated work into document records "
        "(one invoice record per client or project, one statement of write-downs); the "
        "entries can never change afterwards. Every batch shows what will change before "
        "anything is saved. f steps through the allocation filters; 1 and 2 switch between "
        "WIP and realisation (billed against written-down value per client and staff member)."
    )
    DEFAULT_CSS = """
    WipScreen TabPane {
        padding: 0;
    }
    """
    BINDINGS = [
        Binding(keymap.MARK, "toggle_entry", "Mark"),
        Binding(keymap.ALLOCATE, "allocate", "Allocate"),
        Binding(keymap.RELEASE, "release", "Release"),
        Binding(keymap.FINISH, "process", "Process"),
        Binding(keymap.SELECT_ALL, "select_all", "Mark all"),
        Binding(keymap.FILTER, "next_filter", "Filter"),
        Binding(keymap.RELOAD, "reload", "Reload"),
        Binding(keymap.TABS[0], "show_tab('wip-tab')", "WIP tab", show=False),
        Binding(keymap.TABS[1], "show_tab('realisation-tab')", "Realisation tab", show=False),
    ]

    REFRESH_ON: ClassVar[frozenset[str]] = frozenset({"time_entry", "document_record"})

    def __init__(self, services: Services, actor: Actor) -> None:
        """The WIP screen acting as ``actor``."""
        super().__init__(services, actor)
        self._group: WipGroup | None = None
        self._filter = 0

    def compose_body(self) -> ComposeResult:
        """Tabs: the groups over their entries, and realisation."""
        with TabbedContent(initial="wip-tab"):
            with TabPane("Work in progress", id="wip-tab"):
                yield WipGroupsTable(id="groups")
                yield WipHeading("Loading WIP…", id="entries-heading")
                yield WipEntriesTable(id="entries")
            with TabPane("Realisation", id="realisation-tab"):
                yield RealisationPane(id="realisation")

    def on_mount(self) -> None:
        """Load the groups (then the first group's entries) and realisation."""
        super().on_mount()
        self.groups_table.focus()
        self.action_reload()

    @property
    def groups_table(self) -> WipGroupsTable:
        """WIP per client and project."""
        return self.query_one(WipGroupsTable)

    @property
    def entries_table(self) -> WipEntriesTable:
        """The entries of the highlighted group."""
        return self.query_one(WipEntriesTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Entry keys only on the WIP tab."""
        if action in ENTRY_ACTIONS:
            return self.query_one(TabbedContent).active == "wip-tab"
        return True

    # --- loading ------------------------------------------------------------------------------

    def action_reload(self) -> None:
        """Read WIP and realisation again, in place."""
        self.refresh_data()

    def refresh_data(self) -> None:
        """Read the groups, the entries shown and realisation again, in place (someone changed
        WIP, or this screen did), keeping the group, the filter, the selection and the cursor."""
        group, allocation = self._group, FILTERS[self._filter][0]
        limit = self.entries_table.refresh_limit

        def fetch() -> Refreshed:
            wip = self.services.wip
            groups = wip.groups(self.actor)
            if group is None:
                return groups, None
            page = wip.entries(
                self.actor,
                client_id=group.client_id,
                project_id=group.project_id,
                allocation=allocation,
                limit=limit,
            )
            return groups, page

        def refreshed(loaded: Refreshed) -> None:
            groups, page = loaded
            keep = self._group.project_id if self._group else None
            chosen = self.groups_table.show(groups, keep)
            asked = (group.project_id if group else None, allocation)
            moved_on = asked != (keep, FILTERS[self._filter][0])  # another group or filter
            if page is None or chosen is None or chosen.project_id != keep or moved_on:
                self._choose_group(chosen, force=True)
                return
            self._group = chosen
            self.entries_table.refresh_entries(page)
            self._show_heading()

        call_service(self, fetch, refreshed, group="groups", exclusive=True)
        self.load_realisation()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """A new group highlighted: list its entries."""
        if event.data_table is self.groups_table:
            self._choose_group(self.groups_table.group_of(event))

    def _choose_group(self, group: WipGroup | None, *, force: bool = False) -> None:
        same = (group and group.project_id) == (self._group and self._group.project_id)
        if same and not force:
            return
        if not same:
            self.entries_table.selected.clear()
        self._group = group
        self.load_entries()

    def load_entries(self, after: tuple[object, ...] | None = None) -> None:
        """Load one page of the highlighted group's entries (the first page: start over)."""
        group, allocation = self._group, FILTERS[self._filter][0]
        if after is None:
            self.entries_table.start_over()
        if group is None:
            self._show_heading()
            return

        def fetch() -> EntryPage:
            return self.services.wip.entries(
                self.actor,
                client_id=group.client_id,
                project_id=group.project_id,
                allocation=allocation,
                after=after,
            )

        call_service(self, fetch, self._add_entries, group="entries", exclusive=after is None)

    def _add_entries(self, page: EntryPage) -> None:
        self.entries_table.add_entries(page)
        self._show_heading()

    def on_paged_table_page_wanted(self, event: PagedTable.PageWanted) -> None:
        """The cursor reached the last entry: load the next page."""
        self.load_entries(event.after)

    def _show_heading(self) -> None:
        heading = self.entries_table.heading(self._group, self._filter)
        self.query_one(WipHeading).update(heading)

    def load_realisation(self) -> None:
        """Realisation per client and per staff member."""

        def fetch() -> tuple[tuple[RealisationRow, ...], tuple[RealisationRow, ...]]:
            wip = self.services.wip
            return wip.realisation(self.actor, by="client"), wip.realisation(self.actor, by="staff")

        pane = self.query_one(RealisationPane)
        call_service(self, fetch, lambda rows: pane.show(*rows), group="real", exclusive=True)

    # --- selecting ----------------------------------------------------------------------------

    def action_toggle_entry(self) -> None:
        """Select or unselect the highlighted entry, then move to the next one."""
        self.entries_table.toggle_current()
        self._show_heading()

    def action_select_all(self) -> None:
        """Select every entry shown (or none, when all already are)."""
        self.entries_table.toggle_all()
        self._show_heading()

    def action_next_filter(self) -> None:
        """Show the next allocation filter: all, unallocated, to bill, written down, on hold."""
        self._filter = (self._filter + 1) % len(FILTERS)
        self.entries_table.selected.clear()
        self.load_entries()

    def _chosen(self) -> list[int]:
        """The selected entries, else the highlighted one."""
        chosen = self.entries_table.chosen()
        if not chosen:
            self.notify("No entry is highlighted or selected.", title="No entries", timeout=4)
        return chosen

    # --- allocating and releasing -------------------------------------------------------------

    def action_allocate(self) -> None:
        """Allocate the chosen entries in a form; dry run, confirm, apply."""
        ids = self._chosen()
        if ids:
            self._edit_allocation(tuple(ids), AllocationForm(kind="bill"))

    def _edit_allocation(
        self, ids: tuple[int, ...], draft: AllocationForm, problems: tuple[Problem, ...] = ()
    ) -> None:
        """The allocation form on ``draft``: a value that would allocate nothing (a write-down
        larger than every entry) marks the form, and No on the confirmation comes back to it,
        so what was typed is never lost."""

        def dry_run(form: AllocationForm) -> tuple[AllocationForm, BatchResult]:
            return form, self.services.wip.allocate(self.actor, ids, form, dry_run=True)

        def found(outcome: tuple[AllocationForm, BatchResult]) -> None:
            form, result = outcome
            wrong = problems_of(result)
            if wrong and not result.entry_ids:
                self._edit_allocation(ids, form, wrong)
                return

            def apply(chosen: tuple[int, ...]) -> BatchResult:
                return self.services.wip.allocate(self.actor, chosen, form)

            def back() -> None:
                self._edit_allocation(ids, form)

            self._confirm(result, "Allocate WIP", describe_allocation(form), apply, back)

        modal = allocation_modal(len(ids))
        edit_in_form(self, modal, draft, dry_run, found, problems)

    def action_release(self) -> None:
        """Send the chosen allocated entries back to unallocated; dry run, confirm, apply."""
        ids = self._chosen()
        if not ids:
            return

        def apply(chosen: tuple[int, ...]) -> BatchResult:
            return self.services.wip.release(self.actor, chosen)

        call_service(
            self,
            lambda: self.services.wip.release(self.actor, ids, dry_run=True),
            lambda result: self._confirm(result, "Release WIP", "Back to unallocated", apply),
        )

    def _confirm(
        self,
        result: BatchResult,
        title: str,
        doing: str,
        apply: Apply,
        back: Callable[[], object] | None = None,
    ) -> None:
        """Show what the dry run found; on Yes apply it to exactly the entries it listed."""

        def go() -> None:
            call_service(self, lambda: apply(result.entry_ids), self._applied)

        ask_to_apply(self, result, title, doing, go, back)

    def _applied(self, result: BatchResult) -> None:
        self.entries_table.unselect_all()
        totals = result.totals
        self.notify(
            f"{entries_text(totals.entries)}, {totals.value}.",
            title=result.done,
            timeout=4,
            markup=False,
        )
        self.action_reload()

    # --- processing -----------------------------------------------------------------------------

    def action_process(self) -> None:
        """Ask for the options, dry run, show the records, then process with progress."""

        call_service(self, self.services.settings.today, self._ask_process_options)

    def _ask_process_options(self, today: date) -> None:
        clients = self.groups_table.clients()
        group = self._group
        draft = ProcessOptions(client_id=group.client_id if group else None, as_of=str(today))

        def dry_run(options: ProcessOptions) -> tuple[ProcessOptions, ProcessResult]:
            return options, self._process(options, dry_run=True)

        edit_in_form(self, process_modal(clients), draft, dry_run, self._processing_found)

    def _process(
        self,
        options: ProcessOptions,
        *,
        dry_run: bool,
        progress: Callable[[int, int], None] | None = None,
    ) -> ProcessResult:
        check = Form()
        as_of = check.date("as_of", options.as_of, required=False)
        check.raise_if_any()
        return self.services.wip.process(
            self.actor,
            as_of=as_of,
            client_id=options.client_id,
            per_project=options.per_project,
            dry_run=dry_run,
            progress=progress,
        )

    def _processing_found(self, outcome: tuple[ProcessOptions, ProcessResult]) -> None:
        options, result = outcome
        if not result.documents:
            self.notify(
                "No allocated entries are ready: allocate work to bill or write down, or hold "
                "it until a date that has passed.",
                title="Nothing to process",
                severity="warning",
                timeout=6,
            )
            return

        def start(dialog: ProcessDialog) -> None:
            def progress(done: int, total: int) -> None:
                self.app.call_from_thread(dialog.show_progress, done, total)

            call_service(
                self,
                lambda: self._process(options, dry_run=False, progress=progress),
                dialog.show_done,
                failed=dialog.show_failed,
            )

        push_dialog(self, ProcessDialog(result, start), self._processed)

    def _processed(self, created: bool | None) -> None:
        if created:
            self.entries_table.unselect_all()
            self.action_reload()

    # --- views ----------------------------------------------------------------------------------

    def action_show_tab(self, key: str) -> None:
        """Switch to WIP or realisation."""
        self.query_one(TabbedContent).active = key

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Refresh the key hints and focus the open tab's first table."""
        self.refresh_bindings()
        if event.pane.id == "realisation-tab":
            self.query_one(RealisationPane).focus_first()
        else:
            self.groups_table.focus()
