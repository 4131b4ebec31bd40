"""Invoice totals: an issued invoice adds up, line by line and as a whole.

Gross is net plus VAT on every issued invoice and on each of its lines, the
invoice's totals are the sums of its lines, a credit note's totals are the
negated totals of the invoice it cancels, and a contractor invoice's total
and minutes are the sums of its lines.
"""

from __future__ import annotations

from .core import INVOICE_TOTALS, QueryRule, Rule
from .labels import contractor_invoice_label, invoice_label, money

RULES: tuple[Rule, ...] = (
    QueryRule(
        name="invoice gross is net plus VAT",
        invariant=INVOICE_TOTALS,
        sql="""
            SELECT id, number, net_cents, vat_cents, gross_cents FROM invoice
             WHERE status <> 'draft' AND gross_cents <> net_cents + vat_cents
             ORDER BY id
        """,
        describe=lambda r: (
            f"{invoice_label(r)}: gross {money(r.gross_cents)} <> net {money(r.net_cents)} + "
            f"VAT {money(r.vat_cents)}"
        ),
    ),
    QueryRule(
        name="invoice line gross is net plus VAT",
        invariant=INVOICE_TOTALS,
        sql="""
            SELECT l.id AS line_id, l.position, i.id, i.number,
                   l.net_cents, l.vat_cents, l.gross_cents
              FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
             WHERE i.status <> 'draft' AND l.gross_cents <> l.net_cents + l.vat_cents
             ORDER BY i.id, l.position, l.id
        """,
        describe=lambda r: (
            f"{invoice_label(r)} line {r.position} (#{r.line_id}): gross "
            f"{money(r.gross_cents)} <> net {money(r.net_cents)} + VAT {money(r.vat_cents)}"
        ),
    ),
    QueryRule(
        name="invoice totals are the sums of its lines",
        invariant=INVOICE_TOTALS,
        sql="""
            SELECT i.id, i.number, i.net_cents, i.vat_cents, i.gross_cents,
                   COALESCE(l.net, 0) AS line_net, COALESCE(l.vat, 0) AS line_vat,
                   COALESCE(l.gross, 0) AS line_gross, COALESCE(l.n, 0) AS n
              FROM invoice i
              LEFT JOIN (SELECT invoice_id, SUM(net_cents) AS net, SUM(vat_cents) AS vat,
                                SUM(gross_cents) AS gross, COUNT(*) AS n
                           FROM invoice_line GROUP BY invoice_id) l ON l.invoice_id = i.id
             WHERE i.status <> 'draft'
               AND (i.net_cents <> COALESCE(l.net, 0) OR i.vat_cents <> COALESCE(l.vat, 0)
                    OR i.gross_cents <> COALESCE(l.gross, 0))
             ORDER BY i.id
        """,
        describe=lambda r: (
            f"{invoice_label(r)}: totals net/VAT/gross {money(r.net_cents)}/"
            f"{money(r.vat_cents)}/{money(r.gross_cents)} but its {r.n} line(s) sum to "
            f"{money(r.line_net)}/{money(r.line_vat)}/{money(r.line_gross)}"
        ),
    ),
    QueryRule(
        name="invoice lines belong to an invoice",
        invariant=INVOICE_TOTALS,
        sql="""
            SELECT l.id AS line_id, l.invoice_id FROM invoice_line l
              LEFT JOIN invoice i ON i.id = l.invoice_id
             WHERE i.id IS NULL
             ORDER BY l.id
        """,
        describe=lambda r: (
            f"invoice line #{r.line_id} belongs to a missing invoice #{r.invoice_id}"
        ),
    ),
    QueryRule(
        name="contractor invoice totals are the sums of its lines",
        invariant=INVOICE_TOTALS,
        sql="""
            SELECT mi.id, mi.number, mi.total_cents, mi.total_minutes,
                   COALESCE(l.amount, 0) AS line_amount,
                   COALESCE(l.minutes, 0) AS line_minutes, COALESCE(l.n, 0) AS n
              FROM master_invoice mi
              LEFT JOIN (SELECT master_invoice_id, SUM(amount_cents) AS amount,
                                SUM(minutes) AS minutes, COUNT(*) AS n
                           FROM master_invoice_line GROUP BY master_invoice_id) l
                     ON l.master_invoice_id = mi.id
             WHERE mi.total_cents <> COALESCE(l.amount, 0)
                OR mi.total_minutes <> COALESCE(l.minutes, 0)
             ORDER BY mi.id
        """,
        describe=lambda r: (
            f"{contractor_invoice_label(r)}: total {money(r.total_cents)} for "
            f"{r.total_minutes} min but its {r.n} line(s) sum to {money(r.line_amount)} "
            f"for {r.line_minutes} min"
        ),
    ),
    QueryRule(
        name="a credit note mirrors the totals of the invoice it cancels",
        invariant=INVOICE_TOTALS,
        sql="""
            SELECT cn.id, cn.number, cn.net_cents, cn.vat_cents, cn.gross_cents,
                   o.number AS original_number, o.net_cents AS o_net, o.vat_cents AS o_vat,
                   o.gross_cents AS o_gross
              FROM invoice cn
              JOIN invoice o ON o.id = cn.credited_invoice_id
             WHERE cn.kind = 'credit_note' AND cn.status <> 'draft'
               AND (cn.net_cents <> -o.net_cents OR cn.vat_cents <> -o.vat_cents
                    OR cn.gross_cents <> -o.gross_cents)
             ORDER BY cn.id
        """,
        describe=lambda r: (
            f"{invoice_label(r, 'credit note')}: net/VAT/gross {money(r.net_cents)}/"
            f"{money(r.vat_cents)}/{money(r.gross_cents)} but invoice {r.original_number} "
            f"is {money(r.o_net)}/{money(r.o_vat)}/{money(r.o_gross)}: the negation expected"
        ),
    ),
)
"""The totals rules, in the order they run."""
