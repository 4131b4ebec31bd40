"""A year of time cards behind the demo firm, written in bulk in one transaction.

The year is too large for one service call per card, so it is generated month by month and
written inside a single write transaction of the real unit of work (one audit event records
it): SQLAlchemy Core ``executemany`` on SQLite and ``COPY`` on PostgreSQL (see
:mod:`.bulk`). Every entry is consistent with the pipeline rules: a supervisor approves, the
oldest work is processed onto document records (one invoice record per client per month,
plus statements of write-downs) whose totals equal their frozen lines, and the most recent
weeks are still draft.

Only the time entries, their document records and lines and the daily time summary are
written this way; everything the firm does with money afterwards (master invoices, payments,
client invoices) goes through the services (:mod:`.contractors`, :mod:`.clients`), which
find the approved tickets and invoice records this module left for them.
"""

from __future__ import annotations

import multiprocessing
import random
import traceback
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy.engine import Dialect

from ...data import models as m
from ...domain.rounding import RoundingMode, divide_to_int
from ...domain.states import PayStatus, TimeEntryStatus
from ..base import bound_values
from ..hub import Services
from ..pipeline.views import WRITE_DOWN_REASONS
from .bulk import (
    AuditedBulkWriter,
    BulkInserter,
    drop_foreign_keys,
    drop_summary_triggers,
    max_id,
    rebuild_summary,
    restore_foreign_keys,
)
from .cast import ACTIVITIES, ADMIN, PEOPLE, PROJECTS
from .dates import at, month_end
from .people import Firm
from .result import Progress

DAYS_OF_HISTORY = 365

ACTIVITY_KEYS: tuple[str, ...] = tuple(key for key, _name, _billable in ACTIVITIES)
ACTIVITY_WEIGHTS: tuple[float, ...] = (5, 2, 2, 3, 0.5)

DESCRIPTIONS: tuple[str, ...] = (
    "Site measurements and photo survey",
    "Concept sketches, first round",
    "Revised floor plan after client comments",
    "Coordination call with the structural engineer",
    "Abstimmung mit dem Bauherrn vor Ort",
    "Przegląd dokumentacji technicznej",
    "Uzgodnienia z wykonawcą na budowie",
    "Detailed drawings: joinery and fittings",
    "Material schedule and supplier quotes",
    "Meeting minutes and action list",
    "Permit application package",
    "Quality check of the drawing set",
    "Lighting layout – Überarbeitung",
    "Presentation boards for the client workshop",
    "Cost estimate update",
    "Travel to site and inspection",
    "Zestawienie materiałów – aktualizacja",
    "Internal review with the team",
    "Mängelliste nach Begehung",
    "Report writing: findings and recommendations",
)

REJECTION_REASONS: tuple[str, ...] = (
    "Wrong project: this belongs to the website work.",
    "Please split the day into the separate tasks.",
    "Hours look too high for a site visit – please check.",
    "Description missing the meeting's subject.",
    "Zły kod zadania – proszę poprawić.",
)
NON_BILLABLE_REASON = "Non-billable"
HOLD_DAYS = (14, 30, 45)

MINUTE_CHOICES: tuple[int, ...] = tuple(range(15, 481, 15))
# Mostly one to four hours; full days and quarter hours are rarer.
MINUTE_WEIGHTS: tuple[float, ...] = tuple(
    1.0 + 6.0 * max(0.0, 1.0 - abs(minutes - 150) / 180) for minutes in MINUTE_CHOICES
)

_S = TimeEntryStatus
# How likely each status is for work of a given age (days before today), oldest last.
STATUS_BY_AGE: tuple[tuple[int, tuple[tuple[TimeEntryStatus, float], ...]], ...] = (
    (10, ((_S.DRAFT, 0.85), (_S.ACCEPTED, 0.15))),
    (21, ((_S.DRAFT, 0.20), (_S.ACCEPTED, 0.35), (_S.REJECTED, 0.10), (_S.APPROVED, 0.35))),
    (45, ((_S.ACCEPTED, 0.05), (_S.REJECTED, 0.05), (_S.APPROVED, 0.30), (_S.ALLOCATED, 0.60))),
    (75, ((_S.REJECTED, 0.02), (_S.ALLOCATED, 0.28), (_S.PROCESSED, 0.70))),
    (10_000, ((_S.REJECTED, 0.01), (_S.ALLOCATED, 0.02), (_S.PROCESSED, 0.97))),
)

TIME_ENTRY_COLUMNS: tuple[str, ...] = (
    "id", "owner_id", "entered_by_id", "project_id", "task_id", "activity_id", "rate_code_id",
    "work_date", "minutes", "start_minute", "end_minute", "description", "billable", "status",
    "pay_status", "rate_cents", "value_cents", "rejection_reason", "accepted_by_id",
    "accepted_at", "approved_by_id", "approved_at", "allocation", "write_down_cents",
    "write_down_reason", "write_down_note", "hold_until", "document_id", "master_invoice_id",
    "created_at", "updated_at", "version",
)  # fmt: skip
DOCUMENT_COLUMNS: tuple[str, ...] = (
    "id", "reference", "kind", "client_id", "project_id", "total_minutes", "value_cents",
    "billed_cents", "write_down_cents", "created_by_id", "created_at",
)  # fmt: skip
LINE_COLUMNS: tuple[str, ...] = (
    "id", "document_id", "time_entry_id", "work_date", "person_name", "project_name",
    "task_name", "activity_name", "description", "minutes", "rate_cents", "value_cents",
    "billed_cents", "write_down_cents", "write_down_reason",
)  # fmt: skip


LOADED_COLUMNS: dict[str, tuple[str, ...]] = {
    "document_record": DOCUMENT_COLUMNS,
    "time_entry": TIME_ENTRY_COLUMNS,
    "document_line": LINE_COLUMNS,
}
"""The tables the history is loaded into, in the order a month's rows are inserted."""


@dataclass
class HistoryStats:
    """Running totals of what the bulk writer has written."""

    statuses: Counter[str] = field(default_factory=Counter)
    pay: Counter[str] = field(default_factory=Counter)
    documents: int = 0
    lines: int = 0
    first_day: date | None = None
    last_day: date | None = None
    payable: Counter[tuple[int, date]] = field(default_factory=Counter)  # (owner, month)
    invoice_records: dict[int, date] = field(default_factory=dict)  # id -> day processed


@dataclass
class _Document:
    """A document record being assembled from the processed entries of one month."""

    id: int
    kind: str
    client_id: int
    minutes: int = 0
    value: int = 0
    billed: int = 0
    write_down: int = 0

    def add(self, minutes: int, value: int, billed: int, write_down: int) -> None:
        """Count one more line into the totals."""
        self.minutes += minutes
        self.value += value
        self.billed += billed
        self.write_down += write_down


@dataclass
class _MonthRows:
    """The rows of one calendar month, written together as one chunk."""

    processed_at: datetime
    entries: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    documents: dict[tuple[str, int], _Document] = field(default_factory=dict)
    records: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class _Worker:
    """Someone who books time: who approves their entries, what they work on, how much."""

    user_id: int
    name: str
    supervisor_id: int
    rate_code: str
    projects: tuple[str, ...]
    weight: float


class _Card(NamedTuple):
    """What the time card itself says."""

    worker: _Worker
    day: date
    minutes: int
    project: str
    project_id: int
    task_id: int
    task_name: str
    activity: str
    activity_id: int
    rate_code_id: int
    rate: int
    value: int
    billable: bool
    description: str
    start: int | None
    end: int | None


class _Review(NamedTuple):
    """Acceptance by the owner or supervisor, then the supervisor's decision."""

    accepted_by: int | None
    accepted_at: datetime | None
    approved_by: int | None
    approved_at: datetime | None
    rejection: str
    updated: datetime | None


class _Wip(NamedTuple):
    """Where WIP sent the entry: allocation, write-down, hold, document, pay status."""

    allocation: str | None
    write_down: int
    reason: str
    note: str
    hold_until: date | None
    document_id: int | None
    pay: str
    updated: datetime | None


_DRAFT = _Review(None, None, None, None, "", None)
_NOT_IN_WIP = _Wip(None, 0, "", "", None, None, PayStatus.UNPAID.value, None)


HELPER_MIN_ENTRIES = 50_000
"""From this many entries on, the rows are generated in a helper process while this one writes
the months before (two cores: the generation in Python and SQLite's index updates, in C,
overlap); below it, in this process, without a process to start."""


class BulkHistory:
    """Writes a year of time entries, generated month by month, in bulk."""

    def __init__(
        self, services: Services, firm: Firm, rng: random.Random, today: date, say: Progress
    ) -> None:
        self.services = services
        self.firm = firm
        self.rng = rng
        self.today = today
        self.say = say

    # --- the transaction --------------------------------------------------------------------

    def write(self, count: int) -> HistoryStats:
        """Write ``count`` entries and their document records in one transaction, audited."""
        writer = AuditedBulkWriter(self.services.db, self.services.clock)
        backend = self.services.db.backend
        with writer.load(self.firm.admin) as uow:
            session = uow.session
            bulk = BulkInserter(session, backend)
            summary_triggers = drop_summary_triggers(session, backend)
            foreign_keys = drop_foreign_keys(session, backend, tuple(LOADED_COLUMNS))
            helped, sqlite = count >= HELPER_MIN_ENTRIES, backend == "sqlite"
            plan = HistoryPlan(
                firm=self.firm,
                rng_state=self.rng.getstate(),
                today=self.today,
                now=self.services.clock.now(),
                count=count,
                first_ids=(
                    max_id(session, m.TimeEntry),
                    max_id(session, m.DocumentRecord),
                    max_id(session, m.DocumentLine),
                ),
                # the helper sends SQLite's rows converted for its driver; this process's
                # own are converted by the inserter
                dialect=type(session.connection().dialect) if helped and sqlite else None,
            )
            chunks = rows_in_helper(plan) if helped else rows_here(plan)
            written = 0
            stats = HistoryStats()
            tables = m.metadata.tables
            converted = plan.dialect is not None
            with closing(chunks):  # the helper is ended however the load ends
                for chunk in chunks:
                    if isinstance(chunk, HistoryStats):
                        stats = chunk
                        continue
                    for table, rows in chunk.rows.items():
                        bulk.insert(tables[table], LOADED_COLUMNS[table], rows, converted)
                    written += len(chunk.rows["time_entry"])
                    self.say(
                        f"{chunk.month}: {written:,} of {count:,} time entries, "
                        f"{chunk.documents:,} document records"
                    )
            bulk.finish()
            restore_foreign_keys(session, foreign_keys)
            rebuild_summary(session, summary_triggers)
            self.say("Daily time summary rebuilt.")
            uow.audit(
                "demo.generate",
                "organisation",
                1,
                None,
                {
                    "time_entries": written,
                    "document_records": stats.documents,
                    "document_lines": stats.lines,
                    "by_status": dict(sorted(stats.statuses.items())),
                    "by_pay_status": dict(sorted(stats.pay.items())),
                },
            )
        return stats


@dataclass(frozen=True)
class HistoryPlan:
    """Everything the rows are generated from (sent to the helper process as it is)."""

    firm: Firm
    rng_state: Any
    today: date
    now: datetime
    count: int
    first_ids: tuple[int, int, int]  # the highest entry, document record and line ids
    dialect: type[Dialect] | None  # SQLite's: the helper converts the rows for its driver


@dataclass(frozen=True)
class MonthChunk:
    """One month's rows as the writer inserts them."""

    month: str
    rows: dict[str, list[Any]]  # by table, in LOADED_COLUMNS order
    documents: int  # document records so far


def rows_here(plan: HistoryPlan) -> Generator[MonthChunk | HistoryStats, None, None]:
    """The months generated in this process, then the totals."""
    generator = HistoryGenerator(plan)
    yield from generator.chunks()
    yield generator.stats


def rows_in_helper(plan: HistoryPlan) -> Generator[MonthChunk | HistoryStats, None, None]:
    """The months generated by a helper process (the same rows as :func:`rows_here`), then the
    totals; its failure is raised here, so the transaction writing them rolls back."""
    context = multiprocessing.get_context("spawn")  # nothing of this process's connections
    receiver, sender = context.Pipe(duplex=False)
    helper = context.Process(target=generate_into, args=(plan, sender), daemon=True)
    helper.start()
    sender.close()
    try:
        while True:
            try:
                item = receiver.recv()
            except EOFError:
                helper.join(5)
                raise RuntimeError(
                    "The helper generating the demo's time entries stopped "
                    f"(exit code {helper.exitcode})."
                ) from None
            if isinstance(item, _HelperFailed):
                raise RuntimeError(f"Generating the demo's time entries failed:\n{item.text}")
            yield item
            if isinstance(item, HistoryStats):
                return
    finally:
        receiver.close()
        helper.join(5)
        if helper.is_alive():
            helper.terminate()
            helper.join()


@dataclass(frozen=True)
class _HelperFailed:
    text: str


def generate_into(plan: HistoryPlan, sender: Any) -> None:
    """The helper process: send each month's rows, then the totals (or what went wrong)."""
    try:
        for item in rows_here(plan):
            sender.send(item)
    except BaseException:  # noqa: BLE001 - whatever it is, the writer must hear of it
        sender.send(_HelperFailed(traceback.format_exc()))
    finally:
        sender.close()


class HistoryGenerator:
    """Generates a year of time entries month by month, with their document records and lines:
    no database, the same rows for the same plan wherever it runs."""

    def __init__(self, plan: HistoryPlan) -> None:
        firm = plan.firm
        self.plan = plan
        self.firm = firm
        self.rng = random.Random()
        self.rng.setstate(plan.rng_state)
        self.today = plan.today
        self.now = plan.now
        self.stats = HistoryStats()
        self.workers = self._workers()
        self.project_names = {p[0]: p[2] for p in PROJECTS}
        self.project_clients = {p[0]: firm.clients[p[3]] for p in PROJECTS}
        self.worker_weights = [w.weight for w in self.workers]
        self.activity_names = {key: name for key, name, _b in ACTIVITIES}
        self.activity_billable = {key: billable for key, _n, billable in ACTIVITIES}
        self._values: dict[tuple[int, int], int] = {}
        self.entry_id, self.document_id, self.line_id = plan.first_ids

    def _workers(self) -> list[_Worker]:
        users = self.firm.users
        return [
            _Worker(
                user_id=users[p.key],
                name=p.name,
                supervisor_id=users[p.supervisor or ADMIN.key],
                rate_code=p.rate_code,
                projects=p.projects,
                weight=p.weight,
            )
            for p in PEOPLE
            if p.projects
        ]

    def chunks(self) -> Generator[MonthChunk, None, None]:
        """Each month's rows in order, in the form the plan asks for."""
        convert = _converters(self.plan)
        per_day = self._entries_per_day(self.plan.count)
        for month_days in _months(sorted(per_day)):
            month = self._month(month_days, per_day)
            made = {
                "document_record": month.records,
                "time_entry": month.entries,
                "document_line": month.lines,
            }
            rows = {table: convert[table](made[table]) for table in LOADED_COLUMNS}
            yield MonthChunk(f"{month_days[0]:%Y-%m}", rows, self.stats.documents)

    # --- when work happened -----------------------------------------------------------------

    def _entries_per_day(self, count: int) -> Counter[date]:
        """Spread ``count`` entries over the year before today, mostly on working days."""
        days = [self.today - timedelta(days=back) for back in range(DAYS_OF_HISTORY, 0, -1)]
        weights = [(10.0, 10.0, 10.0, 10.0, 9.0, 1.2, 0.4)[d.weekday()] for d in days]
        picked = Counter(self.rng.choices(days, weights=weights, k=count))
        if picked:
            self.stats.first_day, self.stats.last_day = min(picked), max(picked)
        return picked

    # --- one month --------------------------------------------------------------------------

    def _month(self, days: Sequence[date], per_day: Mapping[date, int]) -> _MonthRows:
        """The entries of one month's days, its document records and their lines."""
        processed_day = month_end(days[-1]) + timedelta(days=10)
        month = _MonthRows(processed_at=min(at(processed_day, 10 * 60), self.now))
        for day in days:
            self._day(day, per_day[day], month)
        month.records = [
            (
                doc.id,
                f"DR-{doc.id:06d}",
                doc.kind,
                doc.client_id,
                None,
                doc.minutes,
                doc.value,
                doc.billed,
                doc.write_down,
                self.firm.admin.user_id,
                month.processed_at,
            )
            for doc in month.documents.values()
        ]
        for doc in month.documents.values():
            if doc.kind == "invoice":
                self.stats.invoice_records[doc.id] = month.processed_at.date()
        self.stats.documents += len(month.records)
        self.stats.lines += len(month.lines)
        return month

    def _day(self, day: date, count: int, month: _MonthRows) -> None:
        """Generate the ``count`` entries of one day into ``month``."""
        rng = self.rng
        age = (self.today - day).days
        names, cumulative = _status_table(age)
        statuses = rng.choices(names, cum_weights=cumulative, k=count)
        workers = rng.choices(self.workers, weights=self.worker_weights, k=count)
        minutes = rng.choices(MINUTE_CHOICES, weights=MINUTE_WEIGHTS, k=count)
        evening = at(day, 16 * 60)
        payable, month_key = self.stats.payable, day.replace(day=1)
        for worker, status, spent in zip(workers, statuses, minutes, strict=True):
            created = evening + timedelta(minutes=rng.randrange(0, 180))
            self.entry_id += 1
            card = self._card(worker, day, spent)
            review = self._review(worker, status, created)
            wip = _NOT_IN_WIP
            if review.approved_by:
                wip = self._wip(card, status, age, month)
                payable[worker.user_id, month_key] += 1
            self.stats.statuses[status] += 1
            self.stats.pay[wip.pay] += 1
            month.entries.append(
                (
                    self.entry_id,
                    worker.user_id,
                    worker.user_id,
                    card.project_id,
                    card.task_id,
                    card.activity_id,
                    card.rate_code_id,
                    day,
                    spent,
                    card.start,
                    card.end,
                    card.description,
                    card.billable,
                    status,
                    wip.pay,
                    card.rate,
                    card.value,
                    review.rejection,
                    review.accepted_by,
                    review.accepted_at,
                    review.approved_by,
                    review.approved_at,
                    wip.allocation,
                    wip.write_down,
                    wip.reason,
                    wip.note,
                    wip.hold_until,
                    wip.document_id,
                    None,
                    created,
                    wip.updated or review.updated,
                    1,
                )
            )

    def _card(self, worker: _Worker, day: date, minutes: int) -> _Card:
        """What a time card says: project, task, activity, rate code, text, value."""
        rng, firm = self.rng, self.firm
        project = rng.choice(worker.projects)
        task_id, task_name = rng.choice(firm.tasks[project])
        activity = rng.choices(ACTIVITY_KEYS, weights=ACTIVITY_WEIGHTS)[0]
        billable = self.activity_billable[activity] and rng.random() < 0.96
        rate_code_id, rate = firm.rate_codes["visit" if activity == "visit" else worker.rate_code]
        start = end = None
        if rng.random() < 0.3:
            start = rng.randrange(7 * 60, 10 * 60 + 1, 15)
            end = start + minutes
        return _Card(
            worker=worker,
            day=day,
            minutes=minutes,
            project=project,
            project_id=firm.projects[project],
            task_id=task_id,
            task_name=task_name,
            activity=activity,
            activity_id=firm.activities[activity],
            rate_code_id=rate_code_id,
            rate=rate,
            value=self._value(minutes, rate),
            billable=billable,
            description=rng.choice(DESCRIPTIONS),
            start=start,
            end=end,
        )

    def _review(self, worker: _Worker, status: str, created: datetime) -> _Review:
        """Who accepted the entry and when; the supervisor's approval or rejection."""
        if status == "draft":
            return _DRAFT
        rng, now = self.rng, self.now
        accepted_by = worker.user_id if rng.random() < 0.8 else worker.supervisor_id
        accepted_at = min(created + timedelta(minutes=rng.randrange(30, 2 * 1440)), now)
        if status == "accepted":
            return _Review(accepted_by, accepted_at, None, None, "", accepted_at)
        decided = min(accepted_at + timedelta(minutes=rng.randrange(60, 4 * 1440)), now)
        if status == "rejected":
            reason = rng.choice(REJECTION_REASONS)
            return _Review(accepted_by, accepted_at, None, None, reason, decided)
        return _Review(accepted_by, accepted_at, worker.supervisor_id, decided, "", decided)

    def _wip(self, card: _Card, status: str, age: int, month: _MonthRows) -> _Wip:
        """How WIP sent an approved entry on, filing processed ones on a document record."""
        if status == "approved":
            return _NOT_IN_WIP
        processed = status == "processed"
        allocation, write_down, reason, note = self._allocation(card, processed)
        if not processed:
            hold = None
            if allocation == "hold":
                hold = month_end(self.today, self.rng.choice(HOLD_DAYS))
            return _Wip(allocation, write_down, reason, note, hold, None, "unpaid", None)
        kind = "invoice" if allocation == "bill" else "write_down"
        client = self.project_clients[card.project]
        doc = month.documents.get((kind, client))
        if doc is None:
            self.document_id += 1
            doc = month.documents[(kind, client)] = _Document(self.document_id, kind, client)
        billed = card.value - write_down
        doc.add(card.minutes, card.value, billed, write_down)
        self.line_id += 1
        month.lines.append(
            (
                self.line_id,
                doc.id,
                self.entry_id,
                card.day,
                card.worker.name,
                self.project_names[card.project],
                card.task_name,
                self.activity_names[card.activity],
                card.description,
                card.minutes,
                card.rate,
                card.value,
                billed,
                write_down,
                reason,
            )
        )
        pay = PayStatus.UNPAID.value  # paid only through a master invoice (see .contractors)
        return _Wip(allocation, write_down, reason, note, None, doc.id, pay, month.processed_at)

    def _allocation(self, card: _Card, processed: bool) -> tuple[str, int, str, str]:
        """Bill, write down or hold: (allocation, write-down cents, reason, note)."""
        if not card.billable:
            return "write_down", card.value, NON_BILLABLE_REASON, "Internal or non-billable work."
        roll = self.rng.random()
        if roll < 0.06:
            reason = self.rng.choice(WRITE_DOWN_REASONS)
            return "write_down", card.value, reason, "Agreed with the project manager."
        if not processed and roll < 0.2:
            return "hold", 0, "", ""
        return "bill", 0, "", ""

    def _value(self, minutes: int, rate: int) -> int:
        """minutes × hourly rate ÷ 60, rounded half up to the cent (cached)."""
        key = (minutes, rate)
        value = self._values.get(key)
        if value is None:
            value = self._values[key] = divide_to_int(minutes * rate, 60, RoundingMode.HALF_UP)
        return value


def _status_table(age: int) -> tuple[list[str], list[float]]:
    """The statuses possible at ``age`` days and their cumulative weights."""
    for limit, table in STATUS_BY_AGE:
        if age <= limit:
            names = [status.value for status, _w in table]
            cumulative: list[float] = []
            total = 0.0
            for _status, weight in table:
                total += weight
                cumulative.append(total)
            return names, cumulative
    raise AssertionError("STATUS_BY_AGE must end with an open-ended age")


def _converters(plan: HistoryPlan) -> dict[str, Callable[[list[Any]], list[Any]]]:
    """Per table, what turns its rows into the form the plan asks for: as generated, or
    converted for SQLite's driver."""
    if plan.dialect is None:
        return {table: _as_made for table in LOADED_COLUMNS}
    engine_dialect = plan.dialect()
    return {
        table: _all_of(bound_values(m.metadata.tables[table], columns, engine_dialect))
        for table, columns in LOADED_COLUMNS.items()
    }


def _as_made(rows: list[Any]) -> list[Any]:
    return rows


def _all_of(convert: Callable[[Sequence[Any]], list[Any]]) -> Callable[[list[Any]], list[Any]]:
    """``convert`` applied to each of a list of rows."""

    def rows_of(rows: list[Any]) -> list[Any]:
        return [convert(row) for row in rows]

    return rows_of


def _months(days: Iterable[date]) -> list[list[date]]:
    """Consecutive ``days`` grouped by calendar month."""
    months: list[list[date]] = []
    for day in days:
        if months and (months[-1][0].year, months[-1][0].month) == (day.year, day.month):
            months[-1].append(day)
        else:
            months.append([day])
    return months
