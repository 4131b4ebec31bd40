"""Pay: one employee's working days over a period, settled, approved and transferred
(DESIGN.md §9, seed 003 "Employee remuneration").

Choose the employee (f) and the dates (y; blank: this month). Every day is listed with its
project, planned and actual times, amount and state; an unsettled day has no actual end and
no amount, an irregular one is red with its reasons. The highlighted day's breakdown (each
bucket's minutes, hourly rate with its supplement, amount) and the period's summary (what is
unsettled, irregular or not approved, totals per project and for the period, what was
transferred) are shown under the list. Payroll approves a day (a) or every settled day (A),
edits a day by hand with a reason (e), adds a shift (n), plans a crew over a range (N), fills
the blanks from the plan (F) and transfers a period to accounting (F9), each written only
after a question or a dry run; the administrator exports the period (x). The second tab is
the supervisor's view: their crew's day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static, TabbedContent, TabPane

from ..domain.permissions import Perm
from ..errors import Problem
from ..services.payroll.views import (
    PayPeriod,
    PersonChoice,
    ShiftView,
)
from ..widgets import keymap
from ..widgets.filter_fields import chosen
from ..widgets.keyed_table import KeyedTable
from ..widgets.pay_parts import (
    CREW_COLUMNS,
    DAY_COLUMNS,
    crew_cells,
    day_breakdown,
    day_cells,
    period_summary,
    person_options,
)
from ..widgets.stable_table import highlighted_key
from .base import AreaScreen, call_service
from .pay_batch import PeriodWork
from .pay_days import DayWork

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

TABS = (("days", "Days"), ("crew", "Crew today"))
SETTLING = frozenset({"new", "plan", "edit", "delete", "approve", "approve_all", "fill"})
"""The actions of ``payroll.settle``, offered on the Days tab."""


class PayScreen(AreaScreen):
    """An employee's days over a period with their pay; the crew's day in the second tab."""

    TITLE_TEXT = "Pay"
    HELP = (
        "Crew pay. Choose the employee (f) and the period (y, then Enter; blank is this "
        "month). Each day shows its project, planned and actual times, amount and state; an "
        "unsettled day has no actual end and no amount; an irregular day is red with its "
        "reasons. Under the list: the highlighted day's breakdown and the period's summary. "
        "Payroll: a approves the highlighted day (an irregular one after accepting it), A "
        "every settled day that is not irregular, e or Enter edits a day by hand with a "
        "reason, n adds a shift, N plans a crew over a range of days, Delete removes a shift "
        "planned by mistake, F fills the blanks from the plan (a dry run first), F9 transfers "
        "a period to accounting (its totals first; then it is locked). x exports the period "
        "to XLSX or CSV. Tab 2 shows your crew's day. Everyone sees their own pay here."
    )
    BINDINGS = [
        Binding(keymap.APPROVE, "approve", "Approve"),
        Binding(keymap.APPROVE_ALL, "approve_all", "Approve all"),
        Binding(keymap.EDIT, "edit", "Edit"),
        Binding(keymap.NEW, "new", "Add"),
        Binding(keymap.PLAN, "plan", "Plan crew"),
        Binding(keymap.FILL, "fill", "Fill"),
        Binding(keymap.FINISH, "transfer", "Transfer"),
        Binding(keymap.EXPORT, "export", "Export"),
        Binding(keymap.DELETE, "delete", "Delete", show=False),
        Binding(keymap.FILTER, "focus_filter", "Employee", show=False),
        Binding(keymap.PERIOD, "edit_dates", "Period", show=False),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
        *[
            Binding(keymap.TABS[number - 1], f"show_tab('{key}')", f"{title} tab", show=False)
            for number, (key, title) in enumerate(TABS, start=1)
        ],
    ]
    REFRESH_ON = frozenset({"work_shift", "payroll_period", "employee_pay", "organisation"})
    DEFAULT_CSS = """
    PayScreen {
        #pay-filters { height: 1; margin: 0 1; }
        #pay-filters > Label { padding: 0 1; }
        #pay-employee { width: 32; }
        #pay-from, #pay-to { width: 14; }
        #pay-from.-invalid, #pay-to.-invalid { background-tint: $error 40%; }
        .pay-hint { width: 1fr; padding: 0 1; color: $text-muted; }
        TabbedContent, TabbedContent > ContentSwitcher { height: 1fr; }
        TabPane { padding: 0; height: 1fr; }
        #pay-days, #pay-crew { height: 1fr; }
        #pay-detail { height: auto; max-height: 9; padding: 0 1; background: $boost; }
        #pay-summary { height: auto; padding: 0 1; text-style: bold; }
        #pay-crew-heading { height: 1; padding: 0 1; text-style: bold; }
        #pay-status { height: auto; max-height: 4; padding: 0 1; background: $boost; }
    }
    """

    def __init__(self, services: Services, actor: Actor) -> None:
        """The screen, empty until the people and the period are read."""
        super().__init__(services, actor)
        self.period: PayPeriod | None = None
        self.people: tuple[PersonChoice, ...] = ()
        """Whom the user may choose (everyone with a pay right, else oneself)."""
        self._shifts: dict[str, ShiftView] = {}
        self.day_work = DayWork(self)
        self.period_work = PeriodWork(self)

    def compose_body(self) -> ComposeResult:
        """The employee and dates, the two tabs and the outcome line."""
        with Horizontal(id="pay-filters"):
            yield Select[str]((), prompt="(employee)", id="pay-employee", compact=True)
            yield Label("From")
            yield Input(placeholder="YYYY-MM-DD", id="pay-from", compact=True)
            yield Label("to")
            yield Input(placeholder="YYYY-MM-DD", id="pay-to", compact=True)
            yield Static("f: person · y: dates", classes="pay-hint")
        with TabbedContent(initial="days"):
            with TabPane("Days", id="days"):
                yield KeyedTable(id="pay-days", cursor_type="row", zebra_stripes=True)
                yield Static("", id="pay-detail", markup=False)
                yield Static("", id="pay-summary", markup=False)
            with TabPane("Crew today", id="crew"):
                yield Static("", id="pay-crew-heading", markup=False)
                yield KeyedTable(id="pay-crew", cursor_type="row", zebra_stripes=True)
        yield Static("", id="pay-status", markup=False)

    def on_mount(self) -> None:
        """Set up the tables; read who may be chosen, then their period."""
        super().on_mount()
        self.query_one("#pay-status", Static).display = False
        self.days.add_columns(*DAY_COLUMNS)
        self.query_one("#pay-crew", KeyedTable).add_columns(*CREW_COLUMNS)
        self.days.focus()
        call_service(self, lambda: self.services.payroll.people(self.actor), self._people_read)
        self.load_crew()

    @property
    def days(self) -> KeyedTable:
        """The list of the period's days."""
        return self.query_one("#pay-days", KeyedTable)

    @property
    def tab(self) -> str:
        """The open tab."""
        tabs = self.query(TabbedContent)
        return (tabs.first().active if tabs else "") or "days"

    @property
    def employee(self) -> PersonChoice | None:
        """The person whose days are shown (None before the people are read)."""
        wanted = chosen(self, "#pay-employee")
        return next((p for p in self.people if str(p.id) == wanted), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Payroll's keys on the Days tab, each for the roles that may use it."""
        on_days = self.tab == "days"
        if action in SETTLING:
            return on_days and self.actor.may(Perm.PAYROLL_SETTLE)
        if action == "transfer":
            return on_days and self.actor.may(Perm.PAYROLL_TRANSFER)
        if action == "export":
            return on_days and self.actor.may(Perm.PAYROLL_EXPORT)
        if action in ("focus_filter", "edit_dates"):
            return on_days
        return True

    # --- reading ------------------------------------------------------------------------------

    def _people_read(self, people: tuple[PersonChoice, ...]) -> None:
        self.people = people
        select = self.query_one("#pay-employee", Select)
        select.set_options(person_options(people))
        own = next((p for p in people if p.id == self.actor.user_id), None)
        first = own or (people[0] if people else None)
        if first is not None:
            select.value = str(first.id)  # its Changed message reads the period

    def on_select_changed(self, event: Select.Changed) -> None:
        """Another employee: read their period."""
        event.stop()
        self.load()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a date: read the period, then back to the list."""
        event.stop()
        self.load()
        self.days.focus()

    def refresh_data(self) -> None:
        """Another session changed shifts, terms or a transfer: read again."""
        self.load()
        self.load_crew()

    def action_reload(self) -> None:
        """Read the period and the crew's day again."""
        self.refresh_data()

    def load(self) -> None:
        """Read the chosen employee's days over the dates typed (blank: this month)."""
        person = self.employee
        if person is None:
            return
        typed = [self.query_one(f"#pay-{name}", Input).value.strip() for name in ("from", "to")]

        def read() -> PayPeriod:
            return self.services.payroll.period(self.actor, person.id, *(t or None for t in typed))

        self._mark_dates(())
        call_service(self, read, self._show, problems=self._mark_dates, group="pay", exclusive=True)

    def _mark_dates(self, problems: tuple[Problem, ...]) -> None:
        bad = {problem.field for problem in problems}
        self.query_one("#pay-from", Input).set_class("date_from" in bad, "-invalid")
        self.query_one("#pay-to", Input).set_class("date_to" in bad, "-invalid")

    def _show(self, period: PayPeriod) -> None:
        self.period = period
        self.query_one("#pay-from", Input).value = period.date_from.isoformat()
        self.query_one("#pay-to", Input).value = period.date_to.isoformat()
        self._shifts = {str(s.id): s for s in period.shifts}
        self.days.show_rows((str(s.id), day_cells(s)) for s in period.shifts)
        self.query_one("#pay-summary", Static).update(period_summary(period))
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        shift = self.highlighted
        detail = self.query_one("#pay-detail", Static)
        detail.update(day_breakdown(shift) if shift else "No work shifts in this period.")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Another day highlighted: show its breakdown."""
        if event.data_table.id == "pay-days":
            self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a day edits it (for payroll)."""
        if event.data_table.id == "pay-days" and self.actor.may(Perm.PAYROLL_SETTLE):
            self.action_edit()

    def load_crew(self) -> None:
        """Read today's shifts of the people the user supervises (and their own)."""
        call_service(
            self,
            lambda: self.services.payroll.crew_day(self.actor),
            self._show_crew,
            group="pay-crew",
            exclusive=True,
        )

    def _show_crew(self, shifts: tuple[ShiftView, ...]) -> None:
        heading = self.query_one("#pay-crew-heading", Static)
        day = shifts[0].shift_date.isoformat() if shifts else ""
        heading.update(
            f"Your crew on {day}: {len(shifts)} shift(s)"
            if shifts
            else "Nobody of your crew has a shift today."
        )
        self.query_one("#pay-crew", KeyedTable).show_rows(
            (str(s.id), crew_cells(s)) for s in shifts
        )

    @property
    def highlighted(self) -> ShiftView | None:
        """The highlighted day of the list."""
        key = highlighted_key(self, "#pay-days")
        return None if key is None else self._shifts.get(key)

    # --- moving around ------------------------------------------------------------------------

    def action_show_tab(self, key: str) -> None:
        """Switch to the tab ``key``."""
        self.query_one(TabbedContent).active = key

    def on_tabbed_content_tab_activated(self, _event: TabbedContent.TabActivated) -> None:
        """Put the cursor in the tab's table and offer its keys."""
        self.query_one("#pay-days" if self.tab == "days" else "#pay-crew", KeyedTable).focus()
        self.refresh_bindings()

    def action_focus_filter(self) -> None:
        """f: choose the employee."""
        self.query_one("#pay-employee", Select).focus()

    def action_edit_dates(self) -> None:
        """y: type the period's first day (Enter applies)."""
        self.query_one("#pay-from", Input).focus()

    def tell(self, text: str, title: str = "") -> None:
        """Say what happened in the outcome line (and as a notification with ``title``)."""
        status = self.query_one("#pay-status", Static)
        status.update(text)
        status.display = True
        if title:
            self.notify(text, title=title, timeout=8, markup=False)

    def saved(self, text: str) -> None:
        """A write went through: say so and read again."""
        self.tell(text, "Pay")
        self.refresh_data()

    # --- keys: single days -----------------------------------------------------------------

    def action_approve(self) -> None:
        """a: approve the highlighted day (an irregular one by accepting its marks)."""
        self.day_work.approve()

    def action_approve_all(self) -> None:
        """A: approve every settled day of the period that is not irregular, after asking."""
        self.day_work.approve_all()

    def action_edit(self) -> None:
        """e: change the highlighted day by hand, with the reason (its version is checked)."""
        self.day_work.edit()

    def action_new(self) -> None:
        """n: add one shift of one employee on one day."""
        self.day_work.add()

    def action_plan(self) -> None:
        """N: plan a crew over a range of working days."""
        self.day_work.plan()

    def action_delete(self) -> None:
        """Delete: remove the highlighted shift planned by mistake, saying why."""
        self.day_work.delete()

    # --- keys: whole periods ---------------------------------------------------------------

    def action_fill(self) -> None:
        """F: fill the blanks of past shifts from their plan, after its dry run."""
        self.period_work.fill()

    def action_transfer(self) -> None:
        """F9: transfer a period to accounting, after its totals (or the days in the way)."""
        self.period_work.transfer()

    def action_export(self) -> None:
        """x: write the period's remuneration to XLSX or CSV, with progress."""
        self.period_work.export()
