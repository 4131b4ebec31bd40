"""The real-time feed: wake up when another session commits, and say what changed.

Every service write appends change events in its transaction (``UnitOfWork.flush_events``).
A subscription waits for the next commit — LISTEN/NOTIFY on PostgreSQL, ``PRAGMA
data_version`` polling on SQLite (``data/changefeed.py``) — and returns the change events
written since it last looked.

Change events are numbered in commit order: they are inserted while the writer holds the
``audit_head`` row lock, which it keeps until it commits, so reading "every id above the last
one seen" never skips a change that commits late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..data import models as m
from ..data.changefeed import ChangeWatcher, open_watcher
from ..data.engine import Database
from .base import ServiceBase


@dataclass(frozen=True)
class ChangeView:
    """One change of the real-time feed: which entity changed and how."""

    id: int
    entity: str  # table name: invoice, payment, time_entry, master_invoice, ...
    entity_id: str | None
    action: str
    occurred_at: datetime
    owner_id: int | None = None
    """The user whose record changed; None for records of nobody in particular."""


@dataclass(frozen=True)
class ChangeBatch:
    """The changes seen by one wake-up of a subscription."""

    changes: tuple[ChangeView, ...]

    @property
    def entities(self) -> frozenset[str]:
        """The tables touched."""
        return frozenset(change.entity for change in self.changes)

    @property
    def touched(self) -> frozenset[tuple[str, int | None]]:
        """Each table touched with the people whose records changed in it (None: records of
        nobody in particular)."""
        return frozenset((change.entity, change.owner_id) for change in self.changes)


BATCH_LIMIT = 500
"""The most change events one wake-up returns; the rest come with the next call at once."""

CE = m.ChangeEvent


class ChangeSubscription:
    """One session's place in the feed; use from one thread (the app's watcher worker).

    The subscription has no acting user, so it reveals only which tables changed, whose
    records they were (a user id, so that a screen can skip what it does not show), the order
    and the time: a change's record id and action are left out of the views it returns.
    """

    def __init__(self, db: Database, watcher: ChangeWatcher, after_id: int) -> None:
        """A subscription reading ``db``'s change events above ``after_id``."""
        self._db = db
        self._watcher = watcher
        self._last_id = after_id
        self._pending = False
        self._closed = False

    @property
    def last_id(self) -> int:
        """The id of the newest change event delivered (or seen when subscribing)."""
        return self._last_id

    def next_batch(self, timeout: float) -> ChangeBatch | None:
        """Wait up to ``timeout`` seconds for new changes; None when nothing changed.

        Raises:
            DatabaseError: the change events could not be read; the next call reads again
                without waiting, so nothing is lost.
        """
        if self._closed:
            return None
        if not self._pending and not self._watcher.wait(timeout):
            return None
        if self._closed:
            return None
        self._pending = True  # stays set if the read below fails
        changes = self._read_after(self._last_id)
        self._pending = len(changes) >= BATCH_LIMIT  # a full batch: more are waiting
        if not changes:
            return None
        self._last_id = changes[-1].id
        return ChangeBatch(changes)

    def _read_after(self, last_id: int) -> tuple[ChangeView, ...]:
        """The change events after ``last_id``, oldest first (primary-key range scan)."""
        query = (
            select(CE.id, CE.entity, CE.occurred_at, CE.owner_id)
            .where(CE.id > last_id)  # type: ignore[operator]
            .order_by(CE.id)
            .limit(BATCH_LIMIT)
        )
        with self._db.read() as session:
            rows = session.execute(query).all()
        return tuple(
            ChangeView(
                id=row.id,
                entity=row.entity,
                entity_id=None,
                action="",
                occurred_at=row.occurred_at,
                owner_id=row.owner_id,
            )
            for row in rows
        )

    def close(self) -> None:
        """Stop listening and release the connection.

        May be called from another thread to stop a waiting ``next_batch`` early: it returns
        None within a fraction of a second.
        """
        self._closed = True
        self._watcher.close()


class ChangeFeed(ServiceBase):
    """Opens subscriptions to the change feed."""

    def subscribe(self) -> ChangeSubscription:
        """A subscription starting after the newest change event of now.

        The watcher starts listening before the newest id is read, so a commit in between is
        either below that id or wakes the subscription: nothing falls through the gap.

        Raises:
            LiveUpdatesUnavailable: the database cannot be watched (in-memory SQLite).
            DatabaseError: the watcher could not connect.
        """
        watcher = open_watcher(self.db)
        try:
            with self.db.read() as session:
                newest = session.execute(select(func.max(CE.id))).scalar_one()
        except BaseException:
            watcher.close()
            raise
        return ChangeSubscription(self.db, watcher, int(newest or 0))
