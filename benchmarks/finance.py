"""Speed of the financial metrics and the role dashboards on the 1,000,000-entry demo database.

    python benchmarks/finance.py                          # SQLite: benchmarks/bench.db
    python benchmarks/finance.py --pg postgresql://postgres@127.0.0.1/tektoro_bench
    python benchmarks/finance.py --entries 100000         # a smaller database for a quick look

The demo database is built once (``tektoro demo --entries N``, as ``benchmarks/run.py`` does)
and reused. With ``--pg URL`` the same calls are also timed on that PostgreSQL database
(built there by the demo the first time). Each call runs once to warm up, then ``--runs``
times; the table shows the median and the 95th percentile of the data time:

- ``services.metrics.report`` (the metrics screen; goal <= 500 ms);
- ``services.dashboards.contractor / manager / administrator / client`` and ``for_actor`` of
  each of those users (goal <= 250 ms each).

A service that still raises ``NotImplementedError`` is listed as "not implemented".
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import DEMO_PASSWORD, ensure_demo  # noqa: E402

METRICS_GOAL_MS = 500.0
DASHBOARD_GOAL_MS = 250.0

Row = tuple[str, float | None, float | None, str]


def time_call(fn: Callable[[], object], runs: int) -> list[float] | None:
    """Seconds per call of ``fn`` over ``runs`` calls after one warm-up; None if unbuilt."""
    try:
        fn()
    except NotImplementedError:
        return None
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def p95(samples: list[float]) -> float:
    """The 95th percentile (nearest rank) of samples in seconds."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _one(services: Any, sql: str) -> int:
    """One integer chosen with plain SQL (set-up only, not measured)."""
    from sqlalchemy import text

    with services.db.read() as session:
        value = session.execute(text(sql)).scalar()
    if value is None:
        raise SystemExit(f"the demo database has no row for: {sql}")
    return int(value)


def actors(services: Any) -> dict[str, Any]:
    """The administrator, the busiest manager and contractor, and a client user."""
    admin = _one(services, "SELECT MIN(id) FROM user_account WHERE role = 'administrator'")
    manager = _one(
        services,
        "SELECT u.id FROM user_account u JOIN user_account s ON s.supervisor_id = u.id "
        "WHERE u.role = 'manager' GROUP BY u.id ORDER BY COUNT(*) DESC, u.id LIMIT 1",
    )
    contractor = _one(
        services,
        "SELECT t.owner_id FROM time_day_total t JOIN user_account u ON u.id = t.owner_id "
        "WHERE u.role = 'staff' GROUP BY t.owner_id ORDER BY SUM(t.entries) DESC LIMIT 1",
    )
    client = _one(services, "SELECT MIN(id) FROM user_account WHERE role = 'client'")
    auth = services.auth
    return {
        "administrator": auth.actor(admin),
        "manager": auth.actor(manager),
        "contractor": auth.actor(contractor),
        "client": auth.actor(client),
    }


def checks(services: Any, who: dict[str, Any]) -> list[tuple[str, float, Callable[[], object]]]:
    """(label, goal in ms, call) of every measured call."""
    boards = services.dashboards
    calls: list[tuple[str, float, Callable[[], object]]] = [
        ("metrics.report (12 months)", METRICS_GOAL_MS,
         lambda: services.metrics.report(who["administrator"])),
        ("dashboards.contractor", DASHBOARD_GOAL_MS,
         lambda: boards.contractor(who["contractor"])),
        ("dashboards.manager", DASHBOARD_GOAL_MS, lambda: boards.manager(who["manager"])),
        ("dashboards.administrator", DASHBOARD_GOAL_MS,
         lambda: boards.administrator(who["administrator"])),
        ("dashboards.client", DASHBOARD_GOAL_MS, lambda: boards.client(who["client"])),
    ]  # fmt: skip
    for role in ("contractor", "manager", "administrator", "client"):
        actor = who[role]
        calls.append(
            (f"dashboards.for_actor ({role})", DASHBOARD_GOAL_MS, _bind(boards.for_actor, actor))
        )
    return calls


def _bind(fn: Callable[[Any], object], actor: Any) -> Callable[[], object]:
    return lambda: fn(actor)


def measure(url: str, runs: int) -> list[Row]:
    """Median and p95 (ms) of every call on the database at ``url``."""
    from tektoro_tui.services.hub import Services

    services = Services.connect(url)
    try:
        who = actors(services)
        services.auth.login(who["administrator"].email, DEMO_PASSWORD)  # the demo's logins work
        rows: list[Row] = []
        for label, goal, fn in checks(services, who):
            samples = time_call(fn, runs)
            if samples is None:
                rows.append((label, None, None, "not implemented"))
                continue
            median = statistics.median(samples) * 1000
            worst = p95(samples) * 1000
            verdict = "ok" if median <= goal else "SLOW"
            rows.append((label, median, worst, f"goal <= {goal:.0f} ms: {verdict}"))
        return rows
    finally:
        services.close()


def print_rows(title: str, rows: list[Row]) -> None:
    """The figures as a table."""
    width = max(len(label) for label, *_ in rows)
    print(f"\n{title}")
    print(f"{'call'.ljust(width)}  median ms     p95 ms  note")
    for label, median, worst, note in rows:
        if median is None or worst is None:
            print(f"{label.ljust(width)}  {'-':>9}  {'-':>9}  {note}")
        else:
            print(f"{label.ljust(width)}  {median:9.1f}  {worst:9.1f}  {note}")


def main() -> None:
    """Build or reuse the demo database(s) and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", default=f"sqlite:///{HERE / 'bench.db'}")
    parser.add_argument("--pg", default="", help="also measure on this PostgreSQL database")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("TEKTORO_HOME", str(HERE / ".home"))
    targets = [args.db] + ([args.pg] if args.pg else [])
    for url in targets:
        ensure_demo(url, args.entries)
        backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print_rows(f"{backend}: {url} ({args.runs} runs each)", measure(url, args.runs))


if __name__ == "__main__":
    main()
