"""Payments: money received or paid out, and what the invoices say about it.

Each payment is a positive amount against one existing invoice; an invoice's
``paid_cents`` is the sum of its payments, never more than it is worth, and
its status agrees with how much is paid: an issued, sent or cancelled invoice
has nothing paid, a cancelled one has the credit note that cancelled it, and
a credit note cancels the invoice it names. A contractor's ticket is unpaid
until a contractor invoice claims it, invoiced while that invoice is not paid
in full, and paid once it is.
"""

from __future__ import annotations

from typing import Any

from .core import PAYMENTS, QueryRule, Rule
from .labels import contractor_invoice_label, invoice_label, money


def _describe_bad_payment(r: Any) -> str:
    head = f"payment #{r.id}"
    if r.amount_cents is None or r.amount_cents <= 0:
        return f"{head} has the non-positive amount {money(r.amount_cents)}"
    if r.invoice_id is None and r.master_invoice_id is None:
        return f"{head} pays no invoice"
    if r.invoice_id is not None and r.master_invoice_id is not None:
        return (
            f"{head} targets both client invoice #{r.invoice_id} and contractor invoice "
            f"#{r.master_invoice_id}"
        )
    if r.invoice_id is not None:
        return f"{head} pays a missing client invoice #{r.invoice_id}"
    return f"{head} pays a missing contractor invoice #{r.master_invoice_id}"


def _describe_paid_sum(r: Any) -> str:
    if r.status == "draft" and r.paid_cents == r.payments:
        return f"{invoice_label(r)} is a draft but has {r.n} payment(s)"
    return (
        f"{invoice_label(r)}: paid_cents {money(r.paid_cents)} but its {r.n} payment(s) "
        f"sum to {money(r.payments)}"
    )


def _describe_contractor_paid_sum(r: Any) -> str:
    label = contractor_invoice_label(r)
    if r.status == "draft" and r.paid_cents == r.payments:
        return f"{label} is not approved but has {r.n} payment(s)"
    return (
        f"{label}: paid_cents {money(r.paid_cents)} but its {r.n} payment(s) "
        f"sum to {money(r.payments)}"
    )


def _describe_contractor_status(r: Any) -> str:
    label = contractor_invoice_label(r)
    if r.total_cents > 0 and r.paid_cents > r.total_cents:
        return f"{label} is overpaid: paid {money(r.paid_cents)} of {money(r.total_cents)}"
    return (
        f"{label} has status '{r.status}' but {money(r.paid_cents)} of "
        f"{money(r.total_cents)} is paid"
    )


def _describe_cancelled(r: Any) -> str:
    if r.notes == 0:
        return f"{invoice_label(r)} is cancelled but no issued credit note cancels it"
    return f"{invoice_label(r)} is cancelled by {r.notes} credit notes (one expected)"


def _describe_credit_note(r: Any) -> str:
    label = invoice_label(r, "credit note")
    if r.credited_invoice_id is None:
        return f"{label} names no invoice it cancels"
    if r.original_status is None:
        return f"{label} cancels a missing invoice #{r.credited_invoice_id}"
    return (
        f"{label} cancels invoice {r.original_number or '#' + str(r.credited_invoice_id)}, "
        f"which is {r.original_status}, not cancelled"
    )


def _describe_ticket(r: Any) -> str:
    head = f"time entry #{r.id}"
    if r.master_invoice_id is None:
        return f"{head} has pay status '{r.pay_status}' but no contractor invoice claims it"
    if r.mi_status is None:
        return f"{head} is claimed by a missing contractor invoice #{r.master_invoice_id}"
    return (
        f"{head} has pay status '{r.pay_status}' but its contractor invoice {r.mi_number} "
        f"(#{r.master_invoice_id}) is {r.mi_status}: '{r.expected}' expected"
    )


RULES: tuple[Rule, ...] = (
    QueryRule(
        name="a payment pays one existing invoice",
        invariant=PAYMENTS,
        sql="""
            SELECT p.id, p.amount_cents, p.invoice_id, p.master_invoice_id,
                   i.id AS found_invoice, mi.id AS found_master
              FROM payment p
              LEFT JOIN invoice i ON i.id = p.invoice_id
              LEFT JOIN master_invoice mi ON mi.id = p.master_invoice_id
             WHERE p.amount_cents <= 0
                OR (p.invoice_id IS NULL AND p.master_invoice_id IS NULL)
                OR (p.invoice_id IS NOT NULL AND p.master_invoice_id IS NOT NULL)
                OR (p.invoice_id IS NOT NULL AND i.id IS NULL)
                OR (p.master_invoice_id IS NOT NULL AND mi.id IS NULL)
             ORDER BY p.id
        """,
        describe=_describe_bad_payment,
    ),
    QueryRule(
        name="an invoice's paid amount is the sum of its payments",
        invariant=PAYMENTS,
        sql="""
            SELECT i.id, i.number, i.status, i.paid_cents, COALESCE(p.total, 0) AS payments,
                   COALESCE(p.n, 0) AS n
              FROM invoice i
              LEFT JOIN (SELECT invoice_id, SUM(amount_cents) AS total, COUNT(*) AS n
                           FROM payment WHERE invoice_id IS NOT NULL
                          GROUP BY invoice_id) p ON p.invoice_id = i.id
             WHERE i.paid_cents <> COALESCE(p.total, 0)
                OR (i.status = 'draft' AND COALESCE(p.n, 0) > 0)
             ORDER BY i.id
        """,
        describe=_describe_paid_sum,
    ),
    QueryRule(
        name="an invoice is not overpaid",
        invariant=PAYMENTS,
        sql="""
            SELECT id, number, status, gross_cents, paid_cents FROM invoice
             WHERE gross_cents > 0 AND paid_cents > gross_cents
             ORDER BY id
        """,
        describe=lambda r: (
            f"{invoice_label(r)} is overpaid: paid {money(r.paid_cents)} of gross "
            f"{money(r.gross_cents)}"
        ),
    ),
    QueryRule(
        name="an invoice's status matches what is paid",
        invariant=PAYMENTS,
        sql="""
            SELECT id, number, status, gross_cents, paid_cents FROM invoice
             WHERE (status IN ('paid', 'booked') AND paid_cents < gross_cents)
                OR (status = 'partially_paid'
                    AND NOT (paid_cents > 0 AND paid_cents < gross_cents))
             ORDER BY id
        """,
        describe=lambda r: (
            f"{invoice_label(r)} has status '{r.status}' but {money(r.paid_cents)} of "
            f"{money(r.gross_cents)} is paid"
        ),
    ),
    QueryRule(
        name="a contractor invoice's paid amount is the sum of its payments",
        invariant=PAYMENTS,
        sql="""
            SELECT mi.id, mi.number, mi.status, mi.paid_cents,
                   COALESCE(p.total, 0) AS payments, COALESCE(p.n, 0) AS n
              FROM master_invoice mi
              LEFT JOIN (SELECT master_invoice_id, SUM(amount_cents) AS total, COUNT(*) AS n
                           FROM payment WHERE master_invoice_id IS NOT NULL
                          GROUP BY master_invoice_id) p ON p.master_invoice_id = mi.id
             WHERE mi.paid_cents <> COALESCE(p.total, 0)
                OR (mi.status = 'draft' AND COALESCE(p.n, 0) > 0)
             ORDER BY mi.id
        """,
        describe=_describe_contractor_paid_sum,
    ),
    QueryRule(
        name="a contractor invoice is not overpaid and its status matches what is paid",
        invariant=PAYMENTS,
        sql="""
            SELECT id, number, status, total_cents, paid_cents FROM master_invoice
             WHERE (total_cents > 0 AND paid_cents > total_cents)
                OR (status = 'paid' AND paid_cents < total_cents)
                OR (status = 'partially_paid'
                    AND NOT (paid_cents > 0 AND paid_cents < total_cents))
             ORDER BY id
        """,
        describe=_describe_contractor_status,
    ),
    QueryRule(
        name="an unpaid or cancelled invoice has nothing paid",
        invariant=PAYMENTS,
        sql="""
            SELECT id, number, status, gross_cents, paid_cents FROM invoice
             WHERE status IN ('issued', 'sent', 'cancelled') AND paid_cents <> 0
             ORDER BY id
        """,
        describe=lambda r: (
            f"{invoice_label(r)} has status '{r.status}' but {money(r.paid_cents)} of "
            f"{money(r.gross_cents)} is paid"
        ),
    ),
    QueryRule(
        name="a cancelled invoice has its credit note",
        invariant=PAYMENTS,
        sql="""
            SELECT i.id, i.number, COUNT(cn.id) AS notes
              FROM invoice i
              LEFT JOIN invoice cn ON cn.credited_invoice_id = i.id
                                  AND cn.kind = 'credit_note' AND cn.status <> 'draft'
             WHERE i.status = 'cancelled'
             GROUP BY i.id, i.number
            HAVING COUNT(cn.id) <> 1
             ORDER BY i.id
        """,
        describe=_describe_cancelled,
    ),
    QueryRule(
        name="a credit note cancels the invoice it names",
        invariant=PAYMENTS,
        sql="""
            SELECT cn.id, cn.number, cn.credited_invoice_id,
                   o.status AS original_status, o.number AS original_number
              FROM invoice cn
              LEFT JOIN invoice o ON o.id = cn.credited_invoice_id
             WHERE cn.kind = 'credit_note' AND cn.status <> 'draft'
               AND (o.id IS NULL OR o.status <> 'cancelled')
             ORDER BY cn.id
        """,
        describe=_describe_credit_note,
    ),
    QueryRule(
        name="a ticket's pay status follows its contractor invoice",
        invariant=PAYMENTS,
        sql="""
            SELECT t.id, t.pay_status, t.master_invoice_id, mi.status AS mi_status,
                   mi.number AS mi_number,
                   CASE WHEN mi.status = 'paid' THEN 'paid' ELSE 'invoiced' END AS expected
              FROM time_entry t
              LEFT JOIN master_invoice mi ON mi.id = t.master_invoice_id
             WHERE (t.master_invoice_id IS NULL AND t.pay_status <> 'unpaid')
                OR (t.master_invoice_id IS NOT NULL
                    AND (mi.id IS NULL
                         OR t.pay_status <> CASE WHEN mi.status = 'paid' THEN 'paid'
                                                 ELSE 'invoiced' END))
             ORDER BY t.id
        """,
        describe=_describe_ticket,
    ),
)
"""The payment rules, in the order they run."""
