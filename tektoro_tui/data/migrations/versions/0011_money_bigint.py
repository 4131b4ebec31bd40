"""Money columns are 64-bit on PostgreSQL.

Every ``_cents`` column was a 32-bit ``integer`` on PostgreSQL, which overflows at
21,474,836.47: an invoice total, a contract amount or a day's summary beyond that was refused
by the server ("integer out of range"). Each is now a ``bigint``; a table with several is
rewritten once (one ``ALTER TABLE`` for all its columns). Indexes and constraints stay as
they are; the triggers of these tables are made again from their own definitions (PostgreSQL
will not change a column a trigger names), so ``check`` finds every guard as it was; and so do the row digests of the sealed tables (an integer prints the same
either way). On SQLite nothing changes: its INTEGER holds 64 bits already.

Revision ID: 0011_money_bigint
Revises: 0010_edit_versions
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_money_bigint"
down_revision: str | Sequence[str] | None = "0010_edit_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "user_account": ("pay_rate_cents",),
    "project": ("contract_amount_cents",),
    "rate_code": ("hourly_rate_cents",),
    "time_entry": (
        "rate_cents",
        "value_cents",
        "write_down_cents",
    ),
    "document_record": (
        "value_cents",
        "billed_cents",
        "write_down_cents",
    ),
    "document_line": (
        "rate_cents",
        "value_cents",
        "billed_cents",
        "write_down_cents",
    ),
    "invoice": (
        "net_cents",
        "vat_cents",
        "gross_cents",
        "paid_cents",
    ),
    "invoice_line": (
        "unit_price_cents",
        "net_cents",
        "vat_cents",
        "gross_cents",
    ),
    "master_invoice": (
        "total_cents",
        "paid_cents",
    ),
    "master_invoice_line": (
        "pay_rate_cents",
        "amount_cents",
    ),
    "payment": ("amount_cents",),
    "project_cost": ("amount_cents",),
    "subcontract_agreement": (
        "fixed_amount_cents",
        "hourly_rate_cents",
    ),
    "subcontract_settlement": ("paid_cents",),
    "payroll_period": ("total_cents",),
    "work_shift": ("pay_cents",),
    "time_day_total": ("value_cents",),
}


TRIGGERS = sa.text(
    "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE NOT t.tgisinternal AND n.nspname = current_schema() AND c.relname IN :tables "
    "ORDER BY c.relname, t.tgname"
).bindparams(sa.bindparam("tables", expanding=True))


def _alter(kind: str) -> None:
    """Change every money column to ``kind``. PostgreSQL refuses to change the type of a
    column a trigger names (``UPDATE OF``, ``WHEN``), so the tables' triggers are dropped
    first and made again from their own definitions, unchanged, in the same transaction."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    triggers = bind.execute(TRIGGERS, {"tables": list(MONEY_COLUMNS)}).all()
    for name, table, _definition in triggers:
        op.execute(f'DROP TRIGGER "{name}" ON "{table}"')
    for table, columns in MONEY_COLUMNS.items():
        changes = ", ".join(f"ALTER COLUMN {column} TYPE {kind}" for column in columns)
        op.execute(f"ALTER TABLE {table} {changes}")
    for _name, _table, definition in triggers:
        op.execute(definition)


def upgrade() -> None:
    """``bigint`` for every money column (PostgreSQL only)."""
    _alter("bigint")


def downgrade() -> None:
    """Back to ``integer`` (refused by the server if a value no longer fits)."""
    _alter("integer")
