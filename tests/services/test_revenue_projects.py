"""Revenue by project when one invoice covers a client's work on several projects."""

from __future__ import annotations

from datetime import date

from tektoro_tui.domain.money import Money
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import PaymentForm
from tests.builders import (
    add_job,
    add_time_cards,
    add_work_codes,
    approve_all,
    bill,
    codes_of,
    issue_invoice,
)


def test_a_payment_is_shared_between_the_projects_of_its_invoice(
    services: Services, admin: Actor
) -> None:
    roof = add_job(services, admin, "Acme", "Roof", "Work")
    hall = add_job(services, admin, roof.client_id, "Hall", "Work")
    activity, rate = add_work_codes(services, admin, "Design", "Std", "100")
    cards = [
        codes_of(job, activity, rate).card(hours, "2026-03-02")
        for job, hours in ((roof, "1:00"), (hall, "2:00"))
    ]
    ids = add_time_cards(services, admin, cards)
    approve_all(services, ids, admin)
    invoice = issue_invoice(services, admin, bill(services, admin, ids))
    assert invoice.project_id is None and invoice.gross.cents == 36_900
    services.invoices.record_payment(
        admin, invoice.number or "", PaymentForm("100.00", "2026-03-10")
    )

    rows = services.invoices.revenue(admin)
    # 100.00 of 369.00 gross recognises 81.30 of its 300.00 net, shared 2:1 like the time
    assert [(r.project_name, r.amount.cents, r.received.cents) for r in rows] == [
        ("Hall", 5_420, 6_667),
        ("Roof", 2_710, 3_333),
    ]
    assert sum(r.amount.cents for r in rows) == 8_130
    assert all(r.amount + r.vat == r.received for r in rows)


def test_revenue_is_net_and_payments_add_up_to_the_net(
    services: Services, admin: Actor, clock: FixedClock
) -> None:
    """Three thirds of a 100.00 invoice (81.30 net) recognise 81.30 in all, each month its part."""
    job = add_job(services, admin, "Acme", "Roof", "Work")
    activity, rate = add_work_codes(services, admin, "Design", "Std", "81.30")
    ids = add_time_cards(
        services, admin, [codes_of(job, activity, rate).card("1:00", "2026-03-02")]
    )
    approve_all(services, ids, admin)
    invoice = issue_invoice(services, admin, bill(services, admin, ids))
    assert (invoice.net.cents, invoice.gross.cents) == (8_130, 10_000)
    for amount, day in (("33.33", "2026-03-10"), ("33.33", "2026-04-10"), ("33.34", "2026-05-10")):
        clock.current = clock.current.replace(month=int(day[5:7]))
        services.invoices.record_payment(admin, invoice.number or "", PaymentForm(amount, day))

    rows = services.invoices.revenue(admin)
    assert [(r.month, r.amount.cents, r.vat.cents, r.received.cents) for r in rows] == [
        ("2026-03", 2_710, 623, 3_333),
        ("2026-04", 2_709, 624, 3_333),
        ("2026-05", 2_711, 623, 3_334),
    ]
    assert sum(r.amount.cents for r in rows) == 8_130
    # a later period alone shows the same net for its payment as the whole report does
    (april,) = services.invoices.revenue(
        admin, date_from=date(2026, 4, 1), date_to=date(2026, 4, 30)
    )
    assert april.amount.cents == 2_709
    table = services.invoices.revenue_table(admin)
    assert [c.heading for c in table.columns][3:] == ["Revenue (net)", "VAT", "Received (gross)"]
    assert table.totals is not None and table.totals[3:] == (
        Money(8_130, "EUR"),
        Money(1_870, "EUR"),
        Money(10_000, "EUR"),
    )
