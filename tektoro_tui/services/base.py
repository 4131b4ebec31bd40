"""What every service shares: the acting user, the clock, and the unit of work.

A public service method is one user action: it opens one :class:`UnitOfWork`,
which re-reads the acting user (a deactivated user is refused at once), checks
the permission the action needs against the stored matrix, lets the method
write, appends the audit events (hash-chained) and change events, and commits
once. Nothing is half-written: any error rolls the whole action back.

The audit events vouch for the ledger: the database collects the ledger rows the
action wrote (``data/seals.py``), and the action's last event carries their
content digests (its seals). Once a database is keyed, every event also carries
the keyed mark of its hash (``services/audit_key.py``), and a write without the
right key is refused. After the commit the new head is recorded in the seen-heads
file, so that ``tektoro check`` notices a chain that later goes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Table as DbTable
from sqlalchemy import insert, select, text, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from ..data import models as m
from ..data.changefeed import CHANGE_CHANNEL
from ..data.engine import Database
from ..data.seals import seal_everything, seals_of, start_tracking, take_touched
from ..data.types import bulk_bind_processor
from ..domain import audit as audit_rules
from ..domain.audit import encode_seals, event_mark, format_timestamp, key_fingerprint
from ..domain.permissions import Perm, Role
from ..errors import (
    AuthenticationError,
    NotFound,
    PermissionDenied,
    Problem,
    TektoroError,
    ValidationError,
    shown,
)

if TYPE_CHECKING:
    from ..exports.model import StreamedTable, Table
    from ..exports.tables import Progress

EXPORT_FORMATS = ("csv", "xlsx")

_T = TypeVar("_T")


def chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    """``items`` in slices of at most ``size`` (ids per IN list below the backends' parameter
    limits)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Clock(Protocol):
    """Where services get the time from, so tests can fix it."""

    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until moved; for tests and demos."""

    current: datetime

    def now(self) -> datetime:
        """The fixed moment."""
        return self.current

    def advance(self, **delta: float) -> None:
        """Move the clock forward by a :class:`timedelta`'s keyword arguments."""
        self.current = self.current + timedelta(**delta)


@dataclass(frozen=True)
class Actor:
    """The user an action is done as; passed to every service method."""

    user_id: int
    email: str
    name: str
    role: Role
    supervisor_id: int | None = None
    company_id: int | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)

    @property
    def label(self) -> str:
        """How the audit log names this user."""
        return self.email or f"user #{self.user_id}"

    def may(self, perm: Perm) -> bool:
        """Whether the matrix loaded at login grants ``perm`` (for showing menus only)."""
        return perm.value in self.permissions


def row_dict(
    row: Any, *, omit: tuple[str, ...] = ("password_hash", "token_hash")
) -> dict[str, Any]:
    """A table row's column values, for the audit log (secrets left out)."""
    mapper = sa_inspect(type(row))
    return {
        attr.key: getattr(row, attr.key) for attr in mapper.column_attrs if attr.key not in omit
    }


def _zone(timezone: str) -> ZoneInfo:
    """The organisation's time zone (UTC when the name is unknown)."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_today(moment: datetime, timezone: str) -> date:
    """The calendar date of ``moment`` in the organisation's time zone."""
    return moment.astimezone(_zone(timezone)).date()


def org_today(session: Session, now: datetime) -> date:
    """Today in the organisation's time zone (UTC before set-up), at the moment ``now``.

    The one definition of "today" for work dates, issue and due dates, payments, aging and
    dashboards; faces ask a service's :meth:`ServiceBase.today`.
    """
    timezone = session.execute(
        select(m.Organisation.timezone).where(m.Organisation.id == 1)
    ).scalar_one_or_none()
    return local_today(now, timezone or "UTC")


def local_time(moment: datetime, timezone: str) -> datetime:
    """``moment`` as the clock on the office wall shows it, to the second, without a zone.

    For reports: a spreadsheet cell holds no time zone, so the time is the organisation's.
    """
    return moment.astimezone(_zone(timezone)).replace(tzinfo=None, microsecond=0)


def organisation(session: Session) -> m.Organisation:
    """The organisation row, or NotFound before the firm is set up."""
    org = session.get(m.Organisation, 1)
    if org is None:
        raise NotFound("The organisation is not set up yet. Run 'tektoro init' first.")
    return org


def org_currency(session: Session) -> str:
    """The organisation's currency (EUR before set-up)."""
    org = session.get(m.Organisation, 1)
    return org.currency if org else "EUR"


def has_permission(session: Session, actor: Actor, perm: Perm) -> bool:
    """Whether ``actor``'s current role holds ``perm`` in the stored matrix (read now)."""
    role = session.execute(
        select(m.UserAccount.role).where(m.UserAccount.id == actor.user_id)
    ).scalar_one()
    found = session.execute(
        select(m.RolePermission.role).where(
            m.RolePermission.role == role, m.RolePermission.permission == perm.value
        )
    ).first()
    return found is not None


@dataclass(frozen=True)
class CommittedHead:
    """The end of the chain a unit of work appended to: recorded as seen after the commit."""

    chain: str  # the hash of the chain's first event
    event_id: int
    hash: str
    keyed_from: int | None


class UnitOfWork:
    """One transaction of one user action, with its audit and change events."""

    def __init__(self, session: Session, actor: Actor | None, now: datetime, backend: str) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self.backend = backend
        self._audit: list[tuple[str, str, str | None, str, str]] = []
        self._changes: list[tuple[str, str | None, str, int | None]] = []
        self._keying: bytes | None = None
        self.head: CommittedHead | None = None

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: object,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        *,
        owners: Iterable[int | None] | None = None,
    ) -> None:
        """Record a write for the audit log and the real-time feed (appended at commit).

        ``owners`` are the people whose records the write changed (a time entry's owner, a
        notification's recipient): the feed gets one change event per person, so open screens
        can skip changes to records they do not show. Leave it out for records of nobody in
        particular (the change then concerns every screen watching the table).
        """
        ident = None if entity_id is None else str(entity_id)
        self._audit.append(
            (
                action,
                entity,
                ident,
                audit_rules.canonical_json(before),
                audit_rules.canonical_json(after),
            )
        )
        given = set(owners) if owners is not None else {None}
        people: list[int | None] = [*sorted(o for o in given if o is not None)]
        if None in given or not people:
            people.append(None)  # concerns every screen that watches the table
        for owner in people:
            self._changes.append((entity, ident, action, owner))

    def key_chain(self, key: bytes) -> None:
        """Key the chain with ``key`` from this action's first event on, sealing every ledger
        row as it stands (a new organisation, ``tektoro audit seal``)."""
        self._keying = key

    def flush_events(self) -> None:
        """Seal the ledger rows this action wrote and append its audit and change events."""
        self.session.flush()
        conn = self.session.connection()
        touched = take_touched(conn)
        if not self._audit and not touched and self._keying is None:
            return
        seals = seal_everything(conn) if self._keying is not None else seals_of(conn, touched)
        if any(seals.values()) and not self._audit:
            self.audit("ledger.write", "ledger", None)
        head = self.session.execute(
            select(m.AuditHead).where(m.AuditHead.id == 1).with_for_update()
        ).scalar_one()
        key = self._keying
        if key is None and head.key_id:
            from .audit_key import key_for_writing

            key = key_for_writing(head.key_id)
        prev = head.last_hash
        label = self.actor.label if self.actor else "system"
        actor_id = self.actor.user_id if self.actor else None
        stamp = format_timestamp(self.now)
        last_id = head.last_event_id
        first_new: int | None = None
        sealed = encode_seals(seals)
        for position, (action, entity, ident, before, after) in enumerate(self._audit, 1):
            own_seals = sealed if position == len(self._audit) else ""
            digest = audit_rules.event_hash(
                prev,
                occurred_at=stamp,
                actor_label=label,
                action=action,
                entity=entity,
                entity_id=ident,
                before_json=before,
                after_json=after,
                seals=own_seals,
                keyed=key is not None,
                actor_id=actor_id,
            )
            event = m.AuditEvent(
                occurred_at=self.now,
                actor_id=actor_id,
                actor_label=label,
                action=action,
                entity=entity,
                entity_id=ident,
                before_json=before,
                after_json=after,
                prev_hash=prev,
                hash=digest,
                seals=own_seals,
                mark=event_mark(key, digest) if key is not None else None,
            )
            self.session.add(event)
            self.session.flush()
            prev = digest
            last_id = event.id or last_id
            first_new = first_new or event.id
        values: dict[str, Any] = {"last_event_id": last_id, "last_hash": prev}
        keyed_from = head.keyed_from
        if self._keying is not None:
            keyed_from = first_new
            values.update(key_id=key_fingerprint(self._keying), keyed_from=keyed_from)
        self.session.execute(update(m.AuditHead).where(m.AuditHead.id == 1).values(**values))
        first = self.session.execute(
            select(m.AuditEvent.hash).order_by(m.AuditEvent.id).limit(1)
        ).scalar_one()
        self.head = CommittedHead(chain=first, event_id=last_id, hash=prev, keyed_from=keyed_from)
        for entity, ident, action, owner in self._changes:
            self.session.add(
                m.ChangeEvent(
                    occurred_at=self.now,
                    entity=entity,
                    entity_id=ident,
                    action=action,
                    actor_id=actor_id,
                    owner_id=owner,
                )
            )
        if self.backend == "postgresql":
            self.session.execute(text(f"NOTIFY {CHANGE_CHANNEL}"))
        self._audit.clear()
        self._changes.clear()


class ServiceBase:
    """Base of the services: database, clock and the transaction helpers."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    @contextmanager
    def _write(
        self, actor: Actor | None, *perms: Perm, dry_run: bool = False
    ) -> Iterator[UnitOfWork]:
        """One write transaction for one action by ``actor`` needing all of ``perms``.

        With ``dry_run`` the action runs whole (every check, every row it would write) and is
        then rolled back: a dry run is refused for exactly what the real one would be refused
        for, and writes nothing, not even an audit event. (On PostgreSQL the ids it drew from
        the tables' sequences are not handed out again; ids are not numbers people see.)
        """
        with self.db.write() as session:
            start_tracking(session.connection())
            if actor is not None:
                self._authorise(session, actor, perms)
            uow = UnitOfWork(session, actor, self.clock.now(), self.db.backend)
            yield uow
            if dry_run:
                session.rollback()
                return
            uow.flush_events()
        if uow.head is not None:
            from .audit_key import record_head

            head = uow.head
            record_head(
                head.chain,
                head.event_id,
                head.hash,
                self.db.display_url,
                keyed_from=head.keyed_from,
            )

    @contextmanager
    def _read(self, actor: Actor | None, *perms: Perm) -> Iterator[Session]:
        """A read session for ``actor`` needing all of ``perms``."""
        with self.db.read() as session:
            if actor is not None:
                self._authorise(session, actor, perms)
            yield session

    def _authorise(self, session: Session, actor: Actor, perms: tuple[Perm, ...]) -> None:
        """Refuse inactive users and missing permissions, reading the live matrix."""
        row = session.execute(
            select(m.UserAccount.is_active, m.UserAccount.role).where(
                m.UserAccount.id == actor.user_id
            )
        ).one_or_none()
        if row is None or not row.is_active:
            raise AuthenticationError(
                "Your account is no longer active. Ask an administrator.", title="Signed out"
            )
        if not perms:
            return
        granted = set(
            session.execute(
                select(m.RolePermission.permission).where(
                    m.RolePermission.role == row.role,
                    m.RolePermission.permission.in_([p.value for p in perms]),  # type: ignore[attr-defined]
                )
            ).scalars()
        )
        missing = [p for p in perms if p.value not in granted]
        if missing:
            names = ", ".join(p.label.lower() for p in missing)
            raise PermissionDenied(
                f"Your role ({Role(row.role).label}) may not {names}. "
                "An administrator can change this under Permissions."
            )

    def today(self) -> date:
        """Today in the organisation's time zone, by this service's clock."""
        with self.db.read() as session:
            return org_today(session, self.clock.now())

    def _now(self) -> datetime:
        return self.clock.now()

    @staticmethod
    def _get(session: Session, model: type[Any], ident: int, what: str) -> Any:
        """Load a row by primary key or raise NotFound naming ``what``."""
        row = session.get(model, ident)
        if row is None:
            raise NotFound(f"{what} #{ident} does not exist.")
        return row


def bound_values(
    table: DbTable, names: Sequence[str], dialect: Dialect
) -> Callable[[Sequence[Any]], list[Any]]:
    """A converter of one row's values (in the order of ``names``) into what the driver is
    handed: each through its column type's bind processor (dates, times, flags as SQLAlchemy
    stores them), only for the columns that have one. For the bulk writers that bypass
    SQLAlchemy's own executemany, which would build a parameter dict per row."""
    processors = [
        (index, process)
        for index, name in enumerate(names)
        if (process := bulk_bind_processor(table.c[name].type, dialect)) is not None
    ]

    def convert(row: Sequence[Any]) -> list[Any]:
        cells = list(row)
        for index, process in processors:
            cells[index] = process(cells[index])
        return cells

    return convert


STREAM_BATCH = 2000
"""Rows read from the database at a time while an export is written as it is read."""


def insert_rows(session: Session, table: DbTable, values: Sequence[Mapping[str, Any]]) -> None:
    """Store many new rows of ``table`` (every column but the id, the same keys in each) in
    the transaction of ``session``, in as few statements as each database allows.

    PostgreSQL fires the seal-tracking trigger once per statement, so an ``executemany`` of
    ten thousand rows fired it ten thousand times: there the rows go in by one COPY (its
    triggers fire as for an INSERT), each value through its column type's bind processor
    first. SQLite takes multi-row INSERTs of a thousand rows, which SQLAlchemy sends when the
    new ids are asked for. (benchmarks/invoicing.py: opening an 8,971-line draft 1.29 s ->
    0.94 s on PostgreSQL, 0.97 s -> 0.79 s on SQLite.)
    """
    if not values:
        return
    dialect = session.get_bind().dialect
    if dialect.name == "sqlite":
        session.execute(insert(table).returning(table.c.id), list(values)).all()
        return
    names = list(values[0])
    convert = bound_values(table, names, dialect)
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy,
    ):
        for row in values:
            copy.write_row(convert([row[name] for name in names]))


def export_format(fmt: str) -> str:
    """``fmt`` as one of EXPORT_FORMATS; anything else is refused naming the field."""
    kind = fmt.strip().lower()
    if kind not in EXPORT_FORMATS:
        raise ValidationError([Problem("format", "must be csv or xlsx")])
    return kind


def write_table(
    table: Table | StreamedTable,
    fmt: str,
    out: Path,
    progress: Progress | None = None,
    *,
    extra: tuple[Table, ...] = (),
) -> Path:
    """Write ``table`` as CSV or XLSX to ``out`` atomically, row by row; returns the path.

    The one table writer of the product: the CLI's exports, the screens' exports and the
    services' own all come here, so they refuse the same things with the same words. A
    :class:`~..exports.model.StreamedTable` is read while it is written (memory stays flat);
    ``progress`` is told (rows written, rows expected) as it goes. The tables of ``extra``
    become further sheets of an XLSX (a CSV holds one table: they are left out).

    Raises:
        ValidationError: ``fmt`` is neither csv nor xlsx (before any row is read).
        TektoroError: the file cannot be written (nothing is left half-written).
    """
    import io

    from ..exports.filenames import atomic_file
    from ..exports.tables import write_csv, write_xlsx

    kind = export_format(fmt)
    _refuse_unwritable(Path(out))
    try:
        with atomic_file(out) as file:
            if kind == "csv":
                text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
                write_csv(table, text, progress)
                text.flush()
                text.detach()
            else:
                write_xlsx(table, file, progress, extra)
    except OSError as exc:
        raise _not_written(Path(out), f"{exc.strerror or exc}") from exc
    return Path(out)


def write_file(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically (a reader never sees half a file).

    A missing folder is created; an existing regular file is replaced. Anything else at the
    target is refused before a byte is written: a folder, a symbolic link (replacing it would
    not write where it points), a device, a pipe or a socket.

    Raises:
        TektoroError: the target cannot be written, saying why.
    """
    from ..exports.filenames import write_atomic

    _refuse_unwritable(Path(target))
    try:
        return write_atomic(target, data)
    except OSError as exc:
        raise _not_written(target, f"{exc.strerror or exc}") from exc


def _refuse_unwritable(target: Path) -> None:
    """Refuse a target that names no file, or something a file must not replace."""
    if target.name in ("", ".", "..") or not target.name.strip():
        raise _not_written(target, "that is not a file name; give the name of a file to write")
    try:
        if target.is_symlink():
            raise _not_written(target, "it is a symbolic link, which an export never replaces")
        if target.is_dir():
            raise _not_written(target, "it is a folder; give the name of a file in it")
        if target.exists() and not target.is_file():
            raise _not_written(target, "it is not a regular file, which an export never replaces")
        folder = next((p for p in target.parents if p.exists() or p.is_symlink()), None)
        if folder is not None and not folder.is_dir():
            raise _not_written(target, f"{shown(folder, PATH_SHOWN)} is a file, not a folder")
    except OSError as exc:  # a name too long, a folder we may not look into
        raise _not_written(target, f"{exc.strerror or exc}") from exc


PATH_SHOWN = 300
"""How much of a path a message quotes (a path is longer than most typed values)."""


def _not_written(target: Path, reason: str) -> TektoroError:
    return TektoroError(
        f"Could not write {shown(target, PATH_SHOWN)}: {reason}.", title="Could not save the file"
    )
