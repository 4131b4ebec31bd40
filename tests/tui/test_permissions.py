"""The permission grid: toggles persist, locked grants are refused, roles reset."""

from __future__ import annotations

from textual.coordinate import Coordinate

from tektoro_tui.app import TektoroApp
from tektoro_tui.domain.permissions import DEFAULT_MATRIX, Perm, Role
from tektoro_tui.screens.permissions import PermissionsScreen
from tektoro_tui.widgets.dialogs.confirm import YesNoDialog
from tektoro_tui.widgets.permission_grid import PermissionGrid

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Firm
from .tuitools import log_in, notifications, settle


async def open_grid(pilot) -> PermissionGrid:  # type: ignore[no-untyped-def]
    """Log in as the administrator and open the permissions screen."""
    await log_in(pilot, ADMIN_EMAIL, ADMIN_PASSWORD)
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PermissionsScreen)
    return pilot.app.screen.query_one(PermissionGrid)


def put_cursor(grid: PermissionGrid, role: Role, perm: Perm) -> None:
    """Move the grid's cursor to one cell."""
    grid.cursor_coordinate = Coordinate(list(Perm).index(perm), list(Role).index(role) + 1)


async def test_toggling_a_cell_persists(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_grid(pilot)
        put_cursor(grid, Role.STAFF, Perm.USERS_VIEW)
        await pilot.press("space")
        await settle(pilot)
        assert grid.get_cell_at(grid.cursor_coordinate).plain == "✔"
        assert grid.cursor_coordinate == Coordinate(
            list(Perm).index(Perm.USERS_VIEW), list(Role).index(Role.STAFF) + 1
        )
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
    matrix = firm.services.permissions.matrix(firm.admin)
    assert Perm.USERS_VIEW in matrix[Role.STAFF]


async def test_a_locked_grant_is_refused_with_an_error(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_grid(pilot)
        put_cursor(grid, Role.ADMINISTRATOR, Perm.PERMISSIONS_MANAGE)
        await pilot.press("space")
        await settle(pilot)
        errors = [(t, m) for t, m, s in notifications(app) if s == "error"]
        assert errors and errors[0][0] == "Not allowed"
        assert isinstance(app.screen, PermissionsScreen)
    matrix = firm.services.permissions.matrix(firm.admin)
    assert Perm.PERMISSIONS_MANAGE in matrix[Role.ADMINISTRATOR]


async def test_resetting_a_role_asks_first_and_restores_the_defaults(firm: Firm) -> None:
    firm.services.permissions.set_grant(firm.admin, Role.HR, Perm.AUDIT_VIEW, True)
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_grid(pilot)
        put_cursor(grid, Role.HR, Perm.AUDIT_VIEW)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, YesNoDialog)
        await pilot.press("n")
        await settle(pilot)
        assert Perm.AUDIT_VIEW in firm.services.permissions.matrix(firm.admin)[Role.HR]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    assert firm.services.permissions.matrix(firm.admin)[Role.HR] == DEFAULT_MATRIX[Role.HR]


async def test_taking_away_own_permission_updates_the_menus(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_grid(pilot)
        put_cursor(grid, Role.ADMINISTRATOR, Perm.SETTINGS_MANAGE)
        await pilot.press("space")
        await settle(pilot)
        assert app.actor is not None and not app.actor.may(Perm.SETTINGS_MANAGE)
        await pilot.press("escape", "s")
        await settle(pilot)
        assert not isinstance(app.screen, PermissionsScreen)
        assert type(app.screen).__name__ == "HomeScreen"
