"""Two users writing at once: every action lands whole and the audit chain stays intact."""

from __future__ import annotations

import multiprocessing as mp

import pytest
from sqlalchemy import func, select

from tektoro_tui.data import models as m
from tektoro_tui.services.administration.presets import RateCodeForm
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, PASSWORD, add_person, connected, make_firm

PER_WORKER = 25
SECOND = ("two@example.com", PASSWORD)


def _write_rate_codes(url: str, email: str, password: str, prefix: str) -> None:
    services = Services.connect(url)
    try:
        actor = services.auth.login(email, password)
        for i in range(PER_WORKER):
            services.presets.save_rate_code(
                actor, RateCodeForm(name=f"{prefix}{i}", hourly_rate="10")
            )
    finally:
        services.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_processes_write_at_once(backend: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    with connected(url) as services:
        admin = make_firm(services)
        add_person(services, admin, "Second Admin", "administrator", email=SECOND[0], sign_in=False)
    ctx = mp.get_context("spawn")
    workers = [
        ctx.Process(target=_write_rate_codes, args=(url, OWNER_EMAIL, OWNER_PASSWORD, "A")),
        ctx.Process(target=_write_rate_codes, args=(url, *SECOND, "B")),
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    services = Services.connect(url)
    try:
        with services.db.read() as session:
            codes = session.execute(select(func.count()).select_from(m.RateCode)).scalar_one()
            creates = session.execute(
                select(func.count()).where(m.AuditEvent.action == "rate_code.create")
            ).scalar_one()
        assert codes == creates == 2 * PER_WORKER
        report = run_check(services.db)
        assert report.ok, report.lines()
    finally:
        services.close()
