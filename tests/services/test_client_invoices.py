"""Client invoices: statuses, filters, visibility, sending, paying, cancelling and export."""

from __future__ import annotations

import email
import io
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from sqlalchemy import select, update

from tektoro_tui.data import models as m
from tektoro_tui.domain.money import Money
from tektoro_tui.domain.permissions import Perm, Role
from tektoro_tui.errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
    TektoroError,
    ValidationError,
)
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import (
    ClientInvoiceFilter,
    ExpenseForm,
    MarkPaidForm,
    PaymentForm,
)
from tests.builders import (
    add_job,
    add_person,
    add_time_cards,
    add_work_codes,
    approve_all,
    bill,
    codes_of,
    set_organisation,
)
from tests.finance_world import World
from tests.services.test_mail import Mailbox, configure_smtp, free_port

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on 127.0.0.1 and its port (as in test_mail.py)."""
    monkeypatch.delenv("TEKTORO_SMTP_PASSWORD", raising=False)
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def numbers(world: World, actor: Actor, **flt: Any) -> list[str]:
    """The numbers the Client invoices list shows ``actor`` under the filter."""
    listing = world.services.client_invoices.list(actor, ClientInvoiceFilter(**flt))
    return [row.number for row in listing.rows]


def acme(world: World) -> str:
    assert world.acme_invoice.number is not None
    return world.acme_invoice.number


def bolt(world: World) -> str:
    assert world.bolt_invoice.number is not None
    return world.bolt_invoice.number


def payments(services: Services, invoice_id: int) -> list[m.Payment]:
    """The payment rows of an invoice."""
    with services.db.read() as session:
        rows = session.execute(select(m.Payment).where(m.Payment.invoice_id == invoice_id))
        return list(rows.scalars())


def pdf_text(data: bytes) -> str:
    """The text of a PDF, whitespace collapsed."""
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


# --- list, statuses, filters -------------------------------------------------------------------


def test_statuses_newest_first_with_overdue_from_the_clock(world: World, clock: FixedClock) -> None:
    invoices = world.services.client_invoices
    listing = invoices.list(world.admin)
    bolt_row, acme_row = listing.rows
    assert (bolt_row.number, acme_row.number) == (bolt(world), acme(world))
    assert (acme_row.status, acme_row.display_status, acme_row.days_overdue) == (
        "issued",
        "overdue",
        4,
    )
    assert (bolt_row.display_status, bolt_row.days_overdue) == ("issued", 0)
    assert acme_row.client_name == "Acme Sp. z o.o." and acme_row.project_name == "Roof"
    assert bolt_row.project_name == "Hall"
    assert acme_row.gross == Money(73_800, "EUR") and acme_row.due == Money(73_800, "EUR")
    assert acme_row.paid == Money(0, "EUR") and acme_row.credited_by == ""
    assert listing.total_gross == Money(147_600, "EUR")
    assert listing.total_due == Money(147_600, "EUR")
    assert listing.total_paid == Money(0, "EUR")

    clock.advance(days=13)  # 2026-03-23: Bolt's due date itself is not overdue yet
    assert invoices.row(world.admin, bolt(world)).display_status == "issued"
    clock.advance(days=1)
    late = invoices.row(world.admin, bolt(world))
    assert (late.display_status, late.days_overdue) == ("overdue", 1)
    assert invoices.row(world.admin, acme(world)).days_overdue == 18


def test_overdue_uses_the_organisations_time_zone(world: World, clock: FixedClock) -> None:
    services = world.services
    clock.current = datetime(2026, 3, 23, 23, 30, tzinfo=UTC)  # already the 24th in Warsaw
    assert services.client_invoices.row(world.admin, bolt(world)).display_status == "issued"
    set_organisation(services, timezone="Europe/Warsaw")
    row = services.client_invoices.row(world.admin, bolt(world))
    assert (row.display_status, row.days_overdue) == ("overdue", 1)


def test_every_filter(world: World) -> None:
    admin = world.admin
    assert numbers(world, admin, status="overdue") == [acme(world)]
    assert numbers(world, admin, status="issued") == [bolt(world)]
    assert numbers(world, admin, status="paid") == []
    assert numbers(world, admin, client_id=world.bolt_id) == [bolt(world)]
    assert numbers(world, admin, client_id=world.acme_id) == [acme(world)]
    assert numbers(world, admin, date_from=date(2026, 3, 1)) == [bolt(world)]
    assert numbers(world, admin, date_to=date(2026, 2, 28)) == [acme(world)]
    assert numbers(world, admin, date_from=date(2026, 2, 20), date_to=date(2026, 3, 9)) == [
        bolt(world),
        acme(world),
    ]
    assert numbers(world, admin, search="bOLT") == [bolt(world)]
    assert numbers(world, admin, search=acme(world).lower()) == [acme(world)]
    assert numbers(world, admin, search="acme", status="issued") == []
    assert numbers(world, admin, search="%") == []  # wildcards are matched literally
    listing = world.services.client_invoices.list(admin, ClientInvoiceFilter(status="overdue"))
    assert listing.total_due == Money(73_800, "EUR")
    with pytest.raises(ValidationError) as bad:
        numbers(world, admin, status="late")
    assert bad.value.problems[0].field == "status"


# --- visibility --------------------------------------------------------------------------------


def test_a_client_sees_only_their_own_company(world: World, tmp_path: Path) -> None:
    services, cleo = world.services, world.cleo
    invoices = services.client_invoices
    assert numbers(world, cleo) == [acme(world)]
    assert numbers(world, world.boris) == [bolt(world)]
    assert numbers(world, cleo, client_id=world.bolt_id) == []
    assert numbers(world, cleo, search="bolt") == []
    with pytest.raises(NotFound) as hidden:
        invoices.row(cleo, bolt(world))
    assert "does not exist" in hidden.value.message
    with pytest.raises(NotFound):
        invoices.portal_mark_paid(cleo, bolt(world), MarkPaidForm())
    # Even with the actions granted to clients, Bolt's invoice stays out of Cleo's reach.
    for perm in (Perm.INVOICE_EXPORT, Perm.INVOICE_ISSUE, Perm.INVOICE_RECORD_PAYMENT):
        services.permissions.set_grant(world.admin, Role.CLIENT, perm, True)
    assert [row[0] for row in invoices.table(cleo).rows] == [acme(world)]
    out = invoices.export(cleo, "csv", tmp_path / "cleo.csv")
    assert bolt(world) not in out.read_text(encoding="utf-8-sig")
    with pytest.raises(NotFound):
        invoices.mark_sent(cleo, bolt(world), email=False)
    with pytest.raises(NotFound):
        invoices.mark_paid(cleo, bolt(world), MarkPaidForm())
    with pytest.raises(NotFound):
        invoices.cancel(cleo, bolt(world), "not mine")
    assert invoices.row(world.admin, bolt(world)).status == "issued"
    assert payments(services, world.bolt_invoice.id) == []


def test_project_managers_see_their_projects_and_others_are_refused(world: World) -> None:
    services = world.services
    pia = add_person(services, world.admin, "Pia Manager", "project_manager")
    assert numbers(world, pia) == []
    with services.db.write() as session:
        session.execute(
            update(m.Project).where(m.Project.id == world.hall_id).values(estimator_id=pia.user_id)
        )
    assert numbers(world, pia) == [bolt(world)]
    with pytest.raises(NotFound):
        services.client_invoices.row(pia, acme(world))
    with pytest.raises(PermissionDenied) as refused:
        services.client_invoices.list(world.carl)
    assert "may not see invoices" in refused.value.message
    # A client user without a company sees nothing at all.
    with services.db.write() as session:
        session.execute(
            update(m.UserAccount)
            .where(m.UserAccount.id == world.cleo.user_id)
            .values(company_id=None)
        )
    assert numbers(world, world.cleo) == []
    with pytest.raises(NotFound):
        services.client_invoices.portal_mark_paid(world.cleo, acme(world), MarkPaidForm())


# --- sending -----------------------------------------------------------------------------------


def test_mark_sent_emails_the_pdf_to_the_client(world: World, mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    services = world.services
    configure_smtp(services, world.admin, port)
    result = services.client_invoices.mark_sent(world.accountant, acme(world))
    assert result.mail_status == "sent to billing@acme.example"
    assert (result.invoice.status, result.invoice.sent_at) == ("sent", NOW)
    assert result.invoice.display_status == "overdue"  # sent, unpaid and past due
    assert numbers(world, world.admin, status="overdue") == [acme(world)]

    ((sender, recipients, content),) = box.received
    assert recipients == ["billing@acme.example"] and sender == "reports@northwind.example"
    message = email.message_from_bytes(content, policy=default_policy)
    assert acme(world) in str(message["Subject"])
    (attachment,) = list(message.iter_attachments())  # type: ignore[attr-defined]
    assert attachment.get_content_type() == "application/pdf"
    data = attachment.get_content()
    assert data.startswith(b"%PDF") and acme(world) in pdf_text(data)

    with pytest.raises(IllegalTransition) as again:
        services.client_invoices.mark_sent(world.admin, acme(world))
    assert "already sent" in again.value.message
    assert len(box.received) == 1


def test_mark_sent_says_why_no_mail_went_out(world: World, mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    services, admin = world.services, world.admin
    unmailed = services.client_invoices.mark_sent(admin, bolt(world))
    assert unmailed.mail_status == "no SMTP configured" and unmailed.invoice.status == "sent"

    configure_smtp(services, admin, port)
    with services.db.write() as session:
        session.execute(update(m.Company).where(m.Company.id == world.acme_id).values(email=""))
    result = services.client_invoices.mark_sent(admin, acme(world))
    assert result.mail_status == "no e-mail address for Acme Sp. z o.o."
    assert result.invoice.status == "sent" and box.received == []


def test_a_refusing_mail_server_keeps_the_invoice_sent(
    world: World, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    box.refuse = True
    configure_smtp(world.services, world.admin, port)
    result = world.services.client_invoices.mark_sent(world.admin, bolt(world))
    assert result.mail_status.startswith("not sent: ") and "554" in result.mail_status
    assert world.services.client_invoices.row(world.admin, bolt(world)).status == "sent"
    quiet = world.services.client_invoices.mark_sent(world.admin, acme(world), email=False)
    assert quiet.mail_status == "not e-mailed" and quiet.invoice.status == "sent"


def test_paid_and_cancelled_invoices_are_not_marked_sent(world: World) -> None:
    invoices = world.services.client_invoices
    invoices.mark_paid(world.admin, acme(world), MarkPaidForm())
    with pytest.raises(IllegalTransition) as paid:
        invoices.mark_sent(world.admin, acme(world))
    assert "already paid" in paid.value.message
    note = invoices.cancel(world.admin, bolt(world), "Wrong hours")
    with pytest.raises(IllegalTransition) as cancelled:
        invoices.mark_sent(world.admin, bolt(world))
    assert "cancelled" in cancelled.value.message
    with pytest.raises(IllegalTransition):
        invoices.mark_sent(world.admin, note.number)
    with pytest.raises(PermissionDenied):
        invoices.mark_sent(world.manager, bolt(world))


# --- paying ------------------------------------------------------------------------------------


def test_mark_paid_pays_everything_still_due(world: World) -> None:
    services, admin = world.services, world.admin
    services.invoices.record_payment(
        admin, acme(world), PaymentForm(amount="100.00", paid_on="2026-03-01")
    )
    assert services.client_invoices.row(admin, acme(world)).display_status == "overdue"
    row = services.client_invoices.mark_paid(
        world.accountant, acme(world), MarkPaidForm(reference="Bank 42")
    )
    assert (row.status, row.display_status, row.days_overdue) == ("paid", "paid", 0)
    assert row.paid == Money(73_800, "EUR") and row.due == Money(0, "EUR")
    assert row.paid_at == NOW
    first, final = payments(services, world.acme_invoice.id)
    assert first.amount_cents == 10_000
    assert (final.amount_cents, final.paid_on, final.recorded_via) == (
        63_800,
        date(2026, 3, 10),
        "office",
    )
    assert final.reference == "Bank 42" and final.recorded_by_id == world.accountant.user_id
    with pytest.raises(IllegalTransition) as twice:
        services.client_invoices.mark_paid(admin, acme(world), MarkPaidForm())
    assert "already fully paid" in twice.value.message
    assert len(payments(services, world.acme_invoice.id)) == 2


def test_mark_paid_checks_date_method_and_permission(world: World) -> None:
    invoices = world.services.client_invoices
    with pytest.raises(ValidationError) as bad:
        invoices.mark_paid(
            world.admin, bolt(world), MarkPaidForm(paid_on="2026-03-01", method="gold")
        )
    assert {p.field for p in bad.value.problems} == {"paid_on", "method"}
    with pytest.raises(PermissionDenied):
        invoices.mark_paid(world.manager, bolt(world), MarkPaidForm())
    row = invoices.mark_paid(world.admin, bolt(world), MarkPaidForm(paid_on="2026-03-09"))
    assert row.status == "paid"
    assert payments(world.services, world.bolt_invoice.id)[0].paid_on == date(2026, 3, 9)


def test_credit_notes_and_cancelled_invoices_are_not_paid(world: World) -> None:
    invoices = world.services.client_invoices
    note = invoices.cancel(world.admin, bolt(world), "Wrong hours")
    with pytest.raises(IllegalTransition) as cancelled:
        invoices.mark_paid(world.admin, bolt(world), MarkPaidForm())
    assert "cancelled" in cancelled.value.message
    with pytest.raises(IllegalTransition) as credit:
        invoices.mark_paid(world.admin, note.number, MarkPaidForm())
    assert "credit note" in credit.value.message


def test_a_client_marks_their_own_invoice_paid_in_the_portal(world: World) -> None:
    services = world.services
    row = services.client_invoices.portal_mark_paid(
        world.cleo, acme(world), MarkPaidForm(method="", reference="TX-1")
    )
    assert (row.status, row.due, row.paid_at) == ("paid", Money(0, "EUR"), NOW)
    (payment,) = payments(services, world.acme_invoice.id)
    assert (payment.recorded_via, payment.method, payment.recorded_by_id) == (
        "portal",
        "other",
        world.cleo.user_id,
    )
    assert (payment.amount_cents, payment.reference) == (73_800, "TX-1")
    with pytest.raises(IllegalTransition):
        services.client_invoices.portal_mark_paid(world.cleo, acme(world), MarkPaidForm())
    with pytest.raises(PermissionDenied):
        services.client_invoices.portal_mark_paid(world.admin, bolt(world), MarkPaidForm())
    with pytest.raises(PermissionDenied):
        services.client_invoices.portal_mark_paid(world.carl, bolt(world), MarkPaidForm())


def test_two_clicks_at_once_pay_only_once(world: World) -> None:
    services = world.services
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def click() -> None:
        start.wait()
        try:
            services.client_invoices.portal_mark_paid(world.boris, bolt(world), MarkPaidForm())
            outcomes.append("paid")
        except TektoroError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["IllegalTransition", "paid"]
    (payment,) = payments(services, world.bolt_invoice.id)
    assert payment.amount_cents == 73_800


# --- cancelling --------------------------------------------------------------------------------


def test_cancel_issues_a_credit_note(world: World) -> None:
    invoices = world.services.client_invoices
    note = invoices.cancel(world.admin, bolt(world), "Wrong hours")
    assert (note.kind, note.status, note.number) == ("credit_note", "issued", "CN/2026/00001")
    assert note.gross == Money(-73_800, "EUR") and note.due == Money(0, "EUR")
    assert (note.display_status, note.days_overdue) == ("issued", 0)
    original = invoices.row(world.admin, bolt(world))
    assert (original.status, original.display_status) == ("cancelled", "cancelled")
    assert original.credited_by == note.number and original.due == Money(0, "EUR")
    assert numbers(world, world.admin) == [note.number, bolt(world), acme(world)]
    assert numbers(world, world.admin, status="cancelled") == [bolt(world)]
    assert numbers(world, world.admin, include_credit_notes=False) == [bolt(world), acme(world)]
    assert numbers(world, world.boris) == [note.number, bolt(world)]
    assert world.services.client_invoices.list(world.admin).total_gross == Money(73_800, "EUR")

    with pytest.raises(IllegalTransition):
        invoices.cancel(world.admin, bolt(world), "Again")
    with pytest.raises(ValidationError):
        invoices.cancel(world.admin, acme(world), " ")
    invoices.mark_paid(world.admin, acme(world), MarkPaidForm())
    with pytest.raises(IllegalTransition) as paid:
        invoices.cancel(world.admin, acme(world), "Too late")
    assert "payments" in paid.value.message
    with pytest.raises(PermissionDenied):
        invoices.cancel(world.manager, acme(world), "No right")


# --- export ------------------------------------------------------------------------------------


def test_export_needs_the_permission_and_writes_numeric_money(world: World, tmp_path: Path) -> None:
    services = world.services
    invoices = services.client_invoices
    with pytest.raises(PermissionDenied) as refused:
        invoices.export(world.accountant, "xlsx", tmp_path / "list.xlsx")
    assert "export the invoice list" in refused.value.message
    assert not (tmp_path / "list.xlsx").exists()
    with pytest.raises(PermissionDenied):
        invoices.table(world.accountant)

    services.permissions.set_grant(world.admin, Role.ACCOUNTANT, Perm.INVOICE_EXPORT, True)
    invoices.mark_paid(world.admin, bolt(world), MarkPaidForm())
    path = invoices.export(world.accountant, "xlsx", tmp_path / "list.xlsx")
    sheet = openpyxl.load_workbook(path).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(cells) if row[0] == "Number")
    assert cells[header] == [
        "Number",
        "Kind",
        "Client",
        "Project",
        "Issue date",
        "Due date",
        "Status",
        "Net",
        "VAT",
        "Gross",
        "Paid",
        "Due",
        "Days overdue",
        "Change",
    ]  # one VAT rate (23 %) in the list: no columns per rate
    bolt_row, acme_row, totals = cells[header + 1 : header + 4]
    assert bolt_row[:4] == [bolt(world), "Invoice", "Bolt GmbH", "Hall"]
    assert bolt_row[6:] == ["paid", 600, 138, 738, 738, 0, 0, None]
    assert acme_row[6:] == ["overdue", 600, 138, 738, 0, 738, 4, None]
    assert totals[7:12] == [1200, 276, 1476, 738, 738]
    money_cell = sheet.cell(row=header + 2, column=10)
    assert money_cell.data_type == "n" and isinstance(money_cell.value, int | float)
    assert isinstance(acme_row[4], datetime) and acme_row[4].date() == date(2026, 2, 20)

    csv_path = invoices.export(
        world.admin, "csv", tmp_path / "list.csv", ClientInvoiceFilter(status="overdue")
    )
    text = csv_path.read_text(encoding="utf-8-sig")
    assert acme(world) in text and bolt(world) not in text and "738.00" in text
    with pytest.raises(ValidationError):
        invoices.export(world.admin, "pdf", tmp_path / "list.pdf")


def test_export_splits_net_and_vat_per_rate_when_invoices_have_several(
    services: Services, admin: Actor, tmp_path: Path
) -> None:
    """An invoice of 23 % time and an 8 % expense: its net and VAT at each rate add up to its
    net and VAT, in the XLSX and in the CSV."""
    job = add_job(services, admin, "Acme", "Roof", "Work")
    activity, rate = add_work_codes(services, admin, "Design", "Std", "100")
    card = codes_of(job, activity, rate).card("2:00", "2026-03-02")
    ids = add_time_cards(services, admin, [card])
    approve_all(services, ids, admin)
    draft = services.invoices.open_record(admin, bill(services, admin, ids))
    services.invoices.add_expense(
        admin, draft.id, ExpenseForm("2026-03-04", "Train tickets", "50.00", "8")
    )
    issued = services.invoices.issue(admin, draft.id)
    assert (issued.net.cents, issued.vat.cents) == (25_000, 5_000)  # 46.00 + 4.00
    path = services.client_invoices.export(admin, "xlsx", tmp_path / "list.xlsx")
    cells = [[c.value for c in row] for row in openpyxl.load_workbook(path).active.iter_rows()]
    header = next(i for i, row in enumerate(cells) if row[0] == "Number")
    assert cells[header][7:9] == ["Net", "VAT"]
    assert cells[header][14:] == ["Net at 8%", "VAT at 8%", "Net at 23%", "VAT at 23%"]
    row, totals = cells[header + 1 : header + 3]
    assert row[7:10] == [250, 50, 300]
    assert row[13:] == [None, 50, 4, 200, 46]  # no project change, then the rates
    assert totals[13:] == [None, 50, 4, 200, 46]
    csv_path = services.client_invoices.export(admin, "csv", tmp_path / "list.csv")
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert any(line.endswith("50.00,4.00,200.00,46.00") for line in lines)
