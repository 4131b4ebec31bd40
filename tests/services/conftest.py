"""Fixtures for service tests: a migrated database with an organisation and a fixed clock.

The finance world (``tests/finance_world.py``) is built once per module and each test that
asks for it gets a fresh copy of that database (:func:`tests.conftest.built_template`): the
same rows, ids and audit chain as building it again, at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.hub import Services
from tests.builders import connected, make_firm
from tests.conftest import BuiltTemplate, built_template, copied_or_fresh
from tests.finance_world import World, build_world

ADMIN_PASSWORD = "admin-pass-123"
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at 2026-03-10 09:30 UTC."""
    return FixedClock(NOW)


@pytest.fixture(scope="module")
def world_template(request: pytest.FixtureRequest) -> Iterator[tuple[BuiltTemplate, World]]:
    """The finance world on this run's backend, built once for the module."""
    built: list[World] = []

    def build(url: str) -> None:
        with connected(url, FixedClock(NOW)) as services:
            admin = make_firm(services, email="Owner@Example.com", password=ADMIN_PASSWORD)
            built.append(build_world(services, admin))

    with built_template(request, build) as template:
        yield template, built[0]


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the finance world for the tests that use it, else a fresh database."""
    with copied_or_fresh(request, "world", "world_template", tmp_path / "world.db") as url:
        yield url


@pytest.fixture
def services(db_url: str, clock: FixedClock) -> Iterator[Services]:
    """Services on a fresh, migrated database of this run's backend."""
    with connected(db_url, clock) as hub:
        yield hub


@pytest.fixture
def admin(request: pytest.FixtureRequest, services: Services) -> Actor:
    """The first administrator of a freshly initialised organisation (Olga Owner); in the
    finance world, the world's."""
    if "world" in request.fixturenames:
        return request.getfixturevalue("world").admin  # type: ignore[no-any-return]
    return make_firm(services, email="Owner@Example.com", password=ADMIN_PASSWORD)


@pytest.fixture
def world(world_template: tuple[BuiltTemplate, World], services: Services) -> World:
    """The firm of ``tests/finance_world.py``, Olga Owner its administrator, on a fresh copy."""
    return replace(world_template[1], services=services)
