"""Fixtures for the data-layer tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tektoro_tui.data.engine import Database


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    """A :class:`Database` on a fresh migrated PostgreSQL database, disposed after."""
    database = Database.open(pg_url)
    try:
        yield database
    finally:
        database.dispose()
