"""Moving around: Go to (Ctrl+G), the command palette, escape, help, and resizing."""

from __future__ import annotations

import time

import pytest
from textual.command import CommandPalette
from textual.widgets import Footer, OptionList, TabbedContent

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.home import HomeScreen
from tektoro_tui.screens.permissions import PermissionsScreen
from tektoro_tui.screens.presets import PresetsScreen
from tektoro_tui.screens.settings import SettingsScreen
from tektoro_tui.screens.users import UsersScreen
from tektoro_tui.widgets.dialogs.go_to import GoToDialog
from tektoro_tui.widgets.dialogs.help import HelpScreen

from .conftest import ADMIN, Firm
from .tuitools import errors, go, keys, log_in, open_area, settle, type_text, until

AREA_SCREENS = {
    "u": UsersScreen,
    "p": PresetsScreen,
    "r": PermissionsScreen,
    "s": SettingsScreen,
}


async def test_every_screen_opens_by_go_to_and_its_letter_and_escape_goes_back(
    stocked_firm: Firm,
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *ADMIN)
        for key, screen_type in AREA_SCREENS.items():
            await keys(pilot, *go(key))
            assert isinstance(app.screen, screen_type), key
            await keys(pilot, "escape")
            assert isinstance(app.screen, HomeScreen)
        assert not errors(app)


async def test_go_to_lists_the_screens_the_user_may_open_and_escape_stays(
    stocked_firm: Firm,
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "u", UsersScreen, login=ADMIN)
        await keys(pilot, "ctrl+g")
        assert isinstance(app.screen, GoToDialog)
        listed = app.screen.query_one(OptionList)
        assert listed.get_option_at_index(0).id == "home"
        assert listed.option_count == 22
        await keys(pilot, "escape")
        assert isinstance(app.screen, UsersScreen)


async def test_single_letters_never_navigate(stocked_firm: Firm) -> None:
    """A sentence typed on Home or a list, with no text field in focus, leaves no screen.
    (Not a g on an administrator's Home: it starts the master-invoice generator, over Home.)"""
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *ADMIN)
        await pilot.press(*"the quick brown fox jumps over the lazy cat, then notices, users")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert len(app.screen_stack) == 2
        await keys(pilot, *go("r"))
        await pilot.press(*"hauvnop")
        await settle(pilot)
        assert isinstance(app.screen, PermissionsScreen)


async def test_h_in_go_to_goes_home_from_any_screen(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *ADMIN)
        await keys(pilot, *go("r"), *go("h"))
        assert isinstance(app.screen, HomeScreen)
        assert len(app.screen_stack) == 2


async def test_go_to_works_from_other_screens_too(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *ADMIN)
        await keys(pilot, *go("u"), *go("r"))
        assert isinstance(app.screen, PermissionsScreen)
        assert len(app.screen_stack) == 3, "areas open on top of home, not of each other"
        await keys(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


async def test_number_keys_switch_the_preset_tabs(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "p", login=ADMIN)
        tabs = app.screen.query_one(TabbedContent)
        tab_names = ("projects", "tasks", "activities", "rate_codes", "clients")
        for key, tab in zip("23451", tab_names, strict=True):
            await keys(pilot, key)
            assert tabs.active == tab
        assert app.focused is not None and app.focused.id == "clients-pane-table"


async def test_the_home_menu_opens_the_chosen_screen(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *ADMIN)
        menu = app.screen.query_one("#menu", OptionList)
        assert [menu.get_option_at_index(i).id for i in range(menu.option_count)] == [
            "time_card",
            "time_report",
            "approvals",
            "wip",
            "documenter",
            "printer",
            "revenue",
            "contractor_invoices",
            "client_invoices",
            "projects",
            "costs",
            "subcontracts",
            "pay",
            "metrics",
            "notifications",
            "terms",
            "compliance",
            "users",
            "presets",
            "permissions",
            "settings",
        ]
        await keys(pilot, *["down"] * 18, "enter")
        assert isinstance(app.screen, PresetsScreen)


@pytest.mark.parametrize(
    ("query", "screen_type"),
    [
        ("Users and staff", UsersScreen),
        ("Code presets", PresetsScreen),
        ("Permissions", PermissionsScreen),
        ("Organisation settings", SettingsScreen),
    ],
)
async def test_every_screen_opens_from_the_command_palette(
    stocked_firm: Firm, query: str, screen_type: type
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "ctrl+p", login=ADMIN)
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, f"Open {query}", "enter")
        assert isinstance(app.screen, screen_type)


async def test_the_palette_can_log_out(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "ctrl+p", login=ADMIN)
        await type_text(pilot, "Log out", "enter")
        assert app.actor is None


async def test_help_lists_the_keys_of_the_screen_and_the_global_keys(
    stocked_firm: Firm,
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "p", login=ADMIN)
        await keys(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        listed = {(k.key, k.description, k.everywhere) for k in app.screen._keys}
        assert ("n", "New", False) in listed
        assert ("esc", "Back", False) in listed
        assert ("f1, ?", "Help", True) in listed
        assert ("^l", "Log out", True) in listed
        assert ("^g", "Go to", True) in listed
        go_to = {(k.key, k.description) for k in app.screen._go_to}
        assert ("p", "Code presets") in go_to
        key_map = {(k.key, k.description) for k in app.screen._key_map}
        assert ("d", "Deactivate or reactivate the highlighted record, after asking") in key_map
        await keys(pilot, "escape")
        assert isinstance(app.screen, PresetsScreen)


async def test_screens_stay_usable_when_the_terminal_is_resized(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, *ADMIN)
        for key in "uprs":
            await keys(pilot, *go(key))
            for size in ((60, 20), (140, 45), (80, 24)):
                await pilot.resize_terminal(*size)
                await settle(pilot)
            await keys(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        assert not errors(app)


async def test_a_resize_lays_out_the_screen_on_top_and_the_one_beneath(
    stocked_firm: Firm,
) -> None:
    """A screen skips only a layout at the size it already has, never a real resize."""
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, *ADMIN)
        await pilot.press(*go("u"))
        await settle(pilot)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        footer = app.screen.query_one(Footer).region
        assert (footer.width, footer.y) == (120, 39)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        footer = app.screen.query_one(Footer).region
        assert (footer.width, footer.y) == (120, 39), "home was beneath during the resize"


async def test_a_burst_of_changes_from_elsewhere_reloads_a_screen_twice_not_once_each(
    stocked_firm: Firm,
) -> None:
    """Twenty changes in a moment: the first is shown at once, the rest gathered into one
    reload at the end of the interval; nothing is left unshown."""
    from tektoro_tui.screens.messages import DataChanged
    from tektoro_tui.screens.time_report import TimeReportScreen

    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *ADMIN)
        await keys(pilot, *go("t"))
        screen = app.screen
        assert isinstance(screen, TimeReportScreen)
        reloads: list[float] = []
        original = screen.refresh_data

        def counted() -> None:
            reloads.append(time.monotonic())
            original()

        screen.refresh_data = counted  # type: ignore[method-assign]
        started = time.monotonic()
        for _ in range(20):  # posted together: on a loaded machine, paced posts could
            screen.post_message(DataChanged(frozenset({"time_entry"})))  # span two intervals
        await until(pilot, lambda: len(reloads) == 2, "the gathered reload", deadline=3)
        await pilot.pause(screen.LIVE_RELOAD_INTERVAL * 2)
        assert len(reloads) == 2
        assert reloads[0] - started < 0.2
        assert reloads[1] - reloads[0] >= screen.LIVE_RELOAD_INTERVAL * 0.9
        screen.post_message(DataChanged(frozenset({"invoice_line"})))  # not shown here
        await pilot.pause(screen.LIVE_RELOAD_INTERVAL * 2)
        assert len(reloads) == 2
