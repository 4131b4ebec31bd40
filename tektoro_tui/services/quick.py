"""Reads answered through the database driver alone, for one-shot commands.

A command through :class:`~tektoro_tui.services.hub.Services` loads SQLAlchemy, SQLModel and
the 45 tables before it reads a row: about a third of a second on every call, ten times what
a report a script runs again and again needs. The reads here go through a
:class:`~tektoro_tui.data.direct.DirectConnection` (the driver and plain SQL) and load nothing
else of the program's data layer.

They answer only what they can answer exactly as the services would. Whenever anything is not
plain (a URL not taken apart, a schema not at this program's head, a token that is not of a
live session of an active user with a role this program knows, a missing permission, any
error of the driver) the caller declines, and the command runs the ordinary way, which gives
the authoritative answer or refusal. So nothing here refuses, and nothing here says anything
the services would not.

What they compute is the services' own code: whose hours a user sees and the summary's query
(:mod:`tektoro_tui.services.pipeline.summary`) and the recognition of revenue
(:mod:`tektoro_tui.services.invoicing.recognition`). What they repeat, in a few lines of SQL,
are the session's checks; ``tests/cli/test_quick.py`` holds them to the services' answers on
both backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from ..data.direct import DirectConnection, Place
from ..domain.permissions import Role
from ..domain.values import hash_token
from .pipeline.summary import DIRECT_STAFF_SQL, ProjectHours, project_hours, project_hours_sql

if TYPE_CHECKING:
    from .invoicing.recognition import RevenueRow


class QuickReader:
    """The quick reads of one read-only transaction."""

    def __init__(self, place: Place) -> None:
        self.connection = DirectConnection(place)
        self.backend = place.backend

    def close(self) -> None:
        """End the transaction and the connection."""
        self.connection.close()

    def at_head(self) -> bool:
        """Whether the schema is this program's."""
        return self.connection.at_head()

    def session_user(self, token: str, now: datetime) -> int | None:
        """The user of a live session token, while the account is active and has a role this
        program knows (the services refuse the others); None otherwise."""
        found = self.connection.rows(
            "SELECT s.user_id, s.expires_at, s.revoked_at, u.is_active, u.role "
            "FROM login_session s JOIN user_account u ON u.id = s.user_id "
            "WHERE s.token_hash = :hash",
            {"hash": hash_token(token)},
        )
        if len(found) != 1:
            return None
        user_id, expires, revoked, active, role = found[0]
        if revoked is not None or not active or _moment(expires) <= now:
            return None
        if role not in {known.value for known in Role}:
            return None
        return int(user_id)

    def holds(self, user_id: int, permission: str) -> bool:
        """Whether the role ``user_id`` has now holds ``permission`` (the live matrix)."""
        return bool(
            self.connection.rows(
                "SELECT 1 FROM role_permission r JOIN user_account u ON u.role = r.role "
                "WHERE u.id = :me AND r.permission = :permission",
                {"me": user_id, "permission": permission},
            )
        )

    def account(self, user_id: int) -> dict[str, Any]:
        """Who ``user_id`` is, as ``tektoro whoami --json`` shows the services' actor: id,
        email, name, role and the permissions the role has now (sorted)."""
        (email, name, role), *_ = self.connection.rows(
            "SELECT email, name, role FROM user_account WHERE id = :me", {"me": user_id}
        )
        permissions = self.connection.rows(
            "SELECT permission FROM role_permission WHERE role = :role", {"role": role}
        )
        return {
            "id": user_id,
            "email": email or "",
            "name": name,
            "role": role,
            "permissions": sorted({str(row[0]) for row in permissions}),
        }

    def visible_owners(self, user_id: int) -> list[int]:
        """Whose time entries ``user_id`` sees: themself, then their direct staff (never
        themself twice, even when a row edited below the program names them their own
        supervisor)."""
        staff = self.connection.rows(DIRECT_STAFF_SQL, {"me": user_id})
        return [user_id, *(int(row[0]) for row in staff)]

    def currency(self) -> str:
        """The organisation's currency (EUR before set-up)."""
        found = self.connection.rows("SELECT currency FROM organisation WHERE id = 1")
        return str(found[0][0]) if found else "EUR"

    def project_hours(
        self, owners: Sequence[int], date_from: date | None, date_to: date | None
    ) -> tuple[ProjectHours, ...]:
        """The Time Report of ``owners`` in the dates, summed per project."""
        sql, params = project_hours_sql(self.backend, owners, date_from=date_from, date_to=date_to)
        return project_hours(self.connection.rows(sql, params), self.currency())

    def revenue(self, date_from: date | None, date_to: date | None) -> tuple[RevenueRow, ...]:
        """Recognised revenue in the dates, by month, client and project."""
        from .invoicing.recognition import revenue  # not loaded for the summary

        return revenue(self.connection.rows, self.backend, date_from, date_to)


def _moment(value: Any) -> datetime:
    """A stored timestamp as an aware UTC moment (SQLite keeps naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
