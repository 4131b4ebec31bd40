"""Crew pay through the CLI: HR plans and settles, staff clock in and see their own pay, the
administrator exports; every refusal exits 1 with the option at fault named on stderr.

The firm's window is 07:00-17:00, the day 8 h, over the day +50 %, outside the window +100 %
(DESIGN.md §9). Ewa earns 40.00 an hour (over the day 60.00, outside 80.00); Tomasz 30.00 with
his own +25 % / +75 % (37.50, 52.50). The commands run on the real clock, so the days worked
are those of the week two weeks before this one (Monday to Sunday: all past, none a holiday).
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.data import models as m
from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm, WorkTypeForm
from tektoro_tui.services.payroll.views import TermsForm
from tests.builders import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    PASSWORD,
    add_person,
    connected,
    make_firm,
    set_organisation,
)

from .test_pipeline_cli import login, run

TODAY = datetime.now(UTC).date()  # the firm's zone is UTC
MON = TODAY - timedelta(days=TODAY.weekday() + 14)
TUE, WED, THU, FRI, SAT, SUN = (MON + timedelta(days=n) for n in range(1, 7))
NEXT_MON = TODAY + timedelta(days=7 - TODAY.weekday())

OWNER = (OWNER_EMAIL, OWNER_PASSWORD)
HR = ("hanna@example.com", PASSWORD)
EWA = ("ewa@example.com", PASSWORD)
OLEK = ("olek@example.com", PASSWORD)
MANAGER = ("mona@example.com", PASSWORD)


def firm(url: str, *, codes: tuple[str, str] = ("", "")) -> None:
    """Owner; Hanna of HR; Mona the manager, Ewa's supervisor; Ewa, Tomasz and Olek of the
    staff (Olek without pay terms); projects Warehouse and Office (with ``codes``); the type
    of work Roofing."""
    with connected(url) as services:
        admin = make_firm(services)
        set_organisation(
            services,
            workday_start_minute=7 * 60,
            workday_end_minute=17 * 60,
            day_length_minutes=8 * 60,
            overtime_over_day_bp=5000,
            overtime_outside_window_bp=10000,
        )
        hr = add_person(services, admin, "Hanna Hr", "hr")
        mona = add_person(services, admin, "Mona Manager", "manager")
        add_person(services, admin, "Ewa Worker", "staff", supervisor_id=mona.user_id)
        add_person(services, admin, "Tomasz Roofer", "staff")
        add_person(services, admin, "Olek Other", "staff")
        client = services.presets.save_company(admin, CompanyForm("Acme Build")).id
        for name, code in zip(("Warehouse", "Office"), codes, strict=True):
            services.presets.save_project(
                admin,
                ProjectForm(name, client, code=code, valuation="tm", start_date="2020-01-01"),
            )
        services.presets.save_work_type(admin, WorkTypeForm(name="Roofing"))
        pay = services.payroll
        pay.set_terms(
            hr, "ewa@example.com", TermsForm(effective_from="2020-01-01", hourly_rate="40")
        )
        pay.set_terms(
            hr,
            "tomasz@example.com",
            TermsForm(
                effective_from="2020-01-01", hourly_rate="30", over_day="25", outside_window="75"
            ),
        )


def refused(runner: CliRunner, url: str, *args: str) -> str:
    """Run a command that must be refused: exit 1, nothing on stdout; its stderr."""
    result = runner.invoke(app, [*args, "--db", url])
    assert result.exit_code == 1, f"{args}: {result.output}"
    assert result.stdout == "", args
    return result.stderr


def as_json(runner: CliRunner, url: str, *args: str) -> Any:
    return json.loads(run(runner, url, *args, "--json"))


def add(runner: CliRunner, url: str, day: date, *args: str, who: str = "ewa@example.com") -> Any:
    """``shift add`` of one shift on Warehouse (unless ``args`` say otherwise), as JSON."""
    options = ["--employee", who, "--date", day.isoformat(), *args]
    if "--project" not in args:
        options += ["--project", "Warehouse"]
    return as_json(runner, url, "shift", "add", *options)


def stored(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the payroll tables, and the audit events of shifts and pay."""
    tables = (m.WorkShift, m.EmployeePay, m.EmployeePayRate, m.PayrollPeriod)
    with connected(url) as services, services.db.read() as session:
        found = {
            model.__tablename__: [  # type: ignore[attr-defined]
                tuple(row)
                for row in session.execute(
                    select(model.__table__).order_by(*model.__table__.primary_key.columns)  # type: ignore[attr-defined]
                ).all()
            ]
            for model in tables
        }
        found["audit"] = [
            (
                session.execute(
                    select(func.count()).where(
                        m.AuditEvent.action.like("work_shift.%")  # type: ignore[attr-defined]
                        | m.AuditEvent.action.like("payroll.%")  # type: ignore[attr-defined]
                        | m.AuditEvent.action.like("employee_pay.%")  # type: ignore[attr-defined]
                    )
                ).scalar_one(),
            )
        ]
        return found


def checked(runner: CliRunner, url: str) -> None:
    result = runner.invoke(app, ["check", "--db", url])
    assert result.exit_code == 0, result.output


# --- planning and listing --------------------------------------------------------------------


def test_plan_a_crew_and_list_it(db_url: str) -> None:
    """Ewa and Tomasz planned 07:00-15:30 from Monday to Sunday two weeks ago: five working
    days each, the weekend left out with its reason. The days are past, so they are settled
    as planned: Ewa 8:00 at 40.00 + 0:30 at 60.00 = 350.00 a day; Tomasz 8:00 at 30.00 +
    0:30 at 37.50 = 258.75. Next week's plan is not settled yet: no pay column at all."""
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, *HR)
    out = run(
        runner, db_url, "shift", "plan", "--employees", "ewa@example.com, tomasz@example.com",
        "--project", "Warehouse", "--from", MON.isoformat(), "--to", SUN.isoformat(),
        "--start", "07:00", "--end", "15:30",
    )  # fmt: skip
    assert "10 shifts planned, 4 days skipped." in out
    assert f"skipped {SAT} Ewa Worker: a day off (Saturday)" in out
    assert f"skipped {SUN} Tomasz Roofer: a day off (Sunday)" in out

    ewa = as_json(runner, db_url, "shift", "list", "--employee", "ewa@example.com",
                  "--from", MON.isoformat(), "--to", SUN.isoformat())  # fmt: skip
    assert [s["shift_date"] for s in ewa] == [d.isoformat() for d in (MON, TUE, WED, THU, FRI)]
    assert {(s["planned"], s["actual"], s["status"]) for s in ewa} == {
        ("07:00-15:30", "07:00-15:30", "settled")
    }
    assert {s["pay"]["amount"] for s in ewa} == {"350.00"}
    assert all(s["irregular"] == [] for s in ewa)
    tomasz = as_json(runner, db_url, "shift", "list", "--employee", "tomasz@example.com",
                     "--from", MON.isoformat(), "--to", SUN.isoformat())  # fmt: skip
    assert {s["pay"]["amount"] for s in tomasz} == {"258.75"} and len(tomasz) == 5

    run(
        runner, db_url, "shift", "plan", "--employees", "ewa@example.com", "--project",
        "Office", "--from", NEXT_MON.isoformat(), "--to",
        (NEXT_MON + timedelta(days=4)).isoformat(), "--start", "07:00", "--end", "15:00",
        "--lunch", "30",
    )  # fmt: skip
    ahead = run(
        runner, db_url, "shift", "list", "--from", NEXT_MON.isoformat(), "--to",
        (NEXT_MON + timedelta(days=6)).isoformat(),
    ).splitlines()  # fmt: skip
    assert ahead[-1] == "5 shifts."
    assert all("unsettled" in line and "EUR" not in line for line in ahead[:-1]), ahead

    login(runner, db_url, *EWA)
    own = run(runner, db_url, "shift", "list", "--from", MON.isoformat(), "--to", SUN.isoformat())
    assert own.splitlines()[-1] == "5 shifts." and "350.00 EUR" in own
    assert "Tomasz" not in own
    assert "only your own" in refused(
        runner, db_url, "shift", "list", "--employee", "tomasz@example.com"
    )
    login(runner, db_url, *MANAGER)  # Ewa's supervisor sees her day
    crew = as_json(runner, db_url, "shift", "crew", "--date", MON.isoformat())
    assert [s["employee"] for s in crew] == ["Ewa Worker"]
    checked(runner, db_url)


def test_pay_terms_are_set_and_listed(db_url: str) -> None:
    """Olek from 2020: 35.00 an hour and 50.00 for roofing; from Monday 36.00. A roofing day
    07:00-15:00 on Monday is 8 h at 50.00 = 400.00 (the rate by type of work stays)."""
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, *HR)
    first = run(
        runner, db_url, "pay", "set-terms", "olek@example.com", "--from", "2020-01-01",
        "--rate", "35", "--rates", "Roofing=50", "--note", "hired",
    )  # fmt: skip
    assert first.strip() == (
        "from 2020-01-01: 35.00 EUR/h, over the day the firm's %, outside the window the "
        "firm's %; Roofing=50.00; hired (version 1)"
    )
    run(
        runner, db_url, "pay", "set-terms", "olek@example.com", "--from", MON.isoformat(),
        "--rate", "36", "--rates", "Roofing=50", "--over-day", "40",
    )  # fmt: skip
    history = as_json(runner, db_url, "pay", "terms", "olek@example.com")
    assert [
        (t["effective_from"], t["hourly_rate"]["amount"], t["over_day_bp"]) for t in history
    ] == [
        (MON.isoformat(), "36.00", 4000),
        ("2020-01-01", "35.00", None),
    ]
    roofing = add(runner, db_url, MON, "--start", "07:00", "--end", "15:00",
                  "--work-type", "Roofing", who="olek@example.com")  # fmt: skip
    assert roofing["pay"]["amount"] == "400.00"
    listed = run(runner, db_url, "pay", "terms", "olek@example.com").splitlines()
    assert listed[0].startswith(f"from {MON}: 36.00 EUR/h, over the day +40 %")
    login(runner, db_url, *EWA)
    assert "may not" in refused(runner, db_url, "pay", "terms", "olek@example.com")
    assert "may not" in refused(
        runner, db_url, "pay", "set-terms", "ewa@example.com", "--from", MON.isoformat(),
        "--rate", "99",
    )  # fmt: skip


# --- one shift by hand ------------------------------------------------------------------------


def test_a_past_shift_added_by_hand_shows_its_amount_and_breakdown(db_url: str) -> None:
    """The seed's example: 07:00-15:30 entered afterwards on Monday (actual = planned) is 8:00
    at 40.00 = 320.00 and 0:30 over the day at 60.00 = 30.00: 350.00. Edited by hand to end
    at 16:00: 8:00 = 320.00 + 1:00 at 60.00 = 60.00, 380.00; its end emptied, no amount."""
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, *HR)
    printed = run(
        runner, db_url, "shift", "add", "--employee", "ewa@example.com", "--project",
        "Warehouse", "--date", MON.isoformat(), "--start", "07:00", "--end", "15:30",
    )  # fmt: skip
    assert "actual 07:00-15:30" in printed and "350.00 EUR" in printed
    assert "8:00 h at 40.00 EUR/h = 320.00 EUR" in printed
    assert "0:30 h at 60.00 EUR/h = 30.00 EUR" in printed
    (view,) = as_json(runner, db_url, "shift", "list", "--from", MON.isoformat())
    assert view["pay"]["amount"] == "350.00" and view["status"] == "settled"
    assert [(b["name"], b["minutes"], b["hourly"]["amount"], b["amount"]["amount"])
            for b in view["buckets"]] == [
        ("standard", 480, "40.00", "320.00"),
        ("over the day length", 30, "60.00", "30.00"),
    ]  # fmt: skip
    shift_id = str(view["id"])

    stale = refused(
        runner, db_url, "shift", "edit", shift_id, "--actual-end", "16:00", "--reason", "x",
        "--version", str(view["version"] + 1),
    )  # fmt: skip
    assert "Changed by someone else" in stale
    edited = as_json(
        runner, db_url, "shift", "edit", shift_id, "--actual-end", "16:00", "--reason",
        "stayed to unload", "--version", str(view["version"]),
    )  # fmt: skip
    assert edited["pay"]["amount"] == "380.00" and edited["note"] == "stayed to unload"
    shown = run(runner, db_url, "shift", "show", shift_id)
    assert "1:00 h at 60.00 EUR/h = 60.00 EUR" in shown and "note: stayed to unload" in shown
    emptied = as_json(
        runner, db_url, "shift", "edit", shift_id, "--actual-end", "-", "--reason", "unknown"
    )
    assert (emptied["actual"], emptied["pay"], emptied["status"]) == ("07:00-", None, "unsettled")
    assert "Deleted work shift" in run(
        runner, db_url, "shift", "delete", shift_id, "--reason", "entered twice"
    )
    assert as_json(runner, db_url, "shift", "list", "--from", MON.isoformat()) == []
    assert "does not exist" in refused(
        runner, db_url, "shift", "delete", shift_id, "--reason", "again"
    )
    checked(runner, db_url)


# --- the clock -------------------------------------------------------------------------------


def _moment(day: str, minute: int) -> datetime:
    """A shift's time as a moment in the firm's zone (UTC)."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC) + timedelta(
        minutes=minute
    )


@pytest.mark.pg_story
def test_clock_in_status_and_out(db_url: str) -> None:
    """Ewa clocks in and out on the real clock: the times stored are the minutes of the two
    commands (the end at least a minute after the start); a second clock-in, or a clock-out
    with nothing running, is refused."""
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, *EWA)
    assert run(runner, db_url, "clock", "status").strip() == "Not clocked in."
    assert as_json(runner, db_url, "clock", "status") is None
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    started = as_json(runner, db_url, "clock", "in", "--project", "Warehouse")
    after = datetime.now(UTC)
    start = _moment(started["shift_date"], started["actual_start"])
    assert before <= start <= after
    assert started["actual_end"] is None and started["status"] == "unsettled"
    assert "not planned" in started["irregular"]
    status = run(runner, db_url, "clock", "status")
    assert f"shift #{started['id']}" in status and "Warehouse" in status
    assert "clock out first" in refused(runner, db_url, "clock", "in", "--project", "Office")

    ended = as_json(runner, db_url, "clock", "out")
    done = datetime.now(UTC)
    end = _moment(ended["shift_date"], ended["actual_end"])
    assert ended["id"] == started["id"] and ended["actual_start"] == started["actual_start"]
    assert start + timedelta(minutes=1) <= end <= max(done, start + timedelta(minutes=1))
    assert ended["status"] != "unsettled" and ended["pay"] is not None
    assert run(runner, db_url, "clock", "status").strip() == "Not clocked in."
    assert "not clocked in" in refused(runner, db_url, "clock", "out")
    (listed,) = as_json(
        runner, db_url, "shift", "list", "--from", ended["shift_date"], "--to",
        ended["shift_date"],
    )  # fmt: skip
    assert (listed["actual_start"], listed["actual_end"]) == (
        started["actual_start"],
        ended["actual_end"],
    )
    login(runner, db_url, *OLEK)  # no pay terms: no clock
    assert "no pay rate" in refused(runner, db_url, "clock", "in", "--project", "Warehouse")
    checked(runner, db_url)


# --- batch fill ------------------------------------------------------------------------------


@pytest.mark.pg_story
def test_fill_dry_run_prints_exactly_what_the_real_run_writes(db_url: str) -> None:
    """All planned 07:00-15:00. Monday clocked in at 07:02 and never out; Tuesday out at
    17:00 (2 h late); Wednesday never clocked. 'end' sets Monday to 07:02-15:00 (7:58 at
    40.00 = 318.666... -> 318.67) and Tuesday to 07:00-15:00 (320.00); 'both' then settles
    Wednesday as planned (320.00)."""
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, *HR)
    planned = ("--start", "07:00", "--end", "15:00")
    monday = add(runner, db_url, MON, *planned, "--actual-start", "07:02")["id"]
    tuesday = add(runner, db_url, TUE, *planned, "--actual-start", "07:00",
                  "--actual-end", "17:00")["id"]  # fmt: skip
    wednesday = add(runner, db_url, WED, *planned)["id"]
    run(
        runner, db_url, "shift", "edit", str(wednesday), "--actual-start", "-",
        "--actual-end", "-", "--reason", "never clocked",
    )  # fmt: skip
    period = ("--from", MON.isoformat(), "--to", SUN.isoformat())

    before = stored(db_url)
    dry = run(runner, db_url, "shift", "fill", "--mode", "end", *period, "--dry-run")
    assert stored(db_url) == before
    dry_lines = dry.splitlines()
    assert dry_lines[0] == "DRY RUN: nothing was written."
    assert dry_lines[-1] == "Would fill 2 shifts (end as planned)."
    assert (
        dry_lines[1].startswith(f"#{monday:<6} {MON}") and "07:02- -> 07:02-15:00" in dry_lines[1]
    )
    assert dry_lines[2].startswith(f"#{tuesday:<6} {TUE}")
    assert dry_lines[2].endswith("07:00-17:00 -> 07:00-15:00")
    dry_json = as_json(runner, db_url, "shift", "fill", "--mode", "end", *period, "--dry-run")
    assert stored(db_url) == before

    real = run(runner, db_url, "shift", "fill", "--mode", "end", *period)
    real_lines = real.splitlines()
    assert real_lines[:-1] == dry_lines[1:-1]
    assert real_lines[-1] == "Filled 2 shifts (end as planned)."
    after = stored(db_url)
    changed = [
        old[0]
        for old, new in zip(before["work_shift"], after["work_shift"], strict=True)
        if old != new
    ]
    assert changed == [monday, tuesday]
    assert after["audit"][0][0] == before["audit"][0][0] + 2
    shifts = {s["id"]: s for s in as_json(runner, db_url, "shift", "list", *period)}
    assert [(c["shift_id"], c["before"], c["after"]) for c in dry_json["changes"]] == [
        (monday, "07:02-", shifts[monday]["actual"]),
        (tuesday, "07:00-17:00", shifts[tuesday]["actual"]),
    ]
    assert shifts[monday]["pay"]["amount"] == "318.67"
    assert shifts[tuesday]["pay"]["amount"] == "320.00"
    assert shifts[wednesday]["pay"] is None

    both = as_json(runner, db_url, "shift", "fill", "--mode", "both", *period, "--dry-run")
    assert [(c["shift_id"], c["before"], c["after"]) for c in both["changes"]] == [
        (wednesday, "-", "07:00-15:00")
    ]
    assert "Filled 1 shift (start and end as planned)." in run(
        runner, db_url, "shift", "fill", "--mode", "both", *period, "--employee",
        "ewa@example.com",
    )  # fmt: skip
    assert as_json(runner, db_url, "shift", "show", str(wednesday))["pay"]["amount"] == "320.00"
    nothing = run(runner, db_url, "shift", "fill", "--mode", "both", *period)
    assert nothing.strip() == "Filled 0 shifts (start and end as planned)."
    checked(runner, db_url)


# --- the month's pay -------------------------------------------------------------------------


def test_pay_show_lists_every_day_and_the_summary(db_url: str) -> None:
    """Ewa's week: Monday 07:00-15:30 = 350.00; Tuesday 07:00-12:00 on the warehouse (5 h
    standard = 200.00), then 12:30-17:00 at the office (3 h left of the day = 120.00, 1:30
    over the day at 60.00 = 90.00: 210.00); Wednesday clocked in at 07:05, never out
    (unsettled: no end, no amount). Warehouse 13:30 h 550.00, Office 4:30 h 210.00; the
    period 760.00 over 18:00 h (16:00 standard, 2:00 over the day)."""
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, *HR)
    add(runner, db_url, MON, "--start", "07:00", "--end", "15:30")
    add(runner, db_url, TUE, "--start", "07:00", "--end", "12:00")
    add(runner, db_url, TUE, "--start", "12:30", "--end", "17:00", "--project", "Office")
    add(runner, db_url, WED, "--start", "07:00", "--end", "15:00", "--actual-start", "07:05")
    week = ("--from", MON.isoformat(), "--to", SUN.isoformat())

    data = as_json(runner, db_url, "pay", "show", "ewa@example.com", *week)
    assert (data["employee"], data["date_from"], data["date_to"]) == (
        "Ewa Worker",
        MON.isoformat(),
        SUN.isoformat(),
    )
    days = [
        (s["shift_date"], s["project"], s["planned"], s["actual"],
         s["pay"] and s["pay"]["amount"], s["status"])
        for s in data["shifts"]
    ]  # fmt: skip
    assert days == [
        (MON.isoformat(), "Warehouse", "07:00-15:30", "07:00-15:30", "350.00", "settled"),
        (TUE.isoformat(), "Warehouse", "07:00-12:00", "07:00-12:00", "200.00", "settled"),
        (TUE.isoformat(), "Office", "12:30-17:00", "12:30-17:00", "210.00", "settled"),
        (WED.isoformat(), "Warehouse", "07:00-15:00", "07:05-", None, "unsettled"),
    ]
    assert "no clock-out" in data["shifts"][3]["irregular"]
    assert (data["unsettled"], data["irregular"], data["unapproved"]) == (1, 1, 3)
    assert [(p["project"], p["minutes"], p["amount"]["amount"]) for p in data["by_project"]] == [
        ("Office", 270, "210.00"),
        ("Warehouse", 810, "550.00"),
    ]
    assert data["total"] == {"amount": "760.00", "currency": "EUR"}
    assert (data["minutes"], data["standard_minutes"], data["over_day_minutes"]) == (1080, 960, 120)
    assert data["outside_minutes"] == 0 and data["transferred"] == []

    text = run(runner, db_url, "pay", "show", "ewa@example.com", *week, "--breakdown")
    lines = text.splitlines()
    wednesday = next(line for line in lines if line.strip().startswith(WED.isoformat()))
    assert "actual 07:05- " in wednesday and "EUR" not in wednesday
    assert "unsettled" in wednesday and "! no clock-out" in wednesday
    assert "Unsettled days: 1, irregular: 1, not approved: 3" in lines
    assert any("1:30 h at 60.00 EUR/h = 90.00 EUR" in line for line in lines)
    assert lines[-1] == (
        "Total of the settled days: 18:00 h (standard 16:00, over the day length 2:00, "
        "outside the window 0:00): 760.00 EUR"
    )
    plain = run(runner, db_url, "pay", "show", "ewa@example.com", *week)
    assert "EUR/h" not in plain  # the buckets only with --breakdown

    login(runner, db_url, *EWA)  # her own pay, without naming herself
    assert as_json(runner, db_url, "pay", "show", *week)["total"]["amount"] == "760.00"
    login(runner, db_url, *OLEK)
    denied = refused(runner, db_url, "pay", "show", "ewa@example.com", *week)
    assert "may not see others' pay" in denied
    assert "760" not in denied
    assert "may not see others' pay" in refused(
        runner, db_url, "pay", "show", "ewa@example.com", *week, "--json"
    )


@pytest.mark.pg_story
def test_approve_and_a_transfer_refused_with_the_list_then_done(db_url: str) -> None:
    """Ewa Monday to Wednesday 07:00-15:30: 3 x 350.00; Saturday 07:00-12:00 is a day off, so
    5 h outside at 80.00 = 400.00, marked; 1,450.00 in all. Tomasz clocked in on Thursday and
    never out. The transfer is refused naming each day in its way; once Ewa's days are
    approved (Saturday accepted by name) her week is transferred and frozen."""
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, *HR)
    ids = [add(runner, db_url, day, "--start", "07:00", "--end", "15:30")["id"]
           for day in (MON, TUE, WED)]  # fmt: skip
    saturday = add(runner, db_url, SAT, "--start", "07:00", "--end", "12:00")
    assert saturday["pay"]["amount"] == "400.00"
    add(runner, db_url, THU, "--start", "07:00", "--end", "15:00", "--actual-start", "07:00",
        who="tomasz@example.com")  # fmt: skip
    week = ("--from", MON.isoformat(), "--to", SUN.isoformat())

    before = stored(db_url)
    result = runner.invoke(app, ["pay", "transfer", *week, "--db", db_url])
    assert result.exit_code == 1
    days = result.stdout.splitlines()
    assert f"Tomasz Roofer {THU} (Warehouse): not settled (no actual end)" in days
    assert any(
        line.startswith(f"Ewa Worker {SAT}") and "work on a day off (Saturday)" in line
        for line in days
    )
    assert f"Ewa Worker {MON} (Warehouse): not approved" in days
    assert len(days) == 5
    (refusal,) = result.stderr.splitlines()  # a refusal is one line, as everywhere
    assert refusal.startswith("Not ready for accounting: the 5 days listed stand in the way")
    assert "nothing was transferred" in refusal
    assert stored(db_url) == before

    approved = run(runner, db_url, "pay", "approve", "ewa@example.com", *week)
    assert "Approved 3 days." in approved and "Skipped 1 day:" in approved
    assert f"#{saturday['id']:<6} {SAT} Ewa Worker" in approved
    assert "irregular: work on a day off (Saturday)" in approved
    accepted = as_json(
        runner, db_url, "pay", "approve", "--shift", str(saturday["id"]), "--accept-irregular"
    )
    assert [s["id"] for s in accepted["approved"]] == [saturday["id"]]
    again = as_json(runner, db_url, "pay", "approve", "--shift", str(ids[0]))
    assert again["approved"] == [] and again["skipped"][0]["reason"] == "approved already"

    still = refused(runner, db_url, "pay", "transfer", *week)
    assert f"Tomasz Roofer {THU}" in still and "Ewa Worker" not in still
    preview = as_json(
        runner, db_url, "pay", "transfer", *week, "--employee", "ewa@example.com", "--dry-run"
    )
    assert preview["dry_run"] is True and preview["total"]["amount"] == "1450.00"
    assert [(x["employee"], x["shifts"], x["minutes"]) for x in preview["lines"]] == [
        ("Ewa Worker", 4, 3 * 510 + 300)
    ]
    assert stored(db_url)["payroll_period"] == []
    done = run(runner, db_url, "pay", "transfer", *week, "--employee", "ewa@example.com")
    assert done.splitlines()[-1] == (
        f"Transferred {MON} to {SUN} to accounting: 1,450.00 EUR; the period's shifts are locked."
    )
    assert len(stored(db_url)["payroll_period"]) == 1
    frozen = refused(runner, db_url, "shift", "edit", str(ids[0]), "--actual-end", "16:00",
                     "--reason", "late")  # fmt: skip
    assert "transferred" in frozen
    assert "transferred" in refused(
        runner, db_url, "shift", "add", "--employee", "ewa@example.com", "--project",
        "Warehouse", "--date", THU.isoformat(), "--start", "07:00", "--end", "15:00",
    )  # fmt: skip
    shown = as_json(runner, db_url, "pay", "show", "ewa@example.com", *week)
    assert {s["status"] for s in shown["shifts"]} == {"transferred"}
    assert shown["transferred"] == [
        {
            "date_from": MON.isoformat(),
            "date_to": SUN.isoformat(),
            "total": {"amount": "1450.00", "currency": "EUR"},
        }
    ]
    assert "Transferred to accounting" in run(
        runner, db_url, "pay", "show", "ewa@example.com", *week
    )
    checked(runner, db_url)


# --- the export ------------------------------------------------------------------------------


def test_export_pay_to_csv_and_xlsx(db_url: str, tmp_path: Path) -> None:
    """Ewa: Monday 07:00-15:30 = 350.00; Tuesday 07:00-12:00 (200.00) and 12:30-17:00 at the
    office (210.00), one row of 410.00. Tomasz: Wednesday 07:00-15:00, 8 h at 30.00 = 240.00.
    Totals: Ewa 3 shifts 760.00, Tomasz 1 shift 240.00, 4 shifts 1,000.00. The accounting
    program knows the projects by their codes."""
    runner = CliRunner()
    firm(db_url, codes=("WH", "OF"))
    login(runner, db_url, *HR)
    add(runner, db_url, MON, "--start", "07:00", "--end", "15:30")
    add(runner, db_url, TUE, "--start", "07:00", "--end", "12:00")
    add(runner, db_url, TUE, "--start", "12:30", "--end", "17:00", "--project", "Office")
    add(runner, db_url, WED, "--start", "07:00", "--end", "15:00", who="tomasz@example.com")
    week = ("--from", MON.isoformat(), "--to", SUN.isoformat())
    xlsx = tmp_path / "pay.xlsx"
    assert "may not" in refused(
        runner, db_url, "export", "pay", *week, "--format", "xlsx", "--out", str(xlsx)
    )  # HR may not export by default
    assert not xlsx.exists()

    login(runner, db_url, *OWNER)
    written = run(runner, db_url, "export", "pay", *week, "--format", "xlsx", "--out", str(xlsx))
    assert written.strip() == str(xlsx)
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Remuneration", "Totals"]
    rows = list(book["Remuneration"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "Employee")
    days = rows[header + 1 :]
    assert [(r[0], str(r[2])[:10], r[3], float(r[11]), r[12]) for r in days[:-1]] == [
        ("Ewa Worker", MON.isoformat(), "WH", 350.0, "not approved"),
        ("Ewa Worker", TUE.isoformat(), "WH, OF", 410.0, "not approved"),
        ("Tomasz Roofer", WED.isoformat(), "WH", 240.0, "not approved"),
    ]
    assert days[-1][0] == "Total" and float(days[-1][11]) == 1000.0
    totals = list(book["Totals"].iter_rows(values_only=True))
    top = next(i for i, row in enumerate(totals) if row and row[0] == "Employee")
    assert [(r[0], r[2], float(r[10])) for r in totals[top + 1 :]] == [
        ("Ewa Worker", 3, 760.0),
        ("Tomasz Roofer", 1, 240.0),
        ("Total", 4, 1000.0),
    ]

    csv_out = tmp_path / "tomasz.csv"
    run(runner, db_url, "export", "pay", *week, "--format", "csv", "--out", str(csv_out),
        "--employee", "tomasz@example.com")  # fmt: skip
    lines = list(csv.reader(csv_out.read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0][:4] == ["Employee", "E-mail", "Date", "Projects"]
    assert [(r[0], r[2], r[11]) for r in lines[1:]] == [
        ("Tomasz Roofer", WED.isoformat(), "240.00"),
        ("Total", "", "240.00"),
    ]
    bad = tmp_path / "pay.pdf"
    assert "--format" in refused(
        runner, db_url, "export", "pay", *week, "--format", "pdf", "--out", str(bad)
    )
    assert not bad.exists()


# --- bad input -------------------------------------------------------------------------------


def test_bad_input_at_each_option_is_named_and_changes_nothing(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, *HR)
    one = str(add(runner, db_url, MON, "--start", "07:00", "--end", "15:00")["id"])
    day = MON.isoformat()
    saturday_before = (MON - timedelta(days=2)).isoformat()
    plan = ["shift", "plan", "--employees", "ewa@example.com", "--project", "Warehouse",
            "--from", day, "--start", "07:00", "--end", "15:00"]  # fmt: skip
    shift = ["shift", "add", "--employee", "ewa@example.com", "--project", "Warehouse",
             "--date", TUE.isoformat(), "--start", "07:00", "--end", "15:00"]  # fmt: skip
    terms = ["pay", "set-terms", "ewa@example.com", "--from", THU.isoformat(), "--rate", "45"]
    fill = ["shift", "fill", "--mode", "end", "--from", day, "--to", SUN.isoformat()]
    export = ["export", "pay", "--from", day, "--to", SUN.isoformat(), "--format", "csv",
              "--out", str(tmp_path / "pay.csv")]  # fmt: skip

    def but(command: list[str], option: str, value: str) -> list[str]:
        """``command`` with ``option`` set to ``value`` (added when it is not there)."""
        if option in command:
            at = command.index(option) + 1
            return [*command[:at], value, *command[at + 1 :]]
        return [*command, option, value]

    cases: list[tuple[list[str], str]] = [
        (but(plan, "--employees", "nobody@example.com"), "--employees"),
        (but(plan, "--project", "Nowhere"), "--project"),
        (but(plan, "--from", "2026-02-30"), "--from"),
        (but(plan, "--to", (MON - timedelta(days=1)).isoformat()), "--to"),
        (but(plan, "--start", "25:00"), "--start"),
        (but(plan, "--end", ""), "--end"),
        (but(plan, "--end", "7 pm"), "--end"),
        (but(plan, "--lunch", "600"), "--lunch"),
        (but(plan, "--work-type", "Plumbing"), "--work-type"),
        (but(plan, "--custom-rates", "maybe"), "--custom-rates"),
        (but(but(plan, "--custom-rates", "yes"), "--over-day", "abc"), "--over-day"),
        (but(plan, "--outside-window", "75"), "--outside-window"),
        (but(shift, "--employee", "nobody@example.com"), "--employee"),
        (but(shift, "--date", "yesterday"), "--date"),
        (but(shift, "--actual-start", "7:99"), "--actual-start"),
        (but(shift, "--actual-end", "x"), "--actual-end"),
        (but(shift, "--lunch", "-5"), "--lunch"),
        (["shift", "edit", one, "--reason", ""], "--reason"),
        (["shift", "edit", one, "--reason", "x", "--start", "31:00"], "--start"),
        (["shift", "edit", one, "--reason", "x", "--project", "Nowhere"], "--project"),
        (["shift", "delete", one, "--reason", " "], "--reason"),
        (but(fill, "--mode", "all"), "--mode"),
        (but(fill, "--from", "soon"), "--from"),
        (but(fill, "--to", "2026-13-01"), "--to"),
        (["shift", "list", "--from", "03/02"], "--from"),
        (["shift", "list", "--to", "never"], "--to"),
        (["pay", "show", "ewa@example.com", "--from", "x"], "--from"),
        (["pay", "show", "ewa@example.com", "--from", day, "--to", saturday_before], "--to"),
        (["pay", "approve"], "--shift"),
        (["pay", "approve", "ewa@example.com", "--shift", one], "--shift"),
        (["pay", "approve", "ewa@example.com", "--accept-irregular"], "--accept-irregular"),
        (["pay", "approve", "ewa@example.com", "--from", "x"], "--from"),
        (["pay", "transfer", "--from", "x", "--to", SUN.isoformat()], "--from"),
        (["pay", "transfer", "--from", day, "--to", TODAY.isoformat()], "--to"),
        (but(terms, "--from", "31.02.2026"), "--from"),
        (but(terms, "--rate", "abc"), "--rate"),
        (but(terms, "--over-day", "-5"), "--over-day"),
        (but(terms, "--outside-window", "2000"), "--outside-window"),
        (but(terms, "--external", "maybe"), "--external"),
        (but(terms, "--rates", "Plumbing=10"), "--rates"),
    ]
    before = stored(db_url)
    for args, option in cases:
        message = refused(runner, db_url, *args)
        assert f"{option}:" in message, (args, message)
        assert len(message.splitlines()) == 1, (args, message)
    login(runner, db_url, *EWA)
    for args, option in (
        (["clock", "in", "--project", "Nowhere"], "--project"),
        (["clock", "in", "--project", "Warehouse", "--work-type", "Plumbing"], "--work-type"),
    ):
        assert f"{option}:" in refused(runner, db_url, *args), args
    assert "may not" in refused(runner, db_url, *shift)  # staff plan no shifts
    login(runner, db_url, *OWNER)
    for args, option in (
        (but(export, "--format", "pdf"), "--format:"),
        (but(export, "--from", "x"), "--from:"),
        (but(export, "--to", "2026-02-30"), "--to:"),
        (but(export, "--employee", "nobody@example.com"), "Nobody of the firm is called"),
    ):
        assert option in refused(runner, db_url, *args), args
    assert stored(db_url) == before
    assert not (tmp_path / "pay.csv").exists()
