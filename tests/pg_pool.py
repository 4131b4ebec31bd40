"""Migrated PostgreSQL databases that are emptied and handed out again, instead of dropped.

``CREATE DATABASE ... TEMPLATE`` costs about 0.1 s, but ``DROP DATABASE`` forces a checkpoint
and costs one to two seconds of the server's time, which the whole PostgreSQL pass pays in
contention. So a test process keeps the databases its tests used: after a test every other
connection to the database is ended, and if the schema is still the template's (same tables,
columns, constraints, indexes, triggers and functions), every table is emptied and given the
template's rows back and every sequence its value, with the triggers off for the purpose
(``session_replication_role = replica``, which also stops the guards that refuse
``DELETE``). A database whose schema a test changed (a tampering test replacing a guard,
say) is dropped and never handed out again. Each test still starts from exactly what a fresh
copy of the template holds, ids included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

FINGERPRINT = """
SELECT md5(coalesce(string_agg(item, '|' ORDER BY item), '')) FROM (
    SELECT 'class:' || c.relname || ':' || c.relkind::text
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
    UNION ALL
    SELECT 'column:' || a.attrelid::regclass::text || ':' || a.attname || ':'
           || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull
           || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'constraint:' || conrelid::regclass::text || ':' || conname || ':'
           || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'index:' || indexrelid::regclass::text || ':' || pg_get_indexdef(indexrelid)
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
     WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'trigger:' || tgname || ':' || tgenabled::text || ':' || pg_get_triggerdef(t.oid)
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'function:' || p.oid::regprocedure::text || ':' || md5(pg_get_functiondef(p.oid))
      FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
    UNION ALL
    SELECT 'setting:' || array_to_string(setconfig, ',') FROM pg_db_role_setting
     WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) AS schema(item)
"""
"""One digest of everything a test could change in a database besides its rows."""

FAST_COMMITS = "SET synchronous_commit = off"
"""Every test database commits without waiting for the WAL to reach the disk: a commit is as
atomic and as visible to other sessions as ever (concurrency tests keep real commits), only
not durable across a crash of the server, which no test is about."""

TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
SEQUENCES = (
    "SELECT schemaname || '.' || sequencename, coalesce(last_value, start_value), "
    "last_value IS NOT NULL FROM pg_sequences WHERE schemaname = 'public'"
)


@dataclass(frozen=True)
class Contents:
    """What a freshly migrated database holds: its schema's digest, rows and sequences."""

    fingerprint: str
    rows: dict[str, bytes]  # table: its rows as COPY's text format
    tables: tuple[str, ...]
    sequences: tuple[tuple[str, int, bool], ...]


def read_contents(conn: Any) -> Contents:
    """The contents of the database ``conn`` is connected to."""
    fingerprint = conn.execute(FINGERPRINT).fetchone()[0]
    tables = tuple(row[0] for row in conn.execute(TABLES))
    rows: dict[str, bytes] = {}
    for table in tables:
        with conn.cursor() as cursor, cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
            data = b"".join(bytes(chunk) for chunk in copy)
        if data:
            rows[table] = data
    sequences = tuple(tuple(row) for row in conn.execute(SEQUENCES))
    return Contents(fingerprint, rows, tables, sequences)  # type: ignore[arg-type]


class PgPool:
    """The databases of one test process, all copies of one migrated template."""

    def __init__(
        self,
        template: str,
        create: Callable[[str], str],
        drop: Callable[[str], None],
        connect: Callable[[str | None], Any],
    ) -> None:
        self.template = template
        self._create, self._drop, self._connect = create, drop, connect
        with self._connect(template) as conn:
            self.contents = read_contents(conn)
        self._free: list[str] = []
        self._all: list[str] = []

    def take(self) -> str:
        """A database holding exactly what the template holds."""
        if self._free:
            return self._free.pop()
        url = self._create(self.template)
        self._all.append(url)
        with self._connect(None) as admin:
            admin.execute(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" {FAST_COMMITS}')
        return url

    def give_back(self, url: str) -> None:
        """Empty ``url`` back to the template's contents for the next test, or drop it."""
        name = url.rsplit("/", 1)[1]
        with self._connect(None) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
        if self._reset(name):
            self._free.append(url)
        else:
            self._all.remove(url)
            self._drop(url)

    def close(self) -> None:
        """Drop every database this pool made."""
        for url in self._all:
            self._drop(url)
        self._all.clear()
        self._free.clear()

    def _reset(self, name: str) -> bool:
        contents = self.contents
        with self._connect(name) as conn:
            if conn.execute(FINGERPRINT).fetchone()[0] != contents.fingerprint:
                return False
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")
                for table in contents.tables:
                    conn.execute(f'DELETE FROM "{table}"')
                for table, data in contents.rows.items():
                    with conn.cursor() as cursor, cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                        copy.write(data)
                for sequence, value, called in contents.sequences:
                    conn.execute("SELECT setval(%s, %s, %s)", (sequence, value, called))
        return True
