"""Organisation settings: every field of DESIGN.md section 4, edited by administrators."""

from __future__ import annotations

from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ... import credentials
from ...data import models as m
from ...domain.money import percent_text
from ...domain.permissions import Perm
from ...domain.validation import Form
from ...domain.vat import VatMode
from ..base import Actor, ServiceBase, organisation, row_dict
from .views import OrganisationView

SMTP_SECURITY = ("starttls", "ssl", "none")
ROUNDING_MODES = ("half_up", "half_even")


@dataclass(frozen=True)
class SettingsForm:
    """The settings form as typed (all text; times as HH:MM, rates as percent)."""

    name: str
    billing_address: str = ""
    tax_id: str = ""
    email: str = ""
    phone: str = ""
    bank_account: str = ""
    logo_path: str = ""
    currency: str = "EUR"
    timezone: str = "UTC"
    default_vat: str = "23"
    vat_mode: str = "per_line"
    rounding_mode: str = "half_up"
    payment_deadline_days: str = "14"
    invoice_footer: str = ""
    workday_start: str = "07:00"
    workday_end: str = "15:00"
    day_length: str = "8:00"
    overtime_over_day: str = "50"
    overtime_outside_window: str = "100"
    smtp_host: str = ""
    smtp_port: str = "587"
    smtp_username: str = ""
    smtp_sender: str = ""
    smtp_security: str = "starttls"
    period_lock_date: str = ""
    work_date_window_days: str = "366"


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
        return SettingsForm(
            name=view.name,
            billing_address=view.billing_address,
            tax_id=view.tax_id,
            email=view.email,
            phone=view.phone,
            bank_account=view.bank_account,
            logo_path=view.logo_path,
            currency=view.currency,
            timezone=view.timezone,
            default_vat=percent_text(view.default_vat_bp),
            vat_mode=view.vat_mode,
            rounding_mode=view.rounding_mode,
            payment_deadline_days=str(view.payment_deadline_days),
            invoice_footer=view.invoice_footer,
            workday_start=minutes_to_clock(view.workday_start_minute),
            workday_end=minutes_to_clock(view.workday_end_minute),
            day_length=minutes_to_clock(view.day_length_minutes).lstrip("0") or "0:00",
            overtime_over_day=percent_text(view.overtime_over_day_bp),
            overtime_outside_window=percent_text(view.overtime_outside_window_bp),
            smtp_host=view.smtp_host,
            smtp_port=str(view.smtp_port),
            smtp_username=view.smtp_username,
            smtp_sender=view.smtp_sender,
            smtp_security=view.smtp_security,
            period_lock_date=view.period_lock_date.isoformat() if view.period_lock_date else "",
            work_date_window_days=str(view.work_date_window_days),
        )

    def update(self, actor: Actor, form: SettingsForm) -> OrganisationView:
        """Validate every field at once and save them in one transaction."""
        values = validate_settings(form)
        with self._write(actor, Perm.SETTINGS_MANAGE) as uow:
            org = organisation(uow.session)
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
