"""Organisation settings: every field of DESIGN.md section 4, edited by administrators."""

from __future__ import annotations

from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from ... import credentials
from ...data import models as m
from ...domain.money import percent_text
from ...domain.permissions import Perm
from ...domain.validation import UNCHANGED, Form, is_given, keep_unchanged
from ...domain.vat import VatMode
from ...errors import Problem, ValidationError
from ..base import Actor, ServiceBase, organisation, row_dict
from ..versions import check_version, locked
from .views import OrganisationView

SMTP_SECURITY = ("starttls", "ssl", "none")
ROUNDING_MODES = ("half_up", "half_even")


@dataclass(frozen=True)
class SettingsForm:
    """The settings form as typed (all text; times as HH:MM, rates as percent).

    Every field defaults to :data:`UNCHANGED`: a field not given keeps the saved setting, so
    ``SettingsForm(invoice_footer="Thanks")`` changes the footer and nothing else.
    """

    name: str = UNCHANGED
    billing_address: str = UNCHANGED
    tax_id: str = UNCHANGED
    email: str = UNCHANGED
    phone: str = UNCHANGED
    bank_account: str = UNCHANGED
    logo_path: str = UNCHANGED
    currency: str = UNCHANGED
    timezone: str = UNCHANGED
    default_vat: str = UNCHANGED
    vat_mode: str = UNCHANGED
    rounding_mode: str = UNCHANGED
    payment_deadline_days: str = UNCHANGED
    default_payment_terms_id: int | None = UNCHANGED
    invoice_footer: str = UNCHANGED
    workday_start: str = UNCHANGED
    workday_end: str = UNCHANGED
    day_length: str = UNCHANGED
    overtime_over_day: str = UNCHANGED
    overtime_outside_window: str = UNCHANGED
    smtp_host: str = UNCHANGED
    smtp_port: str = UNCHANGED
    smtp_username: str = UNCHANGED
    smtp_sender: str = UNCHANGED
    smtp_security: str = UNCHANGED
    period_lock_date: str = UNCHANGED
    work_date_window_days: str = UNCHANGED


MAX_WORK_DATE_WINDOW_DAYS = 3660
"""At most ten years either side of today for a time card's work date."""


def minutes_to_clock(minutes: int) -> str:
    """540 -> '09:00'."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class SettingsService(ServiceBase):
    """Read and change the organisation settings."""

    def get(self, actor: Actor | None = None) -> OrganisationView:
        """The current settings (readable by every signed-in user)."""
        with self._read(actor) as session:
            return _view(organisation(session))

    def form_for(self, view: OrganisationView) -> SettingsForm:
        """The settings as the form shows them, for editing."""
        return settings_form_of(view)

    def update(
        self, actor: Actor, form: SettingsForm, *, version: int | None = None
    ) -> OrganisationView:
        """Change the settings ``form`` gives (the others stay as saved), every field checked
        at once, in one transaction; refused if they were saved by someone else since the form
        was opened on ``version``."""
        with self._write(actor, Perm.SETTINGS_MANAGE) as uow:
            organisation(uow.session)  # NotFound before set-up
            org = locked(uow.session, m.Organisation, 1, "Organisation")
            check_version(uow.session, org, version, "organisation", "The organisation's settings")
            values = validate_settings(keep_unchanged(form, settings_form_of(org)))
            _check_default_terms(uow.session, form, values)
            before = row_dict(org)
            for key, value in values.items():
                setattr(org, key, value)
            org.updated_at = uow.now
            uow.session.flush()
            uow.audit("settings.update", "organisation", 1, before, row_dict(org))
            return _view(org)

    def set_smtp_password(self, actor: Actor, password: str) -> None:
        """Keep the SMTP password in the keyring (refused with advice on a headless server)."""
        with self._write(actor, Perm.SETTINGS_MANAGE) as uow:
            org = organisation(uow.session)
            credentials.store_smtp_password(org.smtp_username, org.smtp_host, password)
            uow.audit("settings.smtp_password", "organisation", 1)


def settings_form_of(source: OrganisationView | m.Organisation) -> SettingsForm:
    """The saved settings (a view or the row itself) as the form shows them."""
    lock = source.period_lock_date
    return SettingsForm(
        name=source.name,
        billing_address=source.billing_address,
        tax_id=source.tax_id,
        email=source.email,
        phone=source.phone,
        bank_account=source.bank_account,
        logo_path=source.logo_path,
        currency=source.currency,
        timezone=source.timezone,
        default_vat=percent_text(source.default_vat_bp),
        vat_mode=source.vat_mode,
        rounding_mode=source.rounding_mode,
        payment_deadline_days=str(source.payment_deadline_days),
        default_payment_terms_id=source.default_payment_terms_id,
        invoice_footer=source.invoice_footer,
        workday_start=minutes_to_clock(source.workday_start_minute),
        workday_end=minutes_to_clock(source.workday_end_minute),
        day_length=minutes_to_clock(source.day_length_minutes).lstrip("0") or "0:00",
        overtime_over_day=percent_text(source.overtime_over_day_bp),
        overtime_outside_window=percent_text(source.overtime_outside_window_bp),
        smtp_host=source.smtp_host,
        smtp_port=str(source.smtp_port),
        smtp_username=source.smtp_username,
        smtp_sender=source.smtp_sender,
        smtp_security=source.smtp_security,
        period_lock_date=lock.isoformat() if lock else "",
        work_date_window_days=str(source.work_date_window_days),
    )


def _check_default_terms(session: Session, form: SettingsForm, values: dict[str, object]) -> None:
    """Refuse default payment terms that do not exist (or were deleted), when given."""
    if not is_given(form.default_payment_terms_id):
        return
    terms_id = values["default_payment_terms_id"]
    if terms_id is None:
        return
    template = session.get(m.PaymentTermsTemplate, terms_id)
    if template is None or template.is_deleted:
        raise ValidationError(
            [Problem("default_payment_terms_id", "no such payment-terms template")]
        )


def validate_settings(form: SettingsForm) -> dict[str, object]:
    """Check every settings field; raise ValidationError listing all problems."""
    check = Form()
    start = check.clock("workday_start", form.workday_start)
    end = check.clock("workday_end", form.workday_end)
    if start is not None and end is not None and end <= start:
        check.add("workday_end", "must be after the start of the working day")
    day = check.time_spent("day_length", form.day_length)
    timezone = check.text("timezone", form.timezone, max_length=64)
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            check.add("timezone", "is not a known time zone (e.g. Europe/Warsaw, UTC)")
    currency = (form.currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        check.add("currency", "must be a three-letter code such as EUR, PLN or USD")
    values: dict[str, object] = {
        "name": check.text("name", form.name, max_length=200),
        "billing_address": check.text(
            "billing_address", form.billing_address, required=False, max_length=1000
        ),
        "tax_id": check.text("tax_id", form.tax_id, required=False, max_length=50),
        "email": check.email("email", form.email) if form.email.strip() else "",
        "phone": check.text("phone", form.phone, required=False, max_length=50),
        "bank_account": check.text(
            "bank_account", form.bank_account, required=False, max_length=100
        ),
        "logo_path": check.text("logo_path", form.logo_path, required=False, max_length=500),
        "currency": currency,
        "timezone": timezone,
        "default_vat_bp": check.percent_bp("default_vat", form.default_vat),
        "vat_mode": check.choice("vat_mode", form.vat_mode, tuple(v.value for v in VatMode)),
        "rounding_mode": check.choice("rounding_mode", form.rounding_mode, ROUNDING_MODES),
        "payment_deadline_days": check.int_range(
            "payment_deadline_days", form.payment_deadline_days, 0, 365
        ),
        "invoice_footer": check.text(
            "invoice_footer", form.invoice_footer, required=False, max_length=2000
        ),
        "workday_start_minute": start,
        "workday_end_minute": end,
        "day_length_minutes": day.minutes if day else None,
        "overtime_over_day_bp": check.percent_bp(
            "overtime_over_day", form.overtime_over_day, max_bp=100_000
        ),
        "overtime_outside_window_bp": check.percent_bp(
            "overtime_outside_window", form.overtime_outside_window, max_bp=100_000
        ),
        "smtp_host": check.text("smtp_host", form.smtp_host, required=False, max_length=200),
        "smtp_port": check.int_range("smtp_port", form.smtp_port or "587", 1, 65535),
        "smtp_username": check.text(
            "smtp_username", form.smtp_username, required=False, max_length=200
        ),
        "smtp_sender": check.email("smtp_sender", form.smtp_sender)
        if form.smtp_sender.strip()
        else "",
        "smtp_security": check.choice("smtp_security", form.smtp_security, SMTP_SECURITY),
        "period_lock_date": check.date("period_lock_date", form.period_lock_date, required=False),
        "default_payment_terms_id": form.default_payment_terms_id,
        "work_date_window_days": check.int_range(
            "work_date_window_days", form.work_date_window_days, 1, MAX_WORK_DATE_WINDOW_DAYS
        ),
    }
    if form.logo_path.strip():
        from pathlib import Path

        if not Path(form.logo_path).expanduser().is_file():
            check.add("logo_path", "no such file")
    check.raise_if_any()
    return values


def _view(org: m.Organisation) -> OrganisationView:
    names = {f.name for f in fields(OrganisationView)} - {"smtp_password_set"}
    values = {name: getattr(org, name) for name in names}
    has_password = bool(credentials.smtp_password(org.smtp_username, org.smtp_host))
    return OrganisationView(smtp_password_set=has_password, **values)
