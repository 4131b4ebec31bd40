"""An index that answers the WIP groups' allocated totals by itself.

The WIP screen sums the allocated entries per project and allocation (to bill, on hold,
written down). Those sums read every allocated entry's row; with the grouped columns and the
summed ones in one index on (status, project_id, allocation, ...), both databases answer
from the index alone (on SQLite 53 ms -> 10 ms for 24,000 allocated entries). An index only:
no table is rebuilt, so the ledger triggers stay as they are.

Revision ID: 0013_wip_group_index
Revises: 0012_change_owner
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_wip_group_index"
down_revision: str | Sequence[str] | None = "0012_change_owner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_time_entry_status_allocation"
COLUMNS = ["status", "project_id", "allocation", "minutes", "value_cents", "write_down_cents"]


def upgrade() -> None:
    """Create the covering index; on a SQLite database whose tables were analysed, analyse
    time_entry again: beside indexes with statistics, SQLite's planner would take the new one,
    which has none, for cheap and read the WIP list's first page through it (15 ms -> 110 ms)."""
    op.create_index(NAME, "time_entry", COLUMNS)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        analysed = bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        ).first()
        if analysed is not None:
            op.execute("ANALYZE time_entry")


def downgrade() -> None:
    """Drop it."""
    op.drop_index(NAME, table_name="time_entry")
