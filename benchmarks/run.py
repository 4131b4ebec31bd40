"""Benchmarks: figures printed side by side, not timed tests.

    python benchmarks/run.py                      # SQLite demo database with 1,000,000 entries
    python benchmarks/run.py --db postgresql://postgres@127.0.0.1/tektoro_bench
    python benchmarks/run.py --entries 100000     # a smaller database for a quick look

What it measures:
* process start to the login screen drawn and taking keys, in a real terminal (a pseudo-terminal
  driven from outside, see `startup.py`), against the floor measured the same way: a minimal
  Textual app showing one DataTable (goal: within 1.2x the floor);
* login and the home screen's data on the large demo database (goal: home within 100 ms of data
  time);
* the first page of every list screen (goal: within 100 ms of data time each).
The demo database is built once (`tektoro demo --entries N`) and reused on later runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
DEMO_PASSWORD = "demo-pass-2026"


def median_ms(samples: list[float]) -> float:
    """The median of samples given in seconds, in milliseconds."""
    return statistics.median(samples) * 1000


def time_call(fn: Callable[[], object], runs: int) -> list[float]:
    """Seconds per call of ``fn`` over ``runs`` calls (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def ensure_demo(url: str, entries: int) -> None:
    """Build the demo database unless it already has an organisation."""
    from tektoro_tui.services.hub import Services

    services = Services.connect(url)
    try:
        ready = services.auth.is_initialised()
    finally:
        services.close()
    if ready:
        print(f"reusing demo database {url}")
        return
    print(f"building demo database with {entries:,} entries at {url} ...", flush=True)
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tektoro_tui.cli.main",
            "demo",
            "--db",
            url,
            "--entries",
            str(entries),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"built in {time.perf_counter() - start:.1f} s")


def startup_rows(url: str, runs: int) -> list[tuple[str, float, str]]:
    """Process start to a screen that is drawn and takes keys, in a real terminal: the floor
    app and the TekToro login screen, alternated (see ``startup.py``)."""
    from startup import startup_comparison

    return startup_comparison(url, max(runs, 11)).rows()


def data_rows(url: str, runs: int) -> list[tuple[str, float, str]]:
    """Data time of login, home and each list screen's first page."""
    from tektoro_tui.services.hub import Services

    services = Services.connect(url)
    try:
        admin_email = _admin_email(services)
        actor = services.auth.login(admin_email, DEMO_PASSWORD)
        staff = _busiest_supervisor(services, actor)
        worker = _busiest_owner(services)
        largest = _largest_invoice(services)
        goal = "goal <= 100 ms"
        checks: list[tuple[str, Callable[[], object]]] = [
            ("home summary (administrator)", lambda: services.home.summary(actor)),
            ("home summary (supervisor with staff)", lambda: services.home.summary(staff)),
            (
                "home summary (staff member with most entries)",
                lambda: services.home.summary(worker),
            ),
            ("users: first page", lambda: services.users.list_users(actor)),
            ("clients: first page", lambda: services.presets.list_companies(actor)),
            ("projects: first page", lambda: services.presets.list_projects(actor)),
            ("tasks: first page", lambda: services.presets.list_tasks(actor)),
            ("activities: first page", lambda: services.presets.list_activities(actor)),
            ("rate codes: first page", lambda: services.presets.list_rate_codes(actor)),
            ("permissions matrix", lambda: services.permissions.matrix(actor)),
            ("time report: first page (most entries)", lambda: services.time.report(worker)),
            ("time report: first page (supervisor)", lambda: services.time.report(staff)),
            ("approvals: summary (supervisor)", lambda: services.time.approvals(staff)),
            (
                "approvals: first page (firm-wide)",
                lambda: services.time.approval_entries(actor, include_all=True),
            ),
            ("wip: groups", lambda: services.wip.groups(actor)),
            ("wip: first page", lambda: services.wip.entries(actor)),
            ("documenter: document records", lambda: services.wip.documents(actor)),
            (
                "invoice printer / revenue: open invoices",
                lambda: services.invoices.printer_list(actor, lines=False),
            ),
            (
                "invoice printer: detail (largest invoice)",
                lambda: _invoice_detail(services, actor, largest),
            ),
            (
                "invoice: every line (largest, for its PDF)",
                lambda: _invoice_detail(services, actor, largest, whole=True),
            ),
            ("organisation settings", lambda: services.settings.get(actor)),
        ]
        rows = [
            (
                "login (argon2 verify included)",
                median_ms(time_call(lambda: services.auth.login(admin_email, DEMO_PASSWORD), 3)),
                "",
            )
        ]
        for label, fn in checks:
            note = "no goal: not a screen's read" if label.startswith("invoice: every") else goal
            rows.append((label, median_ms(time_call(fn, runs)), note))
        return rows
    finally:
        services.close()


def _largest_invoice(services: object) -> str | None:
    """The number of the issued invoice with the most lines (None before any is issued)."""
    from sqlalchemy import func, select

    from tektoro_tui.data import models as m

    with services.db.read() as session:  # type: ignore[attr-defined]
        number = session.execute(
            select(m.Invoice.number)
            .join(m.InvoiceLine, m.InvoiceLine.invoice_id == m.Invoice.id)
            .where(m.Invoice.number.is_not(None))
            .group_by(m.Invoice.id, m.Invoice.number)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one_or_none()
    return None if number is None else str(number)


def _invoice_detail(
    services: object, actor: object, number: str | None, *, whole: bool = False
) -> object:
    """What the Invoice Printer reads when invoice ``number`` is highlighted: its first
    screenful of lines (the totals cover every line) and its payments; or, with ``whole``,
    every line (what a PDF needs)."""
    from tektoro_tui.widgets.printer_detail import DETAIL_LINES

    if number is None:
        return None
    invoices = services.invoices  # type: ignore[attr-defined]
    limit = None if whole else DETAIL_LINES
    return invoices.get_by_number(actor, number, line_limit=limit), invoices.payments(actor, number)


def _admin_email(services: object) -> str:
    from sqlalchemy import select

    from tektoro_tui.data import models as m

    with services.db.read() as session:  # type: ignore[attr-defined]
        return str(
            session.execute(
                select(m.UserAccount.email)
                .where(m.UserAccount.role == "administrator")
                .order_by(m.UserAccount.id)
                .limit(1)
            ).scalar_one()
        )


def _busiest_supervisor(services: object, admin: object) -> object:
    from sqlalchemy import func, select

    from tektoro_tui.data import models as m

    with services.db.read() as session:  # type: ignore[attr-defined]
        sup_id = session.execute(
            select(m.UserAccount.supervisor_id)
            .where(m.UserAccount.supervisor_id.is_not(None))
            .group_by(m.UserAccount.supervisor_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
    return services.auth.actor(sup_id)  # type: ignore[attr-defined]


def _busiest_owner(services: object) -> object:
    from sqlalchemy import func, select

    from tektoro_tui.data import models as m

    with services.db.read() as session:  # type: ignore[attr-defined]
        owner_id = session.execute(
            select(m.TimeEntry.owner_id)
            .group_by(m.TimeEntry.owner_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
    return services.auth.actor(owner_id)  # type: ignore[attr-defined]


def main() -> None:
    """Build or reuse the demo database and print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=f"sqlite:///{ROOT / 'benchmarks' / 'bench.db'}")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("TEKTORO_HOME", str(HERE / ".home"))
    ensure_demo(args.db, args.entries)
    rows = startup_rows(args.db, args.runs) + data_rows(args.db, args.runs)
    width = max(len(label) for label, _, _ in rows)
    print(f"\n{'measure'.ljust(width)}  median ms  note")
    for label, ms, note in rows:
        print(f"{label.ljust(width)}  {ms:9.1f}  {note}")


if __name__ == "__main__":
    main()
