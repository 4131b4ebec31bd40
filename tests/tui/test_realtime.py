"""Live updates: a change committed in one app instance shows in another without a key press.

Two app instances run on one database (PostgreSQL, then a SQLite file), each with its own
services and engine, as two users in two terminals would. Instance B changes something; the
test then only polls instance A's widgets, a frame at a time, until a deadline.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.client_invoices import ClientInvoicesScreen
from tektoro_tui.screens.home import HomeScreen
from tektoro_tui.screens.printer import PrinterScreen
from tektoro_tui.screens.time_report import REPORT_COLUMNS, TimeReportScreen
from tektoro_tui.services.base import FixedClock
from tektoro_tui.services.contractor_invoices.views import MasterInvoiceForm
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import MarkPaidForm, PaymentForm
from tektoro_tui.widgets.printer_detail import INVOICE_COLUMNS
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, connected, make_firm
from tests.finance_world import NOW, PASSWORD, World, build_world

from .tuitools import log_in, notifications, open_area, settle, text_of, until

OWNER = (OWNER_EMAIL, OWNER_PASSWORD)
CARL = "carl@example.com"
CLEO = "cleo@example.com"  # Acme's client user
PAID = INVOICE_COLUMNS.index("Paid")
DUE = INVOICE_COLUMNS.index("Due")
SIZE = (120, 30)


@dataclass(frozen=True)
class Shared:
    """One database with the finance world in it, and its URL for the second instance."""

    url: str
    world: World


@pytest.fixture(params=["pg_url", "sqlite_url"])
def shared(request: pytest.FixtureRequest) -> Iterator[Shared]:
    """The finance world on PostgreSQL and on a SQLite file (built through the services)."""
    url = request.getfixturevalue(request.param)
    with connected(url, FixedClock(NOW)) as services:
        yield Shared(url, build_world(services, make_firm(services)))


def instance(url: str) -> tuple[TektoroApp, Services]:
    """An app instance with its own services (engine, connections) on ``url``."""
    services = Services.connect(url, clock=FixedClock(NOW))
    return TektoroApp(services=services), services


def cell(pilot: Pilot[None], table_id: str, row_key: str, column: int, screen: Any = None) -> str:
    """One cell of a table on ``screen`` (default: the current one), as text ("" while the row
    is absent)."""
    table = (screen or pilot.app.screen).query_one(table_id, DataTable)
    if row_key not in table.rows:
        return ""
    return str(table.get_row(row_key)[column]).strip()


async def test_a_payment_recorded_in_one_instance_shows_in_the_others_printer(
    shared: Shared,
) -> None:
    number = shared.world.acme_invoice.number
    assert number is not None
    app_a, services_a = instance(shared.url)
    app_b, services_b = instance(shared.url)
    try:
        async with app_a.run_test(size=SIZE) as pilot_a:
            await log_in(pilot_a, *OWNER)
            await open_area(pilot_a, "i", PrinterScreen)
            assert cell(pilot_a, "#invoices", number, PAID) == "0.00"
            async with app_b.run_test(size=SIZE) as pilot_b:
                await log_in(pilot_b, *OWNER)
                assert app_b.actor is not None
                services_b.invoices.record_payment(
                    app_b.actor, number, PaymentForm(amount="100.00", paid_on="2026-03-10")
                )
                await until(
                    pilot_a,
                    lambda: cell(pilot_a, "#invoices", number, PAID) == "100.00",
                    "the payment showing in instance A's printer",
                )
            assert cell(pilot_a, "#invoices", number, DUE) == "638.00"
            assert isinstance(app_a.screen, PrinterScreen)
            assert not [n for n in notifications(app_a) if n[2] != "information"]
    finally:
        services_a.close()
        services_b.close()


async def test_an_accepted_entry_shows_in_the_owners_time_report(shared: Shared) -> None:
    """Carl watches his Time Report; the owner accepts his draft elsewhere."""
    (draft,) = shared.world.carl_march["draft"]
    app_a, services_a = instance(shared.url)
    _app_b, services_b = instance(shared.url)
    try:
        async with app_a.run_test(size=SIZE) as pilot:
            await log_in(pilot, CARL, PASSWORD)
            await open_area(pilot, "t", TimeReportScreen)
            status = 1 + REPORT_COLUMNS.index("status")  # after the mark
            assert cell(pilot, "#entries", str(draft), status) == "draft"
            owner = services_b.auth.login(*OWNER)
            services_b.time.accept(owner, (draft,))
            await until(
                pilot,
                lambda: cell(pilot, "#entries", str(draft), status) == "accepted",
                "the accepted entry showing in Carl's Time Report",
            )
    finally:
        services_a.close()
        services_b.close()


def seen_everything(app: TektoroApp, services: Services) -> bool:
    """Whether ``app``'s live updates have read every change committed so far."""
    live = app._live
    if live is None or not live[1]:
        return False
    newest = services.changes.subscribe()
    try:
        return live[1][0].last_id >= newest.last_id
    finally:
        newest.close()


async def test_a_time_report_reads_again_only_for_the_entries_it_shows(
    shared: Shared, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Carl's Time Report shows Carl's cards: a card saved for Dora costs it nothing; one saved
    for Carl by his supervisor shows at once."""
    world = shared.world
    app_a, services_a = instance(shared.url)
    _app_b, services_b = instance(shared.url)
    reads: list[object] = []
    report = services_a.time.report

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args)
        return report(*args, **kwargs)

    monkeypatch.setattr(services_a.time, "report", counted)
    try:
        async with app_a.run_test(size=SIZE) as pilot:
            await log_in(pilot, CARL, PASSWORD)
            await open_area(pilot, "t", TimeReportScreen)
            screen = app_a.screen
            assert screen.shown_owners == {world.carl.user_id}
            read_before = len(reads)
            olga = services_b.auth.login(*OWNER)
            services_b.time.add_entry(olga, world.roof.card("2:00", "2026-03-21", owner=world.dora))
            await until(pilot, lambda: seen_everything(app_a, services_b), "Dora's card seen")
            await settle(pilot)
            await pilot.pause(0.6)  # longer than a gathered reload waits
            assert len(reads) == read_before, "Dora's card made Carl's report read again"
            own = services_b.time.add_entry(
                olga, world.roof.card("1:00", "2026-03-21", owner=world.carl)
            )
            await until(
                pilot,
                lambda: cell(pilot, "#entries", str(own.id), 1, screen) != "",
                "Carl's new card showing in his Time Report",
            )
            assert len(reads) == read_before + 1
    finally:
        services_a.close()
        services_b.close()


async def test_a_screen_under_a_dialog_updates_behind_it(shared: Shared) -> None:
    """The help dialog covers the printer; the printer still shows the news underneath."""
    number = shared.world.bolt_invoice.number
    assert number is not None
    app_a, services_a = instance(shared.url)
    _app_b, services_b = instance(shared.url)
    try:
        async with app_a.run_test(size=SIZE) as pilot:
            await log_in(pilot, *OWNER)
            await open_area(pilot, "i", PrinterScreen)
            printer = app_a.screen
            await pilot.press("f1")
            await until(pilot, lambda: app_a.screen is not printer, "the help dialog")
            owner = services_b.auth.login(*OWNER)
            services_b.invoices.record_payment(
                owner, number, PaymentForm(amount="738.00", paid_on="2026-03-10")
            )
            await until(
                pilot,
                lambda: cell(pilot, "#invoices", number, DUE, printer) == "0.00",
                "the paid invoice showing behind the dialog",
            )
            await pilot.press("escape")
            await until(pilot, lambda: app_a.screen is printer, "the printer again")
            assert cell(pilot, "#invoices", number, INVOICE_COLUMNS.index("Status")) == "paid"
    finally:
        services_a.close()
        services_b.close()


def figure(pilot: Pilot[None], table_id: str, label: str, screen: Any = None) -> str:
    """The value beside ``label`` in a two-column dashboard table ("" while it is absent)."""
    table = (screen or pilot.app.screen).query_one(table_id, DataTable)
    for index in range(table.row_count):
        first, *rest = (str(part).strip() for part in table.get_row_at(index))
        if first.startswith(label):
            return rest[-1]
    return ""


async def test_the_client_portal_follows_a_partial_then_a_final_payment(shared: Shared) -> None:
    """Cleo watches Acme's invoices in the portal while the office records two payments."""
    number = shared.world.acme_invoice.number
    assert number is not None
    app_a, services_a = instance(shared.url)
    _app_b, services_b = instance(shared.url)
    try:
        async with app_a.run_test(size=SIZE) as pilot:
            await log_in(pilot, CLEO, PASSWORD)
            home = app_a.screen
            assert isinstance(home, HomeScreen)
            await until(
                pilot,
                lambda: figure(pilot, "#balance", "Outstanding", home) == "738.00",
                "the client's dashboard",
            )
            await open_area(pilot, "l", ClientInvoicesScreen)
            paid, due, status = 4, 5, 2
            assert cell(pilot, "#ci-list", number, status) == "overdue 4d"
            owner = services_b.auth.login(*OWNER)

            services_b.invoices.record_payment(
                owner, number, PaymentForm(amount="300.00", paid_on="2026-03-10")
            )
            await until(
                pilot,
                lambda: cell(pilot, "#ci-list", number, paid) == "300.00",
                "the partial payment showing in the client portal",
            )
            assert cell(pilot, "#ci-list", number, due) == "438.00"
            assert cell(pilot, "#ci-list", number, status) == "overdue 4d", "438.00 still late"
            # the dashboard hidden under the list is not read again until it is shown
            assert figure(pilot, "#balance", "Paid so far", home) == "0.00"
            await pilot.press("escape")
            await until(
                pilot,
                lambda: figure(pilot, "#balance", "Paid so far", home) == "300.00",
                "the partial payment on the client's dashboard, shown again",
            )
            assert figure(pilot, "#balance", "Invoices paid in full", home) == "0"
            await open_area(pilot, "l", ClientInvoicesScreen)

            services_b.client_invoices.mark_paid(owner, number, MarkPaidForm(reference="final"))
            await until(
                pilot,
                lambda: cell(pilot, "#ci-list", number, status) == "paid",
                "the final payment showing in the client portal",
            )
            assert cell(pilot, "#ci-list", number, due) == "0.00"
            await pilot.press("escape")
            await until(
                pilot,
                lambda: figure(pilot, "#balance", "Outstanding", home) == "0.00",
                "the paid invoice on the client's dashboard, shown again",
            )
            assert figure(pilot, "#balance", "Paid so far", home) == "738.00"
            assert figure(pilot, "#balance", "Invoices paid in full", home) == "1"
    finally:
        services_a.close()
        services_b.close()


async def test_the_contractors_dashboard_shows_his_pay_and_notification(shared: Shared) -> None:
    """Carl looks at his dashboard while the owner pays his February master invoice."""
    app_a, services_a = instance(shared.url)
    _app_b, services_b = instance(shared.url)
    carl_id = str(shared.world.carl.user_id)
    try:
        async with app_a.run_test(size=SIZE) as pilot:
            await log_in(pilot, CARL, PASSWORD)
            assert isinstance(app_a.screen, HomeScreen)
            await until(
                pilot,
                lambda: text_of(pilot.app, "#notices") == "Unread notifications: 0",
                "Carl's dashboard",
            )
            assert text_of(pilot.app, "#pay").startswith("Outstanding pay: 0.00 EUR")
            owner = services_b.auth.login(*OWNER)
            payables = services_b.contractor_invoices
            form = MasterInvoiceForm(carl_id, "2026-02-01", "2026-02-28")
            number = payables.approve(owner, payables.generate(owner, form).number).number
            await until(
                pilot,
                lambda: text_of(pilot.app, "#pay").startswith("Outstanding pay: 240.00 EUR"),
                "the approved master invoice on Carl's dashboard",
            )
            payables.record_payment(
                owner,
                number,
                PaymentForm("240", "2026-03-10", "ach", account_holder="Carl", reference="A-1"),
            )
            await until(
                pilot,
                lambda: text_of(pilot.app, "#notices").startswith("Unread notifications: 1"),
                "the payment notification on Carl's dashboard",
            )
            assert text_of(pilot.app, "#pay").startswith("Outstanding pay: 0.00 EUR")
    finally:
        services_a.close()
        services_b.close()


async def test_an_in_memory_database_turns_live_updates_off_without_crashing() -> None:
    services = Services.connect("sqlite://", clock=FixedClock(NOW))
    make_firm(services)
    app = TektoroApp(services=services)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, *OWNER)
            await until(
                pilot,
                lambda: any(n[0] == "Live updates" for n in notifications(app)),
                "the notice that live updates are off",
            )
            await open_area(pilot, "i", PrinterScreen)
            await pilot.press("ctrl+l")
            await log_in(pilot, *OWNER)
            await settle(pilot)
            notices = [n for n in notifications(app) if n[0] == "Live updates"]
            assert len(notices) == 1  # told once, not at every sign-in
            (_title, message, severity) = notices[0]
            assert message.startswith("Live updates are off: ")
            assert "in-memory" in message and severity == "warning"
            assert app.is_running
    finally:
        services.close()


@pytest.fixture
def app_role(pg_url: str) -> Iterator[tuple[str, str]]:
    """A login role of its own for one app instance, so its connections can be cut off without
    cutting the test's: (the role, ``pg_url`` connecting as it)."""
    import uuid

    import psycopg

    from tests.conftest import PG_ADMIN_DSN

    role = f"tektoro_app_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN SUPERUSER')
    scheme, rest = pg_url.split("://", 1)
    try:
        yield role, f"{scheme}://{role}@{rest.split('@', 1)[1]}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                (role,),
            )
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def _cut_off(role: str, cut: bool) -> None:
    """Refuse (and end) every connection of ``role``, as a server restart or a cut network
    would, or let it log in again."""
    import psycopg

    from tests.conftest import PG_ADMIN_DSN

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'ALTER ROLE "{role}" {"NOLOGIN" if cut else "LOGIN"}')
        if cut:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                (role,),
            )


async def test_a_screen_whose_reload_failed_reads_again_when_the_database_is_back(
    pg_url: str, app_role: tuple[str, str]
) -> None:
    """The database goes away; Carl's reload fails (an error, the old rows stay). When it comes
    back, the app notices by itself, says so, and the report shows what changed meanwhile.

    Instance A's live updates are stopped first: the change event was then read by nobody, as
    when the feed read it just before the reload that failed (the feed reads its missed events
    by itself after an outage; a failed reload had nobody to repeat it)."""
    role, url = app_role
    with connected(pg_url, FixedClock(NOW)) as services:
        world = build_world(services, make_firm(services))
    (draft,) = world.carl_march["draft"]
    status = 1 + REPORT_COLUMNS.index("status")  # after the mark
    app, services_a = instance(url)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, CARL, PASSWORD)
            await open_area(pilot, "t", TimeReportScreen)
            assert cell(pilot, "#entries", str(draft), status) == "draft"
            app.stop_live_updates()
            _cut_off(role, True)
            with connected(pg_url, FixedClock(NOW)) as services_b:
                services_b.time.accept(services_b.auth.login(*OWNER), (draft,))
            await pilot.press("f5")
            await until(
                pilot,
                lambda: any(n[0] == "Database problem" for n in notifications(app)),
                "the failed reload told",
            )
            assert cell(pilot, "#entries", str(draft), status) == "draft"
            _cut_off(role, False)
            await until(
                pilot,
                lambda: cell(pilot, "#entries", str(draft), status) == "accepted",
                "the report read again once the database was back",
            )
            assert any(n[0] == "Connected again" for n in notifications(app))
            assert isinstance(app.screen, TimeReportScreen)
    finally:
        services_a.close()
        _cut_off(role, False)
