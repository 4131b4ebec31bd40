"""The pieces of the Projects screens: table cells, the balance as text with its bars, forms.

Everything here turns the project service's views into what the screens show; no service is
called from here.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..domain.money import Money, percent_text
from ..domain.settlement import ProjectBalance, Suggestion
from ..errors import Problem
from ..services.projects.views import (
    BILLING_LABELS,
    COST_TYPE_LABELS,
    COST_TYPES,
    ChangeForm,
    ChangeView,
    CostForm,
    CostView,
    ExternalForm,
    MonthFigures,
    ProjectRow,
    SettledRow,
    SettlementForm,
    SuggestionView,
)
from .dialogs.form import FormModal
from .fields import FieldSpec
from .formatting import day
from .printer_detail import amount_cell, clipped

PROJECT_COLUMNS = (
    "Project",
    "Client",
    "Valuation",
    "Contract",
    "Invoiced",
    "Paid",
    "Costs",
    "Result",
    "%",
    "Status",
)
INVOICE_COLUMNS = ("Number", "Type", "Chg", "Issued", "Net", "VAT", "Gross", "Paid", "Status")
COST_COLUMNS = ("Date", "Type", "Name", "Supplier invoice", "Amount")
CHANGE_COLUMNS = ("No.", "Date", "Amount", "Approved", "Description", "Invoiced by")
KIND_SHORT = {
    "standard": "invoice",
    "partial": "partial",
    "total": "total",
    "advance": "advance",
    "final": "final",
    "credit_note": "credit note",
}
BAR_WIDTH = 24


def amount(value: Money | None) -> Text:
    """A right-aligned amount without its currency ('' for none)."""
    return amount_cell("" if value is None else value.format())


def result_cell(value: Money) -> Text:
    """A result: red when a loss."""
    return Text(value.format(), justify="right", style="red" if value.cents < 0 else "")


def project_cells(row: ProjectRow) -> tuple[object, ...]:
    """One row of the project list."""
    return (
        clipped(row.name, 22),
        clipped(row.client_name, 14),
        "fixed" if row.valuation == "fixed" else "T&M",
        amount(row.contract_with_changes),
        amount(row.invoiced),
        amount(row.paid),
        amount(row.costs),
        result_cell(row.result),
        Text(str(row.progress_pct), justify="right"),
        row.status.replace("_", " "),
    )


def invoice_cells(row: SettledRow) -> tuple[object, ...]:
    """One row of a project's Invoices tab (an external one marked so)."""
    kind = KIND_SHORT.get(row.kind, row.kind) + (" (ext)" if row.external else "")
    return (
        row.number,
        kind,
        "" if row.change_number is None else str(row.change_number),
        day(row.issue_date),
        amount(row.net),
        amount(row.vat),
        amount(row.gross),
        amount(row.paid),
        row.status.replace("_", " "),
    )


def cost_cells(cost: CostView) -> tuple[object, ...]:
    """One row of a cost list."""
    return (
        day(cost.cost_date),
        cost.type_label,
        clipped(cost.name, 28),
        clipped(cost.supplier_invoice_number, 16),
        amount(cost.amount),
    )


def change_cells(change: ChangeView) -> tuple[object, ...]:
    """One row of the Changes tab."""
    return (
        str(change.number),
        day(change.change_date),
        amount(change.amount),
        "yes" if change.approved else "no",
        clipped(change.description, 30),
        ", ".join(change.invoiced_by),
    )


def project_heading(row: ProjectRow, next_kinds: tuple[str, ...], manager: str) -> str:
    """The lines above a project's tabs."""
    whole = (
        "time and material"
        if row.contract_with_changes is None
        else f"fixed, contract with changes {row.contract_with_changes}"
    )
    billing = BILLING_LABELS.get(row.billing, row.billing)
    kinds = ", ".join(next_kinds) if next_kinds else "none"
    who = f" · PM {manager}" if manager else ""
    return (
        f"{row.name} for {row.client_name} · {whole} · {row.status.replace('_', ' ')}, "
        f"{row.progress_pct} % done{who}\n"
        f"Billed: {billing} · may take now: {kinds}"
    )


def _line(label: str, value: Money | None, *, minus: bool = False) -> str:
    shown = "" if value is None else f"{'-' if minus else ' '}{value.format():>16} {value.currency}"
    return f"{label:<34}{shown}"


def suggestion_text(view: SuggestionView) -> str:
    """The explanation of a suggested net, line by line, as the form's intro shows it."""
    article = "an" if view.kind[:1] in "aeiou" else "a"
    lines = [f"Suggested net of {article} {view.kind} invoice, and how:"]
    if view.kind == "final":
        lines[0] = "A final invoice states the whole contract and deducts every advance:"
    lines += [_line(line.label, line.amount, minus=line.deducted) for line in view.suggestion.lines]
    lines += list(view.notes)
    return "\n".join(lines)


def suggestion_lines(suggestion: Suggestion) -> str:
    """The lines alone."""
    return "\n".join(
        _line(line.label, line.amount, minus=line.deducted) for line in suggestion.lines
    )


def balance_text(balance: ProjectBalance, months: tuple[MonthFigures, ...]) -> str:
    """The Balance tab: the figures, then a bar per month of invoiced against costs."""
    out = []
    if balance.contract_with_changes is not None:
        out.append(_line("Contract with changes", balance.contract_with_changes))
    out += [
        _line("Invoiced (net)", balance.invoiced),
        _line("Paid", balance.paid),
        _line("Outstanding (gross)", balance.outstanding),
    ]
    out += [_line(f"  Costs: {kind}", value) for kind, value in balance.costs]
    out.append(_line("Costs in all", balance.total_costs))
    margin = "" if balance.margin_bp is None else f"   margin {percent_text(balance.margin_bp)} %"
    out.append(
        _line("Result" + (" (loss)" if balance.result.cents < 0 else ""), balance.result) + margin
    )
    if balance.left_to_invoice is not None:
        out.append(_line("Left to invoice", balance.left_to_invoice))
    if months:
        out.append("")
        out.append("Month     invoiced (#) against costs (=)")
        out += month_bars(months)
    return "\n".join(out)


def month_bars(months: tuple[MonthFigures, ...]) -> list[str]:
    """Two bars per month, scaled to the largest figure of all."""
    largest = max(max(m.invoiced.cents, m.costs.cents, 0) for m in months) or 1
    rows = []
    for month in months:
        inv = round(BAR_WIDTH * max(month.invoiced.cents, 0) / largest)
        cost = round(BAR_WIDTH * max(month.costs.cents, 0) / largest)
        rows.append(f"{month.month}  {'#' * inv:<{BAR_WIDTH}} {month.invoiced.format():>14}")
        rows.append(f"{'':7}  {'=' * cost:<{BAR_WIDTH}} {month.costs.format():>14}")
    return rows


# --- forms ------------------------------------------------------------------------------------


def settlement_specs(
    next_kinds: tuple[str, ...], tm: bool, addresses: tuple[str, ...]
) -> tuple[FieldSpec, ...]:
    """The settlement invoice form's fields (the period only for time and material)."""
    specs = [
        FieldSpec(
            "kind",
            "Type",
            kind="select",
            options=tuple((kind, kind) for kind in next_kinds),
            allow_blank=False,
        ),
        FieldSpec("issue_date", "Date", placeholder="YYYY-MM-DD (blank: today)"),
        FieldSpec("due_date", "Payment deadline", placeholder="blank: the firm's default"),
        FieldSpec("service", "Goods or service", placeholder="blank: the project's name"),
        FieldSpec("net", "Net amount", placeholder="blank: the suggestion"),
        FieldSpec("vat_rate", "VAT rate %"),
        FieldSpec("footer", "Footer on the invoice"),
        FieldSpec("progress_pct", "Update work progress to %", placeholder="blank: leave it"),
        FieldSpec("paid_amount", "Paid amount", placeholder="blank: nothing paid yet"),
        FieldSpec("paid_in_full", "Paid in full", kind="switch"),
        FieldSpec("change_number", "Settles change no."),
    ]
    if tm:
        specs += [
            FieldSpec("period_from", "Period from", placeholder="blank: from the start"),
            FieldSpec("period_to", "Period to", placeholder="blank: today"),
        ]
    specs.append(
        FieldSpec(
            "send_to",
            "Send by e-mail to",
            kind="select",
            options=tuple((address, address) for address in addresses),
        )
    )
    return tuple(specs)


def settlement_form(values: dict[str, Any]) -> SettlementForm:
    """The typed settlement form."""
    return SettlementForm(
        kind=values.get("kind") or "",
        issue_date=values.get("issue_date", ""),
        due_date=values.get("due_date", ""),
        service=values.get("service", ""),
        net=values.get("net", ""),
        vat_rate=values.get("vat_rate", ""),
        footer=values.get("footer", ""),
        progress_pct=values.get("progress_pct", ""),
        paid_amount=values.get("paid_amount", ""),
        paid_in_full=bool(values.get("paid_in_full")),
        change_number=values.get("change_number", ""),
        period_from=values.get("period_from", ""),
        period_to=values.get("period_to", ""),
        send_to=values.get("send_to") or "",
    )


def settlement_modal(
    project: str,
    suggestion: SuggestionView,
    specs: tuple[FieldSpec, ...],
    draft: SettlementForm,
    problems: tuple[Problem, ...],
) -> FormModal[SettlementForm]:
    """The settlement invoice form, the suggestion explained above its fields."""
    return FormModal(
        f"New invoice: {project}",
        specs,
        draft,
        settlement_form,
        problems,
        intro=suggestion_text(suggestion),
        field_names={"kind": "kind"},
    )


EXTERNAL_SPECS = (
    FieldSpec("number", "Its number"),
    FieldSpec("issue_date", "Its issue date", placeholder="YYYY-MM-DD"),
    FieldSpec("net", "Net amount"),
    FieldSpec("vat", "VAT amount"),
    FieldSpec("gross", "Gross amount", placeholder="optional: checked to be net + VAT"),
    FieldSpec("kind", "Type", placeholder="blank: partial or advance, as the project goes"),
    FieldSpec("service", "What it invoiced"),
    FieldSpec("change_number", "Settles change no."),
    FieldSpec("attachment", "Its PDF (path)", placeholder="optional"),
    FieldSpec("paid_amount", "Paid amount", placeholder="blank: nothing paid yet"),
    FieldSpec("paid_in_full", "Paid in full", kind="switch"),
)


def external_modal(
    project: str, draft: ExternalForm, problems: tuple[Problem, ...]
) -> FormModal[ExternalForm]:
    """Recording an invoice issued in another program."""
    return FormModal(
        f"Record an external invoice: {project}",
        EXTERNAL_SPECS,
        draft,
        lambda values: ExternalForm(**{**values, "paid_in_full": bool(values.get("paid_in_full"))}),
        problems,
        intro=(
            "An invoice issued in another program keeps its own number, counts in the balance "
            "and every suggestion, and cannot be changed once recorded."
        ),
    )


def cost_specs(projects: tuple[tuple[str, str], ...] = ()) -> tuple[FieldSpec, ...]:
    """The cost form's fields (a project to choose only on the cost register)."""
    specs = []
    if projects:
        specs.append(
            FieldSpec("project", "Project", kind="select", options=projects, allow_blank=False)
        )
    specs += [
        FieldSpec("name", "Cost name"),
        FieldSpec("supplier_invoice_number", "Invoice number"),
        FieldSpec("note", "Note"),
        FieldSpec("cost_date", "Date", placeholder="YYYY-MM-DD (blank: today)"),
        FieldSpec(
            "cost_type",
            "Cost type",
            kind="select",
            options=tuple((COST_TYPE_LABELS[kind], kind) for kind in COST_TYPES),
            allow_blank=False,
        ),
        FieldSpec("amount", "Amount"),
    ]
    return tuple(specs)


def cost_modal(
    title: str,
    project_key: str,
    draft: CostForm,
    problems: tuple[Problem, ...],
    projects: tuple[tuple[str, str], ...] = (),
) -> FormModal[CostForm]:
    """The cost form; ``project_key`` is kept when the form offers no project to choose."""

    def build(values: dict[str, Any]) -> CostForm:
        return CostForm(
            project=values.get("project") or project_key,
            name=values.get("name", ""),
            supplier_invoice_number=values.get("supplier_invoice_number", ""),
            note=values.get("note", ""),
            cost_date=values.get("cost_date", ""),
            cost_type=values.get("cost_type") or "",
            amount=values.get("amount", ""),
        )

    return FormModal(title, cost_specs(projects), draft, build, problems)


def cost_draft(cost: CostView) -> CostForm:
    """A cost as its edit form starts."""
    return CostForm(
        project=str(cost.project_id),
        name=cost.name,
        supplier_invoice_number=cost.supplier_invoice_number,
        note=cost.note,
        cost_date=cost.cost_date.isoformat(),
        cost_type=cost.cost_type,
        amount=str(cost.amount.amount),
    )


CHANGE_SPECS = (
    FieldSpec("description", "Description"),
    FieldSpec("change_date", "Date", placeholder="YYYY-MM-DD (blank: today)"),
    FieldSpec("amount", "Amount (±)"),
    FieldSpec("approved", "Approved", kind="switch"),
)


def change_modal(
    title: str, draft: ChangeForm, problems: tuple[Problem, ...]
) -> FormModal[ChangeForm]:
    """Adding or editing a change order."""
    return FormModal(
        title,
        CHANGE_SPECS,
        draft,
        lambda values: ChangeForm(
            description=values.get("description", ""),
            change_date=values.get("change_date", ""),
            amount=values.get("amount", ""),
            approved=bool(values.get("approved")),
        ),
        problems,
        intro="An approved change adds to the contract amount and can no longer be edited.",
    )
