"""The shipped Alembic migrations on SQLite and PostgreSQL: upgrade, ensure, downgrade, drift."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from tektoro_tui.data import migrate
from tektoro_tui.data.engine import Database
from tektoro_tui.data.migrate import (
    HEAD,
    MIGRATIONS_DIR,
    SchemaStatus,
    downgrade,
    ensure_schema,
    head_revision,
    schema_status,
    upgrade,
)
from tektoro_tui.data.models import metadata
from tektoro_tui.errors import ConfigError, DatabaseError, ValidationError

ALL_REVISIONS = (
    "0001_initial",
    "0002_ledger_triggers",
    "0003_seed",
    "0004_time_entry_covering_indexes",
    "0005_time_day_total",
    "0006_terms_days_default_terms",
    "0007_input_refusals_codes",
    "0008_audit_seals",
    "0009_login_throttle",
    "0010_edit_versions",
    "0011_money_bigint",
    "0012_change_owner",
    "0013_wip_group_index",
    "0014_project_settlements",
    "0015_invoice_project_shares",
    "0016_subcontracts",
    "0017_crew_pay",
    "0018_day_total_per_statement",
    "0019_audit_text_lz4",
)


@pytest.fixture(params=["empty_sqlite_url", "empty_pg_url"])
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty database on each backend."""
    database = Database.open(request.getfixturevalue(request.param))
    try:
        yield database
    finally:
        database.dispose()


def _table_names(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _scalar(db: Database, sql: str) -> object:
    with db.engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_head_revision_is_the_last_shipped_revision() -> None:
    """HEAD is a constant so that a start need not load Alembic; it must follow the files."""
    assert head_revision() == ALL_REVISIONS[-1]
    assert head_revision() == HEAD, "a new revision must also update data/constants.py HEAD"


def test_an_up_to_date_database_is_checked_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'firm.db'}"
    database = Database.open(url)
    try:
        upgrade(database)
    finally:
        database.dispose()
    code = (
        "import sys\n"
        "from tektoro_tui.data.engine import Database\n"
        "from tektoro_tui.data.migrate import HEAD, ensure_schema\n"
        f"db = Database.open({url!r})\n"
        "assert ensure_schema(db).current == HEAD\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_migrations_folder_ships_environment_template_and_revisions() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    revisions = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py"))
    assert revisions == [f"{rev}.py" for rev in ALL_REVISIONS]


def test_revisions_do_not_import_the_program() -> None:
    """Revisions are frozen in time: they must not depend on today's models or types."""
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
        assert not [line for line in imports if "tektoro_tui" in line or "sqlmodel" in line]
        assert "UTCDateTime(" not in source, path.name
        assert "AutoString(" not in source, path.name


def test_empty_database_status(db: Database) -> None:
    status = schema_status(db)
    assert status == SchemaStatus(
        current=None, head=HEAD, is_empty=True, up_to_date=False, pending=ALL_REVISIONS
    )
    assert status.known


def test_upgrade_empty_database(db: Database) -> None:
    status = upgrade(db)
    assert status.current == HEAD
    assert status.up_to_date
    assert not status.is_empty
    assert status.pending == ()
    assert {t.name for t in metadata.sorted_tables} <= _table_names(db)


def test_upgrade_step_by_step(db: Database) -> None:
    status = upgrade(db, "0001_initial")
    assert status.current == "0001_initial"
    assert status.pending == ALL_REVISIONS[1:]
    assert not status.up_to_date and not status.is_empty
    assert upgrade(db).up_to_date


def test_seed_rows(db: Database) -> None:
    upgrade(db)
    with db.engine.connect() as conn:
        head = conn.execute(text("SELECT id, last_event_id, last_hash FROM audit_head")).all()
        series = conn.execute(
            text("SELECT code, name, prefix, last_number FROM invoice_series ORDER BY code")
        ).all()
    assert [tuple(r) for r in head] == [(1, 0, "0" * 64)]
    assert [tuple(r) for r in series] == [
        ("CN", "Credit notes", "CN", 0),
        ("INV", "Client invoices", "INV", 0),
        ("MI", "Contractor master invoices", "MI", 0),
    ]


def test_ensure_schema_upgrades_an_empty_database_then_is_a_no_op(db: Database) -> None:
    first = ensure_schema(db)
    assert first.up_to_date and first.current == HEAD
    second = ensure_schema(db)
    assert second == first
    assert _scalar(db, "SELECT count(*) FROM invoice_series") == 3
    assert _scalar(db, "SELECT count(*) FROM audit_head") == 1


def test_ensure_schema_refuses_a_database_that_is_behind(db: Database) -> None:
    upgrade(db, "0002_ledger_triggers")
    with pytest.raises(ConfigError) as info:
        ensure_schema(db)
    message = str(info.value)
    assert "tektoro db upgrade" in message
    assert "0002_ledger_triggers" in message and HEAD in message
    # nothing was changed by the refusal
    assert schema_status(db).current == "0002_ledger_triggers"


def test_ensure_schema_refuses_a_revision_from_a_newer_program(db: Database) -> None:
    upgrade(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    status = schema_status(db)
    assert status.current == "9999_future"
    assert not status.up_to_date and not status.known and status.pending == ()
    with pytest.raises(ConfigError) as info:
        ensure_schema(db)
    assert "9999_future" in str(info.value)
    assert "newer" in str(info.value)
    with pytest.raises(ConfigError):
        upgrade(db)


def test_ensure_schema_refuses_tables_without_a_revision(db: Database) -> None:
    metadata.create_all(db.engine)
    status = schema_status(db)
    assert status.current is None and not status.is_empty
    with pytest.raises(ConfigError) as info:
        ensure_schema(db)
    assert "no schema revision" in str(info.value)


def test_downgrade_to_base_and_upgrade_again(db: Database) -> None:
    upgrade(db)
    status = downgrade(db, "base")
    assert status.current is None and status.is_empty
    assert _table_names(db) <= {migrate.VERSION_TABLE}
    again = upgrade(db)
    assert again.up_to_date
    assert _scalar(db, "SELECT count(*) FROM invoice_series") == 3


def test_downgrade_one_step_removes_only_the_seed(db: Database) -> None:
    upgrade(db)
    status = downgrade(db, "0002_ledger_triggers")
    assert status.current == "0002_ledger_triggers"
    assert _scalar(db, "SELECT count(*) FROM invoice_series") == 0
    assert upgrade(db).up_to_date


def test_migrated_schema_matches_the_models(db: Database) -> None:
    upgrade(db)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "target_metadata": metadata}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_postgresql_compresses_the_audit_images_with_lz4(empty_pg_url: str) -> None:
    """0019: the audit event's images and seals are compressed with LZ4 (pglz took 0.1 s for
    every 4.7 MB image); its downgrade gives them the server's default back."""
    db = Database.open(empty_pg_url)
    methods = (
        "SELECT string_agg(attname || '=' || attcompression::text, ',' ORDER BY attname) "
        "FROM pg_attribute WHERE attrelid = 'audit_event'::regclass AND attnum > 0 "
        "AND attcompression::text <> ''"
    )
    try:
        upgrade(db)
        assert _scalar(db, methods) == "after_json=l,before_json=l,seals=l"
        image = '{"lines":[' + ",".join(f'{{"id":{n},"net_cents":{n * 7}}}' for n in range(60_000))
        with db.engine.connect() as conn:  # a large image as written now, rolled back
            conn.execute(
                text(
                    "INSERT INTO audit_event (occurred_at, actor_label, action, entity, "
                    "before_json, after_json, prev_hash, hash, seals) VALUES (now(), 'x', 'x', "
                    "'x', '', :image, '', '', '')"
                ),
                {"image": image + "]}"},
            )
            stored = conn.execute(
                text("SELECT pg_column_compression(after_json), after_json FROM audit_event")
            ).one()
            assert stored == ("lz4", image + "]}")
            conn.rollback()
        downgrade(db, "0018_day_total_per_statement")
        assert _scalar(db, methods) is None
        assert upgrade(db).up_to_date
        assert _scalar(db, methods) == "after_json=l,before_json=l,seals=l"
    finally:
        db.dispose()


def test_sqlite_foreign_keys_are_back_on_after_an_upgrade() -> None:
    """The upgrade switches enforcement off for batch mode; it must come back on."""
    db = Database.open("sqlite://")  # in memory: one connection shared by the whole test
    try:
        upgrade(db)
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.exec_driver_sql("SELECT count(*) FROM invoice_series").scalar_one() == 3
    finally:
        db.dispose()


def test_a_failing_migration_changes_nothing(db: Database) -> None:
    """Removing the seed under invoices that use it is refused and rolled back on both."""
    upgrade(db)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO user_account (name, role, pay_rate_cents, is_active, "
                "failed_logins, created_at) VALUES ('Ada', 'administrator', 0, true, 0, "
                "CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO master_invoice (series_id, seq, number, contractor_id, "
                "period_start, period_end, issue_date, status, total_minutes, total_cents, "
                "paid_cents, created_by_id, created_at) "
                "SELECT s.id, 1, 'MI/2026/0001', u.id, CURRENT_DATE, CURRENT_DATE, "
                "CURRENT_DATE, 'draft', 0, 0, 0, u.id, CURRENT_TIMESTAMP "
                "FROM invoice_series s, user_account u WHERE s.code = 'MI'"
            )
        )
    with pytest.raises(DatabaseError) as info:
        downgrade(db, "0002_ledger_triggers")
    assert "nothing was changed" in str(info.value)
    status = schema_status(db)
    assert status.current == HEAD and status.up_to_date
    assert _scalar(db, "SELECT count(*) FROM invoice_series") == 3
    assert _scalar(db, "SELECT count(*) FROM master_invoice") == 1


def test_an_unreachable_server_is_a_database_error() -> None:
    db = Database.open("postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2")
    try:
        with pytest.raises(DatabaseError):
            ensure_schema(db)
    finally:
        db.dispose()


def test_0007_renames_names_and_codes_that_clash_then_keys_them(db: Database) -> None:
    """Existing duplicates get " (2)" / "-2" (the lowest id keeps its name); then the unique
    indexes refuse any new one, case and spacing aside."""
    upgrade(db, "0005_time_day_total")
    now = "CURRENT_TIMESTAMP"
    with db.engine.begin() as conn:
        for ident, kind, name in (
            (1, "client", "Acme"),
            (2, "client", "ACME "),
            (3, "subcontractor", "acme"),
            (4, "client", "Acme (2)"),
        ):
            conn.execute(
                text(
                    "INSERT INTO company (id, kind, name, tax_id, billing_address, email, "
                    f"phone, is_active, created_at) VALUES ({ident}, '{kind}', '{name}', '', "
                    f"'', '', '', true, {now})"
                )
            )
        for ident, client, name, code in (
            (1, 1, "Brücke", "B-1"),
            (2, 1, "BRÜCKE", "b-1"),
            (3, 4, "Brücke", ""),
            (4, 1, "Hall", "  "),
        ):
            conn.execute(
                text(
                    "INSERT INTO project (id, code, name, client_id, valuation, progress_pct, "
                    f"status, is_active, created_at) VALUES ({ident}, '{code}', '{name}', "
                    f"{client}, 'tm', 0, 'active', true, {now})"
                )
            )
        for table, extra in (
            ("activity", ", billable_default"),
            ("rate_code", ", hourly_rate_cents"),
        ):
            value = "true" if table == "activity" else "0"
            for ident, name in ((1, "Design"), (2, "design")):
                conn.execute(
                    text(
                        f"INSERT INTO {table} (id, name, is_active{extra}) "
                        f"VALUES ({ident}, '{name}', true, {value})"
                    )
                )
        for ident, name in ((1, "Prüfung"), (2, "PRÜFUNG"), (3, "prüfung")):
            conn.execute(
                text(
                    "INSERT INTO task (id, project_id, name, is_active) "
                    f"VALUES ({ident}, 1, '{name}', true)"
                )
            )
    assert upgrade(db).up_to_date

    def rows(sql: str) -> list[tuple[object, ...]]:
        with db.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql)).all()]

    assert rows("SELECT id, name, name_key FROM company ORDER BY id") == [
        (1, "Acme", "acme"),
        (2, "ACME (3)", "acme (3)"),  # "ACME (2)" would clash with company 4
        (3, "acme", "acme"),  # a subcontractor: another scope
        (4, "Acme (2)", "acme (2)"),
    ]
    assert rows("SELECT id, name, code, code_key FROM project ORDER BY id") == [
        (1, "Brücke", "B-1", "b-1"),
        (2, "BRÜCKE (2)", "b-1-2", "b-1-2"),
        (3, "Brücke", "", None),  # another client's
        (4, "Hall", "  ", None),
    ]
    assert rows("SELECT name FROM task ORDER BY id") == [
        ("Prüfung",),
        ("PRÜFUNG (2)",),
        ("prüfung (3)",),
    ]
    assert rows("SELECT name FROM activity ORDER BY id") == [("Design",), ("design (2)",)]
    assert rows("SELECT work_date_window_days FROM organisation") == []
    with pytest.raises(ValidationError), db.write() as session:
        session.execute(
            text(
                "INSERT INTO activity (id, name, name_key, is_active, billable_default) "
                "VALUES (3, 'DESIGN', 'design', true, true)"
            )
        )
