"""Payments: money received or paid out, and what the invoices say about it.

Each payment is a positive amount against one existing invoice; an invoice's
``paid_cents`` is the sum of its payments, never more than it is worth, and
its status agrees with how much is paid.
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
)
"""The payment rules, in the order they run."""
