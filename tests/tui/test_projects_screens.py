"""The Projects screens, keyboard only: a bookkeeper settles a fixed contract.

Warehouse for Harbour Hotel: fixed contract 100,000.00, VAT 23 % (the firm's default).
A partial of 30,000.00 → gross 36,900.00; a material cost of 4,000.00 → result 26,000.00.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.projects import CostsScreen, ProjectScreen, ProjectsScreen
from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm
from tektoro_tui.widgets.dialogs.form import FormModal

from .conftest import ADMIN, Firm
from .tuitools import keys, open_area, settle, snapshot_steps, text_of, type_text

SIZE = (80, 24)


@pytest.fixture
def contract_firm(firm: Firm) -> Firm:
    """The firm with a fixed-price project and a time-and-material one."""
    services, admin = firm.services, firm.admin
    client = services.presets.save_company(admin, CompanyForm("Harbour Hotel")).id
    services.presets.save_project(
        admin,
        ProjectForm("Warehouse", client, code="WH", valuation="fixed", contract_amount="100000"),
    )
    services.presets.save_project(admin, ProjectForm("Yard repairs", client, valuation="tm"))
    return firm


async def test_settle_a_project_by_keyboard(contract_firm: Firm, tmp_path: Path) -> None:
    app = TektoroApp(services=contract_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "j", ProjectsScreen, login=ADMIN)
        await keys(pilot, "enter")  # Warehouse is first by name
        screen = app.screen
        assert isinstance(screen, ProjectScreen)
        assert "Warehouse for Harbour Hotel" in text_of(app, "#pj-heading")

        await keys(pilot, "n")
        form = app.screen
        assert isinstance(form, FormModal)
        intro = str(form.query_one("#intro").render())
        assert "Contract with changes" in intro and "Left to invoice" in intro
        assert "100,000.00" in intro
        await keys(pilot, "tab", "tab", "tab", "tab")  # type, date, deadline, service → net
        await type_text(pilot, "30000", replace=True)
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        status = text_of(app, "#pj-status")
        assert "issued: gross 36,900.00 EUR" in status
        number = status.split("Invoice ")[1].split(" ")[0]

        await keys(pilot, "o")  # the PDF of the highlighted (only) invoice
        written = Path(text_of(app, "#pj-status").split("Written to ")[1].strip())
        pdf = "".join(page.extract_text() for page in PdfReader(written).pages)
        assert number in pdf and "36,900.00" in pdf

        await keys(pilot, "2", "n")  # a cost: name, invoice no., note, date, type, amount
        await type_text(pilot, "Steel beams", "tab", "tab", "tab", "tab", "tab")
        await type_text(pilot, "4000", "ctrl+s")
        await settle(pilot)
        assert "Cost Steel beams (4,000.00 EUR) recorded." in text_of(app, "#pj-status")

        await keys(pilot, "4")
        balance = text_of(app, "#pj-balance")
        assert "30,000.00" in balance and "4,000.00" in balance
        result = next(line for line in balance.splitlines() if line.startswith("Result"))
        assert "26,000.00" in result and "margin 86.67 %" in result


def test_project_list_snapshot(contract_firm: Firm, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = TektoroApp(services=contract_firm.services)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=snapshot_steps("ctrl+g", "j", login=ADMIN)
    )


def _settled(firm: Firm) -> None:
    from tektoro_tui.services.projects.views import CostForm, SettlementForm

    services, admin = firm.services, firm.admin
    services.projects.issue(admin, "WH", SettlementForm(kind="advance", net="30000"))
    services.costs.add(admin, CostForm("WH", "Steel", "FV/7", "", "", "material", "4000"))


def test_project_invoices_snapshot(contract_firm: Firm, snap_compare) -> None:  # type: ignore[no-untyped-def]
    _settled(contract_firm)
    app = TektoroApp(services=contract_firm.services)
    steps = snapshot_steps("ctrl+g", "j", "enter", login=ADMIN)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


def test_project_balance_snapshot(contract_firm: Firm, snap_compare) -> None:  # type: ignore[no-untyped-def]
    _settled(contract_firm)
    app = TektoroApp(services=contract_firm.services)
    steps = snapshot_steps("ctrl+g", "j", "enter", "4", login=ADMIN)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


async def test_the_cost_register_by_keyboard(contract_firm: Firm) -> None:
    """Record a cost of 250.00 on Warehouse from the register, then delete it after asking."""
    app = TektoroApp(services=contract_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(pilot, "k", CostsScreen, login=ADMIN)
        await keys(pilot, "n", "tab")  # the project (Warehouse, first by name) → the name
        await type_text(pilot, "Bricks", "tab", "tab", "tab", "tab", "tab")
        await type_text(pilot, "250", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "Cost Bricks (250.00 EUR) of Warehouse saved." in text_of(app, "#co-status")
        assert text_of(app, "#co-totals").startswith("1 costs · 250.00 EUR")
        await keys(pilot, "delete", "y")
        assert "deleted" in text_of(app, "#co-status")
        assert text_of(app, "#co-totals").startswith("0 costs")


async def test_the_cost_register_shows_its_newest_page_with_every_costs_totals(
    contract_firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The register reads a page of the newest costs (a firm may have tens of thousands) and
    says so; the totals cover every cost the filter matches."""
    from tektoro_tui.screens import projects as screens
    from tektoro_tui.services.projects.views import CostForm

    from .tuitools import table_rows

    monkeypatch.setattr(screens, "SCREEN_PAGE", 2)
    services, admin = contract_firm.services, contract_firm.admin
    for name, day, amount in (("Steel", "2026-03-01", "4000"), ("Sand", "2026-03-02", "70")):
        services.costs.add(admin, CostForm("WH", name, "", "", day, "material", amount))
    services.costs.add(admin, CostForm("WH", "Crane", "", "", "2026-03-03", "equipment", "900"))
    app = TektoroApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(pilot, "k", CostsScreen, login=ADMIN)
        await settle(pilot)
        totals = text_of(app, "#co-totals")
        assert totals.startswith("the newest 2 of 3 costs (filter to narrow) · 4,970.00 EUR")
        assert "material 4,070.00" in totals and "equipment 900.00" in totals
        assert [row[3] for row in table_rows(screen.table)] == ["Crane", "Sand"]


async def test_the_project_list_filters_by_valuation_and_text(contract_firm: Firm) -> None:
    from textual.widgets import Input, Select

    from .tuitools import table_rows

    app = TektoroApp(services=contract_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(pilot, "j", ProjectsScreen, login=ADMIN)
        screen.query_one("#pr-valuation", Select).value = "tm"
        await settle(pilot)
        assert [row[0] for row in table_rows(screen.table)] == ["Yard repairs"]
        screen.query_one("#pr-valuation", Select).clear()
        await keys(pilot, "f")
        assert app.focused is screen.query_one("#pr-filter", Input)
        await type_text(pilot, "ware", "enter")
        assert [row[0] for row in table_rows(screen.table)] == ["Warehouse"]
        assert text_of(app, "#pr-totals").startswith("1 projects")


def test_invoice_list_snapshot(contract_firm: Firm, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """The firm's invoice list with settlement invoices: type, project and the change one
    settles in their own columns (wide enough to show them)."""
    from tektoro_tui.services.projects.views import ChangeForm, SettlementForm

    services, admin = contract_firm.services, contract_firm.admin
    services.projects.add_change(admin, "WH", ChangeForm("Extra dock", "", "5000", approved=True))
    services.projects.issue(admin, "WH", SettlementForm(kind="partial", net="30000"))
    services.projects.issue(
        admin, "WH", SettlementForm(kind="partial", net="5000", change_number="1")
    )
    app = TektoroApp(services=services)
    steps = snapshot_steps("ctrl+g", "l", login=ADMIN)
    assert snap_compare(app, terminal_size=(130, 24), run_before=steps)
