"""A signed-in TUI on PostgreSQL holds at most two connections: one for its work, one that
listens for other sessions' changes, whatever screens it opens."""

from __future__ import annotations

from tektoro_tui.app import TektoroApp
from tektoro_tui.data.engine import APPLICATION_NAME
from tektoro_tui.screens.areas import AREAS
from tektoro_tui.services.base import FixedClock
from tektoro_tui.services.hub import Services
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, connected, make_firm
from tests.data.test_connection_budget import connections
from tests.finance_world import NOW, build_world

from .tuitools import errors, go, keys, log_in, until


async def test_a_tui_walking_every_screen_holds_two_connections(pg_url: str) -> None:
    with connected(pg_url, FixedClock(NOW)) as builder:
        build_world(builder, make_firm(builder))
    services = Services.connect(pg_url, clock=FixedClock(NOW))
    app = TektoroApp(services=services)
    listener = f"{APPLICATION_NAME} live updates"
    counts: dict[str, tuple[int, int]] = {}
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await log_in(pilot, OWNER_EMAIL, OWNER_PASSWORD)
            await until(pilot, lambda: connections(pg_url, listener) == 1, "the listener")
            for area in AREAS:
                await keys(pilot, *go(area.hotkey))
                counts[area.key] = (connections(pg_url), connections(pg_url, listener))
                await keys(pilot, "escape")
            assert not errors(app)
    finally:
        services.close()
    assert counts and all(work <= 1 and listening == 1 for work, listening in counts.values()), (
        counts
    )
