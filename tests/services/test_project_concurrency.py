"""Two processes settling the same project at once, on SQLite and on PostgreSQL.

Contract 10,000.00; each of two bookkeepers tries, in step, ten partial invoices of 700.00
(14,000.00 in all). The project row is locked by each issue, so together they invoice exactly
14 of the 20 (9,800.00), the rest are refused with what is left, and the numbers are
INV/2026/00001..00014 without a gap or a repeat.
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
from tektoro_tui.services.projects.views import SettlementForm
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, PASSWORD, add_person, connected, make_firm

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
ROUNDS = 10
OWNER = (OWNER_EMAIL, OWNER_PASSWORD)
SECOND = ("ada@example.com", PASSWORD)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL on each backend."""
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


def _settle(url: str, login: tuple[str, str], barrier: Any, out: Any) -> None:
    """Worker: try a partial of 700.00 each round, in step with the other worker."""
    services = Services.connect(url, clock=FixedClock(NOW))
    try:
        actor = services.auth.login(*login)
        outcomes: list[str] = []
        for _ in range(ROUNDS):
            barrier.wait(60)
            try:
                issued = services.projects.issue(
                    actor, "Tower", SettlementForm(kind="partial", net="700")
                )
                outcomes.append(issued.number)
            except TektoroError as exc:
                outcomes.append(f"{type(exc).__name__}: {exc.message}")
        out.put(outcomes)
    finally:
        services.close()


def test_two_bookkeepers_never_invoice_more_than_the_contract(url: str) -> None:
    with connected(url, FixedClock(NOW)) as services:
        admin = make_firm(services)
        add_person(services, admin, "Ada", "accountant")
        client = services.presets.save_company(admin, CompanyForm("Acme")).id
        services.presets.save_project(
            admin, ProjectForm("Tower", client, valuation="fixed", contract_amount="10000")
        )
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    barrier = ctx.Barrier(2)
    workers = [
        ctx.Process(target=_settle, args=(url, OWNER, barrier, out)),
        ctx.Process(target=_settle, args=(url, SECOND, barrier, out)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
        assert worker.exitcode == 0
    outcomes = out.get(timeout=10) + out.get(timeout=10)
    numbers = sorted(o for o in outcomes if o.startswith("INV/"))
    refused = [o for o in outcomes if not o.startswith("INV/")]
    assert numbers == [f"INV/2026/{seq:05d}" for seq in range(1, 15)]
    assert len(refused) == 2 * ROUNDS - 14
    assert all("would invoice more than the contract" in o for o in refused), refused
    services = Services.connect(url)
    try:
        with services.db.read() as session:
            net = session.execute(select(func.sum(m.Invoice.net_cents))).scalar_one()
            assert net == 980_000
        report = run_check(services.db)
        assert report.ok, report.lines()
    finally:
        services.close()
