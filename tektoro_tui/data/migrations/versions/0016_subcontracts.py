"""Subcontracting agreements: numbers, rates, attachments, schedules, daily reports, stages.

The four subcontract tables of ``0001_initial`` were never written by any service (they held no
rows anywhere); they are dropped and made again in the shape the agreements need (this revision
refuses to run when one of them holds a row, rather than lose it). New:

- ``work_type``: the firm-wide list of types of work (a preset);
- ``holiday`` and ``organisation.working_weekdays``: which days are working days;
- ``subcontract_counter``: the gapless agreement numbers of each year (SA/2026/00001);
- ``subcontract_rate``: an agreement's non-standard hourly rates per type of work;
- ``subcontract_attachment``: files kept in the database, insert-only (guarded);
- ``subcontract_settlement``: the settlement stages, insert-only (guarded): a mistake is
  corrected by a new stage with a negative amount;
- ``user_account.contact_id`` / ``invitation.contact_id``: a foreman's login is the login of a
  subcontractor's contact (no foreign key: the columns are added in place on SQLite).

Agreements, their daily reports and their settlement stages are sealed rows, like invoices:
the tracking triggers of ``0008_audit_seals`` are made for them (the collecting function of
PostgreSQL exists already), so every row is vouched for by the audit event that wrote it.

Revision ID: 0016_subcontracts
Revises: 0015_invoice_project_shares
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_subcontracts"
down_revision: str | Sequence[str] | None = "0015_invoice_project_shares"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CENTS = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MARKER = "TEKTORO_FROZEN: "
OLD_TABLES = ("subcontract_settlement", "daily_report", "work_schedule", "subcontract_agreement")
NEW_TABLES = (
    "daily_report",
    "work_schedule",
    "subcontract_settlement",
    "subcontract_rate",
    "subcontract_attachment",
    "subcontract_agreement",
    "work_type",
    "subcontract_counter",
    "holiday",
)
MSG_STAGE = (
    "a settled stage of a subcontract never changes; correct it by a new stage with a "
    "negative amount and the reason"
)
MSG_FILE = "a file kept with a subcontract is permanent and cannot be changed"
GUARDED = (("subcontract_settlement", MSG_STAGE), ("subcontract_attachment", MSG_FILE))
SEALED = ("subcontract_agreement", "daily_report", "subcontract_settlement")
PG_FUNCTION = "seal_track_rows"
SQLITE_FUNCTION = "tektoro_touch"


def _lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _guard(table: str, message: str, sqlite: bool) -> None:
    if sqlite:
        for event, name in (("UPDATE", "no_update"), ("DELETE", "no_delete")):
            op.execute(
                f"CREATE TRIGGER tektoro_{table}_{name} BEFORE {event} ON {table} FOR EACH ROW\n"
                f"BEGIN SELECT RAISE(ABORT, {_lit(MARKER + message)}); END"
            )
        return
    op.execute(
        f"CREATE TRIGGER tektoro_guard_{table} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION tektoro_refuse({_lit(message)})"
    )
    emptied = f"the {table} table holds ledger records and cannot be emptied"
    op.execute(
        f"CREATE TRIGGER tektoro_guard_{table}_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION tektoro_refuse({_lit(emptied)})"
    )


def _tracking(table: str, sqlite: bool) -> list[str]:
    """The three tracking triggers of a sealed table, as ``0008_audit_seals`` makes them."""
    name = f"seal_track_{table}"
    if sqlite:
        touch = f"{SQLITE_FUNCTION}('{table}', "
        return [
            f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} "
            f"WHEN {touch}NEW.id) BEGIN SELECT 1; END",
            f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} "
            f"WHEN {touch}OLD.id) + {touch}NEW.id) BEGIN SELECT 1; END",
            f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} "
            f"WHEN {touch}OLD.id) BEGIN SELECT 1; END",
        ]
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
    return [
        f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows {run}",
    ]


def upgrade() -> None:
    """Drop the unused shapes, make the new tables and columns, guard the ledger ones."""
    bind = op.get_bind()
    for table in OLD_TABLES:
        if bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None:
            raise RuntimeError(
                f"table {table} holds rows; this revision would drop them. Nothing was changed."
            )
    for table in OLD_TABLES:
        op.drop_table(table)
    op.create_table(
        "holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holiday_date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=("pk_holiday")),
        sa.UniqueConstraint("holiday_date", name=("uq_holiday_holiday_date")),
    )
    op.create_table(
        "subcontract_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=("pk_subcontract_counter")),
    )
    op.create_table(
        "work_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=400), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=("pk_work_type")),
    )
    op.create_index("uq_work_type_name_key", "work_type", ["name_key"], unique=True)
    op.create_table(
        "subcontract_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("subcontractor_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=4000), nullable=False),
        sa.Column("contract_date", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("time_and_material", sa.Boolean(), nullable=False),
        sa.Column("fixed_amount_cents", CENTS, nullable=True),
        sa.Column("hourly_rate_cents", CENTS, nullable=True),
        sa.Column("over_day_bp", sa.Integer(), nullable=False),
        sa.Column("outside_window_bp", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("tm_amount_cents", CENTS, nullable=False),
        sa.Column("paid_cents", CENTS, nullable=False),
        sa.Column("fully_paid", sa.Boolean(), nullable=False),
        sa.Column("work_completed", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=("fk_subcontract_agreement_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=("fk_subcontract_agreement_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["subcontractor_id"],
            ["company.id"],
            name=("fk_subcontract_agreement_subcontractor_id_company"),
        ),
        sa.PrimaryKeyConstraint("id", name=("pk_subcontract_agreement")),
        sa.UniqueConstraint("number", name=("uq_subcontract_agreement_number")),
        sa.UniqueConstraint("year", "seq", name="uq_subcontract_agreement_year_seq"),
    )
    op.create_index(
        "ix_subcontract_agreement_open",
        "subcontract_agreement",
        ["work_completed", "contract_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_subcontract_agreement_project_id", "subcontract_agreement", ["project_id"], unique=False
    )
    op.create_index(
        "ix_subcontract_agreement_subcontractor_id",
        "subcontract_agreement",
        ["subcontractor_id"],
        unique=False,
    )
    op.create_table(
        "subcontract_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["user_account.id"],
            name=("fk_subcontract_attachment_added_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["subcontract_agreement.id"],
            name=("fk_subcontract_attachment_agreement_id_subcontract_agreement"),
        ),
        sa.PrimaryKeyConstraint("id", name=("pk_subcontract_attachment")),
    )
    op.create_index(
        ("ix_subcontract_attachment_agreement_id"),
        "subcontract_attachment",
        ["agreement_id"],
        unique=False,
    )
    op.create_table(
        "subcontract_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("work_type_id", sa.Integer(), nullable=False),
        sa.Column("hourly_rate_cents", CENTS, nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["subcontract_agreement.id"],
            name=("fk_subcontract_rate_agreement_id_subcontract_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["work_type_id"], ["work_type.id"], name=("fk_subcontract_rate_work_type_id_work_type")
        ),
        sa.PrimaryKeyConstraint("id", name=("pk_subcontract_rate")),
        sa.UniqueConstraint("agreement_id", "work_type_id", name="uq_subcontract_rate_type"),
    )
    op.create_table(
        "subcontract_settlement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=False),
        sa.Column("paid_cents", CENTS, nullable=False),
        sa.Column("paid_before_cents", CENTS, nullable=False),
        sa.Column("contract_cents", CENTS, nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("fully_paid", sa.Boolean(), nullable=False),
        sa.Column("work_completed", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["subcontract_agreement.id"],
            name=("fk_subcontract_settlement_agreement_id_subcontract_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=("fk_subcontract_settlement_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=("pk_subcontract_settlement")),
        sa.UniqueConstraint("agreement_id", "stage", name="uq_subcontract_settlement_stage"),
    )
    op.create_table(
        "work_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("planned_start", sa.Integer(), nullable=False),
        sa.Column("planned_end", sa.Integer(), nullable=False),
        sa.Column("work_type_id", sa.Integer(), nullable=False),
        sa.Column("foreman_contact_id", sa.Integer(), nullable=False),
        sa.Column("planned_headcount", sa.Integer(), nullable=False),
        sa.Column("custom_rates", sa.Boolean(), nullable=False),
        sa.Column("over_day_bp", sa.Integer(), nullable=True),
        sa.Column("outside_window_bp", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["subcontract_agreement.id"],
            name=("fk_work_schedule_agreement_id_subcontract_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=("fk_work_schedule_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["foreman_contact_id"],
            ["contact.id"],
            name=("fk_work_schedule_foreman_contact_id_contact"),
        ),
        sa.ForeignKeyConstraint(
            ["work_type_id"], ["work_type.id"], name=("fk_work_schedule_work_type_id_work_type")
        ),
        sa.PrimaryKeyConstraint("id", name=("pk_work_schedule")),
        sa.UniqueConstraint(
            "agreement_id", "work_date", "foreman_contact_id", name="uq_work_schedule_day"
        ),
    )
    op.create_index(
        ("ix_work_schedule_foreman_contact_id"),
        "work_schedule",
        ["foreman_contact_id"],
        unique=False,
    )
    op.create_table(
        "daily_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("foreman_contact_id", sa.Integer(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("actual_start", sa.Integer(), nullable=False),
        sa.Column("actual_end", sa.Integer(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("work_type_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("hourly_rate_cents", CENTS, nullable=False),
        sa.Column("over_day_bp", sa.Integer(), nullable=False),
        sa.Column("outside_window_bp", sa.Integer(), nullable=False),
        sa.Column("standard_minutes", sa.Integer(), nullable=False),
        sa.Column("over_day_minutes", sa.Integer(), nullable=False),
        sa.Column("outside_window_minutes", sa.Integer(), nullable=False),
        sa.Column("amount_cents", CENTS, nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["subcontract_agreement.id"],
            name=("fk_daily_report_agreement_id_subcontract_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["user_account.id"],
            name=("fk_daily_report_entered_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["foreman_contact_id"],
            ["contact.id"],
            name=("fk_daily_report_foreman_contact_id_contact"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["work_schedule.id"],
            name=("fk_daily_report_schedule_id_work_schedule"),
        ),
        sa.ForeignKeyConstraint(
            ["work_type_id"], ["work_type.id"], name=("fk_daily_report_work_type_id_work_type")
        ),
        sa.PrimaryKeyConstraint("id", name=("pk_daily_report")),
        sa.UniqueConstraint(
            "agreement_id", "report_date", "foreman_contact_id", name="uq_daily_report_day"
        ),
    )
    op.create_index(
        "ix_daily_report_foreman",
        "daily_report",
        ["foreman_contact_id", "report_date"],
        unique=False,
    )
    op.add_column("invitation", sa.Column("contact_id", sa.Integer(), nullable=True))
    op.add_column(
        "organisation",
        sa.Column("working_weekdays", sa.String(length=7), server_default="12345", nullable=False),
    )
    op.add_column("user_account", sa.Column("contact_id", sa.Integer(), nullable=True))

    sqlite = bind.dialect.name == "sqlite"
    for table, message in GUARDED:
        _guard(table, message, sqlite)
    for table in SEALED:
        for statement in _tracking(table, sqlite):
            op.execute(statement)
    # the new permission goes to every role that may create agreements (an administrator's
    # changes to the matrix are kept), and the new role gets it; a database not yet set up has
    # no matrix and gets the whole default one when it is
    op.execute(
        "INSERT INTO role_permission (role, permission) SELECT role, 'subcontract.report' "
        "FROM role_permission WHERE permission = 'subcontract.create'"
    )
    op.execute(
        "INSERT INTO role_permission (role, permission) SELECT 'foreman', 'subcontract.report' "
        "WHERE EXISTS (SELECT 1 FROM role_permission)"
    )


def downgrade() -> None:
    """Drop what this revision made and put back the shapes of ``0001_initial``."""
    op.execute("DELETE FROM role_permission WHERE permission = 'subcontract.report'")
    op.execute("DELETE FROM role_permission WHERE role = 'foreman'")
    op.drop_column("user_account", "contact_id")
    op.drop_column("invitation", "contact_id")
    op.drop_column("organisation", "working_weekdays")
    for table in NEW_TABLES:
        op.drop_table(table)  # its triggers go with it
    op.create_table(
        "subcontract_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("subcontractor_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=4000), nullable=False),
        sa.Column("time_and_material", sa.Boolean(), nullable=False),
        sa.Column("fixed_amount_cents", CENTS, nullable=True),
        sa.Column("hourly_rate_cents", CENTS, nullable=True),
        sa.Column("nonstandard_rates", sa.String(length=2000), nullable=False),
        sa.Column("overtime_over_day_bp", sa.Integer(), nullable=False),
        sa.Column("overtime_outside_window_bp", sa.Integer(), nullable=False),
        sa.Column("fully_paid", sa.Boolean(), nullable=False),
        sa.Column("work_completed", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name="fk_subcontract_agreement_created_by_id_user_account",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_subcontract_agreement_project_id_project"
        ),
        sa.ForeignKeyConstraint(
            ["subcontractor_id"],
            ["company.id"],
            name="fk_subcontract_agreement_subcontractor_id_company",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_subcontract_agreement"),
        sa.UniqueConstraint("number", name="uq_subcontract_agreement_number"),
    )
    op.create_index("ix_subcontract_agreement_project_id", "subcontract_agreement", ["project_id"])
    op.create_index(
        "ix_subcontract_agreement_subcontractor_id", "subcontract_agreement", ["subcontractor_id"]
    )
    op.create_table(
        "work_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scope_of_work", sa.String(length=500), nullable=False),
        sa.Column("foreman_contact_id", sa.Integer(), nullable=True),
        sa.Column("planned_headcount", sa.Integer(), nullable=False),
        sa.Column("custom_overtime", sa.Boolean(), nullable=False),
        sa.Column("overtime_over_day_bp", sa.Integer(), nullable=True),
        sa.Column("overtime_outside_window_bp", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["subcontract_agreement.id"],
            name="fk_work_schedule_agreement_id_subcontract_agreement",
        ),
        sa.ForeignKeyConstraint(
            ["foreman_contact_id"],
            ["contact.id"],
            name="fk_work_schedule_foreman_contact_id_contact",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_work_schedule"),
    )
    op.create_index("ix_work_schedule_agreement_id", "work_schedule", ["agreement_id"])
    op.create_table(
        "daily_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("minutes_worked", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["work_schedule.id"], name="fk_daily_report_schedule_id_work_schedule"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_daily_report"),
    )
    op.create_index("ix_daily_report_schedule_id", "daily_report", ["schedule_id"])
    op.create_table(
        "subcontract_settlement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=False),
        sa.Column("paid_cents", CENTS, nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("fully_paid", sa.Boolean(), nullable=False),
        sa.Column("work_completed", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["subcontract_agreement.id"],
            name="fk_subcontract_settlement_agreement_id_subcontract_agreement",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name="fk_subcontract_settlement_created_by_id_user_account",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_subcontract_settlement"),
    )
    op.create_index(
        "ix_subcontract_settlement_agreement_id", "subcontract_settlement", ["agreement_id"]
    )
