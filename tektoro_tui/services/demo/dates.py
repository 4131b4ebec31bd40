"""Calendar arithmetic the demo's history and its invoices share."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta


def month_start(day: date, months_back: int = 0) -> date:
    """The first day of the month ``months_back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date, days: int = 0) -> date:
    """The last day of the month ``days`` after ``day`` (a month-end to hold work until)."""
    later = day + timedelta(days=days)
    return later.replace(day=calendar.monthrange(later.year, later.month)[1])


def at(day: date, minute: int) -> datetime:
    """``day`` at ``minute`` past midnight, UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minute)
