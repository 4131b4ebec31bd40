"""Invoice Printer and Account Revenue, driven by keyboard against a real SQLite database.

Invoices are made the way the firm makes them: time cards entered, accepted, approved,
allocated to bill, processed into records (one per client and project, so revenue shows the
project), opened in the Documenter and issued, all through the services, with the fixed clock
of the TUI tests (Monday 6 May 2024, 09:00 UTC). Exports go below the test's own TEKTORO_HOME.

Three invoices at 80.00 EUR an hour plus 23 % VAT:

=====  ===============  ======  ==========  ==========  =====================================
inv    client           hours   issued      due         gross / paid before the tests
=====  ===============  ======  ==========  ==========  =====================================
00001  Harbour Hotel    2:00    2024-01-15  2024-01-29  196.80 / 100.00 paid on 2024-02-10
00002  Lakeside School  1:30    2024-03-11  2024-03-25  147.60 / 47.60 paid on 2024-04-02
00003  Harbour Hotel    1:00    2024-05-02  2024-05-16  98.40 / nothing
=====  ===============  ======  ==========  ==========  =====================================
"""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from email.policy import default as default_policy
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from rich.console import Console
from textual.widgets import DataTable, Input, Static, TabbedContent

from tektoro_tui.app import TektoroApp
from tektoro_tui.domain.money import Money
from tektoro_tui.paths import exports_dir
from tektoro_tui.screens.printer import PrinterScreen
from tektoro_tui.screens.revenue import RevenueScreen
from tektoro_tui.services.administration.presets import CompanyForm
from tektoro_tui.services.audit_key import ENV_KEY_FILE, key_file
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import InvoiceView, PaymentForm
from tektoro_tui.widgets.dialogs.confirm import YesNoDialog
from tektoro_tui.widgets.dialogs.form import FormModal
from tektoro_tui.widgets.printer_detail import DETAIL_LINES, InvoiceDetail
from tektoro_tui.widgets.printer_detail import lines_table as detail_lines_table
from tektoro_tui.widgets.revenue_report import ReportTable
from tests.builders import (
    Codes,
    Job,
    add_job,
    add_person,
    add_time_cards,
    add_work_codes,
    approve_all,
    bill,
    codes_of,
    issue_invoice,
)

from .conftest import ADMIN, ADMIN_EMAIL, Firm
from .tuitools import (
    go,
    highlight,
    invalid_fields,
    keys,
    notifications,
    open_area,
    settle,
    shown_text,
    snapshot_steps,
    table_rows,
    type_text,
)

SIZE = (80, 24)
WIDE = (120, 36)
FIRST, SECOND, THIRD = "INV/2024/00001", "INV/2024/00002", "INV/2024/00003"


def eur(text: str) -> Money:
    """An amount in euros."""
    return Money.parse(text, "EUR")


# --- building invoices through the services -------------------------------------------------


@dataclass
class Books:
    """The firm with two clients' projects and its issued invoices."""

    firm: Firm
    harbour: Codes
    lakeside: Codes
    issued: dict[str, InvoiceView] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        """The firm's services."""
        return self.firm.services

    @property
    def admin(self) -> Actor:
        """Ann, the administrator (and Sam's supervisor)."""
        return self.firm.admin


def invoice_work(
    books: Books, codes: Codes, *, worked: date, time_spent: str, issued: date, note: str
) -> InvoiceView:
    """One time card of Sam's taken through every stage up to an issued invoice."""
    services, admin = books.services, books.admin
    card = codes.card(time_spent, worked.isoformat(), note, owner=books.firm.staff)
    ids = add_time_cards(services, admin, [card])
    approve_all(services, ids, admin)
    record = bill(services, admin, ids, per_project=True)
    invoice = issue_invoice(services, admin, record, issued)
    books.issued[invoice.number or ""] = invoice
    return invoice


def pay(books: Books, number: str, amount: str, when: date) -> InvoiceView:
    """Record a payment through the service."""
    return books.services.invoices.record_payment(
        books.admin, number, PaymentForm(amount=amount, paid_on=when.isoformat())
    )


@pytest.fixture
def books(firm: Firm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Books:
    """The three invoices of the module docstring, with their payments."""
    # the firm's audit key stays where the firm was made; exports go below this test's home
    monkeypatch.setenv(ENV_KEY_FILE, str(key_file()))
    monkeypatch.setenv("TEKTORO_HOME", str(tmp_path / "home"))
    services, admin = firm.services, firm.admin

    def client(name: str, project: str) -> Job:
        company = CompanyForm(name, tax_id=f"PL-{name[:3]}")
        return add_job(services, admin, company, project, "Site work")

    harbour = client("Harbour Hotel", "Harbour refit")
    lakeside = client("Lakeside School", "Lakeside gym")
    activity, rate = add_work_codes(services, admin, "Work", "Std", "80")
    made = Books(firm, codes_of(harbour, activity, rate), codes_of(lakeside, activity, rate))
    invoice_work(
        made, made.harbour, worked=date(2024, 1, 8), time_spent="2:00", issued=date(2024, 1, 15),
        note="Stripping the lobby",
    )  # fmt: skip
    invoice_work(
        made, made.lakeside, worked=date(2024, 3, 4), time_spent="1:30", issued=date(2024, 3, 11),
        note="Gym floor survey",
    )  # fmt: skip
    invoice_work(
        made, made.harbour, worked=date(2024, 4, 29), time_spent="1:00", issued=date(2024, 5, 2),
        note="Snagging list",
    )  # fmt: skip
    pay(made, FIRST, "100.00", date(2024, 2, 10))
    pay(made, SECOND, "47.60", date(2024, 4, 2))
    return made


def test_the_helper_builds_the_invoices_of_the_docstring(books: Books) -> None:
    listed = {v.number: v for v in books.services.invoices.printer_list(books.admin)}
    assert set(listed) == {FIRST, SECOND, THIRD}
    figures = {
        n: (v.client_name, v.issue_date, v.due_date, v.gross, v.due) for n, v in listed.items()
    }
    assert figures == {
        FIRST: ("Harbour Hotel", date(2024, 1, 15), date(2024, 1, 29), eur("196.80"), eur("96.8")),
        SECOND: ("Lakeside School", date(2024, 3, 11), date(2024, 3, 25), eur("147.6"), eur("100")),
        THIRD: ("Harbour Hotel", date(2024, 5, 2), date(2024, 5, 16), eur("98.40"), eur("98.40")),
    }


# --- driving the app ------------------------------------------------------------------------


def exports(books: Books) -> Path:
    """The exports folder (below the ``books`` fixture's TEKTORO_HOME)."""
    return exports_dir()


# --- Invoice Printer ------------------------------------------------------------------------


def test_the_detail_draws_at_most_its_line_budget(books: Books) -> None:
    """A very long invoice shows its first lines and counts the rest, which the PDF holds."""
    view = books.services.invoices.get_by_number(books.admin, FIRST)
    long = replace(view, lines=view.lines * (DETAIL_LINES // len(view.lines) + 30))
    hidden = len(long.lines) - DETAIL_LINES
    table = detail_lines_table(long)
    assert table.row_count == DETAIL_LINES + 1
    console = Console(width=120, record=True, file=StringIO())
    console.print(table)
    assert f"… and {hidden:,} more lines" in console.export_text()
    assert detail_lines_table(view).row_count == len(view.lines), "a short one is whole"


async def test_printer_lists_the_invoices_and_shows_the_highlighted_one(books: Books) -> None:
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        table = screen.query_one("#invoices", DataTable)
        rows = table_rows(table)
        assert [row[0] for row in rows] == [THIRD, SECOND, FIRST]  # newest first
        detail = screen.query_one(InvoiceDetail)
        assert detail.invoice is not None and detail.invoice.number == THIRD, "the first is shown"
        assert rows[2][:7] == [
            FIRST,
            "Harbour Hotel",
            "2024-01-29",
            "96.80",
            "partially paid",
            "196.80",
            "100.00",
        ]
        await highlight(pilot, table, FIRST)
        assert detail.invoice is not None and detail.invoice.number == FIRST
        shown = shown_text(detail.query_one("#detail-body", Static))
        assert "Stripping the lobby" in shown and "Still due" in shown and "96.80" in shown
        assert "2024-02-10" in shown and "100.00" in shown  # the payment


async def test_the_detail_reads_the_highlighted_invoice_whole(books: Books) -> None:
    """The list holds no lines; the detail reads the highlighted invoice with its lines and
    follows the cursor."""
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        assert screen.current is not None and screen.current.lines == ()
        detail = screen.query_one(InvoiceDetail)
        body = detail.query_one("#detail-body", Static)
        assert detail.invoice is not None and detail.invoice.number == THIRD
        assert "Snagging list" in shown_text(body)

        await keys(pilot, "down")
        shown = shown_text(body)
        assert detail.invoice is not None and detail.invoice.number == SECOND
        assert len(detail.invoice.lines) == 1 and "Gym floor survey" in shown
        assert "Snagging list" not in shown and "loading" not in shown
        assert "23%" in shown and "2024-04-02" in shown  # VAT per rate, the payment

        await keys(pilot, "down")
        shown = shown_text(body)
        assert detail.invoice is not None and detail.invoice.number == FIRST
        assert "Stripping the lobby" in shown and "Gym floor survey" not in shown


async def test_the_detail_follows_a_fast_cursor(
    books: Books, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While an invoice is read, its totals show; when the cursor moves on before the read is
    back, the late answer does not replace the invoice now highlighted."""
    invoices = books.services.invoices
    read_whole = invoices.get_by_number
    gate = threading.Event()

    def slow_for_second(actor: Actor, number: str, **options: Any) -> InvoiceView:
        if number == SECOND:
            gate.wait(timeout=10)
        return read_whole(actor, number, **options)

    monkeypatch.setattr(invoices, "get_by_number", slow_for_second)
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        detail = screen.query_one(InvoiceDetail)
        body = detail.query_one("#detail-body", Static)

        await pilot.press("down")
        await pilot.pause()
        shown = shown_text(body)
        assert detail.invoice is not None and detail.invoice.number == SECOND
        assert "Lines: loading" in shown and "147.60" in shown and "Lakeside School" in shown
        assert "Snagging list" not in shown

        await pilot.press("down")
        for _ in range(200):  # FIRST is read while SECOND's read still waits
            if "Stripping the lobby" in shown_text(body):
                break
            await pilot.pause(0.01)
        gate.set()
        await settle(pilot)
        shown = shown_text(body)
        assert detail.invoice is not None and detail.invoice.number == FIRST
        assert "Stripping the lobby" in shown and "Gym floor survey" not in shown


async def test_render_pdf_and_html_with_and_without_descriptions(books: Books) -> None:
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        await highlight(pilot, screen.query_one("#invoices", DataTable), FIRST)
        await keys(pilot, "o")
        pdf = exports(books) / "INV-2024-00001.pdf"
        assert pdf.is_file()
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert FIRST in text and "Stripping the lobby" in text
        status = str(screen.query_one("#printer-status").render())
        assert str(pdf) in status.replace("\n", "")
        assert ("Invoice written", str(pdf), "information") in notifications(app)

        await keys(pilot, "h")
        html = exports(books) / "INV-2024-00001.html"
        with_details = html.read_bytes()
        await keys(pilot, "h")
        assert html.read_bytes() == with_details, "identical options give identical files"
        assert b"Stripping the lobby" in with_details

        await keys(pilot, "l")
        assert "hidden" in str(screen.query_one("#printer-status").render())
        await keys(pilot, "h")
        without = html.read_bytes()
        assert without != with_details and b"Stripping the lobby" not in without
        assert FIRST.encode() in without


async def test_partial_then_full_payment_through_the_form(books: Books) -> None:
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        table = screen.query_one("#invoices", DataTable)
        await highlight(pilot, table, THIRD)
        await keys(pilot, "p")
        form = app.screen
        assert isinstance(form, FormModal)
        amount = form.query_one("#input-amount", Input)
        assert amount.value == "98.40", "the amount due is offered"
        assert form.query_one("#input-paid_on", Input).value == "2024-05-06", "today"
        assert amount.has_focus
        await type_text(pilot, "40", replace=True)
        await keys(pilot, "tab", "tab", "tab")  # date, method, on to the reference
        await type_text(pilot, "BANK-77", replace=True)
        await keys(pilot, "tab")
        await type_text(pilot, "Harbour Hotel Ltd", "tab")
        await type_text(pilot, "PL61109010140000071219812874")
        await keys(pilot, "ctrl+s")
        assert app.screen is screen
        row = table_rows(table)[table.get_row_index(THIRD)]
        assert row[3:7] == ["58.40", "partially paid", "98.40", "40.00"]
        view = books.services.invoices.get_by_number(books.admin, THIRD)
        assert (view.status, view.paid, view.due) == ("partially_paid", eur("40"), eur("58.40"))
        (payment,) = books.services.invoices.payments(books.admin, THIRD)
        assert (payment.reference, payment.account_holder) == ("BANK-77", "Harbour Hotel Ltd")

        await keys(pilot, "p")
        assert app.screen.query_one("#input-amount", Input).value == "58.40"
        await keys(pilot, "ctrl+s")
        row = table_rows(table)[table.get_row_index(THIRD)]
        assert row[3:7] == ["0.00", "paid", "98.40", "98.40"]
        view = books.services.invoices.get_by_number(books.admin, THIRD)
        assert (view.status, view.due) == ("paid", eur("0"))
        shown = shown_text(screen.query_one("#detail-body", Static))
        assert "BANK-77" in shown and "58.40" in shown
        assert "PL61109010140000071219812874" in shown, "administrators see account numbers"

        await keys(pilot, "p")
        assert app.screen is screen, "nothing is due, so no form"
        assert notifications(app)[-1][:2] == (
            "Nothing to record",
            f"Nothing is due on {THIRD} (paid).",
        )


async def test_account_numbers_stay_masked_for_an_accountant(books: Books) -> None:
    pay(books, THIRD, "8.40", date(2024, 5, 3))
    books.services.invoices.record_payment(
        books.admin,
        THIRD,
        PaymentForm("10", "2024-05-06", "card", "R-2", "Hotel", "PL61109010140000071219812874"),
    )
    add_person(
        books.services,
        books.admin,
        "Ada Accounts",
        "accountant",
        email="ada@acme.test",
        password="ada-pass-2024",
        sign_in=False,
    )
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(
            pilot, "i", PrinterScreen, login=("ada@acme.test", "ada-pass-2024")
        )
        shown = shown_text(screen.query_one("#detail-body", Static))
        assert "2874" in shown and "1090" not in shown and "••••" in shown


async def test_an_overpayment_is_marked_and_changes_nothing(books: Books) -> None:
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        await highlight(pilot, screen.query_one("#invoices", DataTable), THIRD)
        await keys(pilot, "p")
        await type_text(pilot, "1000", replace=True)
        await keys(pilot, "tab")
        await type_text(pilot, "2024-05-01", replace=True)  # before the issue date
        await keys(pilot, "enter")
        assert isinstance(app.screen, FormModal), "the form stays up with the problems"
        bad = invalid_fields(app)
        assert set(bad) == {"amount", "paid_on"}
        assert "only 98.40 EUR is still due" in bad["amount"]
        assert "before 2024-05-02" in bad["paid_on"]
        await keys(pilot, "escape", "y")
        assert app.screen is screen
    assert books.services.invoices.payments(books.admin, THIRD) == ()
    assert books.services.invoices.get_by_number(books.admin, THIRD).status == "issued"


async def test_a_credit_note_is_refused_when_paid_and_cancels_an_unpaid_invoice(
    books: Books,
) -> None:
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        table = screen.query_one("#invoices", DataTable)
        await highlight(pilot, table, FIRST)
        await keys(pilot, "c")
        await type_text(pilot, "Wrong rate", "enter")
        form = app.screen
        assert isinstance(form, FormModal), "a refusal keeps the form and what is typed in it"
        ((title, message, severity),) = notifications(app)
        assert (title, severity) == ("Not possible in this state", "error")
        assert "payments of 100.00 EUR are recorded on invoice INV/2024/00001" in message
        assert "100.00 EUR are recorded" in shown_text(form.query_one("#form-problems", Static))
        assert books.services.invoices.get_by_number(books.admin, FIRST).status == "partially_paid"
        await keys(pilot, "escape", "y")
        assert app.screen is screen

        await highlight(pilot, table, THIRD)
        await keys(pilot, "c", "enter")
        assert isinstance(app.screen, FormModal)
        assert set(invalid_fields(app)) == {"reason"}
        await type_text(pilot, "Billed twice", "enter")
        assert app.screen is screen
        numbers = [row[0] for row in table_rows(table)]
        assert THIRD not in numbers and "CN/2024/00001" in numbers
    assert books.services.invoices.get_by_number(books.admin, THIRD).status == "cancelled"


# --- Account Revenue ------------------------------------------------------------------------


async def test_revenue_and_aging_match_the_hand_computed_figures(books: Books) -> None:
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "v", RevenueScreen, login=ADMIN)
        revenue = screen.query_one("#revenue-pane-table", ReportTable)
        # Revenue is net of VAT (23 %): 100.00 received of 196.80 gross (160.00 net) is 81.30.
        assert table_rows(revenue) == [
            ["2024-02", "Harbour Hotel", "Harbour refit", "81.30", "18.70", "100.00"],
            ["2024-04", "Lakeside School", "Lakeside gym", "38.70", "8.90", "47.60"],
            ["Total", "", "", "120.00", "27.60", "147.60"],
        ]
        await keys(pilot, "y")
        await type_text(pilot, "2024-03-01", "enter")
        assert table_rows(revenue) == [
            ["2024-04", "Lakeside School", "Lakeside gym", "38.70", "8.90", "47.60"],
            ["Total", "", "", "38.70", "8.90", "47.60"],
        ]

        await keys(pilot, "2")
        aging = screen.query_one("#aging-pane-table", ReportTable)
        assert screen.query_one("#date-as_of", Input).value == "2024-05-06"
        # Harbour: 00001 owes 96.80, 98 days late; 00003 owes 98.40, not yet due.
        # Lakeside: 00002 owes 100.00, 42 days late.
        assert table_rows(aging) == [
            ["Harbour Hotel", "98.40", "0.00", "0.00", "0.00", "96.80", "195.20"],
            ["Lakeside School", "0.00", "0.00", "100.00", "0.00", "0.00", "100.00"],
            ["Total", "98.40", "0.00", "100.00", "0.00", "96.80", "295.20"],
        ]
        # On 20 March: 00001 owes 96.80, 51 days late; 00002 (not yet paid) is current.
        await keys(pilot, "y")
        await type_text(pilot, "2024-03-20", "enter", replace=True)
        assert table_rows(aging) == [
            ["Harbour Hotel", "0.00", "0.00", "96.80", "0.00", "0.00", "96.80"],
            ["Lakeside School", "147.60", "0.00", "0.00", "0.00", "0.00", "147.60"],
            ["Total", "147.60", "0.00", "96.80", "0.00", "0.00", "244.40"],
        ]
        await keys(pilot, "y")
        await type_text(pilot, "2024-02-30", "enter", replace=True)
        assert screen.query_one("#date-as_of", Input).has_class("-invalid")
        assert table_rows(aging)[-1][-1] == "244.40", "a bad date leaves the report as it was"

        await keys(pilot, "down", "enter")  # Lakeside: on to its invoice
        assert screen.query_one(TabbedContent).active == "invoices"
        invoices = screen.query_one("#open-invoices", DataTable)
        assert invoices.has_focus
        assert invoices.coordinate_to_cell_key(invoices.cursor_coordinate)[0].value == SECOND


async def test_overdue_notices_are_added_refused_and_shown_in_the_printer(books: Books) -> None:
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "v", RevenueScreen, login=ADMIN)
        await keys(pilot, "3")
        table = screen.query_one("#open-invoices", DataTable)
        await highlight(pilot, table, THIRD)
        await keys(pilot, "6")
        assert any("not yet 60" in message for _, message, _ in notifications(app))
        assert books.services.invoices.get_by_number(books.admin, THIRD).overdue_notice_days is None

        await highlight(pilot, table, FIRST)
        await keys(pilot, "9")
        assert table_rows(table)[table.get_row_index(FIRST)][-1] == "90 days"
        assert any("Invoice Printer" in message for _, message, _ in notifications(app))
        assert books.services.invoices.get_by_number(books.admin, FIRST).overdue_notice_days == 90

        await keys(pilot, *go("i"))
        printer = app.screen
        assert isinstance(printer, PrinterScreen)
        rows = table_rows(printer.query_one("#invoices", DataTable))
        assert {row[0]: row[-1] for row in rows}[FIRST] == "90 days"

        await keys(pilot, *go("v"), "3")
        table = app.screen.query_one("#open-invoices", DataTable)
        await highlight(pilot, table, FIRST)
        await keys(pilot, "0")
        assert books.services.invoices.get_by_number(books.admin, FIRST).overdue_notice_days is None


async def test_booking_a_paid_invoice_takes_it_off_the_printer(books: Books) -> None:
    pay(books, FIRST, "96.80", date(2024, 5, 6))
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "v", RevenueScreen, login=ADMIN)
        await keys(pilot, "3")
        table = screen.query_one("#open-invoices", DataTable)
        await highlight(pilot, table, SECOND)
        await keys(pilot, "b")
        assert isinstance(app.screen, YesNoDialog)
        await keys(pilot, "y")
        assert any("fully paid" in message for _, message, _ in notifications(app))
        assert books.services.invoices.get_by_number(books.admin, SECOND).status != "booked"

        await highlight(pilot, table, FIRST)
        await keys(pilot, "b", "n")
        assert books.services.invoices.get_by_number(books.admin, FIRST).status == "paid"
        await keys(pilot, "b", "y")
        assert books.services.invoices.get_by_number(books.admin, FIRST).status == "booked"
        assert FIRST not in [row[0] for row in table_rows(table)]

        await keys(pilot, *go("i"))
        rows = table_rows(app.screen.query_one("#invoices", DataTable))
        assert [row[0] for row in rows] == [THIRD, SECOND]


async def test_export_the_aging_report_to_xlsx_with_numeric_amounts(books: Books) -> None:
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "v", RevenueScreen, login=ADMIN)
        await keys(pilot, "2", "x", "x")
        path = exports(books) / "Receivables-aging-As-of-2024-05-06.xlsx"
        assert path.is_file()
        assert str(path) in str(screen.query_one("#revenue-status").render()).replace("\n", "")
        await keys(pilot, "1", "x", "c")
        csv_path = exports(books) / "Recognised-revenue-All-payments.csv"
        assert "147.60" in csv_path.read_text(encoding="utf-8-sig")
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert rows[0][0] == "Harbour Hotel"
    assert [Decimal(str(value)) for value in rows[0][1:]] == [
        Decimal(v) for v in ("98.4", "0", "0", "0", "96.8", "195.2")
    ]
    assert all(isinstance(value, int | float) for row in rows for value in row[1:])
    assert rows[-1][0] == "Total" and rows[-1][-1] == pytest.approx(295.2)


# --- mail to me -------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it receives."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Store the message."""
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on 127.0.0.1 and its port."""
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def point_mail_at(books: Books, port: int) -> None:
    """Set the organisation's SMTP server to 127.0.0.1:``port``, no login."""
    settings = books.services.settings
    form = settings.form_for(settings.get(books.admin))
    changed = replace(
        form,
        smtp_host="127.0.0.1",
        smtp_port=str(port),
        smtp_security="none",
        smtp_sender="reports@acme.test",
        smtp_username="",
    )
    settings.update(books.admin, changed)


async def test_mail_the_revenue_report_to_me(
    books: Books, mailbox: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEKTORO_SMTP_PASSWORD", raising=False)
    box, port = mailbox
    point_mail_at(books, port)
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        await open_area(pilot, "v", RevenueScreen, login=ADMIN)
        await keys(pilot, "m")
        assert ("Mail sent", f"Sent Recognised-revenue-All-payments.xlsx to {ADMIN_EMAIL}.",
                "information") in notifications(app)  # fmt: skip
    ((sender, recipients, raw),) = box.received
    assert (sender, recipients) == ("reports@acme.test", [ADMIN_EMAIL])
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Recognised revenue (All payments)"
    body = message.get_body(("plain",))
    assert body is not None
    summary = body.get_content()
    assert "Revenue (net): 120.00 EUR." in summary and "VAT: 27.60 EUR." in summary
    assert "Received (gross): 147.60 EUR." in summary
    (attachment,) = list(message.iter_attachments())
    sheet = openpyxl.load_workbook(BytesIO(attachment.get_content())).active
    assert sheet is not None and sheet["D4"].value == 81.3 and sheet["D6"].value == 120
    assert sheet["F4"].value == 100 and sheet["F6"].value == 147.6


async def test_a_mail_failure_is_shown_and_the_file_is_kept(books: Books) -> None:
    point_mail_at(books, free_port())  # nothing listens there
    app = TektoroApp(services=books.services)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_area(pilot, "v", RevenueScreen, login=ADMIN)
        await keys(pilot, "2", "m")
        failures = [(t, m) for t, m, s in notifications(app) if s == "error"]
        assert failures and failures[0][0] == "Mail not sent"
        assert "NOT sent" in failures[0][1]
        assert isinstance(app.screen, RevenueScreen) and app.screen is screen
        assert screen.query_one(TabbedContent).active == "aging"
    assert (exports(books) / "Receivables-aging-As-of-2024-05-06.xlsx").is_file()


# --- snapshots --------------------------------------------------------------------------------


def test_printer_snapshot(books: Books, snap_compare: Any) -> None:
    app = TektoroApp(services=books.services)
    assert snap_compare(
        app,
        terminal_size=SIZE,
        run_before=snapshot_steps(*go("i"), "down", "down", login=ADMIN, typing=True),
    )


def test_revenue_snapshot(books: Books, snap_compare: Any) -> None:
    app = TektoroApp(services=books.services)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=snapshot_steps(*go("v"), login=ADMIN, typing=True)
    )


def test_aging_snapshot(books: Books, snap_compare: Any) -> None:
    app = TektoroApp(services=books.services)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=snapshot_steps(*go("v"), "2", login=ADMIN, typing=True)
    )
