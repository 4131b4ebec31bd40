"""PostgreSQL keeps the daily time summary by statement, not by row.

Revision 0005's row triggers run a PL/pgSQL function and an upsert (two for an update) for
every changed entry: claiming the 10,000 tickets of a master invoice took 2.2-2.7 s on the
1,000,000-entry demo, about half of it in those triggers, and so did settling them, processing
WIP or anything else that changes many entries at once (1.2-1.3 s with this revision). Here the three triggers keep their names
but run once per statement, over its transition tables: the changed entries are summed per
key, the sums subtracted from their rows (a row left with no entry is deleted) and added with
one upsert. An update's rows count only where a watched column changed, as 0005's ``WHEN``
did. The figures are the same as 0005's (``tektoro check`` re-derives the table from the
entries; ``tests/data/test_time_day_total.py`` follows every service step and raw SQL).

The summary's rows a statement changes are locked first, in the order of their ids, so two
transactions changing overlapping rows wait for each other rather than deadlock.

SQLite has no statement triggers with transition tables; its row triggers stay.

Revision ID: 0018_day_total_per_statement
Revises: 0017_crew_pay
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import op

revision: str = "0018_day_total_per_statement"
down_revision: str | Sequence[str] | None = "0017_crew_pay"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None



def _revision_0005() -> Any:
    """Revision 0005's module (Alembic loads revisions by path, not as a package): the table,
    key and triggers this revision changes, and the row triggers its downgrade puts back."""
    spec = importlib.util.spec_from_file_location(
        "tektoro_revision_0005", Path(__file__).with_name("0005_time_day_total.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_0005 = _revision_0005()
TABLE: str = _0005.TABLE
KEY: tuple[str, ...] = _0005.KEY
WATCHED: tuple[str, ...] = _0005.WATCHED
FIGURES: tuple[str, ...] = _0005.FIGURES
ON_INSERT, ON_DELETE, ON_UPDATE = _0005.PG_TRIGGERS
TRIGGERS = {
    # name: (event, transition tables, function)
    ON_INSERT: ("INSERT", "NEW TABLE AS new_rows", "time_day_total_add_rows"),
    ON_DELETE: ("DELETE", "OLD TABLE AS old_rows", "time_day_total_take_rows"),
    ON_UPDATE: ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "time_day_total_move_rows"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON time_entry")
    op.execute(f"DROP FUNCTION IF EXISTS {_0005.PG_FUNCTION}()")
    for sql in pg_statement_trigger_sql():
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (_event, _tables, function) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON time_entry")
        op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    for sql in _0005.pg_trigger_sql():  # its row triggers, as they were
        op.execute(sql)


def _same_key(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} = {right}.{c}" for c in KEY)


def _lock(keys: str) -> str:
    """Lock the summary rows of the entries in ``keys`` in the order of their ids."""
    return (
        f"PERFORM 1 FROM {TABLE} t JOIN ({keys}) s ON {_same_key('t', 's')} "
        "ORDER BY t.id FOR UPDATE OF t;"
    )


def _sums(entries: str) -> str:
    key = ", ".join(KEY)
    return (
        f"SELECT {key}, count(*) AS entries, sum(minutes) AS minutes, "
        f"sum(value_cents) AS value_cents FROM {entries} e GROUP BY {key}"
    )


def _take(entries: str) -> str:
    """Subtract the figures of ``entries`` from their keys' rows; delete the rows left empty."""
    key = ", ".join(KEY)
    return (
        f"UPDATE {TABLE} t SET entries = t.entries - s.entries, "
        "minutes = t.minutes - s.minutes, value_cents = t.value_cents - s.value_cents "
        f"FROM ({_sums(entries)}) s WHERE {_same_key('t', 's')};\n"
        f"    DELETE FROM {TABLE} t USING (SELECT DISTINCT {key} FROM {entries} e) s "
        f"WHERE {_same_key('t', 's')} AND t.entries = 0;"
    )


def _add(entries: str) -> str:
    """Add the figures of ``entries`` to their keys' rows (one upsert)."""
    key = ", ".join(KEY)
    sets = ", ".join(f"{f} = {TABLE}.{f} + excluded.{f}" for f in FIGURES)
    return (
        f"INSERT INTO {TABLE} ({key}, entries, minutes, value_cents) {_sums(entries)} "
        f"ON CONFLICT ({key}) DO UPDATE SET {sets};"
    )


def pg_statement_trigger_sql() -> list[str]:
    """The three functions and the three statement triggers of PostgreSQL."""
    key = ", ".join(KEY)
    changed = (
        f"({', '.join(f'o.{c}' for c in WATCHED)}) IS DISTINCT FROM "
        f"({', '.join(f'n.{c}' for c in WATCHED)})"
    )
    moved = "FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE " + changed
    gone = f"(SELECT o.* {moved})"
    come = f"(SELECT n.* {moved})"
    bodies = {
        "time_day_total_add_rows": f"{_lock(f'SELECT DISTINCT {key} FROM new_rows')}\n"
        f"    {_add('new_rows')}",
        "time_day_total_take_rows": f"{_lock(f'SELECT DISTINCT {key} FROM old_rows')}\n"
        f"    {_take('old_rows')}",
        # only the entries whose key or figures changed, as 0005's WHEN
        "time_day_total_move_rows": (
            f"{_lock(f'SELECT {key} FROM {gone} g UNION SELECT {key} FROM {come} c')}\n"
            f"    {_take(gone)}\n    {_add(come)}"
        ),
    }
    statements = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
        f"BEGIN\n    {body}\n    RETURN NULL;\nEND\n$fn$"
        for function, body in bodies.items()
    ]
    for name, (event, tables, function) in TRIGGERS.items():
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON time_entry REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    return statements
