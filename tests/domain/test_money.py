"""Money and rounding: exact cents, explicit rounding, no silent currency mixing."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tektoro_tui.domain.money import (
    AmbiguousAmountError,
    Money,
    TooManyDecimalsError,
    minor_digits,
    parse_amount,
    sum_money,
)
from tektoro_tui.domain.rounding import (
    RoundingMode,
    divide_to_int,
    multiply_to_int,
    round_decimal,
    to_minor_units,
)
from tektoro_tui.errors import CurrencyMismatch

HALF_UP = RoundingMode.HALF_UP
HALF_EVEN = RoundingMode.HALF_EVEN

cents = st.integers(min_value=-(10**12), max_value=10**12)


# -- rounding ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digits", "mode", "expected"),
    [
        ("1.005", 2, HALF_UP, 101),
        ("1.004", 2, HALF_UP, 100),
        ("-1.005", 2, HALF_UP, -101),
        ("1.005", 2, HALF_EVEN, 100),
        ("1.015", 2, HALF_EVEN, 102),
        ("-1.015", 2, HALF_EVEN, -102),
        ("12.5", 0, HALF_UP, 13),
        ("12.5", 0, HALF_EVEN, 12),
        ("0.0005", 3, HALF_UP, 1),
        ("7", 2, HALF_UP, 700),
        ("123456789012345678901234567890.125", 2, HALF_UP, 12345678901234567890123456789013),
    ],
)
def test_to_minor_units(value: str, digits: int, mode: RoundingMode, expected: int) -> None:
    assert to_minor_units(Decimal(value), digits, mode) == expected


def test_to_minor_units_accepts_mode_as_text() -> None:
    assert to_minor_units(Decimal("1.005"), 2, RoundingMode("half_even")) == 100


@pytest.mark.parametrize("bad", [1.005, True, "1.00", None])
def test_rounding_refuses_floats_and_non_numbers(bad: object) -> None:
    with pytest.raises(TypeError):
        to_minor_units(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        round_decimal(bad, 2)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_rounding_refuses_non_finite(bad: str) -> None:
    with pytest.raises(ValueError):
        to_minor_units(Decimal(bad))


def test_round_decimal() -> None:
    assert round_decimal(Decimal("2.345"), 2) == Decimal("2.35")
    assert round_decimal(Decimal("2.345"), 2, HALF_EVEN) == Decimal("2.34")
    assert str(round_decimal(Decimal("2"), 2)) == "2.00"


def _reference_round(exact: Fraction, mode: RoundingMode) -> int:
    """Independent oracle: round a fraction with the textbook definition of each mode."""
    floor = exact.__floor__()
    rest = exact - floor
    if rest != Fraction(1, 2):
        return floor + (1 if rest > Fraction(1, 2) else 0)
    if mode is RoundingMode.HALF_UP:
        return floor + 1 if exact > 0 else floor
    return floor if floor % 2 == 0 else floor + 1


@given(st.integers(-(10**15), 10**15), st.integers(1, 10**6), st.sampled_from(RoundingMode))
def test_divide_to_int_matches_reference(num: int, den: int, mode: RoundingMode) -> None:
    for divisor in (den, -den):
        assert divide_to_int(num, divisor, mode) == _reference_round(Fraction(num, divisor), mode)


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=5),
    st.integers(0, 4),
    st.sampled_from(RoundingMode),
)
def test_to_minor_units_matches_reference(value: Decimal, digits: int, mode: RoundingMode) -> None:
    expected = _reference_round(Fraction(value) * 10**digits, mode)
    assert to_minor_units(value, digits, mode) == expected


def test_divide_to_int_refuses_zero_and_non_ints() -> None:
    with pytest.raises(ZeroDivisionError):
        divide_to_int(1, 0)
    with pytest.raises(TypeError):
        divide_to_int(1.0, 2)  # type: ignore[arg-type]


@given(
    st.integers(-(10**20), 10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=6),
    st.sampled_from(RoundingMode),
)
def test_multiply_to_int_is_exact_then_rounded_once(
    value: int, factor: Decimal, mode: RoundingMode
) -> None:
    exact = Fraction(value) * Fraction(factor)
    assert multiply_to_int(value, factor, mode) == _reference_round(exact, mode)


def test_multiply_to_int_refuses_float() -> None:
    with pytest.raises(TypeError):
        multiply_to_int(100, 0.5)  # type: ignore[arg-type]


# -- construction ----------------------------------------------------------------------------------


def test_money_defaults_to_euro() -> None:
    assert Money(5) == Money(5, "EUR")
    assert Money.zero() == Money(0, "EUR")
    assert Money.zero("USD").currency == "USD"


@pytest.mark.parametrize("bad", [1.5, True, "12", Decimal("1")])
def test_money_cents_must_be_int(bad: object) -> None:
    with pytest.raises(TypeError):
        Money(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["eur", "EURO", "E1R", "", "€"])
def test_money_currency_must_be_three_upper_letters(bad: str) -> None:
    with pytest.raises(ValueError, match="three-letter"):
        Money(1, bad)


def test_money_is_frozen_and_hashable() -> None:
    m = Money(100)
    with pytest.raises(AttributeError):
        m.cents = 5  # type: ignore[misc]
    assert len({Money(1), Money(1), Money(1, "USD")}) == 2


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (Decimal("12.50"), "EUR", 1250),
        (Decimal("1.005"), "EUR", 101),
        ("12.5", "EUR", 1250),
        (12, "EUR", 1200),
        (Decimal("1234.5"), "JPY", 1235),
        (Decimal("1.2345"), "BHD", 1235),
        (Decimal("-0.005"), "EUR", -1),
    ],
)
def test_money_of(value: Decimal | str | int, currency: str, expected: int) -> None:
    assert Money.of(value, currency) == Money(expected, currency)


def test_money_of_refuses_float() -> None:
    with pytest.raises(TypeError):
        Money.of(12.5)  # type: ignore[arg-type]


def test_money_of_refuses_garbage_text() -> None:
    with pytest.raises(ValueError):
        Money.of("twelve")


def test_minor_digits() -> None:
    assert minor_digits("EUR") == 2
    assert minor_digits("JPY") == 0
    assert minor_digits("KWD") == 3


# -- parsing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", 123456),
        ("1 234,56", 123456),
        ("1\u00a0234,56", 123456),
        ("1,234.56", 123456),
        ("1.234,56", 123456),
        ("1'234.56", 123456),
        ("1,234,567", 123456700),
        ("1.234.567", 123456700),
        ("1 234", 123400),
        ("-12", -1200),
        ("- 12", -1200),
        ("\u221212", -1200),
        ("+12", 1200),
        ("12.5", 1250),
        ("12,5", 1250),
        ("  7  ", 700),
        ("12.500", 1250),
        ("0,10", 10),
        (".5", 50),
        ("1 234 567,89", 123456789),
    ],
)
def test_parse_accepts_what_people_type(text: str, expected: int) -> None:
    assert Money.parse(text) == Money(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "12a",
        "1.2.3",
        "12 34",
        "1,23,456.00",
        "12.",
        "--12",
        "1,234.5,6",
        "+",
        "€12",
    ],
)
def test_parse_refuses_garbage_with_clear_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"amount|digits"):
        Money.parse(text)


def test_parse_refuses_ambiguous_comma() -> None:
    with pytest.raises(AmbiguousAmountError, match="ambiguous"):
        Money.parse("1,234")


def test_parse_amount_is_exact_before_rounding() -> None:
    assert parse_amount("1 234,5678") == Decimal("1234.5678")


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("16.665", "EUR"),
        ("1.005", "EUR"),
        ("0,125", "EUR"),
        ("1 234 567,891", "EUR"),
        ("-0.001", "EUR"),
        ("1,234.5", "JPY"),
        ("1.2345", "BHD"),
    ],
)
def test_parse_refuses_more_decimals_than_the_currency_has(text: str, currency: str) -> None:
    """What a person types is never rounded: 16.665 is not quietly 16.67."""
    with pytest.raises(TooManyDecimalsError, match="decimal places"):
        Money.parse(text, currency)


def test_parse_says_how_many_decimals_the_currency_has() -> None:
    with pytest.raises(TooManyDecimalsError) as caught:
        Money.parse("16.665")
    assert str(caught.value).startswith("16.665 has more than 2 decimal places")
    assert Money.parse("1,234.0", "JPY") == Money(1234, "JPY")  # zeros lose nothing
    assert Money.parse("1.234", "BHD") == Money(1234, "BHD")


def test_parse_counts_decimals_exactly_on_long_numbers() -> None:
    """No context precision (28 digits): a 33-digit amount with two decimals is not mistaken
    for more; longer text is refused as too long before it is read."""
    assert Money.parse("1" + "0" * 32 + ".01").cents == 10**34 + 1
    with pytest.raises(TooManyDecimalsError):
        Money.parse("1" + "0" * 32 + ".001")
    with pytest.raises(ValueError, match="too long"):
        Money.parse("1" + "0" * 40 + ".01")


# -- views -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("money", "expected"),
    [
        (Money(123456), "1,234.56"),
        (Money(-5), "-0.05"),
        (Money(0), "0.00"),
        (Money(100000000), "1,000,000.00"),
        (Money(1234, "JPY"), "1,234"),
        (Money(1234, "BHD"), "1.234"),
    ],
)
def test_format(money: Money, expected: str) -> None:
    assert money.format() == expected


def test_format_with_other_separators_and_str() -> None:
    assert Money(123456).format(thousands=" ", decimal=",") == "1 234,56"
    assert str(Money(123456)) == "1,234.56 EUR"
    assert str(Money(-123456, "USD")) == "-1,234.56 USD"


def test_amount_is_exact_major_units() -> None:
    assert Money(1250).amount == Decimal("12.50")
    assert str(Money(1250).amount) == "12.50"
    assert Money(-1, "BHD").amount == Decimal("-0.001")
    assert Money(7, "JPY").amount == Decimal(7)


@given(cents)
def test_parse_of_format_round_trips(value: int) -> None:
    money = Money(value)
    assert Money.parse(money.format()) == money
    assert Money.parse(money.format(thousands=" ", decimal=",")) == money
    assert Money.of(money.amount) == money


def test_flags() -> None:
    assert Money(0).is_zero and not Money(1).is_zero
    assert Money(-1).is_negative and not Money(0).is_negative
    assert Money(1).is_positive and not Money(0).is_positive


# -- arithmetic ------------------------------------------------------------------------------------


def test_arithmetic() -> None:
    assert Money(150) + Money(50) == Money(200)
    assert Money(150) - Money(200) == Money(-50)
    assert -Money(150) == Money(-150)
    assert abs(Money(-150)) == Money(150)
    assert Money(150) * 3 == Money(450)
    assert 3 * Money(150) == Money(450)


@pytest.mark.parametrize("factor", [1.5, Decimal("1.5"), True, "2"])
def test_mul_takes_only_ints(factor: object) -> None:
    with pytest.raises(TypeError):
        Money(100) * factor  # type: ignore[operator]


def test_mixing_currencies_raises() -> None:
    eur, usd = Money(100, "EUR"), Money(100, "USD")
    with pytest.raises(CurrencyMismatch):
        eur + usd
    with pytest.raises(CurrencyMismatch):
        eur - usd
    with pytest.raises(CurrencyMismatch):
        eur < usd  # noqa: B015
    with pytest.raises(CurrencyMismatch):
        eur >= usd  # noqa: B015
    assert eur != usd


def test_adding_non_money_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Money(100) + 1  # type: ignore[operator]


def test_comparisons() -> None:
    assert Money(1) < Money(2) <= Money(2) < Money(3)
    assert Money(3) > Money(2) >= Money(2)
    assert not Money(2) < Money(2)
    assert max([Money(5), Money(-7), Money(9)]) == Money(9)
    assert sorted([Money(5), Money(-7)]) == [Money(-7), Money(5)]


@pytest.mark.parametrize(
    ("money", "factor", "mode", "expected"),
    [
        (Money(1000), Decimal("0.333"), HALF_UP, Money(333)),
        (Money(1), Decimal("0.5"), HALF_UP, Money(1)),
        (Money(1), Decimal("0.5"), HALF_EVEN, Money(0)),
        (Money(-1), Decimal("0.5"), HALF_UP, Money(-1)),
        (Money(250), 4, HALF_UP, Money(1000)),
        (Money(999, "JPY"), Decimal("1.5"), HALF_UP, Money(1499, "JPY")),
    ],
)
def test_multiply(money: Money, factor: Decimal | int, mode: RoundingMode, expected: Money) -> None:
    assert money.multiply(factor, mode) == expected


def test_multiply_refuses_float() -> None:
    with pytest.raises(TypeError):
        Money(100).multiply(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cents_", "bp", "expected"),
    [(10000, 2300, 2300), (1, 2300, 0), (3, 2300, 1), (2, 2500, 1), (-2, 2500, -1), (999, 0, 0)],
)
def test_percent(cents_: int, bp: int, expected: int) -> None:
    assert Money(cents_).percent(bp) == Money(expected)


@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from([HALF_UP, HALF_EVEN]),
)
def test_percent_in_integers_equals_the_exact_decimal_product(
    cents_: int, bp: int, mode: RoundingMode
) -> None:
    """A percentage is worked out in integers (an invoice takes tens of thousands of them);
    it is the exact product rounded once, as :meth:`Money.multiply` gives it."""
    assert Money(cents_).percent(bp, mode) == Money(cents_).multiply(Decimal(bp) / 10_000, mode)


def test_sum_money() -> None:
    assert sum_money([Money(1), Money(2), Money(-4)], "EUR") == Money(-1)
    assert sum_money([], "USD") == Money(0, "USD")
    with pytest.raises(CurrencyMismatch):
        sum_money([Money(1, "USD")], "EUR")
    with pytest.raises(CurrencyMismatch):
        sum_money([Money(1), Money(2, "USD")], "EUR")
    with pytest.raises(TypeError):
        sum_money([Money(1), 2], "EUR")  # type: ignore[list-item]
    with pytest.raises(ValueError, match="three-letter"):
        sum_money([], "euro")


@pytest.mark.parametrize("currency", ["eur", "EURO", "E1R", 978, None])
def test_a_malformed_currency_is_refused_every_time(currency: object) -> None:
    """Well-formed codes are remembered once checked; a malformed one never is."""
    for _ in range(2):
        with pytest.raises(ValueError, match="three-letter"):
            Money(1, currency)  # type: ignore[arg-type]


# -- allocation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (5, [1, 0, 1], [3, 0, 2]),
        (0, [3, 7], [0, 0]),
        (1000, [70, 30], [700, 300]),
        (1, [1, 2], [0, 1]),
        (7, [5], [7]),
    ],
)
def test_allocate_examples(total: int, weights: list[int], expected: list[int]) -> None:
    assert Money(total).allocate(weights) == [Money(part) for part in expected]


@pytest.mark.parametrize(
    ("weights", "error"),
    [([], ValueError), ([0, 0], ValueError), ([1, -1], ValueError), ([1, True], TypeError)],
)
def test_allocate_refuses_bad_weights(weights: list[int], error: type[Exception]) -> None:
    with pytest.raises(error):
        Money(100).allocate(weights)


@given(
    cents,
    st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(lambda ws: sum(ws) > 0),
)
def test_allocate_sums_to_whole_and_stays_within_a_cent(value: int, weights: list[int]) -> None:
    parts = Money(value, "USD").allocate(weights)
    assert sum(part.cents for part in parts) == value
    assert all(part.currency == "USD" for part in parts)
    for part, weight in zip(parts, weights, strict=True):
        exact_share = Fraction(value * weight, sum(weights))
        assert abs(part.cents - exact_share) < 1


@given(cents, st.lists(st.integers(0, 1000), min_size=1, max_size=8).filter(lambda ws: any(ws)))
def test_allocate_mirrors_for_negative_amounts(value: int, weights: list[int]) -> None:
    assert Money(-value).allocate(weights) == [-part for part in Money(value).allocate(weights)]
