"""Seed rows every database needs: the audit chain head and the invoice numbering series.

Revision ID: 0003_seed
Revises: 0002_ledger_triggers
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_seed"
down_revision: str | Sequence[str] | None = "0002_ledger_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64

audit_head = sa.table(
    "audit_head",
    sa.column("id", sa.Integer),
    sa.column("last_event_id", sa.Integer),
    sa.column("last_hash", sa.String),
)

invoice_series = sa.table(
    "invoice_series",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("prefix", sa.String),
    sa.column("last_number", sa.Integer),
)

SERIES = (
    ("INV", "Client invoices", "INV"),
    ("CN", "Credit notes", "CN"),
    ("MI", "Contractor master invoices", "MI"),
)


def upgrade() -> None:
    op.bulk_insert(audit_head, [{"id": 1, "last_event_id": 0, "last_hash": GENESIS_HASH}])
    op.bulk_insert(
        invoice_series,
        [
            {"code": code, "name": name, "prefix": prefix, "last_number": 0}
            for code, name, prefix in SERIES
        ],
    )


def downgrade() -> None:
    codes = [code for code, _name, _prefix in SERIES]
    op.execute(invoice_series.delete().where(invoice_series.c.code.in_(codes)))
    op.execute(audit_head.delete().where(audit_head.c.id == 1))
