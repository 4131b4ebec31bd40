"""Sealed rows: every ledger row is what the audit event that last wrote it says it is.

Each write's last audit event carries the content digest of every ledger row it
left behind (its seals, hashed into the chain). The check files the latest seal of
every row while the chain streams by (``context``), then digests every row of the
sealed tables and compares, both ways:

- a row no event vouches for (inserted below the program);
- a row whose content differs from its latest seal (changed below the program);
- a sealed row that is gone (deleted below the program), or a row its latest event
  deleted that is back.

For the first offenders the report names the columns that differ from the image
the sealing event recorded, where it recorded one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ...data.seals import SEALED_TABLES, digest_table, sealed_columns
from .audit import SEAL_COMMAND
from .context import CheckContext, LatestSeals
from .core import MAX_EXAMPLES, SEALED_ROWS, ContextRule, Rule

NEVER_SEALED = "the database has never been sealed"
"""Part of the one line a never-sealed database's rows are reported with."""

UNSEALED = "unsealed"
CHANGED = "changed"
GONE = "gone"
BACK = "back"


@dataclass(frozen=True)
class SealFinding:
    """One ledger row that does not match the audit log."""

    table: str
    row_id: int
    kind: str  # UNSEALED, CHANGED, GONE or BACK
    event_id: int = 0
    detail: str = ""


@dataclass(frozen=True)
class NeverSealed:
    """Rows of a database that was never sealed (one line, not one per row)."""

    rows: int
    tables: tuple[str, ...]


def row_findings(conn: Connection, context: CheckContext) -> Iterator[SealFinding | NeverSealed]:
    """Every ledger row against its latest seal, and every latest seal against its row."""
    walk = context.walk(conn)
    for event_id, reason in walk.unreadable_seals:
        yield SealFinding("audit_event", event_id, "unreadable", event_id, reason)
    explained = 0
    never: dict[str, int] = {}
    for table in SEALED_TABLES:
        book = walk.seals.get(table) or LatestSeals()
        for finding in _compare_table(conn, table, book):
            if finding.kind == UNSEALED and not walk.keyed:
                never[table] = never.get(table, 0) + 1
                continue
            if explained < MAX_EXAMPLES:
                explained += 1
                finding = _explained(conn, finding)
            yield finding
    if never:
        yield NeverSealed(sum(never.values()), tuple(never))


def _compare_table(conn: Connection, table: str, book: LatestSeals) -> Iterator[SealFinding]:
    """The rows of ``table`` that differ from their latest seal, then the sealed rows gone."""
    seen: set[int] = set()
    for ident, digest in digest_table(conn, table):
        seen.add(ident)
        event_id, sealed = book.get(ident)
        if not event_id:
            yield SealFinding(table, ident, UNSEALED)
        elif sealed is None:
            yield SealFinding(table, ident, BACK, event_id)
        elif sealed != digest.encode("ascii"):
            yield SealFinding(table, ident, CHANGED, event_id)
    for ident in book.sealed_ids():
        if ident not in seen:
            yield SealFinding(table, ident, GONE, book.get(ident)[0])


# ==============================================================================================
# Saying what differs
# ==============================================================================================


def _explained(conn: Connection, finding: SealFinding) -> SealFinding:
    """The finding with the sealing event named and, for a changed row, what differs."""
    if not finding.event_id:
        return finding
    event = conn.execute(
        text(
            "SELECT action, occurred_at, actor_label, entity, entity_id, after_json "
            "FROM audit_event WHERE id = :id"
        ),
        {"id": finding.event_id},
    ).one_or_none()
    if event is None:
        return finding
    when = str(event.occurred_at)[:19].replace("T", " ")
    named = f"event #{finding.event_id} ({event.action} by {event.actor_label}, {when})"
    detail = named
    if finding.kind == CHANGED:
        differences = _differences(conn, finding, event)
        detail = f"{named}; {differences}" if differences else named
    return SealFinding(finding.table, finding.row_id, finding.kind, finding.event_id, detail)


def _differences(conn: Connection, finding: SealFinding, event: Any) -> str:
    """Which columns differ from the image of the row the event recorded, if it recorded one."""
    names = sealed_columns(finding.table)
    row = conn.exec_driver_sql(
        f"SELECT {', '.join(names)} FROM {finding.table} WHERE id = {int(finding.row_id)}"
    ).one_or_none()
    if row is None:
        return ""
    current = dict(zip(names, row, strict=True))
    try:
        after = json.loads(event.after_json) if event.after_json else None
    except ValueError:
        after = None
    image = _image_of(after, finding.row_id, set(names))
    if event.entity == finding.table and str(event.entity_id) == str(finding.row_id):
        image = image or (after if isinstance(after, dict) else None)
    if not image:
        return ""
    changed = [
        f"{column} {_shown(image[column])} -> {_shown(current[column])}"
        for column in sorted(image)
        if column in current and column != "id" and not _same(image[column], current[column])
    ]
    if not changed:
        return "it differs in a column the event's copy of the row does not show"
    return "differs: " + ", ".join(changed[:6]) + (" ..." if len(changed) > 6 else "")


def _image_of(data: Any, row_id: int, columns: set[str]) -> dict[str, Any] | None:
    """The dictionary in an event's record that describes row ``row_id``, if there is one."""
    if isinstance(data, dict):
        if data.get("id") == row_id and len(columns.intersection(data)) > 1:
            return {k: v for k, v in data.items() if k in columns}
        for value in data.values():
            found = _image_of(value, row_id, columns)
            if found:
                return found
        ids = data.get("ids")
        if isinstance(ids, list) and row_id in ids:
            return {k: v for k, v in data.items() if k in columns and k != "id"} or None
    elif isinstance(data, list):
        for item in data:
            found = _image_of(item, row_id, columns)
            if found:
                return found
    return None


def _normal(value: Any) -> str | None:
    """A value from a row or from an event's JSON in one comparable text form."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            return _normal(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    return str(value)


def _same(recorded: Any, stored: Any) -> bool:
    if isinstance(recorded, str) and "\u2022" in recorded:
        return True  # a masked value in the record: nothing to compare
    return _normal(recorded) == _normal(stored)


def _shown(value: Any) -> str:
    shown = _normal(value)
    if shown is None:
        return "NULL"
    return repr(shown if len(shown) <= 40 else shown[:37] + "...")


# ==============================================================================================
# The rule
# ==============================================================================================


def _describe(finding: SealFinding | NeverSealed) -> str:
    if isinstance(finding, NeverSealed):
        return (
            f"{finding.rows:,} ledger row(s) ({', '.join(finding.tables)}) are vouched for by "
            f"no audit event: {NEVER_SEALED}; after checking everything else, run "
            f"`{SEAL_COMMAND}`"
        )
    row = f"{finding.table} #{finding.row_id}"
    named, _sep, differs = (finding.detail or f"event #{finding.event_id}").partition("; ")
    if finding.kind == UNSEALED:
        return f"{row} is vouched for by no audit event: it was written below the program"
    if finding.kind == CHANGED:
        return f"{row} is not what {named} sealed" + (
            f": {differs}" if differs else " (the event keeps no copy of the row to compare)"
        )
    if finding.kind == GONE:
        return f"{row} is gone, but {named} sealed it: it was deleted below the program"
    if finding.kind == BACK:
        return f"{row} exists, but {named} deleted it: it was written below the program"
    return f"audit event #{finding.row_id} holds seals that cannot be read ({finding.detail})"


RULES: tuple[Rule, ...] = (
    ContextRule(
        name="every ledger row is what its latest audit event sealed",
        invariant=SEALED_ROWS,
        find=row_findings,
        describe=_describe,
    ),
)
"""The sealed-rows rules, in the order they run."""
