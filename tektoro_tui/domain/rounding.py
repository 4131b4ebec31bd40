"""The one place where numbers are rounded.

Money, VAT and durations all round through these functions so that a rounding mode chosen in the
organisation settings applies everywhere the same way. Floats are refused outright: a float has
already lost the exact value before it gets here.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from enum import StrEnum


class RoundingMode(StrEnum):
    """How a value exactly halfway between two results is rounded.

    ``HALF_UP`` is commercial rounding: ties go away from zero, so -1.005 becomes -1.01 and a credit
    note mirrors its invoice to the cent. ``HALF_EVEN`` is banker's rounding: ties go to the even
    digit.
    """

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"


_DECIMAL_ROUNDING = {
    RoundingMode.HALF_UP: decimal.ROUND_HALF_UP,
    RoundingMode.HALF_EVEN: decimal.ROUND_HALF_EVEN,
}


def exact_decimal(value: Decimal | int) -> Decimal:
    """Return ``value`` as a finite Decimal, refusing floats, bools and non-numbers.

    Raises:
        TypeError: for a float, a bool or anything that is not a Decimal or an int.
        ValueError: for NaN or infinity.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"expected Decimal or int, got {type(value).__name__}; never use float")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"cannot round {result}")
    return result


def _context_for(value: Decimal, places: int) -> decimal.Context:
    """A context precise enough that only the explicit quantize rounds, never the arithmetic."""
    digits = len(value.as_tuple().digits)
    precision = max(28, digits + abs(places) + abs(value.adjusted()) + 2)
    return decimal.Context(prec=precision, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def round_decimal(
    value: Decimal | int, places: int, mode: RoundingMode = RoundingMode.HALF_UP
) -> Decimal:
    """Round ``value`` to ``places`` digits after the decimal point.

    Example: ``round_decimal(Decimal("2.345"), 2)`` is ``Decimal("2.35")``.
    """
    exact = exact_decimal(value)
    context = _context_for(exact, places)
    quantum = Decimal(1).scaleb(-places, context=context)
    return exact.quantize(quantum, rounding=_DECIMAL_ROUNDING[RoundingMode(mode)], context=context)


def to_minor_units(
    value: Decimal | int, minor_digits: int = 2, mode: RoundingMode = RoundingMode.HALF_UP
) -> int:
    """Convert major units (e.g. euros) to integer minor units (cents), rounding once.

    Example: ``to_minor_units(Decimal("1.005"))`` is ``101``.
    """
    if minor_digits < 0:
        raise ValueError("minor_digits must not be negative")
    exact = exact_decimal(value)
    scaled = exact.scaleb(minor_digits, context=_context_for(exact, minor_digits))
    return int(round_decimal(scaled, 0, mode))


def divide_to_int(
    numerator: int, denominator: int, mode: RoundingMode = RoundingMode.HALF_UP
) -> int:
    """Divide two integers exactly and round the quotient to an integer.

    Used for rates held as integers (basis points, minutes) where the exact quotient is a fraction.
    """
    for number in (numerator, denominator):
        if isinstance(number, bool) or not isinstance(number, int):
            raise TypeError(f"expected int, got {type(number).__name__}")
    if denominator == 0:
        raise ZeroDivisionError("division by zero")
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    twice = 2 * remainder
    half_up = RoundingMode(mode) == RoundingMode.HALF_UP
    if twice > abs(denominator) or (twice == abs(denominator) and (half_up or quotient % 2 == 1)):
        quotient += 1
    negative = (numerator < 0) != (denominator < 0)
    return -quotient if negative else quotient


def multiply_to_int(
    value: int, factor: Decimal | int, mode: RoundingMode = RoundingMode.HALF_UP
) -> int:
    """Multiply an integer (cents, minutes) by an exact factor and round the product once.

    The product is computed without any intermediate rounding, however many digits it needs.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected int, got {type(value).__name__}")
    exact_factor = exact_decimal(factor)
    context = _context_for(exact_factor, len(str(abs(value))))
    product = context.multiply(Decimal(value), exact_factor)
    return int(round_decimal(product, 0, mode))
