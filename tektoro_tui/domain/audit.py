"""The audit chain: how each event's hash is derived from the one before.

Pure functions so that the services (which append) and ``tektoro check``
(which re-derives) compute exactly the same thing: the timestamp's text form,
each event's hash, and the walk over a stored chain that finds where it breaks.

Three more things make the chain vouch for the ledger:

- **Seals.** An event carries the content digest of every ledger row its action
  wrote (:func:`row_digest`, encoded by :func:`encode_seals`); the seals are part
  of the hashed content, so the event vouches for the rows as it left them.
- **Keyed marks.** Each event appended while the database is keyed also carries
  an HMAC of its hash (:func:`event_mark`) under a key kept outside the
  database: without the key nobody can re-hash an edited chain so that it
  passes, nor append an event that does.
- **The key's fingerprint** (:func:`key_fingerprint`) names the key a database
  was keyed with, without revealing it.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
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
    seals: str = "",
    keyed: bool = False,
    actor_id: int | None = None,
) -> str:
    """The SHA-256 of an audit event's content chained to the previous event's hash.

    An event without seals and without a keyed mark hashes as events always did, so
    chains written before either existed still verify. A keyed event's hash also
    covers its ``actor_id`` (and that it is keyed: stripping or adding a mark changes
    how the event hashes, so either breaks the chain).
    """
    fields = [
        prev_hash,
        occurred_at,
        actor_label,
        action,
        entity,
        entity_id or "",
        before_json,
        after_json,
    ]
    if seals:
        fields.append(SEALS_FIELD + seals)
    if keyed:
        fields.append(KEYED_FIELD + ("" if actor_id is None else str(actor_id)))
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


SEALS_FIELD = "seals\x1e"
"""What precedes an event's seals in its hashed content."""
KEYED_FIELD = "keyed\x1eactor\x1e"
"""What precedes a keyed event's actor id in its hashed content."""

# ==============================================================================================
# The key: marks and fingerprints
# ==============================================================================================

_MARK_CONTEXT = b"tektoro-audit-mark-v1\x1f"
_FINGERPRINT_CONTEXT = b"tektoro-audit-key-v1"


def event_mark(key: bytes, digest: str) -> str:
    """The keyed mark (HMAC-SHA-256) of an event whose hash is ``digest``."""
    return hmac.new(key, _MARK_CONTEXT + digest.encode("ascii"), hashlib.sha256).hexdigest()


def key_fingerprint(key: bytes) -> str:
    """A public name of ``key`` (32 hex characters); it reveals nothing of the key."""
    return hmac.new(key, _FINGERPRINT_CONTEXT, hashlib.sha256).hexdigest()[:32]


def same_text(a: str, b: str) -> bool:
    """Compare two marks or fingerprints in constant time."""
    return hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))


# ==============================================================================================
# Row digests and seals
# ==============================================================================================

SEAL_DELETED = "-"
"""The seal of a row the event deleted."""

DIGEST_LENGTH = 22
"""Characters of a row digest: 128 bits of SHA-256 in base64 without padding."""

_STAMP = "%Y-%m-%d %H:%M:%S.%f"


def cell_text(value: Any) -> str:
    """One stored value as the text a row digest hashes, the same on every backend.

    SQLite hands back dates and naive UTC timestamps as text and booleans as 0/1;
    PostgreSQL hands back ``date``, aware ``datetime`` and ``bool``: both come out
    as the same text.
    """
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return str(value)
    if kind is bool:
        return "1" if value else "0"
    if kind is datetime:
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime(_STAMP)  # type: ignore[no-any-return]
    if kind is date:
        return value.isoformat()  # type: ignore[no-any-return]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def row_digest(table: str, names: Sequence[str], values: Sequence[Any]) -> str:
    """The content digest of one stored row: its table, then every non-NULL column by name.

    NULL columns are left out, so a column added later (NULL in the old rows) leaves
    the old rows' digests as they were; setting or clearing a value changes it.
    """
    return RowDigester(table, names)(values)


ROW_SEPARATOR = "\x1e"
"""Between the table's name and each non-NULL column of a row's digest text."""
NAME_SEPARATOR = "\x1f"
"""Between a column's name and its value in a row's digest text."""


class RowDigester:
    """:func:`row_digest` for many rows of one table (the column names prepared once)."""

    def __init__(self, table: str, names: Sequence[str]) -> None:
        self.table = table
        self.prefixes = tuple(name + NAME_SEPARATOR for name in names)

    def __call__(self, values: Sequence[Any]) -> str:
        """The digest of one row, its values in the order of the names."""
        return digest_of_text(
            ROW_SEPARATOR.join(
                [
                    self.table,
                    *[
                        prefix + (value if type(value) is str else cell_text(value))
                        for prefix, value in zip(self.prefixes, values, strict=True)
                        if value is not None
                    ],
                ]
            )
        )


def digest_of_text(text: str) -> str:
    """The digest of a row's digest text: the table's name, then ``name`` :data:`NAME_SEPARATOR`
    ``value`` of each non-NULL column in the order of the names, joined by
    :data:`ROW_SEPARATOR` (what :class:`RowDigester` builds, and what a database can build
    itself from its columns as text)."""
    raw = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return binascii.b2a_base64(raw[:16], newline=False)[:DIGEST_LENGTH].decode("ascii")


def encode_seals(seals: Mapping[str, Mapping[int, str | None]]) -> str:
    """The seals of one event as text: ``table=id:digest,id:-;table=...`` in a fixed order.

    ``None`` (or :data:`SEAL_DELETED`) seals a row the event deleted.
    """
    parts = []
    for table in sorted(seals):
        rows = seals[table]
        if rows:
            body = ",".join(f"{ident}:{rows[ident] or SEAL_DELETED}" for ident in sorted(rows))
            parts.append(f"{table}={body}")
    return ";".join(parts)


def decode_seals(text: str) -> Iterator[tuple[str, int, str | None]]:
    """(table, row id, digest or None for a deleted row) for every seal in ``text``.

    Raises:
        ValueError: the text is not in the form :func:`encode_seals` writes.
    """
    if not text:
        return
    for part in text.split(";"):
        table, sep, body = part.partition("=")
        if not sep:
            raise ValueError(f"malformed seals of table {table[:40]!r}")
        for item in body.split(","):
            ident, sep, digest = item.partition(":")
            if not sep:
                raise ValueError(f"malformed seal {item[:40]!r}")
            yield table, int(ident), None if digest == SEAL_DELETED else digest


# ==============================================================================================
# Re-deriving a stored chain
# ==============================================================================================

StoredEvent = Sequence[Any]
"""One stored event as the database returns it, in this column order: id, occurred_at,
actor_label, action, entity, entity_id, before_json, after_json, prev_hash, hash, and
optionally seals, mark and actor_id (absent in chains written before they existed)."""

_Stamped = tuple[Any, str, str, str, str, str | None, str, str, str, str, str, bool, Any]

SealSink = Callable[[int, str], None]
"""Receives (event id, seals text) of every event that carries seals, in id order."""


@dataclass
class MarkCheck:
    """What checking the keyed marks found (events from ``marked_from`` on)."""

    key: bytes
    marked_from: int
    checked: int = 0
    unmarked: list[int] = field(default_factory=list)
    forged: list[int] = field(default_factory=list)


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
    first_hash: str = ""  # the stored hash of the first event: the chain's identity
    marks: MarkCheck | None = None

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


def verify_chain(
    batches: Iterable[Sequence[StoredEvent]],
    *,
    marks: MarkCheck | None = None,
    on_seals: SealSink | None = None,
) -> ChainVerdict:
    """Recompute every event's hash from GENESIS_HASH in id order.

    Until the first break, each event's hash is recomputed from the previous
    recomputed hash. From the first break on, every event is affected; each is
    then checked on its own (content against its stored hash, prev_hash against
    the previous stored hash) to count the tampered ones and the broken links.
    The head must name the last event and its hash; when the chain is broken no
    recomputed hash is valid for it, so ``last_hash`` is the last stored one.

    With ``marks``, every event from ``marks.marked_from`` on must carry the keyed
    mark of its stored hash; the ones without it and the ones with a wrong mark are
    listed there. ``on_seals`` receives every event's seals as the events stream by.
    """
    verdict = ChainVerdict(marks=marks)
    events = _stamped(batches, verdict, marks, on_seals)
    first_broken = _walk_intact(events, verdict)
    if first_broken is not None:
        _walk_broken(chain((first_broken,), events), verdict)
    return verdict


def _stamped(
    batches: Iterable[Sequence[StoredEvent]],
    verdict: ChainVerdict,
    marks: MarkCheck | None,
    on_seals: SealSink | None,
) -> Iterator[_Stamped]:
    """The events one by one, ``occurred_at`` turned into the hashed text form.

    Events of one transaction share their moment, so the text is formed once per moment.
    The keyed marks are checked and the seals handed on here, as the events pass.
    """
    last_moment: Any = None
    stamp = ""
    first = True
    for batch in batches:
        for row in batch:
            ident, moment, label, action, entity, entity_id, before, after, prev, digest = row[:10]
            seals = (row[10] or "") if len(row) > 10 else ""
            mark = row[11] if len(row) > 11 else None
            actor_id = row[12] if len(row) > 12 else None
            if first:
                verdict.first_hash = digest
                first = False
            if moment != last_moment:
                stamp = "" if moment is None else format_timestamp(as_utc(moment))
                last_moment = moment
            if marks is not None and ident >= marks.marked_from:
                _check_mark(marks, ident, digest, mark)
            if seals and on_seals is not None:
                on_seals(ident, seals)
            keyed = bool(mark)
            yield (
                ident,
                stamp,
                label,
                action,
                entity,
                entity_id,
                before,
                after,
                prev,
                digest,
                seals,
                keyed,
                actor_id,
            )


def _check_mark(marks: MarkCheck, ident: int, digest: Any, mark: Any) -> None:
    """Count one event's keyed mark: present and right, missing, or wrong."""
    marks.checked += 1
    if not mark:
        marks.unmarked.append(ident)
    elif not isinstance(digest, str) or not same_text(str(mark), event_mark(marks.key, digest)):
        marks.forged.append(ident)


def _walk_intact(events: Iterator[_Stamped], verdict: ChainVerdict) -> _Stamped | None:
    """Follow the chain from GENESIS_HASH while it holds; return the first broken event."""
    prev = GENESIS_HASH  # the recomputed hash of the previous event
    count = last_id = 0
    broken: _Stamped | None = None
    for event in events:
        ident, prev_hash, digest = event[0], event[8], event[9]
        own = _recomputed(event, prev)
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


def _recomputed(event: _Stamped, prev: str) -> str:
    """The hash ``event``'s stored content gives when it follows a hash of ``prev``."""
    _ident, stamp, label, action, entity, entity_id, before, after = event[:8]
    return event_hash(
        prev,
        occurred_at=stamp,
        actor_label=label,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before_json=before,
        after_json=after,
        seals=event[10],
        keyed=event[11],
        actor_id=event[12],
    )


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
    prev_stored = verdict.last_hash  # the stored hash of the previous event
    affected = tampered = link_breaks = 0
    last_id = verdict.last_id
    for event in events:
        ident, prev_hash, digest = event[0], event[8], event[9]
        own = _recomputed(event, prev_hash)
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
