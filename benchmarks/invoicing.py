"""Issuing the largest invoice: open its record in the Documenter and issue it, on a demo.

    python benchmarks/invoicing.py --db sqlite:////path/demo.db [--runs 5]
    python benchmarks/invoicing.py --db postgresql://root@127.0.0.1:5432/tektoro_bench

The database must hold a demo firm (``tektoro demo --db URL --entries N``, with its audit key
in TEKTORO_HOME or TEKTORO_AUDIT_KEY_FILE); it is never changed. Each run works on a fresh copy
(a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, neither timed): the
accountant opens the uninvoiced invoice record with the most lines in the Documenter, which
makes and prices its draft, and issues it, which numbers, freezes, audits and seals it: two
actions, two transactions, as in the TUI and in the demo. Printed: the record's lines and the
median, fastest and slowest run of both actions together, and of each. Goal from the issue: at
most 2 s for the demo's largest invoice.
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


def largest_record(services: object) -> tuple[int, int] | None:
    """(id, lines) of the uninvoiced invoice record with the most lines, if any."""
    from sqlalchemy import text

    with services.db.read() as session:  # type: ignore[attr-defined]
        row = session.execute(
            text(
                "SELECT d.id, count(l.id) FROM document_record d "
                "JOIN document_line l ON l.document_id = d.id "
                "WHERE d.kind = 'invoice' AND NOT EXISTS "
                "(SELECT 1 FROM invoice i WHERE i.document_id = d.id) "
                "GROUP BY d.id ORDER BY count(l.id) DESC, d.id LIMIT 1"
            )
        ).first()
    return None if row is None else (int(row[0]), int(row[1]))


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


def issue_once(url: str) -> tuple[int, float, float]:
    """Open the largest record and issue it on database ``url``: (lines, open s, issue s)."""
    from sqlalchemy import text

    from tektoro_tui.services.hub import Services

    services = Services.connect(url)
    try:
        found = largest_record(services)
        if found is None:
            raise SystemExit("no invoice record is left to invoice in this database")
        record, lines = found
        with services.db.read() as session:
            clerk = session.execute(
                text("SELECT id FROM user_account WHERE role = 'accountant' ORDER BY id LIMIT 1")
            ).scalar_one()
        actor = services.auth.actor(clerk)
        start = time.perf_counter()
        draft = services.invoices.open_record(actor, record)
        opened = time.perf_counter()
        issued = services.invoices.issue(actor, draft.id, line_limit=0)  # as the Documenter
        done = time.perf_counter()
        assert issued.number and issued.total_lines >= lines, "every record line is billed"
    finally:
        services.close()
    return lines, opened - start, done - opened


def main() -> None:
    """Open and issue the largest record on ``--runs`` fresh copies; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="URL of a demo database (left unchanged)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = [issue_once(url) for url in copies(args.db, args.runs)]
    lines = results[0][0]
    print(f"database: {args.db.split('://', 1)[0]}, largest record: {lines:,} lines")
    for label, figures in (
        ("open and issue", [opened + issued for _, opened, issued in results]),
        ("  open (make and price the draft)", [opened for _, opened, _ in results]),
        ("  issue (number, freeze, audit, seal)", [issued for _, _, issued in results]),
    ):
        print(
            f"{label}: median {statistics.median(figures):.2f} s, "
            f"fastest {min(figures):.2f} s, slowest {max(figures):.2f} s"
        )
    total = statistics.median([opened + issued for _, opened, issued in results])
    print(f"goal <= {GOAL_S:.0f} s: {'met' if total <= GOAL_S else 'NOT met'}")


if __name__ == "__main__":
    main()
