"""The compliance register (o) on the finance world: add, edit and remove documents.

The world's contractors (Carl and Dora, staff) start with no documents at all, so both miss a
contract, a tax form and an insurance certificate. The clock reads 2026-03-10: a document
expiring on 2026-03-20 is "expiring" (within 30 days), one that expired on 2026-03-01 is
"expired" and counts as missing.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.compliance import ComplianceScreen
from tektoro_tui.services.contractor_invoices.views import ContractorDocumentForm
from tektoro_tui.widgets.compliance_parts import OverviewTable, RegisterTable
from tektoro_tui.widgets.dialogs.confirm import YesNoDialog
from tektoro_tui.widgets.dialogs.form import FormModal
from tektoro_tui.widgets.fields import FormField
from tests.finance_world import PASSWORD, World

from .dashboard_world import CARL, OLGA, on_sqlite_only, world
from .tuitools import log_in, notifications, settle, steady_cursors

__all__ = ["world"]

SIZE = (100, 32)
ALL_THREE = "Contract, Tax form, Insurance certificate"


def cells(
    app: TektoroApp, table_type: type[RegisterTable] | type[OverviewTable]
) -> list[list[str]]:
    """The rows of the register or the overview, as text."""
    table = app.screen.query_one(table_type)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def invalid_fields(app: TektoroApp) -> set[str]:
    """The fields of the open form marked wrong."""
    return {f.field_name for f in app.screen.query(FormField) if f.has_class("-invalid")}


async def open_register(pilot: Pilot[None]) -> TektoroApp:
    """Log in as Olga and press o."""
    app = pilot.app
    assert isinstance(app, TektoroApp)
    await log_in(pilot, OLGA, PASSWORD)
    await pilot.press("o")
    await settle(pilot)
    assert isinstance(app.screen, ComplianceScreen)
    return app


async def test_a_bad_form_is_marked_and_nothing_is_written(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_register(pilot)
        assert cells(app, RegisterTable) == []
        assert cells(app, OverviewTable) == [
            ["Carl Contractor", ALL_THREE, "", ""],
            ["Dora Developer", ALL_THREE, "", ""],
        ]
        summary = str(app.screen.query_one("#compliance-summary", Static).render())
        assert summary.startswith("2 of 2 contractors miss")

        # Adding with no contractor and an impossible date: both fields are marked.
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FormModal)
        app.screen.query_one("#input-expires_on", Input).value = "2026-02-30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormModal), "the form reopens with its problems"
        assert invalid_fields(app) == {"contractor", "expires_on"}
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ComplianceScreen)
        assert cells(app, RegisterTable) == []
    assert world.services.compliance.documents(world.admin) == (), "nothing was written"


async def test_a_document_added_edited_and_removed_changes_the_overview(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_register(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        form.query_one("#input-contractor", Select).value = str(world.carl.user_id)
        form.query_one("#input-doc_type", Select).value = "insurance"
        form.query_one("#input-file_path", Input).value = "scans/carl-insurance.pdf"
        form.query_one("#input-expires_on", Input).value = "2026-03-20"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ComplianceScreen)
        assert cells(app, RegisterTable) == [
            [
                "Carl Contractor",
                "Insurance certificate",
                "2026-03-20",
                "expiring (≤30 d)",
                "scans/carl-insurance.pdf",
            ]
        ]
        assert cells(app, OverviewTable)[0] == [
            "Carl Contractor",
            "Contract, Tax form",
            "",
            "Insurance certificate",
        ]

        await pilot.press("enter")  # edit the highlighted document
        await settle(pilot)
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#input-expires_on", Input).value == "2026-03-20"
        app.screen.query_one("#input-expires_on", Input).value = "2026-03-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert cells(app, RegisterTable)[0][2:4] == ["2026-03-01", "EXPIRED"]
        assert cells(app, OverviewTable)[0] == [
            "Carl Contractor",
            ALL_THREE,
            "Insurance certificate",
            "",
        ]

        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, YesNoDialog)
        await pilot.press("y")
        await settle(pilot)
        assert cells(app, RegisterTable) == []
        assert ("Removed", "Insurance certificate of Carl Contractor removed.", "information") in (
            notifications(app)
        )
    assert world.services.compliance.documents(world.admin) == ()


async def test_a_document_added_elsewhere_appears_by_itself(world: World) -> None:
    from tektoro_tui.screens.messages import DataChanged

    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_register(pilot)
        world.services.compliance.add(
            world.admin, ContractorDocumentForm(str(world.dora.user_id), "contract")
        )
        app.screen.post_message(DataChanged(frozenset({"contractor_document"})))
        await settle(pilot)
        assert [row[:4] for row in cells(app, RegisterTable)] == [
            ["Dora Developer", "Contract", "never", "valid"]
        ]


async def test_contractors_are_not_offered_the_register(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, CARL, PASSWORD)
        app.open_area("compliance")
        await settle(pilot)
        assert not isinstance(app.screen, ComplianceScreen)
        assert any(n[0] == "Not allowed" for n in notifications(app))


@on_sqlite_only
def test_compliance_snapshot(world: World, snap_compare) -> None:  # type: ignore[no-untyped-def]
    compliance = world.services.compliance
    compliance.add(
        world.admin, ContractorDocumentForm(str(world.carl.user_id), "contract", "c/carl.pdf")
    )
    compliance.add(
        world.admin,
        ContractorDocumentForm(str(world.carl.user_id), "insurance", "i/carl.pdf", "2026-03-01"),
    )
    compliance.add(
        world.admin,
        ContractorDocumentForm(str(world.dora.user_id), "tax_form", "t/dora.pdf", "2026-03-25"),
    )

    async def run_before(pilot: Pilot[None]) -> None:
        app = await open_register(pilot)
        steady_cursors(app)

    app = TektoroApp(services=world.services)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
