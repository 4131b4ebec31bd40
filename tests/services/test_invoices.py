"""Documenter, Invoice Printer and Account Revenue against hand-computed figures.

Document records and their processed time entries are written straight into the database here
(as WIP processing would write them), so these tests do not depend on the WIP service.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import event, func, select, update

from tektoro_tui.data import models as m
from tektoro_tui.domain.money import Money
from tektoro_tui.errors import (
    IllegalTransition,
    LedgerError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from tektoro_tui.services.administration.presets import CompanyForm
from tektoro_tui.services.base import Actor, ServiceBase
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.service import InvoiceService
from tektoro_tui.services.invoicing.views import (
    AdjustmentForm,
    DraftForm,
    ExpenseForm,
    InvoiceView,
    PaymentForm,
)
from tests.builders import add_job, add_person, add_work_codes, set_organisation

TODAY = date(2026, 3, 10)  # the fixed clock's date


def eur(cents: int) -> Money:
    """Shorthand for an amount in euros."""
    return Money(cents, "EUR")


@dataclass
class Books:
    """A firm with two clients and projects, and a way to write document records."""

    services: Services
    admin: Actor
    invoices: InvoiceService
    client_id: int
    other_client_id: int
    project_id: int
    other_project_id: int
    task_id: int
    activity_id: int
    rate_id: int
    records: list[int] = field(default_factory=list)

    def record(
        self,
        *lines: tuple[date, int, int, int],
        kind: str = "invoice",
        other: bool = False,
        text: str = "Site survey",
    ) -> int:
        """A document record with one processed entry per (date, minutes, rate, billed)."""
        client = self.other_client_id if other else self.client_id
        project = self.other_project_id if other else self.project_id
        values = [minutes * rate // 60 for _d, minutes, rate, _b in lines]
        # a real unit of work: the rows it writes are sealed like the program's own
        with ServiceBase(self.services.db, self.services.clock)._write(None) as uow:
            session = uow.session
            record = m.DocumentRecord(
                reference=f"DR-{len(self.records) + 1:04d}",
                kind=kind,
                client_id=client,
                project_id=project,
                total_minutes=sum(line[1] for line in lines),
                value_cents=sum(values),
                billed_cents=sum(line[3] for line in lines),
                write_down_cents=sum(values) - sum(line[3] for line in lines),
                created_by_id=self.admin.user_id,
                created_at=self.services.clock.now(),
            )
            session.add(record)
            session.flush()
            for (work_date, minutes, rate, billed), value in zip(lines, values, strict=True):
                entry = m.TimeEntry(
                    owner_id=self.admin.user_id,
                    entered_by_id=self.admin.user_id,
                    project_id=project,
                    task_id=self.task_id,
                    activity_id=self.activity_id,
                    rate_code_id=self.rate_id,
                    work_date=work_date,
                    minutes=minutes,
                    description=text,
                    status="processed",
                    rate_cents=rate,
                    value_cents=value,
                    allocation="bill" if billed else "write_down",
                    write_down_cents=value - billed,
                    document_id=record.id,
                    created_at=self.services.clock.now(),
                )
                session.add(entry)
                session.flush()
                session.add(
                    m.DocumentLine(
                        document_id=record.id,
                        time_entry_id=entry.id,
                        work_date=work_date,
                        person_name="Olga Owner",
                        project_name="Roof" if not other else "Hall",
                        task_name="Survey",
                        activity_name="Design",
                        description=text,
                        minutes=minutes,
                        rate_cents=rate,
                        value_cents=value,
                        billed_cents=billed,
                        write_down_cents=value - billed,
                    )
                )
            assert record.id is not None
            self.records.append(record.id)
            return record.id

    def issued(
        self, net_cents: int, issue_date: date, *, other: bool = False, work: date | None = None
    ) -> InvoiceView:
        """An issued invoice of one 60-minute line billed at ``net_cents``."""
        worked = work or issue_date - timedelta(days=3)
        record = self.record((worked, 60, net_cents, net_cents), other=other)
        draft = self.invoices.open_record(self.admin, record)
        return self.invoices.issue(self.admin, draft.id, issue_date=issue_date)


def make_books(services: Services, admin: Actor) -> Books:
    """Presets, organisation details and two clients for the invoice tests."""
    acme = CompanyForm(
        name="Acme Sp. z o.o.", tax_id="PL5250000001", billing_address="Długa 1\nGdańsk"
    )
    roof = add_job(services, admin, acme, "Roof", "Survey")
    hall = add_job(services, admin, CompanyForm(name="Bolt GmbH", tax_id="DE123456789"), "Hall")
    activity, rate = add_work_codes(services, admin, "Design", "Senior", "100")
    set_organisation(
        services,
        billing_address="1 Harbour Road\nGdynia",
        tax_id="PL9570000000",
        invoice_footer="Thank you for your business.",
        bank_account="PL61 1090 1014 0000 0712 1981 2874",
    )
    return Books(
        services=services,
        admin=admin,
        invoices=InvoiceService(services.db, services.clock),
        client_id=roof.client_id,
        other_client_id=hall.client_id,
        project_id=roof.project_id,
        other_project_id=hall.project_id,
        task_id=roof.task_id,
        activity_id=activity,
        rate_id=rate,
    )


@pytest.fixture
def books(services: Services, admin: Actor) -> Books:
    """The firm the invoice tests work in."""
    return make_books(services, admin)


def two_line_record(books: Books) -> int:
    """1:30 h at 100.00 (150.00) and 2:00 h at 80.00 billed 140.00 of 160.00."""
    return books.record(
        (date(2026, 3, 2), 90, 10_000, 15_000),
        (date(2026, 3, 3), 120, 8_000, 14_000),
    )


def totals(view: InvoiceView) -> tuple[int, int, int]:
    """(net, VAT, gross) in cents, checking gross == net + VAT on every line."""
    assert all(line.gross == line.net + line.vat for line in view.lines)
    assert view.gross == view.net + view.vat
    return view.net.cents, view.vat.cents, view.gross.cents


def assert_books_check(books: Books) -> None:
    """``tektoro check`` finds every ledger invariant intact."""
    report = run_check(books.services.db)
    assert report.ok, report.lines()


# ----------------------------------------------------------------------------------------------
# Documenter
# ----------------------------------------------------------------------------------------------


def test_opening_a_record_makes_one_draft_with_its_time_lines(books: Books) -> None:
    record = two_line_record(books)
    draft = books.invoices.open_record(books.admin, record)
    assert draft.status == "draft" and draft.number is None and draft.issue_date is None
    assert draft.document_reference == "DR-0001" and draft.client_name == "Acme Sp. z o.o."
    assert draft.due_days == 14
    first, second, write_down = draft.lines
    assert first.kind == "time"
    assert first.description == "2026-03-02 Olga Owner — Survey/Design"
    assert first.detail == "Site survey"
    assert (first.minutes, first.unit_price, first.net, first.vat_bp) == (
        90,
        eur(10_000),
        eur(15_000),
        2300,
    )
    # 2:00 h × 80.00 is 160.00 on the line; the 20.00 written down in WIP is its own line.
    assert (second.minutes, second.unit_price, second.net) == (120, eur(8_000), eur(16_000))
    assert (write_down.kind, write_down.net, write_down.vat_bp) == ("adjustment", eur(-2_000), 2300)
    assert write_down.description.startswith("Write-down: ")
    assert write_down.detail == "Written down from: 2026-03-03 Olga Owner — Survey/Design"
    assert [line.vat.cents for line in draft.lines] == [3_450, 3_680, -460]
    assert totals(draft) == (29_000, 6_670, 35_670)
    with pytest.raises(IllegalTransition, match="decided in WIP"):
        books.invoices.remove_line(books.admin, draft.id, write_down.id)
    again = books.invoices.open_record(books.admin, record)
    assert again.id == draft.id and len(again.lines) == 3
    assert [d.id for d in books.invoices.drafts(books.admin)] == [draft.id]
    assert_books_check(books)


def test_write_down_statements_are_not_invoiced(books: Books) -> None:
    record = books.record((date(2026, 3, 2), 60, 10_000, 0), kind="write_down")
    with pytest.raises(IllegalTransition, match="write-downs"):
        books.invoices.open_record(books.admin, record)
    with pytest.raises(NotFound):
        books.invoices.open_record(books.admin, 9_999)


def test_editing_a_draft_reprices_every_line(books: Books) -> None:
    inv = books.invoices
    draft = inv.open_record(books.admin, two_line_record(books))
    form = DraftForm(commentary="Phase 1", markup_percent="10", vat_rate="8", due_days="30")
    view = inv.update_draft(books.admin, draft.id, form)
    # nothing to mark up yet; the second time line's write-down is a line of its own
    assert [line.kind for line in view.lines] == ["time", "time", "adjustment"]
    assert totals(view) == (29_000, 2_320, 31_320)
    assert (view.commentary, view.markup_bp, view.due_days) == ("Phase 1", 1_000, 30)

    view = inv.add_expense(
        books.admin, draft.id, ExpenseForm("2026-03-04", "Train tickets", "50.00", "23")
    )
    assert [line.kind for line in view.lines] == ["time", "time", "adjustment", "expense", "markup"]
    # the markup carries the 23 % of the expense it marks up
    assert view.lines[-1].net == eur(500) and view.lines[-1].vat == eur(115)
    assert totals(view) == (34_500, 3_585, 38_085)

    first = view.lines[0]
    view = inv.add_adjustment(
        books.admin, draft.id, AdjustmentForm(amount="-20", reason="Goodwill", line_id=first.id)
    )
    adjustment = view.lines[1]
    assert (adjustment.kind, adjustment.reason, adjustment.net, adjustment.vat) == (
        "adjustment",
        "Goodwill",
        eur(-2_000),
        eur(-160),
    )
    assert adjustment.detail == f"Applies to: {first.description}"
    assert totals(view) == (32_500, 3_425, 35_925)  # markup only on expenses: unchanged

    whole = DraftForm(
        commentary="Phase 1", markup_percent="10", markup_on_whole=True, vat_rate="8", due_days="30"
    )
    view = inv.update_draft(books.admin, draft.id, whole)
    # 10 % of 320.00, per VAT rate: 27.00 on the 270.00 at 8 %, 5.00 on the 50.00 at 23 %
    assert [(ln.description, ln.net, ln.vat) for ln in view.lines if ln.kind == "markup"] == [
        ("Markup 10% on the invoice at 8% VAT", eur(2_700), eur(216)),
        ("Markup 10% on the invoice at 23% VAT", eur(500), eur(115)),
    ]
    assert totals(view) == (35_200, 3_641, 38_841)

    view = inv.add_adjustment(books.admin, draft.id, AdjustmentForm("10.00", "Rush fee"))
    assert [line.kind for line in view.lines] == [
        "time",
        "adjustment",
        "time",
        "adjustment",
        "expense",
        "adjustment",
        "markup",
        "markup",
    ]
    assert totals(view) == (36_300, 3_729, 40_029)

    expense = next(line for line in view.lines if line.kind == "expense")
    view = inv.remove_line(books.admin, draft.id, expense.id)
    assert [line.kind for line in view.lines] == [
        "time",
        "adjustment",
        "time",
        "adjustment",
        "adjustment",
        "markup",
    ]
    assert [line.position for line in view.lines] == [1, 2, 3, 4, 5, 6]
    assert totals(view) == (30_800, 2_464, 33_264)
    assert [(b.rate_bp, b.net.cents, b.vat.cents) for b in view.vat_breakdown] == [
        (800, 30_800, 2_464)
    ]
    assert_books_check(books)


def test_adjustments_of_one_line_follow_it_in_the_order_they_were_made(books: Books) -> None:
    """A second adjustment of the first time line goes after the first one and before the
    next time line; removing the first closes the gap (positions stay 1..n)."""
    inv = books.invoices
    draft = inv.open_record(books.admin, two_line_record(books))
    first = draft.lines[0]
    inv.add_adjustment(books.admin, draft.id, AdjustmentForm("-1.00", "One", first.id))
    view = inv.add_adjustment(books.admin, draft.id, AdjustmentForm("-2.00", "Two", first.id))
    shown = [(line.kind, line.reason) for line in view.lines]
    assert shown[:4] == [("time", ""), ("adjustment", "One"), ("adjustment", "Two"), ("time", "")]
    assert [line.position for line in view.lines] == list(range(1, len(view.lines) + 1))
    one = view.lines[1]
    view = inv.remove_line(books.admin, draft.id, one.id)
    assert [(line.kind, line.reason) for line in view.lines][:3] == [
        ("time", ""),
        ("adjustment", "Two"),
        ("time", ""),
    ]
    assert [line.position for line in view.lines] == list(range(1, len(view.lines) + 1))
    assert totals(view)[0] == totals(draft)[0] - 200
    assert_books_check(books)


def test_draft_edits_are_refused_with_reasons(books: Books) -> None:
    inv = books.invoices
    draft = inv.open_record(books.admin, two_line_record(books))
    time_line, other, _write_down = draft.lines
    with pytest.raises(IllegalTransition, match="adjust them instead"):
        inv.remove_line(books.admin, draft.id, time_line.id)
    with pytest.raises(ValidationError, match="below zero"):
        inv.add_adjustment(books.admin, draft.id, AdjustmentForm("-140.01", "Too much", other.id))
    with pytest.raises(ValidationError, match="negative"):
        inv.add_adjustment(books.admin, draft.id, AdjustmentForm("-290.01", "Everything"))
    with pytest.raises(ValidationError) as caught:
        inv.add_adjustment(books.admin, draft.id, AdjustmentForm("abc", "", line_id=99_999))
    assert {p.field for p in caught.value.problems} == {"amount", "reason", "line_id"}
    with pytest.raises(ValidationError) as caught:
        inv.update_draft(
            books.admin,
            draft.id,
            DraftForm(markup_percent="150", due_days="400", vat_rate="x", payment_terms_id=999),
        )
    assert {p.field for p in caught.value.problems} == {
        "markup_percent",
        "due_days",
        "vat_rate",
        "payment_terms_id",
    }
    with pytest.raises(ValidationError) as caught:
        inv.add_expense(books.admin, draft.id, ExpenseForm("2026-04-01", "", "0"))
    assert {p.field for p in caught.value.problems} == {"expense_date", "description", "amount"}
    assert totals(inv.get(books.admin, draft.id)) == (29_000, 6_670, 35_670)  # nothing changed


def test_who_may_edit_and_issue(books: Books) -> None:
    draft = books.invoices.open_record(books.admin, two_line_record(books))
    staff = add_person(books.services, books.admin, "Sam")
    manager = add_person(books.services, books.admin, "Mia", "manager")
    accountant = add_person(books.services, books.admin, "Ada", "accountant")
    with pytest.raises(PermissionDenied):
        books.invoices.open_record(staff, draft.document_id or 0)
    with pytest.raises(PermissionDenied):
        books.invoices.get(staff, draft.id)
    # the manager sees the drafts but neither adds nor edits invoices (seed 003)
    assert books.invoices.get(manager, draft.id).id == draft.id
    with pytest.raises(PermissionDenied) as refused:
        books.invoices.add_expense(manager, draft.id, ExpenseForm("2026-03-04", "Taxi", "10"))
    assert "not add or edit invoices" in refused.value.message
    with pytest.raises(PermissionDenied):
        books.invoices.open_record(manager, draft.document_id or 0)
    edited = books.invoices.add_expense(
        accountant, draft.id, ExpenseForm("2026-03-04", "Taxi", "10")
    )
    assert edited.gross == eur(35_670 + 1_230)
    with pytest.raises(PermissionDenied):
        books.invoices.issue(manager, draft.id)
    issued = books.invoices.issue(accountant, draft.id)
    assert issued.number == "INV/2026/00001"
    with pytest.raises(PermissionDenied):
        books.invoices.record_payment(manager, "INV/2026/00001", PaymentForm("1", "2026-03-10"))


# ----------------------------------------------------------------------------------------------
# Issuing
# ----------------------------------------------------------------------------------------------


def test_the_date_of_sale_is_the_last_day_of_work_billed(books: Books) -> None:
    """Read by the database over every line of the invoice (one query, whatever the count)."""
    inv = books.invoices
    draft = inv.open_record(books.admin, two_line_record(books))
    issued = inv.issue(books.admin, draft.id)
    with books.services.db.read() as session:
        row = session.get(m.Invoice, issued.id)
        assert row is not None and row.sale_date == date(2026, 3, 3)


def test_issue_numbers_snapshots_and_freezes(books: Books) -> None:
    inv = books.invoices
    draft = inv.open_record(books.admin, two_line_record(books))
    assert draft.seller_missing == ()  # the firm gave its address, tax id and bank account
    set_organisation(books.services, bank_account="", tax_id=" ")
    assert inv.get(books.admin, draft.id).seller_missing == ("tax ID", "bank account")
    set_organisation(books.services, bank_account="PL61 1090 1014 0000 0712 1981 2874")
    set_organisation(books.services, tax_id="PL9570000000")
    inv.update_draft(books.admin, draft.id, DraftForm(due_days="30"))
    issued = inv.issue(books.admin, draft.id)
    assert (issued.number, issued.status, issued.issue_date) == ("INV/2026/00001", "issued", TODAY)
    assert issued.seller_missing == (), "asked of drafts only"
    assert issued.due_date == TODAY + timedelta(days=30) and issued.due_days == 30
    assert totals(issued) == (29_000, 6_670, 35_670)
    assert issued.footer == "Thank you for your business."
    with books.services.db.read() as session:
        row = session.get(m.Invoice, issued.id)
        assert row is not None
        assert (row.seq, row.seller_name, row.seller_tax_id) == (
            1,
            "Northwind Studio",
            "PL9570000000",
        )
        assert (row.buyer_name, row.buyer_address, row.buyer_tax_id) == (
            "Acme Sp. z o.o.",
            "Długa 1\nGdańsk",
            "PL5250000001",
        )
        assert row.sale_date == date(2026, 3, 3)  # the last day of billed work
        event = session.execute(
            select(m.AuditEvent).where(m.AuditEvent.action == "invoice.issue")
        ).scalar_one()
    after = json.loads(event.after_json)
    assert after["invoice"]["number"] == "INV/2026/00001" and after["invoice"]["status"] == "issued"
    assert [line["net_cents"] for line in after["lines"]] == [15_000, 16_000, -2_000]

    second = inv.issue(
        books.admin, inv.open_record(books.admin, books.record((TODAY, 60, 5_000, 5_000))).id
    )
    assert second.number == "INV/2026/00002"

    with pytest.raises(IllegalTransition, match="credit note"):
        inv.update_draft(books.admin, issued.id, DraftForm(commentary="changed"))
    with pytest.raises(IllegalTransition):
        inv.add_expense(books.admin, issued.id, ExpenseForm("2026-03-04", "Taxi", "10"))
    with pytest.raises(IllegalTransition, match="already issued"):
        inv.issue(books.admin, issued.id)
    with pytest.raises(IllegalTransition, match="already invoiced"):
        inv.open_record(books.admin, issued.document_id or 0)
    with pytest.raises(LedgerError), books.services.db.write() as session:
        session.execute(update(m.Invoice).where(m.Invoice.id == issued.id).values(net_cents=1))
    with pytest.raises(LedgerError), books.services.db.write() as session:
        session.execute(
            update(m.InvoiceLine).where(m.InvoiceLine.invoice_id == issued.id).values(net_cents=1)
        )
    assert totals(inv.get(books.admin, issued.id)) == (29_000, 6_670, 35_670)
    assert_books_check(books)


def test_numbers_follow_the_calendar(books: Books) -> None:
    inv = books.invoices
    first = inv.open_record(books.admin, books.record((date(2026, 3, 2), 60, 10_000, 10_000)))
    second = inv.open_record(books.admin, books.record((date(2026, 3, 2), 60, 10_000, 10_000)))
    assert inv.issue(books.admin, first.id, issue_date=date(2026, 3, 9)).number == "INV/2026/00001"
    with pytest.raises(ValidationError, match=r"chronological.*INV/2026/00001.*2026-03-09"):
        inv.issue(books.admin, second.id, issue_date=date(2026, 3, 5))
    with pytest.raises(ValidationError, match="after today"):
        inv.issue(books.admin, second.id, issue_date=date(2026, 3, 11))
    with books.services.db.read() as session:
        series = session.execute(
            select(m.InvoiceSeries).where(m.InvoiceSeries.code == "INV")
        ).scalar_one()
        assert (series.last_number, series.last_issue_date) == (1, date(2026, 3, 9))
    assert inv.get(books.admin, second.id).status == "draft"
    issued = inv.issue(books.admin, second.id, issue_date=date(2026, 3, 9))
    assert issued.number == "INV/2026/00002"
    assert_books_check(books)


def test_empty_and_zero_invoices_are_refused(books: Books) -> None:
    inv = books.invoices
    empty = inv.open_record(books.admin, books.record())
    with pytest.raises(IllegalTransition, match="no lines"):
        inv.issue(books.admin, empty.id)
    draft = inv.open_record(books.admin, books.record((date(2026, 3, 2), 60, 1_000, 1_000)))
    inv.add_adjustment(books.admin, draft.id, AdjustmentForm("-10", "Free of charge"))
    with pytest.raises(IllegalTransition, match="more than zero"):
        inv.issue(books.admin, draft.id)
    with books.services.db.read() as session:
        numbered = session.execute(select(func.max(m.InvoiceSeries.last_number))).scalar_one()
    assert numbered == 0


def test_payment_terms_are_copied_when_issued(books: Books, tmp_path: Path) -> None:
    with books.services.db.write() as session:
        template = m.PaymentTermsTemplate(
            name="Net 30",
            body="Pay by bank transfer within 30 days.",
            created_at=books.services.clock.now(),
        )
        session.add(template)
        session.flush()
        template_id = template.id
    inv = books.invoices
    assert inv.payment_terms_options(books.admin) == ((template_id, "Net 30"),)
    draft = inv.open_record(books.admin, two_line_record(books))
    inv.update_draft(books.admin, draft.id, DraftForm(payment_terms_id=template_id))
    issued = inv.issue(books.admin, draft.id)
    assert issued.payment_terms_text == "Pay by bank transfer within 30 days."
    with books.services.db.write() as session:
        session.execute(
            update(m.PaymentTermsTemplate)
            .where(m.PaymentTermsTemplate.id == template_id)
            .values(body="Pay at once.", is_deleted=True)
        )
    assert (
        inv.get(books.admin, issued.id).payment_terms_text == "Pay by bank transfer within 30 days."
    )
    html = inv.render(books.admin, "INV/2026/00001", fmt="html", out=tmp_path).read_text("utf-8")
    assert "Pay by bank transfer within 30 days." in html and "Pay at once." not in html


def test_credit_note_cancels_the_whole_invoice(books: Books) -> None:
    inv = books.invoices
    record = two_line_record(books)
    draft = inv.open_record(books.admin, record)
    inv.add_expense(books.admin, draft.id, ExpenseForm("2026-03-04", "Taxi", "10.00"))
    original = inv.issue(books.admin, draft.id, issue_date=date(2026, 3, 5))
    with pytest.raises(ValidationError, match="reason"):
        inv.credit_note(books.admin, original.number or "", reason=" ")
    with pytest.raises(ValidationError, match="before 2026-03-05"):
        inv.credit_note(
            books.admin, "INV/2026/00001", reason="Wrong client", issue_date=date(2026, 3, 4)
        )
    note = inv.credit_note(books.admin, "INV/2026/00001", reason="Wrong client")
    assert (note.number, note.kind, note.status) == ("CN/2026/00001", "credit_note", "issued")
    assert note.credited_invoice_id == original.id and note.commentary == "Wrong client"
    assert [line.net for line in note.lines] == [-line.net for line in original.lines]
    assert [line.vat for line in note.lines] == [-line.vat for line in original.lines]
    assert totals(note) == (-30_000, -6_900, -36_900)
    assert note.due == eur(0)
    cancelled = inv.get_by_number(books.admin, "INV/2026/00001")
    assert cancelled.status == "cancelled" and cancelled.due == eur(0)
    with pytest.raises(IllegalTransition, match="cancelled"):
        inv.record_payment(books.admin, "INV/2026/00001", PaymentForm("10", "2026-03-10"))
    with pytest.raises(IllegalTransition, match="credit note"):
        inv.record_payment(books.admin, "CN/2026/00001", PaymentForm("10", "2026-03-10"))
    with pytest.raises(IllegalTransition, match="cancelled"):
        inv.credit_note(books.admin, "INV/2026/00001", reason="Again")
    # The record can be invoiced again, to the right client this time.
    again = inv.open_record(books.admin, record)
    assert again.id != original.id and again.status == "draft"
    reissued = inv.issue(books.admin, again.id)
    assert reissued.number == "INV/2026/00002"
    inv.record_payment(books.admin, "INV/2026/00002", PaymentForm("1.00", "2026-03-10"))
    with pytest.raises(IllegalTransition, match=r"payments of 1\.00 EUR"):
        inv.credit_note(books.admin, "INV/2026/00002", reason="Late change")
    booked = inv.mark_booked(books.admin, "CN/2026/00001")
    assert booked.status == "booked"
    assert_books_check(books)


# ----------------------------------------------------------------------------------------------
# Invoice Printer
# ----------------------------------------------------------------------------------------------


def test_render_pdf_and_html(books: Books, tmp_path: Path) -> None:
    inv = books.invoices
    draft = inv.open_record(books.admin, two_line_record(books))
    inv.add_expense(books.admin, draft.id, ExpenseForm("2026-03-04", "Train tickets", "50.00", "8"))
    inv.update_draft(books.admin, draft.id, DraftForm(commentary="Thanks for the roof job"))
    issued = inv.issue(books.admin, draft.id)
    assert totals(issued) == (34_000, 7_070, 41_070)  # 66.70 on the time, 8 % of 50.00 = 4.00
    before = inv.get_by_number(books.admin, "INV/2026/00001")

    pdf = inv.render(books.admin, "INV/2026/00001", fmt="pdf", out=tmp_path / "a.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    for expected in (
        "INV/2026/00001",
        "Olga Owner",
        "Train tickets",
        "Acme Sp. z o.o.",
        "Northwind Studio",
        "23%",
        "8%",
        "340.00",
        "70.70",
        "410.70",
    ):
        assert expected in text, expected
    again = inv.render(books.admin, "INV/2026/00001", fmt="pdf", out=tmp_path / "b.pdf")
    assert pdf.read_bytes() == again.read_bytes()

    html = inv.render(books.admin, "INV/2026/00001", fmt="html", out=tmp_path)
    assert html == tmp_path / "INV-2026-00001.html"
    page = html.read_text("utf-8")
    assert "Site survey" in page and "410.70" in page and "Thanks for the roof job" in page
    hidden = inv.render(
        books.admin,
        "INV/2026/00001",
        fmt="html",
        out=tmp_path / "short.html",
        show_line_details=False,
    )
    assert "Site survey" not in hidden.read_text("utf-8")
    default = inv.render(books.admin, "INV/2026/00001", fmt="pdf")
    assert default.name == "INV-2026-00001.pdf" and default.parent.name == "exports"
    assert default.read_bytes() == pdf.read_bytes()
    assert inv.get_by_number(books.admin, "INV/2026/00001") == before
    with pytest.raises(ValidationError, match="pdf or html"):
        inv.render(books.admin, "INV/2026/00001", fmt="docx")
    with pytest.raises(NotFound):
        inv.render(books.admin, "INV/2026/09999", fmt="pdf", out=tmp_path)


def test_printer_list_holds_issued_invoices_until_booked(books: Books) -> None:
    inv = books.invoices
    first = books.issued(10_000, date(2026, 3, 1))
    second = books.issued(20_000, date(2026, 3, 2))
    inv.open_record(books.admin, books.record((date(2026, 3, 2), 60, 100, 100)))  # a draft
    assert [v.number for v in inv.printer_list(books.admin)] == [second.number, first.number]
    paid = inv.record_payment(books.admin, first.number or "", PaymentForm("123.00", "2026-03-05"))
    assert paid.status == "paid"
    assert {v.number for v in inv.printer_list(books.admin)} == {first.number, second.number}
    booked = inv.mark_booked(books.admin, first.number or "")
    assert booked.status == "booked" and booked.booked_at is not None
    assert [v.number for v in inv.printer_list(books.admin)] == [second.number]
    with pytest.raises(IllegalTransition, match="fully paid"):
        inv.mark_booked(books.admin, second.number or "")


def test_an_invoice_read_with_a_line_limit_keeps_every_total(books: Books) -> None:
    """The printer's detail reads the first lines only; the VAT breakdown and the line count
    still cover the whole invoice."""
    inv = books.invoices
    draft = inv.open_record(books.admin, two_line_record(books))
    inv.add_expense(books.admin, draft.id, ExpenseForm("2026-03-04", "Train tickets", "50", "8"))
    issued = inv.issue(books.admin, draft.id, issue_date=date(2026, 3, 5))
    number = issued.number or ""
    whole = inv.get_by_number(books.admin, number)
    assert len(whole.lines) == 4 and whole.line_count is None and whole.total_lines == 4

    first = inv.get_by_number(books.admin, number, line_limit=1)
    assert first.lines == whole.lines[:1]
    assert (first.line_count, first.total_lines) == (4, 4)
    assert first.vat_breakdown == whole.vat_breakdown and len(first.vat_breakdown) == 2
    assert replace(first, lines=whole.lines, line_count=None) == whole

    none = inv.get_by_number(books.admin, number, line_limit=0)
    assert none.lines == () and none.total_lines == 4 and none.due == whole.due


def test_opening_and_issuing_return_what_reading_the_invoice_gives(books: Books) -> None:
    """Opening a record returns the draft it made as reading it back does (its lines are read
    once, not again), and the list of drafts the same less its lines; issuing for a caller
    that shows only the number and totals returns the issued invoice without its lines, every
    total, the VAT breakdown and the line count as reading it whole gives them."""
    inv = books.invoices
    draft = inv.open_record(books.admin, two_line_record(books))
    assert draft == inv.get(books.admin, draft.id) and len(draft.lines) == 3
    (listed,) = inv.drafts(books.admin)  # the Documenter's list: totals and count, no lines
    assert listed.lines == () and listed.total_lines == 3
    assert replace(listed, lines=draft.lines, line_count=None) == draft
    inv.add_expense(books.admin, draft.id, ExpenseForm("2026-03-04", "Train tickets", "50", "8"))
    issued = inv.issue(books.admin, draft.id, issue_date=date(2026, 3, 5), line_limit=0)
    whole = inv.get_by_number(books.admin, issued.number or "")
    assert issued.lines == () and (issued.line_count, issued.total_lines) == (4, 4)
    assert len(whole.vat_breakdown) == 2 and issued.gross == whole.gross != eur(0)
    assert replace(issued, lines=whole.lines, line_count=None) == whole


def test_the_printers_actions_return_the_invoice_without_its_lines_when_asked(
    books: Books,
) -> None:
    """A payment, a credit note and booking, asked for no lines (the screens show only the
    number and totals), return what reading the invoice whole gives, less its lines; asked
    for nothing, every line as before."""
    inv = books.invoices

    def three_lines(day: int) -> InvoiceView:
        draft = inv.open_record(books.admin, two_line_record(books))
        return inv.issue(books.admin, draft.id, issue_date=date(2026, 3, day))

    def held_to_whole(view: InvoiceView) -> None:
        whole = inv.get_by_number(books.admin, view.number or "")
        assert view.lines == () and view.total_lines == len(whole.lines) == 3
        assert replace(view, lines=whole.lines, line_count=None) == whole

    paid = three_lines(5)
    number = paid.number or ""
    part = inv.record_payment(books.admin, number, PaymentForm("100", "2026-03-06"), line_limit=0)
    held_to_whole(part)
    assert part.status == "partially_paid" and part.paid == eur(10_000)
    rest = str(part.due.amount)
    full = inv.record_payment(books.admin, number, PaymentForm(rest, "2026-03-07"), line_limit=0)
    held_to_whole(full)
    held_to_whole(inv.mark_booked(books.admin, number, line_limit=0))
    note = inv.credit_note(books.admin, three_lines(8).number or "", reason="Wrong", line_limit=0)
    held_to_whole(note)
    assert note.kind == "credit_note" and note.gross == -full.gross
    whole = inv.record_payment(
        books.admin, three_lines(9).number or "", PaymentForm("1", "2026-03-09")
    )
    assert len(whole.lines) == 3 and whole.line_count is None


def test_printer_list_without_lines_has_the_same_figures(books: Books) -> None:
    """List screens read the printer's list without lines: every total, date and name is the
    one of the full list, and the lines and VAT breakdown are left empty."""
    inv = books.invoices
    draft = inv.open_record(books.admin, two_line_record(books))
    inv.add_expense(books.admin, draft.id, ExpenseForm("2026-03-04", "Train tickets", "50", "8"))
    two_rates = inv.issue(books.admin, draft.id, issue_date=date(2026, 3, 5))
    books.issued(20_000, date(2026, 3, 6), other=True)
    cancelled = books.issued(5_000, date(2026, 3, 7))
    inv.credit_note(books.admin, cancelled.number or "", reason="Wrong client")
    inv.record_payment(books.admin, two_rates.number or "", PaymentForm("100.00", "2026-03-08"))

    full = inv.printer_list(books.admin)
    lean = inv.printer_list(books.admin, lines=False)

    assert [v.number for v in lean] == ["CN/2026/00001", "INV/2026/00002", "INV/2026/00001"]
    assert all(v.lines and v.vat_breakdown for v in full)
    assert len({row.rate_bp for row in full[-1].vat_breakdown}) == 2
    assert all(v.lines == () and v.vat_breakdown == () for v in lean)
    assert list(lean) == [replace(v, lines=(), vat_breakdown=()) for v in full]
    figures = [(v.client_name, v.document_reference, v.status, v.due) for v in lean]
    assert figures == [
        ("Acme Sp. z o.o.", "DR-0003", "issued", eur(0)),  # the credit note
        ("Bolt GmbH", "DR-0002", "issued", eur(24_600)),
        ("Acme Sp. z o.o.", "DR-0001", "partially_paid", eur(31_070)),
    ]
    # 290.00 of time at 23 % and a 50.00 expense at 8 %, 100.00 paid
    assert (lean[-1].net, lean[-1].vat, lean[-1].gross, lean[-1].paid) == (
        eur(34_000),
        eur(7_070),
        eur(41_070),
        eur(10_000),
    )


def test_printer_list_without_lines_reads_a_fixed_number_of_statements(books: Books) -> None:
    """No query per invoice: names and references come with the invoices in one query."""
    inv = books.invoices
    seen: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    def statements() -> int:
        seen.clear()
        event.listen(books.services.db.engine, "before_cursor_execute", capture)
        try:
            assert inv.printer_list(books.admin, lines=False)
        finally:
            event.remove(books.services.db.engine, "before_cursor_execute", capture)
        return len(seen)

    books.issued(10_000, date(2026, 3, 2))
    with_one = statements()
    for day in range(3, 7):
        books.issued(10_000, date(2026, 3, day), other=day % 2 == 0)
    assert statements() == with_one
    assert not [sql for sql in seen if "invoice_line" in sql]


# ----------------------------------------------------------------------------------------------
# Payments
# ----------------------------------------------------------------------------------------------


def test_partial_then_full_payment(books: Books) -> None:
    inv = books.invoices
    issued = books.issued(10_000, date(2026, 3, 2))  # 100.00 + 23.00 VAT
    number = issued.number or ""
    view = inv.record_payment(
        books.admin,
        number,
        PaymentForm("23.00", "2026-03-05", "wire", "REF-1", "Acme", "PL61109010140000071219812874"),
    )
    assert (view.status, view.paid, view.due) == ("partially_paid", eur(2_300), eur(10_000))
    with pytest.raises(ValidationError, match=r"only 100\.00 EUR is still due"):
        inv.record_payment(books.admin, number, PaymentForm("100.01", "2026-03-06"))
    view = inv.record_payment(books.admin, number, PaymentForm("100", "2026-03-06", "card"))
    assert (view.status, view.paid, view.due) == ("paid", eur(12_300), eur(0))
    with books.services.db.read() as session:
        row = session.get(m.Invoice, issued.id)
        assert row is not None and row.paid_at is not None
    with pytest.raises(IllegalTransition, match="fully paid"):
        inv.record_payment(books.admin, number, PaymentForm("1", "2026-03-06"))
    payments = inv.payments(books.admin, number)
    assert [(p.amount.cents, p.method) for p in payments] == [(2_300, "wire"), (10_000, "card")]
    assert payments[0].account_number == "PL61109010140000071219812874"  # administrators see it
    accountant = add_person(books.services, books.admin, "Ada", "accountant")
    masked = inv.payments(accountant, number)[0].account_number
    assert masked.endswith("2874") and "1090" not in masked
    assert_books_check(books)


def test_payments_refused_with_reasons(books: Books) -> None:
    inv = books.invoices
    issued = books.issued(10_000, date(2026, 3, 2))
    number = issued.number or ""
    with pytest.raises(ValidationError, match="before 2026-03-02"):
        inv.record_payment(books.admin, number, PaymentForm("10", "2026-03-01"))
    with pytest.raises(ValidationError, match="after today"):
        inv.record_payment(books.admin, number, PaymentForm("10", "2026-03-11"))
    with pytest.raises(ValidationError) as caught:
        inv.record_payment(books.admin, number, PaymentForm("0", "someday", "bitcoin"))
    assert {p.field for p in caught.value.problems} == {"amount", "paid_on", "method"}
    draft = inv.open_record(books.admin, books.record((date(2026, 3, 2), 60, 100, 100)))
    assert draft.number is None
    with pytest.raises(NotFound):
        inv.record_payment(books.admin, "INV/2026/00099", PaymentForm("10", "2026-03-05"))
    with books.services.db.read() as session:
        assert session.execute(select(func.count()).select_from(m.Payment)).scalar_one() == 0
    assert inv.get_by_number(books.admin, number).paid == eur(0)


def test_a_draft_cannot_be_paid(books: Books) -> None:
    draft = books.invoices.open_record(books.admin, two_line_record(books))
    with books.services.db.write() as session:  # give the draft a number to find it by
        session.execute(update(m.Invoice).where(m.Invoice.id == draft.id).values(number="X-1"))
    with pytest.raises(IllegalTransition, match="issue the invoice before recording a payment"):
        books.invoices.record_payment(books.admin, "X-1", PaymentForm("10", "2026-03-10"))


# ----------------------------------------------------------------------------------------------
# Account Revenue
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def ledger(books: Books) -> Books:
    """Four invoices (gross 123, 246, 369 and 492 EUR) and four payments.

    A  Acme/Roof  issued 2025-11-20, due 2025-12-04, paid 123.00 on 2026-01-10
    B  Bolt/Hall  issued 2025-12-15, due 2025-12-29, paid 46.00 on 2026-02-05
    C  Acme/Roof  issued 2026-01-20, due 2026-02-03, paid 69.00 on 2026-02-10, 100.00 on 2026-03-02
    D  Bolt/Hall  issued 2026-02-25, due 2026-03-11, nothing paid
    """
    inv = books.invoices
    books.issued(10_000, date(2025, 11, 20))
    books.issued(20_000, date(2025, 12, 15), other=True)
    books.issued(30_000, date(2026, 1, 20))
    books.issued(40_000, date(2026, 2, 25), other=True)
    for number, amount, when in (
        ("INV/2025/00001", "123.00", "2026-01-10"),
        ("INV/2025/00002", "46.00", "2026-02-05"),
        ("INV/2026/00003", "69.00", "2026-02-10"),
        ("INV/2026/00003", "100.00", "2026-03-02"),
    ):
        inv.record_payment(books.admin, number, PaymentForm(amount, when))
    return books


def test_revenue_by_month_client_and_project(ledger: Books) -> None:
    # Revenue is net of VAT (23 %), recognised cumulatively per invoice: C (300.00 net,
    # 369.00 gross) paid 69.00 then 100.00 recognises 56.10 then 137.40 - 56.10 = 81.30.
    rows = ledger.invoices.revenue(ledger.admin)
    assert [
        (r.month, r.client_name, r.project_name, r.amount.cents, r.vat.cents, r.received.cents)
        for r in rows
    ] == [
        ("2026-01", "Acme Sp. z o.o.", "Roof", 10_000, 2_300, 12_300),
        ("2026-02", "Acme Sp. z o.o.", "Roof", 5_610, 1_290, 6_900),
        ("2026-02", "Bolt GmbH", "Hall", 3_740, 860, 4_600),
        ("2026-03", "Acme Sp. z o.o.", "Roof", 8_130, 1_870, 10_000),
    ]
    since = ledger.invoices.revenue(
        ledger.admin, date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)
    )
    assert [(r.month, r.amount.cents) for r in since] == [("2026-02", 5_610), ("2026-02", 3_740)]
    table = ledger.invoices.revenue_table(ledger.admin)
    assert len(table.rows) == 4
    assert table.totals == ("Total", "", "", eur(27_480), eur(6_320), eur(33_800))


def test_aging_buckets_as_of_any_date(ledger: Books) -> None:
    def buckets(as_of: date) -> list[tuple[object, ...]]:
        return [
            (
                r.client_name,
                *(
                    a.cents
                    for a in (
                        r.current,
                        r.days_1_30,
                        r.days_31_60,
                        r.days_61_90,
                        r.over_90,
                        r.total,
                    )
                ),
                r.invoices,
            )
            for r in ledger.invoices.aging(ledger.admin, as_of=as_of)
        ]

    assert buckets(TODAY) == [
        ("Acme Sp. z o.o.", 0, 0, 20_000, 0, 0, 20_000, ("INV/2026/00003",)),  # 35 days late
        ("Bolt GmbH", 49_200, 0, 0, 20_000, 0, 69_200, ("INV/2025/00002", "INV/2026/00004")),
    ]
    # On 31 January nothing had been paid on B or C yet, A was paid, D did not exist.
    assert buckets(date(2026, 1, 31)) == [
        ("Acme Sp. z o.o.", 36_900, 0, 0, 0, 0, 36_900, ("INV/2026/00003",)),
        ("Bolt GmbH", 0, 0, 24_600, 0, 0, 24_600, ("INV/2025/00002",)),  # 33 days late
    ]
    assert buckets(date(2026, 4, 10)) == [
        ("Acme Sp. z o.o.", 0, 0, 0, 20_000, 0, 20_000, ("INV/2026/00003",)),  # 66 days
        ("Bolt GmbH", 0, 49_200, 0, 0, 20_000, 69_200, ("INV/2025/00002", "INV/2026/00004")),
    ]
    table = ledger.invoices.aging_table(ledger.admin, TODAY)
    assert table.totals == (
        "Total",
        eur(49_200),
        eur(0),
        eur(20_000),
        eur(20_000),
        eur(0),
        eur(89_200),
    )


def test_overdue_notice_and_booking(ledger: Books, tmp_path: Path) -> None:
    inv = ledger.invoices
    view = inv.set_overdue_notice(ledger.admin, "INV/2025/00002", 60)  # 71 days late
    assert view.overdue_notice_days == 60
    page = inv.render(ledger.admin, "INV/2025/00002", fmt="html", out=tmp_path).read_text("utf-8")
    assert "60 days overdue" in page
    with pytest.raises(ValidationError, match="not yet 90"):
        inv.set_overdue_notice(ledger.admin, "INV/2025/00002", 90)
    with pytest.raises(ValidationError, match="60 or 90"):
        inv.set_overdue_notice(ledger.admin, "INV/2025/00002", 45)
    with pytest.raises(IllegalTransition, match="only unpaid invoices"):
        inv.set_overdue_notice(ledger.admin, "INV/2025/00001", 60)
    assert inv.set_overdue_notice(ledger.admin, "INV/2025/00002", None).overdue_notice_days is None
    booked = inv.mark_booked(ledger.admin, "INV/2025/00001")
    assert booked.status == "booked"
    assert "INV/2025/00001" not in {v.number for v in inv.printer_list(ledger.admin)}
    # Booking does not change recognised revenue (net of VAT).
    assert sum(r.amount.cents for r in inv.revenue(ledger.admin)) == 27_480
    assert_books_check(ledger)


def test_twenty_line_invoice_prints_every_line(books: Books, tmp_path: Path) -> None:
    # Line i: (30 + 15 i) minutes at 90.00/h = 45.00 + 22.50 i; the odd lines' VAT ends in
    # half a cent and rounds up: net 5,175.00, VAT 1,190.25 + 10 x 0.005 = 1,190.30.
    lines = [(date(2026, 2, 1 + i), 30 + 15 * i, 9_000, 4_500 + 2_250 * i) for i in range(20)]
    draft = books.invoices.open_record(books.admin, books.record(*lines))
    issued = books.invoices.issue(books.admin, draft.id)
    assert totals(issued) == (517_500, 119_030, 636_530)
    pdf = books.invoices.render(books.admin, issued.number or "", fmt="pdf", out=tmp_path)
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert all(f"2026-02-{day:02d}" in text for day in range(1, 21))
    assert "5:15 h" in text and "6,365.30" in text
