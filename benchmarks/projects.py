"""Speed of projects as contracts on a demo database: the list, a balance, a T&M suggestion.

    python benchmarks/projects.py --db sqlite:////path/demo.db [--runs 20]
    python benchmarks/projects.py --db postgresql://root@127.0.0.1:5432/tektoro_bench

The database must hold a demo firm (``tektoro demo --db URL --entries N``: at 1,000,000
entries it has 2,004 projects and 50,016 costs); it is only read. Each call runs once to warm
up, then ``--runs`` times, as the accountant; printed are the median and the slowest data time:

- the project list's first page (50 projects with their figures, as the Projects screen asks);
- the cost register's page (the newest 200 costs with the totals of all, as the Costs screen
  asks);
- the balance of the project with the most costs (figures, costs by kind, a bar per month);
- the balance of the project with the most time (a year of a time-pipeline project's entries);
- the time-and-material suggestion of that project's year of approved time, with its costs:
  the figures the suggestion reads (labour from the daily summary, costs by type, the settled
  invoices), as a settlement-billed project with that much time would make them read;
- the suggestion of the demo's time-and-material settlement project (DM-01) through the service.

Goals from the issue: list first page and one balance <= 100 ms, a T&M suggestion over a year
of a project's entries <= 150 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from run import time_call  # noqa: E402  (the benchmarks' shared timing)

LIST_GOAL_MS = 100.0
BALANCE_GOAL_MS = 100.0
SUGGESTION_GOAL_MS = 150.0
ACCOUNTANT = "helga.schroeder@northwind.example"


COST_PAGE = 200
"""The costs the Costs screen reads at a time (``screens/projects.SCREEN_PAGE``)."""


def first_row(services: object, sql: str) -> tuple[object, ...]:
    """The first row of ``sql`` on ``services``' database (it must have one)."""
    from sqlalchemy import text

    with services.db.read() as session:  # type: ignore[attr-defined]
        row = session.execute(text(sql)).first()
    assert row is not None, sql
    return tuple(row)


def measure(url: str, runs: int) -> list[tuple[str, float, float, float]]:
    """(what, median ms, slowest ms, goal ms) of each call."""
    from tektoro_tui.services.hub import Services
    from tektoro_tui.services.projects import figures
    from tektoro_tui.services.projects.views import ProjectFilter

    services = Services.connect(url, migrate=False)
    try:
        (accountant_id,) = first_row(
            services, f"SELECT id FROM user_account WHERE email = '{ACCOUNTANT}'"
        )
        actor = services.auth.actor(int(accountant_id))  # type: ignore[arg-type]
        counts = first_row(
            services, "SELECT (SELECT count(*) FROM project), (SELECT count(*) FROM project_cost)"
        )
        (costly,) = first_row(
            services,
            "SELECT project_id FROM project_cost GROUP BY project_id ORDER BY count(*) DESC, "
            "project_id LIMIT 1",
        )
        busy, entries = first_row(
            services,
            "SELECT project_id, sum(entries) FROM time_day_total GROUP BY project_id "
            "ORDER BY sum(entries) DESC, project_id LIMIT 1",
        )
        projects = services.projects
        today = services.settings.today()
        year_ago = today - timedelta(days=365)

        def suggestion_figures() -> object:
            with services.db.read() as session:
                labour = figures.billed_labour(session, int(busy), year_ago, today)  # type: ignore[arg-type]
                waiting = figures.unapproved_time(session, int(busy), year_ago, today)  # type: ignore[arg-type]
                costs = figures.cost_sums(
                    session,
                    [int(busy)],
                    date_from=year_ago,
                    date_to=today,  # type: ignore[arg-type,list-item]
                )
                settled = figures.settled_invoices(session, int(busy), "EUR")  # type: ignore[arg-type]
                return labour, waiting, costs, settled

        calls: list[tuple[str, Callable[[], object], float]] = [
            (
                f"project list, first page of {counts[0]:,} projects",
                lambda: projects.list(actor, ProjectFilter(), limit=50),
                LIST_GOAL_MS,
            ),
            (
                f"cost register, the newest {COST_PAGE} of {counts[1]:,} costs with their totals",
                lambda: services.costs.list(actor, limit=COST_PAGE),
                LIST_GOAL_MS,
            ),
            (
                f"balance of the project with the most costs (#{costly})",
                lambda: projects.balance(actor, int(costly)),  # type: ignore[arg-type]
                BALANCE_GOAL_MS,
            ),
            (
                f"balance of the project with the most time (#{busy}, {int(entries):,} entries)",  # type: ignore[call-overload]
                lambda: projects.balance(actor, int(busy)),  # type: ignore[arg-type]
                BALANCE_GOAL_MS,
            ),
            (
                f"T&M suggestion figures, a year of #{busy}'s time",
                suggestion_figures,
                SUGGESTION_GOAL_MS,
            ),
            (
                "T&M suggestion of DM-01 through the service",
                lambda: projects.suggest(actor, "DM-01", "partial"),
                SUGGESTION_GOAL_MS,
            ),
        ]
        print(f"{counts[0]:,} projects, {counts[1]:,} costs; {runs} runs each", flush=True)
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


def print_rows(rows: list[tuple[str, float, float, float]]) -> None:
    """The figures as a table: what, median, slowest, goal, and whether the goal is met."""
    width = max(len(what) for what, *_rest in rows)
    print(f"{'data time':<{width}}  {'median':>9}  {'slowest':>9}  {'goal':>7}")
    for what, median, slowest, goal in rows:
        mark = "ok" if median <= goal else "OVER"
        print(f"{what:<{width}}  {median:7.1f} ms {slowest:7.1f} ms  {goal:5.0f} ms {mark}")


if __name__ == "__main__":
    main()
