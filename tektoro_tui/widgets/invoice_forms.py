"""The Documenter's lists, line cells, small forms (adjustment, expense) and questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from rich.text import Text

from ..domain.money import Money, percent_text
from ..domain.wording import missing_details
from ..errors import Problem
from ..services.invoicing.views import ExpenseForm, InvoiceView
from ..services.pipeline.views import DocumentSummary
from .dialogs.form import FormModal
from .fields import FieldSpec
from .formatting import day, hours
from .wip_cells import number, shorten
from .wip_forms import MakeForm

RECORD_COLUMNS = ("Record", "Client / project", "Entries", "Hours", "Billed", "Invoice")
DRAFT_COLUMNS = ("Draft", "Record", "Client", "Lines", "Net", "Gross")
LINE_COLUMNS = ("#", "Kind", "Description", "Hours", "Rate", "Net", "VAT %")
KIND_LABELS = {
    "time": "Time",
    "adjustment": "Adjustment",
    "expense": "Expense",
    "markup": "Markup",
    "service": "Service",
}
DESCRIPTION_WIDTH = 30
CLIENT_WIDTH = 22
MARKUP_KEY = "markup"
"""The row key of a markup line the screen generated (it has no stored id yet)."""


class ShownLine(Protocol):
    """What a line row needs: a stored line (InvoiceLineView) or a composed one (DraftLine)."""

    @property
    def kind(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def minutes(self) -> int | None: ...
    @property
    def unit_price(self) -> Money | None: ...
    @property
    def net(self) -> Money: ...
    @property
    def vat_bp(self) -> int: ...
    @property
    def expense_date(self) -> date | None: ...


def record_cells(record: DocumentSummary) -> tuple[str | Text, ...]:
    """One invoice record, with its invoice: none yet, a draft, or the issued number."""
    client = record.client_name
    if record.project_name:
        client = f"{client} / {record.project_name}"
    invoice = record.invoice_number or ("draft" if record.invoice_id else "—")
    return (
        record.reference,
        shorten(client, CLIENT_WIDTH),
        number(str(record.entries)),
        number(hours(record.minutes)),
        number(record.billed.format()),
        invoice,
    )


def draft_cells(draft: InvoiceView) -> tuple[str | Text, ...]:
    """One draft invoice with its totals as last saved."""
    return (
        f"#{draft.id}",
        draft.document_reference,
        shorten(draft.client_name, CLIENT_WIDTH),
        number(str(draft.total_lines)),
        number(draft.net.format()),
        number(draft.gross.format()),
    )


def line_cells(position: int, line: ShownLine) -> tuple[str | Text, ...]:
    """One invoice line: kind, description (an expense with its date), time, rate, net, VAT."""
    description = line.description
    if line.kind == "expense" and line.expense_date is not None:
        description = f"{day(line.expense_date)} {description}"
    return (
        str(position),
        KIND_LABELS.get(line.kind, line.kind),
        shorten(description, DESCRIPTION_WIDTH),
        number(hours(line.minutes) if line.minutes is not None else ""),
        number(line.unit_price.format() if line.kind == "time" and line.unit_price else ""),
        number(line.net.format()),
        number(percent_text(line.vat_bp)),
    )


def line_rows(lines: Sequence[Any], keys: Sequence[str]) -> list[tuple[str, tuple[Any, ...]]]:
    """(row key, cells) for each line, numbered from 1."""
    return [
        (key, line_cells(i, line)) for i, (key, line) in enumerate(zip(keys, lines, strict=True), 1)
    ]


@dataclass(frozen=True)
class AdjustmentDraft:
    """An adjustment as typed: ± amount, reason, VAT rate, and whether it is for the invoice."""

    amount: str = ""
    reason: str = ""
    vat_rate: str = ""
    whole_invoice: bool = False


def adjustment_specs() -> tuple[FieldSpec, ...]:
    """The adjustment form's fields."""
    return (
        FieldSpec("amount", "Amount (+ or −)", placeholder="-50.00 takes off, 50.00 adds"),
        FieldSpec("reason", "Reason (printed)"),
        FieldSpec("vat_rate", "VAT %", placeholder="blank: the line's rate"),
        FieldSpec("whole_invoice", "On the whole invoice", kind="switch"),
    )


def adjustment_draft(values: dict[str, Any]) -> AdjustmentDraft:
    """The adjustment as typed."""
    return AdjustmentDraft(**values)


def adjustment_modal(intro: str) -> MakeForm[AdjustmentDraft]:
    """Makes the adjustment form (again, marked with the problems of the last try)."""

    def make(draft: AdjustmentDraft, problems: tuple[Problem, ...]) -> FormModal[AdjustmentDraft]:
        specs = adjustment_specs()
        return FormModal("Adjustment", specs, draft, adjustment_draft, problems, intro=intro)

    return make


def expense_specs() -> tuple[FieldSpec, ...]:
    """The expense form's fields."""
    return (
        FieldSpec("expense_date", "Date", placeholder="YYYY-MM-DD"),
        FieldSpec("description", "Description"),
        FieldSpec("amount", "Amount (net)"),
        FieldSpec("vat_rate", "VAT %", placeholder="blank: the default rate"),
    )


def expense_form(values: dict[str, Any]) -> ExpenseForm:
    """The service's expense form from the typed values."""
    return ExpenseForm(**values)


def expense_modal(draft: ExpenseForm, problems: tuple[Problem, ...]) -> FormModal[ExpenseForm]:
    """The expense form (again, marked with the problems of the last try)."""
    return FormModal("Expense", expense_specs(), draft, expense_form, problems)


def issue_question(view: InvoiceView) -> str:
    """What creating the invoice does, with its totals, before the user says yes."""
    return (
        f"Issue the invoice to {view.client_name} ({view.document_reference}) with the next "
        "invoice number?\n\n"
        f"Net {view.net.format()} · VAT {view.vat.format()} · "
        f"Gross {view.gross.format()} {view.currency}\n\n"
        "Once issued it can never change: a mistake needs a credit note. It then goes to the "
        "Invoice Printer." + seller_warning(view.seller_missing)
    )


def seller_warning(missing: tuple[str, ...]) -> str:
    """The warning shown before issuing while the firm's own details are incomplete."""
    if not missing:
        return ""
    gap = missing_details("your firm's", missing)
    return (
        f"\n\nWarning: {gap}, so the invoice will not "
        "show them. Add them in Settings first unless you mean to issue it so."
    )
