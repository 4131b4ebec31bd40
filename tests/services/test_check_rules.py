"""Each rule of ``tektoro check`` on its own: break exactly its invariant, and only it fails.

For every rule in the registry, the small valid ledger of ``test_check`` is
built, the rule's invariant is broken with raw SQL below the ORM, and the
check must report that rule (plus the few that cannot hold while it is
broken) with a description naming the offending row. The frozen-record
guards a tamper has to get past are lifted only for the write and put back
as they were, so the guards rules stay quiet unless they are the target.

A rule added to the registry without a tamper case here fails
``test_every_rule_has_a_tamper_case``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from tektoro_tui.data.engine import Database
from tektoro_tui.data.migrate import ensure_schema
from tektoro_tui.domain.audit import GENESIS_HASH
from tektoro_tui.services.base import FixedClock, ServiceBase
from tektoro_tui.services.check import RULES, Rule, run_check

from .test_check import T0, build_ledger, drop_unique, insert_row, run_sql

Ledger = dict[str, int]


@pytest.fixture(params=["sqlite_url", "pg_url"])
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database on each backend."""
    database = Database.open(str(request.getfixturevalue(request.param)))
    try:
        ensure_schema(database)
        yield database
    finally:
        database.dispose()


# ==============================================================================================
# Getting past the database's own defences, for one write
# ==============================================================================================


@contextmanager
def guards_lifted(db: Database, *tables: str) -> Iterator[None]:
    """The frozen-record triggers of ``tables`` stand aside for the block, then come back.

    SQLite has no disabled triggers: they are dropped and created again from their
    stored SQL (which also restores them after a table rebuild). PostgreSQL's are
    disabled and enabled again.
    """
    if db.backend == "postgresql":
        toggle = "ALTER TABLE {0} {1} TRIGGER tektoro_guard_{0}"
        run_sql(db, *(toggle.format(table, "DISABLE") for table in tables))
        try:
            yield
        finally:
            run_sql(db, *(toggle.format(table, "ENABLE") for table in tables))
        return
    with db.engine.begin() as conn:
        saved = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'tektoro%' AND tbl_name IN :tables"
            ).bindparams(bindparam("tables", expanding=True)),
            {"tables": list(tables)},
        ).all()
        for name, _sql in saved:
            conn.execute(text(f"DROP TRIGGER {name}"))
    try:
        yield
    finally:
        with db.engine.begin() as conn:
            for name, sql in saved:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
                conn.execute(text(sql))


@contextmanager
def raw_writes(
    db: Database, *, no_fks: bool = False, no_checks: tuple[str, ...] = ()
) -> Iterator[Connection]:
    """One transaction whose writes skip foreign keys and the named CHECK constraints.

    ``no_checks`` names constraints as 'table.constraint': PostgreSQL drops them,
    SQLite ignores every CHECK while the block runs. Without foreign keys PostgreSQL
    also skips triggers (``session_replication_role = replica``).
    """
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        if db.backend == "sqlite":
            raw.execute(f"PRAGMA foreign_keys = {'OFF' if no_fks else 'ON'}")
            raw.execute(f"PRAGMA ignore_check_constraints = {'ON' if no_checks else 'OFF'}")
        try:
            with conn.begin():
                if db.backend == "postgresql":
                    for qualified in no_checks:
                        table, constraint = qualified.split(".")
                        conn.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}"))
                    if no_fks:
                        conn.execute(text("SET LOCAL session_replication_role = replica"))
                yield conn
        finally:
            if db.backend == "sqlite":
                raw.execute("PRAGMA foreign_keys = ON")
                raw.execute("PRAGMA ignore_check_constraints = OFF")


def tamper(
    db: Database,
    *statements: str,
    lift: tuple[str, ...] = (),
    no_fks: bool = False,
    no_checks: tuple[str, ...] = (),
    **params: Any,
) -> None:
    """Run raw statements past the guards of ``lift``, the FKs and the CHECKs named."""
    with guards_lifted(db, *lift), raw_writes(db, no_fks=no_fks, no_checks=no_checks) as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def scalar(db: Database, sql: str, **params: Any) -> Any:
    """One value read with raw SQL."""
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def add_entry(db: Database, ids: Ledger, **values: Any) -> int:
    """A new time entry like the ledger's first one, with ``values`` changed."""
    with db.engine.begin() as conn:
        first = conn.execute(
            text("SELECT task_id, activity_id, rate_code_id FROM time_entry WHERE id = :id"),
            {"id": ids["entry1"]},
        ).one()
        row = {
            "owner_id": ids["staff"],
            "entered_by_id": ids["staff"],
            "project_id": ids["project"],
            "task_id": first.task_id,
            "activity_id": first.activity_id,
            "rate_code_id": first.rate_code_id,
            "work_date": date(2026, 3, 9),
            "minutes": 45,
            "status": "approved",
            "rate_cents": 10_000,
            "value_cents": 7_500,
            "created_at": T0,
        }
        return insert_row(conn, "time_entry", **(row | values))


# ==============================================================================================
# One tamper per rule
# ==============================================================================================
# Each returns a fragment of the description that names the offending row.

Tampering = Callable[[Database, Ledger], str]


@dataclass(frozen=True)
class Tamper:
    """How to break one rule, and the other rules that cannot hold while it is broken."""

    apply: Tampering
    also: frozenset[str] = frozenset()


def unnumbered_issued_invoice(db: Database, ids: Ledger) -> str:
    tamper(
        db, "UPDATE invoice SET issue_date = NULL WHERE id = :id", lift=("invoice",), id=ids["inv2"]
    )
    return f"invoice INV/2026/00002 (#{ids['inv2']}) is paid but lacks an issue date"


def unnumbered_contractor_invoice(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE master_invoice SET number = '' WHERE id = :id",
        lift=("master_invoice",),
        id=ids["master"],
    )
    return f"contractor invoice #{ids['master']} lacks its sequence number, number or date"


def numbered_draft(db: Database, ids: Ledger) -> str:
    with db.engine.begin() as conn:
        series = conn.execute(text("SELECT id FROM invoice_series WHERE code = 'INV'")).scalar_one()
        draft = insert_row(
            conn,
            "invoice",
            series_id=series,
            client_id=ids["client"],
            number="INV/2026/0099",
            created_by_id=ids["admin"],
            created_at=T0,
        )
    return f"draft invoice #{draft} already carries seq None / number INV/2026/0099"


def invoice_in_a_missing_series(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE master_invoice SET series_id = 999 WHERE id = :id",
        "UPDATE invoice_series SET last_number = 0 WHERE code = 'MI'",
        lift=("master_invoice",),
        no_fks=True,
        id=ids["master"],
    )
    return (
        f"contractor invoice MI/2026/00001 (#{ids['master']}) points at a missing numbering "
        "series #999"
    )


def series_of_two_kinds(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE master_invoice SET seq = 3, "
        "series_id = (SELECT id FROM invoice_series WHERE code = 'INV') WHERE id = :id",
        "UPDATE invoice_series SET last_number = 3 WHERE code = 'INV'",
        "UPDATE invoice_series SET last_number = 0 WHERE code = 'MI'",
        lift=("master_invoice",),
        id=ids["master"],
    )
    return "series INV numbers both client and contractor invoices"


def duplicated_seq(db: Database, ids: Ledger) -> str:
    # invoice_line's triggers read invoice: SQLite cannot rebuild it under them
    with guards_lifted(db, "invoice", "invoice_line"):
        drop_unique(db, "invoice", "uq_invoice_series_seq")
        run_sql(db, "UPDATE invoice SET seq = 1 WHERE id = :id", id=ids["inv2"])
    return "series INV: sequence number 1 is used by 2 invoices"


def duplicated_number(db: Database, ids: Ledger) -> str:
    # invoice_line's triggers read invoice: SQLite cannot rebuild it under them
    with guards_lifted(db, "invoice", "invoice_line"):
        drop_unique(db, "invoice", "uq_invoice_number")
        run_sql(db, "UPDATE invoice SET number = 'INV/2026/00001' WHERE id = :id", id=ids["inv2"])
    return "client invoice number INV/2026/00001 is used 2 times"


def numbering_gap(db: Database, ids: Ledger) -> str:
    tamper(db, "UPDATE invoice SET seq = 3 WHERE id = :id", lift=("invoice",), id=ids["inv2"])
    return "series INV: gap in the numbering, sequence number 2 is missing before 3"


def counter_ahead(db: Database, ids: Ledger) -> str:
    run_sql(db, "UPDATE invoice_series SET last_number = 5 WHERE code = 'INV'")
    return "series INV: counter last_number is 5 but the series holds 2 numbered invoice(s)"


def issue_date_going_back(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE invoice SET issue_date = :d WHERE id = :id",
        lift=("invoice",),
        d=date(2026, 3, 1),
        id=ids["inv2"],
    )
    return (
        f"invoice INV/2026/00002 (#{ids['inv2']}) is dated 2026-03-01, earlier than the "
        "previous number INV/2026/00001 dated 2026-03-05"
    )


def invoice_vat_off(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE invoice SET vat_cents = vat_cents + 1 WHERE id = :id",
        lift=("invoice",),
        no_checks=("invoice.ck_invoice_gross",),
        id=ids["inv1"],
    )
    return f"invoice INV/2026/00001 (#{ids['inv1']}): gross 30,750 <> net 25,000 + VAT 5,751"


def invoice_line_gross_off(db: Database, ids: Ledger) -> str:
    """Two lines off by one each way: the invoice's sums still agree."""
    tamper(
        db,
        "UPDATE invoice_line SET gross_cents = gross_cents + 1 "
        "WHERE invoice_id = :id AND position = 1",
        "UPDATE invoice_line SET gross_cents = gross_cents - 1 "
        "WHERE invoice_id = :id AND position = 2",
        lift=("invoice_line",),
        no_checks=("invoice_line.ck_invoice_line_gross",),
        id=ids["inv1"],
    )
    return f"invoice INV/2026/00001 (#{ids['inv1']}) line 1 (#"


def invoice_total_off(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE invoice SET net_cents = net_cents + 1000, gross_cents = gross_cents + 1000 "
        "WHERE id = :id",
        lift=("invoice",),
        id=ids["inv1"],
    )
    return f"invoice INV/2026/00001 (#{ids['inv1']}): totals net/VAT/gross 26,000/5,750/31,750"


def orphan_invoice_line(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "INSERT INTO invoice_line (invoice_id, position, kind, description, detail, net_cents, "
        "vat_bp, vat_cents, gross_cents, reason) "
        "VALUES (999, 1, 'service', '', '', 0, 0, 0, 0, '')",
        no_fks=True,
    )
    line = scalar(db, "SELECT id FROM invoice_line WHERE invoice_id = 999")
    return f"invoice line #{line} belongs to a missing invoice #999"


def contractor_minutes_off(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE master_invoice SET total_minutes = 61 WHERE id = :id",
        lift=("master_invoice",),
        id=ids["master"],
    )
    return f"contractor invoice MI/2026/00001 (#{ids['master']}): total 4,000 for 61 min"


def document_total_off(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE document_record SET billed_cents = 1 WHERE id = :id",
        lift=("document_record",),
        id=ids["doc"],
    )
    return f"document DOC-0001 (#{ids['doc']}): minutes/value/billed/write-down 180/30,000/1/0"


def processed_entry_off_its_document(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE time_entry SET document_id = NULL WHERE id = :id",
        lift=("time_entry",),
        id=ids["entry3"],
    )
    return f"time entry #{ids['entry3']} is processed but belongs to no document record"


def processed_entry_without_a_line(db: Database, ids: Ledger) -> str:
    """Its line removed, the invoice line that billed it unlinked, the document re-totalled."""
    line = scalar(db, "SELECT id FROM document_line WHERE time_entry_id = :e", e=ids["entry3"])
    tamper(
        db,
        "UPDATE invoice_line SET document_line_id = NULL WHERE document_line_id = :line",
        "DELETE FROM document_line WHERE id = :line",
        "UPDATE document_record SET total_minutes = 150, value_cents = 25000, "
        "billed_cents = 25000 WHERE id = :doc",
        lift=("invoice_line", "document_line", "document_record"),
        line=line,
        doc=ids["doc"],
    )
    return f"processed time entry #{ids['entry3']} has 0 document lines (exactly one expected)"


def entry_changed_under_its_line(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE time_entry SET minutes = 61 WHERE id = :id",
        lift=("time_entry",),
        id=ids["entry1"],
    )
    return f"copies time entry #{ids['entry1']} with 60 min but the entry has 61 min"


def unprocessed_entry_on_a_document(db: Database, ids: Ledger) -> str:
    entry = add_entry(db, ids, document_id=ids["doc"])
    return f"time entry #{entry} is on document record #{ids['doc']} but is approved"


def entry_on_two_document_lines(db: Database, ids: Ledger) -> str:
    """A second line for a processed entry, the document's totals grown to match."""
    with guards_lifted(db, "document_line", "document_record"):
        drop_unique(db, "document_line", "uq_document_line_time_entry_id")
        run_sql(
            db,
            "INSERT INTO document_line (document_id, time_entry_id, work_date, person_name, "
            "project_name, task_name, activity_name, description, minutes, rate_cents, "
            "value_cents, billed_cents, write_down_cents, write_down_reason) "
            "SELECT document_id, time_entry_id, work_date, person_name, project_name, "
            "task_name, activity_name, description, minutes, rate_cents, value_cents, "
            "billed_cents, write_down_cents, write_down_reason "
            "FROM document_line WHERE time_entry_id = :e",
            "UPDATE document_record SET total_minutes = total_minutes + 90, "
            "value_cents = value_cents + 15000, billed_cents = billed_cents + 15000 "
            "WHERE id = :doc",
            e=ids["entry2"],
            doc=ids["doc"],
        )
    return f"time entry #{ids['entry2']} is billed on 2 document lines (1 document record(s))"


def entry_on_two_contractor_lines(db: Database, ids: Ledger) -> str:
    """A second, empty contractor invoice line: the invoice's totals still agree."""
    with guards_lifted(db, "master_invoice_line"):
        drop_unique(db, "master_invoice_line", "uq_master_invoice_line_time_entry_id")
        run_sql(
            db,
            "INSERT INTO master_invoice_line (master_invoice_id, time_entry_id, work_date, "
            "description, minutes, pay_rate_cents, amount_cents) "
            "VALUES (:mi, :e, :d, '', 0, 0, 0)",
            mi=ids["master"],
            e=ids["entry1"],
            d=date(2026, 3, 2),
        )
    return f"time entry #{ids['entry1']} is paid on 2 contractor invoice lines (1 contractor"


def entry_pointing_at_another_contractor_invoice(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE time_entry SET master_invoice_id = 999 WHERE id = :id",
        no_fks=True,
        id=ids["entry1"],
    )
    return (
        f"time entry #{ids['entry1']} is on contractor invoice #{ids['master']} "
        "but points at contractor invoice #999"
    )


def document_line_on_two_invoices(db: Database, ids: Ledger) -> str:
    """A zero line on invoice 2 billing what invoice 1 already billed: no total moves."""
    line = scalar(
        db,
        "SELECT document_line_id FROM invoice_line WHERE invoice_id = :id AND position = 1",
        id=ids["inv1"],
    )
    tamper(
        db,
        "INSERT INTO invoice_line (invoice_id, position, kind, description, detail, net_cents, "
        "vat_bp, vat_cents, gross_cents, reason, document_line_id) "
        "VALUES (:id, 9, 'time', '', '', 0, 2300, 0, 0, '', :line)",
        lift=("invoice_line",),
        id=ids["inv2"],
        line=line,
    )
    return f"document line #{line} is billed on 2 invoice lines of 2 issued invoice(s)"


def zero_payment(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "INSERT INTO payment (invoice_id, method, paid_on, amount_cents, account_holder, "
        "account_number, reference, recorded_by_id, recorded_via, recorded_at) "
        "VALUES (:inv, 'wire', :d, 0, '', '', '', :admin, 'manual', :t)",
        no_checks=("payment.ck_payment_amount",),
        inv=ids["inv1"],
        d=date(2026, 3, 9),
        admin=ids["admin"],
        t=T0,
    )
    payment = scalar(db, "SELECT id FROM payment WHERE amount_cents = 0")
    return f"payment #{payment} has the non-positive amount 0"


def paid_cents_off(db: Database, ids: Ledger) -> str:
    run_sql(db, "UPDATE invoice SET paid_cents = 20000 WHERE id = :id", id=ids["inv1"])
    return (
        f"invoice INV/2026/00001 (#{ids['inv1']}): paid_cents 20,000 but its 1 payment(s) "
        "sum to 10,000"
    )


def overpaid_invoice(db: Database, ids: Ledger) -> str:
    run_sql(
        db,
        "INSERT INTO payment (invoice_id, method, paid_on, amount_cents, account_holder, "
        "account_number, reference, recorded_by_id, recorded_via, recorded_at) "
        "VALUES (:id, 'wire', :d, 30000, '', '', '', :admin, 'manual', :t)",
        "UPDATE invoice SET paid_cents = 36150 WHERE id = :id",
        id=ids["inv2"],
        d=date(2026, 3, 9),
        admin=ids["admin"],
        t=T0,
    )
    return f"invoice INV/2026/00002 (#{ids['inv2']}) is overpaid: paid 36,150 of gross 6,150"


def paid_status_without_the_money(db: Database, ids: Ledger) -> str:
    run_sql(db, "UPDATE invoice SET status = 'paid' WHERE id = :id", id=ids["inv1"])
    return f"invoice INV/2026/00001 (#{ids['inv1']}) has status 'paid' but 10,000 of 30,750 is paid"


def contractor_paid_cents_off(db: Database, ids: Ledger) -> str:
    run_sql(
        db,
        "UPDATE master_invoice SET paid_cents = 3000, status = 'partially_paid' WHERE id = :id",
        id=ids["master"],
    )
    return (
        f"contractor invoice MI/2026/00001 (#{ids['master']}): paid_cents 3,000 but its 1 "
        "payment(s) sum to 4,000"
    )


def contractor_status_off(db: Database, ids: Ledger) -> str:
    run_sql(
        db, "UPDATE master_invoice SET status = 'partially_paid' WHERE id = :id", id=ids["master"]
    )
    return (
        f"contractor invoice MI/2026/00001 (#{ids['master']}) has status 'partially_paid' "
        "but 4,000 of 4,000 is paid"
    )


def edited_audit_event(db: Database, ids: Ledger) -> str:
    second = scalar(
        db, "SELECT MIN(id) FROM audit_event WHERE id > (SELECT MIN(id) FROM audit_event)"
    )
    tamper(
        db,
        "UPDATE audit_event SET after_json = '{}' WHERE id = :id",
        lift=("audit_event",),
        id=second,
    )
    return f"the chain breaks at event #{second} (its content does not match its hash)"


def missing_audit_head(db: Database, ids: Ledger) -> str:
    run_sql(db, "DELETE FROM audit_head")
    return "the audit head row (id 1) is missing"


def audit_head_behind(db: Database, ids: Ledger) -> str:
    last = scalar(db, "SELECT MAX(id) FROM audit_event")
    run_sql(db, "UPDATE audit_head SET last_event_id = :prev", prev=last - 1)
    return f"audit head says the last event is #{last - 1} but the last stored event is #{last}"


def audit_head_hash_off(db: Database, ids: Ledger) -> str:
    run_sql(db, "UPDATE audit_head SET last_hash = :h", h="f" * 64)
    return "audit head hash ffffffffffff... does not match the hash of the last event"


def second_audit_head(db: Database, ids: Ledger) -> str:
    run_sql(
        db,
        "INSERT INTO audit_head (id, last_event_id, last_hash) VALUES (2, 0, :h)",
        h=GENESIS_HASH,
    )
    return "the audit head table holds 2 rows (exactly one expected)"


def unguarded_payments(db: Database, ids: Ledger) -> str:
    if db.backend == "sqlite":
        run_sql(
            db, "DROP TRIGGER tektoro_payment_no_update", "DROP TRIGGER tektoro_payment_no_delete"
        )
    else:
        run_sql(
            db,
            "DROP TRIGGER tektoro_guard_payment ON payment",
            "DROP TRIGGER tektoro_guard_payment_truncate ON payment",
        )
    return "table payment has no frozen-record trigger: its rows can be rewritten"


def one_guard_dropped(db: Database, ids: Ledger) -> str:
    if db.backend == "sqlite":
        run_sql(db, "DROP TRIGGER tektoro_payment_no_delete")
        return "table payment is missing the trigger(s) tektoro_payment_no_delete"
    run_sql(db, "DROP TRIGGER tektoro_guard_payment ON payment")
    return "table payment is missing the trigger(s) tektoro_guard_payment"


def guard_disarmed(db: Database, ids: Ledger) -> str:
    if db.backend == "sqlite":
        run_sql(
            db,
            "DROP TRIGGER tektoro_audit_event_no_update",
            "CREATE TRIGGER tektoro_audit_event_no_update BEFORE UPDATE ON audit_event "
            "FOR EACH ROW BEGIN SELECT 1; END",
        )
        return "trigger tektoro_audit_event_no_update on table audit_event was replaced"
    run_sql(db, "ALTER TABLE audit_event DISABLE TRIGGER tektoro_guard_audit_event")
    return "trigger tektoro_guard_audit_event on table audit_event is disabled"


def summary_minutes_off(db: Database, ids: Ledger) -> str:
    run_sql(
        db,
        "UPDATE time_day_total SET minutes = minutes + 15 WHERE work_date = :d",
        d=date(2026, 3, 3),
    )
    return (
        f"daily time summary row of 2026-03-03, Sam Staff (#{ids['staff']}), "
        f"Bridge (#{ids['project']}), processed"
    )


def number_text_changed(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE invoice SET number = 'INV/2026/00009' WHERE id = :id",
        lift=("invoice",),
        id=ids["inv2"],
    )
    return f"client invoice INV/2026/00009 (#{ids['inv2']}) should be numbered INV/2026/00002"


def series_date_off(db: Database, ids: Ledger) -> str:
    run_sql(
        db,
        "UPDATE invoice_series SET last_issue_date = :d WHERE code = 'INV'",
        d=date(2026, 3, 1),
    )
    return "series INV: the last issue date is 2026-03-01 but number 2 was issued on 2026-03-06"


def cancelled_invoice(db: Database, ids: Ledger) -> tuple[int, int]:
    """A third invoice, issued for 1,230 and cancelled by its credit note: (invoice, note)."""
    with db.engine.begin() as conn:
        series = {
            code: conn.execute(
                text("SELECT id FROM invoice_series WHERE code = :c"), {"c": code}
            ).scalar_one()
            for code in ("INV", "CN")
        }
        made = []
        for code, seq, sign, credited in (("INV", 3, 1, None), ("CN", 1, -1, "x")):
            invoice = insert_row(
                conn,
                "invoice",
                series_id=series[code],
                kind="credit_note" if credited else "standard",
                credited_invoice_id=made[0] if credited else None,
                client_id=ids["client"],
                created_by_id=ids["admin"],
                created_at=T0,
            )
            insert_row(
                conn,
                "invoice_line",
                invoice_id=invoice,
                position=1,
                kind="service",
                net_cents=sign * 1000,
                vat_bp=2300,
                vat_cents=sign * 230,
                gross_cents=sign * 1230,
            )
            conn.execute(
                text(
                    "UPDATE invoice SET status = :s, seq = :seq, number = :n, issue_date = :d, "
                    "net_cents = :net, vat_cents = :vat, gross_cents = :gross WHERE id = :id"
                ),
                {
                    "s": "issued",
                    "seq": seq,
                    "n": f"{code}/2026/{seq:05d}",
                    "d": date(2026, 3, 7),
                    "net": sign * 1000,
                    "vat": sign * 230,
                    "gross": sign * 1230,
                    "id": invoice,
                },
            )
            conn.execute(
                text(
                    "UPDATE invoice_series SET last_number = :seq, last_issue_date = :d "
                    "WHERE code = :c"
                ),
                {"seq": seq, "d": date(2026, 3, 7), "c": code},
            )
            made.append(invoice)
        conn.execute(
            text("UPDATE invoice SET status = 'cancelled' WHERE id = :id"), {"id": made[0]}
        )
    return made[0], made[1]


def credit_note_totals_off(db: Database, ids: Ledger) -> str:
    _original, note = cancelled_invoice(db, ids)
    tamper(
        db,
        "UPDATE invoice_line SET net_cents = net_cents - 100, gross_cents = gross_cents - 100 "
        "WHERE invoice_id = :id",
        "UPDATE invoice SET net_cents = net_cents - 100, gross_cents = gross_cents - 100 "
        "WHERE id = :id",
        lift=("invoice", "invoice_line"),
        id=note,
    )
    return (
        f"credit note CN/2026/00001 (#{note}): net/VAT/gross -1,100/-230/-1,330 but invoice "
        "INV/2026/00003 is 1,000/230/1,230"
    )


def paid_back_to_issued(db: Database, ids: Ledger) -> str:
    tamper(
        db, "UPDATE invoice SET status = 'issued' WHERE id = :id", lift=("invoice",), id=ids["inv2"]
    )
    return f"invoice INV/2026/00002 (#{ids['inv2']}) has status 'issued' but 6,150 of 6,150 is paid"


def cancelled_without_a_credit_note(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE invoice SET status = 'cancelled' WHERE id = :id",
        lift=("invoice",),
        id=ids["inv1"],
    )
    return f"invoice INV/2026/00001 (#{ids['inv1']}) is cancelled but no issued credit note"


def credit_note_of_a_live_invoice(db: Database, ids: Ledger) -> str:
    original, note = cancelled_invoice(db, ids)
    tamper(
        db, "UPDATE invoice SET status = 'issued' WHERE id = :id", lift=("invoice",), id=original
    )
    return (
        f"credit note CN/2026/00001 (#{note}) cancels invoice INV/2026/00003, which is "
        "issued, not cancelled"
    )


def ticket_paid_without_its_invoice(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE time_entry SET pay_status = 'paid' WHERE id = :id",
        lift=("time_entry",),
        id=ids["entry2"],
    )
    return f"time entry #{ids['entry2']} has pay status 'paid' but no contractor invoice claims it"


def chain_keyed_with_another_key(db: Database, ids: Ledger) -> str:
    run_sql(db, "UPDATE audit_head SET key_id = :k", k="f" * 32)
    return "is not the key this database is keyed with"


def event_without_its_mark(db: Database, ids: Ledger) -> str:
    """A mark made up without the key (removing it would change how the event hashes)."""
    last = scalar(db, "SELECT MAX(id) FROM audit_event")
    tamper(
        db,
        "UPDATE audit_event SET mark = :m WHERE id = :id",
        lift=("audit_event",),
        id=last,
        m="0" * 64,
    )
    return f"event #{last}'s keyed mark does not match its hash"


def chain_gone_back(db: Database, ids: Ledger) -> str:
    """One more event, seen by a check; then it is deleted and the head moved back."""
    service = ServiceBase(db, FixedClock(T0))
    with service._write(None) as uow:
        uow.audit("note", "organisation", 1, None, {"n": 1})
    assert run_check(db).ok
    last = scalar(db, "SELECT MAX(id) FROM audit_event")
    before = scalar(db, "SELECT hash FROM audit_event WHERE id = :id", id=last - 1)
    tamper(
        db,
        "DELETE FROM audit_event WHERE id = :id",
        "UPDATE audit_head SET last_event_id = :prev, last_hash = :h",
        lift=("audit_event",),
        id=last,
        prev=last - 1,
        h=before,
    )
    return f"the chain went back: it ends at event #{last - 1} but event #{last} was seen"


def row_changed_below(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE time_entry SET description = 'rewritten' WHERE id = :id",
        lift=("time_entry",),
        id=ids["entry1"],
    )
    return f"time_entry #{ids['entry1']} is not what event #"


def guard_that_never_fires(db: Database, ids: Ledger) -> str:
    if db.backend == "sqlite":
        run_sql(
            db,
            "DROP TRIGGER tektoro_payment_no_delete",
            "CREATE TRIGGER tektoro_payment_no_delete BEFORE DELETE ON payment FOR EACH ROW "
            "WHEN 0 BEGIN SELECT RAISE(ABORT, 'TEKTORO_FROZEN: payments are append-only'); END",
        )
        return "trigger tektoro_payment_no_delete on table payment is not defined as shipped"
    run_sql(
        db,
        "DROP TRIGGER tektoro_guard_payment ON payment",
        "CREATE TRIGGER tektoro_guard_payment BEFORE UPDATE OR DELETE ON payment "
        "FOR EACH ROW WHEN (false) EXECUTE FUNCTION tektoro_refuse()",
    )
    return "trigger tektoro_guard_payment on table payment is not defined as shipped"


# --- project settlements ---------------------------------------------------------------------


def tower(db: Database, ids: Ledger, contract: int = 10_000) -> int:
    """A second project of the client: fixed, contract ``contract`` cents, no time."""
    with db.engine.begin() as conn:
        return insert_row(
            conn,
            "project",
            name="Tower",
            name_key="tower",
            client_id=ids["client"],
            valuation="fixed",
            contract_amount_cents=contract,
            created_at=T0,
        )


def recorded(
    db: Database,
    ids: Ledger,
    project: int,
    kind: str,
    number: str,
    lines: tuple[tuple[int, int, int], ...],
    day: int = 7,
    **extra: Any,
) -> int:
    """An invoice recorded from another program (no number of ours): lines of (net, rate, VAT)."""
    with db.engine.begin() as conn:
        series = conn.execute(text("SELECT id FROM invoice_series WHERE code = 'INV'")).scalar_one()
        invoice = insert_row(
            conn,
            "invoice",
            series_id=series,
            kind=kind,
            client_id=ids["client"],
            project_id=project,
            external_number=number,
            created_by_id=ids["admin"],
            created_at=T0,
            **extra,
        )
        for position, (net, rate, vat) in enumerate(lines, 1):
            insert_row(
                conn,
                "invoice_line",
                invoice_id=invoice,
                position=position,
                kind="service",
                net_cents=net,
                vat_bp=rate,
                vat_cents=vat,
                gross_cents=net + vat,
            )
        net = sum(line[0] for line in lines)
        vat = sum(line[2] for line in lines)
        conn.execute(
            text(
                "UPDATE invoice SET status = 'issued', issue_date = :d, net_cents = :net, "
                "vat_cents = :vat, gross_cents = :gross WHERE id = :id"
            ),
            {"d": date(2026, 3, day), "net": net, "vat": vat, "gross": net + vat, "id": invoice},
        )
    return invoice


def recorded_with_our_number(db: Database, ids: Ledger) -> str:
    invoice = recorded(db, ids, tower(db, ids), "partial", "EXT-1", ((1000, 2300, 230),))
    tamper(
        db,
        "UPDATE invoice SET number = 'INV/2026/00009' WHERE id = :id",
        lift=("invoice",),
        id=invoice,
    )
    return f"invoice #{invoice} recorded from another program as 'EXT-1' holds our number"


def billed_both_ways(db: Database, ids: Ledger) -> str:
    recorded(db, ids, ids["project"], "partial", "EXT-1", ((1000, 2300, 230),))
    return f"project #{ids['project']} Bridge is billed both by settlement invoices"


def contract_overinvoiced(db: Database, ids: Ledger) -> str:
    project = tower(db, ids)
    recorded(db, ids, project, "partial", "EXT-1", ((12_000, 2300, 2760),))
    return f"project #{project} Tower: invoiced net 12,000 is more than its contract 10,000"


def methods_mixed(db: Database, ids: Ledger) -> str:
    project = tower(db, ids)
    recorded(db, ids, project, "partial", "EXT-1", ((1000, 2300, 230),))
    recorded(db, ids, project, "advance", "EXT-2", ((1000, 2300, 230),), day=8)
    return f"project #{project} Tower mixes partial/total with advance/final invoices"


def invoiced_after_the_total(db: Database, ids: Ledger) -> str:
    project = tower(db, ids)
    recorded(db, ids, project, "total", "EXT-1", ((5000, 2300, 1150),))
    recorded(db, ids, project, "partial", "EXT-2", ((1000, 2300, 230),), day=8)
    return f"project #{project} Tower: invoice EXT-2 follows EXT-1"


def final_deducting_too_little(db: Database, ids: Ledger) -> str:
    project = tower(db, ids)
    recorded(db, ids, project, "advance", "EXT-1", ((3000, 2300, 690),))
    recorded(db, ids, project, "final", "EXT-2", ((10_000, 2300, 2300), (-3000, 2300, -600)), day=8)
    return "final invoice EXT-2 deducts 3,000 net / 600 VAT at rate 2300 bp"


def change_of_no_project(db: Database, ids: Ledger) -> str:
    tamper(
        db,
        "UPDATE invoice SET project_change_id = 999 WHERE id = :id",
        lift=("invoice",),
        id=ids["inv1"],
    )
    return "invoice INV/2026/00001 names change #999, which does not exist"


def share_without_its_lines(db: Database, ids: Ledger) -> str:
    with db.engine.begin() as conn:
        insert_row(
            conn,
            "invoice_project_share",
            invoice_id=ids["inv1"],
            project_id=ids["project"],
            net_cents=700,
        )
    return (
        f"invoice #{ids['inv1']}: the share kept for project #{ids['project']} is 700 but its "
        "lines bill NULL"
    )


def attachment_swapped(db: Database, ids: Ledger) -> str:
    invoice = recorded(
        db,
        ids,
        tower(db, ids),
        "partial",
        "EXT-1",
        ((1000, 2300, 230),),
        attachment_sha256=hashlib.sha256(b"%PDF-recorded").hexdigest(),
    )
    with db.engine.begin() as conn:
        insert_row(
            conn,
            "invoice_attachment",
            invoice_id=invoice,
            file_name="ext-1.pdf",
            content=b"%PDF-swapped",
            created_at=T0,
        )
    return "recorded invoice EXT-1: its kept PDF is not the one recorded"


def subcontracts(db: Database, ids: Ledger) -> Ledger:
    """Two agreements of the Bridge, as the program keeps them: SA/2026/00001 for a fixed
    10,000 paid 3,000 in one stage; SA/2026/00002 by the hour (40.00) with one report of two
    people 07:00-15:00 (8 h standard: 640.00 = 64,000 cents)."""
    with db.engine.begin() as conn:
        sub = insert_row(conn, "company", kind="subcontractor", name="Dach-Bud", created_at=T0)
        foreman = insert_row(conn, "contact", company_id=sub, name="Piotr Nowak")
        walls = insert_row(conn, "work_type", name="Bricklaying", name_key="bricklaying")
        insert_row(conn, "subcontract_counter", year=2026, last_number=2)
        common = {
            "project_id": ids["project"],
            "subcontractor_id": sub,
            "scope": "Walls",
            "contract_date": date(2026, 1, 10),
            "deadline": date(2026, 4, 30),
            "over_day_bp": 5000,
            "outside_window_bp": 10000,
            "created_by_id": ids["admin"],
            "created_at": T0,
        }
        fixed = insert_row(
            conn,
            "subcontract_agreement",
            number="SA/2026/00001",
            year=2026,
            seq=1,
            fixed_amount_cents=10_000,
            paid_cents=3_000,
            **common,
        )
        insert_row(
            conn,
            "subcontract_settlement",
            agreement_id=fixed,
            stage=1,
            settled_on=date(2026, 2, 1),
            paid_cents=3_000,
            paid_before_cents=0,
            contract_cents=10_000,
            description="Transfer",
            created_by_id=ids["admin"],
            created_at=T0,
        )
        hourly = insert_row(
            conn,
            "subcontract_agreement",
            number="SA/2026/00002",
            year=2026,
            seq=2,
            time_and_material=True,
            hourly_rate_cents=4_000,
            tm_amount_cents=64_000,
            **common,
        )
        report = insert_row(
            conn,
            "daily_report",
            agreement_id=hourly,
            foreman_contact_id=foreman,
            report_date=date(2026, 3, 2),
            actual_start=7 * 60,
            actual_end=15 * 60,
            headcount=2,
            work_type_id=walls,
            hourly_rate_cents=4_000,
            over_day_bp=5000,
            outside_window_bp=10000,
            standard_minutes=480,
            over_day_minutes=0,
            outside_window_minutes=0,
            amount_cents=64_000,
            entered_by_id=ids["admin"],
            entered_at=T0,
        )
    return {"fixed": fixed, "hourly": hourly, "report": report}


def agreement_renumbered(db: Database, ids: Ledger) -> str:
    made = subcontracts(db, ids)
    tamper(
        db,
        "UPDATE subcontract_agreement SET number = 'SA/2026/00007' WHERE id = :id",
        id=made["fixed"],
    )
    return f"agreement SA/2026/00007 (#{made['fixed']}) should be numbered SA/2026/00001"


def agreement_paid_off(db: Database, ids: Ledger) -> str:
    made = subcontracts(db, ids)
    tamper(
        db, "UPDATE subcontract_agreement SET paid_cents = 5000 WHERE id = :id", id=made["fixed"]
    )
    return f"agreement SA/2026/00001 (#{made['fixed']}) keeps 5,000 paid"


def stage_from_the_wrong_start(db: Database, ids: Ledger) -> str:
    made = subcontracts(db, ids)
    with db.engine.begin() as conn:
        insert_row(
            conn,
            "subcontract_settlement",
            agreement_id=made["fixed"],
            stage=2,
            settled_on=date(2026, 2, 2),
            paid_cents=1_000,
            paid_before_cents=0,
            contract_cents=10_000,
            description="Transfer",
            created_by_id=ids["admin"],
            created_at=T0,
        )
    return "stage 2 starts from 0 paid, but the stages before it paid 3,000"


def agreement_overpaid(db: Database, ids: Ledger) -> str:
    made = subcontracts(db, ids)
    tamper(
        db,
        "UPDATE subcontract_agreement SET fixed_amount_cents = 2000 WHERE id = :id",
        id=made["fixed"],
    )
    return "was paid 3,000, beyond its contract amount of 2,000"


def agreement_amount_off_its_reports(db: Database, ids: Ledger) -> str:
    made = subcontracts(db, ids)
    tamper(
        db,
        "UPDATE subcontract_agreement SET tm_amount_cents = 70000 WHERE id = :id",
        id=made["hourly"],
    )
    return "keeps an amount of 70,000 from its reports, but they add up to 64,000"


def report_headcount_raised(db: Database, ids: Ledger) -> str:
    made = subcontracts(db, ids)
    tamper(db, "UPDATE daily_report SET headcount = 3 WHERE id = :id", id=made["report"])
    return f"daily report #{made['report']} of SA/2026/00002 (2026-03-02) is priced 64,000"


def kept_file_swapped(db: Database, ids: Ledger) -> str:
    made = subcontracts(db, ids)
    with db.engine.begin() as conn:
        insert_row(
            conn,
            "subcontract_attachment",
            agreement_id=made["fixed"],
            file_name="contract.pdf",
            size_bytes=9,
            sha256=hashlib.sha256(b"%PDF-sign").hexdigest(),
            content=b"%PDF-swap",
            added_by_id=ids["admin"],
            added_at=T0,
        )
    return "file 'contract.pdf' of agreement SA/2026/00001"


def payroll(db: Database, ids: Ledger) -> Ledger:
    """Sam's crew pay as the program keeps it, at 40.00 an hour in a window 07:00-17:00 with
    an 8 h day, +50 % over the day and +100 % outside the window (over-day 60.00, outside
    80.00 an hour):

    - February transferred: Mon 2nd 07:00-15:30 is 8:00 standard = 320.00 and 0:30 over the
      day = 30.00 (350.00); Tue 3rd 06:00-14:00 less 30 min of lunch is 6:30 standard =
      260.00 and 1:00 outside = 80.00 (340.00); the period keeps 2 shifts, 870/30/60 min and
      690.00;
    - Mon 2 March two shifts: 07:00-12:00 is 5:00 standard = 200.00; 13:00-18:00 has 4:00
      inside the window of which 3:00 are left of the day (180 min standard = 120.00, 60 over
      the day = 60.00) and 1:00 outside = 80.00 (260.00);
    - Mon 9 March clocked in at 07:00, not out: no pay yet."""
    copy = {
        "rate_cents": 4_000,
        "rate_over_day_bp": 5000,
        "rate_outside_bp": 10000,
        "window_start": 7 * 60,
        "window_end": 17 * 60,
        "day_length": 8 * 60,
    }
    common = {
        "employee_id": ids["staff"],
        "project_id": ids["project"],
        "created_by_id": ids["admin"],
        "created_at": T0,
    }

    def priced(day: date, start: int, end: int, lunch: int, *buckets: int, **extra: Any) -> int:
        minutes, cents = buckets[:3], buckets[3:]
        return insert_row(
            conn,
            "work_shift",
            shift_date=day,
            planned_start=start,
            planned_end=end,
            actual_start=start,
            actual_end=end,
            lunch_minutes=lunch,
            standard_minutes=minutes[0],
            over_day_minutes=minutes[1],
            outside_window_minutes=minutes[2],
            standard_cents=cents[0],
            over_day_cents=cents[1],
            outside_cents=cents[2],
            pay_cents=sum(cents),
            approved_by_id=ids["admin"],
            approved_at=T0,
            **copy,
            **common,
            **extra,
        )

    with db.engine.begin() as conn:
        period = insert_row(
            conn,
            "payroll_period",
            employee_id=ids["staff"],
            period_start=date(2026, 2, 1),
            period_end=date(2026, 2, 28),
            shift_count=2,
            standard_minutes=870,
            over_day_minutes=30,
            outside_window_minutes=60,
            total_cents=69_000,
            transferred_at=T0,
            transferred_by_id=ids["admin"],
        )
        feb2 = priced(date(2026, 2, 2), 420, 930, 0, 480, 30, 0, 32_000, 3_000, 0,
                      payroll_period_id=period)  # fmt: skip
        feb3 = priced(date(2026, 2, 3), 360, 840, 30, 390, 0, 60, 26_000, 0, 8_000,
                      payroll_period_id=period)  # fmt: skip
        # entered afternoon first: the day is priced in the order of its actual starts
        afternoon = priced(date(2026, 3, 2), 780, 1080, 0, 180, 60, 60, 12_000, 6_000, 8_000)
        morning = priced(date(2026, 3, 2), 420, 720, 0, 300, 0, 0, 20_000, 0, 0)
        open_ = insert_row(
            conn, "work_shift", shift_date=date(2026, 3, 9), actual_start=420, **common
        )
    return {
        "period": period,
        "feb2": feb2,
        "feb3": feb3,
        "morning": morning,
        "afternoon": afternoon,
        "open": open_,
    }


def _sam(ids: Ledger) -> str:
    return f"Sam Staff (#{ids['staff']})"


def period_total_off(db: Database, ids: Ledger) -> str:
    made = payroll(db, ids)
    tamper(
        db,
        "UPDATE payroll_period SET total_cents = 70000 WHERE id = :id",
        lift=("payroll_period",),
        id=made["period"],
    )
    return (
        f"payroll period #{made['period']} of {_sam(ids)} (2026-02-01 to 2026-02-28) keeps 2 "
        "shifts, 870/30/60 min (standard/over the day/outside), 70,000 in all; the shifts that "
        "carry its id make 2 shifts, 870/30/60 min (standard/over the day/outside), 69,000"
    )


def transferred_shift_moved_out(db: Database, ids: Ledger) -> str:
    made = payroll(db, ids)
    tamper(
        db,
        "UPDATE work_shift SET shift_date = :d WHERE id = :id",
        lift=("work_shift",),
        d=date(2026, 3, 3),
        id=made["feb3"],
    )
    return (
        f"work shift #{made['feb3']} of {_sam(ids)} on 2026-03-03 is transferred in payroll "
        f"period #{made['period']}, but the period runs from 2026-02-01 to 2026-02-28"
    )


def shift_slipped_into_a_transferred_period(db: Database, ids: Ledger) -> str:
    made = payroll(db, ids)
    with guards_lifted(db, "work_shift"), db.engine.begin() as conn:
        slipped = insert_row(
            conn,
            "work_shift",
            employee_id=ids["staff"],
            project_id=ids["project"],
            shift_date=date(2026, 2, 10),
            planned_start=420,
            planned_end=900,
            created_by_id=ids["admin"],
            created_at=T0,
        )
    return (
        f"work shift #{slipped} of {_sam(ids)} on 2026-02-10 belongs to no payroll period, yet "
        f"lies in payroll period #{made['period']} (2026-02-01 to 2026-02-28)"
    )


def periods_overlapping(db: Database, ids: Ledger) -> str:
    made = payroll(db, ids)
    with db.engine.begin() as conn:
        second = insert_row(
            conn,
            "payroll_period",
            employee_id=ids["staff"],
            period_start=date(2026, 2, 20),
            period_end=date(2026, 2, 27),
            shift_count=0,
            standard_minutes=0,
            over_day_minutes=0,
            outside_window_minutes=0,
            total_cents=0,
            transferred_at=T0,
            transferred_by_id=ids["admin"],
        )
    return (
        f"payroll period #{made['period']} of {_sam(ids)} (2026-02-01 to 2026-02-28) overlaps "
        f"payroll period #{second} (2026-02-20 to 2026-02-27)"
    )


def shift_rate_raised(db: Database, ids: Ledger) -> str:
    made = payroll(db, ids)
    tamper(db, "UPDATE work_shift SET rate_cents = 4500 WHERE id = :id", id=made["afternoon"])
    # at 45.00: 180 min = 135.00, 60 min over the day at 67.50 = 67.50, 60 min outside at
    # 90.00 = 90.00
    return (
        f"work shift #{made['afternoon']} of {_sam(ids)} on 2026-03-02 keeps 12,000 + 6,000 + "
        "8,000 by rate, but at 4,500/h its minutes make 13,500 + 6,750 + 9,000"
    )


def open_shift_paid(db: Database, ids: Ledger) -> str:
    made = payroll(db, ids)
    tamper(db, "UPDATE work_shift SET pay_cents = 5000 WHERE id = :id", id=made["open"])
    return (
        f"work shift #{made['open']} of {_sam(ids)} on 2026-03-09 has no actual end, yet is "
        "paid 5,000"
    )


def transferred_shift_unpaid(db: Database, ids: Ledger) -> str:
    made = payroll(db, ids)
    tamper(
        db,
        "UPDATE work_shift SET pay_cents = NULL WHERE id = :id",
        lift=("work_shift",),
        id=made["feb3"],
    )
    return (
        f"work shift #{made['feb3']} of {_sam(ids)} on 2026-02-03 is transferred in payroll "
        f"period #{made['period']} but has no pay"
    )


COUNTER = "a series counter matches its invoices"
NUMBER_TEXT = "a number is its series prefix, year and sequence number"
SERIES_DATE = "a series remembers the issue date of its last number"
TICKET = "a ticket's pay status follows its contractor invoice"
SEALED = "every ledger row is what its latest audit event sealed"
PERIOD_TOTALS = "a payroll period keeps the totals of its shifts"

TAMPERS: dict[str, Tamper] = {
    # invoice numbering
    "issued invoices are numbered and dated": Tamper(
        unnumbered_issued_invoice, frozenset({SERIES_DATE})
    ),
    "contractor invoices are numbered and dated": Tamper(
        unnumbered_contractor_invoice, frozenset({NUMBER_TEXT})
    ),
    "recorded invoices take none of our numbers": Tamper(recorded_with_our_number),
    "draft invoices carry no number": Tamper(numbered_draft),
    "numbers belong to an existing series": Tamper(invoice_in_a_missing_series),
    "a series numbers one kind of invoice": Tamper(
        series_of_two_kinds, frozenset({NUMBER_TEXT, SERIES_DATE})
    ),
    # a repeated or a missing sequence number always leaves the counter wrong too
    # and the number text no longer follows the sequence number
    "sequence numbers are unique in a series": Tamper(
        duplicated_seq, frozenset({COUNTER, NUMBER_TEXT})
    ),
    "invoice numbers are unique": Tamper(duplicated_number, frozenset({NUMBER_TEXT})),
    "a series has no gaps": Tamper(numbering_gap, frozenset({COUNTER, NUMBER_TEXT})),
    COUNTER: Tamper(counter_ahead),
    "issue dates follow the numbering": Tamper(issue_date_going_back, frozenset({SERIES_DATE})),
    NUMBER_TEXT: Tamper(number_text_changed),
    SERIES_DATE: Tamper(series_date_off),
    # invoice totals: an invoice's own arithmetic off means a line's, or its sums, are off too
    "invoice gross is net plus VAT": Tamper(
        invoice_vat_off, frozenset({"invoice totals are the sums of its lines"})
    ),
    "invoice line gross is net plus VAT": Tamper(invoice_line_gross_off),
    "invoice totals are the sums of its lines": Tamper(invoice_total_off),
    "invoice lines belong to an invoice": Tamper(orphan_invoice_line),
    "contractor invoice totals are the sums of its lines": Tamper(contractor_minutes_off),
    "a credit note mirrors the totals of the invoice it cancels": Tamper(credit_note_totals_off),
    # document records
    "document totals are the sums of its lines": Tamper(document_total_off),
    "processed entries belong to a document": Tamper(
        processed_entry_off_its_document,
        frozenset({"document lines copy a processed entry of their document"}),
    ),
    "processed entries have one document line": Tamper(processed_entry_without_a_line),
    "document lines copy a processed entry of their document": Tamper(entry_changed_under_its_line),
    "entries on a document are processed": Tamper(unprocessed_entry_on_a_document),
    # no double billing
    "an entry is billed on one document line": Tamper(
        entry_on_two_document_lines, frozenset({"processed entries have one document line"})
    ),
    "an entry is paid on one contractor invoice line": Tamper(entry_on_two_contractor_lines),
    "contractor invoice lines copy an entry of their invoice": Tamper(
        entry_pointing_at_another_contractor_invoice, frozenset({TICKET})
    ),
    "a document line is billed on one live invoice": Tamper(document_line_on_two_invoices),
    # payments
    "a payment pays one existing invoice": Tamper(zero_payment),
    "an invoice's paid amount is the sum of its payments": Tamper(paid_cents_off),
    "an invoice is not overpaid": Tamper(overpaid_invoice),
    "an invoice's status matches what is paid": Tamper(paid_status_without_the_money),
    # a contractor invoice no longer paid in full leaves its tickets' pay status behind
    "a contractor invoice's paid amount is the sum of its payments": Tamper(
        contractor_paid_cents_off, frozenset({TICKET})
    ),
    "a contractor invoice is not overpaid and its status matches what is paid": Tamper(
        contractor_status_off, frozenset({TICKET})
    ),
    "an unpaid or cancelled invoice has nothing paid": Tamper(paid_back_to_issued),
    "a cancelled invoice has its credit note": Tamper(
        cancelled_without_a_credit_note,
        frozenset({"an unpaid or cancelled invoice has nothing paid"}),
    ),
    "a credit note cancels the invoice it names": Tamper(credit_note_of_a_live_invoice),
    TICKET: Tamper(ticket_paid_without_its_invoice),
    # audit chain
    "audit events form an unbroken hash chain": Tamper(edited_audit_event),
    "the audit head row exists": Tamper(missing_audit_head),
    "the audit head names the last event": Tamper(audit_head_behind),
    "the audit head holds the last event's hash": Tamper(audit_head_hash_off),
    "the audit head is a single row": Tamper(second_audit_head),
    "the chain is keyed with this machine's audit key": Tamper(chain_keyed_with_another_key),
    "every event since the keying carries its keyed mark": Tamper(event_without_its_mark),
    "the chain holds the furthest event seen of it": Tamper(chain_gone_back),
    # sealed rows
    SEALED: Tamper(row_changed_below),
    # immutability guards
    "every guarded table has a guard": Tamper(unguarded_payments),
    "every expected guard trigger is present": Tamper(one_guard_dropped),
    "every guard trigger is enabled and refuses changes": Tamper(
        guard_disarmed, frozenset({"every guard trigger is defined as shipped"})
    ),
    "every guard trigger is defined as shipped": Tamper(guard_that_never_fires),
    # daily time summary
    "daily totals are the time entries summed": Tamper(summary_minutes_off),
    # project settlements
    "a project is billed one way only": Tamper(billed_both_ways),
    "a fixed contract is not invoiced beyond its amount with changes": Tamper(
        contract_overinvoiced
    ),
    "a project keeps to one settlement method": Tamper(methods_mixed),
    "nothing is invoiced after a total or final invoice": Tamper(invoiced_after_the_total),
    "a final invoice deducts exactly the advances before it": Tamper(final_deducting_too_little),
    "an invoice names a change of its own project": Tamper(change_of_no_project),
    "a period invoice's project shares are its lines'": Tamper(share_without_its_lines),
    "a recorded invoice keeps the PDF it was recorded with": Tamper(attachment_swapped),
    # subcontracts
    "agreement numbers run without a gap in each year": Tamper(agreement_renumbered),
    "an agreement's paid total and switches are its stages'": Tamper(agreement_paid_off),
    # a stage from the wrong start pays more than the agreement keeps as paid
    "settlement stages run in order within the contract amount": Tamper(
        stage_from_the_wrong_start,
        frozenset({"an agreement's paid total and switches are its stages'"}),
    ),
    "an agreement is never paid beyond its contract amount": Tamper(agreement_overpaid),
    "a time-and-material agreement's amount is its daily reports'": Tamper(
        agreement_amount_off_its_reports
    ),
    "a daily report is priced by the pay rule": Tamper(report_headcount_raised),
    "a file kept with an agreement is the one added": Tamper(kept_file_swapped),
    # payroll
    PERIOD_TOTALS: Tamper(period_total_off),
    "a transferred shift is its period's employee's, within its dates": Tamper(
        transferred_shift_moved_out
    ),
    "no other shift of the employee lies in a transferred period": Tamper(
        shift_slipped_into_a_transferred_period
    ),
    "an employee's transferred periods do not overlap": Tamper(periods_overlapping),
    "a priced shift's pay is the pay rule's": Tamper(shift_rate_raised),
    "a shift without both actual times has no pay": Tamper(open_shift_paid),
    # a transferred shift without pay takes its money out of its period's totals
    "a transferred shift is settled": Tamper(transferred_shift_unpaid, frozenset({PERIOD_TOTALS})),
}


# ==============================================================================================
# The tests
# ==============================================================================================


def test_every_rule_has_a_tamper_case() -> None:
    assert list(TAMPERS) == [rule.name for rule in RULES]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name.replace(" ", "_"))
def test_breaking_one_invariant_fails_its_rule(db: Database, rule: Rule) -> None:
    """The rule re-derives its invariant by itself: only it (and the rules that cannot hold
    while it is broken) fails, besides the sealed rows, which every write below the program
    breaks."""
    ids = build_ledger(db)
    case = TAMPERS[rule.name]
    names_the_row = case.apply(db, ids)
    report = run_check(db)
    failed = set(report.failed_rules)
    assert rule.name in failed, report.lines()
    assert failed <= {rule.name, SEALED, *case.also}, report.lines()
    details = [f.detail for f in report.failures if f.rule == rule.name]
    assert any(names_the_row in detail for detail in details), details
    assert {f.invariant for f in report.failures if f.rule == rule.name} == {rule.invariant}


def test_a_payroll_kept_as_the_program_keeps_it_passes(db: Database) -> None:
    """Every payroll rule holds on the hand-priced shifts and period of :func:`payroll` (the
    rows went in below the program, so only their seals are missing)."""
    ids = build_ledger(db)
    payroll(db, ids)
    report = run_check(db)
    assert set(report.failed_rules) == {SEALED}, report.lines()


def test_a_wrong_shift_is_reported_alone_not_in_the_shifts_after_it(db: Database) -> None:
    """The morning of 2 March kept at 200 standard minutes instead of 300: the afternoon
    still counts the 300 the rule gives the morning, and is right."""
    ids = build_ledger(db)
    made = payroll(db, ids)
    tamper(db, "UPDATE work_shift SET standard_minutes = 200 WHERE id = :id", id=made["morning"])
    report = run_check(db)
    details = [
        f.detail for f in report.failures if f.rule == "a priced shift's pay is the pay rule's"
    ]
    assert details == [
        f"work shift #{made['morning']} of {_sam(ids)} on 2026-03-02 keeps 200/0/0 min "
        "(standard/over the day/outside), but the pay rule makes 300/0/0 min (standard/over "
        "the day/outside) of 07:00-12:00"
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("pay_cents = 26500", "is paid 26,500, but its money by rate adds up to 26,000"),
        ("rate_outside_bp = NULL", "is priced but keeps no copy of the rates it was priced at"),
        (
            "lunch_minutes = 400",
            "cannot be priced by the pay rule: the lunch break must be shorter than the work",
        ),
    ],
    ids=["pay", "copy", "times"],
)
def test_a_priced_shift_is_reported_for_what_is_wrong(
    db: Database, change: str, problem: str
) -> None:
    """The afternoon of 2 March (260.00 in 120.00 + 60.00 + 80.00) with its pay, its copy of
    the rates or its times changed below the program."""
    ids = build_ledger(db)
    made = payroll(db, ids)
    tamper(db, f"UPDATE work_shift SET {change} WHERE id = :id", id=made["afternoon"])
    report = run_check(db)
    details = [
        f.detail for f in report.failures if f.rule == "a priced shift's pay is the pay rule's"
    ]
    assert details == [f"work shift #{made['afternoon']} of {_sam(ids)} on 2026-03-02 {problem}"]
    assert set(report.failed_rules) == {SEALED, "a priced shift's pay is the pay rule's"}
