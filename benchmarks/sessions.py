"""Many TUIs on one PostgreSQL database: connections held, and CPU while others write.

    python benchmarks/sessions.py --pg postgresql://root@127.0.0.1:5432/test [--sessions 20]
        [--entries 2000] [--changes-per-minute 1000] [--seconds 30]

A scratch database is made on the ``--pg`` server (dropped after) and a demo firm built in it.
``--sessions`` processes each run the real app (``TektoroApp``, headless), sign in as one of the
demo's people (in turn) and open their Time Report; that is what an office of that many people
looks like to the server. Then:

1. **Connections**, read from ``pg_stat_activity`` while every session is idle: the total, the
   most per session and how many of them listen for changes. Budget: 2 per TUI.
2. **CPU while others write**: a writer process saves ``--changes-per-minute`` time cards a
   minute for ``--seconds`` as the first person; each session reports the CPU its process used
   meanwhile, as a share of one core. Goal: under 5 % each. The sessions whose screens show
   none of those cards are reported apart from the writer's own session, whose Time Report
   does show them (and reloads at most twice a second while they pour in).
3. **Commit to screen under that load**: every card is dated today, so it lands at the top of
   the writer's own Time Report. The writer notes the wall-clock time each card's commit
   returned; the sessions signed in as the writer note when the card's row was first drawn
   (after the refresh that follows the table update). Goal: 95th percentile at most 1 s (aim
   0.3 s); cards never shown are counted.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import DEMO_PASSWORD  # noqa: E402

SIZE = (120, 32)
BUDGET = 2
CPU_GOAL = 0.05
LATENCY_GOAL = 1.0
LATENCY_AIM = 0.3
GRACE = 3.0
"""Seconds the sessions keep watching after the last card, so the last ones can arrive."""


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``; dropped (forced) after."""
    import psycopg

    dsn = server_url.replace("postgresql+psycopg://", "postgresql://")
    admin_dsn = f"{dsn.rsplit('/', 1)[0]}/postgres"
    name = f"tektoro_sessions_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{dsn.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build(url: str, entries: int) -> list[str]:
    """Build the demo firm at ``url``; the e-mails of its active internal people."""
    from sqlalchemy import select

    from tektoro_tui.data import models as m
    from tektoro_tui.services.demo.build import build_demo
    from tektoro_tui.services.hub import Services

    services = Services.connect(url)
    try:
        build_demo(services, entries=entries, seed=7)
        with services.db.read() as session:
            return list(
                session.execute(
                    select(m.UserAccount.email)
                    .where(m.UserAccount.role.in_(("administrator", "manager", "staff")))
                    .where(m.UserAccount.is_active)
                    .order_by(m.UserAccount.id)
                ).scalars()
            )
    finally:
        services.close()


def session_process(url: str, email: str, commands: Any, answers: Any, watch: bool = False) -> None:
    """One person's TUI: sign in, open the Time Report, then report CPU between two commands;
    with ``watch``, also when each row was first drawn."""
    asyncio.run(_session(url, email, commands, answers, watch))


def _watch_rows() -> dict[str, float]:
    """When each row key of a keyed table was first drawn (wall clock), from now on: the
    stamp is taken after the refresh that follows the rows' update, so it is what the user
    sees (less writing the frame to a terminal)."""
    from tektoro_tui.widgets.keyed_table import KeyedTable

    seen: dict[str, float] = {}
    show_rows = KeyedTable.show_rows

    def watched(table: KeyedTable, rows: Any, **options: Any) -> None:
        show_rows(table, rows, **options)
        keys = [str(row.value) for row in table.rows if str(row.value) not in seen]

        def drawn() -> None:
            now = time.time()
            for key in keys:
                seen.setdefault(key, now)

        table.call_after_refresh(drawn)

    KeyedTable.show_rows = watched  # type: ignore[method-assign]
    return seen


async def _session(url: str, email: str, commands: Any, answers: Any, watch: bool) -> None:
    from textual.widgets import Input

    from tektoro_tui.app import TektoroApp
    from tektoro_tui.screens.home import HomeScreen
    from tektoro_tui.screens.time_report import TimeReportScreen

    seen = _watch_rows() if watch else {}
    app = TektoroApp(db_url=url)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: bool(app.screen.query("#input-email")))
        app.screen.query_one("#input-email", Input).value = email
        app.screen.query_one("#input-password", Input).value = DEMO_PASSWORD
        await pilot.click("#log-in")
        await _until(pilot, lambda: isinstance(app.screen, HomeScreen))
        app.open_area("time_report")
        await _until(pilot, lambda: isinstance(app.screen, TimeReportScreen))
        await pilot.pause(1.0)
        answers.put(("ready", email))
        await asyncio.to_thread(commands.get)  # start measuring
        cpu, wall = time.process_time(), time.monotonic()
        await asyncio.to_thread(commands.get)  # stop
        answers.put(("cpu", (email, (time.process_time() - cpu) / (time.monotonic() - wall))))
        if watch:
            answers.put(("seen", dict(seen)))
        await asyncio.to_thread(commands.get)  # quit


async def _until(pilot: Any, done: Any, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("a session did not get where it was going in time")
        await pilot.pause(0.05)


def writer_process(url: str, email: str, per_minute: int, seconds: float, answers: Any) -> None:
    """Save time cards at ``per_minute`` for ``seconds``, one minute each, dated today; answer
    when each card's commit returned (wall clock), by row key."""
    from sqlalchemy import select

    from tektoro_tui.data import models as m
    from tektoro_tui.services.hub import Services
    from tektoro_tui.services.pipeline.views import TimeCardForm

    services = Services.connect(url)
    try:
        actor = services.auth.login(email, DEMO_PASSWORD)
        with services.db.read() as session:
            task = session.execute(select(m.Task).where(m.Task.is_active).limit(1)).scalar_one()
            activity = session.execute(select(m.Activity.id).limit(1)).scalar_one()
            rate = session.execute(select(m.RateCode.id).limit(1)).scalar_one()
        interval, saved = 60.0 / per_minute, 0
        committed: dict[str, float] = {}
        today = services.settings.today().isoformat()
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            card = TimeCardForm(task.project_id, task.id, activity, rate, "0:01", work_date=today)
            view = services.time.add_entry(actor, card)
            committed[str(view.id)] = time.time()
            saved += 1
            time.sleep(max(0.0, start + saved * interval - time.monotonic()))
        answers.put(("written", committed))
    except Exception as exc:
        answers.put(("written", f"the writer stopped: {exc}"))
        raise
    finally:
        services.close()


def report_latency(committed: dict[str, float], views: list[dict[str, float]]) -> None:
    """Print commit-to-screen latency: for every card and every session of its owner, from the
    commit's return to the row first drawn."""
    delays = sorted(
        seen[key] - at for seen in views for key, at in committed.items() if key in seen
    )
    missing = sum(1 for seen in views for key in committed if key not in seen)
    if not delays:
        print("  commit to screen: no card was seen on any screen")
        return
    p95 = delays[min(len(delays) - 1, int(0.95 * len(delays)))]
    verdict = "ok" if p95 <= LATENCY_GOAL and not missing else "OVER"
    print(
        f"  commit to screen, {len(delays)} cards drawn in {len(views)} session(s): "
        f"median {statistics.median(delays):.2f} s, p95 {p95:.2f} s, worst {delays[-1]:.2f} s "
        f"(goal p95 <= {LATENCY_GOAL:.1f} s, aim {LATENCY_AIM:.1f} s); never shown: {missing}: "
        f"{verdict}"
    )


def connections(url: str) -> dict[str, int]:
    """Connections to ``url``'s database by application name."""
    import psycopg

    database = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = %s "
            "GROUP BY application_name",
            (database,),
        ).fetchall()
    return {str(name): int(count) for name, count in rows}


def main() -> None:
    """Build, start the sessions, measure, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pg", required=True, help="a PostgreSQL server URL (any database)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--changes-per-minute", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    with scratch_database(args.pg) as url:
        people = build(url, args.entries)
        answers = spawn.Queue()
        sessions = []
        for i in range(args.sessions):
            commands = spawn.Queue()
            email = people[i % len(people)]
            process = spawn.Process(
                target=session_process, args=(url, email, commands, answers, email == people[0])
            )
            process.start()
            sessions.append((process, commands))
        try:
            for _ in sessions:
                kind, _email = answers.get(timeout=300)
                assert kind == "ready", kind
            time.sleep(2.0)
            held = connections(url)
            total = sum(held.values())
            listening = held.get("tektoro live updates", 0)
            print(f"{args.sessions} idle sessions hold {total} connections: {held}")
            per_session = total / args.sessions
            verdict = "ok" if per_session <= BUDGET else "OVER"
            print(f"  {per_session:.2f} per session (budget {BUDGET}): {verdict}")
            for _, commands in sessions:
                commands.put("start")
            writer = spawn.Process(
                target=writer_process,
                args=(url, people[0], args.changes_per_minute, args.seconds, answers),
            )
            writer.start()
            writer.join()
            time.sleep(GRACE)
            for _, commands in sessions:
                commands.put("stop")
            others, own, views = [], [], []
            committed: dict[str, float] = {}
            watchers = sum(1 for i in range(args.sessions) if i % len(people) == 0)
            for _ in range(len(sessions) + 1 + watchers):
                kind, value = answers.get(timeout=120)
                if kind == "cpu":
                    email, share = value
                    (own if email == people[0] else others).append(share)
                elif kind == "seen":
                    views.append(value)
                elif isinstance(value, str):
                    raise SystemExit(value)
                else:
                    committed = value
            written = len(committed)
            print(
                f"{written} time cards in {args.seconds:.0f} s "
                f"({written * 60 / args.seconds:.0f} a minute) by {people[0]}; "
                f"{listening} sessions listening"
            )
            worst = max(others)
            print(
                f"  CPU of the {len(others)} sessions whose screens show none of these cards: "
                f"median {statistics.median(others):.1%}, worst {worst:.1%} of a core "
                f"(goal under {CPU_GOAL:.0%}): {'ok' if worst < CPU_GOAL else 'OVER'}"
            )
            if own:
                print(
                    f"  CPU of the {len(own)} session(s) of {people[0]}, whose Time Report "
                    f"shows every card as it is saved (at most two reloads a second): "
                    f"{', '.join(f'{share:.1%}' for share in own)}"
                )
            report_latency(committed, views)
        finally:
            for _, commands in sessions:
                commands.put("quit")
            for process, _ in sessions:
                process.join(30)
                if process.is_alive():
                    process.kill()


if __name__ == "__main__":
    main()
