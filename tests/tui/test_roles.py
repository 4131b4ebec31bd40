"""What a staff member sees, and what happens when they reach past it."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import OptionList

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.home import HomeScreen
from tektoro_tui.screens.permissions import PermissionsScreen
from tektoro_tui.screens.presets import PresetsScreen
from tektoro_tui.screens.settings import SettingsScreen
from tektoro_tui.screens.users import UsersScreen
from tektoro_tui.widgets.dialogs.form import FormModal
from tektoro_tui.widgets.paged_table import PagedTable

from .conftest import STAFF, Firm
from .tuitools import (
    errors,
    go,
    go_to_offers,
    keys,
    log_in,
    notifications,
    open_area,
    settle,
    type_text,
)


async def test_staff_see_no_admin_screens(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *STAFF)
        assert isinstance(app.screen, HomeScreen)
        menu = app.screen.query_one("#menu", OptionList)
        assert [menu.get_option_at_index(i).id for i in range(menu.option_count)] == [
            "time_card",
            "time_report",
            "approvals",
            "contractor_invoices",
            "pay",
            "notifications",
            "users",
            "presets",
        ]
        offered = await go_to_offers(pilot)
        assert {"users", "presets"} <= set(offered)
        assert not {"permissions", "settings"} & set(offered)
        for key in "rs":
            await keys(pilot, *go(key), "escape")
            assert isinstance(app.screen, HomeScreen)


async def test_the_palette_offers_staff_only_their_screens(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "ctrl+p", login=STAFF)
        await type_text(pilot, "Open Permissions")
        assert isinstance(app.screen, CommandPalette)
        await keys(pilot, "enter")
        assert not isinstance(app.screen, PermissionsScreen)


async def test_staff_see_presets_read_only(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_area(pilot, "p", PresetsScreen, login=STAFF)
        table = screen.query_one("#clients-pane-table", PagedTable)
        assert table.row_count == 1
        shown = {b.binding.key for b in app.screen.active_bindings.values() if b.node is not app}
        assert not {"n", "e", "d"} & shown
        await keys(pilot, "n")
        assert not isinstance(app.screen, FormModal)
        assert isinstance(app.screen, PresetsScreen), "a letter never navigates"


async def test_staff_see_themselves_and_may_invite_but_not_edit(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_area(pilot, "u", UsersScreen, login=STAFF)
        table = screen.query_one("#users", PagedTable)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["Sam Staff"]
        shown = {b.binding.key for b in app.screen.active_bindings.values() if b.node is not app}
        assert "i" in shown
        assert not {"n", "e", "d"} & shown


async def test_a_service_refusal_reached_directly_is_shown_as_an_error(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *STAFF)
        assert app.actor is not None
        await app.push_screen(PermissionsScreen(stocked_firm.services, app.actor))
        await settle(pilot)
        refusals = errors(app)
        assert refusals[0][0] == "Not allowed"
        assert "Staff / contractor" in refusals[0][1]
        assert isinstance(app.screen, PermissionsScreen), "the app keeps running"
        await app.push_screen(SettingsScreen(stocked_firm.services, app.actor))
        await settle(pilot)
        await keys(pilot, "ctrl+s")
        refusals = errors(app)
        assert len(refusals) == 2 and refusals[1][0] == "Not allowed"


async def test_an_unexpected_failure_is_shown_and_the_app_keeps_running(
    stocked_firm: Firm, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def broken(actor: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(stocked_firm.services.home, "summary", broken)
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *STAFF)
        assert isinstance(app.screen, HomeScreen)
        assert ("Unexpected error", "RuntimeError: disk on fire", "error") in notifications(app)
        await keys(pilot, *go("p"))
        assert isinstance(app.screen, PresetsScreen)


async def test_home_warns_about_missing_presets_until_all_exist(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *STAFF)
        warning = app.screen.query_one("#missing")
        assert warning.display
        text = str(warning.render())
        for name in ("Clients", "Projects", "Tasks", "Activities", "Rate codes"):
            assert name in text
        assert "Code presets (Ctrl+G p)" not in text, "staff cannot add presets themselves"
