"""Tampering below the program, generated at random and by hand: ``check`` catches every one.

A firm with a real year behind it (the demo's time cards, document records, client
invoices, payments, contractor invoices, and one invoice cancelled by its credit
note) is built once per backend through the services, and checked clean. Each case
then opens one transaction on it and does what someone with write access to the
database would: gets past the database's own defences (SQLite: the frozen-record
triggers dropped, foreign keys deferred, CHECK constraints ignored; PostgreSQL:
``session_replication_role = replica``, which silences every trigger and foreign
key), changes the ledger with raw SQL, and puts the defences back as they were. Every
rule of ``check`` then runs on that transaction (``check_on``), which is rolled back,
so the firm is built once and no case sees another's changes.

The generated cases UPDATE a random column of a random row, DELETE a random row or
INSERT a copy of one, in every ledger table and in the audit log and its head.
``TEKTORO_TAMPER_CASES`` sets how many per backend (200 by default; 1,000 for the
long run), ``TEKTORO_TAMPER_SEED`` the random seed (a failure names its case).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Boolean, Date, Integer, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from tektoro_tui.data import models as m
from tektoro_tui.data.engine import Database
from tektoro_tui.data.seals import SEALED_TABLES, digest_table, sealed_columns, text_columns
from tektoro_tui.data.types import UTCDateTime
from tektoro_tui.domain.audit import RowDigester, event_hash, format_timestamp
from tektoro_tui.services.base import FixedClock
from tektoro_tui.services.check import (
    AUDIT_CHAIN,
    IMMUTABILITY_GUARDS,
    INVOICE_NUMBERING,
    PAYMENTS,
    SEALED_ROWS,
    CheckContext,
    CheckReport,
    check_on,
    run_check,
)
from tektoro_tui.services.demo import DEMO_PASSWORD, build_demo
from tektoro_tui.services.hub import Services
from tests.conftest import create_pg_database, drop_pg_database

CASES = int(os.environ.get("TEKTORO_TAMPER_CASES", "200"))
SEED = int(os.environ.get("TEKTORO_TAMPER_SEED", "20260310"))
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
AUDIT_TABLES = ("audit_event", "audit_head")


# ==============================================================================================
# The firm, built once per backend
# ==============================================================================================


@dataclass(frozen=True)
class Firm:
    """The populated database and the files that vouch for it from outside."""

    url: str
    backend: str
    key_file: Path
    heads_file: Path
    db: Database
    counts: dict[str, int]

    def context(self) -> CheckContext:
        """What a check run on this firm knows beyond the database."""
        return CheckContext.load(self.url, key_file=self.key_file, heads_file=self.heads_file)


def _build(url: str, home: Path) -> None:
    """The demo firm's year, one invoice cancelled by its credit note, checked clean."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TEKTORO_HOME", str(home))
        services = Services.connect(url, clock=FixedClock(NOW))
        try:
            result = build_demo(services, entries=400, seed=5, today=NOW.date())
            admin = result.logins[0]  # the first login is the administrator
            actor = services.auth.login(admin.email, DEMO_PASSWORD)
            with services.db.read() as session:
                unpaid = session.execute(
                    text(
                        "SELECT number FROM invoice WHERE status IN ('issued', 'sent') "
                        "AND paid_cents = 0 AND kind <> 'credit_note' ORDER BY id LIMIT 1"
                    )
                ).scalar_one()
            services.client_invoices.cancel(actor, unpaid, "Billed to the wrong client")
            report = run_check(services.db)
            assert report.ok, report.lines()
        finally:
            services.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def firm(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Firm]:
    """The populated firm on each backend (built once per module)."""
    home = tmp_path_factory.mktemp("tamper-home")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('tamper-db') / 'firm.db'}"
    else:
        url = create_pg_database(str(request.getfixturevalue("pg_template")))
    try:
        _build(url, home)
        db = Database.open(url)
        with db.engine.connect() as conn:
            counts = {
                table: int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
                for table in (*SEALED_TABLES, *AUDIT_TABLES)
            }
        yield Firm(
            url,
            request.param,
            home / "config" / "audit.key",
            home / "config" / "audit-heads.json",
            db,
            counts,
        )
        db.dispose()
    finally:
        if request.param == "postgresql":
            drop_pg_database(url)


# ==============================================================================================
# One transaction past the database's defences
# ==============================================================================================


@contextmanager
def below_the_program(firm: Firm) -> Iterator[Connection]:
    """A transaction whose writes skip the guards, foreign keys and CHECKs; rolled back."""
    with firm.db.engine.connect() as conn:
        conn.begin()
        try:
            if firm.backend == "sqlite":
                conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
            yield conn
        finally:
            conn.rollback()
            if firm.backend == "sqlite":
                conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")


@contextmanager
def guards_down(conn: Connection, backend: str) -> Iterator[None]:
    """The frozen-record triggers stand aside for the block and come back exactly as they were."""
    if backend == "postgresql":
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        yield
        conn.exec_driver_sql("SET LOCAL session_replication_role = origin")
        return
    saved = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tektoro_%'"
    ).all()
    for name, _sql in saved:
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    for _name, sql in saved:
        conn.exec_driver_sql(sql)


def checked(firm: Firm, conn: Connection) -> CheckReport:
    """Every rule of ``check`` on what ``conn``'s transaction sees (no head remembered)."""
    return check_on(conn, firm.context(), remember=False)


def caught_by(report: CheckReport) -> set[str]:
    """The invariants that caught something, not counting the guards (they were put back)."""
    return set(report.failed) - {IMMUTABILITY_GUARDS}


# ==============================================================================================
# Random tamperings
# ==============================================================================================

UNIQUE_COPIES: dict[str, dict[str, str]] = {
    "invoice": {"number": "number || '-X'", "seq": "seq + 100000"},
    "master_invoice": {"number": "number || '-X'", "seq": "seq + 100000"},
    "document_record": {"reference": "reference || 'X'"},
    "document_line": {"time_entry_id": ":free_entry"},
    "master_invoice_line": {"time_entry_id": ":free_entry"},
}
"""How an INSERT copying a row keeps clear of the table's unique constraints."""


class Unchanged(Exception):
    """The database took the statement but stored what was there: no tampering happened."""


@dataclass
class Tampering:
    """What one generated case did, for the failure message."""

    table: str
    what: str


class Tamperer:
    """Generates one random change below the program on a connection."""

    def __init__(self, conn: Connection, rng: random.Random, counts: dict[str, int]) -> None:
        self.conn = conn
        self.rng = rng
        self.counts = counts

    def value(self, sql: str, **params: Any) -> Any:
        return self.conn.execute(text(sql), params).scalar_one_or_none()

    def random_id(self, table: str) -> int:
        offset = self.rng.randrange(max(self.counts[table], 1))
        return int(self.value(f"SELECT id FROM {table} ORDER BY id LIMIT 1 OFFSET {offset}"))

    def apply(self) -> Tampering:
        table = self.rng.choice((*SEALED_TABLES, *SEALED_TABLES, *AUDIT_TABLES))
        if table == "audit_head":
            return self.update(table)
        if table == "audit_event":
            kind = self.rng.choice(("update", "update", "delete", "delete_last", "forge", "rehash"))
            return getattr(self, f"event_{kind}")()
        kind = self.rng.choice(("update", "update", "update", "delete", "insert"))
        return getattr(self, kind)(table)

    # --- rows of any table ----------------------------------------------------------------

    def update(self, table: str) -> Tampering:
        ident = self.random_id(table) if table != "audit_head" else 1
        column = self.rng.choice(list(m.metadata.tables[table].columns))
        current = self.value(f"SELECT {column.name} FROM {table} WHERE id = :id", id=ident)
        new = self.other_value(column, current, table)
        self.conn.execute(
            text(f"UPDATE {table} SET {column.name} = :v WHERE id = :id"),
            {"v": new, "id": ident},
        )
        if column.name != "id":
            stored = self.value(f"SELECT {column.name} FROM {table} WHERE id = :id", id=ident)
            if stored == current:  # e.g. PostgreSQL trims trailing spaces beyond a varchar(n)
                raise Unchanged(f"{table}.{column.name} kept {current!r}")
        return Tampering(table, f"UPDATE {table} #{ident}: {column.name} {current!r} -> {new!r}")

    def other_value(self, column: Any, current: Any, table: str) -> Any:
        """A value of the column's type that differs from ``current``."""
        if column.name == "id":
            return int(self.value(f"SELECT MAX(id) FROM {table}")) + 1000
        if current is not None and column.nullable and self.rng.random() < 0.2:
            return None
        kind = column.type
        if isinstance(kind, Boolean):
            return not bool(current) if current is not None else True
        if isinstance(kind, Integer):
            delta = self.rng.choice((1, -1, 7, 100, -1000, 12_345))
            return (int(current) + delta) if current is not None else self.rng.randint(1, 99)
        if isinstance(kind, UTCDateTime):
            base = _as_datetime(current) or NOW
            return (base + timedelta(seconds=self.rng.choice((1, -60, 3600)))).replace(tzinfo=None)
        if isinstance(kind, Date):
            base = date.fromisoformat(str(current)) if current is not None else NOW.date()
            return base + timedelta(days=self.rng.choice((1, -1, 30)))
        return ("" if current is None else str(current)) + self.rng.choice(("x", " ", "0"))

    def delete(self, table: str) -> Tampering:
        ident = self.random_id(table)
        self.conn.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": ident})
        return Tampering(table, f"DELETE {table} #{ident}")

    def insert(self, table: str) -> Tampering:
        source = self.random_id(table)
        new_id = int(self.value(f"SELECT MAX(id) FROM {table}")) + 1
        shifted = UNIQUE_COPIES.get(table, {})
        names = [c.name for c in m.metadata.tables[table].columns]
        exprs = [":new_id" if n == "id" else shifted.get(n, n) for n in names]
        params: dict[str, Any] = {"new_id": new_id, "src": source}
        if ":free_entry" in exprs:
            params["free_entry"] = self.value(
                f"SELECT MIN(id) FROM time_entry WHERE id NOT IN "
                f"(SELECT time_entry_id FROM {table})"
            )
        self.conn.execute(
            text(
                f"INSERT INTO {table} ({', '.join(names)}) "
                f"SELECT {', '.join(exprs)} FROM {table} WHERE id = :src"
            ),
            params,
        )
        return Tampering(table, f"INSERT {table} #{new_id} copying #{source}")

    # --- the audit log --------------------------------------------------------------------

    def event_update(self) -> Tampering:
        return self.update("audit_event")

    def event_delete(self) -> Tampering:
        return self.delete("audit_event")

    def event_delete_last(self) -> Tampering:
        """The last event deleted and the head moved back with it."""
        last = int(self.value("SELECT MAX(id) FROM audit_event"))
        self.conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": last})
        prev = self.conn.execute(
            text("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")
        ).one()
        self.conn.execute(
            text("UPDATE audit_head SET last_event_id = :i, last_hash = :h"),
            {"i": prev.id, "h": prev.hash},
        )
        return Tampering("audit_event", f"DELETE the last event #{last}, head moved back")

    def event_forge(self) -> Tampering:
        """An event appended with a correctly chained hash but no key to mark it."""
        head = self.conn.execute(text("SELECT last_event_id, last_hash FROM audit_head")).one()
        digest = _hash(head.last_hash, NOW, "mallory", "payment.record", "payment", "1", "", "{}")
        new_id = head.last_event_id + 1
        self.conn.execute(
            text(
                "INSERT INTO audit_event (id, occurred_at, actor_label, action, entity, "
                "entity_id, before_json, after_json, prev_hash, hash, seals, mark) VALUES "
                "(:id, :t, 'mallory', 'payment.record', 'payment', '1', '', '{}', :p, :h, '', "
                ":mark)"
            ),
            {
                "id": new_id,
                "t": NOW.replace(tzinfo=None),
                "p": head.last_hash,
                "h": digest,
                "mark": self.rng.choice((None, "0" * 64)),
            },
        )
        self.conn.execute(
            text("UPDATE audit_head SET last_event_id = :i, last_hash = :h"),
            {"i": new_id, "h": digest},
        )
        return Tampering("audit_event", f"INSERT forged event #{new_id}, chained, head moved")

    def event_rehash(self) -> Tampering:
        """An event's record edited and the chain re-hashed from there, head and all."""
        start = self.random_id("audit_event")
        rows = self.conn.execute(
            text(
                "SELECT id, occurred_at, actor_label, action, entity, entity_id, before_json, "
                "after_json, prev_hash, seals, mark, actor_id FROM audit_event "
                "WHERE id >= :s ORDER BY id"
            ),
            {"s": start},
        ).all()
        prev = rows[0].prev_hash
        for row in rows:
            after = '{"rewritten":true}' if row.id == start else row.after_json
            digest = event_hash(
                prev,
                occurred_at=format_timestamp(_as_datetime(row.occurred_at) or NOW),
                actor_label=row.actor_label,
                action=row.action,
                entity=row.entity,
                entity_id=row.entity_id,
                before_json=row.before_json,
                after_json=after,
                seals=row.seals or "",
                keyed=bool(row.mark),
                actor_id=row.actor_id,
            )
            self.conn.execute(
                text(
                    "UPDATE audit_event SET after_json = :a, prev_hash = :p, hash = :h "
                    "WHERE id = :i"
                ),
                {"a": after, "p": prev, "h": digest, "i": row.id},
            )
            prev = digest
        self.conn.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})
        return Tampering("audit_event", f"event #{start} edited, the chain re-hashed after it")


def _as_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _hash(prev: str, moment: datetime, *fields: str) -> str:
    label, action, entity, entity_id, before, after = fields
    return event_hash(
        prev,
        occurred_at=format_timestamp(moment),
        actor_label=label,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before_json=before,
        after_json=after,
    )


def tamper_once(
    conn: Connection, backend: str, rng: random.Random, counts: dict[str, int]
) -> Tampering:
    """One random change the database accepts (a refused one is undone and another tried)."""
    tamperer = Tamperer(conn, rng, counts)
    for _attempt in range(20):
        savepoint = conn.begin_nested()
        try:
            with guards_down(conn, backend):
                done = tamperer.apply()
        except (DBAPIError, Unchanged):
            savepoint.rollback()
            continue
        savepoint.commit()
        return done
    raise AssertionError("no tampering was accepted in 20 attempts")


# ==============================================================================================
# The tests
# ==============================================================================================


def test_the_harness_alone_raises_no_alarm(firm: Firm) -> None:
    with below_the_program(firm) as conn:
        with guards_down(conn, firm.backend):
            pass
        report = checked(firm, conn)
    assert report.ok, report.lines()


def test_the_database_joins_each_rows_digest_text_as_the_digester_does(firm: Firm) -> None:
    """Rows are digested from a text the database joins (``seals.digest_text``): for every
    row of every sealed table, also with text no builder writes (separators, accents, an
    empty string next to a NULL), it gives the digest of the cells themselves."""
    with below_the_program(firm) as conn:
        with guards_down(conn, firm.backend):
            first, last = conn.execute(text("SELECT min(id), max(id) FROM time_entry")).one()
            for ident, description in ((first, "Zażółć \x1f gęślą \x1e jaźń ✓"), (last, "")):
                conn.execute(
                    text("UPDATE time_entry SET description = :text WHERE id = :id"),
                    {"text": description, "id": ident},
                )
        compared = 0
        for table in SEALED_TABLES:
            digester = RowDigester(table, sealed_columns(table))
            cells = conn.exec_driver_sql(
                f"SELECT {text_columns(table, firm.backend)}, id FROM {table}"
            ).all()
            by_database = dict(digest_table(conn, table))
            assert by_database == {int(row[-1]): digester(row[:-1]) for row in cells}, table
            compared += len(cells)
    assert compared == sum(firm.counts[table] for table in SEALED_TABLES) > 1000


def test_random_tamperings_are_all_caught(firm: Firm) -> None:
    rng = random.Random(f"{SEED}-{firm.backend}")
    missed: list[str] = []
    by_table: dict[str, int] = {}
    for case in range(CASES):
        with below_the_program(firm) as conn:
            done = tamper_once(conn, firm.backend, rng, firm.counts)
            report = checked(firm, conn)
        by_table[done.table] = by_table.get(done.table, 0) + 1
        caught = caught_by(report)
        expected = AUDIT_CHAIN if done.table in AUDIT_TABLES else SEALED_ROWS
        if expected not in caught:
            missed.append(f"case {case} ({done.what}): caught by {sorted(caught) or 'nothing'}")
    assert not missed, f"seed {SEED}, {len(missed)} of {CASES} missed:\n" + "\n".join(missed)
    assert set(by_table) == {*SEALED_TABLES, *AUDIT_TABLES} or CASES < 50, by_table


# --- the tamperings of issue 11, one by one ---------------------------------------------------


def _one(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(text(sql), params).one()


def payment_inserted_with_its_totals(conn: Connection) -> None:
    inv = _one(
        conn,
        "SELECT id, gross_cents, paid_cents FROM invoice WHERE status IN ('issued', 'sent') "
        "AND kind <> 'credit_note' ORDER BY id LIMIT 1",
    )
    conn.execute(
        text(
            "INSERT INTO payment (invoice_id, method, paid_on, amount_cents, account_holder, "
            "account_number, reference, recorded_by_id, recorded_via, recorded_at) "
            "VALUES (:i, 'wire', :d, :a, '', '', '', 1, 'office', :t)"
        ),
        {"i": inv.id, "d": NOW.date(), "a": inv.gross_cents, "t": NOW.replace(tzinfo=None)},
    )
    conn.execute(
        text("UPDATE invoice SET paid_cents = gross_cents, status = 'paid' WHERE id = :i"),
        {"i": inv.id},
    )


def cancelled_without_credit_note(conn: Connection) -> None:
    conn.execute(
        text(
            "UPDATE invoice SET status = 'cancelled' WHERE id = (SELECT MIN(id) FROM invoice "
            "WHERE status IN ('issued', 'sent') AND kind <> 'credit_note')"
        )
    )


def paid_back_to_issued(conn: Connection) -> None:
    conn.execute(
        text(
            "UPDATE invoice SET status = 'issued' "
            "WHERE id = (SELECT MIN(id) FROM invoice WHERE status = 'paid')"
        )
    )


def line_and_totals_changed_together(conn: Connection) -> None:
    line = _one(
        conn,
        "SELECT l.id, l.invoice_id FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id "
        "WHERE i.status = 'issued' ORDER BY l.id LIMIT 1",
    )
    for sql in (
        "UPDATE invoice_line SET net_cents = net_cents + 100, gross_cents = gross_cents + 100 "
        "WHERE id = :l",
        "UPDATE invoice SET net_cents = net_cents + 100, gross_cents = gross_cents + 100 "
        "WHERE id = :i",
    ):
        conn.execute(text(sql), {"l": line.id, "i": line.invoice_id})


def line_added_with_its_totals(conn: Connection) -> None:
    inv = _one(conn, "SELECT MIN(id) AS id FROM invoice WHERE status = 'issued'")
    conn.execute(
        text(
            "INSERT INTO invoice_line (invoice_id, position, kind, description, detail, "
            "net_cents, vat_bp, vat_cents, gross_cents, reason) "
            "VALUES (:i, 99, 'service', 'extra', '', 1000, 0, 0, 1000, '')"
        ),
        {"i": inv.id},
    )
    conn.execute(
        text(
            "UPDATE invoice SET net_cents = net_cents + 1000, gross_cents = gross_cents + 1000 "
            "WHERE id = :i"
        ),
        {"i": inv.id},
    )


def document_and_line_changed_together(conn: Connection) -> None:
    line = _one(conn, "SELECT id, document_id FROM document_line ORDER BY id LIMIT 1")
    conn.execute(
        text("UPDATE document_line SET billed_cents = billed_cents + 500 WHERE id = :l"),
        {"l": line.id},
    )
    conn.execute(
        text("UPDATE document_record SET billed_cents = billed_cents + 500 WHERE id = :d"),
        {"d": line.document_id},
    )


def processed_entry_rewritten(conn: Connection) -> None:
    conn.execute(
        text(
            "UPDATE time_entry SET description = 'rewritten', rate_cents = rate_cents + 1 "
            "WHERE id = (SELECT MIN(id) FROM time_entry WHERE status = 'processed')"
        )
    )


def number_text_changed(conn: Connection) -> None:
    conn.execute(
        text(
            "UPDATE invoice SET number = number || 'A' "
            "WHERE id = (SELECT MIN(id) FROM invoice WHERE number IS NOT NULL)"
        )
    )


def two_numbers_swapped(conn: Connection) -> None:
    first, second = conn.execute(
        text("SELECT id, number FROM invoice WHERE number LIKE 'INV/%' ORDER BY id LIMIT 2")
    ).all()
    conn.execute(text("UPDATE invoice SET number = :n WHERE id = :i"), {"n": "TMP", "i": first.id})
    conn.execute(
        text("UPDATE invoice SET number = :n WHERE id = :i"), {"n": first.number, "i": second.id}
    )
    conn.execute(
        text("UPDATE invoice SET number = :n WHERE id = :i"), {"n": second.number, "i": first.id}
    )


def ticket_paid_without_master_invoice(conn: Connection) -> None:
    conn.execute(
        text(
            "UPDATE time_entry SET pay_status = 'paid' WHERE id = "
            "(SELECT MIN(id) FROM time_entry WHERE master_invoice_id IS NULL)"
        )
    )


IssueCase = Callable[[Connection], None]

ISSUE_CASES: dict[str, tuple[IssueCase, frozenset[str]]] = {
    "a payment inserted with the matching paid amount and status": (
        payment_inserted_with_its_totals,
        frozenset({SEALED_ROWS}),
    ),
    "an invoice cancelled without a credit note": (
        cancelled_without_credit_note,
        frozenset({SEALED_ROWS, PAYMENTS}),
    ),
    "a paid invoice back to issued": (paid_back_to_issued, frozenset({SEALED_ROWS, PAYMENTS})),
    "an issued invoice's line and totals changed together": (
        line_and_totals_changed_together,
        frozenset({SEALED_ROWS}),
    ),
    "a line added to an issued invoice with its totals": (
        line_added_with_its_totals,
        frozenset({SEALED_ROWS}),
    ),
    "a document record and its line changed together": (
        document_and_line_changed_together,
        frozenset({SEALED_ROWS}),
    ),
    "a processed entry's description and rate changed": (
        processed_entry_rewritten,
        frozenset({SEALED_ROWS}),
    ),
    "an invoice's number text changed": (
        number_text_changed,
        frozenset({SEALED_ROWS, INVOICE_NUMBERING}),
    ),
    "two invoice numbers swapped": (
        two_numbers_swapped,
        frozenset({SEALED_ROWS, INVOICE_NUMBERING}),
    ),
    "a ticket paid without a master invoice": (
        ticket_paid_without_master_invoice,
        frozenset({SEALED_ROWS, PAYMENTS}),
    ),
}


@pytest.mark.parametrize("case", list(ISSUE_CASES), ids=lambda c: c.replace(" ", "_"))
def test_the_tamperings_of_issue_11_are_caught(firm: Firm, case: str) -> None:
    apply, expected = ISSUE_CASES[case]
    with below_the_program(firm) as conn:
        with guards_down(conn, firm.backend):
            apply(conn)
        report = checked(firm, conn)
    assert expected <= caught_by(report), report.lines()


def test_the_last_event_deleted_and_the_head_moved_back_is_caught(firm: Firm) -> None:
    with below_the_program(firm) as conn:
        with guards_down(conn, firm.backend):
            done = Tamperer(conn, random.Random(1), firm.counts).event_delete_last()
        report = checked(firm, conn)
    details = "\n".join(f.detail for f in report.failures_of(AUDIT_CHAIN))
    assert "the chain went back" in details, (done.what, report.lines())


def test_an_edited_event_with_the_chain_re_hashed_is_caught(firm: Firm) -> None:
    with below_the_program(firm) as conn:
        with guards_down(conn, firm.backend):
            done = Tamperer(conn, random.Random(2), firm.counts).event_rehash()
        report = checked(firm, conn)
    failed = {f.rule for f in report.failures}
    assert "audit events form an unbroken hash chain" not in failed, report.lines()
    assert "every event since the keying carries its keyed mark" in failed, (done.what, failed)
    assert "the chain holds the furthest event seen of it" in failed


def test_a_guard_replaced_by_one_that_never_fires_is_caught(firm: Firm) -> None:
    with below_the_program(firm) as conn:
        if firm.backend == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER tektoro_payment_no_update")
            conn.exec_driver_sql(
                "CREATE TRIGGER tektoro_payment_no_update BEFORE UPDATE ON payment "
                "FOR EACH ROW WHEN 0 BEGIN "
                "SELECT RAISE(ABORT, 'TEKTORO_FROZEN: payments are append-only'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION tektoro_guard_invoice() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN IF false THEN "
                "RAISE EXCEPTION 'TEKTORO_FROZEN: never'; END IF; "
                "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
            )
        report = checked(firm, conn)
    assert IMMUTABILITY_GUARDS in report.failed
    assert any("is not defined as shipped" in f.detail for f in report.failures), report.lines()
