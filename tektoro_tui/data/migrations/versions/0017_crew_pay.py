"""Crew pay: employees' pay terms, work shifts in their real shape, the payroll lock.

``work_shift`` and ``payroll_period`` of ``0001_initial`` were never written by any service
(they held no rows anywhere); they are dropped and made again in the shape crew pay needs
(this revision refuses to run when one of them holds a row, rather than lose it). New:

- ``employee_pay`` / ``employee_pay_rate``: an employee's pay terms from a date on (standard
  hourly rate, own % rates, non-standard rates per type of work, employee or external);
- ``work_shift``: planned and actual times as minutes after midnight of the shift's date,
  lunch, own % rates, and the copy of the rates and rules it was priced with, its minutes and
  money by bucket, its approval and its payroll period;
- ``payroll_period``: a period transferred to accounting, with its totals; insert-only;
- ``organisation.default_lunch_minutes``.

The payroll lock is the database's: a shift of a transferred period can neither change nor be
deleted, no shift can be added to (or moved into) a transferred period's dates, and a period
never changes (guarded on both backends). Shifts and periods are sealed rows. The new
permissions ``payroll.rates`` and ``payroll.transfer`` go to HR and the administrator, and
``payroll.settle`` (planning, settling and approving shifts) to HR and managers as well.

Revision ID: 0017_crew_pay
Revises: 0016_subcontracts
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_crew_pay"
down_revision: str | Sequence[str] | None = "0016_subcontracts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CENTS = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MARKER = "TEKTORO_FROZEN: "
OLD_TABLES = ("work_shift", "payroll_period")
NEW_TABLES = ("work_shift", "employee_pay_rate", "payroll_period", "employee_pay")
SEALED = ("work_shift", "payroll_period")
PG_FUNCTION = "seal_track_rows"
SQLITE_FUNCTION = "tektoro_touch"
MSG_SHIFT = "a work shift of a period transferred to accounting cannot be changed or deleted"
MSG_SHIFT_ADD = "no work shift can be added to or moved into a period transferred to accounting"
MSG_PERIOD = "a payroll period transferred to accounting never changes"
COVERED = (
    "EXISTS (SELECT 1 FROM payroll_period p WHERE p.employee_id = NEW.employee_id "
    "AND NEW.shift_date BETWEEN p.period_start AND p.period_end "
    "AND (NEW.payroll_period_id IS NULL OR NEW.payroll_period_id <> p.id))"
)
GRANTS = (
    ("administrator", "payroll.rates"),
    ("hr", "payroll.rates"),
    ("administrator", "payroll.transfer"),
    ("hr", "payroll.transfer"),
    ("hr", "payroll.settle"),
    ("manager", "payroll.settle"),
)


def _lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _raise_pg(message: str) -> str:
    return (
        f"RAISE EXCEPTION USING MESSAGE = {_lit(MARKER + message)}, ERRCODE = 'restrict_violation';"
    )


PG_SHIFT = f"""
CREATE OR REPLACE FUNCTION tektoro_guard_work_shift() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.payroll_period_id IS NOT NULL THEN
        {_raise_pg(MSG_SHIFT)}
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF {COVERED} THEN
        {_raise_pg(MSG_SHIFT_ADD)}
    END IF;
    RETURN NEW;
END
$fn$
"""


def _guards(sqlite: bool) -> None:
    if sqlite:
        raise_shift = f"SELECT RAISE(ABORT, {_lit(MARKER + MSG_SHIFT)})"
        raise_add = f"SELECT RAISE(ABORT, {_lit(MARKER + MSG_SHIFT_ADD)})"
        raise_period = f"SELECT RAISE(ABORT, {_lit(MARKER + MSG_PERIOD)})"
        op.execute(
            "CREATE TRIGGER tektoro_work_shift_frozen_update BEFORE UPDATE ON work_shift "
            f"FOR EACH ROW WHEN OLD.payroll_period_id IS NOT NULL BEGIN {raise_shift}; END"
        )
        op.execute(
            "CREATE TRIGGER tektoro_work_shift_frozen_delete BEFORE DELETE ON work_shift "
            f"FOR EACH ROW WHEN OLD.payroll_period_id IS NOT NULL BEGIN {raise_shift}; END"
        )
        op.execute(
            "CREATE TRIGGER tektoro_work_shift_frozen_insert BEFORE INSERT ON work_shift "
            f"FOR EACH ROW WHEN {COVERED} BEGIN {raise_add}; END"
        )
        op.execute(
            "CREATE TRIGGER tektoro_work_shift_frozen_move BEFORE UPDATE ON work_shift "
            f"FOR EACH ROW WHEN {COVERED} BEGIN {raise_add}; END"
        )
        for event, name in (("UPDATE", "no_update"), ("DELETE", "no_delete")):
            op.execute(
                f"CREATE TRIGGER tektoro_payroll_period_{name} BEFORE {event} ON payroll_period "
                f"FOR EACH ROW BEGIN {raise_period}; END"
            )
        return
    op.execute(PG_SHIFT)
    op.execute(
        "CREATE TRIGGER tektoro_guard_work_shift BEFORE INSERT OR UPDATE OR DELETE ON "
        "work_shift FOR EACH ROW EXECUTE FUNCTION tektoro_guard_work_shift()"
    )
    op.execute(
        "CREATE TRIGGER tektoro_guard_payroll_period BEFORE UPDATE OR DELETE ON payroll_period "
        f"FOR EACH ROW EXECUTE FUNCTION tektoro_refuse({_lit(MSG_PERIOD)})"
    )
    for table in ("work_shift", "payroll_period"):
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
    """Drop the unused shapes, make the new tables, guard and seal the payroll."""
    bind = op.get_bind()
    for table in OLD_TABLES:
        if bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None:
            raise RuntimeError(
                f"table {table} holds rows; this revision would drop them. Nothing was changed."
            )
    op.drop_table("work_shift")
    op.drop_table("payroll_period")
    op.create_table(
        "employee_pay",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("external", sa.Boolean(), nullable=False),
        sa.Column("hourly_rate_cents", CENTS, nullable=False),
        sa.Column("over_day_bp", sa.Integer(), nullable=True),
        sa.Column("outside_window_bp", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_employee_pay_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["user_account.id"],
            name=op.f("fk_employee_pay_employee_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee_pay")),
        sa.UniqueConstraint("employee_id", "effective_from", name="uq_employee_pay_from"),
    )
    op.create_table(
        "payroll_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("shift_count", sa.Integer(), nullable=False),
        sa.Column("standard_minutes", sa.Integer(), nullable=False),
        sa.Column("over_day_minutes", sa.Integer(), nullable=False),
        sa.Column("outside_window_minutes", sa.Integer(), nullable=False),
        sa.Column("total_cents", CENTS, nullable=False),
        sa.Column("transferred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transferred_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["user_account.id"],
            name=op.f("fk_payroll_period_employee_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["transferred_by_id"],
            ["user_account.id"],
            name=op.f("fk_payroll_period_transferred_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payroll_period")),
    )
    op.create_index(
        "ix_payroll_period_employee",
        "payroll_period",
        ["employee_id", "period_start"],
        unique=False,
    )
    op.create_table(
        "employee_pay_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pay_id", sa.Integer(), nullable=False),
        sa.Column("work_type_id", sa.Integer(), nullable=False),
        sa.Column("hourly_rate_cents", CENTS, nullable=False),
        sa.ForeignKeyConstraint(
            ["pay_id"], ["employee_pay.id"], name=op.f("fk_employee_pay_rate_pay_id_employee_pay")
        ),
        sa.ForeignKeyConstraint(
            ["work_type_id"],
            ["work_type.id"],
            name=op.f("fk_employee_pay_rate_work_type_id_work_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee_pay_rate")),
        sa.UniqueConstraint("pay_id", "work_type_id", name="uq_employee_pay_rate_type"),
    )
    op.create_table(
        "work_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("work_type_id", sa.Integer(), nullable=True),
        sa.Column("shift_date", sa.Date(), nullable=False),
        sa.Column("planned_start", sa.Integer(), nullable=True),
        sa.Column("planned_end", sa.Integer(), nullable=True),
        sa.Column("actual_start", sa.Integer(), nullable=True),
        sa.Column("actual_end", sa.Integer(), nullable=True),
        sa.Column("lunch_minutes", sa.Integer(), nullable=False),
        sa.Column("custom_rates", sa.Boolean(), nullable=False),
        sa.Column("over_day_bp", sa.Integer(), nullable=True),
        sa.Column("outside_window_bp", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("rate_cents", CENTS, nullable=True),
        sa.Column("rate_over_day_bp", sa.Integer(), nullable=True),
        sa.Column("rate_outside_bp", sa.Integer(), nullable=True),
        sa.Column("window_start", sa.Integer(), nullable=True),
        sa.Column("window_end", sa.Integer(), nullable=True),
        sa.Column("day_length", sa.Integer(), nullable=True),
        sa.Column("day_off", sa.Boolean(), nullable=False),
        sa.Column("standard_minutes", sa.Integer(), nullable=False),
        sa.Column("over_day_minutes", sa.Integer(), nullable=False),
        sa.Column("outside_window_minutes", sa.Integer(), nullable=False),
        sa.Column("standard_cents", CENTS, nullable=False),
        sa.Column("over_day_cents", CENTS, nullable=False),
        sa.Column("outside_cents", CENTS, nullable=False),
        sa.Column("pay_cents", CENTS, nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payroll_period_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_work_shift_approved_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_work_shift_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["user_account.id"],
            name=op.f("fk_work_shift_employee_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["payroll_period_id"],
            ["payroll_period.id"],
            name=op.f("fk_work_shift_payroll_period_id_payroll_period"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_work_shift_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["work_type_id"], ["work_type.id"], name=op.f("fk_work_shift_work_type_id_work_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_shift")),
    )
    op.create_index("ix_work_shift_date", "work_shift", ["shift_date", "employee_id"], unique=False)
    op.create_index(
        "ix_work_shift_employee_date",
        "work_shift",
        ["employee_id", "shift_date", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_work_shift_payroll_period_id"), "work_shift", ["payroll_period_id"], unique=False
    )
    op.create_index(
        "ix_work_shift_project_date", "work_shift", ["project_id", "shift_date"], unique=False
    )
    op.add_column(
        "organisation",
        sa.Column("default_lunch_minutes", sa.Integer(), server_default="0", nullable=False),
    )
    sqlite = bind.dialect.name == "sqlite"
    _guards(sqlite)
    for table in SEALED:
        for statement in _tracking(table, sqlite):
            op.execute(statement)
    # a database not yet set up has no matrix and gets the whole default one when it is
    for role, permission in GRANTS:
        op.execute(
            f"INSERT INTO role_permission (role, permission) SELECT {_lit(role)}, "
            f"{_lit(permission)} WHERE EXISTS (SELECT 1 FROM role_permission) AND NOT EXISTS "
            f"(SELECT 1 FROM role_permission WHERE role = {_lit(role)} "
            f"AND permission = {_lit(permission)})"
        )


def downgrade() -> None:
    """Drop what this revision made and put back the shapes of ``0001_initial``."""
    op.execute(
        "DELETE FROM role_permission WHERE permission IN ('payroll.rates', 'payroll.transfer')"
    )
    op.execute(
        "DELETE FROM role_permission WHERE permission = 'payroll.settle' "
        "AND role IN ('hr', 'manager')"
    )
    op.drop_column("organisation", "default_lunch_minutes")
    for table in NEW_TABLES:
        op.drop_table(table)  # its triggers go with it
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS tektoro_guard_work_shift()")
    op.create_table(
        "payroll_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("total_cents", CENTS, nullable=False),
        sa.Column("transferred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("transferred_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["user_account.id"], name="fk_payroll_period_employee_id_user_account"
        ),
        sa.ForeignKeyConstraint(
            ["transferred_by_id"],
            ["user_account.id"],
            name="fk_payroll_period_transferred_by_id_user_account",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_payroll_period"),
    )
    op.create_index("ix_payroll_period_employee_id", "payroll_period", ["employee_id"])
    op.create_table(
        "work_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("shift_date", sa.Date(), nullable=False),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("planned_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actual_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actual_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lunch_minutes", sa.Integer(), nullable=False),
        sa.Column("standard_minutes", sa.Integer(), nullable=False),
        sa.Column("over_day_minutes", sa.Integer(), nullable=False),
        sa.Column("outside_window_minutes", sa.Integer(), nullable=False),
        sa.Column("pay_cents", CENTS, nullable=True),
        sa.Column("custom_overtime", sa.Boolean(), nullable=False),
        sa.Column("overtime_over_day_bp", sa.Integer(), nullable=True),
        sa.Column("overtime_outside_window_bp", sa.Integer(), nullable=True),
        sa.Column("irregular", sa.Boolean(), nullable=False),
        sa.Column("irregularity_note", sa.String(length=500), nullable=False),
        sa.Column("payroll_period_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["user_account.id"], name="fk_work_shift_employee_id_user_account"
        ),
        sa.ForeignKeyConstraint(
            ["payroll_period_id"],
            ["payroll_period.id"],
            name="fk_work_shift_payroll_period_id_payroll_period",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_work_shift_project_id_project"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_work_shift"),
    )
    op.create_index(
        "ix_work_shift_employee_date", "work_shift", ["employee_id", "shift_date", "id"]
    )
    op.create_index("ix_work_shift_project_id", "work_shift", ["project_id"])
