"""Long lists keep their cursor on its record while the rows change under it.

A list screen reads its rows again after its own writes and whenever the change feed reports a
commit; its own writes come back through the feed too, a moment later. The tests put the cursor
deep in a long list (past the first page where the list is paged), then change that row through
the screen, through a second Services on the same SQLite file (another session), or remove it,
and check once the feed's report has been handled that the cursor is on the same record (or on
its neighbour), that the list still holds every row and that the view has not jumped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.presets import PresetsScreen
from tektoro_tui.screens.printer import PrinterScreen
from tektoro_tui.screens.time_report import REPORT_COLUMNS, TimeReportScreen
from tektoro_tui.services.administration.presets import RateCodeForm
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import PaymentForm
from tektoro_tui.services.pipeline.views import AllocationForm, TimeCardForm
from tektoro_tui.widgets.dialogs.batch import BatchDialog
from tektoro_tui.widgets.dialogs.form import FormModal
from tektoro_tui.widgets.printer_detail import INVOICE_COLUMNS
from tektoro_tui.widgets.stable_table import StableTable
from tektoro_tui.widgets.unsaved import LeaveDialog
from tests.builders import approve_all

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, NOW, Firm
from .tuitools import go, keys, log_in, settle, text_of, type_into, until

SIZE = (100, 30)
RATES = 80
"""Rate codes in the list: "Rate 01" to "Rate 79" and "Standard" (a page holds 50)."""
ENTRIES = 80
"""Time entries of Ann's, one a day back from the clock's today (a page holds 50)."""
INVOICES = 12
"""Issued invoices in the Invoice Printer, whose list shows 8 rows at a time."""


# --- the other session and the change feed -------------------------------------------------------


@pytest.fixture
def other(stocked_firm: Firm) -> Iterator[Services]:
    """A second Services on the same database file: another session, as in another terminal."""
    services = Services.connect("sqlite:///tektoro.db", clock=FixedClock(NOW))
    try:
        yield services
    finally:
        services.close()


def other_admin(other: Services) -> Actor:
    """Ann, signed in to the other session."""
    return other.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD)


def feed_reports(app: TektoroApp) -> list[frozenset[str]]:
    """The tables of every batch the change feed hands the app from now on."""
    seen: list[frozenset[str]] = []
    deliver = app._data_changed

    def spy(touched: frozenset[tuple[str, int | None]]) -> None:
        seen.append(frozenset(entity for entity, _ in touched))
        deliver(touched)

    app._data_changed = spy  # type: ignore[method-assign]
    return seen


async def after_the_feed(pilot: Pilot[None], seen: list[frozenset[str]], table: str) -> None:
    """Wait until the change feed has reported a change to ``table`` and the screen has read
    its rows again."""
    await until(pilot, lambda: any(table in batch for batch in seen), f"the feed's {table}")
    await settle(pilot)


async def open_screen(pilot: Pilot[None], *pressed: str) -> None:
    """Log in as Ann and press the keys that open the screen."""
    await log_in(pilot, ADMIN_EMAIL, ADMIN_PASSWORD)
    for key in pressed:
        await pilot.press(key)
        await settle(pilot)


async def cursor_to(pilot: Pilot[None], table: DataTable[object], row: int) -> None:
    """Load every page (the cursor at the end asks for the next one), then go to ``row``."""
    while True:
        shown = table.row_count
        table.move_cursor(row=shown - 1)
        await settle(pilot)
        if table.row_count == shown:
            break
    table.move_cursor(row=row)
    await settle(pilot)


def cell(table: DataTable[object], key: str, column: int) -> str:
    """One cell as text ("" while the row is absent)."""
    return str(table.get_row(key)[column]) if key in table.rows else ""


def keys_of(table: DataTable[object]) -> list[str]:
    """The row keys in the order shown."""
    return [str(row.key.value) for row in table.ordered_rows]


def first_column(table: DataTable[object]) -> list[str]:
    """The first cell of every row, in the order shown."""
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


# --- Code presets: rate codes ---------------------------------------------------------------------


@pytest.fixture
def rates(stocked_firm: Firm) -> dict[str, int]:
    """The stocked firm's "Standard" plus "Rate 01" to "Rate 79"; ids by name."""
    presets, admin = stocked_firm.services.presets, stocked_firm.admin
    for number in range(1, RATES):
        presets.save_rate_code(admin, RateCodeForm(name=f"Rate {number:02d}", hourly_rate="50"))
    listed = presets.list_rate_codes(admin, limit=500).items
    return {code.name: code.id for code in listed}


async def open_rate_codes(pilot: Pilot[None]) -> StableTable:
    """The rate codes tab of the presets, with the cursor on "Rate 60" (row 60 of 80)."""
    await open_screen(pilot, *go("p"), "5")
    assert isinstance(pilot.app.screen, PresetsScreen)
    table = pilot.app.screen.query_one("#rate_codes-pane-table", StableTable)
    await cursor_to(pilot, table, 59)
    assert table.row_count == RATES
    assert table.get_row_at(59)[0] == "Rate 60"
    return table


async def test_a_rate_code_renamed_on_the_presets_screen_keeps_the_cursor(
    stocked_firm: Firm, rates: dict[str, int]
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_rate_codes(pilot)
        seen = feed_reports(app)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, FormModal)
        type_into(app, "#input-name", "Rate 05 night")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await after_the_feed(pilot, seen, "rate_code")

        assert table.current_key == str(rates["Rate 60"]), "the cursor stays on the record"
        assert table.get_row_at(table.cursor_row)[0] == "Rate 05 night"
        names = first_column(table)
        assert names == sorted(names), "the renamed row took its place by name"
        assert len(names) == RATES, "both pages are still shown"


async def test_a_rate_code_changed_in_another_session_is_updated_in_place(
    stocked_firm: Firm, rates: dict[str, int], other: Services
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_rate_codes(pilot)
        key, scroll = str(rates["Rate 60"]), table.scroll_y
        ann = other_admin(other)
        form = RateCodeForm(name="Rate 60", hourly_rate="99")
        other.presets.save_rate_code(ann, form, rates["Rate 60"])
        other.presets.save_rate_code(ann, RateCodeForm(name="Rate 30a", hourly_rate="1"))
        await until(
            pilot,
            lambda: "99.00" in cell(table, key, 1) and "Rate 30a" in first_column(table),
            "the other session's changes in the list",
        )
        await settle(pilot)

        assert table.current_key == key, "the cursor stays on the record"
        assert table.cursor_row == 60, "one row was added above it"
        assert first_column(table)[30] == "Rate 30a", "the new row in its place by name"
        assert table.row_count == RATES + 1
        assert table.scroll_y == scroll, "the view has not jumped"


async def test_a_rate_code_saved_over_another_sessions_change_is_refused_in_the_form(
    stocked_firm: Firm, rates: dict[str, int], other: Services
) -> None:
    """The form opened on Rate 60 at 50.00; another session sets 65.00; renaming it in the
    form is then refused inside the form (what was typed stays), and the database keeps the
    other session's rate under the old name."""
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_rate_codes(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, FormModal)
        ident = rates["Rate 60"]
        other.presets.save_rate_code(
            other_admin(other), RateCodeForm(hourly_rate="65.00"), ident, version=1
        )
        assert not app.screen.query_one("#reload", Button).display
        type_into(app, "#input-name", "Rate 60 night")
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, FormModal), "the form stays up"
        told = text_of(app, "#form-problems")
        assert told.startswith("Changed by someone else: Rate code Rate 60 was changed by Ann")
        assert "hourly rate: 50.00 → 65.00" in told and "Nothing was saved" in told
        assert app.screen.query_one("#input-name", Input).value == "Rate 60 night"
        assert app.screen.query_one("#reload", Button).display, "Reload is offered"
        rates_now = other.presets.list_rate_codes(other_admin(other), limit=500).items
        saved = {r.id: r for r in rates_now}
        assert (saved[ident].name, str(saved[ident].hourly_rate.amount)) == ("Rate 60", "65.00")

        await keys(pilot, "f5")  # Reload: what was typed would be lost, so it asks first
        assert isinstance(app.screen, LeaveDialog)
        await keys(pilot, "y")
        assert isinstance(app.screen, PresetsScreen), "the form closed, unsaved"
        await until(pilot, lambda: "65.00" in table_row(app, ident), "Rate 60 at 65.00")
        await keys(pilot, "e")  # edit again, from the record as it is now
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#input-hourly_rate", Input).value == "65.00"
        type_into(app, "#input-name", "Rate 60 night")
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, PresetsScreen), "saved over the record as it is now"
    saved = {r.id: r for r in other.presets.list_rate_codes(other_admin(other), limit=500).items}
    assert (saved[ident].name, str(saved[ident].hourly_rate.amount)) == ("Rate 60 night", "65.00")


def table_row(app: TektoroApp, ident: int) -> str:
    """The rate codes list's row of ``ident`` as text ("" while it is absent)."""
    table = app.screen.query_one("#rate_codes-pane-table", StableTable)
    if str(ident) not in table.rows:
        return ""
    return " ".join(str(cell) for cell in table.get_row(str(ident)))


# --- Time Report ------------------------------------------------------------------------------


@pytest.fixture
def entries(stocked_firm: Firm) -> list[int]:
    """Ann's entries, one a day back from today, as the report lists them (newest first)."""
    services, admin = stocked_firm.services, stocked_firm.admin
    presets = services.presets
    project = presets.list_projects(admin).items[0]
    form = TimeCardForm(
        project_id=project.id,
        task_id=presets.list_tasks(admin, project.id).items[0].id,
        activity_id=presets.list_activities(admin).items[0].id,
        rate_code_id=presets.list_rate_codes(admin).items[0].id,
        time_spent="1:00",
    )
    today = NOW.date()
    for back in range(ENTRIES):
        day = (today - timedelta(days=back)).isoformat()
        services.time.add_entry(admin, replace(form, work_date=day))
    return [view.id for view in services.time.report(admin, limit=500).items]


async def open_report(pilot: Pilot[None], row: int) -> StableTable:
    """The Time Report with every page loaded and the cursor on ``row``."""
    await open_screen(pilot, *go("t"))
    assert isinstance(pilot.app.screen, TimeReportScreen)
    table = pilot.app.screen.query_one("#entries", StableTable)
    await cursor_to(pilot, table, row)
    assert table.row_count == ENTRIES
    return table


async def test_an_entry_edited_on_the_time_report_keeps_the_cursor(
    stocked_firm: Firm, entries: list[int]
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    hours = 1 + REPORT_COLUMNS.index("hours")  # after the mark
    async with app.run_test(size=SIZE) as pilot:
        table = await open_report(pilot, 60)
        key, scroll = str(entries[60]), table.scroll_y
        seen = feed_reports(app)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, FormModal)
        type_into(app, "#input-time_spent", "3:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await after_the_feed(pilot, seen, "time_entry")

        assert table.current_key == key, "the cursor stays on the entry"
        assert cell(table, key, hours).strip() == "3:00"
        assert table.row_count == ENTRIES, "both pages are still shown"
        assert table.scroll_y == scroll, "the view has not jumped"


async def test_an_entry_changed_in_another_session_is_updated_in_place(
    stocked_firm: Firm, entries: list[int], other: Services
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    hours = 1 + REPORT_COLUMNS.index("hours")
    async with app.run_test(size=SIZE) as pilot:
        table = await open_report(pilot, 60)
        key, scroll = str(entries[60]), table.scroll_y
        ann = other_admin(other)
        view = other.time.get_entry(ann, entries[60])
        form = TimeCardForm(
            project_id=view.project_id,
            task_id=view.task_id,
            activity_id=view.activity_id,
            rate_code_id=view.rate_code_id,
            time_spent="2:30",
            work_date=view.work_date.isoformat(),
        )
        other.time.update_entry(ann, view.id, form)
        await until(
            pilot,
            lambda: cell(table, key, hours).strip() == "2:30",
            "the other session's change in the report",
        )
        await settle(pilot)

        assert table.current_key == key, "the cursor stays on the entry"
        assert table.row_count == ENTRIES
        assert table.scroll_y == scroll, "the view has not jumped"


async def test_deleted_entries_move_the_cursor_to_their_neighbour(
    stocked_firm: Firm, entries: list[int], other: Services
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_report(pilot, 60)
        seen = feed_reports(app)
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, BatchDialog)
        await pilot.press("y")
        await settle(pilot)
        await after_the_feed(pilot, seen, "time_entry")
        assert table.current_key == str(entries[61]), "on the entry that followed"
        assert table.row_count == ENTRIES - 1

        other.time.delete_entries(other_admin(other), [entries[61]])
        await until(
            pilot, lambda: str(entries[61]) not in table.rows, "the other session's deletion"
        )
        await settle(pilot)
        assert table.current_key == str(entries[62]), "on the entry that followed"
        assert table.row_count == ENTRIES - 2

        last = table.row_count - 1
        table.move_cursor(row=last)
        await settle(pilot)
        other.time.delete_entries(other_admin(other), [entries[-1]])
        await until(pilot, lambda: table.row_count == ENTRIES - 3, "the last entry's deletion")
        await settle(pilot)
        assert table.current_key == str(entries[-2]), "the last row gone: on the one before"


# --- Invoice Printer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Printed:
    """The issued invoices, newest first as the printer lists them."""

    numbers: list[str]


@pytest.fixture
def printed(stocked_firm: Firm) -> Printed:
    """Twelve invoices of one hour's work each, issued a day apart in April 2024."""
    services, admin = stocked_firm.services, stocked_firm.admin
    presets = services.presets
    project = presets.list_projects(admin).items[0]
    card = TimeCardForm(
        project_id=project.id,
        task_id=presets.list_tasks(admin, project.id).items[0].id,
        activity_id=presets.list_activities(admin).items[0].id,
        rate_code_id=presets.list_rate_codes(admin).items[0].id,
        time_spent="1:00",
    )
    first = date(2024, 4, 1)
    for number in range(INVOICES):
        issued = first + timedelta(days=number)
        entry = services.time.add_entry(admin, replace(card, work_date=issued.isoformat()))
        approve_all(services, [entry.id], admin)
        services.wip.allocate(admin, [entry.id], AllocationForm(kind="bill"))
        (record,) = services.wip.process(admin, per_project=True).documents
        draft = services.invoices.open_record(admin, record.id or 0)
        services.invoices.issue(admin, draft.id, issue_date=issued)
    listed = services.invoices.printer_list(admin, lines=False)
    return Printed([view.number or "" for view in listed])


async def open_printer(pilot: Pilot[None]) -> StableTable:
    """The printer with the cursor on row 7, the view scrolled down to row 10 and back."""
    await open_screen(pilot, *go("i"))
    assert isinstance(pilot.app.screen, PrinterScreen)
    table = pilot.app.screen.query_one("#invoices", StableTable)
    assert table.row_count == INVOICES
    await pilot.press(*["down"] * 10, *["up"] * 3)
    await settle(pilot)
    assert table.cursor_row == 7
    assert table.scroll_y > 0, "row 10 is below the first view"
    return table


async def test_a_payment_recorded_on_the_printer_keeps_the_cursor_and_the_view(
    stocked_firm: Firm, printed: Printed
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    paid = INVOICE_COLUMNS.index("Paid")
    async with app.run_test(size=SIZE) as pilot:
        table = await open_printer(pilot)
        number, scroll = printed.numbers[7], table.scroll_y
        seen = feed_reports(app)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, FormModal)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await after_the_feed(pilot, seen, "payment")

        assert table.current_key == number, "the cursor stays on the invoice"
        assert cell(table, number, paid).strip() == "98.40"
        assert table.scroll_y == scroll, "the view has not jumped"


async def test_a_payment_and_a_credit_note_from_another_session(
    stocked_firm: Firm, printed: Printed, other: Services
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    paid = INVOICE_COLUMNS.index("Paid")
    async with app.run_test(size=SIZE) as pilot:
        table = await open_printer(pilot)
        number, scroll = printed.numbers[7], table.scroll_y
        ann = other_admin(other)
        other.invoices.record_payment(ann, number, PaymentForm("50.00", "2024-05-06"))
        await until(
            pilot,
            lambda: cell(table, number, paid).strip() == "50.00",
            "the other session's payment in the printer",
        )
        await settle(pilot)
        assert table.current_key == number, "the cursor stays on the invoice"
        assert table.scroll_y == scroll, "the view has not jumped"

        cancelled = printed.numbers[8]
        table.move_cursor(row=8)
        await settle(pilot)
        note = other.invoices.credit_note(ann, cancelled, reason="Wrong client")
        await until(pilot, lambda: cancelled not in table.rows, "the cancelled invoice leaving")
        await settle(pilot)
        assert keys_of(table)[0] == note.number, "the credit note on top, the newest"
        assert table.current_key == printed.numbers[9], "on the invoice that followed"
