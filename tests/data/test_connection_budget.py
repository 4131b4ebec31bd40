"""PostgreSQL connections are budgeted: one per Database (the TUI adds one that listens), closed
when idle, never a session inside another, and a clear message when the server is full."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest
from sqlalchemy import text

from tektoro_tui.data import engine as engine_module
from tektoro_tui.data.engine import APPLICATION_NAME, Database, NestedSession
from tektoro_tui.errors import TektoroError
from tests.conftest import PG_ADMIN_DSN


def connections(url: str, name: str = APPLICATION_NAME) -> int:
    """How many connections to ``url``'s database carry the application name ``name``."""
    database = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            (database, name),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_eight_threads_share_one_connection_and_all_finish(pg_db: Database, pg_url: str) -> None:
    start = threading.Barrier(8)
    done: list[int] = []
    seen: list[int] = []

    def work() -> None:
        start.wait()
        with pg_db.read() as session:
            session.execute(text("SELECT pg_sleep(0.05)"))
            done.append(1)

    def watch() -> None:
        while len(done) < 8:
            seen.append(connections(pg_url))
            time.sleep(0.02)

    threads = [threading.Thread(target=work) for _ in range(8)]
    watcher = threading.Thread(target=watch)
    for thread in threads:
        thread.start()
    watcher.start()
    for thread in [*threads, watcher]:
        thread.join(30)
    assert len(done) == 8
    assert seen and max(seen) == 1


def test_the_connection_is_closed_when_idle_and_opened_again_on_use(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PG_IDLE_SECONDS", 0.3)
    database = Database.open(pg_url)
    try:
        with database.read() as session:
            session.execute(text("SELECT 1"))
        assert connections(pg_url) == 1
        deadline = time.monotonic() + 5
        while connections(pg_url) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert connections(pg_url) == 0
        with database.write() as session:
            session.execute(text("SELECT 1"))
        assert connections(pg_url) == 1
    finally:
        database.dispose()


def test_a_session_inside_another_is_refused_at_once(pg_db: Database) -> None:
    with pg_db.read() as session:
        session.execute(text("SELECT 1"))
        with pytest.raises(NestedSession), pg_db.write():
            pass
    with pg_db.write() as session:  # the outer one is over: the next one opens
        session.execute(text("SELECT 1"))


def test_a_server_with_no_connection_left_is_a_titled_message(pg_url: str) -> None:
    """A role (or a database, or the server) at its connection limit: PostgreSQL's refusal
    becomes a message saying what happened and what to do, not a driver error."""
    role = f"budget_{uuid.uuid4().hex[:10]}"
    database = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0")
        admin.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
    try:
        url = f"postgresql://{role}@127.0.0.1:5432/{database}"
        limited = Database.open(url)
        try:
            with pytest.raises(TektoroError) as caught, limited.read() as session:
                session.execute(text("SELECT 1"))
            assert caught.value.title == "Database server full"
            assert "max_connections" in caught.value.message
            assert "Nothing was changed" in caught.value.message
        finally:
            limited.dispose()
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'REVOKE CONNECT ON DATABASE "{database}" FROM {role}')
            admin.execute(f"DROP ROLE {role}")


def test_a_role_that_may_not_create_tables_is_told_to_own_the_database(
    empty_pg_url: str,
) -> None:
    """PostgreSQL 15 no longer lets every role create tables in schema public: the first
    start says how to fix it instead of a driver error."""
    from tektoro_tui.errors import ConfigError
    from tektoro_tui.services.hub import Services

    role = f"setup_{uuid.uuid4().hex[:10]}"
    database = empty_pg_url.rsplit("/", 1)[1]
    with psycopg.connect(empty_pg_url, autocommit=True) as owner:
        owner.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")  # as PostgreSQL 15 has it
        owner.execute(f"CREATE ROLE {role} LOGIN")
        owner.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
    try:
        with pytest.raises(ConfigError) as caught:
            Services.connect(f"postgresql://{role}@127.0.0.1:5432/{database}")
        assert caught.value.title == "Database not writable"
        assert "createdb -O" in caught.value.message
        with psycopg.connect(empty_pg_url, autocommit=True) as owner:
            tables = owner.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
        assert tables == (0,)
    finally:
        with psycopg.connect(empty_pg_url, autocommit=True) as owner:
            owner.execute(f'REVOKE CONNECT ON DATABASE "{database}" FROM {role}')
            owner.execute(f"DROP ROLE {role}")
