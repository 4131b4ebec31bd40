"""What a check run knows beyond its snapshot: the audit key, the seen heads, one chain walk.

The audit chain is streamed once per run (:meth:`CheckContext.walk`): while each
event's hash is recomputed, its keyed mark is checked and its seals are filed into
:class:`LatestSeals`, the latest seal of every ledger row. The audit-chain rules
and the sealed-rows rules all read that one walk.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ...domain.audit import DIGEST_LENGTH, ChainVerdict, MarkCheck, decode_seals, verify_chain
from ..audit_key import AuditKey, SeenHead, read_key, record_head, seen_head

AUDIT_BATCH = 10_000
"""Events fetched from the driver at a time while the chain is recomputed."""

_AUDIT_EVENTS_SQL = (
    "SELECT id, occurred_at, actor_label, action, entity, entity_id, before_json, after_json, "
    "prev_hash, hash, seals, mark, actor_id FROM audit_event ORDER BY id"
)

_DELETED = b"\0" * DIGEST_LENGTH
_DENSE_START = 1_000_000


def event_batches(conn: Connection) -> Iterator[Sequence[Any]]:
    """The audit events in id order, in batches, straight from the driver.

    The driver's own cursor (a server-side one on PostgreSQL) keeps memory flat
    on millions of events and skips the per-row work of SQLAlchemy's result
    objects, which would otherwise cost more than the hashing itself.
    """
    driver = conn.connection.driver_connection
    assert driver is not None
    if conn.dialect.name == "postgresql":
        cursor = driver.cursor(name="tektoro_check_audit_events")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(_AUDIT_EVENTS_SQL)
        while batch := cursor.fetchmany(AUDIT_BATCH):
            yield batch
    finally:
        cursor.close()


class LatestSeals:
    """The latest seal of every row of one table: the event and the digest (or deleted).

    Held compactly (a million rows take about 30 MB): dense arrays indexed by row id,
    a dictionary for ids far beyond them.
    """

    def __init__(self) -> None:
        self.events = array("q")
        self.digests = bytearray()
        self.far: dict[int, tuple[int, bytes]] = {}

    def put(self, ident: int, event_id: int, digest: str | None) -> None:
        """File the seal of row ``ident`` by event ``event_id`` (a later one replaces it)."""
        value = _DELETED if digest is None else digest.encode("ascii", "replace")
        if len(value) != DIGEST_LENGTH:
            value = (value + b"?" * DIGEST_LENGTH)[:DIGEST_LENGTH]
        size = len(self.events)
        if ident >= size and 0 <= ident < max(_DENSE_START, 2 * size):
            grow = max(ident + 1 - size, size, 1024)
            self.events.extend(array("q", bytes(8 * grow)))
            self.digests.extend(bytes(DIGEST_LENGTH * grow))
            size += grow
        if 0 <= ident < size:
            self.events[ident] = event_id
            at = ident * DIGEST_LENGTH
            self.digests[at : at + DIGEST_LENGTH] = value
        else:
            self.far[ident] = (event_id, value)

    def get(self, ident: int) -> tuple[int, bytes | None]:
        """(event id, digest) of row ``ident``; (0, None) unsealed; digest None when deleted."""
        if 0 <= ident < len(self.events):
            event_id = self.events[ident]
            if not event_id:
                return 0, None
            at = ident * DIGEST_LENGTH
            value = bytes(self.digests[at : at + DIGEST_LENGTH])
        else:
            event_id, value = self.far.get(ident, (0, _DELETED))
            if not event_id:
                return 0, None
        return event_id, None if value == _DELETED else value

    def sealed_ids(self) -> Iterator[int]:
        """The ids whose latest seal says the row exists."""
        events, digests = self.events, self.digests
        for ident in range(len(events)):
            if events[ident]:
                at = ident * DIGEST_LENGTH
                if digests[at : at + DIGEST_LENGTH] != _DELETED:
                    yield ident
        for ident, (_event, value) in self.far.items():
            if value != _DELETED:
                yield ident


@dataclass(frozen=True)
class Head:
    """The audit head row: where the chain ends and how it is keyed."""

    last_event_id: int
    last_hash: str
    key_id: str | None
    keyed_from: int | None


@dataclass
class ChainWalk:
    """The audit chain as one stream of its events found it."""

    verdict: ChainVerdict
    head: Head | None
    seals: dict[str, LatestSeals] = field(default_factory=dict)
    unreadable_seals: list[tuple[int, str]] = field(default_factory=list)

    @property
    def keyed(self) -> bool:
        """Whether the database says its chain is keyed."""
        return self.head is not None and bool(self.head.key_id)

    def file_seals(self, event_id: int, text_: str) -> None:
        """File one event's seals as the latest of their rows."""
        try:
            for table, ident, digest in decode_seals(text_):
                book = self.seals.get(table)
                if book is None:
                    book = self.seals[table] = LatestSeals()
                book.put(ident, event_id, digest)
        except ValueError as exc:
            self.unreadable_seals.append((event_id, str(exc)))


@dataclass(frozen=True)
class HeadProblem:
    """The chain no longer holds the furthest event seen of it."""

    seen: SeenHead
    last_id: int
    found_hash: str | None  # the hash the seen event's id holds now (None: no such event)
    keyed_from: int | None = None  # set when the head's first keyed event moved

    @property
    def went_back(self) -> bool:
        """True when the chain now ends before the event seen."""
        return self.last_id < self.seen.event_id


@dataclass
class CheckContext:
    """The audit key, the seen heads and the one chain walk of a check run."""

    key: AuditKey | None
    key_error: str | None
    heads_path: Path
    where: str
    _walk: ChainWalk | None = None
    _walk_error: BaseException | None = None
    _head_problems: list[HeadProblem] | None = None

    @classmethod
    def load(
        cls, where: str, *, key_file: Path | None = None, heads_file: Path | None = None
    ) -> CheckContext:
        """The context of a run on the database shown as ``where``, with the configured files."""
        from ..audit_key import AuditKeyError
        from ..audit_key import heads_file as configured_heads

        try:
            key: AuditKey | None = read_key(key_file)
            error = None
        except AuditKeyError as exc:
            key, error = None, exc.message
        return cls(
            key=key, key_error=error, heads_path=heads_file or configured_heads(), where=where
        )

    # --- the chain walk ---------------------------------------------------------------------

    def walk(self, conn: Connection) -> ChainWalk:
        """The chain streamed once (later calls return the same walk, or raise the same error)."""
        if self._walk_error is not None:
            raise self._walk_error
        if self._walk is None:
            try:
                self._walk = self._stream(conn)
            except Exception as exc:
                self._walk_error = exc
                raise
        return self._walk

    def _stream(self, conn: Connection) -> ChainWalk:
        head = _read_head(conn)
        marks = None
        key = self.key.key if self.key is not None else None
        if (
            head is not None
            and head.key_id
            and head.keyed_from is not None
            and key is not None
            and self.key is not None
            and self.key.fingerprint == head.key_id
        ):
            marks = MarkCheck(key=key, marked_from=head.keyed_from)
        walk = ChainWalk(verdict=ChainVerdict(), head=head)
        walk.verdict = verify_chain(event_batches(conn), marks=marks, on_seals=walk.file_seals)
        return walk

    # --- the seen heads ---------------------------------------------------------------------

    def head_problems(self, conn: Connection) -> list[HeadProblem]:
        """Whether the chain still holds the furthest event seen of it on this machine."""
        if self._head_problems is None:
            self._head_problems = self._seen_problems(conn)
        return self._head_problems

    def _seen_problems(self, conn: Connection) -> list[HeadProblem]:
        verdict = self.walk(conn).verdict
        if not verdict.first_hash:
            return []
        seen = seen_head(verdict.first_hash, self.heads_path)
        if seen is None:
            return []
        if verdict.last_id < seen.event_id:
            return [HeadProblem(seen, verdict.last_id, None)]
        found = conn.execute(
            text("SELECT hash FROM audit_event WHERE id = :id"), {"id": seen.event_id}
        ).scalar_one_or_none()
        if found != seen.hash:
            return [HeadProblem(seen, verdict.last_id, found)]
        head = self.walk(conn).head
        if seen.keyed_from is not None and head is not None and head.keyed_from != seen.keyed_from:
            return [HeadProblem(seen, verdict.last_id, found, keyed_from=head.keyed_from or 0)]
        return []

    def record(self, conn: Connection) -> None:
        """Remember the head as seen, when the chain, its marks and its history all hold."""
        walk = self._walk
        if walk is None or walk.verdict.broken or not walk.verdict.first_hash:
            return
        marks = walk.verdict.marks
        if walk.keyed and (marks is None or marks.unmarked or marks.forged):
            return
        if self.head_problems(conn):
            return
        verdict = walk.verdict
        record_head(
            verdict.first_hash,
            verdict.last_id,
            verdict.last_hash,
            self.where,
            keyed_from=walk.head.keyed_from if walk.head is not None else None,
            path=self.heads_path,
        )


def _read_head(conn: Connection) -> Head | None:
    """The audit head row (None when it cannot be read: the head rules report why)."""
    savepoint = conn.begin_nested()
    try:
        row = conn.execute(
            text("SELECT last_event_id, last_hash, key_id, keyed_from FROM audit_head WHERE id = 1")
        ).one_or_none()
    except SQLAlchemyError:
        savepoint.rollback()
        return None
    savepoint.commit()
    if row is None:
        return None
    return Head(
        last_event_id=int(row.last_event_id or 0),
        last_hash=str(row.last_hash or ""),
        key_id=row.key_id,
        keyed_from=None if row.keyed_from is None else int(row.keyed_from),
    )
