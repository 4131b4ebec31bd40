"""Invoice numbering: every issued invoice holds one place in one series, without gaps.

Client invoices are numbered when they leave draft; contractor invoices when
they are created. A series numbers one kind of invoice, its counter equals
the numbers handed out, and issue dates never go back as the numbers go up.
The number people read is re-derived too: the series prefix, the year of the
issue date and the sequence number (so a changed or swapped number shows), and
the series remembers the issue date of its last number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .core import INVOICE_NUMBERING, ComputedRule, QueryRule, Rule
from .labels import contractor_invoice_label, invoice_label, series_label, source_label

# Every numbered invoice: client invoices that left draft (but those issued in another program
# and recorded here, which keep their own numbers), and every contractor invoice.
_NUMBERED = """
    SELECT 'invoice' AS src, id, series_id, seq, number, issue_date
      FROM invoice WHERE status <> 'draft' AND external_number IS NULL
    UNION ALL
    SELECT 'master_invoice' AS src, id, series_id, seq, number, issue_date
      FROM master_invoice
"""


def _describe_unnumbered(r: Any) -> str:
    missing = (
        what
        for what, absent in (
            ("a sequence number", r.seq is None),
            ("a number", not r.number),
            ("an issue date", r.issue_date is None),
        )
        if absent
    )
    return f"{invoice_label(r)} is {r.status} but lacks " + ", ".join(missing)


def _describe_off_series(r: Any) -> str:
    label = invoice_label(r, source_label(r.src))
    if r.code is None:
        return f"{label} points at a missing numbering series #{r.series_id}"
    return f"{label} has the invalid sequence number {r.seq} in {series_label(r)}"


def _describe_gap(r: Any) -> str:
    first_missing = (r.prev_seq or 0) + 1
    if r.seq - 1 == first_missing:
        missing = f"sequence number {r.seq - 1} is missing"
    else:
        missing = f"sequence numbers {first_missing}..{r.seq - 1} are missing"
    return f"{series_label(r)}: gap in the numbering, {missing} before {r.seq}"


@dataclass(frozen=True)
class WrongNumber:
    """A numbered invoice whose number text is not what its series, date and seq give."""

    src: str
    id: int
    number: str | None
    expected: str
    code: str


def wrong_numbers(conn: Connection) -> Iterator[WrongNumber]:
    """Numbered invoices whose number is not PREFIX/YEAR/SEQ (five digits at least)."""
    rows = conn.execute(
        text(
            f"""
            SELECT q.src, q.id, q.number, q.seq, q.issue_date, s.prefix, s.code
              FROM ({_NUMBERED}) q
              JOIN invoice_series s ON s.id = q.series_id
             WHERE q.seq IS NOT NULL AND q.issue_date IS NOT NULL
             ORDER BY q.src, q.id
            """
        )
    )
    for r in rows:
        expected = f"{r.prefix}/{str(r.issue_date)[:4]}/{int(r.seq):05d}"
        if r.number != expected:
            yield WrongNumber(r.src, int(r.id), r.number, expected, r.code)


def _describe_wrong_number(w: WrongNumber) -> str:
    label = invoice_label(w, source_label(w.src))
    return (
        f"{label} should be numbered {w.expected}: that is what series {w.code}, the year of "
        "its issue date and its sequence number give"
    )


RULES: tuple[Rule, ...] = (
    QueryRule(
        name="issued invoices are numbered and dated",
        invariant=INVOICE_NUMBERING,
        sql="""
            SELECT id, number, status, seq, issue_date FROM invoice
             WHERE status <> 'draft' AND external_number IS NULL
               AND (seq IS NULL OR number IS NULL OR number = '' OR issue_date IS NULL)
             ORDER BY id
        """,
        describe=_describe_unnumbered,
    ),
    QueryRule(
        name="contractor invoices are numbered and dated",
        invariant=INVOICE_NUMBERING,
        sql="""
            SELECT id, number, seq, issue_date FROM master_invoice
             WHERE seq IS NULL OR number IS NULL OR number = '' OR issue_date IS NULL
             ORDER BY id
        """,
        describe=lambda r: (
            f"{contractor_invoice_label(r)} lacks its sequence number, number or date"
        ),
    ),
    QueryRule(
        name="recorded invoices take none of our numbers",
        invariant=INVOICE_NUMBERING,
        sql="""
            SELECT id, external_number, seq, number, issue_date FROM invoice
             WHERE external_number IS NOT NULL
               AND (seq IS NOT NULL OR number IS NOT NULL OR issue_date IS NULL
                    OR external_number = '')
             ORDER BY id
        """,
        describe=lambda r: (
            f"invoice #{r.id} recorded from another program as {r.external_number!r} "
            f"holds our number {r.number} / seq {r.seq} or lacks its date"
        ),
    ),
    QueryRule(
        name="draft invoices carry no number",
        invariant=INVOICE_NUMBERING,
        sql="""
            SELECT id, number, seq FROM invoice
             WHERE status = 'draft' AND (seq IS NOT NULL OR number IS NOT NULL)
             ORDER BY id
        """,
        describe=lambda r: f"draft invoice #{r.id} already carries seq {r.seq} / number {r.number}",
    ),
    QueryRule(
        name="numbers belong to an existing series",
        invariant=INVOICE_NUMBERING,
        sql=f"""
            SELECT q.src, q.id, q.number, q.seq, q.series_id, s.code
              FROM ({_NUMBERED}) q
              LEFT JOIN invoice_series s ON s.id = q.series_id
             WHERE s.id IS NULL OR q.seq < 1
             ORDER BY q.src, q.id
        """,
        describe=_describe_off_series,
    ),
    QueryRule(
        name="a series numbers one kind of invoice",
        invariant=INVOICE_NUMBERING,
        sql=f"""
            SELECT q.series_id, s.code, COUNT(DISTINCT q.src) AS kinds
              FROM ({_NUMBERED}) q
              LEFT JOIN invoice_series s ON s.id = q.series_id
             GROUP BY q.series_id, s.code
            HAVING COUNT(DISTINCT q.src) > 1
        """,
        describe=lambda r: f"{series_label(r)} numbers both client and contractor invoices",
    ),
    QueryRule(
        name="sequence numbers are unique in a series",
        invariant=INVOICE_NUMBERING,
        sql=f"""
            SELECT q.series_id, s.code, q.seq, COUNT(*) AS n
              FROM ({_NUMBERED}) q
              LEFT JOIN invoice_series s ON s.id = q.series_id
             WHERE q.seq IS NOT NULL
             GROUP BY q.series_id, s.code, q.seq
            HAVING COUNT(*) > 1
             ORDER BY q.series_id, q.seq
        """,
        describe=lambda r: f"{series_label(r)}: sequence number {r.seq} is used by {r.n} invoices",
    ),
    QueryRule(
        name="invoice numbers are unique",
        invariant=INVOICE_NUMBERING,
        sql=f"""
            SELECT q.src, q.number, COUNT(*) AS n
              FROM ({_NUMBERED}) q
             WHERE q.number IS NOT NULL
             GROUP BY q.src, q.number
            HAVING COUNT(*) > 1
             ORDER BY q.src, q.number
        """,
        describe=lambda r: f"{source_label(r.src)} number {r.number} is used {r.n} times",
    ),
    QueryRule(
        name="a series has no gaps",
        invariant=INVOICE_NUMBERING,
        sql=f"""
            SELECT g.series_id, s.code, g.seq, g.prev_seq
              FROM (SELECT q.series_id, q.seq,
                           LAG(q.seq) OVER (PARTITION BY q.series_id ORDER BY q.seq) AS prev_seq
                      FROM ({_NUMBERED}) q
                     WHERE q.seq IS NOT NULL) g
              LEFT JOIN invoice_series s ON s.id = g.series_id
             WHERE g.seq > COALESCE(g.prev_seq, 0) + 1
             ORDER BY g.series_id, g.seq
        """,
        describe=_describe_gap,
    ),
    QueryRule(
        name="a series counter matches its invoices",
        invariant=INVOICE_NUMBERING,
        sql=f"""
            SELECT s.id AS series_id, s.code, s.last_number,
                   COUNT(q.seq) AS numbered, COALESCE(MAX(q.seq), 0) AS highest
              FROM invoice_series s
              LEFT JOIN ({_NUMBERED}) q ON q.series_id = s.id
             GROUP BY s.id, s.code, s.last_number
            HAVING s.last_number <> COUNT(q.seq) OR s.last_number <> COALESCE(MAX(q.seq), 0)
             ORDER BY s.id
        """,
        describe=lambda r: (
            f"{series_label(r)}: counter last_number is {r.last_number} but the series holds "
            f"{r.numbered} numbered invoice(s), the highest numbered {r.highest}"
        ),
    ),
    QueryRule(
        name="issue dates follow the numbering",
        invariant=INVOICE_NUMBERING,
        sql=f"""
            SELECT g.src, g.id, g.number, g.series_id, s.code, g.seq, g.issue_date,
                   g.prev_number, g.prev_date
              FROM (SELECT q.src, q.id, q.number, q.series_id, q.seq, q.issue_date,
                           LAG(q.number) OVER (PARTITION BY q.series_id ORDER BY q.seq, q.id)
                               AS prev_number,
                           LAG(q.issue_date) OVER (PARTITION BY q.series_id ORDER BY q.seq, q.id)
                               AS prev_date
                      FROM ({_NUMBERED}) q
                     WHERE q.seq IS NOT NULL) g
              LEFT JOIN invoice_series s ON s.id = g.series_id
             WHERE g.issue_date < g.prev_date
             ORDER BY g.series_id, g.seq
        """,
        describe=lambda r: (
            f"{series_label(r)}: {invoice_label(r, source_label(r.src))} is dated "
            f"{r.issue_date}, earlier than the previous number {r.prev_number} dated {r.prev_date}"
        ),
    ),
    ComputedRule(
        name="a number is its series prefix, year and sequence number",
        invariant=INVOICE_NUMBERING,
        find=wrong_numbers,
        describe=_describe_wrong_number,
    ),
    QueryRule(
        name="a series remembers the issue date of its last number",
        invariant=INVOICE_NUMBERING,
        sql=f"""
            SELECT s.id AS series_id, s.code, s.last_number, s.last_issue_date,
                   q.issue_date AS newest
              FROM invoice_series s
              JOIN ({_NUMBERED}) q ON q.series_id = s.id AND q.seq = s.last_number
             WHERE s.last_issue_date IS NULL OR q.issue_date IS NULL
                OR s.last_issue_date <> q.issue_date
             ORDER BY s.id
        """,
        describe=lambda r: (
            f"{series_label(r)}: the last issue date is {r.last_issue_date} but number "
            f"{r.last_number} was issued on {r.newest}"
        ),
    ),
)
"""The numbering rules, in the order they run."""
