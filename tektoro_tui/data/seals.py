"""The ledger rows the audit log vouches for, and how a write learns which rows it touched.

Every row of :data:`SEALED_TABLES` is vouched for by the audit event that last wrote
it: the event carries the row's content digest (``domain.audit.row_digest``), and
``tektoro check`` compares each row with the digest of its latest event.

A unit of work must seal exactly the rows it wrote, however it wrote them (the ORM,
a bulk ``UPDATE``, ``COPY``), and never a row someone else changed below the
program. So the rows are collected by the database, into a temporary table of the
writing connection (``tektoro_touched``), and only there:

- **SQLite.** Temporary triggers, created on the writing connection only
  (:func:`start_tracking`), insert into its temporary table. Another connection -
  the ``sqlite3`` shell, another program - has no such triggers, so its changes are
  never collected, never sealed, and ``check`` reports them.
- **PostgreSQL.** Statement triggers with transition tables (migration
  ``0006_audit_seals``) insert the ids into the session's temporary table, but only
  while the transaction has set ``tektoro.track_seals`` (:data:`PG_TRACK_SETTING`),
  which a unit of work does at its start.

:func:`take_touched` then reads and empties the collection, and :func:`digests_of`
computes the digests of those rows as the transaction leaves them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from ..domain.audit import row_digest
from .models import metadata

SEALED_TABLES: tuple[str, ...] = (
    "invoice",
    "invoice_line",
    "payment",
    "master_invoice",
    "master_invoice_line",
    "document_record",
    "document_line",
    "time_entry",
)
"""Tables whose every row is vouched for by an audit event, in the order ``check`` reads them."""

TOUCHED_TABLE = "tektoro_touched"
"""The temporary table (one per writing connection) that collects the touched rows."""

PG_TRACK_SETTING = "tektoro.track_seals"
"""The transaction setting under which PostgreSQL's tracking triggers collect rows."""

TRACK_TRIGGER_PREFIX = "seal_track_"
"""Names of the tracking triggers (not ``tektoro_``: that prefix is the frozen-record guards')."""

_ID_CHUNK = 500
STREAM_BATCH = 5_000
"""Rows fetched from the driver at a time while a whole table is digested."""


def sealed_columns(table: str) -> tuple[str, ...]:
    """The columns a row digest of ``table`` covers, by name (the model's, at head)."""
    return tuple(sorted(column.name for column in metadata.tables[table].columns))


def _sqlite_trigger_sql(table: str) -> list[str]:
    """The temporary triggers that collect the rows of ``table`` this connection writes."""
    insert = f"INSERT OR IGNORE INTO {TOUCHED_TABLE} (tbl, row_id) VALUES ('{table}', "
    name = f"{TRACK_TRIGGER_PREFIX}{table}"
    return [
        f"CREATE TEMP TRIGGER IF NOT EXISTS {name}_ins AFTER INSERT ON {table} "
        f"BEGIN {insert}NEW.id); END",
        f"CREATE TEMP TRIGGER IF NOT EXISTS {name}_upd AFTER UPDATE ON {table} "
        f"BEGIN {insert}OLD.id); {insert}NEW.id); END",
        f"CREATE TEMP TRIGGER IF NOT EXISTS {name}_del AFTER DELETE ON {table} "
        f"BEGIN {insert}OLD.id); END",
    ]


_SQLITE_TRIGGERS = 3 * len(SEALED_TABLES)


def start_tracking(conn: Connection) -> None:
    """Collect the sealed rows this transaction writes (call at the start of a write)."""
    if conn.dialect.name == "sqlite":
        found = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM sqlite_temp_master WHERE type = 'trigger' "
            f"AND name LIKE '{TRACK_TRIGGER_PREFIX}%'"
        ).scalar_one()
        if found != _SQLITE_TRIGGERS:
            conn.exec_driver_sql(
                f"CREATE TEMP TABLE IF NOT EXISTS {TOUCHED_TABLE} (tbl TEXT NOT NULL, "
                "row_id INTEGER NOT NULL, PRIMARY KEY (tbl, row_id)) WITHOUT ROWID"
            )
            for table in SEALED_TABLES:
                for sql in _sqlite_trigger_sql(table):
                    conn.exec_driver_sql(sql)
        return
    ready = conn.exec_driver_sql(
        f"SELECT set_config('{PG_TRACK_SETTING}', 'on', true), "
        f"to_regclass('pg_temp.{TOUCHED_TABLE}') IS NOT NULL"
    ).one()[1]
    if not ready:
        conn.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS {TOUCHED_TABLE} (tbl text NOT NULL, "
            "row_id bigint NOT NULL, PRIMARY KEY (tbl, row_id)) ON COMMIT DELETE ROWS"
        )


def take_touched(conn: Connection) -> dict[str, list[int]]:
    """The sealed rows this transaction wrote, by table; the collection is emptied."""
    schema = "temp" if conn.dialect.name == "sqlite" else "pg_temp"
    rows = conn.exec_driver_sql(f"SELECT tbl, row_id FROM {schema}.{TOUCHED_TABLE}").all()
    if not rows:
        return {}
    conn.exec_driver_sql(f"DELETE FROM {schema}.{TOUCHED_TABLE}")
    touched: dict[str, list[int]] = {}
    for table, ident in rows:
        touched.setdefault(str(table), []).append(int(ident))
    return touched


def digests_of(conn: Connection, table: str, ids: Sequence[int]) -> dict[int, str | None]:
    """The digest of each row ``ids`` of ``table`` as it stands now; None for a gone row."""
    names = sealed_columns(table)
    at = names.index("id")
    columns = ", ".join(names)
    found: dict[int, str | None] = dict.fromkeys(ids)
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _ID_CHUNK):
        chunk = ",".join(str(int(i)) for i in ordered[start : start + _ID_CHUNK])
        for row in conn.exec_driver_sql(f"SELECT {columns} FROM {table} WHERE id IN ({chunk})"):
            found[int(row[at])] = row_digest(table, names, row)
    return found


def stream_rows(conn: Connection, table: str) -> Iterator[Sequence[Any]]:
    """Every row of ``table`` (its :func:`sealed_columns`, raw from the driver), in batches.

    A server-side cursor on PostgreSQL keeps memory flat on a million rows.
    """
    driver = conn.connection.driver_connection
    assert driver is not None
    columns = ", ".join(sealed_columns(table))
    if conn.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"tektoro_rows_{table}")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(f"SELECT {columns} FROM {table}")
        while batch := cursor.fetchmany(STREAM_BATCH):
            yield batch
    finally:
        cursor.close()


def digest_table(conn: Connection, table: str) -> Iterator[tuple[int, str]]:
    """(id, digest) of every row of ``table``."""
    names = sealed_columns(table)
    at = names.index("id")
    for batch in stream_rows(conn, table):
        for row in batch:
            yield int(row[at]), row_digest(table, names, row)


def seal_everything(conn: Connection) -> dict[str, dict[int, str | None]]:
    """The seals of every row of every sealed table, as they stand now."""
    return {table: dict(digest_table(conn, table)) for table in SEALED_TABLES}


def seals_of(
    conn: Connection, touched: Mapping[str, Sequence[int]]
) -> dict[str, dict[int, str | None]]:
    """The seals of the ``touched`` rows: each row's digest, or None where it is gone."""
    return {
        table: digests_of(conn, table, ids)
        for table, ids in touched.items()
        if table in SEALED_TABLES and ids
    }
