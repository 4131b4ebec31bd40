"""Real-time propagation to the screen, on the 1,000,000-entry demo database.

    python benchmarks/realtime_screen.py [--changes 30] [--entries N]
    python benchmarks/realtime_screen.py --pg postgresql://postgres@127.0.0.1/tektoro_bench

Two sessions on one database, as two users in two terminals. Session A is the real app
(``TektoroApp``, headless) signed in as the demo's administrator with the Invoice Printer
open; session B (its own ``Services``, engine and connections) records a payment of 0.01 on
an open invoice of that list. The clock starts when B's engine begins the COMMIT and stops when
A's table shows the new paid amount, so the figure covers the whole path: the change feed's
wake-up (LISTEN/NOTIFY or ``PRAGMA data_version``), reading the change events, and the screen's
reload of its list in a worker. Session B runs in a process of its own, as another user's
``tektoro`` would, so its work does not compete with A's for one interpreter. Payments are
spaced by a random pause so they do not fall in step with SQLite's 0.2 s polling. Only
painting to a real terminal is left out.

Payments cannot be undone, so nothing is written to the demo database itself: SQLite runs on a
copy of ``benchmarks/bench.db`` in a temporary folder; PostgreSQL on a scratch database made
from the ``--pg`` database as a template (``CREATE DATABASE ... TEMPLATE``) and dropped after.
Goals: PostgreSQL under 1 s, SQLite under 2 s (median and 95th percentile printed).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from realtime import GOALS, report  # noqa: E402
from run import DEMO_PASSWORD, _admin_email, ensure_demo  # noqa: E402

SIZE = (140, 40)
SHOW_TIMEOUT = 10.0
PAID_COLUMN, DUE_COLUMN = 3, 4


@contextmanager
def sqlite_copy(url: str) -> Iterator[str]:
    """A copy of the SQLite demo database in a temporary folder."""
    source = Path(url.removeprefix("sqlite:///"))
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "realtime.db"
        shutil.copyfile(source, copy)
        yield f"sqlite:///{copy}"


@contextmanager
def postgres_copy(url: str) -> Iterator[str]:
    """A scratch database made from the demo database ``url`` as a template; dropped after."""
    import psycopg

    server, template = url.rsplit("/", 1)
    name = f"tektoro_rt_screen_{uuid.uuid4().hex[:10]}"
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    admin_dsn = f"{dsn.rsplit('/', 1)[0]}/postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cell(app: Any, number: str, column: int) -> str:
    """A cell of the printer's invoice list ("" while the row is not shown)."""
    from textual.widgets import DataTable

    table = app.screen.query_one("#invoices", DataTable)
    if number not in table.rows:
        return ""
    return str(table.get_row(number)[column]).strip()


def open_invoice(app: Any, changes: int) -> str:
    """An invoice on the printer's first page with enough still due for ``changes`` cents."""
    from textual.widgets import DataTable

    table = app.screen.query_one("#invoices", DataTable)
    for key in table.rows:
        number = str(key.value)
        due = cell(app, number, DUE_COLUMN).replace(",", "")
        try:
            if float(due) >= changes * 0.01 + 0.01:
                return number
        except ValueError:
            continue
    raise SystemExit("no invoice with money still due on the printer's first page")


async def until(pilot: Any, done: Any, what: str, timeout: float = 60.0) -> None:
    """Let the app run until ``done()`` holds (set-up only, not measured)."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not happen within {timeout:.0f} s")
        await pilot.pause(0.05)


def writer_process(url: str, email: str, requests: Any, answers: Any) -> None:
    """Session B, in a process of its own: record each requested payment, answer with the
    ``time.monotonic()`` of its COMMIT (the same clock in every process on one machine)."""
    from sqlalchemy import event

    from tektoro_tui.services.hub import Services
    from tektoro_tui.services.invoicing.views import PaymentForm

    services = Services.connect(url)
    committed: list[float] = []
    event.listen(services.db.engine, "commit", lambda _conn: committed.append(time.monotonic()))
    try:
        writer = services.auth.login(email, DEMO_PASSWORD)
        answers.put("ready")
        while (request := requests.get()) is not None:
            number, i = request
            committed.clear()
            services.invoices.record_payment(
                writer,
                number,
                PaymentForm(amount="0.01", paid_on=date.today().isoformat(), reference=f"b{i}"),
            )
            answers.put(committed[-1])
    finally:
        services.close()


async def drive(url: str, changes: int) -> list[float]:
    """Seconds from each payment's COMMIT in session B to session A's printer showing it."""
    from textual.widgets import DataTable, Input

    from tektoro_tui.app import TektoroApp
    from tektoro_tui.screens.home import HomeScreen
    from tektoro_tui.screens.printer import PrinterScreen
    from tektoro_tui.services.hub import Services

    services_a = Services.connect(url)
    email = _admin_email(services_a)
    spawn = multiprocessing.get_context("spawn")
    requests, answers = spawn.Queue(), spawn.Queue()
    writer = spawn.Process(target=writer_process, args=(url, email, requests, answers))
    writer.start()
    try:
        if answers.get(timeout=60) != "ready":
            raise SystemExit("the writer process did not start")
        app = TektoroApp(services=services_a)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.screen.query("#input-email"), "the login screen")
            await pilot.pause(0.2)
            app.screen.query_one("#input-email", Input).value = email
            app.screen.query_one("#input-password", Input).value = DEMO_PASSWORD
            await pilot.click("#log-in")
            await until(pilot, lambda: isinstance(app.screen, HomeScreen), "signing in")
            app.open_area("printer")
            await until(pilot, lambda: isinstance(app.screen, PrinterScreen), "the printer")
            await until(
                pilot,
                lambda: any(t.row_count for t in app.screen.query("#invoices").results(DataTable)),
                "the printer's list",
            )
            number = open_invoice(app, changes)
            figures = []
            for i in range(changes):
                await pilot.pause(random.uniform(0.3, 0.8))  # let the last reload finish
                before = cell(app, number, PAID_COLUMN)
                requests.put((number, i))
                deadline = time.monotonic() + SHOW_TIMEOUT
                while cell(app, number, PAID_COLUMN) == before:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"payment {i} did not show within {SHOW_TIMEOUT} s")
                    await asyncio.sleep(0.002)
                shown = time.monotonic()
                committed = await asyncio.to_thread(answers.get, True, SHOW_TIMEOUT)
                figures.append(shown - committed)
        return figures
    finally:
        requests.put(None)
        writer.join(30)
        services_a.close()


def main() -> None:
    """Measure on a copy of the SQLite demo database and, with --pg, on PostgreSQL."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", default=f"sqlite:///{HERE / 'bench.db'}")
    parser.add_argument("--pg", default="", help="also measure on this PostgreSQL demo database")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("TEKTORO_HOME", str(HERE / ".home"))
    assert set(GOALS) == {"postgresql", "sqlite"}
    ensure_demo(args.db, args.entries)
    with sqlite_copy(args.db) as url:
        report("sqlite", asyncio.run(drive(url, args.changes)))
    if args.pg:
        ensure_demo(args.pg, args.entries)
        with postgres_copy(args.pg) as url:
            report("postgresql", asyncio.run(drive(url, args.changes)))


if __name__ == "__main__":
    main()
