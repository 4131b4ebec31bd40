"""Helpers for driving the app in Pilot tests without sleeping.

Pressing and typing wait for the workers they start (:func:`settle`); logging in, opening an
area and building a snapshot's steps go through the screens as a user would; the readers give
what a screen shows as plain text, so tests assert on what the user sees.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from io import StringIO
from typing import Any, TypeVar

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input, Select, Static, Switch, TextArea
from textual.worker import Worker

from tektoro_tui.app import RECONNECT_GROUP, TektoroApp
from tektoro_tui.screens.login import LoginScreen
from tektoro_tui.widgets.dialogs.form import FormModal
from tektoro_tui.widgets.fields import FormField

Steps = Callable[[Pilot[None]], Awaitable[None]]
"""What a snapshot test runs before its screenshot (``snap_compare(run_before=...)``)."""

S = TypeVar("S", bound=Screen[Any])


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
    shown = "\n".join(_frame(pilot.app))
    workers = ", ".join(f"{w.name} {w.state.name}" for w in pilot.app.workers) or "none"
    raise AssertionError(
        f"{what} did not happen within {deadline} s; the screen showed:\n{shown}\n"
        f"workers: {workers}; notifications: {notifications(pilot.app)}"  # type: ignore[arg-type]
    )


LIVE_GROUPS = frozenset({"changes", RECONNECT_GROUP})
"""Worker groups that run for the whole session (the real-time feed watcher) or until the
database comes back (the reconnect watch): never awaited."""


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


def fill(app: TektoroApp, **values: Any) -> None:
    """Put ``values`` into the open form's fields by name (text, choice by label, switch)."""
    form = app.screen
    assert isinstance(form, FormModal), type(form).__name__
    for name, value in values.items():
        control = form.query_one(f"#input-{name}")
        if isinstance(control, Select):
            options = {label: option for label, option in control._options}
            control.value = options[value]
        elif isinstance(control, Switch):
            control.value = bool(value)
        else:
            assert isinstance(control, Input)
            control.value = value


# --- pressing and typing ------------------------------------------------------------------------


async def keys(pilot: Pilot[None], *pressed: str) -> None:
    """Press each key in turn (a single character types it), waiting for the workers after each."""
    for key in pressed:
        await pilot.press(key)
        await settle(pilot)


async def type_text(pilot: Pilot[None], text: str, *then: str, replace: bool = False) -> None:
    """Type ``text`` into the focused field key by key, then press the keys ``then``.

    With ``replace`` the field is emptied first (End, then Ctrl+U).
    """
    if replace:
        await pilot.press("end", "ctrl+u")
    await pilot.press(*text)
    await settle(pilot)
    await keys(pilot, *then)


async def highlight(pilot: Pilot[None], table: DataTable[Any], key: str) -> None:
    """Focus ``table`` and move its cursor to the row ``key`` with the arrow keys."""
    table.focus()
    await keys(pilot, "ctrl+home")
    while table.coordinate_to_cell_key(table.cursor_coordinate)[0].value != key:
        assert table.cursor_row < table.row_count - 1, f"{key} is not listed"
        await keys(pilot, "down")


# --- getting in and around ----------------------------------------------------------------------


async def log_in(
    pilot: Pilot[None], email: str, password: str, *, typing: bool = False, refused: bool = False
) -> None:
    """Log in through the login screen, logging out first if someone is signed in.

    Args:
        pilot: the running app's pilot.
        email: the address typed into the e-mail field.
        password: the password typed into its field.
        typing: type the address, Tab, the password and Enter, as a user does; otherwise the
            fields are filled in and the button is clicked.
        refused: the login is meant to fail; otherwise it is checked that ``email`` got in.
    """
    app = pilot.app
    assert isinstance(app, TektoroApp)
    if app.actor is not None:
        await keys(pilot, "ctrl+l")
    await settle(pilot)
    if typing:
        await until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
        assert focused_id(app) == "input-email"
        await type_text(pilot, email, "tab")
        await type_text(pilot, password, "enter")
    else:
        type_into(app, "#input-email", email)
        type_into(app, "#input-password", password)
        # a Button ignores a click while it still shows the last one (its "-active" effect
        # lasts a fifth of a second): a quick second login would click into that
        button = app.screen.query_one("#log-in")
        await until(pilot, lambda: not button.has_class("-active"), "the Log in button ready")
        await pilot.click("#log-in")
        await settle(pilot)
    if not refused:
        await until(pilot, lambda: not isinstance(app.screen, LoginScreen), f"{email} logged in")
        assert app.actor is not None and app.actor.email.lower() == email.lower()


def go(letter: str) -> tuple[str, ...]:
    """The keys that open the area behind ``letter``: Ctrl+G, then the letter (other keys,
    such as ``ctrl+p``, as they are)."""
    return ("ctrl+g", letter) if len(letter) == 1 else (letter,)


async def go_to_offers(pilot: Pilot[None]) -> list[str]:
    """The areas Go to (Ctrl+G) offers now, by key; Go to is closed again afterwards."""
    from textual.widgets import OptionList

    from tektoro_tui.widgets.dialogs.go_to import GoToDialog

    await keys(pilot, "ctrl+g")
    dialog = pilot.app.screen
    assert isinstance(dialog, GoToDialog), "Go to did not open"
    listed = dialog.query_one(OptionList)
    offered = [str(listed.get_option_at_index(i).id) for i in range(listed.option_count)]
    await keys(pilot, "escape")
    return offered


async def open_area(
    pilot: Pilot[None],
    key: str,
    kind: type[S] = Screen,  # type: ignore[assignment]
    *,
    login: tuple[str, str] | None = None,
) -> S:
    """Open the area behind the letter ``key`` in Go to (Ctrl+G, then the letter), or press
    ``key`` itself when it is not a letter (``ctrl+p``), logging in as ``login`` first; the
    screen shown afterwards, checked to be a ``kind``.
    """
    if login is not None:
        await log_in(pilot, *login)
    await keys(pilot, *go(key))
    screen = pilot.app.screen
    assert isinstance(screen, kind), f"{key} shows {type(screen).__name__}, not {kind.__name__}"
    return screen


def snapshot_steps(
    *pressed: str,
    login: tuple[str, str],
    typing: bool = False,
    arrange: Callable[[TektoroApp], None] | None = None,
) -> Steps:
    """The steps before a snapshot: log in, press ``pressed``, then steady the screen.

    ``arrange`` may change the app once the keys are pressed (e.g. the title bar); then the
    notifications are cleared, the workers awaited and the cursors stopped blinking.
    """

    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, TektoroApp)
        await log_in(pilot, *login, typing=typing)
        await keys(pilot, *pressed)
        if arrange is not None:
            arrange(app)
        app.clear_notifications()
        await settle(pilot)
        steady_cursors(app)

    return run_before


# --- what the screen shows ----------------------------------------------------------------------


def notifications(app: TektoroApp) -> list[tuple[str, str, str]]:
    """The notifications shown so far: (title, message, severity)."""
    return [(n.title, n.message, n.severity) for n in app._notifications]


def errors(app: TektoroApp) -> list[tuple[str, str]]:
    """The error notifications shown so far: (title, message)."""
    return [
        (title, message) for title, message, severity in notifications(app) if severity == "error"
    ]


def focused_id(app: App[Any]) -> str | None:
    """The id of the focused widget (None when nothing has the focus)."""
    return app.focused.id if app.focused is not None else None


def text_of(app: App[Any], selector: str) -> str:
    """What the Static (or Label) ``selector`` of the current screen says."""
    return str(app.screen.query_one(selector, Static).render())


def shown_text(static: Static, width: int = 200) -> str:
    """What a Static shows, laid out ``width`` columns wide as plain text (tables included)."""
    console = Console(width=width, record=True, file=StringIO())
    console.print(static.content)
    return console.export_text()


def table_rows(
    source: App[Any] | DataTable[Any], selector: str | type[DataTable[Any]] = DataTable
) -> list[list[str]]:
    """Every row of a table as plain text: ``source`` itself, or ``selector`` on its screen."""
    if isinstance(source, DataTable):
        table = source
    elif isinstance(selector, str):
        table = source.screen.query_one(selector, DataTable)
    else:
        table = source.screen.query_one(selector)
    return [[str(cell).strip() for cell in table.get_row_at(i)] for i in range(table.row_count)]


def screen_text(app: App[Any]) -> str:
    """Every text and table cell of the current screen, and its screenshot, as one string."""
    parts = [shown_text(static) for static in app.screen.query(Static)]
    parts += ["\t".join(row) for table in app.screen.query(DataTable) for row in table_rows(table)]
    parts.append(app.export_screenshot())
    return "\n".join(parts)


def invalid_fields(app: App[Any]) -> dict[str, str]:
    """The fields marked wrong on the current screen, with their messages."""
    return {
        field.field_name: str(field.query_one(".field-problem", Static).render())
        for field in app.screen.query(FormField)
        if field.has_class("-invalid")
    }
