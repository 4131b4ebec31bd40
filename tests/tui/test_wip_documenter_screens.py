"""WIP and the Documenter driven by keyboard against a real SQLite database.

The work comes in the way it does in the firm: Sam (staff) enters time cards and accepts them,
Ann (his supervisor, an administrator) approves them; everything after that is done on the
screens, and the outcome is read back through the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from tektoro_tui.app import TektoroApp
from tektoro_tui.data import models as m
from tektoro_tui.domain.invoice import compose_invoice
from tektoro_tui.screens import documenter as documenter_screen
from tektoro_tui.screens.documenter import DocumenterScreen
from tektoro_tui.screens.wip import WipScreen
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import DraftForm, ExpenseForm
from tektoro_tui.services.pipeline.views import AllocationForm
from tektoro_tui.widgets.dialogs.confirm import NoticeDialog, YesNoDialog
from tektoro_tui.widgets.dialogs.form import FormModal
from tektoro_tui.widgets.dialogs.wip_process import ProcessDialog
from tektoro_tui.widgets.unsaved import LeaveDialog
from tests.builders import add_job, add_time_cards, add_work_codes, approve_all, bill, codes_of

from .conftest import ADMIN, NOW, Firm
from .tuitools import (
    errors,
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
WIDE = (120, 36)


@dataclass(frozen=True)
class Work:
    """Approved work of two clients: Harbour Hotel (3 entries) and Lighthouse Café (1)."""

    services: Services
    admin: Actor
    staff: Actor
    harbour: int
    lighthouse: int
    harbour_entries: tuple[int, ...]
    lighthouse_entries: tuple[int, ...]


def approved_work(firm: Firm) -> Work:
    """Sam's time cards on two clients, accepted by Sam and approved by Ann."""
    services, admin, staff = firm.services, firm.admin, firm.staff
    refit = add_job(services, admin, "Harbour Hotel", "Harbour refit", "Demolition")
    lantern = add_job(services, admin, "Lighthouse Café", "Lantern", "Glazing")
    carpentry, standard = add_work_codes(services, admin, "Carpentry", "Standard", "80")
    harbour = codes_of(refit, carpentry, standard)
    lighthouse = codes_of(lantern, carpentry, standard)
    cards = [  # all at 80.00 an hour
        harbour.card("2:00", "2024-04-29", "Strip the lobby"),
        harbour.card("1:30", "2024-04-30", "Remove old tiles"),
        harbour.card("3:00", "2024-05-02", "Haul rubble"),
        lighthouse.card("1:00", "2024-05-03", "Measure the lantern"),
    ]
    ids = add_time_cards(services, staff, cards)
    approve_all(services, ids, staff, admin)
    return Work(
        services, admin, staff, harbour.client_id, lighthouse.client_id, tuple(ids[:3]), (ids[3],)
    )


@pytest.fixture
def work(firm: Firm) -> Work:
    """The firm with approved work in WIP."""
    return approved_work(firm)


@dataclass(frozen=True)
class Records:
    """Processed work: an invoice record for Harbour Hotel (520.00 of time)."""

    work: Work
    record_id: int


@pytest.fixture
def records(work: Work) -> Records:
    """Harbour Hotel's work billed and processed onto an invoice record (through the services)."""
    record = bill(work.services, work.admin, work.harbour_entries, client_id=work.harbour)
    return Records(work, record)


# --- helpers -------------------------------------------------------------------------------------


async def choose(pilot: Pilot[None], text: str) -> None:
    """Open the focused drop-down, type the start of an option and take it."""
    await keys(pilot, "enter")
    await type_text(pilot, text, "enter")


def entry_states(work: Work) -> dict[int, tuple[str, str | None, int, str]]:
    """(status, allocation, write-down cents, reason) of every entry in WIP, by id."""
    page = work.services.wip.entries(work.admin, limit=100)
    return {
        e.id: (e.status, e.allocation, e.write_down.cents, e.write_down_reason) for e in page.items
    }


# --- WIP -----------------------------------------------------------------------------------------


async def test_wip_lists_the_groups_and_the_entries_of_the_highlighted_one(work: Work) -> None:
    app = TektoroApp(services=work.services)
    async with app.run_test(size=WIDE) as pilot:
        await open_area(pilot, "w", login=ADMIN)
        assert isinstance(app.screen, WipScreen)
        groups = table_rows(app, "#groups")
        assert [row[:4] for row in groups] == [
            ["Harbour Hotel", "Harbour refit", "3", "520.00"],
            ["Lighthouse Café", "Lantern", "1", "80.00"],
        ]
        entries = table_rows(app, "#entries")
        assert [row[1:6] for row in entries] == [
            ["2024-04-29", "Sam Staff", "2:00", "160.00", "open"],
            ["2024-04-30", "Sam Staff", "1:30", "120.00", "open"],
            ["2024-05-02", "Sam Staff", "3:00", "240.00", "open"],
        ]
        assert "3 entries, 6:30 h, 520.00 EUR" in text_of(app, "#entries-heading")

        await keys(pilot, "down")
        assert [row[1] for row in table_rows(app, "#entries")] == ["2024-05-03"]


async def test_a_partial_write_down_is_confirmed_before_it_is_saved(work: Work) -> None:
    first = work.harbour_entries[0]
    app = TektoroApp(services=work.services)
    async with app.run_test(size=WIDE) as pilot:
        await open_area(pilot, "w", login=ADMIN)
        await keys(pilot, "tab", "space")
        assert "1 selected" in text_of(app, "#entries-heading")

        async def allocate() -> None:
            await keys(pilot, "plus")
            assert isinstance(app.screen, FormModal)
            await keys(pilot, "tab")  # from "Allocate to" (Bill) to the write-down amount
            await type_text(pilot, "40")
            await keys(pilot, "tab")
            await choose(pilot, "Goodw")
            await keys(pilot, "tab")
            await type_text(pilot, "Survey")
            await keys(pilot, "ctrl+s")

        await allocate()
        assert isinstance(app.screen, YesNoDialog)
        question = str(app.screen.query_one("#question", Static).render())
        assert "Bill, writing down 40 of each entry (Goodwill)" in question
        assert "1 entry · 2:00 h · value 160.00 EUR" in question
        await keys(pilot, "n")
        assert isinstance(app.screen, FormModal), "No goes back to the form, nothing lost"
        assert app.screen.query_one("#input-write_down_amount", Input).value == "40"
        await keys(pilot, "escape")
        assert isinstance(app.screen, WipScreen)
        assert entry_states(work)[first] == ("approved", None, 0, "")

        await allocate()
        await keys(pilot, "y")
        assert isinstance(app.screen, WipScreen)
        assert entry_states(work)[first] == ("allocated", "bill", 4000, "Goodwill")
        assert table_rows(app, "#entries")[0][5] == "bill, −40.00 down"
        assert table_rows(app, "#groups")[0][4:6] == ["120.00", "40.00"]
        assert "0 selected" not in text_of(app, "#entries-heading")


async def test_a_write_down_larger_than_the_entry_marks_the_form_and_keeps_it(
    work: Work,
) -> None:
    app = TektoroApp(services=work.services)
    async with app.run_test(size=WIDE) as pilot:
        await open_area(pilot, "w", login=ADMIN)
        await keys(pilot, "tab", "space", "plus")
        assert isinstance(app.screen, FormModal)
        await keys(pilot, "tab")
        await type_text(pilot, "9000")
        await keys(pilot, "tab")
        await choose(pilot, "Goodw")
        await keys(pilot, "ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, FormModal), "the form, not a notice to close"
        (problem,) = invalid_fields(app).items()
        assert problem[0] == "write_down_amount" and "more than the entry's value" in problem[1]
        assert app.screen.query_one("#input-write_down_amount", Input).value == "9000"
        await keys(pilot, "escape")
    assert {state[0] for state in entry_states(work).values()} == {"approved"}


async def test_a_write_down_without_a_reason_is_refused_with_the_field_marked(work: Work) -> None:
    app = TektoroApp(services=work.services)
    async with app.run_test(size=WIDE) as pilot:
        await open_area(pilot, "w", login=ADMIN)
        await keys(pilot, "tab", "ctrl+a")
        assert "3 selected" in text_of(app, "#entries-heading")
        await keys(pilot, "plus")
        await choose(pilot, "Write")
        await keys(pilot, "ctrl+s")

        assert isinstance(app.screen, FormModal), "the form stays up with the problem"
        assert invalid_fields(app) == {
            "reason": "is required for a write-down; choose one from the list"
        }
        # The message names the field as the form labels it.
        assert ("Please correct the form", "Write-down reason: is required for a write-down; "
                "choose one from the list", "error") in notifications(app)  # fmt: skip
        await keys(pilot, "escape", "y")
    assert {state[0] for state in entry_states(work).values()} == {"approved"}


async def test_work_is_held_until_a_date_and_released_again(work: Work) -> None:
    last = work.harbour_entries[2]
    app = TektoroApp(services=work.services)
    async with app.run_test(size=WIDE) as pilot:
        await open_area(pilot, "w", login=ADMIN)
        await keys(pilot, "tab", "down", "down", "plus")
        await choose(pilot, "Hold")
        for _ in range(4):  # to "Hold until"
            await keys(pilot, "tab")
        await type_text(pilot, "2024-06-30")
        await keys(pilot, "enter")
        assert isinstance(app.screen, YesNoDialog)
        assert "Hold until 2024-06-30" in str(app.screen.query_one("#question", Static).render())
        await keys(pilot, "y")
        held = work.services.time.get_entry(work.admin, last)
        assert (held.status, held.allocation, held.hold_until) == (
            "allocated",
            "hold",
            date(2024, 6, 30),
        )
        assert table_rows(app, "#entries")[2][5] == "hold to 2024-06-30"

        await keys(pilot, "f", "f", "f", "f")  # all → unallocated → bill → write down → hold
        assert "on hold" in text_of(app, "#entries-heading")
        assert [row[1] for row in table_rows(app, "#entries")] == ["2024-05-02"]
        await keys(pilot, "minus")
        assert isinstance(app.screen, YesNoDialog)
        assert "Back to unallocated" in str(app.screen.query_one("#question", Static).render())
        await keys(pilot, "y")
        assert table_rows(app, "#entries") == []
    released = work.services.time.get_entry(work.admin, last)
    assert (released.status, released.allocation, released.hold_until) == ("approved", None, None)


async def test_releasing_open_work_changes_nothing_and_says_why(work: Work) -> None:
    app = TektoroApp(services=work.services)
    async with app.run_test(size=WIDE) as pilot:
        await open_area(pilot, "w", login=ADMIN)
        await keys(pilot, "tab", "minus")
        assert isinstance(app.screen, NoticeDialog)
        text = str(app.screen.query_one("#notice-text", Static).render())
        assert text.startswith("Nothing would change.\nSkipped 1:\n  #1: ")
        await keys(pilot, "escape")
    assert {state[0] for state in entry_states(work).values()} == {"approved"}


async def test_processing_shows_the_records_then_creates_them_with_progress(work: Work) -> None:
    wip = work.services.wip
    wip.allocate(work.admin, work.harbour_entries[:2], AllocationForm(kind="bill"))
    wip.allocate(
        work.admin,
        work.harbour_entries[2:],
        AllocationForm(kind="write_down", reason="Rework / correction"),
    )
    wip.allocate(work.admin, work.lighthouse_entries, AllocationForm(kind="bill"))
    app = TektoroApp(services=work.services)
    async with app.run_test(size=WIDE) as pilot:
        await open_area(pilot, "w", login=ADMIN)
        await keys(pilot, "f9")
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#input-as_of", Input).value == "2024-05-06"
        await keys(pilot, "ctrl+s")  # the highlighted group's client: Harbour Hotel

        dialog = app.screen
        assert isinstance(dialog, ProcessDialog)
        assert table_rows(app, "#process-documents") == [
            ["(new)", "invoice", "Harbour Hotel", "2", "280.00", "0.00"],
            ["(new)", "write-downs", "Harbour Hotel", "1", "0.00", "240.00"],
        ]
        totals = text_of(app, "#process-totals")
        assert "3 entries, 6:30 h, billed 280.00, written down 240.00 EUR" in totals
        assert wip.documents(work.admin) == ()

        await keys(pilot, "y")
        assert table_rows(app, "#process-documents") == [
            ["DR-000001", "invoice", "Harbour Hotel", "2", "280.00", "0.00"],
            ["DR-000002", "write-downs", "Harbour Hotel", "1", "0.00", "240.00"],
        ]
        assert text_of(app, "#process-note") == "Created DR-000001, DR-000002."
        bar = dialog.query_one("#process-bar")
        assert (bar.total, bar.progress) == (3, 3)  # type: ignore[attr-defined]
        await keys(pilot, "escape")
        assert isinstance(app.screen, WipScreen)
        assert [row[:2] for row in table_rows(app, "#groups")] == [["Lighthouse Café", "Lantern"]]

        await keys(pilot, "2")
        assert table_rows(app, "#realisation-clients") == [
            ["Harbour Hotel", "520.00", "280.00", "240.00", "53.85 %"]
        ]
        assert table_rows(app, "#realisation-staff") == [
            ["Sam Staff", "520.00", "280.00", "240.00", "53.85 %"]
        ]
    documents = {d.reference: d for d in wip.documents(work.admin)}
    assert set(documents) == {"DR-000001", "DR-000002"}
    invoice, statement = documents["DR-000001"], documents["DR-000002"]
    assert (invoice.kind, invoice.entries, invoice.minutes, invoice.billed.cents) == (
        "invoice",
        2,
        210,
        28000,
    )
    assert (statement.kind, statement.entries, statement.written_down.cents) == (
        "write_down",
        1,
        24000,
    )
    lighthouse = work.services.time.get_entry(work.admin, work.lighthouse_entries[0])
    assert lighthouse.status == "allocated", "the other client was not processed"


async def test_no_at_the_process_question_creates_nothing(work: Work) -> None:
    work.services.wip.allocate(work.admin, work.harbour_entries, AllocationForm(kind="bill"))
    app = TektoroApp(services=work.services)
    async with app.run_test(size=WIDE) as pilot:
        await open_area(pilot, "w", login=ADMIN)
        await keys(pilot, "f9", "ctrl+s")
        assert isinstance(app.screen, ProcessDialog)
        await keys(pilot, "n")
        assert isinstance(app.screen, WipScreen)
    assert work.services.wip.documents(work.admin) == ()


# --- Documenter ----------------------------------------------------------------------------------


def gross_shown(app: TektoroApp) -> str:
    """The totals line of the open draft."""
    return text_of(app, "#draft-totals").splitlines()[0]


async def open_record(pilot: Pilot[None]) -> DocumenterScreen:
    """Open the Documenter and the first invoice record in it."""
    screen = await open_area(pilot, "d", DocumenterScreen, login=ADMIN)
    await keys(pilot, "enter")
    assert screen.drafting
    return screen


async def add_expense(pilot: Pilot[None], description: str, amount: str) -> None:
    """Add an expense dated today (the form's default) with the default VAT rate."""
    await keys(pilot, "n")
    assert isinstance(pilot.app.screen, FormModal)
    await keys(pilot, "tab")
    await type_text(pilot, description)
    await keys(pilot, "tab")
    await type_text(pilot, amount)
    await keys(pilot, "enter")


async def test_the_documenter_lists_invoice_records_and_drafts(records: Records) -> None:
    app = TektoroApp(services=records.work.services)
    async with app.run_test(size=WIDE) as pilot:
        await open_area(pilot, "d", login=ADMIN)
        assert table_rows(app, "#records") == [
            ["DR-000001", "Harbour Hotel", "3", "6:30", "520.00", "—"]
        ]
        assert table_rows(app, "#drafts") == []
        await keys(pilot, "enter", "escape")
        assert table_rows(app, "#records")[0][5] == "draft"
        assert table_rows(app, "#drafts") == [
            ["#1", "DR-000001", "Harbour Hotel", "3", "520.00", "639.60"]
        ]


async def test_totals_follow_what_is_typed_before_the_draft_is_saved(records: Records) -> None:
    invoices, admin = records.work.services.invoices, records.work.admin
    app = TektoroApp(services=records.work.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_record(pilot)
        assert gross_shown(app) == "Net 520.00   VAT 119.60   Gross 639.60 EUR"

        await add_expense(pilot, "Skip hire", "200")
        assert isinstance(app.screen, DocumenterScreen)
        assert gross_shown(app) == "Net 720.00   VAT 165.60   Gross 885.60 EUR"
        draft_id = screen.pane.view.id  # type: ignore[union-attr]
        assert invoices.get(admin, draft_id).gross.cents == 88560

        screen.query_one("#input-markup_percent", Input).focus()
        await keys(pilot, "ctrl+a", "ctrl+k")  # clear the field
        await type_text(pilot, "10")
        assert gross_shown(app) == "Net 740.00   VAT 170.20   Gross 910.20 EUR"
        assert table_rows(app, "#draft-lines")[-1][1:3] == ["Markup", "Markup 10% on expenses"]
        assert invoices.get(admin, draft_id).gross.cents == 88560, "nothing saved yet"

        await type_text(pilot, "x")
        assert gross_shown(app) == "Net —   VAT —   Gross —"
        assert "markup_percent" in invalid_fields(app)
        await keys(pilot, "backspace")
        assert invalid_fields(app) == {}

        await keys(pilot, "ctrl+s")
        saved = invoices.get(admin, draft_id)
        assert (saved.markup_bp, saved.net.cents, saved.vat.cents, saved.gross.cents) == (
            1000,
            74000,
            17020,
            91020,
        )
        assert gross_shown(app) == "Net 740.00   VAT 170.20   Gross 910.20 EUR"


async def test_a_draft_is_priced_on_screen_once_when_opened_and_once_a_keystroke(
    records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filling the form of a draft just opened posts a change for each field; the lines are
    composed once for it all (a draft may hold ten thousand), then once for each figure
    typed, and not again for a change that leaves the figures as they were."""
    composed: list[int] = []

    def counting(*args: object, **kwargs: object) -> object:
        composed.append(1)
        return compose_invoice(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(documenter_screen, "compose_invoice", counting)
    app = TektoroApp(services=records.work.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_record(pilot)
        assert len(composed) == 1
        markup = screen.query_one("#input-markup_percent", Input)
        markup.focus()
        await type_text(pilot, "5")
        assert len(composed) == 2
        markup.value = markup.value  # a change event with the same figures
        await settle(pilot)
        assert len(composed) == 2


async def test_typed_figures_update_the_lines_in_place(records: Records) -> None:
    """A figure typed into Markup % changes the draft's lines where they are (a draft may
    hold ten thousand): the cursor stays on its line while the markup line comes and goes,
    and the lines and columns are as they were once it has gone again."""
    app = TektoroApp(services=records.work.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_record(pilot)
        await add_expense(pilot, "Skip hire", "200")
        table = screen.query_one("#draft-lines", DataTable)

        def widths() -> list[int]:
            return [column.content_width for column in table.ordered_columns]

        before, fitted = table_rows(app, "#draft-lines"), widths()
        table.move_cursor(row=1)
        await settle(pilot)
        kept = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        screen.query_one("#input-markup_percent", Input).focus()
        await keys(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, "12.5")
        shown = table_rows(app, "#draft-lines")
        assert shown[:-1] == before and shown[-1][1:3] == ["Markup", "Markup 12.5% on expenses"]
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == kept
        await keys(pilot, "ctrl+a", "ctrl+k")
        await settle(pilot)
        assert table_rows(app, "#draft-lines") == before
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == kept
        assert widths() == fitted


async def test_a_saved_draft_with_an_adjustment_is_issued_after_confirmation(
    records: Records,
) -> None:
    invoices, admin = records.work.services.invoices, records.work.admin
    app = TektoroApp(services=records.work.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_record(pilot)
        draft_id = screen.pane.view.id  # type: ignore[union-attr]
        await keys(pilot, "down", "j")  # line 2: 1:30 h, 120.00
        assert isinstance(app.screen, FormModal)
        await type_text(pilot, "-20")
        await keys(pilot, "enter")
        assert isinstance(app.screen, FormModal), "an adjustment needs a reason"
        assert invalid_fields(app) == {"reason": "is required"}  # and focused
        await type_text(pilot, "Tiles supplied")
        await keys(pilot, "enter")
        assert isinstance(app.screen, DocumenterScreen)
        lines = table_rows(app, "#draft-lines")
        assert [row[1:3] for row in lines[1:3]] == [
            ["Time", "2024-04-30 Sam Staff — Demoli…"],
            ["Adjustment", "Adjustment: Tiles supplied"],
        ]
        assert lines[2][5] == "-20.00"
        assert gross_shown(app) == "Net 500.00   VAT 115.00   Gross 615.00 EUR"

        await keys(pilot, "f9")
        assert isinstance(app.screen, YesNoDialog)
        question = str(app.screen.query_one("#question", Static).render())
        assert "Gross 615.00 EUR" in question
        assert "can never change" in question
        # The firm never gave its own details: said before it is too late.
        assert "Warning: your firm's address, tax ID and bank account are missing" in question
        await keys(pilot, "y")

        assert isinstance(app.screen, DocumenterScreen) and not screen.drafting
        title, message, _ = notifications(app)[-1]
        assert title == "Invoice created"
        assert message.startswith("Invoice INV/2024/00001 issued to Harbour Hotel, gross 615.00")
        assert "Invoice Printer (Ctrl+G i)" in message
        assert table_rows(app, "#records")[0][5] == "INV/2024/00001"
        assert table_rows(app, "#drafts") == []

        app.clear_notifications()
        await keys(pilot, "enter")  # an issued invoice cannot be opened for editing
        assert not screen.drafting
        title, message, severity = notifications(app)[-1]
        assert (title, severity) == ("Not possible in this state", "error")
        assert "was issued as invoice INV/2024/00001" in message
    issued = invoices.get(admin, draft_id)
    assert (issued.status, issued.number) == ("issued", "INV/2024/00001")
    assert (issued.net.cents, issued.vat.cents, issued.gross.cents) == (50000, 11500, 61500)
    assert [line.reason for line in issued.lines if line.kind == "adjustment"] == ["Tiles supplied"]


async def test_keep_draft_at_the_confirmation_issues_nothing(records: Records) -> None:
    invoices, admin = records.work.services.invoices, records.work.admin
    app = TektoroApp(services=records.work.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_record(pilot)
        draft_id = screen.pane.view.id  # type: ignore[union-attr]
        screen.query_one("#input-commentary", Input).focus()
        await type_text(pilot, "May works")
        await keys(pilot, "f9")
        assert isinstance(app.screen, YesNoDialog), "typed changes are saved, then it asks"
        await keys(pilot, "n")
        assert isinstance(app.screen, DocumenterScreen) and screen.drafting
    draft = invoices.get(admin, draft_id)
    assert (draft.status, draft.number, draft.commentary) == ("draft", None, "May works")


# --- snapshots at 80x24 --------------------------------------------------------------------------


def test_wip_snapshot(work: Work, snap_compare) -> None:  # type: ignore[no-untyped-def]
    form = AllocationForm(kind="bill", write_down_amount="40", reason="Goodwill")
    work.services.wip.allocate(work.admin, work.harbour_entries[:1], form)
    app = TektoroApp(services=work.services)
    assert snap_compare(
        app,
        terminal_size=SIZE,
        run_before=snapshot_steps(*go("w"), "tab", "down", "space", login=ADMIN),
    )


def test_process_dialog_snapshot(work: Work, snap_compare) -> None:  # type: ignore[no-untyped-def]
    wip = work.services.wip
    wip.allocate(work.admin, work.harbour_entries[:2], AllocationForm(kind="bill"))
    wip.allocate(
        work.admin, work.harbour_entries[2:], AllocationForm(kind="write_down", reason="Goodwill")
    )
    app = TektoroApp(services=work.services)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=snapshot_steps(*go("w"), "f9", "ctrl+s", login=ADMIN)
    )


def test_documenter_draft_snapshot(records: Records, snap_compare) -> None:  # type: ignore[no-untyped-def]
    services, admin = records.work.services, records.work.admin
    draft = services.invoices.open_record(admin, records.record_id)
    services.invoices.add_expense(
        admin,
        draft.id,
        ExpenseForm(expense_date="2024-05-03", description="Skip hire", amount="200"),
    )
    services.invoices.update_draft(
        admin, draft.id, DraftForm(commentary="Works in April and May", markup_percent="10")
    )
    app = TektoroApp(services=services)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=snapshot_steps(*go("d"), "enter", login=ADMIN)
    )


async def test_payment_terms_chosen_in_the_draft_are_printed_when_issued(records: Records) -> None:
    services, admin = records.work.services, records.work.admin
    with services.db.write() as session:  # no service manages the templates yet
        template = m.PaymentTermsTemplate(
            name="Net 14", body="Pay within 14 days to the account below.", created_at=NOW
        )
        session.add(template)
        session.flush()
        template_id = template.id
    app = TektoroApp(services=services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_record(pilot)
        draft_id = screen.pane.view.id  # type: ignore[union-attr]
        screen.query_one("#input-payment_terms_id", Select).focus()
        await choose(pilot, "Net")
        assert "'Net 14'" in text_of(app, "#draft-terms-text")
        await keys(pilot, "ctrl+s")
        assert services.invoices.get(admin, draft_id).payment_terms_id == template_id
        await keys(pilot, "f9", "y")
    issued = services.invoices.get(admin, draft_id)
    assert (issued.status, issued.payment_terms_text) == (
        "issued",
        "Pay within 14 days to the account below.",
    )


async def test_an_expense_is_removed_after_asking_and_a_time_line_is_not(records: Records) -> None:
    services, admin = records.work.services, records.work.admin
    draft = services.invoices.open_record(admin, records.record_id)
    form = ExpenseForm(expense_date="2024-05-03", description="Skip hire", amount="200")
    services.invoices.add_expense(admin, draft.id, form)
    app = TektoroApp(services=services)
    async with app.run_test(size=WIDE) as pilot:
        await open_record(pilot)
        await keys(pilot, "delete")  # line 1 is time: the service says why not
        assert notifications(app)[-1][0] == "Not possible in this state"
        await keys(pilot, "down", "down", "down", "delete")
        assert isinstance(app.screen, YesNoDialog)
        await keys(pilot, "n")
        assert len(services.invoices.get(admin, draft.id).lines) == 4
        await keys(pilot, "delete", "y")
        assert [row[1] for row in table_rows(app, "#draft-lines")] == ["Time", "Time", "Time"]
        assert gross_shown(app) == "Net 520.00   VAT 119.60   Gross 639.60 EUR"
    assert [line.kind for line in services.invoices.get(admin, draft.id).lines] == ["time"] * 3


async def test_a_draft_changed_in_another_session_is_not_saved_over(records: Records) -> None:
    """Someone sets a markup on the draft while it is open here; saving the commentary typed
    here is refused with who changed what, and what was typed stays in the form."""
    invoices, admin = records.work.services.invoices, records.work.admin
    app = TektoroApp(services=records.work.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_record(pilot)
        draft_id = screen.pane.view.id  # type: ignore[union-attr]
        invoices.update_draft(admin, draft_id, DraftForm(markup_percent="10"))  # elsewhere
        screen.query_one("#input-commentary", Input).focus()
        await type_text(pilot, "Phase one")
        await keys(pilot, "ctrl+s")
        ((title, message),) = errors(app)
        assert title == "Changed by someone else"
        assert "markup: 0 % → 10 %" in message and "Nothing was saved" in message
        assert screen.query_one("#input-commentary", Input).value == "Phase one"
        saved = invoices.get(admin, draft_id)
        assert (saved.markup_bp, saved.commentary) == (1000, "")
        # F5 reads the draft again as saved, asking first: what was typed here would be gone
        await keys(pilot, "f5")
        assert isinstance(app.screen, LeaveDialog)
        await keys(pilot, "escape")  # Stay
        assert screen.query_one("#input-commentary", Input).value == "Phase one"
        await keys(pilot, "f5")
        await pilot.click("#yes")
        await settle(pilot)
        assert screen.drafting
        assert screen.query_one("#input-markup_percent", Input).value == "10"
        assert screen.query_one("#input-commentary", Input).value == ""
        screen.query_one("#input-commentary", Input).focus()
        await type_text(pilot, "Phase one")
        await keys(pilot, "ctrl+s")
        assert len(errors(app)) == 1  # the refusal above, nothing since
        saved = invoices.get(admin, draft_id)
        assert (saved.markup_bp, saved.commentary) == (1000, "Phase one")


def drafts_listed(app: TektoroApp) -> list[str]:
    """The keys (draft ids) of the Documenter's drafts list."""
    table = app.screen.query_one("#drafts", DataTable)
    return [str(key.value) for key in table.rows]


async def test_the_documenter_lists_follow_other_sessions(records: Records) -> None:
    """A draft opened from a record in another session shows in the drafts list here, and
    the record shows its draft, without a key press."""
    services, admin = records.work.services, records.work.admin
    app = TektoroApp(services=services)
    async with app.run_test(size=WIDE) as pilot:
        await open_area(pilot, "d", DocumenterScreen, login=ADMIN)
        assert drafts_listed(app) == []
        draft = services.invoices.open_record(admin, records.record_id)  # elsewhere
        await until(
            pilot,
            lambda: drafts_listed(app) == [str(draft.id)],
            "the new draft listed",
        )
