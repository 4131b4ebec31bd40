"""Two people approving overlapping sets of time entries at the same moment, in two processes.

Every entry must be approved exactly once: the conditional ``UPDATE ... AND status = 'accepted'
RETURNING id`` lets only one process change a row, and the other reports it as skipped. Runs on
PostgreSQL (the shared office server) and on SQLite (where BEGIN IMMEDIATE serialises writers).
The test also times accepting and approving 1,000 entries in one action and prints the seconds.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import queue
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from tektoro_tui.data import models as m
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tektoro_tui.services.pipeline.time import TimeService
from tests.builders import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    PASSWORD,
    add_codes,
    connected,
    join,
    make_firm,
)

OWNER = (OWNER_EMAIL, OWNER_PASSWORD)
ANN = ("ann@example.com", PASSWORD)
ENTRIES = 300
ALREADY = {"already approved by someone else", "the entry is already approved"}


def _approve_worker(
    url: str, login: tuple[str, str], ids: list[int], start: Any, results: Any
) -> None:
    """Log in, wait for the other process, approve ``ids`` and report what happened."""
    services = Services.connect(url, migrate=False)
    try:
        actor = services.auth.login(*login)
        service = TimeService(services.db, services.clock)
        start.wait(60)
        outcome = service.approve(actor, ids)
        results.put(
            (
                actor.user_id,
                list(outcome.entry_ids),
                [(s.entry_id, s.reason) for s in outcome.skipped],
            )
        )
    finally:
        services.close()


def _firm(url: str) -> dict[str, int]:
    """Organisation, presets and Ann (the owner's staff) and Bob (Ann's staff)."""
    with connected(url) as services:
        admin = make_firm(services)
        ann = join(services, admin, ANN[0], "Ann")
        bob = join(services, ann, "bob@example.com", "Bob")
        codes = add_codes(services, admin, "Acme", "Roof", "T", "Design", "S", "90")
        return {
            "admin": admin.user_id,
            "ann": ann.user_id,
            "bob": bob.user_id,
            "project": codes.project_id,
            "task": codes.task_id,
            "activity": codes.activity_id,
            "rate": codes.rate_code_id,
        }


def _seed(services: Services, firm: dict[str, int], count: int, status: str) -> list[int]:
    """Insert ``count`` of Bob's entries in ``status`` with one Core statement."""
    now = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    accepted = status == "accepted"
    rows = [
        {
            "owner_id": firm["bob"],
            "entered_by_id": firm["bob"],
            "project_id": firm["project"],
            "task_id": firm["task"],
            "activity_id": firm["activity"],
            "rate_code_id": firm["rate"],
            "work_date": date(2026, 1, 1) + timedelta(days=i % 60),
            "minutes": 30 + i % 90,
            "description": f"entry {i}",
            "billable": True,
            "status": status,
            "pay_status": "unpaid",
            "rate_cents": 9000,
            "value_cents": (30 + i % 90) * 150,
            "rejection_reason": "",
            "accepted_by_id": firm["bob"] if accepted else None,
            "accepted_at": now if accepted else None,
            "write_down_cents": 0,
            "write_down_reason": "",
            "write_down_note": "",
            "created_at": now,
            "version": 1,
        }
        for i in range(count)
    ]
    table = m.metadata.tables["time_entry"]
    with services.db.write() as session:
        first = session.execute(select(table.c.id).order_by(table.c.id.desc())).first()
        session.execute(insert(table), rows)
        query = select(table.c.id).where(table.c.id > (first[0] if first else 0))
        return sorted(session.execute(query).scalars())


def _run_workers(url: str, jobs: list[tuple[tuple[str, str], list[int]]]) -> list[Any]:
    """Start one spawned process per job, release them together, collect their results."""
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(len(jobs))
    results = ctx.Queue()
    workers = [
        ctx.Process(target=_approve_worker, args=(url, login, ids, start, results))
        for login, ids in jobs
    ]
    for worker in workers:
        worker.start()
    collected: list[Any] = []
    deadline = time.monotonic() + 180
    while len(collected) < len(workers) and time.monotonic() < deadline:
        try:
            collected.append(results.get(timeout=1))
        except queue.Empty:
            if any(w.exitcode not in (None, 0) for w in workers):
                break  # a worker failed: its traceback is on stderr
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert len(collected) == len(workers)
    return collected


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_two_processes_approve_overlapping_sets_exactly_once(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    firm = _firm(url)
    services = Services.connect(url, migrate=False)
    try:
        ids = _seed(services, firm, ENTRIES, "accepted")
    finally:
        services.close()
    first, second = ids[:200], ids[100:]  # 100 entries in both sets
    # Ann is Bob's supervisor; the owner holds time.approve_any.
    results = _run_workers(url, [(ANN, first), (OWNER, second[::-1])])

    reasons = Counter(reason for _user, _done, skipped in results for _i, reason in skipped)
    print(f"\n[{backend}] applied {[len(done) for _u, done, _s in results]}, skipped {reasons}")
    applied = [set(done) for _user, done, _skipped in results]
    assert sum(len(done) for done in applied) == ENTRIES
    assert applied[0] | applied[1] == set(ids) and not applied[0] & applied[1]
    chosen_by = {firm["ann"]: first, firm["admin"]: second}
    for user, done, skipped in results:
        assert set(done) | {i for i, _reason in skipped} == set(chosen_by[user])
        assert {reason for _i, reason in skipped} <= ALREADY

    services = Services.connect(url, migrate=False)
    try:
        with services.db.read() as session:
            rows = session.execute(
                select(m.TimeEntry.id, m.TimeEntry.status, m.TimeEntry.approved_by_id).where(
                    m.TimeEntry.id.in_(ids)
                )
            ).all()
            events = session.execute(
                select(m.AuditEvent.actor_id, m.AuditEvent.after_json).where(
                    m.AuditEvent.action == "time_entry.approve"
                )
            ).all()
        assert {status for _i, status, _by in rows} == {"approved"}
        approver = {i: user for user, done, _s in results for i in done}
        assert {i: by for i, _status, by in rows} == approver
        audited = [i for _actor, after in events for i in json.loads(after)["ids"]]
        assert sorted(audited) == ids  # each id exactly once
        report = run_check(services.db)
        assert report.ok, report.lines()
    finally:
        services.close()


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_accept_and_approve_a_thousand_entries_in_one_action(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    firm = _firm(url)
    services = Services.connect(url, migrate=False)
    try:
        ids = _seed(services, firm, 1000, "draft")
        service = TimeService(services.db, services.clock)
        ann = services.auth.login(*ANN)
        started = time.perf_counter()
        accepted = service.accept(ann, ids)
        accept_seconds = time.perf_counter() - started
        started = time.perf_counter()
        approved = service.approve(ann, ids)
        approve_seconds = time.perf_counter() - started
        print(
            f"\n[{backend}] accept 1,000 entries: {accept_seconds:.3f} s; "
            f"approve 1,000 entries: {approve_seconds:.3f} s"
        )
        assert len(accepted.entry_ids) == len(approved.entry_ids) == 1000
        assert approved.totals.minutes == sum(30 + i % 90 for i in range(1000))
        with services.db.read() as session:
            events = session.execute(
                select(m.AuditEvent.action).where(m.AuditEvent.entity == "time_entry")
            ).all()
        assert sorted(a for (a,) in events) == ["time_entry.accept", "time_entry.approve"]
    finally:
        services.close()
