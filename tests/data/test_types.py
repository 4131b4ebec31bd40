"""The bulk writers' fast conversions store exactly what SQLAlchemy's own would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Date, Integer, String
from sqlalchemy.dialects import postgresql, sqlite

from tektoro_tui.data.types import UTCDateTime, bulk_bind_processor


class LaterDate(date):
    """A date subclass: left to SQLAlchemy's processor."""


STAMPS: list[Any] = [
    datetime(2026, 12, 5, 12, 30, 0, tzinfo=UTC),
    datetime(2026, 12, 5, 12, 30, 0, 7, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=timezone(timedelta(hours=2))),
    datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(1, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=3))),
    None,
]
DAYS: list[Any] = [date(2026, 12, 5), date(999, 1, 1), date(1, 1, 1), None, LaterDate(2026, 1, 2)]


def general(kind: Any, dialect: Any) -> Any:
    return kind._cached_bind_processor(dialect)


def test_stamps_and_days_are_stored_as_sqlalchemy_stores_them() -> None:
    dialect, stamps = sqlite.dialect(), UTCDateTime()
    stamp = bulk_bind_processor(stamps, dialect)
    day = bulk_bind_processor(Date(), dialect)
    assert stamp is not None and day is not None
    assert stamp is not general(stamps, dialect)  # the fast one is in use
    for value in STAMPS:
        assert stamp(value) == general(UTCDateTime(), dialect)(value), value
    assert stamp(STAMPS[2]) == "2026-03-28 23:59:59.999999"
    for value in DAYS:
        assert day(value) == general(Date(), dialect)(value), value
    # a datetime in a date column: SQLAlchemy keeps only its day, so must this
    assert day(datetime(2026, 1, 2, 23, 0)) == "2026-01-02"


@pytest.mark.parametrize(
    "value", [datetime(2026, 1, 2, 3, 4), "2026-01-02 03:04:00", date(2026, 1, 2)]
)
def test_what_sqlalchemy_refuses_is_refused_the_same(value: Any) -> None:
    dialect = sqlite.dialect()
    stamp = bulk_bind_processor(UTCDateTime(), dialect)
    assert stamp is not None
    with pytest.raises((ValueError, TypeError)) as fast:
        stamp(value)
    with pytest.raises((ValueError, TypeError)) as slow:
        general(UTCDateTime(), dialect)(value)
    assert type(fast.value) is type(slow.value)


def test_other_types_and_postgresql_keep_their_own_processors() -> None:
    pg, lite = postgresql.psycopg.dialect(), sqlite.dialect()
    for kind, dialect in ((UTCDateTime(), pg), (Date(), pg), (String(), lite)):
        assert bulk_bind_processor(kind, dialect) is general(kind, dialect)
    assert bulk_bind_processor(Integer(), lite) is None
