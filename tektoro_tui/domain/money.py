"""Money as integer minor units in one currency.

A :class:`Money` holds cents (or the currency's minor unit) as an ``int`` and its ISO currency
code. Arithmetic never rounds except through :mod:`tektoro_tui.domain.rounding`, and amounts in
different currencies never mix silently: combining them raises
:class:`~tektoro_tui.errors.CurrencyMismatch`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypeGuard

from tektoro_tui.domain.rounding import (
    RoundingMode,
    divide_to_int,
    exact_decimal,
    multiply_to_int,
    to_minor_units,
)
from tektoro_tui.errors import CurrencyMismatch

DEFAULT_CURRENCY = "EUR"
DEFAULT_MINOR_DIGITS = 2
MINOR_DIGITS: dict[str, int] = {"JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3}
"""Currencies whose minor unit is not a hundredth; every other currency has two digits."""

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_CHECKED_CODES: set[str] = set()
"""Currency codes already found well-formed (a plain ``str`` of three capitals)."""
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_PARSE_HINT = "write an amount like 1234.56, 1 234,56 or 1,234.56"
MAX_AMOUNT_TEXT = 40
"""The longest amount text read; longer is refused before any digit is looked at."""


class AmbiguousAmountError(ValueError):
    """Typed text such as "1,234" that could mean thousands or decimals."""


class TooManyDecimalsError(ValueError):
    """Typed text such as "16.665" with more decimals than the currency has: never rounded."""


def minor_digits(currency: str) -> int:
    """Number of digits after the decimal point for ``currency`` (2 for most, 0 for JPY)."""
    return MINOR_DIGITS.get(currency, DEFAULT_MINOR_DIGITS)


def _is_int(value: object) -> TypeGuard[int]:
    """True for a real int; bool is an int to Python but never an amount."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: ``cents`` minor units of ``currency``.

    Equality compares both fields, so 1 EUR != 1 USD; ordering and arithmetic across currencies
    raise :class:`CurrencyMismatch`.
    """

    cents: int
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        """Refuse anything but an int amount and a three-letter upper-case currency code."""
        if type(self.cents) is not int and not _is_int(self.cents):
            raise TypeError(f"Money.cents must be an int, got {type(self.cents).__name__}")
        currency = self.currency
        if type(currency) is str and currency in _CHECKED_CODES:
            return  # an invoice builds tens of thousands of amounts in one currency
        if not isinstance(currency, str) or not _CURRENCY_CODE.fullmatch(currency):
            raise ValueError(f"currency must be a three-letter code like EUR, got {currency!r}")
        _CHECKED_CODES.add(currency)

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        """Nothing, in ``currency``."""
        return cls(0, currency)

    @classmethod
    def of(
        cls,
        value: Decimal | str | int,
        currency: str = DEFAULT_CURRENCY,
        mode: RoundingMode = RoundingMode.HALF_UP,
    ) -> Money:
        """Money from an amount in major units (``Money.of("12.50")`` is 1250 cents).

        A string must be a plain decimal number; use :meth:`parse` for what people type.
        Raises TypeError for a float.
        """
        if isinstance(value, str):
            value = _decimal_from_plain(value)
        return cls(to_minor_units(exact_decimal(value), minor_digits(currency), mode), currency)

    @classmethod
    def parse(cls, text: str, currency: str = DEFAULT_CURRENCY) -> Money:
        """Money from what a person typed: "1234.56", "1 234,56", "1,234.56", "-12", "12.5".

        Nothing is rounded: more decimals than the currency has ("16.665" in EUR) are refused
        with :class:`TooManyDecimalsError`, unless they are only zeros ("12.500"). A single comma
        followed by exactly three digits ("1,234") is refused as ambiguous (thousands or
        decimals?).

        Raises:
            ValueError: with a message saying which forms are accepted.
        """
        value = parse_amount(text)
        digits = minor_digits(currency)
        if _decimal_places(value) > digits:
            raise TooManyDecimalsError(_too_many_decimals(text, currency, digits))
        return cls.of(value, currency)

    # -- views ----------------------------------------------------------------------------------

    @property
    def amount(self) -> Decimal:
        """The exact amount in major units, e.g. ``Decimal("12.50")``."""
        sign, digits, exponent = Decimal(self.cents).as_tuple()
        assert isinstance(exponent, int)
        return Decimal((sign, digits, exponent - minor_digits(self.currency)))

    @property
    def is_zero(self) -> bool:
        """True when the amount is exactly nothing."""
        return self.cents == 0

    @property
    def is_negative(self) -> bool:
        """True below zero (a credit, a refund, a write-down)."""
        return self.cents < 0

    @property
    def is_positive(self) -> bool:
        """True above zero."""
        return self.cents > 0

    def format(self, thousands: str = ",", decimal: str = ".") -> str:
        """The amount without currency, grouped: ``"1,234.56"``, ``"-0.05"``, ``"1 234,56"``."""
        digits = minor_digits(self.currency)
        whole, fraction = divmod(abs(self.cents), 10**digits)
        text = f"{whole:,}".replace(",", thousands)
        if digits:
            text += f"{decimal}{fraction:0{digits}d}"
        return f"-{text}" if self.cents < 0 else text

    def __str__(self) -> str:
        """E.g. ``"1,234.56 EUR"``."""
        return f"{self.format()} {self.currency}"

    # -- arithmetic -----------------------------------------------------------------------------

    def _same_currency(self, other: Money) -> None:
        """Raise CurrencyMismatch unless ``other`` is in this currency."""
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} and {other.currency} amounts")

    def __add__(self, other: Money) -> Money:
        """Sum of two amounts in the same currency."""
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.cents + other.cents, self.currency)

    def __sub__(self, other: Money) -> Money:
        """Difference of two amounts in the same currency."""
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.cents - other.cents, self.currency)

    def __neg__(self) -> Money:
        """The opposite amount (an invoice line becomes a credit-note line)."""
        return Money(-self.cents, self.currency)

    def __abs__(self) -> Money:
        """The amount without its sign."""
        return Money(abs(self.cents), self.currency)

    def __mul__(self, factor: int) -> Money:
        """Exact multiplication by a whole number; use :meth:`multiply` for fractions."""
        if not _is_int(factor):
            return NotImplemented
        return Money(self.cents * factor, self.currency)

    __rmul__ = __mul__

    def multiply(self, factor: Decimal | int, mode: RoundingMode = RoundingMode.HALF_UP) -> Money:
        """Multiply by an exact factor (a quantity, a rate) and round once to minor units."""
        return Money(multiply_to_int(self.cents, factor, mode), self.currency)

    def percent(self, bp: int, mode: RoundingMode = RoundingMode.HALF_UP) -> Money:
        """``bp`` basis points of this amount (2300 is 23 %), rounded once."""
        if not _is_int(bp):
            raise TypeError(f"basis points must be an int, got {type(bp).__name__}")
        return Money(divide_to_int(self.cents * bp, 10_000, mode), self.currency)

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split into parts proportional to ``weights`` that always sum exactly to the whole.

        Largest-remainder method: every part is the exact share rounded down, and the cents left
        over go one each to the parts with the largest remainders (earlier parts win ties). Each
        part is less than one minor unit away from its exact share. A negative amount is split as
        its absolute value and negated, so a credit note mirrors its invoice.

        Raises:
            ValueError: for no weights, a negative weight, or only zero weights.
        """
        _check_weights(weights)
        parts = _allocate_cents(abs(self.cents), weights)
        sign = -1 if self.cents < 0 else 1
        return [Money(sign * part, self.currency) for part in parts]

    # -- comparison -----------------------------------------------------------------------------

    def _compare_key(self, other: object) -> int | None:
        """``other.cents`` after checking currency, or None when ``other`` is not Money."""
        if not isinstance(other, Money):
            return None
        self._same_currency(other)
        return other.cents

    def __lt__(self, other: Money) -> bool:
        """Less than, same currency only."""
        cents = self._compare_key(other)
        return NotImplemented if cents is None else self.cents < cents

    def __le__(self, other: Money) -> bool:
        """Less than or equal, same currency only."""
        cents = self._compare_key(other)
        return NotImplemented if cents is None else self.cents <= cents

    def __gt__(self, other: Money) -> bool:
        """Greater than, same currency only."""
        cents = self._compare_key(other)
        return NotImplemented if cents is None else self.cents > cents

    def __ge__(self, other: Money) -> bool:
        """Greater than or equal, same currency only."""
        cents = self._compare_key(other)
        return NotImplemented if cents is None else self.cents >= cents


def sum_money(items: Iterable[Money], currency: str = DEFAULT_CURRENCY) -> Money:
    """Total of ``items``; zero in ``currency`` when there are none.

    Raises CurrencyMismatch if any item is in another currency.
    """
    cents = 0
    for item in items:
        if not isinstance(item, Money):
            raise TypeError(f"sum_money adds Money, got {type(item).__name__}")
        if item.currency != currency:
            raise CurrencyMismatch(f"Cannot combine {currency} and {item.currency} amounts")
        cents += item.cents
    return Money(cents, currency)


def _check_weights(weights: Sequence[int]) -> None:
    """Refuse weights that cannot describe a split."""
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(not _is_int(weight) for weight in weights):
        raise TypeError("allocation weights must be ints")
    if any(weight < 0 for weight in weights):
        raise ValueError("allocation weights must not be negative")
    if sum(weights) == 0:
        raise ValueError("allocation weights must not all be zero")


def _allocate_cents(total: int, weights: Sequence[int]) -> list[int]:
    """Largest-remainder split of a non-negative ``total`` by non-negative ``weights``."""
    weight_sum = sum(weights)
    shares = [divmod(total * weight, weight_sum) for weight in weights]
    parts = [floor for floor, _ in shares]
    left_over = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda index: -shares[index][1])
    for index in by_remainder[:left_over]:
        parts[index] += 1
    return parts


def _decimal_from_plain(text: str) -> Decimal:
    """A Decimal from a plain number string such as "12.50"; ValueError otherwise."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number; {_PARSE_HINT}") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a number; {_PARSE_HINT}")
    return value


def parse_amount(text: str) -> Decimal:
    """The exact decimal number in what a person typed, before any rounding.

    Accepts an optional sign, digit groups separated by spaces, apostrophes, or whichever of "."
    and "," is not the decimal separator; the decimal separator is the last "." or "," when both
    appear. See :meth:`Money.parse`.

    Raises:
        ValueError: for anything that is not such a number.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_AMOUNT_TEXT:
        raise ValueError(f"is too long for an amount ({MAX_AMOUNT_TEXT} characters at most)")
    negative, body = _split_sign(_SPACES.sub(" ", text.strip()))
    if not re.fullmatch(r"[0-9 ,.'\u2019]*[0-9][0-9 ,.'\u2019]*", body):
        raise ValueError(f"{text.strip()!r} is not an amount; {_PARSE_HINT}")
    separator = _decimal_separator(body, text)
    whole, _, fraction = body.rpartition(separator) if separator else (body, "", "")
    if separator and not fraction.isdigit():
        raise ValueError(f"{text.strip()!r} needs digits after the decimal separator")
    digits = _ungroup(whole, text)
    value = Decimal(f"{digits or '0'}.{fraction or '0'}")
    return -value if negative else value


def _decimal_places(value: Decimal) -> int:
    """How many decimal places ``value`` needs, trailing zeros aside ("12.500" needs 1).

    Read from the digits themselves: no context precision, so a long number stays exact.
    """
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # parse_amount never makes NaN or infinity
    places = -exponent
    for digit in reversed(digits):
        if places <= 0 or digit != 0:
            break
        places -= 1
    return max(places, 0)


def _too_many_decimals(text: str, currency: str, digits: int) -> str:
    """Why an amount with sub-unit decimals is refused, e.g. "16.665 has more than 2 decimal
    places (EUR has 2; nothing is rounded)"."""
    shown = text.strip()
    if len(shown) > 40:
        shown = shown[:37] + "..."
    if digits == 0:
        return f"{shown} has decimal places, but {currency} has none (nothing is rounded)"
    return (
        f"{shown} has more than {digits} decimal places "
        f"({currency} has {digits}; nothing is rounded)"
    )


def _split_sign(text: str) -> tuple[bool, str]:
    """(is negative, rest) for text that may start with "+", "-" or a Unicode minus."""
    if text[:1] in ("-", "\u2212"):
        return True, text[1:].strip()
    if text[:1] == "+":
        return False, text[1:].strip()
    return False, text


def _decimal_separator(body: str, original: str) -> str:
    """Which character separates decimals in ``body`` ("" when it has none)."""
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        separator = "," if body.rfind(",") > body.rfind(".") else "."
        if body.count(separator) > 1:
            raise ValueError(f"{original.strip()!r} is not an amount; {_PARSE_HINT}")
        return separator
    if commas == 1:
        _refuse_ambiguous_comma(body)
        return ","
    if dots == 1:
        return "."
    return ""


def _refuse_ambiguous_comma(body: str) -> None:
    """Refuse "1,234": it could be one thousand two hundred and thirty-four or 1.234."""
    whole, _, fraction = body.partition(",")
    if len(fraction) == 3 and whole.isdigit() and 1 <= len(whole) <= 3 and whole[0] != "0":
        raise AmbiguousAmountError(
            f"{whole},{fraction} is ambiguous: write {whole}{fraction} or {whole},{fraction}.00 "
            f"for thousands, {whole}.{fraction} for decimals"
        )


def _ungroup(whole: str, original: str) -> str:
    """Digits of the integer part with one kind of group separator removed and checked."""
    if whole.isdigit() or whole == "":
        return whole
    groups_by = {char for char in whole if not char.isdigit()}
    groups = re.split(r"[ ,.'\u2019]", whole)
    well_formed = (
        len(groups_by) == 1
        and 1 <= len(groups[0]) <= 3
        and all(len(group) == 3 for group in groups[1:])
        and all(group.isdigit() for group in groups)
    )
    if not well_formed:
        raise ValueError(f"{original.strip()!r} is not an amount; {_PARSE_HINT}")
    return "".join(groups)


def percent_text(bp: int) -> str:
    """Basis points as a printed percentage: 2300 -> "23", 1250 -> "12.5", 8519 -> "85.19".

    The one place a rate, a markup or a share in basis points becomes text (exact: no float).
    """
    return format(Decimal(bp).scaleb(-2).normalize(), "f")


def optional_percent_text(bp: int | None) -> str:
    """:func:`percent_text`, or "" where no rate is set (a form's field left blank)."""
    return "" if bp is None else percent_text(bp)
