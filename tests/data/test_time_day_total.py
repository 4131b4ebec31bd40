"""The daily time summary ``time_day_total`` follows every write to ``time_entry``.

The firm of ``tests/finance_world.py`` is built through the services; after each further
step (add, edit, accept, approve, reject, delete, allocate and process, pay) the summary
must equal a ``GROUP BY`` of the raw entries, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import bindparam, text

from tektoro_tui.data.migrate import downgrade, upgrade
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.hub import Services
from tektoro_tui.services.pipeline.views import AllocationForm, TimeCardForm
from tests.builders import Codes, connected, make_firm
from tests.finance_world import NOW, World, build_world

KEY = "work_date, owner_id, project_id, status, pay_status, billable"


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    """Services on a fresh, migrated database of this run's backend, clock at 2026-03-10."""
    with connected(db_url, FixedClock(NOW)) as hub:
        yield hub


@pytest.fixture
def world(services: Services) -> World:
    """The finance world of the issue-4 tests."""
    return build_world(services, make_firm(services))


def _rows(services: Services, sql: str) -> list[tuple[Any, ...]]:
    with services.db.read() as session:
        return [tuple(str(v) for v in row) for row in session.execute(text(sql)).all()]


def summary(services: Services) -> list[tuple[Any, ...]]:
    """The summary table's rows, ordered by key."""
    return _rows(
        services,
        f"SELECT {KEY}, entries, minutes, value_cents FROM time_day_total ORDER BY {KEY}",
    )


def derived(services: Services) -> list[tuple[Any, ...]]:
    """The same figures re-derived from the raw entries."""
    return _rows(
        services,
        f"SELECT {KEY}, COUNT(*), SUM(minutes), SUM(value_cents) FROM time_entry "
        f"GROUP BY {KEY} ORDER BY {KEY}",
    )


def assert_in_step(services: Services) -> None:
    """The summary equals a GROUP BY of time_entry, and no empty row is left behind."""
    assert summary(services) == derived(services)
    assert _rows(services, "SELECT COUNT(*) FROM time_day_total WHERE entries <= 0") == [("0",)]


def _card(codes: Codes, owner: Actor, day: str, minutes: int, **changes: Any) -> TimeCardForm:
    """``owner``'s card of ``minutes`` on ``day``, described "summary test" unless changed."""
    changes = {"description": "summary test", **changes}
    return codes.card(f"{minutes}m", day, owner=owner, **changes)


def test_world_is_summarised(services: Services, world: World) -> None:
    assert_in_step(services)
    # Carl's March draft on 03-02: one entry of 60 minutes at 100.00/h.
    rows = _rows(
        services,
        "SELECT status, pay_status, entries, minutes, value_cents FROM time_day_total "
        f"WHERE owner_id = {world.carl.user_id} AND work_date = '2026-03-02'",
    )
    assert rows == [("draft", "unpaid", "1", "60", "10000")]
    total = _rows(services, "SELECT SUM(entries), SUM(minutes) FROM time_day_total")
    # 3 + 2 February entries, 5 March entries; 360 + 360 + 60 + 90 + 180 + 30 minutes
    assert total == [("10", str(3 * 120 + 2 * 180 + 60 + 90 + 120 + 60 + 30))]


def test_every_service_step_keeps_the_summary(services: Services, world: World) -> None:
    time, wip, admin = services.time, services.wip, world.admin
    # add: two entries on one key (same day, owner, project, status) and one on another
    first = time.add_entry(admin, _card(world.roof, world.carl, "2026-03-09", 30)).id
    second = time.add_entry(admin, _card(world.roof, world.carl, "2026-03-09", 45)).id
    other = time.add_entry(
        admin,
        _card(world.hall, world.dora, "2026-03-09", 60),
    ).id
    assert_in_step(services)
    assert _rows(
        services,
        "SELECT entries, minutes FROM time_day_total "
        f"WHERE owner_id = {world.carl.user_id} AND work_date = '2026-03-09'",
    ) == [("2", "75")]
    # edit: minutes, then the day and the billable flag (moves it to another key)
    time.update_entry(admin, first, _card(world.roof, world.carl, "2026-03-09", 90))
    assert_in_step(services)
    time.update_entry(admin, first, _card(world.roof, world.carl, "2026-03-08", 90, billable=False))
    assert_in_step(services)
    # an edit of the description alone changes no figure
    time.update_entry(
        admin, second, _card(world.roof, world.carl, "2026-03-09", 45, description="changed")
    )
    assert_in_step(services)
    # accept, reject, accept again, approve
    time.accept(admin, [first, second, other])
    assert_in_step(services)
    time.reject(admin, [second], reason="Wrong task")
    assert_in_step(services)
    time.accept(admin, [second])
    time.approve(admin, [first, second, other])
    assert_in_step(services)
    # delete a draft and a rejected entry (the key's row goes when its last entry goes)
    time.delete_entries(admin, world.carl_march["draft"] + world.carl_march["rejected"])
    assert_in_step(services)
    assert _rows(
        services,
        "SELECT COUNT(*) FROM time_day_total WHERE status = 'rejected' OR "
        f"(owner_id = {world.carl.user_id} AND work_date = '2026-03-02')",
    ) == [("0",)]
    # allocate and process into document records
    wip.allocate(admin, [first, second], AllocationForm(kind="bill"))
    assert_in_step(services)
    wip.process(admin, client_id=world.acme_id)
    assert_in_step(services)
    statuses = _rows(services, "SELECT DISTINCT status FROM time_day_total ORDER BY status")
    assert ("processed",) in statuses and ("allocated",) not in statuses


def test_pay_status_and_raw_sql_writes_are_followed(services: Services, world: World) -> None:
    """Whoever writes (a payables service, a bulk UPDATE, a DELETE), the triggers follow."""
    with services.db.write() as session:
        session.execute(
            text("UPDATE time_entry SET pay_status = 'paid' WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": world.carl_february},
        )
    assert_in_step(services)
    assert _rows(
        services,
        "SELECT SUM(entries), SUM(minutes) FROM time_day_total WHERE pay_status = 'paid'",
    ) == [("3", "360")]
    with services.db.write() as session:
        session.execute(text("DELETE FROM time_entry WHERE status IN ('draft', 'rejected')"))
    assert_in_step(services)


def test_a_failed_write_leaves_the_summary_unchanged(services: Services, world: World) -> None:
    """The summary is written in the entry's transaction: a rollback takes both back."""
    before = summary(services)
    with pytest.raises(RuntimeError), services.db.write() as session:
        session.execute(text("UPDATE time_entry SET minutes = minutes + 15 WHERE status = 'draft'"))
        raise RuntimeError("abort")
    assert summary(services) == before


def test_upgrade_fills_the_summary_from_existing_entries(services: Services, world: World) -> None:
    """Going back to 0004 drops the table and its triggers; 0005 rebuilds it from the entries."""
    expected = derived(services)
    downgrade(services.db, "0004_time_entry_covering_indexes")
    with services.db.write() as session:  # no trigger any more: the table is gone
        session.execute(text("UPDATE time_entry SET minutes = 75 WHERE status = 'draft'"))
    upgrade(services.db)
    assert summary(services) == derived(services) != expected
    assert_in_step(services)


def test_one_statement_over_many_entries_is_followed(services: Services, world: World) -> None:
    """PostgreSQL sums a statement's entries per key (statement triggers, 0018): one UPDATE
    that moves some entries to other keys, changes others' figures only, leaves others as
    they were (and a row with the same key both losing and gaining entries), an INSERT of many
    rows and a DELETE of many keep the summary a GROUP BY of the entries."""
    open_entries = "status IN ('draft', 'accepted', 'rejected')"  # not frozen by the guards
    statements = [
        # a key moves for half of all entries (pay status: the guards allow it everywhere)
        "UPDATE time_entry SET pay_status = 'paid' WHERE id % 2 = 0",
        # of the open ones: figures for a third, a description only for the rest
        "UPDATE time_entry SET minutes = CASE WHEN id % 3 = 0 THEN minutes + 15 ELSE minutes "
        f"END, description = description || ' (seen)' WHERE {open_entries}",
        # the open ones to one day: rows emptied and one row gaining them
        f"UPDATE time_entry SET work_date = (SELECT min(work_date) FROM time_entry) "
        f"WHERE {open_entries}",
        # the same entries again, as new ones
        "INSERT INTO time_entry (owner_id, entered_by_id, project_id, task_id, activity_id, "
        "rate_code_id, work_date, minutes, description, billable, status, pay_status, "
        "rate_cents, value_cents, write_down_cents, rejection_reason, write_down_reason, "
        "write_down_note, created_at, updated_at, version) "
        "SELECT owner_id, entered_by_id, project_id, task_id, activity_id, rate_code_id, "
        "work_date, minutes, 'copy', billable, 'draft', 'unpaid', rate_cents, value_cents, 0, "
        "'', '', '', created_at, updated_at, 1 FROM time_entry",
        "DELETE FROM time_entry WHERE description = 'copy' AND minutes > 60",
    ]
    for sql in statements:
        with services.db.write() as session:
            session.execute(text(sql))
        assert_in_step(services)
    assert len(summary(services)) > 1
    if services.db.backend == "postgresql":
        kinds = _rows(
            services,
            "SELECT tgname, (tgtype & 1)::text FROM pg_trigger WHERE tgname LIKE "
            "'time_day_total_on_%' ORDER BY 1",
        )
        assert [kind for _name, kind in kinds] == ["0", "0", "0"]  # not FOR EACH ROW
