"""Every record a person edits in a form carries a version.

``version`` (from 1) is added to the tables edited through forms: the organisation's
settings, companies and their contacts, users, projects, tasks, activities, rate codes,
payment-terms templates and contractor documents (time entries have had one from the
start). Each save raises it by one; a save that names the version its form was opened on is
refused when the record has moved on since, instead of overwriting the other person's change.

The columns are added in place (no table is rebuilt on SQLite), so no trigger is touched; none
of these tables is sealed (``data/seals.py``), so no row digest changes.

Revision ID: 0010_edit_versions
Revises: 0009_login_throttle
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_edit_versions"
down_revision: str | Sequence[str] | None = "0009_login_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "organisation",
    "company",
    "contact",
    "user_account",
    "project",
    "task",
    "activity",
    "rate_code",
    "payment_terms_template",
    "contractor_document",
)


def upgrade() -> None:
    """Add ``version`` (1 on every existing row) to each edited table."""
    for table in TABLES:
        op.add_column(
            table, sa.Column("version", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    """Drop the columns."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
