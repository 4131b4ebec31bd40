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


# --- seals, digests and keyed marks ------------------------------------------------------------


def test_a_row_digest_is_the_same_from_either_backend() -> None:
    """SQLite's text and 0/1 and PostgreSQL's date, aware datetime and bool digest alike."""
    from datetime import date

    from tektoro_tui.domain.audit import row_digest

    names = ("billable", "created_at", "id", "note", "work_date")
    sqlite_row = (1, "2026-03-10 09:30:00.000000", 7, None, "2026-03-02")
    pg_row = (True, T0.astimezone(), 7, None, date(2026, 3, 2))
    assert row_digest("time_entry", names, sqlite_row) == row_digest("time_entry", names, pg_row)
    changed = (0, *sqlite_row[1:])
    assert row_digest("time_entry", names, changed) != row_digest("time_entry", names, sqlite_row)
    # a NULL column is left out, so a column added later keeps old digests; a value is not
    assert row_digest("time_entry", names[:3] + names[4:], (1, sqlite_row[1], 7, "2026-03-02")) == (
        row_digest("time_entry", names, sqlite_row)
    )
    assert row_digest("time_entry", names, (*sqlite_row[:3], "", sqlite_row[4])) != row_digest(
        "time_entry", names, sqlite_row
    )
    assert row_digest("payment", names, sqlite_row) != row_digest("time_entry", names, sqlite_row)


def test_seals_round_trip_and_refuse_garbage() -> None:
    from tektoro_tui.domain.audit import decode_seals, encode_seals

    text = encode_seals(
        {"invoice": {12: "a" * 22, 3: None}, "payment": {}, "document_line": {5: "b" * 22}}
    )
    assert text == f"document_line=5:{'b' * 22};invoice=3:-,12:{'a' * 22}"
    assert list(decode_seals(text)) == [
        ("document_line", 5, "b" * 22),
        ("invoice", 3, None),
        ("invoice", 12, "a" * 22),
    ]
    assert list(decode_seals("")) == []
    with pytest.raises(ValueError):
        list(decode_seals("invoice"))
    with pytest.raises(ValueError):
        list(decode_seals("invoice=x:y"))


def test_keyed_events_hash_their_actor_and_marks_need_the_key() -> None:
    from tektoro_tui.domain.audit import event_mark, key_fingerprint

    def digest(**extra: Any) -> str:
        return event_hash(
            GENESIS_HASH,
            occurred_at="t",
            actor_label="a",
            action="x",
            entity="e",
            entity_id="1",
            before_json="",
            after_json="",
            **extra,
        )

    assert digest() == digest(actor_id=5)  # an unkeyed event hashes as events always did
    assert digest(keyed=True, actor_id=5) != digest(keyed=True, actor_id=6) != digest()
    assert digest(seals="invoice=1:-") != digest()
    key, other = b"k" * 32, b"o" * 32
    assert event_mark(key, "h") != event_mark(other, "h")
    assert len(key_fingerprint(key)) == 32 and key_fingerprint(key) != key_fingerprint(other)
