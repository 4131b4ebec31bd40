"""Engines and transactions for SQLite and PostgreSQL.

SQLite gets WAL, enforced foreign keys, ``synchronous=FULL``, a busy
timeout and the function the seal-tracking triggers call on every connection.
The driver's own transaction handling is switched off so that we issue
``BEGIN`` ourselves: ``BEGIN IMMEDIATE`` for a write
transaction (the write lock is taken up front, so two writers queue instead of
failing half-way), a plain deferred ``BEGIN`` for reads.

PostgreSQL is reached through psycopg 3. Both backends are used through
:class:`Database`, whose :meth:`Database.write` and :meth:`Database.read` open
one session for one user action.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool, StaticPool
from sqlmodel import create_engine

from ..errors import (
    ConfigError,
    ConflictError,
    DatabaseError,
    LedgerError,
    Problem,
    ValidationError,
    shown,
)
from .guards import FROZEN_MARKER as FROZEN_MARKER  # defined with the guards, read here
from .seals import register_sqlite_function

SQLITE_BUSY_TIMEOUT_MS = 15_000
WRITE_OPTION = "tektoro_write"


def normalise_url(url: str) -> URL:
    """Accept ``postgresql://`` and ``postgres://`` and pick the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


NO_DATABASE = "No such database"
PATH_SHOWN = 300
"""How much of a path a message quotes."""
_PG_MISSING_DATABASE = re.compile(r'database "([^"]*)" does not exist')


def check_sqlite_file(url: URL, *, create: bool) -> None:
    """Refuse a SQLite URL whose file is missing (unless ``create``) or cannot be a database.

    SQLite creates any file it is pointed at, so a typo in ``--db`` would otherwise become a
    new, empty database that every command reports as clean.

    Raises:
        ConfigError: the file does not exist and may not be created; the name is blank; the
            path is a folder or another non-file; or the folder to create it in is missing.
    """
    if url.database in (None, "", ":memory:"):
        return
    path = Path(url.database)
    where = shown(path, PATH_SHOWN)
    if not path.name.strip() or not url.database.isprintable():
        raise ConfigError(f"'{where}' is not a database file name.", title=NO_DATABASE)
    try:
        _check_sqlite_path(path, where, create=create)
    except OSError as exc:  # a name too long, a folder we may not look into
        raise ConfigError(
            f"{where} cannot be opened: {exc.strerror or exc}.", title=NO_DATABASE
        ) from exc


def _check_sqlite_path(path: Path, where: str, *, create: bool) -> None:
    """The checks of :func:`check_sqlite_file` that ask the file system."""
    if path.exists():
        if not path.is_file():
            raise ConfigError(f"{where} is not a database file.", title=NO_DATABASE)
        return
    if not create:
        raise ConfigError(
            f"There is no database at {where}. Check --db (or TEKTORO_DATABASE_URL and the "
            "config file); 'tektoro init' creates a firm's database, 'tektoro demo' a demo "
            "firm's.",
            title=NO_DATABASE,
        )
    if not path.parent.is_dir():
        raise ConfigError(
            f"The folder {shown(path.parent, PATH_SHOWN)} does not exist; create it first or "
            "choose another path.",
            title=NO_DATABASE,
        )


def _configure_sqlite(engine: Engine) -> None:
    """Set the pragmas on every new connection and take over BEGIN."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        register_sqlite_function(dbapi_conn, record.info)
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_db_engine(url: str | URL) -> Engine:
    """Create the engine for a database URL with the settings this product relies on."""
    parsed = normalise_url(str(url)) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            poolclass=StaticPool if memory else NullPool,
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        parsed = _with_password(parsed)
        return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)
    raise DatabaseError(
        f"Unsupported database URL '{parsed.render_as_string(hide_password=True)}': "
        "use a sqlite:/// file or a postgresql:// server."
    )


def _with_password(url: URL) -> URL:
    """Fill in the password from the keyring or environment; else libpq reads ~/.pgpass."""
    if url.password is not None:
        return url
    from ..credentials import database_password

    password = database_password(url.username or "", url.host or "")
    return url.set(password=password) if password else url


def translate_db_error(exc: DBAPIError) -> Exception:
    """Turn a driver error into the product's error with a message a user understands."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    if missing := _PG_MISSING_DATABASE.search(text):
        return ConfigError(
            f"The database '{missing[1]}' does not exist on the server. Create it (createdb "
            f"{missing[1]}), then run 'tektoro init' or 'tektoro db upgrade' on it.",
            title=NO_DATABASE,
        )
    if FROZEN_MARKER in text:
        detail = text.split(FROZEN_MARKER, 1)[1].strip(" :\n")
        detail = detail.splitlines()[0] if detail else "the record is frozen"
        return LedgerError(f"Refused by the database: {detail}.")
    if isinstance(exc, IntegrityError) and (duplicate := _duplicate_key(text)) is not None:
        return duplicate
    if isinstance(exc, IntegrityError):
        return ConflictError(
            "The change conflicts with data saved by someone else (a duplicate or a record "
            "that was removed). Nothing was saved; refresh and try again."
        )
    if isinstance(exc, OperationalError):
        lowered = text.lower()
        if "locked" in lowered or "could not serialize" in lowered or "deadlock" in lowered:
            return ConflictError(
                "The database is busy with another user's change. Nothing was saved; try again.",
                title="Database busy",  # nothing of the record changed: the file was locked
            )
        return DatabaseError(f"The database could not be reached or refused the change: {text}")
    return DatabaseError(f"The database refused the change: {text}")


def _duplicate_key(text: str) -> ValidationError | None:
    """The field problem of a unique key the database refused a duplicate of, if it is one
    of :data:`~.models.UNIQUE_KEYS` (PostgreSQL names the index, SQLite its columns)."""
    from .models import UNIQUE_KEYS

    for index, (table, columns, field, message) in UNIQUE_KEYS.items():
        sqlite_columns = ", ".join(f"{table}.{column}" for column in columns)
        if f'"{index}"' in text or text.rstrip().endswith(f"failed: {sqlite_columns}"):
            return ValidationError([Problem(field, message)])
    return None


@dataclass
class Database:
    """One database: its URL, its engine, and sessions for reading and writing."""

    url: str
    engine: Engine

    @classmethod
    def open(cls, url: str, *, create: bool = True) -> Database:
        """Create the engine for ``url`` (no connection is made yet).

        Only a command that makes a database passes ``create``; for any other a SQLite file
        that does not exist is refused before SQLite could create it (a PostgreSQL database
        is never created here: connecting to a missing one is refused by the server).
        """
        parsed = normalise_url(url)
        if parsed.get_backend_name() == "sqlite":
            check_sqlite_file(parsed, create=create)
        return cls(url=url, engine=create_db_engine(parsed))

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.url.get_backend_name()

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for messages and the status bar."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one user action: committed once at the end, rolled back on error.

        Every database error, in any phase (the work, the commit, the rollback, closing the
        session), comes out as a titled product error; a rollback that fails because the
        connection is gone is not an error of its own (the server has rolled back already).
        """
        bind = self.engine.execution_options(**{WRITE_OPTION: True})
        try:
            with Session(bind, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    _roll_back(session)
                    raise
        except DBAPIError as exc:
            raise translate_db_error(exc) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; never commits. Closing it ends the transaction but keeps
        loaded rows readable (a rollback would expire them). A database error while reading
        or while closing comes out as a titled product error."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                yield session
        except DBAPIError as exc:
            raise translate_db_error(exc) from exc

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _roll_back(session: Session) -> None:
    """Roll ``session`` back; a connection already lost has nothing left to roll back."""
    try:
        session.rollback()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
