"""Shared fixtures: a fresh database per test on SQLite or on the real PostgreSQL server.

``TEKTORO_TEST_DB=postgresql`` runs the database-backed tests against the
PostgreSQL server on 127.0.0.1:5432 (each test in a database it creates and
drops); otherwise they run on a SQLite file in a temporary folder. Tests that
are about PostgreSQL itself use the ``pg_url`` fixture directly. When the
server cannot be reached they are skipped locally, but fail in CI
(``TEKTORO_REQUIRE_PG=1``) so a missing server never passes for a green run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ADMIN_DSN = os.environ.get("TEKTORO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")

CHEAP_HASH_COST = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
"""argon2 cost for the suite's throw-away passwords: about 1 ms a hash instead of ~100 ms
(tests/services/test_auth.py checks the product's own cost separately)."""


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """New password hashes in this process use :data:`CHEAP_HASH_COST`."""
    from tektoro_tui.services.administration import auth

    monkeypatch.setattr(auth, "HASH_COST", CHEAP_HASH_COST)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Keep every test away from the developer's own data, config and keyring."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TEKTORO_HOME", str(home))
    monkeypatch.setenv("TEKTORO_NO_KEYRING", "1")
    monkeypatch.delenv("TEKTORO_DATABASE_URL", raising=False)
    return home


def _pg_admin_connect():  # type: ignore[no-untyped-def]
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("TEKTORO_REQUIRE_PG") or os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL server not reachable: {exc}")


def create_pg_database() -> str:
    """Create a uniquely named database and return its SQLAlchemy URL."""
    name = f"tektoro_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_pg_database(url: str) -> None:
    """Drop a database made by :func:`create_pg_database`, closing leftover connections."""
    name = url.rsplit("/", 1)[1]
    with _pg_admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (dropped afterwards)."""
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file URL."""
    return f"sqlite:///{tmp_path / 'tektoro.db'}"


def test_backend() -> str:
    """The backend chosen for this run: ``sqlite`` (default) or ``postgresql``."""
    return os.environ.get("TEKTORO_TEST_DB", "sqlite")


test_backend.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on the backend of this run."""
    if test_backend() == "postgresql":
        url = create_pg_database()
        try:
            yield url
        finally:
            drop_pg_database(url)
    else:
        yield f"sqlite:///{tmp_path / 'tektoro.db'}"
