"""Loading rows fast: ``executemany`` on SQLite, ``COPY`` on PostgreSQL, and the daily time
summary around the load.

The daily time summary (``time_day_total``) would otherwise be updated by a trigger for each
of the million inserted entries; its triggers are dropped for the bulk load and re-created
from their stored definitions, and the table is rebuilt with one grouped ``INSERT ... SELECT``,
all inside the loading transaction. Every later write goes through the triggers.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from ...data.engine import Database
from ...domain.permissions import Perm
from ..base import Actor, ServiceBase, UnitOfWork, bound_values


class AuditedBulkWriter(ServiceBase):
    """Gives a bulk load the real unit of work (permission check, audit, change events, and
    the seals of the rows it writes)."""

    def load(self, actor: Actor) -> AbstractContextManager[UnitOfWork]:
        """One write transaction by ``actor``, who must be allowed to manage the settings."""
        return self._write(actor, Perm.SETTINGS_MANAGE)


def max_id(session: Session, model: type[Any]) -> int:
    """The highest id in ``model``'s table (0 when empty)."""
    return int(session.execute(select(func.coalesce(func.max(model.id), 0))).scalar_one())


class BulkInserter:
    """Inserts many rows fast: Core ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""

    def __init__(self, session: Session, backend: str) -> None:
        self.session = session
        self.backend = backend
        self.tables: set[str] = set()
        if backend == "sqlite":
            # A larger page cache for this one connection keeps the index updates in memory.
            session.execute(text("PRAGMA cache_size = -262144"))

    def insert(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        converted: bool = False,
    ) -> None:
        """Insert ``rows`` (values in ``columns`` order) into ``table``; ``converted`` rows are
        already what SQLite's driver is handed."""
        if not rows:
            return
        self.tables.add(table.name)
        if self.backend == "postgresql":
            self._copy(table, columns, rows)
            return
        self._executemany(table, columns, rows, converted)

    def _executemany(
        self, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]], ready: bool
    ) -> None:
        """Hand ``rows`` to the sqlite3 driver in one ``executemany`` (SQLite), each value
        converted as SQLAlchemy would (:func:`~tektoro_tui.services.base.bound_values`) unless
        they are ``ready``."""
        connection = self.session.connection()
        if ready:
            converted = rows
        else:
            convert = bound_values(table, columns, connection.dialect)
            converted = [convert(row) for row in rows]
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
        driver = connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            cursor.executemany(sql, converted)
        finally:
            cursor.close()

    def _copy(self, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Stream ``rows`` through one ``COPY ... FROM STDIN`` (PostgreSQL)."""
        raw = self.session.connection().connection.driver_connection
        sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        """On PostgreSQL, move each id sequence past the explicit ids written."""
        if self.backend != "postgresql":
            return
        for name in sorted(self.tables):
            self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
            )


SUMMARY_TRIGGER_PREFIX = "time_day_total_"
SUMMARY_KEY = "work_date, owner_id, project_id, status, pay_status, billable"


def drop_summary_triggers(session: Session, backend: str) -> list[str]:
    """Drop the summary triggers of ``time_entry``; return the SQL that re-creates them."""
    connection = session.connection()
    if backend == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'time_entry' ORDER BY name"
        ).all()
        found = [(name, sql) for name, sql in rows if name.startswith(SUMMARY_TRIGGER_PREFIX)]
        for name, _sql in found:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        return [sql for _name, sql in found]
    rows = connection.exec_driver_sql(
        "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relname = 'time_entry' AND NOT t.tgisinternal ORDER BY t.tgname"
    ).all()
    found = [(name, sql) for name, sql in rows if name.startswith(SUMMARY_TRIGGER_PREFIX)]
    for name, _sql in found:
        connection.exec_driver_sql(f"DROP TRIGGER {name} ON time_entry")
    return [sql for _name, sql in found]


def drop_foreign_keys(
    session: Session, backend: str, tables: Sequence[str]
) -> list[tuple[str, str, str]]:
    """PostgreSQL: drop the foreign keys of ``tables`` for a load into them, and return them
    (table, name, definition) for :func:`restore_foreign_keys`.

    Each one checks every row by a trigger of its own (ten a time entry: ten million queries
    for a million entries); re-created after the load, inside the same transaction, each
    checks all the rows in one query, and the load fails and rolls back if any row breaks it.
    SQLite checks its foreign keys in C as it inserts, and cannot turn them off within a
    transaction: nothing is dropped there."""
    if backend != "postgresql":
        return []
    connection = session.connection()
    found = [
        (str(table), str(name), str(definition))
        for table, name, definition in connection.exec_driver_sql(
            "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid "
            "WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace "
            f"AND c.relname IN ({', '.join(repr(t) for t in tables)}) "
            "ORDER BY c.relname, k.conname"
        ).all()
    ]
    for table, name, _definition in found:
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return found


def restore_foreign_keys(session: Session, dropped: Sequence[tuple[str, str, str]]) -> None:
    """Re-create the foreign keys :func:`drop_foreign_keys` dropped, as they were (each checks
    every row now in the table)."""
    connection = session.connection()
    for table, name, definition in dropped:
        connection.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def rebuild_summary(session: Session, triggers: Sequence[str]) -> None:
    """Refill the daily time summary from the entries, then re-create its triggers."""
    connection = session.connection()
    connection.exec_driver_sql("DELETE FROM time_day_total")
    connection.exec_driver_sql(
        f"INSERT INTO time_day_total ({SUMMARY_KEY}, entries, minutes, value_cents) "
        f"SELECT {SUMMARY_KEY}, COUNT(*), SUM(minutes), SUM(value_cents) FROM time_entry "
        f"GROUP BY {SUMMARY_KEY}"
    )
    for sql in triggers:
        connection.exec_driver_sql(sql)


BULK_TABLES = (
    "time_entry",
    "document_record",
    "document_line",
    "time_day_total",
)


def refresh_statistics(db: Database) -> None:
    """Give the planner fresh statistics after the bulk load.

    On PostgreSQL a freshly COPY-loaded table has no visibility map, so index-only scans
    fall back to reading the table; VACUUM ANALYZE (outside a transaction) fixes both.
    """
    if db.backend == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in BULK_TABLES:
                conn.execute(text(f"VACUUM ANALYZE {table}"))
    else:
        with db.write() as session:
            session.execute(text("ANALYZE"))
