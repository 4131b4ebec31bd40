"""What every screen shares: the title bar and footer, and calling services off the UI thread.

This module stays light (no services, no SQLAlchemy) because the login screen is built on it
and must appear quickly; service types are imported for type checking only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import Screen
from textual.timer import Timer

from ..errors import Problem
from ..widgets import keymap
from ..widgets.calls import call_service, push_dialog, still_shown
from ..widgets.key_footer import KeyFooter
from ..widgets.title_bar import TitleBar
from .messages import DataChanged

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services
    from ..widgets.dialogs.form import FormModal

__all__ = [
    "AreaScreen",
    "Connection",
    "TektoroScreen",
    "call_service",
    "edit_in_form",
    "push_dialog",
]

R = TypeVar("R")
D = TypeVar("D")


def edit_in_form(
    node: DOMNode,
    make_form: Callable[[D, tuple[Problem, ...]], FormModal[D]],
    draft: D,
    save: Callable[[D], R],
    then: Callable[[R], object],
    problems: tuple[Problem, ...] = (),
) -> None:
    """Open a form on ``draft``; Save runs ``save`` while the form stays up, marking what is
    wrong in it; once ``save`` passes, the form closes and ``then`` gets the result.

    Args:
        node: The screen or widget asking (the form opens only while its screen is on top).
        make_form: Builds the form for a draft and the problems to mark at once.
        draft: The values the form starts with.
        save: The service call that takes the typed draft (run in a thread worker).
        then: Receives the saved record on the UI thread, after the form has closed.
        problems: Problems to mark at once.
    """
    form = make_form(draft, problems)

    def checked(result: R) -> None:
        if still_shown(node):
            then(result)

    form.save_through(save, checked)
    form.reload_through(lambda: reload_screen(node))
    push_dialog(node, form)


def reload_screen(node: DOMNode) -> None:
    """Read again what the screen of ``node`` shows (its Reload key, else its live reload)."""
    screen = getattr(node, "screen", None)
    if screen is None or not still_shown(node):
        return
    reload = getattr(screen, "action_reload", None) or getattr(screen, "refresh_data", None)
    if reload is not None:
        reload()


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

    BINDINGS = [Binding(keymap.BACK, "app.go_back", "Back")]

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

    LIVE_RELOAD_INTERVAL: ClassVar[float] = 0.5
    """The shortest time between two reloads caused by other sessions' changes. The first
    change is shown at once; changes arriving faster than this are gathered into one reload
    at the end of the interval, so a busy office costs an open screen at most two reloads a
    second, whatever the number of changes, and no change waits longer than this."""

    shown_owners: frozenset[int] | None = None
    """The people whose records (time entries, notifications) the screen shows, as its last
    load found them; None means anybody's. A change to the records of somebody else is not
    read again. Set by the screens whose data belong to a few people."""

    OWN_ONLY: ClassVar[frozenset[str]] = frozenset()
    """Tables of ``REFRESH_ON`` of which the screen shows the signed-in user's own records
    only, whoever else's it shows of the others (Home: one's own pay among the firm's
    figures); a change to somebody else's is not read again."""

    _stale: bool = False
    _last_live_reload: float = 0.0
    _live_reload_timer: Timer | None = None

    def refresh_data(self) -> None:
        """Reload what the screen shows; screens with ``REFRESH_ON`` override this."""

    @property
    def showing(self) -> bool:
        """Whether the user sees this screen: it is on top, or only dialogs that let it show
        through lie above it. (Textual's ``is_current`` also counts a screen hidden under an
        opaque one, so a Home covered by another area would keep reloading unseen.)"""
        stack = self.app.screen_stack
        if self not in stack:
            return False
        above = stack[stack.index(self) + 1 :]
        return all(screen.styles.background.a < 1 for screen in above)

    def take_changes(self, message: DataChanged) -> None:
        """Other sessions committed ``message``'s changes (called by the app for each screen on
        the stack). A screen that shows none of it ignores it; a showing one is told (and
        reloads); a hidden one reloads when it is shown again. Nothing is sent to a hidden
        screen: a message handled by a screen under another made Textual repaint the whole
        screen on top (measured: 6 % of a core for 600 changes a minute)."""
        if self.showing:
            self.post_message(message)  # its handler sees whether it concerns the screen
        elif self.concerned_by(message):
            self._stale = True

    def on_data_changed(self, message: DataChanged) -> None:
        """Reload when this screen is showing (at most once an interval), else when it is
        shown again."""
        if not self.concerned_by(message):
            return
        if not self.showing:
            self._stale = True
            return
        if self._live_reload_timer is not None:
            return  # a reload is already coming, and will read this change too
        wait = self._last_live_reload + self.LIVE_RELOAD_INTERVAL - time.monotonic()
        if wait <= 0:
            self._live_reload()
        else:
            self._live_reload_timer = self.set_timer(wait, self._live_reload)

    def catch_up(self) -> None:
        """Read again what the screen shows (the database was unreachable for a while, so a
        reload may have failed): at once when it is showing, else when it is shown again."""
        if self.showing:
            self.refresh_data()
        else:
            self._stale = True

    def concerned_by(self, message: DataChanged) -> bool:
        """Whether a change in ``message`` can alter what this screen shows: a table in
        ``REFRESH_ON``, and a record of nobody in particular or of one of ``shown_owners``
        (of the signed-in user, in a table of ``OWN_ONLY``)."""
        return any(self._shows(entity, owner) for entity, owner in message.touched)

    def _shows(self, entity: str, owner: int | None) -> bool:
        if entity not in self.REFRESH_ON:
            return False
        if owner is None:
            return True
        if entity in self.OWN_ONLY:
            return owner == self.actor.user_id
        return self.shown_owners is None or owner in self.shown_owners

    def _live_reload(self) -> None:
        self._live_reload_timer = None
        self._last_live_reload = time.monotonic()
        if self.showing:
            self.refresh_data()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        """Catch up with changes that arrived while another screen was on top (or reload
        anyway with ``RELOAD_ON_RESUME``)."""
        if self._stale or self.RELOAD_ON_RESUME:
            self._stale = False
            self.refresh_data()
