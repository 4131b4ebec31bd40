"""A PostgreSQL backend that goes away in the middle of a session: every phase of the session
(the work, the commit, the rollback, closing it) turns the failure into a titled product
error, never a raw driver exception; the next session reconnects and works."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from tektoro_tui.data.engine import Database
from tektoro_tui.errors import DatabaseUnreachable, TektoroError
from tests.conftest import PG_ADMIN_DSN


def _terminate(pid: int) -> None:
    """End backend ``pid`` from outside, as an administrator or a server restart would."""
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    time.sleep(0.2)


@pytest.mark.parametrize("again", [True, False], ids=["read again", "just close"])
def test_a_backend_ended_during_a_read_is_a_titled_error_and_the_next_read_works(
    pg_db: Database, again: bool
) -> None:
    """Ended before the screen's next query, or before the session is closed (whose rollback
    then meets a dead connection)."""
    try:
        with pg_db.read() as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            _terminate(pid)
            if again:
                session.execute(text("SELECT 1"))
    except TektoroError as caught:
        assert caught.title == "Database problem"
        assert isinstance(caught, DatabaseUnreachable)  # the app waits for it to come back
    else:
        assert not again, "a query on a dead connection must fail"
    pg_db.ping()  # the pool reconnects
    with pg_db.read() as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1


def test_a_backend_ended_before_the_commit_writes_nothing_and_is_a_titled_error(
    pg_db: Database,
) -> None:
    with pytest.raises(TektoroError) as caught, pg_db.write() as session:
        session.execute(text("UPDATE organisation SET name = 'x' WHERE id = 1"))
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        _terminate(pid)
    assert caught.value.title == "Database problem"
    with pg_db.write() as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1


def test_a_sqlite_file_this_user_may_not_write_names_the_file_and_points_to_postgresql(
    tmp_path: Path,
) -> None:
    """The error SQLite gives for a file (or -wal/-shm) owned by another OS user."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from tektoro_tui.data.engine import translate_db_error

    path = tmp_path / "shared.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    readonly = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raw:
        readonly.execute("INSERT INTO t VALUES (1)")
    readonly.close()
    error = translate_db_error(OperationalError("INSERT", {}, raw.value), f"sqlite:///{path}")
    assert isinstance(error, TektoroError)
    assert error.title == "Database not writable"
    assert str(path) in error.message and "PostgreSQL" in error.message
