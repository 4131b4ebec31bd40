"""VAT: gross == net + vat to the cent everywhere, in both rounding modes."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tektoro_tui.domain.money import Money
from tektoro_tui.domain.rounding import RoundingMode
from tektoro_tui.domain.vat import (
    InvoiceTotals,
    VatLine,
    VatMode,
    compute_totals,
    distribute_group_vat,
    vat_for,
)
from tektoro_tui.errors import CurrencyMismatch

RATES = [0, 500, 800, 2300, 2500, 10000]


def eur(cents: int) -> Money:
    """Shorthand for an amount in euros."""
    return Money(cents, "EUR")


def lines_of(*pairs: tuple[int, int]) -> list[VatLine]:
    """VAT lines from (net cents, rate bp) pairs."""
    return [VatLine(eur(net), rate) for net, rate in pairs]


# -- vat_for ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("net", "rate", "mode", "expected"),
    [
        (10000, 2300, RoundingMode.HALF_UP, 2300),
        (150, 2300, RoundingMode.HALF_UP, 35),  # 34.5 -> 35
        (150, 2300, RoundingMode.HALF_EVEN, 34),  # 34.5 -> 34
        (-150, 2300, RoundingMode.HALF_UP, -35),
        (999, 0, RoundingMode.HALF_UP, 0),
        (999, 10000, RoundingMode.HALF_UP, 999),
    ],
)
def test_vat_for(net: int, rate: int, mode: RoundingMode, expected: int) -> None:
    assert vat_for(eur(net), rate, mode) == eur(expected)


@pytest.mark.parametrize("rate", [-1, 10001, 23000])
def test_rate_out_of_range_is_refused(rate: int) -> None:
    with pytest.raises(ValueError, match="between 0 and 10000"):
        vat_for(eur(100), rate)
    with pytest.raises(ValueError):
        VatLine(eur(100), rate)


@pytest.mark.parametrize("rate", [23.0, True, "2300"])
def test_rate_must_be_int(rate: object) -> None:
    with pytest.raises(TypeError):
        VatLine(eur(100), rate)  # type: ignore[arg-type]


# -- compute_totals examples -----------------------------------------------------------------------


def test_modes_differ_on_many_small_lines() -> None:
    lines = lines_of((2, 2300), (2, 2300), (2, 2300))  # 0.46 cent VAT each, 1.38 together
    per_line = compute_totals(lines, VatMode.PER_LINE, "EUR")
    per_invoice = compute_totals(lines, VatMode.PER_INVOICE, "EUR")
    assert per_line.vat == eur(0)
    assert per_invoice.vat == eur(1)
    assert [line.vat for line in per_invoice.lines] == [eur(1), eur(0), eur(0)]
    assert per_invoice.gross == eur(7)


def test_per_invoice_groups_by_rate_and_sorts_the_summary() -> None:
    lines = lines_of((10000, 2300), (5000, 800), (333, 2300), (100, 0))
    totals = compute_totals(lines, VatMode.PER_INVOICE, "EUR")
    assert [group.rate_bp for group in totals.by_rate] == [0, 800, 2300]
    by_rate = {group.rate_bp: group for group in totals.by_rate}
    assert by_rate[2300].net == eur(10333)
    assert by_rate[2300].vat == eur(2377)  # 2376.59 -> 2377
    assert by_rate[800].vat == eur(400)
    assert by_rate[0].vat == eur(0)
    assert totals.net == eur(15433)
    assert totals.vat == eur(2777)
    assert totals.gross == eur(18210)


def test_per_line_rounds_each_line() -> None:
    lines = lines_of((150, 2300), (150, 2300))
    totals = compute_totals(lines, VatMode.PER_LINE, "EUR")
    assert [line.vat for line in totals.lines] == [eur(35), eur(35)]
    assert totals.vat == eur(70)
    per_invoice = compute_totals(lines, VatMode.PER_INVOICE, "EUR")
    assert per_invoice.vat == eur(69)  # 300 * 23 % = 69 exactly


def test_credit_note_lines_work() -> None:
    lines = lines_of((-10000, 2300), (-150, 2300))
    for mode in VatMode:
        totals = compute_totals(lines, mode, "EUR")
        assert totals.net == eur(-10150)
        assert totals.gross == totals.net + totals.vat
        assert totals.vat.is_negative


def test_negative_adjustment_line_carries_negative_vat() -> None:
    lines = lines_of((10000, 2300), (-1000, 2300))
    totals = compute_totals(lines, VatMode.PER_INVOICE, "EUR")
    assert [line.vat for line in totals.lines] == [eur(2300), eur(-230)]
    assert totals.lines[1].gross == eur(-1230)


def test_lines_that_cancel_out() -> None:
    lines = lines_of((101, 2300), (-101, 2300), (0, 2300))
    totals = compute_totals(lines, VatMode.PER_INVOICE, "EUR")
    assert totals.vat == eur(0)
    assert sum(line.vat.cents for line in totals.lines) == 0
    assert [line.gross.cents for line in totals.lines] == [
        line.net.cents + line.vat.cents for line in totals.lines
    ]


def test_empty_invoice() -> None:
    totals = compute_totals([], VatMode.PER_INVOICE, "USD")
    assert totals == InvoiceTotals((), (), Money(0, "USD"), Money(0, "USD"), Money(0, "USD"))


def test_line_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        compute_totals([VatLine(Money(100, "USD"), 2300)], VatMode.PER_LINE, "EUR")


def test_modes_accept_their_text_values() -> None:
    totals = compute_totals(lines_of((2, 2300)), VatMode("per_invoice"), "EUR")
    assert totals.vat == eur(0)


def test_distribute_refuses_an_unreachable_group_vat() -> None:
    with pytest.raises(ValueError):
        distribute_group_vat([100, 100], 2300, 99)


# -- properties ------------------------------------------------------------------------------------

line_strategy = st.builds(
    VatLine,
    st.integers(-(10**9), 10**9).map(eur),
    st.sampled_from(RATES) | st.integers(0, 10000),
)
lines_strategy = st.lists(line_strategy, max_size=25)
modes = st.sampled_from(VatMode)
roundings = st.sampled_from(RoundingMode)


def assert_adds_up(totals: InvoiceTotals) -> None:
    """gross == net + vat on every line, group and total; totals are the sums of the lines."""
    for line in totals.lines:
        assert line.gross == line.net + line.vat
    for group in totals.by_rate:
        assert group.gross == group.net + group.vat
        members = [line for line in totals.lines if line.rate_bp == group.rate_bp]
        assert group.net.cents == sum(line.net.cents for line in members)
        assert group.vat.cents == sum(line.vat.cents for line in members)
    assert totals.gross == totals.net + totals.vat
    for field in ("net", "vat", "gross"):
        total = getattr(totals, field).cents
        assert total == sum(getattr(line, field).cents for line in totals.lines)
        assert total == sum(getattr(group, field).cents for group in totals.by_rate)
    rates = [group.rate_bp for group in totals.by_rate]
    assert rates == sorted(set(rates))


@given(lines_strategy, modes, roundings)
def test_everything_adds_up(lines: list[VatLine], mode: VatMode, rounding: RoundingMode) -> None:
    totals = compute_totals(lines, mode, "EUR", rounding)
    assert_adds_up(totals)
    assert [line.net for line in totals.lines] == [line.net for line in lines]
    assert {group.rate_bp for group in totals.by_rate} == {line.rate_bp for line in lines}


@given(lines_strategy, roundings)
def test_per_line_vat_is_each_line_rounded(lines: list[VatLine], rounding: RoundingMode) -> None:
    totals = compute_totals(lines, VatMode.PER_LINE, "EUR", rounding)
    for line, result in zip(lines, totals.lines, strict=True):
        assert result.vat == vat_for(line.net, line.rate_bp, rounding)


@given(lines_strategy, roundings)
def test_per_invoice_group_vat_is_the_rounded_group_vat(
    lines: list[VatLine], rounding: RoundingMode
) -> None:
    totals = compute_totals(lines, VatMode.PER_INVOICE, "EUR", rounding)
    for group in totals.by_rate:
        assert group.vat == vat_for(group.net, group.rate_bp, rounding)


@given(lines_strategy, roundings)
def test_per_invoice_line_vat_is_within_a_cent_of_exact(
    lines: list[VatLine], rounding: RoundingMode
) -> None:
    totals = compute_totals(lines, VatMode.PER_INVOICE, "EUR", rounding)
    for line in totals.lines:
        exact = Fraction(line.net.cents * line.rate_bp, 10000)
        assert abs(line.vat.cents - exact) < 1


@given(lines_strategy, modes, roundings)
def test_credit_note_is_the_exact_mirror(
    lines: list[VatLine], mode: VatMode, rounding: RoundingMode
) -> None:
    invoice = compute_totals(lines, mode, "EUR", rounding)
    credit = compute_totals(
        [VatLine(-line.net, line.rate_bp) for line in lines], mode, "EUR", rounding
    )
    assert [line.vat for line in credit.lines] == [-line.vat for line in invoice.lines]
    assert credit.gross == -invoice.gross


@given(
    st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=15),
    st.integers(0, 10000),
    roundings,
)
def test_distribute_group_vat_sums_to_group(
    nets: list[int], rate: int, rounding: RoundingMode
) -> None:
    group_vat = vat_for(eur(sum(nets)), rate, rounding).cents
    spread = distribute_group_vat(nets, rate, group_vat, rounding)
    assert sum(spread) == group_vat
    for net, vat in zip(nets, spread, strict=True):
        assert abs(vat - Fraction(net * rate, 10000)) < 1
