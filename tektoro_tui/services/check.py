"""``tektoro check``: re-derive every ledger invariant from the raw rows.

Nothing here trusts the services, the ORM or a cached total: every invariant is
recomputed with plain SQL over the tables (aggregated in the database with
``GROUP BY`` and window functions), except the audit chain, whose hashes are
recomputed in Python while the events stream in id order in batches. All the
checks read one consistent snapshot (a single read transaction; ``REPEATABLE
READ`` on PostgreSQL), each inside its own savepoint so that a check which
cannot run (say, a table a tamperer dropped) is reported and the others still
run.

Every broken invariant is reported, not only the first; within one invariant
at most :data:`MAX_EXAMPLES` offending rows of each kind are listed, followed
by how many more there are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ..data.engine import Database
from ..data.guards import FROZEN_MARKER, expected_guards
from ..data.guards import GUARDED_TABLES as GUARDED_TABLES
from ..domain.audit import ChainVerdict as ChainVerdict
from ..domain.audit import verify_chain as verify_chain

INVOICE_NUMBERING = "invoice numbering"
INVOICE_TOTALS = "invoice totals"
DOCUMENT_RECORDS = "document records"
NO_DOUBLE_BILLING = "no double billing"
PAYMENTS = "payments"
AUDIT_CHAIN = "audit chain"
IMMUTABILITY_GUARDS = "immutability guards"
TIME_SUMMARY = "daily time summary"

INVARIANTS: tuple[str, ...] = (
    INVOICE_NUMBERING,
    INVOICE_TOTALS,
    DOCUMENT_RECORDS,
    NO_DOUBLE_BILLING,
    PAYMENTS,
    AUDIT_CHAIN,
    IMMUTABILITY_GUARDS,
    TIME_SUMMARY,
)

MAX_EXAMPLES = 20
AUDIT_BATCH = 10_000


# ==============================================================================================
# The report
# ==============================================================================================


@dataclass(frozen=True)
class CheckFailure:
    """One broken invariant, with what exactly is wrong (one offending row or fact)."""

    invariant: str
    detail: str


@dataclass(frozen=True)
class CheckReport:
    """What ``run_check`` looked at and everything it found broken."""

    checked: tuple[str, ...]
    failures: tuple[CheckFailure, ...]
    counts: tuple[tuple[str, int], ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when every checked invariant holds."""
        return not self.failures

    @property
    def failed(self) -> tuple[str, ...]:
        """The names of the broken invariants, in the order they were checked."""
        broken = {f.invariant for f in self.failures}
        return tuple(name for name in self.checked if name in broken)

    def failures_of(self, invariant: str) -> tuple[CheckFailure, ...]:
        """The failures reported for one invariant."""
        return tuple(f for f in self.failures if f.invariant == invariant)

    def lines(self) -> list[str]:
        """Human text: 'OK  name' or one 'FAIL name: detail' per failure, then a summary."""
        out: list[str] = []
        for name in self.checked:
            mine = self.failures_of(name)
            if not mine:
                out.append(f"OK   {name}")
            for failure in mine:
                out.append(f"FAIL {name}: {failure.detail}")
        out.append(self.summary())
        return out

    def summary(self) -> str:
        """One line: all good, or which invariants are broken and how many problems."""
        looked = ", ".join(f"{n:,} {what}" for what, n in self.counts)
        scope = f" ({looked})" if looked else ""
        total = len(self.checked)
        if self.ok:
            return f"All {total} ledger invariants hold{scope}."
        broken = self.failed
        return (
            f"{len(broken)} of {total} ledger invariants broken ({', '.join(broken)}); "
            f"{len(self.failures)} problem(s) reported{scope}."
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able form for ``tektoro check --json``."""
        broken = set(self.failed)
        return {
            "ok": self.ok,
            "checked": list(self.checked),
            "invariants": {name: ("fail" if name in broken else "ok") for name in self.checked},
            "failures": [{"invariant": f.invariant, "detail": f.detail} for f in self.failures],
            "counts": dict(self.counts),
            "summary": self.summary(),
        }


# ==============================================================================================
# Running the checks
# ==============================================================================================


class _Collector:
    """Collects the failures of one invariant."""

    def __init__(self, conn: Connection, invariant: str) -> None:
        self.conn = conn
        self.invariant = invariant
        self.failures: list[CheckFailure] = []

    def fail(self, detail: str) -> None:
        self.failures.append(CheckFailure(self.invariant, detail))

    def rows(self, sql: str, describe: Callable[[Any], str], **params: Any) -> None:
        """Report each row of ``sql`` (offending rows), at most MAX_EXAMPLES, then the rest."""
        result = self.conn.execute(text(sql), params)
        shown = result.fetchmany(MAX_EXAMPLES + 1)
        result.close()
        for row in shown[:MAX_EXAMPLES]:
            self.fail(describe(row))
        if len(shown) > MAX_EXAMPLES:
            total = self.conn.execute(
                text(f"SELECT COUNT(*) FROM ({sql}) AS over_limit"), params
            ).scalar_one()
            self.fail(f"... and {total - MAX_EXAMPLES:,} more like the above")


_Check = Callable[[_Collector], None]


def run_check(db: Database) -> CheckReport:
    """Re-derive every ledger invariant of ``db`` from its raw rows; report every broken one."""
    checks: tuple[tuple[str, _Check], ...] = (
        (INVOICE_NUMBERING, _check_numbering),
        (INVOICE_TOTALS, _check_totals),
        (DOCUMENT_RECORDS, _check_documents),
        (NO_DOUBLE_BILLING, _check_double_billing),
        (PAYMENTS, _check_payments),
        (AUDIT_CHAIN, _check_audit_chain),
        (IMMUTABILITY_GUARDS, _check_guards),
        (TIME_SUMMARY, _check_time_summary),
    )
    failures: list[CheckFailure] = []
    counts: list[tuple[str, int]] = []
    with _snapshot(db) as conn:
        # Database errors (a table or column a tamperer removed) and values no valid row can
        # hold (text where a timestamp belongs) make one invariant uncheckable, not the run.
        driver_errors = (
            SQLAlchemyError,
            getattr(conn.dialect.dbapi, "Error", SQLAlchemyError),
            TypeError,
            ValueError,
        )
        for name, check in checks:
            collector = _Collector(conn, name)
            savepoint = conn.begin_nested()
            try:
                check(collector)
            except driver_errors as exc:
                savepoint.rollback()
                reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
                collector.fail(f"could not be checked: {reason}")
            else:
                savepoint.commit()
            failures.extend(collector.failures)
        counts = _counts(conn)
    return CheckReport(checked=INVARIANTS, failures=tuple(failures), counts=tuple(counts))


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """One read-only transaction over the whole check, so every invariant sees one state."""
    with db.engine.connect() as conn:
        if db.backend == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        conn.begin()
        try:
            yield conn
        finally:
            conn.rollback()


def _counts(conn: Connection) -> list[tuple[str, int]]:
    """How many rows the check looked at, for the summary line."""
    out: list[tuple[str, int]] = []
    for label, table in (
        ("invoices", "invoice"),
        ("contractor invoices", "master_invoice"),
        ("document records", "document_record"),
        ("time entries", "time_entry"),
        ("payments", "payment"),
        ("audit events", "audit_event"),
    ):
        savepoint = conn.begin_nested()
        try:
            count = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            out.append((label, int(count)))
        except SQLAlchemyError:
            savepoint.rollback()
        else:
            savepoint.commit()
    return out


# ==============================================================================================
# Labels
# ==============================================================================================


def _inv(row: Any, prefix: str = "invoice") -> str:
    """'invoice INV/2026/0001 (#12)' or 'invoice #12' for one without a number."""
    number = getattr(row, "number", None)
    return f"{prefix} {number} (#{row.id})" if number else f"{prefix} #{row.id}"


def _series(row: Any) -> str:
    code = getattr(row, "code", None)
    return f"series {code}" if code else f"series #{row.series_id}"


def _src(src: str) -> str:
    return "client invoice" if src == "invoice" else "contractor invoice"


def _money(cents: Any) -> str:
    return f"{int(cents):,}" if cents is not None else "NULL"


# ==============================================================================================
# 1. invoice numbering
# ==============================================================================================

# Every numbered invoice: client invoices that left draft, and every contractor invoice.
_NUMBERED = """
    SELECT 'invoice' AS src, id, series_id, seq, number, issue_date
      FROM invoice WHERE status <> 'draft'
    UNION ALL
    SELECT 'master_invoice' AS src, id, series_id, seq, number, issue_date
      FROM master_invoice
"""


def _check_numbering(c: _Collector) -> None:
    c.rows(
        """
        SELECT id, number, status, seq, issue_date FROM invoice
         WHERE status <> 'draft'
           AND (seq IS NULL OR number IS NULL OR number = '' OR issue_date IS NULL)
         ORDER BY id
        """,
        lambda r: (
            f"{_inv(r)} is {r.status} but lacks "
            + ", ".join(
                what
                for what, missing in (
                    ("a sequence number", r.seq is None),
                    ("a number", not r.number),
                    ("an issue date", r.issue_date is None),
                )
                if missing
            )
        ),
    )
    c.rows(
        """
        SELECT id, number, seq, issue_date FROM master_invoice
         WHERE seq IS NULL OR number IS NULL OR number = '' OR issue_date IS NULL
         ORDER BY id
        """,
        lambda r: f"{_inv(r, 'contractor invoice')} lacks its sequence number, number or date",
    )
    c.rows(
        """
        SELECT id, number, seq FROM invoice
         WHERE status = 'draft' AND (seq IS NOT NULL OR number IS NOT NULL)
         ORDER BY id
        """,
        lambda r: f"draft invoice #{r.id} already carries seq {r.seq} / number {r.number}",
    )
    c.rows(
        f"""
        SELECT q.src, q.id, q.number, q.seq, q.series_id, s.code
          FROM ({_NUMBERED}) q
          LEFT JOIN invoice_series s ON s.id = q.series_id
         WHERE s.id IS NULL OR q.seq < 1
         ORDER BY q.src, q.id
        """,
        lambda r: (
            f"{_inv(r, _src(r.src))} points at a missing numbering series #{r.series_id}"
            if r.code is None
            else f"{_inv(r, _src(r.src))} has the invalid sequence number {r.seq} in {_series(r)}"
        ),
    )
    c.rows(
        f"""
        SELECT q.series_id, s.code, COUNT(DISTINCT q.src) AS kinds
          FROM ({_NUMBERED}) q
          LEFT JOIN invoice_series s ON s.id = q.series_id
         GROUP BY q.series_id, s.code
        HAVING COUNT(DISTINCT q.src) > 1
        """,
        lambda r: f"{_series(r)} numbers both client and contractor invoices",
    )
    c.rows(
        f"""
        SELECT q.series_id, s.code, q.seq, COUNT(*) AS n
          FROM ({_NUMBERED}) q
          LEFT JOIN invoice_series s ON s.id = q.series_id
         WHERE q.seq IS NOT NULL
         GROUP BY q.series_id, s.code, q.seq
        HAVING COUNT(*) > 1
         ORDER BY q.series_id, q.seq
        """,
        lambda r: f"{_series(r)}: sequence number {r.seq} is used by {r.n} invoices",
    )
    c.rows(
        f"""
        SELECT q.src, q.number, COUNT(*) AS n
          FROM ({_NUMBERED}) q
         WHERE q.number IS NOT NULL
         GROUP BY q.src, q.number
        HAVING COUNT(*) > 1
         ORDER BY q.src, q.number
        """,
        lambda r: f"{_src(r.src)} number {r.number} is used {r.n} times",
    )
    c.rows(
        f"""
        SELECT g.series_id, s.code, g.seq, g.prev_seq
          FROM (SELECT q.series_id, q.seq,
                       LAG(q.seq) OVER (PARTITION BY q.series_id ORDER BY q.seq) AS prev_seq
                  FROM ({_NUMBERED}) q
                 WHERE q.seq IS NOT NULL) g
          LEFT JOIN invoice_series s ON s.id = g.series_id
         WHERE g.seq > COALESCE(g.prev_seq, 0) + 1
         ORDER BY g.series_id, g.seq
        """,
        lambda r: (
            f"{_series(r)}: gap in the numbering, "
            + (
                f"sequence number {r.seq - 1} is missing"
                if r.seq - 1 == (r.prev_seq or 0) + 1
                else f"sequence numbers {(r.prev_seq or 0) + 1}..{r.seq - 1} are missing"
            )
            + f" before {r.seq}"
        ),
    )
    c.rows(
        f"""
        SELECT s.id AS series_id, s.code, s.last_number,
               COUNT(q.seq) AS numbered, COALESCE(MAX(q.seq), 0) AS highest
          FROM invoice_series s
          LEFT JOIN ({_NUMBERED}) q ON q.series_id = s.id
         GROUP BY s.id, s.code, s.last_number
        HAVING s.last_number <> COUNT(q.seq) OR s.last_number <> COALESCE(MAX(q.seq), 0)
         ORDER BY s.id
        """,
        lambda r: (
            f"{_series(r)}: counter last_number is {r.last_number} but the series holds "
            f"{r.numbered} numbered invoice(s), the highest numbered {r.highest}"
        ),
    )
    c.rows(
        f"""
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
        lambda r: (
            f"{_series(r)}: {_inv(r, _src(r.src))} is dated {r.issue_date}, earlier than "
            f"the previous number {r.prev_number} dated {r.prev_date}"
        ),
    )


# ==============================================================================================
# 2. invoice totals
# ==============================================================================================


def _check_totals(c: _Collector) -> None:
    c.rows(
        """
        SELECT id, number, net_cents, vat_cents, gross_cents FROM invoice
         WHERE status <> 'draft' AND gross_cents <> net_cents + vat_cents
         ORDER BY id
        """,
        lambda r: (
            f"{_inv(r)}: gross {_money(r.gross_cents)} <> net {_money(r.net_cents)} + "
            f"VAT {_money(r.vat_cents)}"
        ),
    )
    c.rows(
        """
        SELECT l.id AS line_id, l.position, i.id, i.number,
               l.net_cents, l.vat_cents, l.gross_cents
          FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
         WHERE i.status <> 'draft' AND l.gross_cents <> l.net_cents + l.vat_cents
         ORDER BY i.id, l.position, l.id
        """,
        lambda r: (
            f"{_inv(r)} line {r.position} (#{r.line_id}): gross {_money(r.gross_cents)} <> "
            f"net {_money(r.net_cents)} + VAT {_money(r.vat_cents)}"
        ),
    )
    c.rows(
        """
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
        lambda r: (
            f"{_inv(r)}: totals net/VAT/gross {_money(r.net_cents)}/{_money(r.vat_cents)}/"
            f"{_money(r.gross_cents)} but its {r.n} line(s) sum to {_money(r.line_net)}/"
            f"{_money(r.line_vat)}/{_money(r.line_gross)}"
        ),
    )
    c.rows(
        """
        SELECT l.id AS line_id, l.invoice_id FROM invoice_line l
          LEFT JOIN invoice i ON i.id = l.invoice_id
         WHERE i.id IS NULL
         ORDER BY l.id
        """,
        lambda r: f"invoice line #{r.line_id} belongs to a missing invoice #{r.invoice_id}",
    )
    c.rows(
        """
        SELECT mi.id, mi.number, mi.total_cents, mi.total_minutes,
               COALESCE(l.amount, 0) AS line_amount, COALESCE(l.minutes, 0) AS line_minutes,
               COALESCE(l.n, 0) AS n
          FROM master_invoice mi
          LEFT JOIN (SELECT master_invoice_id, SUM(amount_cents) AS amount,
                            SUM(minutes) AS minutes, COUNT(*) AS n
                       FROM master_invoice_line GROUP BY master_invoice_id) l
                 ON l.master_invoice_id = mi.id
         WHERE mi.total_cents <> COALESCE(l.amount, 0)
            OR mi.total_minutes <> COALESCE(l.minutes, 0)
         ORDER BY mi.id
        """,
        lambda r: (
            f"{_inv(r, 'contractor invoice')}: total {_money(r.total_cents)} for "
            f"{r.total_minutes} min but its {r.n} line(s) sum to {_money(r.line_amount)} "
            f"for {r.line_minutes} min"
        ),
    )


# ==============================================================================================
# 3. document records
# ==============================================================================================


def _check_documents(c: _Collector) -> None:
    c.rows(
        """
        SELECT d.id, d.reference, d.total_minutes, d.value_cents, d.billed_cents,
               d.write_down_cents, COALESCE(l.minutes, 0) AS line_minutes,
               COALESCE(l.value_cents, 0) AS line_value,
               COALESCE(l.billed_cents, 0) AS line_billed,
               COALESCE(l.write_down_cents, 0) AS line_write_down, COALESCE(l.n, 0) AS n
          FROM document_record d
          LEFT JOIN (SELECT document_id, SUM(minutes) AS minutes,
                            SUM(value_cents) AS value_cents, SUM(billed_cents) AS billed_cents,
                            SUM(write_down_cents) AS write_down_cents, COUNT(*) AS n
                       FROM document_line GROUP BY document_id) l ON l.document_id = d.id
         WHERE d.total_minutes <> COALESCE(l.minutes, 0)
            OR d.value_cents <> COALESCE(l.value_cents, 0)
            OR d.billed_cents <> COALESCE(l.billed_cents, 0)
            OR d.write_down_cents <> COALESCE(l.write_down_cents, 0)
         ORDER BY d.id
        """,
        lambda r: (
            f"document {r.reference} (#{r.id}): minutes/value/billed/write-down "
            f"{r.total_minutes}/{_money(r.value_cents)}/{_money(r.billed_cents)}/"
            f"{_money(r.write_down_cents)} but its {r.n} line(s) sum to {r.line_minutes}/"
            f"{_money(r.line_value)}/{_money(r.line_billed)}/{_money(r.line_write_down)}"
        ),
    )
    c.rows(
        """
        SELECT id FROM time_entry
         WHERE status = 'processed' AND document_id IS NULL
         ORDER BY id
        """,
        lambda r: f"time entry #{r.id} is processed but belongs to no document record",
    )
    c.rows(
        """
        SELECT t.id, COUNT(dl.id) AS n
          FROM time_entry t
          LEFT JOIN document_line dl ON dl.time_entry_id = t.id
         WHERE t.status = 'processed'
         GROUP BY t.id
        HAVING COUNT(dl.id) <> 1
         ORDER BY t.id
        """,
        lambda r: f"processed time entry #{r.id} has {r.n} document lines (exactly one expected)",
    )
    c.rows(
        """
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
        _describe_line_mismatch,
    )
    c.rows(
        """
        SELECT t.id, t.status, t.document_id, d.id AS found
          FROM time_entry t
          LEFT JOIN document_record d ON d.id = t.document_id
         WHERE t.document_id IS NOT NULL AND (d.id IS NULL OR t.status <> 'processed')
         ORDER BY t.id
        """,
        lambda r: (
            f"time entry #{r.id} points at a missing document record #{r.document_id}"
            if r.found is None
            else f"time entry #{r.id} is on document record #{r.document_id} but is {r.status}"
        ),
    )


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


# ==============================================================================================
# 4. no double billing
# ==============================================================================================


def _check_double_billing(c: _Collector) -> None:
    c.rows(
        """
        SELECT time_entry_id, COUNT(*) AS n, COUNT(DISTINCT document_id) AS docs
          FROM document_line
         GROUP BY time_entry_id
        HAVING COUNT(*) > 1
         ORDER BY time_entry_id
        """,
        lambda r: (
            f"time entry #{r.time_entry_id} is billed on {r.n} document lines "
            f"({r.docs} document record(s))"
        ),
    )
    c.rows(
        """
        SELECT time_entry_id, COUNT(*) AS n, COUNT(DISTINCT master_invoice_id) AS invoices
          FROM master_invoice_line
         GROUP BY time_entry_id
        HAVING COUNT(*) > 1
         ORDER BY time_entry_id
        """,
        lambda r: (
            f"time entry #{r.time_entry_id} is paid on {r.n} contractor invoice lines "
            f"({r.invoices} contractor invoice(s))"
        ),
    )
    c.rows(
        """
        SELECT ml.id AS line_id, ml.master_invoice_id, ml.time_entry_id,
               t.id AS entry_id, t.master_invoice_id AS entry_invoice_id
          FROM master_invoice_line ml
          LEFT JOIN time_entry t ON t.id = ml.time_entry_id
         WHERE t.id IS NULL
            OR (t.master_invoice_id IS NOT NULL AND t.master_invoice_id <> ml.master_invoice_id)
         ORDER BY ml.id
        """,
        lambda r: (
            f"contractor invoice line #{r.line_id} copies a missing time entry #{r.time_entry_id}"
            if r.entry_id is None
            else f"time entry #{r.entry_id} is on contractor invoice #{r.master_invoice_id} "
            f"but points at contractor invoice #{r.entry_invoice_id}"
        ),
    )
    # A document line may reach the client on one live invoice only (a cancelled invoice
    # and its credit note are the way to bill it again).
    c.rows(
        """
        SELECT il.document_line_id, COUNT(*) AS n, COUNT(DISTINCT il.invoice_id) AS invoices
          FROM invoice_line il JOIN invoice i ON i.id = il.invoice_id
         WHERE il.document_line_id IS NOT NULL
           AND i.status NOT IN ('draft', 'cancelled') AND i.kind <> 'credit_note'
         GROUP BY il.document_line_id
        HAVING COUNT(*) > 1
         ORDER BY il.document_line_id
        """,
        lambda r: (
            f"document line #{r.document_line_id} is billed on {r.n} invoice lines of "
            f"{r.invoices} issued invoice(s)"
        ),
    )


# ==============================================================================================
# 5. payments
# ==============================================================================================


def _check_payments(c: _Collector) -> None:
    c.rows(
        """
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
        _describe_bad_payment,
    )
    # client invoices
    c.rows(
        """
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
        lambda r: (
            f"{_inv(r)} is a draft but has {r.n} payment(s)"
            if r.status == "draft" and r.paid_cents == r.payments
            else f"{_inv(r)}: paid_cents {_money(r.paid_cents)} but its {r.n} payment(s) "
            f"sum to {_money(r.payments)}"
        ),
    )
    c.rows(
        """
        SELECT id, number, status, gross_cents, paid_cents FROM invoice
         WHERE gross_cents > 0 AND paid_cents > gross_cents
         ORDER BY id
        """,
        lambda r: (
            f"{_inv(r)} is overpaid: paid {_money(r.paid_cents)} of gross {_money(r.gross_cents)}"
        ),
    )
    c.rows(
        """
        SELECT id, number, status, gross_cents, paid_cents FROM invoice
         WHERE (status IN ('paid', 'booked') AND paid_cents < gross_cents)
            OR (status = 'partially_paid'
                AND NOT (paid_cents > 0 AND paid_cents < gross_cents))
         ORDER BY id
        """,
        lambda r: (
            f"{_inv(r)} has status '{r.status}' but {_money(r.paid_cents)} of "
            f"{_money(r.gross_cents)} is paid"
        ),
    )
    # contractor invoices
    c.rows(
        """
        SELECT mi.id, mi.number, mi.status, mi.paid_cents, COALESCE(p.total, 0) AS payments,
               COALESCE(p.n, 0) AS n
          FROM master_invoice mi
          LEFT JOIN (SELECT master_invoice_id, SUM(amount_cents) AS total, COUNT(*) AS n
                       FROM payment WHERE master_invoice_id IS NOT NULL
                      GROUP BY master_invoice_id) p ON p.master_invoice_id = mi.id
         WHERE mi.paid_cents <> COALESCE(p.total, 0)
            OR (mi.status = 'draft' AND COALESCE(p.n, 0) > 0)
         ORDER BY mi.id
        """,
        lambda r: (
            f"{_inv(r, 'contractor invoice')} is not approved but has {r.n} payment(s)"
            if r.status == "draft" and r.paid_cents == r.payments
            else f"{_inv(r, 'contractor invoice')}: paid_cents {_money(r.paid_cents)} but "
            f"its {r.n} payment(s) sum to {_money(r.payments)}"
        ),
    )
    c.rows(
        """
        SELECT id, number, status, total_cents, paid_cents FROM master_invoice
         WHERE (total_cents > 0 AND paid_cents > total_cents)
            OR (status = 'paid' AND paid_cents < total_cents)
            OR (status = 'partially_paid'
                AND NOT (paid_cents > 0 AND paid_cents < total_cents))
         ORDER BY id
        """,
        lambda r: (
            f"{_inv(r, 'contractor invoice')} is overpaid: paid {_money(r.paid_cents)} of "
            f"{_money(r.total_cents)}"
            if r.total_cents > 0 and r.paid_cents > r.total_cents
            else f"{_inv(r, 'contractor invoice')} has status '{r.status}' but "
            f"{_money(r.paid_cents)} of {_money(r.total_cents)} is paid"
        ),
    )


def _describe_bad_payment(r: Any) -> str:
    head = f"payment #{r.id}"
    if r.amount_cents is None or r.amount_cents <= 0:
        return f"{head} has the non-positive amount {_money(r.amount_cents)}"
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


# ==============================================================================================
# 6. audit chain
# ==============================================================================================


_AUDIT_EVENTS_SQL = (
    "SELECT id, occurred_at, actor_label, action, entity, entity_id, before_json, after_json, "
    "prev_hash, hash FROM audit_event ORDER BY id"
)


def _check_audit_chain(c: _Collector) -> None:
    verdict = verify_chain(_batches(c.conn))
    for detail in verdict.details():
        c.fail(detail)
    head = c.conn.execute(
        text("SELECT id, last_event_id, last_hash FROM audit_head ORDER BY id")
    ).all()
    heads = [row for row in head if row.id == 1]
    if not heads:
        c.fail("the audit head row (id 1) is missing")
    else:
        row = heads[0]
        if row.last_event_id != verdict.last_id:
            c.fail(
                f"audit head says the last event is #{row.last_event_id} but the last stored "
                f"event is #{verdict.last_id}"
            )
        if row.last_hash != verdict.last_hash:
            c.fail(
                f"audit head hash {row.last_hash[:12]}... does not match the hash of the "
                f"last event, {verdict.last_hash[:12]}..."
            )
    if len(head) != len(heads):
        c.fail(f"the audit head table holds {len(head)} rows (exactly one expected)")


def _batches(conn: Connection) -> Iterator[Sequence[Any]]:
    """The audit events in id order, in batches, straight from the driver.

    The driver's own cursor (a server-side one on PostgreSQL) keeps memory flat
    on millions of events and skips the per-row work of SQLAlchemy's result
    objects, which would otherwise cost more than the hashing itself.
    """
    driver = conn.connection.driver_connection
    assert driver is not None
    if conn.dialect.name == "postgresql":
        cursor = driver.cursor(name="tektoro_check_audit_events")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(_AUDIT_EVENTS_SQL)
        while batch := cursor.fetchmany(AUDIT_BATCH):
            yield batch
    finally:
        cursor.close()


# ==============================================================================================
# 7. immutability guards
# ==============================================================================================


@dataclass(frozen=True)
class _Trigger:
    name: str
    table: str
    enabled: bool
    body: str


def _check_guards(c: _Collector) -> None:
    sqlite = c.conn.dialect.name == "sqlite"
    found = _sqlite_triggers(c.conn) if sqlite else _pg_triggers(c.conn)
    by_name = {t.name: t for t in found}
    missing_by_table: dict[str, list[str]] = {}
    for guard in expected_guards("sqlite" if sqlite else "postgresql"):
        trigger = by_name.get(guard.name)
        if trigger is None or trigger.table != guard.table:
            missing_by_table.setdefault(guard.table, []).append(guard.name)
    for table in GUARDED_TABLES:
        guards = [t for t in found if t.table == table and t.name.startswith("tektoro_")]
        if not guards:
            c.fail(f"table {table} has no frozen-record trigger: its rows can be rewritten")
            missing_by_table.pop(table, None)
    for table, names in missing_by_table.items():
        c.fail(f"table {table} is missing the trigger(s) {', '.join(names)}")
    for trigger in found:
        if not trigger.name.startswith("tektoro_"):
            continue
        if not trigger.enabled:
            c.fail(f"trigger {trigger.name} on table {trigger.table} is disabled")
        elif FROZEN_MARKER not in trigger.body:
            c.fail(
                f"trigger {trigger.name} on table {trigger.table} was replaced: it no longer "
                f"refuses changes"
            )


def _sqlite_triggers(conn: Connection) -> list[_Trigger]:
    rows = conn.execute(
        text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
    ).all()
    return [
        _Trigger(
            name=r.name,
            table=r.tbl_name,
            enabled=True,
            body=r.sql if r.sql and "RAISE" in r.sql.upper() else "",
        )
        for r in rows
    ]


def _pg_triggers(conn: Connection) -> list[_Trigger]:
    rows = conn.execute(
        text(
            """
            SELECT t.tgname AS name, c.relname AS tbl, t.tgenabled AS enabled,
                   p.prosrc AS body
              FROM pg_trigger t
              JOIN pg_class c ON c.oid = t.tgrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE NOT t.tgisinternal AND n.nspname = current_schema()
            """
        )
    ).all()
    out = []
    for r in rows:
        enabled = r.enabled.decode() if isinstance(r.enabled, bytes) else str(r.enabled)
        body = r.body if r.body and "RAISE" in r.body.upper() else ""
        out.append(_Trigger(name=r.name, table=r.tbl, enabled=enabled != "D", body=body))
    return out


# ==============================================================================================
# 8. daily time summary
# ==============================================================================================

_SUMMARY_KEY = "work_date, owner_id, project_id, status, pay_status, billable"


def _check_time_summary(c: _Collector) -> None:
    """``time_day_total`` equals the raw entries summed per day, owner, project and status.

    Both sides go through one grouped query (summary rows and grouped entries as a
    ``UNION ALL``), so a key missing on either side, a wrong figure or a duplicated summary
    row all show up as one mismatching key.
    """
    c.rows(
        f"""
        SELECT q.work_date, q.owner_id, u.name AS owner, q.project_id, p.name AS project,
               q.status, q.pay_status, q.billable, q.rows_, q.s_entries, q.s_minutes,
               q.s_value, q.t_entries, q.t_minutes, q.t_value
          FROM (SELECT {_SUMMARY_KEY}, SUM(n) AS rows_,
                       SUM(s_entries) AS s_entries, SUM(s_minutes) AS s_minutes,
                       SUM(s_value) AS s_value, SUM(t_entries) AS t_entries,
                       SUM(t_minutes) AS t_minutes, SUM(t_value) AS t_value
                  FROM (SELECT {_SUMMARY_KEY}, 1 AS n, entries AS s_entries,
                               minutes AS s_minutes, value_cents AS s_value,
                               0 AS t_entries, 0 AS t_minutes, 0 AS t_value
                          FROM time_day_total
                        UNION ALL
                        SELECT {_SUMMARY_KEY}, 0, 0, 0, 0,
                               COUNT(*), SUM(minutes), SUM(value_cents)
                          FROM time_entry
                         GROUP BY {_SUMMARY_KEY}) both_sides
                 GROUP BY {_SUMMARY_KEY}
                HAVING SUM(n) <> 1 OR SUM(s_entries) <> SUM(t_entries)
                    OR SUM(s_minutes) <> SUM(t_minutes) OR SUM(s_value) <> SUM(t_value)) q
          LEFT JOIN user_account u ON u.id = q.owner_id
          LEFT JOIN project p ON p.id = q.project_id
         ORDER BY q.work_date, q.owner_id, q.project_id, q.status, q.pay_status, q.billable
        """,
        _describe_summary_mismatch,
    )


def _describe_summary_mismatch(r: Any) -> str:
    owner = f"{r.owner} (#{r.owner_id})" if r.owner else f"user #{r.owner_id}"
    project = f"{r.project} (#{r.project_id})" if r.project else f"project #{r.project_id}"
    key = (
        f"{r.work_date}, {owner}, {project}, {r.status}, pay {r.pay_status}, "
        f"{'billable' if r.billable else 'non-billable'}"
    )
    entries = f"{r.t_entries} entries, {r.t_minutes} min, value {_money(r.t_value)}"
    if r.rows_ == 0:
        return f"daily time summary lacks the row of {key}: the entries give {entries}"
    if r.rows_ > 1:
        return f"daily time summary holds {r.rows_} rows for {key} (one expected)"
    held = f"{r.s_entries} entries, {r.s_minutes} min, value {_money(r.s_value)}"
    if r.t_entries == 0:
        return f"daily time summary row of {key} says {held} but no time entry has that key"
    return f"daily time summary row of {key} says {held} but the entries give {entries}"
