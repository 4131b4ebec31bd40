"""No double billing: a piece of work reaches each payer once.

A time entry is billed on one document line and paid to its contractor on one
contractor invoice line; a document line reaches the client on one live
invoice (a cancelled invoice and its credit note are the way to bill it again).
"""

from __future__ import annotations

from typing import Any

from .core import NO_DOUBLE_BILLING, QueryRule, Rule


def _describe_contractor_line(r: Any) -> str:
    if r.entry_id is None:
        return (
            f"contractor invoice line #{r.line_id} copies a missing time entry #{r.time_entry_id}"
        )
    return (
        f"time entry #{r.entry_id} is on contractor invoice #{r.master_invoice_id} "
        f"but points at contractor invoice #{r.entry_invoice_id}"
    )


RULES: tuple[Rule, ...] = (
    QueryRule(
        name="an entry is billed on one document line",
        invariant=NO_DOUBLE_BILLING,
        sql="""
            SELECT time_entry_id, COUNT(*) AS n, COUNT(DISTINCT document_id) AS docs
              FROM document_line
             GROUP BY time_entry_id
            HAVING COUNT(*) > 1
             ORDER BY time_entry_id
        """,
        describe=lambda r: (
            f"time entry #{r.time_entry_id} is billed on {r.n} document lines "
            f"({r.docs} document record(s))"
        ),
    ),
    QueryRule(
        name="an entry is paid on one contractor invoice line",
        invariant=NO_DOUBLE_BILLING,
        sql="""
            SELECT time_entry_id, COUNT(*) AS n, COUNT(DISTINCT master_invoice_id) AS invoices
              FROM master_invoice_line
             GROUP BY time_entry_id
            HAVING COUNT(*) > 1
             ORDER BY time_entry_id
        """,
        describe=lambda r: (
            f"time entry #{r.time_entry_id} is paid on {r.n} contractor invoice lines "
            f"({r.invoices} contractor invoice(s))"
        ),
    ),
    QueryRule(
        name="contractor invoice lines copy an entry of their invoice",
        invariant=NO_DOUBLE_BILLING,
        sql="""
            SELECT ml.id AS line_id, ml.master_invoice_id, ml.time_entry_id,
                   t.id AS entry_id, t.master_invoice_id AS entry_invoice_id
              FROM master_invoice_line ml
              LEFT JOIN time_entry t ON t.id = ml.time_entry_id
             WHERE t.id IS NULL
                OR (t.master_invoice_id IS NOT NULL
                    AND t.master_invoice_id <> ml.master_invoice_id)
             ORDER BY ml.id
        """,
        describe=_describe_contractor_line,
    ),
    QueryRule(
        name="a document line is billed on one live invoice",
        invariant=NO_DOUBLE_BILLING,
        sql="""
            SELECT il.document_line_id, COUNT(*) AS n, COUNT(DISTINCT il.invoice_id) AS invoices
              FROM invoice_line il JOIN invoice i ON i.id = il.invoice_id
             WHERE il.document_line_id IS NOT NULL AND il.kind = 'time'
               AND i.status NOT IN ('draft', 'cancelled') AND i.kind <> 'credit_note'
             GROUP BY il.document_line_id
            HAVING COUNT(*) > 1
             ORDER BY il.document_line_id
        """,
        describe=lambda r: (
            f"document line #{r.document_line_id} is billed on {r.n} invoice lines of "
            f"{r.invoices} issued invoice(s)"
        ),
    ),
)
"""The double-billing rules, in the order they run."""
