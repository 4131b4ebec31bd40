"""Ledger immutability enforced by the database itself.

Issued invoices and their lines, approved contractor invoices, processed time
entries and the append-only records (document records and lines, contractor
invoice lines, payments, audit events) are refused any forbidden change by
triggers, on SQLite and PostgreSQL alike. Every refusal's message starts with
``TEKTORO_FROZEN:`` followed by the reason in plain words, which
``engine.translate_db_error`` turns into a ``LedgerError``.

The column lists below are frozen with this revision. A later revision that
adds a column to ``invoice``, ``master_invoice`` or ``time_entry`` must
recreate these triggers with the new column in the right list; a batch
operation on SQLite (table rebuild) drops a table's triggers, so it too must
create them again.

On SQLite the message of ``RAISE()`` must be a string literal (before SQLite
3.48), so its messages do not name the record; PostgreSQL's name the invoice
or entry and the columns the change touched.

Revision ID: 0002_ledger_triggers
Revises: 0001_initial
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002_ledger_triggers"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MARKER = "TEKTORO_FROZEN: "

# --- which columns may still change once a record is frozen --------------------------------

INVOICE_MUTABLE = (
    "status",
    "paid_cents",
    "sent_at",
    "paid_at",
    "booked_at",
    "cancelled_at",
    "overdue_notice_days",
)
INVOICE_FROZEN = (
    "id", "series_id", "seq", "number", "kind", "client_id", "project_id", "document_id",
    "credited_invoice_id", "currency", "vat_mode", "rounding_mode", "issue_date", "sale_date",
    "due_date", "service_name", "net_cents", "vat_cents", "gross_cents", "markup_bp",
    "markup_on_whole", "commentary", "attached_text", "payment_terms_id", "payment_terms_text",
    "footer", "seller_name", "seller_address", "seller_tax_id", "buyer_name", "buyer_address",
    "buyer_tax_id", "progress_pct_update", "created_by_id", "created_at", "issued_by_id",
    "issued_at",
)  # fmt: skip

MASTER_INVOICE_MUTABLE = ("status", "paid_cents", "approved_by_id", "approved_at", "paid_at")
MASTER_INVOICE_FROZEN = (
    "id", "series_id", "seq", "number", "contractor_id", "period_start", "period_end",
    "issue_date", "total_minutes", "total_cents", "created_by_id", "created_at",
)  # fmt: skip

TIME_ENTRY_MUTABLE = ("pay_status", "master_invoice_id", "updated_at", "version")
TIME_ENTRY_FROZEN = (
    "id", "owner_id", "entered_by_id", "project_id", "task_id", "activity_id", "rate_code_id",
    "work_date", "minutes", "start_minute", "end_minute", "description", "billable", "status",
    "rate_cents", "value_cents", "rejection_reason", "accepted_by_id", "accepted_at",
    "approved_by_id", "approved_at", "allocation", "write_down_cents", "write_down_reason",
    "write_down_note", "hold_until", "document_id", "created_at",
)  # fmt: skip

# --- tables that accept INSERT only -----------------------------------------------------------

APPEND_ONLY = {
    "document_record": "a document record is permanent and cannot be changed or deleted",
    "document_line": (
        "the lines of a document record are permanent and cannot be changed or deleted"
    ),
    "master_invoice_line": (
        "the lines of a contractor master invoice are permanent and cannot be changed or deleted"
    ),
    "payment": (
        "a recorded payment cannot be changed or deleted; record a correcting entry instead"
    ),
    "audit_event": "the audit trail is append-only; its events cannot be changed or deleted",
}

# --- messages ---------------------------------------------------------------------------------

MSG_INVOICE_UPDATE = "an issued invoice cannot be changed; issue a credit note to correct it"
MSG_INVOICE_REDRAFT = "an issued invoice cannot return to draft; issue a credit note instead"
MSG_INVOICE_DELETE = "an issued invoice cannot be deleted; issue a credit note to cancel it"
MSG_INVOICE_LINE = (
    "the lines of an issued invoice cannot be added, changed or removed; "
    "issue a credit note to correct it"
)
MSG_MASTER_UPDATE = (
    "an approved contractor invoice cannot be changed; only its approval and payment may be "
    "recorded"
)
MSG_MASTER_DELETE = "an approved contractor invoice cannot be deleted"
MSG_TIME_UPDATE = "a processed time entry cannot be changed; only its pay status may change"
MSG_TIME_STATUS = "a processed time entry cannot be moved to another stage"
MSG_TIME_DELETE = "only draft or rejected time entries can be deleted"

TRIGGER_TABLES = (
    "invoice",
    "invoice_line",
    "master_invoice",
    "time_entry",
    *APPEND_ONLY,
)


def _lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _pg_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _sqlite_trigger_names():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for table in TRIGGER_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS tektoro_guard_{table} ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS tektoro_guard_{table}_truncate ON {table}")
        for function in ("invoice", "invoice_line", "master_invoice", "time_entry"):
            op.execute(f"DROP FUNCTION IF EXISTS tektoro_guard_{function}()")
        op.execute("DROP FUNCTION IF EXISTS tektoro_refuse()")


# ==============================================================================================
# SQLite
# ==============================================================================================

_SQLITE_TRIGGERS: list[tuple[str, str]] = []


def _sqlite_trigger(name: str, timing: str, table: str, when: str | None, message: str) -> None:
    clause = f"\nWHEN {when}" if when else ""
    sql = (
        f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{clause}\n"
        f"BEGIN SELECT RAISE(ABORT, {_lit(MARKER + message)}); END"
    )
    _SQLITE_TRIGGERS.append((name, sql))


def _changed_sqlite(columns: Sequence[str]) -> str:
    return "(" + "\n  OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns) + ")"


def _invoice_status_sql(ref: str) -> str:
    return f"(SELECT status FROM invoice WHERE id = {ref}.invoice_id)"


def _define_sqlite() -> None:
    _SQLITE_TRIGGERS.clear()
    # invoice
    _sqlite_trigger(
        "tektoro_invoice_frozen_update", "BEFORE UPDATE", "invoice",
        f"OLD.status <> 'draft' AND {_changed_sqlite(INVOICE_FROZEN)}", MSG_INVOICE_UPDATE,
    )  # fmt: skip
    _sqlite_trigger(
        "tektoro_invoice_no_redraft", "BEFORE UPDATE OF status", "invoice",
        "OLD.status <> 'draft' AND NEW.status = 'draft'", MSG_INVOICE_REDRAFT,
    )  # fmt: skip
    _sqlite_trigger(
        "tektoro_invoice_frozen_delete", "BEFORE DELETE", "invoice",
        "OLD.status <> 'draft'", MSG_INVOICE_DELETE,
    )  # fmt: skip
    # invoice_line
    _sqlite_trigger(
        "tektoro_invoice_line_frozen_insert", "BEFORE INSERT", "invoice_line",
        f"{_invoice_status_sql('NEW')} <> 'draft'", MSG_INVOICE_LINE,
    )  # fmt: skip
    _sqlite_trigger(
        "tektoro_invoice_line_frozen_update", "BEFORE UPDATE", "invoice_line",
        f"{_invoice_status_sql('OLD')} <> 'draft' OR {_invoice_status_sql('NEW')} <> 'draft'",
        MSG_INVOICE_LINE,
    )  # fmt: skip
    _sqlite_trigger(
        "tektoro_invoice_line_frozen_delete", "BEFORE DELETE", "invoice_line",
        f"{_invoice_status_sql('OLD')} <> 'draft'", MSG_INVOICE_LINE,
    )  # fmt: skip
    # master_invoice
    _sqlite_trigger(
        "tektoro_master_invoice_frozen_update", "BEFORE UPDATE", "master_invoice",
        f"OLD.status <> 'draft' AND {_changed_sqlite(MASTER_INVOICE_FROZEN)}",
        MSG_MASTER_UPDATE,
    )  # fmt: skip
    _sqlite_trigger(
        "tektoro_master_invoice_frozen_delete", "BEFORE DELETE", "master_invoice",
        "OLD.status <> 'draft'", MSG_MASTER_DELETE,
    )  # fmt: skip
    # time_entry
    _sqlite_trigger(
        "tektoro_time_entry_frozen_status", "BEFORE UPDATE OF status", "time_entry",
        "OLD.status = 'processed' AND NEW.status IS NOT 'processed'", MSG_TIME_STATUS,
    )  # fmt: skip
    _sqlite_trigger(
        "tektoro_time_entry_frozen_update", "BEFORE UPDATE", "time_entry",
        f"OLD.status = 'processed' AND {_changed_sqlite(TIME_ENTRY_FROZEN)}", MSG_TIME_UPDATE,
    )  # fmt: skip
    _sqlite_trigger(
        "tektoro_time_entry_frozen_delete", "BEFORE DELETE", "time_entry",
        "OLD.status NOT IN ('draft','rejected')", MSG_TIME_DELETE,
    )  # fmt: skip
    # append-only tables
    for table, message in APPEND_ONLY.items():
        _sqlite_trigger(f"tektoro_{table}_no_update", "BEFORE UPDATE", table, None, message)
        _sqlite_trigger(f"tektoro_{table}_no_delete", "BEFORE DELETE", table, None, message)


def _sqlite_trigger_names() -> list[str]:
    _define_sqlite()
    return [name for name, _sql in _SQLITE_TRIGGERS]


def _sqlite_upgrade() -> None:
    _define_sqlite()
    for _name, sql in _SQLITE_TRIGGERS:
        op.execute(sql)


# ==============================================================================================
# PostgreSQL
# ==============================================================================================
# No '%' and no ':name' in these bodies: the text goes through SQLAlchemy's text() and the
# psycopg paramstyle. Messages are built with || and raised with USING MESSAGE.


def _raise_pg(message_sql: str) -> str:
    return (
        f"RAISE EXCEPTION USING MESSAGE = {_lit(MARKER)} || {message_sql}, "
        "ERRCODE = 'restrict_violation';"
    )


def _changed_pg(columns: Sequence[str]) -> str:
    """An expression listing the names of the given columns that the UPDATE changes."""
    parts = ",\n        ".join(
        f"CASE WHEN NEW.{c} IS DISTINCT FROM OLD.{c} THEN {_lit(c)} END" for c in columns
    )
    return f"concat_ws(', ',\n        {parts})"


_PG_REFUSE = f"""
CREATE OR REPLACE FUNCTION tektoro_refuse() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    {_raise_pg("TG_ARGV[0]")}
END
$fn$
"""

_PG_INVOICE = f"""
CREATE OR REPLACE FUNCTION tektoro_guard_invoice() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    label text;
    changed text;
BEGIN
    IF OLD.status = 'draft' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    label := 'issued invoice ' || coalesce(OLD.number, '#' || OLD.id::text);
    IF TG_OP = 'DELETE' THEN
        {_raise_pg("label || ' cannot be deleted; issue a credit note to cancel it'")}
    END IF;
    IF NEW.status = 'draft' THEN
        {_raise_pg("label || ' cannot return to draft; issue a credit note instead'")}
    END IF;
    changed := {_changed_pg(INVOICE_FROZEN)};
    IF changed <> '' THEN
        {
    _raise_pg(
        "label || ' cannot be changed (' || changed || '); issue a credit note to correct it'"
    )
}
    END IF;
    RETURN NEW;
END
$fn$
"""

_PG_INVOICE_LINE = f"""
CREATE OR REPLACE FUNCTION tektoro_guard_invoice_line() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    frozen text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT coalesce(number, '#' || id::text) INTO frozen
          FROM invoice WHERE id = OLD.invoice_id AND status <> 'draft';
    END IF;
    IF frozen IS NULL AND TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT coalesce(number, '#' || id::text) INTO frozen
          FROM invoice WHERE id = NEW.invoice_id AND status <> 'draft';
    END IF;
    IF frozen IS NOT NULL THEN
        {
    _raise_pg(
        "'the lines of issued invoice ' || frozen || ' cannot be added, changed or "
        "removed; issue a credit note to correct it'"
    )
}
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$fn$
"""

_PG_MASTER_INVOICE = f"""
CREATE OR REPLACE FUNCTION tektoro_guard_master_invoice() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    label text;
    changed text;
BEGIN
    IF OLD.status = 'draft' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    label := 'contractor invoice ' || OLD.number || ' is ' || replace(OLD.status, '_', ' ');
    IF TG_OP = 'DELETE' THEN
        {_raise_pg("label || ' and cannot be deleted'")}
    END IF;
    changed := {_changed_pg(MASTER_INVOICE_FROZEN)};
    IF changed <> '' THEN
        {
    _raise_pg(
        "label || ' and cannot be changed (' || changed || '); only its approval and "
        "payment may be recorded'"
    )
}
    END IF;
    RETURN NEW;
END
$fn$
"""

_PG_TIME_ENTRY = f"""
CREATE OR REPLACE FUNCTION tektoro_guard_time_entry() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    changed text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status NOT IN ('draft', 'rejected') THEN
            {
    _raise_pg(
        "'time entry #' || OLD.id::text || ' is ' || OLD.status || '; only draft or "
        "rejected time entries can be deleted'"
    )
}
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'processed' THEN
        RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        {
    _raise_pg("'processed time entry #' || OLD.id::text || ' cannot be moved to another stage'")
}
    END IF;
    changed := {_changed_pg(TIME_ENTRY_FROZEN)};
    IF changed <> '' THEN
        {
    _raise_pg(
        "'processed time entry #' || OLD.id::text || ' cannot be changed (' || changed "
        "|| '); only its pay status may change'"
    )
}
    END IF;
    RETURN NEW;
END
$fn$
"""


def _pg_upgrade() -> None:
    op.execute(_PG_REFUSE)
    op.execute(_PG_INVOICE)
    op.execute(_PG_INVOICE_LINE)
    op.execute(_PG_MASTER_INVOICE)
    op.execute(_PG_TIME_ENTRY)
    guarded = {
        "invoice": "UPDATE OR DELETE",
        "invoice_line": "INSERT OR UPDATE OR DELETE",
        "master_invoice": "UPDATE OR DELETE",
        "time_entry": "UPDATE OR DELETE",
    }
    for table, events in guarded.items():
        op.execute(
            f"CREATE TRIGGER tektoro_guard_{table} BEFORE {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION tektoro_guard_{table}()"
        )
    for table, message in APPEND_ONLY.items():
        op.execute(
            f"CREATE TRIGGER tektoro_guard_{table} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION tektoro_refuse({_lit(message)})"
        )
    # TRUNCATE skips row triggers: refuse it on every guarded table.
    for table in TRIGGER_TABLES:
        message = f"the {table} table holds ledger records and cannot be emptied"
        op.execute(
            f"CREATE TRIGGER tektoro_guard_{table}_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION tektoro_refuse({_lit(message)})"
        )
