"""Revenue by project when one invoice covers a client's work on several projects."""

from __future__ import annotations

from tektoro_tui.services.base import Actor
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
    assert [(r.project_name, r.amount.cents) for r in rows] == [("Hall", 6_667), ("Roof", 3_333)]
    assert sum(r.amount.cents for r in rows) == 10_000
