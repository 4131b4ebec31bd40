"""Every dashboard figure against the hand-computed firm of ``tests/finance_world.py``.

The clock stands at 2026-03-10 (a Tuesday of ISO week 11). Figures are worked out in the
comments from the world's docstring: Carl (pay 40.00/h) has February 2, 3, 4 at 120 min
processed onto Acme's invoice, and in March a draft of 60 (03-02), an accepted 90 (03-03),
approved 120 (03-04) and 60 (03-05), a rejected 30 (03-06); Dora (pay 50.00/h) has February
9 and 10 at 180 min processed onto Bolt's invoice. Both invoices are 738.00 gross; Acme's was
due 2026-03-06, Bolt's is due 2026-03-23. Billing rate 100.00/h.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tektoro_tui.data import models as m
from tektoro_tui.domain.money import Money
from tektoro_tui.errors import PermissionDenied, ValidationError
from tektoro_tui.services.base import Actor
from tektoro_tui.services.contractor_invoices.views import ContractorDocumentForm, MasterInvoiceForm
from tektoro_tui.services.invoicing.views import PaymentForm
from tektoro_tui.services.reporting.views import (
    AdminDashboard,
    ClientDashboard,
    ContractorDashboard,
    ManagerDashboard,
    StatusCount,
)
from tests.finance_world import World


def eur(text: str) -> Money:
    """An amount in the organisation's currency (EUR)."""
    return Money.parse(text, "EUR")


def pay_client(world: World, number: str, amount: str) -> None:
    """A client payment received today, recorded by the administrator."""
    world.services.invoices.record_payment(
        world.admin, number, PaymentForm(amount=amount, paid_on="2026-03-10")
    )


def master_invoices(world: World) -> None:
    """Contractor master invoices made with the payables service, all issued 2026-03-10:

    - Carl's February: 3 × 120 = 360 min × 40.00/h = 240.00, approved, 100.00 paid →
      partially paid;
    - Carl's March to 03-09: approved 120 + 60 = 180 min × 40.00/h = 120.00, left in draft;
    - Dora's February: 2 × 180 = 360 min × 50.00/h = 300.00, approved and paid in full
      (which notifies Dora).
    """
    payables, admin = world.services.contractor_invoices, world.admin

    def generate(who: Actor, start: str, end: str) -> str:
        form = MasterInvoiceForm(contractor=str(who.user_id), period_start=start, period_end=end)
        return payables.generate(admin, form).number

    def pay(number: str, amount: str) -> None:
        payables.approve(admin, number)
        payables.record_payment(admin, number, PaymentForm(amount=amount, paid_on="2026-03-10"))

    carl_february = generate(world.carl, "2026-02-01", "2026-02-28")
    generate(world.carl, "2026-03-01", "2026-03-09")
    dora_february = generate(world.dora, "2026-02-01", "2026-02-28")
    pay(carl_february, "100.00")
    pay(dora_february, "300.00")


# ==============================================================================================
# Contractor
# ==============================================================================================


def test_contractor_month_figures(world: World) -> None:
    board = world.services.dashboards.contractor(world.carl)
    assert board.user_name == "Carl Contractor" and board.period == "month"
    assert (board.current.label, board.current.start, board.current.end) == (
        "2026-03",
        date(2026, 3, 1),
        date(2026, 3, 31),
    )
    assert (board.previous.label, board.previous.start, board.previous.end) == (
        "2026-02",
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    # March: 60 + 90 + 120 + 60 = 330 (the rejected 30 is not work the firm counts)
    assert board.current.minutes == 330
    # February: 3 × 120 = 360; change 330 − 360 = −30 = −30 / 360 = −8.33 % → "-8.3%"
    assert board.previous.minutes == 360
    assert board.change_minutes == -30 and board.change_pct == "-8.3%"
    assert board.tickets == (
        StatusCount("draft", 1, 60),
        StatusCount("pending", 1, 90),  # accepted
        # 3 processed in February (360) + 2 approved in March (120 + 60) = 5, 540 min
        StatusCount("approved", 5, 540),
        StatusCount("rejected", 1, 30),
    )
    assert board.outstanding_pay == eur("0") and board.unpaid_invoices == 0
    assert board.unread_notifications == 0


def test_contractor_week_figures(world: World) -> None:
    board = world.services.dashboards.contractor(world.carl, period="week")
    # 2026-03-10 is the Tuesday of ISO week 11 (Mon 03-09 … Sun 03-15): nothing booked
    assert (board.current.label, board.current.start, board.current.end) == (
        "2026-W11",
        date(2026, 3, 9),
        date(2026, 3, 15),
    )
    assert board.current.minutes == 0
    # week 10 (03-02 … 03-08): 60 + 90 + 120 + 60 = 330; change −330 = −100 %
    assert board.previous.label == "2026-W10" and board.previous.minutes == 330
    assert board.change_minutes == -330 and board.change_pct == "-100.0%"


def test_contractor_change_is_none_without_previous_hours_and_positive_with_plus(
    world: World,
) -> None:
    services = world.services
    dora = services.dashboards.contractor(world.dora, period="week")
    # Dora: nothing in week 10 or 11 → no percentage
    assert dora.current.minutes == 0 and dora.previous.minutes == 0
    assert dora.change_minutes == 0 and dora.change_pct is None
    services.time.add_entry(world.dora, world.hall.card("45m", "2026-03-09"))
    month = services.dashboards.contractor(world.dora)
    # March 45 vs February 2 × 180 = 360: −315 = −87.5 %
    assert (month.current.minutes, month.previous.minutes) == (45, 360)
    assert month.change_minutes == -315 and month.change_pct == "-87.5%"
    week = services.dashboards.contractor(world.dora, period="week")
    # week 11 has 45, week 10 nothing → no percentage
    assert week.current.minutes == 45 and week.change_pct is None
    services.time.add_entry(world.carl, world.roof.card("6h", "2026-03-10"))
    carl = services.dashboards.contractor(world.carl, period="week")
    # week 11: 360 vs week 10: 330 → +30 = +9.09 % → "+9.1%"
    assert (carl.current.minutes, carl.previous.minutes) == (360, 330)
    assert carl.change_minutes == 30 and carl.change_pct == "+9.1%"


def test_contractor_outstanding_pay_and_notifications(world: World) -> None:
    master_invoices(world)
    carl = world.services.dashboards.contractor(world.carl)
    # approved 240.00 − 100.00 paid = 140.00; the 120.00 draft is not owed yet
    assert carl.outstanding_pay == eur("140.00") and carl.unpaid_invoices == 1
    assert carl.unread_notifications == 0  # nobody is told of a partial payment
    # tickets on a master invoice keep their status: still 5 approved, 540 min
    assert carl.tickets[2] == StatusCount("approved", 5, 540)
    dora = world.services.dashboards.contractor(world.dora)
    assert dora.outstanding_pay == eur("0") and dora.unpaid_invoices == 0
    assert dora.unread_notifications == 1  # "your invoice was paid"
    world.services.contractor_invoices.mark_read(world.dora)
    assert world.services.dashboards.contractor(world.dora).unread_notifications == 0


def test_contractor_dashboard_refuses_bad_period_and_clients(world: World) -> None:
    with pytest.raises(ValidationError):
        world.services.dashboards.contractor(world.carl, period="year")
    with pytest.raises(PermissionDenied):
        world.services.dashboards.contractor(world.cleo)


# ==============================================================================================
# Manager
# ==============================================================================================


def test_manager_this_month(world: World) -> None:
    services = world.services
    card = world.hall.card("45m", "2026-03-09", owner=world.dora, billable=False)
    services.time.add_entry(world.admin, card)
    board = services.dashboards.manager(world.manager)
    assert (board.period_start, board.period_end) == (date(2026, 3, 1), date(2026, 3, 31))
    # Roof: Carl's March 60 + 90 + 120 + 60 = 330, all billable, 4 cards (rejected left out)
    # Hall: Dora's non-billable 45 in 1 card
    assert [(p.name, p.minutes, p.billable_minutes, p.entries) for p in board.projects] == [
        ("Roof", 330, 330, 4),
        ("Hall", 45, 0, 1),
    ]
    assert [(p.name, p.minutes, p.billable_minutes, p.entries) for p in board.members] == [
        ("Carl Contractor", 330, 330, 4),
        ("Dora Developer", 45, 0, 1),
    ]
    assert board.members[0].billable_share_pct == "100.0%"
    assert board.members[1].billable_share_pct == "0.0%"
    # team: 330 + 45 = 375, billable 330
    assert (board.team_minutes, board.team_billable_minutes) == (375, 330)
    # Carl's accepted 90 of 03-03 waits for Olga, his supervisor, not for Mona: the figure is
    # what each one's Approvals lists, the firm's shown beside it to an approve-any holder.
    assert board.pending_approvals == 0 and board.firm_pending_approvals == 1
    for who in (world.manager, world.admin):
        listed = services.time.approvals(who)
        mine = services.dashboards.manager(who).pending_approvals
        assert mine == sum(row.totals.entries for row in listed)
    assert services.dashboards.manager(world.admin).pending_approvals == 1
    assert board.master_invoices == tuple(
        StatusCount(s, 0, 0, eur("0")) for s in ("draft", "approved", "partially_paid", "paid")
    )


def test_manager_chosen_period_and_master_invoices(world: World) -> None:
    master_invoices(world)
    board = world.services.dashboards.manager(
        world.admin, date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)
    )
    # February: Hall 2 × 180 = 360 (Dora), Roof 3 × 120 = 360 (Carl); equal hours → by name
    assert [(p.name, p.minutes, p.entries) for p in board.projects] == [
        ("Hall", 360, 2),
        ("Roof", 360, 3),
    ]
    assert [(p.name, p.minutes, p.entries) for p in board.members] == [
        ("Carl Contractor", 360, 3),
        ("Dora Developer", 360, 2),
    ]
    assert (board.team_minutes, board.team_billable_minutes) == (720, 720)
    assert board.master_invoices == (
        StatusCount("draft", 1, 180, eur("120.00")),  # awaiting approval
        StatusCount("approved", 0, 0, eur("0")),
        StatusCount("partially_paid", 1, 360, eur("240.00")),
        StatusCount("paid", 1, 360, eur("300.00")),
    )
    with pytest.raises(ValidationError):
        world.services.dashboards.manager(
            world.manager, date_from=date(2026, 3, 2), date_to=date(2026, 3, 1)
        )


def test_manager_period_typed_as_text(world: World) -> None:
    typed = world.services.dashboards.manager(
        world.manager, date_from="01.02.2026", date_to="2026-02-28"
    )
    assert (typed.period_start, typed.period_end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert typed.team_minutes == 720
    # a blank end is this month's (the clock stands at 2026-03-10)
    from_mid_march = world.services.dashboards.manager(world.manager, date_from="2026-03-05")
    assert (from_mid_march.period_start, from_mid_march.period_end) == (
        date(2026, 3, 5),
        date(2026, 3, 31),
    )
    with pytest.raises(ValidationError) as bad:
        world.services.dashboards.manager(world.manager, date_from="2026-02-30", date_to="soon")
    assert {p.field for p in bad.value.problems} == {"date_from", "date_to"}


def test_manager_dashboard_needs_approval_or_invoice_view(world: World) -> None:
    for who in (world.carl, world.cleo):
        with pytest.raises(PermissionDenied):
            world.services.dashboards.manager(who)
    # the accountant may see all invoices: allowed
    accountant = world.services.dashboards.manager(world.accountant)
    assert accountant.pending_approvals == 0 and accountant.firm_pending_approvals is None


# ==============================================================================================
# Administrator
# ==============================================================================================


def test_administrator_before_any_payment(world: World) -> None:
    board = world.services.dashboards.administrator(world.admin)
    # two issued invoices of 738.00 gross: invoiced 1,476.00, nothing paid
    assert board.invoiced == eur("1476.00") and board.paid == eur("0")
    assert board.revenue == eur("0") and board.outstanding == eur("1476.00")
    # only Acme's (due 03-06) is past due on 03-10
    assert board.overdue == eur("738.00") and board.overdue_count == 1
    assert [(c.name, c.invoices, c.invoiced) for c in board.contractors] == [
        ("Carl Contractor", 0, eur("0")),
        ("Dora Developer", 0, eur("0")),
    ]
    assert board.contractors_outstanding == eur("0") and board.awaiting_approval == 0
    # nobody has documents: both contractors miss all three required ones
    assert [(r.user_name, r.missing) for r in board.compliance] == [
        ("Carl Contractor", ("contract", "tax_form", "insurance")),
        ("Dora Developer", ("contract", "tax_form", "insurance")),
    ]


def test_administrator_after_client_payments(world: World) -> None:
    services = world.services
    pay_client(world, world.acme_invoice.number, "238.00")
    pay_client(world, world.bolt_invoice.number, "738.00")
    board = services.dashboards.administrator(world.admin)
    # paid 238.00 + 738.00 = 976.00; outstanding 1,476.00 − 976.00 = 500.00, all of it Acme's
    # and overdue
    assert board.invoiced == eur("1476.00") and board.paid == eur("976.00")
    # revenue is net of VAT: 238.00 of Acme's 738.00 recognises 193.50 of its 600.00
    # (193.4959…), Bolt's 738.00 in full its 600.00
    assert board.revenue == eur("793.50")
    assert board.outstanding == eur("500.00")
    assert board.overdue == eur("500.00") and board.overdue_count == 1
    pay_client(world, world.acme_invoice.number, "500.00")
    board = services.dashboards.administrator(world.admin)
    assert board.paid == eur("1476.00") and board.outstanding == eur("0")
    assert board.revenue == eur("1200.00")  # the net of both invoices exactly
    assert board.overdue == eur("0") and board.overdue_count == 0


def test_administrator_leaves_out_cancelled_invoices_and_their_credit_notes(
    world: World,
) -> None:
    services = world.services
    services.invoices.credit_note(world.admin, world.bolt_invoice.number, reason="Wrong client")
    board = services.dashboards.administrator(world.admin)
    # Bolt's 738.00 is cancelled by a −738.00 credit note: both left out → Acme's 738.00 only
    assert board.invoiced == eur("738.00") and board.outstanding == eur("738.00")
    assert board.overdue == eur("738.00") and board.overdue_count == 1
    pay_client(world, world.acme_invoice.number, "238.00")
    board = services.dashboards.administrator(world.admin)
    # invoiced 738.00 = paid 238.00 + outstanding 500.00
    assert (board.invoiced, board.paid, board.outstanding) == (
        eur("738.00"),
        eur("238.00"),
        eur("500.00"),
    )


def test_administrator_contractors_overview(world: World) -> None:
    master_invoices(world)
    board = world.services.dashboards.administrator(world.admin)
    rows = [(c.name, c.invoices, c.invoiced, c.paid, c.outstanding) for c in board.contractors]
    assert rows == [
        # 240.00 + 120.00 = 360.00 in 2 invoices, 100.00 paid, owed 240.00 − 100.00 = 140.00
        # (the 120.00 draft is awaiting approval, not owed)
        ("Carl Contractor", 2, eur("360.00"), eur("100.00"), eur("140.00")),
        ("Dora Developer", 1, eur("300.00"), eur("300.00"), eur("0")),
    ]
    assert board.contractors_outstanding == eur("140.00")
    assert board.awaiting_approval == 1
    # contractor payments are not client receipts
    assert board.paid == eur("0")


def test_administrator_compliance_is_the_overview_with_problems(world: World) -> None:
    services = world.services
    for doc_type, expires in (("contract", ""), ("tax_form", ""), ("insurance", "2027-01-01")):
        services.compliance.add(
            world.admin,
            ContractorDocumentForm(str(world.carl.user_id), doc_type, expires_on=expires),
        )
    board = services.dashboards.administrator(world.admin)
    assert board.compliance == services.compliance.overview(world.admin, only_problems=True)
    assert [r.user_name for r in board.compliance] == ["Dora Developer"]
    # an accountant sees the finances but not the register they may not keep
    accountant = services.dashboards.administrator(world.accountant)
    assert accountant.invoiced == board.invoiced and accountant.paid == board.paid
    # The accountant does not keep the register: told nothing, rather than "all valid".
    assert accountant.compliance is None and not accountant.may_generate
    assert board.may_generate


def test_administrator_dashboard_needs_invoice_view_all(world: World) -> None:
    for who in (world.carl, world.cleo):
        with pytest.raises(PermissionDenied):
            world.services.dashboards.administrator(who)


# ==============================================================================================
# Client portal
# ==============================================================================================


def test_client_portal_of_acme(world: World) -> None:
    board = world.services.dashboards.client(world.cleo)
    assert (board.company_id, board.company_name) == (world.acme_id, "Acme Sp. z o.o.")
    (invoice,) = board.open_invoices
    assert invoice.number == world.acme_invoice.number and invoice.client_id == world.acme_id
    # due 03-06, seen 03-10: 4 days overdue
    assert invoice.display_status == "overdue" and invoice.days_overdue == 4
    assert invoice.status == "issued" and invoice.project_name == "Roof"
    assert board.outstanding == eur("738.00") and board.overdue == eur("738.00")
    assert board.paid_total == eur("0") and board.paid_invoices == ()
    # pending: Carl's approved 120 + 60 on Roof = 2 cards, 180 min × 100.00/h = 300.00
    assert (board.pending_entries, board.pending_minutes) == (2, 180)
    assert board.pending_value == eur("300.00")
    (roof,) = board.projects
    # Roof: approved work 3 × 120 (Feb) + 120 + 60 (Mar) = 540; invoiced 738.00 gross
    assert (roof.name, roof.status, roof.progress_pct, roof.valuation) == (
        "Roof",
        "active",
        40,
        "tm",
    )
    assert roof.contract_amount is None
    assert roof.minutes == 540 and roof.invoiced == eur("738.00")


def test_client_portal_of_bolt(world: World) -> None:
    board = world.services.dashboards.client(world.boris)
    assert board.company_name == "Bolt GmbH"
    (invoice,) = board.open_invoices
    # issued 03-09, due 03-23: not overdue
    assert invoice.number == world.bolt_invoice.number
    assert invoice.display_status == "issued" and invoice.days_overdue == 0
    assert board.outstanding == eur("738.00") and board.overdue == eur("0")
    assert (board.pending_entries, board.pending_minutes, board.pending_value) == (
        0,
        0,
        eur("0"),
    )
    (hall,) = board.projects
    # Hall: 2 × 180 = 360 processed; fixed price 10,000.00 at 10 %
    assert (hall.name, hall.valuation, hall.progress_pct) == ("Hall", "fixed", 10)
    assert hall.contract_amount == eur("10000.00")
    assert hall.minutes == 360 and hall.invoiced == eur("738.00")


def test_client_portal_after_payments(world: World) -> None:
    services = world.services
    pay_client(world, world.acme_invoice.number, "238.00")
    board = services.dashboards.client(world.cleo)
    (invoice,) = board.open_invoices
    # 738.00 − 238.00 = 500.00 still due, still overdue
    assert invoice.status == "partially_paid" and invoice.display_status == "overdue"
    assert invoice.paid == eur("238.00") and invoice.due == eur("500.00")
    assert board.outstanding == eur("500.00") and board.overdue == eur("500.00")
    assert board.paid_total == eur("238.00") and board.paid_invoices == ()
    pay_client(world, world.acme_invoice.number, "500.00")
    board = services.dashboards.client(world.cleo)
    assert board.open_invoices == () and board.outstanding == eur("0")
    assert board.overdue == eur("0") and board.paid_total == eur("738.00")
    (paid,) = board.paid_invoices
    assert paid.number == world.acme_invoice.number and paid.display_status == "paid"
    assert paid.due == eur("0")
    # Bolt's portal is untouched by Acme's payments
    bolt = services.dashboards.client(world.boris)
    assert bolt.paid_total == eur("0") and bolt.outstanding == eur("738.00")


def test_client_sees_nothing_of_another_client(world: World) -> None:
    services = world.services
    pay_client(world, world.bolt_invoice.number, "738.00")
    for who, company, number, other in (
        (world.cleo, world.acme_id, world.acme_invoice.number, world.bolt_invoice.number),
        (world.boris, world.bolt_id, world.bolt_invoice.number, world.acme_invoice.number),
    ):
        board = services.dashboards.client(who)
        rows = board.open_invoices + board.paid_invoices
        assert {r.client_id for r in rows} == {company}
        assert number in {r.number for r in rows} and other not in {r.number for r in rows}
        owned = {p.project_id for p in board.projects}
        assert owned == {world.roof_id if company == world.acme_id else world.hall_id}


def test_client_portal_refuses_everyone_but_client_users(world: World) -> None:
    for who in (world.carl, world.admin, world.manager, world.accountant):
        with pytest.raises(PermissionDenied):
            world.services.dashboards.client(who)


# ==============================================================================================
# for_actor
# ==============================================================================================


def test_for_actor_picks_the_role_dashboard(world: World) -> None:
    boards = world.services.dashboards
    assert isinstance(boards.for_actor(world.admin), AdminDashboard)
    assert isinstance(boards.for_actor(world.accountant), AdminDashboard)
    assert isinstance(boards.for_actor(world.manager), ManagerDashboard)
    cleo = boards.for_actor(world.cleo)
    assert isinstance(cleo, ClientDashboard) and cleo.company_id == world.acme_id
    carl = boards.for_actor(world.carl)
    assert isinstance(carl, ContractorDashboard) and carl.user_id == world.carl.user_id


def test_dashboards_read_the_daily_totals(world: World) -> None:
    """The summary table the dashboards read agrees with the entries it sums."""
    with world.services.db.read() as session:
        entries = session.execute(
            select(func.count(m.TimeEntry.id), func.sum(m.TimeEntry.minutes))
        ).one()
        totals = session.execute(
            select(func.sum(m.TimeDayTotal.entries), func.sum(m.TimeDayTotal.minutes))
        ).one()
    # Carl 3 + 5, Dora 2 = 10 cards; 360 + 360 + 360 = 1,080 minutes
    assert tuple(entries) == tuple(totals) == (10, 1080)
