"""One snapshot per screen at 80x24, with fixed data, a fixed clock and steady cursors.

Refresh the baselines with ``pytest tests/tui --snapshot-update`` after checking the change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from tektoro_tui.app import TektoroApp

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, STAFF_EMAIL, STAFF_PASSWORD, Firm
from .tuitools import log_in, settle, steady_cursors, type_into

SIZE = (80, 24)
Steps = Callable[[Pilot[None]], Awaitable[None]]


def steps_to(*keys: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> Steps:
    """Log in, press ``keys``, wait for the workers and steady the cursors."""

    async def run_before(pilot: Pilot[None]) -> None:
        await log_in(pilot, email, password)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        steady(pilot)

    return run_before


def steady(pilot: Pilot[None]) -> None:
    """Stop the cursors blinking."""
    app = pilot.app
    assert isinstance(app, TektoroApp)
    steady_cursors(app)


@pytest.fixture
def app(stocked_firm: Firm) -> TektoroApp:
    """The app on the stocked firm."""
    return TektoroApp(services=stocked_firm.services)


def test_login_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_home_of_an_administrator(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=steps_to())


def test_home_of_a_staff_member(firm: Firm, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = TektoroApp(services=firm.services)
    run_before = steps_to(email=STAFF_EMAIL, password=STAFF_PASSWORD)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_users_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=steps_to("u"))


def test_permissions_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=steps_to("r"))


def test_presets_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=steps_to("p"))


def test_settings_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=steps_to("s"))


def test_preset_form_with_problems(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await steps_to("p", "n")(pilot)
        assert isinstance(pilot.app, TektoroApp)
        type_into(pilot.app, "#input-email", "not an address")
        await pilot.press("ctrl+s")
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)
        steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(app: TektoroApp, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=steps_to("u", "f1"))
