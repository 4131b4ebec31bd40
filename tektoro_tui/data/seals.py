"""The ledger rows the audit log vouches for, and how a write learns which rows it touched.

Every row of :data:`SEALED_TABLES` is vouched for by the audit event that last wrote
it: the event carries the row's content digest (``domain.audit.row_digest``), and
``tektoro check`` compares each row with the digest of its latest event.

A unit of work must seal exactly the rows it wrote, however it wrote them (the ORM,
a bulk ``UPDATE``, ``COPY``), and never a row someone else changed below the
program. So the rows are collected by triggers of the database (migration
``0008_audit_seals``), for the writing connection only:

- **SQLite.** Row triggers call a function only the program's own connections have
  (:class:`SqliteTracker`), which files the row while a unit of work tracks.
- **PostgreSQL.** Statement triggers with transition tables insert the ids into the
  session's temporary table ``tektoro_touched``, but only while the transaction has
  set ``tektoro.track_seals`` (:data:`PG_TRACK_SETTING`), which a unit of work does at
  its start.

Either way a change made on another connection - the ``sqlite3`` shell, ``psql``,
another program, the same program outside a unit of work - is never collected,
never sealed, and ``check`` reports it.

:func:`take_touched` then reads and empties the collection, and :func:`digests_of`
computes the digests of those rows as the transaction leaves them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Boolean, Date, Integer
from sqlalchemy.engine import Connection

from ..domain.audit import NAME_SEPARATOR, ROW_SEPARATOR, digest_of_text
from .models import metadata
from .types import UTCDateTime

SEALED_TABLES: tuple[str, ...] = (
    "invoice",
    "invoice_line",
    "payment",
    "master_invoice",
    "master_invoice_line",
    "document_record",
    "document_line",
    "time_entry",
    "subcontract_agreement",
    "daily_report",
    "subcontract_settlement",
    "work_shift",
    "payroll_period",
)
"""Tables whose every row is vouched for by an audit event, in the order ``check`` reads them."""

TOUCHED_TABLE = "tektoro_touched"
"""PostgreSQL's temporary table (one per session) that collects the touched rows."""

PG_TRACK_SETTING = "tektoro.track_seals"
"""The transaction setting under which PostgreSQL's tracking triggers collect rows."""

TRACK_TRIGGER_PREFIX = "seal_track_"
"""Names of the tracking triggers (not ``tektoro_``: that prefix is the frozen-record guards')."""

_ID_CHUNK = 500
_RANGE_CHUNK = 5_000
STREAM_BATCH = 5_000
"""Rows fetched from the driver at a time while a whole table is digested."""


def sealed_columns(table: str) -> tuple[str, ...]:
    """The columns a row digest of ``table`` covers, by name (the model's, at head)."""
    return tuple(sorted(column.name for column in metadata.tables[table].columns))


def _as_text(table: str, name: str, dialect: str) -> str:
    """The column as the text a digest hashes, the same on both backends (NULL stays NULL):
    integers in decimal, booleans 1/0, dates ``YYYY-MM-DD``, timestamps in UTC
    ``YYYY-MM-DD HH:MM:SS.ffffff`` (the form SQLite stores them in)."""
    if dialect == "sqlite":
        return f"CAST({name} AS TEXT)"
    kind = metadata.tables[table].columns[name].type
    if isinstance(kind, UTCDateTime):
        return f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    if isinstance(kind, Date):
        return f"to_char({name}, 'YYYY-MM-DD')"
    if isinstance(kind, Boolean):
        return f"CASE WHEN {name} THEN '1' WHEN NOT {name} THEN '0' END"
    if isinstance(kind, Integer):
        return f"{name}::text"
    return f"{name}::text"


def text_columns(table: str, dialect: str) -> str:
    """``SELECT`` list of the sealed columns of ``table`` as text, in :func:`sealed_columns`
    order: what :class:`~tektoro_tui.domain.audit.RowDigester` digests."""
    return ", ".join(_as_text(table, name, dialect) for name in sealed_columns(table))


def digest_text(table: str, dialect: str) -> str:
    """A SQL expression of a row's digest text (:func:`~tektoro_tui.domain.audit.digest_of_text`),
    built by the database from :func:`text_columns`: the table's name, then each non-NULL
    column's name and value. A million rows' texts are joined by the database's C code instead
    of a Python loop over every cell, and the driver hands over one value a row."""
    char = "char" if dialect == "sqlite" else "chr"
    row, name_end = f"{char}({ord(ROW_SEPARATOR)})", f"{char}({ord(NAME_SEPARATOR)})"
    parts = [f"'{table}'"]
    for name in sealed_columns(table):
        value = _as_text(table, name, dialect)
        parts.append(f"COALESCE({row} || '{name}' || {name_end} || {value}, '')")
    return " || ".join(parts)


class SqliteTracker:
    """The rows one SQLite connection collects while a unit of work tracks them.

    The tracking triggers of migration 0006 call :data:`SQLITE_TOUCH_FUNCTION` in their
    ``WHEN`` clause; the program registers it on each of its connections
    (:func:`register_sqlite_function`), and it files the row here (and returns 0, so
    the trigger body never runs). A connection of another program has no such
    function: its writes to the sealed tables fail until the triggers are dropped, and
    either way nothing it writes is sealed.
    """

    def __init__(self) -> None:
        self.active = False
        self.rows: dict[str, set[int]] = {}

    def touch(self, table: str, ident: object) -> int:
        """File one written row (while tracking)."""
        if self.active and isinstance(ident, int):
            self.rows.setdefault(table, set()).add(ident)
        return 0


SQLITE_TOUCH_FUNCTION = "tektoro_touch"
_TRACKER = "tektoro_touched"


def register_sqlite_function(dbapi_conn: Any, info: dict[Any, Any]) -> None:
    """Give a new SQLite connection the function the tracking triggers call."""
    tracker = SqliteTracker()
    info[_TRACKER] = tracker
    dbapi_conn.create_function(SQLITE_TOUCH_FUNCTION, 2, tracker.touch)


def _sqlite_tracker(conn: Connection) -> SqliteTracker:
    tracker = conn.connection.info.get(_TRACKER)
    if not isinstance(tracker, SqliteTracker):
        raise RuntimeError("this SQLite connection was not opened by tektoro's engine")
    return tracker


def start_tracking(conn: Connection) -> None:
    """Collect the sealed rows this transaction writes (call at the start of a write)."""
    if conn.dialect.name == "sqlite":
        tracker = _sqlite_tracker(conn)
        tracker.rows.clear()
        tracker.active = True
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
    """The sealed rows this transaction wrote, by table; tracking stops and is emptied."""
    if conn.dialect.name == "sqlite":
        tracker = _sqlite_tracker(conn)
        touched = {table: sorted(ids) for table, ids in tracker.rows.items() if ids}
        tracker.rows.clear()
        tracker.active = False
        return touched
    rows = conn.exec_driver_sql(f"SELECT tbl, row_id FROM pg_temp.{TOUCHED_TABLE}").all()
    if not rows:
        return {}
    conn.exec_driver_sql(f"DELETE FROM pg_temp.{TOUCHED_TABLE}")
    found: dict[str, list[int]] = {}
    for table, ident in rows:
        found.setdefault(str(table), []).append(int(ident))
    return found


def digests_of(conn: Connection, table: str, ids: Sequence[int]) -> dict[int, str | None]:
    """The digest of each row ``ids`` of ``table`` as it stands now; None for a gone row."""
    select = digest_text(table, conn.dialect.name)
    found: dict[int, str | None] = dict.fromkeys(ids)
    ordered = sorted(set(ids))
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()  # the driver's own rows: a bulk write seals a million of them
    try:
        for where in id_conditions(ordered):
            cursor.execute(f"SELECT {select}, id FROM {table} WHERE {where}")
            for text, ident in cursor.fetchall():
                found[int(ident)] = digest_of_text(text)
    finally:
        cursor.close()
    return found


def id_conditions(ordered: Sequence[int]) -> Iterator[str]:
    """``WHERE`` conditions that together select exactly the rows ``ordered`` (ascending, no
    repeats) names: a run of at least :data:`_ID_CHUNK` consecutive ids as one ``BETWEEN`` of
    at most :data:`_RANGE_CHUNK` (a bulk write's million rows in two hundred queries, not two
    thousand), the others as ``IN`` lists of at most :data:`_ID_CHUNK`."""
    count, start = len(ordered), 0
    while start < count:
        end = start  # the run of consecutive ids from start
        while (
            end + 1 < count
            and ordered[end + 1] == ordered[end] + 1
            and end + 1 - start < _RANGE_CHUNK
        ):
            end += 1
        if end + 1 - start >= _ID_CHUNK:
            yield f"id BETWEEN {int(ordered[start])} AND {int(ordered[end])}"
            start = end + 1
            continue
        chunk = ordered[start : start + _ID_CHUNK]
        yield f"id IN ({','.join(str(int(i)) for i in chunk)})"
        start += len(chunk)


def stream_rows(conn: Connection, table: str) -> Iterator[Sequence[Any]]:
    """Every row of ``table`` (its digest text, then the id), in batches.

    A server-side cursor on PostgreSQL keeps memory flat on a million rows.
    """
    driver = conn.connection.driver_connection
    assert driver is not None
    select = f"{digest_text(table, conn.dialect.name)}, id"
    if conn.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"tektoro_rows_{table}")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(f"SELECT {select} FROM {table}")
        while batch := cursor.fetchmany(STREAM_BATCH):
            yield batch
    finally:
        cursor.close()


def digest_table(conn: Connection, table: str) -> Iterator[tuple[int, str]]:
    """(id, digest) of every row of ``table``."""
    for batch in stream_rows(conn, table):
        for text, ident in batch:
            yield int(ident), digest_of_text(text)


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
