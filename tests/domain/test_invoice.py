"""Composing an invoice: markup, VAT and totals against hand-computed figures."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tektoro_tui.domain.invoice import DraftLine, compose_invoice
from tektoro_tui.domain.money import Money, percent_text
from tektoro_tui.domain.rounding import RoundingMode
from tektoro_tui.domain.vat import VatMode
from tektoro_tui.errors import CurrencyMismatch


def eur(cents: int) -> Money:
    """Shorthand for an amount in euros."""
    return Money(cents, "EUR")


def line(kind: str, net: int, vat_bp: int = 2300, **extra: object) -> DraftLine:
    """A draft line of ``kind`` with ``net`` cents."""
    return DraftLine(kind, f"{kind} line", eur(net), vat_bp, **extra)  # type: ignore[arg-type]


def compose(lines: list[DraftLine], **options: object):  # type: ignore[no-untyped-def]
    """compose_invoice with per-line VAT, EUR and 23 % on the markup unless told otherwise."""
    settings: dict[str, object] = {
        "markup_bp": 0,
        "markup_on_whole": False,
        "vat_mode": VatMode.PER_LINE,
        "currency": "EUR",
        "markup_vat_bp": 2300,
    }
    settings.update(options)
    return compose_invoice(lines, **settings)  # type: ignore[arg-type]


def test_markup_on_expenses_with_hand_computed_totals() -> None:
    lines = [
        line("time", 10_000, minutes=120, unit_price=eur(5_000)),
        line("time", 12_345),
        line("expense", 5_000, 800, expense_date=date(2026, 3, 2)),
    ]
    result = compose(lines, markup_bp=1_000)
    assert [entry.kind for entry in result.lines] == ["time", "time", "expense", "markup"]
    markup = result.lines[-1]
    assert markup.net == eur(500)  # 10 % of the 50.00 expense only
    assert markup.vat_bp == 2300
    assert markup.description == "Markup 10% on expenses"
    assert [t.vat.cents for t in result.totals.lines] == [2_300, 2_839, 400, 115]  # 2839.35
    assert result.totals.net == eur(27_845)
    assert result.totals.vat == eur(5_654)
    assert result.totals.gross == eur(33_499)
    by_rate = {r.rate_bp: (r.net.cents, r.vat.cents, r.gross.cents) for r in result.totals.by_rate}
    assert by_rate == {800: (5_000, 400, 5_400), 2300: (22_845, 5_254, 28_099)}


def test_markup_on_whole_invoice_includes_adjustments() -> None:
    lines = [line("time", 10_000), line("expense", 5_000), line("adjustment", -1_000)]
    result = compose(lines, markup_bp=1_250, markup_on_whole=True, markup_vat_bp=800)
    markup = result.lines[-1]
    assert markup.kind == "markup"
    assert markup.net == eur(1_750)  # 12.5 % of 140.00
    assert markup.description == "Markup 12.5% on the invoice"
    assert result.totals.lines[-1].vat == eur(140)  # 8 % of 17.50
    assert result.totals.net == eur(15_750)


@pytest.mark.parametrize(
    ("bp", "base", "mode", "expected"),
    [
        (333, 1_001, RoundingMode.HALF_UP, 33),  # 33.3333
        (50, 100, RoundingMode.HALF_UP, 1),  # 0.5 rounds up once
        (1_550, 1_010, RoundingMode.HALF_EVEN, 157),  # 156.55 is no tie
        (1_500, 1_030, RoundingMode.HALF_UP, 155),  # 154.5
        (1_500, 1_030, RoundingMode.HALF_EVEN, 154),
    ],
)
def test_markup_rounds_once(bp: int, base: int, mode: RoundingMode, expected: int) -> None:
    result = compose([line("expense", base)], markup_bp=bp, rounding=mode)
    assert result.lines[-1].net == eur(expected)


def test_no_markup_line_without_something_to_mark_up() -> None:
    assert compose([line("time", 10_000)], markup_bp=1_000).lines[-1].kind == "time"
    assert len(compose([line("expense", 1_000)], markup_bp=0).lines) == 1
    # 0.5 % of one cent rounds to nothing under banker's rounding: no zero line.
    tiny = compose([line("expense", 100)], markup_bp=50, rounding=RoundingMode.HALF_EVEN)
    assert [entry.kind for entry in tiny.lines] == ["expense"]
    negative = compose(
        [line("time", 1_000), line("adjustment", -2_000)], markup_bp=1_000, markup_on_whole=True
    )
    assert [entry.kind for entry in negative.lines] == ["time", "adjustment"]


def test_old_markup_lines_are_replaced() -> None:
    stale = DraftLine("markup", "Markup 50%", eur(9_999), 2300, line_ref=7)
    result = compose([line("expense", 2_000), stale], markup_bp=500)
    assert [(entry.kind, entry.net.cents) for entry in result.lines] == [
        ("expense", 2_000),
        ("markup", 100),
    ]
    assert result.lines[-1].line_ref is None


def test_per_invoice_vat_keeps_group_vat_and_line_sums() -> None:
    lines = [line("time", 333), line("time", 333), line("time", 334)]
    per_line = compose(lines)
    per_invoice = compose(lines, vat_mode=VatMode.PER_INVOICE)
    assert per_line.totals.vat == eur(231)  # 77 + 77 + 77
    assert per_invoice.totals.vat == eur(230)  # 23 % of 10.00, spread 76 + 77 + 77
    assert [t.vat.cents for t in per_invoice.totals.lines] == [76, 77, 77]
    for totals in (per_line.totals, per_invoice.totals):
        assert all(t.gross == t.net + t.vat for t in totals.lines)


def test_refusals() -> None:
    with pytest.raises(ValueError, match="basis points"):
        compose([line("expense", 100)], markup_bp=-1)
    with pytest.raises(ValueError, match="between 0 and 10000"):
        compose([line("expense", 100)], markup_vat_bp=12_000)
    with pytest.raises(ValueError, match="kind"):
        line("bonus", 100)
    with pytest.raises(CurrencyMismatch):
        compose([DraftLine("time", "t", Money(100, "USD"), 2300)])


def test_percent_text() -> None:
    assert [percent_text(bp) for bp in (1000, 1250, 5, 0)] == ["10", "12.5", "0.05", "0"]


_kinds = st.sampled_from(["time", "expense", "adjustment", "service", "markup"])
_lines = st.lists(
    st.builds(
        lambda kind, net, rate: line(kind, net, rate),
        _kinds,
        st.integers(-50_000, 5_000_000),
        st.sampled_from([0, 500, 800, 2300]),
    ),
    max_size=12,
)


@given(
    lines=_lines,
    markup_bp=st.integers(0, 10_000),
    on_whole=st.booleans(),
    mode=st.sampled_from(list(VatMode)),
    rounding=st.sampled_from(list(RoundingMode)),
)
def test_composed_invoice_always_adds_up(
    lines: list[DraftLine],
    markup_bp: int,
    on_whole: bool,
    mode: VatMode,
    rounding: RoundingMode,
) -> None:
    result = compose(
        lines, markup_bp=markup_bp, markup_on_whole=on_whole, vat_mode=mode, rounding=rounding
    )
    kept = [entry for entry in lines if entry.kind != "markup"]
    assert list(result.lines[: len(kept)]) == kept
    base = sum(entry.net.cents for entry in kept if on_whole or entry.kind == "expense")
    expected = eur(base).percent(markup_bp, rounding) if base > 0 else eur(0)
    extra = result.lines[len(kept) :]
    if expected.is_zero:
        assert extra == ()
    else:
        assert [(entry.kind, entry.net) for entry in extra] == [("markup", expected)]
    totals = result.totals
    assert len(totals.lines) == len(result.lines)
    assert all(t.gross == t.net + t.vat for t in totals.lines)
    assert totals.gross == totals.net + totals.vat
    assert totals.net.cents == sum(entry.net.cents for entry in result.lines)
    assert totals.vat.cents == sum(t.vat.cents for t in totals.lines)
    assert totals.gross.cents == sum(r.gross.cents for r in totals.by_rate)
