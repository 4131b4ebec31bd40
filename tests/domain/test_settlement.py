"""Settling a project by invoices: the kinds, the suggestions and the final invoice, checked
against figures worked out by hand (DESIGN.md §9, seed 003)."""

from __future__ import annotations

import pytest

from tektoro_tui.domain.money import Money, sum_money
from tektoro_tui.domain.settlement import (
    FIXED,
    TIME_AND_MATERIAL,
    RateAmount,
    SettledInvoice,
    SettlementKind,
    SettlementMethod,
    check_net,
    check_next_kind,
    final_invoice_lines,
    fixed_suggestion,
    invoiced_net,
    project_balance,
    project_method,
    single_line,
    time_and_material_suggestion,
)
from tektoro_tui.errors import IllegalTransition

PARTIAL, TOTAL = SettlementKind.PARTIAL, SettlementKind.TOTAL
ADVANCE, FINAL = SettlementKind.ADVANCE, SettlementKind.FINAL


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def issued(
    number: str, kind: SettlementKind, net: str, *, cancelled: bool = False
) -> SettledInvoice:
    """An invoice of one line at 23 % VAT, as the project service would describe it."""
    line = single_line("Works", eur(net), 2300)
    return SettledInvoice(
        number, kind, line.net, (RateAmount(2300, line.net, line.vat),), cancelled=cancelled
    )


def test_a_fixed_contract_with_a_change_settled_by_three_partials_and_a_total() -> None:
    """Contract 100,000.00 + approved change 12,500.00 = 112,500.00.

    Partials of 30,000.00, 40,000.00 and 25,000.00 (VAT 23 %: 6,900.00, 9,200.00, 5,750.00)
    leave 112,500.00 - 95,000.00 = 17,500.00, which the total invoice asks for: VAT
    4,025.00, gross 21,525.00. A partial of 17,500.01 would invoice more than the contract.
    """
    contract, change = eur("100000.00"), eur("12500.00")
    invoices: list[SettledInvoice] = []
    for number, net, vat in (
        ("INV/2026/00001", "30000.00", "6900.00"),
        ("INV/2026/00002", "40000.00", "9200.00"),
        ("INV/2026/00003", "25000.00", "5750.00"),
    ):
        suggestion = fixed_suggestion(contract, change, invoices)
        check_next_kind(FIXED, invoices, PARTIAL)
        check_net(
            PARTIAL,
            eur(net),
            valuation=FIXED,
            contract_with_changes=eur("112500.00"),
            invoices=invoices,
        )
        assert suggestion.net == eur("112500.00") - invoiced_net(invoices, "EUR")
        line = single_line("Stage works", eur(net), 2300)
        assert line.vat == eur(vat)
        invoices.append(issued(number, PARTIAL, net))

    suggestion = fixed_suggestion(contract, change, invoices)
    assert [(line.label, line.amount, line.deducted) for line in suggestion.lines] == [
        ("Contract amount", eur("100000.00"), False),
        ("Approved changes", eur("12500.00"), False),
        ("Contract with changes", eur("112500.00"), False),
        ("Net invoiced so far", eur("95000.00"), True),
        ("Left to invoice", eur("17500.00"), False),
    ]
    assert suggestion.net == eur("17500.00")
    with pytest.raises(
        ValueError, match=r"more than the contract: 17,500.00 EUR is left of 112,500.00"
    ):
        check_net(
            PARTIAL,
            eur("17500.01"),
            valuation=FIXED,
            contract_with_changes=eur("112500.00"),
            invoices=invoices,
        )
    check_next_kind(FIXED, invoices, TOTAL)
    total = single_line("Remaining works", suggestion.net, 2300)
    assert (total.net, total.vat, total.gross) == (eur("17500.00"), eur("4025.00"), eur("21525.00"))
    invoices.append(issued("INV/2026/00004", TOTAL, "17500.00"))

    assert fixed_suggestion(contract, change, invoices).net == eur("0.00")
    with pytest.raises(IllegalTransition, match="total invoice INV/2026/00004 settled the project"):
        check_next_kind(FIXED, invoices, PARTIAL)


def test_advances_of_30_and_20_percent_then_a_final_whose_gross_is_exactly_what_is_left() -> None:
    """Contract 100,000.03 + change 12,500.00 = 112,500.03, VAT 23 %, rounded half up.

    Advance 1, 30 %: net 33,750.01 (33,750.009), VAT 7,762.50 (7,762.502), gross 41,512.51.
    Advance 2, 20 %: net 22,500.01 (22,500.006), VAT 5,175.00 (5,175.001), gross 27,675.01.
    The whole value: net 112,500.03, VAT 25,875.01 (25,875.007), gross 138,375.04.
    Final: net 112,500.03 - 33,750.01 - 22,500.01 = 56,250.01; VAT 25,875.01 - 7,762.50 -
    5,175.00 = 12,937.51; gross 69,187.52 = 138,375.04 - 41,512.51 - 27,675.01, to the cent.
    (VAT worked out anew on 56,250.01 would be 12,937.50: a cent would go missing.)
    """
    whole = eur("100000.03") + eur("12500.00")
    first = whole.percent(3000)
    second = whole.percent(2000)
    assert (first, second) == (eur("33750.01"), eur("22500.01"))
    invoices: list[SettledInvoice] = []
    for number, net in (("INV/2026/00010", first), ("INV/2026/00011", second)):
        check_next_kind(FIXED, invoices, ADVANCE)
        invoices.append(issued(number, ADVANCE, str(net.amount)))
    assert [invoice.rates[0].vat for invoice in invoices] == [eur("7762.50"), eur("5175.00")]
    assert project_method(invoices) is SettlementMethod.ADVANCE_FINAL

    check_next_kind(FIXED, invoices, FINAL)
    lines = final_invoice_lines("Construction works", whole, 2300, invoices)
    assert [(line.description, line.net, line.vat) for line in lines] == [
        ("Construction works", eur("112500.03"), eur("25875.01")),
        ("Less advance invoice INV/2026/00010 (VAT 23 %)", eur("-33750.01"), eur("-7762.50")),
        ("Less advance invoice INV/2026/00011 (VAT 23 %)", eur("-22500.01"), eur("-5175.00")),
    ]
    net = sum_money((line.net for line in lines), "EUR")
    vat = sum_money((line.vat for line in lines), "EUR")
    assert (net, vat, net + vat) == (eur("56250.01"), eur("12937.51"), eur("69187.52"))
    check_net(FINAL, net, valuation=FIXED, contract_with_changes=whole, invoices=invoices)
    with pytest.raises(ValueError, match="more than the contract"):
        check_net(
            FINAL,
            net + eur("0.01"),
            valuation=FIXED,
            contract_with_changes=whole,
            invoices=invoices,
        )
    invoices.append(issued("INV/2026/00012", FINAL, str(net.amount)))
    with pytest.raises(IllegalTransition, match="final invoice INV/2026/00012 settled"):
        check_next_kind(FIXED, invoices, ADVANCE)


def test_a_final_deducts_an_advance_at_each_of_its_rates() -> None:
    """An advance of 1,000.00 at 23 % (VAT 230.00) and 500.00 at 8 % (VAT 40.00) is
    deducted by two lines, each with its own rate; the final of 10,000.00 at 23 % (VAT
    2,300.00) asks for net 8,500.00, VAT 2,030.00, gross 10,530.00."""
    advance = SettledInvoice(
        "INV/2026/00020",
        ADVANCE,
        eur("1500.00"),
        (
            RateAmount(800, eur("500.00"), eur("40.00")),
            RateAmount(2300, eur("1000.00"), eur("230.00")),
        ),
    )
    lines = final_invoice_lines("Works", eur("10000.00"), 2300, [advance])
    assert [(line.vat_bp, line.net, line.vat) for line in lines[1:]] == [
        (800, eur("-500.00"), eur("-40.00")),
        (2300, eur("-1000.00"), eur("-230.00")),
    ]
    assert lines[1].description == "Less advance invoice INV/2026/00020 (VAT 8 %)"
    gross = sum_money((line.gross for line in lines), "EUR")
    assert gross == eur("10530.00")


def test_a_final_is_refused_when_the_advances_leave_nothing() -> None:
    advances = [
        issued("INV/2026/00030", ADVANCE, "6000.00"),
        issued("INV/2026/00031", ADVANCE, "4000.00"),
    ]
    with pytest.raises(ValueError, match="nothing is left for a final invoice"):
        final_invoice_lines("Works", eur("10000.00"), 2300, advances)


def test_a_time_and_material_suggestion_lists_each_component() -> None:
    """Labour 12,340.00 + materials 3,210.50 + other labour 1,000.00 + other costs 449.50 =
    17,000.00 accrued; 10,000.00 invoiced in other invoices leaves 7,000.00 outstanding."""
    invoices = [issued("INV/2026/00040", PARTIAL, "10000.00")]
    suggestion = time_and_material_suggestion(
        labour=eur("12340.00"),
        materials=eur("3210.50"),
        other_labour=eur("1000.00"),
        other_costs=eur("449.50"),
        invoices=invoices,
    )
    assert [(line.label, line.amount, line.deducted) for line in suggestion.lines] == [
        ("Current labour cost", eur("12340.00"), False),
        ("Current material costs", eur("3210.50"), False),
        ("Other labour", eur("1000.00"), False),
        ("Current other costs", eur("449.50"), False),
        ("Summary of work and materials", eur("17000.00"), False),
        ("Amount invoiced in other invoices", eur("10000.00"), True),
        ("Outstanding balance without invoice", eur("7000.00"), False),
    ]
    assert suggestion.net == eur("7000.00")
    invoices.append(issued("INV/2026/00041", PARTIAL, "9000.00"))
    behind = time_and_material_suggestion(
        labour=eur("12340.00"),
        materials=eur("3210.50"),
        other_labour=eur("1000.00"),
        other_costs=eur("449.50"),
        invoices=invoices,
    )
    assert behind.net == eur("0.00")  # invoiced ahead of the work: nothing to suggest
    # time and material has no contract to exceed
    check_net(
        PARTIAL,
        eur("50000.00"),
        valuation=TIME_AND_MATERIAL,
        contract_with_changes=None,
        invoices=invoices,
    )


@pytest.mark.parametrize("kind", [ADVANCE, FINAL])
def test_time_and_material_is_never_settled_by_advances_or_a_final(kind: SettlementKind) -> None:
    with pytest.raises(IllegalTransition, match="partial and total invoices only"):
        check_next_kind(TIME_AND_MATERIAL, [], kind)


@pytest.mark.parametrize(
    ("first", "then", "method"),
    [
        (PARTIAL, ADVANCE, "partial and total invoices since invoice INV/2026/00050"),
        (PARTIAL, FINAL, "partial and total invoices since invoice INV/2026/00050"),
        (ADVANCE, PARTIAL, "advance invoices and a final invoice since invoice INV/2026/00050"),
        (ADVANCE, TOTAL, "advance invoices and a final invoice since invoice INV/2026/00050"),
    ],
)
def test_the_first_invoice_fixes_the_method(
    first: SettlementKind, then: SettlementKind, method: str
) -> None:
    invoices = [issued("INV/2026/00050", first, "100.00")]
    with pytest.raises(IllegalTransition, match=method):
        check_next_kind(FIXED, invoices, then)


def test_a_credit_note_reopens_a_project_and_frees_its_method() -> None:
    """A total cancelled by its credit note no longer closes the project; when every
    invoice is cancelled, the next one may choose the method again."""
    invoices = [
        issued("INV/2026/00060", PARTIAL, "100.00"),
        issued("INV/2026/00061", TOTAL, "900.00", cancelled=True),
    ]
    check_next_kind(FIXED, invoices, PARTIAL)
    assert invoiced_net(invoices, "EUR") == eur("100.00")
    everything_cancelled = [issued("INV/2026/00062", PARTIAL, "100.00", cancelled=True)]
    assert project_method(everything_cancelled) is None
    check_next_kind(FIXED, everything_cancelled, ADVANCE)


@pytest.mark.parametrize("net", ["0.00", "-1.00"])
def test_a_net_of_zero_or_less_is_refused(net: str) -> None:
    with pytest.raises(ValueError, match="more than zero"):
        check_net(
            PARTIAL, eur(net), valuation=FIXED, contract_with_changes=eur("10.00"), invoices=[]
        )


def test_a_project_balance_adds_up() -> None:
    """Contract 100,000.00 + changes 12,500.00 - 2,000.00 = 110,500.00. Invoiced: partials
    of 30,000.00 and 20,000.00 (a third of 5,000.00 was cancelled by its credit note) =
    50,000.00 net, 61,500.00 gross at 23 %; paid 40,000.00, so 21,500.00 is outstanding.
    Costs: labour 18,000.00 + materials 9,000.00 + equipment 1,500.00 + other 500.00 =
    29,000.00; result 50,000.00 - 29,000.00 = 21,000.00, a margin of 42.00 %; 60,500.00 is
    left to invoice."""
    invoices = [
        issued("INV/2026/00070", PARTIAL, "30000.00"),
        issued("INV/2026/00071", PARTIAL, "5000.00", cancelled=True),
        issued("INV/2026/00072", PARTIAL, "20000.00"),
    ]
    balance = project_balance(
        contract=eur("100000.00"),
        approved_changes=eur("12500.00") + eur("-2000.00"),
        invoices=invoices,
        gross_invoiced=eur("61500.00"),
        paid=eur("40000.00"),
        costs={
            "labour": eur("18000.00"),
            "materials": eur("9000.00"),
            "equipment": eur("1500.00"),
            "other": eur("500.00"),
        },
    )
    assert balance.contract_with_changes == eur("110500.00")
    assert (balance.invoiced, balance.paid, balance.outstanding) == (
        eur("50000.00"),
        eur("40000.00"),
        eur("21500.00"),
    )
    assert dict(balance.costs) == {
        "labour": eur("18000.00"),
        "materials": eur("9000.00"),
        "equipment": eur("1500.00"),
        "salary": eur("0.00"),
        "other": eur("500.00"),
        "subcontracts": eur("0.00"),
    }
    assert (balance.total_costs, balance.result, balance.margin_bp) == (
        eur("29000.00"),
        eur("21000.00"),
        4200,
    )
    assert balance.left_to_invoice == eur("60500.00")


def test_a_time_and_material_balance_before_any_invoice_has_no_margin_and_may_be_a_loss() -> None:
    balance = project_balance(
        contract=None,
        approved_changes=eur("0.00"),
        invoices=[],
        gross_invoiced=eur("0.00"),
        paid=eur("0.00"),
        costs={"materials": eur("1234.56")},
    )
    assert (balance.contract_with_changes, balance.left_to_invoice, balance.margin_bp) == (
        None,
        None,
        None,
    )
    assert balance.result == eur("-1234.56")
    with pytest.raises(ValueError, match="unknown cost kind 'fuel'"):
        project_balance(
            contract=None,
            approved_changes=eur("0.00"),
            invoices=[],
            gross_invoiced=eur("0.00"),
            paid=eur("0.00"),
            costs={"fuel": eur("1.00")},
        )
