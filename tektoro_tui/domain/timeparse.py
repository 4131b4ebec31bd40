"""Reading and writing time spent, as whole minutes.

People type time on a time card in many ways ("1:30", "1.5", "90m", "2h30m", "08:00-09:30",
"22:00-02:00+1"); :func:`parse_time_spent` turns all of them into integer minutes (plus the clock
times of a range), :func:`format_minutes` writes minutes back as "h:mm" and
:func:`format_range` a range's clock times back as typed.

This is the one reader of time spent: every form and command that takes a duration or a clock
range goes through it, so a backwards range is refused the same way everywhere.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from tektoro_tui.domain.rounding import multiply_to_int

MINUTES_PER_HOUR = 60
MAX_MINUTES_PER_DAY = 24 * 60

ACCEPTED_FORMS = "must be a time like 1:30, 1.5, 90m, 2h30m or a range like 08:00-09:30"
TOO_SHORT = "time must be more than zero"
TOO_LONG = "time must be at most 24 hours in one entry"
NEXT_DAY = "+1"
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Weekdays as printed and typed (Monday first, as ``date.weekday()`` counts), in every
locale the same."""
WEEKDAY_FULL_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""Written after a clock range that ends on the next day: "22:00-02:00+1"."""

_CLOCK = r"(\d{1,2})[:.](\d{2})"
_MAX_TEXT = 40
_RANGE = re.compile(rf"{_CLOCK}\s*[-\u2013\u2014]\s*{_CLOCK}(\s*\+\s*1)?")
_HOURS_MINUTES = re.compile(r"(\d+):(\d{2})")
_DECIMAL_HOURS = re.compile(r"(\d*[.,]?\d+)")
_HOURS_UNIT = r"(?:(\d*[.,]?\d+)\s*h(?:ours?|rs?)?)"
_MINUTES_UNIT = r"(?:(\d+)\s*m(?:in|ins|inutes?)?)"
_UNITS = re.compile(rf"{_HOURS_UNIT}\s*(\d+)|{_HOURS_UNIT}?\s*{_MINUTES_UNIT}?")


@dataclass(frozen=True)
class ParsedTime:
    """Time spent in whole minutes; ``start`` and ``end`` are set when a clock range was typed."""

    minutes: int
    start: datetime.time | None = None
    end: datetime.time | None = None


def parse_time_spent(text: str) -> ParsedTime:
    """Minutes (and clock times) from what a person typed on a time card.

    Accepts "1:30" (hours:minutes), "1.5" or "1,5" (decimal hours, rounded to the nearest minute
    half-up; a bare "2" is two hours), "90m", "2h", "2h30m", "2h30", and a clock range
    "08:00-09:30" or "8:00-9:30" (an en dash works too). A range past midnight says so with
    "+1" after its end ("22:00-02:00+1" is four hours); a range whose end comes before its
    start without it was typed backwards and is refused, never read as an overnight shift.

    Raises:
        ValueError: for text in none of these forms, for a backwards range, for zero or
            negative time, and for more than 24 hours.
    """
    cleaned = text.strip().lower() if isinstance(text, str) else ""
    if len(cleaned) > _MAX_TEXT:
        raise ValueError(ACCEPTED_FORMS)
    if cleaned.startswith(("-", "\u2212")):
        _parse_any(cleaned[1:].strip())
        raise ValueError(TOO_SHORT)
    parsed = _parse_any(cleaned)
    if parsed.minutes <= 0:
        raise ValueError(TOO_SHORT)
    if parsed.minutes > MAX_MINUTES_PER_DAY:
        raise ValueError(TOO_LONG)
    return parsed


def format_minutes(minutes: int) -> str:
    """Minutes as "h:mm": 90 -> "1:30", 5 -> "0:05", 1500 -> "25:00", -30 -> "-0:30"."""
    hours, rest = divmod(abs(minutes), MINUTES_PER_HOUR)
    sign = "-" if minutes < 0 else ""
    return f"{sign}{hours}:{rest:02d}"


def format_range(start_minute: int, end_minute: int) -> str:
    """A clock range as it is typed: (480, 570) -> "08:00-09:30", (1320, 120) ->
    "22:00-02:00+1" (an end at or before the start is on the next day)."""
    text = f"{clock_text(start_minute)}-{clock_text(end_minute)}"
    return text + NEXT_DAY if end_minute <= start_minute else text


def clock_text(minute_of_day: int) -> str:
    """Minutes after midnight as "HH:MM" (a minute of the next morning, past 1440, as its
    clock time)."""
    minute = minute_of_day % (24 * MINUTES_PER_HOUR)
    return f"{minute // MINUTES_PER_HOUR:02d}:{minute % MINUTES_PER_HOUR:02d}"


def _parse_any(text: str) -> ParsedTime:
    """Try every accepted form in turn; ValueError naming the forms when none fits."""
    if match := _RANGE.fullmatch(text):
        return _parse_range(*match.groups()[:4], next_day=match[5] is not None)
    if match := _HOURS_MINUTES.fullmatch(text):
        return ParsedTime(_hours_and_minutes(int(match[1]), int(match[2])))
    if match := _DECIMAL_HOURS.fullmatch(text):
        return ParsedTime(_decimal_hours(match[1]))
    if match := _UNITS.fullmatch(text):
        hours = match[1] or match[3]
        minutes = match[2] or match[4]
        if hours or minutes:
            return ParsedTime((_decimal_hours(hours) if hours else 0) + int(minutes or 0))
    raise ValueError(ACCEPTED_FORMS)


def _hours_and_minutes(hours: int, minutes: int) -> int:
    """Total minutes for "h:mm", refusing minutes of 60 or more."""
    if minutes >= MINUTES_PER_HOUR:
        raise ValueError(f"minutes must be below 60 (write {hours + 1}:{minutes - 60:02d})")
    return hours * MINUTES_PER_HOUR + minutes


def _decimal_hours(text: str) -> int:
    """Decimal hours ("1.5" or "1,5") as minutes, rounded half-up to the nearest minute."""
    return multiply_to_int(MINUTES_PER_HOUR, Decimal(text.replace(",", ".")))


def _clock(hours: str, minutes: str) -> datetime.time:
    """A clock time from its digits; ValueError for 24:00, 9:75 and the like."""
    try:
        return datetime.time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{hours}:{minutes} is not a time of day (00:00 to 23:59)") from None


def _parse_range(
    start_hours: str, start_minutes: str, end_hours: str, end_minutes: str, *, next_day: bool
) -> ParsedTime:
    """Minutes between two clock times; the end is on the next day only when ``next_day``.

    Raises:
        ValueError: when the end comes before the start on the same day.
    """
    start = _clock(start_hours, start_minutes)
    end = _clock(end_hours, end_minutes)
    minutes = _minute_of_day(end) - _minute_of_day(start)
    if next_day:
        minutes += MAX_MINUTES_PER_DAY
    elif minutes < 0:
        raise ValueError(
            f"{clock_text(_minute_of_day(start))}-{clock_text(_minute_of_day(end))} ends "
            f"before it starts; for a range past midnight write 22:00-02:00{NEXT_DAY}"
        )
    return ParsedTime(minutes, start, end)


def _minute_of_day(moment: datetime.time) -> int:
    """Minutes since midnight."""
    return moment.hour * MINUTES_PER_HOUR + moment.minute
