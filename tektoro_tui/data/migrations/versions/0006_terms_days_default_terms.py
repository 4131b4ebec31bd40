"""Payment terms carry their due days; the firm has default payment terms.

- ``payment_terms_template.days``: how many days after the issue date an invoice under these
  terms is due ("Net 14" is 14); NULL for texts that set no deadline (payment instructions, a
  late fee). Existing templates named like "Net 30" get those days.
- ``organisation.default_payment_terms_id``: the terms a new draft invoice starts with.

Neither table carries a ledger trigger, so rebuilding them in batch mode on SQLite drops
nothing.

Revision ID: 0006_terms_days_default_terms
Revises: 0005_time_day_total
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_terms_days_default_terms"
down_revision: str | Sequence[str] | None = "0005_time_day_total"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK_NAME = "fk_organisation_default_payment_terms_id_payment_terms_template"
NET_DAYS = re.compile(r"\bnet\s*(\d{1,3})\b", re.IGNORECASE)
MAX_DAYS = 365


def upgrade() -> None:
    with op.batch_alter_table("payment_terms_template") as batch:
        batch.add_column(sa.Column("days", sa.Integer(), nullable=True))
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("default_payment_terms_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            FK_NAME, "payment_terms_template", ["default_payment_terms_id"], ["id"]
        )
    _days_from_names()


def _days_from_names() -> None:
    """Give "Net 30" and the like the days their names state."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name FROM payment_terms_template")).all()
    for ident, name in rows:
        found = NET_DAYS.search(str(name))
        if found is not None and int(found[1]) <= MAX_DAYS:
            bind.execute(
                sa.text("UPDATE payment_terms_template SET days = :days WHERE id = :id"),
                {"days": int(found[1]), "id": ident},
            )


def downgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.drop_constraint(FK_NAME, type_="foreignkey")
        batch.drop_column("default_payment_terms_id")
    with op.batch_alter_table("payment_terms_template") as batch:
        batch.drop_column("days")
