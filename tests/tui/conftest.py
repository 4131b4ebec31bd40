"""Fixtures for the TUI tests: a real SQLite database per test, filled through the services.

Every database is made in the test's own folder with a fixed clock, and opened by a relative
URL from inside that folder, so the database shown in the title bar is the same on every run
(snapshots depend on it).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual import _wait as textual_wait

from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.hub import Services
from tests.builders import Codes, add_codes, add_person, make_firm
from tests.conftest import copy_sqlite_template

NOW = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
ADMIN_EMAIL = "ann@acme.test"
ADMIN_PASSWORD = "correct-horse"
STAFF_EMAIL = "sam@acme.test"
STAFF_PASSWORD = "staff-pass-1"
ADMIN = (ADMIN_EMAIL, ADMIN_PASSWORD)
STAFF = (STAFF_EMAIL, STAFF_PASSWORD)

# Pilot waits for "idle" by sleeping 20 ms at a time until a sleep passes with the process
# (all its threads) almost without CPU use; each key press waits twice and each pause once, so
# a test spent about half its time asleep. Quiet is detected as surely in 5 ms windows, with
# the same ratio of CPU to sleep; ``settle`` checks workers, layout and frames on top of it.
textual_wait.SLEEP_GRANULARITY = 0.005
textual_wait.SLEEP_IDLE = textual_wait.SLEEP_GRANULARITY / 20.0


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (Pilot needs one; no plugin required)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    arguments = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at Monday 6 May 2024, 09:00 UTC."""
    return FixedClock(NOW)


@pytest.fixture
def empty_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock, sqlite_template: Path
) -> Iterator[Services]:
    """Services on a new SQLite database with the schema but no organisation yet."""
    monkeypatch.chdir(tmp_path)
    copy_sqlite_template(sqlite_template, tmp_path / "tektoro.db")
    services = Services.connect("sqlite:///tektoro.db", clock=clock)
    try:
        yield services
    finally:
        services.close()


@dataclass(frozen=True)
class Firm:
    """A small firm made through the services: an administrator and one staff member."""

    services: Services
    admin: Actor
    staff: Actor
    codes: Codes | None = None  # the stocked firm's one of every code preset


@pytest.fixture
def firm(empty_services: Services) -> Firm:
    """Acme Builders with Ann (administrator) and Sam (staff, supervised by Ann)."""
    services = empty_services
    admin = make_firm(
        services,
        company="Acme Builders",
        email=ADMIN_EMAIL,
        name="Ann Admin",
        password=ADMIN_PASSWORD,
    )
    staff = add_person(
        services,
        admin,
        "Sam Staff",
        email=STAFF_EMAIL,
        password=STAFF_PASSWORD,
        pay_rate="25",
        supervisor_id=admin.user_id,
    )
    return Firm(services, services.auth.login(*ADMIN), staff)


@pytest.fixture
def stocked_firm(firm: Firm) -> Firm:
    """The firm with one of every code preset, so time cards could be entered."""
    client = CompanyForm(name="Harbour Hotel", tax_id="PL123")
    project = ProjectForm("Harbour refit", None, code="HR-1")
    codes = add_codes(
        firm.services, firm.admin, client, project, "Demolition", "Carpentry", "Standard", "80"
    )
    return replace(firm, codes=codes)
