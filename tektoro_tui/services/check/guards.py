"""Immutability guards: the triggers that freeze ledger rows are all there, armed, as shipped.

The triggers a database must hold come from ``data.guards``; the ones it does
hold from the backend's catalog. A guarded table with no guard at all is
reported once, not trigger by trigger; a guard that is disabled, or whose
body no longer raises the frozen marker, no longer refuses anything; and a
guard whose definition (on PostgreSQL with its function's) is not the shipped
one may not either, whatever its name and message say.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ...data.guards import (
    FROZEN_MARKER,
    GUARDED_TABLES,
    definition_fingerprint,
    expected_fingerprint,
    expected_guards,
)
from .core import IMMUTABILITY_GUARDS, ComputedRule, Rule

GUARD_PREFIX = "tektoro_"

_SQLITE_CATALOG = "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"

_PG_CATALOG = """
    SELECT t.tgname AS name, c.relname AS tbl, t.tgenabled AS enabled, p.prosrc AS body,
           pg_get_triggerdef(t.oid) AS ddl, pg_get_functiondef(p.oid) AS function_ddl
      FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_proc p ON p.oid = t.tgfoid
     WHERE NOT t.tgisinternal AND n.nspname = current_schema()
"""


@dataclass(frozen=True)
class FoundTrigger:
    """A trigger as the catalog holds it; ``body`` is '' when it raises nothing;
    ``fingerprint`` is its definition's (``data.guards.definition_fingerprint``)."""

    name: str
    table: str
    enabled: bool
    body: str
    fingerprint: str = ""


@dataclass(frozen=True)
class MissingGuards:
    """The expected guard triggers one table lacks."""

    table: str
    names: tuple[str, ...]


def _raising(body: str | None) -> str:
    return body if body and "RAISE" in body.upper() else ""


def found_triggers(conn: Connection) -> list[FoundTrigger]:
    """Every trigger in the database (PostgreSQL: in the current schema), in catalog order."""
    if conn.dialect.name == "sqlite":
        return [
            FoundTrigger(
                r.name,
                r.tbl_name,
                enabled=True,
                body=_raising(r.sql),
                fingerprint=definition_fingerprint(r.sql or ""),
            )
            for r in conn.execute(text(_SQLITE_CATALOG))
        ]
    out = []
    for r in conn.execute(text(_PG_CATALOG)):
        enabled = r.enabled.decode() if isinstance(r.enabled, bytes) else str(r.enabled)
        out.append(
            FoundTrigger(
                r.name,
                r.tbl,
                enabled=enabled != "D",
                body=_raising(r.body),
                fingerprint=definition_fingerprint(r.ddl or "", r.function_ddl or ""),
            )
        )
    return out


def unguarded_tables(conn: Connection) -> list[str]:
    """Guarded tables without a single guard trigger left."""
    guarded = {t.table for t in found_triggers(conn) if t.name.startswith(GUARD_PREFIX)}
    return [table for table in GUARDED_TABLES if table not in guarded]


def missing_guards(conn: Connection) -> list[MissingGuards]:
    """Expected guards absent (or on another table), per table, skipping unguarded tables."""
    by_name = {t.name: t for t in found_triggers(conn)}
    unguarded = set(unguarded_tables(conn))
    missing: dict[str, list[str]] = {}
    for guard in expected_guards(conn.dialect.name):
        trigger = by_name.get(guard.name)
        if (trigger is None or trigger.table != guard.table) and guard.table not in unguarded:
            missing.setdefault(guard.table, []).append(guard.name)
    return [MissingGuards(table, tuple(names)) for table, names in missing.items()]


def disarmed_guards(conn: Connection) -> list[FoundTrigger]:
    """Guard triggers that are disabled or no longer raise the frozen marker."""
    return [
        t
        for t in found_triggers(conn)
        if t.name.startswith(GUARD_PREFIX) and (not t.enabled or FROZEN_MARKER not in t.body)
    ]


def redefined_guards(conn: Connection) -> list[FoundTrigger]:
    """Guard triggers on their table whose definition is not the shipped one."""
    backend = conn.dialect.name
    wanted = {guard.name: guard.table for guard in expected_guards(backend)}
    return [
        t
        for t in found_triggers(conn)
        if wanted.get(t.name) == t.table and t.fingerprint != expected_fingerprint(backend, t.name)
    ]


def _describe_disarmed(t: FoundTrigger) -> str:
    if not t.enabled:
        return f"trigger {t.name} on table {t.table} is disabled"
    return f"trigger {t.name} on table {t.table} was replaced: it no longer refuses changes"


RULES: tuple[Rule, ...] = (
    ComputedRule(
        name="every guarded table has a guard",
        invariant=IMMUTABILITY_GUARDS,
        find=unguarded_tables,
        describe=lambda table: (
            f"table {table} has no frozen-record trigger: its rows can be rewritten"
        ),
    ),
    ComputedRule(
        name="every expected guard trigger is present",
        invariant=IMMUTABILITY_GUARDS,
        find=missing_guards,
        describe=lambda m: f"table {m.table} is missing the trigger(s) {', '.join(m.names)}",
    ),
    ComputedRule(
        name="every guard trigger is enabled and refuses changes",
        invariant=IMMUTABILITY_GUARDS,
        find=disarmed_guards,
        describe=_describe_disarmed,
    ),
    ComputedRule(
        name="every guard trigger is defined as shipped",
        invariant=IMMUTABILITY_GUARDS,
        find=redefined_guards,
        describe=lambda t: (
            f"trigger {t.name} on table {t.table} is not defined as shipped (its definition "
            f"digest is {t.fingerprint}): it may no longer refuse what it should"
        ),
    ),
)
"""The guard rules, in the order they run."""
