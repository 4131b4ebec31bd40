"""A database reached through its driver alone: no SQLAlchemy, no tables.

For the quick reads of one-shot commands (:mod:`tektoro_tui.services.quick`), which must not
load the ORM. A URL is taken apart here only when it is plain enough to be sure of reaching
the very database the engine (:mod:`.engine`) would reach, and of finding the CLI session the
engine's URL text is the key of (:attr:`Place.display_url`); anything else is ``None``, and
the caller goes the ordinary way. The connection reads only (SQLite's ``query_only``,
PostgreSQL's read-only transaction), in one snapshot. PostgreSQL is reached through libpq
itself (:mod:`.libpq`), which loads fifty times faster than psycopg; psycopg only where no
libpq of its own can be loaded.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from .constants import APPLICATION_NAME, HEAD, SQLITE_BUSY_TIMEOUT_MS, VERSION_TABLE

if TYPE_CHECKING:
    from .libpq import LibpqConnection

_PART = r"[A-Za-z0-9._~-]+"
"""A part of a URL that the engine reads and renders back unchanged (no %-quoting)."""
_PG_URL = re.compile(
    r"(?:postgresql|postgres|postgresql\+psycopg)://"
    rf"(?:(?P<user>{_PART})(?::(?P<password>[^@/?#]*))?@)?"
    rf"(?P<host>{_PART})?(?::(?P<port>[0-9]{{1,5}}))?/(?P<db>{_PART})"
)
"""A PostgreSQL URL taken apart here: user, password, host, port and database, no options."""
_SQLITE_PATH = re.compile(r"[A-Za-z0-9._~/ -]+")
"""A SQLite file's path taken apart here: characters the engine neither decodes nor quotes."""
CONNECT_SECONDS = 3
"""How long a direct read waits for the PostgreSQL server to accept it: one that does not answer
at once is left to the ordinary way, which then waits as long as libpq does (a direct read
must not double that wait)."""
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
"""A ``:name`` parameter (not a ``::type`` cast), written ``$n`` for libpq or ``%(name)s`` for
psycopg."""


@dataclass(frozen=True)
class Place:
    """Where a URL leads, taken apart: the driver's connection arguments and the URL as the
    engine shows it (:attr:`Database.display_url <tektoro_tui.data.engine.Database>`), which
    is the key of the stored CLI session."""

    backend: str
    display_url: str
    arguments: dict[str, Any]


def place_of(url: str, password: Callable[[str, str], str | None] | None = None) -> Place | None:
    """Take ``url`` apart, or None when it is not plain enough to be sure of.

    ``password(user, host)`` is asked for a PostgreSQL password the URL does not give (the
    keyring or the environment, as the engine does)."""
    scheme, sep, rest = url.partition("://")
    if not sep or not url.isprintable():
        return None
    if scheme == "sqlite":
        path = rest[1:] if rest.startswith("/") else ""
        if not _SQLITE_PATH.fullmatch(path):
            return None  # also :memory: and options after "?"
        if not os.path.isfile(path):
            return None  # the ordinary way says what is wrong with it
        return Place("sqlite", url, {"path": path})
    return _postgresql_place(url, password)


def _postgresql_place(url: str, password: Any) -> Place | None:
    """A PostgreSQL URL of plain parts: user, password, host, port and database, no more."""
    found = _PG_URL.fullmatch(url)
    if found is None:
        return None
    user, secret, host, port = found["user"], found["password"], found["host"], found["port"]
    if secret is not None:
        secret = unquote(secret)
        if not secret:
            return None
    elif password is not None:
        secret = password(user or "", host or "") or None
    if port is not None and not 0 < int(port) < 65536:
        return None
    shown = "postgresql+psycopg://"
    if user is not None:
        shown += user + (":***" if secret is not None else "") + "@"
    shown += (host or "") + (f":{int(port)}" if port is not None else "") + f"/{found['db']}"
    arguments: dict[str, Any] = {"dbname": found["db"], "application_name": APPLICATION_NAME}
    for key, value in (("user", user), ("password", secret), ("host", host), ("port", port)):
        if value:
            arguments[key] = value
    return Place("postgresql", shown, arguments)


class DirectConnection:
    """One read-only transaction on a database, through its driver."""

    def __init__(self, place: Place) -> None:
        self.backend = place.backend
        self.libpq: LibpqConnection | None = None
        if place.backend == "sqlite":
            path = os.path.abspath(place.arguments["path"])
            self.connection: Any = sqlite3.connect(
                f"file:{quote(path)}?mode=rw",  # never creates a file
                uri=True,
                timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
            )
            self.connection.execute("PRAGMA query_only = ON")
            self.connection.execute("BEGIN")  # one snapshot for every read that follows
            return
        arguments = {**place.arguments, "connect_timeout": CONNECT_SECONDS}
        from .libpq import LibpqConnection, library  # ctypes: not for SQLite

        lib = library()
        if lib is None:  # no libpq of its own to call: psycopg's way (slower to import)
            import psycopg

            self.connection = psycopg.connect(**arguments)
            self.connection.read_only = True
            return
        self.libpq = LibpqConnection(lib, arguments)
        self.libpq.execute(
            "BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ"  # one snapshot, as on SQLite
        )
        for setting in ("DateStyle = 'ISO, YMD'", "TimeZone = 'UTC'"):
            self.libpq.execute(f"SET LOCAL {setting}")  # the text the decoders read

    def close(self) -> None:
        """End the transaction (nothing was written) and the connection."""
        if self.libpq is not None:
            self.libpq.close()  # the server rolls the read-only transaction back
            return
        try:
            self.connection.rollback()
        finally:
            self.connection.close()

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Every row of ``sql`` with ``:name`` parameters."""
        if self.libpq is not None:
            names: list[str] = []

            def numbered(found: re.Match[str]) -> str:
                if found[1] not in names:
                    names.append(found[1])
                return f"${names.index(found[1]) + 1}"

            text = _NAMED.sub(numbered, sql)
            return self.libpq.execute(text, [(params or {})[name] for name in names])
        if self.backend == "postgresql":
            sql = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params or {})
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def at_head(self) -> bool:
        """Whether the schema is this program's (else the ordinary way migrates or refuses)."""
        return [row[0] for row in self.rows(f"SELECT version_num FROM {VERSION_TABLE}")] == [HEAD]
