"""Two processes issuing and paying invoices at once, on SQLite and on PostgreSQL.

Numbers must stay gapless and unique however the issuers interleave, and two people recording a
payment on the same invoice at the same moment must never overpay it: the second one is told
what is still due.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tektoro_tui.data import models as m
from tektoro_tui.errors import TektoroError
from tektoro_tui.services.base import FixedClock
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.service import InvoiceService
from tektoro_tui.services.invoicing.views import PaymentForm
from tests.builders import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    PASSWORD,
    add_person,
    connected,
    make_firm,
)

from .test_invoices import Books, make_books

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
TODAY = date(2026, 3, 10)
PER_WORKER = 20
ROUNDS = 5
OWNER = (OWNER_EMAIL, OWNER_PASSWORD)
SECOND = ("ada@example.com", PASSWORD)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL on each backend."""
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


@contextmanager
def _prepared(url: str) -> Iterator[Books]:
    """A migrated database with the test firm and a second invoicing user."""
    with connected(url, FixedClock(NOW)) as services:
        admin = make_firm(services)
        books = make_books(services, admin)
        add_person(services, admin, "Ada", "accountant")
        yield books


def _issue_all(url: str, login: tuple[str, str], invoice_ids: list[int], out: Any) -> None:
    """Worker: issue every draft in ``invoice_ids`` dated today; report the numbers."""
    services = Services.connect(url, clock=FixedClock(NOW))
    try:
        actor = services.auth.login(*login)
        invoices = InvoiceService(services.db, services.clock)
        numbers = [invoices.issue(actor, ident, issue_date=TODAY).number for ident in invoice_ids]
        out.put(numbers)
    finally:
        services.close()


def _pay_each(url: str, login: tuple[str, str], numbers: list[str], barrier: Any, out: Any) -> None:
    """Worker: try to pay 100.00 on each invoice, in step with the other worker."""
    services = Services.connect(url, clock=FixedClock(NOW))
    try:
        actor = services.auth.login(*login)
        invoices = InvoiceService(services.db, services.clock)
        outcomes: list[tuple[str, str]] = []
        for number in numbers:
            barrier.wait(60)
            try:
                invoices.record_payment(actor, number, PaymentForm("100.00", TODAY.isoformat()))
                outcomes.append((number, "paid"))
            except TektoroError as exc:
                outcomes.append((number, f"{type(exc).__name__}: {exc.message}"))
        out.put(outcomes)
    finally:
        services.close()


def _run(workers: list[Any]) -> None:
    """Start the workers together and wait for both to finish cleanly."""
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
        assert worker.exitcode == 0


def test_two_issuers_keep_numbers_gapless(url: str) -> None:
    with _prepared(url) as books:
        drafts = [
            books.invoices.open_record(
                books.admin, books.record((date(2026, 3, 2), 60, 1_000 + i, 1_000 + i))
            ).id
            for i in range(2 * PER_WORKER)
        ]
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    _run(
        [
            ctx.Process(target=_issue_all, args=(url, OWNER, drafts[0::2], out)),
            ctx.Process(target=_issue_all, args=(url, SECOND, drafts[1::2], out)),
        ]
    )
    reported = out.get(timeout=10) + out.get(timeout=10)
    expected = [f"INV/2026/{seq:05d}" for seq in range(1, 2 * PER_WORKER + 1)]
    assert sorted(reported) == expected
    services = Services.connect(url)
    try:
        with services.db.read() as session:
            seqs = session.execute(
                select(m.Invoice.seq).where(m.Invoice.status == "issued").order_by(m.Invoice.seq)
            ).scalars()
            assert list(seqs) == list(range(1, 2 * PER_WORKER + 1))
            series = session.execute(
                select(m.InvoiceSeries).where(m.InvoiceSeries.code == "INV")
            ).scalar_one()
            assert series.last_number == 2 * PER_WORKER
        report = run_check(services.db)
        assert report.ok, report.lines()
    finally:
        services.close()


def test_two_payers_never_overpay(url: str) -> None:
    with _prepared(url) as books:
        numbers = [
            books.issued(10_000, TODAY - timedelta(days=1)).number or "" for _ in range(ROUNDS)
        ]  # each 123.00 gross: one 100.00 payment fits, two do not
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    barrier = ctx.Barrier(2)
    _run(
        [
            ctx.Process(target=_pay_each, args=(url, OWNER, numbers, barrier, out)),
            ctx.Process(target=_pay_each, args=(url, SECOND, numbers, barrier, out)),
        ]
    )
    outcomes = out.get(timeout=10) + out.get(timeout=10)
    for number in numbers:
        mine = sorted(result for n, result in outcomes if n == number)
        assert mine == [
            f"ValidationError: amount: only 23.00 EUR is still due on invoice {number}",
            "paid",
        ]
    services = Services.connect(url)
    try:
        with services.db.read() as session:
            rows = session.execute(
                select(m.Invoice.number, m.Invoice.paid_cents, m.Invoice.status).where(
                    m.Invoice.number.in_(numbers)  # type: ignore[union-attr]
                )
            ).all()
            assert {(paid, status) for _n, paid, status in rows} == {(10_000, "partially_paid")}
            count = session.execute(select(func.count()).select_from(m.Payment)).scalar_one()
            assert count == ROUNDS
        report = run_check(services.db)
        assert report.ok, report.lines()
    finally:
        services.close()
