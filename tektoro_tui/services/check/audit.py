"""The audit chain: every event hashed onto the one before, keyed, and never going back.

The chain is recomputed in Python (``domain.audit.verify_chain``) while the
events stream in id order in batches (once per run, see ``context``); the head
row is compared with the last stored event in SQL. Both the intact and the
broken chain end at the last stored event's hash (GENESIS_HASH when there is
none), so the head rules need not wait for the chain to be recomputed.

Hashes alone can be recomputed by anyone who can write to the database, so three
rules look beyond it: the chain must be keyed with the audit key of this machine
(a file outside the database), every event since the keying must carry the keyed
mark of its hash, and the chain must still hold the furthest event this machine
has seen of it (a chain that went back or was rewritten does not).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from ...domain.audit import GENESIS_HASH, ChainVerdict
from .context import AUDIT_BATCH, CheckContext, HeadProblem, event_batches
from .core import AUDIT_CHAIN, ContextRule, QueryRule, Rule

__all__ = ["AUDIT_BATCH", "RULES", "event_batches"]

_LAST_EVENT = "(SELECT MAX(id) FROM audit_event)"

SEAL_COMMAND = "tektoro audit seal"


def broken_chain(conn: Connection, context: CheckContext) -> list[ChainVerdict]:
    """The recomputed chain's verdict when it breaks somewhere; nothing when it holds."""
    verdict = context.walk(conn).verdict
    return [verdict] if verdict.broken else []


@dataclass(frozen=True)
class KeyProblem:
    """Why the chain's keyed marks cannot vouch for it."""

    text: str


def key_problems(conn: Connection, context: CheckContext) -> Iterator[KeyProblem]:
    """The chain is keyed, with the key at hand, from an event that exists."""
    walk = context.walk(conn)
    head = walk.head
    if head is None:
        return  # the head rules say why
    if not head.key_id:
        if walk.verdict.events:
            yield KeyProblem(
                "the audit log is not keyed: nothing outside the database vouches for it "
                "(a database from before keyed audit logs, or its key was stripped); after "
                f"checking everything else, run `{SEAL_COMMAND}` once to key and seal it"
            )
        return
    if context.key_error is not None:
        yield KeyProblem(f"the keyed marks could not be verified: {context.key_error}")
        return
    key = context.key
    if key is None or key.key is None:
        where = key.path if key is not None else "the configured place"
        yield KeyProblem(
            f"the keyed marks could not be verified: the audit key file {where} is missing "
            f"(restore it from your backup, or point TEKTORO_AUDIT_KEY_FILE or [audit] "
            "key_file at it)"
        )
        return
    if key.fingerprint != head.key_id:
        yield KeyProblem(
            f"the audit key file {key.path} is not the key this database is keyed with "
            f"(fingerprint {key.fingerprint}, the database names {head.key_id}); use that "
            "key, or the key_id in the audit head was changed"
        )
        return
    if head.keyed_from is None or not (0 < head.keyed_from <= max(walk.verdict.last_id, 0)):
        yield KeyProblem(
            f"the audit head names no first keyed event (keyed_from is {head.keyed_from}, "
            f"the last event is #{walk.verdict.last_id})"
        )


@dataclass(frozen=True)
class MarkProblem:
    """One event whose keyed mark is missing or wrong."""

    event_id: int
    missing: bool


def mark_problems(conn: Connection, context: CheckContext) -> Iterator[MarkProblem]:
    """Every event since the keying carries the keyed mark of its own hash."""
    marks = context.walk(conn).verdict.marks
    if marks is None:
        return
    for ident in marks.unmarked:
        yield MarkProblem(ident, missing=True)
    for ident in marks.forged:
        yield MarkProblem(ident, missing=False)


def _describe_mark(problem: MarkProblem) -> str:
    if problem.missing:
        return (
            f"event #{problem.event_id} carries no keyed mark: it was appended or rewritten "
            "without the audit key"
        )
    return (
        f"event #{problem.event_id}'s keyed mark does not match its hash: it was edited and "
        "re-hashed (or its mark copied) without the audit key"
    )


def _describe_head_problem(problem: HeadProblem) -> str:
    seen = problem.seen
    when = f"seen on {seen.seen_at}" if seen.seen_at else "seen before"
    if problem.keyed_from is not None:
        return (
            f"the audit head's first keyed event moved from #{seen.keyed_from} (as {when}) to "
            f"#{problem.keyed_from} without a seal: fewer events would have their keyed mark "
            "checked"
        )
    if problem.went_back:
        removed = seen.event_id - problem.last_id
        return (
            f"the chain went back: it ends at event #{problem.last_id} but event "
            f"#{seen.event_id} was {when} ({removed:,} event(s) at its end were removed); "
            f"if you restored a backup on purpose, run `{SEAL_COMMAND}`"
        )
    return (
        f"the chain forked: event #{seen.event_id} is not the event {when} (its hash was "
        f"{seen.hash[:12]}..., now {(problem.found_hash or 'missing')[:12]}...): the chain "
        "was rewritten from there on"
    )


def seen_head_problems(conn: Connection, context: CheckContext) -> list[HeadProblem]:
    """The chain still holds the furthest event seen of it on this machine."""
    return context.head_problems(conn)


RULES: tuple[Rule, ...] = (
    ContextRule(
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
    ContextRule(
        name="the chain is keyed with this machine's audit key",
        invariant=AUDIT_CHAIN,
        find=key_problems,
        describe=lambda p: p.text,
    ),
    ContextRule(
        name="every event since the keying carries its keyed mark",
        invariant=AUDIT_CHAIN,
        find=mark_problems,
        describe=_describe_mark,
    ),
    ContextRule(
        name="the chain holds the furthest event seen of it",
        invariant=AUDIT_CHAIN,
        find=seen_head_problems,
        describe=_describe_head_problem,
    ),
)
"""The audit-chain rules, in the order they run."""
