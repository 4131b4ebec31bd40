"""Running the registry over one consistent snapshot of the database.

All rules read one read-only transaction (``REPEATABLE READ`` on PostgreSQL).
Each invariant's rules run in order inside one savepoint: the first that
cannot run (a table or column a tamperer removed, a value no valid row can
hold) makes that invariant "could not be checked", keeps what its earlier
rules found, and the other invariants still run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ...data.engine import Database
from .context import CheckContext
from .core import INVARIANTS, CheckFailure, CheckReport, Collector, Rule
from .registry import rules_of

COUNTED_TABLES: tuple[tuple[str, str], ...] = (
    ("invoices", "invoice"),
    ("contractor invoices", "master_invoice"),
    ("document records", "document_record"),
    ("time entries", "time_entry"),
    ("payments", "payment"),
    ("audit events", "audit_event"),
)
"""(label, table): how many rows the check looked at, for the summary line."""


def run_check(
    db: Database, *, key_file: Path | None = None, heads_file: Path | None = None
) -> CheckReport:
    """Re-derive every ledger invariant of ``db`` from its raw rows; report every broken one.

    The audit key and the seen heads come from their configured places unless
    ``key_file`` / ``heads_file`` name others. A chain that holds (and is keyed with
    the key at hand) is remembered as seen, so a later run notices it going back.
    """
    context = CheckContext.load(db.display_url, key_file=key_file, heads_file=heads_file)
    with snapshot(db) as conn:
        return check_on(conn, context)


def check_on(conn: Connection, context: CheckContext, *, remember: bool = True) -> CheckReport:
    """Every invariant over what ``conn`` sees (its transaction, uncommitted writes too).

    ``run_check`` passes its read-only snapshot; ``remember`` records a head that
    holds as seen.
    """
    failures: list[CheckFailure] = []
    errors = _uncheckable_errors(conn)
    for invariant in INVARIANTS:
        failures.extend(check_invariant(conn, rules_of(invariant), errors, context))
    counts = count_rows(conn)
    if remember:
        _remember_head(conn, context, errors)
    return CheckReport(checked=INVARIANTS, failures=tuple(failures), counts=tuple(counts))


def _remember_head(
    conn: Connection, context: CheckContext, errors: tuple[type[Exception], ...]
) -> None:
    """Record the verified head as seen (nothing when the chain could not be walked)."""
    savepoint = conn.begin_nested()
    try:
        context.record(conn)
    except errors:
        savepoint.rollback()
    else:
        savepoint.commit()


@contextmanager
def snapshot(db: Database) -> Iterator[Connection]:
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


def _uncheckable_errors(conn: Connection) -> tuple[type[Exception], ...]:
    """Errors that make one invariant uncheckable rather than end the run.

    Database errors (a table or column a tamperer removed) and values no valid row
    can hold (text where a timestamp belongs).
    """
    return (
        SQLAlchemyError,
        getattr(conn.dialect.dbapi, "Error", SQLAlchemyError),
        TypeError,
        ValueError,
    )


def check_invariant(
    conn: Connection,
    rules: tuple[Rule, ...],
    errors: tuple[type[Exception], ...],
    context: CheckContext,
) -> list[CheckFailure]:
    """Run one invariant's rules in order in a savepoint; a rule that fails to run ends it."""
    collector = Collector(conn, context)
    savepoint = conn.begin_nested()
    for rule in rules:
        try:
            rule.run(collector)
        except errors as exc:
            savepoint.rollback()
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            collector.fail(rule, f"could not be checked: {reason}")
            return collector.failures
    savepoint.commit()
    return collector.failures


def count_rows(conn: Connection) -> list[tuple[str, int]]:
    """How many rows of each counted table there are; a table that is gone is left out."""
    out: list[tuple[str, int]] = []
    for label, table in COUNTED_TABLES:
        savepoint = conn.begin_nested()
        try:
            count = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            out.append((label, int(count)))
        except SQLAlchemyError:
            savepoint.rollback()
        else:
            savepoint.commit()
    return out
