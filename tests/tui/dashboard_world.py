"""The finance world of ``tests/finance_world.py`` behind the app, for the dashboard tests.

The world's clock stands at 2026-03-10 09:30 UTC. On SQLite the database is opened by a
relative URL from the test's own folder, so the title bar (and the snapshots) are the same on
every run; on PostgreSQL (``TEKTORO_TEST_DB=postgresql``) each test gets its own database.
The world is built once per module and each test gets a fresh copy of it
(:func:`tests.conftest.built_template`); a module that uses ``world`` imports
``world_template`` with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tektoro_tui.services.base import FixedClock
from tests.builders import connected, make_firm
from tests.conftest import BuiltTemplate, built_template, test_backend
from tests.finance_world import NOW, PASSWORD, World, build_world

OLGA = "olga@example.com"
CARL, MONA, ADAM, CLEO, BORIS = (
    "carl@example.com",
    "mona@example.com",
    "adam@example.com",
    "cleo@example.com",
    "boris@example.com",
)
OLGA_LOGIN = (OLGA, PASSWORD)
on_sqlite_only = pytest.mark.skipif(
    test_backend() == "postgresql",
    reason="snapshots show the database's name in the title bar; PostgreSQL's is random",
)


@pytest.fixture(scope="module")
def world_template(request: pytest.FixtureRequest) -> Iterator[tuple[BuiltTemplate, World]]:
    """The finance world on this run's backend, built once for the module."""
    built: list[World] = []

    def build(url: str) -> None:
        with connected(url, FixedClock(NOW)) as services:
            admin = make_firm(services, email=OLGA, password=PASSWORD)
            built.append(build_world(services, admin))

    with built_template(request, build) as template:
        yield template, built[0]


@pytest.fixture
def world(
    world_template: tuple[BuiltTemplate, World], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    """The finance world on this run's backend, with Olga Owner as the administrator."""
    template, built = world_template
    monkeypatch.chdir(tmp_path)
    url = template.copy(tmp_path / "tektoro.db", monkeypatch)
    if url.startswith("sqlite"):
        url = "sqlite:///tektoro.db"
    try:
        with connected(url, FixedClock(NOW)) as services:
            yield replace(built, services=services)
    finally:
        template.give_back()
