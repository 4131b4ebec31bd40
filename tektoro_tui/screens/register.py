"""Registering with an invitation code: shows whose invitation it is, then creates the account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from ..errors import Problem
from ..widgets import keymap
from ..widgets.entry_button import EntryButton
from ..widgets.fields import FieldSpec, form_fields, read_values, show_problems
from ..widgets.formatting import moment
from ..widgets.unsaved import UnsavedChanges, leave_then
from .base import Connection, TektoroScreen, call_service
from .messages import SignedIn

if TYPE_CHECKING:
    from ..services.administration.auth import InvitationInfo
    from ..services.base import Actor

FIELDS = (
    FieldSpec("code", "Invitation code", placeholder="the code you were given"),
    FieldSpec("name", "Your name"),
    FieldSpec("password", "Password (8+ characters)", kind="password"),
    FieldSpec("password_confirm", "Password again", kind="password"),
)
MISMATCH = Problem("password_confirm", "does not match the password")
MIN_CODE_LENGTH = 8


@dataclass(frozen=True)
class RegistrationDraft:
    """The registration form as typed."""

    code: str = ""
    name: str = ""
    password: str = ""
    password_confirm: str = ""


class RegisterScreen(UnsavedChanges, TektoroScreen):
    """Create an account from a single-use invitation code."""

    TITLE_TEXT = "Register"
    HELP = (
        "Enter the invitation code you were given; the invitation's e-mail, inviter and "
        "organisation appear below it. Choose your name and password to create your account."
    )
    BINDINGS = [
        Binding(keymap.SAVE, "create_account", "Create account"),
        Binding(keymap.BACK, "back", "Back to login"),
    ]
    UNSAVED_WHAT = "The registration form"
    DEFAULT_CSS = """
    RegisterScreen #invitation {
        color: $text-success;
        height: auto;
        margin-bottom: 1;
    }
    """

    def __init__(self, connection: Connection) -> None:
        """Register in the database behind ``connection``."""
        super().__init__()
        self.connection = connection

    def compose_body(self) -> ComposeResult:
        """The registration form with the invitation's details under the code."""
        with (
            VerticalScroll(classes="entry-scroll"),
            Vertical(id="register-box", classes="entry-box"),
        ):
            yield Label("Register with an invitation code", classes="entry-title")
            code, *others = form_fields(FIELDS, RegistrationDraft(), compact=True)
            yield code
            yield Static("", id="invitation", markup=False)
            yield from others
            yield Static("", id="register-message", classes="entry-message", markup=False)
            with Horizontal(classes="entry-buttons"):
                yield EntryButton("Create account", variant="primary", id="create")
                yield EntryButton("Back", id="back")

    def on_mount(self) -> None:
        """Start in the code field."""
        super().on_mount()
        self.mark_saved()
        self.query_one("#input-code", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Look the invitation up as soon as a code has been entered."""
        if event.input.id != "input-code":
            return
        code = event.value.strip()
        if len(code) < MIN_CODE_LENGTH:
            self.query_one("#invitation", Static).update("")
            return

        def look_up() -> InvitationInfo:
            return self.connection.services().auth.invitation_info(code)

        call_service(
            self,
            look_up,
            self._show_invitation,
            failed=self._no_invitation,
            group="invitation",
            exclusive=True,
            report=False,
        )

    def _show_invitation(self, info: InvitationInfo) -> None:
        show_problems(self, ())
        self.query_one("#invitation", Static).update(
            f"Invitation for {info.email} as {info.role.label}, from {info.inviter_name} "
            f"at {info.organisation}; valid until {moment(info.expires_at)}."
        )

    def _no_invitation(self, error: BaseException) -> None:
        self.query_one("#invitation", Static).update("")
        show_problems(self, [Problem("code", str(error))])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one it creates the account."""
        event.stop()
        if event.input.id == "input-password_confirm":
            self.action_create_account()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Create the account or go back."""
        event.stop()
        if event.button.id == "create":
            self.action_create_account()
        else:
            self.action_back()

    def action_back(self) -> None:
        """Back to the login screen (asking first when something was typed)."""
        leave_then(self.app, [self], self.dismiss)

    def action_create_account(self) -> None:
        """Create the account in a worker; the new user lands on their home screen."""
        draft = RegistrationDraft(**read_values(self))
        if draft.password != draft.password_confirm:
            show_problems(self, [MISMATCH])
            return
        show_problems(self, ())

        def register() -> Actor:
            return self.connection.services().auth.register(draft.code, draft.name, draft.password)

        call_service(self, register, self._registered, problems=self._problems)

    def _registered(self, actor: Actor) -> None:
        self.post_message(SignedIn(actor))

    def _problems(self, problems: tuple[Problem, ...]) -> None:
        rest = show_problems(self, problems)
        text = "; ".join(f"{p.field}: {p.message}" for p in rest)
        self.query_one("#register-message", Static).update(text)
