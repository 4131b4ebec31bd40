"""Organisation settings: every field of the settings form, grouped, saved all at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Label, Static

from ..domain.vat import VatMode
from ..errors import PermissionDenied, Problem
from ..services.administration.settings import ROUNDING_MODES, SMTP_SECURITY, SettingsForm
from ..services.administration.views import OrganisationView
from ..widgets import keymap
from ..widgets.dialogs.form import FormModal
from ..widgets.fields import FieldSpec, FormField, read_values, show_problems
from ..widgets.formatting import field_label
from ..widgets.unsaved import UnsavedChanges
from .base import AreaScreen, call_service, edit_in_form
from .messages import OrganisationNamed

VAT_MODE_LABELS = {VatMode.PER_LINE.value: "Per line", VatMode.PER_INVOICE.value: "Per invoice"}
ROUNDING_LABELS = {"half_up": "Half up", "half_even": "Half even (banker's)"}
SECURITY_LABELS = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "None (not encrypted)"}
TermsChoices = tuple[tuple[str, int], ...]
"""The payment-terms templates as (name, id), for the default terms."""


def _choices(keys: tuple[str, ...], labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((labels.get(key, key), key) for key in keys)


SECTIONS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    (
        "Company",
        (
            FieldSpec("name", "Name"),
            FieldSpec("billing_address", "Billing address", kind="textarea"),
            FieldSpec("tax_id", "Tax ID (VAT number)"),
            FieldSpec("email", "E-mail"),
            FieldSpec("phone", "Phone"),
            FieldSpec("bank_account", "Bank account"),
            FieldSpec("logo_path", "Logo file", placeholder="path to a PNG or JPEG"),
        ),
    ),
    (
        "Invoicing & VAT",
        (
            FieldSpec("currency", "Currency", placeholder="EUR, PLN, USD…"),
            FieldSpec("default_vat", "Default VAT rate %"),
            FieldSpec(
                "vat_mode",
                "VAT rounded",
                kind="select",
                options=_choices(tuple(m.value for m in VatMode), VAT_MODE_LABELS),
                allow_blank=False,
            ),
            FieldSpec(
                "rounding_mode",
                "Rounding",
                kind="select",
                options=_choices(ROUNDING_MODES, ROUNDING_LABELS),
                allow_blank=False,
            ),
            FieldSpec("payment_deadline_days", "Payment deadline (days)"),
            FieldSpec("invoice_footer", "Invoice footer", kind="textarea"),
        ),
    ),
    (
        "Working time",
        (
            FieldSpec("timezone", "Time zone", placeholder="Europe/Warsaw"),
            FieldSpec("workday_start", "Working day starts", placeholder="07:00"),
            FieldSpec("workday_end", "Working day ends", placeholder="17:00"),
            FieldSpec("day_length", "Standard day length", placeholder="8:00"),
            FieldSpec("overtime_over_day", "Overtime over day length %"),
            FieldSpec("overtime_outside_window", "Overtime outside window %"),
            FieldSpec("default_lunch", "Default lunch break (minutes)", placeholder="0 to 240"),
            FieldSpec("work_date_window_days", "Work dates within (days of today)"),
            FieldSpec("working_weekdays", "Working weekdays", placeholder="Mon-Fri"),
            FieldSpec(
                "holidays",
                "Holidays (a date and a name a line)",
                kind="textarea",
                placeholder="2026-12-25 Christmas Day",
            ),
        ),
    ),
    (
        "E-mail (SMTP)",
        (
            FieldSpec("smtp_host", "Server"),
            FieldSpec("smtp_port", "Port"),
            FieldSpec("smtp_username", "User name"),
            FieldSpec("smtp_sender", "Sender address"),
            FieldSpec(
                "smtp_security",
                "Security",
                kind="select",
                options=_choices(SMTP_SECURITY, SECURITY_LABELS),
                allow_blank=False,
            ),
        ),
    ),
    (
        "Period lock",
        (FieldSpec("period_lock_date", "Locked up to (date)", placeholder="YYYY-MM-DD"),),
    ),
)


@dataclass(frozen=True)
class SmtpPasswordDraft:
    """The SMTP password as typed."""

    password: str = ""


class SettingsScreen(UnsavedChanges, AreaScreen):
    """Administrators: every organisation setting; Save checks all fields at once."""

    TITLE_TEXT = "Organisation settings"
    HELP = (
        "Company details, invoicing and VAT (with the payment terms a new draft invoice "
        "starts with), the working-time window, day length, overtime % rates, default lunch "
        "break, working weekdays and holidays of crew pay, the e-mail server and the period "
        "lock. Save (Ctrl+S) checks every field at once and marks each wrong one; nothing is "
        "saved until all are right. Leaving with changes that are not saved asks first. The "
        "SMTP password is kept in the system keyring, set separately with F2."
    )
    BINDINGS = [
        Binding(keymap.SAVE, "save", "Save"),
        Binding(keymap.PASSWORD, "smtp_password", "SMTP password"),
    ]
    UNSAVED_WHAT = "The settings form"
    DEFAULT_CSS = """
    SettingsScreen {
        #settings {
            padding: 0 1;
        }
        FormField.-inline {
            margin: 0;
        }
        #settings-buttons {
            height: auto;
            margin: 1 0;
        }
        #settings-buttons Button {
            margin-right: 1;
        }
    }
    """

    def compose_body(self) -> ComposeResult:
        """A scrolling form, filled once the settings are loaded."""
        with VerticalScroll(id="settings"):
            yield Static("Loading the settings…", id="settings-loading")

    def on_mount(self) -> None:
        """Load the settings."""
        super().on_mount()
        self.load_settings()

    def load_settings(self) -> None:
        """Read the settings and their form values in a worker."""

        def fetch() -> tuple[OrganisationView, SettingsForm, TermsChoices | None]:
            view = self.services.settings.get(self.actor)
            try:
                terms = tuple((t.name, t.id) for t in self.services.terms.list(self.actor))
            except PermissionDenied:
                terms = None  # the field is left out, so saving keeps the default terms
            return view, self.services.settings.form_for(view), terms

        call_service(self, fetch, self._show_form)

    def _show_form(
        self, loaded: tuple[OrganisationView, SettingsForm, TermsChoices | None]
    ) -> None:
        view, form, terms = loaded
        self._version: int | None = view.version  # saving is refused if saved since
        self.call_later(self._mount_form, self._form_widgets(view, form, terms))

    async def _mount_form(self, widgets: list[Widget]) -> None:
        """Replace the loading note with the form, then start in its first field."""
        scroll = self.query_one("#settings", VerticalScroll)
        await scroll.remove_children()
        await scroll.mount_all(widgets)
        self.mark_saved()
        self.query(FormField).first().control.focus()

    def _form_widgets(
        self, view: OrganisationView, form: SettingsForm, terms: TermsChoices | None
    ) -> list[Widget]:
        widgets: list[Widget] = []
        for title, specs in SECTIONS:
            widgets.append(Label(title, classes="section-title"))
            for spec in specs:
                widgets.append(FormField(spec, getattr(form, spec.name), compact=True))
                if spec.name == "payment_deadline_days" and terms is not None:
                    terms_spec = FieldSpec(
                        "default_payment_terms_id",
                        "Default payment terms",
                        kind="select",
                        options=terms,
                        placeholder="(none)",
                    )
                    widgets.append(
                        FormField(terms_spec, form.default_payment_terms_id, compact=True)
                    )
        password = "set" if view.smtp_password_set else "not set"
        widgets.append(Static(f"SMTP password: {password}", id="smtp-password-state"))
        widgets.append(Static("", id="settings-problems", classes="entry-message", markup=False))
        widgets.append(
            Horizontal(
                Button("Save", variant="primary", id="save"),
                Button("Set SMTP password…", id="smtp-password"),
                id="settings-buttons",
            )
        )
        return widgets

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save, or set the SMTP password."""
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_smtp_password()

    def action_save(self) -> None:
        """Check and save every field in a worker; mark each bad one."""
        if not self.query(FormField):
            return
        sent = read_values(self)
        form = SettingsForm(**sent)
        show_problems(self, ())
        self.query_one("#settings-problems", Static).update("")
        version = getattr(self, "_version", None)
        call_service(
            self,
            lambda: self.services.settings.update(self.actor, form, version=version),
            lambda view: self._saved(view, sent),
            problems=self._problems,
        )

    def _saved(self, view: OrganisationView, sent: dict[str, Any]) -> None:
        self._version = view.version
        self.mark_saved(sent)
        self.notify("Settings saved.", timeout=3)
        self.post_message(OrganisationNamed(view.name))

    def _problems(self, problems: tuple[Problem, ...]) -> None:
        rest = show_problems(self, problems)
        text = "\n".join(f"{field_label(p.field)}: {p.message}" for p in rest)
        self.query_one("#settings-problems", Static).update(text)

    def action_smtp_password(self) -> None:
        """Ask for the SMTP password and keep it in the keyring."""
        specs = (FieldSpec("password", "SMTP password", kind="password"),)

        def make_form(draft: SmtpPasswordDraft, problems: tuple[Problem, ...]) -> FormModal[Any]:
            return FormModal(
                "SMTP password",
                specs,
                draft,
                lambda v: SmtpPasswordDraft(**v),
                problems,
                intro="Kept in the system keyring for the server and user name saved above.",
            )

        def save(draft: SmtpPasswordDraft) -> None:
            self.services.settings.set_smtp_password(self.actor, draft.password)

        edit_in_form(self, make_form, SmtpPasswordDraft(), save, self._password_set)

    def _password_set(self, _: None) -> None:
        self.notify("SMTP password saved.", timeout=3)
        self.query_one("#smtp-password-state", Static).update("SMTP password: set")
