"""The compliance register (o) on the finance world: add, edit and remove documents.

The world's contractors (Carl and Dora, staff) start with no documents at all, so both miss a
contract, a tax form and an insurance certificate. The clock reads 2026-03-10: a document
expiring on 2026-03-20 is "expiring" (within 30 days), one that expired on 2026-03-01 is
"expired" and counts as missing.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.compliance import ComplianceScreen
from tektoro_tui.services.contractor_invoices.views import ContractorDocumentForm
from tektoro_tui.widgets.compliance_parts import OverviewTable, RegisterTable
from tektoro_tui.widgets.dialogs.confirm import YesNoDialog
from tektoro_tui.widgets.dialogs.form import FormModal
from tests.finance_world import PASSWORD, World

from .dashboard_world import CARL, OLGA_LOGIN, on_sqlite_only, world, world_template
from .tuitools import (
    go,
    invalid_fields,
    keys,
    log_in,
    notifications,
    open_area,
    settle,
    snapshot_steps,
    table_rows,
    text_of,
)

__all__ = ["world", "world_template"]

SIZE = (100, 32)
ALL_THREE = "Contract, Tax form, Insurance certificate"


async def test_a_bad_form_is_marked_and_nothing_is_written(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "o", ComplianceScreen, login=OLGA_LOGIN)
        assert table_rows(app, RegisterTable) == []
        assert table_rows(app, OverviewTable) == [
            ["Carl Contractor", ALL_THREE, "", ""],
            ["Dora Developer", ALL_THREE, "", ""],
        ]
        assert text_of(app, "#compliance-summary").startswith("2 of 2 contractors miss")

        # Adding with no contractor and an impossible date: both fields are marked.
        await keys(pilot, "n")
        assert isinstance(app.screen, FormModal)
        app.screen.query_one("#input-expires_on", Input).value = "2026-02-30"
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, FormModal), "the form stays up with its problems"
        assert set(invalid_fields(app)) == {"contractor", "expires_on"}
        await keys(pilot, "escape", "y")
        assert isinstance(app.screen, ComplianceScreen)
        assert table_rows(app, RegisterTable) == []
    assert world.services.compliance.documents(world.admin) == (), "nothing was written"


@pytest.mark.pg_story
async def test_a_document_added_edited_and_removed_changes_the_overview(world: World) -> None:
    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "o", ComplianceScreen, login=OLGA_LOGIN)
        await keys(pilot, "n")
        form = app.screen
        form.query_one("#input-contractor", Select).value = str(world.carl.user_id)
        form.query_one("#input-doc_type", Select).value = "insurance"
        form.query_one("#input-file_path", Input).value = "scans/carl-insurance.pdf"
        form.query_one("#input-expires_on", Input).value = "2026-03-20"
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, ComplianceScreen)
        assert table_rows(app, RegisterTable) == [
            [
                "Carl Contractor",
                "Insurance certificate",
                "2026-03-20",
                "expiring (≤30 d)",
                "scans/carl-insurance.pdf",
            ]
        ]
        assert table_rows(app, OverviewTable)[0] == [
            "Carl Contractor",
            "Contract, Tax form",
            "",
            "Insurance certificate",
        ]

        await keys(pilot, "enter")  # edit the highlighted document
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#input-expires_on", Input).value == "2026-03-20"
        app.screen.query_one("#input-expires_on", Input).value = "2026-03-01"
        await keys(pilot, "ctrl+s")
        assert table_rows(app, RegisterTable)[0][2:4] == ["2026-03-01", "EXPIRED"]
        assert table_rows(app, OverviewTable)[0] == [
            "Carl Contractor",
            "Contract, Tax form",  # the expired certificate is listed once: as expired
            "Insurance certificate",
            "",
        ]

        await keys(pilot, "delete")
        assert isinstance(app.screen, YesNoDialog)
        await keys(pilot, "y")
        assert table_rows(app, RegisterTable) == []
        assert ("Removed", "Insurance certificate of Carl Contractor removed.", "information") in (
            notifications(app)
        )
    assert world.services.compliance.documents(world.admin) == ()


@pytest.mark.pg_story
async def test_a_document_added_elsewhere_appears_by_itself(world: World) -> None:
    from tektoro_tui.screens.messages import DataChanged

    app = TektoroApp(services=world.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "o", ComplianceScreen, login=OLGA_LOGIN)
        world.services.compliance.add(
            world.admin, ContractorDocumentForm(str(world.dora.user_id), "contract")
        )
        app.screen.post_message(DataChanged(frozenset({"contractor_document"})))
        await settle(pilot)
        assert [row[:4] for row in table_rows(app, RegisterTable)] == [
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

    app = TektoroApp(services=world.services)
    steps = snapshot_steps(*go("o"), login=OLGA_LOGIN)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)
