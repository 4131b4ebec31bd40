"""Totals beyond 21,474,836.47 (the ceiling of a 32-bit column): two hours at 15,000,000.00 an
hour make a 30,000,000.00 net invoice. Every figure is stored, summed and read back exactly, as
an ``int`` of cents, on both backends."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tektoro_tui.data import models as m
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tests.builders import add_codes, add_person, add_time_cards, approve_all, bill, issue_invoice

DAY = "2026-03-09"
RATE = "15000000.00"


def test_an_invoice_beyond_the_32_bit_ceiling_is_stored_and_summed_exactly(
    services: Services, admin: Actor
) -> None:
    codes = add_codes(services, admin, hourly_rate=RATE)
    sam = add_person(services, admin, "Sam Staff", supervisor_id=admin.user_id)
    cards = [codes.card("1:00", DAY, "Survey", owner=sam) for _ in range(2)]
    ids = add_time_cards(services, admin, cards)
    approve_all(services, ids, admin)
    invoice = issue_invoice(services, admin, bill(services, admin, ids), date(2026, 3, 10))

    assert invoice.net.cents == 3_000_000_000
    assert invoice.gross.cents == invoice.net.cents + invoice.vat.cents > 2**31
    with services.db.read() as session:
        day = session.execute(
            select(func.sum(m.TimeDayTotal.value_cents)).where(
                m.TimeDayTotal.owner_id == sam.user_id
            )
        ).scalar_one()
        stored = session.execute(
            select(m.Invoice.gross_cents).where(m.Invoice.id == invoice.id)
        ).scalar_one()
    assert (day, type(day)) == (3_000_000_000, int)
    assert (stored, type(stored)) == (invoice.gross.cents, int)
    dashboard = services.dashboards.administrator(admin)
    assert dashboard.invoiced.cents == invoice.gross.cents
