"""Column types shared by the tables: UTC datetimes that survive SQLite, money in cents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is
    stored as naive UTC text and made aware again when read. Naive datetimes are
    refused on the way in: a clock time without a zone is a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("datetimes stored in the database must be timezone-aware")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Cents(TypeDecorator[int]):
    """Money in integer minor units: every ``_cents`` column.

    64-bit on PostgreSQL (``bigint``; a 32-bit ``integer`` overflows at 21,474,836.47, which an
    invoice total or a contract reaches) and SQLite's INTEGER (64-bit already). A value read back
    is always an ``int``, the sum of a column included: PostgreSQL's ``sum(bigint)`` is
    ``numeric``, which the driver would hand over as a ``Decimal``.
    """

    impl = BigInteger
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(Integer() if dialect.name == "sqlite" else BigInteger())

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


def bulk_bind_processor(kind: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What turns a value of a column of ``kind`` into what the driver is handed, for the bulk
    writers that bypass SQLAlchemy's executemany: the type's own bind processor, except that on
    SQLite the two it converts most often (:class:`UTCDateTime` and ``Date``, several to every
    time entry) format an ordinary value with the datetime module's C code instead of
    SQLAlchemy's dictionary formatting (seconds on a million rows). The result is the same
    text; any other value (naive, a subclass, not a date) goes through the type's own
    processor, which converts or refuses it as always."""
    general = kind._cached_bind_processor(dialect)
    if general is None or dialect.name != "sqlite":
        return general
    if isinstance(kind, UTCDateTime):

        def stamp(value: Any) -> Any:
            if type(value) is datetime and value.tzinfo is not None:
                # YYYY-MM-DD HH:MM:SS.ffffff of the UTC moment, as SQLite's DATETIME stores it
                return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
            return general(value)

        return stamp
    if isinstance(kind, Date):

        def day(value: Any) -> Any:
            if type(value) is date:
                return value.isoformat()
            return general(value)

        return day
    return general
