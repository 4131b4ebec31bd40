"""Form checking that collects every problem at once.

A :class:`Form` cleans one field per call and remembers what is wrong, so a screen can mark every
bad field together instead of making the user fix them one at a time::

    form = Form()
    name = form.text("name", raw_name)
    email = form.email("email", raw_email)
    form.raise_if_any()  # ValidationError listing every Problem

Each method returns the cleaned value, or None when the field is empty (and optional) or wrong.

Edit forms default every field to :data:`UNCHANGED`: a field the user did not give keeps the
record's value. The service completes such a form with :func:`keep_unchanged` from the record
it locked, so an option left out of a command never resets anything::

    form = keep_unchanged(DraftForm(commentary="Phase 2"), draft_form_of(invoice))
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import re
from collections.abc import Iterable
from typing import Any, TypeVar, cast

from tektoro_tui.domain.money import (
    AmbiguousAmountError,
    Money,
    TooManyDecimalsError,
    percent_text,
)
from tektoro_tui.domain.timeparse import ParsedTime, parse_time_spent
from tektoro_tui.domain.values import MAX_WHOLE_NUMBER, parse_date, parse_id, parse_whole_number
from tektoro_tui.errors import Problem, ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters a typed text never holds (tab and line breaks aside): a NUL, which
PostgreSQL cannot store, or a terminal escape, which would act on the terminal of whoever is
shown the text later."""
CONTROL_CHARACTERS = "must not contain control characters (such as a NUL or a terminal escape)"

T = TypeVar("T")
F = TypeVar("F")


class _Unchanged(enum.Enum):
    """The one value of :data:`UNCHANGED`."""

    UNCHANGED = "unchanged"

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged.UNCHANGED
"""The default of every field of an edit form: not given, so the record keeps its value.

It is not None, because None is a value a field may be set to (no payment terms, no
supervisor). Typed ``Any`` so that a field keeps its own type: ``commentary: str = UNCHANGED``.
"""


def is_given(value: object) -> bool:
    """Whether a form field was given (is anything but :data:`UNCHANGED`)."""
    return value is not UNCHANGED


def given_fields(form: Any) -> frozenset[str]:
    """The names of the fields of the form dataclass ``form`` that were given."""
    return frozenset(
        field.name for field in dataclasses.fields(form) if is_given(getattr(form, field.name))
    )


def keep_unchanged(form: F, current: F) -> F:
    """``form`` completed: every field left :data:`UNCHANGED` takes its value from ``current``.

    ``current`` is the record as it stands (read in the same transaction as the write), or the
    defaults of a new record; the result has every field, so it is checked as a whole.
    """
    names = given_fields(form)
    changes = {name: getattr(form, name) for name in names}
    return cast(F, dataclasses.replace(cast(Any, current), **changes))


IS_REQUIRED = "is required"
MAX_AMOUNT_CENTS = 2_000_000_000
"""The largest amount typed into any form, in minor units (20 000 000.00): amounts are kept
in integer columns, which are 32 bits on PostgreSQL (at most 21 474 836.47)."""
MAX_EMAIL_LENGTH = 254
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)*\.[a-z]{2,}")
_PERCENT = re.compile(r"(\d{1,3})(?:[.,](\d{1,2}))?")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")


def _blank(value: object) -> bool:
    """True for None, empty or whitespace-only text, and empty collections."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset | dict):
        return not value
    return False


class Form:
    """Collects :class:`Problem` s while cleaning the fields of one form or command."""

    def __init__(self) -> None:
        """Start with no problems."""
        self._problems: list[Problem] = []

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem found so far, in the order the fields were checked."""
        return tuple(self._problems)

    @property
    def ok(self) -> bool:
        """True while no problem has been found."""
        return not self._problems

    def add(self, field: str, message: str) -> None:
        """Record a problem found elsewhere, e.g. a rule spanning two fields."""
        self._problems.append(Problem(field, message))

    def check(self, condition: bool, field: str, message: str) -> bool:
        """Record ``message`` against ``field`` unless ``condition`` holds; return ``condition``."""
        if not condition:
            self.add(field, message)
        return condition

    def raise_if_any(self) -> None:
        """Raise :class:`ValidationError` with every problem, if there are any."""
        if self._problems:
            raise ValidationError(self._problems)

    def _missing(self, field: str, value: object, required: bool) -> bool:
        """True if the field is blank, recording "is required" when it must be filled."""
        if value is UNCHANGED:
            raise TypeError(f"{field}: complete the form with keep_unchanged before checking it")
        if not _blank(value):
            return False
        if required:
            self.add(field, IS_REQUIRED)
        return True

    def required(self, field: str, value: T | None) -> T | None:
        """``value`` (stripped if text) unless it is blank, which is a problem."""
        if self._missing(field, value, required=True):
            return None
        if isinstance(value, str):
            if _CONTROL.search(value):
                self.add(field, CONTROL_CHARACTERS)
                return None
            return cast(T, value.strip())
        return value

    def text(
        self, field: str, value: str | None, *, required: bool = True, max_length: int = 200
    ) -> str | None:
        """Stripped text of at most ``max_length`` characters; a blank optional field is ''."""
        if self._missing(field, value, required):
            return None if required else ""
        assert value is not None
        cleaned = value.strip()
        if len(cleaned) > max_length:
            self.add(field, f"must be at most {max_length} characters")
            return None
        if _CONTROL.search(cleaned):
            self.add(field, CONTROL_CHARACTERS)
            return None
        return cleaned

    def email(self, field: str, value: str | None, *, required: bool = True) -> str | None:
        """An e-mail address, stripped and lower-cased (addresses are compared that way)."""
        if self._missing(field, value, required):
            return None
        assert value is not None
        cleaned = value.strip().lower()
        if len(cleaned) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(cleaned):
            self.add(field, "must be a valid e-mail address")
            return None
        return cleaned

    def money(
        self,
        field: str,
        text: str | None,
        currency: str,
        *,
        min_cents: int | None = None,
        allow_zero: bool = True,
        required: bool = True,
    ) -> Money | None:
        """An amount typed as "1234.56", "1 234,56" or "1,234.56" in ``currency``.

        More decimals than the currency has are a problem of the field, never rounded.
        """
        if self._missing(field, text, required):
            return None
        assert text is not None
        try:
            amount = Money.parse(text, currency)
        except (AmbiguousAmountError, TooManyDecimalsError) as error:
            self.add(field, str(error))
            return None
        except ValueError:
            self.add(field, "must be an amount like 1234.56, 1 234,56 or 1,234.56")
            return None
        if abs(amount.cents) > MAX_AMOUNT_CENTS:
            limit = Money(MAX_AMOUNT_CENTS, amount.currency).format()
            self.add(field, f"must be between -{limit} and {limit}")
            return None
        return self._money_in_range(field, amount, min_cents, allow_zero)

    def _money_in_range(
        self, field: str, amount: Money, min_cents: int | None, allow_zero: bool
    ) -> Money | None:
        """``amount`` if it is neither forbidden zero nor below ``min_cents``."""
        if not allow_zero and amount.is_zero:
            self.add(field, "must not be zero")
            return None
        if min_cents is not None and amount.cents < min_cents:
            minimum = Money(min_cents, amount.currency)
            self.add(field, f"must be at least {minimum.format()}")
            return None
        return amount

    def percent_bp(
        self, field: str, text: str | None, *, max_bp: int = 10_000, required: bool = True
    ) -> int | None:
        """A percentage typed as "23", "23%" or "8.5", as basis points (2300, 850)."""
        if self._missing(field, text, required):
            return None
        assert text is not None
        match = _PERCENT.fullmatch(text.strip().removesuffix("%").strip())
        if match is None:
            self.add(field, "must be a percentage like 23 or 8.5 (at most two decimals)")
            return None
        bp = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))
        if bp > max_bp:
            self.add(field, f"must be between 0 and {percent_text(max_bp)}%")
            return None
        return bp

    def positive_int(
        self,
        field: str,
        value: int | str | None,
        *,
        maximum: int | None = None,
        required: bool = True,
    ) -> int | None:
        """A whole number greater than zero (and at most ``maximum``), from an int or text."""
        if self._missing(field, value, required):
            return None
        number = _whole_number(value)
        if number is None or number <= 0:
            self.add(field, "must be a whole number greater than zero")
            return None
        if maximum is not None and number > maximum:
            self.add(field, f"must be at most {maximum}")
            return None
        return number

    def id(self, field: str, value: int | str | None, *, required: bool = True) -> int | None:
        """A record id (a whole number from 1 to 2**31 - 1), from an int or its digits."""
        if self._missing(field, value, required):
            return None
        assert value is not None
        try:
            return parse_id(value)
        except ValueError as error:
            self.add(field, str(error))
            return None

    def int_range(
        self, field: str, value: int | str | None, low: int, high: int, *, required: bool = True
    ) -> int | None:
        """A whole number between ``low`` and ``high`` inclusive, from an int or text."""
        if self._missing(field, value, required):
            return None
        number = _whole_number(value)
        if number is None or not low <= number <= high:
            self.add(field, f"must be a whole number from {low} to {high}")
            return None
        return number

    def clock(self, field: str, text: str | None, *, required: bool = True) -> int | None:
        """A time of day typed as 07:00 or 7.30, as minutes after midnight."""
        if self._missing(field, text, required):
            return None
        assert text is not None
        match = _CLOCK.fullmatch(text.strip())
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            self.add(field, "must be a time of day like 07:00 or 15:30")
            return None
        return int(match[1]) * 60 + int(match[2])

    def date(
        self, field: str, text: str | datetime.date | None, *, required: bool = True
    ) -> datetime.date | None:
        """A calendar date typed as 2024-03-31 or 31.03.2024, within the years the product
        keeps (:func:`~tektoro_tui.domain.values.parse_date`)."""
        if self._missing(field, text, required):
            return None
        assert text is not None
        try:
            return parse_date(text)
        except ValueError as error:
            self.add(field, str(error))
            return None

    def time_spent(
        self, field: str, text: str | None, *, required: bool = True
    ) -> ParsedTime | None:
        """Time spent as typed on a time card ("1:30", "1.5", "2h30m", "08:00-09:30")."""
        if self._missing(field, text, required):
            return None
        assert text is not None
        try:
            return parse_time_spent(text)
        except ValueError as error:
            self.add(field, str(error))
            return None

    def choice(
        self, field: str, value: object, allowed: Iterable[T], *, required: bool = True
    ) -> T | None:
        """The member of ``allowed`` equal to ``value`` (so "draft" returns the enum member)."""
        if self._missing(field, value, required):
            return None
        options = list(allowed)
        cleaned = value.strip() if isinstance(value, str) else value
        for option in options:
            if option == cleaned:
                return option
        self.add(field, f"must be one of: {', '.join(str(option) for option in options)}")
        return None


def _whole_number(value: object) -> int | None:
    """An int from an int or digit text that a 64-bit column holds; None for anything else
    (bools, floats, Unicode digits and numbers beyond 64 bits included)."""
    if not isinstance(value, int | str):
        return None
    try:
        return parse_whole_number(value, -MAX_WHOLE_NUMBER, MAX_WHOLE_NUMBER)
    except ValueError:
        return None
