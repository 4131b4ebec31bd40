"""The finance world of ``tests/finance_world.py`` behind the app, for the dashboard tests.

The world's clock stands at 2026-03-10 09:30 UTC. On SQLite the database is opened by a
relative URL from the test's own folder, so the title bar (and the snapshots) are the same on
every run; on PostgreSQL (``TEKTORO_TEST_DB=postgresql``) each test gets its own database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tektoro_tui.services.base import FixedClock
from tests.builders import connected, make_firm
from tests.conftest import test_backend
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


@pytest.fixture
def world(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The finance world on this run's backend, with Olga Owner as the administrator."""
    monkeypatch.chdir(tmp_path)
    url = "sqlite:///tektoro.db" if db_url.startswith("sqlite") else db_url
    with connected(url, FixedClock(NOW)) as services:
        yield build_world(services, make_firm(services, email=OLGA, password=PASSWORD))
