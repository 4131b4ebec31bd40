"""Time Report: your entries and your direct staff's, filtered, edited, deleted and accepted.

Accepting moves entries on to Approvals. Every batch action runs the service's dry run first
and asks, showing the totals and what will be left alone; Yes applies exactly the dry run's
entries. What is shown can be exported to CSV/XLSX or mailed to yourself as XLSX.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, ProgressBar

from ..domain.states import TimeAction, TimeEntryStatus, time_entry_transition
from ..errors import IllegalTransition, Problem
from ..services.pipeline.views import (
    BatchResult,
    EntryPage,
    ReportFilter,
    TimeCardForm,
    TimeEntryView,
    Totals,
)
from ..widgets import keymap
from ..widgets.dialogs.batch import BatchQuestion, run_batch
from ..widgets.dialogs.export_choice import ExportDialog
from ..widgets.paged_table import PagedTable
from ..widgets.time_entry_table import EntryDetail, EntryTable, EntryTotals, totals_text
from ..widgets.time_export import (
    Mailed,
    export_report,
    mail_report,
    not_sent_notice,
)
from ..widgets.time_fields import CardChoices, Options, TimeEntryForm, card_for
from ..widgets.time_filter_bar import TimeFilterBar, period_text
from .base import AreaScreen, call_service, edit_in_form, push_dialog
from .preset_pane import ALL, every_page
from .time_card import load_card_choices

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

REPORT_COLUMNS = (
    "date",
    "person",
    "project",
    "task",
    "hours",
    "description",
    "status",
    "value",
    "reason",
)
"""What was done, by whom and when first, so it reads at 80 columns; the highlighted entry's
whole description and codes are on the detail line below the table."""
MARKABLE = frozenset({TimeEntryStatus.DRAFT.value, TimeEntryStatus.REJECTED.value})
"""Entries whose marks survive a live refresh: those the batch actions here can still change."""


class TimeReportScreen(AreaScreen):
    """The entries ``actor`` sees, page by page, with totals and the actions on them."""

    TITLE_TEXT = "Time Report"
    HELP = (
        "Your time entries and your direct staff's, newest first; f filters by period, "
        "person, project and status. e or Enter edits a draft or rejected entry, Delete "
        "deletes, space marks rows, a accepts the marked rows (or the highlighted one) and A "
        "every draft and rejected entry shown, asking with their number first: accepted "
        "entries move on to Approvals. Each batch shows its totals before anything changes. "
        "x exports what is shown to CSV or XLSX; m mails it to you as XLSX."
    )
    BINDINGS = [
        Binding(keymap.EDIT, "edit", "Edit"),
        Binding(keymap.DELETE, "delete", "Delete"),
        Binding(keymap.MARK, "mark", "Mark"),
        Binding(keymap.APPROVE, "accept", "Accept"),
        Binding(keymap.APPROVE_ALL, "accept_all", "Accept all"),
        Binding(keymap.FILTER, "filter", "Filter"),
        Binding(keymap.EXPORT, "export", "Export"),
        Binding(keymap.MAIL, "mail", "Mail me"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
    ]

    REFRESH_ON: ClassVar[frozenset[str]] = frozenset({"time_entry"})

    def __init__(self, services: Services, actor: Actor) -> None:
        """The Time Report of ``actor``."""
        super().__init__(services, actor)
        self._filter = ReportFilter()
        self._totals: Totals | None = None
        self._choices: CardChoices | None = None

    def compose_body(self) -> ComposeResult:
        """Filter bar, entries, the highlighted entry's details and the totals."""
        yield TimeFilterBar(id="filter")
        yield EntryTable(REPORT_COLUMNS, id="entries")
        yield EntryDetail(id="detail")
        yield EntryTotals(id="totals")

    def on_mount(self) -> None:
        """Load the filter's choices and the first page."""
        super().on_mount()
        self.table.focus()
        call_service(self, self._filter_choices, self._show_filter_choices)
        self.load()

    @property
    def table(self) -> EntryTable:
        """The entries."""
        return self.query_one("#entries", EntryTable)

    # --- loading ----------------------------------------------------------------------------

    def _filter_choices(self) -> tuple[Options, Options]:
        staff = self.services.users.direct_staff(self.actor)
        people = ((f"{self.actor.name} (me)", self.actor.user_id), *((u.name, u.id) for u in staff))
        projects = every_page(
            lambda after: self.services.presets.list_projects(self.actor, after=after, limit=ALL)
        )
        return people, tuple((p.name, p.id) for p in projects)

    def _show_filter_choices(self, choices: tuple[Options, Options]) -> None:
        self.query_one(TimeFilterBar).set_choices(*choices)

    def load(self, after: tuple[object, ...] | None = None) -> None:
        """Load a page of the report (the first one replaces what is shown)."""
        flt = self._filter

        def fetch() -> EntryPage:
            return self.services.time.report(self.actor, flt, after=after)

        first = after is None
        call_service(
            self, fetch, lambda page: self._show(page, first), group="report", exclusive=True
        )

    def _show(self, page: EntryPage, first: bool) -> None:
        self.table.show_page(page, first=first)
        self._show_rest(page)

    def _show_rest(self, page: EntryPage) -> None:
        """The totals of ``page`` and the details of the highlighted entry."""
        self.shown_owners = page.owners
        self._totals = page.totals
        self._show_totals()
        self._show_detail()

    def _show_totals(self) -> None:
        self.query_one(EntryTotals).show("Shown", self._totals, len(self.table.marked))

    def _show_detail(self) -> None:
        self.query_one(EntryDetail).show(self.table.current_view)

    def on_time_filter_bar_changed(self, event: TimeFilterBar.Changed) -> None:
        """Show what the new filter matches, from the top."""
        self._filter = event.filter
        self.shown_owners = None  # until the new filter's first page says whose entries
        self.table.start_over()
        self.load()

    def on_paged_table_page_wanted(self, event: PagedTable.PageWanted) -> None:
        """The cursor reached the last row: load the next page."""
        self.load(event.after)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Show the highlighted entry's details (and its rejection reason)."""
        self._show_detail()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        """Enter edits the entry."""
        self.action_edit()

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        """Enter in a filter date goes to the list."""
        self.table.focus()

    def action_filter(self) -> None:
        """Go to the filter bar."""
        self.query_one(TimeFilterBar).focus_first()

    def action_reload(self) -> None:
        """Read the report again, unmarked (and the codes the edit form offers)."""
        self._choices = None
        self.table.marked.clear()
        self.refresh_data()

    def refresh_data(self) -> None:
        """Read the entries shown again for the same filter, in place (someone changed time
        entries, or this screen did): the cursor stays on its entry, and the marks on entries
        that can still be acted on."""
        flt, limit = self._filter, self.table.refresh_limit

        def refreshed(page: EntryPage) -> None:
            self.table.refresh_entries(page, lambda view: view.status in MARKABLE)
            self._show_rest(page)

        call_service(
            self,
            lambda: self.services.time.report(self.actor, flt, limit=limit),
            refreshed,
            group="report",
            exclusive=True,
        )

    def action_mark(self) -> None:
        """Mark or unmark the highlighted entry."""
        self.table.toggle_mark()
        self._show_totals()

    # --- editing and deleting ---------------------------------------------------------------

    def action_edit(self) -> None:
        """Edit the highlighted entry in a form (draft and rejected entries only)."""
        view = self.table.current_view
        if view is None:
            return
        try:
            time_entry_transition(TimeEntryStatus(view.status), TimeAction.EDIT)
        except IllegalTransition as refused:
            self.notify(refused.message, title=refused.title, severity="warning", markup=False)
            return
        if self._choices is not None:
            self._edit(view, self._choices)
            return

        def fetch() -> CardChoices:
            return load_card_choices(self.services, self.actor, with_staff=False)

        def loaded(choices: CardChoices) -> None:
            self._choices = choices
            self._edit(view, choices)

        call_service(self, fetch, loaded)

    def _edit(self, view: TimeEntryView, choices: CardChoices) -> None:
        offered = choices.with_entry(view)
        title = f"Edit entry #{view.id} of {view.owner_name}"

        def make_form(draft: TimeCardForm, problems: tuple[Problem, ...]) -> TimeEntryForm:
            return TimeEntryForm(title, offered, draft, problems)

        def save(form: TimeCardForm) -> TimeEntryView:
            return self.services.time.update_entry(self.actor, view.id, form, version=view.version)

        edit_in_form(self, make_form, card_for(view), save, self._edited)

    def _edited(self, view: TimeEntryView) -> None:
        self.table.show_entry(view)
        self.notify(f"Saved entry #{view.id}.", timeout=3)
        self.refresh_data()

    def action_delete(self) -> None:
        """Delete the marked entries (or the highlighted one), after a dry run and a question."""
        ids = self.table.chosen_ids()
        if not ids:
            return
        time = self.services.time
        ask = BatchQuestion(
            "Delete entries",
            "Delete these entries for good? Only draft and rejected entries can go.",
            "Delete",
            "Deleted",
        )
        run_batch(
            self,
            partial(call_service, self),
            ask,
            lambda: time.delete_entries(self.actor, ids, dry_run=True),
            lambda chosen: time.delete_entries(self.actor, chosen),
            lambda _: self.refresh_data(),
        )

    # --- accepting --------------------------------------------------------------------------

    def action_accept(self) -> None:
        """Accept the marked entries (or the highlighted one)."""
        ids = self.table.chosen_ids()
        if not ids:
            return
        self._accept(
            "Accept the chosen entries ({count})? They move on to Approvals.",
            lambda: self.services.time.accept(self.actor, ids, dry_run=True),
        )

    def action_accept_all(self) -> None:
        """Accept every draft and rejected entry the filter shows."""
        flt = self._filter
        question = (
            f"Accept every draft and rejected entry shown: {{count}} ({period_text(flt)})? "
            "They move on to Approvals."
        )
        self._accept(question, lambda: self.services.time.accept(self.actor, flt=flt, dry_run=True))

    def _accept(self, question: str, dry_run: Callable[[], BatchResult]) -> None:
        run_batch(
            self,
            partial(call_service, self),
            BatchQuestion("Accept entries", question, "Accept", "Accepted"),
            dry_run,
            lambda ids: self.services.time.accept(self.actor, ids),
            lambda _: self.refresh_data(),
        )

    # --- export and mail --------------------------------------------------------------------

    def action_export(self) -> None:
        """Write what is shown to a CSV or XLSX file in the exports folder."""
        flt = self._filter
        what = totals_text(self._totals) if self._totals else "the entries shown"

        def chosen(fmt: str | None) -> None:
            if not fmt:
                return
            bar = ProgressBar(id="export-progress", show_eta=False)
            self.mount(bar, after=self.query_one(EntryTotals))

            def progress(done: int, expected: int) -> None:
                with suppress(RuntimeError):  # the app is closing
                    self.app.call_from_thread(bar.update, total=expected, progress=done)

            call_service(
                self,
                lambda: export_report(self.services, self.actor, flt, fmt, progress),
                lambda path: self._exported(bar, path),
                failed=lambda _error: bar.remove(),
            )

        push_dialog(self, ExportDialog(f"{what}, {period_text(flt)}"), chosen)

    def _exported(self, bar: ProgressBar, path: Path) -> None:
        bar.remove()
        self.notify(str(path), title="Exported", timeout=10, markup=False)

    def action_mail(self) -> None:
        """Mail what is shown to yourself as XLSX, with a short summary."""
        flt = self._filter
        self.notify("Sending the report to your e-mail address…", timeout=3)
        call_service(self, lambda: mail_report(self.services, self.actor, flt), self._mailed)

    def _mailed(self, outcome: Mailed) -> None:
        if outcome.receipt is not None:
            receipt = outcome.receipt
            text = f"{receipt.attachment_name} sent to {receipt.recipient}."
            self.notify(text, title="Mailed", timeout=6, markup=False)
        else:
            push_dialog(self, not_sent_notice(outcome))
