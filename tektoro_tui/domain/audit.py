"""The audit chain: how each event's hash is derived from the one before.

Pure functions so that the services (which append) and ``tektoro check``
(which re-derives) compute exactly the same thing: the timestamp's text form,
each event's hash, and the walk over a stored chain that finds where it breaks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import chain
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


def format_timestamp(moment: datetime) -> str:
    """The one text form of a timestamp used in hashes (UTC, microseconds, 'Z')."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_utc(moment: datetime | str) -> datetime:
    """A stored ``occurred_at`` as an aware datetime, as the database column type reads it.

    SQLite hands back the naive UTC text that was stored; PostgreSQL an aware
    ``timestamptz`` (in the session's zone; :func:`format_timestamp` converts).
    """
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


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


# ==============================================================================================
# Re-deriving a stored chain
# ==============================================================================================

StoredEvent = Sequence[Any]
"""One stored event as the database returns it, in this column order: id, occurred_at,
actor_label, action, entity, entity_id, before_json, after_json, prev_hash, hash."""

_Stamped = tuple[Any, str, str, str, str, str | None, str, str, str, str]


@dataclass
class ChainVerdict:
    """What recomputing the audit chain found."""

    events: int = 0
    first_broken_id: int | None = None
    first_reason: str = ""
    affected: int = 0  # events from the first broken one to the end
    tampered: int = 0  # events whose stored hash does not match their own content
    link_breaks: int = 0  # events whose prev_hash is not the previous event's hash
    last_id: int = 0
    last_hash: str = GENESIS_HASH

    @property
    def broken(self) -> bool:
        """True when some event is not covered by a valid chain."""
        return self.first_broken_id is not None

    def describe(self) -> str:
        """One sentence on where the chain breaks and how much of it is affected."""
        return (
            f"the chain breaks at event #{self.first_broken_id} ({self.first_reason}); "
            f"{self.affected:,} of {self.events:,} event(s) from there on are not covered by "
            f"a valid chain ({self.tampered:,} with content that does not match its hash, "
            f"{self.link_breaks:,} not linked to the event before)"
        )

    def details(self) -> list[str]:
        """The break as report lines: none for an intact chain."""
        return [self.describe()] if self.broken else []


def verify_chain(batches: Iterable[Sequence[StoredEvent]]) -> ChainVerdict:
    """Recompute every event's hash from GENESIS_HASH in id order.

    Until the first break, each event's hash is recomputed from the previous
    recomputed hash. From the first break on, every event is affected; each is
    then checked on its own (content against its stored hash, prev_hash against
    the previous stored hash) to count the tampered ones and the broken links.
    The head must name the last event and its hash; when the chain is broken no
    recomputed hash is valid for it, so ``last_hash`` is the last stored one.
    """
    verdict = ChainVerdict()
    events = _stamped(batches)
    first_broken = _walk_intact(events, verdict)
    if first_broken is not None:
        _walk_broken(chain((first_broken,), events), verdict)
    return verdict


def _stamped(batches: Iterable[Sequence[StoredEvent]]) -> Iterator[_Stamped]:
    """The events one by one, ``occurred_at`` turned into the hashed text form.

    Events of one transaction share their moment, so the text is formed once per moment.
    """
    last_moment: Any = None
    stamp = ""
    for batch in batches:
        for ident, moment, label, action, entity, entity_id, before, after, prev, digest in batch:
            if moment != last_moment:
                stamp = "" if moment is None else format_timestamp(as_utc(moment))
                last_moment = moment
            yield ident, stamp, label, action, entity, entity_id, before, after, prev, digest


def _walk_intact(events: Iterator[_Stamped], verdict: ChainVerdict) -> _Stamped | None:
    """Follow the chain from GENESIS_HASH while it holds; return the first broken event."""
    compute = event_hash
    prev = GENESIS_HASH  # the recomputed hash of the previous event
    count = last_id = 0
    broken: _Stamped | None = None
    for event in events:
        ident, stamp, label, action, entity, entity_id, before, after, prev_hash, digest = event
        own = compute(
            prev,
            occurred_at=stamp,
            actor_label=label,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before_json=before,
            after_json=after,
        )
        if own != digest or prev_hash != prev:
            verdict.first_broken_id = ident
            verdict.first_reason = _break_reason(linked=prev_hash == prev)
            broken = event
            break
        prev = own
        count += 1
        last_id = ident
    verdict.events = count
    verdict.last_id = last_id
    verdict.last_hash = prev
    return broken


def _break_reason(*, linked: bool) -> str:
    """Why the first broken event breaks the chain."""
    if not linked:
        return (
            "its prev_hash does not match the previous event: an event before it "
            "was removed or replaced"
        )
    return "its content does not match its hash"


def _walk_broken(events: Iterable[_Stamped], verdict: ChainVerdict) -> None:
    """Check each event from the first break on by itself; count the tampered and unlinked."""
    compute = event_hash
    prev_stored = verdict.last_hash  # the stored hash of the previous event
    affected = tampered = link_breaks = 0
    last_id = verdict.last_id
    for ident, stamp, label, action, entity, entity_id, before, after, prev_hash, digest in events:
        own = compute(
            prev_hash,
            occurred_at=stamp,
            actor_label=label,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before_json=before,
            after_json=after,
        )
        tampered += own != digest
        link_breaks += prev_hash != prev_stored
        affected += 1
        prev_stored = digest
        last_id = ident
    verdict.last_id = last_id
    verdict.events += affected
    verdict.affected = affected
    verdict.tampered = tampered
    verdict.link_breaks = link_breaks
    verdict.last_hash = prev_stored
