"""The Invoice Printer's forms: recording a payment and cancelling with a credit note.

The forms return what was typed; the invoice service checks it (an overpayment, a date before
the issue date, a missing reason...) and the screen reopens the form with the bad fields
marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from ..services.invoicing.views import PAYMENT_METHODS, InvoiceView, PaymentForm
from .dialogs.form import FormModal
from .fields import FieldSpec
from .formatting import plain_amount
from .printer_detail import METHOD_LABELS

if TYPE_CHECKING:
    pass

PAYMENT_SPECS = (
    FieldSpec("amount", "Amount received"),
    FieldSpec("paid_on", "Date received", placeholder="YYYY-MM-DD"),
    FieldSpec(
        "method",
        "Method",
        kind="select",
        options=tuple((METHOD_LABELS.get(m, m), m) for m in PAYMENT_METHODS),
        allow_blank=False,
    ),
    FieldSpec("reference", "Reference"),
    FieldSpec("account_holder", "Account holder"),
    FieldSpec("account_number", "Account number"),
)

CREDIT_NOTE_SPECS = (FieldSpec("reason", "Reason for the credit note"),)


@dataclass(frozen=True)
class CreditNoteDraft:
    """Why an invoice is cancelled, as typed."""

    reason: str = ""


def payment_draft(invoice: InvoiceView, today: date) -> PaymentForm:
    """A payment of everything still due, received today, by wire transfer."""
    return PaymentForm(amount=plain_amount(invoice.due), paid_on=today.isoformat())


def payment_form(values: dict[str, Any]) -> PaymentForm:
    """The service's payment form from the typed values."""
    return PaymentForm(
        amount=values["amount"],
        paid_on=values["paid_on"],
        method=values["method"] or "",
        reference=values["reference"],
        account_holder=values["account_holder"],
        account_number=values["account_number"],
    )


def payment_modal(
    invoice: InvoiceView, draft: PaymentForm, problems: tuple[Problem, ...]
) -> FormModal[PaymentForm]:
    """The "Record payment" form for ``invoice``."""
    intro = (
        f"{invoice.client_name}: gross {invoice.gross}, paid {invoice.paid}, "
        f"still due {invoice.due}. Partial payments are allowed."
    )
    return FormModal(
        f"Record payment: {invoice.number}",
        PAYMENT_SPECS,
        draft,
        payment_form,
        problems,
        intro=intro,
    )


def credit_note_modal(
    invoice: InvoiceView, draft: CreditNoteDraft, problems: tuple[Problem, ...]
) -> FormModal[CreditNoteDraft]:
    """The confirmation of a credit note, asking for its reason."""
    intro = (
        f"A credit note cancels the whole invoice {invoice.number} ({invoice.gross}, "
        f"{invoice.client_name}) and gets the next CN number. It is refused when payments "
        "are recorded. Type the reason and press Enter to issue it, or Escape to keep the "
        "invoice."
    )
    return FormModal(
        f"Credit note for {invoice.number}",
        CREDIT_NOTE_SPECS,
        draft,
        lambda values: CreditNoteDraft(**values),
        problems,
        intro=intro,
    )
