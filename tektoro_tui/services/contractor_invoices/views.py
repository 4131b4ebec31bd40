"""Read models and forms of contractor master invoices, their payments, notifications and
the contractors' compliance documents.

Forms carry text exactly as typed; the services validate them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ...domain.money import Money
from ..invoicing.views import PaymentView

# ==============================================================================================
# Contractor master invoices
# ==============================================================================================

"""How the firm pays a contractor (the seed's wire transfer, ACH, check, other)."""

MASTER_INVOICE_STATUS_LABELS = {
    "draft": "Awaiting approval",
    "approved": "Approved",
    "partially_paid": "Partially paid",
    "paid": "Paid",
}


@dataclass(frozen=True)
class ContractorOption:
    """A person who may be paid for tickets, for the generator's picker."""

    id: int
    name: str
    email: str
    role: str
    pay_rate: Money
    unbilled_minutes: int  # approved tickets not yet on a master invoice
    unbilled_entries: int
    unbilled_since: date | None = None  # the work date of the oldest of them


@dataclass(frozen=True)
class MasterInvoiceForm:
    """What the administrator types to generate a master invoice.

    ``contractor`` is a user id or e-mail; the period is inclusive; a blank ``issue_date``
    means today in the organisation's time zone.
    """

    contractor: str
    period_start: str
    period_end: str
    issue_date: str = ""


@dataclass(frozen=True)
class MasterInvoiceLineView:
    """One ticket on a master invoice (or its preview), at the contractor's pay rate."""

    time_entry_id: int
    work_date: date
    project_name: str
    task_name: str
    description: str
    minutes: int
    pay_rate: Money
    amount: Money


@dataclass(frozen=True)
class MasterInvoicePreview:
    """What generating would write, before anything is written."""

    contractor_id: int
    contractor_name: str
    period_start: date
    period_end: date
    issue_date: date
    lines: tuple[MasterInvoiceLineView, ...]
    total_minutes: int
    total: Money
    skipped: tuple[str, ...] = ()  # e.g. "2 tickets of the period are not approved yet"


@dataclass(frozen=True)
class MasterInvoiceView:
    """A contractor master invoice with its lines and payments (when asked for one invoice)."""

    id: int
    number: str
    contractor_id: int
    contractor_name: str
    period_start: date
    period_end: date
    issue_date: date
    status: str  # draft (awaiting approval), approved, partially_paid, paid
    total_minutes: int
    total: Money
    paid: Money
    due: Money
    created_by_name: str
    approved_by_name: str
    approved_at: datetime | None
    paid_at: datetime | None
    entries: int = 0
    lines: tuple[MasterInvoiceLineView, ...] = ()
    payments: tuple[PaymentView, ...] = ()

    @property
    def status_label(self) -> str:
        """The status as people say it."""
        return MASTER_INVOICE_STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class ContractorPaymentResult:
    """The outcome of recording a contractor payment.

    ``mail_status`` says what happened to the e-mail to the contractor: "" while the invoice is
    not fully paid, otherwise "sent to …", "not sent: …" or "no SMTP configured".
    """

    invoice: MasterInvoiceView
    payment: PaymentView
    notified: bool
    mail_status: str = ""


@dataclass(frozen=True)
class NotificationView:
    """An in-app message for the signed-in user."""

    id: int
    kind: str
    message: str
    created_at: datetime
    read: bool


# ==============================================================================================
# Compliance documents
# ==============================================================================================

DOCUMENT_TYPES = ("contract", "tax_form", "insurance", "nda", "certificate", "other")
REQUIRED_DOCUMENT_TYPES = ("contract", "tax_form", "insurance")
DOCUMENT_TYPE_LABELS = {
    "contract": "Contract",
    "tax_form": "Tax form",
    "insurance": "Insurance certificate",
    "nda": "Non-disclosure agreement",
    "certificate": "Certificate",
    "other": "Other",
}
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class ContractorDocumentForm:
    """A compliance document as typed; ``contractor`` is a user id or e-mail."""

    contractor: str
    doc_type: str
    file_path: str = ""
    expires_on: str = ""  # blank = does not expire


@dataclass(frozen=True)
class ContractorDocumentView:
    """A document in the register, with whether it is still valid."""

    id: int
    user_id: int
    user_name: str
    doc_type: str
    file_path: str
    expires_on: date | None
    state: str  # valid, expiring (within EXPIRY_WARNING_DAYS), expired
    version: int = 1  # what a form opened on this view saves against


@dataclass(frozen=True)
class ComplianceRow:
    """One contractor's compliance: required documents missing, expired or expiring soon."""

    user_id: int
    user_name: str
    missing: tuple[str, ...]
    expired: tuple[str, ...]
    expiring: tuple[str, ...]

    @property
    def compliant(self) -> bool:
        """Nothing missing and nothing expired."""
        return not self.missing and not self.expired
