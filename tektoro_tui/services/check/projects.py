"""Project settlements (DESIGN.md §9): the rules of settlement invoices, re-derived from rows.

A project is billed through the time pipeline or by settlement invoices, never both; a fixed
contract is never invoiced beyond its amount with approved changes; the live settlement
invoices of a project keep to one method, and a time-and-material project takes no advance or
final invoice; nothing is invoiced after a live total or final invoice; a final invoice
deducts exactly what the advances before it asked for, rate by rate; an invoice names only a
change of its own project; what an invoice of a client's period is kept as billing of each
project is what its lines bill; the PDF kept with a recorded invoice is the one recorded.

"Live" is issued and not cancelled (a cancelled invoice and its credit note count for nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .core import PROJECT_SETTLEMENTS, ComputedRule, QueryRule, Rule
from .labels import money

_LIVE = "i.status NOT IN ('draft','cancelled') AND i.kind <> 'credit_note'"
_SETTLEMENT = "i.kind IN ('partial','total','advance','final')"


def _name(r: object) -> str:
    return f"project #{r.project_id} {getattr(r, 'name', '')}".rstrip()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Deduction:
    """A final invoice whose deductions at one VAT rate differ from the advances before it."""

    invoice_id: int
    number: str
    rate_bp: int
    deducted: tuple[int, int]  # net, VAT the final takes off
    advanced: tuple[int, int]  # net, VAT the advances asked for


def final_deductions(conn: Connection) -> Iterator[Deduction]:
    """Each live final invoice against the live advances of its project issued before it."""
    finals = conn.execute(
        text(
            f"""
            SELECT i.id, COALESCE(i.number, i.external_number) AS number, i.project_id,
                   i.issue_date FROM invoice i
             WHERE {_LIVE} AND i.kind = 'final' ORDER BY i.id
            """
        )
    ).all()
    for final in finals:
        taken = {
            int(rate): (int(net), int(vat))
            for rate, net, vat in conn.execute(
                text(
                    """
                    SELECT vat_bp, SUM(net_cents), SUM(vat_cents) FROM invoice_line
                     WHERE invoice_id = :id AND net_cents < 0 GROUP BY vat_bp
                    """
                ),
                {"id": final.id},
            ).all()
        }
        asked = {
            int(rate): (-int(net), -int(vat))
            for rate, net, vat in conn.execute(
                text(
                    f"""
                    SELECT l.vat_bp, SUM(l.net_cents), SUM(l.vat_cents)
                      FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
                     WHERE {_LIVE} AND i.kind = 'advance' AND i.project_id = :project
                       AND (i.issue_date < :issued OR (i.issue_date = :issued AND i.id < :id))
                     GROUP BY l.vat_bp
                    """
                ),
                {"project": final.project_id, "issued": final.issue_date, "id": final.id},
            ).all()
        }
        for rate in sorted(set(taken) | set(asked)):
            if taken.get(rate, (0, 0)) != asked.get(rate, (0, 0)):
                yield Deduction(
                    int(final.id),
                    str(final.number or f"#{final.id}"),
                    rate,
                    taken.get(rate, (0, 0)),
                    asked.get(rate, (0, 0)),
                )


def _describe_deduction(d: Deduction) -> str:
    return (
        f"final invoice {d.number} deducts {money(-d.deducted[0])} net / "
        f"{money(-d.deducted[1])} VAT at rate {d.rate_bp} bp, but the advances before it asked "
        f"for {money(-d.advanced[0])} / {money(-d.advanced[1])}"
    )


@dataclass(frozen=True)
class WrongAttachment:
    """A recorded invoice whose kept PDF is missing, extra or not the one recorded."""

    invoice_id: int
    label: str
    problem: str


def wrong_attachments(conn: Connection) -> Iterator[WrongAttachment]:
    """Compare each kept PDF's SHA-256 with the one frozen on its invoice."""
    rows = conn.execute(
        text(
            """
            SELECT i.id, i.external_number, i.attachment_sha256, a.content
              FROM invoice i LEFT JOIN invoice_attachment a ON a.invoice_id = i.id
             WHERE i.attachment_sha256 IS NOT NULL OR a.id IS NOT NULL
             ORDER BY i.id
            """
        )
    )
    for r in rows:
        label = str(r.external_number or f"#{r.id}")
        if r.content is None:
            yield WrongAttachment(int(r.id), label, "its recorded PDF is missing")
        elif r.attachment_sha256 is None:
            yield WrongAttachment(int(r.id), label, "a PDF is kept that was never recorded")
        elif hashlib.sha256(bytes(r.content)).hexdigest() != r.attachment_sha256:
            yield WrongAttachment(int(r.id), label, "its kept PDF is not the one recorded")
    orphans = conn.execute(
        text(
            "SELECT a.invoice_id FROM invoice_attachment a "
            "LEFT JOIN invoice i ON i.id = a.invoice_id WHERE i.id IS NULL"
        )
    )
    for (invoice_id,) in orphans:
        yield WrongAttachment(int(invoice_id), f"#{invoice_id}", "no such invoice")


RULES: tuple[Rule, ...] = (
    QueryRule(
        name="a project is billed one way only",
        invariant=PROJECT_SETTLEMENTS,
        sql=f"""
            SELECT p.id AS project_id, p.name FROM project p
             WHERE EXISTS (SELECT 1 FROM invoice i
                            WHERE i.project_id = p.id AND {_LIVE} AND {_SETTLEMENT})
               AND (EXISTS (SELECT 1 FROM time_entry t
                             WHERE t.project_id = p.id AND t.status = 'processed')
                    OR EXISTS (SELECT 1 FROM invoice i
                                WHERE i.project_id = p.id AND {_LIVE} AND i.kind = 'standard'))
             ORDER BY p.id
        """,
        describe=lambda r: (
            f"{_name(r)} is billed both by settlement invoices and through the time pipeline"
        ),
    ),
    QueryRule(
        name="a fixed contract is not invoiced beyond its amount with changes",
        invariant=PROJECT_SETTLEMENTS,
        sql=f"""
            SELECT p.id AS project_id, p.name, p.contract_amount_cents AS contract,
                   COALESCE(c.changes, 0) AS changes, s.net
              FROM project p
              JOIN (SELECT i.project_id, SUM(i.net_cents) AS net FROM invoice i
                     WHERE {_LIVE} AND {_SETTLEMENT} GROUP BY i.project_id) s
                ON s.project_id = p.id
              LEFT JOIN (SELECT project_id, SUM(amount_cents) AS changes FROM project_change
                          WHERE approved = TRUE GROUP BY project_id) c ON c.project_id = p.id
             WHERE p.valuation = 'fixed' AND p.contract_amount_cents IS NOT NULL
               AND s.net > p.contract_amount_cents + COALESCE(c.changes, 0)
             ORDER BY p.id
        """,
        describe=lambda r: (
            f"{_name(r)}: invoiced net {money(r.net)} is more than its contract "
            f"{money(r.contract)} with approved changes {money(r.changes)}"
        ),
    ),
    QueryRule(
        name="a project keeps to one settlement method",
        invariant=PROJECT_SETTLEMENTS,
        sql=f"""
            SELECT p.id AS project_id, p.name, p.valuation FROM project p
             WHERE EXISTS (SELECT 1 FROM invoice i WHERE i.project_id = p.id AND {_LIVE}
                              AND i.kind IN ('advance','final'))
               AND (p.valuation = 'tm'
                    OR EXISTS (SELECT 1 FROM invoice i WHERE i.project_id = p.id AND {_LIVE}
                                  AND i.kind IN ('partial','total')))
             ORDER BY p.id
        """,
        describe=lambda r: (
            f"{_name(r)} is time and material yet has advance or final invoices"
            if r.valuation == "tm"
            else f"{_name(r)} mixes partial/total with advance/final invoices"
        ),
    ),
    QueryRule(
        name="nothing is invoiced after a total or final invoice",
        invariant=PROJECT_SETTLEMENTS,
        sql=f"""
            SELECT c.project_id, p.name, COALESCE(c.number, c.external_number) AS closing,
                   i.number, i.external_number
              FROM invoice c
              JOIN project p ON p.id = c.project_id
              JOIN invoice i ON i.project_id = c.project_id AND i.id <> c.id
             WHERE c.status NOT IN ('draft','cancelled') AND c.kind IN ('total','final')
               AND {_LIVE} AND {_SETTLEMENT}
               AND (i.issue_date > c.issue_date
                    OR (i.issue_date = c.issue_date AND i.id > c.id))
             ORDER BY c.project_id, i.id
        """,
        describe=lambda r: (
            f"{_name(r)}: invoice {r.number or r.external_number} follows "
            f"{r.closing}, which settled the project"
        ),
    ),
    ComputedRule(
        name="a final invoice deducts exactly the advances before it",
        invariant=PROJECT_SETTLEMENTS,
        find=final_deductions,
        describe=_describe_deduction,
    ),
    QueryRule(
        name="an invoice names a change of its own project",
        invariant=PROJECT_SETTLEMENTS,
        sql="""
            SELECT i.id, i.number, i.project_id, i.project_change_id, c.project_id AS owner
              FROM invoice i LEFT JOIN project_change c ON c.id = i.project_change_id
             WHERE i.project_change_id IS NOT NULL
               AND (c.id IS NULL OR i.project_id IS NULL OR c.project_id <> i.project_id)
             ORDER BY i.id
        """,
        describe=lambda r: (
            f"invoice {r.number or '#' + str(r.id)} names change #{r.project_change_id}, "
            + (
                "which does not exist"
                if r.owner is None
                else f"a change of project #{r.owner}, not its own"
            )
        ),
    ),
    QueryRule(
        name="a period invoice's project shares are its lines'",
        invariant=PROJECT_SETTLEMENTS,
        sql="""
            WITH derived AS (
                SELECT l.invoice_id, t.project_id, SUM(l.net_cents) AS net
                  FROM invoice_line l
                  JOIN invoice i ON i.id = l.invoice_id
                  JOIN document_line d ON d.id = l.document_line_id
                  JOIN time_entry t ON t.id = d.time_entry_id
                 WHERE i.project_id IS NULL AND i.status <> 'draft'
                   AND i.kind <> 'credit_note'
                 GROUP BY l.invoice_id, t.project_id
            )
            SELECT x.invoice_id, x.project_id, x.derived, x.kept FROM (
                SELECT d.invoice_id, d.project_id, d.net AS derived, s.net_cents AS kept
                  FROM derived d
                  LEFT JOIN invoice_project_share s
                    ON s.invoice_id = d.invoice_id AND s.project_id = d.project_id
                UNION ALL
                SELECT s.invoice_id, s.project_id, NULL AS derived, s.net_cents AS kept
                  FROM invoice_project_share s
                 WHERE NOT EXISTS (SELECT 1 FROM derived d WHERE d.invoice_id = s.invoice_id
                                      AND d.project_id = s.project_id)
            ) x
             WHERE x.kept IS NULL OR x.derived IS NULL OR x.kept <> x.derived
             ORDER BY x.invoice_id, x.project_id
        """,
        describe=lambda r: (
            f"invoice #{r.invoice_id}: the share kept for project #{r.project_id} is "
            f"{money(r.kept)} but its lines bill {money(r.derived)} of that project's time"
        ),
    ),
    ComputedRule(
        name="a recorded invoice keeps the PDF it was recorded with",
        invariant=PROJECT_SETTLEMENTS,
        find=wrong_attachments,
        describe=lambda w: f"recorded invoice {w.label}: {w.problem}",
    ),
)
"""The project settlement rules, in the order they run."""
