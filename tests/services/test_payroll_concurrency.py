"""The payroll lock under two people at once, on SQLite and on PostgreSQL.

Ewa has one approved day in each of six months. In step, month by month:

* two HR people transfer the same month: exactly one period is made, the other is refused
  (the period overlaps the one just transferred);
* one HR person corrects the month's day by hand while the other transfers the month: exactly
  one of them succeeds. Either the correction lands first (the day is no longer approved, so
  the transfer is refused) or the transfer does (the day is frozen, so the correction is
  refused); never both, so no transferred day is changed after its pay was stored.
"""

from __future__ import annotations

import multiprocessing as mp
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from tektoro_tui.data import models as m
from tektoro_tui.errors import TektoroError
from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm
from tektoro_tui.services.base import FixedClock
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tektoro_tui.services.payroll.views import ShiftForm, TermsForm
from tests.builders import PASSWORD, add_person, connected, make_firm

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
MONTHS = [(2025, 9), (2025, 10), (2025, 11), (2025, 12), (2026, 1), (2026, 2)]
AS_PLANNED = {
    ym: 64000 if date(*ym, 10).isoweekday() > 5 else 32000 for ym in MONTHS
}  # 8 h at 40.00; on a weekend all outside the window at 80.00 (2026-01-10 is a Saturday)
FIRST = ("hanna@example.com", PASSWORD)
SECOND = ("henryk@example.com", PASSWORD)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL on each backend."""
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


def _bounds(year: int, month: int) -> tuple[str, str]:
    last = (date(year + month // 12, month % 12 + 1, 1).toordinal()) - 1
    return date(year, month, 1).isoformat(), date.fromordinal(last).isoformat()


def _firm(url: str) -> dict[str, int]:
    """Two HR people and Ewa, with one approved day (07:00-15:00) on the 10th of each month."""
    with connected(url, FixedClock(NOW)) as services:
        admin = make_firm(services)
        hr = add_person(services, admin, "Hanna", "hr", email=FIRST[0])
        add_person(services, admin, "Henryk", "hr", email=SECOND[0])
        add_person(services, admin, "Ewa Worker", "staff")
        client = services.presets.save_company(admin, CompanyForm("Acme")).id
        services.presets.save_project(admin, ProjectForm("Tower", client, valuation="tm"))
        pay = services.payroll
        pay.set_terms(
            hr, "ewa@example.com", TermsForm(effective_from="2025-01-01", hourly_rate="40")
        )
        ids = {}
        for year, month in MONTHS:
            form = ShiftForm(
                employees="ewa@example.com", project="Tower",
                shift_date=date(year, month, 10).isoformat(),
                planned_start="07:00", planned_end="15:00",
            )  # fmt: skip
            view = pay.add(hr, form)
            pay.approve(hr, [view.id], accept_irregular=True)  # a weekend day is accepted
            ids[f"{year}-{month:02d}"] = view.id
        return ids


def _transfer(url: str, login: tuple[str, str], barrier: Any, out: Any, _ids: Any) -> None:
    services = Services.connect(url, clock=FixedClock(NOW))
    try:
        actor = services.auth.login(*login)
        outcomes = []
        for year, month in MONTHS:
            barrier.wait(60)
            try:
                done = services.payroll.transfer(actor, *_bounds(year, month))
                outcomes.append(f"transferred {done.total}")
            except TektoroError as exc:
                outcomes.append(f"{type(exc).__name__}: {exc}")
        out.put((login[0], outcomes))
    finally:
        services.close()


def _edit(url: str, login: tuple[str, str], barrier: Any, out: Any, ids: Any) -> None:
    services = Services.connect(url, clock=FixedClock(NOW))
    try:
        actor = services.auth.login(*login)
        outcomes = []
        for year, month in MONTHS:
            barrier.wait(60)
            try:
                services.payroll.edit(
                    actor,
                    ids[f"{year}-{month:02d}"],
                    ShiftForm(actual_end="16:00", reason="foreman: stayed an hour longer"),
                )
                outcomes.append("edited")
            except TektoroError as exc:
                outcomes.append(f"{type(exc).__name__}: {exc}")
        out.put((login[0], outcomes))
    finally:
        services.close()


def _run(url: str, first: Any, second: Any, ids: dict[str, int]) -> dict[str, list[str]]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    barrier = ctx.Barrier(2)
    workers = [
        ctx.Process(target=first, args=(url, FIRST, barrier, out, ids)),
        ctx.Process(target=second, args=(url, SECOND, barrier, out, ids)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
        assert worker.exitcode == 0
    return dict([out.get(timeout=10), out.get(timeout=10)])


def _checked(url: str) -> list[tuple[int, int]]:
    services = Services.connect(url)
    try:
        report = run_check(services.db)
        assert report.ok, report.lines()
        with services.db.read() as session:
            loose = session.execute(
                select(func.count())
                .select_from(m.WorkShift)
                .join(
                    m.PayrollPeriod,
                    (m.PayrollPeriod.employee_id == m.WorkShift.employee_id)
                    & (m.WorkShift.shift_date >= m.PayrollPeriod.period_start)
                    & (m.WorkShift.shift_date <= m.PayrollPeriod.period_end),
                )
                .where(m.WorkShift.payroll_period_id.is_(None))  # type: ignore[union-attr]
            ).scalar_one()
            assert loose == 0
            return [
                (int(t), int(c))
                for t, c in session.execute(
                    select(m.PayrollPeriod.total_cents, m.PayrollPeriod.shift_count)
                ).all()
            ]
    finally:
        services.close()


def test_two_transfers_of_the_same_month_make_one_period(url: str) -> None:
    ids = _firm(url)
    results = _run(url, _transfer, _transfer, ids)
    for index in range(len(MONTHS)):
        outcomes = [results[FIRST[0]][index], results[SECOND[0]][index]]
        assert sorted(o.startswith("transferred") for o in outcomes) == [False, True], outcomes
        refused = next(o for o in outcomes if not o.startswith("transferred"))
        assert "overlaps the period" in refused
    assert _checked(url) == [(AS_PLANNED[ym], 1) for ym in MONTHS]


def test_a_correction_and_a_transfer_never_both_succeed(url: str) -> None:
    ids = _firm(url)
    results = _run(url, _edit, _transfer, ids)
    edits, transfers = results[FIRST[0]], results[SECOND[0]]
    for edit, transfer in zip(edits, transfers, strict=True):
        if edit == "edited":
            assert "not approved" in transfer, (edit, transfer)
        else:
            assert "transferred" in edit and transfer.startswith("transferred"), (edit, transfer)
    periods = _checked(url)
    assert len(periods) == sum(t.startswith("transferred") for t in transfers)
    assert {total for total, _count in periods} <= set(AS_PLANNED.values())  # never corrected
