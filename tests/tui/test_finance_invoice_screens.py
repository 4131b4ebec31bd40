"""Master invoices, Client invoices, Payment terms and Notifications, driven by keyboard.

The data is ``tests/finance_world.build_world`` made through the same services the app uses,
on this run's database (SQLite, or PostgreSQL with ``TEKTORO_TEST_DB=postgresql``), with the
clock at 2026-03-10 09:30 UTC. Figures used below:

- Carl Contractor (pay rate 40.00/h) has three approved February tickets of 2:00 each:
  a February master invoice is 6:00 h = 240.00 EUR; his unbilled hours are 9:00 (March adds
  two approved tickets of 2:00 and 1:00).
- Acme's INV/2026/00001 (738.00, due 2026-03-06) is overdue; Bolt's INV/2026/00002 (738.00,
  due 2026-03-23) is issued.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from io import StringIO
from typing import Any

import pytest
from rich.console import Console, RenderableType
from textual.widgets import DataTable, Input, Select, Static, TextArea

from tektoro_tui.app import TektoroApp
from tektoro_tui.domain.money import Money
from tektoro_tui.paths import exports_dir
from tektoro_tui.screens.client_invoices import ClientInvoicesScreen
from tektoro_tui.screens.contractor_invoices import ContractorInvoicesScreen
from tektoro_tui.screens.notifications import NotificationsScreen
from tektoro_tui.screens.terms import TermsScreen
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.contractor_invoices.views import (
    ContractorOption,
    MasterInvoiceForm,
    MasterInvoiceLineView,
)
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import PaymentForm, TermsForm
from tektoro_tui.widgets.dialogs.confirm import YesNoDialog
from tektoro_tui.widgets.dialogs.form import FormModal
from tektoro_tui.widgets.dialogs.master_preview import MasterPreviewDialog
from tektoro_tui.widgets.fields import FormField
from tektoro_tui.widgets.master_invoice_detail import DETAIL_TICKETS, lines_table
from tektoro_tui.widgets.master_invoice_forms import generator_draft
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, connected, make_firm
from tests.finance_world import NOW, PASSWORD, World, build_world

from .tuitools import (
    go,
    highlight,
    invalid_fields,
    keys,
    log_in,
    notifications,
    screen_text,
    settle,
    shown_text,
    snapshot_steps,
    table_rows,
    type_text,
)

ADMIN = (OWNER_EMAIL, OWNER_PASSWORD)
SIZE = (80, 24)
WIDE = (120, 40)
ACCOUNT = "PL61109010140000071219812874"
MASKED_TAIL = "2874"
ACME, BOLT = "INV/2026/00001", "INV/2026/00002"
MI = "MI/2026/00001"


def eur(text: str) -> Money:
    """An amount in euros."""
    return Money.parse(text, "EUR")


# --- data -------------------------------------------------------------------------------------


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    """Services on this run's database with the finance world's clock."""
    with connected(db_url, FixedClock(NOW)) as hub:
        yield hub


@pytest.fixture
def admin(services: Services) -> Actor:
    """Olga Owner, the first administrator."""
    return make_firm(services)


@pytest.fixture
def world(services: Services, admin: Actor) -> World:
    """The firm of ``tests/finance_world.py``."""
    return build_world(services, admin)


def carl_paid_in_part(world: World) -> None:
    """Carl's February master invoice, approved, with 100.00 paid to ACCOUNT."""
    invoices = world.services.contractor_invoices
    form = MasterInvoiceForm(str(world.carl.user_id), "2026-02-01", "2026-02-28")
    invoices.approve(world.admin, invoices.generate(world.admin, form).number)
    payment = PaymentForm(
        "100",
        "2026-03-10",
        "wire",
        account_holder="Carl Contractor",
        account_number=ACCOUNT,
        reference="W-1",
    )
    invoices.record_payment(world.admin, MI, payment)


# --- driving the app --------------------------------------------------------------------------


def column(table: DataTable[Any], index: int) -> list[str]:
    """One column of a table as plain strings."""
    return [row[index] for row in table_rows(table)]


def offered(app: TektoroApp) -> set[str]:
    """The actions (without arguments) whose keys the footer offers on the current screen."""
    return {
        active.binding.action.split("(", 1)[0]
        for active in app.screen.active_bindings.values()
        if active.enabled and active.binding.show and active.node is app.screen
    }


def fill(app: TektoroApp, **values: str) -> None:
    """Put text into the current form's inputs by field name."""
    for name, text in values.items():
        app.screen.query_one(f"#input-{name}", Input).value = text


# --- master invoices --------------------------------------------------------------------------


@pytest.mark.pg_story
async def test_admin_generates_approves_and_pays_and_carl_sees_it_paid(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot, *ADMIN)
        await keys(pilot, *go("m"))
        screen = app.screen
        assert isinstance(screen, ContractorInvoicesScreen)
        assert {"generate"} <= offered(app)
        assert screen.table.row_count == 0

        await keys(pilot, "g")
        form = app.screen
        assert isinstance(form, FormModal)
        picker = form.query_one("#input-contractor", Select)
        assert picker.value == str(world.carl.user_id), "the first with unbilled hours"
        assert "Carl Contractor — 9:00 unbilled (5 tickets)" in screen_text(app)
        assert form.query_one("#input-period_start", Input).value == "2026-02-01"
        assert form.query_one("#input-period_end", Input).value == "2026-02-28"
        assert form.query_one("#input-issue_date", Input).value == "2026-03-10"
        picker.value = str(world.carl.user_id)
        fill(app, period_end="2026-01-15")
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, FormModal), "the form stays up with the service's problems"
        assert set(invalid_fields(app)) == {"period_end"}
        fill(app, period_end="2026-02-28")
        await keys(pilot, "ctrl+s")

        dialog = app.screen
        assert isinstance(dialog, MasterPreviewDialog)
        assert len(dialog.preview.lines) == 3 and dialog.preview.total == eur("240")
        text = shown_text(dialog.query_one("#mi-preview-body", Static))
        assert "3 tickets, 6:00 h, total 240.00 EUR" in text and "2026-02-03" in text
        assert world.services.contractor_invoices.list(world.admin) == (), "nothing written yet"
        await keys(pilot, "g")
        assert app.screen is screen
        assert table_rows(screen.table)[0][:6] == [
            MI, "Carl Contractor", "Awaiting approval", "240.00", "0.00", "240.00",
        ]  # fmt: skip
        assert "pay" not in offered(app) and "approve" in offered(app)

        await keys(pilot, "a")
        assert isinstance(app.screen, YesNoDialog)
        await keys(pilot, "y")
        assert column(screen.table, 2) == ["Approved"]

        await keys(pilot, "p")
        form = app.screen
        assert isinstance(form, FormModal)
        assert form.query_one("#input-amount", Input).value == "240.00", "all that is due"
        assert form.query_one("#input-paid_on", Input).value == "2026-03-10", "today"
        assert form.query_one("#input-method", Select).value == "wire"
        fill(app, amount="100", account_number=ACCOUNT, reference="W-1")
        await keys(pilot, "ctrl+s")
        assert app.screen is screen
        assert table_rows(screen.table)[0][2:6] == ["Partially paid", "240.00", "100.00", "140.00"]
        outcome = shown_text(screen.query_one("#mi-status", Static))
        assert "still due 140.00 EUR" in outcome and "notified" not in outcome
        detail = shown_text(screen.query_one("#mi-detail-body", Static))
        assert ACCOUNT in detail and "W-1" in detail, "administrators see the account number"

        await keys(pilot, "p")
        assert app.screen.query_one("#input-amount", Input).value == "140.00"
        assert app.screen.query_one("#input-account_number", Input).value == ACCOUNT
        fill(app, amount="1000", reference="W-2")
        await keys(pilot, "ctrl+s")
        problems = invalid_fields(app)
        assert set(problems) == {"amount"} and "only 140.00 EUR is still due" in problems["amount"]
        fill(app, amount="140")
        await keys(pilot, "ctrl+s")
        assert table_rows(screen.table)[0][2:6] == ["Paid", "240.00", "240.00", "0.00"]
        outcome = shown_text(screen.query_one("#mi-status", Static))
        assert "paid in full" in outcome and "Carl Contractor notified" in outcome
        assert "E-mail: no SMTP configured" in outcome
        assert world.services.contractor_invoices.get(world.admin, MI).status == "paid"

        await log_in(pilot, "carl@example.com", PASSWORD)
        await keys(pilot, *go("m"))
        mine = app.screen
        assert isinstance(mine, ContractorInvoicesScreen) and mine.TITLE_TEXT == "My invoices"
        assert table_rows(mine.table) == [
            [MI, "Carl Contractor", "Paid", "240.00", "240.00", "0.00", "2026-02"]
        ]
        assert not {"generate", "approve", "pay"} & offered(app)
        text = screen_text(app)
        assert "W-1" in text and "W-2" in text and MASKED_TAIL in text
        assert ACCOUNT not in text and "0140000071" not in text, "masked for the contractor"

        await keys(pilot, *go("n"))
        notes = app.screen
        assert isinstance(notes, NotificationsScreen)
        table = notes.query_one("#notes", DataTable)
        assert table.row_count == 1 and column(table, 0) == ["●"]
        assert MI in shown_text(notes.query_one("#note-text", Static))
        assert "mark_read" in offered(app)
        await keys(pilot, "k")
        assert column(table, 0) == [""]
        assert world.services.contractor_invoices.notifications(world.carl)[0].read
        assert "mark_all_read" not in offered(app)
        await keys(pilot, "k")  # the same key undoes it
        assert column(table, 0) == ["●"]
        assert not world.services.contractor_invoices.notifications(world.carl)[0].read


async def test_carl_exports_his_payments_masked(world: World) -> None:
    carl_paid_in_part(world)
    app = TektoroApp(services=world.services)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot, "carl@example.com", PASSWORD)
        await keys(pilot, *go("m"))
        screen = app.screen
        assert isinstance(screen, ContractorInvoicesScreen) and screen.TITLE_TEXT == "My invoices"
        assert "export" in offered(app)

        await keys(pilot, "x", "c")
        assert app.screen is screen, "x exports here, after asking the format"
        written = shown_text(screen.query_one("#mi-status", Static)).split("Written to ", 1)[1]
        path = exports_dir() / written.strip().rsplit("/", 1)[-1]
        assert path.name == "Contractor-payments-As-of-2026-03-10.csv"
        listed = list(csv.reader(StringIO(path.read_text(encoding="utf-8-sig"))))
        assert [(row[0], row[1], row[4], row[7]) for row in listed[1:-1]] == [
            (MI, "Carl Contractor", "100.00", "•" * (len(ACCOUNT) - 4) + MASKED_TAIL)
        ]
        assert ACCOUNT not in path.read_text(encoding="utf-8-sig")

        await keys(pilot, "x", "x")
        assert path.with_suffix(".xlsx").is_file()
        assert "Contractor-payments-As-of-2026-03-10.xlsx" in shown_text(
            screen.query_one("#mi-status", Static)
        )


# --- client invoices --------------------------------------------------------------------------


@pytest.mark.pg_story
async def test_the_office_marks_paid_sends_cancels_prints_and_exports(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot, *ADMIN)
        await keys(pilot, *go("l"))
        screen = app.screen
        assert isinstance(screen, ClientInvoicesScreen)
        table = screen.table
        rows = {row[0]: row for row in table_rows(table)}
        assert rows[ACME][1:3] == ["Acme Sp. z o.o.", "overdue 4d"]
        assert rows[BOLT][1:3] == ["Bolt GmbH", "issued"]
        assert "gross 1,476.00 EUR" in shown_text(screen.query_one("#ci-totals", Static))
        assert {"send", "pay", "cancel_invoice", "open_pdf", "export"} <= offered(app)

        screen.query_one("#cif-status", Select).value = "overdue"
        await settle(pilot)
        assert column(table, 0) == [ACME]
        await keys(pilot, "p")
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#input-paid_on", Input).value == "2026-03-10"
        fill(app, reference="ACME-TRANSFER")
        await keys(pilot, "ctrl+s")
        assert table.row_count == 0, "no longer overdue"
        assert world.services.client_invoices.row(world.admin, ACME).display_status == "paid"

        screen.query_one("#cif-status", Select).clear()
        screen.query_one("#cif-search", Input).value = "bolt"
        await settle(pilot)
        assert column(table, 0) == [BOLT]
        await keys(pilot, "s")
        assert isinstance(app.screen, YesNoDialog), "marking sent (and e-mailing) asks first"
        await keys(pilot, "y")
        assert "marked sent. E-mail:" in shown_text(screen.query_one("#ci-status", Static))
        assert column(table, 2) == ["sent"]

        await keys(pilot, "o")
        pdf = exports_dir() / "INV-2026-00002.pdf"
        assert pdf.is_file() and str(pdf) in shown_text(screen.query_one("#ci-status", Static))

        await keys(pilot, "c", "enter")
        assert set(invalid_fields(app)) == {"reason"}, "a reason is required"
        await type_text(pilot, "Wrong client", "enter")
        rows = {row[0]: row for row in table_rows(table)}
        assert rows[BOLT][2] == "cancelled" and rows["CN/2026/00001"][2] == "credit note"

        await keys(pilot, "x", "c")
        written = shown_text(screen.query_one("#ci-status", Static)).split("Written to ", 1)[1]
        path = exports_dir() / written.strip().rsplit("/", 1)[-1]
        assert path.suffix == ".csv" and BOLT in path.read_text(encoding="utf-8-sig")
        listed = list(csv.reader(StringIO(path.read_text(encoding="utf-8-sig"))))
        assert not any(ACME in row for row in listed), "the export follows the filter"

        await log_in(pilot, "adam@example.com", PASSWORD)
        await keys(pilot, *go("l"))
        screen = app.screen
        assert isinstance(screen, ClientInvoicesScreen)
        assert "export" not in offered(app), "an accountant may not export by default"
        app.clear_notifications()
        screen.action_export("csv")
        await settle(pilot)
        ((title, message, severity),) = notifications(app)
        assert severity == "error" and "invoice list" in message.lower() + title.lower()


async def test_a_client_sees_only_their_company_and_marks_an_invoice_paid(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot, "cleo@example.com", PASSWORD)
        await keys(pilot, *go("l"))
        screen = app.screen
        assert isinstance(screen, ClientInvoicesScreen)
        assert not screen.query("#cif-client"), "no client choice in the portal"
        assert table_rows(screen.table) == [
            [ACME, "Acme Sp. z o.o.", "overdue 4d", "738.00", "0.00", "738.00",
             "2026-02-20", "2026-03-06", "invoice", "Roof", ""],
        ]  # fmt: skip
        assert offered(app) & {"send", "cancel_invoice", "open_pdf", "export"} == set()
        assert "pay" in offered(app)
        assert "Bolt" not in screen_text(app)

        await keys(pilot, "p")
        form = app.screen
        assert isinstance(form, FormModal)
        assert [f.field_name for f in form.query(FormField)] == ["reference"]
        await type_text(pilot, "ACME-0310", "enter")
        assert app.screen is screen
        assert column(screen.table, 2) == ["paid"]
    row = world.services.client_invoices.row(world.admin, ACME)
    assert (row.display_status, row.paid) == ("paid", eur("738"))
    assert world.services.client_invoices.row(world.admin, BOLT).display_status == "issued"


# --- payment terms ----------------------------------------------------------------------------


async def test_terms_are_written_changed_and_deleted(services: Services, admin: Actor) -> None:
    app = TektoroApp(services=services)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot, *ADMIN)
        await keys(pilot, *go("e"))
        screen = app.screen
        assert isinstance(screen, TermsScreen)
        assert screen.table.row_count == 0 and offered(app) >= {"new"}

        await keys(pilot, "n")
        assert isinstance(app.screen, FormModal)
        await keys(pilot, "ctrl+s")
        assert set(invalid_fields(app)) == {"name", "body"}, "every bad field at once"
        fill(app, name="Net 14")
        app.screen.query_one("#input-body", TextArea).text = "Pay within 14 days."
        await keys(pilot, "ctrl+s")
        assert app.screen is screen
        assert table_rows(screen.table) == [["Net 14", "Standard terms", "0 invoices"]]
        assert "Pay within 14 days." in shown_text(screen.query_one("#terms-body", Static))

        services.terms.add(admin, TermsForm("Late fees", "late_fee", "1% a month."))
        await keys(pilot, "f5")
        await highlight(pilot, screen.table, str(services.terms.list(admin)[1].id))
        await keys(pilot, "enter")
        assert app.screen.query_one("#input-name", Input).value == "Net 14"
        fill(app, name="Late fees")
        await keys(pilot, "ctrl+s")
        assert "already exists" in invalid_fields(app)["name"]
        fill(app, name="Net 30")
        app.screen.query_one("#input-kind", Select).value = "instructions"
        await keys(pilot, "ctrl+s")
        assert column(screen.table, 1) == ["Late-fee policy", "Payment instructions"]
        assert sorted(t.name for t in services.terms.list(admin)) == ["Late fees", "Net 30"]

        await keys(pilot, "delete")
        dialog = app.screen
        assert isinstance(dialog, YesNoDialog)
        assert "keep their copy" in shown_text(dialog.query_one("#question", Static))
        await keys(pilot, "y")
        assert [t.name for t in services.terms.list(admin)] == ["Late fees"]
        assert column(screen.table, 0) == ["Late fees"]


# --- snapshots --------------------------------------------------------------------------------


def steady_title(app: TektoroApp) -> None:
    """Name the database in the title bar the same on every backend and run."""
    app.database = "tektoro.db"
    app.status_line = " · ".join(
        part for part in (app.organisation, app.actor.name if app.actor else "", "tektoro.db")
    )


def test_my_invoices_snapshot_masks_the_account(world: World, snap_compare: Any) -> None:
    carl_paid_in_part(world)
    app = TektoroApp(services=world.services)
    seen: list[str] = []

    def arrange(app: TektoroApp) -> None:
        steady_title(app)
        seen.append(app.export_screenshot())

    run = snapshot_steps(*go("m"), login=("carl@example.com", PASSWORD), arrange=arrange)
    assert snap_compare(app, terminal_size=SIZE, run_before=run)
    (text,) = seen
    assert MASKED_TAIL in text and ACCOUNT not in text and "0140000071" not in text


def test_preview_snapshot(world: World, snap_compare: Any) -> None:
    app = TektoroApp(services=world.services)
    run = snapshot_steps(*go("m"), "g", "ctrl+s", login=ADMIN, arrange=steady_title)
    assert snap_compare(app, terminal_size=SIZE, run_before=run)


def test_payment_form_snapshot(world: World, snap_compare: Any) -> None:
    carl_paid_in_part(world)
    app = TektoroApp(services=world.services)
    run = snapshot_steps(*go("m"), "p", login=ADMIN, arrange=steady_title)
    assert snap_compare(app, terminal_size=SIZE, run_before=run)


def test_client_portal_snapshot(world: World, snap_compare: Any) -> None:
    app = TektoroApp(services=world.services)
    run = snapshot_steps(*go("l"), login=("cleo@example.com", PASSWORD), arrange=steady_title)
    assert snap_compare(app, terminal_size=SIZE, run_before=run)


@pytest.mark.parametrize(
    ("oldest", "expected"),
    [
        (None, ("2026-02-01", "2026-02-28")),  # nothing unbilled: last month, as usual
        (date(2026, 3, 2), ("2026-03-01", "2026-03-10")),  # only this month's: this month so far
        (date(2026, 1, 20), ("2026-01-01", "2026-01-31")),  # older work: its month first
    ],
)
def test_the_generator_offers_the_month_of_the_oldest_unbilled_ticket(
    oldest: date | None, expected: tuple[str, str]
) -> None:
    option = ContractorOption(
        1, "Carl", "carl@example.com", "staff", eur("40"), 60 if oldest else 0, 1, oldest
    )
    draft = generator_draft((option,), date(2026, 3, 10))
    assert (draft.period_start, draft.period_end) == expected


def _tickets(count: int) -> tuple[MasterInvoiceLineView, ...]:
    return tuple(
        MasterInvoiceLineView(
            index, date(2026, 3, 2), "Atlas", f"Task {index}", "", 60, Money(4_000), Money(4_000)
        )
        for index in range(1, count + 1)
    )


def _drawn(table: RenderableType) -> str:
    console = Console(width=120, record=True)
    console.print(table)
    return console.export_text()


def test_the_tickets_drawn_stop_at_a_screenful_and_say_how_many_more() -> None:
    """Thousands of tickets took seconds a cursor move to draw; the detail draws the first
    DETAIL_TICKETS, says how many more there are and where to see them all."""
    text = _drawn(lines_table(_tickets(DETAIL_TICKETS + 5)))
    assert f"Task {DETAIL_TICKETS} " in text and f"Task {DETAIL_TICKETS + 1} " not in text
    assert "… and 5 more tickets, counted in the total" in text
    first = _tickets(DETAIL_TICKETS)  # what the service read of an invoice of 3,271
    text = _drawn(lines_table(first, 3_271, "MI/2026/00001"))
    assert "… and 3,071 more tickets: `tektoro contractor-invoice show MI/2026/00001`" in text
    assert "more tickets" not in _drawn(lines_table(_tickets(3), 3, "MI/2026/00002"))
