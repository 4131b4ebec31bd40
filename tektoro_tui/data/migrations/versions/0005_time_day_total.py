"""The daily time summary ``time_day_total``, kept by triggers on ``time_entry``.

One row per (work date, owner, project, status, pay status, billable flag) with the number
of entries, their minutes and their billing value. Dashboards and metrics read these tens of
thousands of rows instead of a million entries. The table is filled from the existing
entries with one grouped ``INSERT ... SELECT``; from then on row triggers on ``time_entry``
keep it in the same transaction as every write:

- after an insert the entry's figures are added to its key's row (an upsert);
- after a delete they are subtracted;
- after an update that changes a key column, the minutes or the value, the old figures are
  subtracted and the new ones added.

A row whose entries drop to 0 is deleted. The ledger triggers of 0002 are left as they are.
The trigger names do not start with ``tektoro_`` (the prefix ``tektoro check`` reserves for
frozen-record guards); ``tektoro check`` re-derives the table from the raw entries. Like
0002's, a later batch operation on ``time_entry`` (a table rebuild on SQLite) drops these
triggers and must create them again (``sqlite_trigger_sql`` below). The demo drops and
re-creates them around its bulk load (``services/demo/bulk.py``).

Revision ID: 0005_time_day_total
Revises: 0004_time_entry_covering_indexes
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_time_day_total"
down_revision: str | Sequence[str] | None = "0004_time_entry_covering_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "time_day_total"
KEY = ("work_date", "owner_id", "project_id", "status", "pay_status", "billable")
WATCHED = (*KEY, "minutes", "value_cents")
FIGURES = ("entries", "minutes", "value_cents")

SQLITE_TRIGGERS = (
    "time_day_total_on_insert",
    "time_day_total_on_delete",
    "time_day_total_on_update",
)
PG_FUNCTION = "time_day_total_apply"
PG_TRIGGERS = SQLITE_TRIGGERS

FILL_SQL = (
    f"INSERT INTO {TABLE} ({', '.join(KEY)}, entries, minutes, value_cents) "
    f"SELECT {', '.join(KEY)}, COUNT(*), SUM(minutes), SUM(value_cents) FROM time_entry "
    f"GROUP BY {', '.join(KEY)}"
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("pay_status", sa.String(length=20), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("value_cents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_day_total")),
        sa.UniqueConstraint(*KEY, name="uq_time_day_total_key"),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index("ix_time_day_total_owner", ["owner_id", "work_date"], unique=False)
        batch_op.create_index(
            "ix_time_day_total_project", ["project_id", "work_date"], unique=False
        )
    op.execute(FILL_SQL)
    if op.get_bind().dialect.name == "sqlite":
        for sql in sqlite_trigger_sql():
            op.execute(sql)
    else:
        for sql in pg_trigger_sql():
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for name in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON time_entry")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index("ix_time_day_total_project")
        batch_op.drop_index("ix_time_day_total_owner")
    op.drop_table(TABLE)


# ==============================================================================================
# The statements a trigger body runs (shared by both dialects)
# ==============================================================================================


def _add(ref: str) -> str:
    """Add the figures of row ``ref`` (NEW) to its key's summary row (an upsert)."""
    sets = ", ".join(f"{f} = {TABLE}.{f} + excluded.{f}" for f in FIGURES)
    return (
        f"INSERT INTO {TABLE} ({', '.join(KEY)}, {', '.join(FIGURES)}) "
        f"VALUES ({', '.join(f'{ref}.{c}' for c in KEY)}, 1, {ref}.minutes, {ref}.value_cents) "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {sets};"
    )


def _where(ref: str) -> str:
    return " AND ".join(f"{c} = {ref}.{c}" for c in KEY)


def _subtract(ref: str) -> str:
    """Subtract the figures of row ``ref`` (OLD) and drop its key's row when it is empty."""
    return (
        f"UPDATE {TABLE} SET entries = entries - 1, minutes = minutes - {ref}.minutes, "
        f"value_cents = value_cents - {ref}.value_cents WHERE {_where(ref)};\n"
        f"    DELETE FROM {TABLE} WHERE {_where(ref)} AND entries = 0;"
    )


# ==============================================================================================
# SQLite
# ==============================================================================================


def sqlite_trigger_sql() -> list[str]:
    """The CREATE TRIGGER statements of SQLite (also used by the demo to re-create them)."""
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in WATCHED)
    insert, delete, update = SQLITE_TRIGGERS
    return [
        f"CREATE TRIGGER {insert} AFTER INSERT ON time_entry FOR EACH ROW\n"
        f"BEGIN\n    {_add('NEW')}\nEND",
        f"CREATE TRIGGER {delete} AFTER DELETE ON time_entry FOR EACH ROW\n"
        f"BEGIN\n    {_subtract('OLD')}\nEND",
        f"CREATE TRIGGER {update} AFTER UPDATE OF {', '.join(WATCHED)} ON time_entry "
        f"FOR EACH ROW WHEN {changed}\n"
        f"BEGIN\n    {_subtract('OLD')}\n    {_add('NEW')}\nEND",
    ]


# ==============================================================================================
# PostgreSQL
# ==============================================================================================


def pg_trigger_sql() -> list[str]:
    """The function and CREATE TRIGGER statements of PostgreSQL."""
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in WATCHED)
    insert, delete, update = PG_TRIGGERS
    function = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_subtract("OLD")}
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {_add("NEW")}
    END IF;
    RETURN NULL;
END
$fn$
"""
    run = f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
    return [
        function,
        f"CREATE TRIGGER {insert} AFTER INSERT ON time_entry {run}",
        f"CREATE TRIGGER {delete} AFTER DELETE ON time_entry {run}",
        f"CREATE TRIGGER {update} AFTER UPDATE ON time_entry FOR EACH ROW "
        f"WHEN ({changed}) EXECUTE FUNCTION {PG_FUNCTION}()",
    ]
