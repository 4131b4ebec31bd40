"""The audit key and the seen heads: what vouches for the chain from outside the database.

A new organisation keys its chain with a key file created 0600 beside the
configuration; every later event carries the keyed mark of its hash. Without the
key nothing is written and ``check`` says why instead of "all hold". A database
from before keyed logs is keyed and sealed by ``tektoro audit seal``, which refuses
while anything else is wrong. A chain that goes back after a write is caught even
when no check ran in between.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.data.engine import Database
from tektoro_tui.data.migrate import ensure_schema
from tektoro_tui.domain.audit import event_mark, key_fingerprint
from tektoro_tui.services.administration.presets import CompanyForm
from tektoro_tui.services.audit_key import (
    ENV_KEY_FILE,
    AuditKeyError,
    heads_file,
    key_file,
    read_key,
)
from tektoro_tui.services.base import Actor
from tektoro_tui.services.check import AUDIT_CHAIN, SEALED_ROWS, run_check
from tektoro_tui.services.check.sealing import prepare_seal
from tektoro_tui.services.hub import Services

from .test_check import build_ledger, drop_guards, run_sql


def _scalar(services: Services, sql: str) -> object:
    with services.db.read() as session:
        return session.execute(text(sql)).scalar_one()


def _details(report: object, invariant: str) -> str:
    return "\n".join(f.detail for f in report.failures_of(invariant))  # type: ignore[attr-defined]


# ==============================================================================================
# A new organisation is keyed
# ==============================================================================================


def test_init_creates_the_key_0600_and_marks_every_event(services: Services, admin: Actor) -> None:
    found = read_key()
    assert found.key is not None and found.path == key_file()
    assert stat.S_IMODE(os.stat(found.path).st_mode) == 0o600
    assert _scalar(services, "SELECT key_id FROM audit_head") == key_fingerprint(found.key)
    assert _scalar(services, "SELECT keyed_from FROM audit_head") == _scalar(
        services, "SELECT MIN(id) FROM audit_event"
    )
    services.presets.save_company(admin, CompanyForm(name="Acme Ltd"))
    with services.db.read() as session:
        events = session.execute(text("SELECT hash, mark FROM audit_event")).all()
    assert events and all(mark == event_mark(found.key, digest) for digest, mark in events)
    assert run_check(services.db).ok


def test_the_key_file_goes_where_the_environment_says(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "keys" / "firm.key"
    monkeypatch.setenv(ENV_KEY_FILE, str(elsewhere))
    services = Services.connect(db_url)
    try:
        services.auth.init_organisation("Northwind", "owner@example.com", "Olga", "owner-pass-1")
        assert elsewhere.exists() and key_file() == elsewhere
        assert run_check(services.db).ok
    finally:
        services.close()


# ==============================================================================================
# Without the key
# ==============================================================================================


def test_a_write_without_the_key_is_refused_and_writes_nothing(
    services: Services, admin: Actor
) -> None:
    key_file().rename(key_file().with_suffix(".moved"))
    events = _scalar(services, "SELECT COUNT(*) FROM audit_event")
    with pytest.raises(AuditKeyError, match=r"audit key file .*audit\.key is missing"):
        services.presets.save_company(admin, CompanyForm(name="Acme Ltd"))
    assert _scalar(services, "SELECT COUNT(*) FROM audit_event") == events
    assert _scalar(services, "SELECT COUNT(*) FROM company") == 0


def test_check_without_the_key_says_so_instead_of_all_hold(
    services: Services, admin: Actor
) -> None:
    key_file().unlink()
    report = run_check(services.db)
    assert not report.ok and report.failed == (AUDIT_CHAIN,)
    assert "the audit key file" in _details(report, AUDIT_CHAIN)
    assert "is missing" in _details(report, AUDIT_CHAIN)
    assert "hold" not in report.summary()


def test_check_with_another_key_says_so(services: Services, admin: Actor) -> None:
    key_file().write_text("ab" * 32 + "\n")
    report = run_check(services.db)
    assert report.failed == (AUDIT_CHAIN,)
    assert "is not the key this database is keyed with" in _details(report, AUDIT_CHAIN)
    with pytest.raises(AuditKeyError, match="is not the key this database is keyed with"):
        services.presets.save_company(admin, CompanyForm(name="Acme Ltd"))


def test_an_unreadable_key_file_is_named(services: Services, admin: Actor) -> None:
    key_file().write_text("not a key\n")
    report = run_check(services.db)
    assert "cannot be read" in _details(report, AUDIT_CHAIN)


# ==============================================================================================
# The seen heads
# ==============================================================================================


def test_every_write_records_its_head_so_a_later_rollback_is_caught(
    services: Services, admin: Actor
) -> None:
    """No check ran between the write and the tampering: the write itself was witnessed."""
    services.presets.save_company(admin, CompanyForm(name="Acme Ltd"))
    chains = json.loads(heads_file().read_text())["chains"]
    (seen,) = chains.values()
    last = _scalar(services, "SELECT MAX(id) FROM audit_event")
    assert seen["event_id"] == last
    drop_guards(services.db)
    run_sql(services.db, "DELETE FROM audit_event WHERE id = :id", id=last)
    run_sql(
        services.db,
        "UPDATE audit_head SET last_event_id = :i, "
        "last_hash = (SELECT hash FROM audit_event WHERE id = :i)",
        i=last - 1,
    )
    report = run_check(services.db)
    assert f"it ends at event #{last - 1} but event #{last} was seen" in _details(
        report, AUDIT_CHAIN
    )


def test_a_clean_check_records_the_head_and_a_tampered_one_does_not(
    services: Services, admin: Actor
) -> None:
    heads_file().unlink()
    assert run_check(services.db).ok
    assert heads_file().exists()
    heads_file().unlink()
    run_sql(services.db, "UPDATE audit_head SET key_id = 'f'")
    assert not run_check(services.db).ok
    assert not heads_file().exists()


# ==============================================================================================
# A database from before keyed audit logs
# ==============================================================================================


@pytest.fixture
def legacy(db_url: str) -> Database:
    """The small ledger of ``test_check``, its rows never sealed and its chain unkeyed."""
    database = Database.open(db_url)
    ensure_schema(database)
    build_ledger(database, sealed=False)
    yield database  # type: ignore[misc]
    database.dispose()


def test_a_legacy_database_fails_until_sealed_then_holds(legacy: Database) -> None:
    report = run_check(legacy)
    assert set(report.failed) == {AUDIT_CHAIN, SEALED_ROWS}
    assert "the audit log is not keyed" in _details(report, AUDIT_CHAIN)
    assert "the database has never been sealed" in _details(report, SEALED_ROWS)
    assert len(report.failures_of(SEALED_ROWS)) == 1  # one line, not one per row
    result = CliRunner().invoke(app, ["audit", "seal", "--yes", "--db", legacy.url])
    assert result.exit_code == 0, result.output
    assert "Sealed 17 ledger row(s)" in result.output
    report = run_check(legacy)
    assert report.ok, report.lines()


def test_sealing_refuses_while_anything_else_is_wrong(legacy: Database) -> None:
    run_sql(legacy, "UPDATE invoice_series SET last_number = 7 WHERE code = 'INV'")
    assert prepare_seal(legacy).blockers
    events = _count(legacy, "audit_event")
    result = CliRunner().invoke(app, ["audit", "seal", "--yes", "--db", legacy.url])
    assert result.exit_code == 1
    assert any(
        line.startswith("FAIL ") and "counter last_number is 7" in line
        for line in result.stdout.splitlines()
    )
    (refusal,) = result.stderr.splitlines()  # a refusal is one line, the problems listed above
    assert "Nothing was written" in refusal
    assert _count(legacy, "audit_event") == events


def test_sealing_asks_first(legacy: Database) -> None:
    result = CliRunner().invoke(app, ["audit", "seal", "--db", legacy.url], input="y\n")
    assert result.exit_code == 1
    assert "Pass --yes when there is no terminal to ask" in result.output
    assert not run_check(legacy).ok


def _count(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
