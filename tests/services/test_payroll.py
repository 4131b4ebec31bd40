"""Crew pay: pay terms, shifts, the pay of a day by hand, batch fill, approval, the payroll lock.

Every amount is worked out by hand in the test's docstring. The clock stands at Tuesday
2026-03-10 09:30 (UTC, the firm's zone); the working window is 07:00-17:00, the day 8 h, over
the day +50 %, outside the window +100 % (DESIGN.md §9). Ewa's standard rate is 40.00 an hour
(over the day 60.00, outside 80.00); Tomasz has 30.00, his own +25 % / +75 % and 50.00 for
roofing. March 2026: the 2nd is a Monday; the 7th and 8th a weekend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select, text, update

from tektoro_tui.data import models as m
from tektoro_tui.domain.money import Money
from tektoro_tui.errors import (
    IllegalTransition,
    LedgerError,
    NotFound,
    PermissionDenied,
    StaleEdit,
    ValidationError,
)
from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm, WorkTypeForm
from tektoro_tui.services.administration.settings import SettingsForm
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tektoro_tui.services.payroll.views import ShiftForm, TermsForm
from tests.builders import add_person, set_organisation


def eur(text_: str) -> Money:
    return Money.parse(text_, "EUR")


@dataclass
class Crew:
    services: Services
    admin: Actor
    hr: Actor
    manager: Actor
    accountant: Actor
    ewa: Actor
    tomasz: Actor
    outsider: Actor  # staff without any pay right, not Ewa's supervisor


@pytest.fixture
def crew(services: Services, admin: Actor) -> Crew:
    set_organisation(
        services,
        workday_start_minute=7 * 60,
        workday_end_minute=17 * 60,
        day_length_minutes=8 * 60,
        overtime_over_day_bp=5000,
        overtime_outside_window_bp=10000,
    )
    services.settings.update(admin, SettingsForm(holidays="2026-03-03 Test Day"))
    hr = add_person(services, admin, "Hanna Hr", "hr")
    manager = add_person(services, admin, "Mona Manager", "manager")
    accountant = add_person(services, admin, "Adam Accountant", "accountant")
    ewa = add_person(services, admin, "Ewa Worker", "staff", supervisor_id=manager.user_id)
    tomasz = add_person(services, admin, "Tomasz Roofer", "staff")
    outsider = add_person(services, admin, "Olek Other", "staff")
    presets = services.presets
    client = presets.save_company(admin, CompanyForm(name="Acme Build", kind="client")).id
    for name in ("Warehouse", "Office"):
        presets.save_project(
            admin, ProjectForm(name, client, valuation="tm", start_date="2026-01-01")
        )
    for name in ("Bricklaying", "Roofing"):
        presets.save_work_type(admin, WorkTypeForm(name=name))
    pay = services.payroll
    pay.set_terms(hr, "ewa@example.com", TermsForm(effective_from="2026-01-01", hourly_rate="40"))
    pay.set_terms(
        hr,
        "tomasz@example.com",
        TermsForm(
            effective_from="2026-01-01",
            hourly_rate="30",
            over_day="25",
            outside_window="75",
            rates="Roofing=50.00",
        ),
    )
    return Crew(services, admin, hr, manager, accountant, ewa, tomasz, outsider)


def shift(crew: Crew, day: str, start: str, end: str, who: str = "ewa@example.com", **extra: str):  # type: ignore[no-untyped-def]
    form = ShiftForm(
        employees=who,
        project=extra.pop("project", "Warehouse"),
        shift_date=day,
        planned_start=start,
        planned_end=end,
        **extra,
    )
    return crew.services.payroll.add(crew.hr, form)


def buckets(view) -> dict[str, tuple[int, Money]]:  # type: ignore[no-untyped-def]
    return {b.name: (b.minutes, b.amount) for b in view.buckets}


def assert_check(services: Services) -> None:
    report = run_check(services.db)
    assert report.ok, report.lines()


# --- the pay of a day, by hand ---------------------------------------------------------------


def test_the_seeds_example(crew: Crew) -> None:
    """07:00-15:30 on Monday 2 March, entered afterwards (actual = planned): 8:00 at 40.00 =
    320.00 and 0:30 over the day at 60.00 = 30.00; the day's pay 350.00."""
    view = shift(crew, "2026-03-02", "07:00", "15:30")
    assert (view.actual_start, view.actual_end) == (7 * 60, 15 * 60 + 30)
    assert buckets(view) == {
        "standard": (480, eur("320.00")),
        "over the day length": (30, eur("30.00")),
    }
    assert view.pay == eur("350.00")
    assert view.irregular == ()
    assert_check(crew.services)


def test_a_start_before_the_window(crew: Crew) -> None:
    """05:00-13:00: 05:00-07:00 outside at 80.00 = 160.00; 07:00-13:00 is 6 h standard =
    240.00; 400.00."""
    view = shift(crew, "2026-03-02", "05:00", "13:00")
    assert buckets(view) == {
        "standard": (360, eur("240.00")),
        "outside the window": (120, eur("160.00")),
    }
    assert view.pay == eur("400.00")


def test_an_end_after_the_window(crew: Crew) -> None:
    """08:00-19:00: 08:00-17:00 is 9 h inside, 8 h standard = 320.00 and 1 h over the day =
    60.00; 17:00-19:00 outside = 160.00; 540.00."""
    view = shift(crew, "2026-03-04", "08:00", "19:00")
    assert buckets(view) == {
        "standard": (480, eur("320.00")),
        "over the day length": (60, eur("60.00")),
        "outside the window": (120, eur("160.00")),
    }
    assert view.pay == eur("540.00")


def test_lunch_is_unpaid(crew: Crew) -> None:
    """07:00-16:00 with 30 minutes of lunch: 8:30 paid inside the window, 8:00 standard =
    320.00 and 0:30 over the day = 30.00; 350.00."""
    view = shift(crew, "2026-03-05", "07:00", "16:00", lunch="30")
    assert buckets(view) == {
        "standard": (480, eur("320.00")),
        "over the day length": (30, eur("30.00")),
    }
    assert view.pay == eur("350.00")


def test_a_night_shift_over_midnight_belongs_to_its_start_date(crew: Crew) -> None:
    """Wednesday 4 March 22:00 to Thursday 06:00: 8 h, all outside the window (the next
    morning's window opens at 07:00) at 80.00 = 640.00, on the 4th."""
    view = shift(crew, "2026-03-04", "22:00", "06:00")
    assert view.shift_date == date(2026, 3, 4)
    assert (view.actual_start, view.actual_end) == (22 * 60, 30 * 60)
    assert view.actual_text == "22:00-06:00+1"
    assert buckets(view) == {"outside the window": (480, eur("640.00"))}
    assert view.pay == eur("640.00")


def test_a_holiday_is_paid_at_the_outside_rate_and_marked(crew: Crew) -> None:
    """Tuesday 3 March is a holiday: no working window, so 07:00-15:00 is 8 h at 80.00 =
    640.00, marked as work on a holiday."""
    view = shift(crew, "2026-03-03", "07:00", "15:00")
    assert buckets(view) == {"outside the window": (480, eur("640.00"))}
    assert view.pay == eur("640.00")
    assert view.irregular == ("work on a holiday (Test Day)",)


def test_own_rates_and_a_rate_for_a_type_of_work(crew: Crew) -> None:
    """Tomasz roofing 06:00-17:30 at 50.00 with his own +25 % / +75 %: 07:00-17:00 is 10 h
    inside, 8 h standard = 400.00 and 2 h over the day at 62.50 = 125.00; 06:00-07:00 and
    17:00-17:30 are 1:30 outside at 87.50 = 131.25; 656.25."""
    view = shift(
        crew, "2026-03-02", "06:00", "17:30", who="tomasz@example.com", work_type="Roofing"
    )
    assert buckets(view) == {
        "standard": (480, eur("400.00")),
        "over the day length": (120, eur("125.00")),
        "outside the window": (90, eur("131.25")),
    }
    assert view.pay == eur("656.25")
    bricks = shift(
        crew, "2026-03-04", "07:00", "15:00", who="tomasz@example.com", work_type="Bricklaying"
    )
    assert bricks.pay == eur("240.00")  # his standard 30.00 for a type without its own rate


def test_two_shifts_of_a_day_count_towards_one_day_length(crew: Crew) -> None:
    """07:00-12:00 on the warehouse (5 h standard = 200.00), then 12:30-17:00 at the office:
    3 h left of the day length = 120.00, 1:30 over the day = 90.00; the day 410.00."""
    first = shift(crew, "2026-03-05", "07:00", "12:00")
    second = shift(crew, "2026-03-05", "12:30", "17:00", project="Office")
    assert first.pay == eur("200.00")
    assert buckets(second) == {
        "standard": (180, eur("120.00")),
        "over the day length": (90, eur("90.00")),
    }
    period = crew.services.payroll.period(crew.hr, "ewa@example.com", "2026-03-01", "2026-03-31")
    assert period.total == eur("410.00")
    by_project = {
        ("Office" if "Office" in p.project else "Warehouse"): p for p in period.by_project
    }
    assert by_project["Warehouse"].amount == eur("200.00")
    assert (by_project["Office"].minutes, by_project["Office"].amount) == (270, eur("210.00"))


def test_cents_are_rounded_half_up_per_bucket(crew: Crew) -> None:
    """Rate 33.35: 07:00-07:20 is 20 minutes = 11.116... -> 11.12; 17:00-17:10 outside at
    66.70 is 11.116... -> 11.12; the day 22.24 (the buckets summed, not the day rounded)."""
    crew.services.payroll.set_terms(
        crew.hr, "ewa@example.com", TermsForm(effective_from="2026-03-06", hourly_rate="33.35")
    )
    view = shift(crew, "2026-03-06", "07:00", "07:20")
    assert view.pay == eur("11.12")
    later = shift(crew, "2026-03-06", "17:00", "17:10", project="Office")
    assert later.pay == eur("11.12")


# --- terms ------------------------------------------------------------------------------------


def test_a_new_rate_reprices_later_unpaid_shifts_and_withdraws_their_approval(crew: Crew) -> None:
    """Ewa at 40.00: 07:00-15:00 on the 2nd and the 5th = 320.00 each. A raise to 45.00 from
    the 4th prices the 5th at 360.00 and withdraws its approval; the 2nd keeps 320.00."""
    pay = crew.services.payroll
    early = shift(crew, "2026-03-02", "07:00", "15:00")
    late = shift(crew, "2026-03-05", "07:00", "15:00")
    pay.approve(crew.hr, [early.id, late.id])
    pay.set_terms(
        crew.hr, "ewa@example.com", TermsForm(effective_from="2026-03-04", hourly_rate="45")
    )
    assert pay.shift(crew.hr, early.id).pay == eur("320.00")
    again = pay.shift(crew.hr, late.id)
    assert again.pay == eur("360.00")
    assert not again.approved
    assert pay.shift(crew.hr, early.id).approved
    history = pay.terms(crew.hr, "ewa@example.com")
    assert [t.effective_from for t in history] == [date(2026, 3, 4), date(2026, 1, 1)]


def test_only_hr_and_the_administrator_edit_rates(crew: Crew) -> None:
    form = TermsForm(effective_from="2026-03-01", hourly_rate="50")
    for who in (crew.manager, crew.accountant, crew.ewa):
        with pytest.raises(PermissionDenied):
            crew.services.payroll.set_terms(who, "ewa@example.com", form)
    crew.services.payroll.set_terms(crew.admin, "ewa@example.com", form)


def test_bad_terms_name_every_field(crew: Crew) -> None:
    with pytest.raises(ValidationError) as caught:
        crew.services.payroll.set_terms(
            crew.hr,
            "ewa@example.com",
            TermsForm(
                effective_from="31.02.2026",
                hourly_rate="abc",
                over_day="-5",
                outside_window="2000",
                external="maybe",
                rates="Plumbing=10",
            ),
        )
    fields = {p.field for p in caught.value.problems}
    assert fields >= {
        "effective_from",
        "hourly_rate",
        "over_day",
        "outside_window",
        "external",
        "rates",
    }


def test_an_external_is_never_planned(crew: Crew) -> None:
    pay = crew.services.payroll
    pay.set_terms(
        crew.hr, "tomasz@example.com", TermsForm(effective_from="2026-03-09", external="yes")
    )
    with pytest.raises(ValidationError) as caught:
        shift(crew, "2026-03-09", "07:00", "15:00", who="tomasz@example.com")
    assert "external" in str(caught.value)
    shift(crew, "2026-03-02", "07:00", "15:00", who="tomasz@example.com")
    with pytest.raises(ValidationError, match="delete those shifts"):
        pay.set_terms(
            crew.hr, "tomasz@example.com", TermsForm(effective_from="2026-03-01", external="yes")
        )


# --- planning, the clock ----------------------------------------------------------------------


def test_plan_a_crew_over_working_days(crew: Crew) -> None:
    """Monday 9 to Sunday 15 March for Ewa and Tomasz: five working days each; the weekend is
    left out with its reason; nothing past, so nothing is settled yet."""
    result = crew.services.payroll.plan(
        crew.hr,
        ShiftForm(
            employees="ewa@example.com, tomasz@example.com",
            project="Warehouse",
            shift_date="2026-03-11",
            date_to="2026-03-15",
            planned_start="07:00",
            planned_end="15:00",
        ),
    )
    assert len(result.created) == 6
    assert {(s.employee, s.shift_date.day) for s in result.created} >= {("Ewa Worker", 11)}
    assert ("Ewa Worker", date(2026, 3, 14), "a day off (Saturday)") in result.skipped
    assert all(not s.settled for s in result.created)
    again = crew.services.payroll.plan(
        crew.hr,
        ShiftForm(
            employees="ewa@example.com",
            project="Warehouse",
            shift_date="2026-03-12",
            date_to="2026-03-16",
            planned_start="07:00",
            planned_end="15:00",
        ),
    )
    assert [s.shift_date.day for s in again.created] == [16]
    assert_check(crew.services)


def test_clock_in_and_out(crew: Crew, clock: FixedClock) -> None:
    """Ewa is planned 07:00-15:30 today; she clocks in at 09:30 (marked: 2:30 late) and out
    at 18:00 (2:30 late too): 09:30-17:00 inside 7:30 standard = 300.00, 17:00-18:00 outside
    = 80.00; 380.00."""
    pay = crew.services.payroll
    pay.plan(
        crew.hr,
        ShiftForm(
            employees="ewa@example.com",
            project="Warehouse",
            shift_date="2026-03-10",
            planned_start="07:00",
            planned_end="15:30",
        ),
    )
    started = pay.clock_in(crew.ewa, "Warehouse")
    assert started.actual_start == 9 * 60 + 30 and started.planned_start == 7 * 60
    assert "start +2:30 from plan" in started.irregular
    with pytest.raises(IllegalTransition, match="clock out first"):
        pay.clock_in(crew.ewa, "Office")
    assert pay.open_shift(crew.ewa) is not None
    clock.advance(hours=8, minutes=30)
    ended = pay.clock_out(crew.ewa)
    assert ended.actual_end == 18 * 60
    assert ended.pay == eur("380.00")
    with pytest.raises(IllegalTransition, match="not clocked in"):
        pay.clock_out(crew.ewa)
    assert_check(crew.services)


def test_clocking_in_unplanned_and_out_after_midnight(crew: Crew, clock: FixedClock) -> None:
    """Unplanned 09:30 to 01:30 the next night: 16 h; 09:30-17:00 inside: 7:30 standard =
    300.00; 17:00-01:30 is 8:30 outside = 680.00; 980.00, marked as not planned."""
    pay = crew.services.payroll
    pay.clock_in(crew.ewa, "Office")
    clock.advance(hours=16)
    ended = pay.clock_out(crew.ewa)
    assert ended.shift_date == date(2026, 3, 10)
    assert ended.actual_end == 25 * 60 + 30
    assert ended.pay == eur("980.00")
    assert "not planned" in ended.irregular


def test_clocking_in_at_another_project_than_planned_is_marked_on_both(crew: Crew) -> None:
    """Ewa is planned at the warehouse today and clocks in at the office: the office shift is
    not planned and kept at another place than planned; the warehouse plan says the day was
    worked elsewhere (the seed's irregular place of login)."""
    pay = crew.services.payroll
    plan = pay.plan(
        crew.hr,
        ShiftForm(
            employees="ewa@example.com", project="Warehouse", shift_date="2026-03-10",
            planned_start="07:00", planned_end="15:30",
        ),
    ).created[0]  # fmt: skip
    assert pay.shift(crew.hr, plan.id).irregular == ()
    started = pay.clock_in(crew.ewa, "Office")
    assert started.irregular == ("not planned", "clocked in at another project than planned")
    assert pay.shift(crew.hr, plan.id).irregular == ("worked at another project that day",)


def test_no_clock_in_without_pay_terms(crew: Crew) -> None:
    with pytest.raises(ValidationError, match="no pay rate"):
        crew.services.payroll.clock_in(crew.outsider, "Warehouse")
    with pytest.raises(ValidationError, match="project"):
        crew.services.payroll.clock_in(crew.ewa, "Nowhere")


# --- irregularities -------------------------------------------------------------------------


def test_irregular_days_are_marked_with_the_reason(crew: Crew) -> None:
    pay = crew.services.payroll
    long_day = shift(crew, "2026-03-02", "05:00", "22:00")
    assert "longer than 16 h" in long_day.irregular
    weekend = shift(crew, "2026-03-07", "07:00", "12:00")
    assert weekend.irregular == ("work on a day off (Saturday)",)
    one = shift(crew, "2026-03-04", "07:00", "12:00")
    two = shift(crew, "2026-03-04", "11:00", "15:00", project="Office")
    assert "overlaps another shift" in pay.shift(crew.hr, one.id).irregular
    assert "overlaps another shift" in two.irregular
    open_day = pay.add(
        crew.hr,
        ShiftForm(
            employees="ewa@example.com", project="Warehouse", shift_date="2026-03-05",
            planned_start="07:00", planned_end="15:00", actual_start="07:05",
        ),
    )  # fmt: skip
    assert "no clock-out" in open_day.irregular
    assert not open_day.settled and open_day.pay is None
    late = pay.add(
        crew.hr,
        ShiftForm(
            employees="ewa@example.com", project="Warehouse", shift_date="2026-03-06",
            planned_start="07:00", planned_end="15:00", actual_start="07:15",
            actual_end="15:16",
        ),
    )  # fmt: skip
    assert late.irregular == ("end +0:16 from plan",)  # 15 minutes late is still regular


# --- batch fill -----------------------------------------------------------------------------


def _missing_times(crew: Crew) -> tuple[int, int, int]:
    """A start with no end, an end 2 h late, and a day with neither (all planned 07-15)."""
    pay = crew.services.payroll
    ids = []
    for day, start, end in (
        ("2026-03-04", "07:02", ""),
        ("2026-03-05", "07:00", "17:00"),
        ("2026-03-06", "", ""),
    ):
        form = ShiftForm(
            employees="ewa@example.com", project="Warehouse", shift_date=day,
            planned_start="07:00", planned_end="15:00", actual_start=start, actual_end=end,
        )  # fmt: skip
        ids.append(pay.add(crew.hr, form).id)
    with crew.services.db.write() as session:  # a day planned, never clocked (no fill yet)
        session.execute(
            update(m.WorkShift)
            .where(m.WorkShift.id == ids[2])
            .values(actual_start=None, actual_end=None, pay_cents=None)
        )
    return ids[0], ids[1], ids[2]


def _snapshot(services: Services) -> list[tuple[object, ...]]:
    with services.db.read() as session:
        return [
            tuple(r)
            for r in session.execute(
                select(m.WorkShift.__table__).order_by(m.WorkShift.id)  # type: ignore[arg-type]
            ).all()
        ]


def test_batch_fill_dry_run_shows_exactly_what_is_written(crew: Crew) -> None:
    """'end': the open start gets 15:00 (07:02-15:00 = 7:58 = 318.67) and the 2 h late end
    becomes 15:00 (320.00); 'both' then settles the empty day as planned (320.00)."""
    open_id, late_id, empty_id = _missing_times(crew)
    pay = crew.services.payroll
    before = _snapshot(crew.services)
    dry = pay.fill(crew.hr, "end", "2026-03-01", "2026-03-31", dry_run=True)
    assert _snapshot(crew.services) == before
    assert [(c.shift_id, c.before, c.after) for c in dry.changes] == [
        (open_id, "07:02-", "07:02-15:00"),
        (late_id, "07:00-17:00", "07:00-15:00"),
    ]
    real = pay.fill(crew.hr, "end", "2026-03-01", "2026-03-31")
    assert real.changes == tuple(
        type(c)(c.shift_id, c.employee, c.shift_date, c.project, c.before, c.after)
        for c in dry.changes
    )
    assert pay.shift(crew.hr, open_id).pay == eur("318.67")
    assert pay.shift(crew.hr, late_id).pay == eur("320.00")
    assert pay.shift(crew.hr, empty_id).pay is None
    changed = {r[0] for r in _snapshot(crew.services)} and [
        a[0] for a, b in zip(before, _snapshot(crew.services), strict=True) if a != b
    ]
    assert changed == [open_id, late_id]
    both = pay.fill(crew.hr, "both", "2026-03-01", "2026-03-31")
    assert [(c.shift_id, c.after) for c in both.changes] == [(empty_id, "07:00-15:00")]
    assert pay.shift(crew.hr, empty_id).pay == eur("320.00")
    assert pay.fill(crew.hr, "both", "2026-03-01", "2026-03-31").changes == ()
    assert_check(crew.services)


def test_batch_fill_refuses_a_wrong_mode_and_dates(crew: Crew) -> None:
    with pytest.raises(ValidationError) as caught:
        crew.services.payroll.fill(crew.hr, "all", "2026-03-31", "2026-03-01")
    assert {p.field for p in caught.value.problems} == {"mode", "date_to"}
    with pytest.raises(PermissionDenied):
        crew.services.payroll.fill(crew.ewa, "end", "2026-03-01", "2026-03-31")


# --- edits by hand ----------------------------------------------------------------------------


def test_an_edit_by_hand_needs_a_reason_and_keeps_before_and_after(crew: Crew) -> None:
    pay = crew.services.payroll
    view = shift(crew, "2026-03-02", "07:00", "15:00")
    pay.approve(crew.hr, [view.id])
    with pytest.raises(ValidationError, match="reason"):
        pay.edit(crew.hr, view.id, ShiftForm(actual_end="16:00"), version=view.version + 1)
    edited = pay.edit(
        crew.hr,
        view.id,
        ShiftForm(actual_end="16:00", reason="foreman's report: stayed to unload"),
        version=view.version + 1,
    )
    assert edited.pay == eur("380.00")  # 8 h standard 320.00 + 1 h over the day 60.00
    assert not edited.approved
    assert edited.note == "foreman's report: stayed to unload"
    with crew.services.db.read() as session:
        event = (
            session.execute(
                select(m.AuditEvent)
                .where(m.AuditEvent.action == "work_shift.edit")
                .order_by(m.AuditEvent.id.desc())  # type: ignore[union-attr]
            )
            .scalars()
            .first()
        )
    assert event is not None and '"actual_end":900' in event.before_json
    assert '"actual_end":960' in event.after_json
    with pytest.raises(StaleEdit):
        pay.edit(crew.hr, view.id, ShiftForm(actual_end="15:00", reason="x"), version=view.version)


def test_bad_shift_input_names_the_field_and_changes_nothing(crew: Crew) -> None:
    pay = crew.services.payroll
    before = _snapshot(crew.services)
    cases = [
        (
            ShiftForm(
                employees="",
                project="Warehouse",
                shift_date="2026-03-02",
                planned_start="07:00",
                planned_end="15:00",
            ),
            "employees",
        ),
        (
            ShiftForm(
                employees="nobody@x.example",
                project="Warehouse",
                shift_date="2026-03-02",
                planned_start="07:00",
                planned_end="15:00",
            ),
            "employees",
        ),
        (
            ShiftForm(
                employees="ewa@example.com",
                project="Nope",
                shift_date="2026-03-02",
                planned_start="07:00",
                planned_end="15:00",
            ),
            "project",
        ),
        (
            ShiftForm(
                employees="ewa@example.com",
                project="Warehouse",
                shift_date="2026-02-30",
                planned_start="07:00",
                planned_end="15:00",
            ),
            "shift_date",
        ),
        (
            ShiftForm(
                employees="ewa@example.com",
                project="Warehouse",
                shift_date="2026-03-02",
                planned_start="25:00",
                planned_end="15:00",
            ),
            "planned_start",
        ),
        (
            ShiftForm(
                employees="ewa@example.com",
                project="Warehouse",
                shift_date="2026-03-02",
                planned_start="07:00",
                planned_end="15:00",
                lunch="600",
            ),
            "lunch",
        ),
        (
            ShiftForm(
                employees="ewa@example.com",
                project="Warehouse",
                shift_date="2026-03-02",
                planned_start="07:00",
                planned_end="07:20",
                lunch="30",
            ),
            "lunch",
        ),
        (
            ShiftForm(
                employees="ewa@example.com",
                project="Warehouse",
                shift_date="2026-03-02",
                planned_start="07:00",
                planned_end="15:00",
                work_type="Plumbing",
            ),
            "work_type",
        ),
        (
            ShiftForm(
                employees="ewa@example.com",
                project="Warehouse",
                shift_date="2026-03-02",
                planned_start="07:00",
                planned_end="15:00",
                custom_rates="yes",
            ),
            "over_day",
        ),
        (
            ShiftForm(
                employees="ewa@example.com",
                project="Warehouse",
                shift_date="2026-03-02",
                planned_start="07:00",
                planned_end="15:00",
                over_day="20",
            ),
            "over_day",
        ),
        (
            ShiftForm(
                employees="ewa@example.com",
                project="Warehouse",
                shift_date="2026-03-02",
                planned_start="",
                planned_end="15:00",
            ),
            "planned_start",
        ),
    ]
    for form, field in cases:
        with pytest.raises(ValidationError) as caught:
            pay.add(crew.hr, form)
        assert field in {p.field for p in caught.value.problems}, (form, caught.value)
    assert _snapshot(crew.services) == before


# --- approval, transfer, the payroll lock ----------------------------------------------------


def _month_of_ewa(crew: Crew) -> list[int]:
    return [
        shift(crew, day, "07:00", "15:30").id for day in ("2026-02-02", "2026-02-03", "2026-02-04")
    ]


def test_transfer_is_refused_while_a_day_is_unsettled_irregular_or_not_approved(crew: Crew) -> None:
    pay = crew.services.payroll
    ids = _month_of_ewa(crew)
    weekend = shift(crew, "2026-02-07", "07:00", "12:00")
    crew.services.payroll.add(
        crew.hr,
        ShiftForm(
            employees="tomasz@example.com", project="Warehouse", shift_date="2026-02-05",
            planned_start="07:00", planned_end="15:00", actual_start="07:00",
        ),
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        pay.transfer(crew.hr, "2026-02-01", "2026-02-28")
    lines = [p.message for p in caught.value.problems]
    assert any("Tomasz Roofer 2026-02-05" in x and "not settled" in x for x in lines)
    assert any("Ewa Worker 2026-02-07" in x and "work on a day off (Saturday)" in x for x in lines)
    assert any("Ewa Worker 2026-02-02" in x and "not approved" in x for x in lines)
    result = pay.approve(
        crew.hr, employee="ewa@example.com", date_from="2026-02-01", date_to="2026-02-28"
    )
    assert sorted(v.id for v in result.approved) == ids
    assert [(v.id, why.split(":")[0]) for v, why in result.skipped] == [(weekend.id, "irregular")]
    pay.approve(crew.hr, [weekend.id], accept_irregular=True)
    preview = pay.transfer(
        crew.hr, "2026-02-01", "2026-02-28", employee="ewa@example.com", dry_run=True
    )
    # three days at 350.00 and Saturday 07:00-12:00, all outside: 5 h at 80.00 = 400.00
    assert preview.total == eur("1450.00")
    assert preview.dry_run


def test_a_refused_transfer_names_every_day_in_its_way(crew: Crew) -> None:
    """Ewa and Tomasz planned on every working day of January and February, none approved:
    the refusal names every one of them, so a face can list and count them."""
    pay = crew.services.payroll
    planned = pay.plan(
        crew.hr,
        ShiftForm(
            employees="ewa@example.com, tomasz@example.com", project="Warehouse",
            shift_date="2026-01-01", date_to="2026-02-28", planned_start="07:00",
            planned_end="15:00",
        ),
    ).created  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        pay.transfer(crew.hr, "2026-01-01", "2026-02-28")
    lines = [p.message for p in caught.value.problems]
    assert len(lines) == len(planned) > 40
    assert all(line.endswith("not approved") for line in lines)


def test_transfer_stores_the_totals_and_freezes_the_period(crew: Crew) -> None:
    """Three days of 07:00-15:30 at 350.00 = 1050.00 transferred; then no change, no delete,
    no new shift in the period, by the service, the ORM or raw SQL; check re-derives it."""
    pay = crew.services.payroll
    ids = _month_of_ewa(crew)
    pay.approve(crew.hr, ids)
    dry = pay.transfer(crew.hr, "2026-02-01", "2026-02-28", dry_run=True)
    with crew.services.db.read() as session:
        assert session.execute(select(m.PayrollPeriod)).first() is None
    result = pay.transfer(crew.hr, "2026-02-01", "2026-02-28")
    assert result.total == dry.total == eur("1050.00")
    assert [(x.employee, x.shifts, x.minutes) for x in result.lines] == [("Ewa Worker", 3, 1530)]
    assert_check(crew.services)
    with pytest.raises(IllegalTransition, match="transferred"):
        pay.edit(crew.hr, ids[0], ShiftForm(actual_end="16:00", reason="late"))
    with pytest.raises(ValidationError, match="transferred"):
        shift(crew, "2026-02-05", "07:00", "15:00")
    with pytest.raises(ValidationError, match="overlaps"):
        pay.transfer(crew.hr, "2026-02-15", "2026-03-05", employee="ewa@example.com")
    with pytest.raises(LedgerError), crew.services.db.write() as session:  # the ORM
        row = session.get(m.WorkShift, ids[0])
        assert row is not None
        row.actual_end = 20 * 60
    raw = [
        "UPDATE work_shift SET pay_cents = 1 WHERE id = :id",
        "DELETE FROM work_shift WHERE id = :id",
        "UPDATE work_shift SET payroll_period_id = NULL WHERE id = :id",
        "UPDATE payroll_period SET total_cents = 1",
        "DELETE FROM payroll_period",
        "INSERT INTO work_shift (version, employee_id, project_id, shift_date, lunch_minutes, "
        "custom_rates, note, day_off, standard_minutes, over_day_minutes, "
        "outside_window_minutes, standard_cents, over_day_cents, outside_cents, created_by_id, "
        "created_at) SELECT 1, employee_id, project_id, '2026-02-10', 0, false, '', false, 0, 0, "
        "0, 0, 0, 0, created_by_id, created_at FROM work_shift WHERE id = :id",
        "UPDATE work_shift SET shift_date = '2026-02-10' WHERE payroll_period_id IS NULL",
    ]
    shift(crew, "2026-03-02", "07:00", "15:00")
    for statement in raw:
        with pytest.raises(LedgerError), crew.services.db.write() as session:
            session.execute(text(statement), {"id": ids[0]} if ":id" in statement else {})
    assert_check(crew.services)
    assert pay.period(crew.ewa, "ewa@example.com", "2026-02-01", "2026-02-28").shifts[0].transferred


def test_staff_see_their_own_pay_only(crew: Crew) -> None:
    pay = crew.services.payroll
    shift(crew, "2026-03-02", "07:00", "15:30")
    own = pay.period(crew.ewa, "ewa@example.com")
    assert own.total == eur("350.00")
    with pytest.raises(PermissionDenied):
        pay.period(crew.outsider, "ewa@example.com")
    with pytest.raises(PermissionDenied):
        pay.period(crew.tomasz, "ewa@example.com")
    day = pay.crew_day(crew.manager, "2026-03-02")  # the manager supervises Ewa
    assert [v.employee for v in day] == ["Ewa Worker"]
    assert pay.shifts(crew.outsider, date_from="2026-03-01", date_to="2026-03-31") == ()
    with pytest.raises(NotFound):
        pay.period(crew.hr, "nobody@example.com")


def test_the_export_opens_in_a_spreadsheet(crew: Crew, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two shifts of Ewa on the 5th (200.00 + 210.00) are one row of 410.00; the totals sheet
    sums Ewa 760.00 (with the 2nd, 350.00) and Tomasz 240.00."""
    from openpyxl import load_workbook

    pay = crew.services.payroll
    shift(crew, "2026-03-02", "07:00", "15:30")
    shift(crew, "2026-03-05", "07:00", "12:00")
    shift(crew, "2026-03-05", "12:30", "17:00", project="Office")
    shift(crew, "2026-03-04", "07:00", "15:00", who="tomasz@example.com")
    with pytest.raises(PermissionDenied):
        pay.export(crew.accountant, "xlsx", tmp_path / "x.xlsx", "2026-03-01", "2026-03-31")
    out = pay.export(crew.admin, "xlsx", tmp_path / "pay.xlsx", "2026-03-01", "2026-03-31")
    book = load_workbook(out)
    assert book.sheetnames == ["Remuneration", "Totals"]
    rows = [r for r in book["Remuneration"].iter_rows(min_row=4, values_only=True)]
    assert [(r[0], str(r[2])[:10], float(r[11])) for r in rows[:-1]] == [
        ("Ewa Worker", "2026-03-02", 350.0),
        ("Ewa Worker", "2026-03-05", 410.0),
        ("Tomasz Roofer", "2026-03-04", 240.0),
    ]
    assert float(rows[-1][11]) == 1000.0
    totals = [r for r in book["Totals"].iter_rows(min_row=4, values_only=True)]
    assert [(r[0], r[2], float(r[10])) for r in totals] == [
        ("Ewa Worker", 3, 760.0),
        ("Tomasz Roofer", 1, 240.0),
        ("Total", 4, 1000.0),
    ]
    from python_calamine import CalamineWorkbook  # a second spreadsheet reader, not openpyxl

    second = CalamineWorkbook.from_path(str(out))
    assert second.sheet_names == ["Remuneration", "Totals"]
    read = second.get_sheet_by_name("Totals").to_python()
    assert [(r[0], int(r[2]), float(r[10])) for r in read[3:]] == [
        ("Ewa Worker", 3, 760.0),
        ("Tomasz Roofer", 1, 240.0),
        ("Total", 4, 1000.0),
    ]
    csv_out = pay.export(crew.admin, "csv", tmp_path / "pay.csv", "2026-03-01", "2026-03-31")
    import csv

    lines = list(csv.reader(csv_out.read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0][:4] == ["Employee", "E-mail", "Date", "Projects"]
    assert (lines[2][2], lines[2][3], lines[2][11]) == ("2026-03-05", "Warehouse, Office", "410.00")
    assert lines[-1][11] == "1000.00"


def test_who_may_settle_transfer_and_plan(crew: Crew) -> None:
    """The manager settles and approves but does not transfer; staff do neither; an actual
    time on a day still to come, or in a plan, is refused naming the field."""
    pay = crew.services.payroll
    view = shift(crew, "2026-02-02", "07:00", "15:00")
    with pytest.raises(PermissionDenied):
        pay.approve(crew.ewa, [view.id])
    pay.approve(crew.manager, [view.id])
    with pytest.raises(PermissionDenied):
        pay.transfer(crew.manager, "2026-02-01", "2026-02-28")
    with pytest.raises(PermissionDenied):
        pay.add(crew.ewa, ShiftForm(employees="ewa@example.com", project="Warehouse"))
    with pytest.raises(ValidationError) as caught:
        pay.add(
            crew.hr,
            ShiftForm(
                employees="ewa@example.com", project="Warehouse", shift_date="2026-03-12",
                planned_start="07:00", planned_end="15:00", actual_start="07:00",
            ),
        )  # fmt: skip
    assert [p.field for p in caught.value.problems] == ["actual_start"]
    with pytest.raises(ValidationError) as caught:
        pay.plan(
            crew.hr,
            ShiftForm(
                employees="ewa@example.com", project="Warehouse", shift_date="2026-03-12",
                planned_start="07:00", planned_end="15:00", actual_end="15:00",
            ),
        )  # fmt: skip
    assert "actual_end" in [p.field for p in caught.value.problems]
    with pytest.raises(ValidationError) as caught:
        pay.transfer(crew.hr, "2026-03-01", "2026-03-31")
    assert [p.field for p in caught.value.problems] == ["date_to"]  # today is not over


def test_a_deleted_shift_is_gone_with_its_reason_and_the_day_priced_again(crew: Crew) -> None:
    """07:00-12:00 then 12:30-17:00 (210.00 with 1:30 over the day); the first deleted, the
    second is 4:30 standard = 180.00."""
    pay = crew.services.payroll
    first = shift(crew, "2026-03-05", "07:00", "12:00")
    second = shift(crew, "2026-03-05", "12:30", "17:00", project="Office")
    assert second.pay == eur("210.00")
    with pytest.raises(ValidationError, match="reason"):
        pay.delete(crew.hr, first.id, "")
    pay.delete(crew.hr, first.id, "planned twice by mistake")
    assert pay.shift(crew.hr, second.id).pay == eur("180.00")
    with pytest.raises(NotFound):
        pay.shift(crew.hr, first.id)
    assert_check(crew.services)


def test_named_people_days_to_come_and_transferred_days(crew: Crew) -> None:
    """A person by #id; a supervisor opens a crew member's day without its pay; a plan needs
    its end; a day still to come takes no actual time by an edit either; a transferred day
    named for approval is reported, not refused."""
    pay = crew.services.payroll
    view = shift(crew, "2026-02-02", "07:00", "15:00", who=f"#{crew.ewa.user_id}")
    assert view.employee == "Ewa Worker"
    assert pay.shift(crew.ewa, view.id).pay == eur("320.00")
    with pytest.raises(NotFound):
        pay.shift(crew.outsider, view.id)
    zofia = add_person(
        crew.services, crew.admin, "Zofia Crew", "staff", supervisor_id=crew.outsider.user_id
    )
    pay.set_terms(
        crew.hr, "zofia@example.com", TermsForm(effective_from="2026-01-01", hourly_rate="35")
    )
    hers = shift(crew, "2026-02-03", "07:00", "15:00", who="zofia@example.com")
    seen = pay.shift(crew.outsider, hers.id)  # her supervisor, staff without a pay right
    assert (seen.actual_text, seen.settled, seen.pay, seen.buckets) == (
        "07:00-15:00",
        True,
        None,
        (),
    )
    assert pay.shift(zofia, hers.id).pay == eur("280.00")
    with pytest.raises(ValidationError) as caught:
        pay.plan(
            crew.hr,
            ShiftForm(
                employees="ewa@example.com", project="Warehouse", shift_date="2026-03-11",
                planned_start="07:00",
            ),
        )  # fmt: skip
    assert [p.field for p in caught.value.problems] == ["planned_end"]
    later = pay.plan(
        crew.hr,
        ShiftForm(
            employees="ewa@example.com", project="Warehouse", shift_date="2026-03-11",
            planned_start="07:00", planned_end="15:00",
        ),
    ).created[0]  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        pay.edit(crew.hr, later.id, ShiftForm(actual_start="07:00", reason="typed ahead"))
    assert [p.field for p in caught.value.problems] == ["actual_start"]
    pay.approve(crew.hr, [view.id])
    pay.transfer(crew.hr, "2026-02-01", "2026-02-28", employee="ewa@example.com")
    again = pay.approve(crew.hr, [view.id])
    assert again.approved == () and again.skipped[0][1] == "transferred to accounting"


def test_a_holiday_declared_later_prices_the_open_day_again(crew: Crew) -> None:
    """Friday 6 March 07:00-15:00 is 320.00 and approved; declared a holiday afterwards it
    is 8 h outside the window at 80.00 = 640.00, marked and no longer approved. A transferred
    day keeps its pay (2 February, 320.00)."""
    pay = crew.services.payroll
    paid = shift(crew, "2026-02-02", "07:00", "15:00")
    pay.approve(crew.hr, [paid.id])
    pay.transfer(crew.hr, "2026-02-01", "2026-02-28")
    view = shift(crew, "2026-03-06", "07:00", "15:00")
    pay.approve(crew.hr, [view.id])
    crew.services.settings.update(
        crew.admin, SettingsForm(holidays="2026-03-03 Test Day\n2026-03-06 Late Holiday")
    )
    again = pay.shift(crew.hr, view.id)
    assert again.pay == eur("640.00")
    assert not again.approved
    assert again.irregular == ("work on a holiday (Late Holiday)",)
    assert pay.shift(crew.hr, paid.id).pay == eur("320.00")
    assert_check(crew.services)


def test_a_confirmed_fill_writes_only_the_dry_runs_shifts(crew: Crew) -> None:
    """A shift left open after the dry run was shown is not filled by its confirmation."""
    open_id, late_id, _empty = _missing_times(crew)
    pay = crew.services.payroll
    shown = pay.fill(crew.hr, "end", "2026-03-01", "2026-03-31", dry_run=True)
    newer = pay.add(
        crew.hr,
        ShiftForm(
            employees="ewa@example.com", project="Office", shift_date="2026-03-09",
            planned_start="07:00", planned_end="15:00", actual_start="07:00",
        ),
    )  # fmt: skip
    done = pay.fill(
        crew.hr, "end", "2026-03-01", "2026-03-31", shift_ids=[c.shift_id for c in shown.changes]
    )
    assert [c.shift_id for c in done.changes] == [open_id, late_id]
    assert pay.shift(crew.hr, newer.id).actual_end is None


def test_ones_own_pay_in_one_read(crew: Crew, clock: FixedClock) -> None:
    """The home panel's read: nobody without terms or shifts; Ewa's month and her running
    shift."""
    pay = crew.services.payroll
    assert pay.own(crew.outsider) is None
    shift(crew, "2026-03-02", "07:00", "15:30")
    pay.clock_in(crew.ewa, "Warehouse")
    found = pay.own(crew.ewa)
    assert found is not None
    period, running = found
    assert period.total == eur("350.00")
    assert running is not None and running.actual_start == 9 * 60 + 30
