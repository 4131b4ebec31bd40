"""Time Card, Time Report and Approvals: stages 1-3 of the time pipeline (DESIGN.md section 5).

Who sees what (the staff-group rule): a user sees their own entries and those of their *direct*
staff (``owner.supervisor_id == user``), one level only. An entry outside that set behaves as
if it did not exist: single-entry actions raise :class:`NotFound`, batch actions skip it as
"not found". The Time Report never widens this rule, not even for administrators; only the
Approvals stage has ``include_all`` for holders of ``time.approve_any``.

Batch actions (accept, approve, reject, delete) read their candidates, explain every entry they
leave alone, and then apply ONE conditional statement per chunk of ids
(``UPDATE ... WHERE id IN (...) AND status IN (...) RETURNING ...``): only the ids the database
returns count as changed, so two people acting on overlapping selections at the same moment never
change an entry twice. Each batch writes one audit event listing its ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, Select, delete, desc, func, select, text, tuple_, union_all, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ...data import models as m
from ...domain.money import Money
from ...domain.permissions import Perm
from ...domain.rounding import RoundingMode, divide_to_int
from ...domain.states import TimeAction, TimeEntryStatus, time_entry_transition
from ...domain.timeparse import MAX_MINUTES_PER_DAY, format_minutes
from ...domain.validation import Form
from ...errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
    Problem,
    ValidationError,
    shown,
)
from ...exports.model import CellValue, Column, StreamedTable, Table
from ..administration.presets import PresetsMissing, missing_presets
from ..base import (
    STREAM_BATCH,
    Actor,
    ServiceBase,
    UnitOfWork,
    chunks,
    has_permission,
    org_currency,
    org_today,
    organisation,
    row_dict,
    write_table,
)
from ..versions import check_version
from .entries import entry_view, entry_view_query, report_rows_query
from .summary import DIRECT_STAFF_SQL, project_hours, project_hours_sql

if TYPE_CHECKING:
    from ...exports.tables import Progress
from .views import (
    BatchResult,
    ContributorSummary,
    EntryPage,
    ProjectHours,
    ReportFilter,
    Skipped,
    TimeCardForm,
    TimeEntryView,
    Totals,
)

PAGE_SIZE = 50
MAX_DESCRIPTION = 2000
MAX_REASON = 1000
ID_CHUNK = 5000
"""Ids per ``IN (...)`` list: far below the bind-parameter limits of SQLite and PostgreSQL."""
BRANCH_CHUNK = 200
"""Per-owner index branches per UNION ALL (SQLite allows at most 500 compound terms)."""
NOT_FOUND = "not found"
OWN_WORK = "Nobody approves or rejects their own entries: your supervisor does."
KEEPS_OWNER = "an entry keeps its owner; delete it and enter a new card for the other person"

TE = m.metadata.tables["time_entry"]
USERS = m.metadata.tables["user_account"]
PROJECTS = m.metadata.tables["project"]
COMPANIES = m.metadata.tables["company"]
TASKS = m.metadata.tables["task"]
ACTIVITIES = m.metadata.tables["activity"]
RATES = m.metadata.tables["rate_code"]

_Who = Callable[[Row[Any]], str | None]


def _sources(action: TimeAction) -> tuple[str, ...]:
    """The statuses from which ``action`` is legal, as the domain's state machine says."""
    legal = []
    for status in TimeEntryStatus:
        try:
            time_entry_transition(status, action)
        except IllegalTransition:
            continue
        legal.append(status.value)
    return tuple(legal)


@dataclass(frozen=True)
class _Card:
    """A validated time card: column values ready to be written."""

    work_date: date
    project_id: int
    task_id: int
    activity_id: int
    rate_code_id: int
    minutes: int
    start_minute: int | None
    end_minute: int | None
    description: str
    billable: bool
    rate_cents: int
    value_cents: int

    def values(self) -> dict[str, Any]:
        """The columns of ``time_entry`` this card sets."""
        return asdict(self)


@dataclass(frozen=True)
class _Scope:
    """Which entries a list shows: owners (None = everybody), statuses and further conditions."""

    owners: tuple[int, ...] | None
    statuses: tuple[str, ...] = ()
    conditions: tuple[ColumnElement[bool], ...] = ()

    @property
    def empty(self) -> bool:
        """True when no entry can match (no visible owner)."""
        return self.owners is not None and not self.owners

    @property
    def owner_set(self) -> frozenset[int] | None:
        """Whose entries the scope covers (None: anybody's), as a page reports it."""
        return None if self.owners is None else frozenset(self.owners)

    def where(self) -> list[ColumnElement[bool]]:
        """Every condition of the scope, for totals, exports and batch candidates."""
        where = list(self.conditions)
        if self.owners is not None:
            where.append(TE.c.owner_id.in_(self.owners))
        if self.statuses:
            where.append(TE.c.status.in_(self.statuses))
        return where

    def branches(self) -> list[tuple[int | None, str | None]]:
        """One (owner, status) pair per index range the page query walks."""
        owners: Sequence[int | None] = self.owners if self.owners is not None else (None,)
        statuses: Sequence[str | None] = self.statuses or (None,)
        return [(owner, status) for owner in owners for status in statuses]


class TimeService(ServiceBase):
    """Time cards, the Time Report (edit, delete, accept) and Approvals (approve, reject)."""

    # --- Time Card --------------------------------------------------------------------------

    def add_entry(self, actor: Actor, form: TimeCardForm) -> TimeEntryView:
        """Save a new draft time card for ``actor`` or, as their supervisor, a direct staff member.

        Raises:
            PresetsMissing: a code preset has no active entry yet (names which).
            PermissionDenied: ``form.owner_id`` is not the actor nor one of their direct staff.
            ValidationError: every problem of the form at once.
        """
        with self._write(actor, Perm.TIME_ENTER) as uow:
            session = uow.session
            _require_presets(session)
            owner = _lock_owner(session, actor, form.owner_id)
            card = _validate_card(session, form, owner, uow.now, exclude_id=None)
            entry = m.TimeEntry(
                owner_id=owner.id,
                entered_by_id=actor.user_id,
                status=TimeEntryStatus.DRAFT.value,
                created_at=uow.now,
                **card.values(),
            )
            session.add(entry)
            session.flush()
            uow.audit(
                "time_entry.create",
                "time_entry",
                entry.id,
                None,
                row_dict(entry),
                owners=[entry.owner_id],
            )
            return _entry_view(session, entry.id or 0)

    def get_entry(self, actor: Actor, entry_id: int) -> TimeEntryView:
        """One entry ``actor`` may see (their own or a direct staff member's)."""
        with self._read(actor) as session:
            _visible_entry(session, actor, entry_id)
            return _entry_view(session, entry_id)

    def update_entry(
        self, actor: Actor, entry_id: int, form: TimeCardForm, *, version: int | None = None
    ) -> TimeEntryView:
        """Change a draft or rejected entry's codes, date, time or text; the value is recomputed.
        Refused if someone saved the entry after the form was opened on ``version``.

        Allowed to the owner, whoever entered it and the owner's supervisor (all of whom see
        it). A rejected entry stays rejected, with its reason, until it is accepted again.

        Raises:
            NotFound: no such entry among those ``actor`` sees.
            IllegalTransition: the entry is no longer draft or rejected.
            ValidationError: every problem of the form, or the entry lies in a locked period.
        """
        with self._write(actor, Perm.TIME_ENTER) as uow:
            session = uow.session
            entry = _visible_entry(session, actor, entry_id, lock=True)
            before = row_dict(entry)
            check_version(session, entry, version, "time_entry", f"Entry #{entry_id}")
            time_entry_transition(TimeEntryStatus(entry.status), TimeAction.EDIT)
            if form.owner_id not in (None, entry.owner_id):
                raise ValidationError([Problem("owner_id", KEEPS_OWNER)])
            _refuse_locked_entry(session, entry.work_date)
            owner = _lock_owner(session, actor, entry.owner_id, supervised_ok=True)
            card = _validate_card(
                session, form, owner, uow.now, exclude_id=entry.id, kept_date=entry.work_date
            )
            for key, value in card.values().items():
                setattr(entry, key, value)
            entry.updated_at = uow.now
            session.flush()
            uow.audit(
                "time_entry.update",
                "time_entry",
                entry.id,
                before,
                row_dict(entry),
                owners=[entry.owner_id],
            )
            return _entry_view(session, entry_id)

    def delete_entries(
        self, actor: Actor, ids: Sequence[int], dry_run: bool = False
    ) -> BatchResult:
        """Delete draft or rejected entries ``actor`` sees; every other id is skipped with why.

        One audit event per batch keeps the deleted rows in ``before_json``.
        """
        with self._write(actor, Perm.TIME_ENTER) as uow:
            session = uow.session
            visible = set(_visible_owner_ids(session, actor))
            lock = _lock_date(session)
            rows = _rows_by_id(session, ids)

            def may(row: Row[Any]) -> str | None:
                if row.owner_id not in visible:
                    return NOT_FOUND
                if lock is not None and row.work_date <= lock:
                    return f"the period up to {lock.isoformat()} is locked"
                return None

            eligible, skipped = _classify(ids, rows, may, TimeAction.DELETE)
            if dry_run or not eligible:
                return _batch("delete", dry_run, eligible, skipped, session)
            return self._delete(uow, eligible, skipped)

    # --- Time Report ------------------------------------------------------------------------

    def report(
        self,
        actor: Actor,
        flt: ReportFilter | None = None,
        *,
        after: tuple[object, ...] | None = None,
        limit: int = PAGE_SIZE,
    ) -> EntryPage:
        """One page of the Time Report, newest work date first, with totals of the whole filter.

        ``after`` is the previous page's ``next_after`` (work date, id). Each visible owner (and
        each chosen status) is read as its own range of ``ix_time_entry_owner_date`` /
        ``ix_time_entry_owner_status`` and the ranges are merged, so finding a page costs the
        same on a million entries as on a hundred. The totals read every matching row.
        """
        with self._read(actor) as session:
            scope = _report_scope(session, actor, flt or ReportFilter())
            return _entry_page(session, scope, after, limit)

    def accept(
        self,
        actor: Actor,
        ids: Sequence[int] | None = None,
        *,
        flt: ReportFilter | None = None,
        dry_run: bool = False,
    ) -> BatchResult:
        """Accept one entry, a selection (``ids``) or every acceptable entry ``flt`` shows.

        Draft and rejected entries become accepted (the rejection reason is cleared) and move on
        to Approvals. The owner, whoever entered the entry and the owner's supervisor may accept;
        chosen ids that cannot be accepted are skipped with the reason. With a filter, only its
        draft and rejected entries are candidates; others are not listed. Done as one
        conditional ``UPDATE ... RETURNING`` per chunk of ids (not one round trip per entry) and
        audited as ONE event whose ``after_json`` lists the accepted ids. To apply exactly what
        a dry run showed, pass its ``entry_ids`` as ``ids`` (``ids`` win over ``flt``).
        """
        if ids is None and flt is None:
            raise ValidationError(
                [Problem("ids", "choose entries to accept, or a filter")], title="Nothing chosen"
            )
        with self._write(actor, Perm.TIME_ENTER) as uow:
            session = uow.session
            if ids is None:
                assert flt is not None
                scope = _report_scope(session, actor, flt, restrict=_sources(TimeAction.ACCEPT))
                eligible, skipped = _candidates(session, scope), list[Skipped]()
            else:
                visible = set(_visible_owner_ids(session, actor))
                eligible, skipped = _classify(
                    ids,
                    _rows_by_id(session, ids),
                    lambda row: None if row.owner_id in visible else NOT_FOUND,
                    TimeAction.ACCEPT,
                )
            values = {
                "status": TimeEntryStatus.ACCEPTED.value,
                "rejection_reason": "",
                "accepted_by_id": actor.user_id,
                "accepted_at": uow.now,
            }
            return self._change(uow, TimeAction.ACCEPT, eligible, skipped, values, dry_run)

    def report_table(self, actor: Actor, flt: ReportFilter | None = None) -> Table:
        """Every entry of the Time Report for ``flt`` as a table for CSV/XLSX and "mail to me".

        Hours are minutes as ints (column kind "hours"), rate and value are :class:`Money`.
        """
        flt = flt or ReportFilter()
        with self._read(actor) as session:
            scope = _report_scope(session, actor, flt)
            currency = org_currency(session)
            views = [] if scope.empty else _views_where(session, scope.where(), currency)
            return _report_table(views, flt, currency)

    def project_hours(
        self, actor: Actor, flt: ReportFilter | None = None
    ) -> tuple[ProjectHours, ...]:
        """The Time Report for ``flt`` summed per project, by client and project name: the
        entries, hours and value of each. Read from the daily time summary (a few rows a day
        for each person, not every entry), with the query one-shot commands run without the
        services too (:func:`~tektoro_tui.services.pipeline.summary.project_hours_sql`)."""
        flt = flt or ReportFilter()
        with self._read(actor) as session:
            scope = _report_scope(session, actor, flt)
            if scope.empty:
                return ()
            sql, params = project_hours_sql(
                self.db.backend,
                scope.owners or (),
                statuses=scope.statuses,
                date_from=flt.date_from,
                date_to=flt.date_to,
                project_id=flt.project_id,
                client_id=flt.client_id,
            )
            rows = session.execute(text(sql), params).all()
            return project_hours(rows, org_currency(session))

    def export_report(
        self,
        actor: Actor,
        flt: ReportFilter | None,
        fmt: str,
        out: Path,
        progress: Progress | None = None,
    ) -> Path:
        """Write every entry of the Time Report for ``flt`` to ``out`` as CSV or XLSX while it
        is read (a server-side cursor on PostgreSQL, batches on SQLite): memory stays flat
        however many entries there are. The same table as :meth:`report_table`; the totals
        row sums what was written. ``progress`` is told (entries written, entries expected).

        Raises:
            ValidationError: ``fmt`` is neither csv nor xlsx (before any entry is read).
            TektoroError: the file cannot be written (nothing is left half-written).
        """
        flt = flt or ReportFilter()
        with self._read(actor) as session:
            scope = _report_scope(session, actor, flt)
            currency = org_currency(session)
            expected = 0 if scope.empty else _totals(session, scope, currency).entries
            sums = [0, 0]  # minutes, value in cents

            def rows() -> Iterator[tuple[CellValue, ...]]:
                if scope.empty:
                    return
                query = (
                    report_rows_query()
                    .where(*scope.where())
                    .order_by(desc(TE.c.work_date), desc(TE.c.id))
                    .execution_options(yield_per=STREAM_BATCH)
                )
                # report_rows_query's columns are the table's: minutes at 6, cents at 7 and 8
                for row in session.execute(query):
                    sums[0] += row[6]
                    sums[1] += row[8]
                    yield row

            columns = tuple(
                replace(column, currency=currency) if column.kind == "money" else column
                for column in REPORT_COLUMNS
            )  # the rows carry amounts as cents of the firm's currency
            table = StreamedTable(
                "Time report",
                columns,
                rows(),
                lambda: _report_totals(sums[0], Money(sums[1], currency)),
                _subtitle(flt, expected),
                expected,
            )
            return write_table(table, fmt, out, progress)

    # --- Approvals --------------------------------------------------------------------------

    def approvals(
        self, actor: Actor, *, include_all: bool = False
    ) -> tuple[ContributorSummary, ...]:
        """Accepted entries awaiting ``actor``'s approval, summed per contributor (by name).

        Supervisors see their direct staff; ``include_all`` (needs ``time.approve_any``) shows
        every accepted entry in the firm.
        """
        with self._read(actor, *_approve_any_if(include_all)) as session:
            scope = _approval_scope(session, actor, None, include_all)
            if scope.empty:
                return ()
            return _contributors(session, scope, org_currency(session))

    def approval_entries(
        self,
        actor: Actor,
        contributor_id: int | None = None,
        *,
        include_all: bool = False,
        after: tuple[object, ...] | None = None,
        limit: int = PAGE_SIZE,
    ) -> EntryPage:
        """One page of the accepted entries in Approvals (of one contributor when given)."""
        with self._read(actor, *_approve_any_if(include_all)) as session:
            scope = _approval_scope(session, actor, contributor_id, include_all)
            return _entry_page(session, scope, after, limit)

    def approve(
        self,
        actor: Actor,
        ids: Sequence[int] | None = None,
        *,
        contributor_id: int | None = None,
        include_all: bool = False,
        dry_run: bool = False,
    ) -> BatchResult:
        """Approve accepted entries: chosen ``ids``, a whole contributor, or everything listed.

        Only the owner's supervisor or a holder of ``time.approve_any`` may approve, and nobody
        approves their own work, whatever their role or permissions. The write is ONE conditional
        ``UPDATE ... WHERE id IN (...) AND status = 'accepted' RETURNING`` per chunk: when two
        people approve overlapping sets at once, each entry is approved exactly once and the
        loser's copies are skipped as "already approved by someone else". One audit event per
        batch lists the approved ids. Approved entries move to WIP.
        """
        with self._write(actor, *_approve_any_if(include_all)) as uow:
            eligible, skipped = self._approval_candidates(
                uow.session, actor, ids, contributor_id, include_all, "approve"
            )
            values = {
                "status": TimeEntryStatus.APPROVED.value,
                "approved_by_id": actor.user_id,
                "approved_at": uow.now,
            }
            return self._change(uow, TimeAction.APPROVE, eligible, skipped, values, dry_run)

    def reject(
        self,
        actor: Actor,
        ids: Sequence[int] | None = None,
        *,
        reason: str,
        contributor_id: int | None = None,
        include_all: bool = False,
        dry_run: bool = False,
    ) -> BatchResult:
        """Send accepted entries back to the Time Report with ``reason`` (required).

        Same who-may rule, scopes and concurrency guarantee as :meth:`approve`.
        """
        check = Form()
        cleaned = check.text("reason", reason, max_length=MAX_REASON)
        check.raise_if_any()
        with self._write(actor, *_approve_any_if(include_all)) as uow:
            eligible, skipped = self._approval_candidates(
                uow.session, actor, ids, contributor_id, include_all, "reject"
            )
            values = {"status": TimeEntryStatus.REJECTED.value, "rejection_reason": cleaned}
            return self._change(uow, TimeAction.REJECT, eligible, skipped, values, dry_run)

    # --- batch machinery --------------------------------------------------------------------

    def _approval_candidates(
        self,
        session: Session,
        actor: Actor,
        ids: Sequence[int] | None,
        contributor_id: int | None,
        include_all: bool,
        verb: str,
    ) -> tuple[list[Row[Any]], list[Skipped]]:
        """Entries to approve or reject, and the chosen ones left alone with the reason."""
        if ids is None:
            scope = _approval_scope(session, actor, contributor_id, include_all)
            return _candidates(session, scope), []
        staff = set(_direct_staff_ids(session, actor))
        approve_any = has_permission(session, actor, Perm.TIME_APPROVE_ANY)

        def may(row: Row[Any]) -> str | None:
            if row.owner_id == actor.user_id:
                return f"nobody can {verb} their own entries: your supervisor does"
            if row.owner_id in staff or approve_any:
                return None
            return NOT_FOUND

        action = TimeAction.APPROVE if verb == "approve" else TimeAction.REJECT
        return _classify(ids, _rows_by_id(session, ids), may, action)

    def _change(
        self,
        uow: UnitOfWork,
        action: TimeAction,
        eligible: list[Row[Any]],
        skipped: list[Skipped],
        values: dict[str, Any],
        dry_run: bool,
    ) -> BatchResult:
        """Apply a status change to ``eligible`` with conditional UPDATEs; audit one event."""
        session = uow.session
        if dry_run or not eligible:
            return _batch(action.value, dry_run, eligible, skipped, session)
        sources = _sources(action)
        changed: list[Row[Any]] = []
        for chunk in chunks([row.id for row in eligible], ID_CHUNK):
            statement = (
                update(TE)
                .where(TE.c.id.in_(chunk), TE.c.status.in_(sources))
                .values(**values, version=TE.c.version + 1, updated_at=uow.now)
                .returning(TE.c.id, TE.c.minutes, TE.c.value_cents)
            )
            changed.extend(session.execute(statement).all())
        lost = _lost_reasons(session, eligible, changed, values["status"])
        if changed:
            applied = sorted(row.id for row in changed)
            status_before = {str(row.id): row.status for row in eligible}
            uow.audit(
                f"time_entry.{action.value}",
                "time_entry",
                applied[0] if len(applied) == 1 else None,
                {"status_by_id": {str(i): status_before[str(i)] for i in applied}},
                {"ids": applied, **values},
                owners=_owners_of(eligible, applied),
            )
        return _batch(action.value, False, changed, [*skipped, *lost], session)

    def _delete(
        self, uow: UnitOfWork, eligible: list[Row[Any]], skipped: list[Skipped]
    ) -> BatchResult:
        """Delete ``eligible`` (still draft or rejected) and audit the deleted rows."""
        session = uow.session
        sources = _sources(TimeAction.DELETE)
        ids = [row.id for row in eligible]
        snapshot = {}
        deleted: list[Row[Any]] = []
        for chunk in chunks(ids, ID_CHUNK):
            where = (TE.c.id.in_(chunk), TE.c.status.in_(sources))
            for row in session.execute(select(TE).where(*where)).all():
                snapshot[row.id] = dict(row._mapping)
            statement = delete(TE).where(*where).returning(TE.c.id, TE.c.minutes, TE.c.value_cents)
            deleted.extend(session.execute(statement).all())
        lost = _lost_reasons(session, eligible, deleted, "deleted")
        if deleted:
            gone = sorted(row.id for row in deleted)
            uow.audit(
                "time_entry.delete",
                "time_entry",
                gone[0] if len(gone) == 1 else None,
                {"ids": gone, "entries": [snapshot[i] for i in gone]},
                None,
                owners=_owners_of(eligible, gone),
            )
        return _batch("delete", False, deleted, [*skipped, *lost], session)


# ==============================================================================================
# Who may see and do what
# ==============================================================================================


def _require_presets(session: Session) -> None:
    """Refuse a time card, naming the presets that have no active entry yet."""
    missing = missing_presets(session)
    if missing:
        raise PresetsMissing(
            "Time cards can be entered once every code preset has at least one active "
            f"entry. Missing: {', '.join(missing)}."
        )


def waiting_for_approval(session: Session, actor: Actor) -> int:
    """How many entries wait for ``actor``'s approval: the one definition, used everywhere.

    The accepted entries of ``actor``'s direct staff, exactly what Approvals lists by default
    (its "all" view of the whole firm is a choice of its own, never this figure).
    """
    staff = _direct_staff_ids(session, actor)
    if not staff:
        return 0
    total = session.execute(
        select(func.coalesce(func.sum(m.TimeDayTotal.entries), 0)).where(
            m.TimeDayTotal.status == TimeEntryStatus.ACCEPTED.value,
            m.TimeDayTotal.owner_id.in_(staff),  # type: ignore[attr-defined]
        )
    ).scalar_one()
    return int(total)


def firm_waiting_for_approval(session: Session, actor: Actor) -> int:
    """Accepted entries of the whole firm but ``actor``'s own (Approvals' "all" view, for
    approve-any holders)."""
    total = session.execute(
        select(func.coalesce(func.sum(m.TimeDayTotal.entries), 0)).where(
            m.TimeDayTotal.status == TimeEntryStatus.ACCEPTED.value,
            m.TimeDayTotal.owner_id != actor.user_id,
        )
    ).scalar_one()
    return int(total)


def _direct_staff_ids(session: Session, actor: Actor) -> list[int]:
    """The ids of ``actor``'s direct staff (one level down only; never the actor, even when a
    row edited below the application names them their own supervisor)."""
    return [
        int(ident)
        for ident in session.execute(text(DIRECT_STAFF_SQL), {"me": actor.user_id}).scalars()
    ]


def _owners_of(rows: Sequence[Row[Any]], ids: Sequence[int]) -> set[int | None]:
    """Whose entries among ``rows`` have the ``ids`` (for the change feed)."""
    wanted = set(ids)
    return {row.owner_id for row in rows if row.id in wanted}


def _visible_owner_ids(session: Session, actor: Actor) -> list[int]:
    """Whose entries ``actor`` sees: themself first, then their direct staff."""
    return [actor.user_id, *_direct_staff_ids(session, actor)]


def _visible_entry(
    session: Session, actor: Actor, entry_id: int, *, lock: bool = False
) -> m.TimeEntry:
    """The entry if ``actor`` sees it (locked for update when asked); NotFound otherwise."""
    query = select(m.TimeEntry).where(m.TimeEntry.id == entry_id)
    entry = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if entry is None or entry.owner_id not in _visible_owner_ids(session, actor):
        raise NotFound(f"Time entry #{entry_id} does not exist.")
    return entry


def _lock_owner(
    session: Session, actor: Actor, owner_id: int | None, *, supervised_ok: bool = False
) -> m.UserAccount:
    """The card's owner, row-locked so one person's day total is checked by one writer at a time.

    A card is for the actor or for one of their direct staff; anybody else is refused.
    ``supervised_ok`` is for edits, whose visibility was checked already.
    """
    ident = actor.user_id if owner_id is None else owner_id
    owner = session.execute(
        select(m.UserAccount).where(m.UserAccount.id == ident).with_for_update(key_share=True)
    ).scalar_one_or_none()
    mine = owner is not None and (ident == actor.user_id or owner.supervisor_id == actor.user_id)
    if owner is None or not (mine or supervised_ok):
        raise PermissionDenied(
            "You can enter time cards only for yourself and your direct staff; "
            f"user #{ident} is not one of your direct staff."
        )
    return owner


def _approve_any_if(include_all: bool) -> tuple[Perm, ...]:
    """The permission ``include_all`` needs (none otherwise)."""
    return (Perm.TIME_APPROVE_ANY,) if include_all else ()


# ==============================================================================================
# Validating a time card
# ==============================================================================================


def _lock_date(session: Session) -> date | None:
    """The last day of the locked period, if any."""
    return organisation(session).period_lock_date


def _refuse_locked_entry(session: Session, work_date: date) -> None:
    """Refuse changing an entry whose date already lies in the locked period."""
    lock = _lock_date(session)
    if lock is not None and work_date <= lock:
        raise ValidationError(
            [Problem("work_date", f"the period up to {lock.isoformat()} is locked")]
        )


def _validate_card(
    session: Session,
    form: TimeCardForm,
    owner: m.UserAccount,
    now: datetime,
    *,
    exclude_id: int | None,
    kept_date: date | None = None,
) -> _Card:
    """Check every field of ``form`` at once; ValidationError lists all problems.

    A work date far from today is refused (the organisation's window, a year each way by
    default), unless it is the date an edited entry already has (``kept_date``).
    """
    org = organisation(session)
    check = Form()
    today = org_today(session, now)
    work_date = _work_date(check, form.work_date, today)
    if work_date is not None and work_date != kept_date:
        _check_window(check, work_date, today, org.work_date_window_days)
    codes = _codes(session, check, form)
    spent = check.time_spent("time_spent", form.time_spent)
    description = check.text(
        "description", form.description, required=False, max_length=MAX_DESCRIPTION
    )
    if work_date is not None:
        _check_lock(check, work_date, org.period_lock_date)
    if work_date is not None and spent is not None:
        _check_day_total(session, check, owner, work_date, spent.minutes, exclude_id)
    check.raise_if_any()
    assert work_date is not None and spent is not None and codes is not None
    project, task, activity, rate = codes
    rate_cents = rate.hourly_rate_cents
    return _Card(
        work_date=work_date,
        project_id=project.id,
        task_id=task.id,
        activity_id=activity.id,
        rate_code_id=rate.id,
        minutes=spent.minutes,
        start_minute=spent.start.hour * 60 + spent.start.minute if spent.start else None,
        end_minute=spent.end.hour * 60 + spent.end.minute if spent.end else None,
        description=description or "",
        billable=bool(form.billable),
        rate_cents=rate_cents,
        value_cents=divide_to_int(spent.minutes * rate_cents, 60, _rounding(org)),
    )


def _rounding(org: m.Organisation) -> RoundingMode:
    """The organisation's rounding mode (half-up unless a setting says otherwise)."""
    try:
        return RoundingMode(org.rounding_mode)
    except ValueError:
        return RoundingMode.HALF_UP


def _work_date(check: Form, typed: str | date | None, today: date) -> date | None:
    """The typed work date; today (in the organisation's time zone) when left blank."""
    if typed is None or (isinstance(typed, str) and not typed.strip()):
        return today
    return check.date("work_date", typed)


def _codes(session: Session, check: Form, form: TimeCardForm) -> tuple[Any, Any, Any, Any] | None:
    """The project, task, activity and rate code rows, each existing and active."""
    project = _active_code(session, check, "project_id", m.Project, form.project_id, "project")
    task = _active_code(session, check, "task_id", m.Task, form.task_id, "task")
    activity = _active_code(session, check, "activity_id", m.Activity, form.activity_id, "activity")
    rate = _active_code(session, check, "rate_code_id", m.RateCode, form.rate_code_id, "rate code")
    if project is not None and task is not None and task.project_id != project.id:
        check.add("task_id", f"task '{task.name}' belongs to another project, not '{project.name}'")
        return None
    if project is None or task is None or activity is None or rate is None:
        return None
    return project, task, activity, rate


def _active_code(
    session: Session, check: Form, field: str, model: type[Any], ident: int | None, label: str
) -> Any:
    """The preset row ``ident`` if it exists and is active; records the problem otherwise."""
    if ident is None:
        check.add(field, "is required")
        return None
    row = session.get(model, ident)
    if row is None:
        check.add(field, f"{label} #{ident} does not exist")
        return None
    if not row.is_active:
        check.add(field, f"{label} '{row.name}' is inactive; choose an active one")
        return None
    return row


def _check_window(check: Form, work_date: date, today: date, days: int) -> None:
    """No work date more than ``days`` days before or after today (a typing mistake such as
    0001-01-01 or 9999-12-31 would otherwise reach an invoice's sale date)."""
    if abs((work_date - today).days) > days:
        first, last = today - timedelta(days=days), today + timedelta(days=days)
        check.add(
            "work_date",
            f"must be from {first.isoformat()} to {last.isoformat()} ({days} days either side "
            "of today; an administrator can change this in Settings)",
        )


def _check_lock(check: Form, work_date: date, lock: date | None) -> None:
    """No new or moved entry on or before the period lock date."""
    if lock is not None and work_date <= lock:
        check.add("work_date", f"the period up to {lock.isoformat()} is locked")


def _check_day_total(
    session: Session,
    check: Form,
    owner: m.UserAccount,
    work_date: date,
    minutes: int,
    exclude_id: int | None,
) -> None:
    """At most 24 hours per person and work date, counting every entry of theirs that day."""
    query = select(func.coalesce(func.sum(TE.c.minutes), 0)).where(
        TE.c.owner_id == owner.id, TE.c.work_date == work_date
    )
    if exclude_id is not None:
        query = query.where(TE.c.id != exclude_id)
    booked = int(session.execute(query).scalar_one())
    if booked + minutes > MAX_MINUTES_PER_DAY:
        room = max(0, MAX_MINUTES_PER_DAY - booked)
        check.add(
            "time_spent",
            f"{owner.name} already has {format_minutes(booked)} h booked on "
            f"{work_date.isoformat()}; at most {format_minutes(room)} h more fits in that day "
            "(24 hours per day)",
        )


# ==============================================================================================
# Scopes, pages and totals
# ==============================================================================================


def _report_scope(
    session: Session, actor: Actor, flt: ReportFilter, *, restrict: tuple[str, ...] = ()
) -> _Scope:
    """The Time Report's scope: visible owners narrowed by ``flt`` (and by ``restrict``)."""
    owners = _visible_owner_ids(session, actor)
    if flt.owner_id is not None:
        owners = [o for o in owners if o == flt.owner_id]
    statuses = _statuses(flt.statuses)
    if restrict:
        statuses = tuple(s for s in statuses or restrict if s in restrict)
        if not statuses:
            owners = []  # the filter shows no entry in a status the action applies to
    return _Scope(tuple(owners), statuses, tuple(_filter_conditions(flt)))


def _statuses(chosen: Iterable[str]) -> tuple[str, ...]:
    """The chosen statuses, refusing unknown ones; () means every status."""
    valid = [s.value for s in TimeEntryStatus]
    picked = tuple(dict.fromkeys(str(s).strip().lower() for s in chosen))
    unknown = [s for s in picked if s not in valid]
    if unknown:
        raise ValidationError(
            [
                Problem(
                    "statuses",
                    f"unknown status {shown(', '.join(unknown))}; use {', '.join(valid)}",
                )
            ]
        )
    return picked


def _filter_conditions(flt: ReportFilter) -> list[ColumnElement[bool]]:
    """The date, project and client conditions of a report filter."""
    where: list[ColumnElement[bool]] = []
    if flt.date_from is not None:
        where.append(TE.c.work_date >= flt.date_from)
    if flt.date_to is not None:
        where.append(TE.c.work_date <= flt.date_to)
    if flt.project_id is not None:
        where.append(TE.c.project_id == flt.project_id)
    if flt.client_id is not None:
        client_projects = select(PROJECTS.c.id).where(PROJECTS.c.client_id == flt.client_id)
        where.append(TE.c.project_id.in_(client_projects))
    return where


def _approval_scope(
    session: Session, actor: Actor, contributor_id: int | None, include_all: bool
) -> _Scope:
    """Accepted entries of ``actor``'s direct staff, or of everybody with ``include_all``.

    Never the actor's own: nobody approves their own work, whatever their role.
    """
    accepted = (TimeEntryStatus.ACCEPTED.value,)
    if contributor_id == actor.user_id:
        raise PermissionDenied(OWN_WORK)
    if include_all:
        owners = None if contributor_id is None else (contributor_id,)
        return _Scope(owners, accepted, (TE.c.owner_id != actor.user_id,))
    staff = _direct_staff_ids(session, actor)
    if contributor_id is not None:
        if contributor_id not in staff:
            raise NotFound(f"User #{contributor_id} is not one of your direct staff.")
        staff = [contributor_id]
    return _Scope(tuple(staff), accepted)


def _entry_page(
    session: Session, scope: _Scope, after: tuple[object, ...] | None, limit: int
) -> EntryPage:
    """A keyset page of ``scope`` (work date desc, id desc) plus the totals of all of it."""
    currency = org_currency(session)
    if scope.empty:
        return EntryPage((), None, Totals(0, 0, Money.zero(currency)), scope.owner_set)
    limit = max(1, limit)
    keys = _page_keys(session, scope, _cursor(after), limit + 1)
    views = _views_by_id(session, [key[1] for key in keys[:limit]], currency)
    more = len(keys) > limit
    last = keys[limit - 1] if more else None
    next_after = (last[0], last[1]) if last is not None else None
    return EntryPage(tuple(views), next_after, _totals(session, scope, currency), scope.owner_set)


def _cursor(after: tuple[object, ...] | None) -> tuple[date, int] | None:
    """A keyset cursor (work date, id); the date may come back as ISO text from a CLI."""
    if after is None:
        return None
    day, ident = after[0], after[1]
    if isinstance(day, str):
        day = date.fromisoformat(day)
    if not isinstance(day, date):
        raise ValidationError([Problem("after", "must be (work date, id)")])
    return day, int(str(ident))


def _page_keys(
    session: Session, scope: _Scope, after: tuple[date, int] | None, limit: int
) -> list[tuple[date, int]]:
    """The first ``limit`` (work date, id) keys of ``scope`` after ``after``, newest first.

    Every (owner, status) branch is an index range read backwards with its own LIMIT; a UNION
    ALL merges them, so the database never sorts more than branches × limit keys.
    """
    keys: list[tuple[date, int]] = []
    for chunk in chunks(scope.branches(), BRANCH_CHUNK):
        parts = [_branch(owner, status, scope, after, limit) for owner, status in chunk]
        merged = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
        query = (
            select(merged.c.work_date, merged.c.id)
            .order_by(desc(merged.c.work_date), desc(merged.c.id))
            .limit(limit)
        )
        keys.extend((row.work_date, row.id) for row in session.execute(query))
    keys.sort(reverse=True)
    return keys[:limit]


def _branch(
    owner: int | None,
    status: str | None,
    scope: _Scope,
    after: tuple[date, int] | None,
    limit: int,
) -> Select[Any]:
    """The newest ``limit`` keys of one owner (and status): one backwards index range."""
    where = list(scope.conditions)
    if owner is not None:
        where.append(TE.c.owner_id == owner)
    if status is not None:
        where.append(TE.c.status == status)
    if after is not None:
        where.append(tuple_(TE.c.work_date, TE.c.id) < tuple_(*after))
    inner = (
        select(TE.c.work_date, TE.c.id)
        .where(*where)
        .order_by(desc(TE.c.work_date), desc(TE.c.id))
        .limit(limit)
        .subquery()
    )
    return select(inner.c.work_date, inner.c.id)


def _totals(session: Session, scope: _Scope, currency: str) -> Totals:
    """Count, minutes and value of everything in ``scope``."""
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(TE.c.minutes), 0),
            func.coalesce(func.sum(TE.c.value_cents), 0),
        ).where(*scope.where())
    ).one()
    return Totals(int(row[0]), int(row[1]), Money(int(row[2]), currency))


def _contributors(session: Session, scope: _Scope, currency: str) -> tuple[ContributorSummary, ...]:
    """Per owner in ``scope``: entries, minutes and value, by name."""
    rows = session.execute(
        select(
            TE.c.owner_id,
            USERS.c.name,
            func.count(),
            func.sum(TE.c.minutes),
            func.sum(TE.c.value_cents),
        )
        .join(USERS, USERS.c.id == TE.c.owner_id)
        .where(*scope.where())
        .group_by(TE.c.owner_id, USERS.c.name)
        .order_by(USERS.c.name, TE.c.owner_id)
    ).all()
    return tuple(
        ContributorSummary(
            user_id=row[0],
            name=row[1],
            totals=Totals(int(row[2]), int(row[3]), Money(int(row[4]), currency)),
        )
        for row in rows
    )


# ==============================================================================================
# Batch helpers
# ==============================================================================================

_BATCH_COLUMNS = (
    TE.c.id,
    TE.c.owner_id,
    TE.c.status,
    TE.c.work_date,
    TE.c.minutes,
    TE.c.value_cents,
)


def _rows_by_id(session: Session, ids: Sequence[int]) -> dict[int, Row[Any]]:
    """The batch columns of the chosen entries that exist, by id."""
    rows: dict[int, Any] = {}
    unique = list(dict.fromkeys(int(i) for i in ids))
    for chunk in chunks(unique, ID_CHUNK):
        query = select(*_BATCH_COLUMNS).where(TE.c.id.in_(chunk))
        rows.update((row.id, row) for row in session.execute(query))
    return rows


def _candidates(session: Session, scope: _Scope) -> list[Row[Any]]:
    """Every entry of ``scope``, oldest first, as batch rows."""
    if scope.empty:
        return []
    query = select(*_BATCH_COLUMNS).where(*scope.where()).order_by(TE.c.id)
    return list(session.execute(query).all())


def _classify(
    ids: Sequence[int], rows: dict[int, Row[Any]], may: _Who, action: TimeAction
) -> tuple[list[Row[Any]], list[Skipped]]:
    """Split chosen ids into entries ``action`` applies to and skipped ones with the reason."""
    eligible: list[Row[Any]] = []
    skipped: list[Skipped] = []
    for ident in dict.fromkeys(int(i) for i in ids):
        row = rows.get(ident)
        reason = NOT_FOUND if row is None else may(row)
        if reason is None and row is not None:
            try:
                time_entry_transition(TimeEntryStatus(row.status), action)
            except IllegalTransition as refused:
                reason = refused.reason
        if reason is None and row is not None:
            eligible.append(row)
        else:
            skipped.append(Skipped(ident, reason or NOT_FOUND))
    return eligible, skipped


def _lost_reasons(
    session: Session, eligible: list[Row[Any]], changed: list[Row[Any]], outcome: str
) -> list[Skipped]:
    """Why eligible entries were not changed after all: someone else got there first."""
    done = {row.id for row in changed}
    lost = [row.id for row in eligible if row.id not in done]
    if not lost:
        return []
    now: dict[int, str] = {}
    for chunk in chunks(lost, ID_CHUNK):
        query = select(TE.c.id, TE.c.status).where(TE.c.id.in_(chunk))
        now.update((row.id, row.status) for row in session.execute(query))
    skipped = []
    for ident in lost:
        status = now.get(ident)
        if status is None:
            reason = "deleted by someone else"
        elif status == outcome:
            reason = f"already {outcome} by someone else"
        else:
            reason = f"changed by someone else (now {status})"
        skipped.append(Skipped(ident, reason))
    return skipped


def _batch(
    action: str,
    dry_run: bool,
    rows: Sequence[Row[Any]],
    skipped: Sequence[Skipped],
    session: Session,
) -> BatchResult:
    """A :class:`BatchResult` with the totals of ``rows``."""
    currency = org_currency(session)
    totals = Totals(
        len(rows),
        sum(int(row.minutes) for row in rows),
        Money(sum(int(row.value_cents) for row in rows), currency),
    )
    ids = tuple(sorted(int(row.id) for row in rows))
    return BatchResult(action, dry_run, ids, totals, tuple(sorted(skipped, key=_skip_key)))


def _skip_key(skip: Skipped) -> int:
    """Skipped entries in id order."""
    return skip.entry_id


# ==============================================================================================
# Read models
# ==============================================================================================


def _views_by_id(session: Session, ids: Sequence[int], currency: str) -> list[TimeEntryView]:
    """Views of ``ids``, in the order given."""
    if not ids:
        return []
    rows = session.execute(entry_view_query().where(TE.c.id.in_(ids))).all()
    by_id = {row.id: entry_view(row, currency) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _views_where(
    session: Session, where: list[ColumnElement[bool]], currency: str
) -> list[TimeEntryView]:
    """Views of every entry matching ``where``, newest work date first."""
    query = entry_view_query().where(*where).order_by(desc(TE.c.work_date), desc(TE.c.id))
    return [entry_view(row, currency) for row in session.execute(query)]


def _entry_view(session: Session, entry_id: int) -> TimeEntryView:
    """The view of one entry (which must exist)."""
    views = _views_by_id(session, [entry_id], org_currency(session))
    if not views:
        raise NotFound(f"Time entry #{entry_id} does not exist.")
    return views[0]


REPORT_COLUMNS = (
    Column("Date", "date"),
    Column("Person"),
    Column("Client"),
    Column("Project"),
    Column("Task"),
    Column("Activity"),
    Column("Hours", "hours"),
    Column("Rate", "money"),
    Column("Value", "money"),
    Column("Status"),
    Column("Description"),
)


def _report_row(v: TimeEntryView) -> tuple[CellValue, ...]:
    """One entry as a row of the Time Report's table."""
    return (
        v.work_date,
        v.owner_name,
        v.client_name,
        v.project_name,
        v.task_name,
        v.activity_name,
        v.minutes,
        v.rate,
        v.value,
        v.status,
        v.description,
    )


def _report_totals(minutes: int, value: Money) -> tuple[CellValue, ...]:
    """The Time Report table's totals row."""
    return ("Total", "", "", "", "", "", minutes, None, value, "", "")


def _report_table(views: Sequence[TimeEntryView], flt: ReportFilter, currency: str) -> Table:
    """The Time Report as a table with a totals row."""
    rows = tuple(_report_row(v) for v in views)
    minutes = sum(v.minutes for v in views)
    value = Money(sum(v.value.cents for v in views), currency)
    totals = _report_totals(minutes, value)
    return Table("Time report", REPORT_COLUMNS, rows, totals, _subtitle(flt, len(views)))


def _subtitle(flt: ReportFilter, count: int) -> str:
    """What the table covers, in words: period, statuses and the number of entries."""
    start = flt.date_from.isoformat() if flt.date_from else "the beginning"
    end = flt.date_to.isoformat() if flt.date_to else "today"
    parts = [f"{start} to {end}" if flt.date_from or flt.date_to else "all dates"]
    if flt.statuses:
        parts.append("status: " + ", ".join(flt.statuses))
    parts.append(f"{count} entr{'y' if count == 1 else 'ies'}")
    return " · ".join(parts)
