"""The permission grid: toggles persist, locked grants are refused, roles reset."""

from __future__ import annotations

from textual.coordinate import Coordinate

from tektoro_tui.app import TektoroApp
from tektoro_tui.domain.permissions import DEFAULT_MATRIX, Perm, Role
from tektoro_tui.screens.permissions import PermissionsScreen
from tektoro_tui.widgets.dialogs.confirm import YesNoDialog
from tektoro_tui.widgets.permission_grid import PermissionGrid

from .conftest import ADMIN, Firm
from .tuitools import errors, go, go_to_offers, keys, open_area, until


async def open_grid(pilot) -> PermissionGrid:  # type: ignore[no-untyped-def]
    """Log in as the administrator and open the permissions screen."""
    screen = await open_area(pilot, "r", PermissionsScreen, login=ADMIN)
    return screen.query_one(PermissionGrid)


def put_cursor(grid: PermissionGrid, role: Role, perm: Perm) -> None:
    """Move the grid's cursor to one cell."""
    grid.cursor_coordinate = Coordinate(list(Perm).index(perm), list(Role).index(role) + 1)


async def test_toggling_a_cell_persists(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_grid(pilot)
        put_cursor(grid, Role.STAFF, Perm.USERS_VIEW)
        await keys(pilot, "space")
        assert grid.get_cell_at(grid.cursor_coordinate).plain == "✔"
        assert grid.cursor_coordinate == Coordinate(
            list(Perm).index(Perm.USERS_VIEW), list(Role).index(Role.STAFF) + 1
        )
        await keys(pilot, "enter", "enter")
    matrix = firm.services.permissions.matrix(firm.admin)
    assert Perm.USERS_VIEW in matrix[Role.STAFF]


async def test_a_locked_grant_is_refused_with_an_error(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_grid(pilot)
        put_cursor(grid, Role.ADMINISTRATOR, Perm.PERMISSIONS_MANAGE)
        await keys(pilot, "space")
        refusals = errors(app)
        assert refusals and refusals[0][0] == "Not allowed"
        assert isinstance(app.screen, PermissionsScreen)
    matrix = firm.services.permissions.matrix(firm.admin)
    assert Perm.PERMISSIONS_MANAGE in matrix[Role.ADMINISTRATOR]


async def test_resetting_a_role_asks_first_and_restores_the_defaults(firm: Firm) -> None:
    firm.services.permissions.set_grant(firm.admin, Role.HR, Perm.AUDIT_VIEW, True)
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_grid(pilot)
        put_cursor(grid, Role.HR, Perm.AUDIT_VIEW)
        await keys(pilot, "0")
        assert isinstance(app.screen, YesNoDialog)
        await keys(pilot, "n")
        assert Perm.AUDIT_VIEW in firm.services.permissions.matrix(firm.admin)[Role.HR]
        await keys(pilot, "0", "y")
    assert firm.services.permissions.matrix(firm.admin)[Role.HR] == DEFAULT_MATRIX[Role.HR]


async def test_taking_away_own_permission_updates_the_menus(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_grid(pilot)
        put_cursor(grid, Role.ADMINISTRATOR, Perm.SETTINGS_MANAGE)
        await keys(pilot, "space")
        assert app.actor is not None and not app.actor.may(Perm.SETTINGS_MANAGE)
        await keys(pilot, "escape")
        assert "settings" not in await go_to_offers(pilot)
        await keys(pilot, *go("s"), "escape")
        assert not isinstance(app.screen, PermissionsScreen)
        assert type(app.screen).__name__ == "HomeScreen"


async def test_a_change_made_in_another_session_shows_in_the_grid_and_the_menus(
    firm: Firm,
) -> None:
    """Another administrator takes away Settings from administrators and gives staff the
    users list: the grid shows both without a key press, and Go to stops offering Settings."""
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_grid(pilot)
        put_cursor(grid, Role.STAFF, Perm.USERS_VIEW)
        assert grid.get_cell_at(grid.cursor_coordinate).plain != "✔"
        other = firm.services.auth.login(*ADMIN)  # the same rights, another session's actor
        firm.services.permissions.set_grant(other, Role.STAFF, Perm.USERS_VIEW, True)
        firm.services.permissions.set_grant(other, Role.ADMINISTRATOR, Perm.SETTINGS_MANAGE, False)
        await until(
            pilot,
            lambda: grid.get_cell_at(grid.cursor_coordinate).plain == "✔",
            "the grant shown in the grid",
        )
        await until(
            pilot,
            lambda: app.actor is not None and not app.actor.may(Perm.SETTINGS_MANAGE),
            "the signed-in administrator's rights read again",
        )
        assert app.screen.actor is app.actor  # the open screen acts with the new rights too
        await keys(pilot, "escape")
        assert "settings" not in await go_to_offers(pilot)
