"""Calling the services off the UI thread, from any screen, widget or dialog.

A service call runs in a thread worker; its result, its problems or its failure come back on
the UI thread to the node that asked, and only while that node is still on screen. Every
failure is also posted to the app as :class:`ActionFailed`, shown the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen, ScreenResultCallbackType
from textual.worker import Worker, get_current_worker

from ..errors import DatabaseUnreachable, Problem, ValidationError

R = TypeVar("R")


class ActionFailed(Message):
    """A service call failed; the app shows the error the same way everywhere."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class DatabaseLost(Message):
    """A service call found the database unreachable (whether or not the failure is shown):
    the app waits for it to come back, then has the screens read again what they show."""


def call_service(
    node: DOMNode,
    call: Callable[[], R],
    then: Callable[[R], object] | None = None,
    *,
    problems: Callable[[tuple[Problem, ...]], object] | None = None,
    failed: Callable[[BaseException], object] | None = None,
    group: str = "service",
    exclusive: bool = False,
    report: bool = True,
) -> Worker[None]:
    """Run one service call in a thread worker and deliver its outcome on the UI thread.

    Args:
        node: The screen or widget the work belongs to (its result is dropped once it is gone).
        call: The service call, e.g. ``lambda: services.users.list_users(actor)``.
        then: Receives the result on the UI thread.
        problems: Receives the problems of a ValidationError (to mark the form's fields).
        failed: Receives any failure on the UI thread (after it has been reported).
        group: The worker group.
        exclusive: Cancel earlier workers of the same group (e.g. a search as you type).
        report: Show failures as error notifications (False when the screen shows them).

    Every failure, expected or not, is posted to the app as :class:`ActionFailed` and shown
    there as an error notification (unless ``report`` is False); nothing here lets an
    exception end the app. A database found unreachable is also posted as
    :class:`DatabaseLost`, reported or not.
    """
    app = node.app

    def deliver(callback: Callable[[Any], object], value: Any) -> None:
        worker = get_current_worker()

        def on_ui_thread() -> None:
            if not worker.is_cancelled and still_shown(node):
                callback(value)

        with suppress(RuntimeError):  # the app is closing
            app.call_from_thread(on_ui_thread)

    def work() -> None:
        try:
            result = call()
        except Exception as exc:  # noqa: BLE001 - shown as an error, never a crash
            if report:
                app.post_message(ActionFailed(exc))
            if isinstance(exc, DatabaseUnreachable):
                app.post_message(DatabaseLost())
            if problems is not None and isinstance(exc, ValidationError):
                deliver(problems, exc.problems)
            if failed is not None:
                deliver(failed, exc)
            return
        if then is not None:
            deliver(then, result)

    return node.run_worker(work, thread=True, exit_on_error=False, group=group, exclusive=exclusive)


def still_shown(node: DOMNode) -> bool:
    """Whether ``node`` is still part of a screen on the app's stack (not one being left)."""
    if not node.is_attached:
        return False
    screen = node if isinstance(node, Screen) else getattr(node, "screen", None)
    return screen is not None and screen in node.app.screen_stack


def on_top(node: DOMNode) -> bool:
    """Whether ``node``'s screen is the one the user sees and types into."""
    return (
        still_shown(node) and (node if isinstance(node, Screen) else node.screen) is node.app.screen
    )


def push_dialog(
    node: DOMNode,
    dialog: Screen[Any],
    callback: ScreenResultCallbackType[Any] | None = None,
) -> bool:
    """Show ``dialog`` for ``node``, only while ``node``'s screen is on top.

    A worker's result that would open a dialog after the user moved on (to another screen, or
    to another dialog) is dropped: a dialog never opens over a screen it does not belong to.

    Returns:
        Whether the dialog was shown.
    """
    if not on_top(node):
        return False
    node.app.push_screen(dialog, callback)
    return True
