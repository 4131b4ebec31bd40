"""Read models and forms of client invoices: drafts, issued invoices, payments, revenue,
aging, the client-invoice list and payment-terms templates.

The invoicing services return these frozen values; the TUI and the CLI show them and never
see ORM rows. Forms carry text exactly as typed; the services validate them and report every
problem at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ...domain.money import Money, percent_text
from ...domain.validation import UNCHANGED
from .recognition import RevenueRow as RevenueRow

# --- Documenter, Invoice Printer, Account Revenue -----------------------------------------


@dataclass(frozen=True)
class InvoiceLineView:
    """A line of a draft or issued invoice."""

    id: int
    position: int
    kind: str  # time, adjustment, expense, markup, service
    description: str
    detail: str
    minutes: int | None
    unit_price: Money | None
    net: Money
    vat_bp: int
    vat: Money
    gross: Money
    expense_date: date | None
    reason: str


@dataclass(frozen=True)
class VatBreakdown:
    """Net, VAT and gross of one VAT rate on an invoice."""

    rate_bp: int
    net: Money
    vat: Money
    gross: Money


@dataclass(frozen=True)
class InvoiceView:
    """A client invoice, draft or issued, with its lines and totals."""

    id: int
    number: str | None
    kind: str
    status: str
    client_id: int
    client_name: str
    project_id: int | None
    document_id: int | None
    document_reference: str
    issue_date: date | None
    due_date: date | None
    currency: str
    vat_mode: str
    lines: tuple[InvoiceLineView, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    net: Money
    vat: Money
    gross: Money
    paid: Money
    due: Money
    markup_bp: int
    markup_on_whole: bool
    commentary: str
    attached_text: str
    payment_terms_id: int | None
    payment_terms_text: str
    footer: str
    overdue_notice_days: int | None
    credited_invoice_id: int | None
    issued_at: datetime | None
    booked_at: datetime | None
    due_days: int | None = None  # payment days after the issue date (drafts show only this)
    line_count: int | None = None
    """How many lines the invoice has when ``lines`` holds only the first of them (read with a
    line limit); None when ``lines`` is every line."""
    seller_missing: tuple[str, ...] = ()
    """A draft's seller details the firm has not given yet (issuing prints only what it has)."""
    version: str = ""
    """A draft's version: a fingerprint of everything it holds (see ``draft_version``); a save
    made on another version is refused. Empty for an issued invoice (never edited)."""

    @property
    def total_lines(self) -> int:
        """How many lines the invoice has, whether or not all of them were read."""
        return len(self.lines) if self.line_count is None else self.line_count


@dataclass(frozen=True)
class DraftForm:
    """The Documenter's editable fields of a draft invoice, as typed.

    Every field defaults to :data:`UNCHANGED`: a field not given keeps the draft's value, so
    ``DraftForm(commentary="Phase 2")`` changes the commentary and nothing else. A value is
    cleared only by giving it: ``payment_terms_id=None`` (no terms), ``due_days=""`` (the
    terms' days, else the firm's), ``vat_rate=""`` (the firm's VAT rate), ``markup_percent="0"``.
    Choosing payment terms that carry due days sets the draft's due days, unless ``due_days``
    is given too.
    """

    commentary: str = UNCHANGED
    attached_text: str = UNCHANGED
    markup_percent: str = UNCHANGED
    markup_on_whole: bool = UNCHANGED
    payment_terms_id: int | None = UNCHANGED  # None: no payment terms
    due_days: str = UNCHANGED  # blank: the payment terms' days, else the firm's deadline
    vat_rate: str = UNCHANGED  # blank: the firm's default VAT rate, applied to time lines

    @classmethod
    def of(cls, view: InvoiceView, default_vat_bp: int) -> DraftForm:
        """The draft's saved values as the fields show them (every field given)."""
        time_vat = next((line.vat_bp for line in view.lines if line.kind == "time"), default_vat_bp)
        return cls(
            commentary=view.commentary,
            attached_text=view.attached_text,
            markup_percent=percent_text(view.markup_bp),
            markup_on_whole=view.markup_on_whole,
            payment_terms_id=view.payment_terms_id,
            due_days="" if view.due_days is None else str(view.due_days),
            vat_rate=percent_text(time_vat),
        )


@dataclass(frozen=True)
class AdjustmentForm:
    """A ± amount with a reason, on one line (``line_id``) or the invoice as a whole."""

    amount: str
    reason: str
    line_id: int | None = None
    vat_rate: str = ""


@dataclass(frozen=True)
class ExpenseForm:
    """An out-of-pocket expense passed on to the client."""

    expense_date: str
    description: str
    amount: str
    vat_rate: str = ""


@dataclass(frozen=True)
class PaymentForm:
    """A payment as typed: on a client invoice (recognising revenue) or to a contractor."""

    amount: str
    paid_on: str
    method: str = "wire"
    reference: str = ""
    account_holder: str = ""
    account_number: str = ""


PAYMENT_METHODS = ("wire", "ach", "check", "cash", "card", "other")
"""How clients pay their invoices."""
CONTRACTOR_PAYMENT_METHODS = ("wire", "ach", "check", "other")
"""How the firm pays its contractors."""


@dataclass(frozen=True)
class PaymentView:
    """A recorded payment (account number masked unless shown to an administrator)."""

    id: int
    invoice_id: int | None
    master_invoice_id: int | None
    method: str
    paid_on: date
    amount: Money
    account_holder: str
    account_number: str
    reference: str
    recorded_by_name: str
    recorded_at: datetime


@dataclass(frozen=True)
class AgingRow:
    """What one client owes as of a date, by days past due."""

    client_id: int
    client_name: str
    current: Money
    days_1_30: Money
    days_31_60: Money
    days_61_90: Money
    over_90: Money
    total: Money
    invoices: tuple[str, ...] = field(default=())


# ==============================================================================================
# Client invoices
# ==============================================================================================

CLIENT_INVOICE_STATUSES = (
    "issued",
    "sent",
    "partially_paid",
    "overdue",
    "paid",
    "booked",
    "cancelled",
)
"""The statuses the Client invoices list shows and filters by ("overdue" is derived: unpaid and
past its due date)."""


@dataclass(frozen=True)
class ClientInvoiceFilter:
    """Filters of the Client invoices list; empty fields filter nothing."""

    status: str = ""  # one of CLIENT_INVOICE_STATUSES
    client_id: int | None = None
    date_from: date | None = None  # issue date
    date_to: date | None = None
    search: str = ""  # part of the number or the client's name
    include_credit_notes: bool = True
    project_id: int | None = None
    kind: str = ""  # one of INVOICE_KINDS


@dataclass(frozen=True)
class ClientInvoiceRow:
    """One issued invoice or credit note in the Client invoices list or the client portal."""

    id: int
    number: str
    kind: str
    client_id: int
    client_name: str
    project_name: str
    issue_date: date | None
    due_date: date | None
    status: str  # stored status
    display_status: str  # status with "overdue" derived
    net: Money
    vat: Money
    gross: Money
    paid: Money
    due: Money
    days_overdue: int
    sent_at: datetime | None
    paid_at: datetime | None
    credited_by: str = ""  # number of the credit note that cancelled it
    change_number: int | None = None  # the project change it settles
    external: bool = False  # issued in another program and recorded here (its own number)


@dataclass(frozen=True)
class ClientInvoiceList:
    """The filtered list with its totals (None when currencies differ)."""

    rows: tuple[ClientInvoiceRow, ...]
    total_gross: Money | None
    total_paid: Money | None
    total_due: Money | None


@dataclass(frozen=True)
class MarkPaidForm:
    """Marking a client invoice paid: a payment of everything still due.

    A blank ``paid_on`` means today. In the client portal only the reference is asked for.
    """

    paid_on: str = ""
    method: str = "wire"
    reference: str = ""
    account_holder: str = ""
    account_number: str = ""


@dataclass(frozen=True)
class SendResult:
    """A client invoice marked sent, and what happened to the e-mail to the client."""

    invoice: ClientInvoiceRow
    mail_status: str


# ==============================================================================================
# Payment-terms templates
# ==============================================================================================

TERMS_KINDS = ("standard", "instructions", "late_fee")
TERMS_KIND_LABELS = {
    "standard": "Standard terms",
    "instructions": "Payment instructions",
    "late_fee": "Late-fee policy",
}


@dataclass(frozen=True)
class TermsForm:
    """A payment-terms template as typed.

    Every field defaults to :data:`UNCHANGED`: editing changes only the fields given. ``days``
    is the due days the terms set ("14" for "Net 14"); blank for terms that set none.
    """

    name: str = UNCHANGED
    kind: str = UNCHANGED
    body: str = UNCHANGED
    days: str = UNCHANGED


@dataclass(frozen=True)
class TermsView:
    """A payment-terms template in the library."""

    id: int
    name: str
    kind: str
    body: str
    used_on: int  # issued invoices that carry a copy of its text
    created_at: datetime
    updated_at: datetime | None
    days: int | None = None  # due days the terms set; None: they set none
    version: int = 1  # what a form opened on this view saves against

    @property
    def kind_label(self) -> str:
        """The kind as people say it."""
        return TERMS_KIND_LABELS.get(self.kind, self.kind)
