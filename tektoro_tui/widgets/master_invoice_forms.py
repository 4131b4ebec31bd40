"""The Master invoices screen's dialogs: the generator's form, its preview, and a payment.

The forms return what was typed; the contractor-invoice service checks it (an unknown
contractor, a period with no approved tickets, an overpayment, a date before the invoice...)
and the screen reopens the form with the bad fields marked. The preview shows only what the
service computed.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from typing import Any

from ..errors import Problem
from ..services.contractor_invoices.views import (
    ContractorOption,
    ContractorPaymentResult,
    MasterInvoiceForm,
    MasterInvoicePreview,
    MasterInvoiceView,
)
from ..services.invoicing.views import CONTRACTOR_PAYMENT_METHODS, PaymentForm
from .dialogs.form import FormModal
from .fields import FieldSpec
from .formatting import hours, plain_amount
from .printer_detail import METHOD_LABELS

PAYMENT_SPECS = (
    FieldSpec("amount", "Amount paid"),
    FieldSpec("paid_on", "Payment date", placeholder="YYYY-MM-DD"),
    FieldSpec(
        "method",
        "Method",
        kind="select",
        options=tuple((METHOD_LABELS.get(m, m), m) for m in CONTRACTOR_PAYMENT_METHODS),
        allow_blank=False,
    ),
    FieldSpec("account_holder", "Account holder"),
    FieldSpec("account_number", "Account number"),
    FieldSpec("reference", "Reference / confirmation"),
)


def contractor_label(option: ContractorOption) -> str:
    """'Carl Contractor — 4:00 unbilled (2 tickets), 40.00 EUR/h' for the picker."""
    return (
        f"{option.name} — {hours(option.unbilled_minutes)} unbilled "
        f"({option.unbilled_entries} tickets), {option.pay_rate}/h"
    )


def last_month(today: date) -> tuple[date, date]:
    """The calendar month before ``today``'s: the period usually billed."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end.replace(day=monthrange(end.year, end.month)[1])


def billing_month(oldest: date | None, today: date) -> tuple[date, date]:
    """The month to bill: the one of the oldest unbilled ticket (up to today), else last month.

    So work of this month is offered when that is all there is, and older work is billed
    month by month, oldest first.
    """
    if oldest is None or oldest > today:
        return last_month(today)
    start = oldest.replace(day=1)
    end = oldest.replace(day=monthrange(oldest.year, oldest.month)[1])
    return start, min(end, today)


def generator_draft(options: tuple[ContractorOption, ...], today: date) -> MasterInvoiceForm:
    """Issued today, for the first contractor with unbilled hours, over the month they fall in."""
    waiting = [option for option in options if option.unbilled_minutes > 0]
    first = waiting[0] if waiting else (options[0] if options else None)
    start, end = billing_month(first.unbilled_since if first is not None else None, today)
    return MasterInvoiceForm(
        contractor=str(first.id) if first is not None else "",
        period_start=start.isoformat(),
        period_end=end.isoformat(),
        issue_date=today.isoformat(),
    )


def generator_modal(
    options: tuple[ContractorOption, ...], draft: MasterInvoiceForm, problems: tuple[Problem, ...]
) -> FormModal[MasterInvoiceForm]:
    """The generator's form: contractor, period and issue date."""
    specs = (
        FieldSpec(
            "contractor",
            "Contractor",
            kind="select",
            options=tuple((contractor_label(option), str(option.id)) for option in options),
            placeholder="(choose a contractor)",
        ),
        FieldSpec("period_start", "Period from", placeholder="YYYY-MM-DD"),
        FieldSpec("period_end", "Period to", placeholder="YYYY-MM-DD"),
        FieldSpec("issue_date", "Issue date", placeholder="YYYY-MM-DD (blank: today)"),
    )
    intro = (
        "Bills the contractor's approved tickets of the period at their pay rate. "
        "Ctrl+S shows a preview first; nothing is written until you confirm it."
    )

    def build(values: dict[str, Any]) -> MasterInvoiceForm:
        return MasterInvoiceForm(
            contractor=values["contractor"] or "",
            period_start=values["period_start"],
            period_end=values["period_end"],
            issue_date=values["issue_date"],
        )

    return FormModal("Generate a master invoice", specs, draft, build, problems, intro=intro)


def form_of_preview(preview: MasterInvoicePreview) -> MasterInvoiceForm:
    """The generator's form that gives exactly ``preview``."""
    return MasterInvoiceForm(
        contractor=str(preview.contractor_id),
        period_start=preview.period_start.isoformat(),
        period_end=preview.period_end.isoformat(),
        issue_date=preview.issue_date.isoformat(),
    )


def payment_draft(invoice: MasterInvoiceView, today: date) -> PaymentForm:
    """Everything still due, paid today by wire, to the bank details used last time."""
    last = invoice.payments[-1] if invoice.payments else None
    usable = last is not None and "•" not in last.account_number
    return PaymentForm(
        amount=plain_amount(invoice.due),
        paid_on=today.isoformat(),
        method=last.method if last is not None else "wire",
        account_holder=last.account_holder if last is not None else invoice.contractor_name,
        account_number=last.account_number if last is not None and usable else "",
    )


def payment_modal(
    invoice: MasterInvoiceView, draft: PaymentForm, problems: tuple[Problem, ...]
) -> FormModal[PaymentForm]:
    """The "Record payment" form for ``invoice``."""
    intro = (
        f"{invoice.contractor_name}: total {invoice.total}, paid {invoice.paid}, "
        f"still due {invoice.due}. Partial payments add up."
    )

    def build(values: dict[str, Any]) -> PaymentForm:
        return PaymentForm(
            amount=values["amount"],
            paid_on=values["paid_on"],
            method=values["method"] or "",
            account_holder=values["account_holder"],
            account_number=values["account_number"],
            reference=values["reference"],
        )

    return FormModal(
        f"Record payment: {invoice.number}", PAYMENT_SPECS, draft, build, problems, intro=intro
    )


def payment_outcome(result: ContractorPaymentResult) -> str:
    """What a recorded payment did: still due or paid, whether notified, the e-mail's fate."""
    invoice = result.invoice
    if invoice.due.is_zero:
        text = f"{invoice.number} is paid in full ({invoice.paid})."
    else:
        text = f"{invoice.number}: paid {invoice.paid}, still due {invoice.due}."
    if result.notified:
        text += f" {invoice.contractor_name} notified."
    if result.mail_status:
        text += f" E-mail: {result.mail_status}."
    return text
