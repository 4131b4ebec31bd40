"""One snapshot per screen at 80x24, with fixed data, a fixed clock and steady cursors.

Refresh the baselines with ``pytest tests/tui --snapshot-update`` after checking the change.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from tektoro_tui.app import TektoroApp

from .conftest import ADMIN, STAFF, Firm
from .tuitools import go, keys, settle, snapshot_steps, steady_cursors, type_into

SIZE = (80, 24)


@pytest.fixture
def app(stocked_firm: Firm) -> TektoroApp:
    """The app on the stocked firm."""
    return TektoroApp(services=stocked_firm.services)


def test_login_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        steady_cursors(app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_home_of_an_administrator(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=snapshot_steps(login=ADMIN))


def test_home_of_a_staff_member(firm: Firm, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = TektoroApp(services=firm.services)
    run_before = snapshot_steps(login=STAFF)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_users_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=snapshot_steps(*go("u"), login=ADMIN))


def test_permissions_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=snapshot_steps(*go("r"), login=ADMIN))


def test_presets_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=snapshot_steps(*go("p"), login=ADMIN))


def test_settings_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=snapshot_steps(*go("s"), login=ADMIN))


def test_preset_form_with_problems(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await snapshot_steps(*go("p"), "n", login=ADMIN)(pilot)
        type_into(app, "#input-email", "not an address")
        await keys(pilot, "ctrl+s")
        app.clear_notifications()
        await settle(pilot)
        steady_cursors(app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        app, terminal_size=SIZE, run_before=snapshot_steps(*go("u"), "f1", login=ADMIN)
    )
