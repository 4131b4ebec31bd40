"""Approvals: a supervisor approves or rejects their direct staff's accepted entries.

Above, one row per contributor (entries, hours, value) and a row for all of them; below, the
accepted entries of the highlighted row. ``a`` approves and ``r`` rejects the marked entries, or
with nothing marked the highlighted entry: never more than that. Acting on every listed entry
is its own key (``A``, ``R``), and its question names how many. Approved entries move on to
WIP; rejected ones go back to the Time Report with the reason. Holders of
``time.approve_any`` can switch to the whole firm.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label, Static

from ..domain.permissions import Perm
from ..errors import Problem
from ..services.pipeline.views import BatchResult, ContributorSummary, EntryPage, Totals
from ..widgets import keymap
from ..widgets.dialogs.batch import (
    BatchQuestion,
    ReasonDraft,
    confirm_and_apply,
    reason_form,
    run_batch,
)
from ..widgets.dialogs.form import FormModal
from ..widgets.paged_table import PagedTable
from ..widgets.time_contributors import EVERYONE, ContributorTable
from ..widgets.time_entry_table import EntryDetail, EntryTable, EntryTotals
from .base import AreaScreen, call_service, edit_in_form

if TYPE_CHECKING:
    from textual.widgets import DataTable

    from ..services.base import Actor
    from ..services.hub import Services

ENTRY_COLUMNS = ("date", "person", "project", "task", "hours", "value", "description")

Summary = tuple[tuple[ContributorSummary, ...], EntryPage]
"""The contributors, and the first entry of everybody listed (for the totals and the owners)."""
Refreshed = tuple[Summary, EntryPage]


@dataclass(frozen=True)
class Target:
    """What an approval or rejection applies to: chosen ids, a contributor, or everyone."""

    words: str
    ids: tuple[int, ...] | None = None
    contributor_id: int | None = None


class ApprovalsScreen(AreaScreen):
    """Contributors with their totals above; the accepted entries of the highlighted one below."""

    TITLE_TEXT = "Approvals"
    HELP = (
        "Accepted entries of your direct staff, summed per contributor; the entries of the "
        "highlighted contributor are listed below (Tab moves between the lists). a approves "
        "and r rejects (a reason is required) the marked entries (space), or with nothing "
        "marked the highlighted entry. A approves and R rejects every listed entry of the "
        "highlighted contributor (or of all of them), asking with their number first. Each "
        "action shows its totals before anything changes. f shows the whole firm, for those "
        "allowed to approve any entry."
    )
    BINDINGS = [
        Binding(keymap.APPROVE, "approve", "Approve"),
        Binding(keymap.APPROVE_ALL, "approve_all", "Approve all"),
        Binding(keymap.REJECT, "reject", "Reject"),
        Binding(keymap.REJECT_ALL, "reject_all", "Reject all"),
        Binding(keymap.MARK, "mark", "Mark"),
        Binding(keymap.FILTER, "firm_wide", "Firm-wide"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
    ]
    DEFAULT_CSS = """
    ApprovalsScreen {
        #scope {
            margin: 0 1;
            color: $text-muted;
        }
        #entries-title {
            margin: 0 1;
        }
        #approval-entries {
            height: 1fr;
        }
    }
    """

    REFRESH_ON: ClassVar[frozenset[str]] = frozenset({"time_entry"})

    def __init__(self, services: Services, actor: Actor) -> None:
        """Approvals for ``actor``."""
        super().__init__(services, actor)
        self._include_all = False
        self._keep = EVERYONE
        self._totals: Totals | None = None

    def compose_body(self) -> ComposeResult:
        """Scope line, contributors, entries, the highlighted entry's details and totals."""
        yield Static("", id="scope", markup=False)
        yield ContributorTable(id="contributors")
        yield Label("", id="entries-title", classes="section-title")
        yield EntryTable(ENTRY_COLUMNS, id="approval-entries")
        yield EntryDetail(id="detail")
        yield EntryTotals(id="totals")

    def on_mount(self) -> None:
        """Load the contributors."""
        super().on_mount()
        self.contributors.focus()
        self.load_summary()

    @property
    def contributors(self) -> ContributorTable:
        """The per-contributor summary."""
        return self.query_one(ContributorTable)

    @property
    def entries(self) -> EntryTable:
        """The accepted entries of the highlighted contributor."""
        return self.query_one("#approval-entries", EntryTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Firm-wide only for those allowed to approve any entry; the rest need entries."""
        if action == "firm_wide":
            return self.actor.may(Perm.TIME_APPROVE_ANY)
        if action in ("approve", "reject", "approve_all", "reject_all"):
            return bool(self._totals and self._totals.entries) or None
        return True

    # --- loading ----------------------------------------------------------------------------

    def load_summary(self) -> None:
        """Load the contributors and the total of all of them."""
        include_all = self._include_all
        scope = "everyone in the firm" if include_all else "your direct staff"
        self.query_one("#scope", Static).update(f"Accepted entries of {scope}.")

        def fetch() -> Summary:
            time = self.services.time
            rows = time.approvals(self.actor, include_all=include_all)
            page = time.approval_entries(self.actor, None, include_all=include_all, limit=1)
            return rows, page

        call_service(self, fetch, self._show_summary, group="summary", exclusive=True)

    def _show_summary(self, summary: Summary) -> None:
        rows, everyone = summary
        self.shown_owners = everyone.owners
        self._keep = self.contributors.show(rows, everyone.totals, self._keep)
        self.load_entries()

    @property
    def _contributor_id(self) -> int | None:
        return None if self._keep == EVERYONE else int(self._keep)

    def load_entries(self, after: tuple[object, ...] | None = None) -> None:
        """Load a page of the highlighted contributor's accepted entries."""
        contributor, include_all = self._contributor_id, self._include_all
        name = self.contributors.names.get(self._keep, "")
        self.query_one("#entries-title", Label).update(f"Accepted entries of {name}")

        def fetch() -> EntryPage:
            return self.services.time.approval_entries(
                self.actor, contributor, include_all=include_all, after=after
            )

        first = after is None
        call_service(
            self,
            fetch,
            lambda page: self._show_entries(page, first),
            group="entries",
            exclusive=True,
        )

    def _show_entries(self, page: EntryPage, first: bool) -> None:
        self.entries.show_page(page, first=first)
        self._totals = page.totals
        self._show_totals()
        self._show_detail()

    def _show_totals(self) -> None:
        self.query_one(EntryTotals).show("Listed", self._totals, len(self.entries.marked))
        self.refresh_bindings()  # the approve and reject keys follow whether entries are listed

    def _show_detail(self) -> None:
        self.query_one(EntryDetail).show(self.entries.current_view)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """A contributor shows their entries; an entry shows its details."""
        if event.data_table.id == "contributors":
            key = event.row_key.value or EVERYONE
            if key != self._keep:
                self._keep = key
                self.load_entries()
        else:
            self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a contributor goes to their entries."""
        if event.data_table.id == "contributors":
            self.entries.focus()

    def on_paged_table_page_wanted(self, event: PagedTable.PageWanted) -> None:
        """The cursor reached the last entry: load the next page."""
        self.load_entries(event.after)

    def action_reload(self) -> None:
        """Read everything again, in place."""
        self.refresh_data()

    def refresh_data(self) -> None:
        """Read the contributors and the entries shown again, in place (someone changed time
        entries, or this screen did), keeping the highlighted contributor, entry and marks."""
        include_all, contributor, keep = self._include_all, self._contributor_id, self._keep
        limit = self.entries.refresh_limit

        def fetch() -> Refreshed:
            time = self.services.time
            rows = time.approvals(self.actor, include_all=include_all)
            everyone = time.approval_entries(self.actor, None, include_all=include_all, limit=1)
            page = time.approval_entries(
                self.actor, contributor, include_all=include_all, limit=limit
            )
            return (rows, everyone), page

        def refreshed(loaded: Refreshed) -> None:
            (rows, everyone), page = loaded
            if include_all != self._include_all:
                return  # the user switched scope meanwhile; that load shows the news
            self.shown_owners = everyone.owners
            self._keep = self.contributors.show(rows, everyone.totals, self._keep)
            if self._keep != keep:
                self.load_entries()  # another contributor is highlighted now
                return
            self.entries.refresh_entries(page)
            self._totals = page.totals
            self._show_totals()
            self._show_detail()

        call_service(self, fetch, refreshed, group="summary", exclusive=True)

    def action_firm_wide(self) -> None:
        """Switch between your direct staff and the whole firm."""
        self._include_all = not self._include_all
        self.shown_owners = None  # until the new scope's load says whose entries
        self._keep = EVERYONE
        self.load_summary()

    def action_mark(self) -> None:
        """Mark or unmark the highlighted entry."""
        if self.entries.has_focus:
            self.entries.toggle_mark()
            self._show_totals()

    # --- approving and rejecting ------------------------------------------------------------

    def _chosen(self) -> Target | None:
        """The marked entries, or the highlighted one; never a whole list."""
        marked = len(self.entries.marked)
        if not marked and not self.entries.has_focus:
            self.notify(
                "Tab to the entries and mark some (space), or act on the highlighted one; "
                "A or R act on every listed entry.",
                title="Which entries?",
                timeout=6,
            )
            return None
        ids = self.entries.chosen_ids()
        if not ids:
            return None
        words = f"the {marked} marked entries" if marked > 1 else "the marked entry"
        return Target(words if marked else "the highlighted entry", ids)

    def _everything(self) -> Target:
        """Every listed entry: the highlighted contributor's, or everyone's."""
        name = self.contributors.names.get(self._keep, "")
        return Target(f"every accepted entry of {name} ({{count}})", None, self._contributor_id)

    def action_approve(self) -> None:
        """Approve the marked entries (or the highlighted one), after a dry run and a question."""
        target = self._chosen()
        if target is not None:
            self._approve(target)

    def action_approve_all(self) -> None:
        """Approve every listed entry, after a dry run and a question naming how many."""
        self._approve(self._everything())

    def _approve(self, target: Target) -> None:
        time, include_all = self.services.time, self._include_all
        ask = BatchQuestion(
            "Approve entries",
            f"Approve {target.words}? They move on to WIP.",
            "Approve",
            "Approved",
        )

        def dry_run() -> BatchResult:
            return time.approve(
                self.actor,
                target.ids,
                contributor_id=target.contributor_id,
                include_all=include_all,
                dry_run=True,
            )

        def apply(ids: tuple[int, ...]) -> BatchResult:
            return time.approve(self.actor, ids, include_all=include_all)

        run_batch(self, partial(call_service, self), ask, dry_run, apply, self._changed)

    def action_reject(self) -> None:
        """Ask why, then reject the marked entries (or the highlighted one)."""
        target = self._chosen()
        if target is not None:
            self._reject(target)

    def action_reject_all(self) -> None:
        """Ask why, then reject every listed entry (the question names how many)."""
        self._reject(self._everything())

    def _reject(self, target: Target) -> None:
        time, include_all = self.services.time, self._include_all
        listed = self._totals.entries if self._totals and target.ids is None else 0
        words = target.words.replace("{count}", f"{listed:,}")
        intro = f"Send {words} back to the Time Report, with this reason."

        def make_form(draft: ReasonDraft, problems: tuple[Problem, ...]) -> FormModal[ReasonDraft]:
            return reason_form(intro, draft, problems)

        def dry_run(draft: ReasonDraft) -> tuple[str, BatchResult]:
            result = time.reject(
                self.actor,
                target.ids,
                reason=draft.reason,
                contributor_id=target.contributor_id,
                include_all=include_all,
                dry_run=True,
            )
            return draft.reason, result

        def confirm(checked: tuple[str, BatchResult]) -> None:
            reason, result = checked
            ask = BatchQuestion(
                "Reject entries",
                f"Reject {target.words}: “{reason.strip()}”?",
                "Reject",
                "Rejected",
            )

            def apply(ids: tuple[int, ...]) -> BatchResult:
                return time.reject(self.actor, ids, reason=reason, include_all=include_all)

            run = partial(call_service, self)
            confirm_and_apply(self, run, ask, result, apply, self._changed)

        edit_in_form(self, make_form, ReasonDraft(), dry_run, confirm)

    def _changed(self, _result: BatchResult) -> None:
        """After an approval or rejection both lists are read again, in place."""
        self.refresh_data()
