"""One time card's walk from entry to booked revenue through all seven screens, by keyboard.

The firm is set up through the services (an administrator, Olga, who supervises Ann; one
client with a billing address, a project, a task, an activity and a rate code of 100.00 an
hour; VAT 23 % by default). Everything after that is typed and pressed on the screens:

1. Time Card: Ann logs in and enters 1:30 and 2:30 (150.00 + 250.00).
2. Time Report: she accepts everything shown, after the dry run's question.
3. Approvals: she logs out, Olga logs in and approves Ann as a whole contributor.
4. WIP: Olga selects both entries, allocates them to bill and processes them into a record.
5. Documenter: she opens the record and creates the invoice: net 400.00, VAT 92.00, gross 492.00.
6. Invoice Printer: she prints the PDF and recognises the full 492.00 as revenue.
7. Account Revenue: the revenue report shows 492.00 for May 2024 and the client; booking
   the invoice takes it off the Invoice Printer.

Between the steps the database is read back through the services; at the end the ledger
check (``tektoro check``) must pass. The snapshot tests stop the same walk at one moment of
each stage, at 80x24 with the fixed clock of the TUI tests (Monday 6 May 2024, 09:00 UTC).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pypdf import PdfReader
from textual.pilot import Pilot
from textual.widgets import Input, ProgressBar, Static

from tektoro_tui.app import TektoroApp
from tektoro_tui.domain.money import Money
from tektoro_tui.paths import exports_dir
from tektoro_tui.screens.approvals import ApprovalsScreen
from tektoro_tui.screens.documenter import DocumenterScreen
from tektoro_tui.screens.login import LoginScreen
from tektoro_tui.screens.printer import PrinterScreen
from tektoro_tui.screens.revenue import RevenueScreen
from tektoro_tui.screens.time_card import TimeCardScreen
from tektoro_tui.screens.time_report import TimeReportScreen
from tektoro_tui.screens.wip import WipScreen
from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm
from tektoro_tui.services.base import Actor
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import PaymentForm
from tektoro_tui.services.pipeline.views import TimeEntryView
from tektoro_tui.widgets.dialogs.batch import BatchDialog
from tektoro_tui.widgets.dialogs.confirm import YesNoDialog
from tektoro_tui.widgets.dialogs.form import FormModal
from tektoro_tui.widgets.dialogs.wip_process import ProcessDialog
from tests.builders import (
    Codes,
    add_codes,
    add_person,
    add_time_cards,
    bill,
    issue_invoice,
    make_firm,
)

from .tuitools import (
    errors,
    go,
    keys,
    log_in,
    notifications,
    settle,
    steady_cursors,
    table_rows,
    text_of,
    type_text,
    until,
)

SIZE = (80, 24)
TODAY = "2024-05-06"
OWNER_EMAIL, OWNER_PASSWORD = "olga@acme.test", "owner-pass-2024"
ANN_EMAIL, ANN_PASSWORD = "ann@acme.test", "ann-pass-2024"
OWNER, ANN = (OWNER_EMAIL, OWNER_PASSWORD), (ANN_EMAIL, ANN_PASSWORD)
CLIENT, PROJECT = "Harbour Hotel", "Harbour refit"
NUMBER = "INV/2024/00001"
RECORD = "DR-000001"
REFERENCE = "HH-0506"
CARDS = (("1:30", "Strip the lobby"), ("2:30", "Haul rubble"))


def eur(text: str) -> Money:
    """An amount in euros (the organisation's default currency)."""
    return Money.parse(text, "EUR")


# --- the firm -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Office:
    """The firm of the walk: Olga (administrator, Ann's supervisor) and Ann (staff)."""

    services: Services
    owner: Actor
    ann: Actor
    codes: Codes  # Harbour Hotel's Harbour refit, Demolition, Carpentry, Standard at 100.00

    def entries(self) -> list[TimeEntryView]:
        """Every time entry, newest first, as the owner sees them."""
        return list(self.services.time.report(self.owner, limit=100).items)

    def statuses(self) -> list[tuple[int, str, str | None]]:
        """(minutes, status, allocation) of every entry, oldest first."""
        return sorted((e.minutes, e.status, e.allocation) for e in self.entries())


def build_office(services: Services) -> Office:
    """The organisation, its two people and one of every code preset (VAT 23 % by default)."""
    owner = make_firm(services, company="Acme Builders", email=OWNER_EMAIL, password=OWNER_PASSWORD)
    add_person(
        services,
        owner,
        "Ann Staff",
        email=ANN_EMAIL,
        password=ANN_PASSWORD,
        pay_rate="30",
        supervisor_id=owner.user_id,
        sign_in=False,
    )
    client = CompanyForm(
        name=CLIENT,
        tax_id="PL5260001246",
        billing_address="12 Quay Street\n80-001 Gdansk",
        email="accounts@harbour.test",
    )
    project = ProjectForm(PROJECT, None, code="HR-1")
    codes = add_codes(
        services, owner, client, project, "Demolition", "Carpentry", "Standard", "100.00"
    )
    assert services.settings.get(owner).default_vat_bp == 2300
    owner = services.auth.login(*OWNER)
    return Office(services, owner, services.auth.login(*ANN), codes)


@pytest.fixture
def office(empty_services: Services, monkeypatch: pytest.MonkeyPatch) -> Office:
    """The walk's firm; exports go to ``home/exports`` below the test's own folder.

    The folder is given relative to the test's working folder, so the printer's "Last file"
    line is the same on every run.
    """
    monkeypatch.setenv("TEKTORO_HOME", "home")
    return build_office(empty_services)


# --- driving the app --------------------------------------------------------------------------


def screen_of(pilot: Pilot[None], kind: type[Any]) -> Any:
    """The current screen, checked to be a ``kind``."""
    screen = pilot.app.screen
    assert isinstance(screen, kind), f"expected {kind.__name__}, got {type(screen).__name__}"
    return screen


# --- the walk, stage by stage ---------------------------------------------------------------


@dataclass
class Walk:
    """The app being walked through, and the firm it works on."""

    pilot: Pilot[None]
    office: Office

    @property
    def app(self) -> TektoroApp:
        """The app."""
        app = self.pilot.app
        assert isinstance(app, TektoroApp)
        return app

    async def press(self, *pressed: str) -> None:
        """Press keys, waiting for the workers after each."""
        await keys(self.pilot, *pressed)


Step = Callable[[Walk], Awaitable[None]]


async def enter_two_cards(walk: Walk) -> None:
    """Ann logs in and enters two cards on today's time card (the codes have one choice each)."""
    pilot, office = walk.pilot, walk.office
    await log_in(pilot, *ANN, typing=True)
    await walk.press(*go("c"))
    screen = screen_of(pilot, TimeCardScreen)
    await until(pilot, lambda: screen.fields is not None, "the time card's fields")
    await settle(pilot)
    assert screen.query_one("#input-work_date", Input).value == TODAY
    for spent, description in CARDS:
        assert walk.app.focused is not None and walk.app.focused.id == "input-time_spent"
        await type_text(pilot, spent)
        await walk.press("tab")
        await type_text(pilot, description)
        await walk.press("ctrl+s")
    assert not errors(walk.app)
    assert [r[3:6] for r in table_rows(pilot.app, "#day-entries")] == [
        ["2:30", "250.00", "draft"],
        ["1:30", "150.00", "draft"],
    ]
    assert text_of(pilot.app, "#day-totals") == "Day total: 2 entries · 4:00 h · 400.00 EUR"
    saved = office.entries()
    assert {(e.owner_id, e.entered_by_id, e.work_date.isoformat()) for e in saved} == {
        (office.ann.user_id, office.ann.user_id, TODAY)
    }
    assert [(e.minutes, e.value, e.description) for e in saved] == [
        (150, eur("250.00"), "Haul rubble"),
        (90, eur("150.00"), "Strip the lobby"),
    ]
    assert office.statuses() == [(90, "draft", None), (150, "draft", None)]


async def ask_to_accept_all(walk: Walk) -> None:
    """Ann opens the Time Report and asks to accept every entry shown: the dry run asks."""
    pilot, office = walk.pilot, walk.office
    await walk.press("escape", *go("t"))
    screen_of(pilot, TimeReportScreen)
    assert text_of(pilot.app, "#totals") == "Shown: 2 entries · 4:00 h · 400.00 EUR"
    await walk.press("A")
    screen_of(pilot, BatchDialog)
    assert text_of(pilot.app, "#batch-totals") == "2 entries · 4:00 h · 400.00 EUR"
    assert office.statuses() == [(90, "draft", None), (150, "draft", None)], "a dry run only"


async def accept(walk: Walk) -> None:
    """Yes: both entries are accepted and move on to Approvals."""
    pilot, office = walk.pilot, walk.office
    await walk.press("y")
    screen_of(pilot, TimeReportScreen)
    assert [r[7] for r in table_rows(pilot.app, "#entries")] == ["accepted", "accepted"]
    assert office.statuses() == [(90, "accepted", None), (150, "accepted", None)]


async def highlight_ann_in_approvals(walk: Walk) -> None:
    """Ann logs out; Olga logs in, opens Approvals and highlights Ann."""
    pilot = walk.pilot
    await walk.press("ctrl+l")
    screen_of(pilot, LoginScreen)
    await log_in(pilot, *OWNER, typing=True)
    await walk.press(*go("a"))
    screen_of(pilot, ApprovalsScreen)
    assert table_rows(pilot.app, "#contributors") == [
        ["All contributors", "2", "4:00", "400.00 EUR"],
        ["Ann Staff", "2", "4:00", "400.00 EUR"],
    ]
    await walk.press("down")
    assert text_of(pilot.app, "#entries-title") == "Accepted entries of Ann Staff"
    assert [[r[3], *r[5:7]] for r in table_rows(pilot.app, "#approval-entries")] == [
        [PROJECT, "2:30", "250.00"],
        [PROJECT, "1:30", "150.00"],
    ]


async def approve_ann(walk: Walk) -> None:
    """A (approve all) on Ann: the dry run shows her totals and the question their number;
    Yes approves both entries into WIP."""
    pilot, office = walk.pilot, walk.office
    await walk.press("A")
    screen_of(pilot, BatchDialog)
    assert "every accepted entry of Ann Staff (2)" in text_of(pilot.app, "#batch-question")
    assert text_of(pilot.app, "#batch-totals") == "2 entries · 4:00 h · 400.00 EUR"
    await walk.press("y")
    screen_of(pilot, ApprovalsScreen)
    assert table_rows(pilot.app, "#contributors") == [["All contributors", "0", "0:00", "0.00 EUR"]]
    assert office.statuses() == [(90, "approved", None), (150, "approved", None)]


async def allocate_and_process(walk: Walk) -> None:
    """WIP: select both entries, allocate them to bill, then process them with progress."""
    pilot, office = walk.pilot, walk.office
    await walk.press(*go("w"))
    screen_of(pilot, WipScreen)
    assert [r[:4] for r in table_rows(pilot.app, "#groups")] == [[CLIENT, PROJECT, "2", "400.00"]]
    await walk.press("ctrl+a")
    assert "2 selected" in text_of(pilot.app, "#entries-heading")
    await walk.press("plus")
    screen_of(pilot, FormModal)
    await walk.press("ctrl+s")  # "Allocate to" starts on Bill
    dialog = screen_of(pilot, YesNoDialog)
    question = str(dialog.query_one("#question", Static).render())
    assert "Bill." in question and "2 entries · 4:00 h · value 400.00 EUR" in question
    assert office.statuses() == [(90, "approved", None), (150, "approved", None)], "dry run"
    await walk.press("y")
    screen_of(pilot, WipScreen)
    assert office.statuses() == [(90, "allocated", "bill"), (150, "allocated", "bill")]
    assert notifications(walk.app)[-1] == ("Allocated", "2 entries, 400.00 EUR.", "information")
    # A toast left on the screen below the process dialog would expire at a moment that
    # depends on the machine's speed: the snapshot must not see it.
    walk.app.clear_notifications()

    await walk.press("f9")
    form = screen_of(pilot, FormModal)
    assert form.query_one("#input-as_of", Input).value == TODAY
    await walk.press("ctrl+s")
    dialog = screen_of(pilot, ProcessDialog)
    assert table_rows(pilot.app, "#process-documents") == [
        ["(new)", "invoice", CLIENT, "2", "400.00", "0.00"]
    ]
    assert office.services.wip.documents(office.owner) == (), "a dry run only"
    await walk.press("y")
    await until(pilot, lambda: dialog.has_class("-done"), "the processing to end")
    bar = dialog.query_one(ProgressBar)
    assert (bar.total, bar.progress) == (2, 2)
    assert text_of(pilot.app, "#process-note") == f"Created {RECORD}."
    assert table_rows(pilot.app, "#process-documents")[0][:2] == [RECORD, "invoice"]


async def close_process_dialog(walk: Walk) -> None:
    """Close the dialog: WIP is empty, both entries are on the invoice record."""
    pilot, office = walk.pilot, walk.office
    await walk.press("escape")
    screen_of(pilot, WipScreen)
    assert table_rows(pilot.app, "#groups") == []
    (record,) = office.services.wip.documents(office.owner)
    assert (record.reference, record.kind, record.client_name, record.entries) == (
        RECORD,
        "invoice",
        CLIENT,
        2,
    )
    assert (record.minutes, record.billed, record.invoice_number) == (240, eur("400.00"), None)
    assert office.statuses() == [(90, "processed", "bill"), (150, "processed", "bill")]


async def open_the_record(walk: Walk) -> None:
    """Documenter: Enter on the record opens it as a draft with its totals."""
    pilot, office = walk.pilot, walk.office
    await walk.press(*go("d"))
    screen = screen_of(pilot, DocumenterScreen)
    assert [r[:5] for r in table_rows(pilot.app, "#records")] == [
        [RECORD, CLIENT, "2", "4:00", "400.00"]
    ]
    await walk.press("enter")
    assert screen.drafting
    totals = text_of(pilot.app, "#draft-totals").splitlines()
    assert totals[0] == "Net 400.00   VAT 92.00   Gross 492.00 EUR"
    assert totals[1] == "VAT per rate: 23% on 400.00 = 92.00"
    (draft,) = office.services.invoices.drafts(office.owner)
    assert (draft.status, draft.number, draft.net, draft.vat, draft.gross) == (
        "draft",
        None,
        eur("400.00"),
        eur("92.00"),
        eur("492.00"),
    )


async def create_the_invoice(walk: Walk) -> None:
    """F9, confirm: the draft is issued with the first number of the year."""
    pilot, office = walk.pilot, walk.office
    await walk.press("f9")
    dialog = screen_of(pilot, YesNoDialog)
    assert "Gross 492.00 EUR" in str(dialog.query_one("#question", Static).render())
    await walk.press("y")
    screen = screen_of(pilot, DocumenterScreen)
    assert not screen.drafting
    number = table_rows(pilot.app, "#records")[0][5]  # the record now names its invoice
    assert number == NUMBER
    title, message, _ = notifications(walk.app)[-1]
    assert title == "Invoice created"
    assert message.startswith(f"Invoice {NUMBER} issued to {CLIENT}, gross 492.00")
    invoice = office.services.invoices.get_by_number(office.owner, number)
    assert (invoice.status, invoice.client_name, str(invoice.issue_date)) == (
        "issued",
        CLIENT,
        TODAY,
    )
    assert (invoice.net, invoice.vat, invoice.gross, invoice.due) == (
        eur("400.00"),
        eur("92.00"),
        eur("492.00"),
        eur("492.00"),
    )
    assert [(line.kind, line.minutes, line.net) for line in invoice.lines] == [
        ("time", 90, eur("150.00")),
        ("time", 150, eur("250.00")),
    ]
    assert office.services.invoices.drafts(office.owner) == ()


async def print_and_pay(walk: Walk) -> None:
    """Invoice Printer: the PDF carries the number and the gross; the full amount is paid."""
    pilot, office = walk.pilot, walk.office
    await walk.press(*go("i"))
    screen_of(pilot, PrinterScreen)
    assert [[*r[:2], *r[3:7]] for r in table_rows(pilot.app, "#invoices")] == [
        [NUMBER, CLIENT, "492.00", "issued", "492.00", "0.00"]
    ]
    await walk.press("o")
    pdf = exports_dir() / "INV-2024-00001.pdf"
    assert pdf.is_file()
    assert ("Invoice written", str(pdf), "information") in notifications(walk.app)
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert NUMBER in text and "492.00" in text and "92.00" in text and CLIENT in text
    assert "12 Quay Street" in text, "the client's billing address is printed"

    await walk.press("p")
    form = screen_of(pilot, FormModal)
    amount = form.query_one("#input-amount", Input)
    assert amount.value == "492.00", "the whole amount due is offered"
    assert form.query_one("#input-paid_on", Input).value == TODAY
    assert amount.has_focus
    await type_text(pilot, "492.00", replace=True)
    await walk.press("tab", "tab", "tab")  # date, method, on to the reference
    await type_text(pilot, REFERENCE)
    await walk.press("ctrl+s")
    screen_of(pilot, PrinterScreen)
    assert table_rows(pilot.app, "#invoices")[0][3:7] == ["0.00", "paid", "492.00", "492.00"]
    invoice = office.services.invoices.get_by_number(office.owner, NUMBER)
    assert (invoice.status, invoice.paid, invoice.due) == ("paid", eur("492.00"), eur("0.00"))
    (payment,) = office.services.invoices.payments(office.owner, NUMBER)
    assert (payment.amount, payment.paid_on.isoformat(), payment.reference) == (
        eur("492.00"),
        TODAY,
        REFERENCE,
    )


async def show_revenue(walk: Walk) -> None:
    """Account Revenue: the revenue tab shows May 2024's 492.00 from the client."""
    pilot, office = walk.pilot, walk.office
    await walk.press(*go("v"))
    screen_of(pilot, RevenueScreen)
    assert table_rows(pilot.app, "#revenue-pane-table") == [
        ["2024-05", CLIENT, PROJECT, "400.00", "92.00", "492.00"],
        ["Total", "", "", "400.00", "92.00", "492.00"],
    ]
    (row,) = office.services.invoices.revenue(office.owner)
    assert (row.month, row.client_name, row.project_name, row.amount, row.received) == (
        "2024-05",
        CLIENT,
        PROJECT,
        eur("400.00"),
        eur("492.00"),
    )
    assert (row.client_id, row.project_id) == (office.codes.client_id, office.codes.project_id)


async def book_the_invoice(walk: Walk) -> None:
    """Invoices tab, b, confirm: the invoice is booked and leaves the Invoice Printer."""
    pilot, office = walk.pilot, walk.office
    await walk.press("3")
    assert [r[0] for r in table_rows(pilot.app, "#open-invoices")] == [NUMBER]
    await walk.press("b")
    dialog = screen_of(pilot, YesNoDialog)
    assert NUMBER in str(dialog.query_one("#question", Static).render())
    await walk.press("y")
    screen_of(pilot, RevenueScreen)
    assert table_rows(pilot.app, "#open-invoices") == []
    booked = office.services.invoices.get_by_number(office.owner, NUMBER)
    assert booked.status == "booked" and booked.booked_at is not None

    await walk.press(*go("i"))
    screen_of(pilot, PrinterScreen)
    assert table_rows(pilot.app, "#invoices") == []
    assert office.services.invoices.printer_list(office.owner) == ()
    assert not errors(walk.app)


async def nothing(walk: Walk) -> None:
    """Nothing more to do in this stage."""


@dataclass(frozen=True)
class Stage:
    """One stage screen of the walk: up to its snapshot moment, then the rest of it."""

    name: str
    signed_in: tuple[str, str] | None  # who the walk has logged in when the stage starts
    to_moment: Step
    rest: Step


STAGES = (
    Stage("time_card", None, enter_two_cards, nothing),
    Stage("time_report", ANN, ask_to_accept_all, accept),
    Stage("approvals", ANN, highlight_ann_in_approvals, approve_ann),
    Stage("wip", OWNER, allocate_and_process, close_process_dialog),
    Stage("documenter", OWNER, open_the_record, create_the_invoice),
    Stage("printer", OWNER, print_and_pay, nothing),
    Stage("revenue", OWNER, show_revenue, book_the_invoice),
)


# --- the walk -------------------------------------------------------------------------------


async def test_a_time_card_walks_from_entry_to_booked_revenue(office: Office) -> None:
    app = TektoroApp(services=office.services)
    async with app.run_test(size=SIZE) as pilot:
        walk = Walk(pilot, office)
        for stage in STAGES:
            await stage.to_moment(walk)
            await stage.rest(walk)
    report = run_check(office.services.db)
    assert report.ok, report


# --- one snapshot per stage at 80x24 -----------------------------------------------------------


def fast_forward(office: Office, stages: int) -> None:
    """Do through the services what the first ``stages`` stages of the walk do on the screens.

    The stage that follows checks the database as the walk left it, so a snapshot test fails
    if this ever stops matching the walk.
    """
    services, owner, ann, codes = office.services, office.owner, office.ann, office.codes
    if stages < 1:
        return
    ids = add_time_cards(services, ann, [codes.card(spent, TODAY, text) for spent, text in CARDS])
    if stages > 1:
        services.time.accept(ann, ids)
    if stages > 2:
        services.time.approve(owner, ids)
    if stages > 3:
        record = bill(services, owner, ids, client_id=codes.client_id)
    if stages > 4:
        issue_invoice(services, owner, record)
    if stages > 5:
        payment = PaymentForm("492.00", TODAY, reference=REFERENCE)
        services.invoices.record_payment(owner, NUMBER, payment)


def walk_to_moment(office: Office, index: int) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Fast-forward to stage ``index``, log in, walk it up to its moment and steady the screen."""
    fast_forward(office, index)
    stage = STAGES[index]

    async def run_before(pilot: Pilot[None]) -> None:
        walk = Walk(pilot, office)
        if stage.signed_in is not None:
            await log_in(pilot, *stage.signed_in, typing=True)
        await stage.to_moment(walk)
        walk.app.clear_notifications()
        await settle(pilot)
        steady_cursors(walk.app)

    return run_before


@pytest.mark.parametrize("index", range(len(STAGES)), ids=[stage.name for stage in STAGES])
def test_stage_snapshot(office: Office, index: int, snap_compare: Any) -> None:
    app = TektoroApp(services=office.services)
    assert snap_compare(app, terminal_size=SIZE, run_before=walk_to_moment(office, index))
