"""Contractor master invoices: generating from approved tickets, approving, paying, notifying.

Built on ``tests/finance_world.py`` (clock at 2026-03-10 09:30 UTC). Carl Contractor earns
40.00/h: his approved tickets of 2026-02-01..2026-03-10 are February 2, 3, 4 (120 min each,
processed) and March 4 (120 min) and 5 (60 min): 540 min = 360.00. Three more March tickets
are draft, accepted and rejected. Dora Developer earns 50.00/h for 2 × 180 min in February.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tektoro_tui.data import models as m
from tektoro_tui.errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
    TektoroError,
    ValidationError,
)
from tektoro_tui.services.administration.users import UserForm
from tektoro_tui.services.base import Actor
from tektoro_tui.services.check import run_check
from tektoro_tui.services.contractor_invoices.views import MasterInvoiceForm, MasterInvoiceView
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import PaymentForm
from tests.builders import add_person, add_time_cards, approve_all
from tests.finance_world import World

from .test_mail import Mailbox, configure_smtp, free_port

ACCOUNT = "DE89370400440532013000"
MASKED = "••••••••••••••••••3000"
CARL_PERIOD = ("2026-02-01", "2026-03-10")
DORA_ACCOUNT = "GB29NWBK60161331926819"
HEADINGS = [
    "Invoice", "Contractor", "Paid on", "Method", "Amount", "Currency", "Account holder",
    "Account number", "Reference", "Recorded at",
]  # fmt: skip


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on 127.0.0.1 and its port."""
    monkeypatch.delenv("TEKTORO_SMTP_PASSWORD", raising=False)
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, auth_require_tls=False)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


# --- helpers ----------------------------------------------------------------------------------


def form(contractor: str, start: str, end: str, issue: str = "") -> MasterInvoiceForm:
    return MasterInvoiceForm(
        contractor=contractor, period_start=start, period_end=end, issue_date=issue
    )


def carl_form(world: World, issue: str = "") -> MasterInvoiceForm:
    return form(str(world.carl.user_id), *CARL_PERIOD, issue)


def pay(amount: str, day: str, **extra: str) -> PaymentForm:
    return PaymentForm(amount=amount, paid_on=day, **extra)


def ledger(services: Services) -> dict[str, Any]:
    """Everything generating or paying writes, to show a refusal wrote nothing."""
    with services.db.read() as session:

        def count(model: Any) -> int:
            return int(session.execute(select(func.count()).select_from(model)).scalar_one())

        series = dict(
            session.execute(select(m.InvoiceSeries.code, m.InvoiceSeries.last_number)).all()
        )
        entries = sorted(
            session.execute(
                select(m.TimeEntry.id, m.TimeEntry.pay_status, m.TimeEntry.master_invoice_id)
            ).all()
        )
        invoices = sorted(
            session.execute(
                select(m.MasterInvoice.id, m.MasterInvoice.status, m.MasterInvoice.paid_cents)
            ).all()
        )
        return {
            "invoices": invoices,
            "lines": count(m.MasterInvoiceLine),
            "payments": count(m.Payment),
            "notifications": count(m.Notification),
            "series": series,
            "entries": entries,
        }


def ticket(world: World, owner: Actor, day: str, minutes: int) -> int:
    """An approved ticket of ``owner`` on Roof."""
    card = world.roof.card(f"{minutes}m", day, f"Ticket of {owner.name}", owner=owner)
    (entry,) = add_time_cards(world.services, world.admin, [card])
    approve_all(world.services, [entry], world.admin)
    return entry


def problems(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {p.field: p.message for p in exc.value.problems}


def approved_carl(world: World, issue: str = "2026-03-05") -> MasterInvoiceView:
    """Carl's master invoice of 2026-02-01..2026-03-05 (360.00), approved."""
    services, admin = world.services, world.admin
    view = services.contractor_invoices.generate(
        admin, form("carl@example.com", "2026-02-01", "2026-03-05", issue)
    )
    return services.contractor_invoices.approve(admin, view.number)


# --- generating -------------------------------------------------------------------------------


def test_preview_shows_the_lines_and_writes_nothing(world: World) -> None:
    services, admin = world.services, world.admin
    before = ledger(services)
    preview = services.contractor_invoices.preview(admin, carl_form(world))
    assert ledger(services) == before
    assert preview.contractor_name == "Carl Contractor"
    assert preview.issue_date == date(2026, 3, 10)
    assert [(line.work_date.isoformat(), line.minutes) for line in preview.lines] == [
        ("2026-02-02", 120),
        ("2026-02-03", 120),
        ("2026-02-04", 120),
        ("2026-03-04", 120),
        ("2026-03-05", 60),
    ]
    assert [line.amount.cents for line in preview.lines] == [8_000, 8_000, 8_000, 8_000, 4_000]
    assert {line.project_name for line in preview.lines} == {"Roof"}
    assert preview.total_minutes == 540 and str(preview.total) == "360.00 EUR"
    assert preview.skipped == ("3 tickets of the period are not approved yet",)


def test_generate_freezes_lines_and_claims_the_tickets(world: World) -> None:
    services, admin = world.services, world.admin
    view = services.contractor_invoices.generate(admin, carl_form(world))
    assert view.number == "MI/2026/00001"
    assert view.status == "draft" and view.status_label == "Awaiting approval"
    assert (view.total.cents, view.total_minutes, view.paid.cents, view.due.cents) == (
        36_000,
        540,
        0,
        36_000,
    )
    assert view.entries == 5 and view.created_by_name == "Olga Owner"
    ids = world.carl_february + world.carl_march["approved"]
    assert sorted(line.time_entry_id for line in view.lines) == sorted(ids)
    with services.db.read() as session:
        lines = session.execute(
            select(
                m.MasterInvoiceLine.time_entry_id,
                m.MasterInvoiceLine.work_date,
                m.MasterInvoiceLine.description,
                m.MasterInvoiceLine.minutes,
                m.MasterInvoiceLine.pay_rate_cents,
                m.MasterInvoiceLine.amount_cents,
            ).order_by(m.MasterInvoiceLine.work_date)
        ).all()
        assert [(row[1], row[3], row[4], row[5]) for row in lines][-1] == (
            date(2026, 3, 5),
            60,
            4_000,
            4_000,
        )
        assert lines[0].description == "Work of Carl Contractor on 2026-02-02"
        entries = session.execute(
            select(m.TimeEntry.id, m.TimeEntry.pay_status, m.TimeEntry.master_invoice_id)
        ).all()
    claimed = {row.id: (row.pay_status, row.master_invoice_id) for row in entries}
    assert all(claimed[i] == ("invoiced", view.id) for i in ids)
    others = [state for ident, state in claimed.items() if ident not in ids]
    assert others and all(state == ("unpaid", None) for state in others)
    # a later pay-rate change never touches the frozen lines
    carl_user = services.users.get_user(admin, world.carl.user_id)
    services.users.update_user(
        admin,
        world.carl.user_id,
        UserForm(
            name=carl_user.name,
            email=carl_user.email,
            role=carl_user.role,
            pay_rate="99",
            supervisor_id=carl_user.supervisor_id,
        ),
    )
    again = services.contractor_invoices.get(admin, view.number)
    assert again.total.cents == 36_000 and {x.pay_rate.cents for x in again.lines} == {4_000}
    # a screen asks for a screenful: the first lines in order, every ticket still counted
    first = services.contractor_invoices.get(admin, view.number, line_limit=2)
    assert first.lines == again.lines[:2] and first.entries == again.entries == len(again.lines)
    assert first.total == again.total and first.payments == again.payments
    assert services.contractor_invoices.get(admin, view.number, line_limit=0).lines == ()
    # generating the same period again finds nothing and says why
    before = ledger(services)
    with pytest.raises(ValidationError) as refused:
        services.contractor_invoices.generate(admin, carl_form(world))
    assert problems(refused)["contractor"] == (
        "Carl Contractor has no approved tickets from 2026-02-01 to 2026-03-10 that are not on "
        "a master invoice yet (3 tickets of the period are not approved yet; 5 tickets of the "
        "period are already on another master invoice)"
    )
    assert ledger(services) == before


def test_generating_approving_and_paying_return_no_tickets_when_asked(world: World) -> None:
    """The screens show a master invoice's number and totals after each step: asked for no
    tickets, each step returns what reading the invoice whole gives, less its tickets."""
    service, admin = world.services.contractor_invoices, world.admin

    def held_to_whole(view: MasterInvoiceView) -> None:
        whole = service.get(admin, view.number)
        assert view.lines == () and view.entries == len(whole.lines) == 5
        assert replace(view, lines=whole.lines) == whole

    made = service.generate(admin, carl_form(world), line_limit=0)
    held_to_whole(made)
    held_to_whole(service.approve(admin, made.number, line_limit=0))
    paid = service.record_payment(admin, made.number, pay("100", "2026-03-10"), line_limit=0)
    held_to_whole(paid.invoice)
    assert paid.invoice.paid.cents == 10_000 and paid.invoice.due.cents == 26_000


def test_amounts_round_half_up(world: World) -> None:
    services, admin = world.services, world.admin
    rita = add_person(services, admin, "Rita Rounder", pay_rate="44.70", supervisor_id=1)
    ticket(world, rita, "2026-03-02", 1)  # 44.70 / 60 = 0.745 -> 0.75 (half-even: 0.74)
    ticket(world, rita, "2026-03-03", 90)  # 67.05
    view = services.contractor_invoices.generate(
        admin, form("RITA@example.com", "2026-03-01", "2026-03-31")
    )
    assert [line.amount.cents for line in view.lines] == [75, 6_705]
    assert view.total.cents == 6_780 and view.total_minutes == 91


def test_numbers_are_gapless_and_apart_from_client_invoices(world: World) -> None:
    services, admin = world.services, world.admin
    first = services.contractor_invoices.generate(
        admin, form("carl@example.com", "2026-02-01", "2026-02-28", "2026-03-01")
    )
    with pytest.raises(ValidationError):  # nothing left: no number is used up
        services.contractor_invoices.generate(
            admin, form("carl@example.com", "2026-02-01", "2026-02-28")
        )
    with pytest.raises(ValidationError) as earlier:  # dates in a series never go back
        services.contractor_invoices.generate(
            admin, form("dora@example.com", "2026-02-01", "2026-02-28", "2026-02-28")
        )
    assert "chronological" in problems(earlier)["issue_date"]
    with pytest.raises(ValidationError) as previewed:  # the preview (a dry run) refuses it too
        services.contractor_invoices.preview(
            admin, form("dora@example.com", "2026-02-01", "2026-02-28", "2026-02-28")
        )
    assert problems(previewed) == problems(earlier)
    second = services.contractor_invoices.generate(
        admin, form("dora@example.com", "2026-02-01", "2026-02-28")
    )
    third = services.contractor_invoices.generate(
        admin, form("carl@example.com", "2026-03-01", "2026-03-31")
    )
    assert [first.number, second.number, third.number] == [
        "MI/2026/00001",
        "MI/2026/00002",
        "MI/2026/00003",
    ]
    assert (second.total.cents, third.total.cents) == (30_000, 12_000)
    assert ledger(services)["series"]["INV"] == 2
    assert ledger(services)["series"]["MI"] == 3
    assert [v.number for v in services.contractor_invoices.list(admin)] == [
        third.number,
        second.number,
        first.number,
    ]
    report = run_check(services.db)
    assert report.ok, report.lines()


def test_generator_refusals_name_the_field_and_write_nothing(world: World) -> None:
    services, admin = world.services, world.admin
    before = ledger(services)
    cases = {
        ("9999", "2026-02-01", "2026-03-10", ""): (
            "contractor",
            "nobody with the id or e-mail '9999' exists",
        ),
        ("ghost@example.com", "2026-02-01", "2026-03-10", ""): (
            "contractor",
            "nobody with the id or e-mail 'ghost@example.com' exists",
        ),
        ("cleo@example.com", "2026-02-01", "2026-03-10", ""): (
            "contractor",
            "Cleo Client is a client user; master invoices pay contractors and staff",
        ),
        ("mona@example.com", "2026-02-01", "2026-03-10", ""): (
            "contractor",
            "Mona Manager has no pay rate; an administrator sets one under Users first",
        ),
        ("carl@example.com", "2026-03-10", "2026-03-01", ""): (
            "period_end",
            "must not be before the start of the period (2026-03-10)",
        ),
        ("carl@example.com", "2026-02-01", "2026-03-10", "2026-03-11"): (
            "issue_date",
            "must not be after today (2026-03-10)",
        ),
        ("carl@example.com", "2026-04-01", "2026-04-30", ""): (
            "contractor",
            "Carl Contractor has no approved tickets from 2026-04-01 to 2026-04-30 that are "
            "not on a master invoice yet",
        ),
        ("carl@example.com", "2026-03-02", "2026-03-03", ""): (
            "contractor",
            "Carl Contractor has no approved tickets from 2026-03-02 to 2026-03-03 that are "
            "not on a master invoice yet (2 tickets of the period are not approved yet)",
        ),
    }
    for (who, start, end, issue), (field, message) in cases.items():
        for action in (services.contractor_invoices.preview, services.contractor_invoices.generate):
            with pytest.raises(ValidationError) as refused:
                action(admin, form(who, start, end, issue))
            assert problems(refused) == {field: message}, (who, start, end, issue)
    with pytest.raises(ValidationError) as several:
        services.contractor_invoices.generate(admin, form("", "someday", ""))
    assert set(problems(several)) == {"contractor", "period_start", "period_end"}
    with pytest.raises(PermissionDenied):
        services.contractor_invoices.generate(world.carl, carl_form(world))
    with pytest.raises(PermissionDenied):
        services.contractor_invoices.preview(world.manager, carl_form(world))
    assert ledger(services) == before


def test_contractor_picker_shows_pay_rates_and_unbilled_hours(world: World) -> None:
    services, admin = world.services, world.admin
    options = {o.name: o for o in services.contractor_invoices.contractors(admin)}
    assert set(options) == {"Carl Contractor", "Dora Developer"}
    carl, dora = options["Carl Contractor"], options["Dora Developer"]
    assert (str(carl.pay_rate), carl.unbilled_minutes, carl.unbilled_entries) == (
        "40.00 EUR",
        540,
        5,
    )
    assert (str(dora.pay_rate), dora.unbilled_minutes, dora.unbilled_entries) == (
        "50.00 EUR",
        360,
        2,
    )
    # The oldest unbilled ticket says which month the generator offers first.
    assert carl.unbilled_since is not None and carl.unbilled_since.month == 2
    services.contractor_invoices.generate(admin, carl_form(world))
    carl = {o.name: o for o in services.contractor_invoices.contractors(admin)}["Carl Contractor"]
    assert (carl.unbilled_minutes, carl.unbilled_entries) == (0, 0)
    assert carl.unbilled_since is None
    with pytest.raises(PermissionDenied):
        services.contractor_invoices.contractors(world.carl)


# --- paying -----------------------------------------------------------------------------------


def test_partial_then_final_payment_pays_tickets_and_notifies(
    world: World, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    services, admin = world.services, world.admin
    configure_smtp(services, admin, port)
    view = services.contractor_invoices.generate(
        admin, form("carl@example.com", "2026-02-01", "2026-03-05", "2026-03-05")
    )
    number = view.number
    before = ledger(services)
    with pytest.raises(IllegalTransition) as draft:
        services.contractor_invoices.record_payment(admin, number, pay("100", "2026-03-06"))
    assert draft.value.reason == "approve the invoice before paying it"
    assert ledger(services) == before

    approved = services.contractor_invoices.approve(admin, number)
    assert approved.status == "approved" and approved.approved_by_name == "Olga Owner"
    assert approved.approved_at is not None
    with pytest.raises(IllegalTransition):
        services.contractor_invoices.approve(admin, number)
    before = ledger(services)
    refusals = {
        ("100", "2026-03-04"): {
            "paid_on": f"must not be before 2026-03-05, the issue date of contractor invoice "
            f"{number}"
        },
        ("100", "2026-03-11"): {"paid_on": "must not be after today (2026-03-10)"},
        ("360.01", "2026-03-06"): {
            "amount": f"only 360.00 EUR is still due on contractor invoice {number}"
        },
        ("0", "2026-03-06"): {"amount": "must not be zero"},
    }
    for (amount, day), expected in refusals.items():
        with pytest.raises(ValidationError) as refused:
            services.contractor_invoices.record_payment(admin, number, pay(amount, day))
        assert problems(refused) == expected
    with pytest.raises(ValidationError) as method:
        services.contractor_invoices.record_payment(
            admin, number, pay("10", "2026-03-06", method="cash")
        )
    assert problems(method) == {"method": "must be one of: wire, ach, check, other"}
    assert ledger(services) == before

    partial = services.contractor_invoices.record_payment(
        admin,
        number,
        pay("100", "2026-03-06", account_holder="Carl C.", account_number=ACCOUNT, reference="T1"),
    )
    assert partial.invoice.status == "partially_paid" and str(partial.invoice.due) == "260.00 EUR"
    assert (partial.notified, partial.mail_status) == (False, "")
    assert partial.payment.account_number == ACCOUNT  # the administrator sees it whole
    assert box.received == []
    with pytest.raises(ValidationError) as over:
        services.contractor_invoices.record_payment(admin, number, pay("260.01", "2026-03-10"))
    assert problems(over) == {
        "amount": f"only 260.00 EUR is still due on contractor invoice {number}"
    }

    final = services.contractor_invoices.record_payment(
        admin, number, pay("260.00", "2026-03-10", method="ach", reference="T2")
    )
    paid = final.invoice
    assert paid.status == "paid" and paid.paid_at is not None and paid.due.cents == 0
    assert [p.amount.cents for p in paid.payments] == [10_000, 26_000]
    assert final.notified and final.mail_status == "sent to carl@example.com"
    with services.db.read() as session:
        statuses = set(
            session.execute(
                select(m.TimeEntry.pay_status).where(m.TimeEntry.master_invoice_id == paid.id)
            ).scalars()
        )
    assert statuses == {"paid"}
    (note,) = services.contractor_invoices.notifications(world.carl)
    assert note.kind == "master_invoice_paid" and not note.read
    assert note.message == f"Your invoice {number} was paid in full: 360.00 EUR, on 2026-03-10."
    assert services.contractor_invoices.notifications(world.dora) == ()
    (mail,) = box.received
    assert mail[1] == ["carl@example.com"]
    text = mail[2].decode()
    assert number in text and "360.00 EUR" in text and "2026-03-10" in text
    assert ACCOUNT not in text
    with pytest.raises(IllegalTransition) as done:
        services.contractor_invoices.record_payment(admin, number, pay("1", "2026-03-10"))
    assert done.value.reason == "the invoice is already fully paid"
    report = run_check(services.db)
    assert report.ok, report.lines()


def test_mail_failure_keeps_the_payment(world: World) -> None:
    services, admin = world.services, world.admin
    number = approved_carl(world).number
    # no SMTP configured
    result = services.contractor_invoices.record_payment(admin, number, pay("360", "2026-03-10"))
    assert result.invoice.status == "paid" and result.mail_status == "no SMTP configured"
    # SMTP configured but nothing answers
    configure_smtp(services, admin, free_port())
    dora = services.contractor_invoices.generate(
        admin, form("dora@example.com", "2026-02-01", "2026-02-28")
    )
    services.contractor_invoices.approve(admin, dora.number)
    down = services.contractor_invoices.record_payment(admin, dora.number, pay("300", "2026-03-10"))
    assert down.mail_status.startswith("not sent: nothing answered at 127.0.0.1:")
    assert down.notified
    stored = services.contractor_invoices.get(admin, dora.number)
    assert stored.status == "paid" and len(stored.payments) == 1
    assert len(services.contractor_invoices.notifications(world.dora)) == 1
    report = run_check(services.db)
    assert report.ok, report.lines()


# --- who sees what ----------------------------------------------------------------------------


def test_contractors_see_only_their_own_invoices_masked(world: World) -> None:
    services, admin = world.services, world.admin
    number = approved_carl(world).number
    services.contractor_invoices.record_payment(
        admin,
        number,
        pay("100", "2026-03-06", account_holder="Carl C.", account_number=ACCOUNT, reference="T1"),
    )
    dora = services.contractor_invoices.generate(
        admin, form("dora@example.com", "2026-02-01", "2026-02-28")
    )
    invoices = services.contractor_invoices

    assert [v.number for v in invoices.list(world.carl)] == [number]
    assert [v.number for v in invoices.list(world.dora)] == [dora.number]
    assert invoices.list(world.carl, contractor_id=world.dora.user_id) == ()
    assert invoices.list(world.manager) == ()
    assert {v.number for v in invoices.list(admin)} == {number, dora.number}
    assert [v.number for v in invoices.list(admin, status="draft")] == [dora.number]
    with pytest.raises(ValidationError):
        invoices.list(admin, status="overdue")
    for outsider, invoice in ((world.dora, number), (world.carl, dora.number)):
        with pytest.raises(NotFound):
            invoices.get(outsider, invoice)
        with pytest.raises(NotFound):
            invoices.payments(outsider, number=invoice)
    with pytest.raises(NotFound):
        invoices.get(world.cleo, number)
    with pytest.raises(PermissionDenied):
        invoices.approve(world.carl, dora.number)
    with pytest.raises(PermissionDenied):
        invoices.record_payment(world.carl, number, pay("1", "2026-03-10"))

    own = invoices.get(world.carl, number)
    assert len(own.lines) == 5 and own.payments[0].account_number == MASKED
    assert [p.account_number for p in invoices.payments(world.carl)] == [MASKED]
    assert invoices.payments(world.dora) == ()
    assert [p.account_number for p in invoices.payments(admin, number=number)] == [ACCOUNT]
    assert [p.account_number for p in invoices.payments(admin)] == [ACCOUNT]
    assert invoices.payments(admin, date_from=date(2026, 3, 7)) == ()
    shown = repr((own, invoices.list(world.carl), invoices.payments(world.carl)))
    assert ACCOUNT not in shown and "3000" in shown

    with services.db.read() as session:
        stored = session.execute(select(m.Payment.account_number)).scalars().all()
        audit = session.execute(select(m.AuditEvent.before_json, m.AuditEvent.after_json)).all()
    assert stored == [ACCOUNT]  # the full number lives in the payment row only
    assert all(ACCOUNT not in (before or "") + (after or "") for before, after in audit)
    images = [json.loads(after) for _before, after in audit if after and after != "null"]
    assert [
        i["account_number"] for i in images if isinstance(i, dict) and "account_number" in i
    ] == [MASKED]


# --- exporting payments -----------------------------------------------------------------------


def paid_carl_and_dora(world: World) -> tuple[str, str]:
    """Carl's invoice paid 100.00 to ACCOUNT, Dora's 50.00 to DORA_ACCOUNT; their numbers."""
    services, admin = world.services, world.admin
    invoices = services.contractor_invoices
    carl = approved_carl(world).number
    invoices.record_payment(
        admin,
        carl,
        pay("100", "2026-03-06", account_holder="Carl C.", account_number=ACCOUNT, reference="T1"),
    )
    dora = invoices.generate(
        admin, form("dora@example.com", "2026-02-01", "2026-02-28", "2026-03-05")
    ).number
    invoices.approve(admin, dora)
    invoices.record_payment(
        admin,
        dora,
        pay(
            "50",
            "2026-03-07",
            account_holder="Dora D.",
            account_number=DORA_ACCOUNT,
            reference="D1",
        ),
    )
    return carl, dora


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(StringIO(path.read_text(encoding="utf-8-sig"))))


def xlsx_rows(path: Path) -> list[list[Any]]:
    """The sheet's rows from the header on (row 1 is the title, row 2 the filter)."""
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]


def test_no_log_line_or_notification_holds_the_account_number(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """The product's own log lines and the contractor's notifications say only the masked
    number; the full one lives in the payment row alone."""
    caplog.set_level(logging.DEBUG, logger="tektoro_tui")
    invoices = world.services.contractor_invoices
    carl = approved_carl(world)
    invoices.record_payment(
        world.admin,
        carl.number,
        pay(carl.total.format().replace(",", ""), "2026-03-06", account_number=ACCOUNT),
    )
    seen = repr((invoices.list(world.carl), invoices.payments(world.carl)))
    with world.services.db.read() as session:
        notices = session.execute(select(m.Notification.kind, m.Notification.message)).all()
    assert notices, "paying in full notifies the contractor"
    for text in (caplog.text, seen, repr(notices)):
        assert ACCOUNT not in text and "0532013000" not in text


def test_a_contractor_exports_only_his_own_payments_masked(world: World, tmp_path: Path) -> None:
    carl, dora = paid_carl_and_dora(world)
    invoices = world.services.contractor_invoices

    written = invoices.export_payments(world.carl, "csv", tmp_path / "carl.csv")
    assert written == tmp_path / "carl.csv"
    assert csv_rows(written) == [
        HEADINGS,
        [carl, "Carl Contractor", "2026-03-06", "wire", "100.00", "EUR", "Carl C.", MASKED, "T1",
         "2026-03-10T09:30:00"],
        ["Total", "1 payment", "", "", "100.00", "EUR", "", "", "", ""],
    ]  # fmt: skip
    text = written.read_text(encoding="utf-8-sig")
    assert ACCOUNT not in text and "0532013000" not in text
    assert dora not in text and "Dora" not in text and "6819" not in text

    book = invoices.export_payments(world.carl, "XLSX", tmp_path / "carl.xlsx")
    header, row, total = xlsx_rows(book)
    assert header == HEADINGS
    assert row[:2] == [carl, "Carl Contractor"] and row[4] == 100
    assert row[7] == MASKED and row[9] == datetime(2026, 3, 10, 9, 30)
    assert total[:2] == ["Total", "1 payment"] and total[4] == 100
    cells = repr(xlsx_rows(book))
    assert ACCOUNT not in cells and dora not in cells and "Dora" not in cells

    theirs = csv_rows(invoices.export_payments(world.dora, "csv", tmp_path / "dora.csv"))
    assert [r[0] for r in theirs[1:-1]] == [dora] and ACCOUNT not in repr(theirs)
    with pytest.raises(NotFound):
        invoices.export_payments(world.carl, "csv", tmp_path / "theirs.csv", number=dora)
    assert not (tmp_path / "theirs.csv").exists()


def test_the_administrator_exports_every_payment_whole(world: World, tmp_path: Path) -> None:
    carl, dora = paid_carl_and_dora(world)
    invoices = world.services.contractor_invoices

    rows = csv_rows(invoices.export_payments(world.admin, "csv", tmp_path / "all.csv"))
    assert [(r[0], r[1], r[7]) for r in rows[1:3]] == [
        (carl, "Carl Contractor", ACCOUNT),
        (dora, "Dora Developer", DORA_ACCOUNT),
    ]
    assert rows[3][:5] == ["Total", "2 payments", "", "", "150.00"]

    _header, *data, _total = xlsx_rows(
        invoices.export_payments(world.admin, "xlsx", tmp_path / "all.xlsx")
    )
    assert [(r[0], r[7]) for r in data] == [(carl, ACCOUNT), (dora, DORA_ACCOUNT)]

    one = csv_rows(invoices.export_payments(world.admin, "csv", tmp_path / "one.csv", number=dora))
    assert [r[0] for r in one[1:-1]] == [dora]
    later = invoices.export_payments(
        world.admin, "csv", tmp_path / "later.csv", date_from=date(2026, 3, 7)
    )
    assert [r[0] for r in csv_rows(later)[1:-1]] == [dora]
    table = invoices.payments_table(world.admin, date_from=date(2026, 3, 7))
    assert table.subtitle == "As of 2026-03-10 · paid from 2026-03-07"


def test_a_refused_export_writes_nothing(world: World, tmp_path: Path) -> None:
    paid_carl_and_dora(world)
    services = world.services
    before = ledger(services)
    folder = tmp_path / "exports"
    folder.mkdir()

    with pytest.raises(ValidationError) as bad:
        services.contractor_invoices.export_payments(world.carl, "pdf", folder / "carl.pdf")
    assert problems(bad) == {"format": "must be csv or xlsx"}

    blocker = folder / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(TektoroError) as unwritable:
        services.contractor_invoices.export_payments(world.carl, "csv", blocker / "carl.csv")
    assert not isinstance(unwritable.value, ValidationError)
    assert f"Could not write {blocker / 'carl.csv'}" in unwritable.value.message
    assert sorted(p.name for p in folder.iterdir()) == ["not-a-folder"]
    assert ledger(services) == before


def test_notifications_are_private(world: World) -> None:
    services, admin = world.services, world.admin
    number = approved_carl(world).number
    services.contractor_invoices.record_payment(admin, number, pay("360", "2026-03-10"))
    (note,) = services.contractor_invoices.notifications(world.carl, unread_only=True)
    assert services.contractor_invoices.mark_read(world.dora, (note.id,)) == 0
    assert services.contractor_invoices.mark_read(admin) == 0
    assert len(services.contractor_invoices.notifications(world.carl, unread_only=True)) == 1
    assert services.contractor_invoices.mark_read(world.carl, (note.id,)) == 1
    assert services.contractor_invoices.notifications(world.carl, unread_only=True) == ()
    (read,) = services.contractor_invoices.notifications(world.carl)
    assert read.read and read.created_at.astimezone(UTC) == datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert services.contractor_invoices.mark_read(world.carl) == 0
    assert services.contractor_invoices.mark_unread(world.dora, (note.id,)) == 0  # not hers
    assert services.contractor_invoices.mark_unread(world.carl, (note.id,)) == 1  # undone
    assert [
        n.id for n in services.contractor_invoices.notifications(world.carl, unread_only=True)
    ] == [note.id]
    assert services.contractor_invoices.mark_unread(world.carl, (note.id,)) == 0
