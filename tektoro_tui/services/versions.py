"""No save overwrites another person's: the version every record edited in a form carries.

A form is opened on a record's view, which holds the record's ``version``; saving passes that
version back. In the write that saves, the record is locked (``SELECT ... FOR UPDATE`` on
PostgreSQL, the write lock of ``BEGIN IMMEDIATE`` on SQLite) and its version compared: if
someone saved it in between, the save is refused with who changed it, when, and what, and
nothing is written; otherwise the version goes up by one. A save that names no version (a
one-shot command that reads and writes in the same transaction) is never refused for it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..data import models as m
from ..domain.money import percent_text
from ..errors import NotFound, StaleEdit, shown
from .base import local_time

UNSHOWN = frozenset({"version", "updated_at", "created_at", "name_key", "code_key", "email_key"})
"""Columns a change is never described by (they follow the ones a person typed)."""
MAX_SHOWN_CHANGES = 4


def locked(session: Session, model: type[Any], ident: int, what: str) -> Any:
    """Row ``ident`` of ``model``, read afresh and locked for the rest of the write."""
    row = session.get(model, ident, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"{what} #{ident} does not exist.")
    return row


def check_version(
    session: Session, row: Any, expected: int | None, entity: str, label: str
) -> None:
    """Refuse the save when ``row`` is no longer at ``expected``; else raise its version.

    Args:
        session: the write's session (``row`` locked in it by :func:`locked`).
        row: the record being saved.
        expected: the version the form was opened on; None for no check.
        entity: the record's audit entity ("rate_code"), to find its last change.
        label: how the message names the record ("Rate code Senior").

    Raises:
        StaleEdit: someone saved the record after the form was opened.
    """
    if expected is not None and row.version != expected:
        raise StaleEdit(stale_message(session, entity, row.id, label))
    row.version += 1


def stale_message(session: Session, entity: str, ident: int, label: str) -> str:
    """Who changed record ``ident`` last, when (the organisation's time) and what."""
    event = session.execute(
        select(m.AuditEvent)
        .where(m.AuditEvent.entity == entity, m.AuditEvent.entity_id == str(ident))
        .order_by(m.AuditEvent.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).scalar_one_or_none()
    if event is None:
        return f"{label} was changed after you opened it. Nothing was saved: reload it first."
    who = _who(session, event)
    zone = session.execute(select(m.Organisation.timezone)).scalar_one_or_none() or "UTC"
    when = local_time(event.occurred_at, zone).strftime("%Y-%m-%d %H:%M")
    changes = describe_changes(event.before_json, event.after_json)
    what = f" ({changes})" if changes else ""
    return (
        f"{label} was changed by {who} at {when}{what} after you opened it. Nothing was "
        "saved: reload to see the change, then edit again."
    )


def describe_changes(before_json: str, after_json: str) -> str:
    """The fields that differ between an audit event's before and after, as "a: x → y"."""
    try:
        before = json.loads(before_json) if before_json else {}
        after = json.loads(after_json) if after_json else {}
    except ValueError:
        return ""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ""
    before, after = _flat(before), _flat(after)
    changed = [key for key in after if key not in UNSHOWN and before.get(key) != after.get(key)]
    parts = [
        f"{_field(key)}: {_value(key, before.get(key))} → {_value(key, after.get(key))}"
        for key in changed[:MAX_SHOWN_CHANGES]
    ]
    if len(changed) > MAX_SHOWN_CHANGES:
        parts.append(f"and {len(changed) - MAX_SHOWN_CHANGES} more")
    return "; ".join(parts)


def _flat(image: dict[str, Any]) -> dict[str, Any]:
    """An audit image with a record nested in it (an invoice with its lines) as one level:
    the record's own fields, and each list by how many it holds."""
    flat: dict[str, Any] = {}
    for key, value in image.items():
        if isinstance(value, dict):
            flat.update(value)
        elif isinstance(value, list):
            flat[key] = len(value)
        else:
            flat[key] = value
    return flat


def _who(session: Session, event: m.AuditEvent) -> str:
    if event.actor_id is not None:
        name = session.execute(
            select(m.UserAccount.name).where(m.UserAccount.id == event.actor_id)
        ).scalar_one_or_none()
        if name:
            return name
    return event.actor_label or "someone"


def _field(key: str) -> str:
    return key.removesuffix("_cents").removesuffix("_bp").replace("_", " ")


def _value(key: str, value: object) -> str:
    if value is None or value == "":
        return "(none)"
    if key.endswith("_cents") and isinstance(value, int):
        return str(Decimal(value).scaleb(-2))  # minor units as typed: 6500 -> 65.00
    if key.endswith("_bp") and isinstance(value, int):
        return f"{percent_text(value)} %"
    return shown(value, 40)
