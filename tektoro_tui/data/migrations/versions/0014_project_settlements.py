"""Projects as contracts: change orders, settlement invoices, invoices issued elsewhere.

- ``project_change``: a project's change orders (number per project, ± amount, approved).
- ``invoice`` gains four columns, NULL on every invoice issued so far (so no row digest
  changes): the change a settlement invoice settles, the number of an invoice issued in another
  program and recorded here, the SHA-256 of that invoice's attached PDF and the frozen
  explanation of a settlement invoice's suggested net. All four are frozen once the invoice is
  issued: the guard of ``invoice`` is recreated with them in its list of frozen columns.
- ``invoice_attachment``: the attached PDF itself, insert-only (guarded like the other
  append-only ledger tables).
- ``project_cost`` gains ``version`` (edited through a form).

Columns are added in place (no table is rebuilt on SQLite), so every other trigger stays.

Revision ID: 0014_project_settlements
Revises: 0013_wip_group_index
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_project_settlements"
down_revision: str | Sequence[str] | None = "0013_wip_group_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MARKER = "TEKTORO_FROZEN: "

INVOICE_FROZEN_0002 = (
    "id", "series_id", "seq", "number", "kind", "client_id", "project_id", "document_id",
    "credited_invoice_id", "currency", "vat_mode", "rounding_mode", "issue_date", "sale_date",
    "due_date", "service_name", "net_cents", "vat_cents", "gross_cents", "markup_bp",
    "markup_on_whole", "commentary", "attached_text", "payment_terms_id", "payment_terms_text",
    "footer", "seller_name", "seller_address", "seller_tax_id", "buyer_name", "buyer_address",
    "buyer_tax_id", "progress_pct_update", "created_by_id", "created_at", "issued_by_id",
    "issued_at",
)  # fmt: skip
NEW_FROZEN = ("project_change_id", "external_number", "attachment_sha256", "settlement_basis")
INVOICE_FROZEN = INVOICE_FROZEN_0002 + NEW_FROZEN

MSG_INVOICE_UPDATE = "an issued invoice cannot be changed; issue a credit note to correct it"
MSG_ATTACHMENT = "the attached file of a recorded invoice is permanent and cannot be changed"


def _lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _sqlite_invoice_update(columns: Sequence[str]) -> str:
    changed = "(" + "\n  OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns) + ")"
    return (
        "CREATE TRIGGER tektoro_invoice_frozen_update BEFORE UPDATE ON invoice FOR EACH ROW\n"
        f"WHEN OLD.status <> 'draft' AND {changed}\n"
        f"BEGIN SELECT RAISE(ABORT, {_lit(MARKER + MSG_INVOICE_UPDATE)}); END"
    )


def _sqlite_refuse(name: str, timing: str) -> str:
    return (
        f"CREATE TRIGGER {name} {timing} ON invoice_attachment FOR EACH ROW\n"
        f"BEGIN SELECT RAISE(ABORT, {_lit(MARKER + MSG_ATTACHMENT)}); END"
    )


def _raise_pg(message_sql: str) -> str:
    return (
        f"RAISE EXCEPTION USING MESSAGE = {_lit(MARKER)} || {message_sql}, "
        "ERRCODE = 'restrict_violation';"
    )


def _changed_pg(columns: Sequence[str]) -> str:
    parts = ",\n        ".join(
        f"CASE WHEN NEW.{c} IS DISTINCT FROM OLD.{c} THEN {_lit(c)} END" for c in columns
    )
    return f"concat_ws(', ',\n        {parts})"


def _pg_invoice(columns: Sequence[str]) -> str:
    change = _raise_pg(
        "label || ' cannot be changed (' || changed || '); issue a credit note to correct it'"
    )
    return f"""
CREATE OR REPLACE FUNCTION tektoro_guard_invoice() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    label text;
    changed text;
BEGIN
    IF OLD.status = 'draft' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    label := 'issued invoice ' || coalesce(OLD.number, '#' || OLD.id::text);
    IF TG_OP = 'DELETE' THEN
        {_raise_pg("label || ' cannot be deleted; issue a credit note to cancel it'")}
    END IF;
    IF NEW.status = 'draft' THEN
        {_raise_pg("label || ' cannot return to draft; issue a credit note instead'")}
    END IF;
    changed := {_changed_pg(columns)};
    IF changed <> '' THEN
        {change}
    END IF;
    RETURN NEW;
END
$fn$
"""


def upgrade() -> None:
    """Create the tables, add the columns, guard them."""
    op.create_table(
        "project_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("change_date", sa.Date(), nullable=False),
        sa.Column(
            "amount_cents", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_project_change_project_id_project"
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name="fk_project_change_approved_by_id_user_account",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name="fk_project_change_created_by_id_user_account",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_project_change"),
        sa.UniqueConstraint("project_id", "number", name="uq_project_change_number"),
    )
    op.create_table(
        "invoice_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name="fk_invoice_attachment_invoice_id_invoice"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invoice_attachment"),
        sa.UniqueConstraint("invoice_id", name="uq_invoice_attachment_invoice_id"),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    # no foreign key: SQLite cannot drop a column that has one without rebuilding the table
    # (and its guards); the change must be one of the invoice's own project anyway, which a key
    # cannot say, so the service keeps it and ``check`` re-derives it
    op.add_column("invoice", sa.Column("project_change_id", sa.Integer(), nullable=True))
    op.add_column("invoice", sa.Column("external_number", sa.String(length=60), nullable=True))
    op.add_column("invoice", sa.Column("attachment_sha256", sa.String(length=64), nullable=True))
    op.add_column("invoice", sa.Column("settlement_basis", sa.String(length=4000), nullable=True))
    op.create_index(
        "uq_invoice_project_external", "invoice", ["project_id", "external_number"], unique=True
    )
    op.add_column(
        "project_cost", sa.Column("version", sa.Integer(), nullable=False, server_default="1")
    )
    if sqlite:
        op.execute("DROP TRIGGER tektoro_invoice_frozen_update")
        op.execute(_sqlite_invoice_update(INVOICE_FROZEN))
        op.execute(_sqlite_refuse("tektoro_invoice_attachment_no_update", "BEFORE UPDATE"))
        op.execute(_sqlite_refuse("tektoro_invoice_attachment_no_delete", "BEFORE DELETE"))
    else:
        op.execute(_pg_invoice(INVOICE_FROZEN))
        op.execute(
            "CREATE TRIGGER tektoro_guard_invoice_attachment BEFORE UPDATE OR DELETE ON "
            "invoice_attachment FOR EACH ROW EXECUTE FUNCTION "
            f"tektoro_refuse({_lit(MSG_ATTACHMENT)})"
        )
        message = "the invoice_attachment table holds ledger records and cannot be emptied"
        op.execute(
            "CREATE TRIGGER tektoro_guard_invoice_attachment_truncate BEFORE TRUNCATE ON "
            "invoice_attachment FOR EACH STATEMENT EXECUTE FUNCTION "
            f"tektoro_refuse({_lit(message)})"
        )


def downgrade() -> None:
    """Put the guard back as 0002 made it and drop what this revision added."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_index("uq_invoice_project_external", table_name="invoice")
    if sqlite:
        # ALTER TABLE DROP COLUMN keeps the table and its other triggers; the one guard that
        # names the columns goes first and comes back as 0002 made it
        op.execute("DROP TRIGGER tektoro_invoice_frozen_update")
        op.execute("DROP TRIGGER tektoro_invoice_attachment_no_update")
        op.execute("DROP TRIGGER tektoro_invoice_attachment_no_delete")
        for column in NEW_FROZEN:
            op.execute(f"ALTER TABLE invoice DROP COLUMN {column}")
        op.execute("ALTER TABLE project_cost DROP COLUMN version")
        op.execute(_sqlite_invoice_update(INVOICE_FROZEN_0002))
    else:
        op.execute(_pg_invoice(INVOICE_FROZEN_0002))
        for column in NEW_FROZEN:
            op.drop_column("invoice", column)
        op.drop_column("project_cost", "version")
    op.drop_table("invoice_attachment")
    op.drop_table("project_change")
