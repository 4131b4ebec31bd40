"""Two processes paying, or generating, contractor master invoices at the same moment.

Two administrators paying the same approved master invoice at once with amounts that together
exceed its total: exactly one payment is recorded, the other is told what is still due, and
``paid_cents`` never exceeds ``total_cents``. Two administrators generating the same
contractor's period at once: one master invoice, every ticket on it once.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from tektoro_tui.data import models as m
from tektoro_tui.errors import TektoroError
from tektoro_tui.services.base import FixedClock
from tektoro_tui.services.check import run_check
from tektoro_tui.services.contractor_invoices.views import MasterInvoiceForm
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import PaymentForm
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, add_person, connected, make_firm
from tests.finance_world import NOW, PASSWORD, World, build_world

TODAY = date(2026, 3, 10)
OWNER = (OWNER_EMAIL, OWNER_PASSWORD)
SECOND = ("ada@example.com", PASSWORD)
PERIODS = (
    ("carl@example.com", "2026-02-01", "2026-02-28"),  # 240.00
    ("carl@example.com", "2026-03-01", "2026-03-31"),  # 120.00
    ("dora@example.com", "2026-02-01", "2026-02-28"),  # 300.00
)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL on each backend."""
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


@contextmanager
def _prepared(url: str) -> Iterator[World]:
    """The finance test firm with a second administrator."""
    with connected(url, FixedClock(NOW)) as services:
        admin = make_firm(services)
        world = build_world(services, admin)
        add_person(services, admin, "Ada Admin", "administrator", sign_in=False)
        yield world


def _pay_each(
    url: str, login: tuple[str, str], plan: list[tuple[str, str]], barrier: Any, out: Any
) -> None:
    """Worker: pay ``amount`` on each invoice, in step with the other worker."""
    services = Services.connect(url, clock=FixedClock(NOW))
    try:
        actor = services.auth.login(*login)
        outcomes: list[tuple[str, str]] = []
        for number, amount in plan:
            barrier.wait(60)
            try:
                services.contractor_invoices.record_payment(
                    actor, number, PaymentForm(amount, TODAY.isoformat())
                )
                outcomes.append((number, "paid"))
            except TektoroError as exc:
                outcomes.append((number, f"{type(exc).__name__}: {exc.message}"))
        out.put(outcomes)
    finally:
        services.close()


def _generate(url: str, login: tuple[str, str], barrier: Any, out: Any) -> None:
    """Worker: generate Carl's master invoice of February and March, with the other worker."""
    services = Services.connect(url, clock=FixedClock(NOW))
    try:
        actor = services.auth.login(*login)
        barrier.wait(60)
        try:
            view = services.contractor_invoices.generate(
                actor, MasterInvoiceForm("carl@example.com", "2026-02-01", "2026-03-31")
            )
            out.put(("generated", view.number))
        except TektoroError as exc:
            out.put((type(exc).__name__, exc.message))
    finally:
        services.close()


def _run(workers: list[Any]) -> None:
    """Start the workers together and wait for both to finish cleanly."""
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
        assert worker.exitcode == 0


def _checked(url: str) -> Services:
    services = Services.connect(url)
    report = run_check(services.db)
    assert report.ok, report.lines()
    return services


def test_two_payers_never_overpay_a_master_invoice(url: str) -> None:
    with _prepared(url) as world:
        invoices = world.services.contractor_invoices
        plan = []
        for who, start, end in PERIODS:
            view = invoices.generate(world.admin, MasterInvoiceForm(who, start, end))
            invoices.approve(world.admin, view.number)
            share = view.total.cents * 6 // 10  # two of these exceed the total
            plan.append((view.number, view.total.cents, share))
    work = [(number, f"{share / 100:.2f}") for number, _total, share in plan]
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    barrier = ctx.Barrier(2)
    _run(
        [
            ctx.Process(target=_pay_each, args=(url, OWNER, work, barrier, out)),
            ctx.Process(target=_pay_each, args=(url, SECOND, work, barrier, out)),
        ]
    )
    outcomes = out.get(timeout=10) + out.get(timeout=10)
    for number, total, share in plan:
        mine = sorted(result for n, result in outcomes if n == number)
        still_due = f"{(total - share) / 100:.2f} EUR"
        assert mine == [
            f"ValidationError: amount: only {still_due} is still due on contractor invoice "
            f"{number}",
            "paid",
        ]
    services = _checked(url)
    try:
        with services.db.read() as session:
            rows = session.execute(
                select(
                    m.MasterInvoice.number,
                    m.MasterInvoice.status,
                    m.MasterInvoice.paid_cents,
                    m.MasterInvoice.total_cents,
                )
            ).all()
            payments = session.execute(select(func.count()).select_from(m.Payment)).scalar_one()
    finally:
        services.close()
    shares = {number: share for number, _total, share in plan}
    assert {(r.number, r.status, r.paid_cents) for r in rows} == {
        (number, "partially_paid", share) for number, share in shares.items()
    }
    assert all(r.paid_cents <= r.total_cents for r in rows)
    assert payments == len(plan)


def test_two_generators_never_share_a_ticket(url: str) -> None:
    with _prepared(url):
        pass
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    barrier = ctx.Barrier(2)
    _run(
        [
            ctx.Process(target=_generate, args=(url, OWNER, barrier, out)),
            ctx.Process(target=_generate, args=(url, SECOND, barrier, out)),
        ]
    )
    outcomes = sorted([out.get(timeout=10), out.get(timeout=10)])
    kinds = [kind for kind, _message in outcomes]
    assert kinds.count("generated") == 1, outcomes
    assert ("generated", "MI/2026/00001") in outcomes
    refused = next(o for o in outcomes if o[0] != "generated")
    assert refused[0] in ("ConflictError", "ValidationError"), refused
    services = _checked(url)
    try:
        with services.db.read() as session:
            lines = session.execute(select(m.MasterInvoiceLine.time_entry_id)).scalars().all()
            claimed = session.execute(
                select(func.count())
                .select_from(m.TimeEntry)
                .where(m.TimeEntry.master_invoice_id.is_not(None))  # type: ignore[union-attr]
            ).scalar_one()
            series = session.execute(
                select(m.InvoiceSeries.last_number).where(m.InvoiceSeries.code == "MI")
            ).scalar_one()
    finally:
        services.close()
    assert len(lines) == len(set(lines)) == 5 == claimed
    assert series == 1
