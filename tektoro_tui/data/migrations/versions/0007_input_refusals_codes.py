"""Names and codes unique per scope, case-insensitively, in the database; a work-date window.

Each code preset gets a folded key beside its name (case folded, inner spaces collapsed,
ends trimmed) and a unique index per scope:

- ``company``: (kind, name_key): one client "Acme" however it is typed;
- ``project``: (client_id, name_key), and ``code_key`` across all projects (NULL while a
  project has no code, so any number may have none);
- ``task``: (project_id, name_key); ``activity`` and ``rate_code``: name_key.

Rows that already share a key are renamed before the index is made, deterministically: in
each scope the row with the lowest id keeps its name, the others get " (2)", " (3)" ... (a
code gets "-2", "-3" ...), the lowest number whose key is still free, cut to fit the column.

``organisation.work_date_window_days`` (default 366) is how far from today a time card's
work date may lie.

Columns are added with ALTER TABLE (no table is rebuilt on SQLite); the folding is done here
in Python, as SQLite's lower() knows only ASCII. It is a copy of ``domain.values.name_key``
on purpose: a revision must fold the same way forever.

Revision ID: 0007_input_refusals_codes
Revises: 0006_terms_days_default_terms
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_input_refusals_codes"
down_revision: str | Sequence[str] | None = "0006_terms_days_default_terms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_LENGTH = 400
CODE_KEY_LENGTH = 60
NAME_LENGTH = 200
CODE_LENGTH = 30
NAMED = {  # table: the columns of its scope besides the key
    "company": ("kind",),
    "project": ("client_id",),
    "task": ("project_id",),
    "activity": (),
    "rate_code": (),
}
INDEXES = {
    "company": ("uq_company_kind_name_key", ["kind", "name_key"]),
    "project": ("uq_project_client_name_key", ["client_id", "name_key"]),
    "task": ("uq_task_project_name_key", ["project_id", "name_key"]),
    "activity": ("uq_activity_name_key", ["name_key"]),
    "rate_code": ("uq_rate_code_name_key", ["name_key"]),
}
CODE_INDEX = "uq_project_code_key"


def fold(text: str) -> str:
    """The key a name is compared by (a frozen copy of ``domain.values.name_key``)."""
    return " ".join((text or "").split()).casefold()


def renamed(name: str, number: int, separator: str, length: int) -> str:
    """``name`` with the suffix " (2)" (or "-2"), its stem cut so the whole fits ``length``."""
    suffix = f" ({number})" if separator == " (" else f"-{number}"
    return name[: length - len(suffix)].rstrip() + suffix


def unique_values(
    rows: list[tuple[int, tuple[object, ...], str]], separator: str, length: int
) -> dict[int, tuple[str, str]]:
    """For (id, scope, text) rows, ordered by id: {id: (text, key)} with every key unique in
    its scope; the lowest id of a clash keeps its text, the others are renamed."""
    taken: set[tuple[tuple[object, ...], str]] = {(scope, fold(text)) for _, scope, text in rows}
    seen: set[tuple[tuple[object, ...], str]] = set()
    result: dict[int, tuple[str, str]] = {}
    for ident, scope, text in rows:
        key = fold(text)
        if (scope, key) in seen:
            number = 2
            while (scope, fold(renamed(text, number, separator, length))) in taken:
                number += 1
            text = renamed(text, number, separator, length)
            key = fold(text)
            taken.add((scope, key))
        seen.add((scope, key))
        result[ident] = (text, key)
    return result


def upgrade() -> None:
    bind = op.get_bind()
    for table in NAMED:
        op.add_column(
            table,
            sa.Column(
                "name_key", sa.String(length=KEY_LENGTH), nullable=False, server_default=""
            ),
        )
    op.add_column("project", sa.Column("code_key", sa.String(length=CODE_KEY_LENGTH)))
    op.add_column(
        "organisation",
        sa.Column("work_date_window_days", sa.Integer(), nullable=False, server_default="366"),
    )
    for table, scope in NAMED.items():
        columns = ", ".join(("id", *scope, "name"))
        rows = bind.execute(sa.text(f"SELECT {columns} FROM {table} ORDER BY id")).all()
        keyed = unique_values(
            [(row[0], tuple(row[1:-1]), row[-1]) for row in rows], " (", NAME_LENGTH
        )
        for ident, (name, key) in keyed.items():
            bind.execute(
                sa.text(f"UPDATE {table} SET name = :name, name_key = :key WHERE id = :id"),
                {"name": name, "key": key, "id": ident},
            )
    codes = bind.execute(sa.text("SELECT id, code FROM project ORDER BY id")).all()
    keyed_codes = unique_values(
        [(row[0], (), row[1]) for row in codes if fold(row[1])], "-", CODE_LENGTH
    )
    for ident, (code, key) in keyed_codes.items():
        bind.execute(
            sa.text("UPDATE project SET code = :code, code_key = :key WHERE id = :id"),
            {"code": code, "key": key, "id": ident},
        )
    for table, (name, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=True)
    op.create_index(CODE_INDEX, "project", ["code_key"], unique=True)


def downgrade() -> None:
    op.drop_index(CODE_INDEX, table_name="project")
    for table, (name, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("work_date_window_days")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("code_key")
    for table in NAMED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("name_key")
