"""Composing an invoice: markup, VAT and totals against hand-computed figures."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tektoro_tui.domain.invoice import DraftLine, compose_invoice, recognised_net
from tektoro_tui.domain.money import Money, optional_percent_text, percent_text
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
    """compose_invoice with per-line VAT and EUR unless told otherwise."""
    settings: dict[str, object] = {
        "markup_bp": 0,
        "markup_on_whole": False,
        "vat_mode": VatMode.PER_LINE,
        "currency": "EUR",
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
    assert markup.vat_bp == 800  # the expense's rate, not the time lines' 23 %
    assert markup.description == "Markup 10% on expenses"
    assert [t.vat.cents for t in result.totals.lines] == [2_300, 2_839, 400, 40]  # 2839.35
    assert result.totals.net == eur(27_845)
    assert result.totals.vat == eur(5_579)
    assert result.totals.gross == eur(33_424)
    by_rate = {r.rate_bp: (r.net.cents, r.vat.cents, r.gross.cents) for r in result.totals.by_rate}
    assert by_rate == {800: (5_500, 440, 5_940), 2300: (22_345, 5_139, 27_484)}


def test_markup_is_split_per_vat_rate_of_what_it_marks_up() -> None:
    lines = [
        line("time", 10_000),
        line("expense", 3_333, 800),
        line("expense", 2_000, 2300),
        line("expense", 1_001, 800),
    ]
    result = compose(lines, markup_bp=1_500)
    markups = [entry for entry in result.lines if entry.kind == "markup"]
    # 15 % of 43.34 at 8 % = 6.501 -> 6.50; 15 % of 20.00 at 23 % = 3.00
    assert [(mk.vat_bp, mk.net.cents) for mk in markups] == [(800, 650), (2300, 300)]
    assert [mk.description for mk in markups] == [
        "Markup 15% on expenses at 8% VAT",
        "Markup 15% on expenses at 23% VAT",
    ]
    assert [mk.detail for mk in markups] == ["15% of 43.34 EUR", "15% of 20.00 EUR"]
    by_rate = {r.rate_bp: r.net.cents for r in result.totals.by_rate}
    assert by_rate == {800: 4_334 + 650, 2300: 12_000 + 300}
    whole = compose(lines, markup_bp=1_000, markup_on_whole=True)
    assert [(mk.vat_bp, mk.net.cents) for mk in whole.lines if mk.kind == "markup"] == [
        (800, 433),
        (2300, 1_200),
    ]


def test_markup_on_whole_invoice_includes_adjustments() -> None:
    lines = [line("time", 10_000), line("expense", 5_000), line("adjustment", -1_000)]
    result = compose(lines, markup_bp=1_250, markup_on_whole=True)
    markup = result.lines[-1]
    assert markup.kind == "markup"
    assert markup.net == eur(1_750)  # 12.5 % of 140.00
    assert markup.description == "Markup 12.5% on the invoice"
    assert result.totals.lines[-1].vat == eur(403)  # 23 % of 17.50 (402.5)
    assert result.totals.net == eur(15_750)


@pytest.mark.parametrize(
    ("net", "gross", "payments", "expected"),
    [
        (8_130, 10_000, [3_333, 3_333, 3_334], [2_710, 2_709, 2_711]),
        (36_500, 44_295, [44_295], [36_500]),
        (36_500, 44_295, [10_000, 20_000], [8_240, 16_481]),
        (0, 0, [0], [0]),
        (-8_130, -10_000, [-5_000, -5_000], [-4_065, -4_065]),
    ],
)
def test_payments_recognise_their_share_of_the_net(
    net: int, gross: int, payments: list[int], expected: list[int]
) -> None:
    assert recognised_net(net, gross, payments) == expected


@given(
    st.integers(1, 10**9),
    st.integers(0, 2_700),
    st.lists(st.integers(1, 10**6), min_size=1, max_size=12),
)
def test_net_recognised_over_every_payment_is_the_net(
    net: int, vat_bp: int, weights: list[int]
) -> None:
    gross = net + net * vat_bp // 10_000
    parts = Money(gross, "EUR").allocate(weights)
    shares = recognised_net(net, gross, [part.cents for part in parts])
    assert sum(shares) == net
    assert all(0 <= share <= part.cents for share, part in zip(shares, parts, strict=True))


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
        line("expense", 100, 12_000)
    with pytest.raises(ValueError, match="kind"):
        line("bonus", 100)
    with pytest.raises(CurrencyMismatch):
        compose([DraftLine("time", "t", Money(100, "USD"), 2300)])


def test_percent_text() -> None:
    assert [percent_text(bp) for bp in (1000, 1250, 5, 0)] == ["10", "12.5", "0.05", "0"]
    assert [optional_percent_text(bp) for bp in (5000, 0, None)] == ["50", "0", ""]


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
    bases: dict[int, int] = {}
    for entry in kept:
        if on_whole or entry.kind == "expense":
            bases[entry.vat_bp] = bases.get(entry.vat_bp, 0) + entry.net.cents
    expected = [
        ("markup", rate, eur(base).percent(markup_bp, rounding))
        for rate, base in sorted(bases.items())
        if base > 0 and not eur(base).percent(markup_bp, rounding).is_zero
    ]
    extra = result.lines[len(kept) :]
    assert [(entry.kind, entry.vat_bp, entry.net) for entry in extra] == expected
    totals = result.totals
    assert len(totals.lines) == len(result.lines)
    assert all(t.gross == t.net + t.vat for t in totals.lines)
    assert totals.gross == totals.net + totals.vat
    assert totals.net.cents == sum(entry.net.cents for entry in result.lines)
    assert totals.vat.cents == sum(t.vat.cents for t in totals.lines)
    assert totals.gross.cents == sum(r.gross.cents for r in totals.by_rate)
