"""What the demo firm owes its contractors, kept through the real services.

The administrator registers the contractors' compliance documents (some missing, some
expired) and generates a few master invoices over whole months of approved tickets, as she
would in the TUI: :meth:`ContractorInvoiceService.generate` numbers each one in the MI series
and claims its tickets, ``approve`` approves it, ``record_payment`` records the payouts, and
the payment that completes an invoice marks its tickets paid and notifies the contractor. So
the demo shows every state (awaiting approval, approved, partially paid, paid) with the rules,
numbers, notifications and audit of real ones.

Dates never pass the services' today: invoices are dated three days after their month, and
payments between the issue date and today.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from typing import NamedTuple

from ...domain.money import Money
from ...domain.states import MasterInvoiceStatus, PayStatus
from ..contractor_invoices.views import (
    ContractorDocumentForm,
    MasterInvoiceForm,
    MasterInvoiceView,
)
from ..hub import Services
from ..invoicing.views import PaymentForm
from .cast import person
from .dates import month_end, month_start
from .people import Firm
from .result import Progress

# months before this one, contractor key, what became of the invoice (oldest first)
MASTER_INVOICE_PLAN: tuple[tuple[int, str, MasterInvoiceStatus], ...] = (
    (5, "lukasz", MasterInvoiceStatus.PAID),
    (5, "emilie", MasterInvoiceStatus.PAID),
    (5, "tomasz", MasterInvoiceStatus.PAID),
    (4, "lukasz", MasterInvoiceStatus.PAID),
    (4, "anja", MasterInvoiceStatus.PARTIALLY_PAID),
    (4, "soeren", MasterInvoiceStatus.APPROVED),
    (3, "emilie", MasterInvoiceStatus.APPROVED),
    (3, "pawel", MasterInvoiceStatus.DRAFT),
    (3, "katarzyna", MasterInvoiceStatus.DRAFT),
)
ISSUE_DAYS_AFTER_MONTH = 3
INSTALMENTS = frozenset({"lukasz"})  # paid 60 % after a week, the rest two weeks later
BANK_ACCOUNTS = {
    "lukasz": "PL61 1090 1014 0000 0712 1981 2874",
    "emilie": "FR76 3000 6000 0112 3456 7890 189",
    "tomasz": "PL27 1140 2004 0000 3002 0135 5387",
    "anja": "DE44 5001 0517 5407 3249 31",
}
DEFAULT_BANK_ACCOUNT = "GB33 BUKB 2020 1555 5555 55"
ACH_PAYEES = frozenset({"tomasz"})  # paid by ACH; everyone else by wire transfer

# contractor key, document type, days from today to its expiry (None: does not expire)
COMPLIANCE_DOCUMENTS: tuple[tuple[str, str, int | None], ...] = (
    ("lukasz", "contract", 300), ("lukasz", "tax_form", None), ("lukasz", "insurance", 200),
    ("emilie", "contract", 250), ("emilie", "tax_form", None), ("emilie", "insurance", -20),
    ("soeren", "contract", 180), ("soeren", "tax_form", None), ("soeren", "insurance", 12),
    ("tomasz", "contract", 400), ("tomasz", "tax_form", None),
    ("anja", "contract", 330), ("anja", "tax_form", None), ("anja", "insurance", 150),
    ("anja", "nda", None),
    ("pawel", "contract", -45), ("pawel", "tax_form", None), ("pawel", "insurance", 90),
    ("katarzyna", "contract", 365),
)  # fmt: skip


class Payout(NamedTuple):
    """One payment to a contractor: the day it was made and how much."""

    day: date
    cents: int


def payouts(key: str, fate: MasterInvoiceStatus, issue: date, total: int) -> list[Payout]:
    """The payments that give a master invoice of ``total`` cents its planned ``fate``.

    Paid: in full a week after the issue date (in two instalments for the contractors in
    :data:`INSTALMENTS`); partially paid: 40 % after ten days; otherwise nothing.
    """
    if fate is MasterInvoiceStatus.PAID:
        first = total * 6 // 10 if key in INSTALMENTS else total
        parts = [Payout(issue + timedelta(days=7), first)]
        if first < total:
            parts.append(Payout(issue + timedelta(days=21), total - first))
    elif fate is MasterInvoiceStatus.PARTIALLY_PAID:
        parts = [Payout(issue + timedelta(days=10), total * 4 // 10)]
    else:
        parts = []
    return [part for part in parts if part.cents > 0]


class ContractorBooks:
    """Registers the compliance documents and generates, approves and pays master invoices."""

    def __init__(
        self,
        services: Services,
        firm: Firm,
        payable: Mapping[tuple[int, date], int],
        today: date,
        say: Progress,
    ) -> None:
        """``payable`` counts the approved tickets the history wrote by (owner id, month);
        nothing is dated after ``today``, which must not pass the services' own."""
        self.services = services
        self.firm = firm
        self.payable = payable
        self.today = today
        self.say = say
        self.pay_moves: Counter[str] = Counter()  # how the tickets' pay statuses changed

    def run(self) -> dict[str, int]:
        """Documents first, then the invoices oldest first; returns the counts."""
        started = time.perf_counter()
        counts = {"compliance_documents": self._register_documents()}
        invoices = payments = 0
        for months_back, key, fate in MASTER_INVOICE_PLAN:
            invoice = self._generate(months_back, key)
            if invoice is None:
                continue
            invoices += 1
            payments += self._settle(invoice, key, fate)
        self.say(
            f"{invoices} contractor master invoices with {payments} payments, "
            f"{counts['compliance_documents']} compliance documents "
            f"({time.perf_counter() - started:.1f} s)."
        )
        return {**counts, "master_invoices": invoices, "payments": payments}

    def _register_documents(self) -> int:
        """Each contractor's contract, tax form and insurance certificate, as far as handed in."""
        for key, doc_type, days in COMPLIANCE_DOCUMENTS:
            expires = "" if days is None else (self.today + timedelta(days=days)).isoformat()
            self.services.compliance.add(
                self.firm.admin,
                ContractorDocumentForm(
                    contractor=str(self.firm.users[key]),
                    doc_type=doc_type,
                    file_path=f"compliance/{key}/{doc_type}.pdf",
                    expires_on=expires,
                ),
            )
        return len(COMPLIANCE_DOCUMENTS)

    def _generate(self, months_back: int, key: str) -> MasterInvoiceView | None:
        """The master invoice of the contractor's approved tickets of one whole month.

        None when it would be dated after today or the history left that month without
        approved tickets of theirs (a small demo).
        """
        first = month_start(self.today, months_back)
        issue = month_end(first) + timedelta(days=ISSUE_DAYS_AFTER_MONTH)
        owner = self.firm.users[key]
        if issue > self.today or not self.payable.get((owner, first)):
            return None
        invoice = self.services.contractor_invoices.generate(
            self.firm.admin,
            MasterInvoiceForm(
                contractor=str(owner),
                period_start=first.isoformat(),
                period_end=month_end(first).isoformat(),
                issue_date=issue.isoformat(),
            ),
            line_limit=0,  # as the screen: the number and totals
        )
        self.pay_moves[PayStatus.UNPAID.value] -= invoice.entries
        self.pay_moves[PayStatus.INVOICED.value] += invoice.entries
        return invoice

    def _settle(self, invoice: MasterInvoiceView, key: str, fate: MasterInvoiceStatus) -> int:
        """Approve and pay the invoice as planned; returns how many payments were made."""
        if fate is MasterInvoiceStatus.DRAFT:
            self._report(invoice)
            return 0
        admin, service = self.firm.admin, self.services.contractor_invoices
        invoice = service.approve(admin, invoice.number, line_limit=0)
        parts = payouts(key, fate, invoice.issue_date, invoice.total.cents)
        for part in parts:
            form = self._payment(invoice, key, part)
            invoice = service.record_payment(admin, invoice.number, form, line_limit=0).invoice
        if invoice.status == MasterInvoiceStatus.PAID:
            self.pay_moves[PayStatus.INVOICED.value] -= invoice.entries
            self.pay_moves[PayStatus.PAID.value] += invoice.entries
        self._report(invoice)
        return len(parts)

    def _payment(self, invoice: MasterInvoiceView, key: str, part: Payout) -> PaymentForm:
        """The payout as the administrator types it, dated no later than today."""
        paid_on = min(part.day, self.today)
        return PaymentForm(
            amount=str(Money(part.cents, invoice.total.currency).amount),
            paid_on=paid_on.isoformat(),
            method="ach" if key in ACH_PAYEES else "wire",
            reference=f"{invoice.number} payout {paid_on:%Y%m%d}",
            account_holder=person(key).name,
            account_number=BANK_ACCOUNTS.get(key, DEFAULT_BANK_ACCOUNT),
        )

    def _report(self, invoice: MasterInvoiceView) -> None:
        """One line of progress about a master invoice."""
        self.say(
            f"Master invoice {invoice.number} of {invoice.issue_date} for "
            f"{invoice.contractor_name}: {invoice.total} for {invoice.entries:,} tickets, "
            f"{invoice.status_label.lower()}."
        )
