"""Ledger immutability is enforced by the database itself, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tektoro_tui.data.engine import Database
from tektoro_tui.data.guards import FROZEN_MARKER, GUARDED_TABLES, expected_guards
from tektoro_tui.data.migrate import MIGRATIONS_DIR, upgrade
from tektoro_tui.data.models import (
    Activity,
    AuditEvent,
    Company,
    DocumentLine,
    DocumentRecord,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    MasterInvoice,
    MasterInvoiceLine,
    Payment,
    Project,
    RateCode,
    Task,
    TimeEntry,
    UserAccount,
    metadata,
)
from tektoro_tui.errors import LedgerError

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TODAY = date(2026, 3, 2)


@pytest.fixture(params=["sqlite_url", "pg_url"])
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database on each backend."""
    database = Database.open(request.getfixturevalue(request.param))
    upgrade(database)
    try:
        yield database
    finally:
        database.dispose()


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    user_id: int
    client_id: int
    project_id: int
    task_id: int
    activity_id: int
    rate_code_id: int
    inv_series_id: int
    mi_series_id: int


def _add(db: Database, row: Any) -> int:
    with db.write() as session:
        session.add(row)
        session.flush()
        return int(row.id)


@pytest.fixture
def base(db: Database) -> Base:
    user_id = _add(db, UserAccount(name="Ada Admin", role="administrator", created_at=NOW))
    client_id = _add(db, Company(name="Client Ltd", created_at=NOW))
    project_id = _add(db, Project(name="Bridge", client_id=client_id, created_at=NOW))
    with db.read() as session:
        series = {s.code: int(s.id or 0) for s in session.execute(select(InvoiceSeries)).scalars()}
    return Base(
        user_id=user_id,
        client_id=client_id,
        project_id=project_id,
        task_id=_add(db, Task(project_id=project_id, name="Design")),
        activity_id=_add(db, Activity(name="Drawing")),
        rate_code_id=_add(db, RateCode(name="Senior", hourly_rate_cents=12_000)),
        inv_series_id=series["INV"],
        mi_series_id=series["MI"],
    )


def run(db: Database, sql: str, **params: Any) -> int:
    """Execute one statement in its own transaction; return the affected row count."""
    with db.engine.begin() as conn:
        return conn.execute(text(sql), params).rowcount


def scalar(db: Database, sql: str, **params: Any) -> Any:
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def refused(db: Database, sql: str, **params: Any) -> str:
    """Assert that the database refuses the statement as a frozen-ledger change."""
    with pytest.raises(DBAPIError) as info:
        run(db, sql, **params)
    message = str(info.value.orig)
    assert f"{FROZEN_MARKER}:" in message, message
    return message


def make_invoice(db: Database, base: Base) -> int:
    return _add(
        db,
        Invoice(
            series_id=base.inv_series_id,
            client_id=base.client_id,
            project_id=base.project_id,
            net_cents=10_000,
            vat_cents=2_300,
            gross_cents=12_300,
            buyer_name="Client Ltd",
            created_by_id=base.user_id,
            created_at=NOW,
        ),
    )


def make_line(db: Database, invoice_id: int, position: int = 1) -> int:
    return _add(
        db,
        InvoiceLine(
            invoice_id=invoice_id,
            position=position,
            description="Design work",
            net_cents=10_000,
            vat_bp=2300,
            vat_cents=2_300,
            gross_cents=12_300,
        ),
    )


def issue(db: Database, invoice_id: int, number: str = "INV/2026/0001") -> None:
    run(
        db,
        "UPDATE invoice SET status = 'issued', number = :number, seq = 1, "
        "issue_date = :day, issued_by_id = created_by_id, issued_at = created_at "
        "WHERE id = :id",
        number=number,
        day=TODAY,
        id=invoice_id,
    )


def make_time_entry(db: Database, base: Base, status: str = "draft") -> int:
    return _add(
        db,
        TimeEntry(
            owner_id=base.user_id,
            entered_by_id=base.user_id,
            project_id=base.project_id,
            task_id=base.task_id,
            activity_id=base.activity_id,
            rate_code_id=base.rate_code_id,
            work_date=TODAY,
            minutes=90,
            status=status,
            created_at=NOW,
        ),
    )


def make_master_invoice(db: Database, base: Base, number: str = "MI/2026/0001") -> int:
    return _add(
        db,
        MasterInvoice(
            series_id=base.mi_series_id,
            seq=int(number.rsplit("/", 1)[1]),
            number=number,
            contractor_id=base.user_id,
            period_start=date(2026, 2, 1),
            period_end=date(2026, 2, 28),
            issue_date=TODAY,
            total_minutes=90,
            total_cents=9_000,
            created_by_id=base.user_id,
            created_at=NOW,
        ),
    )


# --------------------------------------------------------------------------------------------
# client invoices
# --------------------------------------------------------------------------------------------


def test_draft_invoice_can_be_changed_and_deleted(db: Database, base: Base) -> None:
    invoice_id = make_invoice(db, base)
    line_id = make_line(db, invoice_id)
    assert run(db, "UPDATE invoice SET buyer_name = 'Other Ltd' WHERE id = :id", id=invoice_id)
    assert run(
        db,
        "UPDATE invoice SET net_cents = 20000, vat_cents = 4600, gross_cents = 24600 "
        "WHERE id = :id",
        id=invoice_id,
    )
    assert run(db, "UPDATE invoice_line SET description = 'Survey' WHERE id = :id", id=line_id)
    make_line(db, invoice_id, position=2)
    assert run(db, "DELETE FROM invoice_line WHERE invoice_id = :id", id=invoice_id) == 2
    assert run(db, "DELETE FROM invoice WHERE id = :id", id=invoice_id) == 1


def test_issued_invoice_is_frozen(db: Database, base: Base) -> None:
    invoice_id = make_invoice(db, base)
    line_id = make_line(db, invoice_id)
    issue(db, invoice_id)

    message = refused(
        db,
        "UPDATE invoice SET net_cents = 20000, vat_cents = 4600, gross_cents = 24600 "
        "WHERE id = :id",
        id=invoice_id,
    )
    assert "credit note" in message
    if db.backend == "postgresql":  # PostgreSQL names the invoice and the columns
        assert "INV/2026/0001" in message
        assert "net_cents" in message and "gross_cents" in message
    refused(db, "UPDATE invoice SET number = 'INV/2026/0099' WHERE id = :id", id=invoice_id)
    refused(db, "UPDATE invoice SET buyer_name = 'Someone Else' WHERE id = :id", id=invoice_id)
    refused(db, "UPDATE invoice SET issue_date = NULL WHERE id = :id", id=invoice_id)
    refused(db, "UPDATE invoice SET status = 'draft' WHERE id = :id", id=invoice_id)
    refused(db, "DELETE FROM invoice WHERE id = :id", id=invoice_id)

    # its lines are frozen with it
    refused(
        db,
        "INSERT INTO invoice_line (invoice_id, position, kind, description, detail, "
        "net_cents, vat_bp, vat_cents, gross_cents, reason) "
        "VALUES (:id, 2, 'service', 'extra', '', 100, 0, 0, 100, '')",
        id=invoice_id,
    )
    refused(db, "UPDATE invoice_line SET description = 'x' WHERE id = :id", id=line_id)
    refused(db, "DELETE FROM invoice_line WHERE id = :id", id=line_id)

    # a line of a draft may not be moved onto the issued invoice either
    draft_id = make_invoice(db, base)
    draft_line = make_line(db, draft_id)
    refused(
        db,
        "UPDATE invoice_line SET invoice_id = :target WHERE id = :id",
        target=invoice_id,
        id=draft_line,
    )

    # what may still happen to an issued invoice: sending, payment, booking, notices
    assert run(
        db, "UPDATE invoice SET status = 'sent', sent_at = :t WHERE id = :id", t=NOW, id=invoice_id
    )
    assert run(
        db,
        "UPDATE invoice SET status = 'paid', paid_cents = 12300, paid_at = :t WHERE id = :id",
        t=NOW,
        id=invoice_id,
    )
    assert run(db, "UPDATE invoice SET overdue_notice_days = 60 WHERE id = :id", id=invoice_id)
    assert run(
        db,
        "UPDATE invoice SET status = 'booked', booked_at = :t WHERE id = :id",
        t=NOW,
        id=invoice_id,
    )
    # nothing else changed
    assert scalar(db, "SELECT net_cents FROM invoice WHERE id = :id", id=invoice_id) == 10_000
    assert scalar(db, "SELECT number FROM invoice WHERE id = :id", id=invoice_id) == (
        "INV/2026/0001"
    )
    assert (
        scalar(db, "SELECT count(*) FROM invoice_line WHERE invoice_id = :id", id=invoice_id) == 1
    )


def test_frozen_invoice_surfaces_as_ledger_error(db: Database, base: Base) -> None:
    invoice_id = make_invoice(db, base)
    issue(db, invoice_id)

    with pytest.raises(LedgerError) as info, db.write() as session:
        session.execute(
            text("UPDATE invoice SET buyer_name = 'Changed' WHERE id = :id"),
            {"id": invoice_id},
        )
    assert str(info.value).startswith("Refused by the database:")
    assert "credit note" in str(info.value)
    assert FROZEN_MARKER not in str(info.value)

    # through the ORM as well
    with pytest.raises(LedgerError), db.write() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        invoice.commentary = "rewritten"
        session.add(invoice)
    with pytest.raises(LedgerError), db.write() as session:
        session.execute(text("DELETE FROM invoice WHERE id = :id"), {"id": invoice_id})

    with db.read() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        assert invoice.buyer_name == "Client Ltd" and invoice.commentary == ""


# --------------------------------------------------------------------------------------------
# append-only records
# --------------------------------------------------------------------------------------------


def test_document_records_and_lines_are_append_only(db: Database, base: Base) -> None:
    entry_id = make_time_entry(db, base, status="processed")
    document_id = _add(
        db,
        DocumentRecord(
            reference="DOC-0001",
            kind="invoice",
            client_id=base.client_id,
            project_id=base.project_id,
            total_minutes=90,
            value_cents=18_000,
            billed_cents=18_000,
            created_by_id=base.user_id,
            created_at=NOW,
        ),
    )
    line_id = _add(
        db,
        DocumentLine(
            document_id=document_id,
            time_entry_id=entry_id,
            work_date=TODAY,
            person_name="Ada Admin",
            project_name="Bridge",
            task_name="Design",
            activity_name="Drawing",
            minutes=90,
            rate_cents=12_000,
            value_cents=18_000,
            billed_cents=18_000,
        ),
    )
    refused(db, "UPDATE document_line SET billed_cents = 1 WHERE id = :id", id=line_id)
    refused(db, "DELETE FROM document_line WHERE id = :id", id=line_id)
    refused(db, "UPDATE document_record SET billed_cents = 1 WHERE id = :id", id=document_id)
    refused(db, "DELETE FROM document_record WHERE id = :id", id=document_id)


def test_payments_are_append_only(db: Database, base: Base) -> None:
    invoice_id = make_invoice(db, base)
    issue(db, invoice_id)
    payment_id = _add(
        db,
        Payment(
            invoice_id=invoice_id,
            method="wire",
            paid_on=TODAY,
            amount_cents=5_000,
            recorded_by_id=base.user_id,
            recorded_at=NOW,
        ),
    )
    message = refused(db, "UPDATE payment SET amount_cents = 1 WHERE id = :id", id=payment_id)
    assert "payment" in message
    refused(db, "DELETE FROM payment WHERE id = :id", id=payment_id)
    assert scalar(db, "SELECT amount_cents FROM payment WHERE id = :id", id=payment_id) == 5_000


def test_audit_events_are_append_only_but_the_head_moves(db: Database, base: Base) -> None:
    event_id = _add(
        db,
        AuditEvent(
            occurred_at=NOW,
            actor_id=base.user_id,
            actor_label="Ada Admin",
            action="invoice.issue",
            entity="invoice",
            entity_id="1",
            prev_hash="0" * 64,
            hash="a" * 64,
        ),
    )
    refused(db, "UPDATE audit_event SET action = 'nothing' WHERE id = :id", id=event_id)
    refused(db, "DELETE FROM audit_event WHERE id = :id", id=event_id)
    # the chain head pointer and the change feed are free to change
    assert run(
        db,
        "UPDATE audit_head SET last_event_id = :event, last_hash = :hash WHERE id = 1",
        event=event_id,
        hash="a" * 64,
    )
    run(
        db,
        "INSERT INTO change_event (occurred_at, entity, entity_id, action) "
        "VALUES (:t, 'invoice', '1', 'update')",
        t=NOW,
    )
    assert run(db, "UPDATE change_event SET action = 'issue'") == 1
    assert run(db, "DELETE FROM change_event") == 1


# --------------------------------------------------------------------------------------------
# contractor master invoices
# --------------------------------------------------------------------------------------------


def test_master_invoice_is_frozen_once_approved(db: Database, base: Base) -> None:
    draft_id = make_master_invoice(db, base, "MI/2026/0001")
    assert run(db, "UPDATE master_invoice SET total_cents = 1 WHERE id = :id", id=draft_id)
    assert run(db, "DELETE FROM master_invoice WHERE id = :id", id=draft_id) == 1

    mi_id = make_master_invoice(db, base, "MI/2026/0002")
    entry_id = make_time_entry(db, base, status="processed")
    line_id = _add(
        db,
        MasterInvoiceLine(
            master_invoice_id=mi_id,
            time_entry_id=entry_id,
            work_date=TODAY,
            minutes=90,
            pay_rate_cents=6_000,
            amount_cents=9_000,
        ),
    )
    refused(db, "UPDATE master_invoice_line SET amount_cents = 1 WHERE id = :id", id=line_id)
    refused(db, "DELETE FROM master_invoice_line WHERE id = :id", id=line_id)
    # the processed ticket may be attached to the contractor invoice
    assert run(
        db,
        "UPDATE time_entry SET master_invoice_id = :mi, pay_status = 'invoiced' WHERE id = :id",
        mi=mi_id,
        id=entry_id,
    )

    assert run(
        db,
        "UPDATE master_invoice SET status = 'approved', approved_by_id = :u, approved_at = :t "
        "WHERE id = :id",
        u=base.user_id,
        t=NOW,
        id=mi_id,
    )
    message = refused(db, "UPDATE master_invoice SET total_cents = 1 WHERE id = :id", id=mi_id)
    if db.backend == "postgresql":
        assert "MI/2026/0002" in message and "total_cents" in message
    refused(db, "UPDATE master_invoice SET period_end = :d WHERE id = :id", d=TODAY, id=mi_id)
    refused(db, "DELETE FROM master_invoice WHERE id = :id", id=mi_id)
    assert run(
        db,
        "UPDATE master_invoice SET status = 'paid', paid_cents = 9000, paid_at = :t WHERE id = :id",
        t=NOW,
        id=mi_id,
    )


# --------------------------------------------------------------------------------------------
# time entries
# --------------------------------------------------------------------------------------------


def test_processed_time_entry_is_frozen(db: Database, base: Base) -> None:
    entry_id = make_time_entry(db, base, status="processed")
    message = refused(db, "UPDATE time_entry SET minutes = 60 WHERE id = :id", id=entry_id)
    assert "pay status" in message
    refused(db, "UPDATE time_entry SET description = 'x' WHERE id = :id", id=entry_id)
    refused(db, "UPDATE time_entry SET status = 'approved' WHERE id = :id", id=entry_id)
    refused(db, "DELETE FROM time_entry WHERE id = :id", id=entry_id)
    assert run(
        db,
        "UPDATE time_entry SET pay_status = 'paid', updated_at = :t, version = version + 1 "
        "WHERE id = :id",
        t=NOW,
        id=entry_id,
    )
    assert scalar(db, "SELECT minutes FROM time_entry WHERE id = :id", id=entry_id) == 90
    assert scalar(db, "SELECT pay_status FROM time_entry WHERE id = :id", id=entry_id) == "paid"

    with pytest.raises(LedgerError) as info, db.write() as session:
        entry = session.get(TimeEntry, entry_id)
        assert entry is not None
        entry.minutes = 30
        session.add(entry)
    assert "time entr" in str(info.value)


def test_time_entries_before_processing(db: Database, base: Base) -> None:
    draft_id = make_time_entry(db, base, status="draft")
    assert run(db, "UPDATE time_entry SET minutes = 60 WHERE id = :id", id=draft_id)
    assert run(db, "DELETE FROM time_entry WHERE id = :id", id=draft_id) == 1

    rejected_id = make_time_entry(db, base, status="rejected")
    assert run(db, "DELETE FROM time_entry WHERE id = :id", id=rejected_id) == 1

    approved_id = make_time_entry(db, base, status="approved")
    assert run(
        db,
        "UPDATE time_entry SET status = 'allocated', allocation = 'bill' WHERE id = :id",
        id=approved_id,
    )
    message = refused(db, "DELETE FROM time_entry WHERE id = :id", id=approved_id)
    assert "draft or rejected" in message
    assert run(db, "UPDATE time_entry SET status = 'processed' WHERE id = :id", id=approved_id)


# --------------------------------------------------------------------------------------------
# PostgreSQL only: TRUNCATE skips row triggers, so it is refused outright
# --------------------------------------------------------------------------------------------


def test_truncate_is_refused_on_postgresql(db: Database, base: Base) -> None:
    if db.backend != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    for table in ("payment", "audit_event", "invoice_line", "time_entry"):
        refused(db, f"TRUNCATE {table} CASCADE")


# --------------------------------------------------------------------------------------------
# the trigger column lists must follow the models
# --------------------------------------------------------------------------------------------


def _load_revision(name: str) -> ModuleType:
    path = MIGRATIONS_DIR / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"tektoro_revision_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("table", "frozen", "mutable", "latest"),
    [
        ("invoice", "INVOICE_FROZEN", "INVOICE_MUTABLE", "0014_project_settlements"),
        ("master_invoice", "MASTER_INVOICE_FROZEN", "MASTER_INVOICE_MUTABLE", None),
        ("time_entry", "TIME_ENTRY_FROZEN", "TIME_ENTRY_MUTABLE", None),
    ],
)
def test_trigger_column_lists_cover_every_model_column(
    table: str, frozen: str, mutable: str, latest: str | None
) -> None:
    """A column added to a guarded table needs a migration that recreates its triggers
    (``latest``: the revision that last did, with the frozen list at head)."""
    triggers = _load_revision("0002_ledger_triggers")
    frozen_cols = set(getattr(_load_revision(latest) if latest else triggers, frozen))
    mutable_cols = set(getattr(triggers, mutable))
    assert not frozen_cols & mutable_cols
    assert frozen_cols | mutable_cols == {c.name for c in metadata.tables[table].columns}


# --------------------------------------------------------------------------------------------
# the guards `tektoro check` expects are the ones the migrations create
# --------------------------------------------------------------------------------------------


def _timing_key(timing: str) -> tuple[str, frozenset[str]]:
    """'BEFORE UPDATE OR DELETE' and PostgreSQL's 'BEFORE DELETE OR UPDATE' compare equal."""
    when, events = timing.split(" ", 1)
    return when, frozenset(events.split(" OR "))


def _created_guards(db: Database) -> dict[str, tuple[str, tuple[str, frozenset[str]], str]]:
    """Each guard trigger of a migrated database: its table, timing and function."""
    if db.backend == "sqlite":
        sql = "SELECT name, tbl_name AS tbl, '' AS function, sql AS ddl, sql AS body "
        sql += "FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = (
            "SELECT t.tgname AS name, c.relname AS tbl, p.proname AS function, "
            "pg_get_triggerdef(t.oid) AS ddl, p.prosrc AS body FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal"
        )
    with db.engine.connect() as conn:
        rows = [r for r in conn.execute(text(sql)) if r.name.startswith("tektoro_")]
    found = {}
    for row in rows:
        match = re.match(rf"CREATE TRIGGER {row.name} (.+?) ON (\w+\.)?{row.tbl} FOR EACH", row.ddl)
        assert match is not None, row.ddl
        assert FROZEN_MARKER in row.body, row.name
        found[row.name] = (row.tbl, _timing_key(match.group(1)), row.function)
    return found


def test_data_guards_list_exactly_the_triggers_the_migrations_create(db: Database) -> None:
    expected = {
        guard.name: (guard.table, _timing_key(guard.timing), guard.function)
        for guard in expected_guards(db.backend)
    }
    assert _created_guards(db) == expected
    assert {guard.table for guard in expected_guards(db.backend)} == set(GUARDED_TABLES)
