"""Shared fixtures: a fresh database per test on SQLite or on the real PostgreSQL server.

``TEKTORO_TEST_DB=postgresql`` runs the database-backed tests against the
PostgreSQL server on 127.0.0.1:5432; otherwise they run on a SQLite file in a
temporary folder. Either way a test's database is a copy of a template migrated
once per test process (``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, a file
copy on SQLite), so no test pays for the migrations; on PostgreSQL a used copy is
emptied back to the template's rows for the next test rather than dropped
(``tests/pg_pool.py``), as a drop costs the server a checkpoint. Tests that are about
PostgreSQL itself use the ``pg_url`` fixture directly; tests of the schema set-up
ask for an ``empty_*`` database. When the server cannot be reached they are
skipped locally, but fail in CI (``TEKTORO_REQUIRE_PG=1``) so a missing server
never passes for a green run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.pg_pool import FAST_COMMITS, PgPool

PG_ADMIN_DSN = os.environ.get("TEKTORO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")

CHEAP_HASH_COST = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
"""argon2 cost for the suite's throw-away passwords: about 1 ms a hash instead of ~100 ms
(tests/services/test_auth.py checks the product's own cost separately)."""


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """New password hashes in this process use :data:`CHEAP_HASH_COST`, from the session's
    start: the databases built once for a module or the session (the demo firm's twenty
    users) are built before any test's own fixtures and hashed at the product's cost
    otherwise (about 2 s a demo). A test of the product's own cost sets it back itself."""
    from tektoro_tui.services.administration import auth

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "HASH_COST", CHEAP_HASH_COST)
        yield


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


def _pg_url(name: str) -> str:
    return f"{PG_ADMIN_DSN.rsplit('/', 1)[0]}/{name}"


def create_pg_database(template: str | None = None) -> str:
    """Create a uniquely named database (a copy of ``template`` if given); return its URL."""
    name = f"tektoro_test_{uuid.uuid4().hex[:12]}"
    clause = f' TEMPLATE "{template}"' if template else ""
    with _pg_admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"{clause}')
    return _pg_url(name)


def _drop_now(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _pg_admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_DROPPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-drop")
_PENDING_DROPS: list[Future[None]] = []


def drop_pg_database(url: str) -> None:
    """Drop a database made by :func:`create_pg_database`, closing leftover connections.

    The drop runs in a background thread (it can take a second while PostgreSQL checkpoints);
    the session waits for every pending drop at its end.
    """
    _PENDING_DROPS.append(_DROPPER.submit(_drop_now, url))


def _migrated(url: str) -> None:
    from tektoro_tui.data.engine import Database
    from tektoro_tui.data.migrate import upgrade

    db = Database.open(url)
    try:
        upgrade(db)
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """The name of a migrated PostgreSQL database that tests copy (one per test process)."""
    url = create_pg_database()
    name = url.rsplit("/", 1)[1]
    with _pg_admin_connect() as conn:
        conn.execute(f'ALTER DATABASE "{name}" {FAST_COMMITS}')
    _migrated(url)
    try:
        yield name
    finally:
        drop_pg_database(url)  # after its copies' drops (one thread, in order)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that tests copy (one per test process)."""
    path = tmp_path_factory.mktemp("template") / "tektoro.db"
    _migrated(f"sqlite:///{path}")
    return path


def copy_sqlite_template(template: Path, target: Path) -> str:
    """Copy the migrated template to ``target`` and return the file's URL."""
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (no schema; dropped afterwards)."""
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


def _pg_connect(name: str | None):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(_pg_url(name) if name else PG_ADMIN_DSN, autocommit=True)


@pytest.fixture(scope="session")
def pg_pool(pg_template: str) -> Iterator[PgPool]:
    """This process's migrated databases, emptied after each test instead of dropped."""
    pool = PgPool(pg_template, create_pg_database, drop_pg_database, _pg_connect)
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def pg_url(pg_pool: PgPool) -> Iterator[str]:
    """A PostgreSQL database holding exactly a fresh copy of the migrated template: a new
    copy, or one an earlier test used, emptied back (:mod:`tests.pg_pool`)."""
    url = pg_pool.take()
    try:
        yield url
    finally:
        pg_pool.give_back(url)


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    """The URL of a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'tektoro.db'}"


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh SQLite file with this program's schema."""
    return copy_sqlite_template(sqlite_template, tmp_path / "tektoro.db")


def test_backend() -> str:
    """The backend chosen for this run: ``sqlite`` (default) or ``postgresql``."""
    return os.environ.get("TEKTORO_TEST_DB", "sqlite")


test_backend.__test__ = False  # type: ignore[attr-defined]


def backend_fixture() -> str:
    """The fixture of a fresh migrated database on this run's backend."""
    return "pg_url" if test_backend() == "postgresql" else "sqlite_url"


@pytest.fixture
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database with this program's schema, on the backend of this run."""
    return str(request.getfixturevalue(backend_fixture()))


@pytest.fixture
def empty_db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database without any schema, on the backend of this run."""
    name = "empty_pg_url" if test_backend() == "postgresql" else "empty_sqlite_url"
    return str(request.getfixturevalue(name))


BACKEND_FIXTURES = frozenset({"db_url", "empty_db_url", "world_template", "demo_template"})
"""Tests that use one of these (a database of the run's backend, or one built once per module
by :func:`built_template`) run on the backend chosen for the run; all others are the same
on every backend (pure rules, exports, screens on SQLite, tests that name their backend)."""


FACE_TESTS = ("tests/tui/", "tests/cli/")
"""Screen and command-line tests follow the backend only when marked ``pg_story``: a screen
or a command calls services, which the services' own tests run on PostgreSQL, so what the
PostgreSQL pass repeats of the faces is one whole story per area, every dry run, the sessions
and the database named on the command line, and everything that waits on another session's
change (PostgreSQL's change feed is its own: LISTEN/NOTIFY). Input refused before any service
is asked is the same on every backend."""


def _follows_backend(item: pytest.Item) -> bool:
    if not BACKEND_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return False
    face = any(prefix in item.nodeid for prefix in FACE_TESTS)
    return not face or item.get_closest_marker("pg_story") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that follow the run's backend; on PostgreSQL run only those.

    The SQLite pass runs the whole suite (tests that need PostgreSQL itself ask for ``pg_url``
    and get it there); the PostgreSQL pass repeats only what can differ between backends.
    """
    follows = []
    rest = []
    for item in items:
        if _follows_backend(item):
            item.add_marker(pytest.mark.backend)
            follows.append(item)
        else:
            rest.append(item)
    if test_backend() == "postgresql" and not os.environ.get("TEKTORO_TEST_ALL"):
        config.hook.pytest_deselected(items=rest)
        items[:] = follows


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Wait for the databases still being dropped in the background."""
    for future in _PENDING_DROPS:
        future.exception()


# --- databases built once per module ---------------------------------------------------------


class BuiltTemplate:
    """A database built once (a demo firm, say) that each test gets a fresh copy of.

    On SQLite the built file is copied; on PostgreSQL the built database is the template of a
    pool of its own (:class:`tests.pg_pool.PgPool`), so its copies are emptied back to what was
    built rather than dropped. The audit key it was built with stays in the template's own
    home; :meth:`copy` points the test at it.
    """

    def __init__(self, url: str, key_file: Path, pool: PgPool | None) -> None:
        self.url, self.key_file, self._pool = url, key_file, pool
        self._taken: list[str] = []

    def copy(self, target: Path, monkeypatch: pytest.MonkeyPatch) -> str:
        """A fresh copy (SQLite: at ``target``) whose audit key the test's home knows."""
        from tektoro_tui.services.audit_key import ENV_KEY_FILE

        monkeypatch.setenv(ENV_KEY_FILE, str(self.key_file))
        if self._pool is None:
            shutil.copyfile(self.url.removeprefix("sqlite:///"), target)
            return f"sqlite:///{target}"
        url = self._pool.take()
        self._taken.append(url)
        return url

    def give_back(self) -> None:
        """Hand the copies taken by the test that ends back to the pool."""
        while self._pool is not None and self._taken:
            self._pool.give_back(self._taken.pop())

    def close(self) -> None:
        """Drop the copies (the built database itself belongs to its maker)."""
        if self._pool is not None:
            self._pool.close()


@contextmanager
def built_template(
    request: pytest.FixtureRequest, build: Callable[[str], None]
) -> Iterator[BuiltTemplate]:
    """Build a database once with ``build(url)`` on this run's backend; yield its template."""
    from tektoro_tui.services.audit_key import ENV_KEY_FILE

    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    home = factory.mktemp("template-home")
    saved = {name: os.environ.get(name) for name in ("TEKTORO_HOME", ENV_KEY_FILE)}
    os.environ["TEKTORO_HOME"] = str(home)
    os.environ.pop(ENV_KEY_FILE, None)
    pg: PgPool | None = None
    built: str | None = None
    try:
        if test_backend() == "postgresql":
            pg = request.getfixturevalue("pg_pool")
            built = pg.take()
        else:
            template = request.getfixturevalue("sqlite_template")
            built = copy_sqlite_template(template, factory.mktemp("built") / "tektoro.db")
        build(built)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    key_file = home / "config" / "audit.key"
    assert key_file.exists(), "the build made no audit key in its home"
    copies = None
    if pg is not None:
        copies = PgPool(built.rsplit("/", 1)[1], create_pg_database, drop_pg_database, _pg_connect)
    template_ = BuiltTemplate(built, key_file, copies)
    try:
        yield template_
    finally:
        template_.close()
        if pg is not None:
            pg.give_back(built)


@contextmanager
def copied_or_fresh(
    request: pytest.FixtureRequest, wanted: str, template_fixture: str, target: Path
) -> Iterator[str]:
    """The URL a module's ``db_url`` gives: a fresh copy of the database its
    ``template_fixture`` built (a ``(BuiltTemplate, ...)`` pair) for the tests that ask for
    the fixture ``wanted``; a fresh empty database of the run's backend for the others."""
    if wanted not in request.fixturenames:
        yield str(request.getfixturevalue(backend_fixture()))
        return
    template = request.getfixturevalue(template_fixture)[0]
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    try:
        yield template.copy(target, monkeypatch)
    finally:
        template.give_back()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep the garbage collector out of the way of the tests.

    Everything loaded by now (Textual, SQLAlchemy, the app) is moved out of the collector's
    reach (``gc.freeze``), and collections run less often: a Pilot test makes many short-lived
    objects, and each full collection used to walk every module the app imports. Measured on
    the form and list screen tests: 1.22x less CPU, 1.13x less wall time, 35 MB more memory
    per test process.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
