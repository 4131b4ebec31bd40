"""``run_check`` / ``tektoro check``: a valid ledger passes; tampering below the ORM is caught.

The ledger is built with plain Core inserts (the services that will build it do
not exist yet); audit events go through a real :class:`UnitOfWork`. Tampering
happens with raw SQL after the frozen-record triggers (and, where needed, a
unique constraint) are dropped, the way someone with direct database access
would do it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.data import models as m
from tektoro_tui.data.engine import Database
from tektoro_tui.data.migrate import ensure_schema
from tektoro_tui.domain.audit import GENESIS_HASH, canonical_json, event_hash
from tektoro_tui.services.base import FixedClock, ServiceBase, format_timestamp
from tektoro_tui.services.check import (
    AUDIT_CHAIN,
    DOCUMENT_RECORDS,
    IMMUTABILITY_GUARDS,
    INVARIANTS,
    INVOICE_NUMBERING,
    INVOICE_TOTALS,
    NO_DOUBLE_BILLING,
    PAYMENTS,
    SEALED_ROWS,
    TIME_SUMMARY,
    CheckFailure,
    CheckReport,
    run_check,
    verify_chain,
)
from tektoro_tui.services.check.sealing import seal_ledger

T0 = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
AUDIT_EVENTS = 6  # five appended by _append_audit_events, then the seal


# ==============================================================================================
# A small valid ledger
# ==============================================================================================


def insert_row(conn: Connection, table: str, **values: Any) -> int:
    """Insert one row with SQLAlchemy Core (column defaults apply); return its id."""
    result = conn.execute(m.metadata.tables[table].insert().values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _series_id(conn: Connection, code: str) -> int:
    found = conn.execute(text("SELECT id FROM invoice_series WHERE code = :c"), {"c": code})
    return int(found.scalar_one())


def build_ledger(db: Database, *, sealed: bool = True) -> dict[str, int]:
    """Org, users, presets, three processed entries on one document record, two issued
    invoices (INV 1 and 2) with their lines, payments, a contractor invoice, audit events.

    The rows go in below the program, so the ledger ends with ``tektoro audit seal``
    vouching for them (``sealed=False`` leaves it as a database from before seals)."""
    ids: dict[str, int] = {}
    with db.engine.begin() as conn:
        insert_row(conn, "organisation", id=1, name="Northwind Studio", created_at=T0)
        admin = insert_row(
            conn,
            "user_account",
            name="Olga Owner",
            email="owner@example.com",
            email_key="owner@example.com",
            role="administrator",
            created_at=T0,
        )
        staff = insert_row(
            conn,
            "user_account",
            name="Sam Staff",
            email="sam@example.com",
            email_key="sam@example.com",
            role="staff",
            supervisor_id=admin,
            pay_rate_cents=4000,
            created_at=T0,
        )
        client = insert_row(conn, "company", kind="client", name="Acme Ltd", created_at=T0)
        project = insert_row(conn, "project", name="Bridge", client_id=client, created_at=T0)
        task = insert_row(conn, "task", project_id=project, name="Design")
        activity = insert_row(conn, "activity", name="Drawing")
        rate = insert_row(conn, "rate_code", name="Standard", hourly_rate_cents=10_000)
        doc = insert_row(
            conn,
            "document_record",
            reference="DOC-0001",
            kind="invoice",
            client_id=client,
            project_id=project,
            total_minutes=180,
            value_cents=30_000,
            billed_cents=30_000,
            write_down_cents=0,
            created_by_id=admin,
            created_at=T0,
        )
        entries = []
        doc_lines = []
        for day, minutes in ((2, 60), (3, 90), (4, 30)):
            value = minutes * 10_000 // 60
            entry = insert_row(
                conn,
                "time_entry",
                owner_id=staff,
                entered_by_id=staff,
                project_id=project,
                task_id=task,
                activity_id=activity,
                rate_code_id=rate,
                work_date=date(2026, 3, day),
                minutes=minutes,
                status="processed",
                pay_status="unpaid",
                rate_cents=10_000,
                value_cents=value,
                document_id=doc,
                created_at=T0,
            )
            entries.append(entry)
            doc_lines.append(
                insert_row(
                    conn,
                    "document_line",
                    document_id=doc,
                    time_entry_id=entry,
                    work_date=date(2026, 3, day),
                    person_name="Sam Staff",
                    project_name="Bridge",
                    task_name="Design",
                    activity_name="Drawing",
                    minutes=minutes,
                    rate_cents=10_000,
                    value_cents=value,
                    billed_cents=value,
                )
            )
        inv_series = _series_id(conn, "INV")
        invoices = []
        plan = (
            (1, date(2026, 3, 5), [(doc_lines[0], 10_000), (doc_lines[1], 15_000)]),
            (2, date(2026, 3, 6), [(doc_lines[2], 5_000)]),
        )
        for seq, issued, lines in plan:
            invoice = insert_row(
                conn,
                "invoice",
                series_id=inv_series,
                client_id=client,
                project_id=project,
                document_id=doc,
                created_by_id=admin,
                created_at=T0,
            )
            for position, (doc_line, net) in enumerate(lines, start=1):
                vat = net * 23 // 100
                insert_row(
                    conn,
                    "invoice_line",
                    invoice_id=invoice,
                    position=position,
                    kind="time",
                    net_cents=net,
                    vat_bp=2300,
                    vat_cents=vat,
                    gross_cents=net + vat,
                    document_line_id=doc_line,
                )
            net = sum(n for _l, n in lines)
            vat = sum(n * 23 // 100 for _l, n in lines)
            conn.execute(
                text(
                    "UPDATE invoice SET status = 'issued', seq = :seq, number = :number, "
                    "issue_date = :d, net_cents = :net, vat_cents = :vat, gross_cents = :gross, "
                    "issued_by_id = :admin WHERE id = :id"
                ),
                {
                    "seq": seq,
                    "number": f"INV/2026/{seq:05d}",
                    "d": issued,
                    "net": net,
                    "vat": vat,
                    "gross": net + vat,
                    "admin": admin,
                    "id": invoice,
                },
            )
            invoices.append(invoice)
        conn.execute(
            text(
                "UPDATE invoice_series SET last_number = 2, last_issue_date = :d WHERE code = 'INV'"
            ),
            {"d": date(2026, 3, 6)},
        )
        # invoice 1 (30,750 gross) partly paid, invoice 2 (6,150 gross) paid in full
        for invoice, amount, status in (
            (invoices[0], 10_000, "partially_paid"),
            (invoices[1], 6_150, "paid"),
        ):
            insert_row(
                conn,
                "payment",
                invoice_id=invoice,
                method="wire",
                paid_on=date(2026, 3, 9),
                amount_cents=amount,
                recorded_by_id=admin,
                recorded_at=T0,
            )
            conn.execute(
                text("UPDATE invoice SET paid_cents = :p, status = :s WHERE id = :id"),
                {"p": amount, "s": status, "id": invoice},
            )
        # the contractor's master invoice for the first entry, approved and paid
        master = insert_row(
            conn,
            "master_invoice",
            series_id=_series_id(conn, "MI"),
            seq=1,
            number="MI/2026/00001",
            contractor_id=staff,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 7),
            issue_date=date(2026, 3, 8),
            status="draft",
            created_by_id=admin,
            created_at=T0,
        )
        insert_row(
            conn,
            "master_invoice_line",
            master_invoice_id=master,
            time_entry_id=entries[0],
            work_date=date(2026, 3, 2),
            minutes=60,
            pay_rate_cents=4000,
            amount_cents=4000,
        )
        conn.execute(
            text(
                "UPDATE master_invoice SET status = 'approved', total_minutes = 60, "
                "total_cents = 4000, approved_by_id = :a WHERE id = :id"
            ),
            {"a": admin, "id": master},
        )
        conn.execute(
            text(
                "UPDATE time_entry SET master_invoice_id = :mi, pay_status = 'paid' WHERE id = :e"
            ),
            {"mi": master, "e": entries[0]},
        )
        insert_row(
            conn,
            "payment",
            master_invoice_id=master,
            method="wire",
            paid_on=date(2026, 3, 9),
            amount_cents=4000,
            recorded_by_id=admin,
            recorded_at=T0,
        )
        conn.execute(
            text("UPDATE master_invoice SET paid_cents = 4000, status = 'paid' WHERE id = :id"),
            {"id": master},
        )
        conn.execute(
            text(
                "UPDATE invoice_series SET last_number = 1, last_issue_date = :d WHERE code = 'MI'"
            ),
            {"d": date(2026, 3, 8)},
        )
        ids.update(
            admin=admin,
            staff=staff,
            client=client,
            project=project,
            doc=doc,
            inv1=invoices[0],
            inv2=invoices[1],
            master=master,
            entry1=entries[0],
            entry2=entries[1],
            entry3=entries[2],
        )
    _append_audit_events(db, ids)
    if sealed:
        seal_ledger(db, FixedClock(T0 + timedelta(minutes=10)))
    return ids


def _append_audit_events(db: Database, ids: dict[str, int]) -> None:
    """Append audit events through real units of work (two transactions, five events)."""
    clock = FixedClock(T0)
    service = ServiceBase(db, clock)
    with service._write(None) as uow:
        uow.audit("issue", "invoice", ids["inv1"], {"status": "draft"}, {"status": "issued"})
        uow.audit("issue", "invoice", ids["inv2"], {"status": "draft"}, {"status": "issued"})
        uow.audit("approve", "master_invoice", ids["master"], None, {"status": "approved"})
    clock.advance(minutes=5, microseconds=123)
    with service._write(None) as uow:
        uow.audit("record_payment", "invoice", ids["inv1"], None, {"amount_cents": 10_000})
        uow.audit("record_payment", "invoice", ids["inv2"], None, {"amount_cents": 6_150})


@pytest.fixture(params=["sqlite_url", "pg_url"])
def url(request: pytest.FixtureRequest) -> str:
    """A migrated database URL on each backend."""
    return str(request.getfixturevalue(request.param))


@pytest.fixture
def db(url: str) -> Iterator[Database]:
    """A migrated database on each backend."""
    database = Database.open(url)
    try:
        ensure_schema(database)
        yield database
    finally:
        database.dispose()


@pytest.fixture
def ledger(db: Database) -> dict[str, int]:
    """The ids of the small valid ledger built in ``db``."""
    return build_ledger(db)


# ==============================================================================================
# Tampering below the ORM
# ==============================================================================================


def run_sql(db: Database, *statements: str, **params: Any) -> None:
    """Run raw SQL statements in one transaction, with the same parameters each."""
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def drop_guards(db: Database) -> list[str]:
    """Drop every frozen-record trigger with raw SQL; return their names."""
    with db.engine.begin() as conn:
        if db.backend == "sqlite":
            names = list(
                conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                ).scalars()
            )
            for name in names:
                conn.execute(text(f"DROP TRIGGER {name}"))
            return names
        rows = conn.execute(
            text(
                "SELECT t.tgname, c.relname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
            )
        ).all()
        for name, table in rows:
            conn.execute(text(f"DROP TRIGGER {name} ON {table}"))
        return [name for name, _table in rows]


def drop_unique(db: Database, table: str, constraint: str) -> None:
    """Drop a unique constraint: ALTER TABLE on PostgreSQL, a table rebuild on SQLite
    (whose table-level UNIQUE constraints are indexes that cannot be dropped)."""
    if db.backend == "postgresql":
        run_sql(db, f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
        return
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                create = conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                    {"t": table},
                ).scalar_one()
                pattern = rf",\s*CONSTRAINT\s+{constraint}\s+UNIQUE\s*\([^)]*\)"
                stripped, n = re.subn(pattern, "", create)
                assert n == 1, create
                stripped = stripped.replace(f"TABLE {table}", f"TABLE {table}__rebuilt", 1)
                conn.execute(text(stripped))
                conn.execute(text(f"INSERT INTO {table}__rebuilt SELECT * FROM {table}"))
                conn.execute(text(f"DROP TABLE {table}"))
                conn.execute(text(f"ALTER TABLE {table}__rebuilt RENAME TO {table}"))
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


@pytest.fixture
def tampered(db: Database, ledger: dict[str, int]) -> dict[str, int]:
    """The valid ledger with its guards gone: triggers and the unique document-line index."""
    assert drop_guards(db)
    drop_unique(db, "document_line", "uq_document_line_time_entry_id")
    return ledger


def _failed(report: CheckReport) -> set[str]:
    return set(report.failed)


def _details(report: CheckReport, invariant: str) -> str:
    return "\n".join(f.detail for f in report.failures_of(invariant))


# ==============================================================================================
# The valid ledger
# ==============================================================================================


def test_valid_ledger_passes_every_invariant(db: Database, ledger: dict[str, int]) -> None:
    report = run_check(db)
    assert report.ok, report.lines()
    assert report.checked == INVARIANTS
    assert report.failures == ()
    lines = report.lines()
    assert lines[:-1] == [f"OK   {name}" for name in INVARIANTS]
    assert "All 12 ledger invariants hold" in lines[-1]
    counts = dict(report.counts)
    assert counts["invoices"] == 2
    assert counts["audit events"] == AUDIT_EVENTS
    data = json.loads(json.dumps(report.as_dict()))
    assert data["ok"] is True
    assert data["invariants"] == {name: "ok" for name in INVARIANTS}
    assert data["failures"] == []


def test_empty_database_passes(db: Database) -> None:
    report = run_check(db)
    assert report.ok, report.lines()


def test_dropping_triggers_alone_breaks_only_the_guards(
    db: Database, ledger: dict[str, int]
) -> None:
    drop_guards(db)
    report = run_check(db)
    assert _failed(report) == {IMMUTABILITY_GUARDS}
    details = _details(report, IMMUTABILITY_GUARDS)
    for table in (
        "invoice",
        "invoice_line",
        "document_record",
        "document_line",
        "payment",
        "audit_event",
        "time_entry",
        "master_invoice",
        "master_invoice_line",
    ):
        assert f"table {table} has no frozen-record trigger" in details


def test_one_missing_trigger_is_named_with_its_table(db: Database, ledger: dict[str, int]) -> None:
    if db.backend == "sqlite":
        run_sql(db, "DROP TRIGGER tektoro_payment_no_delete")
        expected = "table payment is missing the trigger(s) tektoro_payment_no_delete"
    else:
        run_sql(db, "DROP TRIGGER tektoro_guard_payment ON payment")
        expected = "table payment is missing the trigger(s) tektoro_guard_payment"
    report = run_check(db)
    assert _failed(report) == {IMMUTABILITY_GUARDS}
    assert expected in _details(report, IMMUTABILITY_GUARDS)


def test_a_trigger_replaced_by_a_no_op_is_caught(db: Database, ledger: dict[str, int]) -> None:
    if db.backend == "sqlite":
        run_sql(
            db,
            "DROP TRIGGER tektoro_audit_event_no_update",
            "CREATE TRIGGER tektoro_audit_event_no_update BEFORE UPDATE ON audit_event "
            "FOR EACH ROW BEGIN SELECT 1; END",
        )
        name = "tektoro_audit_event_no_update"
    else:
        run_sql(db, "ALTER TABLE audit_event DISABLE TRIGGER tektoro_guard_audit_event")
        name = "tektoro_guard_audit_event"
    report = run_check(db)
    assert _failed(report) == {IMMUTABILITY_GUARDS}
    assert f"trigger {name} on table audit_event" in _details(report, IMMUTABILITY_GUARDS)


# ==============================================================================================
# Tampering, one invariant at a time
# ==============================================================================================


def test_tampered_guards_without_data_changes_break_only_the_guards(
    db: Database, tampered: dict[str, int]
) -> None:
    assert _failed(run_check(db)) == {IMMUTABILITY_GUARDS}


def test_changed_invoice_net_breaks_invoice_totals(db: Database, tampered: dict[str, int]) -> None:
    # gross moves with net: the table's CHECK (gross = net + vat) still holds
    run_sql(
        db,
        "UPDATE invoice SET net_cents = net_cents + 1000, gross_cents = gross_cents + 1000 "
        "WHERE id = :id",
        id=tampered["inv1"],
    )
    report = run_check(db)
    assert not report.ok
    assert _failed(report) == {INVOICE_TOTALS, SEALED_ROWS, IMMUTABILITY_GUARDS}
    detail = _details(report, INVOICE_TOTALS)
    assert "INV/2026/00001" in detail and "26,000" in detail and "25,000" in detail


def test_vat_arithmetic_is_checked_on_invoice_and_line(
    db: Database, tampered: dict[str, int]
) -> None:
    updates = (
        "UPDATE invoice SET gross_cents = gross_cents + 1 WHERE id = :id",
        "UPDATE invoice_line SET gross_cents = gross_cents + 1 WHERE invoice_id = :id",
    )
    if db.backend == "postgresql":
        run_sql(
            db,
            "ALTER TABLE invoice DROP CONSTRAINT ck_invoice_gross",
            "ALTER TABLE invoice_line DROP CONSTRAINT ck_invoice_line_gross",
            *updates,
            id=tampered["inv2"],
        )
    else:
        with db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA ignore_check_constraints = ON")
            with conn.begin():
                for statement in updates:
                    conn.execute(text(statement), {"id": tampered["inv2"]})
            raw.execute("PRAGMA ignore_check_constraints = OFF")
    report = run_check(db)
    detail = _details(report, INVOICE_TOTALS)
    assert "gross 6,151 <> net 5,000 + VAT 1,150" in detail
    assert "line 1" in detail


def test_deleted_invoice_one_leaves_a_gap(db: Database, tampered: dict[str, int]) -> None:
    run_sql(
        db,
        "DELETE FROM payment WHERE invoice_id = :id",
        "DELETE FROM invoice_line WHERE invoice_id = :id",
        "DELETE FROM invoice WHERE id = :id",
        id=tampered["inv1"],
    )
    report = run_check(db)
    assert _failed(report) == {INVOICE_NUMBERING, SEALED_ROWS, IMMUTABILITY_GUARDS}
    detail = _details(report, INVOICE_NUMBERING)
    assert "series INV: gap in the numbering, sequence number 1 is missing before 2" in detail
    assert "last_number is 2 but the series holds 1 numbered invoice(s)" in detail


def test_duplicated_seq_is_caught(db: Database, tampered: dict[str, int]) -> None:
    drop_unique(db, "invoice", "uq_invoice_series_seq")
    run_sql(db, "UPDATE invoice SET seq = 1 WHERE id = :id", id=tampered["inv2"])
    report = run_check(db)
    assert _failed(report) == {INVOICE_NUMBERING, SEALED_ROWS, IMMUTABILITY_GUARDS}
    detail = _details(report, INVOICE_NUMBERING)
    assert "series INV: sequence number 1 is used by 2 invoices" in detail


def test_draft_with_a_number_is_caught(db: Database, tampered: dict[str, int]) -> None:
    run_sql(
        db,
        "UPDATE invoice SET status = 'draft', paid_cents = 0 WHERE id = :id",
        "DELETE FROM payment WHERE invoice_id = :id",
        id=tampered["inv2"],
    )
    report = run_check(db)
    detail = _details(report, INVOICE_NUMBERING)
    assert f"draft invoice #{tampered['inv2']} already carries seq 2" in detail


def test_issue_date_earlier_than_the_previous_number(
    db: Database, tampered: dict[str, int]
) -> None:
    run_sql(
        db,
        "UPDATE invoice SET issue_date = :d WHERE id = :id",
        d=date(2026, 3, 1),
        id=tampered["inv2"],
    )
    report = run_check(db)
    assert _failed(report) == {INVOICE_NUMBERING, SEALED_ROWS, IMMUTABILITY_GUARDS}
    detail = _details(report, INVOICE_NUMBERING)
    assert "INV/2026/00002" in detail and "2026-03-01" in detail
    assert "earlier than the previous number INV/2026/00001 dated 2026-03-05" in detail


def test_second_document_line_for_a_processed_entry(db: Database, tampered: dict[str, int]) -> None:
    with db.engine.begin() as conn:
        insert_row(
            conn,
            "document_line",
            document_id=tampered["doc"],
            time_entry_id=tampered["entry2"],
            work_date=date(2026, 3, 3),
            person_name="Sam Staff",
            project_name="Bridge",
            task_name="Design",
            activity_name="Drawing",
            minutes=90,
            rate_cents=10_000,
            value_cents=15_000,
            billed_cents=15_000,
        )
    report = run_check(db)
    assert NO_DOUBLE_BILLING in report.failed
    assert _failed(report) <= {
        NO_DOUBLE_BILLING,
        DOCUMENT_RECORDS,
        SEALED_ROWS,
        IMMUTABILITY_GUARDS,
    }
    assert f"time entry #{tampered['entry2']} is billed on 2 document lines" in _details(
        report, NO_DOUBLE_BILLING
    )
    # the document's totals no longer match and the entry has two lines
    assert f"processed time entry #{tampered['entry2']} has 2 document lines" in _details(
        report, DOCUMENT_RECORDS
    )


def test_document_total_changed(db: Database, tampered: dict[str, int]) -> None:
    run_sql(db, "UPDATE document_record SET billed_cents = 1 WHERE id = :id", id=tampered["doc"])
    report = run_check(db)
    assert _failed(report) == {DOCUMENT_RECORDS, SEALED_ROWS, IMMUTABILITY_GUARDS}
    assert "DOC-0001" in _details(report, DOCUMENT_RECORDS)


def test_processed_entry_without_document(db: Database, tampered: dict[str, int]) -> None:
    run_sql(db, "UPDATE time_entry SET document_id = NULL WHERE id = :id", id=tampered["entry3"])
    report = run_check(db)
    assert _failed(report) == {DOCUMENT_RECORDS, SEALED_ROWS, IMMUTABILITY_GUARDS}
    detail = _details(report, DOCUMENT_RECORDS)
    assert f"time entry #{tampered['entry3']} is processed but belongs to no document" in detail


def test_paid_cents_different_from_payments(db: Database, tampered: dict[str, int]) -> None:
    run_sql(db, "UPDATE invoice SET paid_cents = 20000 WHERE id = :id", id=tampered["inv1"])
    report = run_check(db)
    assert _failed(report) == {PAYMENTS, SEALED_ROWS, IMMUTABILITY_GUARDS}
    detail = _details(report, PAYMENTS)
    assert "paid_cents 20,000 but its 1 payment(s) sum to 10,000" in detail


def test_status_paid_without_the_money(db: Database, tampered: dict[str, int]) -> None:
    run_sql(db, "UPDATE invoice SET status = 'paid' WHERE id = :id", id=tampered["inv1"])
    run_sql(db, "UPDATE master_invoice SET paid_cents = 5000 WHERE id = :id", id=tampered["master"])
    report = run_check(db)
    assert _failed(report) == {PAYMENTS, SEALED_ROWS, IMMUTABILITY_GUARDS}
    detail = _details(report, PAYMENTS)
    assert "INV/2026/00001 (#" in detail
    assert "has status 'paid' but 10,000 of 30,750 is paid" in detail
    assert "contractor invoice MI/2026/00001" in detail and "overpaid" in detail


def test_edited_audit_event_breaks_the_chain(db: Database, tampered: dict[str, int]) -> None:
    with db.engine.connect() as conn:
        ids = list(conn.execute(text("SELECT id FROM audit_event ORDER BY id")).scalars())
    assert len(ids) == AUDIT_EVENTS
    run_sql(
        db,
        "UPDATE audit_event SET after_json = :j WHERE id = :id",
        j='{"status":"paid"}',
        id=ids[1],
    )
    report = run_check(db)
    assert _failed(report) == {AUDIT_CHAIN, IMMUTABILITY_GUARDS}
    detail = _details(report, AUDIT_CHAIN)
    assert f"the chain breaks at event #{ids[1]}" in detail
    assert "content does not match its hash" in detail
    assert f"{AUDIT_EVENTS - 1:,} of {AUDIT_EVENTS:,} event(s)" in detail
    assert "1 with content that does not match its hash" in detail


def test_deleted_audit_event_breaks_the_chain(db: Database, tampered: dict[str, int]) -> None:
    with db.engine.connect() as conn:
        ids = list(conn.execute(text("SELECT id FROM audit_event ORDER BY id")).scalars())
    run_sql(db, "DELETE FROM audit_event WHERE id = :id", id=ids[2])
    report = run_check(db)
    assert _failed(report) == {AUDIT_CHAIN, IMMUTABILITY_GUARDS}
    detail = _details(report, AUDIT_CHAIN)
    assert f"the chain breaks at event #{ids[3]}" in detail
    assert "was removed or replaced" in detail
    assert "3 of 5 event(s)" in detail and "1 not linked" in detail


def test_deleted_last_audit_event_is_caught_by_the_head(
    db: Database, tampered: dict[str, int]
) -> None:
    with db.engine.connect() as conn:
        last = conn.execute(text("SELECT MAX(id) FROM audit_event")).scalar_one()
    run_sql(db, "DELETE FROM audit_event WHERE id = :id", id=last)
    report = run_check(db)
    assert _failed(report) == {AUDIT_CHAIN, SEALED_ROWS, IMMUTABILITY_GUARDS}
    detail = _details(report, AUDIT_CHAIN)
    assert f"audit head says the last event is #{last}" in detail


def test_every_broken_invariant_is_reported(db: Database, tampered: dict[str, int]) -> None:
    run_sql(db, "UPDATE invoice SET paid_cents = 1 WHERE id = :id", id=tampered["inv2"])
    run_sql(db, "UPDATE audit_event SET actor_label = 'mallory'")
    run_sql(
        db,
        "UPDATE invoice SET issue_date = :d WHERE id = :id",
        d=date(2026, 3, 1),
        id=tampered["inv2"],
    )
    report = run_check(db)
    assert _failed(report) == {
        INVOICE_NUMBERING,
        PAYMENTS,
        AUDIT_CHAIN,
        SEALED_ROWS,
        IMMUTABILITY_GUARDS,
    }
    lines = report.lines()
    assert any(line.startswith("OK   invoice totals") for line in lines)
    assert any(line.startswith("FAIL payments: ") for line in lines)
    assert "5 of 12 ledger invariants broken" in lines[-1]


def test_many_offenders_are_capped_with_a_count(db: Database, tampered: dict[str, int]) -> None:
    from tektoro_tui.services.check import MAX_EXAMPLES

    with db.engine.begin() as conn:
        for i in range(MAX_EXAMPLES + 5):
            insert_row(
                conn,
                "document_line",
                document_id=tampered["doc"],
                time_entry_id=tampered["entry1"],
                work_date=date(2026, 3, 2),
                person_name="x",
                project_name="x",
                task_name="x",
                activity_name="x",
                minutes=1,
                rate_cents=0,
                value_cents=i,
                billed_cents=0,
            )
    report = run_check(db)
    assert _failed(report) == {
        NO_DOUBLE_BILLING,
        DOCUMENT_RECORDS,
        SEALED_ROWS,
        IMMUTABILITY_GUARDS,
    }
    doc_details = _details(report, DOCUMENT_RECORDS)
    assert "... and 5 more like the above" in doc_details  # 25 bad lines, 20 shown


def test_a_check_that_cannot_run_is_reported_and_the_others_still_run(
    db: Database, tampered: dict[str, int]
) -> None:
    run_sql(db, "DROP TABLE audit_head")
    run_sql(db, "UPDATE invoice SET paid_cents = 1 WHERE id = :id", id=tampered["inv1"])
    report = run_check(db)
    assert _failed(report) == {AUDIT_CHAIN, PAYMENTS, SEALED_ROWS, IMMUTABILITY_GUARDS}
    assert _details(report, AUDIT_CHAIN).startswith("could not be checked: ")
    assert "audit_head" in _details(report, AUDIT_CHAIN)


def test_tampered_time_summary_names_the_key(db: Database, ledger: dict[str, int]) -> None:
    """The summary table is no ledger (no guard): a changed, a lost and a made-up row."""
    run_sql(
        db,
        "UPDATE time_day_total SET minutes = minutes + 15 WHERE work_date = :d",
        d=date(2026, 3, 3),
    )
    run_sql(db, "DELETE FROM time_day_total WHERE work_date = :d", d=date(2026, 3, 4))
    run_sql(
        db,
        "INSERT INTO time_day_total (work_date, owner_id, project_id, status, pay_status, "
        "billable, entries, minutes, value_cents) VALUES (:d, :o, :p, 'draft', 'unpaid', "
        ":b, 2, 120, 20000)",
        d=date(2026, 3, 5),
        o=ledger["staff"],
        p=ledger["project"],
        b=True,
    )
    report = run_check(db)
    assert _failed(report) == {TIME_SUMMARY}
    failures = report.failures_of(TIME_SUMMARY)
    assert len(failures) == 3
    changed, lost, made_up = (f.detail for f in failures)
    key = f"Sam Staff (#{ledger['staff']}), Bridge (#{ledger['project']})"
    assert changed == (
        f"daily time summary row of 2026-03-03, {key}, processed, pay unpaid, billable "
        "says 1 entries, 105 min, value 15,000 but the entries give 1 entries, 90 min, "
        "value 15,000"
    )
    assert lost == (
        f"daily time summary lacks the row of 2026-03-04, {key}, processed, pay unpaid, "
        "billable: the entries give 1 entries, 30 min, value 5,000"
    )
    assert made_up.startswith(f"daily time summary row of 2026-03-05, {key}, draft")
    assert made_up.endswith("but no time entry has that key")


def test_entry_changed_below_dropped_triggers_breaks_the_summary(
    db: Database, tampered: dict[str, int]
) -> None:
    run_sql(db, "UPDATE time_entry SET pay_status = 'paid' WHERE id = :id", id=tampered["entry2"])
    report = run_check(db)
    assert _failed(report) == {TIME_SUMMARY, PAYMENTS, SEALED_ROWS, IMMUTABILITY_GUARDS}
    detail = _details(report, TIME_SUMMARY)
    assert "lacks the row of 2026-03-03" in detail and "pay paid" in detail
    assert "pay unpaid, billable says 1 entries, 90 min" in detail


# ==============================================================================================
# The report and the chain verifier on their own
# ==============================================================================================


def test_report_text_and_json() -> None:
    report = CheckReport(
        checked=(INVOICE_NUMBERING, PAYMENTS),
        failures=(
            CheckFailure(PAYMENTS, "invoice X: paid_cents 1 but payments sum to 0"),
            CheckFailure(PAYMENTS, "invoice Y is paid but 0 of 5 is paid"),
        ),
    )
    assert not report.ok
    assert report.failed == (PAYMENTS,)
    assert report.lines() == [
        "OK   invoice numbering",
        "FAIL payments: invoice X: paid_cents 1 but payments sum to 0",
        "FAIL payments: invoice Y is paid but 0 of 5 is paid",
        "1 of 2 ledger invariants broken (payments); 2 problem(s) reported.",
    ]
    data = json.loads(json.dumps(report.as_dict()))
    assert data["ok"] is False
    assert data["invariants"] == {"invoice numbering": "ok", "payments": "fail"}
    assert data["failures"][0] == {
        "invariant": "payments",
        "detail": "invoice X: paid_cents 1 but payments sum to 0",
    }


def _chain(n: int, start: datetime = T0) -> list[tuple[Any, ...]]:
    rows = []
    prev = GENESIS_HASH
    for i in range(1, n + 1):
        moment = start + timedelta(seconds=i // 3)
        after = canonical_json({"n": i})
        digest = event_hash(
            prev,
            occurred_at=format_timestamp(moment),
            actor_label="system",
            action="create",
            entity="thing",
            entity_id=str(i),
            before_json="",
            after_json=after,
        )
        rows.append((i, moment, "system", "create", "thing", str(i), "", after, prev, digest))
        prev = digest
    return rows


def test_verify_chain_accepts_a_valid_chain_and_locates_a_break() -> None:
    rows = _chain(50)
    verdict = verify_chain(iter([rows[:20], rows[20:]]))
    assert verdict.first_broken_id is None and verdict.details() == []
    assert verdict.events == 50 and verdict.last_id == 50 and verdict.last_hash == rows[-1][-1]
    tampered = list(rows)
    tampered[29] = (*rows[29][:7], '{"n":0}', *rows[29][8:])
    verdict = verify_chain(iter([tampered]))
    assert verdict.first_broken_id == 30
    assert verdict.affected == 21 and verdict.tampered == 1 and verdict.link_breaks == 0


# ==============================================================================================
# The CLI
# ==============================================================================================


def test_cli_check_exit_codes_and_json(db: Database, ledger: dict[str, int]) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["check", "--db", db.url])
    assert result.exit_code == 0, result.output
    assert "OK   audit chain" in result.output
    result = runner.invoke(app, ["check", "--db", db.url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True

    drop_guards(db)
    run_sql(db, "UPDATE invoice SET paid_cents = 1 WHERE id = :id", id=ledger["inv1"])
    result = runner.invoke(app, ["check", "--db", db.url])
    assert result.exit_code == 1
    assert "FAIL payments:" in result.output
    assert "FAIL immutability guards:" in result.output
    result = runner.invoke(app, ["check", "--db", db.url, "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["invariants"]["payments"] == "fail"
    assert data["invariants"]["invoice totals"] == "ok"
