"""The quick reads' PostgreSQL connection through libpq gives what psycopg gives, or refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tektoro_tui.data import libpq
from tektoro_tui.data.direct import DirectConnection, place_of
from tektoro_tui.data.libpq import LibpqConnection, LibpqError

TYPED = (
    "SELECT 1::int2, 2::int4, 3000000000::int8, 12.50::numeric, 0.25::float8, "
    "'Zażółć'::text, 'v'::varchar(9), 'c'::char(3), 'pg_class'::name, 26::oid, "
    "DATE '2026-12-05', TIMESTAMP '2026-12-05 13:14:15.5', "
    "TIMESTAMPTZ '2026-12-05 13:14:15.000007+05:30', true, false, NULL::int, NULL::text, "
    "sum(x)::numeric, count(*) FROM (VALUES (1), (2)) AS v(x)"
)


def libpq_connection(url: str) -> LibpqConnection:
    place = place_of(url)
    lib = libpq.library()
    assert place is not None and lib is not None
    connection = LibpqConnection(lib, place.arguments)
    connection.execute("BEGIN")
    connection.execute("SET LOCAL TimeZone = 'UTC'")
    return connection


def psycopg_rows(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        return list(connection.execute(sql, params).fetchall())


def test_every_type_it_reads_comes_out_as_psycopgs(pg_url: str) -> None:
    connection = libpq_connection(pg_url)
    try:
        ours = connection.execute(TYPED)
    finally:
        connection.close()
    theirs = psycopg_rows(pg_url, TYPED)
    assert ours == theirs
    assert [type(value) for value in ours[0]] == [type(value) for value in theirs[0]]
    assert ours[0][12] == datetime(2026, 12, 5, 7, 44, 15, 7, tzinfo=UTC)
    assert ours[0][7] == "c  "  # char(n) padded, as stored


@pytest.mark.parametrize(
    "value",
    [
        7,
        -3000000000,
        "O'Brien; DROP TABLE x --",
        "Zażółć ✓",
        "",
        date(2026, 2, 28),
        datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2))),
        Decimal("12.345"),
        True,
        None,
    ],
)
def test_a_parameter_reaches_the_server_as_psycopgs_does(pg_url: str, value: Any) -> None:
    connection = libpq_connection(pg_url)
    try:
        ours = connection.execute("SELECT $1::text, $2::text IS NULL, $3", [value] * 3)
    finally:
        connection.close()
    assert ours == psycopg_rows(pg_url, "SELECT %s::text, %s::text IS NULL, %s", (value,) * 3)


def test_what_it_cannot_take_is_refused(pg_url: str) -> None:
    connection = libpq_connection(pg_url)
    try:
        with pytest.raises(LibpqError, match="OID"):
            connection.execute("SELECT '{}'::json")
        with pytest.raises(LibpqError, match="does_not_exist"):
            connection.execute("ROLLBACK")
            connection.execute("SELECT * FROM does_not_exist")
        with pytest.raises(LibpqError, match="time zone"):
            connection.execute("SELECT $1", [datetime(2026, 1, 1)])
        with pytest.raises(LibpqError, match="parameter of type"):
            connection.execute("SELECT $1", [1.5])
    finally:
        connection.close()
    with pytest.raises(LibpqError, match="closed"):
        connection.execute("SELECT 1")
    place = place_of(pg_url)
    assert place is not None and libpq.library() is not None
    with pytest.raises(LibpqError, match="no_such_database_here"):
        LibpqConnection(libpq.library(), {**place.arguments, "dbname": "no_such_database_here"})


def test_a_direct_read_goes_through_libpq_and_writes_nothing(pg_url: str) -> None:
    place = place_of(pg_url)
    assert place is not None
    direct = DirectConnection(place)
    try:
        assert direct.libpq is not None  # not psycopg
        assert direct.at_head()
        assert direct.rows("SELECT :a::int + :b, :a::text", {"a": 2, "b": 3}) == [(5, "2")]
        with pytest.raises(LibpqError, match="read-only"):
            direct.rows("INSERT INTO organisation (id, name) VALUES (9, 'x')")
    finally:
        direct.close()


def test_without_a_libpq_to_call_psycopg_reads_the_same(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = place_of(pg_url)
    assert place is not None
    direct = DirectConnection(place)
    try:
        expected = direct.rows(TYPED)
    finally:
        direct.close()
    monkeypatch.setattr(libpq, "library", lambda: None)
    fallback = DirectConnection(place)
    try:
        assert fallback.libpq is None
        assert fallback.rows(TYPED) == expected
    finally:
        fallback.close()
