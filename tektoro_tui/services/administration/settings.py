"""Organisation settings: every field of DESIGN.md section 4, edited by administrators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import credentials
from ...data import models as m
from ...domain.money import percent_text
from ...domain.permissions import Perm
from ...domain.timeparse import WEEKDAY_NAMES
from ...domain.validation import UNCHANGED, Form, is_given, keep_unchanged
from ...domain.values import parse_date
from ...domain.vat import VatMode
from ...errors import Problem, ValidationError, shown
from ..base import Actor, ServiceBase, organisation, row_dict
from ..payroll.views import MAX_LUNCH_MINUTES
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
    working_weekdays: str = UNCHANGED  # "Mon-Fri", "Mon Tue Wed Thu Fri Sat" or "1-5"
    holidays: str = UNCHANGED  # one a line: "2026-12-25 Christmas Day"
    default_lunch: str = UNCHANGED  # minutes of a shift's unpaid lunch break, 0..240


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
            return _view(organisation(session), _holidays(session))

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
            held = _holidays(uow.session)
            values = validate_settings(keep_unchanged(form, settings_form_of(org, held)))
            _check_default_terms(uow.session, form, values)
            wanted = values.pop("holidays")
            before = {**row_dict(org), "holidays": holidays_text(held)}
            for key, value in values.items():
                setattr(org, key, value)
            org.updated_at = uow.now
            _store_holidays(uow.session, held, wanted)  # type: ignore[arg-type]
            uow.session.flush()
            now_held = _holidays(uow.session)
            after = {**row_dict(org), "holidays": holidays_text(now_held)}
            uow.audit("settings.update", "organisation", 1, before, after)
            if any(before[k] != after[k] for k in _PAY_SETTINGS):
                # the working time changed: open days are priced again by it
                from ..payroll.rules import reprice_open

                changed = reprice_open(uow.session)
                if changed:
                    uow.audit("work_shift.reprice", "work_shift", None, None, {"shifts": changed})
            return _view(org, now_held)

    def set_smtp_password(self, actor: Actor, password: str) -> None:
        """Keep the SMTP password in the keyring (refused with advice on a headless server)."""
        with self._write(actor, Perm.SETTINGS_MANAGE) as uow:
            org = organisation(uow.session)
            credentials.store_smtp_password(org.smtp_username, org.smtp_host, password)
            uow.audit("settings.smtp_password", "organisation", 1)


_PAY_SETTINGS = (
    "workday_start_minute",
    "workday_end_minute",
    "day_length_minutes",
    "overtime_over_day_bp",
    "overtime_outside_window_bp",
    "working_weekdays",
    "holidays",
)
"""The settings a work shift's pay follows."""


def settings_form_of(
    source: OrganisationView | m.Organisation, holidays: Sequence[tuple[date, str]] | None = None
) -> SettingsForm:
    """The saved settings (a view, or the row itself with its ``holidays``) as the form
    shows them."""
    lock = source.period_lock_date
    held = source.holidays if isinstance(source, OrganisationView) else (holidays or ())
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
        working_weekdays=weekdays_text(source.working_weekdays),
        holidays=holidays_text(held),
        default_lunch=str(source.default_lunch_minutes),
    )


def weekdays_text(digits: str) -> str:
    """Stored ISO weekday numbers as people write them: '12345' -> 'Mon-Fri'."""
    days = sorted({int(c) for c in digits if c.isdigit() and 1 <= int(c) <= 7})
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAY_NAMES[days[0] - 1]}-{WEEKDAY_NAMES[days[-1] - 1]}"
    return " ".join(WEEKDAY_NAMES[d - 1] for d in days)


def parse_weekdays(check: Form, field: str, text: str) -> str | None:
    """'Mon-Fri', 'Mon Tue Thu', 'mon,wed' or '1-5' as stored digits ('12345')."""
    days: set[int] = set()
    names = {name.lower(): n for n, name in enumerate(WEEKDAY_NAMES, start=1)}

    def one(word: str) -> int | None:
        word = word.strip().lower()
        if word.isdigit() and 1 <= int(word) <= 7:
            return int(word)
        return names.get(word[:3]) if len(word) >= 3 else None

    for part in text.replace(",", " ").split():
        first, dash, last = part.partition("-")
        start, end = one(first), one(last) if dash else None
        if start is None or (dash and end is None) or (end is not None and end < start):
            check.add(field, f"{shown(part)} is not a weekday or a range like Mon-Fri")
            return None
        days.update(range(start, (end or start) + 1))
    if not days:
        check.add(field, "needs at least one working weekday")
        return None
    return "".join(str(d) for d in sorted(days))


def holidays_text(holidays: Sequence[tuple[date, str]]) -> str:
    """The holidays as the form shows them: one a line, the date then the name."""
    return "\n".join(f"{day.isoformat()} {name}".rstrip() for day, name in holidays)


def parse_holidays(check: Form, field: str, text: str) -> dict[date, str] | None:
    """One holiday a line (or separated by ';'): a date, then its name if any."""
    found: dict[date, str] = {}
    for line in text.replace(";", "\n").splitlines():
        if not line.strip():
            continue
        day_text, _space, name = line.strip().partition(" ")
        try:
            day = parse_date(day_text)
        except ValueError as error:
            check.add(field, f"{shown(day_text)}: {error}")
            continue
        if day in found:
            check.add(field, f"{day.isoformat()} is given twice")
        if len(name.strip()) > 200:
            check.add(field, f"the name of {day.isoformat()} must be at most 200 characters")
        found[day] = name.strip()
    return None if not check.ok else found


def _holidays(session: Session) -> tuple[tuple[date, str], ...]:
    return tuple(
        (d, str(n))
        for d, n in session.execute(
            select(m.Holiday.holiday_date, m.Holiday.name).order_by(m.Holiday.holiday_date)
        ).all()
    )


def _store_holidays(
    session: Session, held: Sequence[tuple[date, str]], wanted: dict[date, str]
) -> None:
    """Make the holiday rows those of ``wanted`` (rows of days no longer wanted go)."""
    kept = dict(held)
    gone = [day for day in kept if day not in wanted]
    if gone:
        session.execute(
            m.Holiday.__table__.delete().where(m.Holiday.holiday_date.in_(gone))  # type: ignore[attr-defined]
        )
    for day, name in wanted.items():
        if day not in kept:
            session.add(m.Holiday(holiday_date=day, name=name))
        elif kept[day] != name:
            session.execute(
                m.Holiday.__table__.update()  # type: ignore[attr-defined]
                .where(m.Holiday.holiday_date == day)
                .values(name=name)
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
        "working_weekdays": parse_weekdays(check, "working_weekdays", form.working_weekdays),
        "holidays": parse_holidays(check, "holidays", form.holidays or ""),
        "default_lunch_minutes": check.int_range(
            "default_lunch", form.default_lunch, 0, MAX_LUNCH_MINUTES
        ),
    }
    if form.logo_path.strip():
        from pathlib import Path

        if not Path(form.logo_path).expanduser().is_file():
            check.add("logo_path", "no such file")
    check.raise_if_any()
    return values


def _view(org: m.Organisation, holidays: tuple[tuple[date, str], ...]) -> OrganisationView:
    names = {f.name for f in fields(OrganisationView)} - {"smtp_password_set", "holidays"}
    values = {name: getattr(org, name) for name in names}
    has_password = bool(credentials.smtp_password(org.smtp_username, org.smtp_host))
    return OrganisationView(smtp_password_set=has_password, holidays=holidays, **values)
