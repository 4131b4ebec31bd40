"""The change feed: a subscription sees other sessions' commits, and only which tables changed.

Writes come from a second ``Services`` instance on the same database (another user's
session), once from a separate process. Timings are only checked against generous bounds.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from tektoro_tui.data import models as m
from tektoro_tui.services.administration.presets import ActivityForm, RateCodeForm
from tektoro_tui.services.base import CHANGE_CHANNEL, Actor, FixedClock
from tektoro_tui.services.changes import BATCH_LIMIT, ChangeSubscription, ChangeView
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import PaymentForm
from tests.builders import connected
from tests.finance_world import World

from .conftest import ADMIN_PASSWORD

OWNER = "owner@example.com"


@pytest.fixture
def other(db_url: str, clock: FixedClock, admin: Actor) -> Iterator[tuple[Services, Actor]]:
    """A second session on the same database (its own engine), signed in as the owner."""
    with connected(db_url, clock) as services:
        yield services, services.auth.login(OWNER, ADMIN_PASSWORD)


@pytest.fixture
def subscription(services: Services, other: tuple[Services, Actor]) -> Iterator[ChangeSubscription]:
    """A subscription opened after the set-up writes (and the other session's login)."""
    found = services.changes.subscribe()
    try:
        yield found
    finally:
        found.close()


def next_change(subscription: ChangeSubscription, seconds: float) -> frozenset[str]:
    """The tables of the next batch, waiting at most ``seconds`` in all."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batch = subscription.next_batch(0.5)
        if batch is not None:
            return batch.entities
    pytest.fail(f"no change arrived within {seconds} s")


def test_a_new_subscription_starts_after_the_newest_change(
    subscription: ChangeSubscription,
) -> None:
    """The set-up wrote plenty of change events; none of them is delivered."""
    assert subscription.last_id > 0
    assert subscription.next_batch(0.5) is None


def test_a_commit_in_another_session_wakes_the_subscription(
    subscription: ChangeSubscription, other: tuple[Services, Actor]
) -> None:
    services, owner = other
    before = subscription.last_id
    start = time.monotonic()
    services.presets.save_activity(owner, ActivityForm(name="Design"))
    batch = subscription.next_batch(3)
    assert time.monotonic() - start < 3
    assert batch is not None
    assert batch.entities == frozenset({"activity"})
    (change,) = batch.changes
    assert change.id > before == change.id - 1
    assert subscription.last_id == change.id
    assert subscription.next_batch(0.3) is None


def test_a_batch_says_which_tables_changed_and_nothing_else(
    subscription: ChangeSubscription, other: tuple[Services, Actor]
) -> None:
    """Ids and actions stay out: the subscription reads with no user's permissions."""
    services, owner = other
    services.presets.save_activity(owner, ActivityForm(name="Design"))
    services.presets.save_rate_code(owner, RateCodeForm(name="Senior", hourly_rate="100"))
    entities: set[str] = set()
    changes = []
    deadline = time.monotonic() + 5
    while len(changes) < 2 and time.monotonic() < deadline:
        batch = subscription.next_batch(1)
        if batch is not None:
            entities |= batch.entities
            changes.extend(batch.changes)
    assert entities == {"activity", "rate_code"}
    assert [c.id for c in changes] == sorted(c.id for c in changes)
    assert all(c.entity_id is None and c.action == "" for c in changes)
    assert all(c.owner_id is None for c in changes)  # presets belong to nobody in particular


def every_change(subscription: ChangeSubscription, count: int, seconds: float) -> list[ChangeView]:
    """The next ``count`` changes, waiting at most ``seconds`` in all."""
    found: list[ChangeView] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        batch = subscription.next_batch(0.5)
        if batch is not None:
            found.extend(batch.changes)
    assert len(found) >= count, f"{len(found)} of {count} changes arrived within {seconds} s"
    return found


def test_changes_to_time_entries_name_whose_entries_they_were(
    services: Services, world: World, clock: FixedClock, db_url: str
) -> None:
    """A card saved for Carl names Carl; one batch over Carl's and Dora's cards names both,
    once each; a change to a record of nobody in particular names nobody."""
    subscription = services.changes.subscribe()
    other = Services.connect(db_url, clock=clock)
    try:
        olga = other.auth.login(OWNER, ADMIN_PASSWORD)  # Carl's and Dora's supervisor
        assert {c.owner_id for c in every_change(subscription, 1, 5)} == {None}  # the login
        carls = other.time.add_entry(olga, world.roof.card("1:00", "2026-03-20", owner=world.carl))
        (saved,) = every_change(subscription, 1, 5)
        assert (saved.entity, saved.owner_id) == ("time_entry", world.carl.user_id)
        doras = other.time.add_entry(olga, world.roof.card("2:00", "2026-03-20", owner=world.dora))
        assert [c.owner_id for c in every_change(subscription, 1, 5)] == [world.dora.user_id]
        result = other.time.accept(olga, (carls.id, doras.id))
        assert sorted(result.entry_ids) == sorted((carls.id, doras.id))
        accepted = every_change(subscription, 2, 5)
        assert sorted((c.entity, c.owner_id) for c in accepted) == sorted(
            [("time_entry", world.carl.user_id), ("time_entry", world.dora.user_id)]
        )
        other.presets.save_activity(olga, ActivityForm(name="Survey work"))
        assert [(c.entity, c.owner_id) for c in every_change(subscription, 1, 5)] == [
            ("activity", None)
        ]
    finally:
        other.close()
        subscription.close()


def test_a_payment_names_the_payment_and_its_invoice(
    services: Services, world: World, clock: FixedClock, db_url: str
) -> None:
    subscription = services.changes.subscribe()
    cashier = Services.connect(db_url, clock=clock)
    try:
        owner = cashier.auth.login(OWNER, ADMIN_PASSWORD)
        assert next_change(subscription, 5) == {"user"}  # the login
        number = world.acme_invoice.number
        assert number is not None
        cashier.invoices.record_payment(
            owner, number, PaymentForm(amount="100.00", paid_on="2026-03-10", reference="P-1")
        )
        assert next_change(subscription, 3) == {"payment", "invoice"}
    finally:
        cashier.close()
        subscription.close()


def test_nothing_new_gives_none_after_the_timeout(subscription: ChangeSubscription) -> None:
    start = time.monotonic()
    assert subscription.next_batch(0.5) is None
    assert time.monotonic() - start < 3


def test_a_long_backlog_comes_in_capped_batches_without_waiting(
    services: Services, subscription: ChangeSubscription
) -> None:
    total = 2 * BATCH_LIMIT + 7
    moment = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    with services.db.write() as session:
        session.add_all(
            m.ChangeEvent(occurred_at=moment, entity="time_entry", action="bulk")
            for _ in range(total)
        )
        if services.db.backend == "postgresql":  # as UnitOfWork.flush_events does
            session.execute(text(f"NOTIFY {CHANGE_CHANNEL}"))
    sizes = []
    for _ in range(3):
        batch = subscription.next_batch(3 if not sizes else 0)
        assert batch is not None
        sizes.append(len(batch.changes))
    assert sizes == [BATCH_LIMIT, BATCH_LIMIT, 7]
    assert subscription.next_batch(0.3) is None


def test_close_from_another_thread_ends_a_wait_at_once(
    subscription: ChangeSubscription,
) -> None:
    outcome: list[object] = []
    waiting = threading.Thread(target=lambda: outcome.append(subscription.next_batch(30)))
    start = time.monotonic()
    waiting.start()
    subscription.close()
    waiting.join(10)
    assert outcome == [None]
    assert time.monotonic() - start < 5


def _add_activity_elsewhere(url: str, password: str) -> None:
    """Run in a separate process: sign in and add one activity code."""
    services = Services.connect(url)
    try:
        owner = services.auth.login(OWNER, password)
        services.presets.save_activity(owner, ActivityForm(name="From afar"))
    finally:
        services.close()


def test_a_commit_in_another_process_wakes_the_subscription(
    services: Services, admin: Actor, db_url: str
) -> None:
    subscription = services.changes.subscribe()
    process = mp.get_context("spawn").Process(
        target=_add_activity_elsewhere, args=(db_url, ADMIN_PASSWORD)
    )
    try:
        process.start()
        seen: set[str] = set()
        deadline = time.monotonic() + 60  # a spawned interpreter takes a while to start
        while "activity" not in seen and time.monotonic() < deadline:
            batch = subscription.next_batch(1)
            if batch is not None:
                seen |= batch.entities
        assert seen == {"user", "activity"}
    finally:
        process.join(60)
        subscription.close()
    assert process.exitcode == 0
