"""Speed of subcontracts on a demo database: the list's first page and the largest agreement.

    python benchmarks/subcontracts.py --db sqlite:////path/demo.db [--runs 20]
    python benchmarks/subcontracts.py --db postgresql://root@127.0.0.1:5432/tektoro_bench

The database must hold a demo firm (``tektoro demo --db URL --entries N``: at 1,000,000
entries it has 1,007 agreements, one of them with 1,000 daily reports of four crews); it is
only read. Each call runs once to warm up, then ``--runs`` times, as the accountant (who sees
every agreement); printed are the median and the slowest data time of:

- the Subcontracts screen's first page (200 agreements of every state, with the money of all);
- the first page of the active ones (the screen's default);
- the detail of the agreement with the most daily reports (its schedule beside the reports,
  the reports, stages, rates, files: all the agreement's screen reads), and its report list
  alone (``tektoro subcontract report list``);
- a foreman's home (the agreements of the crews he leads, the days still to report).

Goal from the issue: list first page and one agreement's detail (with 1,000 daily reports)
<= 100 ms of data time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from projects import first_row, print_rows  # noqa: E402  (the benchmarks' shared figures)
from run import time_call  # noqa: E402

GOAL_MS = 100.0
ACCOUNTANT = "helga.schroeder@northwind.example"
FOREMAN = "piotr.nowak@dach-bud.example"


def measure(url: str, runs: int) -> list[tuple[str, float, float, float]]:
    """(what, median ms, slowest ms, goal ms) of each call."""
    from tektoro_tui.services.hub import Services
    from tektoro_tui.services.subcontracts.views import AgreementFilter

    services = Services.connect(url, migrate=False)
    try:
        (accountant_id,) = first_row(
            services, f"SELECT id FROM user_account WHERE email = '{ACCOUNTANT}'"
        )
        (foreman_id,) = first_row(
            services, f"SELECT id FROM user_account WHERE email = '{FOREMAN}'"
        )
        actor = services.auth.actor(int(accountant_id))  # type: ignore[call-overload]
        foreman = services.auth.actor(int(foreman_id))  # type: ignore[call-overload]
        counts = first_row(
            services,
            "SELECT (SELECT count(*) FROM subcontract_agreement), "
            "(SELECT count(*) FROM daily_report), (SELECT count(*) FROM subcontract_settlement)",
        )
        number, reports = first_row(
            services,
            "SELECT a.number, count(*) FROM daily_report r JOIN subcontract_agreement a "
            "ON a.id = r.agreement_id GROUP BY a.number ORDER BY count(*) DESC LIMIT 1",
        )
        subs = services.subcontracts
        calls: list[tuple[str, Callable[[], object], float]] = [
            (
                f"list, first page of all {counts[0]:,} agreements",
                lambda: subs.list(actor, AgreementFilter(status="all")),
                GOAL_MS,
            ),
            (
                "list, first page of the active ones",
                lambda: subs.list(actor, AgreementFilter()),
                GOAL_MS,
            ),
            (
                f"detail of {number} ({int(reports):,} daily reports)",  # type: ignore[call-overload]
                lambda: subs.detail(actor, str(number)),
                GOAL_MS,
            ),
            (
                f"reports of {number}",
                lambda: subs.reports(actor, str(number)),
                GOAL_MS,
            ),
            ("a foreman's home", lambda: services.dashboards.foreman(foreman), GOAL_MS),
        ]
        print(
            f"{counts[0]:,} agreements, {counts[1]:,} daily reports, {counts[2]:,} stages; "
            f"{runs} runs each",
            flush=True,
        )
        rows = []
        for what, call, goal in calls:
            samples = time_call(call, runs)
            rows.append((what, statistics.median(samples) * 1000, max(samples) * 1000, goal))
        return rows
    finally:
        services.close()


def main() -> None:
    """Parse the options, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="The demo database URL.")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print_rows(measure(args.db, args.runs))


if __name__ == "__main__":
    main()
