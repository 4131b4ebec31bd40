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

Connections to PostgreSQL are budgeted: one :class:`Database` holds at most one
(:data:`PG_POOL_SIZE`), so a TUI needs two with the one that listens for
changes (the README's sizing: ``max_connections`` of 150 for 60 people). Work that arrives
while the connection is busy waits its turn; the connection is closed once it
has been idle for :data:`PG_IDLE_SECONDS`. A session is never opened inside
another on the same thread (that would wait for itself): :class:`NestedSession`
says where, instead of hanging.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool, StaticPool
from sqlmodel import create_engine

from ..errors import (
    ConfigError,
    ConflictError,
    DatabaseError,
    DatabaseUnreachable,
    LedgerError,
    Problem,
    ValidationError,
    shown,
)
from .constants import APPLICATION_NAME as APPLICATION_NAME
from .constants import SQLITE_BUSY_TIMEOUT_MS
from .guards import FROZEN_MARKER as FROZEN_MARKER  # defined with the guards, read here
from .seals import register_sqlite_function

WRITE_OPTION = "tektoro_write"

PG_POOL_SIZE = 1
"""Connections one Database keeps to PostgreSQL; there is never an overflow beyond it."""

PG_WAIT_SECONDS = 60
"""How long a unit of work waits for the connection another one of the same process holds."""

PG_IDLE_SECONDS = 30.0
"""How long the connection stays open without use before it is closed (and opened again on
the next use)."""


def normalise_url(url: str) -> URL:
    """Accept ``postgresql://`` and ``postgres://`` and pick the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


NO_DATABASE = "No such database"
PATH_SHOWN = 300
"""How much of a path a message quotes."""
_SERVER_FULL = ("too many clients", "too many connections", "remaining connection slots")
"""How PostgreSQL says it takes no more connections (for the server, a database or a role)."""
_PG_SCHEMA_DENIED = re.compile(r"permission denied for schema (\w+)")
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
        named = {} if "application_name" in parsed.query else {"application_name": APPLICATION_NAME}
        engine = create_engine(
            parsed,
            connect_args=named,
            pool_pre_ping=True,
            pool_size=PG_POOL_SIZE,
            max_overflow=0,
            pool_timeout=PG_WAIT_SECONDS,
        )
        IdleCloser(engine, PG_IDLE_SECONDS)
        return engine
    raise DatabaseError(
        f"Unsupported database URL '{parsed.render_as_string(hide_password=True)}': "
        "use a sqlite:/// file or a postgresql:// server."
    )


class IdleCloser:
    """Closes an engine's pooled connections once none has been used for ``seconds``.

    Every return of a connection to the pool (re)starts one timer; taking one out stops it.
    When it fires, the pool closes what is checked in (nothing that is in use) and stays
    usable: the next unit of work opens a new connection.
    """

    def __init__(self, engine: Engine, seconds: float) -> None:
        self._engine, self._seconds = engine, seconds
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._out = 0
        event.listen(engine, "checkout", self._checked_out)
        event.listen(engine, "checkin", self._checked_in)

    def _checked_out(self, *_args: Any) -> None:
        with self._lock:
            self._out += 1
            self._cancel()

    def _checked_in(self, *_args: Any) -> None:
        with self._lock:
            self._out = max(0, self._out - 1)
            self._cancel()
            if self._out == 0:
                self._timer = threading.Timer(self._seconds, self._close_idle)
                self._timer.daemon = True
                self._timer.start()

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _close_idle(self) -> None:
        with self._lock:
            if self._out == 0:
                self._engine.pool.dispose()  # closes the checked-in connections only


class NestedSession(RuntimeError):
    """A session was opened on a thread that already holds one of the same database."""


def _with_password(url: URL) -> URL:
    """Fill in the password from the keyring or environment; else libpq reads ~/.pgpass."""
    if url.password is not None:
        return url
    from ..credentials import database_password

    password = database_password(url.username or "", url.host or "")
    return url.set(password=password) if password else url


def translate_db_error(exc: DBAPIError, database: str = "") -> Exception:
    """Turn a driver error into the product's error with a message a user understands
    (``database``: the database as shown to people, where the caller knows it)."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    if "readonly database" in text or "unable to open database file" in text:
        return _sqlite_not_writable(database)
    if missing := _PG_MISSING_DATABASE.search(text):
        return ConfigError(
            f"The database '{missing[1]}' does not exist on the server. Create it (createdb "
            f"{missing[1]}), then run 'tektoro init' or 'tektoro db upgrade' on it.",
            title=NO_DATABASE,
        )
    if denied := _PG_SCHEMA_DENIED.search(text):
        return ConfigError(
            f"The database role may not create tables in schema {denied[1]}: since "
            "PostgreSQL 15 only the database's owner may. Make the role TekToro connects as "
            "the owner (create the database with 'createdb -O ROLE DATABASE', or run 'ALTER "
            "DATABASE DATABASE OWNER TO ROLE' as a superuser), then start again. Nothing was "
            "changed.",
            title="Database not writable",
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
        if any(sign in lowered for sign in _SERVER_FULL):
            return DatabaseUnreachable(
                "The database server has no connection left (its max_connections is reached). "
                "Nothing was changed. Try again in a moment; if it keeps happening, ask whoever "
                "runs the server to raise max_connections (each TekToro user needs 2).",
                title="Database server full",
            )
        if "locked" in lowered or "could not serialize" in lowered or "deadlock" in lowered:
            return ConflictError(
                "The database is busy with another user's change. Nothing was saved; try again.",
                title="Database busy",  # nothing of the record changed: the file was locked
            )
        return DatabaseUnreachable(
            f"The database could not be reached or refused the change: {text}"
        )
    return DatabaseError(f"The database refused the change: {text}")


def _sqlite_not_writable(database: str) -> ConfigError:
    """A SQLite file (or its -wal/-shm files, or its folder) this OS user may not write."""
    import getpass

    where = database.removeprefix("sqlite:///") or "the database file"
    return ConfigError(
        f"{where} cannot be written by you (OS user {getpass.getuser()}): the file, its -wal "
        "and -shm files or their folder belong to someone else or are read-only. Nothing was "
        "saved. A SQLite file serves one OS account; for several people use PostgreSQL (see "
        "'A shared office server on PostgreSQL' in the README).",
        title="Database not writable",
    )


def _duplicate_key(text: str) -> ValidationError | None:
    """The field problem of a unique key the database refused a duplicate of, if it is one
    of :data:`~.models.UNIQUE_KEYS` (PostgreSQL names the index, SQLite its columns)."""
    from .models import UNIQUE_KEYS

    for index, (table, columns, field_name, message) in UNIQUE_KEYS.items():
        sqlite_columns = ", ".join(f"{table}.{column}" for column in columns)
        if f'"{index}"' in text or text.rstrip().endswith(f"failed: {sqlite_columns}"):
            return ValidationError([Problem(field_name, message)])
    return None


@dataclass
class Database:
    """One database: its URL, its engine, and sessions for reading and writing."""

    url: str
    engine: Engine
    _held: threading.local = field(default_factory=threading.local, repr=False, compare=False)

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
        with self._one_session(), Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                _roll_back(session)
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; never commits. Closing it ends the transaction but keeps
        loaded rows readable (a rollback would expire them). A database error while reading
        or while closing comes out as a titled product error."""
        with self._one_session(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def _one_session(self) -> Iterator[None]:
        """Refuse a session inside another of this database on the same thread; turn every
        database error of the session (closing it included) into a titled product error."""
        if getattr(self._held, "open", False):
            raise NestedSession(
                "A database session was opened inside another on the same thread; with one "
                "connection per process it would wait for itself."
            )
        self._held.open = True
        try:
            yield
        except DBAPIError as exc:
            raise translate_db_error(exc, self.display_url) from exc
        except PoolTimeout as exc:
            raise _busy_connection() from exc
        finally:
            self._held.open = False

    def ping(self) -> None:
        """Reach the database with the smallest query.

        Raises:
            DatabaseUnreachable: it cannot be reached (yet).
        """
        with self.read() as session:
            session.connection().exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _busy_connection() -> ConflictError:
    return ConflictError(
        f"The database connection stayed busy with other work for {PG_WAIT_SECONDS} s. "
        "Nothing was saved; try again.",
        title="Database busy",
    )


def _roll_back(session: Session) -> None:
    """Roll ``session`` back; a connection already lost has nothing left to roll back."""
    try:
        session.rollback()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
