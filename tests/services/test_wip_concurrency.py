"""Processing WIP from two processes at once, and how long a large WIP takes to process.

Two processes started together process the same WIP: exactly one set of document records is
made, every entry lands on exactly one line, and the other process is refused with a clear
message (never a traceback, never a half-write). Runs on PostgreSQL and on SQLite.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from tektoro_tui.data import models as m
from tektoro_tui.errors import TektoroError
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tektoro_tui.services.pipeline.wip import WipService
from tests.builders import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    PASSWORD,
    add_job,
    add_person,
    add_work_codes,
    make_firm,
)

OWNER = (OWNER_EMAIL, OWNER_PASSWORD)
MANAGER = ("manager@example.com", PASSWORD)
RACE_ENTRIES = 2_000
TIMED_ENTRIES = 10_000
RATE = 7_500  # 75.00 an hour


def _firm(url: str) -> tuple[Services, int, list[tuple[int, int]], int, int]:
    """Organisation, owner and manager, two clients with a project each; returns the ids."""
    services = Services.connect(url)
    admin = make_firm(services)
    add_person(services, admin, "Mia Manager", "manager", email=MANAGER[0], sign_in=False)
    jobs = [add_job(services, admin, name, f"{name} job", "Work") for name in ("Acme", "Bolt")]
    activity, rate = add_work_codes(services, admin, "Design", "Std", "75")
    return services, admin.user_id, [(j.project_id, j.task_id) for j in jobs], activity, rate


def _seed_allocated(url: str, count: int) -> Services:
    """``count`` allocated entries (bill, partly and fully written down) in one bulk insert."""
    services, owner, projects, activity, rate = _firm(url)
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    for i in range(count):
        project, task = projects[i % 2]
        minutes = 15 * (1 + i % 16)
        value = minutes * RATE // 60
        allocation, down = "bill", 0
        if i % 5 == 0:
            allocation, down = "write_down", value
        elif i % 7 == 0:
            down = 500
        rows.append(
            {
                "owner_id": owner,
                "entered_by_id": owner,
                "project_id": project,
                "task_id": task,
                "activity_id": activity,
                "rate_code_id": rate,
                "work_date": date(2026, 1, 1) + timedelta(days=i % 50),
                "minutes": minutes,
                "description": f"Entry {i}",
                "status": "allocated",
                "rate_cents": RATE,
                "value_cents": value,
                "allocation": allocation,
                "write_down_cents": down,
                "write_down_reason": "Goodwill" if down else "",
                "approved_by_id": owner,
                "created_at": now,
            }
        )
    with services.db.write() as session:
        session.execute(insert(m.metadata.tables["time_entry"]), rows)
    return services


def _process_wip(url: str, login: tuple[str, str], start: Any, results: Any) -> None:
    """Child process: wait for the other one, then process everything; report the outcome."""
    services = Services.connect(url, migrate=False)
    try:
        actor = services.auth.login(*login)
        wip = WipService(services.db, services.clock)
        start.wait(60)
        try:
            result = wip.process(actor)
        except TektoroError as refused:
            results.put(("refused", type(refused).__name__, refused.message))
        else:
            results.put(("processed", len(result.documents), result.totals.entries))
    finally:
        services.close()


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_two_processes_process_the_same_wip_once(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    _seed_allocated(url, RACE_ENTRIES).close()
    ctx = mp.get_context("spawn")
    start, results = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(target=_process_wip, args=(url, login, start, results))
        for login in (OWNER, MANAGER)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(180)
        assert worker.exitcode == 0, "a worker crashed instead of being refused cleanly"
    outcomes = sorted([results.get(timeout=10), results.get(timeout=10)], key=lambda o: o[0])
    processed, refused = outcomes
    assert processed == ("processed", 4, RACE_ENTRIES)
    assert refused[0] == "refused" and refused[1] in ("NothingToProcess", "ConflictError")
    assert "Nothing left to process" in refused[2] or "someone else" in refused[2].lower()
    services = Services.connect(url, migrate=False)
    try:
        _assert_processed_exactly_once(services, RACE_ENTRIES, documents=4)
    finally:
        services.close()


def _assert_processed_exactly_once(services: Services, entries: int, documents: int) -> None:
    with services.db.read() as session:

        def count(model: type, *where: Any) -> int:
            query = select(func.count()).select_from(model).where(*where)
            return int(session.execute(query).scalar_one())

        assert count(m.DocumentRecord) == documents
        assert count(m.DocumentLine) == entries
        lines_per_entry = session.execute(
            select(func.count(func.distinct(m.DocumentLine.time_entry_id)))
        ).scalar_one()
        assert lines_per_entry == entries
        assert count(m.TimeEntry, m.TimeEntry.status == "processed") == entries
        assert count(m.AuditEvent, m.AuditEvent.action == "document.create") == documents
        assert count(m.AuditEvent, m.AuditEvent.action == "wip.process") == 1
    report = run_check(services.db)
    assert report.ok, report.lines()


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_processing_ten_thousand_entries(
    backend: str, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    services = _seed_allocated(url, TIMED_ENTRIES)
    try:
        admin = services.auth.login(*OWNER)
        wip = WipService(services.db, services.clock)
        calls: list[tuple[int, int]] = []
        started = time.perf_counter()
        result = wip.process(admin, progress=lambda done, total: calls.append((done, total)))
        seconds = time.perf_counter() - started
        with capsys.disabled():
            print(f"\n[{backend}] processed {TIMED_ENTRIES:,} WIP entries in {seconds:.2f} s")
        assert result.totals.entries == TIMED_ENTRIES and len(result.documents) == 4
        assert calls[0] == (0, TIMED_ENTRIES) and calls[-1] == (TIMED_ENTRIES, TIMED_ENTRIES)
        assert len(calls) > 5
        _assert_processed_exactly_once(services, TIMED_ENTRIES, documents=4)
    finally:
        services.close()
