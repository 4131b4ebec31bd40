"""The change watchers wake when another connection commits, on SQLite files and PostgreSQL.

Each test writes through a second ``Services`` instance (its own engine and connections), as
another user's session would. Timings are only checked against generous upper bounds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tektoro_tui.data import changefeed
from tektoro_tui.data.changefeed import (
    ChangeWatcher,
    LiveUpdatesUnavailable,
    libpq_conninfo,
    open_watcher,
)
from tektoro_tui.data.engine import Database
from tektoro_tui.services import base
from tektoro_tui.services.administration.presets import ActivityForm
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, connected, make_firm


@pytest.fixture
def firm(db_url: str) -> Iterator[tuple[Services, Actor]]:
    """Services on a fresh database of this run's backend, with its first administrator."""
    with connected(db_url) as services:
        yield services, make_firm(services)


@pytest.fixture
def other(db_url: str, firm: tuple[Services, Actor]) -> Iterator[tuple[Services, Actor]]:
    """A second session on the same database (its own engine), signed in as the owner."""
    with connected(db_url) as services:
        yield services, services.auth.login(OWNER_EMAIL, OWNER_PASSWORD)


@pytest.fixture
def watcher(firm: tuple[Services, Actor]) -> Iterator[ChangeWatcher]:
    """A watcher on the firm's database, opened after the set-up writes."""
    found = open_watcher(firm[0].db)
    try:
        yield found
    finally:
        found.close()


def quiet(watcher: ChangeWatcher) -> None:
    """Take every wake-up already on its way (e.g. the other session's login was a commit)."""
    for _ in range(20):
        if not watcher.wait(0.3):
            return
    pytest.fail("the watcher never went quiet")


def add_activity(session: tuple[Services, Actor], name: str) -> None:
    """One committed write (an activity code) through ``session``."""
    services, actor = session
    services.presets.save_activity(actor, ActivityForm(name=name))


def test_nothing_committed_means_no_wake_up(watcher: ChangeWatcher) -> None:
    start = time.monotonic()
    assert watcher.wait(0.5) is False
    assert time.monotonic() - start < 3


def test_a_commit_by_another_session_wakes_the_watcher(
    watcher: ChangeWatcher, other: tuple[Services, Actor]
) -> None:
    quiet(watcher)
    add_activity(other, "Design")
    assert watcher.wait(3) is True
    assert watcher.wait(0.3) is False  # one commit, one wake-up (extra notices drained)


def test_a_commit_while_waiting_wakes_the_watcher_early(
    watcher: ChangeWatcher, other: tuple[Services, Actor]
) -> None:
    quiet(watcher)
    writer = threading.Thread(target=add_activity, args=(other, "Survey"))
    start = time.monotonic()
    writer.start()
    try:
        assert watcher.wait(20) is True
        assert time.monotonic() - start < 10  # woke by the commit, not by the timeout
    finally:
        writer.join(30)


def test_close_from_another_thread_ends_a_wait_at_once(watcher: ChangeWatcher) -> None:
    outcome: list[bool] = []
    waiting = threading.Thread(target=lambda: outcome.append(watcher.wait(30)))
    start = time.monotonic()
    waiting.start()
    watcher.close()
    waiting.join(10)
    assert outcome == [False]
    assert time.monotonic() - start < 5
    assert watcher.wait(1) is False  # closed for good


def test_a_broken_connection_is_reopened_and_reported_once(
    watcher: ChangeWatcher, firm: tuple[Services, Actor], other: tuple[Services, Actor]
) -> None:
    """As after a server restart: the watcher reconnects and says "changed" so screens re-read."""
    quiet(watcher)
    services = firm[0]
    if services.db.backend == "postgresql":
        _terminate_watcher_backend(services.db)
    else:
        assert isinstance(watcher, changefeed.SqliteWatcher)
        watcher._conn.close()  # type: ignore[union-attr]  # the file handle is gone
    assert watcher.wait(5) is True  # reconnected: whatever happened meanwhile must be re-read
    assert watcher.wait(0.3) is False
    add_activity(other, "After the restart")
    assert watcher.wait(5) is True


def _terminate_watcher_backend(db: Database) -> None:
    conninfo = libpq_conninfo(db.engine.url)
    with psycopg.connect(conninfo, autocommit=True, application_name="test") as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            ("tektoro live updates",),
        ).fetchall()
    assert ended == [(True,)]


def test_an_in_memory_database_cannot_be_watched() -> None:
    db = Database.open("sqlite://")
    try:
        with pytest.raises(LiveUpdatesUnavailable, match="in-memory"):
            open_watcher(db)
    finally:
        db.dispose()


def test_a_missing_database_file_is_refused(tmp_path: object) -> None:
    db = Database.open(f"sqlite:///{tmp_path}/absent.db")
    try:
        with pytest.raises(Exception, match="does not exist"):
            open_watcher(db)
    finally:
        db.dispose()


def test_the_libpq_conninfo_keeps_every_part_of_the_url() -> None:
    url = make_url("postgresql+psycopg://ann:s3cr%40t@db.example:6543/firm?sslmode=require")
    parts = psycopg.conninfo.conninfo_to_dict(libpq_conninfo(url))
    assert parts["host"] == "db.example"
    assert parts["port"] == "6543"
    assert parts["dbname"] == "firm"
    assert parts["user"] == "ann"
    assert parts["password"] == "s3cr@t"
    assert parts["sslmode"] == "require"


def test_the_watcher_listens_on_the_channel_the_writers_notify() -> None:
    assert changefeed.CHANGE_CHANNEL == base.CHANGE_CHANNEL
