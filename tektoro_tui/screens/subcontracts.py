"""Subcontracting agreements: the list and one agreement's tabs (DESIGN.md §9).

The list shows the "Active" agreements or those whose "Contractual work completed", with their
contract amount, paid so far and what remains, narrowed by the text typed above it (number,
scope, project, subcontractor), by kind and by an overdue deadline. n makes an agreement, Enter
opens one: its schedule beside the daily reports (n plans days), the reports (n enters one, e
corrects the highlighted one), the settlement stages (p settles a stage, from any tab), and its
terms and files (e edits the agreement, n keeps a file with it, o writes the highlighted file
out). A foreman sees only the agreements of the crews they lead, and only their reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Select, Static, TabbedContent, TabPane

from ..domain.money import optional_percent_text
from ..domain.permissions import Perm
from ..domain.timeparse import clock_text
from ..errors import Problem
from ..services.subcontracts.views import (
    AgreementDetail,
    AgreementFilter,
    AgreementForm,
    AgreementList,
    AgreementRow,
    AttachmentView,
    PlanResult,
    ReportForm,
    ReportView,
    ScheduleForm,
    ScheduleView,
    StageForm,
    StageResult,
)
from ..widgets import keymap
from ..widgets.dialogs.export_choice import choose_format
from ..widgets.dialogs.form import FormModal
from ..widgets.filter_fields import chosen
from ..widgets.keyed_table import KeyedTable
from ..widgets.revenue_export import export_report
from ..widgets.stable_table import highlighted_key
from ..widgets.subcontract_parts import (
    AGREEMENT_COLUMNS,
    DAY_COLUMNS,
    FILE_COLUMNS,
    REPORT_COLUMNS,
    STAGE_COLUMNS,
    FileDraft,
    agreement_cells,
    agreement_draft,
    agreement_modal,
    agreement_specs,
    day_cells,
    file_modal,
    heading,
    plan_modal,
    report_cells,
    report_draft,
    report_modal,
    stage_cells,
    stage_modal,
    terms_text,
)
from .base import AreaScreen, call_service, edit_in_form
from .projects import SearchedList

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

SCREEN_PAGE = 200
STATUS_OPTIONS = (
    ("Active", "active"),
    ("Contractual work completed", "completed"),
    ("All", "all"),
)
KIND_OPTIONS = (("time and material", "yes"), ("fixed amount", "no"))
DEADLINE_OPTIONS = (("overdue deadline", "overdue"),)
TABS = (
    ("schedule", "Schedule"),
    ("reports", "Reports"),
    ("stages", "Settlements"),
    ("terms", "Terms and files"),
)
WATCHED = frozenset(
    {
        "subcontract_agreement",
        "subcontract_settlement",
        "subcontract_attachment",
        "work_schedule",
        "daily_report",
    }
)
Options = tuple[tuple[str, str], ...]


class SubcontractsScreen(SearchedList):
    """The filters, the agreements with their money, and the totals line."""

    TITLE_TEXT = "Subcontracts"
    HELP = (
        "Subcontracting agreements: the active ones, or those whose contractual work is "
        "completed (choose above), with the contract amount, what was paid and what remains. "
        "Type in the filter (f) to narrow by number, scope, project or subcontractor; choose "
        "a kind or overdue deadlines. n makes an agreement, Enter opens the highlighted one, "
        "x exports the list to CSV or XLSX."
    )
    BINDINGS = [
        Binding(keymap.NEW, "new", "New"),
        Binding(keymap.FILTER, "focus_filter", "Filter"),
        Binding(keymap.EXPORT, "export", "Export"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
    ]
    REFRESH_ON = WATCHED | {"project", "company"}
    DEFAULT_CSS = """
    SubcontractsScreen {
        #sc-filters { height: 1; margin: 0 1; }
        #sc-filter { width: 1fr; border: none; margin-right: 1; }
        #sc-state { width: 30; margin-right: 1; }
        #sc-kind { width: 22; margin-right: 1; }
        #sc-late { width: 20; }
        #sc-list { height: 1fr; }
        #sc-totals { height: 1; padding: 0 1; text-style: bold; }
        #sc-status { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    }
    """

    PREFIX = "sc"

    def __init__(self, services: Services, actor: Actor) -> None:
        """The list, empty until read."""
        super().__init__(services, actor)
        self._rows: dict[str, AgreementRow] = {}

    def compose_body(self) -> ComposeResult:
        """The filters, the list, the totals and the outcome line."""
        with Horizontal(id="sc-filters"):
            yield Input(
                placeholder="Filter: number, scope, project or subcontractor",
                id="sc-filter",
                compact=True,
            )
            yield Select(
                STATUS_OPTIONS, value="active", allow_blank=False, id="sc-state", compact=True
            )
            yield Select(KIND_OPTIONS, prompt="(any kind)", id="sc-kind", compact=True)
            yield Select(DEADLINE_OPTIONS, prompt="(any deadline)", id="sc-late", compact=True)
        yield KeyedTable(id="sc-list", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sc-totals", markup=False)
        yield Static("", id="sc-status", markup=False)

    def on_mount(self) -> None:
        """Set up the list and read it."""
        super().on_mount()
        self.query_one("#sc-status", Static).display = False
        self.table.add_columns(*AGREEMENT_COLUMNS)
        self.table.focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Make agreements and export only with the permissions."""
        if action == "new":
            return self.actor.may(Perm.SUBCONTRACT_CREATE)
        if action == "export":
            return self.actor.may(Perm.INVOICE_EXPORT)
        return True

    @property
    def agreement_filter(self) -> AgreementFilter:
        """The filter as typed and chosen."""
        kind = chosen(self, "#sc-kind")
        return AgreementFilter(
            status=chosen(self, "#sc-state") or "active",
            time_and_material=None if not kind else kind == "yes",
            overdue=chosen(self, "#sc-late") == "overdue",
            search=self._search,
            limit=SCREEN_PAGE,
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        """A status, kind or deadline was chosen: read the list for it."""
        event.stop()
        self.load()

    def load(self) -> None:
        """Read the first :data:`SCREEN_PAGE` agreements under the filter, in place."""
        flt = self.agreement_filter
        call_service(
            self,
            lambda: self.services.subcontracts.list(self.actor, flt),
            self._show,
            group="sc-list",
            exclusive=True,
        )

    def _show(self, listed: AgreementList) -> None:
        self._rows = {row.number: row for row in listed.rows}
        self.table.show_rows((row.number, agreement_cells(row)) for row in listed.rows)
        shown = (
            f"{listed.total} agreements"
            if len(listed.rows) == listed.total
            else f"the first {len(listed.rows)} of {listed.total:,} agreements (filter to narrow)"
        )
        self.query_one("#sc-totals", Static).update(
            f"{shown} · contract {listed.contract_amount.format()} · paid "
            f"{listed.paid.format()} · remaining {listed.remaining.format()} "
            f"{listed.remaining.currency}"
        )

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        """Enter: open the highlighted agreement."""
        key = highlighted_key(self, "#sc-list")
        if key is not None:
            self.app.push_screen(SubcontractScreen(self.services, self.actor, key))

    def action_new(self) -> None:
        """n: make an agreement."""
        call_service(self, lambda: self.services.subcontracts.choices(self.actor), self._new)

    def _new(self, choices: tuple[Options, Options]) -> None:
        specs = agreement_specs(*choices)

        def make_form(
            form: AgreementForm, problems: tuple[Problem, ...]
        ) -> FormModal[AgreementForm]:
            return agreement_modal("New subcontracting agreement", specs, form, problems)

        def save(form: AgreementForm) -> AgreementDetail:
            return self.services.subcontracts.add(self.actor, form)

        def made(detail: AgreementDetail) -> None:
            self._tell(f"Agreement {detail.row.number} made.", "Subcontracts")
            self.load()
            self.app.push_screen(SubcontractScreen(self.services, self.actor, detail.row.number))

        edit_in_form(self, make_form, AgreementForm(time_and_material="no"), save, made)

    def action_export(self, fmt: str = "") -> None:
        """Export the agreements as filtered to CSV or XLSX."""
        if not fmt:
            choose_format(self, "The agreements listed", self.action_export)
            return
        flt = AgreementFilter(**{**self.agreement_filter.__dict__, "limit": 0})

        def write() -> Path:
            return export_report(self.services.subcontracts.table(self.actor, flt), fmt)

        call_service(self, write, lambda path: self._tell(f"Written to {path}", "Subcontracts"))


class SubcontractScreen(AreaScreen):
    """One agreement: heading, then its schedule, reports, settlements and terms in tabs."""

    TITLE_TEXT = "Subcontract"
    HELP = (
        "One subcontracting agreement. Tab 1, the schedule: each planned or reported day, the "
        "plan beside the report, differences marked (another headcount, start or end more "
        "than 15 minutes off, a report without a plan); n plans one day or a range of working "
        "days, e changes the highlighted day's plan. Tab 2, the daily reports with their "
        "amounts: n enters one, e corrects the "
        "highlighted one until its day is settled. Tab 3, the settlement stages; p settles a "
        "stage from any tab. Tab 4, the terms and kept files: e edits the agreement, n keeps a "
        "file with it (the signed contract), o writes the highlighted file out. Escape goes "
        "back."
    )
    BINDINGS = [
        Binding(keymap.NEW, "new", "New"),
        Binding(keymap.EDIT, "edit", "Edit"),
        Binding(keymap.PAY, "settle", "Settle"),
        Binding(keymap.OPEN_PDF, "open_file", "Write file"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
        *[
            Binding(keymap.TABS[number - 1], f"show_tab('{key}')", f"{title} tab", show=False)
            for number, (key, title) in enumerate(TABS, start=1)
        ],
    ]
    REFRESH_ON = WATCHED
    DEFAULT_CSS = """
    SubcontractScreen {
        #sa-heading { height: auto; max-height: 3; padding: 0 1; text-style: bold; }
        TabbedContent, TabbedContent > ContentSwitcher { height: 1fr; }
        TabPane { padding: 0; height: 1fr; }
        #sa-terms { height: auto; padding: 0 1; }
        #sa-files { height: 1fr; }
        #sa-status { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    }
    """

    def __init__(self, services: Services, actor: Actor, number: str) -> None:
        """Agreement ``number``, empty until read."""
        super().__init__(services, actor)
        self.number = number
        self.detail: AgreementDetail | None = None
        self._reports: dict[str, ReportView] = {}
        self._files: dict[str, AttachmentView] = {}

    def compose_body(self) -> ComposeResult:
        """The heading, the four tabs and the outcome line."""
        yield Static("", id="sa-heading", markup=False)
        with TabbedContent(initial="schedule"):
            with TabPane("Schedule", id="schedule"):
                yield KeyedTable(id="sa-days", cursor_type="row", zebra_stripes=True)
            with TabPane("Reports", id="reports"):
                yield KeyedTable(id="sa-reports", cursor_type="row", zebra_stripes=True)
            with TabPane("Settlements", id="stages"):
                yield KeyedTable(id="sa-stages", cursor_type="row", zebra_stripes=True)
            with TabPane("Terms and files", id="terms"):
                yield Static("", id="sa-terms", markup=False)
                yield KeyedTable(id="sa-files", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sa-status", markup=False)

    def on_mount(self) -> None:
        """Set up the tables and read the agreement."""
        super().on_mount()
        self.query_one("#sa-status", Static).display = False
        self.query_one("#sa-days", KeyedTable).add_columns(*DAY_COLUMNS)
        self.query_one("#sa-reports", KeyedTable).add_columns(*REPORT_COLUMNS)
        self.query_one("#sa-stages", KeyedTable).add_columns(*STAGE_COLUMNS)
        self.query_one("#sa-files", KeyedTable).add_columns(*FILE_COLUMNS)
        self.query_one("#sa-days", KeyedTable).focus()
        self.load()

    # --- what is offered where ----------------------------------------------------------------

    @property
    def tab(self) -> str:
        """The open tab."""
        tabs = self.query(TabbedContent)
        return (tabs.first().active if tabs else "") or "schedule"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Each key only on its tab and for the roles that may use it."""
        tab = self.tab
        create = self.actor.may(Perm.SUBCONTRACT_CREATE)
        report = self.actor.may(Perm.SUBCONTRACT_REPORT)
        offered = {
            "new": (tab in ("schedule", "terms") and create) or (tab == "reports" and report),
            "edit": (tab == "reports" and report) or (tab in ("schedule", "terms") and create),
            "settle": self.actor.may(Perm.SUBCONTRACT_SETTLE),
            "open_file": tab == "terms",
        }
        return offered.get(action, True)

    def action_show_tab(self, key: str) -> None:
        """Switch to the tab ``key``."""
        self.query_one(TabbedContent).active = key

    def on_tabbed_content_tab_activated(self, _event: TabbedContent.TabActivated) -> None:
        """Put the cursor in the tab's table and offer its keys."""
        tables = {
            "schedule": "#sa-days",
            "reports": "#sa-reports",
            "stages": "#sa-stages",
            "terms": "#sa-files",
        }
        if self.tab in tables:
            self.query_one(tables[self.tab], KeyedTable).focus()
        self.refresh_bindings()

    # --- reading ------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        """Another session changed something of the agreement: read it again."""
        self.load()

    def action_reload(self) -> None:
        """Read the agreement again."""
        self.load()

    def load(self) -> None:
        """Read the agreement with its schedule, reports, stages and files."""
        number = self.number

        call_service(
            self,
            lambda: self.services.subcontracts.detail(self.actor, number),
            self._show,
            group="sa",
            exclusive=True,
        )

    def _show(self, detail: AgreementDetail) -> None:
        reports = detail.reports
        self.detail = detail
        self.query_one("#sa-heading", Static).update(heading(detail))
        self.query_one("#sa-days", KeyedTable).show_rows(
            (f"{day.work_date}/{day.foreman}", day_cells(day)) for day in detail.days
        )
        self._reports = {str(report.id): report for report in reports}
        self.query_one("#sa-reports", KeyedTable).show_rows(
            (str(report.id), report_cells(report)) for report in reports
        )
        self.query_one("#sa-stages", KeyedTable).show_rows(
            (str(stage.stage), stage_cells(stage)) for stage in detail.stages
        )
        self.query_one("#sa-terms", Static).update(terms_text(detail))
        self._files = {str(f.id): f for f in detail.attachments}
        self.query_one("#sa-files", KeyedTable).show_rows(
            (
                str(f.id),
                (f.file_name, f"{f.size_bytes:,} B", f.added_by, f.sha256[:16] + "…"),
            )
            for f in detail.attachments
        )
        self.refresh_bindings()

    def _tell(self, text: str, title: str) -> None:
        status = self.query_one("#sa-status", Static)
        status.update(text)
        status.display = True
        self.notify(text, title=title, timeout=8, markup=False)

    def _saved(self, text: str) -> None:
        self._tell(text, "Saved")
        self.load()

    # --- keys ---------------------------------------------------------------------------------

    def action_new(self) -> None:
        """n: plan days, enter a report or keep a file, by the open tab."""
        {
            "schedule": self._plan,
            "reports": self._new_report,
            "terms": self._keep_file,
        }.get(self.tab, lambda: None)()

    def action_edit(self) -> None:
        """e: change the highlighted day's plan, correct the highlighted report, or edit the
        agreement's terms."""
        if self.tab == "schedule":
            self._edit_plan()
        elif self.tab == "reports":
            self._edit_report()
        elif self.tab == "terms":
            self._edit_terms()

    def _edit_plan(self) -> None:
        key = highlighted_key(self, "#sa-days")
        detail = self.detail
        if key is None or detail is None:
            return
        day = next((d for d in detail.days if f"{d.work_date}/{d.foreman}" == key), None)
        plan = day.plan if day is not None else None
        if plan is None:
            self._tell("This day was reported without a plan: plan it with n.", "No plan")
            return
        number = self.number

        def open_form(types: Options, foremen: Options) -> None:
            def make_form(
                form: ScheduleForm, problems: tuple[Problem, ...]
            ) -> FormModal[ScheduleForm]:
                return plan_modal(number, types, foremen, form, problems)

            def save(form: ScheduleForm) -> ScheduleView:
                return self.services.subcontracts.edit_schedule(
                    self.actor, plan.id, form, version=plan.version
                )

            type_id = next((ident for name, ident in types if name == plan.work_type), "")
            draft = ScheduleForm(
                work_date=plan.work_date.isoformat(),
                planned_start=clock_text(plan.planned_start),
                planned_end=clock_text(plan.planned_end),
                work_type=type_id,
                foreman=str(plan.foreman_contact_id),
                planned_headcount=str(plan.planned_headcount),
                custom_rates="yes" if plan.custom_rates else "no",
                over_day=optional_percent_text(plan.over_day_bp),
                outside_window=optional_percent_text(plan.outside_window_bp),
                note=plan.note,
            )
            edit_in_form(
                self,
                make_form,
                draft,
                save,
                lambda saved: self._saved(f"The plan of {saved.work_date} saved."),
            )

        self._with_choices(open_form)

    def _with_choices(self, then: Any) -> None:
        number = self.number

        def read() -> tuple[Options, Options]:
            subs = self.services.subcontracts
            types = tuple((name, str(ident)) for ident, name in subs.work_types(self.actor))
            people = tuple((name, str(ident)) for ident, name in subs.foremen(self.actor, number))
            return types, people

        call_service(self, read, lambda found: then(*found))

    def _plan(self) -> None:
        number = self.number

        def open_form(types: Options, foremen: Options) -> None:
            def make_form(
                form: ScheduleForm, problems: tuple[Problem, ...]
            ) -> FormModal[ScheduleForm]:
                return plan_modal(number, types, foremen, form, problems)

            def save(form: ScheduleForm) -> PlanResult | ScheduleView:
                subs = self.services.subcontracts
                if form.date_to.strip():
                    return subs.plan(self.actor, number, form)
                return subs.add_schedule(self.actor, number, form)

            def done(result: PlanResult | ScheduleView) -> None:
                if isinstance(result, PlanResult):
                    skipped = f", {len(result.skipped)} left out" if result.skipped else ""
                    self._saved(f"{len(result.created)} days planned{skipped}.")
                else:
                    self._saved(f"{result.work_date} planned for {result.foreman}.")

            edit_in_form(self, make_form, ScheduleForm(planned_start="07:00"), save, done)

        self._with_choices(open_form)

    def _new_report(self) -> None:
        number = self.number
        foreman_login = not self.actor.may(Perm.SUBCONTRACT_CREATE)

        def open_form(types: Options, foremen: Options) -> None:
            def make_form(form: ReportForm, problems: tuple[Problem, ...]) -> FormModal[ReportForm]:
                return report_modal(number, types, () if foreman_login else foremen, form, problems)

            def save(form: ReportForm) -> ReportView:
                return self.services.subcontracts.add_report(self.actor, number, form)

            edit_in_form(
                self,
                make_form,
                ReportForm(actual_start="07:00"),
                save,
                lambda made: self._saved(
                    f"Report of {made.report_date} ({made.foreman}) entered: {made.amount}."
                ),
            )

        self._with_choices(open_form)

    def _edit_report(self) -> None:
        key = highlighted_key(self, "#sa-reports")
        report = None if key is None else self._reports.get(key)
        if report is None:
            return
        if report.settled:
            self._tell(
                f"The report of {report.report_date} is settled: a settlement stage is dated "
                "on or after it. A mistake is put right in the next stage.",
                "Settled",
            )
            return
        number = self.number

        def open_form(types: Options, _foremen: Options) -> None:
            def make_form(form: ReportForm, problems: tuple[Problem, ...]) -> FormModal[ReportForm]:
                return report_modal(number, types, (), form, problems, editing=True)

            def save(form: ReportForm) -> ReportView:
                return self.services.subcontracts.edit_report(
                    self.actor, report.id, form, version=report.version
                )

            edit_in_form(
                self,
                make_form,
                report_draft(report),
                save,
                lambda saved: self._saved(
                    f"Report of {saved.report_date} corrected: {saved.amount}."
                ),
            )

        self._with_choices(open_form)

    def _edit_terms(self) -> None:
        detail = self.detail
        if detail is None:
            return
        number, version = self.number, detail.row.version

        def open_form(choices: tuple[Options, Options]) -> None:
            specs = agreement_specs(*choices)

            def make_form(
                form: AgreementForm, problems: tuple[Problem, ...]
            ) -> FormModal[AgreementForm]:
                return agreement_modal(f"Edit {number}", specs, form, problems)

            def save(form: AgreementForm) -> AgreementDetail:
                return self.services.subcontracts.edit(self.actor, number, form, version=version)

            edit_in_form(
                self,
                make_form,
                agreement_draft(detail),
                save,
                lambda saved: self._saved(f"Agreement {saved.row.number} saved."),
            )

        call_service(self, lambda: self.services.subcontracts.choices(self.actor), open_form)

    def action_settle(self) -> None:
        """p: settle a stage (paid amount, date, description, the two switches)."""
        detail = self.detail
        if detail is None:
            return
        number, row = self.number, detail.row

        def make_form(form: StageForm, problems: tuple[Problem, ...]) -> FormModal[StageForm]:
            return stage_modal(row, form, problems)

        def save(form: StageForm) -> StageResult:
            return self.services.subcontracts.settle(self.actor, number, form)

        def done(result: StageResult) -> None:
            after = result.agreement
            self._saved(
                f"Stage {result.stage.stage} settled: {result.stage.paid}; paid so far "
                f"{after.paid}, remaining {after.remaining}."
            )

        edit_in_form(self, make_form, StageForm(), save, done)

    def _keep_file(self) -> None:
        number = self.number

        def make_form(draft: FileDraft, problems: tuple[Problem, ...]) -> FormModal[FileDraft]:
            return file_modal(number, draft, problems)

        def save(draft: FileDraft) -> AttachmentView:
            from ..errors import ValidationError

            path = Path(draft.path.strip()).expanduser()
            if not draft.path.strip() or not path.is_file():
                raise ValidationError([Problem("path", "must be the path of a readable file")])
            return self.services.subcontracts.attach(
                self.actor, number, path.name, path.read_bytes()
            )

        edit_in_form(
            self,
            make_form,
            FileDraft(),
            save,
            lambda kept: self._saved(f"Kept {kept.file_name} ({kept.size_bytes:,} bytes)."),
        )

    def action_open_file(self) -> None:
        """o: write the highlighted kept file into the exports folder."""
        key = highlighted_key(self, "#sa-files")
        if key is None:
            return
        number, ident = self.number, int(key)

        def write() -> Path:
            from ..exports.filenames import safe_filename
            from ..paths import ensure_dir, exports_dir
            from ..services.base import write_file

            name, content = self.services.subcontracts.attachment(self.actor, number, ident)
            return write_file(ensure_dir(exports_dir()) / safe_filename(name), content)

        call_service(self, write, lambda path: self._tell(f"Written to {path}", "File written"))
