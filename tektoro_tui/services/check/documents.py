"""Document records: what was billed from each processed time entry, copied once.

A document record's totals are the sums of its lines; every processed entry
sits on exactly one line of the document it points at, and each line is a
faithful copy of a processed entry of that document.
"""

from __future__ import annotations

from typing import Any

from .core import DOCUMENT_RECORDS, QueryRule, Rule
from .labels import money


def _describe_line_mismatch(r: Any) -> str:
    head = f"document line #{r.line_id}"
    if r.reference is None:
        return f"{head} belongs to a missing document record #{r.document_id}"
    head = f"{head} of document {r.reference}"
    if r.entry_id is None:
        return f"{head} copies a missing time entry #{r.time_entry_id}"
    if r.entry_document_id != r.document_id:
        where = (
            "no document record"
            if r.entry_document_id is None
            else f"document record #{r.entry_document_id}"
        )
        return f"{head} copies time entry #{r.entry_id}, which belongs to {where}"
    if r.status != "processed":
        return f"{head} copies time entry #{r.entry_id}, which is {r.status}, not processed"
    return (
        f"{head} copies time entry #{r.entry_id} with {r.line_minutes} min but the entry "
        f"has {r.entry_minutes} min"
    )


def _describe_entry_document(r: Any) -> str:
    if r.found is None:
        return f"time entry #{r.id} points at a missing document record #{r.document_id}"
    return f"time entry #{r.id} is on document record #{r.document_id} but is {r.status}"


RULES: tuple[Rule, ...] = (
    QueryRule(
        name="document totals are the sums of its lines",
        invariant=DOCUMENT_RECORDS,
        sql="""
            SELECT d.id, d.reference, d.total_minutes, d.value_cents, d.billed_cents,
                   d.write_down_cents, COALESCE(l.minutes, 0) AS line_minutes,
                   COALESCE(l.value_cents, 0) AS line_value,
                   COALESCE(l.billed_cents, 0) AS line_billed,
                   COALESCE(l.write_down_cents, 0) AS line_write_down, COALESCE(l.n, 0) AS n
              FROM document_record d
              LEFT JOIN (SELECT document_id, SUM(minutes) AS minutes,
                                SUM(value_cents) AS value_cents,
                                SUM(billed_cents) AS billed_cents,
                                SUM(write_down_cents) AS write_down_cents, COUNT(*) AS n
                           FROM document_line GROUP BY document_id) l ON l.document_id = d.id
             WHERE d.total_minutes <> COALESCE(l.minutes, 0)
                OR d.value_cents <> COALESCE(l.value_cents, 0)
                OR d.billed_cents <> COALESCE(l.billed_cents, 0)
                OR d.write_down_cents <> COALESCE(l.write_down_cents, 0)
             ORDER BY d.id
        """,
        describe=lambda r: (
            f"document {r.reference} (#{r.id}): minutes/value/billed/write-down "
            f"{r.total_minutes}/{money(r.value_cents)}/{money(r.billed_cents)}/"
            f"{money(r.write_down_cents)} but its {r.n} line(s) sum to {r.line_minutes}/"
            f"{money(r.line_value)}/{money(r.line_billed)}/{money(r.line_write_down)}"
        ),
    ),
    QueryRule(
        name="processed entries belong to a document",
        invariant=DOCUMENT_RECORDS,
        sql="""
            SELECT id FROM time_entry
             WHERE status = 'processed' AND document_id IS NULL
             ORDER BY id
        """,
        describe=lambda r: f"time entry #{r.id} is processed but belongs to no document record",
    ),
    QueryRule(
        name="processed entries have one document line",
        invariant=DOCUMENT_RECORDS,
        sql="""
            SELECT t.id, COUNT(dl.id) AS n
              FROM time_entry t
              LEFT JOIN document_line dl ON dl.time_entry_id = t.id
             WHERE t.status = 'processed'
             GROUP BY t.id
            HAVING COUNT(dl.id) <> 1
             ORDER BY t.id
        """,
        describe=lambda r: (
            f"processed time entry #{r.id} has {r.n} document lines (exactly one expected)"
        ),
    ),
    QueryRule(
        name="document lines copy a processed entry of their document",
        invariant=DOCUMENT_RECORDS,
        sql="""
            SELECT dl.id AS line_id, dl.document_id, d.reference, dl.time_entry_id,
                   dl.minutes AS line_minutes, t.id AS entry_id, t.status,
                   t.document_id AS entry_document_id, t.minutes AS entry_minutes
              FROM document_line dl
              LEFT JOIN document_record d ON d.id = dl.document_id
              LEFT JOIN time_entry t ON t.id = dl.time_entry_id
             WHERE d.id IS NULL OR t.id IS NULL OR t.document_id IS NULL
                OR t.document_id <> dl.document_id OR t.status <> 'processed'
                OR t.minutes <> dl.minutes
             ORDER BY dl.id
        """,
        describe=_describe_line_mismatch,
    ),
    QueryRule(
        name="entries on a document are processed",
        invariant=DOCUMENT_RECORDS,
        sql="""
            SELECT t.id, t.status, t.document_id, d.id AS found
              FROM time_entry t
              LEFT JOIN document_record d ON d.id = t.document_id
             WHERE t.document_id IS NOT NULL AND (d.id IS NULL OR t.status <> 'processed')
             ORDER BY t.id
        """,
        describe=_describe_entry_document,
    ),
)
"""The document-record rules, in the order they run."""
