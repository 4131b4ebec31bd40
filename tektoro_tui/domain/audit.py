"""The audit chain: how each event's hash is derived from the one before.

Pure functions so that the services (which append) and ``tektoro check``
(which re-derives) compute exactly the same thing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

GENESIS_HASH = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def canonical_json(data: Mapping[str, Any] | None) -> str:
    """A stable JSON text of a record's fields (sorted keys, no spaces); '' for None."""
    if data is None:
        return ""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=_default)


def event_hash(
    prev_hash: str,
    *,
    occurred_at: str,
    actor_label: str,
    action: str,
    entity: str,
    entity_id: str | None,
    before_json: str,
    after_json: str,
) -> str:
    """The SHA-256 of an audit event's content chained to the previous event's hash."""
    payload = "\x1f".join(
        [
            prev_hash,
            occurred_at,
            actor_label,
            action,
            entity,
            entity_id or "",
            before_json,
            after_json,
        ]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
