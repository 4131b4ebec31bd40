"""Fixtures for service tests: a migrated database with an organisation and a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.hub import Services
from tests.builders import connected, make_firm
from tests.finance_world import World, build_world

ADMIN_PASSWORD = "admin-pass-123"
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at 2026-03-10 09:30 UTC."""
    return FixedClock(NOW)


@pytest.fixture
def services(db_url: str, clock: FixedClock) -> Iterator[Services]:
    """Services on a fresh, migrated database of this run's backend."""
    with connected(db_url, clock) as hub:
        yield hub


@pytest.fixture
def admin(services: Services) -> Actor:
    """The first administrator of a freshly initialised organisation (Olga Owner)."""
    return make_firm(services, email="Owner@Example.com", password=ADMIN_PASSWORD)


@pytest.fixture
def world(services: Services, admin: Actor) -> World:
    """The firm of ``tests/finance_world.py``, Olga Owner its administrator."""
    return build_world(services, admin)
