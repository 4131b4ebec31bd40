"""Stage 4 of the pipeline: WIP — approved work allocated, then processed onto document records.

Approved entries wait in WIP until a manager allocates them: *bill* (optionally with a partial
write-down), *write down* (the whole value, with a reason) or *hold* (until a date, or until
released). *Process* turns allocated entries into immutable document records — one invoice
record per client (or per client and project) and one statement of write-downs — with frozen
copies of their lines; the entries become ``processed`` and the database freezes them.

Every method needs ``wip.manage`` (managers and administrators by default); listing document
records is also open to ``documenter.use``. Processing is safe against a second process doing
the same at the same moment: on PostgreSQL the numbering is serialised by an advisory lock and
the candidate rows are locked (``FOR UPDATE``), on SQLite the write transaction is serialised
by ``BEGIN IMMEDIATE``; the entries change by a conditional UPDATE whose row count is checked,
so nothing is ever billed twice or half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeAlias, cast

from sqlalchemy import and_, func, insert, or_, select, text, update
from sqlalchemy.engine import CursorResult, Row
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from ...data import models as m
from ...domain.money import Money
from ...domain.permissions import Perm
from ...domain.rounding import RoundingMode, divide_to_int
from ...domain.states import TimeAction, TimeEntryStatus, time_entry_transition
from ...domain.validation import Form
from ...errors import (
    ConflictError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    Problem,
    TektoroError,
    ValidationError,
)
from ..base import Actor, ServiceBase, UnitOfWork, chunks, has_permission, org_currency, org_today
from ..projects.figures import settlement_billed
from .entries import entry_view, entry_view_query
from .views import (
    ALLOCATIONS,
    WRITE_DOWN_REASONS,
    AllocationForm,
    BatchResult,
    DocumentLineView,
    DocumentSummary,
    EntryPage,
    ProcessResult,
    RealisationRow,
    Skipped,
    Totals,
    WipGroup,
)

PAGE_SIZE = 50
ID_CHUNK = 1000
"""Ids per ``IN (...)`` list: well inside SQLite's and PostgreSQL's parameter limits."""
LINE_CHUNK = 1000
"""Document lines per bulk insert; ``progress`` is called after each chunk."""
UNALLOCATED = "unallocated"
ENTRY_FILTERS = (UNALLOCATED, *ALLOCATIONS)
REALISATION_BY = ("client", "staff")
REFERENCE_PREFIX = "DR-"
NEW_REFERENCE = "(new)"
OTHER_REASON = "Other"
# Any fixed 64-bit key; process() takes it so two processings never number at once.
_PROCESS_LOCK_KEY = 0x7E4B_0D0C_0001

TE = m.metadata.tables["time_entry"]
PR = m.metadata.tables["project"]
TD = m.metadata.tables["time_day_total"]  # the daily time summary, kept by triggers
CO = m.metadata.tables["company"]
UA = m.metadata.tables["user_account"]
TK = m.metadata.tables["task"]
AC = m.metadata.tables["activity"]
RC = m.metadata.tables["rate_code"]
DR = m.metadata.tables["document_record"]
DL = m.metadata.tables["document_line"]
IV = m.metadata.tables["invoice"]

_APPROVED = TimeEntryStatus.APPROVED.value
_ALLOCATED = TimeEntryStatus.ALLOCATED.value
_PROCESSED = TimeEntryStatus.PROCESSED.value
_IN_WIP = (_APPROVED, _ALLOCATED)

Progress = Callable[[int, int], None]
_Row: TypeAlias = "Row[*tuple[Any, ...]]"


class NothingToProcess(TektoroError):
    """Processing found no allocated entry ready to go onto a document record."""

    title = "Nothing to process"


# ==============================================================================================
# Plans: what an action will write, computed the same way for a dry run and for real
# ==============================================================================================


@dataclass(frozen=True)
class _Allocation:
    """A validated allocation form."""

    kind: str
    amount_cents: int | None  # None: no amount typed
    reason: str
    note: str
    hold_until: date | None


@dataclass
class _AllocationPlan:
    """Entries to change, grouped by what they become; the rest skipped with a reason."""

    groups: dict[tuple[str, int | None], list[int]] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    allocation: _Allocation | None = None

    @property
    def ids(self) -> list[int]:
        """Every entry that changes, by id."""
        return sorted(i for ids in self.groups.values() for i in ids)


@dataclass
class _PlannedDocument:
    """One document record about to be created and the entries that go onto it."""

    kind: str
    client_id: int
    project_id: int | None
    rows: list[_Row] = field(default_factory=list)
    reference: str = NEW_REFERENCE
    id: int | None = None

    @property
    def minutes(self) -> int:
        """Total time on the record."""
        return sum(r.minutes for r in self.rows)

    @property
    def value_cents(self) -> int:
        """Total value of the work before write-downs."""
        return sum(r.value_cents for r in self.rows)

    @property
    def write_down_cents(self) -> int:
        """Total written down."""
        return sum(r.write_down_cents for r in self.rows)

    @property
    def billed_cents(self) -> int:
        """Total billed: value minus write-downs."""
        return self.value_cents - self.write_down_cents


class WipService(ServiceBase):
    """The WIP report: groups, entries, allocation, processing, document records, realisation."""

    # --- reading WIP ----------------------------------------------------------------------

    def groups(self, actor: Actor, *, client_id: int | None = None) -> tuple[WipGroup, ...]:
        """WIP totals per client and project (one GROUP BY over the entries in WIP)."""
        with self._read(actor, Perm.WIP_MANAGE) as session:
            sums = _group_sums(session, client_id)
            names = _project_names(session, list(sums))
            currency = org_currency(session)
            settled = settlement_billed(session, list(sums))
            groups = [
                _wip_group(pid, sums[pid], names[pid], currency, pid in settled) for pid in sums
            ]
            return tuple(
                sorted(groups, key=lambda g: (g.client_name, g.project_name, g.project_id))
            )

    def entries(
        self,
        actor: Actor,
        *,
        client_id: int | None = None,
        project_id: int | None = None,
        allocation: str | None = None,
        after: tuple[object, ...] | None = None,
        limit: int = PAGE_SIZE,
    ) -> EntryPage:
        """One page of entries in WIP, oldest work first, with the totals of the whole filter.

        ``allocation`` None lists everything in WIP, ``"unallocated"`` the approved entries
        not yet allocated, ``"bill"``/``"write_down"``/``"hold"`` the entries so allocated.
        ``after`` is the previous page's ``next_after`` (work date, id).
        """
        if allocation is not None and allocation not in ENTRY_FILTERS:
            raise ValidationError(
                [Problem("allocation", f"must be one of: {', '.join(ENTRY_FILTERS)}")]
            )
        statuses, conditions = _entry_filter(client_id, project_id, allocation)
        keyset = [] if after is None else [_after_date_id(after)]
        with self._read(actor, Perm.WIP_MANAGE) as session:
            currency = org_currency(session)
            if allocation in (None, UNALLOCATED):  # the summary has no allocation column
                totals = _summary_totals(session, statuses, client_id, project_id)
            else:
                totals = _totals_of(session, statuses, conditions)
            rows = _page_rows(session, statuses, [*conditions, *keyset], limit + 1)
            items = tuple(entry_view(r, currency) for r in rows[:limit])
            more = len(rows) > limit and bool(items)
            cursor = (items[-1].work_date, items[-1].id) if more else None
            return EntryPage(items, cursor, totals)

    # --- allocating -----------------------------------------------------------------------

    def allocate(
        self,
        actor: Actor,
        ids: Iterable[int],
        form: AllocationForm,
        *,
        dry_run: bool = False,
    ) -> BatchResult:
        """Allocate entries in WIP: bill (optionally partly written down), write down, or hold.

        The form is checked whole first (every problem at once). Entries that are not in WIP,
        or whose value is below the write-down amount, are skipped with the reason. A write-down
        amount below an entry's value bills the rest (stored as ``bill`` with the write-down);
        a write-down of the whole value is stored as ``write_down``.
        """
        wanted = _unique_ids(ids)
        if dry_run:
            with self._read(actor, Perm.WIP_MANAGE) as session:
                plan = self._plan_allocation(session, wanted, form, lock=False)
                return _batch_result("allocate", True, plan.ids, plan, org_currency(session))
        with self._write(actor, Perm.WIP_MANAGE) as uow:
            lock = uow.backend == "postgresql"
            plan = self._plan_allocation(uow.session, wanted, form, lock=lock)
            allocation = plan.allocation
            assert allocation is not None
            changed = sum(
                _apply_allocation(uow, key, chunk, allocation)
                for key, group in plan.groups.items()
                for chunk in chunks(group, ID_CHUNK)
            )
            _require_all_changed(changed, len(plan.ids), "allocated")
            _audit_batch(uow, "wip.allocate", plan, _allocation_audit(allocation))
            return _batch_result("allocate", False, plan.ids, plan, org_currency(uow.session))

    def release(self, actor: Actor, ids: Iterable[int], *, dry_run: bool = False) -> BatchResult:
        """Send allocated entries back to unallocated WIP, clearing their allocation."""
        wanted = _unique_ids(ids)
        if dry_run:
            with self._read(actor, Perm.WIP_MANAGE) as session:
                plan = _plan_release(session, wanted, lock=False)
                return _batch_result("release", True, plan.ids, plan, org_currency(session))
        with self._write(actor, Perm.WIP_MANAGE) as uow:
            plan = _plan_release(uow.session, wanted, lock=uow.backend == "postgresql")
            changed = sum(_apply_release(uow, chunk) for chunk in chunks(plan.ids, ID_CHUNK))
            _require_all_changed(changed, len(plan.ids), "released")
            _audit_batch(uow, "wip.release", plan, {"status": _APPROVED, "allocation": None})
            return _batch_result("release", False, plan.ids, plan, org_currency(uow.session))

    # --- processing -----------------------------------------------------------------------

    def process(
        self,
        actor: Actor,
        *,
        as_of: date | None = None,
        client_id: int | None = None,
        per_project: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ProcessResult:
        """Turn allocated entries into document records.

        Entries allocated *bill* (and *hold* entries whose date is on or before ``as_of``,
        default today) go onto one invoice record per client — per client and project with
        ``per_project`` — and entries written down in full onto one statement of write-downs
        per client (or client and project). A dry run returns the same result, with no ids and
        references "(new)", and writes nothing.

        Raises:
            NothingToProcess: no allocated entry is ready (a real run only).
            ConflictError: another user processed or changed the entries meanwhile.
        """
        if dry_run:
            with self._read(actor, Perm.WIP_MANAGE) as session:
                plan = self._plan_processing(session, as_of, client_id, per_project, writing=False)
                return _process_result(True, plan, org_currency(session))
        with self._write(actor, Perm.WIP_MANAGE) as uow:
            if uow.backend == "postgresql":
                uow.session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PROCESS_LOCK_KEY}
                )
            plan = self._plan_processing(uow.session, as_of, client_id, per_project, writing=True)
            if not plan:
                raise NothingToProcess(
                    "Nothing left to process: no allocated entries are ready (bill, write down, "
                    "or held until a date that has passed). Someone else may have processed them."
                )
            _write_documents(uow, plan, progress)
            return _process_result(False, plan, org_currency(uow.session))

    # --- document records -----------------------------------------------------------------

    def documents(
        self,
        actor: Actor,
        *,
        kind: str | None = None,
        client_id: int | None = None,
        uninvoiced_only: bool = False,
    ) -> tuple[DocumentSummary, ...]:
        """Document records, newest first, with the invoice made from each (if any).

        ``uninvoiced_only`` lists the invoice records no live invoice refers to yet (what the
        Documenter can still open).
        """
        if kind is not None and kind not in ("invoice", "write_down"):
            raise ValidationError([Problem("kind", "must be one of: invoice, write_down")])
        with self.db.read() as session:
            self._authorise_documents(session, actor)
            query = _document_query()
            if kind is not None:
                query = query.where(DR.c.kind == kind)
            if client_id is not None:
                query = query.where(DR.c.client_id == client_id)
            if uninvoiced_only:
                query = query.where(DR.c.kind == "invoice", IV.c.id.is_(None))
            rows = session.execute(query.order_by(DR.c.id.desc())).all()
            currency = org_currency(session)
            return tuple(_document_summary(r, currency) for r in rows)

    def document_lines(self, actor: Actor, document_id: int) -> tuple[DocumentLineView, ...]:
        """The frozen lines of one document record, in the order they were written."""
        with self.db.read() as session:
            self._authorise_documents(session, actor)
            found = session.execute(select(DR.c.id).where(DR.c.id == document_id)).first()
            if found is None:
                raise NotFound(f"Document record #{document_id} does not exist.")
            rows = session.execute(
                select(DL).where(DL.c.document_id == document_id).order_by(DL.c.id)
            ).all()
            currency = org_currency(session)
            return tuple(_line_view(r, currency) for r in rows)

    # --- realisation ----------------------------------------------------------------------

    def realisation(
        self,
        actor: Actor,
        *,
        by: str = "client",
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> tuple[RealisationRow, ...]:
        """Value, billed and written down of processed work per client or per staff member.

        Computed from the frozen document lines; dates filter on the work date.
        ``realisation_bp`` is billed ÷ value in basis points, rounded half-up (0 for no value).
        """
        check = Form()
        check.choice("by", by, REALISATION_BY)
        if date_from and date_to and date_to < date_from:
            check.add("date_to", "must not be before the start date")
        check.raise_if_any()
        with self._read(actor, Perm.WIP_MANAGE) as session:
            rows = session.execute(_realisation_query(by, date_from, date_to)).all()
            names = _realisation_names(session, by, [r.key_id for r in rows])
            currency = org_currency(session)
            result = [_realisation_row(r, names.get(r.key_id, ""), currency) for r in rows]
            return tuple(sorted(result, key=lambda r: (r.name.lower(), r.key_id)))

    # --- helpers that need the service ----------------------------------------------------

    def _authorise_documents(self, session: Session, actor: Actor) -> None:
        """Document records are for WIP managers, Documenter users and invoice issuers."""
        self._authorise(session, actor, ())
        allowed = (Perm.WIP_MANAGE, Perm.DOCUMENTER_USE, Perm.INVOICE_ISSUE)
        if not any(has_permission(session, actor, perm) for perm in allowed):
            raise PermissionDenied(
                "Your role may not see document records (it needs WIP or the Documenter). "
                "An administrator can change this under Permissions."
            )

    def _plan_allocation(
        self, session: Session, ids: list[int], form: AllocationForm, *, lock: bool
    ) -> _AllocationPlan:
        """Check the form, then decide per entry what it becomes or why it is skipped."""
        currency = org_currency(session)
        allocation = _clean_allocation(form, currency, org_today(session, self.clock.now()))
        rows = _load_entries(session, ids, lock=lock)
        settled = _settled_names(session, {row.project_id for row in rows.values()})
        plan = _AllocationPlan(allocation=allocation)
        for ident in ids:
            row = rows.get(ident)
            outcome = _entry_outcome(row, ident, TimeAction.ALLOCATE)
            if isinstance(outcome, Skipped):
                plan.skipped.append(outcome)
                continue
            assert row is not None
            if row.project_id in settled:
                plan.skipped.append(Skipped(ident, _settled_reason(settled[row.project_id])))
                continue
            target = _allocation_target(row, allocation, currency)
            if isinstance(target, Skipped):
                plan.skipped.append(target)
                continue
            plan.groups.setdefault(target, []).append(ident)
            plan.rows.append(row)
        return plan

    def _plan_processing(
        self,
        session: Session,
        as_of: date | None,
        client_id: int | None,
        per_project: bool,
        *,
        writing: bool,
    ) -> list[_PlannedDocument]:
        """The document records processing would create, each with its entries.

        ``writing`` (a real run) locks the candidate rows on PostgreSQL and numbers the records.
        """
        today = org_today(session, self.clock.now())
        day = _clean_process_options(session, as_of, client_id, today)
        query = _candidate_query(day, client_id)
        if writing and session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=TE)
        rows = session.execute(query).all()
        settled = _settled_names(session, {row.project_id for row in rows})
        if settled:
            rows = [row for row in rows if row.project_id not in settled]
            if not rows:
                names = ", ".join(sorted(settled.values()))
                raise IllegalTransition(
                    "time entries", "allocated", "process", _settled_reason(names)
                )
        documents = _group_into_documents(rows, per_project)
        if writing:
            _number_documents(session, documents)
        return documents


# ==============================================================================================
# WIP groups and entries
# ==============================================================================================


@dataclass
class _GroupSums:
    """Running totals of one project's entries in WIP: [entries, minutes, cents] per bucket."""

    unallocated: list[int] = field(default_factory=lambda: [0, 0, 0])
    to_bill: list[int] = field(default_factory=lambda: [0, 0, 0])
    on_hold: list[int] = field(default_factory=lambda: [0, 0, 0])
    written_down: int = 0


def _group_sums(session: Session, client_id: int | None) -> dict[int, _GroupSums]:
    """WIP totals per project from two plain GROUP BYs (one per status).

    The approved entries are summed from the daily time summary; the allocated ones need the
    allocation and write-downs, so they are read once each through the status index (on SQLite
    about a third faster than one pass with CASE expressions over both statuses).
    """
    scope = [] if client_id is None else [TE.c.project_id.in_(_projects_of(client_id))]
    summary_scope = [] if client_id is None else [TD.c.project_id.in_(_projects_of(client_id))]
    sums: dict[int, _GroupSums] = {}
    waiting = session.execute(  # not yet allocated: the daily summary has these sums
        select(
            TD.c.project_id,
            func.sum(TD.c.entries),
            func.sum(TD.c.minutes),
            func.sum(TD.c.value_cents),
        )
        .where(TD.c.status == _APPROVED, *summary_scope)
        .group_by(TD.c.project_id)
        .having(func.sum(TD.c.entries) > 0)
    ).all()
    for project, count, minutes, cents in waiting:
        sums.setdefault(project, _GroupSums()).unallocated = [count, minutes, cents]
    allocated = session.execute(
        select(
            TE.c.project_id,
            TE.c.allocation,
            func.count(),
            func.sum(TE.c.minutes),
            func.sum(TE.c.value_cents),
            func.sum(TE.c.write_down_cents),
        )
        .where(TE.c.status == _ALLOCATED, *scope)
        .group_by(TE.c.project_id, TE.c.allocation)
    ).all()
    for project, kind, count, minutes, cents, down in allocated:
        _add_allocated(sums.setdefault(project, _GroupSums()), kind, count, minutes, cents, down)
    return sums


def _add_allocated(
    sums: _GroupSums, kind: str | None, count: int, minutes: int, cents: int, down: int
) -> None:
    """Add one (project, allocation) aggregate to a project's totals."""
    sums.written_down += int(down or 0)
    if kind == "bill":
        sums.to_bill = _plus(sums.to_bill, [count, minutes, int(cents) - int(down or 0)])
    elif kind == "hold":
        sums.on_hold = _plus(sums.on_hold, [count, minutes, cents])


def _plus(left: list[int], right: list[Any]) -> list[int]:
    """Element-wise sum of two [entries, minutes, cents] triples."""
    return [int(a) + int(b or 0) for a, b in zip(left, right, strict=True)]


def _projects_of(client_id: int) -> Select[Any]:
    """The ids of a client's projects, as a subquery."""
    return select(PR.c.id).where(PR.c.client_id == client_id)


def _project_names(session: Session, project_ids: Sequence[int]) -> dict[int, _Row]:
    """Project name, client id and client name of each project id."""
    if not project_ids:
        return {}
    rows = session.execute(
        select(PR.c.id, PR.c.name, PR.c.client_id, CO.c.name.label("client_name"))
        .join(CO, CO.c.id == PR.c.client_id)
        .where(PR.c.id.in_(sorted(set(project_ids))))
    ).all()
    return {r.id: r for r in rows}


def _totals(count: Any, minutes: Any, cents: Any, currency: str) -> Totals:
    """Totals from SQL aggregates (which may come back as Decimal or None)."""
    return Totals(int(count or 0), int(minutes or 0), Money(int(cents or 0), currency))


def _triple_totals(triple: list[int], currency: str) -> Totals:
    """Totals from an [entries, minutes, cents] triple."""
    count, minutes, cents = triple
    return _totals(count, minutes, cents, currency)


def _wip_group(
    project_id: int, sums: _GroupSums, names: _Row, currency: str, settled: bool = False
) -> WipGroup:
    """One client-and-project line of the WIP report."""
    return WipGroup(
        settled_by_invoices=settled,
        client_id=names.client_id,
        client_name=names.client_name,
        project_id=project_id,
        project_name=names.name,
        unallocated=_triple_totals(sums.unallocated, currency),
        to_bill=_triple_totals(sums.to_bill, currency),
        written_down=Money(sums.written_down, currency),
        on_hold=_triple_totals(sums.on_hold, currency),
    )


def _entry_filter(
    client_id: int | None, project_id: int | None, allocation: str | None
) -> tuple[tuple[str, ...], list[ColumnElement[bool]]]:
    """The statuses an entries() filter covers, and its other WHERE conditions."""
    conditions: list[ColumnElement[bool]] = []
    statuses: tuple[str, ...] = _IN_WIP
    if allocation == UNALLOCATED:
        statuses = (_APPROVED,)
    elif allocation is not None:
        statuses = (_ALLOCATED,)
        conditions.append(TE.c.allocation == allocation)
    if project_id is not None:
        conditions.append(TE.c.project_id == project_id)
    if client_id is not None:
        conditions.append(TE.c.project_id.in_(_projects_of(client_id)))
    return statuses, conditions


def _totals_of(
    session: Session, statuses: tuple[str, ...], conditions: list[ColumnElement[bool]]
) -> Totals:
    """Count, minutes and value of every entry in ``statuses`` matching ``conditions``."""
    row = session.execute(
        select(func.count(), func.sum(TE.c.minutes), func.sum(TE.c.value_cents)).where(
            TE.c.status.in_(statuses), *conditions
        )
    ).one()
    return _totals(row[0], row[1], row[2], org_currency(session))


def _summary_totals(
    session: Session, statuses: tuple[str, ...], client_id: int | None, project_id: int | None
) -> Totals:
    """Count, minutes and value of the entries in ``statuses`` from the daily time summary
    (tens of thousands of rows instead of every entry in WIP)."""
    conditions = [TD.c.status.in_(statuses)]
    if project_id is not None:
        conditions.append(TD.c.project_id == project_id)
    if client_id is not None:
        conditions.append(TD.c.project_id.in_(_projects_of(client_id)))
    row = session.execute(
        select(func.sum(TD.c.entries), func.sum(TD.c.minutes), func.sum(TD.c.value_cents)).where(
            *conditions
        )
    ).one()
    return _totals(row[0], row[1], row[2], org_currency(session))


def _page_rows(
    session: Session, statuses: tuple[str, ...], conditions: list[ColumnElement[bool]], size: int
) -> list[_Row]:
    """The first ``size`` matching entries by (work date, id).

    One ordered, limited query per status walks the (status, work date, id) index without
    sorting the whole of WIP; the few rows are merged here.
    """
    rows: list[_Row] = []
    for status in statuses:
        query = (
            entry_view_query()
            .where(TE.c.status == status, *conditions)
            .order_by(TE.c.work_date, TE.c.id)
            .limit(size)
        )
        rows.extend(session.execute(query).all())
    return sorted(rows, key=lambda r: (r.work_date, r.id))[:size]


def _after_date_id(after: tuple[object, ...]) -> ColumnElement[bool]:
    """Keyset condition: strictly after (work date, id)."""
    if len(after) != 2:
        raise ValidationError([Problem("after", "must be a (work date, id) cursor")])
    day, ident = after
    if isinstance(day, str):
        day = date.fromisoformat(day)
    ident = int(str(ident))
    return or_(TE.c.work_date > day, and_(TE.c.work_date == day, TE.c.id > ident))


# ==============================================================================================
# Allocation and release
# ==============================================================================================


def _clean_allocation(form: AllocationForm, currency: str, today: date) -> _Allocation:
    """Check every field of an allocation form at once; raise ValidationError if any is wrong."""
    check = Form()
    kind = check.choice("kind", form.kind, ALLOCATIONS)
    amount = None
    if form.write_down_amount.strip():
        if kind == "hold":
            check.add("write_down_amount", "a held entry is not written down; leave it blank")
        else:
            amount = check.money("write_down_amount", form.write_down_amount, currency, min_cents=1)
    wants_reason = kind == "write_down" or (kind == "bill" and form.write_down_amount.strip())
    reason = _clean_reason(check, form, bool(wants_reason))
    note = check.text("note", form.note, required=False, max_length=1000) or ""
    if note and not wants_reason:
        check.add("note", "only a write-down has a note; leave it blank")
    if reason == OTHER_REASON and not note:
        check.add("note", "is required when the reason is Other: say why the value is written down")
    hold_until = _clean_hold_until(check, form, kind, today)
    check.raise_if_any()
    assert kind is not None
    return _Allocation(kind, amount.cents if amount else None, reason, note, hold_until)


def _clean_reason(check: Form, form: AllocationForm, wanted: bool) -> str:
    """The write-down reason: required from the list with a write-down, blank otherwise."""
    typed = form.reason.strip()
    if not wanted:
        if typed:
            check.add("reason", "only a write-down has a reason; leave it blank")
        return ""
    if not typed:
        check.add("reason", "is required for a write-down; choose one from the list")
        return ""
    return check.choice("reason", typed, WRITE_DOWN_REASONS) or ""


def _clean_hold_until(
    check: Form, form: AllocationForm, kind: str | None, today: date
) -> date | None:
    """The hold date: after today, only for a hold; blank holds until released."""
    if not form.hold_until.strip():
        return None
    if kind != "hold":
        check.add("hold_until", "only a hold has a date; leave it blank")
        return None
    day = check.date("hold_until", form.hold_until)
    if day is not None and day <= today:
        check.add(
            "hold_until", f"must be after today ({today.isoformat()}); blank holds until released"
        )
        return None
    return day


def _unique_ids(ids: Iterable[int]) -> list[int]:
    """The ids asked for, each once, in order; at least one."""
    seen: dict[int, None] = {}
    for ident in ids:
        seen.setdefault(int(ident), None)
    if not seen:
        raise ValidationError(
            [Problem("entries", "choose at least one entry")], title="Nothing chosen"
        )
    return list(seen)


def _load_entries(session: Session, ids: Sequence[int], *, lock: bool) -> dict[int, _Row]:
    """The WIP fields of the entries ``ids``, locked for update when ``lock`` (id order)."""
    found: dict[int, _Row] = {}
    columns = (
        TE.c.id,
        TE.c.status,
        TE.c.allocation,
        TE.c.minutes,
        TE.c.value_cents,
        TE.c.write_down_cents,
        TE.c.write_down_reason,
        TE.c.hold_until,
        TE.c.project_id,
    )
    for chunk in chunks(sorted(ids), ID_CHUNK):
        query = select(*columns).where(TE.c.id.in_(chunk)).order_by(TE.c.id)
        if lock:
            query = query.with_for_update()
        found.update((r.id, r) for r in session.execute(query).all())
    return found


def _settled_names(session: Session, project_ids: set[int]) -> dict[int, str]:
    """The projects among ``project_ids`` that settlement invoices bill, with their names."""
    settled = settlement_billed(session, sorted(project_ids))
    if not settled:
        return {}
    return {
        int(ident): str(name)
        for ident, name in session.execute(
            select(PR.c.id, PR.c.name).where(PR.c.id.in_(sorted(settled)))
        ).all()
    }


def _settled_reason(project: str) -> str:
    """Why time of a settlement-billed project stays out of WIP billing."""
    return (
        f"{project}: settled by project invoices; its time is never billed through WIP "
        "(a project is billed one way or the other)"
    )


def _entry_outcome(row: _Row | None, ident: int, action: TimeAction) -> Skipped | None:
    """Skipped (with the reason) when the entry cannot take ``action``, else None."""
    if row is None:
        return Skipped(ident, f"time entry #{ident} does not exist")
    try:
        time_entry_transition(TimeEntryStatus(row.status), action)
    except IllegalTransition as refused:
        return Skipped(ident, refused.message)
    return None


def _allocation_target(
    row: _Row, allocation: _Allocation, currency: str
) -> tuple[str, int | None] | Skipped:
    """(allocation, write-down cents or None for the whole value) of one entry, or Skipped."""
    if allocation.kind == "hold":
        return ("hold", 0)
    amount = allocation.amount_cents
    if amount is None:
        return ("write_down", None) if allocation.kind == "write_down" else ("bill", 0)
    if amount > row.value_cents:
        value, asked = Money(row.value_cents, currency), Money(amount, currency)
        return Skipped(
            row.id,
            f"the write-down of {asked} is more than the entry's value ({value})",
            field="write_down_amount",
        )
    if amount == row.value_cents:
        return ("write_down", None)
    return ("bill", amount)


def _apply_allocation(
    uow: UnitOfWork, key: tuple[str, int | None], ids: Sequence[int], allocation: _Allocation
) -> int:
    """One conditional UPDATE of entries still in WIP; returns how many rows changed."""
    kind, cents = key
    write_down: Any = TE.c.value_cents if cents is None else cents
    written_down = kind != "hold"
    values = {
        "status": _ALLOCATED,
        "allocation": kind,
        "write_down_cents": write_down,
        "write_down_reason": allocation.reason if written_down else "",
        "write_down_note": allocation.note if written_down else "",
        "hold_until": allocation.hold_until if kind == "hold" else None,
        "updated_at": uow.now,
        "version": TE.c.version + 1,
    }
    statement = update(TE).where(TE.c.id.in_(ids), TE.c.status.in_(_IN_WIP)).values(**values)
    return _rowcount(uow.session.execute(statement))


def _plan_release(session: Session, ids: list[int], *, lock: bool) -> _AllocationPlan:
    """Which entries a release changes (the allocated ones) and which it skips."""
    rows = _load_entries(session, ids, lock=lock)
    plan = _AllocationPlan()
    for ident in ids:
        row = rows.get(ident)
        outcome = _entry_outcome(row, ident, TimeAction.RELEASE)
        if outcome is not None:
            plan.skipped.append(outcome)
            continue
        assert row is not None
        plan.groups.setdefault(("release", None), []).append(ident)
        plan.rows.append(row)
    return plan


def _apply_release(uow: UnitOfWork, ids: Sequence[int]) -> int:
    """Allocated → approved with the allocation cleared; returns how many rows changed."""
    statement = (
        update(TE)
        .where(TE.c.id.in_(ids), TE.c.status == _ALLOCATED)
        .values(
            status=_APPROVED,
            allocation=None,
            write_down_cents=0,
            write_down_reason="",
            write_down_note="",
            hold_until=None,
            updated_at=uow.now,
            version=TE.c.version + 1,
        )
    )
    return _rowcount(uow.session.execute(statement))


def _rowcount(result: Any) -> int:
    """Rows changed by an UPDATE."""
    return int(cast(CursorResult[Any], result).rowcount)


def _require_all_changed(changed: int, planned: int, verb: str) -> None:
    """Refuse (rolling everything back) when another user changed some of the entries."""
    if changed != planned:
        raise ConflictError(
            f"Only {changed} of {planned} entries could be {verb}: someone else changed some of "
            "them meanwhile. Nothing was saved; refresh WIP and try again."
        )


def _allocation_audit(allocation: _Allocation) -> dict[str, Any]:
    """What an allocation sets, for the audit log."""
    return {
        "status": _ALLOCATED,
        "allocation": allocation.kind,
        "write_down_amount_cents": allocation.amount_cents,
        "write_down_reason": allocation.reason,
        "write_down_note": allocation.note,
        "hold_until": allocation.hold_until,
    }


def _audit_batch(
    uow: UnitOfWork, action: str, plan: _AllocationPlan, after: dict[str, Any]
) -> None:
    """One audit event for a whole batch: the entries' previous WIP state and what changed."""
    before = {
        "entries": [
            [r.id, r.status, r.allocation, r.write_down_cents, r.hold_until] for r in plan.rows
        ]
    }
    targets = {
        f"{kind}:{'value' if cents is None else cents}": ids
        for (kind, cents), ids in plan.groups.items()
    }
    uow.audit(
        action,
        "time_entry",
        None,
        before,
        {
            **after,
            "ids": plan.ids,
            "by_target": targets,
            "skipped": [s.entry_id for s in plan.skipped],
        },
    )


def _batch_result(
    action: str, dry_run: bool, ids: list[int], plan: _AllocationPlan, currency: str
) -> BatchResult:
    """The BatchResult of an allocation or release plan."""
    rows = plan.rows
    totals = Totals(
        len(ids), sum(r.minutes for r in rows), Money(sum(r.value_cents for r in rows), currency)
    )
    return BatchResult(action, dry_run, tuple(ids), totals, tuple(plan.skipped))


# ==============================================================================================
# Processing
# ==============================================================================================


def _clean_process_options(
    session: Session, as_of: date | None, client_id: int | None, today: date
) -> date:
    """The processing date (default today) after checking the options; all problems at once."""
    check = Form()
    if as_of is not None and as_of > today:
        check.add("as_of", f"must not be after today ({today.isoformat()})")
    if client_id is not None:
        kind = session.execute(select(CO.c.kind).where(CO.c.id == client_id)).scalar()
        if kind != "client":
            check.add("client_id", f"client #{client_id} does not exist")
    check.raise_if_any()
    return as_of or today


def _candidate_query(as_of: date, client_id: int | None) -> Select[Any]:
    """Allocated entries ready to process, with the names their lines freeze, in id order."""
    ready = or_(
        TE.c.allocation.in_(("bill", "write_down")),
        and_(TE.c.allocation == "hold", TE.c.hold_until.is_not(None), TE.c.hold_until <= as_of),
    )
    query = (
        select(
            TE.c.id,
            TE.c.project_id,
            PR.c.client_id,
            TE.c.allocation,
            TE.c.work_date,
            TE.c.minutes,
            TE.c.rate_cents,
            TE.c.value_cents,
            TE.c.write_down_cents,
            TE.c.write_down_reason,
            TE.c.description,
            CO.c.name.label("client_name"),
            UA.c.name.label("person_name"),
            PR.c.name.label("project_name"),
            TK.c.name.label("task_name"),
            AC.c.name.label("activity_name"),
        )
        .join(PR, PR.c.id == TE.c.project_id)
        .join(CO, CO.c.id == PR.c.client_id)
        .join(UA, UA.c.id == TE.c.owner_id)
        .join(TK, TK.c.id == TE.c.task_id)
        .join(AC, AC.c.id == TE.c.activity_id)
        .where(TE.c.status == _ALLOCATED, ready)
        .order_by(TE.c.id)
    )
    if client_id is not None:
        query = query.where(PR.c.client_id == client_id)
    return query


def _group_into_documents(rows: Sequence[_Row], per_project: bool) -> list[_PlannedDocument]:
    """One invoice record and one write-down statement per client (or client and project)."""
    documents: dict[tuple[int, int, int, str], _PlannedDocument] = {}
    for row in rows:
        kind = "write_down" if row.allocation == "write_down" else "invoice"
        project = row.project_id if per_project else None
        key = (row.client_id, project or 0, 0 if kind == "invoice" else 1, kind)
        document = documents.get(key)
        if document is None:
            document = documents[key] = _PlannedDocument(kind, row.client_id, project)
        document.rows.append(row)
    for document in documents.values():
        document.rows.sort(key=lambda r: (r.project_name, r.project_id, r.work_date, r.id))
    return [documents[key] for key in sorted(documents)]


def _number_documents(session: Session, documents: list[_PlannedDocument]) -> None:
    """Give each planned record the next DR- reference (highest existing number + 1)."""
    last = session.execute(
        select(DR.c.reference)
        .where(DR.c.reference.like(f"{REFERENCE_PREFIX}%"))
        .order_by(func.length(DR.c.reference).desc(), DR.c.reference.desc())
        .limit(1)
    ).scalar()
    digits = (last or "")[len(REFERENCE_PREFIX) :]
    number = int(digits) if digits.isdigit() else 0
    for document in documents:
        number += 1
        document.reference = f"{REFERENCE_PREFIX}{number:06d}"


def _write_documents(
    uow: UnitOfWork, documents: list[_PlannedDocument], progress: Progress | None
) -> None:
    """Insert the records, move their entries to processed, then bulk-insert the lines."""
    total = sum(len(d.rows) for d in documents)
    if progress is not None:
        progress(0, total)
    for document in documents:
        document.id = _insert_document(uow, document)
    changed = sum(_mark_processed(uow, d) for d in documents)
    _require_all_changed(changed, total, "processed")
    done = 0
    for document in documents:
        for chunk in chunks(document.rows, LINE_CHUNK):
            uow.session.execute(insert(DL), [_line_values(document, r) for r in chunk])
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    for document in documents:
        uow.audit(
            "document.create", "document_record", document.id, None, _document_audit(document)
        )
    uow.audit(
        "wip.process",
        "time_entry",
        None,
        None,
        {
            "ids": sorted(r.id for d in documents for r in d.rows),
            "documents": [d.reference for d in documents],
        },
    )


def _insert_document(uow: UnitOfWork, document: _PlannedDocument) -> int:
    """Insert one document record with its totals; returns its id."""
    statement = (
        insert(DR)
        .values(
            reference=document.reference,
            kind=document.kind,
            client_id=document.client_id,
            project_id=document.project_id,
            total_minutes=document.minutes,
            value_cents=document.value_cents,
            billed_cents=document.billed_cents,
            write_down_cents=document.write_down_cents,
            created_by_id=uow.actor.user_id if uow.actor else None,
            created_at=uow.now,
        )
        .returning(DR.c.id)
    )
    return int(uow.session.execute(statement).scalar_one())


def _mark_processed(uow: UnitOfWork, document: _PlannedDocument) -> int:
    """Entries → processed on ``document`` in the same UPDATE (the trigger freezes them)."""
    changed = 0
    ids = [r.id for r in document.rows]
    for chunk in chunks(ids, ID_CHUNK):
        statement = (
            update(TE)
            .where(TE.c.id.in_(chunk), TE.c.status == _ALLOCATED)
            .values(
                status=_PROCESSED,
                document_id=document.id,
                updated_at=uow.now,
                version=TE.c.version + 1,
            )
        )
        changed += _rowcount(uow.session.execute(statement))
    return changed


def _line_values(document: _PlannedDocument, row: _Row) -> dict[str, Any]:
    """The frozen copy of one entry on a document line."""
    return {
        "document_id": document.id,
        "time_entry_id": row.id,
        "work_date": row.work_date,
        "person_name": row.person_name,
        "project_name": row.project_name,
        "task_name": row.task_name,
        "activity_name": row.activity_name,
        "description": row.description,
        "minutes": row.minutes,
        "rate_cents": row.rate_cents,
        "value_cents": row.value_cents,
        "billed_cents": row.value_cents - row.write_down_cents,
        "write_down_cents": row.write_down_cents,
        "write_down_reason": row.write_down_reason,
    }


def _document_audit(document: _PlannedDocument) -> dict[str, Any]:
    """A document record's identity and totals for the audit log."""
    return {
        "reference": document.reference,
        "kind": document.kind,
        "client_id": document.client_id,
        "project_id": document.project_id,
        "entries": len(document.rows),
        "total_minutes": document.minutes,
        "value_cents": document.value_cents,
        "billed_cents": document.billed_cents,
        "write_down_cents": document.write_down_cents,
    }


def _process_result(dry_run: bool, plan: list[_PlannedDocument], currency: str) -> ProcessResult:
    """The ProcessResult of a plan (written or not)."""
    documents = tuple(_planned_summary(d, currency) for d in plan)
    return ProcessResult(
        dry_run=dry_run,
        documents=documents,
        totals=Totals(
            sum(d.entries for d in documents),
            sum(d.minutes for d in documents),
            Money(sum(d.value.cents for d in documents), currency),
        ),
        billed=Money(sum(d.billed.cents for d in documents), currency),
        written_down=Money(sum(d.written_down.cents for d in documents), currency),
    )


def _planned_summary(document: _PlannedDocument, currency: str) -> DocumentSummary:
    """The summary of a planned (or just written) document record."""
    first = document.rows[0]
    return DocumentSummary(
        id=document.id,
        reference=document.reference,
        kind=document.kind,
        client_id=document.client_id,
        client_name=first.client_name,
        project_id=document.project_id,
        project_name=first.project_name if document.project_id is not None else "",
        entries=len(document.rows),
        minutes=document.minutes,
        value=Money(document.value_cents, currency),
        billed=Money(document.billed_cents, currency),
        written_down=Money(document.write_down_cents, currency),
    )


# ==============================================================================================
# Document records and realisation
# ==============================================================================================


def _live_invoice_id() -> Any:
    """The newest live (not cancelled, not a credit note) invoice made from a document record."""
    live = IV.alias("live")
    return (
        select(func.max(live.c.id))
        .where(
            live.c.document_id == DR.c.id,
            live.c.kind != "credit_note",
            live.c.status != "cancelled",
        )
        .correlate(DR)
        .scalar_subquery()
    )


def _document_query() -> Select[Any]:
    """Document records with client and project names, line counts and their live invoice."""
    line_count = select(func.count()).where(DL.c.document_id == DR.c.id).scalar_subquery()
    return (
        select(
            DR,
            CO.c.name.label("client_name"),
            PR.c.name.label("project_name"),
            line_count.label("n"),
            IV.c.id.label("invoice_id"),
            IV.c.number.label("invoice_number"),
        )
        .join(CO, CO.c.id == DR.c.client_id)
        .outerjoin(PR, PR.c.id == DR.c.project_id)
        .outerjoin(IV, IV.c.id == _live_invoice_id())
    )


def _document_summary(row: _Row, currency: str) -> DocumentSummary:
    """A frozen summary of one stored document record."""
    return DocumentSummary(
        id=row.id,
        reference=row.reference,
        kind=row.kind,
        client_id=row.client_id,
        client_name=row.client_name,
        project_id=row.project_id,
        project_name=row.project_name or "",
        entries=int(row.n or 0),
        minutes=row.total_minutes,
        value=Money(row.value_cents, currency),
        billed=Money(row.billed_cents, currency),
        written_down=Money(row.write_down_cents, currency),
        invoice_id=row.invoice_id,
        invoice_number=row.invoice_number,
    )


def _line_view(row: _Row, currency: str) -> DocumentLineView:
    """A frozen view of one document line."""
    return DocumentLineView(
        id=row.id,
        document_id=row.document_id,
        time_entry_id=row.time_entry_id,
        work_date=row.work_date,
        person_name=row.person_name,
        project_name=row.project_name,
        task_name=row.task_name,
        activity_name=row.activity_name,
        description=row.description,
        minutes=row.minutes,
        rate=Money(row.rate_cents, currency),
        value=Money(row.value_cents, currency),
        billed=Money(row.billed_cents, currency),
        written_down=Money(row.write_down_cents, currency),
        write_down_reason=row.write_down_reason,
    )


def _realisation_query(by: str, date_from: date | None, date_to: date | None) -> Select[Any]:
    """Value, billed and written down of document lines per client or per entry owner."""
    if by == "client":
        key: Any = DR.c.client_id
        source: Any = DL.join(DR, DR.c.id == DL.c.document_id)
    else:
        key = TE.c.owner_id
        source = DL.join(TE, TE.c.id == DL.c.time_entry_id)
    query = (
        select(
            key.label("key_id"),
            func.sum(DL.c.value_cents).label("value"),
            func.sum(DL.c.billed_cents).label("billed"),
            func.sum(DL.c.write_down_cents).label("written_down"),
        )
        .select_from(source)
        .group_by(key)
    )
    if date_from is not None:
        query = query.where(DL.c.work_date >= date_from)
    if date_to is not None:
        query = query.where(DL.c.work_date <= date_to)
    return query


def _realisation_names(session: Session, by: str, ids: Sequence[int]) -> dict[int, str]:
    """Client or staff names of the realisation keys."""
    if not ids:
        return {}
    table = CO if by == "client" else UA
    rows = session.execute(select(table.c.id, table.c.name).where(table.c.id.in_(ids))).all()
    return {r.id: r.name for r in rows}


def _realisation_row(row: _Row, name: str, currency: str) -> RealisationRow:
    """One realisation line; billed ÷ value in basis points, half-up."""
    value, billed = int(row.value or 0), int(row.billed or 0)
    ratio = divide_to_int(billed * 10_000, value, RoundingMode.HALF_UP) if value else 0
    return RealisationRow(
        key_id=row.key_id,
        name=name,
        value=Money(value, currency),
        billed=Money(billed, currency),
        written_down=Money(int(row.written_down or 0), currency),
        realisation_bp=ratio,
    )
