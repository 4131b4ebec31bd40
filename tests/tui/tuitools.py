"""Helpers for driving the app in Pilot tests without sleeping."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tektoro_tui.app import TektoroApp


async def settle(pilot: Pilot[None], rounds: int = 20) -> None:
    """Wait until no worker is running and the screen has caught up with every message."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            return


def steady_cursors(app: TektoroApp) -> None:
    """Stop every text cursor blinking, so screenshots are the same on every run."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False


def type_into(app: TektoroApp, selector: str, text: str) -> None:
    """Put ``text`` into the input field ``selector`` of the current screen."""
    app.screen.query_one(selector, Input).value = text


async def log_in(pilot: Pilot[None], email: str, password: str) -> None:
    """Log in through the login screen."""
    app = pilot.app
    assert isinstance(app, TektoroApp)
    await settle(pilot)
    type_into(app, "#input-email", email)
    type_into(app, "#input-password", password)
    await pilot.click("#log-in")
    await settle(pilot)


def notifications(app: TektoroApp) -> list[tuple[str, str, str]]:
    """The notifications shown so far: (title, message, severity)."""
    return [(n.title, n.message, n.severity) for n in app._notifications]
