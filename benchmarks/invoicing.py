"""Issuing big invoices: open a record in the Documenter and issue it, on a demo.

    python benchmarks/invoicing.py --db sqlite:////path/demo.db [--runs 5]
    python benchmarks/invoicing.py --db postgresql://root@127.0.0.1:5432/tektoro_bench

The database must hold a demo firm (``tektoro demo --db URL --entries N``, with its audit key
in TEKTORO_HOME or TEKTORO_AUDIT_KEY_FILE); it is never changed. Each run works on a fresh copy
(a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, neither timed): the
accountant opens an uninvoiced invoice record in the Documenter, which makes and prices its
draft, and issues it, which numbers, freezes, audits and seals it: two actions, two
transactions, as in the TUI and in the demo. Two records, one after the other on the same copy:
the one with the fewest lines left (on a demo of 1,000,000 entries, the nearest to the issue's
11,416-line invoice that the demo leaves uninvoiced) and the one with the most. Printed for each:
its lines and the median, fastest and slowest run of both actions together, and of each. Goal
from the issue: at most 2 s for its 11,416-line invoice; a record of more lines is timed too,
with its time per line.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

GOAL_S = 2.0


def records_left(services: object) -> tuple[tuple[int, int], ...]:
    """(id, lines) of the uninvoiced invoice records with the fewest and the most lines (one
    when only one is left, none when none is)."""
    from sqlalchemy import text

    with services.db.read() as session:  # type: ignore[attr-defined]
        rows = session.execute(
            text(
                "SELECT d.id, count(l.id) FROM document_record d "
                "JOIN document_line l ON l.document_id = d.id "
                "WHERE d.kind = 'invoice' AND NOT EXISTS "
                "(SELECT 1 FROM invoice i WHERE i.document_id = d.id) "
                "GROUP BY d.id ORDER BY count(l.id), d.id"
            )
        ).all()
    ends = [rows[0], rows[-1]] if len(rows) > 1 else list(rows)
    return tuple((int(ident), int(lines)) for ident, lines in ends)


def copies(url: str, runs: int) -> Iterator[str]:
    """A fresh copy of the database ``url`` for each run, dropped after it."""
    import shutil
    import tempfile

    from sqlalchemy import create_engine, text

    if url.startswith("sqlite"):
        source = url.split(":///", 1)[1]
        with tempfile.TemporaryDirectory() as folder:
            for run in range(runs):
                copy = f"{folder}/copy{run}.db"
                shutil.copyfile(source, copy)
                yield f"sqlite:///{copy}"
                Path(copy).unlink()
        return
    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    try:
        for run in range(runs):
            copy = f"{name}_issue{run}"
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}"'))
                conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"'))
            try:
                yield f"{base}/{copy}"
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
    finally:
        admin.dispose()


Timing = tuple[int, float, float]
"""A record's lines, then the seconds of opening it and of issuing it."""


def issue_both(url: str) -> list[Timing]:
    """Open and issue the smallest, then the largest record left on database ``url``."""
    from sqlalchemy import text

    from tektoro_tui.services.hub import Services

    services = Services.connect(url)
    timings = []
    try:
        with services.db.read() as session:
            clerk = session.execute(
                text("SELECT id FROM user_account WHERE role = 'accountant' ORDER BY id LIMIT 1")
            ).scalar_one()
        actor = services.auth.actor(clerk)
        chosen = records_left(services)
        if not chosen:
            raise SystemExit("no invoice record is left to invoice in this database")
        for record, lines in chosen:
            start = time.perf_counter()
            draft = services.invoices.open_record(actor, record)
            opened = time.perf_counter()
            issued = services.invoices.issue(actor, draft.id, line_limit=0)  # as the Documenter
            done = time.perf_counter()
            assert issued.number and issued.total_lines >= lines, "every record line is billed"
            timings.append((lines, opened - start, done - opened))
    finally:
        services.close()
    return timings


def report(results: list[Timing]) -> float:
    """Print one record's figures over the runs; the median of both actions together."""
    for label, figures in (
        ("open and issue", [opened + issued for _, opened, issued in results]),
        ("  open (make and price the draft)", [opened for _, opened, _ in results]),
        ("  issue (number, freeze, audit, seal)", [issued for _, _, issued in results]),
    ):
        print(
            f"{label}: median {statistics.median(figures):.2f} s, "
            f"fastest {min(figures):.2f} s, slowest {max(figures):.2f} s"
        )
    return statistics.median([opened + issued for _, opened, issued in results])


def main() -> None:
    """Open and issue the records on ``--runs`` fresh copies; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="URL of a demo database (left unchanged)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = [issue_both(url) for url in copies(args.db, args.runs)]
    print(f"database: {args.db.split('://', 1)[0]}")
    for index, name in enumerate(("fewest lines", "most lines")[: len(runs[0])]):
        results = [run[index] for run in runs]
        lines = results[0][0]
        print(f"the record with the {name} left: {lines:,} lines")
        total = report(results)
        verdict = "met" if total <= GOAL_S else "NOT met"
        print(
            f"  {total / lines * 1000:.3f} ms a line; goal <= {GOAL_S:.0f} s "
            f"(set for an invoice of 11,416 lines): {verdict}"
        )


if __name__ == "__main__":
    main()
