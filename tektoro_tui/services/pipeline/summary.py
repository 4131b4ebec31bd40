"""The Time Report summed per project, and whose entries it shows: plain SQL, no SQLAlchemy.

:class:`~tektoro_tui.services.pipeline.time.TimeService` and the quick read of ``tektoro time
summary`` (:mod:`tektoro_tui.services.quick`) both run :data:`DIRECT_STAFF_SQL` and
:func:`project_hours_sql` and read the latter's rows with :func:`project_hours`, so the two
cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ...domain.money import Money

DIRECT_STAFF_SQL = "SELECT id FROM user_account WHERE supervisor_id = :me AND id <> :me ORDER BY id"
"""Whose time entries user ``:me`` sees besides their own: their direct staff, one level down
only, never themself (even when a row edited below the program names them their own
supervisor)."""


@dataclass(frozen=True)
class ProjectHours:
    """The entries of one project in a Time Report: how many, how long, how much."""

    project_id: int
    client_name: str
    project_name: str
    entries: int
    minutes: int
    value: Money


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
