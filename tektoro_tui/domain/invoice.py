"""Composing a client invoice: its lines, the generated markup line, and the totals.

Used by the invoice service when it stores a draft and by the Documenter screen to show live
totals while someone types, so both always agree. The rules:

* Lines of kind ``markup`` that come in are ignored; the markup lines are generated anew from
  ``markup_bp``: a percentage of the expenses' net, or of the whole invoice's net when
  ``markup_on_whole``. A markup carries the VAT rate of what it marks up, so there is one
  markup line per VAT rate of the lines it applies to, each ``markup_bp`` of that rate's net,
  rounded once (:meth:`Money.percent`), appended last in rate order. No markup line is
  generated for a rate whose amount is zero or less, nor when the percentage is zero (a zero
  line would only clutter the printed invoice).
* VAT and totals come from :func:`tektoro_tui.domain.vat.compute_totals`, so ``gross == net +
  vat`` holds on every line, every rate and the invoice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tektoro_tui.domain.money import Money, percent_text, sum_money
from tektoro_tui.domain.rounding import RoundingMode, divide_to_int
from tektoro_tui.domain.vat import InvoiceTotals, VatLine, VatMode, check_rate, compute_totals

LINE_KINDS = ("time", "adjustment", "expense", "markup", "service")
MARKUP = "markup"
EXPENSE = "expense"


@dataclass(frozen=True)
class DraftLine:
    """One line of an invoice being assembled, before VAT.

    ``line_ref`` lets the caller find its own record again (the service uses the invoice line's
    id; a generated markup line has None).
    """

    kind: str
    description: str
    net: Money
    vat_bp: int
    detail: str = ""
    minutes: int | None = None
    unit_price: Money | None = None
    expense_date: date | None = None
    reason: str = ""
    line_ref: int | None = None

    def __post_init__(self) -> None:
        """Refuse an unknown kind or a VAT rate outside 0..100 %."""
        if self.kind not in LINE_KINDS:
            raise ValueError(f"unknown invoice line kind {self.kind!r}")
        check_rate(self.vat_bp)


@dataclass(frozen=True)
class ComposedInvoice:
    """The final lines (markup line included) and their totals, ``totals.lines[i]`` for
    ``lines[i]``."""

    lines: tuple[DraftLine, ...]
    totals: InvoiceTotals


def markup_base(lines: Sequence[DraftLine], markup_on_whole: bool, currency: str) -> Money:
    """The net amount a markup applies to: every line but markups, or the expenses only."""
    chosen = (
        line for line in lines if line.kind != MARKUP and (markup_on_whole or line.kind == EXPENSE)
    )
    return sum_money((line.net for line in chosen), currency)


def markup_lines(
    lines: Sequence[DraftLine],
    *,
    markup_bp: int,
    markup_on_whole: bool,
    currency: str,
    rounding: RoundingMode = RoundingMode.HALF_UP,
) -> tuple[DraftLine, ...]:
    """The generated markup lines, one per VAT rate of what is marked up (none when nothing is).

    Each line is ``markup_bp`` of the net of the marked-up lines at its rate and carries that
    rate, so a markup on an 8 % expense is taxed at 8 %, never at the time lines' rate.

    Raises:
        ValueError: for a negative percentage.
    """
    if isinstance(markup_bp, bool) or not isinstance(markup_bp, int) or markup_bp < 0:
        raise ValueError(f"markup must be zero or more basis points, got {markup_bp!r}")
    if markup_bp == 0:
        return ()
    by_rate: dict[int, list[DraftLine]] = defaultdict(list)
    for line in lines:
        if line.kind != MARKUP and (markup_on_whole or line.kind == EXPENSE):
            by_rate[line.vat_bp].append(line)
    scope = "the invoice" if markup_on_whole else "expenses"
    several = len(by_rate) > 1
    made = []
    for rate in sorted(by_rate):
        base = markup_base(by_rate[rate], markup_on_whole, currency)
        if not base.is_positive:
            continue
        amount = base.percent(markup_bp, rounding)
        if amount.is_zero:
            continue
        at_rate = f" at {percent_text(rate)}% VAT" if several else ""
        made.append(
            DraftLine(
                kind=MARKUP,
                description=f"Markup {percent_text(markup_bp)}% on {scope}{at_rate}",
                net=amount,
                vat_bp=rate,
                detail=f"{percent_text(markup_bp)}% of {base.format()} {currency}",
            )
        )
    return tuple(made)


def recognised_net(net_cents: int, gross_cents: int, payments: Sequence[int]) -> list[int]:
    """The net (revenue) each payment of an invoice recognises, in payment order.

    A payment recognises its share of the invoice's net, allocated cumulatively: after each
    payment the net recognised so far is the invoice's net times the share of the gross paid so
    far, rounded half up, and a payment recognises the growth. So the net recognised by all
    payments of a fully paid invoice is its net exactly (100.00 gross, 81.30 net, paid in three
    thirds, recognises 27.10 + 27.09 + 27.11 = 81.30). An invoice of zero gross recognises none.
    """
    if gross_cents == 0:
        return [0 for _ in payments]
    shares: list[int] = []
    paid = recognised = 0
    for cents in payments:
        paid += cents
        so_far = divide_to_int(net_cents * paid, gross_cents)
        shares.append(so_far - recognised)
        recognised = so_far
    return shares


def compose_invoice(
    lines: Sequence[DraftLine],
    *,
    markup_bp: int,
    markup_on_whole: bool,
    vat_mode: VatMode,
    currency: str,
    rounding: RoundingMode = RoundingMode.HALF_UP,
) -> ComposedInvoice:
    """Price a draft: drop old markup lines, add the current ones, compute VAT and totals.

    Raises:
        CurrencyMismatch: when a line is not in ``currency``.
        ValueError: for a negative markup or a VAT rate outside 0..100 %.
    """
    kept = [line for line in lines if line.kind != MARKUP]
    extra = markup_lines(
        kept,
        markup_bp=markup_bp,
        markup_on_whole=markup_on_whole,
        currency=currency,
        rounding=rounding,
    )
    final = (*kept, *extra)
    totals = compute_totals(
        [VatLine(line.net, line.vat_bp) for line in final], vat_mode, currency, rounding
    )
    return ComposedInvoice(final, totals)
