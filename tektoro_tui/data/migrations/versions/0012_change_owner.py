"""Change events name the person whose record changed.

``change_event.owner_id`` is the user a changed record belongs to (a time entry's owner, a
notification's recipient), or NULL for records that belong to nobody in particular. A write
that touches several people's records appends one change event per person. Open screens use
it to skip changes to records they cannot show (a staff member's Time Report ignores
everybody else's cards), so a busy office does not make every screen re-read its data.
Events written before this revision have no owner, which makes them concern every screen,
as they did before.

Revision ID: 0012_change_owner
Revises: 0011_money_bigint
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_change_owner"
down_revision: str | Sequence[str] | None = "0011_money_bigint"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``change_event.owner_id``."""
    op.add_column("change_event", sa.Column("owner_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop ``change_event.owner_id``."""
    with op.batch_alter_table("change_event") as batch:
        batch.drop_column("owner_id")
