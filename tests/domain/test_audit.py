"""The audit chain re-derived from stored events, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tektoro_tui.domain.audit import (
    GENESIS_HASH,
    as_utc,
    canonical_json,
    event_hash,
    format_timestamp,
    verify_chain,
)

T0 = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def stored_chain(n: int) -> list[tuple[Any, ...]]:
    """``n`` valid events as the database returns them (SQLite's naive UTC text moments)."""
    rows: list[tuple[Any, ...]] = []
    prev = GENESIS_HASH
    for i in range(1, n + 1):
        moment = T0 + timedelta(seconds=i // 3, microseconds=7)
        after = canonical_json({"n": i})
        digest = event_hash(
            prev,
            occurred_at=format_timestamp(moment),
            actor_label="system",
            action="create",
            entity="thing",
            entity_id=str(i),
            before_json="",
            after_json=after,
        )
        stored = moment.replace(tzinfo=None).isoformat(sep=" ")
        rows.append((i, stored, "system", "create", "thing", str(i), "", after, prev, digest))
        prev = digest
    return rows


def test_stored_moments_read_as_utc() -> None:
    assert as_utc("2026-03-10 09:30:00.000007") == datetime(2026, 3, 10, 9, 30, 0, 7, tzinfo=UTC)
    assert as_utc(T0) is T0
    assert format_timestamp(T0) == "2026-03-10T09:30:00.000000Z"


def test_an_empty_chain_ends_at_genesis() -> None:
    verdict = verify_chain([])
    assert not verdict.broken and verdict.details() == []
    assert (verdict.events, verdict.last_id, verdict.last_hash) == (0, 0, GENESIS_HASH)


def test_an_intact_chain_ends_at_its_last_event() -> None:
    rows = stored_chain(10)
    verdict = verify_chain([rows[:4], rows[4:]])
    assert not verdict.broken
    assert (verdict.events, verdict.last_id, verdict.last_hash) == (10, 10, rows[-1][-1])


@pytest.mark.parametrize(
    ("tamper", "broken_at", "reason", "tampered", "unlinked"),
    [
        ("edit event 4", 4, "its content does not match its hash", 1, 0),
        ("delete event 4", 5, "an event before it was removed or replaced", 0, 1),
        ("edit the first event", 1, "its content does not match its hash", 1, 0),
    ],
)
def test_a_break_is_located_and_counted(
    tamper: str, broken_at: int, reason: str, tampered: int, unlinked: int
) -> None:
    rows = stored_chain(10)
    if tamper == "delete event 4":
        del rows[3]
    else:
        index = 3 if tamper == "edit event 4" else 0
        rows[index] = (*rows[index][:7], '{"n":0}', *rows[index][8:])
    verdict = verify_chain([rows])
    assert verdict.first_broken_id == broken_at
    assert reason in verdict.first_reason
    assert verdict.affected == len(rows) - rows.index(next(r for r in rows if r[0] == broken_at))
    assert (verdict.tampered, verdict.link_breaks) == (tampered, unlinked)
    assert verdict.events == len(rows)
    assert (verdict.last_id, verdict.last_hash) == (10, rows[-1][-1])
    (detail,) = verdict.details()
    assert detail.startswith(f"the chain breaks at event #{broken_at} (")
