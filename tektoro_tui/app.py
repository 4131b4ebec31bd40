"""The TekToro Textual app: the login screen first, then one screen per area.

The app owns the signed-in :class:`~tektoro_tui.services.base.Actor`, the database connection
(opened in a thread worker once the login screen has been painted) and the one way errors are
shown. Only light modules are imported here; SQLAlchemy and the services are loaded in the
background, and each area's screen module when it is first opened, so that ``tektoro`` shows
its login screen about as fast as a bare Textual app.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, get_current_worker

from .errors import AuthenticationError, DatabaseUnreachable, TektoroError, ValidationError
from .loading import resume_collection
from .screens.areas import AREAS, AREAS_BY_KEY, Area
from .screens.base import AreaScreen, Connection, TektoroScreen
from .screens.login import LoginScreen
from .screens.messages import (
    ActionFailed,
    AreaWanted,
    DatabaseLost,
    DataChanged,
    LoginShown,
    OrganisationNamed,
    PermissionsChanged,
    SignedIn,
)
from .widgets import keymap
from .widgets.calls import call_service
from .widgets.unsaved import leave_then

if TYPE_CHECKING:
    from .services.base import Actor
    from .services.changes import ChangeSubscription
    from .services.hub import Services

EXIT_ON_READY = "TEKTORO_EXIT_ON_READY"
"""Test hook: ``login`` makes the app exit as soon as the login screen has been painted, before
the database is opened (tests use it to see what the first screen needs). The start-up
benchmark instead drives the program in a terminal until it answers a key."""

OPENING_SWITCH_INTERVAL = 0.0005
"""Seconds the database worker holds the interpreter before the screen may take it back, while
the database opens (Python's default is 0.005). Opening loads SQLAlchemy, about 0.15 s of
Python work in that thread; with the default, every key typed meanwhile waited up to 5 ms at
each step of its handling before the screen could draw it."""

LIVE_WAIT_SECONDS = 1.0
"""How long the live-update worker waits for changes before looking for its cancellation."""

LIVE_RETRY_SECONDS = 2.0
"""The pause after a failed read of the change feed before the live-update worker tries again."""

RECONNECT_FIRST_SECONDS = 1.0
"""After the database was found unreachable, the first wait before trying it again; each
failed try doubles the wait, up to :data:`RECONNECT_LONGEST_SECONDS`."""

RECONNECT_LONGEST_SECONDS = 10.0
"""The longest wait between two tries of an unreachable database."""

RECONNECT_GROUP = "reconnect"
"""The worker group of the wait for a database found unreachable (one at a time)."""

LIVE_GATHER_SECONDS = 0.2
"""The shortest time between two reads of the change feed. The first commit after a quiet
spell is read at once; commits arriving faster are read together a moment later, so a busy
office (1,000 commits a minute) costs each open TUI five reads a second, not seventeen."""


class AreaCommands(Provider):
    """Command palette entries: the actions of the screen underneath, every screen the
    signed-in user may open, and log out, each found by its name or the words a bookkeeper
    would use for it (``keymap.ACTION_WORDS``, the areas' summaries and words)."""

    def _commands(self) -> list[tuple[str, str, str, Callable[[], object]]]:
        """(text, help, extra words searched, callback) of every command offered now."""
        app = self.app
        if not isinstance(app, TektoroApp) or app.actor is None:
            return []
        found: list[tuple[str, str, str, Callable[[], object]]] = [
            (text, help_text, words, partial(self._run_on_screen, action))
            for text, help_text, words, action in screen_actions(self.screen)
        ]
        found += [
            (f"Open {area.title}", area.summary, area.words, partial(app.open_area, area.key))
            for area in AREAS
            if area.open_to(app.actor)
        ]
        found.append(
            (
                "Log out",
                "Sign out and return to the login screen",
                "sign out exit leave",
                app.action_sign_out,
            )
        )
        return found

    def _run_on_screen(self, action: str) -> None:
        """Run ``action`` on the screen the palette was opened on, if it is still on top."""
        screen = self.screen
        if screen is self.app.screen:
            self.app.call_later(screen.run_action, action)

    async def discover(self) -> Hits:
        """Every command, before anything is typed."""
        for text, summary, _words, command in self._commands():
            yield DiscoveryHit(text, command, help=summary)

    async def search(self, query: str) -> Hits:
        """The commands whose name, help or words match ``query``."""
        matcher = self.matcher(query)
        for text, summary, words, command in self._commands():
            score = max(
                matcher.match(text),
                0.9 * matcher.match(f"{summary} {words}"),
            )
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=summary)


def screen_actions(screen: Screen[object]) -> list[tuple[str, str, str, str]]:
    """(name, help, words, action) of each action the screen offers now (its own keys)."""
    from .widgets.keymap import ACTION_WORDS, key_text

    found: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if active.node is not screen or not active.enabled or not binding.description:
            continue
        if binding.action in seen or binding.action.startswith("app."):
            continue
        seen.add(binding.action)
        name = binding.action.split("(", 1)[0]
        words = ACTION_WORDS.get(binding.action, ACTION_WORDS.get(name, ""))
        help_text = f"{binding.description} on this screen (key {key_text(binding.key)})"
        found.append((binding.description, help_text, words, binding.action))
    return found


class TektoroApp(App[None]):
    """Time cards to invoices, payments and pay for a small firm, in the terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "TekToro"
    COMMANDS = App.COMMANDS | {AreaCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(keymap.HELP, "help", "Help"),
        Binding(keymap.GO_TO, "go_to", "Go to", show=False),
        Binding(keymap.LOG_OUT, "sign_out", "Log out"),
    ]

    status_line: reactive[str] = reactive("")
    """Organisation, user, role and database, shown in every screen's title bar."""

    def __init__(self, db_url: str | None = None, services: Services | None = None) -> None:
        """An app for the database at ``db_url``, or around already opened ``services``.

        Args:
            db_url: The database URL; None with no ``services`` means the configured one.
            services: Services opened by the caller (tests pass them with a fixed clock).
        """
        super().__init__()
        self._given_services = services
        self.connection = Connection(db_url or "")
        self.actor: Actor | None = None
        self.organisation = ""
        self.database = ""
        self._opening = False
        self._live: tuple[Worker[None], list[ChangeSubscription]] | None = None
        self._live_off_told = False

    # --- start-up ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Show the login screen at once; the database opens after it has been painted."""
        self.push_screen(LoginScreen(self.connection))

    def on_login_shown(self, _message: LoginShown) -> None:
        """Exit for the start-up benchmark, or open the database in the background."""
        if os.environ.get(EXIT_ON_READY) == "login":
            self.exit()
            return
        if self.connection.is_open:
            self._tell_login(f"Database: {self.database}")
        elif not self._opening:
            self._opening = True
            self.open_database()

    @work(thread=True, exit_on_error=False, group="database")
    def open_database(self) -> None:
        """Open the database (creating an empty one's schema) and see if it is set up."""
        previous = sys.getswitchinterval()
        sys.setswitchinterval(OPENING_SWITCH_INTERVAL)
        try:
            services = self._given_services or self._connect()
            initialised = services.auth.is_initialised()
        except Exception as exc:  # noqa: BLE001 - shown on the login screen, never a crash
            self.connection.failed(exc)
            self.call_from_thread(self._database_failed, exc)
            return
        finally:
            sys.setswitchinterval(previous)
            resume_collection()  # paused by the entry point while the program loaded
        self.connection.opened(services)
        self.call_from_thread(self._database_opened, services.db.display_url, initialised)

    def _connect(self) -> Services:
        from .services.hub import Services

        url = self.connection.url
        if not url:
            from .config import resolve_database

            url = resolve_database(None).url
        return Services.connect(url)

    def _database_opened(self, display_url: str, initialised: bool) -> None:
        self.database = display_url
        self._update_status()
        if initialised:
            self._tell_login(f"Database: {display_url}")
            return
        from .screens.setup import SetupScreen

        self._show_only(SetupScreen(self.connection))

    def _database_failed(self, error: BaseException) -> None:
        self._tell_login(f"The database could not be opened: {error}")
        self.show_error(error)

    def _tell_login(self, text: str) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, LoginScreen):
                screen.show_database(text)

    # --- signing in and out ---------------------------------------------------------------

    @property
    def services(self) -> Services:
        """The open services (only after the database has opened)."""
        return self.connection.services(timeout=0)

    def on_signed_in(self, message: SignedIn) -> None:
        """Show the new user's home screen; messages about earlier attempts are gone (a
        standing warning, such as live updates being off, is told again once)."""
        self.clear_notifications()
        self._live_off_told = False
        self.actor = message.actor
        self._update_status()
        home = AREAS_BY_KEY["home"].screen_class()
        self._show_only(home(self.services, message.actor))
        self.load_organisation_name(message.actor)
        self.start_live_updates()

    def sign_out(self) -> None:
        """Forget the user and return to the login screen, leaving none of their messages."""
        self.clear_notifications()
        self.stop_live_updates()
        self.workers.cancel_group(self, RECONNECT_GROUP)
        self.actor = None
        self.organisation = ""
        self._update_status()
        self._show_only(LoginScreen(self.connection))

    def action_sign_out(self) -> None:
        """Log out (ctrl+l), asking first when a form holds unsaved changes."""
        if self.actor is not None:
            leave_then(self, self.screen_stack, self.sign_out)

    async def action_quit(self) -> None:
        """Quit (ctrl+q), asking first when a form holds unsaved changes."""
        leave_then(self, self.screen_stack, self.exit)

    def on_permissions_changed(self, _message: PermissionsChanged) -> None:
        """Re-read the signed-in user's permissions so menus match the new matrix."""
        if self.actor is not None:
            self.refresh_actor(self.actor.user_id)

    @work(thread=True, exit_on_error=False, group="actor", exclusive=True)
    def refresh_actor(self, user_id: int) -> None:
        """Load the user's current role and permissions."""
        try:
            actor = self.services.auth.actor(user_id)
        except Exception as exc:  # noqa: BLE001 - shown as an error, never a crash
            self.post_message(ActionFailed(exc))
            return
        self.call_from_thread(self._actor_refreshed, actor)

    def load_organisation_name(self, actor: Actor) -> None:
        """Name the organisation in the title bars, whichever screen the user goes to first."""
        call_service(
            self,
            lambda: self.services.home.organisation_name(actor),
            partial(self._organisation_loaded, actor.user_id),
            group="organisation",
            exclusive=True,
        )

    def _organisation_loaded(self, user_id: int, name: str) -> None:
        if self.actor is not None and self.actor.user_id == user_id and not self.organisation:
            self.organisation = name
            self._update_status()

    def _actor_refreshed(self, actor: Actor) -> None:
        if self.actor is not None and self.actor.user_id == actor.user_id:
            self.actor = actor
            self._update_status()
            for screen in self.screen_stack:  # their keys follow the rights they act with
                if isinstance(screen, AreaScreen):
                    screen.actor = actor
                    screen.refresh_bindings()
            self.refresh_bindings()

    # --- live updates ---------------------------------------------------------------------

    def start_live_updates(self) -> None:
        """Start the one worker that tells the open screens about other sessions' changes."""
        self.stop_live_updates()
        holder: list[ChangeSubscription] = []
        self._live = (self.watch_changes(holder), holder)

    def stop_live_updates(self) -> None:
        """Cancel the live-update worker and wake it, so it closes its subscription at once."""
        if self._live is None:
            return
        worker, holder = self._live
        self._live = None
        worker.cancel()
        for subscription in holder:
            subscription.close()

    @work(thread=True, exit_on_error=False, group="changes", exclusive=True)
    def watch_changes(self, holder: list[ChangeSubscription]) -> None:
        """Wait for committed changes while signed in; pass each batch to the open screens."""
        worker = get_current_worker()
        try:
            subscription = self.connection.services(timeout=0).changes.subscribe()
        except Exception as exc:  # noqa: BLE001 - live updates are optional, never a crash
            self._live_updates_failed(exc)
            return
        holder.append(subscription)
        told = False
        try:
            while not worker.is_cancelled:
                try:
                    batch = subscription.next_batch(LIVE_WAIT_SECONDS)
                except Exception as exc:  # noqa: BLE001 - retried; never a crash
                    if not told:
                        self._live_updates_failed(exc)
                        told = True
                    self._pause(worker, LIVE_RETRY_SECONDS)
                    continue
                if batch is not None and not worker.is_cancelled:
                    with suppress(RuntimeError):  # the app is closing
                        self.call_from_thread(self._data_changed, batch.touched)
                    self._pause(worker, LIVE_GATHER_SECONDS)
        finally:
            subscription.close()

    @staticmethod
    def _pause(worker: Worker[None], seconds: float) -> None:
        """Sleep in short steps, returning early when ``worker`` is cancelled."""
        until = time.monotonic() + seconds
        while not worker.is_cancelled and (left := until - time.monotonic()) > 0:
            time.sleep(min(0.1, left))

    def _live_updates_failed(self, error: BaseException) -> None:
        """Log why live updates stopped working and tell the user once (from the worker)."""
        with suppress(RuntimeError):  # the app is closing
            self.call_from_thread(self._tell_live_updates_off, error)

    def _tell_live_updates_off(self, error: BaseException) -> None:
        self.log.error("Live updates: " + "".join(traceback.format_exception(error)))
        if self._live_off_told:
            return
        self._live_off_told = True
        reason = str(error) or type(error).__name__
        self.notify(
            f"Live updates are off: {reason}",
            title="Live updates",
            severity="warning",
            timeout=10,
            markup=False,
        )

    # --- a lost database connection -------------------------------------------------------

    def on_database_lost(self, _message: DatabaseLost) -> None:
        """A call found the database unreachable: wait for it to come back."""
        self.wait_for_database()

    def wait_for_database(self) -> None:
        """Try the database again and again (waiting longer each time) until it answers, then
        have every open screen read again what it shows: a reload that failed meanwhile left
        a screen with what it showed before, and no change may come to fix it."""
        waiting = any(w.group == RECONNECT_GROUP and not w.is_finished for w in self.workers)
        if self.actor is not None and not waiting:
            self._await_database()

    @work(thread=True, exit_on_error=False, group=RECONNECT_GROUP)
    def _await_database(self) -> None:
        worker = get_current_worker()
        wait = RECONNECT_FIRST_SECONDS
        while not worker.is_cancelled:
            self._pause(worker, wait)
            if worker.is_cancelled:
                return
            try:
                self.services.ping()
            except Exception:  # noqa: BLE001 - still unreachable: try again later
                wait = min(2 * wait, RECONNECT_LONGEST_SECONDS)
                continue
            with suppress(RuntimeError):  # the app is closing
                self.call_from_thread(self._database_back)
            return

    def _database_back(self) -> None:
        """The database answers again: say so, and read every open screen again."""
        if self.actor is None:
            return
        self.notify(
            "The database answers again; the screens show what it holds now.",
            title="Connected again",
            timeout=6,
        )
        for screen in self.screen_stack:
            if isinstance(screen, AreaScreen):
                screen.catch_up()

    def _data_changed(self, touched: frozenset[tuple[str, int | None]]) -> None:
        """Tell every area screen on the stack which tables, and whose records, changed."""
        if self.actor is None:
            return
        changed = DataChanged.of(touched)
        if "role_permission" in changed.entities:  # the keys and areas offered follow
            self.refresh_actor(self.actor.user_id)
        for screen in self.screen_stack:
            if isinstance(screen, AreaScreen):
                screen.take_changes(changed)

    def on_organisation_named(self, message: OrganisationNamed) -> None:
        """Show the organisation's (new) name in the title bars."""
        self.organisation = message.name
        self._update_status()

    def _update_status(self) -> None:
        parts = [self.organisation]
        if self.actor is not None:
            parts += [self.actor.name, self.actor.role.label]
        parts.append(self.database)
        self.status_line = " · ".join(part for part in parts if part)

    # --- navigation -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Go to and Log out only when signed in; Back only where there is one."""
        if action in ("sign_out", "go_to"):
            return self.actor is not None
        if action == "go_back":
            return self._can_go_back()
        return True

    def _can_go_back(self) -> bool:
        from .screens.home import HomeScreen

        return isinstance(self.screen, AreaScreen) and not isinstance(self.screen, HomeScreen)

    def action_go_to(self) -> None:
        """Ctrl+G: the screens this user may open, each behind its letter."""
        from .widgets.dialogs.go_to import GoToDialog

        if self.actor is None or isinstance(self.screen, ModalScreen):
            return
        targets = [
            (area.hotkey, area.title, area.key) for area in AREAS if area.open_to(self.actor)
        ]

        def chosen(key: str | None) -> None:
            if key:
                self.open_area(key)

        self.push_screen(GoToDialog(targets), chosen)

    def on_area_wanted(self, message: AreaWanted) -> None:
        """Open an area chosen from a menu."""
        self.open_area(message.key)

    def open_area(self, key: str) -> None:
        """Open the area ``key`` (home itself, or a screen on top of home), asking first when
        a screen being left holds unsaved changes."""
        area = AREAS_BY_KEY.get(key)
        if self.actor is None or area is None or isinstance(self.screen, ModalScreen):
            return
        if not area.open_to(self.actor):
            self.notify(
                f"Your role ({self.actor.role.label}) may not open {area.title}.",
                title="Not allowed",
                severity="error",
                markup=False,
            )
            return
        actor = self.actor

        def go() -> None:
            if self.actor is not actor:
                return  # signed out meanwhile
            self._pop_to_home()
            if key != "home":
                self.push_screen(area.screen_class()(self.services, actor))

        leave_then(self, self._above_home(), go)

    def _above_home(self) -> list[Screen[object]]:
        """The screens that going to another area would close."""
        from .screens.home import HomeScreen

        stack = self.screen_stack
        homes = [i for i, screen in enumerate(stack) if isinstance(screen, HomeScreen)]
        return list(stack[homes[-1] + 1 :]) if homes else list(stack[1:])

    def action_go_back(self) -> None:
        """Go back to the screen underneath (escape), asking first about unsaved changes."""
        if self._can_go_back():
            screen = self.screen

            def back() -> None:
                if self.screen is screen:
                    self.pop_screen()

            leave_then(self, [screen], back)

    def _pop_to_home(self) -> None:
        from .screens.home import HomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()

    def _show_only(self, screen: Screen[None]) -> None:
        """Make ``screen`` the only screen on the stack (above the app's blank default)."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen)

    def action_help(self) -> None:
        """Show the keys of the current screen and the global keys."""
        from .widgets.dialogs.help import HelpScreen, KeyHelp

        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        found: dict[tuple[str, str, bool], list[str]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            description = binding.description or binding.tooltip
            if binding.action in ("command_palette", "app.command_palette"):
                description = "Command palette: open any screen you may use"
            own = active.node is screen or active.node is self
            if not description or not active.enabled or not (binding.show or own):
                continue
            key = (binding.action, description, active.node is self)
            found.setdefault(key, []).append(self.get_key_display(binding))
        keys = [
            KeyHelp(", ".join(shown), description, everywhere)
            for (_, description, everywhere), shown in found.items()
        ]
        title = screen.TITLE_TEXT if isinstance(screen, TektoroScreen) else "TekToro"
        text = screen.HELP if isinstance(screen, TektoroScreen) else ""
        go_to = [
            KeyHelp(area.hotkey, area.title, True)
            for area in AREAS
            if self.actor is not None and area.open_to(self.actor)
        ]
        key_map = [KeyHelp(item.shown, item.meaning, False) for item in keymap.SCREEN_KEYS]
        self.push_screen(HelpScreen(title, text, keys, go_to=go_to, key_map=key_map))

    # --- errors ---------------------------------------------------------------------------

    def on_action_failed(self, message: ActionFailed) -> None:
        """Show a failed service call (and wait for a database found unreachable)."""
        self.show_error(message.error)
        if isinstance(message.error, DatabaseUnreachable):
            self.wait_for_database()

    def show_error(self, error: BaseException) -> None:
        """Show ``error`` as a titled error notification (every problem of a form).

        A TektoroError is expected: its title and message are shown as they are. Anything else
        is a bug, shown as an 'Unexpected error' and logged, but never ends the app. When a
        signed-in user's account stops working (deactivated), they are logged out.
        """
        if isinstance(error, ValidationError):
            from .widgets.formatting import field_label

            labels = self._form_labels()
            text = "\n".join(
                f"{labels.get(p.field) or field_label(p.field)}: {p.message}"
                for p in error.problems
            )
            title = error.title
            if not error.titled and not self._form_on_top():
                title = ValidationError.NOT_A_FORM
            self.notify(text, title=title, severity="error", timeout=10, markup=False)
        elif isinstance(error, TektoroError):
            self.notify(error.message, title=error.title, severity="error", timeout=8, markup=False)
            if isinstance(error, AuthenticationError) and self.actor is not None:
                self.sign_out()
        else:
            self.log.error("".join(traceback.format_exception(error)))
            self.notify(
                f"{type(error).__name__}: {error}",
                title="Unexpected error",
                severity="error",
                timeout=10,
                markup=False,
            )

    def _form_labels(self) -> dict[str, str]:
        """The labels of the fields on the open forms, top first: an error names a field as
        the form does ("Paid on", not "Date received")."""
        from .widgets.fields import FormField

        labels: dict[str, str] = {}
        for screen in reversed(self.screen_stack):
            for field in screen.query(FormField).results(FormField):
                labels.setdefault(field.spec.name, field.spec.label)
        return labels

    def _form_on_top(self) -> bool:
        """Whether the screen on top has fields a person types into (a form, a dialog)."""
        from textual.widgets import Input, Select, TextArea

        return any(
            widget.display
            for widget in self.screen.query("Input, TextArea, Select").results()
            if isinstance(widget, Input | TextArea | Select)
        )

    def on_unmount(self) -> None:
        """Stop live updates and release the database connections we opened."""
        self.stop_live_updates()
        if self.connection.is_open and self._given_services is None:
            self.services.close()


def run_app(url: str | None = None) -> None:
    """Run the TUI on the database at ``url`` (the ``tektoro`` command)."""
    TektoroApp(db_url=url).run()


__all__ = ["Area", "AreaCommands", "TektoroApp", "run_app"]
