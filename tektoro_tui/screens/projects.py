"""Projects as contracts: the project list and one project's tabs (DESIGN.md §9).

The list shows every project the user may see with its valuation, contract with changes,
invoiced, paid, costs, result, progress and status, filtered by what is typed in the bar on
top. Enter opens a project: its invoices (n issues a settlement invoice with the suggestion
explained, t records one issued in another program, o writes the highlighted one's PDF, c
cancels it with a credit note), its costs (n adds, e edits, Delete deletes after asking), its
change orders (n adds, e edits or approves) and its balance with a bar per month.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Select, Static, TabbedContent, TabPane

from ..domain.money import percent_text, sum_money
from ..domain.permissions import Perm
from ..errors import Problem
from ..exports.filenames import safe_filename
from ..services.projects.views import (
    BalanceView,
    ChangeForm,
    ChangeView,
    CostFilter,
    CostForm,
    CostList,
    CostView,
    ExternalForm,
    IssuedSettlement,
    ProjectDetail,
    ProjectFilter,
    ProjectList,
    ProjectRow,
    SettledRow,
    SettlementForm,
    SuggestionView,
)
from ..widgets import keymap
from ..widgets.dialogs.confirm import YesNoDialog
from ..widgets.dialogs.export_choice import choose_format
from ..widgets.dialogs.form import FormModal
from ..widgets.filter_fields import chosen
from ..widgets.keyed_table import KeyedTable
from ..widgets.printer_detail import clipped
from ..widgets.project_parts import (
    CHANGE_COLUMNS,
    COST_COLUMNS,
    INVOICE_COLUMNS,
    PROJECT_COLUMNS,
    balance_text,
    change_cells,
    change_modal,
    cost_cells,
    cost_draft,
    cost_modal,
    external_modal,
    invoice_cells,
    project_cells,
    project_heading,
    settlement_modal,
    settlement_specs,
)
from ..widgets.revenue_export import export_report, exports_folder
from ..widgets.stable_table import highlighted_key
from .base import AreaScreen, call_service, edit_in_form, push_dialog

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

SCREEN_PAGE = 200
"""Projects the list reads at a time (the filter narrows the rest)."""
VALUATION_OPTIONS = (("fixed contract", "fixed"), ("time and material", "tm"))
STATUS_OPTIONS = (("active", "active"), ("on hold", "on_hold"), ("completed", "completed"))

TABS = (
    ("settlements", "Invoices"),
    ("costs", "Costs"),
    ("changes", "Changes"),
    ("balance", "Balance"),
)


class SearchedList(AreaScreen):
    """A list under a one-line filter typed above it, with an outcome line below: what the
    project list and the cost register share. Subclasses name their widgets and read."""

    PREFIX: ClassVar[str] = ""

    def __init__(self, services: Services, actor: Actor) -> None:
        """The list, empty until read."""
        super().__init__(services, actor)
        self._search = ""

    @property
    def table(self) -> KeyedTable:
        """The list."""
        return self.query_one(f"#{self.PREFIX}-list", KeyedTable)

    def load(self) -> None:
        """Read the list under the filter (each screen its own)."""
        raise NotImplementedError

    def refresh_data(self) -> None:
        """Another session changed what the list shows: read it again."""
        self.load()

    def action_reload(self) -> None:
        """Read the list again."""
        self.load()

    def action_focus_filter(self) -> None:
        """Put the cursor in the filter."""
        self.query_one(f"#{self.PREFIX}-filter", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """The filter changed: read the list for it."""
        if event.input.id == f"{self.PREFIX}-filter":
            self._search = event.value
            self.load()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter goes to the list."""
        if event.input.id == f"{self.PREFIX}-filter":
            self.table.focus()

    def _tell(self, text: str, title: str = "") -> None:
        status = self.query_one(f"#{self.PREFIX}-status", Static)
        status.update(text)
        status.display = True
        if title:
            self.notify(text, title=title, timeout=8, markup=False)


class ProjectsScreen(SearchedList):
    """The filter, the list of projects with their figures, and the totals line."""

    TITLE_TEXT = "Projects"
    HELP = (
        "Every project you may see with its contract (with approved changes), what was "
        "invoiced and paid, its costs and result. Type in the filter (f puts the cursor there) "
        "to narrow the list by name, code or client. Enter opens the highlighted project: its "
        "invoices, costs, changes and balance. x exports the list to CSV or XLSX."
    )
    BINDINGS = [
        Binding(keymap.FILTER, "focus_filter", "Filter"),
        Binding(keymap.EXPORT, "export", "Export"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
    ]
    REFRESH_ON = frozenset({"invoice", "payment", "project", "project_cost", "project_change"})
    DEFAULT_CSS = """
    ProjectsScreen {
        #pr-filters { height: 1; margin: 0 1; }
        #pr-filter { width: 1fr; border: none; margin-right: 1; }
        #pr-valuation { width: 22; margin-right: 1; }
        #pr-state { width: 18; }
        #pr-list { height: 1fr; }
        #pr-totals { height: 1; padding: 0 1; text-style: bold; }
        #pr-status { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    }
    """

    PREFIX = "pr"

    def __init__(self, services: Services, actor: Actor) -> None:
        """The list, empty until read."""
        super().__init__(services, actor)
        self._rows: dict[str, ProjectRow] = {}

    def compose_body(self) -> ComposeResult:
        """The filters, the list, the totals and the outcome line."""
        with Horizontal(id="pr-filters"):
            yield Input(
                placeholder="Filter: part of a name, code or client",
                id="pr-filter",
                compact=True,
            )
            yield Select(
                VALUATION_OPTIONS, prompt="(any valuation)", id="pr-valuation", compact=True
            )
            yield Select(STATUS_OPTIONS, prompt="(any status)", id="pr-state", compact=True)
        yield KeyedTable(id="pr-list", cursor_type="row", zebra_stripes=True)
        yield Static("", id="pr-totals", markup=False)
        yield Static("", id="pr-status", markup=False)

    def on_mount(self) -> None:
        """Set up the list and read it."""
        super().on_mount()
        self.query_one("#pr-status", Static).display = False
        self.table.add_columns(*PROJECT_COLUMNS)
        self.table.focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Export only with the permission."""
        if action == "export":
            return self.actor.may(Perm.INVOICE_EXPORT)
        return True

    @property
    def project_filter(self) -> ProjectFilter:
        """The filter as typed and chosen."""
        return ProjectFilter(
            search=self._search,
            valuation=chosen(self, "#pr-valuation") or "",
            status=chosen(self, "#pr-state") or "",
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        """A valuation or status was chosen: read the list for it."""
        event.stop()
        self.load()

    def load(self) -> None:
        """Read the first :data:`SCREEN_PAGE` projects under the filter, in place."""
        flt = self.project_filter
        call_service(
            self,
            lambda: self.services.projects.list(self.actor, flt, limit=SCREEN_PAGE),
            self._show,
            group="pr-list",
            exclusive=True,
        )

    def _show(self, listed: ProjectList) -> None:
        self._rows = {str(row.id): row for row in listed.rows}
        self.table.show_rows((str(row.id), project_cells(row)) for row in listed.rows)
        shown = (
            f"{listed.total} projects"
            if len(listed.rows) == listed.total
            else f"the first {len(listed.rows)} of {listed.total:,} projects (filter to narrow)"
        )
        if not listed.rows:
            self.query_one("#pr-totals", Static).update(shown)
            return
        currency = listed.rows[0].invoiced.currency
        invoiced = sum_money((row.invoiced for row in listed.rows), currency)
        costs = sum_money((row.costs for row in listed.rows), currency)
        self.query_one("#pr-totals", Static).update(
            f"{shown} · invoiced {invoiced.format()} · costs {costs.format()} · result "
            f"{(invoiced - costs).format()} {currency}"
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter: open the highlighted project."""
        key = highlighted_key(self, "#pr-list")
        if key is not None:
            self.app.push_screen(ProjectScreen(self.services, self.actor, int(key)))

    def action_export(self, fmt: str = "") -> None:
        """Export the list to CSV or XLSX."""
        if not fmt:
            choose_format(self, "The projects listed", self.action_export)
            return
        flt = self.project_filter

        def write() -> Path:
            report = self.services.projects.table(self.actor, flt)
            return export_report(report, fmt)

        call_service(self, write, self._written)

    def _written(self, path: Path) -> None:
        self._tell(f"Written to {path}")


class ProjectScreen(AreaScreen):
    """One project: heading, then its invoices, costs, changes and balance in tabs."""

    TITLE_TEXT = "Project"
    HELP = (
        "One project. Tab 1 lists its invoices: n issues a settlement invoice (the net is "
        "suggested and the form shows how), t records an invoice issued in another program, "
        "o writes the highlighted invoice's PDF, c cancels it with a credit note. Tab 2 lists "
        "its costs: n adds one, e edits the highlighted one, Delete deletes it after asking. "
        "Tab 3 lists its change orders: n adds one, e edits or approves it. Tab 4 is its "
        "financial balance with invoiced against costs per month. Escape goes back."
    )
    BINDINGS = [
        Binding(keymap.NEW, "new", "New"),
        Binding(keymap.EDIT, "edit", "Edit"),
        Binding(keymap.DELETE, "delete", "Delete"),
        Binding(keymap.RECORD_EXTERNAL, "record_external", "External invoice"),
        Binding(keymap.OPEN_PDF, "open_pdf", "PDF"),
        Binding(keymap.CREDIT_NOTE, "credit_note", "Credit note"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
        *[
            Binding(keymap.TABS[number - 1], f"show_tab('{key}')", f"{title} tab", show=False)
            for number, (key, title) in enumerate(TABS, start=1)
        ],
    ]
    REFRESH_ON = frozenset({"invoice", "payment", "project", "project_cost", "project_change"})
    DEFAULT_CSS = """
    ProjectScreen {
        #pj-heading { height: auto; max-height: 3; padding: 0 1; text-style: bold; }
        TabbedContent, TabbedContent > ContentSwitcher { height: 1fr; }
        TabPane { padding: 0; height: 1fr; }
        #pj-balance { padding: 0 1; }
        #pj-status { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    }
    """

    def __init__(self, services: Services, actor: Actor, project_id: int) -> None:
        """Project ``project_id``, empty until read."""
        super().__init__(services, actor)
        self.project_id = project_id
        self.detail: ProjectDetail | None = None
        self._costs: dict[str, CostView] = {}
        self._changes: dict[str, ChangeView] = {}

    def compose_body(self) -> ComposeResult:
        """The heading, the four tabs and the outcome line."""
        yield Static("", id="pj-heading", markup=False)
        with TabbedContent(initial="settlements"):
            with TabPane("Invoices", id="settlements"):
                yield KeyedTable(id="pj-invoices", cursor_type="row", zebra_stripes=True)
            with TabPane("Costs", id="costs"):
                yield KeyedTable(id="pj-costs", cursor_type="row", zebra_stripes=True)
            with TabPane("Changes", id="changes"):
                yield KeyedTable(id="pj-changes", cursor_type="row", zebra_stripes=True)
            with TabPane("Balance", id="balance"):
                yield Static("", id="pj-balance", markup=False)
        yield Static("", id="pj-status", markup=False)

    def on_mount(self) -> None:
        """Set up the tables and read the project."""
        super().on_mount()
        self.query_one("#pj-status", Static).display = False
        self.query_one("#pj-invoices", KeyedTable).add_columns(*INVOICE_COLUMNS)
        self.query_one("#pj-costs", KeyedTable).add_columns(*COST_COLUMNS)
        self.query_one("#pj-changes", KeyedTable).add_columns(*CHANGE_COLUMNS)
        self.query_one("#pj-invoices", KeyedTable).focus()
        self.load()

    # --- what is offered where ----------------------------------------------------------------

    @property
    def tab(self) -> str:
        """The open tab."""
        tabs = self.query(TabbedContent)
        return (tabs.first().active if tabs else "") or "settlements"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Each key only on its tab and for the roles that may use it."""
        tab = self.tab
        issue = self.actor.may(Perm.INVOICE_ISSUE)
        costs = self.actor.may(Perm.PROJECT_COSTS)
        offered = {
            "new": (tab == "settlements" and issue) or (tab in ("costs", "changes") and costs),
            "edit": tab in ("costs", "changes") and costs,
            "delete": tab == "costs" and costs,
            "record_external": tab == "settlements" and issue,
            "open_pdf": tab == "settlements" and self.actor.may(Perm.INVOICE_VIEW_ALL),
            "credit_note": tab == "settlements" and issue,
        }
        return offered.get(action, True)

    def action_show_tab(self, key: str) -> None:
        """Switch to the tab ``key``."""
        self.query_one(TabbedContent).active = key

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Put the cursor in the tab's table and offer its keys."""
        tables = {"settlements": "#pj-invoices", "costs": "#pj-costs", "changes": "#pj-changes"}
        if self.tab in tables:
            self.query_one(tables[self.tab], KeyedTable).focus()
        self.refresh_bindings()

    # --- reading ------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        """Another session changed something of the project: read it again."""
        self.load()

    def action_reload(self) -> None:
        """Read the project again."""
        self.load()

    def load(self) -> None:
        """Read the project, its costs and its balance."""
        ident = self.project_id

        def read() -> tuple[ProjectDetail, CostList, BalanceView]:
            detail = self.services.projects.detail(self.actor, ident)
            costs = (
                self.services.costs.list(self.actor, CostFilter(project_id=ident))
                if self.actor.may(Perm.PROJECT_COSTS)
                else CostList((), detail.balance.total_costs)
            )
            return detail, costs, self.services.projects.balance(self.actor, ident)

        call_service(self, read, self._show, group="pj", exclusive=True)

    def _show(self, found: tuple[ProjectDetail, CostList, BalanceView]) -> None:
        detail, costs, balance = found
        self.detail = detail
        self.query_one("#pj-heading", Static).update(
            project_heading(detail.row, detail.next_kinds, detail.project_manager)
        )
        self.query_one("#pj-invoices", KeyedTable).show_rows(
            (str(row.id), invoice_cells(row)) for row in detail.invoices
        )
        self._costs = {str(cost.id): cost for cost in costs.rows}
        self.query_one("#pj-costs", KeyedTable).show_rows(
            (str(cost.id), cost_cells(cost)) for cost in costs.rows
        )
        self._changes = {str(change.number): change for change in detail.changes}
        self.query_one("#pj-changes", KeyedTable).show_rows(
            (str(change.number), change_cells(change)) for change in detail.changes
        )
        self.query_one("#pj-balance", Static).update(balance_text(balance.balance, balance.months))
        self.refresh_bindings()

    def _tell(self, text: str, title: str) -> None:
        status = self.query_one("#pj-status", Static)
        status.update(text)
        status.display = True
        self.notify(text, title=title, timeout=8, markup=False)

    # --- new, edit, delete by tab ---------------------------------------------------------------

    def action_new(self) -> None:
        """n: a settlement invoice, a cost or a change order, by the open tab."""
        {
            "settlements": self._new_invoice,
            "costs": self._new_cost,
            "changes": self._new_change,
        }.get(self.tab, lambda: None)()

    def action_edit(self) -> None:
        """e: edit the highlighted cost or change order."""
        if self.tab == "costs":
            self._edit_cost()
        elif self.tab == "changes":
            self._edit_change()

    def action_delete(self) -> None:
        """Delete: the highlighted cost, after asking."""
        cost = self._current_cost()
        if cost is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self,
                    lambda: self.services.costs.delete(self.actor, cost.id, version=cost.version),
                    lambda gone: self._saved(f"Cost {gone.name} ({gone.amount}) deleted."),
                )

        push_dialog(
            self,
            YesNoDialog("Delete cost", f"Delete {cost.name} ({cost.amount})?", "Delete"),
            answered,
        )

    # --- settlement invoices ----------------------------------------------------------------

    def _new_invoice(self) -> None:
        detail = self.detail
        if detail is None:
            return
        if not detail.next_kinds:
            self._tell(
                "This project takes no settlement invoice now (billed through the time "
                "pipeline, or settled by a total or final invoice).",
                "No invoice",
            )
            return
        kind = detail.next_kinds[0]
        ident = self.project_id

        def read() -> tuple[SuggestionView, tuple[str, ...]]:
            suggestion = self.services.projects.suggest(self.actor, ident, kind)
            return suggestion, self.services.projects.addresses(self.actor, ident)

        call_service(self, read, self._open_invoice_form)

    def _open_invoice_form(self, found: tuple[SuggestionView, tuple[str, ...]]) -> None:
        suggestion, addresses = found
        detail = self.detail
        assert detail is not None
        specs = settlement_specs(detail.next_kinds, detail.row.valuation == "tm", addresses)

        tm = detail.row.valuation == "tm"
        draft = SettlementForm(
            kind=suggestion.kind,
            # time and material: blank takes the suggestion of the period typed in the form
            net="" if tm else str(suggestion.suggestion.net.amount),
            vat_rate=percent_text(suggestion.vat_bp),
            footer=suggestion.footer,
        )
        ident, name = self.project_id, detail.row.name

        def make_form(
            form: SettlementForm, problems: tuple[Problem, ...]
        ) -> FormModal[SettlementForm]:
            return settlement_modal(name, suggestion, specs, form, problems)

        def save(form: SettlementForm) -> IssuedSettlement:
            return self.services.projects.issue(self.actor, ident, form)

        edit_in_form(self, make_form, draft, save, self._issued)

    def _issued(self, result: IssuedSettlement) -> None:
        sent = f" E-mail: {result.sent}." if result.sent else ""
        self._saved(f"Invoice {result.number} issued: gross {result.gross}.{sent}")

    def action_record_external(self) -> None:
        """t: record an invoice issued in another program."""
        detail = self.detail
        if detail is None:
            return
        ident, name = self.project_id, detail.row.name

        def make_form(form: ExternalForm, problems: tuple[Problem, ...]) -> FormModal[ExternalForm]:
            return external_modal(name, form, problems)

        def save(form: ExternalForm) -> IssuedSettlement:
            return self.services.projects.record_external(self.actor, ident, form)

        edit_in_form(
            self,
            make_form,
            ExternalForm(),
            save,
            lambda done: self._saved(f"Recorded {done.number} (external): gross {done.gross}."),
        )

    def _current_invoice(self) -> SettledRow | None:
        key = highlighted_key(self, "#pj-invoices")
        if key is None or self.detail is None:
            return None
        return next((row for row in self.detail.invoices if str(row.id) == key), None)

    def action_open_pdf(self) -> None:
        """o: write the highlighted invoice's PDF (a recorded one's kept PDF) into the exports
        folder."""
        row = self._current_invoice()
        if row is None:
            return
        number, ident, external = row.number, self.project_id, row.external

        def write() -> Path:
            if external:
                return self.services.projects.save_attachment(self.actor, ident, number)
            return self.services.invoices.render(self.actor, number, fmt="pdf")

        call_service(self, write, lambda path: self._tell(f"Written to {path}", "Invoice written"))

    def action_credit_note(self) -> None:
        """c: cancel the highlighted invoice with a credit note, after asking why (a recorded
        one is cancelled by recording the credit note of the program that issued it)."""
        row = self._current_invoice()
        if row is None:
            return
        if row.external:
            self._tell(
                f"{row.number} was issued in another program: record the credit note it "
                "issued (t, with the number it cancels).",
                "Credit note",
            )
            return
        number = row.number
        from ..widgets.client_invoice_parts import CancelDraft
        from ..widgets.dialogs.form import FormModal as Form
        from ..widgets.fields import FieldSpec

        def make_form(draft: CancelDraft, problems: tuple[Problem, ...]) -> Form[CancelDraft]:
            return Form(
                f"Cancel {number}",
                (FieldSpec("reason", "Reason for the credit note"),),
                draft,
                lambda values: CancelDraft(**values),
                problems,
                intro="A credit note cancels the whole unpaid invoice and reopens the project.",
            )

        def save(draft: CancelDraft) -> object:
            return self.services.client_invoices.cancel(self.actor, number, draft.reason)

        edit_in_form(
            self, make_form, CancelDraft(), save, lambda _n: self._saved(f"{number} cancelled.")
        )

    # --- costs ----------------------------------------------------------------------------------

    def _current_cost(self) -> CostView | None:
        key = highlighted_key(self, "#pj-costs")
        return None if key is None else self._costs.get(key)

    def _new_cost(self) -> None:
        key = str(self.project_id)

        def make_form(form: CostForm, problems: tuple[Problem, ...]) -> FormModal[CostForm]:
            return cost_modal("New cost", key, form, problems)

        def save(form: CostForm) -> CostView:
            return self.services.costs.add(self.actor, form)

        edit_in_form(
            self,
            make_form,
            CostForm(project=key, cost_type="material"),
            save,
            lambda cost: self._saved(f"Cost {cost.name} ({cost.amount}) recorded."),
        )

    def _edit_cost(self) -> None:
        cost = self._current_cost()
        if cost is None:
            return
        key = str(self.project_id)

        def make_form(form: CostForm, problems: tuple[Problem, ...]) -> FormModal[CostForm]:
            return cost_modal(f"Edit cost #{cost.id}", key, form, problems)

        def save(form: CostForm) -> CostView:
            return self.services.costs.edit(self.actor, cost.id, form, version=cost.version)

        edit_in_form(
            self,
            make_form,
            cost_draft(cost),
            save,
            lambda saved: self._saved(f"Cost {saved.name} saved ({saved.amount})."),
        )

    # --- change orders ----------------------------------------------------------------------

    def _new_change(self) -> None:
        ident = self.project_id

        def make_form(form: ChangeForm, problems: tuple[Problem, ...]) -> FormModal[ChangeForm]:
            return change_modal("New change", form, problems)

        def save(form: ChangeForm) -> ChangeView:
            return self.services.projects.add_change(self.actor, ident, form)

        edit_in_form(
            self,
            make_form,
            ChangeForm(),
            save,
            lambda change: self._saved(f"Change {change.number} added ({change.amount})."),
        )

    def _edit_change(self) -> None:
        key = highlighted_key(self, "#pj-changes")
        change = None if key is None else self._changes.get(key)
        if change is None:
            return
        ident = self.project_id

        def make_form(form: ChangeForm, problems: tuple[Problem, ...]) -> FormModal[ChangeForm]:
            return change_modal(f"Change {change.number}", form, problems)

        def save(form: ChangeForm) -> ChangeView:
            return self.services.projects.edit_change(
                self.actor, ident, change.number, form, version=change.version
            )

        draft = ChangeForm(
            change.description,
            change.change_date.isoformat(),
            str(change.amount.amount),
            change.approved,
        )
        edit_in_form(
            self,
            make_form,
            draft,
            save,
            lambda saved: self._saved(f"Change {saved.number} saved."),
        )

    def _saved(self, text: str) -> None:
        self._tell(text, "Saved")
        self.load()


class CostsScreen(SearchedList):
    """The cost register of every project the user may see: add, edit, delete, export."""

    TITLE_TEXT = "Project costs"
    HELP = (
        "The costs of every project you may see, newest first: material, salary, equipment "
        "and other. n records a cost (choose its project in the form), e edits the "
        "highlighted one, Delete deletes it after asking, f puts the cursor in the filter "
        "(part of a name, supplier invoice or project), x exports the list to CSV or XLSX. "
        "Costs count in each project's balance and in time-and-material suggestions."
    )
    BINDINGS = [
        Binding(keymap.NEW, "new", "New"),
        Binding(keymap.EDIT, "edit", "Edit"),
        Binding(keymap.DELETE, "delete", "Delete"),
        Binding(keymap.FILTER, "focus_filter", "Filter"),
        Binding(keymap.EXPORT, "export", "Export"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
    ]
    REFRESH_ON = frozenset({"project_cost", "project"})
    DEFAULT_CSS = """
    CostsScreen {
        #co-filter { height: 1; border: none; padding: 0 1; }
        #co-list { height: 1fr; }
        #co-totals { height: 1; padding: 0 1; text-style: bold; }
        #co-status { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    }
    """

    PREFIX = "co"

    def __init__(self, services: Services, actor: Actor) -> None:
        """The register, empty until read."""
        super().__init__(services, actor)
        self._rows: dict[str, CostView] = {}
        self._projects: tuple[tuple[str, str], ...] = ()

    def compose_body(self) -> ComposeResult:
        """The filter, the list, the totals and the outcome line."""
        yield Input(
            placeholder="Filter: part of a name, supplier invoice or project",
            id="co-filter",
            compact=True,
        )
        yield KeyedTable(id="co-list", cursor_type="row", zebra_stripes=True)
        yield Static("", id="co-totals", markup=False)
        yield Static("", id="co-status", markup=False)

    def on_mount(self) -> None:
        """Set up the list and read it."""
        super().on_mount()
        self.query_one("#co-status", Static).display = False
        self.table.add_columns("Project", *COST_COLUMNS)
        self.table.focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Export only with the permission; edit and delete only on a cost."""
        if action == "export":
            return self.actor.may(Perm.INVOICE_EXPORT)
        if action in ("edit", "delete"):
            return self._current() is not None or None
        return True

    def load(self) -> None:
        """Read the newest :data:`SCREEN_PAGE` costs under the filter, in place, with the
        totals of every cost it matches."""
        search = self._search
        call_service(
            self,
            lambda: self.services.costs.list(
                self.actor, CostFilter(search=search), limit=SCREEN_PAGE
            ),
            self._show,
            group="co-list",
            exclusive=True,
        )

    def _show(self, listed: CostList) -> None:
        self._rows = {str(cost.id): cost for cost in listed.rows}
        self.table.show_rows(
            (str(cost.id), (clipped(cost.project_name, 18), *cost_cells(cost)))
            for cost in listed.rows
        )
        by_type = " · ".join(f"{kind} {amount.format()}" for kind, amount in listed.by_type)
        count = listed.total_count
        shown = (
            f"{count} costs"
            if len(listed.rows) == count
            else f"the newest {len(listed.rows)} of {count:,} costs (filter to narrow)"
        )
        self.query_one("#co-totals", Static).update(f"{shown} · {listed.total} · {by_type}")
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Offer edit and delete on a cost."""
        self.refresh_bindings()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        """Enter edits the highlighted cost."""
        self.action_edit()

    def _current(self) -> CostView | None:
        key = highlighted_key(self, "#co-list")
        return None if key is None else self._rows.get(key)

    def _with_projects(self, then: Callable[[tuple[tuple[str, str], ...]], None]) -> None:
        if self._projects:
            then(self._projects)
            return

        def read() -> tuple[tuple[str, str], ...]:
            listed = self.services.projects.list(self.actor, limit=None)
            return tuple((row.name, str(row.id)) for row in listed.rows)

        def got(projects: tuple[tuple[str, str], ...]) -> None:
            self._projects = projects
            then(projects)

        call_service(self, read, got)

    def action_new(self) -> None:
        """n: record a cost, its project chosen in the form."""

        def open_form(projects: tuple[tuple[str, str], ...]) -> None:
            def make_form(form: CostForm, problems: tuple[Problem, ...]) -> FormModal[CostForm]:
                return cost_modal("New cost", "", form, problems, projects)

            def save(form: CostForm) -> CostView:
                return self.services.costs.add(self.actor, form)

            first = projects[0][1] if projects else ""
            edit_in_form(
                self,
                make_form,
                CostForm(project=first, cost_type="material"),
                save,
                self._saved,
            )

        self._with_projects(open_form)

    def action_edit(self) -> None:
        """e: edit the highlighted cost."""
        cost = self._current()
        if cost is None:
            return

        def open_form(projects: tuple[tuple[str, str], ...]) -> None:
            def make_form(form: CostForm, problems: tuple[Problem, ...]) -> FormModal[CostForm]:
                return cost_modal(f"Edit cost #{cost.id}", "", form, problems, projects)

            def save(form: CostForm) -> CostView:
                return self.services.costs.edit(self.actor, cost.id, form, version=cost.version)

            edit_in_form(self, make_form, cost_draft(cost), save, self._saved)

        self._with_projects(open_form)

    def action_delete(self) -> None:
        """Delete: the highlighted cost, after asking."""
        cost = self._current()
        if cost is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self,
                    lambda: self.services.costs.delete(self.actor, cost.id, version=cost.version),
                    lambda gone: self._done(f"Cost {gone.name} ({gone.amount}) deleted."),
                )

        question = f"Delete {cost.name} ({cost.amount}) of {cost.project_name}?"
        push_dialog(self, YesNoDialog("Delete cost", question, "Delete"), answered)

    def _saved(self, cost: CostView) -> None:
        self._done(f"Cost {cost.name} ({cost.amount}) of {cost.project_name} saved.")

    def _done(self, text: str) -> None:
        self._tell(text, "Costs")
        self.load()

    def action_export(self, fmt: str = "") -> None:
        """Export the register as filtered to CSV or XLSX."""
        if not fmt:
            choose_format(self, "The costs listed", self.action_export)
            return
        search = self._search

        def write() -> Path:
            name = safe_filename(f"Project costs As of {self.services.settings.today()}")
            out = exports_folder() / f"{name}.{fmt}"
            return self.services.costs.export(self.actor, fmt, out, CostFilter(search=search))

        call_service(self, write, lambda path: self._tell(f"Written to {path}", "Costs"))
