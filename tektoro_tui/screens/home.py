"""Home: the signed-in user's dashboard for their role, and where they can go from here.

Administrators and accountants see the firm's money, contractors and compliance; managers see
master invoices, workload and productivity; clients see their portal; everyone else sees their
own pay, hours and tickets. The figures reload by themselves when another session changes
invoices, payments, master invoices, tickets, notifications or compliance documents.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ..domain.permissions import OUTSIDERS, Perm, Role
from ..domain.wording import sentence
from ..errors import Problem
from ..services.administration.views import HomeSummary
from ..services.contractor_invoices.views import MasterInvoiceView
from ..services.payroll.views import ShiftView
from ..widgets import keymap
from ..widgets.dashboard_admin import AdminPanel
from ..widgets.dashboard_client import ClientPanel
from ..widgets.dashboard_common import DashboardPanel
from ..widgets.dashboard_contractor import ContractorPanel
from ..widgets.dashboard_foreman import ForemanPanel
from ..widgets.dashboard_manager import (
    CHOSEN_PERIOD,
    MANAGER_PERIODS,
    ManagerPanel,
    PeriodDraft,
    next_period,
    period_bounds,
    period_modal,
)
from ..widgets.dashboard_pay import OwnPay, OwnPayPanel, read_own_pay
from ..widgets.dialogs.confirm import YesNoDialog
from ..widgets.dialogs.form import FormModal
from ..widgets.pay_parts import marks_text
from .areas import areas_for
from .base import AreaScreen, call_service, edit_in_form, push_dialog
from .messages import AreaWanted, OrganisationNamed

PANELS: dict[str, type[DashboardPanel[Any]]] = {
    "administrator": AdminPanel,
    "manager": ManagerPanel,
    "client": ClientPanel,
    "contractor": ContractorPanel,
    "foreman": ForemanPanel,
}


def dashboard_kind(role: Role) -> str:
    """Which dashboard a role gets (the same choice as ``DashboardService.for_actor``)."""
    if role in (Role.ADMINISTRATOR, Role.ACCOUNTANT):
        return "administrator"
    if role in (Role.MANAGER, Role.CLIENT, Role.FOREMAN):
        return role.value
    return "contractor"


class HomeScreen(AreaScreen):
    """The signed-in user's dashboard and the menu of the screens their role may open."""

    TITLE_TEXT = "Home"
    HELP = (
        "Your dashboard. Contractors: outstanding pay, hours this period against the previous "
        "one (y switches between weeks and months), tickets by status. Managers: master "
        "invoices by status, workload per project and team member, team productivity (y steps "
        "through this/last month and week, Y lets you type any from–to dates). "
        "Administrators: invoiced, paid, outstanding and overdue, contractors' master "
        "invoices, compliance; g generates a contractor's master invoice. Clients: your balance, "
        "open invoices, work being billed and projects. Foremen: your crews' agreements, the "
        "next planned day and the days still to report. Everyone on the payroll sees this "
        "month's working days with their pay; I clocks in (asking for the project), O clocks "
        "out. The figures update by themselves. "
        "Open any screen from the menu (arrows and Enter), with Ctrl+G and its letter, or by "
        "name with Ctrl+P. A warning shows while code presets are missing."
    )
    BINDINGS = [
        Binding(keymap.PERIOD, "next_period", "Period"),
        Binding(keymap.PERIOD_DATES, "choose_period", "Dates"),
        Binding(keymap.GENERATE, "generate", "Generate"),
        Binding(keymap.CLOCK_IN, "clock_in", "Clock in"),
        Binding(keymap.CLOCK_OUT, "clock_out", "Clock out"),
    ]
    DEFAULT_CSS = """
    HomeScreen {
        #home {
            height: auto;
            padding: 0 1;
        }
        #greeting {
            text-style: bold;
        }
        #who {
            color: $text-muted;
        }
        #missing {
            margin: 1 0 0 0;
            padding: 0 1;
            border: round $warning;
            color: $text-warning;
            height: auto;
        }
        #home-panels {
            height: 1fr;
            padding: 0 1;
        }
        #dashboard-scroll {
            width: 1fr;
            height: 1fr;
        }
        #dashboard {
            width: 1fr;
        }
        #menu-box {
            width: 22;
            height: auto;
            max-height: 100%;
            margin-left: 1;
        }
        #menu {
            height: auto;
            max-height: 100%;
            border: none;
        }
    }
    """
    REFRESH_ON = frozenset(
        {
            "invoice",
            "payment",
            "master_invoice",
            "time_entry",
            "notification",
            "contractor_document",
            "work_schedule",
            "daily_report",
            "work_shift",
            "employee_pay",
            "payroll_period",
        }
    )
    OWN_ONLY = frozenset({"work_shift", "employee_pay"})  # the own-pay panel: one's own rows

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """A home screen for the actor's role."""
        super().__init__(*args, **kwargs)
        self.kind = dashboard_kind(self.actor.role)
        if self.kind == "contractor":  # their own hours, tickets and notifications only
            self.shown_owners = frozenset({self.actor.user_id})
        self.contractor_period = "month"
        self.manager_period = MANAGER_PERIODS[0]
        self.manager_dates: PeriodDraft | None = None
        """The dates typed for the manager's period (while ``manager_period`` is chosen)."""
        self.on_payroll = self.actor.role not in OUTSIDERS
        """Whether the user may have pay of their own (the firm's people)."""
        self.own_pay: OwnPay | None = None

    def compose_body(self) -> ComposeResult:
        """Greeting, warnings, the role's dashboard and the menu."""
        with Vertical(id="home"):
            yield Static(sentence(f"Hello, {self.actor.name}"), id="greeting", markup=False)
            yield Static(self.actor.role.label, id="who", markup=False)
            yield Static("", id="missing", markup=False)
        with Horizontal(id="home-panels"):
            with VerticalScroll(id="dashboard-scroll"):
                # one's own pay first for staff; after the firm's figures for the office
                own_first = self.kind == "contractor"
                if self.on_payroll and own_first:
                    yield OwnPayPanel(id="own-pay", classes="panel")
                yield PANELS[self.kind](id="dashboard", classes="panel")
                if self.on_payroll and not own_first:
                    yield OwnPayPanel(id="own-pay", classes="panel")
            with Vertical(id="menu-box", classes="panel"):
                yield Label("Go to · Ctrl+G", classes="panel-title")
                yield OptionList(*self._menu_options(), id="menu")

    def _menu_options(self) -> list[Option]:
        return [
            Option(f"[b]{area.hotkey}[/b]  {area.short}", id=area.key)
            for area in areas_for(self.actor)
            if area.key != "home"
        ]

    @property
    def panel(self) -> DashboardPanel[Any]:
        """The role's dashboard panel."""
        return self.query_one("#dashboard", DashboardPanel)

    RELOAD_ON_RESUME = True

    def on_mount(self) -> None:
        """Focus the menu; the figures load when the screen is shown (``RELOAD_ON_RESUME``)."""
        super().on_mount()
        self.query_one("#menu", OptionList).focus()

    def refresh_data(self) -> None:
        """Shown again, or another session changed something Home shows: read it again."""
        self.load_summary()
        self.load_dashboard()
        self.load_own_pay()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The period key for contractors and managers, the generator for administrators."""
        if action == "next_period":
            return self.kind in ("contractor", "manager")
        if action == "choose_period":
            return self.kind == "manager"
        if action == "generate":
            return self.kind == "administrator" and self.actor.may(Perm.CONTRACTOR_INVOICES)
        if action in ("clock_in", "clock_out"):
            own = self.own_pay
            return own is not None and (own.running is None) == (action == "clock_in")
        return True

    # --- loading -----------------------------------------------------------------------------

    def load_summary(self) -> None:
        """Fetch the organisation's name and the missing presets in a worker."""
        call_service(
            self,
            lambda: self.services.home.summary(self.actor),
            self.show_summary,
            group="summary",
            exclusive=True,
        )

    def show_summary(self, summary: HomeSummary) -> None:
        """Name the organisation and warn about missing code presets."""
        self.post_message(OrganisationNamed(summary.organisation))
        self.query_one("#who", Static).update(f"{summary.organisation} · {summary.role.label}")
        self._show_missing(summary.missing_presets)

    def _show_missing(self, missing: tuple[str, ...]) -> None:
        warning = self.query_one("#missing", Static)
        # only people who enter time cards need the presets
        warning.display = bool(missing) and self.actor.may(Perm.TIME_ENTER)
        hint = (
            " Add them under Code presets (Ctrl+G p)."
            if self.actor.may(Perm.PRESETS_MANAGE)
            else ""
        )
        warning.update(f"Time cards need every code preset. Missing: {', '.join(missing)}.{hint}")

    def load_dashboard(self) -> None:
        """Fetch the role's dashboard in a worker."""
        call_service(self, self._fetch, self.panel.show, group="dashboard", exclusive=True)

    def _fetch(self) -> Any:
        """The role's dashboard (runs in the worker)."""
        dashboards, actor = self.services.dashboards, self.actor
        if self.kind == "administrator":
            return dashboards.administrator(actor)
        if self.kind == "client":
            return dashboards.client(actor)
        if self.kind == "foreman":
            return dashboards.foreman(actor)
        if self.kind == "manager":
            if self.manager_period == CHOSEN_PERIOD and self.manager_dates is not None:
                dates = self.manager_dates
                return dashboards.manager(actor, date_from=dates.date_from, date_to=dates.date_to)
            if self.manager_period == MANAGER_PERIODS[0]:
                return dashboards.manager(actor)
            start, end = period_bounds(self.manager_period, self.services.settings.today())
            return dashboards.manager(actor, date_from=start, date_to=end)
        return dashboards.contractor(actor, period=self.contractor_period)

    def load_own_pay(self) -> None:
        """Fetch this month's own days and the clock's state in a worker."""
        if self.on_payroll:
            call_service(
                self,
                lambda: read_own_pay(self.services, self.actor),
                self._show_own_pay,
                group="own-pay",
                exclusive=True,
            )

    def _show_own_pay(self, own: OwnPay | None) -> None:
        self.own_pay = own
        self.query_one(OwnPayPanel).show(own)
        self.refresh_bindings()

    # --- actions -----------------------------------------------------------------------------

    def action_next_period(self) -> None:
        """Contractors: weeks or months; managers: the next period of the choice."""
        if self.kind == "manager":
            self.manager_period = next_period(self.manager_period)
            self.query_one(ManagerPanel).period_name = self.manager_period
        else:
            self.contractor_period = "week" if self.contractor_period == "month" else "month"
        self.load_dashboard()

    def action_choose_period(self) -> None:
        """Managers: type the first and last day of the period; the service checks them."""
        shown = self.query_one(ManagerPanel).shown_period
        draft = PeriodDraft(*(day.isoformat() for day in shown)) if shown else PeriodDraft("", "")

        def fetch(dates: PeriodDraft) -> Any:
            board = self.services.dashboards.manager(
                self.actor, date_from=dates.date_from, date_to=dates.date_to
            )
            return dates, board

        edit_in_form(self, period_modal, draft, fetch, self._period_chosen)

    def _period_chosen(self, chosen: tuple[PeriodDraft, Any]) -> None:
        """Keep the typed dates (so updates from other sessions reload the same period)."""
        self.manager_dates, board = chosen
        self.manager_period = CHOSEN_PERIOD
        self.workers.cancel_group(self, "dashboard")  # a reload of the old period still running
        panel = self.query_one(ManagerPanel)
        panel.period_name = CHOSEN_PERIOD
        panel.show(board)

    def action_generate(self) -> None:
        """Generate a contractor's master invoice here, over Home (its own key g)."""
        from .master_generator import generate_master_invoice

        generate_master_invoice(self, self.services, self.actor, self._generated)

    def _generated(self, invoice: MasterInvoiceView) -> None:
        self.notify(
            f"{invoice.number} for {invoice.contractor_name} ({invoice.total}) is awaiting "
            "approval in Master invoices (Ctrl+G m).",
            title="Master invoice generated",
            timeout=8,
            markup=False,
        )
        self.load_dashboard()

    def action_clock_in(self) -> None:
        """I: start the working day now, on the project chosen (the shift forms are loaded
        only then, not with every home screen)."""
        from ..widgets.pay_forms import ClockInDraft, Options, clock_in_modal
        from .pay_batch import work_choices

        def open_form(choices: tuple[Options, Options]) -> None:
            def make_form(
                draft: ClockInDraft, problems: tuple[Problem, ...]
            ) -> FormModal[ClockInDraft]:
                return clock_in_modal(*choices, draft, problems)

            def save(draft: ClockInDraft) -> ShiftView:
                return self.services.payroll.clock_in(self.actor, draft.project, draft.work_type)

            edit_in_form(self, make_form, ClockInDraft(), save, self._clocked_in)

        call_service(self, lambda: work_choices(self.services, self.actor), open_form)

    def _clocked_in(self, shift: ShiftView) -> None:
        marks = f" Marked: {marks_text(shift)}." if shift.irregular else ""
        self.notify(
            f"Clocked in at {shift.started_text} on {shift.project}.{marks}",
            title="Clocked in",
            timeout=6,
            markup=False,
        )
        self.load_own_pay()

    def action_clock_out(self) -> None:
        """O: end the running shift now, after asking."""
        own = self.own_pay
        running = own.running if own else None
        if running is None:
            return
        question = (
            f"Clock out now? You clocked in at {running.started_text} on "
            f"{running.shift_date.isoformat()} ({running.project})."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self, lambda: self.services.payroll.clock_out(self.actor), self._clocked_out
                )

        push_dialog(self, YesNoDialog("Clock out", question, "Clock out"), answered)

    def _clocked_out(self, shift: ShiftView) -> None:
        pay = f", {shift.pay}" if shift.pay is not None else ""
        self.notify(
            f"Clocked out: {shift.actual_text} on {shift.project}{pay}.",
            title="Clocked out",
            timeout=6,
            markup=False,
        )
        self.load_own_pay()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen screen."""
        event.stop()
        if event.option.id:
            self.post_message(AreaWanted(event.option.id))
