"""The home screen as each role's dashboard, against the finance world (tests/finance_world.py).

Figures worked out by hand from the world's docstring (clock: Tuesday 2026-03-10):

- Carl's tickets: draft 1 (1:00), pending 1 (1:30, accepted), approved 5 (3 × 2:00 in
  February + 2:00 + 1:00 in March = 9:00), rejected 1 (0:30). February: 6:00 of work.
  A master invoice of his February tickets: 6 h × 40.00 = 240.00 EUR owed to him.
- Mona (manager), last month (February): Roof 6:00 (Carl), Hall 6:00 (Dora); 12:00 in all.
  Pending approval: Carl's one accepted ticket.
- Olga (administrator): invoiced 2 × 738.00 = 1,476.00, nothing paid, the Acme invoice
  (due 03-06) overdue: 738.00 on 1 invoice. Neither contractor has any document on file.
- Cleo (Acme's client user): Acme's invoice outstanding and overdue, 738.00; Carl's two
  approved March tickets (3:00 at 100.00 an hour = 300.00) are being billed. Nothing of Bolt.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.home import HomeScreen
from tektoro_tui.screens.messages import DataChanged
from tektoro_tui.services.contractor_invoices.views import MasterInvoiceForm
from tektoro_tui.widgets.dashboard_admin import AdminPanel
from tektoro_tui.widgets.dashboard_client import ClientPanel
from tektoro_tui.widgets.dashboard_contractor import ContractorPanel
from tektoro_tui.widgets.dashboard_manager import ManagerPanel
from tektoro_tui.widgets.dialogs.form import FormModal
from tests.finance_world import PASSWORD, World

from .dashboard_world import (
    ADAM,
    BORIS,
    CARL,
    CLEO,
    MONA,
    OLGA,
    on_sqlite_only,
    world,
    world_template,
)
from .tuitools import (
    errors,
    go,
    invalid_fields,
    keys,
    log_in,
    screen_text,
    settle,
    snapshot_steps,
    table_rows,
    text_of,
    type_into,
)

__all__ = ["world", "world_template"]

SIZE = (100, 32)


async def open_home(pilot: Pilot[None], email: str) -> TektoroApp:
    """Log in as ``email`` and wait for the dashboard."""
    app = pilot.app
    assert isinstance(app, TektoroApp)
    await log_in(pilot, email, PASSWORD)
    assert isinstance(app.screen, HomeScreen)
    assert not errors(app), errors(app)
    return app


def pay_carl_for_february(world: World) -> str:
    """Generate and approve Carl's master invoice for February; its number."""
    payables = world.services.contractor_invoices
    invoice = payables.generate(
        world.admin,
        MasterInvoiceForm(str(world.carl.user_id), "2026-02-01", "2026-02-28"),
    )
    return payables.approve(world.admin, invoice.number).number


# --- contractor -------------------------------------------------------------------------------


async def test_carl_sees_his_pay_hours_and_tickets(world: World) -> None:
    pay_carl_for_february(world)
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot, CARL)
        assert isinstance(app.screen.query_one("#dashboard"), ContractorPanel)
        assert text_of(app, "#pay") == "Outstanding pay: 240.00 EUR (1 unpaid master invoice)"
        assert table_rows(app, "#tickets") == [
            ["Draft", "1", "1:00"],
            ["Pending", "1", "1:30"],
            ["Approved", "5", "9:00"],
            ["Rejected", "1", "0:30"],
        ]
        month = world.services.dashboards.contractor(world.carl, period="month")
        hours = table_rows(app, "#hours")
        assert hours[0][1] == "2026-03" and hours[1] == ["Previous month", "2026-02", "6:00"]
        assert hours[0][2] == f"{month.current.minutes // 60}:{month.current.minutes % 60:02d}"
        assert hours[2][2].endswith(f"({month.change_pct})")
        assert "Unread notifications: 0" in text_of(app, "#notices")

        await keys(pilot, "y")
        week = world.services.dashboards.contractor(world.carl, period="week")
        assert text_of(app, "#hours-title") == "Hours by week (y: by month)"
        assert [row[:2] for row in table_rows(app, "#hours")[:2]] == [
            ["This week", week.current.label],
            ["Previous week", week.previous.label],
        ]


@pytest.mark.pg_story
async def test_the_dashboard_updates_when_another_session_adds_a_ticket(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot, CARL)
        assert table_rows(app, "#tickets")[0] == ["Draft", "1", "1:00"]
        card = world.roof.card("45m", "2026-03-09", "Late survey", owner=world.carl)
        world.services.time.add_entry(world.admin, card)
        app.screen.post_message(DataChanged(frozenset({"time_entry"})))
        await settle(pilot)
        assert table_rows(app, "#tickets")[0] == ["Draft", "2", "1:45"]


# --- manager ----------------------------------------------------------------------------------


async def test_mona_sees_master_invoices_workload_and_can_change_the_period(
    world: World,
) -> None:
    pay_carl_for_february(world)
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot, MONA)
        assert isinstance(app.screen.query_one("#dashboard"), ManagerPanel)
        assert text_of(app, "#period").startswith("Period: 2026-03-01 – 2026-03-31 (this month")
        assert table_rows(app, "#master") == [
            ["Awaiting approval", "0", "0.00"],
            ["Approved", "1", "240.00"],
            ["Partially paid", "0", "0.00"],
            ["Paid", "0", "0.00"],
        ]
        assert "0 entries waiting for your approval (1 in the firm)" in text_of(
            app, "#productivity"
        )

        await keys(pilot, "y")
        assert text_of(app, "#period").startswith("Period: 2026-02-01 – 2026-02-28 (last month")
        projects = {row[0]: row[1:3] for row in table_rows(app, "#projects")}
        assert projects == {"Roof": ["6:00", "6:00"], "Hall": ["6:00", "6:00"]}
        members = {row[0]: row[1] for row in table_rows(app, "#members")}
        assert members == {"Carl Contractor": "6:00", "Dora Developer": "6:00"}
        assert text_of(app, "#productivity").startswith("12:00 h worked, 12:00 h billable")

        await keys(pilot, "y")
        assert text_of(app, "#period").startswith("Period: 2026-03-09 – 2026-03-15 (this week")


async def test_mona_types_the_dates_of_the_period(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot, MONA)
        await keys(pilot, "Y")
        form = app.screen
        assert isinstance(form, FormModal)
        assert form.query_one("#input-date_from", Input).value == "2026-03-01"
        assert form.query_one("#input-date_to", Input).value == "2026-03-31"

        # a reversed period is refused by the service and the form comes back marked
        type_into(app, "#input-date_from", "2026-02-10")
        type_into(app, "#input-date_to", "2026-02-01")
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, FormModal), "the service's problems reopen the form"
        assert "must not be before 2026-02-10" in invalid_fields(app)["date_to"]

        type_into(app, "#input-date_from", "01.02.2026")
        type_into(app, "#input-date_to", "2026-02-14")
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, HomeScreen)
        assert text_of(app, "#period").startswith("Period: 2026-02-01 – 2026-02-14 (chosen dates")
        board = world.services.dashboards.manager(
            world.manager, date_from="2026-02-01", date_to="2026-02-14"
        )
        expected = {
            row.name: f"{row.minutes // 60}:{row.minutes % 60:02d}" for row in board.members
        }
        assert {row[0]: row[1] for row in table_rows(app, "#members")} == expected

        # an update from another session reloads the same chosen period
        app.screen.post_message(DataChanged(frozenset({"time_entry"})))
        await settle(pilot)
        assert text_of(app, "#period").startswith("Period: 2026-02-01 – 2026-02-14")

        await keys(pilot, "y")
        assert text_of(app, "#period").startswith("Period: 2026-03-01 – 2026-03-31 (this month")


# --- administrator ----------------------------------------------------------------------------


@pytest.mark.pg_story
async def test_olga_sees_the_firms_money_contractors_and_compliance(world: World) -> None:
    pay_carl_for_february(world)
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot, OLGA)
        assert isinstance(app.screen.query_one("#dashboard"), AdminPanel)
        assert table_rows(app, "#money") == [
            ["Invoiced (gross)", "1,476.00"],
            ["Paid", "0.00"],
            ["Revenue (net of VAT)", "0.00"],
            ["Outstanding", "1,476.00"],
            ["Overdue (1 invoice)", "738.00"],
        ]
        assert text_of(app, "#money-title") == "Client invoices (amounts in EUR)"
        assert table_rows(app, "#contractors") == [
            ["Carl Contractor", "1", "240.00", "0.00", "240.00"],
            ["Dora Developer", "0", "0.00", "0.00", "0.00"],
        ]
        assert text_of(app, "#owed") == "Owed to contractors: 240.00 EUR"
        missing = "Contract, Tax form, Insurance certificate"
        assert text_of(app, "#compliance") == (
            f"Carl Contractor: missing {missing}\nDora Developer: missing {missing}"
        )
        assert text_of(app, "#awaiting").startswith("Master invoices awaiting approval: 0")

        await keys(pilot, "g")
        assert isinstance(app.screen_stack[-2], HomeScreen), "generated from Home, in place"
        assert isinstance(app.screen, FormModal), "the generator's form is open"


async def test_the_accountant_gets_the_administrators_panels_without_the_generator(
    world: World,
) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot, ADAM)
        assert isinstance(app.screen.query_one("#dashboard"), AdminPanel)
        assert table_rows(app, "#money")[0] == ["Invoiced (gross)", "1,476.00"]
        assert app.screen.check_action("generate", ()) is False
        # No claim about a register the accountant does not keep, no key that does nothing.
        for part in ("#compliance-title", "#compliance-note", "#compliance"):
            assert not app.screen.query_one(part).display
        assert "g:" not in text_of(app, "#awaiting")


# --- client portal ----------------------------------------------------------------------------


async def test_cleo_sees_acme_and_never_bolt(world: World) -> None:
    app = TektoroApp(services=world.services)
    opened: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot, CLEO)
        assert isinstance(app.screen.query_one("#dashboard"), ClientPanel)
        assert text_of(app, "#company") == "Acme Sp. z o.o. (amounts in EUR)"
        assert table_rows(app, "#balance") == [
            ["Outstanding", "738.00"],
            ["Overdue", "738.00"],
            ["Paid so far", "0.00"],
            ["Invoices paid in full", "0"],
        ]
        number = world.acme_invoice.number
        assert table_rows(app, "#open-invoices") == [[number, "2026-03-06", "738.00", "Overdue"]]
        assert text_of(app, "#pending") == (
            "Approved work being billed: 2 tickets, 3:00 h, 300.00 EUR"
        )
        assert [row[0] for row in table_rows(app, "#projects")] == ["Roof"]
        assert "40%" in table_rows(app, "#projects")[0][3]
        shown = screen_text(app)
        assert "Bolt" not in shown and "Hall" not in shown
        assert str(world.bolt_invoice.number) not in shown

        app.open_area = opened.append  # type: ignore[method-assign]
        await keys(pilot, *go("l"))
        assert opened == ["client_invoices"]


async def test_boris_sees_bolt_and_never_acme(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot, BORIS)
        shown = screen_text(app)
        assert "Bolt GmbH" in shown and str(world.bolt_invoice.number) in shown
        assert "Acme" not in shown and "Roof" not in shown
        assert str(world.acme_invoice.number) not in shown


# --- snapshots --------------------------------------------------------------------------------


@on_sqlite_only
@pytest.mark.parametrize("email", [CARL, MONA, OLGA, CLEO], ids=["carl", "mona", "olga", "cleo"])
def test_dashboard_snapshot(world: World, email: str, snap_compare) -> None:  # type: ignore[no-untyped-def]
    pay_carl_for_february(world)

    app = TektoroApp(services=world.services)
    steps = snapshot_steps(login=(email, PASSWORD))
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)
