"""PostgreSQL compresses the audit log's images with LZ4 instead of its default, pglz.

An audit event keeps the whole image of what an action changed: opening a 30,000-line invoice
record writes its draft with every line (about 10 MB of JSON), issuing it the draft before and
the invoice after (twice that), and the seals of the rows written. PostgreSQL compresses text
that large when it stores it, by default with pglz: about 0.1 s for a 4.7 MB image here, so
about 0.6 s of opening and issuing such an invoice was spent compressing. LZ4 takes 0.04 s for
the same image and keeps it smaller (1.3 MB against 1.7 MB). The text read back is the same;
only values written from now on are compressed the new way (both are read alike).

A server built without LZ4 (or older than PostgreSQL 14, where the setting does not exist)
keeps pglz: the change is skipped there, not refused. SQLite does not compress.

Revision ID: 0019_audit_text_lz4
Revises: 0018_day_total_per_statement
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019_audit_text_lz4"
down_revision: str | Sequence[str] | None = "0018_day_total_per_statement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("before_json", "after_json", "seals")
"""The audit event's columns that hold an action's images and seals (the large ones)."""


def _compress_with(method: str) -> str:
    """One statement giving :data:`COLUMNS` ``method``, or nothing where the server cannot."""
    alter = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION {method}" for column in COLUMNS)
    return (
        "DO $$ BEGIN\n"
        f"    EXECUTE 'ALTER TABLE audit_event {alter}';\n"
        "EXCEPTION WHEN feature_not_supported OR syntax_error THEN NULL;\n"
        "END $$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_compress_with("lz4"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_compress_with("default"))
