"""What every screen shares: the title bar and footer, and calling services off the UI thread.

This module stays light (no services, no SQLAlchemy) because the login screen is built on it
and must appear quickly; service types are imported for type checking only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from ..errors import Problem, ValidationError
from ..widgets.key_footer import KeyFooter
from ..widgets.title_bar import TitleBar
from .messages import ActionFailed, DataChanged

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services
    from ..widgets.dialogs.form import FormModal

R = TypeVar("R")
D = TypeVar("D")


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
    exception end the app.
    """
    app = node.app

    def deliver(callback: Callable[[Any], object], value: Any) -> None:
        worker = get_current_worker()

        def on_ui_thread() -> None:
            if not worker.is_cancelled and node.is_attached:
                callback(value)

        with suppress(RuntimeError):  # the app is closing
            app.call_from_thread(on_ui_thread)

    def work() -> None:
        try:
            result = call()
        except Exception as exc:  # noqa: BLE001 - shown as an error, never a crash
            if report:
                app.post_message(ActionFailed(exc))
            if problems is not None and isinstance(exc, ValidationError):
                deliver(problems, exc.problems)
            if failed is not None:
                deliver(failed, exc)
            return
        if then is not None:
            deliver(then, result)

    return node.run_worker(work, thread=True, exit_on_error=False, group=group, exclusive=exclusive)


def edit_in_form(
    node: DOMNode,
    make_form: Callable[[D, tuple[Problem, ...]], FormModal[D]],
    draft: D,
    save: Callable[[D], R],
    then: Callable[[R], object],
    problems: tuple[Problem, ...] = (),
) -> None:
    """Open a form on ``draft``; save what comes back; reopen it marked while problems remain.

    Args:
        node: The screen or widget asking.
        make_form: Builds the form for a draft and the problems of the last attempt.
        draft: The values the form starts with.
        save: The service call that takes the typed draft (run in a thread worker).
        then: Receives the saved record on the UI thread.
        problems: Problems to mark at once.
    """

    def submitted(typed: D | None) -> None:
        if typed is None:
            return

        def again(found: tuple[Problem, ...]) -> None:
            edit_in_form(node, make_form, typed, save, then, found)

        call_service(node, lambda: save(typed), then, problems=again)

    node.app.push_screen(make_form(draft, problems), submitted)


class Connection:
    """The database the app opens in the background; screens wait for it in their workers."""

    def __init__(self, url: str) -> None:
        """A connection to ``url`` that is not open yet."""
        self.url = url
        self._ready = threading.Event()
        self._services: Services | None = None
        self._error: BaseException | None = None

    def opened(self, services: Services) -> None:
        """The database is open."""
        self._services = services
        self._ready.set()

    def failed(self, error: BaseException) -> None:
        """The database could not be opened."""
        self._error = error
        self._ready.set()

    @property
    def is_open(self) -> bool:
        """Whether the services are ready."""
        return self._services is not None

    def services(self, timeout: float = 60.0) -> Services:
        """The services, waiting (in a worker) until the database is open; re-raise a failure."""
        if not self._ready.wait(timeout):
            raise TimeoutError("The database did not open in time.")
        if self._error is not None:
            raise self._error
        assert self._services is not None
        return self._services


class TektoroScreen(Screen[None]):
    """A full screen with the title bar on top and the key hints in the footer."""

    TITLE_TEXT: ClassVar[str] = ""
    """The screen's name in the title bar and the help."""

    HELP: ClassVar[str] = ""
    """What the screen is for, one or two sentences for the help screen."""

    def compose(self) -> ComposeResult:
        """The title bar, the screen's own body and the footer."""
        yield TitleBar(self.TITLE_TEXT)
        yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> ComposeResult:
        """The widgets between the title bar and the footer."""
        yield from ()

    def _screen_resized(self, size: Size) -> None:
        """Lay the screen out again only when its size has really changed.

        Textual hands the terminal's first size to the screens when the app is first idle,
        after the first frame. At the size the screen was just laid out at, that was a second
        full layout and render: most of the login's work between being drawn and taking keys.
        (This overrides a private method; Textual's version is pinned exactly.)
        """
        if size != self._size:
            super()._screen_resized(size)

    def on_mount(self) -> None:
        """Keep the title bar's status in step with the app's."""
        if hasattr(self.app, "status_line"):
            self.watch(self.app, "status_line", self._show_status)

    def _show_status(self, status: str) -> None:
        self.query_one(TitleBar).status = status


class AreaScreen(TektoroScreen):
    """A screen of the signed-in app, given the services and the user acting."""

    BINDINGS = [Binding("escape", "app.go_back", "Back")]

    def __init__(self, services: Services, actor: Actor) -> None:
        """A screen acting as ``actor`` through ``services``."""
        super().__init__()
        self.services = services
        self.actor = actor

    REFRESH_ON: ClassVar[frozenset[str]] = frozenset()
    """Tables (change-feed entities such as "invoice", "payment", "time_entry") whose changes,
    by any session, make this screen reload its data without a key press."""

    RELOAD_ON_RESUME: ClassVar[bool] = False
    """Read everything again each time the screen is shown, its first showing included (Home:
    its figures follow what was done on the other screens)."""

    _stale: bool = False

    def refresh_data(self) -> None:
        """Reload what the screen shows; screens with ``REFRESH_ON`` override this."""

    def on_data_changed(self, message: DataChanged) -> None:
        """Reload now when this screen is showing, else when it is shown again."""
        if not (message.entities & self.REFRESH_ON):
            return
        if self.is_current:
            self.refresh_data()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        """Catch up with changes that arrived while another screen was on top (or reload
        anyway with ``RELOAD_ON_RESUME``)."""
        if self._stale or self.RELOAD_ON_RESUME:
            self._stale = False
            self.refresh_data()
