"""Client invoices of the demo firm, issued, sent and paid through the real services.

Once the history is committed, the administrator writes the library of payment-terms
templates and the bookkeeper invoices each client's three newest invoice records as she
would in the TUI (Documenter draft, the standard payment terms, issue, payments), so
numbering, frozen lines, terms text and audit are the real ones: the oldest of the three is
paid in full, the middle one partly, the newest is unpaid (and overdue once past its due
date); the unpaid ones but the last are marked sent. Issuing costs time per line, so a
client's invoices bill at most ``CLIENT_INVOICE_LINE_BUDGET`` record lines: the largest
demos invoice fewer, smaller records (a lone one part-paid).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from typing import NamedTuple

from ...domain.money import Money
from ...domain.states import InvoiceStatus
from ..administration.settings import SettingsForm
from ..hub import Services
from ..invoicing.views import InvoiceView, PaymentForm, TermsForm
from .cast import CLIENTS
from .people import Firm
from .result import Progress

# name, kind, text, due days: the administrator's library of payment terms, the standard ones
# first (the firm's default terms: every new draft starts with them)
TERMS_TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    ("Standard terms – 14 days", "standard",
     "Payable within 14 days of the invoice date without deduction. "
     "Please quote the invoice number with your payment.", "14"),
    ("Bank transfer instructions", "instructions",
     "Please pay by bank transfer to Northwind Studio, IBAN DE89 3704 0044 0532 0130 00, "
     "BIC COBADEFFXXX.", ""),
    ("Late-fee policy", "late_fee",
     "Invoices unpaid 30 days after the due date incur interest of 1% per month "
     "and a reminder fee of EUR 40.", ""),
)  # fmt: skip

CLIENT_INVOICES_PER_CLIENT = 3
# Issuing costs the services about 0.75 ms per invoice line (the draft, three re-pricings,
# audit images and views of every line), so each client's invoices together bill at most
# this many record lines: all three newest records up to ~200,000 entries, only the newest
# (partial) month in the largest demos.
CLIENT_INVOICE_LINE_BUDGET = 15_000
ISSUE_DAYS_AFTER_PROCESSING = 2
BILLING_CLERK = "helga"  # the accountant issues the invoices and records the payments
# What a client pays of its invoices, oldest first, by how many it has: (per cent of the
# total, days after the issue date). The newest of three stays unpaid (and overdue once its
# 14 days have passed); a lone invoice is part-paid, so it shows revenue and a balance.
CLIENT_PAYMENT_PLANS: dict[int, tuple[tuple[int, int], ...]] = {
    1: ((40, 21),),
    2: ((100, 10), (0, 0)),
    3: ((100, 10), (40, 21), (0, 0)),
}
CLIENT_BANK_ACCOUNTS = {
    "cafe": "DE02 1203 0000 0000 2020 51",
    "zel": "PL83 1010 0071 2222 3147 2000 0000",
    "hf": "GB29 NWBK 6016 1331 9268 19",
}


class _PlannedInvoice(NamedTuple):
    """One invoice record to invoice: when, for whom, and how much of it gets paid."""

    issue_date: date
    document_id: int
    client: str
    paid_percent: int
    paid_after_days: int


class ClientBilling:
    """Invoices each client's newest invoice records as the bookkeeper would, in the TUI.

    The Documenter opens the draft, the standard payment terms are chosen, the invoice is
    issued, and payments are recorded, all through the real services, so the rules of real
    invoices hold: gapless numbers in issue-date order, frozen lines, the terms text, audit.
    Dates never pass the services' today (their clock, in the firm's time zone).
    """

    def __init__(
        self,
        services: Services,
        firm: Firm,
        record_days: Mapping[int, date],
        today: date,
        say: Progress,
    ) -> None:
        """``record_days`` maps each invoice record the history wrote to its day; nothing is
        dated after ``today``, which must not pass the services' own."""
        self.services = services
        self.firm = firm
        self.record_days = record_days
        self.say = say
        self.clerk = firm.actor(BILLING_CLERK)
        self.today = today

    def run(self) -> dict[str, int]:
        """The terms library, then the invoices issued, paid and sent oldest first; the counts."""
        started = time.perf_counter()
        terms = self._add_terms_library()
        planned = sorted(self._plan())
        issued = [(item, self._issue(item)) for item in planned]
        paid = [self._pay(item, invoice) for item, invoice in issued]
        unpaid = [invoice for invoice, payment in zip(issued, paid, strict=True) if payment is None]
        # The newest unpaid invoices went out to the client; the very last one is not sent yet.
        for _item, invoice in unpaid[:-1]:
            assert invoice.number is not None
            self.services.client_invoices.mark_sent(self.clerk, invoice.number, email=False)
        statuses = Counter(view.status for view in paid if view is not None)
        payments = sum(statuses.values())
        self.say(
            f"{len(issued)} client invoices issued with {payments} payments "
            f"({time.perf_counter() - started:.1f} s)."
        )
        return {
            "payment_terms": terms,
            "client_invoices": len(issued),
            "client_invoices_paid": statuses[InvoiceStatus.PAID.value],
            "client_invoices_partially_paid": statuses[InvoiceStatus.PARTIALLY_PAID.value],
            "client_invoices_sent": max(len(unpaid) - 1, 0),
            "client_payments": payments,
        }

    def first_issue_day(self) -> date | None:
        """The issue date of the first invoice :meth:`run` will issue (None when none)."""
        planned = self._plan()
        return min(item.issue_date for item in planned) if planned else None

    def _plan(self) -> list[_PlannedInvoice]:
        """Each client's newest invoice records that fit its line budget, with issue dates
        and what will be paid of each."""
        planned = []
        for key, *_details in CLIENTS:
            chosen = self._records_of(self.firm.clients[key])
            plan = CLIENT_PAYMENT_PLANS.get(len(chosen), ())
            for document_id, (percent, days) in zip(chosen, plan, strict=True):
                processed = self.record_days[document_id]
                issue = min(processed + timedelta(days=ISSUE_DAYS_AFTER_PROCESSING), self.today)
                planned.append(_PlannedInvoice(issue, document_id, key, percent, days))
        return planned

    def _records_of(self, client_id: int) -> list[int]:
        """Up to three of the client's newest uninvoiced invoice records, oldest first.

        Newest first, a record is taken when its lines fit what is left of the client's
        line budget; a larger one is passed over for an older, smaller one.
        """
        records = self.services.wip.documents(
            self.clerk, kind="invoice", client_id=client_id, uninvoiced_only=True
        )
        left, chosen = CLIENT_INVOICE_LINE_BUDGET, list[int]()
        for record in records:
            if len(chosen) == CLIENT_INVOICES_PER_CLIENT:
                break
            if record.id is None or record.id not in self.record_days:
                continue
            if 0 < record.entries <= left:
                chosen.append(record.id)
                left -= record.entries
        return chosen[::-1]

    def _add_terms_library(self) -> int:
        """The administrator's payment-terms templates, the first the firm's default; returns
        how many."""
        added = [
            self.services.terms.add(
                self.firm.admin, TermsForm(name=name, kind=kind, body=body, days=days)
            )
            for name, kind, body, days in TERMS_TEMPLATES
        ]
        self.services.settings.update(
            self.firm.admin, SettingsForm(default_payment_terms_id=added[0].id)
        )
        return len(added)

    def _issue(self, item: _PlannedInvoice) -> InvoiceView:
        """Open the record in the Documenter (the draft has the firm's terms), issue it."""
        invoices, clerk = self.services.invoices, self.clerk
        started = time.perf_counter()
        draft = invoices.open_record(clerk, item.document_id)
        issued = invoices.issue(clerk, draft.id, issue_date=item.issue_date, line_limit=0)
        self.say(
            f"Client invoice {issued.number} of {issued.issue_date} issued to "
            f"{issued.client_name}: {issued.gross} for {issued.total_lines:,} lines "
            f"({time.perf_counter() - started:.1f} s)."
        )
        return issued

    def _pay(self, item: _PlannedInvoice, invoice: InvoiceView) -> InvoiceView | None:
        """Record the client's payment of the planned share; the invoice after it, if paid."""
        cents = invoice.gross.cents * item.paid_percent // 100
        if cents <= 0 or invoice.number is None:
            return None
        client = next(details for details in CLIENTS if details[0] == item.client)
        paid_on = min(item.issue_date + timedelta(days=item.paid_after_days), self.today)
        return self.services.invoices.record_payment(
            self.clerk,
            invoice.number,
            PaymentForm(
                amount=str(Money(cents, invoice.currency).amount),
                paid_on=paid_on.isoformat(),
                method="wire",
                reference=invoice.number,
                account_holder=client[1],
                account_number=CLIENT_BANK_ACCOUNTS[item.client],
            ),
        )
