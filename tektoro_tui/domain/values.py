"""The one reader of each kind of typed value that is not money or time: ids, whole numbers
and dates, each with the limits the database and date arithmetic can hold; and the key that
names and codes are compared by.

Every command option and form field of these kinds goes through here, so "99999999999999999999"
is refused as an id in words instead of overflowing an integer column, and "9999-12-31" as a date
before a due date 14 days later overflows the calendar. Each function raises ``ValueError``
with a message that reads after the field's name ("ids: must be ...").
"""

from __future__ import annotations

import datetime
import re

MAX_ID = 2**31 - 1
"""The largest id every backend's id column holds (PostgreSQL INTEGER is 32 bits; SQLite's
INTEGER is 64), so an id is refused in the same words on both."""
MAX_WHOLE_NUMBER = 2**63 - 1
"""The largest whole number read at all; each field narrows it to its own range."""
FIRST_DATE = datetime.date(1900, 1, 1)
LAST_DATE = datetime.date(2199, 12, 31)
"""Dates outside these are typing mistakes in bookkeeping, and far enough from the ends of the
calendar that adding a payment deadline or a period to them never overflows."""
DATE_FORMS = "a date like 2024-03-31 or 31.03.2024"

_DIGITS = re.compile(r"\+?[0-9]+")
_MAX_DIGITS = len(str(MAX_WHOLE_NUMBER))
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", re.ASCII)


def hash_token(token: str) -> str:
    """How a secret token (a CLI session's, an invitation's) is stored: only its SHA-256 hex
    digest, so a copy of the database holds no usable token."""
    import hashlib  # only where tokens are checked: not at every start

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def name_key(text: str) -> str:
    """The form of a name or code that uniqueness is judged by: case folded, inner spaces
    collapsed, ends trimmed ("Brücke  NORD " and "brücke nord" are the same name).

    The database keeps it beside the name, under a unique index per scope, so two entries
    that differ only in case or spacing are refused by the database itself.
    """
    return " ".join(text.split()).casefold()


def is_whole_number(text: str) -> bool:
    """Whether ``text`` is written as a whole number: ASCII digits, maybe a leading "+".

    Unicode digits ("²", "١٢") are not: ``str.isdigit`` accepts them but ``int`` does not
    always, and an id is never typed that way.
    """
    return _DIGITS.fullmatch(text.strip()) is not None


def parse_whole_number(text: str | int, low: int = 0, high: int = MAX_WHOLE_NUMBER) -> int:
    """A whole number from ``low`` to ``high`` from its digits (or an int, checked the same way).

    Raises:
        ValueError: not a whole number, or outside the range.
    """
    if isinstance(text, bool):
        raise ValueError(f"must be a whole number from {low} to {high}")
    if isinstance(text, int):
        number = text
    else:
        digits = text.strip().removeprefix("+") if is_whole_number(text) else ""
        if not digits or len(digits.lstrip("0")) > _MAX_DIGITS:
            raise ValueError(f"must be a whole number from {low} to {high}")
        number = int(digits)
    if not low <= number <= high:
        raise ValueError(f"must be a whole number from {low} to {high}")
    return number


def parse_id(text: str | int) -> int:
    """A record id: a whole number from 1 to :data:`MAX_ID`.

    Raises:
        ValueError: for anything else.
    """
    try:
        return parse_whole_number(text, 1, MAX_ID)
    except ValueError:
        raise ValueError(f"must be an id: a whole number from 1 to {MAX_ID}") from None


def id_or_none(text: str) -> int | None:
    """``text`` as a record id when it is one (ASCII digits within the id range), else None:
    a name that is all digits, or a number too long for an id, names no record by id."""
    if not text.isascii() or not text.isdigit():
        return None
    try:
        return parse_id(text)
    except ValueError:
        return None


def parse_date(text: str | datetime.date) -> datetime.date:
    """A calendar date typed as 2024-03-31 or 31.03.2024, between :data:`FIRST_DATE` and
    :data:`LAST_DATE` (a date object is checked against the same limits).

    Raises:
        ValueError: not such a date, a day that does not exist, or outside the limits.
    """
    if isinstance(text, datetime.datetime):
        day = text.date()
    elif isinstance(text, datetime.date):
        day = text
    else:
        found = _date_or_none(text.strip())
        if found is None:
            raise ValueError(f"must be {DATE_FORMS}")
        day = found
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"must be a date from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}")
    return day


def _date_or_none(text: str) -> datetime.date | None:
    """A date from "YYYY-MM-DD" or "DD.MM.YYYY"; None when it is neither or does not exist."""
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _DOTTED_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
