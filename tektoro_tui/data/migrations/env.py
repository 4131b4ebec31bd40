"""Alembic environment shipped inside the package.

The program runs migrations through :mod:`tektoro_tui.data.migrate`, which
passes an open connection (already inside its transaction) as
``config.attributes["connection"]``. For a developer generating a new revision
with the ``alembic`` command line, a URL may be given instead as the
``sqlalchemy.url`` main option or ``TEKTORO_DATABASE_URL``.

Batch mode is on so that column and constraint changes also run on SQLite.
Beware: on SQLite a batch operation recreates the table, which drops the
ledger triggers on it (revision ``0002_ledger_triggers``); a later revision
that alters such a table must create its triggers again.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlmodel.sql.sqltypes import AutoString

from tektoro_tui.data.models import metadata
from tektoro_tui.data.types import UTCDateTime

target_metadata = metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy types, so revisions never import them."""
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, AutoString):
        length = getattr(obj.impl, "length", None)
        return f"sa.String(length={length})" if length is not None else "sa.String()"
    return False


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run with the caller's connection, or connect to the configured URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get("TEKTORO_DATABASE_URL")
    if not url:
        raise RuntimeError(
            "No database: pass a connection in config.attributes['connection'], "
            "set sqlalchemy.url, or set TEKTORO_DATABASE_URL."
        )
    from tektoro_tui.data.engine import WRITE_OPTION, create_db_engine

    engine = create_db_engine(url)
    try:
        with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
            _configure_and_run(conn)
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    """Emit SQL for a URL without connecting (``alembic upgrade --sql``)."""
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get("TEKTORO_DATABASE_URL")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
