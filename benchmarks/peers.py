"""Our reports against what a user would pick instead, on the same time entries, in one run.

    python benchmarks/peers.py --db sqlite:////path/demo.db [--runs 3] [--entries 100000]

From a demo database (``tektoro demo``; point TEKTORO_AUDIT_KEY_FILE at its audit key when it
was built under another home) this takes the Time Report of the person who sees the most
entries, the newest ``--entries`` of them less the oldest day's (which the limit may cut
short), and writes the same entries

- as Watson frames (``td-watson`` from PyPI: ``pip install td-watson`` in any environment
  whose ``watson`` is on PATH), one frame per entry, its project named by client and project;
- as an hledger journal (``hledger`` from the distribution's packages: ``apt-get install
  hledger``), one transaction per entry moving its value to ``revenue:CLIENT:PROJECT``.

Then, as whole processes under ``/usr/bin/time``, A B A B, medians of ``--runs``:

- ``watson report --all`` against ``tektoro time summary`` (hours per project);
- ``hledger balance`` against ``tektoro time summary`` (value per project, the same sums) and
  ``tektoro revenue report`` (the recognised revenue, for reference).

A tool that is missing is skipped with a note. Goal from the issue: ours at least 20x faster.
Both of ours are answered by the quick reads (``tektoro_tui/cli/quick.py``), which call libpq
itself on PostgreSQL; the script also times importing psycopg alone there, for reference (the
ordinary way of every other command imports it). Set
``TEKTORO_NO_KEYRING=1`` to measure a server without a keyring as the README advises.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from export import TEKTORO, busiest, log_in, timed  # noqa: E402

GOAL = 20.0


def entries(url: str, owners: list[int], limit: int) -> list[tuple[object, ...]]:
    """The newest ``limit`` entries of ``owners``: (work date, minutes, value cents, client,
    project, description)."""
    from sqlalchemy import desc, select

    from tektoro_tui.data import models as m
    from tektoro_tui.services.hub import Services

    te, project, company = m.TimeEntry, m.Project, m.Company
    services = Services.connect(url)
    try:
        with services.db.read() as session:
            rows = session.execute(
                select(
                    te.work_date,
                    te.minutes,
                    te.value_cents,
                    company.name,
                    project.name,
                    te.description,
                )
                .join(project, project.id == te.project_id)
                .join(company, company.id == project.client_id)
                .where(te.owner_id.in_(owners))
                .order_by(desc(te.work_date), desc(te.id))
                .limit(limit)
            ).all()
    finally:
        services.close()
    return [tuple(row) for row in rows]


def account(text: str) -> str:
    """A name as one part of an hledger account (no colons, no double spaces)."""
    return " ".join(str(text).replace(":", "-").split())


def write_watson(folder: Path, rows: list[tuple[object, ...]]) -> None:
    """Watson's frames file: [start, stop, project, id, tags, updated_at] per entry, each
    starting at 08:00 of its day, one after another."""
    frames, clock = [], {}
    for index, (day, minutes, _cents, client, project, _text) in enumerate(rows):
        start = clock.get(day) or datetime.fromisoformat(f"{day}T08:00:00")
        stop = start + timedelta(minutes=int(minutes))  # type: ignore[call-overload]
        clock[day] = stop
        name = f"{account(client)}/{account(project)}"
        stamp = int(start.timestamp())
        frames.append([stamp, int(stop.timestamp()), name, f"{index:032x}", [], stamp])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "frames").write_text(json.dumps(frames), encoding="utf-8")


def write_journal(path: Path, rows: list[tuple[object, ...]], currency: str) -> None:
    """An hledger journal: one transaction per entry, oldest first."""
    with path.open("w", encoding="utf-8") as journal:
        for day, _minutes, cents, client, project, text in reversed(rows):
            amount = f"{int(cents) // 100}.{int(cents) % 100:02d}"  # type: ignore[call-overload]
            journal.write(
                f"{day} {account(text) or 'time'}\n"
                f"    revenue:{account(client)}:{account(project)}  -{amount} {currency}\n"
                f"    assets:work in progress\n\n"
            )


def compare(label: str, ours: list[str], theirs: list[str], env: dict[str, str], runs: int) -> None:
    """Time both commands in turn; print medians and the peer-to-ours ratio."""
    mine, peer = [], []
    for _ in range(runs):
        mine.append(timed(ours, env)[0])
        peer.append(timed(theirs, env)[0])
    ratio = statistics.median(p / o for p, o in zip(peer, mine, strict=True))
    verdict = "ok" if ratio >= GOAL else "UNDER"
    print(
        f"  {label}: theirs {statistics.median(peer):.2f} s, ours {statistics.median(mine):.2f} s"
        f", ours {ratio:.1f}x faster (goal >= {GOAL:.0f}x): {verdict}"
    )


def main() -> None:
    """Write the peers' files, log in, time each pair, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", required=True, help="a database URL holding a demo firm")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    email, owners = busiest(args.db)
    newest = entries(args.db, owners, args.entries)
    cut = min(row[0] for row in newest)  # the oldest day may be cut short: leave it out
    rows = [row for row in newest if row[0] > cut]
    first = cut + timedelta(days=1)  # type: ignore[operator]
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        env = {**os.environ, "TEKTORO_HOME": str(home / "home"), "WATSON_DIR": str(home / "w")}
        log_in(args.db, email, env)
        summary = [TEKTORO, "time", "summary", "--db", args.db, "--from", str(first)]
        print(f"{len(rows):,} entries of the Time Report of {email} (from {first}), medians")
        if shutil.which("watson"):
            write_watson(home / "w", rows)
            compare("hours per project", summary, ["watson", "report", "--all"], env, args.runs)
        else:
            print("  watson: not installed (pip install td-watson); skipped")
        if shutil.which("hledger"):
            journal = home / "time.journal"
            write_journal(journal, rows, "EUR")
            balance = ["hledger", "-f", str(journal), "balance"]
            compare("value per project", summary, balance, env, args.runs)
            revenue = [TEKTORO, "revenue", "report", "--db", args.db]
            compare("revenue report (for reference)", revenue, balance, env, args.runs)
        else:
            print("  hledger: not installed (apt-get install hledger); skipped")
        if not args.db.startswith("sqlite"):
            floor = [sys.executable, "-c", "import psycopg"]
            took = statistics.median(timed(floor, env)[0] for _ in range(args.runs))
            print(
                f"  for reference: importing psycopg alone takes {took:.2f} s "
                "(the quick reads call libpq instead)"
            )


if __name__ == "__main__":
    main()
