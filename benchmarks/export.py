"""`tektoro export time --format csv` against a plain driver-to-CSV loop over the same rows.

    python benchmarks/export.py --db sqlite:////path/demo.db [--runs 3] [--xlsx]
    python benchmarks/export.py --db postgresql://root@127.0.0.1:5432/tektoro_bench

The database must hold a demo firm (``tektoro demo --db URL --entries N``; point
TEKTORO_AUDIT_KEY_FILE at the audit key it was built with, if that is not in your own
TEKTORO_HOME: the export logs in through a temporary home). The person
whose Time Report holds the most entries (their own and their direct staff's) logs in once
(in a temporary TEKTORO_HOME) and exports all of it. The floor is the smallest program that
writes the same rows: the same joined query through the bare driver (sqlite3 or psycopg),
each row straight into ``csv.writer``. Both run as whole processes under ``/usr/bin/time``, taken in
turn, A B A B; printed are the medians of wall time and of peak memory (maximum resident set),
and the median of the pairs' time ratios.
Goals: within 2x the floor's time, and at most 150 MB whatever the size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import DEMO_PASSWORD  # noqa: E402

TIME_GOAL = 2.0
MEMORY_GOAL_MB = 150

FLOOR = r"""
import csv, sys
url, out = sys.argv[1], sys.argv[2]
query = '''
SELECT te.work_date, owner.name, company.name, project.name, task.name, activity.name,
       te.minutes, te.rate_cents, te.value_cents, te.status, te.description
FROM time_entry te
LEFT JOIN user_account owner ON owner.id = te.owner_id
LEFT JOIN project ON project.id = te.project_id
LEFT JOIN company ON company.id = project.client_id
LEFT JOIN task ON task.id = te.task_id
LEFT JOIN activity ON activity.id = te.activity_id
WHERE te.owner_id IN ({owners})
ORDER BY te.work_date DESC, te.id DESC
'''.format(owners=sys.argv[3])
if url.startswith("sqlite"):
    import sqlite3
    connection = sqlite3.connect(url.split(":///", 1)[1])
    rows = connection.execute(query)
else:
    import psycopg
    connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    rows = connection.cursor(name="floor")
    rows.itersize = 2000
    rows.execute(query)
with open(out, "w", newline="", encoding="utf-8-sig") as file:
    csv.writer(file).writerows(rows)
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``command`` under /usr/bin/time: (wall seconds, peak resident MB). The wall time is
    taken here to the microsecond (``time`` gives hundredths, too coarse for a command of a
    tenth of a second)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", "%M", *command],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - started
        peak_kb = report.read().split()[-1]
    return wall, int(peak_kb) / 1024


def busiest(url: str) -> tuple[str, list[int]]:
    """The administrator or manager whose Time Report holds the most entries: their e-mail
    and the people whose entries it shows (themselves and their direct staff)."""
    from sqlalchemy import func, select

    from tektoro_tui.data import models as m
    from tektoro_tui.services.hub import Services

    services = Services.connect(url)
    try:
        with services.db.read() as session:
            people = session.execute(
                select(m.UserAccount.id, m.UserAccount.email, m.UserAccount.supervisor_id)
            ).all()
            counts = dict(
                session.execute(
                    select(m.TimeEntry.owner_id, func.count()).group_by(m.TimeEntry.owner_id)
                ).all()
            )
            leads = list(
                session.execute(
                    select(m.UserAccount.id)
                    .where(m.UserAccount.role.in_(("administrator", "manager")))
                    .where(m.UserAccount.is_active)
                ).scalars()
            )
    finally:
        services.close()
    emails = {ident: email for ident, email, _ in people}
    shown = {
        lead: [lead, *(ident for ident, _, boss in people if boss == lead and ident != lead)]
        for lead in leads
    }
    lead = max(shown, key=lambda who: sum(counts.get(p, 0) for p in shown[who]))
    return emails[lead], shown[lead]


TEKTORO = str(Path(sys.executable).with_name("tektoro"))
"""The ``tektoro`` command of the environment this benchmark runs in."""


def log_in(url: str, email: str, env: dict[str, str]) -> None:
    """Log ``email`` in (the demo's password) under ``env``'s TEKTORO_HOME, for the commands
    timed after it."""
    subprocess.run(
        [TEKTORO, "login", "--db", url, "--email", email, "--password-stdin"],
        input=DEMO_PASSWORD,
        text=True,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def rows_in(path: Path) -> int:
    """Records in a CSV file, header and totals included."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as file:
        return sum(1 for _ in csv.reader(file))


def main() -> None:
    """Log in, export and run the floor in turn, print the medians and ratios."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", required=True, help="a database URL holding a demo firm")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--xlsx", action="store_true", help="also time one XLSX export")
    args = parser.parse_args()
    email, owners = busiest(args.db)
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "TEKTORO_HOME": str(Path(folder) / "home")}
        log_in(args.db, email, env)
        ours_csv, floor_csv = Path(folder) / "ours.csv", Path(folder) / "floor.csv"
        export = [TEKTORO, "export", "time", "--db", args.db, "--format", "csv"]
        ours, floor = [], []
        for _ in range(args.runs):
            ours.append(timed([*export, "--out", str(ours_csv)], env))
            floor_args = [args.db, str(floor_csv), ",".join(map(str, owners))]
            floor.append(timed([sys.executable, "-c", FLOOR, *floor_args], env))
        count = rows_in(floor_csv)  # no header: the bare rows
        assert rows_in(ours_csv) == count + 2, "the export and the floor wrote different rows"
        ours_s, ours_mb = (statistics.median(x) for x in zip(*ours, strict=True))
        floor_s, floor_mb = (statistics.median(x) for x in zip(*floor, strict=True))
        # pair by pair, so a drift of the machine's speed between runs cancels out
        ratio = statistics.median(o[0] / f[0] for o, f in zip(ours, floor, strict=True))
        print(f"{count:,} entries in the Time Report of {email}, {args.runs} runs each, medians")
        print(f"  floor (driver -> csv):        {floor_s:6.2f} s  {floor_mb:6.0f} MB")
        print(
            f"  tektoro export time csv:      {ours_s:6.2f} s  {ours_mb:6.0f} MB   "
            f"{ratio:.2f}x the floor (goal <= {TIME_GOAL:.0f}x): "
            f"{'ok' if ratio <= TIME_GOAL else 'OVER'}; memory (goal <= {MEMORY_GOAL_MB} MB): "
            f"{'ok' if ours_mb <= MEMORY_GOAL_MB else 'OVER'}"
        )
        if args.xlsx:
            xlsx = [TEKTORO, "export", "time", "--db", args.db, "--format", "xlsx"]
            seconds, peak = timed([*xlsx, "--out", str(Path(folder) / "ours.xlsx")], env)
            print(f"  tektoro export time xlsx:     {seconds:6.2f} s  {peak:6.0f} MB")


if __name__ == "__main__":
    main()
