"""Reads answered with the database driver alone, for one-shot commands.

A command through :class:`~tektoro_tui.services.hub.Services` loads SQLAlchemy, SQLModel and
the 45 tables before it reads a row: about a third of a second on every call, ten times what
a report a script runs again and again needs. The reads here use the driver (``sqlite3``,
``psycopg``) and plain SQL, and load nothing else of the program's data layer.

They answer only what they can answer exactly as the services would. Whenever anything is not
plain (a URL they do not take apart, a schema not at this program's :data:`HEAD`, a token that
is not of a live session of an active user, any error of the driver) they answer ``None``,
and the command runs the ordinary way, which gives the authoritative answer or refusal. So
they never refuse anything themselves, and never say anything the services would not.

The summary's query is the services' own: :meth:`TimeService.project_hours
<tektoro_tui.services.pipeline.time.TimeService.project_hours>` runs :func:`project_hours_sql`
too, so the two cannot drift apart; ``tests/cli/test_quick.py`` holds the rest (whose hours a
user sees, the session's checks) to the services' answers on both backends.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, unquote

from ..data.constants import APPLICATION_NAME, HEAD, SQLITE_BUSY_TIMEOUT_MS, VERSION_TABLE
from ..domain.money import Money
from .invoicing.recognition import RevenueRow, revenue
from .pipeline.summary import ProjectHours

_PART = r"[A-Za-z0-9._~-]+"
_PG_URL = re.compile(
    rf"(?:postgresql|postgres|postgresql\+psycopg)://(?:(?P<user>{_PART})(?::(?P<password>[^@/?#]*))?@)?"
    rf"(?P<host>{_PART})?(?::(?P<port>[0-9]{{1,5}}))?/(?P<db>{_PART})"
)
"""A PostgreSQL URL taken apart here: its parts are ones the engine renders back unchanged
(:attr:`Place.display_url`), and it has no query."""
QUICK_CONNECT_S = 3
"""How long a quick read waits for the PostgreSQL server to accept it, in seconds."""
_NAMED = re.compile(r":(\w+)")
"""A ``:name`` parameter, written ``%(name)s`` for psycopg."""


def project_hours_sql(
    backend: str,
    owners: Sequence[int],
    *,
    statuses: Sequence[str] = (),
    date_from: date | None = None,
    date_to: date | None = None,
    project_id: int | None = None,
    client_id: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """The Time Report of ``owners`` summed per project, from the daily time summary
    (``time_day_total``, kept by triggers): one row per project with the client's and the
    project's names, its entries, minutes and value in cents. ``:name`` parameters.

    ``owners`` must not be empty (an empty scope reads nothing)."""
    params: dict[str, Any] = {}

    def listed(prefix: str, values: Sequence[object]) -> str:
        names = [f"{prefix}{index}" for index in range(len(values))]
        params.update(zip(names, values, strict=True))
        return ", ".join(f":{name}" for name in names)

    def day(value: date) -> object:
        return value.isoformat() if backend == "sqlite" else value

    where = [f"owner_id IN ({listed('owner', owners)})"]
    if statuses:
        where.append(f"status IN ({listed('status', statuses)})")
    if date_from is not None:
        where.append("work_date >= :date_from")
        params["date_from"] = day(date_from)
    if date_to is not None:
        where.append("work_date <= :date_to")
        params["date_to"] = day(date_to)
    if project_id is not None:
        where.append("project_id = :project")
        params["project"] = project_id
    if client_id is not None:
        where.append("project_id IN (SELECT id FROM project WHERE client_id = :client)")
        params["client"] = client_id
    sql = (
        "SELECT t.project_id, c.name, p.name, t.entries, t.minutes, t.value_cents FROM ("
        "SELECT project_id, SUM(entries) AS entries, SUM(minutes) AS minutes, "
        "SUM(value_cents) AS value_cents FROM time_day_total "
        f"WHERE {' AND '.join(where)} GROUP BY project_id) t "
        "LEFT JOIN project p ON p.id = t.project_id "
        "LEFT JOIN company c ON c.id = p.client_id"
    )
    return sql, params


def project_hours(rows: Sequence[Sequence[Any]], currency: str) -> tuple[ProjectHours, ...]:
    """The rows of :func:`project_hours_sql` as views, by client and project name."""
    views = [
        ProjectHours(
            int(project),
            client or "",
            name if name is not None else f"#{project}",
            int(entries),
            int(minutes),
            Money(int(cents), currency),
        )
        for project, client, name, entries, minutes, cents in rows
    ]
    return tuple(sorted(views, key=lambda r: (r.client_name, r.project_name, r.project_id)))


def token_hash(token: str) -> str:
    """How a session token is kept: its SHA-256 hex digest (as the sign-in service stores it)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Place:
    """Where a URL leads, taken apart: the driver's connection arguments and the URL as the
    engine shows it (:attr:`Database.display_url <tektoro_tui.data.engine.Database>`), which
    is the key of the stored CLI session."""

    backend: str
    display_url: str
    arguments: dict[str, Any]


def place_of(url: str, password: Any = None) -> Place | None:
    """Take ``url`` apart, or None when it is not plain enough to be sure of.

    ``password(user, host)`` is asked for a PostgreSQL password the URL does not give (the
    keyring or the environment, as the engine does)."""
    scheme, sep, rest = url.partition("://")
    if not sep or not url.isprintable():
        return None
    if scheme == "sqlite":
        path = rest[1:] if rest.startswith("/") else ""
        if not path or path == ":memory:" or "?" in path or "#" in path:
            return None
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


class QuickReader:
    """One read-only transaction on a database, through its driver."""

    def __init__(self, place: Place) -> None:
        self.place = place
        self.backend = place.backend
        if place.backend == "sqlite":
            path = os.path.abspath(place.arguments["path"])
            self.connection: Any = sqlite3.connect(
                f"file:{quote(path)}?mode=rw",  # never creates a file
                uri=True,
                timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
            )
            self.connection.execute("BEGIN")  # one snapshot for every read that follows
        else:
            import psycopg

            # a server that does not answer at once is left to the ordinary way, which then
            # waits as long as libpq does (a quick read must not double that wait)
            self.connection = psycopg.connect(**place.arguments, connect_timeout=QUICK_CONNECT_S)

    def close(self) -> None:
        """End the transaction (nothing was written) and the connection."""
        try:
            self.connection.rollback()
        finally:
            self.connection.close()

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Every row of ``sql`` with ``:name`` parameters."""
        if self.backend == "postgresql":
            sql = _NAMED.sub(r"%(\1)s", sql)
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params or {})
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def at_head(self) -> bool:
        """Whether the schema is this program's (else the ordinary way migrates or refuses)."""
        return [row[0] for row in self.rows(f"SELECT version_num FROM {VERSION_TABLE}")] == [HEAD]

    def session_user(self, token: str, now: datetime) -> int | None:
        """The user of a live session token, while the account is active; None otherwise."""
        found = self.rows(
            "SELECT s.user_id, s.expires_at, s.revoked_at, u.is_active FROM login_session s "
            "JOIN user_account u ON u.id = s.user_id WHERE s.token_hash = :hash",
            {"hash": token_hash(token)},
        )
        if len(found) != 1:
            return None
        user_id, expires, revoked, active = found[0]
        if revoked is not None or not active or _moment(expires) <= now:
            return None
        return int(user_id)

    def holds(self, user_id: int, permission: str) -> bool:
        """Whether the role ``user_id`` has now holds ``permission`` (the live matrix)."""
        return bool(
            self.rows(
                "SELECT 1 FROM role_permission r JOIN user_account u ON u.role = r.role "
                "WHERE u.id = :me AND r.permission = :permission",
                {"me": user_id, "permission": permission},
            )
        )

    def visible_owners(self, user_id: int) -> list[int]:
        """Whose time entries ``user_id`` sees: themself, then their direct staff (never
        themself twice, even when a row edited below the program names them their own
        supervisor)."""
        staff = self.rows(
            "SELECT id FROM user_account WHERE supervisor_id = :me AND id <> :me ORDER BY id",
            {"me": user_id},
        )
        return [user_id, *(int(row[0]) for row in staff)]

    def currency(self) -> str:
        """The organisation's currency (EUR before set-up)."""
        found = self.rows("SELECT currency FROM organisation WHERE id = 1")
        return str(found[0][0]) if found else "EUR"

    def project_hours(
        self, owners: Sequence[int], date_from: date | None, date_to: date | None
    ) -> tuple[ProjectHours, ...]:
        """The Time Report of ``owners`` in the dates, summed per project."""
        sql, params = project_hours_sql(self.backend, owners, date_from=date_from, date_to=date_to)
        return project_hours(self.rows(sql, params), self.currency())

    def revenue(self, date_from: date | None, date_to: date | None) -> tuple[RevenueRow, ...]:
        """Recognised revenue in the dates, by month, client and project."""
        return revenue(self.rows, self.backend, date_from, date_to)


def _moment(value: Any) -> datetime:
    """A stored timestamp as an aware UTC moment (SQLite keeps naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
