"""Audit seals and keyed marks: the audit log vouches for every ledger row.

- ``audit_event.seals``: the content digests of the ledger rows the event wrote
  (part of the event's hashed content; '' on every older event, which keeps
  their hashes valid).
- ``audit_event.mark``: the HMAC of the event's hash under the audit key, which
  lives outside the database (NULL on older events and on a database not keyed yet).
- ``audit_head.key_id``: the fingerprint of the key the chain is keyed with, and
  ``audit_head.keyed_from``: the first event that carries a mark under it. Both stay
  NULL on an upgraded database until ``tektoro audit seal`` keys it (a new database
  is keyed by ``tektoro init``).
- Tracking triggers on the sealed tables (``seal_track_<table>_ins|upd|del``) that
  collect the ids a write touches, for the program's own unit of work only
  (``data/seals.py``). SQLite: row triggers whose ``WHEN`` calls ``tektoro_touch``, a
  function only the program's connections have. PostgreSQL: statement triggers with
  transition tables that insert into the session's temporary ``tektoro_touched``, but
  only in a transaction that set ``tektoro.track_seals``.

The columns are added in place (no table rebuild), so the guard triggers of 0002
and the summary triggers of 0005 stay as they are. Like theirs, a later batch
operation that rebuilds a sealed table on SQLite drops its tracking triggers and
must create them again (``sqlite_tracking_sql``).

Revision ID: 0008_audit_seals
Revises: 0007_input_refusals_codes
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_audit_seals"
down_revision: str | Sequence[str] | None = "0007_input_refusals_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "invoice",
    "invoice_line",
    "payment",
    "master_invoice",
    "master_invoice_line",
    "document_record",
    "document_line",
    "time_entry",
)
PG_FUNCTION = "seal_track_rows"
SQLITE_FUNCTION = "tektoro_touch"
SETTING = "tektoro.track_seals"
TOUCHED = "tektoro_touched"


def upgrade() -> None:
    op.add_column(
        "audit_event", sa.Column("seals", sa.String(), nullable=False, server_default="")
    )
    op.add_column("audit_event", sa.Column("mark", sa.String(length=64), nullable=True))
    op.add_column("audit_head", sa.Column("key_id", sa.String(length=64), nullable=True))
    op.add_column("audit_head", sa.Column("keyed_from", sa.Integer(), nullable=True))
    postgresql = op.get_bind().dialect.name == "postgresql"
    for sql in pg_tracking_sql() if postgresql else sqlite_tracking_sql():
        op.execute(sql)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        for suffix in ("ins", "upd", "del"):
            on = f" ON {table}" if postgresql else ""
            op.execute(f"DROP TRIGGER IF EXISTS seal_track_{table}_{suffix}{on}")
    if postgresql:
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.drop_column("keyed_from")
        batch_op.drop_column("key_id")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("audit_event", "mark")
        op.drop_column("audit_event", "seals")
    else:
        # SQLite 3.35+ drops a column in place, keeping the table's guard triggers
        op.execute("ALTER TABLE audit_event DROP COLUMN mark")
        op.execute("ALTER TABLE audit_event DROP COLUMN seals")


def sqlite_tracking_sql() -> list[str]:
    """Three row triggers per sealed table; their WHEN calls the program's function."""
    statements = []
    for table in TABLES:
        name = f"seal_track_{table}"
        touch = f"{SQLITE_FUNCTION}('{table}', "
        statements += [
            f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} "
            f"WHEN {touch}NEW.id) BEGIN SELECT 1; END",
            f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} "
            f"WHEN {touch}OLD.id) + {touch}NEW.id) BEGIN SELECT 1; END",
            f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} "
            f"WHEN {touch}OLD.id) BEGIN SELECT 1; END",
        ]
    return statements


def pg_tracking_sql() -> list[str]:
    """The collecting function and its three statement triggers per sealed table."""
    function = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF current_setting('{SETTING}', true) IS DISTINCT FROM 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO pg_temp.{TOUCHED} (tbl, row_id)
            SELECT DISTINCT TG_TABLE_NAME, id FROM new_rows ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO pg_temp.{TOUCHED} (tbl, row_id)
            SELECT DISTINCT TG_TABLE_NAME, id FROM old_rows ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$fn$
"""
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
    statements = [function]
    for table in TABLES:
        name = f"seal_track_{table}"
        statements += [
            f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} "
            f"REFERENCING NEW TABLE AS new_rows {run}",
            f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} "
            f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}",
            f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} "
            f"REFERENCING OLD TABLE AS old_rows {run}",
        ]
    return statements
