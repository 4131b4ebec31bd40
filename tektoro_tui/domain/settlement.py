"""Settling a project by invoices: which kind may come next, what is suggested, the final.

Pure rules of DESIGN.md §9 ("Projects as contracts", "Settlement invoices"), used by the
project service when it issues and by ``tektoro check`` when it re-derives them:

* The kinds come in two methods: *partial / total* and *advance / final*. The first live
  invoice of a project fixes its method; a time-and-material project is always settled by
  partial and total invoices; after a live total or final invoice nothing more is invoiced
  until a credit note cancels it. An invoice cancelled by a credit note counts for nothing.
* The net amount is suggested and explained line by line: for a fixed contract, the contract
  with its approved changes less the net invoiced so far; for time and material, what has
  accrued (labour, materials, other labour, other costs) less the net invoiced so far.
* On a fixed contract no invoice may take the net invoiced above the contract with changes.
* The final invoice states the whole contract value and deducts every advance invoice, one
  line per advance and VAT rate carrying that advance's own net and VAT, so that its gross is
  exactly what the advances left unpaid.
* A project's balance: the contract with changes, invoiced (net), paid, outstanding, costs by
  kind, the result (invoiced less costs) and its margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tektoro_tui.domain.money import Money, percent_text, sum_money
from tektoro_tui.domain.rounding import RoundingMode, divide_to_int
from tektoro_tui.domain.vat import check_rate, vat_for
from tektoro_tui.errors import IllegalTransition


class SettlementKind(StrEnum):
    """The kind of a settlement invoice (stored in ``invoice.kind``)."""

    PARTIAL = "partial"
    TOTAL = "total"
    ADVANCE = "advance"
    FINAL = "final"


class SettlementMethod(StrEnum):
    """How a project is settled: fixed by its first live invoice."""

    PARTIAL_TOTAL = "partial_total"
    ADVANCE_FINAL = "advance_final"


METHOD_OF = {
    SettlementKind.PARTIAL: SettlementMethod.PARTIAL_TOTAL,
    SettlementKind.TOTAL: SettlementMethod.PARTIAL_TOTAL,
    SettlementKind.ADVANCE: SettlementMethod.ADVANCE_FINAL,
    SettlementKind.FINAL: SettlementMethod.ADVANCE_FINAL,
}
METHOD_NAMES = {
    SettlementMethod.PARTIAL_TOTAL: "partial and total invoices",
    SettlementMethod.ADVANCE_FINAL: "advance invoices and a final invoice",
}
CLOSING_KINDS = (SettlementKind.TOTAL, SettlementKind.FINAL)
FIXED = "fixed"
TIME_AND_MATERIAL = "tm"


@dataclass(frozen=True)
class RateAmount:
    """The net and VAT an invoice holds at one VAT rate."""

    rate_bp: int
    net: Money
    vat: Money


@dataclass(frozen=True)
class SettledInvoice:
    """An invoice already issued (or recorded) on the project, oldest first in a sequence.

    ``cancelled`` is True once a credit note cancelled it: it then counts for nothing.
    """

    number: str
    kind: SettlementKind
    net: Money
    rates: tuple[RateAmount, ...] = ()
    cancelled: bool = False


def live(invoices: Sequence[SettledInvoice]) -> list[SettledInvoice]:
    """The invoices that count: every one not cancelled by a credit note, in order."""
    return [invoice for invoice in invoices if not invoice.cancelled]


def project_method(invoices: Sequence[SettledInvoice]) -> SettlementMethod | None:
    """The method the project's first live invoice fixed (None before any)."""
    counting = live(invoices)
    return METHOD_OF[counting[0].kind] if counting else None


def check_next_kind(
    valuation: str, invoices: Sequence[SettledInvoice], kind: SettlementKind
) -> None:
    """Refuse a settlement invoice of ``kind`` after ``invoices`` on a project valued so.

    Raises:
        IllegalTransition: time and material with an advance or final invoice; a kind of the
            other method than the first live invoice fixed; anything after a live total or
            final invoice.
    """
    kind = SettlementKind(kind)
    if valuation == TIME_AND_MATERIAL and METHOD_OF[kind] is SettlementMethod.ADVANCE_FINAL:
        raise _refused(
            kind,
            "a time-and-material project is settled by partial and total invoices only",
        )
    counting = live(invoices)
    closing = next((invoice for invoice in counting if invoice.kind in CLOSING_KINDS), None)
    if closing is not None:
        raise _refused(
            kind,
            f"{closing.kind.value} invoice {closing.number} settled the project; issue a credit "
            "note for it to invoice the project again",
        )
    method = project_method(counting)
    if method is not None and METHOD_OF[kind] is not method:
        raise _refused(
            kind,
            f"the project is settled by {METHOD_NAMES[method]} since invoice {counting[0].number}",
        )


def _refused(kind: SettlementKind, reason: str) -> IllegalTransition:
    """The refusal of a settlement invoice of ``kind``."""
    return IllegalTransition("project", "settled so", f"issue a {kind.value} invoice for", reason)


def invoiced_net(invoices: Sequence[SettledInvoice], currency: str) -> Money:
    """The net invoiced so far: every live invoice's net (a final's net is already after its
    deductions)."""
    return sum_money((invoice.net for invoice in live(invoices)), currency)


@dataclass(frozen=True)
class SuggestionLine:
    """One line of the explanation: what it is and its amount (``deducted`` lines are taken
    away from the lines above)."""

    label: str
    amount: Money
    deducted: bool = False


@dataclass(frozen=True)
class Suggestion:
    """The suggested net amount and how it was reached, line by line."""

    lines: tuple[SuggestionLine, ...]
    net: Money


def fixed_suggestion(
    contract: Money, approved_changes: Money, invoices: Sequence[SettledInvoice]
) -> Suggestion:
    """A fixed contract: the contract with its approved changes less the net invoiced so far
    (never below zero)."""
    currency = contract.currency
    whole = contract + approved_changes
    invoiced = invoiced_net(invoices, currency)
    left = max(whole - invoiced, Money.zero(currency))
    return Suggestion(
        (
            SuggestionLine("Contract amount", contract),
            SuggestionLine("Approved changes", approved_changes),
            SuggestionLine("Contract with changes", whole),
            SuggestionLine("Net invoiced so far", invoiced, deducted=True),
            SuggestionLine("Left to invoice", left),
        ),
        left,
    )


def time_and_material_suggestion(
    *,
    labour: Money,
    materials: Money,
    other_labour: Money,
    other_costs: Money,
    invoices: Sequence[SettledInvoice],
) -> Suggestion:
    """Time and material: what accrued by the end of the period less the net invoiced so far
    ("outstanding balance without invoice", never below zero)."""
    currency = labour.currency
    accrued = labour + materials + other_labour + other_costs
    invoiced = invoiced_net(invoices, currency)
    outstanding = max(accrued - invoiced, Money.zero(currency))
    return Suggestion(
        (
            SuggestionLine("Current labour cost", labour),
            SuggestionLine("Current material costs", materials),
            SuggestionLine("Other labour", other_labour),
            SuggestionLine("Current other costs", other_costs),
            SuggestionLine("Summary of work and materials", accrued),
            SuggestionLine("Amount invoiced in other invoices", invoiced, deducted=True),
            SuggestionLine("Outstanding balance without invoice", outstanding),
        ),
        outstanding,
    )


def check_net(
    kind: SettlementKind,
    net: Money,
    *,
    valuation: str,
    contract_with_changes: Money | None,
    invoices: Sequence[SettledInvoice],
) -> None:
    """Refuse a net amount of a ``kind`` invoice the project cannot take (the caller names
    the field). A final invoice's net is its own, after the advances are deducted: so it
    fits when the whole value it states does not exceed the contract with changes.

    Raises:
        ValueError: a net of zero or less; on a fixed contract, a net that takes the net
            invoiced above the contract with changes (the message says what is left).
    """
    if net.cents <= 0:
        raise ValueError("must be more than zero")
    if valuation != FIXED or contract_with_changes is None:
        return
    left = contract_with_changes - invoiced_net(invoices, net.currency)
    if net > left:
        raise ValueError(
            f"would invoice more than the contract: {left.format()} {left.currency} is left "
            f"of {contract_with_changes.format()} {contract_with_changes.currency}"
        )


@dataclass(frozen=True)
class SettlementLine:
    """One line of a settlement invoice, its VAT worked out (deductions are negative)."""

    description: str
    net: Money
    vat_bp: int
    vat: Money

    @property
    def gross(self) -> Money:
        """Net plus VAT."""
        return self.net + self.vat


def single_line(
    service: str, net: Money, vat_bp: int, rounding: RoundingMode = RoundingMode.HALF_UP
) -> SettlementLine:
    """The one line of a partial, total or advance invoice: the service and its net."""
    return SettlementLine(service, net, check_rate(vat_bp), vat_for(net, vat_bp, rounding))


def final_invoice_lines(
    service: str,
    whole_net: Money,
    vat_bp: int,
    invoices: Sequence[SettledInvoice],
    rounding: RoundingMode = RoundingMode.HALF_UP,
) -> tuple[SettlementLine, ...]:
    """The lines of a final invoice: the whole contract value, then one deduction per live
    advance invoice and VAT rate with that advance's own net and VAT (never worked out anew),
    so the final's gross is the whole value's gross less everything the advances asked for.

    Raises:
        ValueError: the advances come to more than the whole value (nothing is left to ask).
    """
    lines = [single_line(service, whole_net, vat_bp, rounding)]
    for invoice in live(invoices):
        if invoice.kind is not SettlementKind.ADVANCE:
            continue
        for part in invoice.rates:
            lines.append(
                SettlementLine(
                    f"Less advance invoice {invoice.number} (VAT {percent_text(part.rate_bp)} %)",
                    -part.net,
                    part.rate_bp,
                    -part.vat,
                )
            )
    net = sum_money((line.net for line in lines), whole_net.currency)
    if net.cents <= 0:
        raise ValueError(
            f"the advance invoices already ask for {(whole_net - net).format()} "
            f"{whole_net.currency} of the {whole_net.format()} {whole_net.currency}; "
            "nothing is left for a final invoice"
        )
    return tuple(lines)


# --- the project's financial balance -------------------------------------------------------

COST_KINDS = ("labour", "materials", "equipment", "salary", "other", "subcontracts")
"""The cost columns of a balance, in the order shown. Labour is staff time (and, once crew pay
exists, settled work shifts); subcontracts are what subcontractors were paid (the settlement
stages of the project's agreements)."""


@dataclass(frozen=True)
class ProjectBalance:
    """A project's money at a glance (DESIGN §9, "Project costs and balance").

    ``invoiced`` is the net of every live invoice, ours and external (a cancelled one and its
    credit note cancel out); ``result`` is invoiced less costs, as revenue is net;
    ``margin_bp`` the result as basis points of what was invoiced (None before any invoice).
    """

    contract_with_changes: Money | None
    invoiced: Money
    paid: Money
    outstanding: Money
    costs: tuple[tuple[str, Money], ...]
    total_costs: Money
    result: Money
    margin_bp: int | None
    left_to_invoice: Money | None


def project_balance(
    *,
    contract: Money | None,
    approved_changes: Money,
    invoices: Sequence[SettledInvoice],
    gross_invoiced: Money,
    paid: Money,
    costs: dict[str, Money],
) -> ProjectBalance:
    """The balance of one project from its figures.

    Args:
        contract: the fixed contract amount (None for time and material).
        approved_changes: the sum of its approved change orders (± amounts).
        invoices: its live and cancelled settlement invoices, ours and external.
        gross_invoiced: the gross of its live invoices (what the client owes in all).
        paid: what the client paid on them.
        costs: amounts by kind of :data:`COST_KINDS`; a kind left out is zero.

    Raises:
        ValueError: a cost kind that is not one of :data:`COST_KINDS`.
    """
    currency = approved_changes.currency
    unknown = sorted(set(costs) - set(COST_KINDS))
    if unknown:
        raise ValueError(f"unknown cost kind {unknown[0]!r}")
    by_kind = tuple((kind, costs.get(kind, Money.zero(currency))) for kind in COST_KINDS)
    total_costs = sum_money((amount for _kind, amount in by_kind), currency)
    invoiced = invoiced_net(invoices, currency)
    result = invoiced - total_costs
    whole = None if contract is None else contract + approved_changes
    return ProjectBalance(
        contract_with_changes=whole,
        invoiced=invoiced,
        paid=paid,
        outstanding=max(gross_invoiced - paid, Money.zero(currency)),
        costs=by_kind,
        total_costs=total_costs,
        result=result,
        margin_bp=(
            None if invoiced.cents == 0 else divide_to_int(result.cents * 10_000, invoiced.cents)
        ),
        left_to_invoice=None if whole is None else max(whole - invoiced, Money.zero(currency)),
    )
