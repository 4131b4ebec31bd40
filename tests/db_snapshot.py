"""Every row of every table of a database, to show that an action wrote nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text

from tektoro_tui.data.engine import Database


def db_snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Each table's rows (SQLite's own bookkeeping tables too), sorted, by table name.

    Read through an engine of its own, so nothing a service holds open or caches can hide a
    write; the schema is reflected, so a table added later is compared as well.
    """
    db = Database.open(url)
    try:
        with db.engine.connect() as conn:
            names = sorted(inspect(conn).get_table_names())
            if conn.dialect.name == "sqlite":
                names += [
                    name
                    for (name,) in conn.execute(
                        text("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
                    )
                ]
            return {
                name: sorted(
                    (tuple(row) for row in conn.execute(text(f'SELECT * FROM "{name}"'))),
                    key=repr,
                )
                for name in names
            }
    finally:
        db.dispose()
