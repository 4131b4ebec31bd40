"""Two accountants settling the same subcontract at once, on SQLite and on PostgreSQL, and two
offices making agreements at once.

A fixed agreement of 10,000.00; each of two accountants, in step, tries ten stages of 700.00
(14,000.00 in all). Each stage locks the agreement row, so together they pay exactly 14 of the
20 (9,800.00), the other six are refused naming the amount and what remains, the stages are
numbered 1..14 without a gap, and every stage starts from what the ones before it paid.
"""

from __future__ import annotations

import multiprocessing as mp
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from tektoro_tui.data import models as m
from tektoro_tui.errors import TektoroError
from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm
from tektoro_tui.services.base import FixedClock
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tektoro_tui.services.subcontracts.views import AgreementForm, StageForm
from tests.builders import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    PASSWORD,
    add_person,
    connected,
    make_firm,
)

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
ROUNDS = 10
FIRST = ("adam@example.com", PASSWORD)
SECOND = ("ada@example.com", PASSWORD)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL on each backend."""
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


def _settle(url: str, login: tuple[str, str], barrier: Any, out: Any) -> None:
    """Worker: try a stage of 700.00 each round, in step with the other worker."""
    services = Services.connect(url, clock=FixedClock(NOW))
    try:
        actor = services.auth.login(*login)
        outcomes: list[str] = []
        for _ in range(ROUNDS):
            barrier.wait(60)
            try:
                done = services.subcontracts.settle(
                    actor, "SA/2026/00001", StageForm("700", "", "Transfer")
                )
                outcomes.append(f"stage {done.stage.stage}")
            except TektoroError as exc:
                outcomes.append(f"{type(exc).__name__}: {exc}")
        out.put(outcomes)
    finally:
        services.close()


def _add(url: str, login: tuple[str, str], barrier: Any, out: Any) -> None:
    """Worker: make five agreements in step with the other worker."""
    services = Services.connect(url, clock=FixedClock(NOW))
    try:
        actor = services.auth.login(*login)
        numbers = []
        for n in range(5):
            barrier.wait(60)
            form = AgreementForm("Tower", "Dach-Bud", f"Works {n}", "", "2026-12-31", "no", "1000")
            numbers.append(services.subcontracts.add(actor, form).row.number)
        out.put(numbers)
    finally:
        services.close()


def _firm(url: str, role: str = "accountant") -> None:
    """Acme's T&M project Tower, the subcontractor Dach-Bud and two people of ``role``."""
    with connected(url, FixedClock(NOW)) as services:
        admin = make_firm(services)
        add_person(services, admin, "Adam", role, email=FIRST[0])
        add_person(services, admin, "Ada", role, email=SECOND[0])
        client = services.presets.save_company(admin, CompanyForm("Acme")).id
        services.presets.save_project(admin, ProjectForm("Tower", client, valuation="tm"))
        services.presets.save_company(admin, CompanyForm(name="Dach-Bud", kind="subcontractor"))


def _run(url: str, target: Any, first: tuple[str, str], second: tuple[str, str]) -> list[Any]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    barrier = ctx.Barrier(2)
    workers = [
        ctx.Process(target=target, args=(url, first, barrier, out)),
        ctx.Process(target=target, args=(url, second, barrier, out)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
        assert worker.exitcode == 0
    return [out.get(timeout=10), out.get(timeout=10)]


def test_two_accountants_never_pay_more_than_the_contract(url: str) -> None:
    _firm(url)
    with connected(url, FixedClock(NOW)) as services:
        admin = services.auth.login(OWNER_EMAIL, OWNER_PASSWORD)
        services.subcontracts.add(
            admin, AgreementForm("Tower", "Dach-Bud", "Walls", "", "2026-12-31", "no", "10000")
        )
    first, second = _run(url, _settle, FIRST, SECOND)
    outcomes = first + second
    stages = sorted(int(o.split()[1]) for o in outcomes if o.startswith("stage "))
    refused = [o for o in outcomes if not o.startswith("stage ")]
    assert stages == list(range(1, 15))
    assert len(refused) == 2 * ROUNDS - 14
    assert all("amount" in o and "remains" in o for o in refused), refused
    services = Services.connect(url)
    try:
        with services.db.read() as session:
            paid = session.execute(select(func.sum(m.SubcontractSettlement.paid_cents))).scalar()
            kept = session.execute(select(m.SubcontractAgreement.paid_cents)).scalar_one()
            assert paid == kept == 980_000
        report = run_check(services.db)
        assert report.ok, report.lines()
    finally:
        services.close()


def test_two_offices_number_their_agreements_without_a_gap(url: str) -> None:
    _firm(url, "manager")  # managers make agreements
    first, second = _run(url, _add, FIRST, SECOND)
    assert sorted(first + second) == [f"SA/2026/{seq:05d}" for seq in range(1, 11)]
    services = Services.connect(url)
    try:
        report = run_check(services.db)
        assert report.ok, report.lines()
    finally:
        services.close()
