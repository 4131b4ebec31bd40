"""Logging in: the first screen, shown while the database opens in the background.

Kept light on purpose (no services, no SQLAlchemy): the login screen must appear about as fast
as a bare Textual app. The database is reached only from workers, through the
:class:`~tektoro_tui.screens.base.Connection` the app fills in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from ..widgets import keymap
from ..widgets.entry_button import EntryButton
from ..widgets.fields import FieldSpec, form_fields, read_values, show_problems
from .base import Connection, TektoroScreen, call_service
from .messages import LoginShown, SignedIn

if TYPE_CHECKING:
    from ..services.base import Actor

FIELDS = (
    FieldSpec("email", "E-mail", placeholder="you@example.com"),
    FieldSpec("password", "Password", kind="password"),
)


class LoginDraft:
    """What the login form starts with (nothing)."""

    email = ""
    password = ""


class LoginScreen(TektoroScreen):
    """E-mail and password; or register with an invitation code."""

    TITLE_TEXT = "Log in"
    HELP = (
        "Log in with your e-mail and password. If someone invited you, choose "
        "'Register with an invitation code' and enter the code they gave you."
    )
    BINDINGS = [
        Binding(keymap.CONFIRM, "log_in", "Log in", show=True),
        Binding(keymap.REGISTER, "register", "Register with a code"),
    ]

    def __init__(self, connection: Connection) -> None:
        """A login screen for the database behind ``connection``."""
        super().__init__()
        self.connection = connection

    def compose_body(self) -> ComposeResult:
        """The login box."""
        with Vertical(id="login-box", classes="entry-box"):
            yield Label("Welcome to TekToro", classes="entry-title")
            yield from form_fields(FIELDS, LoginDraft())
            yield Static("", id="login-message", classes="entry-message", markup=False)
            with Horizontal(classes="entry-buttons"):
                yield EntryButton("Log in", variant="primary", id="log-in")
                yield EntryButton("Register with an invitation code", id="register")
            yield Static("Opening the database…", id="database", classes="entry-database")

    def on_mount(self) -> None:
        """Focus the e-mail field; tell the app once the screen has been painted."""
        super().on_mount()
        self.query_one("#input-email", Input).focus()
        self.call_after_refresh(self.post_message, LoginShown())

    def show_database(self, text: str) -> None:
        """Say which database this login is for (or why it could not be opened)."""
        self.query_one("#database", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the e-mail field moves on; in the password field it logs in."""
        event.stop()
        if event.input.id == "input-email":
            self.query_one("#input-password", Input).focus()
        else:
            self.action_log_in()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Log in or go to registration."""
        event.stop()
        if event.button.id == "log-in":
            self.action_log_in()
        else:
            self.action_register()

    def action_log_in(self) -> None:
        """Check the e-mail and password in a worker."""
        values = read_values(self)
        self.query_one("#login-message", Static).update("Checking…")
        show_problems(self, ())

        def log_in() -> Actor:
            auth = self.connection.services().auth
            return auth.login(values["email"], values["password"])

        call_service(self, log_in, self._logged_in, failed=self._refused)

    def _logged_in(self, actor: Actor) -> None:
        self.query_one("#login-message", Static).update("")
        self.post_message(SignedIn(actor))

    def _refused(self, error: BaseException) -> None:
        self.query_one("#login-message", Static).update(str(error))
        password = self.query_one("#input-password", Input)
        password.value = ""
        password.focus()

    def action_register(self) -> None:
        """Open the registration screen."""
        from .register import RegisterScreen

        self.app.push_screen(RegisterScreen(self.connection))
