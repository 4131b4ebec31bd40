"""Speed of crew pay: a month's settlement of one employee and of 60, a year's export.

    python benchmarks/payroll.py [--db sqlite:////tmp/bench_pay.db] [--runs 20]
    python benchmarks/payroll.py --db postgresql://root@127.0.0.1:5432/tektoro_pay

On an empty database it first builds a firm of 60 crew members, each planned on a project
for every working day of the last twelve whole months (about 15,000 shifts, settled as planned
since the days are past: a schedule filled in afterwards), all approved; a database that holds
a firm already is reused (build it again with a fresh URL). Then, as HR, each call runs once to
warm up and ``--runs`` times; printed are the median and slowest data time of:

- one employee's month on the Pay screen (``PayrollService.period``);
- every employee's month (``PayrollService.overview``: the screen's list, the transfer's
  preview);
- the transfer of that month for everyone as a dry run (every check, every row, rolled back);

and, side by side (alternated, ``--runs`` pairs), the XLSX export of the year for all 60
against openpyxl's write-only floor: the same day rows read by one plain query and written by a
bare write-only workbook, no styles.

Goals from the issue: one employee's month <= 50 ms, 60 employees' <= 500 ms, the export within
1.2x of the floor.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from projects import print_rows  # noqa: E402  (the benchmarks' shared figures)
from run import time_call  # noqa: E402

CREW = 60
HR_EMAIL = "hanna.hr@bench.example"
PASSWORD = "bench-pass-2026"
DEFAULT_DB = "sqlite:////tmp/bench_pay.db"


def months_back(today: date) -> tuple[date, date, date, date]:
    """(first and last day of the year of whole months before ``today``, and of its last
    month)."""
    month_end = today.replace(day=1) - timedelta(days=1)
    month_start = month_end.replace(day=1)
    year_start = (month_start.replace(day=1) - timedelta(days=335)).replace(day=1)
    return year_start, month_end, month_start, month_end


def build(url: str) -> None:
    """A firm, HR, 60 crew on 40.00-52.00 an hour, a year of approved shifts."""
    from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm
    from tektoro_tui.services.administration.users import UserForm
    from tektoro_tui.services.hub import Services
    from tektoro_tui.services.payroll.views import ShiftForm, TermsForm

    services = Services.connect(url)
    try:
        if services.auth.is_initialised():
            print(f"reusing the firm in {url}")
            return
        print(f"building {CREW} crew with a year of shifts in {url} ...", flush=True)
        started = time.perf_counter()
        admin = services.auth.init_organisation(
            "Bench Build", "owner@bench.example", "Olga Owner", PASSWORD
        )
        services.users.create_user(
            admin, UserForm(name="Hanna Hr", email=HR_EMAIL, role="hr", password=PASSWORD)
        )
        hr = services.auth.login(HR_EMAIL, PASSWORD)
        client = services.presets.save_company(admin, CompanyForm("Acme")).id
        services.presets.save_project(admin, ProjectForm("Tower", client, valuation="tm"))
        first, last, _m0, _m1 = months_back(services.payroll.today())
        emails = []
        for n in range(CREW):
            email = f"crew{n:02d}@bench.example"
            services.users.create_user(
                admin,
                UserForm(name=f"Crew {n:02d}", email=email, role="staff", password=PASSWORD),
            )
            services.payroll.set_terms(
                hr,
                email,
                TermsForm(effective_from=first.isoformat(), hourly_rate=f"{40 + n % 13}.00"),
            )
            emails.append(email)
        for n in range(0, CREW, 10):
            services.payroll.plan(
                hr,
                ShiftForm(
                    employees=", ".join(emails[n : n + 10]),
                    project="Tower",
                    shift_date=first.isoformat(),
                    date_to=last.isoformat(),
                    planned_start="07:00",
                    planned_end=("15:30", "16:00", "17:30")[n % 3],
                    lunch="30",
                ),
            )
        for email in emails:
            services.payroll.approve(
                hr, employee=email, date_from=first.isoformat(), date_to=last.isoformat()
            )
        print(f"built in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        services.close()


def measure(url: str, runs: int) -> list[tuple[str, float, float, float]]:
    """(what, median ms, slowest ms, goal ms) of each call."""
    from tektoro_tui.services.hub import Services

    services = Services.connect(url, migrate=False)
    try:
        hr = services.auth.login(HR_EMAIL, PASSWORD)
        _first, _last, month_start, month_end = months_back(services.payroll.today())
        pay = services.payroll
        period = pay.period(hr, "crew00@bench.example", month_start, month_end)
        everyone = pay.overview(hr, month_start, month_end)
        calls: list[tuple[str, Callable[[], object], float]] = [
            (
                f"one employee's month ({len(period.shifts)} days)",
                lambda: pay.period(hr, "crew00@bench.example", month_start, month_end),
                50.0,
            ),
            (
                f"{len(everyone)} employees' month ({sum(len(p.shifts) for p in everyone):,} days)",
                lambda: pay.overview(hr, month_start, month_end),
                500.0,
            ),
            (
                "transfer of that month for everyone, dry run",
                lambda: pay.transfer(hr, month_start, month_end, dry_run=True),
                500.0,
            ),
        ]
        results = []
        for what, fn, goal in calls:
            samples = [s * 1000 for s in time_call(fn, runs)]
            results.append((what, statistics.median(samples), max(samples), goal))
        return results
    finally:
        services.close()


def floor_xlsx(url: str, first: date, last: date, out: Path, *, formats: bool = False) -> int:
    """The same day rows, the same 13 values each (hours and amounts as decimals), read by one
    query and written by a bare write-only workbook; without styles, or (``formats``) with the
    export's number formats set on each cell the plain openpyxl way; rows written."""
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from sqlalchemy import text

    from tektoro_tui.services.hub import Services

    services = Services.connect(url, migrate=False)
    try:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Remuneration")
        count = 0
        with services.db.read() as session:
            result = session.execute(
                text(
                    "SELECT u.name, u.email, s.shift_date, p.code, sum(s.standard_minutes), "
                    "sum(s.over_day_minutes), sum(s.outside_window_minutes), "
                    "sum(s.standard_cents), sum(s.over_day_cents), sum(s.outside_cents), "
                    "sum(s.pay_cents) FROM work_shift s JOIN user_account u ON u.id = "
                    "s.employee_id JOIN project p ON p.id = s.project_id WHERE s.shift_date "
                    "BETWEEN :a AND :b AND s.pay_cents IS NOT NULL GROUP BY u.name, u.email, "
                    "s.employee_id, s.shift_date, p.code ORDER BY u.name, s.employee_id, "
                    "s.shift_date"
                ),
                {"a": first, "b": last},
            )

            def formatted(value: object, number_format: str) -> object:
                if not formats:
                    return value
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = number_format
                return cell

            for name, email, day, code, std, over, out_m, c1, c2, c3, total in result:
                hours = [Decimal(m * 100 // 60).scaleb(-2) for m in (std, over, out_m)]
                sheet.append(
                    [
                        name,
                        email,
                        formatted(day, "yyyy-mm-dd"),
                        code,
                        *(formatted(h, "0.00") for h in (*hours, sum(hours))),
                        *(
                            formatted(Decimal(c).scaleb(-2), "#,##0.00")
                            for c in (c1, c2, c3, total)
                        ),
                        "approved",
                    ]
                )
                count += 1
        workbook.save(out)
        return count
    finally:
        services.close()


def export_pair(url: str, runs: int) -> tuple[float, float, float, int]:
    """Median seconds of the product's XLSX export of the year, of the bare floor and of the
    floor with the same number formats, alternated."""
    from tektoro_tui.services.hub import Services

    services = Services.connect(url, migrate=False)
    try:
        hr_admin = services.auth.login("owner@bench.example", PASSWORD)
        first, last, _m0, _m1 = months_back(services.payroll.today())
        ours: list[float] = []
        floor: list[float] = []
        formatted: list[float] = []
        rows = 0
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder)
            for n in range(runs + 1):
                start = time.perf_counter()
                services.payroll.export(hr_admin, "xlsx", target / f"ours{n}.xlsx", first, last)
                took = time.perf_counter() - start
                start = time.perf_counter()
                rows = floor_xlsx(url, first, last, target / f"floor{n}.xlsx")
                floor_took = time.perf_counter() - start
                start = time.perf_counter()
                floor_xlsx(url, first, last, target / f"formats{n}.xlsx", formats=True)
                formats_took = time.perf_counter() - start
                if n:  # the first round warms up
                    ours.append(took)
                    floor.append(floor_took)
                    formatted.append(formats_took)
        return (
            statistics.median(ours),
            statistics.median(floor),
            statistics.median(formatted),
            rows,
        )
    finally:
        services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    build(args.db)
    rows = measure(args.db, args.runs)
    print_rows(rows)
    ours, floor, formatted, count = export_pair(args.db, max(3, args.runs // 4))
    print(f"XLSX export of the year for everyone ({count:,} day rows, 13 columns):")
    print(f"  ours (styled title, header, formats, totals sheet)  {ours * 1000:7.0f} ms")
    print(f"  openpyxl write-only floor, same cells, no formats   {floor * 1000:7.0f} ms")
    print(f"  openpyxl write-only floor, same cells and formats   {formatted * 1000:7.0f} ms")
    print(
        f"  ratio {ours / floor:.2f}x the bare floor, {ours / formatted:.2f}x the formatted "
        "one (goal <= 1.20x)"
    )


if __name__ == "__main__":
    main()
