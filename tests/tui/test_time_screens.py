"""Time Card, Time Report and Approvals driven by keyboard against a real SQLite database.

Every test types and presses keys only (no clicks, no values set behind the widgets' backs),
then checks the database through the services and what the screen shows.
"""

from __future__ import annotations

import email
import io
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from textual.widgets import Checkbox, Input, ProgressBar, Select

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.approvals import ApprovalsScreen
from tektoro_tui.screens.time_card import TimeCardScreen
from tektoro_tui.screens.time_report import TimeReportScreen
from tektoro_tui.services.administration.presets import ActivityForm
from tektoro_tui.services.base import Actor
from tektoro_tui.services.pipeline.views import TimeEntryView
from tektoro_tui.widgets.dialogs.batch import BatchDialog
from tektoro_tui.widgets.dialogs.confirm import NoticeDialog
from tektoro_tui.widgets.dialogs.export_choice import ExportDialog
from tektoro_tui.widgets.time_fields import TimeEntryForm
from tests.builders import Codes, Job, add_job, add_person

from .conftest import ADMIN, ADMIN_EMAIL, STAFF, Firm
from .tuitools import (
    errors,
    focused_id,
    go,
    invalid_fields,
    keys,
    notifications,
    open_area,
    settle,
    snapshot_steps,
    table_rows,
    text_of,
    type_text,
    until,
)

SIZE = (80, 24)
TODAY = "2024-05-06"
SUB_EMAIL = "tom@acme.test"
SUB_PASSWORD = "sub-pass-123"


# --- the firm ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shop:
    """The stocked firm plus a second project (two tasks) and a non-billable activity."""

    firm: Firm
    codes: Codes  # Harbour refit, Demolition, Carpentry (billable), Standard at 80.00 an hour
    mill: Job  # Mill roof, with the tasks Tiles and Gutters
    travel_id: int  # Travel (not billable by default)

    @property
    def services(self) -> Any:
        """The firm's services."""
        return self.firm.services

    def card(self, who: Actor, spent: str, day: str = TODAY, **changes: Any) -> TimeEntryView:
        """A draft entry on Harbour refit / Demolition / Carpentry / Standard."""
        form = replace(self.codes.card(spent, day, f"work {spent}"), **changes)
        return self.services.time.add_entry(who, form)

    def entries(self, who: Actor | None = None) -> list[TimeEntryView]:
        """Every entry the administrator (or ``who``) sees, newest first."""
        return list(self.services.time.report(who or self.firm.admin, limit=500).items)


@pytest.fixture
def shop(stocked_firm: Firm) -> Shop:
    """Acme Builders with two projects, three tasks, two activities and one rate code."""
    services, admin, codes = stocked_firm.services, stocked_firm.admin, stocked_firm.codes
    assert codes is not None
    mill = add_job(services, admin, codes.client_id, "Mill roof", "Tiles", "Gutters")
    travel = services.presets.save_activity(admin, ActivityForm("Travel", billable_default=False))
    return Shop(stocked_firm, codes, mill, travel.id)


def add_sub_staff(shop: Shop) -> Actor:
    """Tom, supervised by Sam (so two levels below Ann)."""
    firm = shop.firm
    return add_person(
        firm.services,
        firm.admin,
        "Tom Trainee",
        email=SUB_EMAIL,
        password=SUB_PASSWORD,
        pay_rate="20",
        supervisor_id=firm.staff.user_id,
    )


# --- Time Card ----------------------------------------------------------------------------------


async def test_two_cards_in_a_row_keep_the_codes(shop: Shop) -> None:
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "c", login=ADMIN)
        assert isinstance(app.screen, TimeCardScreen)
        assert focused_id(app) == "input-project_id", "two projects: the project comes first"
        await type_text(pilot, "mill", "enter")
        assert focused_id(app) == "input-task_id"
        await type_text(pilot, "gut", "enter")
        await type_text(pilot, "trav", "enter")
        billable = app.screen.query_one("#input-billable", Checkbox)
        assert billable.value is False, "Travel is not billable"
        await keys(pilot, "tab", "tab")
        assert focused_id(app) == "input-time_spent"
        await type_text(pilot, "1:30", "enter")
        await type_text(pilot, "Gutters cleared", "enter")

        assert focused_id(app) == "input-time_spent", "ready for the next card"
        assert app.screen.query_one("#input-time_spent", Input).value == ""
        assert app.screen.query_one("#input-description", Input).value == ""
        assert app.screen.query_one("#input-project_id", Select).value == shop.mill.project_id
        await type_text(pilot, "08:00-08:45", "enter")
        await type_text(pilot, "Second coat", "enter")

        assert [r[:4] for r in table_rows(app, "#day-entries")] == [
            ["Mill roof", "Gutters", "Travel", "0:45"],
            ["Mill roof", "Gutters", "Travel", "1:30"],
        ]
        assert text_of(app, "#day-totals") == "Day total: 2 entries · 2:15 h · 180.00 EUR"
        assert not errors(app)
    saved = shop.entries()
    assert [(e.minutes, e.task_id, e.activity_id, e.billable) for e in saved] == [
        (45, shop.mill.task_ids[1], shop.travel_id, False),
        (90, shop.mill.task_ids[1], shop.travel_id, False),
    ]
    assert saved[0].start_minute == 8 * 60 and saved[0].end_minute == 8 * 60 + 45
    assert {(e.owner_id, e.status, e.work_date.isoformat()) for e in saved} == {
        (shop.firm.admin.user_id, "draft", TODAY)
    }


async def test_a_refused_card_marks_every_problem_and_saves_nothing(shop: Shop) -> None:
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "c", login=ADMIN)
        await keys(pilot, "shift+tab")
        assert focused_id(app) == "input-work_date"
        await type_text(pilot, "31.02.2024", "enter")
        await keys(pilot, "tab", "tab", "tab", "tab", "tab")
        assert focused_id(app) == "input-time_spent"
        await type_text(pilot, "0", "ctrl+s")

        bad = invalid_fields(app)
        assert set(bad) == {"work_date", "project_id", "task_id", "activity_id", "time_spent"}
        assert bad["project_id"] == "is required"
        assert "more than zero" in bad["time_spent"]
        assert focused_id(app) == "input-work_date", "the first bad field has the cursor"
        assert errors(app)[0][0] == "Please correct the form"
    assert shop.entries() == []


async def test_more_than_24_hours_a_locked_period_and_an_inactive_code_are_refused(
    shop: Shop,
) -> None:
    services, admin = shop.services, shop.firm.admin
    shop.card(admin, "23:00")
    app = TektoroApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "c", login=ADMIN)
        await type_text(pilot, "harb", "enter", "tab")
        await type_text(pilot, "carp", "enter", "tab", "tab")
        assert focused_id(app) == "input-time_spent"
        await type_text(pilot, "2", "ctrl+s")
        assert set(invalid_fields(app)) == {"time_spent"}
        assert "23:00 h booked" in invalid_fields(app)["time_spent"]

        settings = services.settings
        form = settings.form_for(settings.get(admin))
        settings.update(admin, replace(form, period_lock_date="2024-05-31"))
        await keys(pilot, "ctrl+s")
        assert "locked" in invalid_fields(app)["work_date"]
        assert focused_id(app) == "input-work_date"

        settings.update(admin, replace(form, period_lock_date=""))
        services.presets.set_active(admin, "activity", shop.codes.activity_id, False)
        await keys(pilot, *["tab"] * 6)
        assert focused_id(app) == "input-time_spent"
        await type_text(pilot, "1", "ctrl+s")
        bad = invalid_fields(app)
        assert set(bad) == {"activity_id"} and "inactive" in bad["activity_id"]
    assert len(shop.entries()) == 1


async def test_missing_presets_are_named_with_the_way_to_add_them(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "c", login=ADMIN)
        banner = text_of(app, "#card-missing")
        assert "Missing: Clients, Projects, Tasks, Activities, Rate codes" in banner
        assert "Code presets (Ctrl+G p)" in banner
        await keys(pilot, "ctrl+s")
        assert errors(app)[0][0] == "Code presets missing"
        assert "Code presets (Ctrl+G p)" in text_of(app, "#card-missing")
    assert firm.services.time.report(firm.admin).totals.entries == 0


async def test_a_supervisor_enters_a_card_for_a_staff_member(shop: Shop) -> None:
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "c", login=ADMIN)
        await keys(pilot, "shift+tab", "shift+tab")
        assert focused_id(app) == "input-owner_id"
        await type_text(pilot, "sam", "enter")
        assert focused_id(app) == "input-work_date"
        await type_text(pilot, "03.05.2024", "enter")
        await type_text(pilot, "harb", "enter", "tab")
        await type_text(pilot, "carp", "enter", "tab", "tab")
        await type_text(pilot, "2.5", "enter")
        await type_text(pilot, "Site visit", "enter")
        title = str(app.screen.query_one("#day-title").render())
        assert title == "Cards of Sam Staff on Fri 2024-05-03"
        assert text_of(app, "#day-totals") == "Day total: 1 entry · 2:30 h · 200.00 EUR"
    [entry] = shop.entries()
    assert entry.owner_id == shop.firm.staff.user_id
    assert entry.entered_by_id == shop.firm.admin.user_id
    assert (entry.minutes, entry.work_date.isoformat()) == (150, "2024-05-03")


# --- Time Report --------------------------------------------------------------------------------


def report_data(shop: Shop) -> dict[str, TimeEntryView]:
    """Ann's and Sam's entries over four days; one of Sam's rejected with a reason."""
    admin, staff = shop.firm.admin, shop.firm.staff
    made = {
        "sam1": shop.card(staff, "1:30", "2024-05-01"),
        "sam2": shop.card(staff, "2:00", "2024-05-02"),
        "ann3": shop.card(admin, "3:15", "2024-05-03"),
        "sam4": shop.card(staff, "0:45", "2024-05-04"),
    }
    time = shop.services.time
    time.accept(staff, [made["sam2"].id])
    time.reject(admin, [made["sam2"].id], reason="wrong task")
    return made


async def test_the_report_filters_and_totals_what_it_shows(shop: Shop) -> None:
    report_data(shop)
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "t", login=ADMIN)
        assert isinstance(app.screen, TimeReportScreen)
        assert text_of(app, "#totals") == "Shown: 4 entries · 7:30 h · 600.00 EUR"
        await keys(pilot, "f")
        await type_text(pilot, "2024-05-02", "tab")
        await type_text(pilot, "04.05.2024", "tab")
        await type_text(pilot, "sam", "enter")
        assert text_of(app, "#totals") == "Shown: 2 entries · 2:45 h · 220.00 EUR"
        await keys(pilot, "tab", "tab")
        await type_text(pilot, "draft", "enter")
        assert text_of(app, "#totals") == "Shown: 1 entry · 0:45 h · 60.00 EUR"
        shown = [r[1:4] for r in table_rows(app, "#entries")]
        assert shown == [["2024-05-04", "Sam Staff", "Harbour refit"]]


async def test_a_rejected_entry_shows_its_reason_and_is_edited(shop: Shop) -> None:
    made = report_data(shop)
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "t", login=STAFF)
        shown = table_rows(app, "#entries")
        assert [[r[7], r[9]] for r in shown] == [
            ["draft", ""],
            ["rejected", "wrong task"],
            ["draft", ""],
        ]
        await keys(pilot, "down")
        assert text_of(app, "#detail").startswith("Rejected: wrong task — #")
        await keys(pilot, "e")
        assert isinstance(app.screen, TimeEntryForm)
        assert focused_id(app) == "input-work_date"
        await keys(pilot, *["tab"] * 6)
        assert focused_id(app) == "input-time_spent"
        await type_text(pilot, "3:00", "enter")
        await type_text(pilot, "Roof, not walls", "enter")
        assert isinstance(app.screen, TimeReportScreen)
        row = table_rows(app, "#entries")[1]
        assert [row[5], row[8], row[7]] == ["3:00", "240.00", "rejected"]
    edited = shop.services.time.get_entry(shop.firm.staff, made["sam2"].id)
    assert (edited.minutes, edited.value.cents, edited.status) == (180, 24000, "rejected")
    assert (edited.description, edited.rejection_reason) == ("Roof, not walls", "wrong task")


async def test_a_draft_is_deleted_after_the_question(shop: Shop) -> None:
    made = report_data(shop)
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "t", login=ADMIN)
        await keys(pilot, "delete")
        assert isinstance(app.screen, BatchDialog)
        await keys(pilot, "n")
        assert len(shop.entries()) == 4
        await keys(pilot, "delete", "y")
        assert text_of(app, "#totals") == "Shown: 3 entries · 6:45 h · 540.00 EUR"
    assert made["sam4"].id not in {e.id for e in shop.entries()}


async def test_accept_marked_and_accept_all_ask_with_the_dry_run_totals(shop: Shop) -> None:
    report_data(shop)
    app = TektoroApp(services=shop.services)

    def statuses() -> list[str]:
        return [e.status for e in shop.entries()]

    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "t", login=ADMIN)
        await keys(pilot, "space", "space")
        assert [r[0] for r in table_rows(app, "#entries")] == ["✓", "✓", "", ""]
        await keys(pilot, "a")
        assert isinstance(app.screen, BatchDialog)
        assert text_of(app, "#batch-totals") == "2 entries · 4:00 h · 320.00 EUR"
        await keys(pilot, "n")
        assert statuses() == ["draft", "draft", "rejected", "draft"]
        await keys(pilot, "a", "y")
        assert statuses() == ["accepted", "accepted", "rejected", "draft"]

        await keys(pilot, "A")
        assert text_of(app, "#batch-totals") == "2 entries · 3:30 h · 280.00 EUR"
        assert "every draft and rejected entry shown: 2 " in text_of(app, "#batch-question")
        await keys(pilot, "n")
        assert statuses() == ["accepted", "accepted", "rejected", "draft"]
        await keys(pilot, "A", "y")
        assert table_rows(app, "#entries")[0][7] == "accepted"
    assert set(statuses()) == {"accepted"}


async def test_what_is_shown_is_exported_to_xlsx_with_numbers(shop: Shop) -> None:
    report_data(shop)
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "t", login=ADMIN)
        await keys(pilot, "x")
        assert isinstance(app.screen, ExportDialog)
        await keys(pilot, "x")
        done = [m for t, m, _ in notifications(app) if t == "Exported"]
    path = Path(done[0])
    assert path.exists() and path.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(path).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "Date")
    hours_col = values[header].index("Hours")
    value_col = values[header].index("Value")
    body = values[header + 1 : header + 5]
    assert [row[1] for row in body] == ["Sam Staff", "Ann Admin", "Sam Staff", "Sam Staff"]
    assert all(isinstance(row[hours_col], int | float) for row in body)
    assert [float(row[value_col]) for row in body] == [60.0, 260.0, 160.0, 120.0]


async def test_an_export_shows_its_progress_while_it_writes(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service tells how far it got; the screen shows a bar under the totals until the
    file is written. (The gate only holds the real export after its first report.)"""
    report_data(shop)
    gate = threading.Event()
    export = shop.services.time.export_report

    def held(*args: Any) -> Any:
        *_, progress = args
        progress(1, 4)
        assert gate.wait(10), "the gate was never opened"
        return export(*args)

    monkeypatch.setattr(shop.services.time, "export_report", held)
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "t", login=ADMIN)
        await keys(pilot, "x")
        await pilot.press("c")  # CSV
        await until(pilot, lambda: bool(app.screen.query("#export-progress")), "the bar shown")
        bar = app.screen.query_one("#export-progress", ProgressBar)
        await until(pilot, lambda: (bar.progress, bar.total) == (1, 4), "the first report shown")
        gate.set()
        await settle(pilot)
        assert not app.screen.query("#export-progress")
        (done,) = [m for t, m, _ in notifications(app) if t == "Exported"]
    assert Path(done).suffix == ".csv" and "Sam Staff" in Path(done).read_text("utf-8-sig")


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every message it receives."""

    received: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message."""
        self.received.append(envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on 127.0.0.1 and its port."""
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


async def test_mail_to_me_sends_the_report_as_xlsx(
    shop: Shop, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    report_data(shop)
    services, admin = shop.services, shop.firm.admin
    form = services.settings.form_for(services.settings.get(admin))
    smtp = {"smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_security": "none"}
    services.settings.update(admin, replace(form, **smtp, smtp_sender="office@acme.test"))
    app = TektoroApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "t", login=ADMIN)
        await keys(pilot, "m")
        assert [t for t, _, _ in notifications(app)][-1] == "Mailed"
    [raw] = box.received
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Time report, all dates"
    assert message["To"] == ADMIN_EMAIL
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Entries: 4" in text and "Hours:   7:30" in text and "600.00 EUR" in text
    [attachment] = list(message.iter_attachments())
    sheet = openpyxl.load_workbook(io.BytesIO(attachment.get_content())).active
    numbers = [c for row in sheet.iter_rows() for c in row if c.data_type == "n" and c.value]
    assert len(numbers) >= 8


async def test_a_mail_failure_is_shown_and_the_report_is_kept(shop: Shop) -> None:
    report_data(shop)
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "t", login=ADMIN)
        await keys(pilot, "m")
        assert isinstance(app.screen, NoticeDialog)
        assert str(app.screen.query_one("#notice-title").render()) == "Mail not set up"
        kept = Path(text_of(app, "#notice-secret"))
    assert kept.exists() and kept.suffix == ".xlsx"


# --- Approvals ----------------------------------------------------------------------------------


def accepted_work(shop: Shop) -> list[TimeEntryView]:
    """Three accepted entries of Sam's and one draft."""
    staff = shop.firm.staff
    made = [
        shop.card(staff, spent, day)
        for spent, day in (
            ("1:30", "2024-05-01"),
            ("2:00", "2024-05-02"),
            ("0:45", "2024-05-03"),
        )
    ]
    shop.services.time.accept(staff, [entry.id for entry in made])
    shop.card(staff, "4:00", "2024-05-06")
    return made


async def test_approvals_sum_up_each_contributor_and_approve_all_is_its_own_key(
    shop: Shop,
) -> None:
    accepted_work(shop)
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "a", login=ADMIN)
        assert isinstance(app.screen, ApprovalsScreen)
        assert table_rows(app, "#contributors") == [
            ["All contributors", "3", "4:15", "340.00 EUR"],
            ["Sam Staff", "3", "4:15", "340.00 EUR"],
        ]
        assert len(table_rows(app, "#approval-entries")) == 3
        await keys(pilot, "down", "A")
        assert isinstance(app.screen, BatchDialog)
        assert text_of(app, "#batch-question") == (
            "Approve every accepted entry of Sam Staff (3)? They move on to WIP."
        )
        assert text_of(app, "#batch-totals") == "3 entries · 4:15 h · 340.00 EUR"
        await keys(pilot, "y")
        assert table_rows(app, "#contributors") == [["All contributors", "0", "0:00", "0.00 EUR"]]
        assert table_rows(app, "#approval-entries") == []
    assert sorted(e.status for e in shop.entries()) == ["approved"] * 3 + ["draft"]


async def test_approve_with_nothing_marked_takes_the_highlighted_entry_only(shop: Shop) -> None:
    """On "All contributors", a used to approve every listed entry; now it never acts on more
    than the marked entries or the highlighted one."""
    made = accepted_work(shop)
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "a", login=ADMIN)
        await keys(pilot, "a")
        assert isinstance(app.screen, ApprovalsScreen), "nothing chosen: no question, no change"
        assert notifications(app)[-1][0] == "Which entries?"
        await keys(pilot, "r")
        assert isinstance(app.screen, ApprovalsScreen)

        await keys(pilot, "tab", "a")
        assert isinstance(app.screen, BatchDialog)
        assert text_of(app, "#batch-question").startswith("Approve the highlighted entry?")
        assert text_of(app, "#batch-totals") == "1 entry · 0:45 h · 60.00 EUR"
        await keys(pilot, "y")
        await keys(pilot, "space", "down", "space", "r")
        assert "Send the 2 marked entries back" in text_of(app, "#intro")
        await keys(pilot, "escape")
    approved = [e.id for e in shop.entries() if e.status == "approved"]
    assert approved == [made[2].id], "the newest, listed first"


async def test_a_rejected_entry_goes_back_to_the_time_report_with_the_reason(shop: Shop) -> None:
    made = accepted_work(shop)
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "a", login=ADMIN)
        await keys(pilot, "tab", "down", "r")
        await keys(pilot, "enter")
        assert invalid_fields(app) == {"reason": "is required"}, "a reason is required"
        await type_text(pilot, "Wrong project", "enter")
        assert isinstance(app.screen, BatchDialog)
        assert text_of(app, "#batch-totals") == "1 entry · 2:00 h · 160.00 EUR"
        await keys(pilot, "y")
        assert table_rows(app, "#contributors")[1][1:3] == ["2", "2:15"]
        assert len(table_rows(app, "#approval-entries")) == 2

        await keys(pilot, *go("t"))
        assert isinstance(app.screen, TimeReportScreen)
        await keys(pilot, "f", "tab", "tab", "tab", "tab")
        await type_text(pilot, "rej", "enter")
        assert [[r[7], r[9]] for r in table_rows(app, "#entries")] == [
            ["rejected", "Wrong project"]
        ]
        assert text_of(app, "#detail").startswith("Rejected: Wrong project — #")
    rejected = shop.services.time.get_entry(shop.firm.admin, made[1].id)
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "Wrong project")


async def test_a_staff_members_approvals_show_only_their_direct_staff(shop: Shop) -> None:
    accepted_work(shop)
    tom = add_sub_staff(shop)
    entry = shop.card(tom, "5:00", "2024-05-02")
    shop.services.time.accept(tom, [entry.id])
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "a", login=STAFF)
        assert isinstance(app.screen, ApprovalsScreen)
        assert table_rows(app, "#contributors") == [
            ["All contributors", "1", "5:00", "400.00 EUR"],
            ["Tom Trainee", "1", "5:00", "400.00 EUR"],
        ]
        assert "f" not in {b.binding.key for b in app.screen.active_bindings.values()}
    app = TektoroApp(services=shop.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "a", login=ADMIN)
        assert [r[0] for r in table_rows(app, "#contributors")] == ["All contributors", "Sam Staff"]
        await keys(pilot, "f")
        names = [r[0] for r in table_rows(app, "#contributors")]
        assert names == ["All contributors", "Sam Staff", "Tom Trainee"], "firm-wide"


# --- snapshots at 80x24 ---------------------------------------------------------------------------


def test_time_card_snapshot(shop: Shop, snap_compare) -> None:  # type: ignore[no-untyped-def]
    shop.card(shop.firm.admin, "1:30")
    shop.card(shop.firm.admin, "2:15", description="Plans and permits")
    app = TektoroApp(services=shop.services)
    steps = snapshot_steps(*go("c"), login=ADMIN)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_time_report_snapshot(shop: Shop, snap_compare) -> None:  # type: ignore[no-untyped-def]
    report_data(shop)
    app = TektoroApp(services=shop.services)
    steps = snapshot_steps(*go("t"), "space", "down", login=ADMIN)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_approvals_snapshot(shop: Shop, snap_compare) -> None:  # type: ignore[no-untyped-def]
    accepted_work(shop)
    app = TektoroApp(services=shop.services)
    steps = snapshot_steps(*go("a"), login=ADMIN)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)
