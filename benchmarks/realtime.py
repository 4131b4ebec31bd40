"""Real-time propagation: from a commit in one session to another session's wake-up.

    python benchmarks/realtime.py [--changes 50] [--pg postgresql://postgres@127.0.0.1/postgres]

A writer (its own ``Services``, engine and connections) adds an activity code; a subscriber
thread (its own ``Services``) waits in ``ChangeSubscription.next_batch``. The clock starts when
the writer's engine begins the COMMIT and stops when ``next_batch`` returns the change, so the
figure is commit-to-wake-up (a screen then reloads its data in a worker). Writes are spaced by
a random pause so they do not fall in step with SQLite's 0.2 s polling.

PostgreSQL runs on a scratch database created and dropped on the server (goal: under 1 s);
SQLite on a temporary file (goal: under 2 s). Prints the median and 95th percentile of each.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event

from tektoro_tui.services.administration.presets import ActivityForm
from tektoro_tui.services.hub import Services

OWNER, PASSWORD = "owner@example.com", "bench-pass-2026"
GOALS = {"postgresql": 1.0, "sqlite": 2.0}
WAKE_TIMEOUT = 10.0


@contextmanager
def scratch_postgres(admin_dsn: str) -> Iterator[str]:
    """A new, empty database on the server of ``admin_dsn``; dropped afterwards."""
    import psycopg

    name = f"tektoro_rt_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_dsn.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_sqlite() -> Iterator[str]:
    """A new SQLite file in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'realtime.db'}"


class Subscriber(threading.Thread):
    """Waits for changes in its own session and timestamps each wake-up that brings one."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.services = Services.connect(url, migrate=False)
        self.subscription = self.services.changes.subscribe()
        self.woke = threading.Event()
        self.woke_at = 0.0
        self.stopping = False

    def run(self) -> None:
        while not self.stopping:
            batch = self.subscription.next_batch(1.0)
            if batch is not None and "activity" in batch.entities:
                self.woke_at = time.perf_counter()
                self.woke.set()

    def stop(self) -> None:
        self.stopping = True
        self.subscription.close()
        self.join(5)
        self.services.close()


def measure(url: str, changes: int) -> list[float]:
    """Seconds from each commit's start to the subscriber's wake-up, ``changes`` times."""
    writer = Services.connect(url)
    try:
        writer.auth.init_organisation("Bench", OWNER, "Olga Owner", PASSWORD)
        actor = writer.auth.login(OWNER, PASSWORD)
        committed: list[float] = []

        def on_commit(_conn: Any) -> None:
            committed.append(time.perf_counter())

        event.listen(writer.db.engine, "commit", on_commit)
        subscriber = Subscriber(url)
        subscriber.start()
        figures = []
        try:
            for i in range(changes):
                time.sleep(random.uniform(0.05, 0.3))
                subscriber.woke.clear()
                committed.clear()
                writer.presets.save_activity(actor, ActivityForm(name=f"Bench {i:03d}"))
                if not subscriber.woke.wait(WAKE_TIMEOUT):
                    raise RuntimeError(f"change {i} did not arrive within {WAKE_TIMEOUT} s")
                figures.append(subscriber.woke_at - committed[-1])
        finally:
            subscriber.stop()
        return figures
    finally:
        writer.close()


def report(backend: str, figures: list[float]) -> None:
    """Print the median and 95th percentile in milliseconds, against the goal."""
    ordered = sorted(figures)
    median = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    goal = GOALS[backend]
    verdict = "ok" if p95 < goal else "OVER GOAL"
    print(
        f"{backend:<10} {len(figures)} changes: median {median * 1000:7.1f} ms, "
        f"95th percentile {p95 * 1000:7.1f} ms, max {ordered[-1] * 1000:7.1f} ms "
        f"(goal < {goal * 1000:.0f} ms: {verdict})"
    )


def main() -> None:
    """Measure both backends and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-pg", action="store_true", help="measure SQLite only")
    options = parser.parse_args()
    if not options.skip_pg:
        with scratch_postgres(options.pg) as url:
            report("postgresql", measure(url, options.changes))
    with scratch_sqlite() as url:
        report("sqlite", measure(url, options.changes))


if __name__ == "__main__":
    main()
