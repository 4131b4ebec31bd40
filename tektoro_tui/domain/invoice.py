"""Composing a client invoice: its lines, the generated markup line, and the totals.

Used by the invoice service when it stores a draft and by the Documenter screen to show live
totals while someone types, so both always agree. The rules:

* Lines of kind ``markup`` that come in are ignored; the markup line is generated anew from
  ``markup_bp``: a percentage of the expenses' net, or of the whole invoice's net when
  ``markup_on_whole``. It is rounded once (:meth:`Money.percent`) and appended last. No markup
  line is generated when the percentage is zero or the amount it applies to is zero or less
  (a zero line would only clutter the printed invoice).
* VAT and totals come from :func:`tektoro_tui.domain.vat.compute_totals`, so ``gross == net +
  vat`` holds on every line, every rate and the invoice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tektoro_tui.domain.money import Money, percent_text, sum_money
from tektoro_tui.domain.rounding import RoundingMode
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


def markup_line(
    lines: Sequence[DraftLine],
    *,
    markup_bp: int,
    markup_on_whole: bool,
    currency: str,
    vat_bp: int,
    rounding: RoundingMode = RoundingMode.HALF_UP,
) -> DraftLine | None:
    """The generated markup line, or None when there is nothing to mark up.

    Raises:
        ValueError: for a negative percentage.
    """
    if isinstance(markup_bp, bool) or not isinstance(markup_bp, int) or markup_bp < 0:
        raise ValueError(f"markup must be zero or more basis points, got {markup_bp!r}")
    base = markup_base(lines, markup_on_whole, currency)
    if markup_bp == 0 or not base.is_positive:
        return None
    amount = base.percent(markup_bp, rounding)
    if amount.is_zero:
        return None
    scope = "the invoice" if markup_on_whole else "expenses"
    return DraftLine(
        kind=MARKUP,
        description=f"Markup {percent_text(markup_bp)}% on {scope}",
        net=amount,
        vat_bp=vat_bp,
        detail=f"{percent_text(markup_bp)}% of {base.format()} {currency}",
    )


def compose_invoice(
    lines: Sequence[DraftLine],
    *,
    markup_bp: int,
    markup_on_whole: bool,
    vat_mode: VatMode,
    currency: str,
    markup_vat_bp: int,
    rounding: RoundingMode = RoundingMode.HALF_UP,
) -> ComposedInvoice:
    """Price a draft: drop old markup lines, add the current one, compute VAT and totals.

    Raises:
        CurrencyMismatch: when a line is not in ``currency``.
        ValueError: for a negative markup or a VAT rate outside 0..100 %.
    """
    check_rate(markup_vat_bp)
    kept = [line for line in lines if line.kind != MARKUP]
    extra = markup_line(
        kept,
        markup_bp=markup_bp,
        markup_on_whole=markup_on_whole,
        currency=currency,
        vat_bp=markup_vat_bp,
        rounding=rounding,
    )
    final = (*kept, extra) if extra is not None else tuple(kept)
    totals = compute_totals(
        [VatLine(line.net, line.vat_bp) for line in final], vat_mode, currency, rounding
    )
    return ComposedInvoice(final, totals)
