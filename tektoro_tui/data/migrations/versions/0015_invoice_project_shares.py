"""What an invoice of a client's whole period bills of each project, kept beside it.

An invoice made from a client's period (no project of its own) bills time of several
projects. A project's figures (invoiced, paid, the bars per month) need its share: the net of
the invoice's lines that bill the project's time. Joining every line to its time entry each
time took 40-60 ms per read on the 1,000,000-entry demo; ``invoice_project_share`` keeps those
sums, one row per invoice and project, written when the invoice is issued (its lines are frozen
from then on; a credit note counts for nothing in a project's figures and has none). This
revision fills it for the invoices issued so far. ``tektoro check``
re-derives it from the lines.

Revision ID: 0015_invoice_project_shares
Revises: 0014_project_settlements
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_invoice_project_shares"
down_revision: str | Sequence[str] | None = "0014_project_settlements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL = """
INSERT INTO invoice_project_share (invoice_id, project_id, net_cents)
SELECT l.invoice_id, t.project_id, SUM(l.net_cents)
  FROM invoice_line l
  JOIN invoice i ON i.id = l.invoice_id
  JOIN document_line d ON d.id = l.document_line_id
  JOIN time_entry t ON t.id = d.time_entry_id
 WHERE i.project_id IS NULL AND i.status <> 'draft' AND i.kind <> 'credit_note'
 GROUP BY l.invoice_id, t.project_id
"""


def upgrade() -> None:
    """Create the table and fill it for every issued invoice without a project."""
    op.create_table(
        "invoice_project_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "net_cents", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name="fk_invoice_project_share_invoice_id_invoice"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_invoice_project_share_project_id_project"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invoice_project_share"),
        sa.UniqueConstraint("invoice_id", "project_id", name="uq_invoice_project_share"),
    )
    op.create_index(
        "ix_invoice_project_share_project",
        "invoice_project_share",
        ["project_id", "invoice_id", "net_cents"],
    )
    op.execute(FILL)


def downgrade() -> None:
    """Drop the table."""
    op.drop_index("ix_invoice_project_share_project", table_name="invoice_project_share")
    op.drop_table("invoice_project_share")
