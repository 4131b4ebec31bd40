"""Time Card, Time Report and Approvals (stages 1-3), on this run's backend.

The staff tree is admin → Ann → Bob (each invited by the one above), plus Carl, another of the
admin's direct staff. Admin sees Ann's and Carl's entries but never Bob's: staff groups reach one
level up only.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import event, func, select, text

from tektoro_tui.data import models as m
from tektoro_tui.domain.money import Money
from tektoro_tui.domain.permissions import Perm, Role
from tektoro_tui.errors import IllegalTransition, NotFound, PermissionDenied, ValidationError
from tektoro_tui.services.administration.presets import ActivityForm, PresetsMissing, RateCodeForm
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.hub import Services
from tektoro_tui.services.pipeline.time import TimeService
from tektoro_tui.services.pipeline.views import ReportFilter, TimeCardForm, TimeEntryView
from tests.builders import Codes, add_job, add_work_codes, join, set_organisation

DAY = date(2026, 3, 9)


@dataclass(frozen=True)
class Firm:
    """The people and presets every test works with."""

    admin: Actor
    ann: Actor
    bob: Actor
    carl: Actor
    client_id: int
    project_id: int
    task_id: int
    other_client_id: int
    other_project_id: int
    other_task_id: int
    activity_id: int
    rate_id: int  # 95.00 an hour

    def card(self, time_spent: str = "1:30", **changes: Any) -> TimeCardForm:
        """A valid card on DAY; ``changes`` override any field."""
        codes = Codes(self.client_id, self.project_id, self.task_id, self.activity_id, self.rate_id)
        return replace(codes.card(time_spent, DAY.isoformat(), "Survey"), **changes)


def _presets(services: Services, admin: Actor) -> dict[str, int]:
    roof = add_job(services, admin, "Acme", "Roof", "Survey")
    hall = add_job(services, admin, "Globex", "Hall", "Walls")
    activity, rate = add_work_codes(services, admin, "Design", "Senior", "95.00")
    return {
        "client_id": roof.client_id,
        "project_id": roof.project_id,
        "task_id": roof.task_id,
        "other_client_id": hall.client_id,
        "other_project_id": hall.project_id,
        "other_task_id": hall.task_id,
        "activity_id": activity,
        "rate_id": rate,
    }


@pytest.fixture
def time_svc(services: Services) -> TimeService:
    return TimeService(services.db, services.clock)


@pytest.fixture
def firm(services: Services, admin: Actor) -> Firm:
    ids = _presets(services, admin)
    ann = join(services, admin, "ann@example.com", "Ann")
    bob = join(services, ann, "bob@example.com", "Bob")
    carl = join(services, admin, "carl@example.com", "Carl")
    return Firm(admin=admin, ann=ann, bob=bob, carl=carl, **ids)


def _snapshot(services: Services) -> tuple[list[tuple[Any, ...]], int]:
    """Every time entry row and the number of audit events: to prove nothing was written."""
    with services.db.read() as session:
        table = m.metadata.tables["time_entry"]
        rows = [tuple(r) for r in session.execute(select(table).order_by(table.c.id))]
        audits = session.execute(select(func.count()).select_from(m.AuditEvent)).scalar_one()
    return rows, audits


def _audit(services: Services, action: str) -> list[m.AuditEvent]:
    with services.db.read() as session:
        return list(
            session.execute(
                select(m.AuditEvent).where(m.AuditEvent.action == action).order_by(m.AuditEvent.id)
            ).scalars()
        )


def _fields(error: ValidationError) -> dict[str, str]:
    return {p.field: p.message for p in error.problems}


def _all_pages(page_of: Any, limit: int) -> tuple[list[TimeEntryView], list[int]]:
    """Walk every keyset page; returns the entries and the size of each page."""
    items: list[TimeEntryView] = []
    sizes: list[int] = []
    after = None
    while True:
        page = page_of(after, limit)
        items.extend(page.items)
        sizes.append(len(page.items))
        if page.next_after is None:
            return items, sizes
        after = page.next_after


# ---------------------------------------------------------------------------------------------
# Time Card
# ---------------------------------------------------------------------------------------------


def test_cards_wait_for_every_preset_and_name_the_missing_ones(
    services: Services, admin: Actor, time_svc: TimeService
) -> None:
    form = TimeCardForm(None, None, None, None, "1:00")
    with pytest.raises(PresetsMissing) as caught:
        time_svc.add_entry(admin, form)
    assert "Clients, Projects, Tasks, Activities, Rate codes" in caught.value.message
    ids = _presets(services, admin)
    services.presets.set_active(admin, "rate_code", ids["rate_id"], False)
    with pytest.raises(PresetsMissing) as caught:
        time_svc.add_entry(admin, form)
    assert caught.value.message.endswith("Missing: Rate codes.")


@pytest.mark.parametrize(
    ("typed", "minutes", "start", "end"),
    [("1:30", 90, None, None), ("1.5", 90, None, None), ("08:00-09:30", 90, 480, 570)],
)
def test_time_is_typed_three_ways(
    firm: Firm,
    time_svc: TimeService,
    typed: str,
    minutes: int,
    start: int | None,
    end: int | None,
) -> None:
    entry = time_svc.add_entry(firm.ann, firm.card(typed))
    assert (entry.minutes, entry.start_minute, entry.end_minute) == (minutes, start, end)
    assert entry.value == Money(14250, "EUR")  # 1.5 h x 95.00
    assert entry.rate == Money(9500, "EUR")
    assert entry.status == "draft" and entry.owner_id == firm.ann.user_id
    assert entry.entered_by_name == "Ann" and entry.client_name == "Acme"


def test_a_backwards_range_is_refused_and_an_overnight_one_says_so(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    before = _snapshot(services)
    with pytest.raises(ValidationError) as caught:
        time_svc.add_entry(firm.ann, firm.card("09:30-08:00"))
    assert "ends before it starts" in _fields(caught.value)["time_spent"]
    assert _snapshot(services) == before
    entry = time_svc.add_entry(firm.ann, firm.card("22:00-02:00+1"))
    assert (entry.minutes, entry.start_minute, entry.end_minute) == (240, 1320, 120)


def test_work_dates_far_from_today_are_refused(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    """The clock stands at 2026-03-10: a year and a day each way is the default window."""
    before = _snapshot(services)
    for typed, problem in (
        ("9999-12-31", "must be a date from 1900-01-01 to 2199-12-31"),
        ("0001-01-01", "must be a date from 1900-01-01 to 2199-12-31"),
        ("2027-03-12", "must be from 2025-03-09 to 2027-03-11 (366 days either side of today"),
        ("2025-03-08", "must be from 2025-03-09 to 2027-03-11 (366 days either side of today"),
    ):
        with pytest.raises(ValidationError) as caught:
            time_svc.add_entry(firm.ann, firm.card(work_date=typed))
        assert _fields(caught.value)["work_date"].startswith(problem), typed
    assert _snapshot(services) == before
    assert time_svc.add_entry(firm.ann, firm.card(work_date="2027-03-11")).work_date == date(
        2027, 3, 11
    )
    settings = services.settings
    wider = replace(settings.form_for(settings.get(firm.admin)), work_date_window_days="800")
    settings.update(firm.admin, wider)
    entry = time_svc.add_entry(firm.ann, firm.card(work_date="2024-03-01"))
    narrower = replace(wider, work_date_window_days="30")
    settings.update(firm.admin, narrower)
    edited = time_svc.update_entry(firm.ann, entry.id, firm.card("2:00", work_date="2024-03-01"))
    assert edited.minutes == 120  # an entry keeps the date it has, even outside the window
    with pytest.raises(ValidationError):
        time_svc.update_entry(firm.ann, entry.id, firm.card("2:00", work_date="2024-03-02"))


@pytest.mark.parametrize("typed", ["0", "0:00", "-1:00", "-0.5"])
def test_zero_and_negative_time_are_refused(
    services: Services, firm: Firm, time_svc: TimeService, typed: str
) -> None:
    before = _snapshot(services)
    with pytest.raises(ValidationError) as caught:
        time_svc.add_entry(firm.ann, firm.card(typed))
    assert "more than zero" in _fields(caught.value)["time_spent"]
    assert _snapshot(services) == before


def test_every_problem_of_a_card_is_reported_at_once(firm: Firm, time_svc: TimeService) -> None:
    form = firm.card(
        "lots",
        project_id=None,
        activity_id=999,
        work_date="31.02.2026",
        description="x" * 2001,
    )
    with pytest.raises(ValidationError) as caught:
        time_svc.add_entry(firm.ann, form)
    problems = _fields(caught.value)
    assert set(problems) == {"project_id", "activity_id", "work_date", "time_spent", "description"}
    assert problems["activity_id"] == "activity #999 does not exist"
    assert problems["description"] == "must be at most 2000 characters"


@pytest.mark.parametrize(
    ("rate", "typed", "cents"),
    [
        ("0.30", "0:01", 1),  # 0.5 cent exactly: half-up rounds away from zero
        ("33.33", "0:01", 56),  # 55.55 cents
        ("95.00", "0:07", 1108),  # 1108.33 cents
        ("95.00", "8:00", 76000),
        ("100.01", "0:20", 3334),  # 3333.67 cents
    ],
)
def test_value_is_minutes_times_rate_rounded_half_up_once(
    services: Services, firm: Firm, time_svc: TimeService, rate: str, typed: str, cents: int
) -> None:
    code = services.presets.save_rate_code(firm.admin, RateCodeForm(name="R", hourly_rate=rate))
    entry = time_svc.add_entry(firm.ann, firm.card(typed, rate_code_id=code.id))
    assert entry.value.cents == cents and isinstance(entry.value.cents, int)


def test_a_person_books_at_most_24_hours_a_day(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    time_svc.add_entry(firm.ann, firm.card("16:00"))
    time_svc.add_entry(firm.ann, firm.card("7:45"))
    with pytest.raises(ValidationError) as caught:
        time_svc.add_entry(firm.ann, firm.card("0:30"))
    message = _fields(caught.value)["time_spent"]
    assert "already has 23:45 h booked on 2026-03-09" in message
    assert "at most 0:15 h more" in message
    time_svc.add_entry(firm.ann, firm.card("0:15"))  # exactly 24:00 is allowed
    time_svc.add_entry(firm.ann, firm.card("8:00", work_date="2026-03-08"))  # another day
    time_svc.add_entry(firm.bob, firm.card("8:00"))  # another person
    # A supervisor entering for the owner hits the same limit.
    with pytest.raises(ValidationError):
        time_svc.add_entry(firm.admin, firm.card("0:01", owner_id=firm.ann.user_id))


def test_a_locked_period_refuses_new_cards(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    set_organisation(services, period_lock_date=date(2026, 3, 9))
    for day in ("2026-03-09", "2026-01-15"):
        with pytest.raises(ValidationError) as caught:
            time_svc.add_entry(firm.ann, firm.card(work_date=day))
        assert _fields(caught.value)["work_date"] == "the period up to 2026-03-09 is locked"
    assert time_svc.add_entry(firm.ann, firm.card(work_date="2026-03-10")).id > 0


def test_inactive_codes_are_refused_by_name(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    services.presets.save_activity(firm.admin, ActivityForm(name="Backup"))  # keeps presets ready
    services.presets.set_active(firm.admin, "activity", firm.activity_id, False)
    with pytest.raises(ValidationError) as caught:
        time_svc.add_entry(firm.ann, firm.card())
    assert _fields(caught.value) == {
        "activity_id": "activity 'Design' is inactive; choose an active one"
    }


def test_the_task_must_belong_to_the_project(firm: Firm, time_svc: TimeService) -> None:
    with pytest.raises(ValidationError) as caught:
        time_svc.add_entry(firm.ann, firm.card(task_id=firm.other_task_id))
    assert _fields(caught.value) == {
        "task_id": "task 'Walls' belongs to another project, not 'Roof'"
    }


def test_supervisor_enters_cards_for_direct_staff_only(firm: Firm, time_svc: TimeService) -> None:
    entry = time_svc.add_entry(firm.ann, firm.card(owner_id=firm.bob.user_id))
    assert (entry.owner_id, entry.owner_name, entry.entered_by_name) == (
        firm.bob.user_id,
        "Bob",
        "Ann",
    )
    refused = [
        (firm.admin, firm.bob),  # sub-staff: two levels down
        (firm.bob, firm.ann),  # one's own supervisor
        (firm.ann, firm.carl),  # a colleague
    ]
    for actor, owner in refused:
        with pytest.raises(PermissionDenied):
            time_svc.add_entry(actor, firm.card(owner_id=owner.user_id))
    with pytest.raises(PermissionDenied):
        time_svc.add_entry(firm.ann, firm.card(owner_id=9999))


def test_blank_work_date_is_today_in_the_organisation_time_zone(
    services: Services, clock: FixedClock, firm: Firm, time_svc: TimeService
) -> None:
    clock.current = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert time_svc.add_entry(firm.ann, firm.card(work_date="")).work_date == date(2026, 3, 10)
    set_organisation(services, timezone="Pacific/Auckland")  # UTC+13 in March: already the 11th
    assert time_svc.add_entry(firm.ann, firm.card(work_date="")).work_date == date(2026, 3, 11)


def test_adding_a_card_is_audited(services: Services, firm: Firm, time_svc: TimeService) -> None:
    entry = time_svc.add_entry(firm.ann, firm.card())
    (event_,) = _audit(services, "time_entry.create")
    assert event_.entity_id == str(entry.id) and event_.actor_id == firm.ann.user_id
    assert json.loads(event_.after_json)["value_cents"] == 14250


# ---------------------------------------------------------------------------------------------
# Time Report: edit, delete, accept
# ---------------------------------------------------------------------------------------------


def test_edit_recomputes_value_and_only_while_draft_or_rejected(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    entry = time_svc.add_entry(firm.bob, firm.card("1:00"))
    edited = time_svc.update_entry(firm.bob, entry.id, firm.card("2:00", description="Fixed"))
    assert (edited.minutes, edited.value.cents, edited.version) == (120, 19000, 2)
    assert edited.description == "Fixed" and edited.status == "draft"
    (event_,) = _audit(services, "time_entry.update")
    assert json.loads(event_.before_json)["minutes"] == 60
    assert json.loads(event_.after_json)["minutes"] == 120

    time_svc.accept(firm.bob, [entry.id])
    with pytest.raises(IllegalTransition) as caught:
        time_svc.update_entry(firm.bob, entry.id, firm.card("3:00"))
    assert "waiting for approval" in caught.value.reason

    time_svc.reject(firm.ann, [entry.id], reason="Wrong task")
    fixed = time_svc.update_entry(firm.ann, entry.id, firm.card("2:30"))  # the supervisor edits
    assert fixed.status == "rejected" and fixed.rejection_reason == "Wrong task"
    assert fixed.value.cents == 23750

    time_svc.accept(firm.bob, [entry.id])
    time_svc.approve(firm.ann, [entry.id])
    with pytest.raises(IllegalTransition):
        time_svc.update_entry(firm.ann, entry.id, firm.card("1:00"))


def test_edit_is_refused_to_anyone_who_cannot_see_the_entry(
    firm: Firm, time_svc: TimeService
) -> None:
    entry = time_svc.add_entry(firm.bob, firm.card())
    for stranger in (firm.admin, firm.carl):
        with pytest.raises(NotFound):
            time_svc.update_entry(stranger, entry.id, firm.card("2:00"))
        with pytest.raises(NotFound):
            time_svc.get_entry(stranger, entry.id)
    assert time_svc.get_entry(firm.ann, entry.id).minutes == 90
    with pytest.raises(ValidationError) as caught:
        time_svc.update_entry(firm.ann, entry.id, firm.card(owner_id=firm.ann.user_id))
    assert "owner_id" in _fields(caught.value)


def test_edit_keeps_the_day_limit_without_counting_the_entry_twice(
    firm: Firm, time_svc: TimeService
) -> None:
    entry = time_svc.add_entry(firm.ann, firm.card("20:00"))
    assert time_svc.update_entry(firm.ann, entry.id, firm.card("24:00")).minutes == 1440
    time_svc.update_entry(firm.ann, entry.id, firm.card("20:00"))
    time_svc.add_entry(firm.ann, firm.card("4:00"))
    with pytest.raises(ValidationError):
        time_svc.update_entry(firm.ann, entry.id, firm.card("20:01"))


def test_edit_of_an_entry_in_a_locked_period_is_refused(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    entry = time_svc.add_entry(firm.ann, firm.card())
    set_organisation(services, period_lock_date=DAY)
    with pytest.raises(ValidationError) as caught:
        time_svc.update_entry(firm.ann, entry.id, firm.card(work_date="2026-03-20"))
    assert _fields(caught.value) == {"work_date": "the period up to 2026-03-09 is locked"}
    result = time_svc.delete_entries(firm.ann, [entry.id])
    assert result.entry_ids == () and "locked" in result.skipped[0].reason


def test_delete_takes_draft_and_rejected_entries_and_explains_the_rest(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    draft = time_svc.add_entry(firm.bob, firm.card("1:00"))
    rejected = time_svc.add_entry(firm.bob, firm.card("2:00"))
    accepted = time_svc.add_entry(firm.bob, firm.card("0:30"))
    carls = time_svc.add_entry(firm.carl, firm.card("0:30"))
    time_svc.accept(firm.bob, [rejected.id, accepted.id])
    time_svc.reject(firm.ann, [rejected.id], reason="Split it")
    ids = [draft.id, rejected.id, accepted.id, carls.id, 9999]

    before = _snapshot(services)
    preview = time_svc.delete_entries(firm.ann, ids, dry_run=True)
    assert _snapshot(services) == before
    result = time_svc.delete_entries(firm.ann, ids)

    for outcome in (preview, result):
        assert outcome.entry_ids == (draft.id, rejected.id)
        assert (outcome.totals.entries, outcome.totals.minutes) == (2, 180)
        assert outcome.totals.value == Money(28500, "EUR")
        reasons = {s.entry_id: s.reason for s in outcome.skipped}
        assert "waiting for approval" in reasons[accepted.id]
        assert reasons[carls.id] == reasons[9999] == "not found"
    assert preview.dry_run and not result.dry_run
    with pytest.raises(NotFound):
        time_svc.get_entry(firm.bob, draft.id)
    (event_,) = _audit(services, "time_entry.delete")
    deleted = json.loads(event_.before_json)
    assert deleted["ids"] == [draft.id, rejected.id]
    assert [e["minutes"] for e in deleted["entries"]] == [60, 120]


def test_accept_by_owner_or_supervisor_but_not_by_a_stranger(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    by_owner = time_svc.add_entry(firm.bob, firm.card("1:00"))
    by_supervisor = time_svc.add_entry(firm.bob, firm.card("1:00"))
    entered_by_ann = time_svc.add_entry(firm.ann, firm.card("1:00", owner_id=firm.bob.user_id))
    assert time_svc.accept(firm.bob, [by_owner.id]).entry_ids == (by_owner.id,)
    assert time_svc.accept(firm.ann, [by_supervisor.id]).entry_ids == (by_supervisor.id,)
    for stranger in (firm.admin, firm.carl):
        result = time_svc.accept(stranger, [entered_by_ann.id])
        assert result.entry_ids == () and result.skipped[0].reason == "not found"
    again = time_svc.accept(firm.ann, [by_owner.id, entered_by_ann.id])
    assert again.entry_ids == (entered_by_ann.id,)
    assert again.skipped[0].reason == "the entry is already accepted"
    view = time_svc.get_entry(firm.bob, by_supervisor.id)
    assert view.status == "accepted" and view.version == 2
    with services.db.read() as session:
        row = session.get(m.TimeEntry, by_supervisor.id)
        assert row is not None and row.accepted_by_id == firm.ann.user_id


def test_accept_everything_a_filter_shows_is_one_audited_batch(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    march = [
        time_svc.add_entry(firm.bob, firm.card("1:00", work_date=f"2026-03-0{d}"))
        for d in (2, 3, 4)
    ]
    february = time_svc.add_entry(firm.bob, firm.card("1:00", work_date="2026-02-27"))
    time_svc.accept(firm.bob, [march[0].id])  # already accepted: not a candidate
    flt = ReportFilter(date_from=date(2026, 3, 1), owner_id=firm.bob.user_id)

    before = _snapshot(services)
    preview = time_svc.accept(firm.ann, flt=flt, dry_run=True)
    assert _snapshot(services) == before
    assert preview.entry_ids == (march[1].id, march[2].id) and preview.totals.minutes == 120

    result = time_svc.accept(firm.ann, flt=flt)
    assert result.entry_ids == preview.entry_ids and result.totals == preview.totals
    assert time_svc.get_entry(firm.bob, february.id).status == "draft"
    events = _audit(services, "time_entry.accept")
    assert len(events) == 2  # the single accept above, then this batch as ONE event
    assert json.loads(events[1].after_json)["ids"] == [march[1].id, march[2].id]
    with pytest.raises(ValidationError):
        time_svc.accept(firm.ann)
    nothing = time_svc.accept(firm.ann, flt=ReportFilter(statuses=("approved",)))
    assert nothing.entry_ids == () and nothing.skipped == ()


def test_report_pages_cover_every_visible_entry_once_with_totals(
    firm: Firm, time_svc: TimeService
) -> None:
    made: dict[int, TimeEntryView] = {}
    for i in range(23):
        owner = (firm.ann, firm.bob, firm.carl)[i % 3]
        day = date(2026, 2, 1 + i % 9)  # several entries share a work date
        entry = time_svc.add_entry(owner, firm.card(f"0:{10 + i}", work_date=day.isoformat()))
        made[entry.id] = entry
    visible = {
        firm.admin: {
            i for i, e in made.items() if e.owner_id in (firm.ann.user_id, firm.carl.user_id)
        },
        firm.ann: {
            i for i, e in made.items() if e.owner_id in (firm.ann.user_id, firm.bob.user_id)
        },
        firm.bob: {i for i, e in made.items() if e.owner_id == firm.bob.user_id},
    }
    for actor, expected in visible.items():
        items, sizes = _all_pages(
            lambda after, limit, a=actor: time_svc.report(
                a, ReportFilter(), after=after, limit=limit
            ),
            limit=4,
        )
        ids = [v.id for v in items]
        assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids))
        keys = [(v.work_date, v.id) for v in items]
        assert keys == sorted(keys, reverse=True)
        assert all(size == 4 for size in sizes[:-1])
        totals = time_svc.report(actor, ReportFilter(), limit=1).totals
        assert totals.entries == len(expected)
        assert totals.minutes == sum(made[i].minutes for i in expected)
        assert totals.value.cents == sum(made[i].value.cents for i in expected)


def test_report_filters_by_period_person_project_client_and_status(
    firm: Firm, time_svc: TimeService
) -> None:
    a = time_svc.add_entry(firm.ann, firm.card(work_date="2026-03-01"))
    b = time_svc.add_entry(firm.bob, firm.card(work_date="2026-03-05"))
    c = time_svc.add_entry(
        firm.bob,
        firm.card(
            work_date="2026-03-06", project_id=firm.other_project_id, task_id=firm.other_task_id
        ),
    )
    time_svc.accept(firm.bob, [b.id])

    def ids(**filters: Any) -> set[int]:
        page = time_svc.report(firm.ann, ReportFilter(**filters))
        assert page.totals.entries == len(page.items)
        return {v.id for v in page.items}

    assert ids() == {a.id, b.id, c.id}
    assert ids(date_from=date(2026, 3, 2), date_to=date(2026, 3, 5)) == {b.id}
    assert ids(owner_id=firm.bob.user_id) == {b.id, c.id}
    assert ids(owner_id=firm.carl.user_id) == set()  # not Ann's staff: shows nothing
    assert ids(project_id=firm.other_project_id) == {c.id}
    assert ids(client_id=firm.client_id) == {a.id, b.id}
    assert ids(statuses=("accepted",)) == {b.id}
    assert ids(statuses=("draft", "accepted"), owner_id=firm.bob.user_id) == {b.id, c.id}
    with pytest.raises(ValidationError):
        ids(statuses=("paid",))


def test_report_table_holds_numbers_as_ints_and_money(firm: Firm, time_svc: TimeService) -> None:
    time_svc.add_entry(firm.ann, firm.card("1:30", work_date="2026-03-01"))
    time_svc.add_entry(firm.bob, firm.card("0:07", work_date="2026-03-02"))
    time_svc.add_entry(firm.carl, firm.card("5:00"))  # not Ann's to see
    table = time_svc.report_table(firm.ann, ReportFilter(date_from=date(2026, 3, 1)))
    headings = [c.heading.lower() for c in table.columns]
    assert headings == [
        "date", "person", "client", "project", "task", "activity", "hours", "rate", "value",
        "status", "description",
    ]  # fmt: skip
    assert [c.kind for c in table.columns][6:9] == ["hours", "money", "money"]
    assert [row[1] for row in table.rows] == ["Bob", "Ann"]
    first = table.rows[0]
    assert first[0] == date(2026, 3, 2) and first[6] == 7 and type(first[6]) is int
    assert first[7] == Money(9500, "EUR") and first[8] == Money(1108, "EUR")
    assert table.totals is not None
    assert table.totals[6] == 97 and table.totals[8] == Money(14250 + 1108, "EUR")
    assert "2 entries" in table.subtitle


def test_project_hours_sum_what_the_report_shows_per_project(
    firm: Firm, time_svc: TimeService
) -> None:
    time_svc.add_entry(firm.ann, firm.card("1:30", work_date="2026-03-01"))
    time_svc.add_entry(firm.bob, firm.card("0:07", work_date="2026-03-02"))
    other = {"project_id": firm.other_project_id, "task_id": firm.other_task_id}
    time_svc.add_entry(firm.bob, firm.card("2:00", work_date="2026-03-03", **other))
    time_svc.add_entry(firm.carl, firm.card("5:00"))  # not Ann's to see
    rows = time_svc.project_hours(firm.ann)
    report = time_svc.report(firm.ann)
    assert sum(r.entries for r in rows) == report.totals.entries == 3
    assert sum(r.minutes for r in rows) == report.totals.minutes == 217
    assert sum(r.value.cents for r in rows) == report.totals.value.cents
    by_project = {r.project_id: (r.entries, r.minutes) for r in rows}
    assert by_project == {firm.project_id: (2, 97), firm.other_project_id: (1, 120)}
    assert [(r.client_name, r.project_name) for r in rows] == sorted(
        (r.client_name, r.project_name) for r in rows
    )
    narrowed = time_svc.project_hours(firm.ann, ReportFilter(date_to=date(2026, 3, 2)))
    assert [(r.project_id, r.entries, r.minutes) for r in narrowed] == [(firm.project_id, 2, 97)]
    assert time_svc.project_hours(firm.carl, ReportFilter(owner_id=firm.ann.user_id)) == ()


def _entry_sums(services: Services, owners: list[int], flt: ReportFilter) -> dict[int, tuple]:
    """(entries, minutes, value in cents) per project, summed from the entries themselves."""
    query = select(
        m.TimeEntry.project_id,
        func.count(),
        func.sum(m.TimeEntry.minutes),
        func.sum(m.TimeEntry.value_cents),
    ).where(m.TimeEntry.owner_id.in_(owners))  # type: ignore[attr-defined]
    if flt.statuses:
        query = query.where(m.TimeEntry.status.in_(flt.statuses))  # type: ignore[attr-defined]
    if flt.date_from is not None:
        query = query.where(m.TimeEntry.work_date >= flt.date_from)
    if flt.date_to is not None:
        query = query.where(m.TimeEntry.work_date <= flt.date_to)
    if flt.project_id is not None:
        query = query.where(m.TimeEntry.project_id == flt.project_id)
    if flt.client_id is not None:
        mine = select(m.Project.id).where(m.Project.client_id == flt.client_id)
        query = query.where(m.TimeEntry.project_id.in_(mine))  # type: ignore[attr-defined]
    with services.db.read() as session:
        rows = session.execute(query.group_by(m.TimeEntry.project_id)).all()
    return {int(p): (int(n), int(mins), int(cents)) for p, n, mins, cents in rows}


def test_project_hours_agree_with_the_entries_under_every_filter_and_change(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    """The summary is read from the trigger-kept daily summary: after cards are added, edited
    (time, project, date), deleted, accepted and rejected, every filter sums what the entries
    themselves sum."""
    other = {"project_id": firm.other_project_id, "task_id": firm.other_task_id}
    ids = [
        time_svc.add_entry(who, firm.card(span, work_date=day, **codes)).id
        for who, span, day, codes in (
            (firm.ann, "1:30", "2026-03-01", {}),
            (firm.ann, "0:45", "2026-03-02", other),
            (firm.bob, "2:10", "2026-03-02", {}),
            (firm.bob, "0:07", "2026-03-03", other),
            (firm.bob, "3:00", "2026-03-04", {}),
            (firm.carl, "5:00", "2026-03-02", {}),  # not Ann's to see
        )
    ]
    time_svc.update_entry(firm.ann, ids[0], firm.card("2:15", work_date="2026-03-03", **other))
    time_svc.delete_entries(firm.bob, [ids[3]])
    time_svc.accept(firm.bob, [ids[2], ids[4]])
    time_svc.reject(firm.ann, [ids[4]], reason="wrong site")
    filters = [
        ReportFilter(),
        ReportFilter(statuses=("draft",)),
        ReportFilter(statuses=("accepted", "rejected")),
        ReportFilter(date_from=date(2026, 3, 2), date_to=date(2026, 3, 3)),
        ReportFilter(project_id=firm.other_project_id),
        ReportFilter(client_id=firm.client_id, statuses=("draft", "accepted")),
        ReportFilter(owner_id=firm.bob.user_id),
    ]
    for flt in filters:
        owners = [flt.owner_id] if flt.owner_id else [firm.ann.user_id, firm.bob.user_id]
        rows = time_svc.project_hours(firm.ann, flt)
        found = {r.project_id: (r.entries, r.minutes, r.value.cents) for r in rows}
        assert found == _entry_sums(services, owners, flt), flt
    assert {r.project_id for r in time_svc.project_hours(firm.ann)} == {
        firm.project_id,
        firm.other_project_id,
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_streamed_export_is_the_report_table_written_as_it_is_read(
    firm: Firm, time_svc: TimeService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """``export_report`` reads the entries while it writes them (flat memory for millions):
    the file holds what ``report_table`` holds, the totals row sums what was written, and
    progress is told as the rows go by."""
    from tektoro_tui.exports import tables

    for day in range(1, 8):
        time_svc.add_entry(firm.ann, firm.card(f"{day}:15", work_date=f"2026-03-0{day}"))
    time_svc.add_entry(firm.bob, firm.card("0:07", work_date="2026-03-02", description="=1+1"))
    time_svc.add_entry(firm.carl, firm.card("5:00"))  # not Ann's to see
    flt = ReportFilter(date_from=date(2026, 3, 1))
    table = time_svc.report_table(firm.ann, flt)
    monkeypatch.setattr(tables, "PROGRESS_EVERY", 3)
    told: list[tuple[int, int]] = []
    out = tmp_path / f"report.{fmt}"
    written = time_svc.export_report(firm.ann, flt, fmt, out, lambda *seen: told.append(seen))
    assert written == out
    assert told == [(3, 8), (6, 8), (8, 8)]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report")]  # no temporary
    if fmt == "csv":
        assert out.read_bytes() == tables.table_to_csv_bytes(table)
        return
    sheet = openpyxl.load_workbook(out).active
    assert sheet.title == "Time report" and sheet["A2"].value == table.subtitle
    assert sheet.freeze_panes == "A4"
    same = openpyxl.load_workbook(io.BytesIO(tables.table_to_xlsx_bytes(table))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert values == [[cell.value for cell in row] for row in same.iter_rows(min_row=3)]
    assert values[-1][0] == "Total" and sheet.cell(len(values) + 2, 1).font.bold
    (guarded,) = [row[10] for row in sheet.iter_rows(min_row=4) if row[1].value == "Bob"]
    assert guarded.value == "=1+1" and guarded.data_type == "s"  # text, never a formula


def test_a_streamed_export_in_an_unknown_format_reads_and_writes_nothing(
    firm: Firm, time_svc: TimeService, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    with pytest.raises(ValidationError):
        time_svc.export_report(firm.ann, None, "pdf", folder / "report.pdf")
    assert not folder.exists()


# ---------------------------------------------------------------------------------------------
# Approvals
# ---------------------------------------------------------------------------------------------


def _accepted(time_svc: TimeService, owner: Actor, firm: Firm, *spent: str) -> list[int]:
    ids = [time_svc.add_entry(owner, firm.card(s)).id for s in spent]
    time_svc.accept(owner, ids)
    return ids


def test_approvals_summarise_direct_staff_per_contributor(
    firm: Firm, time_svc: TimeService
) -> None:
    bobs = _accepted(time_svc, firm.bob, firm, "1:00", "0:30")
    anns = _accepted(time_svc, firm.ann, firm, "2:00")
    carls = _accepted(time_svc, firm.carl, firm, "1:00")
    time_svc.add_entry(firm.bob, firm.card("3:00"))  # draft: not in approvals

    (bob,) = time_svc.approvals(firm.ann)
    assert (bob.user_id, bob.name) == (firm.bob.user_id, "Bob")
    assert (bob.totals.entries, bob.totals.minutes, bob.totals.value.cents) == (2, 90, 14250)
    assert [c.name for c in time_svc.approvals(firm.admin)] == ["Ann", "Carl"]
    assert [c.name for c in time_svc.approvals(firm.admin, include_all=True)] == [
        "Ann",
        "Bob",
        "Carl",
    ]
    assert time_svc.approvals(firm.bob) == ()
    with pytest.raises(PermissionDenied):
        time_svc.approvals(firm.ann, include_all=True)

    page = time_svc.approval_entries(firm.admin)
    assert {v.id for v in page.items} == {*anns, *carls} and page.totals.entries == 2
    page = time_svc.approval_entries(firm.admin, firm.bob.user_id, include_all=True)
    assert {v.id for v in page.items} == set(bobs)
    with pytest.raises(NotFound):
        time_svc.approval_entries(firm.admin, firm.bob.user_id)
    items, _sizes = _all_pages(
        lambda after, limit: time_svc.approval_entries(
            firm.admin, include_all=True, after=after, limit=limit
        ),
        limit=1,
    )
    assert sorted(v.id for v in items) == sorted([*bobs, *anns, *carls])


def test_only_the_supervisor_approves(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    bobs = _accepted(time_svc, firm.bob, firm, "1:00", "2:00")
    (anns,) = _accepted(time_svc, firm.ann, firm, "1:00")
    draft = time_svc.add_entry(firm.bob, firm.card("0:15"))

    own = time_svc.approve(firm.bob, bobs)
    assert own.entry_ids == () and all("supervisor" in s.reason for s in own.skipped)
    assert time_svc.approve(firm.carl, bobs).skipped[0].reason == "not found"
    ann_own = time_svc.approve(firm.ann, [anns])
    assert ann_own.entry_ids == () and "their own entries" in ann_own.skipped[0].reason

    result = time_svc.approve(firm.ann, [*bobs, draft.id])
    assert result.entry_ids == tuple(bobs) and result.totals.minutes == 180
    assert {s.entry_id: s.reason for s in result.skipped} == {
        draft.id: "accept the entry before approving it"
    }
    assert time_svc.approve(firm.ann, bobs).skipped[0].reason == "the entry is already approved"
    with services.db.read() as session:
        row = session.get(m.TimeEntry, bobs[0])
        assert row is not None and row.approved_by_id == firm.ann.user_id
        assert row.status == "approved" and row.approved_at is not None
    (event_,) = _audit(services, "time_entry.approve")
    assert json.loads(event_.after_json)["ids"] == bobs

    services.permissions.set_grant(firm.admin, Role.STAFF, Perm.TIME_APPROVE_ANY, True)
    still_own = time_svc.approve(firm.ann, [anns])  # approving anyone's is not one's own
    assert still_own.entry_ids == () and "their own entries" in still_own.skipped[0].reason
    assert time_svc.approve(firm.carl, [anns]).entry_ids == (anns,)


def test_nobody_approves_their_own_work_whatever_the_role(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    """The administrator holds every permission, yet his own entries never reach his
    Approvals, his firm-wide batch or his dashboard count; his supervisor-less card waits for
    someone else who may approve any entry."""
    (own,) = _accepted(time_svc, firm.admin, firm, "2:00")
    (carls,) = _accepted(time_svc, firm.carl, firm, "1:00")
    assert [c.name for c in time_svc.approvals(firm.admin, include_all=True)] == ["Carl"]
    page = time_svc.approval_entries(firm.admin, include_all=True)
    assert [v.id for v in page.items] == [carls] and page.totals.entries == 1
    with pytest.raises(PermissionDenied):
        time_svc.approval_entries(firm.admin, firm.admin.user_id, include_all=True)
    with pytest.raises(PermissionDenied):
        time_svc.approve(firm.admin, contributor_id=firm.admin.user_id, include_all=True)
    refused = time_svc.reject(firm.admin, [own], reason="mine")
    assert refused.entry_ids == () and "their own entries" in refused.skipped[0].reason
    assert time_svc.approve(firm.admin, include_all=True).entry_ids == (carls,)
    assert time_svc.get_entry(firm.admin, own).status == "accepted"
    assert services.dashboards.manager(firm.admin).firm_pending_approvals == 0

    services.permissions.set_grant(firm.admin, Role.STAFF, Perm.TIME_APPROVE_ANY, True)
    assert time_svc.approve(firm.carl, [own]).entry_ids == (own,)


def test_approve_a_whole_contributor_or_everything(firm: Firm, time_svc: TimeService) -> None:
    anns = _accepted(time_svc, firm.ann, firm, "1:00", "1:00")
    carls = _accepted(time_svc, firm.carl, firm, "1:00")
    bobs = _accepted(time_svc, firm.bob, firm, "1:00")
    result = time_svc.approve(firm.admin, contributor_id=firm.ann.user_id)
    assert result.entry_ids == tuple(anns)
    with pytest.raises(NotFound):
        time_svc.approve(firm.admin, contributor_id=firm.bob.user_id)
    result = time_svc.approve(firm.admin)  # everything the admin's Approvals list
    assert result.entry_ids == tuple(carls)
    assert time_svc.get_entry(firm.ann, bobs[0]).status == "accepted"
    everything = time_svc.approve(firm.admin, include_all=True)
    assert everything.entry_ids == tuple(bobs)
    with pytest.raises(PermissionDenied):
        time_svc.approve(firm.ann, include_all=True)


def test_reject_needs_a_reason_and_sends_the_entry_back(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    (entry_id,) = _accepted(time_svc, firm.bob, firm, "1:00")
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            time_svc.reject(firm.ann, [entry_id], reason=reason)
        assert set(_fields(caught.value)) == {"reason"}
    assert time_svc.reject(firm.bob, [entry_id], reason="no").entry_ids == ()
    result = time_svc.reject(firm.ann, [entry_id], reason="  Wrong project  ")
    assert result.entry_ids == (entry_id,)
    (shown,) = time_svc.report(firm.bob, ReportFilter(statuses=("rejected",))).items
    assert (shown.id, shown.rejection_reason) == (entry_id, "Wrong project")
    assert time_svc.approvals(firm.ann) == ()
    again = time_svc.reject(firm.ann, [entry_id], reason="again")
    assert again.skipped[0].reason == "the entry is already rejected"
    time_svc.accept(firm.bob, [entry_id])
    assert time_svc.get_entry(firm.bob, entry_id).rejection_reason == ""
    (event_,) = _audit(services, "time_entry.reject")
    assert json.loads(event_.after_json)["rejection_reason"] == "Wrong project"


def test_dry_runs_write_nothing(services: Services, firm: Firm, time_svc: TimeService) -> None:
    accepted = _accepted(time_svc, firm.bob, firm, "1:00", "2:00")
    draft = time_svc.add_entry(firm.bob, firm.card("0:45"))
    before = _snapshot(services)
    approve = time_svc.approve(firm.ann, accepted, dry_run=True)
    reject = time_svc.reject(firm.ann, contributor_id=firm.bob.user_id, reason="x", dry_run=True)
    accept = time_svc.accept(firm.ann, [draft.id, *accepted], dry_run=True)
    delete = time_svc.delete_entries(firm.bob, [draft.id], dry_run=True)
    assert _snapshot(services) == before
    assert approve.dry_run and approve.entry_ids == tuple(accepted)
    assert approve.totals.value == Money(28500, "EUR")
    assert reject.entry_ids == tuple(accepted) and reject.totals.minutes == 180
    assert accept.entry_ids == (draft.id,) and len(accept.skipped) == 2
    assert delete.entry_ids == (draft.id,) and delete.totals.minutes == 45


def test_report_page_walks_the_owner_indexes(
    services: Services, firm: Firm, time_svc: TimeService
) -> None:
    if services.db.backend != "sqlite":
        pytest.skip("the plan is checked with SQLite's EXPLAIN QUERY PLAN")
    for i in range(5):
        time_svc.add_entry(firm.bob, firm.card("0:10", work_date=f"2026-03-0{i + 1}"))
    with services.db.write() as session:
        session.execute(text("ANALYZE"))
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        if "ORDER BY" in statement and "LIMIT" in statement and "time_entry" in statement:
            seen.append((statement, params))

    event.listen(services.db.engine, "before_cursor_execute", capture)
    try:
        first = time_svc.report(firm.ann, ReportFilter(), limit=2)
        time_svc.report(firm.ann, ReportFilter(), after=first.next_after, limit=2)
        time_svc.report(firm.ann, ReportFilter(statuses=("draft",)), limit=2)
    finally:
        event.remove(services.db.engine, "before_cursor_execute", capture)
    assert len(seen) == 3
    with services.db.read() as session:
        raw = session.connection()
        plans = [
            " | ".join(str(r[-1]) for r in raw.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in seen
        ]
    for plan in plans:
        assert "SCAN time_entry" not in plan, plan
    assert "ix_time_entry_owner_date" in plans[0] and "ix_time_entry_owner_date" in plans[1]
    assert "ix_time_entry_owner_status" in plans[2]


def test_nobody_reaches_entries_two_levels_down_or_beside_them(
    firm: Firm, time_svc: TimeService
) -> None:
    """The staff-group rule on every method: admin never sees Bob (Ann's staff)."""
    entry = time_svc.add_entry(firm.bob, firm.card("1:00"))
    (accepted,) = _accepted(time_svc, firm.bob, firm, "2:00")
    admin, carl = firm.admin, firm.carl
    with pytest.raises(NotFound):
        time_svc.get_entry(admin, entry.id)
    with pytest.raises(NotFound):
        time_svc.update_entry(admin, entry.id, firm.card("0:30"))
    assert time_svc.delete_entries(admin, [entry.id]).skipped[0].reason == "not found"
    assert time_svc.accept(admin, [entry.id]).skipped[0].reason == "not found"
    assert time_svc.accept(admin, flt=ReportFilter(owner_id=firm.bob.user_id)).entry_ids == ()
    assert time_svc.report(admin, ReportFilter()).totals.entries == 0
    assert time_svc.report(admin, ReportFilter(owner_id=firm.bob.user_id)).items == ()
    assert time_svc.report_table(admin, ReportFilter()).rows == ()
    assert time_svc.approvals(admin) == ()
    assert time_svc.approval_entries(admin).items == ()
    for approve in (
        lambda: time_svc.approve(carl, [accepted]),
        lambda: time_svc.reject(carl, [accepted], reason="no"),
    ):
        assert approve().skipped[0].reason == "not found"
    assert time_svc.reject(admin, contributor_id=None, reason="x").entry_ids == ()
    # One level down works for Ann on every method.
    assert time_svc.get_entry(firm.ann, entry.id).id == entry.id
    assert {v.id for v in time_svc.report(firm.ann, ReportFilter()).items} == {entry.id, accepted}
    assert time_svc.reject(firm.ann, contributor_id=firm.bob.user_id, reason="x").entry_ids == (
        accepted,
    )
    assert time_svc.delete_entries(firm.ann, [entry.id, accepted]).entry_ids == (
        entry.id,
        accepted,
    )
