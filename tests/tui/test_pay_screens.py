"""Crew pay in the TUI: HR plans a week for a crew, the crew clock in and out from their
dashboard, HR fills the blanks from the plan (a dry run first), approves and transfers the
month, exports it, and the transferred days no longer change. Also the HR tab of the Users
screen, a staff member's own pay, and an irregular day drawn in red with its reasons.

On this run's database (SQLite, or PostgreSQL with ``TEKTORO_TEST_DB=postgresql``); the
services' clock is moved by the test. The firm: window 07:00-17:00, day 8 h, over the day
+50 %, outside the window +100 %, no lunch break unless one is set. Ewa earns 40.00 an hour
(60.00 over the day); Tomasz 30.00 with his own +25 % (37.50 over the day). Monday
2024-04-22 to Friday 26 April, 07:00-15:30:

- Ewa, every day 07:00-15:30: 8:00 × 40.00 = 320.00 + 0:30 × 60.00 = 30.00, so 350.00 a
  day; 1,750.00 for the week.
- Tomasz, as planned 07:00-15:30: 8:00 × 30.00 = 240.00 + 0:30 × 37.50 = 18.75, so 258.75;
  on Tuesday he clocks in at 07:20 (20 minutes late: irregular) and never clocks out; the
  end is filled as planned, 07:20-15:30 = 8:10: 240.00 + 0:10 × 37.50 = 6.25, so 246.25.
  The week: 4 × 258.75 + 246.25 = 1,281.25.
- Together 3,031.25.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from textual.widgets import DataTable, Input, Select, Static, TabbedContent

from tektoro_tui.app import TektoroApp
from tektoro_tui.domain.permissions import OUTSIDERS, Role
from tektoro_tui.errors import IllegalTransition
from tektoro_tui.screens.areas import AREAS_BY_KEY
from tektoro_tui.screens.home import HomeScreen
from tektoro_tui.screens.messages import DataChanged
from tektoro_tui.screens.pay import PayScreen
from tektoro_tui.screens.users import UsersScreen
from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm, WorkTypeForm
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.hub import Services
from tektoro_tui.services.payroll.views import ShiftForm, TermsForm
from tektoro_tui.widgets.dashboard_common import FigureTable
from tektoro_tui.widgets.dialogs.confirm import YesNoDialog
from tektoro_tui.widgets.dialogs.export_choice import ExportDialog
from tektoro_tui.widgets.dialogs.form import FormModal
from tektoro_tui.widgets.dialogs.lines import LinesNotice, LinesQuestion
from tests.builders import add_person, connected, make_firm

from .conftest import ADMIN, ADMIN_EMAIL, ADMIN_PASSWORD, STAFF, Firm
from .tuitools import (
    fill,
    highlight,
    invalid_fields,
    keys,
    log_in,
    notifications,
    open_area,
    settle,
    snapshot_steps,
    table_rows,
    text_of,
)

SIZE = (110, 36)
MONDAY = datetime(2024, 4, 22, 6, 30, tzinfo=UTC)
HR = ("hanna@acme.test", "hanna-pass-2024")
EWA = ("ewa@acme.test", "ewa-pass-2024")
TOMASZ = ("tomasz@acme.test", "tomasz-pass-2024")


@dataclass(frozen=True)
class Crew:
    """The firm of these tests, its people and the clock its services read."""

    services: Services
    clock: FixedClock
    admin: Actor
    hr: Actor
    ewa: Actor
    tomasz: Actor


@pytest.fixture
def crew(db_url: str) -> Iterator[Crew]:
    """Acme Builders: Ann (administrator), Hanna (HR, Ewa's supervisor), Ewa and Tomasz
    (staff, each with pay terms from 2024), the projects Warehouse and Office, the type of
    work Roofing; the clock at Monday 2024-04-22 06:30 UTC."""
    clock = FixedClock(MONDAY)
    with connected(db_url, clock) as services:
        admin = make_firm(
            services,
            company="Acme Builders",
            email=ADMIN_EMAIL,
            name="Ann Admin",
            password=ADMIN_PASSWORD,
        )
        hr = add_person(services, admin, "Hanna Hr", "hr", email=HR[0], password=HR[1])
        ewa = add_person(
            services, admin, "Ewa Worker", email=EWA[0], password=EWA[1], supervisor_id=hr.user_id
        )
        tomasz = add_person(services, admin, "Tomasz Roofer", email=TOMASZ[0], password=TOMASZ[1])
        client = services.presets.save_company(admin, CompanyForm(name="Harbour Hotel")).id
        for name in ("Warehouse", "Office"):
            services.presets.save_project(
                admin, ProjectForm(name, client, valuation="tm", start_date="2024-01-01")
            )
        services.presets.save_work_type(admin, WorkTypeForm(name="Roofing"))
        pay = services.payroll
        pay.set_terms(hr, EWA[0], TermsForm(effective_from="2024-01-01", hourly_rate="40"))
        pay.set_terms(
            hr,
            TOMASZ[0],
            TermsForm(effective_from="2024-01-01", hourly_rate="30", over_day="25"),
        )
        yield Crew(services, clock, admin, hr, ewa, tomasz)


async def choose(
    pilot: Any, screen: PayScreen, person: Actor, first: str = "", last: str = ""
) -> None:
    """Show ``person``'s days on the Pay screen (over the dates typed, if any)."""
    if first:
        screen.query_one("#pay-from", Input).value = first
        screen.query_one("#pay-to", Input).value = last
    screen.query_one("#pay-employee", Select).value = str(person.user_id)
    await settle(pilot)


def days_of(screen: PayScreen) -> list[list[str]]:
    """The Pay screen's list as text."""
    return table_rows(screen.days)


def lines_of(app: TektoroApp) -> str:
    """The lines of the open lines dialog."""
    return str(app.screen.query_one("#lines", Static).render())


@pytest.mark.pg_story
async def test_plan_clock_fill_approve_transfer_export_and_freeze(crew: Crew) -> None:
    services, clock = crew.services, crew.clock
    app = TektoroApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        # HR plans the week for the crew
        screen = await open_area(pilot, "y", PayScreen, login=HR)
        await keys(pilot, "N")
        fill(
            app,
            employees=f"{EWA[0]}, {TOMASZ[0]}",
            project="Warehouse",
            shift_date="2024-04-22",
            date_to="2024-04-28",
            planned_start="07:00",
            planned_end="15:30",
        )
        await keys(pilot, "ctrl+s")
        assert "10 shift(s) planned, 4 day(s) left out." in text_of(app, "#pay-status")
        assert "a day off (Saturday)" in text_of(app, "#pay-status")
        await choose(pilot, screen, crew.ewa)
        assert [(row[0], row[2], row[3], row[4], row[5]) for row in days_of(screen)] == [
            (f"2024-04-{day} {name}", "07:00-15:30", "", "", "unsettled")
            for day, name in (("22", "Mon"), ("23", "Tue"), ("24", "Wed"), ("25", "Thu"),
                              ("26", "Fri"))
        ]  # fmt: skip

        # Ewa clocks in at 07:00 and out at 15:30 from her dashboard
        clock.current = datetime(2024, 4, 22, 7, 0, tzinfo=UTC)
        await log_in(pilot, *EWA)
        assert isinstance(app.screen, HomeScreen)
        assert len(app.screen.query_one("#own-days", FigureTable).cell_texts()) == 5
        await keys(pilot, "I")
        fill(app, project="Warehouse")
        await keys(pilot, "ctrl+s")
        assert ("Clocked in", "Clocked in at 07:00 on Warehouse.", "information") in (
            notifications(app)
        )
        clock.advance(hours=8, minutes=30)
        await keys(pilot, "O")
        assert isinstance(app.screen, YesNoDialog)
        await keys(pilot, "y")
        own = app.screen.query_one("#own-days", FigureTable).cell_texts()
        assert own[0] == ["2024-04-22 Mon", "Warehouse", "07:00-15:30", "350.00", "settled"]
        assert "350.00 EUR for 8:30 h, 4 unsettled. Not clocked in" in text_of(
            app, "#own-pay-total"
        )

        # Tomasz clocks in 20 minutes late on Tuesday and never clocks out
        clock.current = datetime(2024, 4, 23, 7, 20, tzinfo=UTC)
        await log_in(pilot, *TOMASZ)
        await keys(pilot, "I")
        fill(app, project="Warehouse")
        await keys(pilot, "ctrl+s")
        assert any("start +0:20 from plan" in n[1] for n in notifications(app))

        # a fortnight later HR settles April
        clock.current = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
        await log_in(pilot, *HR)
        screen = await open_area(pilot, "y", PayScreen)
        await choose(pilot, screen, crew.tomasz, "2024-04-01", "2024-04-30")
        tuesday = next(row for row in days_of(screen) if row[0].startswith("2024-04-23"))
        assert tuesday[3:6] == ["07:20-", "", "unsettled"]
        assert "no clock-out" in tuesday[6] and "start +0:20 from plan" in tuesday[6]

        # nothing can be transferred yet: the days in the way are listed
        await keys(pilot, "f9")
        assert isinstance(app.screen, FormModal)
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, LinesNotice)
        refusal = lines_of(app)
        assert "Tomasz Roofer 2024-04-23 (Warehouse): not settled (no actual end)" in refusal
        assert "Ewa Worker 2024-04-22 (Warehouse): not approved" in refusal
        await keys(pilot, "escape")

        # batch fill: the missing end, dry run first, then written (Tomasz's days only)
        await keys(pilot, "F")
        fill(app, everyone=False)
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, LinesQuestion)
        assert lines_of(app).split() == [
            "Tomasz", "Roofer", "2024-04-23", "Warehouse", "07:20-", "->", "07:20-15:30",
        ]  # fmt: skip
        assert services.payroll.open_shift(crew.tomasz) is not None  # the dry run wrote nothing
        await keys(pilot, "y")
        assert "1 shift(s) filled from the plan." in text_of(app, "#pay-status")
        assert services.payroll.open_shift(crew.tomasz) is None
        # then both times of the days nobody clocked
        await keys(pilot, "F")
        fill(app, mode="Start and end as planned where both are missing")
        await keys(pilot, "ctrl+s")
        assert "8 shift(s) to fill" in text_of(app, "#lines-totals")
        await keys(pilot, "y")
        assert [row[4] for row in days_of(screen)] == [
            "258.75", "246.25", "258.75", "258.75", "258.75",
        ]  # fmt: skip

        # approve: every regular day at once, the late Tuesday after accepting it
        await keys(pilot, "A", "y")
        status = text_of(app, "#pay-status")
        assert "4 day(s) approved." in status and "irregular: start +0:20 from plan" in status
        assert screen.period is not None
        tuesday_id = next(str(s.id) for s in screen.period.shifts if s.shift_date.day == 23)
        await highlight(pilot, screen.days, tuesday_id)
        assert "Irregular: start +0:20 from plan" in text_of(app, "#pay-detail")
        await keys(pilot, "a")
        assert isinstance(app.screen, YesNoDialog)
        await keys(pilot, "y")
        assert "1 day(s) approved." in text_of(app, "#pay-status")
        assert [row[5] for row in days_of(screen)] == ["approved"] * 5
        await choose(pilot, screen, crew.ewa)
        await keys(pilot, "A", "y")
        assert "5 day(s) approved." in text_of(app, "#pay-status")
        assert "Period total 1,750.00 EUR" in text_of(app, "#pay-summary")

        # transfer April: the totals first, then the lock
        await keys(pilot, "f9", "ctrl+s")
        assert isinstance(app.screen, LinesQuestion)
        preview = lines_of(app)
        assert "Ewa Worker" in preview and "1,750.00" in preview
        assert "Tomasz Roofer" in preview and "1,281.25" in preview
        assert "2 employee(s), total 3,031.25 EUR" in text_of(app, "#lines-totals")
        await keys(pilot, "y")
        assert "The period is locked." in text_of(app, "#pay-status")
        assert "Transferred to accounting: 2024-04-01 to 2024-04-30 (1,750.00 EUR)" in text_of(
            app, "#pay-summary"
        )

        # HR may not export; the administrator does, to XLSX
        assert screen.check_action("export", ()) is False
        await log_in(pilot, *ADMIN)
        screen = await open_area(pilot, "y", PayScreen)
        await choose(pilot, screen, crew.tomasz, "2024-04-01", "2024-04-30")
        await keys(pilot, "x")
        assert isinstance(app.screen, ExportDialog)
        await keys(pilot, "x")
        written = text_of(app, "#pay-status").removeprefix("Written to ").strip()
        book = load_workbook(Path(written), read_only=True)
        assert book.sheetnames == ["Remuneration", "Totals"]
        rows = list(book["Remuneration"].iter_rows(min_row=4, values_only=True))
        assert [(r[0], str(r[2])[:10], float(r[11])) for r in rows[:-1]] == [
            *(("Ewa Worker", f"2024-04-{day}", 350.0) for day in range(22, 27)),
            ("Tomasz Roofer", "2024-04-22", 258.75),
            ("Tomasz Roofer", "2024-04-23", 246.25),
            *(("Tomasz Roofer", f"2024-04-{day}", 258.75) for day in range(24, 27)),
        ]
        assert float(rows[-1][11]) == 3031.25
        totals = list(book["Totals"].iter_rows(min_row=4, values_only=True))
        assert [(r[0], float(r[10])) for r in totals] == [
            ("Ewa Worker", 1750.0),
            ("Tomasz Roofer", 1281.25),
            ("Total", 3031.25),
        ]

        # the transferred days are frozen: the edit is refused with the reason
        await highlight(pilot, screen.days, tuesday_id)
        await keys(pilot, "e")
        assert isinstance(app.screen, PayScreen), "no form opens on a transferred day"
        assert "settlement is possible only until the pay is transferred" in text_of(
            app, "#pay-status"
        )
    with pytest.raises(IllegalTransition, match="only until the pay is transferred"):
        services.payroll.edit(
            crew.admin, int(tuesday_id), ShiftForm(actual_end="16:00", reason="late")
        )


# --- the HR tab ---------------------------------------------------------------------------------


async def test_the_hr_tab_saves_terms_from_a_date_and_names_every_bad_field(crew: Crew) -> None:
    """Ewa's terms: 40.00 from 2024-01-01; HR saves 45.00 with +60 % over the day and 55.00
    for roofing from 1 May. A change someone saved meanwhile is not overwritten."""
    pay = crew.services.payroll
    app = TektoroApp(services=crew.services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(pilot, "u", UsersScreen, login=HR)
        await highlight(pilot, screen.users_table, str(crew.ewa.user_id))
        await keys(pilot, "2")
        assert screen.query_one(TabbedContent).active == "hr"
        assert "Pay terms of Ewa Worker (ewa@acme.test)" in text_of(app, "#hr-heading")
        assert table_rows(app, "#hr-terms") == [
            ["2024-01-01", "40.00", "firm's", "firm's", "no", ""]
        ]
        await keys(pilot, "n")
        fill(
            app,
            effective_from="2024-13-01",
            hourly_rate="abc",
            over_day="-5",
            outside_window="lots",
            rates="Plumbing=10",
        )
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, FormModal), "the form stays up with its problems"
        bad = invalid_fields(app)
        assert set(bad) == {"effective_from", "hourly_rate", "over_day", "outside_window", "rates"}
        assert "Plumbing" in bad["rates"]
        assert len(pay.terms(crew.hr, EWA[0])) == 1, "nothing is saved"
        fill(
            app,
            effective_from="2024-05-01",
            hourly_rate="45",
            over_day="60",
            outside_window="",
            rates="Roofing=55",
        )
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, UsersScreen)
        assert table_rows(app, "#hr-terms") == [
            ["2024-05-01", "45.00", "+60 %", "firm's", "no", "Roofing=55.00"],
            ["2024-01-01", "40.00", "firm's", "firm's", "no", ""],
        ]

        # e changes the highlighted terms, against the version read
        may_terms = pay.terms(crew.hr, EWA[0])[0]
        await highlight(pilot, app.screen.query_one("#hr-terms", DataTable), str(may_terms.id))
        await keys(pilot, "e")
        pay.set_terms(crew.admin, EWA[0], TermsForm(effective_from="2024-05-01", hourly_rate="47"))
        fill(app, hourly_rate="46")
        await keys(pilot, "ctrl+s")
        form = app.screen
        assert isinstance(form, FormModal) and form.stale, "the stale save is refused"
        assert pay.terms(crew.hr, EWA[0])[0].hourly_rate.format() == "47.00"
        await keys(pilot, "escape")
        if isinstance(app.screen, YesNoDialog):  # the typed change is thrown away
            await keys(pilot, "y")
        await keys(pilot, "f5")
        assert table_rows(app, "#hr-terms")[0][1] == "47.00"

        # Ewa sees her own terms, read-only
        await log_in(pilot, *EWA)
        screen = await open_area(pilot, "u", UsersScreen)
        await keys(pilot, "2")
        assert table_rows(app, "#hr-terms")[0][:2] == ["2024-05-01", "47.00"]
        assert "Read-only" in text_of(app, "#hr-hint")
        assert screen.check_action("new", ()) is False
        assert screen.check_action("edit", ()) is False


# --- what a staff member sees -------------------------------------------------------------------


def _planned_fortnight(crew: Crew) -> None:
    """Ewa and Tomasz 07:00-15:30 from Monday 8 to Friday 19 April (entered afterwards:
    settled as planned), and both planned for today."""
    crew.services.payroll.plan(
        crew.hr,
        ShiftForm(
            employees=f"{EWA[0]}, {TOMASZ[0]}", project="Warehouse", shift_date="2024-04-08",
            date_to="2024-04-22", planned_start="07:00", planned_end="15:30",
        ),
    )  # fmt: skip


async def test_a_staff_member_sees_only_their_own_pay(crew: Crew) -> None:
    """Ewa's ten past days at 350.00 are 3,500.00 with today's planned day unsettled; she
    cannot choose anyone else nor settle, and Tomasz's pay appears nowhere."""
    _planned_fortnight(crew)
    app = TektoroApp(services=crew.services)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, *EWA)
        own = app.screen.query_one("#own-days", FigureTable).cell_texts()
        assert len(own) == 11 and own[-1] == ["2024-04-22 Mon", "Warehouse", "—", "", "unsettled"]
        assert "3,500.00 EUR for 85:00 h, 1 unsettled." in text_of(app, "#own-pay-total")
        screen = await open_area(pilot, "y", PayScreen)
        employee = screen.query_one("#pay-employee", Select)
        assert [label for label, _ in employee._options if label] == ["Ewa Worker"]
        assert {row[5] for row in days_of(screen)} == {"settled", "unsettled"}
        assert "Period total 3,500.00 EUR" in text_of(app, "#pay-summary")
        for action in ("approve", "approve_all", "edit", "new", "plan", "fill", "transfer",
                       "export", "delete"):  # fmt: skip
            assert screen.check_action(action, ()) is False, action
        await keys(pilot, "a", "e", "N", "F", "f9", "x")
        assert isinstance(app.screen, PayScreen), "no key of payroll does anything"
        await keys(pilot, "2")
        assert [row[0] for row in table_rows(app, "#pay-crew")] == ["Ewa Worker"]
        assert "Tomasz" not in "\n".join(str(w.render()) for w in app.screen.query(Static))

        # her supervisor sees her on the crew's day
        await log_in(pilot, *HR)
        await open_area(pilot, "y", PayScreen)
        await keys(pilot, "2")
        assert [row[0] for row in table_rows(app, "#pay-crew")] == ["Ewa Worker"]


# --- irregular days -----------------------------------------------------------------------------


async def test_an_irregular_day_is_red_with_its_reasons_until_accepted(crew: Crew) -> None:
    """Ewa worked Saturday 20 April 08:00-13:00 (a day off: all outside the window at 80.00,
    400.00) and started Tuesday 16 April at 07:40 instead of 07:00 (07:40-15:30 = 7:50 at
    40.00, 313.33)."""
    pay = crew.services.payroll
    saturday = pay.add(
        crew.hr,
        ShiftForm(
            employees=EWA[0], project="Office", shift_date="2024-04-20",
            planned_start="08:00", planned_end="13:00",
        ),
    )  # fmt: skip
    late = pay.add(
        crew.hr,
        ShiftForm(
            employees=EWA[0], project="Warehouse", shift_date="2024-04-16",
            planned_start="07:00", planned_end="15:30", actual_start="07:40",
            actual_end="15:30",
        ),
    )  # fmt: skip
    regular = pay.add(
        crew.hr,
        ShiftForm(
            employees=EWA[0], project="Warehouse", shift_date="2024-04-17",
            planned_start="07:00", planned_end="15:30",
        ),
    )  # fmt: skip
    app = TektoroApp(services=crew.services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(pilot, "y", PayScreen, login=HR)
        await choose(pilot, screen, crew.ewa)
        rows = {row[0][:10]: row for row in days_of(screen)}
        assert rows["2024-04-20"][4:] == ["400.00", "irregular", "work on a day off (Saturday)"]
        assert rows["2024-04-16"][4:] == ["313.33", "irregular", "start +0:40 from plan"]
        assert rows["2024-04-17"][4:] == ["350.00", "settled", ""]

        def styles(shift_id: int) -> set[str]:
            return {str(cell.style) for cell in screen.days.get_row(str(shift_id))}

        assert styles(saturday.id) >= {"red", "bold red"}
        assert "red" not in " ".join(styles(regular.id))
        await highlight(pilot, screen.days, str(late.id))
        assert "Irregular: start +0:40 from plan" in text_of(app, "#pay-detail")
        assert "1 unsettled" not in text_of(app, "#pay-summary")
        assert "2 irregular" in text_of(app, "#pay-summary")

        # approving it asks to accept it; then it is no longer red
        await keys(pilot, "a")
        question = app.screen
        assert isinstance(question, YesNoDialog)
        assert "is irregular: start +0:40 from plan" in str(
            question.query_one("#question", Static).render()
        )
        await keys(pilot, "y")
        assert table_rows(screen.days)[0][5:] == ["approved", "accepted: start +0:40 from plan"]
        assert "red" not in " ".join(styles(late.id))
        assert "1 irregular" in text_of(app, "#pay-summary")


# --- shifts by hand ------------------------------------------------------------------------------


async def test_a_shift_is_added_edited_with_a_reason_and_deleted(crew: Crew) -> None:
    """Ewa on Thursday 18 April, entered afterwards 07:00-15:30: 350.00; stayed until 16:30
    by the foreman's report: 8:00 × 40.00 + 1:30 × 60.00 = 410.00."""
    pay = crew.services.payroll
    app = TektoroApp(services=crew.services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(pilot, "y", PayScreen, login=HR)
        await choose(pilot, screen, crew.ewa)
        await keys(pilot, "n")
        fill(app, employees="Ewa Worker", shift_date="2024-02-30", planned_start="25:00",
             lunch="300")  # fmt: skip
        await keys(pilot, "ctrl+s")
        bad = invalid_fields(app)
        assert set(bad) == {"project", "shift_date", "planned_start", "lunch"}, bad
        assert bad["lunch"] == "must be a whole number from 0 to 240"
        fill(app, project="Warehouse", shift_date="2024-04-18", planned_start="07:00",
             planned_end="15:30", lunch="")  # fmt: skip
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, PayScreen)
        assert "Ewa Worker 2024-04-18 Thu: 07:00-15:30, 350.00 EUR." in text_of(app, "#pay-status")

        await keys(pilot, "e")
        fill(app, actual_end="16:30")
        await keys(pilot, "ctrl+s")
        assert invalid_fields(app) == {"reason": "is required"}
        fill(app, reason="foreman's report: stayed to unload")
        await keys(pilot, "ctrl+s")
        assert days_of(screen)[0][3:5] == ["07:00-16:30", "410.00"]
        assert "Note: foreman's report: stayed to unload" in text_of(app, "#pay-detail")

        await keys(pilot, "delete")
        fill(app, reason="entered twice")
        await keys(pilot, "ctrl+s")
        assert days_of(screen) == []
    assert pay.period(crew.hr, EWA[0]).shifts == ()


# --- who is offered the Pay screen, and how it looks --------------------------------------------


def test_the_pay_area_is_offered_to_the_firm_and_not_to_outsiders() -> None:
    """Everyone of the firm sees their own pay there; a client's user or a foreman never."""
    pay_area = AREAS_BY_KEY["pay"]

    def actor(role: Role) -> Actor:
        return Actor(1, "x@example.com", "X", role)

    assert all(pay_area.open_to(actor(role)) for role in Role if role not in OUTSIDERS)
    assert not any(pay_area.open_to(actor(role)) for role in OUTSIDERS)


def test_pay_snapshot(stocked_firm: Firm, snap_compare: Any) -> None:
    """Sam's May 2024 at 25.00 an hour: Wednesday to Friday 07:00-15:30 as planned (8:00 ×
    25.00 + 0:30 × 37.50 = 218.75 a day), Saturday 08:00-12:00 red (a day off: 4:00 at 50.00
    = 200.00), today planned and unsettled."""
    services, admin = stocked_firm.services, stocked_firm.admin
    pay = services.payroll
    pay.set_terms(admin, STAFF[0], TermsForm(effective_from="2024-01-01", hourly_rate="25"))
    pay.plan(
        admin,
        ShiftForm(
            employees=STAFF[0], project="Harbour refit", shift_date="2024-05-01",
            date_to="2024-05-06", planned_start="07:00", planned_end="15:30",
        ),
    )  # fmt: skip
    pay.add(
        admin,
        ShiftForm(
            employees=STAFF[0], project="Harbour refit", shift_date="2024-05-04",
            planned_start="08:00", planned_end="12:00",
        ),
    )  # fmt: skip
    app = TektoroApp(services=services)
    assert snap_compare(
        app, terminal_size=(100, 30), run_before=snapshot_steps("ctrl+g", "y", login=STAFF)
    )


async def test_home_reads_again_for_ones_own_pay_not_for_everyones(crew: Crew) -> None:
    """Hanna's home shows the firm's figures and her own pay: a change to Ewa's shifts or
    terms (a clock-in anywhere on the site) is no reason to read it all again; her own, a
    transfer of a period, or an invoice are."""
    app = TektoroApp(services=crew.services)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, *HR)
        home = app.screen
        assert isinstance(home, HomeScreen)
        ewa, hanna = crew.ewa.user_id, crew.hr.user_id

        def concerned(*touched: tuple[str, int | None]) -> bool:
            return home.concerned_by(DataChanged.of(frozenset(touched)))

        assert not concerned(("work_shift", ewa), ("employee_pay", ewa))
        assert concerned(("work_shift", hanna))
        assert concerned(("payroll_period", None))
        assert concerned(("work_shift", ewa), ("invoice", None))
