"""The audit chain: every event hashed onto the one before, the head naming the last.

The chain is recomputed in Python (``domain.audit.verify_chain``) while the
events stream in id order in batches; the head row is compared with the last
stored event in SQL. Both the intact and the broken chain end at the last
stored event's hash (GENESIS_HASH when there is none), so the head rules need
not wait for the chain to be recomputed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from ...domain.audit import GENESIS_HASH, ChainVerdict, verify_chain
from .core import AUDIT_CHAIN, ComputedRule, QueryRule, Rule

AUDIT_BATCH = 10_000
"""Events fetched from the driver at a time while the chain is recomputed."""

_AUDIT_EVENTS_SQL = (
    "SELECT id, occurred_at, actor_label, action, entity, entity_id, before_json, after_json, "
    "prev_hash, hash FROM audit_event ORDER BY id"
)

_LAST_EVENT = "(SELECT MAX(id) FROM audit_event)"


def event_batches(conn: Connection) -> Iterator[Sequence[Any]]:
    """The audit events in id order, in batches, straight from the driver.

    The driver's own cursor (a server-side one on PostgreSQL) keeps memory flat
    on millions of events and skips the per-row work of SQLAlchemy's result
    objects, which would otherwise cost more than the hashing itself.
    """
    driver = conn.connection.driver_connection
    assert driver is not None
    if conn.dialect.name == "postgresql":
        cursor = driver.cursor(name="tektoro_check_audit_events")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(_AUDIT_EVENTS_SQL)
        while batch := cursor.fetchmany(AUDIT_BATCH):
            yield batch
    finally:
        cursor.close()


def broken_chain(conn: Connection) -> list[ChainVerdict]:
    """The recomputed chain's verdict when it breaks somewhere; nothing when it holds."""
    verdict = verify_chain(event_batches(conn))
    return [verdict] if verdict.broken else []


RULES: tuple[Rule, ...] = (
    ComputedRule(
        name="audit events form an unbroken hash chain",
        invariant=AUDIT_CHAIN,
        find=broken_chain,
        describe=ChainVerdict.describe,
    ),
    QueryRule(
        name="the audit head row exists",
        invariant=AUDIT_CHAIN,
        sql="SELECT COUNT(*) AS n FROM audit_head WHERE id = 1 HAVING COUNT(*) = 0",
        describe=lambda r: "the audit head row (id 1) is missing",
    ),
    QueryRule(
        name="the audit head names the last event",
        invariant=AUDIT_CHAIN,
        sql=f"""
            SELECT h.last_event_id, COALESCE({_LAST_EVENT}, 0) AS last_id
              FROM audit_head h
             WHERE h.id = 1 AND h.last_event_id <> COALESCE({_LAST_EVENT}, 0)
        """,
        describe=lambda r: (
            f"audit head says the last event is #{r.last_event_id} but the last stored "
            f"event is #{r.last_id}"
        ),
    ),
    QueryRule(
        name="the audit head holds the last event's hash",
        invariant=AUDIT_CHAIN,
        sql=f"""
            SELECT h.last_hash, COALESCE(e.hash, :genesis) AS event_hash
              FROM audit_head h
              LEFT JOIN audit_event e ON e.id = {_LAST_EVENT}
             WHERE h.id = 1 AND h.last_hash <> COALESCE(e.hash, :genesis)
        """,
        describe=lambda r: (
            f"audit head hash {r.last_hash[:12]}... does not match the hash of the "
            f"last event, {r.event_hash[:12]}..."
        ),
        params=(("genesis", GENESIS_HASH),),
    ),
    QueryRule(
        name="the audit head is a single row",
        invariant=AUDIT_CHAIN,
        sql="""
            SELECT COUNT(*) AS n FROM audit_head
            HAVING COUNT(*) <> COUNT(CASE WHEN id = 1 THEN 1 END)
        """,
        describe=lambda r: f"the audit head table holds {r.n} rows (exactly one expected)",
    ),
)
"""The audit-chain rules, in the order they run."""
