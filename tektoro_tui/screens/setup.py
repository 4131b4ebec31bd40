"""First-run set-up: create the organisation and its first administrator, then log in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from ..errors import ConflictError, Problem, ValidationError
from ..widgets import keymap
from ..widgets.entry_button import EntryButton
from ..widgets.fields import FieldSpec, FormField, form_fields, read_values, show_problems
from ..widgets.unsaved import UnsavedChanges
from .base import Connection, TektoroScreen, call_service
from .messages import SignedIn

if TYPE_CHECKING:
    from ..services.base import Actor

FIELDS = (
    FieldSpec("company", "Company name"),
    FieldSpec("admin_email", "Administrator's e-mail", placeholder="you@example.com"),
    FieldSpec("admin_name", "Administrator's name"),
    FieldSpec("password", "Password (8+ characters)", kind="password"),
    FieldSpec("password_confirm", "Password again", kind="password"),
)
SELLER_FIELDS = (
    FieldSpec("billing_address", "Company address", placeholder="optional: street, city"),
    FieldSpec("tax_id", "Tax ID (VAT number)", placeholder="optional"),
    FieldSpec("bank_account", "Bank account", placeholder="optional: IBAN"),
)
"""What an invoice prints of the firm besides its name; each can wait for Settings."""
MISMATCH = Problem("password_confirm", "does not match the password")


@dataclass(frozen=True)
class SetupDraft:
    """The set-up form as typed."""

    company: str = ""
    admin_email: str = ""
    admin_name: str = ""
    password: str = ""
    password_confirm: str = ""
    billing_address: str = ""
    tax_id: str = ""
    bank_account: str = ""


class SetupScreen(UnsavedChanges, TektoroScreen):
    """Shown instead of the login when the database has no organisation yet."""

    TITLE_TEXT = "First-run set-up"
    HELP = (
        "This database has no organisation yet. Enter your company's name and the first "
        "administrator's account; you are logged in as that administrator afterwards. The "
        "company's address, tax ID and bank account are printed on your invoices: you may "
        "leave them blank now and add them in Settings before the first invoice."
    )
    BINDINGS = [Binding(keymap.SAVE, "create", "Create organisation")]
    UNSAVED_WHAT = "The set-up form"

    def __init__(self, connection: Connection) -> None:
        """Set up the database behind ``connection``."""
        super().__init__()
        self.connection = connection

    def compose_body(self) -> ComposeResult:
        """The set-up form."""
        with VerticalScroll(classes="entry-scroll"), Vertical(id="setup-box", classes="entry-box"):
            yield Label("Set up your organisation", classes="entry-title")
            yield from form_fields(FIELDS, SetupDraft(), compact=True)
            yield Label(
                "On your invoices (optional, also in Settings later)", classes="entry-subtitle"
            )
            yield from form_fields(SELLER_FIELDS, SetupDraft(), compact=True)
            yield Static("", id="setup-message", classes="entry-message", markup=False)
            with Horizontal(classes="entry-buttons"):
                yield EntryButton("Create organisation", variant="primary", id="create")

    def on_mount(self) -> None:
        """Start in the company name."""
        super().on_mount()
        self.mark_saved()
        self.query(FormField).first().control.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one it creates the organisation."""
        event.stop()
        if event.input.id == f"input-{SELLER_FIELDS[-1].name}":
            self.action_create()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Create the organisation."""
        event.stop()
        self.action_create()

    def action_create(self) -> None:
        """Create the organisation and its administrator in a worker, then log in."""
        draft = SetupDraft(**read_values(self))
        if draft.password != draft.password_confirm:
            show_problems(self, [MISMATCH])
            return
        show_problems(self, ())
        self.query_one("#setup-message", Static).update("Creating…")

        def create() -> Actor:
            auth = self.connection.services().auth
            auth.init_organisation(
                draft.company,
                draft.admin_email,
                draft.admin_name,
                draft.password,
                billing_address=draft.billing_address,
                tax_id=draft.tax_id,
                bank_account=draft.bank_account,
            )
            return auth.login(draft.admin_email, draft.password)

        call_service(self, create, self._created, problems=self._problems, failed=self._failed)

    def _created(self, actor: Actor) -> None:
        self.post_message(SignedIn(actor))

    def _problems(self, problems: tuple[Problem, ...]) -> None:
        show_problems(self, problems)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ConflictError):  # someone else set the database up meanwhile
            from .login import LoginScreen

            self.app.switch_screen(LoginScreen(self.connection))
            return
        shown = "" if isinstance(error, ValidationError) else str(error)
        self.query_one("#setup-message", Static).update(shown)
