"""Helpers for driving the app in Pilot tests without sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, TextArea
from textual.worker import Worker

from tektoro_tui.app import TektoroApp


async def settle(pilot: Pilot[None], rounds: int = 20) -> None:
    """Wait until no worker is running and the screen has caught up with every message."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        finite = _finite_workers(app)
        if finite:  # an empty list would make Textual wait for every worker, the live one too
            await app.workers.wait_for_complete(finite)
        await pilot.pause()
        if not any(worker.is_running for worker in _finite_workers(app)):
            break
    await _settle_layout(pilot, rounds)


async def _settle_layout(pilot: Pilot[None], rounds: int) -> None:
    """Wait until the screen has laid out what the last messages changed.

    A table measures its new rows only when its message queue runs dry, and the containers
    sized to it are laid out on the refresh after that. On a busy machine a screenshot can
    fall between the two; this waits until no widget of the screen has work of that kind left.
    """
    for _ in range(rounds):
        await pilot.pause()
        if not _layout_pending(pilot.app.screen):
            break
    await _settle_frames(pilot, rounds)


async def _settle_frames(pilot: Pilot[None], rounds: int) -> None:
    """Wait until two frames a moment apart are the same, the flags above notwithstanding.

    A worker's result reaches the screen through ``call_from_thread``; on a loaded machine it
    can land after the checks above have passed, and its re-layout with it.
    """
    shot = _frame(pilot.app)
    for _ in range(rounds):
        await pilot.pause(0.02)
        again = _frame(pilot.app)
        if again == shot and not _layout_pending(pilot.app.screen):
            return
        shot = again


def _frame(app: App[None]) -> tuple[str, ...]:
    """The text of every line the screen would draw now (cheaper than a screenshot)."""
    update = app.screen._compositor.render_update(full=True)
    lines = getattr(update, "strips", ())
    return tuple("".join(segment.text for strip in line for segment in strip) for line in lines)


def _layout_pending(screen: Widget) -> bool:
    """Whether ``screen`` or any widget on it still has a measure, layout or repaint to do."""
    if getattr(screen, "_layout_required", False) or getattr(screen, "_dirty_widgets", None):
        return True
    for widget in screen.walk_children(Widget):
        if widget._layout_required or widget._repaint_required:
            return True
        if isinstance(widget, DataTable) and (
            widget._require_update_dimensions or widget._updated_cells
        ):
            return True
    return False


async def until(
    pilot: Pilot[None], done: Callable[[], bool], what: str, deadline: float = 10.0
) -> None:
    """Let the app run a frame at a time until ``done()`` holds; fail after ``deadline`` s.

    For what arrives from outside the app's own workers (the change feed), which
    :func:`settle` does not wait for.
    """
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{what} did not happen within {deadline} s")


LIVE_GROUPS = frozenset({"changes"})
"""Worker groups that run for the whole session (the real-time feed watcher): never awaited."""


def _finite_workers(app: TektoroApp) -> list[Worker[object]]:
    return [worker for worker in app.workers if worker.group not in LIVE_GROUPS]


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
