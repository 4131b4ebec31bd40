"""Wrong passwords are counted per e-mail address typed, whether an account has it or not.

``login_throttle`` holds, for each folded e-mail address that failed to log in, the number of
failures in a row and when the next attempt may be made. Because unknown addresses are
counted and locked exactly like known ones, the login's answer never tells which accounts
exist. The counter is changed only under a row lock (``SELECT ... FOR UPDATE`` on
PostgreSQL, the write lock of ``BEGIN IMMEDIATE`` on SQLite) and is checked before the
password is, so simultaneous wrong passwords cannot lose a count.

``user_account.failed_logins`` and ``locked_until`` are no longer read or written; their
counts are carried over for accounts that are locked now.

Revision ID: 0009_login_throttle
Revises: 0008_audit_seals
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_login_throttle"
down_revision: str | Sequence[str] | None = "0008_audit_seals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``login_throttle`` and carry over the counts of accounts with failures."""
    op.create_table(
        "login_throttle",
        sa.Column("email_key", sa.String(length=254), primary_key=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO login_throttle (email_key, failed_logins, locked_until, updated_at) "
        "SELECT email_key, failed_logins, locked_until, created_at FROM user_account "
        "WHERE email_key IS NOT NULL AND failed_logins > 0"
    )


def downgrade() -> None:
    """Drop ``login_throttle``."""
    op.drop_table("login_throttle")
