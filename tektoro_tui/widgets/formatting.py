"""How values read on screen: hours, money, dates, yes/no and field names."""

from __future__ import annotations

from datetime import date, datetime

from ..domain.money import Money
from ..domain.timeparse import WEEKDAY_NAMES


def hours(minutes: int) -> str:
    """Minutes as hours and minutes: 90 -> '1:30'."""
    sign = "-" if minutes < 0 else ""
    whole, rest = divmod(abs(minutes), 60)
    return f"{sign}{whole}:{rest:02d}"


def money(amount: Money | None) -> str:
    """An amount with its currency, or an empty cell."""
    return "" if amount is None else str(amount)


def plain_amount(amount: Money | None) -> str:
    """An amount as a form field shows it for editing (no grouping, no currency)."""
    return "" if amount is None else amount.format(thousands="")


def day(value: date | None) -> str:
    """A date as YYYY-MM-DD, or empty."""
    return "" if value is None else value.isoformat()


def weekday(value: date) -> str:
    """The day's short weekday name, the same in every locale: "Mon"."""
    return WEEKDAY_NAMES[value.weekday()]


def moment(value: datetime | None) -> str:
    """A timestamp to the minute, in UTC (the database keeps UTC)."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M UTC")


def yes_no(flag: bool) -> str:
    """A flag as a short word for a table cell."""
    return "yes" if flag else "no"


def active_label(active: bool) -> str:
    """A record's active flag as a table cell."""
    return "active" if active else "inactive"


def field_label(field: str) -> str:
    """A form field's name as words: 'company_id' -> 'Company', 'admin_email' -> 'Admin e-mail'."""
    words = field.removesuffix("_id").replace("_", " ").strip()
    words = words.replace("email", "e-mail")
    return words[:1].upper() + words[1:]
