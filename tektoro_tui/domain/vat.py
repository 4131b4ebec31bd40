"""VAT on invoice lines and totals, rounded per line or per invoice.

Rates are integer basis points (2300 is 23 %). Whatever the mode, ``gross == net + vat`` holds to
the cent on every line, every rate group and the invoice total, and the totals are the sums of the
lines, so a printed invoice always adds up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tektoro_tui.domain.money import Money, sum_money
from tektoro_tui.domain.rounding import RoundingMode, divide_to_int
from tektoro_tui.errors import CurrencyMismatch

MAX_RATE_BP = 10_000
BP_PER_WHOLE = 10_000


class VatMode(StrEnum):
    """Where VAT is rounded: on each line, or once per rate over the whole invoice."""

    PER_LINE = "per_line"
    PER_INVOICE = "per_invoice"


def check_rate(rate_bp: int) -> int:
    """Return ``rate_bp`` if it is an int from 0 to 10000 basis points, else raise.

    Raises:
        TypeError: when the rate is not an int.
        ValueError: when it is outside 0..10000 (0 % to 100 %).
    """
    if isinstance(rate_bp, bool) or not isinstance(rate_bp, int):
        raise TypeError(f"VAT rate must be int basis points, got {type(rate_bp).__name__}")
    if not 0 <= rate_bp <= MAX_RATE_BP:
        raise ValueError(f"VAT rate must be between 0 and 10000 basis points, got {rate_bp}")
    return rate_bp


def vat_for(net: Money, rate_bp: int, mode: RoundingMode = RoundingMode.HALF_UP) -> Money:
    """VAT on ``net`` at ``rate_bp``, rounded once to minor units."""
    return net.percent(check_rate(rate_bp), mode)


@dataclass(frozen=True, slots=True)
class VatLine:
    """One invoice line as VAT sees it: a net amount (may be negative) and its rate."""

    net: Money
    rate_bp: int

    def __post_init__(self) -> None:
        """Refuse a rate outside 0..10000 basis points."""
        check_rate(self.rate_bp)


@dataclass(frozen=True, slots=True)
class LineTotals:
    """A line's net, VAT and gross, with ``gross == net + vat``."""

    net: Money
    vat: Money
    gross: Money
    rate_bp: int


@dataclass(frozen=True, slots=True)
class RateTotals:
    """The sums of all lines at one VAT rate (one row of the VAT summary on an invoice)."""

    rate_bp: int
    net: Money
    vat: Money
    gross: Money


@dataclass(frozen=True, slots=True)
class InvoiceTotals:
    """Every line's totals, the summary per rate (sorted by rate) and the invoice total."""

    lines: tuple[LineTotals, ...]
    by_rate: tuple[RateTotals, ...]
    net: Money
    vat: Money
    gross: Money


def compute_totals(
    lines: Sequence[VatLine],
    mode: VatMode,
    currency: str,
    rounding: RoundingMode = RoundingMode.HALF_UP,
) -> InvoiceTotals:
    """Net, VAT and gross for every line, every rate and the invoice.

    ``PER_LINE`` rounds each line's VAT on its own. ``PER_INVOICE`` rounds the VAT of each rate
    group once (on the group's net total) and spreads it over the group's lines, each line getting
    its exact VAT rounded up or down so that the lines add up to the group's VAT (see
    :func:`distribute_group_vat`).

    Raises:
        CurrencyMismatch: when a line is not in ``currency``.
    """
    _check_currency(lines, currency)
    if VatMode(mode) == VatMode.PER_LINE:
        vats = [vat_for(line.net, line.rate_bp, rounding) for line in lines]
    else:
        vats = _per_invoice_vats(lines, rounding)
    line_totals = tuple(
        LineTotals(line.net, vat, line.net + vat, line.rate_bp)
        for line, vat in zip(lines, vats, strict=True)
    )
    net = sum_money((line.net for line in line_totals), currency)
    vat = sum_money((line.vat for line in line_totals), currency)
    return InvoiceTotals(line_totals, _rate_totals(line_totals, currency), net, vat, net + vat)


def _check_currency(lines: Sequence[VatLine], currency: str) -> None:
    """Raise CurrencyMismatch for the first line in another currency."""
    for line in lines:
        if line.net.currency != currency:
            raise CurrencyMismatch(
                f"An invoice in {currency} cannot have a line in {line.net.currency}"
            )


def _rate_totals(lines: Sequence[LineTotals], currency: str) -> tuple[RateTotals, ...]:
    """One :class:`RateTotals` per rate present, sorted by rate."""
    result = []
    for rate in sorted({line.rate_bp for line in lines}):
        group = [line for line in lines if line.rate_bp == rate]
        net = sum_money((line.net for line in group), currency)
        vat = sum_money((line.vat for line in group), currency)
        result.append(RateTotals(rate, net, vat, net + vat))
    return tuple(result)


def _per_invoice_vats(lines: Sequence[VatLine], rounding: RoundingMode) -> list[Money]:
    """Line VATs such that each rate group's lines sum to the group's once-rounded VAT."""
    vats = [Money.zero(line.net.currency) for line in lines]
    for rate in {line.rate_bp for line in lines}:
        indexes = [i for i, line in enumerate(lines) if line.rate_bp == rate]
        nets = [lines[i].net.cents for i in indexes]
        group_vat = vat_for(Money(sum(nets), lines[indexes[0]].net.currency), rate, rounding)
        spread = distribute_group_vat(nets, rate, group_vat.cents, rounding)
        for i, cents in zip(indexes, spread, strict=True):
            vats[i] = Money(cents, lines[i].net.currency)
    return vats


def distribute_group_vat(
    nets: Sequence[int],
    rate_bp: int,
    group_vat: int,
    rounding: RoundingMode = RoundingMode.HALF_UP,
) -> list[int]:
    """Spread a rate group's rounded VAT over its lines (all amounts in minor units).

    Every line starts from its own rounded VAT. The cents by which those differ from
    ``group_vat`` are then taken from (or given to) the lines whose rounding moved them furthest
    the other way, one cent each, earlier lines first on ties. So every line stays less than one
    minor unit from its exact VAT and keeps its sign (a negative adjustment line carries negative
    VAT), and negating every net negates every result exactly (a credit note mirrors its invoice).

    Raises:
        ValueError: when ``group_vat`` cannot be reached that way (it is not the rounded VAT of
            the group).
    """
    exact = [net * check_rate(rate_bp) for net in nets]  # in 1/10000 of a minor unit
    vats = [divide_to_int(value, BP_PER_WHOLE, rounding) for value in exact]
    errors = [vat * BP_PER_WHOLE - value for vat, value in zip(vats, exact, strict=True)]
    missing = group_vat - sum(vats)
    step = 1 if missing > 0 else -1
    # Lines rounded down (negative error) may go up a cent; lines rounded up may go down one.
    candidates = [i for i, error in enumerate(errors) if error * step < 0]
    if abs(missing) > len(candidates):
        raise ValueError(f"group VAT {group_vat} is not the rounded VAT of nets {list(nets)}")
    for index in sorted(candidates, key=lambda i: errors[i] * step)[: abs(missing)]:
        vats[index] += step
    return vats
