"""Schema migrations: where the database stands and bringing it up to date.

The Alembic environment ships inside the package (``data/migrations``); no
``alembic.ini`` is needed. The CLI's ``tektoro db upgrade`` calls
:func:`upgrade`; the app and the CLI call :func:`ensure_schema` on start, which
creates the schema of an empty database and refuses to work on one that is
behind or ahead of this program.

Alembic is imported only when it is needed: to migrate, to report the status,
or when a database is not at :data:`HEAD`. Every start of the program checks the
schema with one SELECT of the version table against that constant, which a test
keeps equal to the newest shipped revision.

Each upgrade runs in one transaction: on SQLite a ``BEGIN IMMEDIATE`` write
transaction (with foreign-key enforcement switched off for its duration, as
SQLite requires for batch-mode table rebuilds, and a ``PRAGMA
foreign_key_check`` before commit); on PostgreSQL a transaction holding an
advisory lock, so two programs starting at once on an empty server do not both
try to create the schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ..errors import ConfigError, DatabaseError
from .constants import HEAD as HEAD
from .constants import VERSION_TABLE
from .engine import WRITE_OPTION, Database, translate_db_error
from .models import metadata

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# An arbitrary constant key for pg_advisory_xact_lock: "tektoro" schema upgrades.
_PG_LOCK_KEY = 0x7E470_0001


def alembic_config() -> Config:
    """The Alembic configuration, built in code around the shipped migrations folder."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


@cache
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision among the shipped migrations, as Alembic reads them."""
    head = _script().get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise ConfigError("This installation ships no database migrations.")
    return head


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema stands relative to this program."""

    current: str | None
    head: str
    is_empty: bool
    up_to_date: bool
    pending: tuple[str, ...]

    @property
    def known(self) -> bool:
        """False when the database carries a revision this program does not know."""
        return self.current is None or is_known_revision(self.current)


def is_known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of the revisions shipped with this program."""
    from alembic.util import CommandError

    try:
        return _script().get_revision(revision) is not None
    except CommandError:
        return False


def _pending(current: str | None) -> tuple[str, ...]:
    if current is not None and not is_known_revision(current):
        return ()
    head = head_revision()
    steps = _script().iterate_revisions(head, current)  # newest first
    return tuple(reversed([script.revision for script in steps]))


def _status_on(conn: Connection) -> SchemaStatus:
    from alembic.runtime.migration import MigrationContext

    tables = set(inspect(conn).get_table_names())
    ours = {table.name for table in metadata.sorted_tables}
    current = MigrationContext.configure(conn).get_current_revision()
    head = head_revision()
    return SchemaStatus(
        current=current,
        head=head,
        is_empty=not (tables & ours),
        up_to_date=current == head,
        pending=_pending(current),
    )


def schema_status(db: Database) -> SchemaStatus:
    """Read the schema revision of ``db`` and compare it with this program's head."""
    from alembic.util import CommandError

    try:
        with db.engine.connect() as conn:
            try:
                return _status_on(conn)
            finally:
                conn.rollback()
    except CommandError as exc:
        raise ConfigError(f"The database schema of {db.display_url} is unreadable: {exc}") from exc
    except DBAPIError as exc:
        raise translate_db_error(exc, db.display_url) from exc


@contextmanager
def _migration_connection(db: Database) -> Iterator[Connection]:
    """One write transaction for a whole migration run, committed at the end."""
    with db.engine.connect() as conn:
        sqlite = db.backend == "sqlite"
        if sqlite:
            # PRAGMA foreign_keys is a no-op inside a transaction: set it before BEGIN, on
            # the driver connection (SQLAlchemy would begin a transaction first).
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                if db.backend == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
                yield conn
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise DatabaseError(
                            "The migration would leave rows pointing at missing records "
                            f"(first: table {broken[0][0]}, row {broken[0][1]}); nothing "
                            "was changed."
                        )
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def _run(db: Database, action: str, target: str) -> SchemaStatus:
    from alembic import command
    from alembic.util import CommandError

    config = alembic_config()
    try:
        with _migration_connection(db) as conn:
            config.attributes["connection"] = conn
            if action == "upgrade":
                command.upgrade(config, target)
            else:
                command.downgrade(config, target)
    except CommandError as exc:
        raise ConfigError(
            f"Cannot {action} the database schema of {db.display_url} to '{target}': {exc}"
        ) from exc
    except DBAPIError as exc:
        translated = translate_db_error(exc, db.display_url)
        if isinstance(translated, ConfigError):  # a set-up problem with its own fix
            raise translated from exc
        reason = str(exc.orig if exc.orig is not None else exc).strip().splitlines()[0]
        raise DatabaseError(
            f"The schema {action} of {db.display_url} to '{target}' failed and nothing was "
            f"changed: {reason}"
        ) from exc
    return schema_status(db)


def upgrade(db: Database, target: str = "head") -> SchemaStatus:
    """Apply every pending migration up to ``target`` in one transaction."""
    return _run(db, "upgrade", target)


def downgrade(db: Database, target: str) -> SchemaStatus:
    """Revert migrations down to ``target`` (``"base"`` removes every table). For tests/admins."""
    return _run(db, "downgrade", target)


def ensure_schema(db: Database, *, create: bool = True) -> SchemaStatus:
    """Make sure ``db`` has this program's schema; create it on an empty database.

    Raises :class:`ConfigError` when the schema is behind (the user should run
    ``tektoro db upgrade``), was written by a newer version of the program, or when ``db``
    is empty and ``create`` is false (only the commands that make a firm may fill an empty
    database).
    """
    if _recorded_revisions(db) == [HEAD]:
        return SchemaStatus(current=HEAD, head=HEAD, is_empty=False, up_to_date=True, pending=())
    status = schema_status(db)
    if status.up_to_date:
        return status
    if status.current is not None and not status.known:
        raise ConfigError(
            f"The database {db.display_url} has schema revision '{status.current}', which this "
            f"version of TekToro does not know (its newest is '{status.head}'). It was written "
            "by a newer version: upgrade TekToro before using this database."
        )
    if status.is_empty:
        if not create:
            raise ConfigError(
                f"The database {db.display_url} is empty: it holds no TekToro firm. "
                "'tektoro init' creates one, 'tektoro demo' a demo firm.",
                title="No firm in this database",
            )
        return upgrade(db)
    if status.current is None:
        raise ConfigError(
            f"The database {db.display_url} contains TekToro tables but no schema revision, "
            "so it cannot be upgraded safely. Use an empty database or restore a backup."
        )
    raise ConfigError(
        f"The database schema of {db.display_url} is at revision '{status.current}' but this "
        f"version of TekToro needs '{status.head}' ({len(status.pending)} migration(s) "
        "pending). Back up the database, then run `tektoro db upgrade`."
    )


def _recorded_revisions(db: Database) -> list[str] | None:
    """The revisions in ``db``'s version table; None when there is no such table (an empty
    database). A database that cannot be reached raises :class:`DatabaseError`."""
    try:
        conn = db.engine.connect()
    except DBAPIError as exc:
        raise translate_db_error(exc, db.display_url) from exc
    with conn:
        try:
            rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
        except DBAPIError:
            return None
        finally:
            conn.rollback()
    return [str(row[0]) for row in rows]
