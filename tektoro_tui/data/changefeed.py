"""Watchers that block until another session may have committed: the trigger of live updates.

PostgreSQL: a dedicated autocommit psycopg connection runs ``LISTEN tektoro_changes``; every
write transaction sends ``NOTIFY tektoro_changes`` as it commits (``UnitOfWork.flush_events``),
so the watcher wakes within milliseconds. SQLite: a dedicated connection to the same file polls
``PRAGMA data_version`` every 0.2 s; the number moves whenever any *other* connection commits.
An in-memory SQLite database lives inside one connection and cannot be watched at all.

A watcher only says "something may have changed"; what changed is read from the change-event
table by ``services/changes.py``. When its connection breaks (the server restarted, the file
was replaced) a watcher reconnects with a short back-off and then reports one change, so that
screens re-read whatever they may have missed meanwhile.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from sqlalchemy.engine import URL

from ..errors import DatabaseError
from .engine import APPLICATION_NAME, Database

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

CHANGE_CHANNEL = "tektoro_changes"
"""The PostgreSQL channel every write transaction notifies (services/base.py sends it)."""

POLL_SECONDS = 0.2
"""How often the SQLite watcher looks at ``PRAGMA data_version``."""

SLICE_SECONDS = 0.25
"""The longest a PostgreSQL wait blocks before checking whether it was closed."""

BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
"""Pauses between reconnection attempts after a lost connection (the last one repeats)."""

CONNECT_TIMEOUT_SECONDS = 5


class LiveUpdatesUnavailable(DatabaseError):
    """This database cannot be watched for other sessions' changes (e.g. it is in memory)."""


class ChangeWatcher(Protocol):
    """Blocks until another commit may have happened; used by one thread at a time."""

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; True when a commit may have happened meanwhile."""
        ...

    def close(self) -> None:
        """Stop waiting and release the connection (safe to call from any thread)."""
        ...


class _Reconnecting:
    """What both watchers share: the stop flag, the lock and the reconnect back-off.

    Subclasses implement ``_connect`` (open and set the baseline), ``_disconnect`` and
    ``_wait_connected`` (wait on a live connection; raise ``_Lost`` when it breaks).
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._failures = 0
        self._retry_at = 0.0

    # --- to implement ---------------------------------------------------------------------

    @property
    def _connected(self) -> bool:
        raise NotImplementedError

    def _connect(self) -> None:
        raise NotImplementedError

    def _disconnect(self) -> None:
        raise NotImplementedError

    def _wait_connected(self, deadline: float) -> bool:
        raise NotImplementedError

    # --- shared ---------------------------------------------------------------------------

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; True when a commit may have happened meanwhile."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._lock:
            try:
                while not self._stop.is_set():
                    if self._connected:
                        try:
                            return self._wait_connected(deadline)
                        except _Lost as lost:
                            self._lost(lost)
                            continue
                    if self._reconnect():
                        return True  # whatever happened while we were away must be re-read
                    if not self._pause_until(min(deadline, self._retry_at)):
                        return False
                    if time.monotonic() >= deadline:
                        return False
                return False
            finally:
                if self._stop.is_set():
                    self._disconnect()

    def close(self) -> None:
        """Stop waiting and release the connection (safe to call from any thread).

        From another thread this only asks the waiting thread to stop; it notices within a
        fraction of a second and releases the connection itself.
        """
        self._stop.set()
        if self._lock.acquire(blocking=False):
            try:
                self._disconnect()
            finally:
                self._lock.release()

    def _lost(self, lost: _Lost) -> None:
        log.warning("Live updates lost their database connection: %s", lost)
        self._disconnect()
        self._failures = 0
        self._retry_at = time.monotonic()  # the first attempt is immediate

    def _reconnect(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        try:
            self._connect()
        except Exception as exc:  # noqa: BLE001 - any failure is retried after a pause
            pause = BACKOFF_SECONDS[min(self._failures, len(BACKOFF_SECONDS) - 1)]
            self._failures += 1
            self._retry_at = time.monotonic() + pause
            log.warning("Live updates could not reconnect (retry in %.1f s): %s", pause, exc)
            return False
        log.info("Live updates reconnected.")
        self._failures = 0
        return True

    def _pause_until(self, moment: float) -> bool:
        """Sleep until ``moment``; False when closed meanwhile."""
        return not self._stop.wait(max(0.0, moment - time.monotonic()))


class _Lost(Exception):
    """The watcher's connection broke."""


# === PostgreSQL =================================================================================


def libpq_conninfo(url: URL) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL (password included)."""
    from psycopg.conninfo import make_conninfo

    params: dict[str, str | int] = {}
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = url.port
    if url.database:
        params["dbname"] = url.database
    if url.username:
        params["user"] = url.username
    if url.password is not None:
        params["password"] = str(url.password)
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    params.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    if params.get("application_name") in (None, APPLICATION_NAME):
        params["application_name"] = f"{APPLICATION_NAME} live updates"
    return make_conninfo("", **params)


class PostgresWatcher(_Reconnecting):
    """``LISTEN tektoro_changes`` on its own autocommit connection."""

    def __init__(self, conninfo: str) -> None:
        """Connect and listen at once (raises when the server cannot be reached)."""
        super().__init__()
        self._conninfo = conninfo
        self._conn: psycopg.Connection[Any] | None = None
        self._connect()

    @property
    def _connected(self) -> bool:
        return self._conn is not None

    def _connect(self) -> None:
        import psycopg

        conn = psycopg.connect(self._conninfo, autocommit=True)
        try:
            conn.execute(f"LISTEN {CHANGE_CHANNEL}")
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # a broken connection may refuse to close
                log.debug("closing the live-update connection failed", exc_info=True)

    def _wait_connected(self, deadline: float) -> bool:
        import psycopg

        conn = self._conn
        assert conn is not None
        try:
            while not self._stop.is_set():
                left = deadline - time.monotonic()
                step = min(SLICE_SECONDS, max(0.0, left))
                if any(True for _ in conn.notifies(timeout=step, stop_after=1)):
                    for _ in conn.notifies(timeout=0):  # drain what else has arrived
                        pass
                    return True
                if left <= SLICE_SECONDS:
                    return False
            return False
        except psycopg.Error as exc:
            raise _Lost(str(exc)) from exc


# === SQLite ====================================================================================


def sqlite_file(url: URL) -> str:
    """The absolute path of a SQLite URL's database file; refuse in-memory databases."""
    database = url.database or ""
    memory = database in ("", ":memory:") or url.query.get("mode") == "memory"
    if memory or database.startswith("file::memory:"):
        raise LiveUpdatesUnavailable(
            "an in-memory database cannot be watched for other sessions' changes; "
            "open a database file to see them live."
        )
    return os.path.abspath(database)


class SqliteWatcher(_Reconnecting):
    """Polls ``PRAGMA data_version`` of its own read-only connection to the database file."""

    def __init__(self, path: str) -> None:
        """Open the file read-only and remember its current data version."""
        super().__init__()
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._version = -1
        self._connect()

    @property
    def _connected(self) -> bool:
        return self._conn is not None

    def _connect(self) -> None:
        if not os.path.exists(self._path):
            raise DatabaseError(f"The database file {self._path} does not exist.")
        uri = f"file:{quote(self._path)}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=1.0, check_same_thread=False)
        try:
            conn.isolation_level = None  # autocommit: never hold a read transaction open
            self._version = self._data_version(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    @staticmethod
    def _data_version(conn: sqlite3.Connection) -> int:
        return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _wait_connected(self, deadline: float) -> bool:
        conn = self._conn
        assert conn is not None
        while True:
            try:
                version = self._data_version(conn)
            except sqlite3.Error as exc:
                if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                    version = self._version  # a writer holds the file: look again soon
                else:
                    raise _Lost(str(exc)) from exc
            if version != self._version:
                self._version = version
                return True
            left = deadline - time.monotonic()
            if left <= 0 or self._stop.wait(min(POLL_SECONDS, left)):
                return False


# === choosing one ==============================================================================


def open_watcher(db: Database) -> ChangeWatcher:
    """A watcher for ``db``'s backend, connected now.

    Raises:
        LiveUpdatesUnavailable: for an in-memory SQLite database.
        DatabaseError: when the watcher's own connection cannot be opened.
    """
    url = db.engine.url
    backend = url.get_backend_name()
    try:
        if backend == "postgresql":
            return PostgresWatcher(libpq_conninfo(url))
        if backend == "sqlite":
            return SqliteWatcher(sqlite_file(url))
    except DatabaseError:
        raise
    except Exception as exc:
        raise DatabaseError(f"Live updates could not connect to the database: {exc}") from exc
    raise LiveUpdatesUnavailable(f"the {backend} backend cannot be watched for changes.")
