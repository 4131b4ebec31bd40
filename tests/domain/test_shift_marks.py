"""What makes a work shift irregular (issue 16), and the rules of a day off.

Times are minutes from one origin: day ``D`` starts at ``D * 1440``. The window, plan and
limits are the product's: 15 minutes from the plan, 16 hours at most.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tektoro_tui.domain.pay import (
    FAR_FROM_PLAN,
    PayRules,
    PaySplit,
    ShiftTimes,
    day_off_rules,
    irregularities,
    split_minutes,
)

H = 60
DAY = 24 * H
ORIGIN = 740_000 * DAY  # some day
NOON_AFTER = ORIGIN + 2 * DAY + 12 * H  # "now": two days later, at noon
RULES = PayRules(7 * H, 17 * H, 8 * H, 5000, 10000)


def shift(
    ident: int = 1,
    planned: tuple[int, int] | None = (7 * H, 15 * H),
    actual: tuple[int | None, int | None] = (7 * H, 15 * H),
    day: int = 0,
    project: int = 0,
) -> ShiftTimes:
    start, end = planned if planned is not None else (None, None)
    return ShiftTimes(ident, ORIGIN + day * DAY, start, end, actual[0], actual[1], project)


def test_a_shift_as_planned_is_regular() -> None:
    assert irregularities(shift(), (), NOON_AFTER) == ()


def test_fifteen_minutes_from_plan_is_regular_sixteen_is_marked() -> None:
    assert irregularities(shift(actual=(7 * H + 15, 15 * H - 15)), (), NOON_AFTER) == ()
    assert irregularities(shift(actual=(7 * H - 16, 15 * H + 16)), (), NOON_AFTER) == (
        "start -0:16 from plan",
        "end +0:16 from plan",
    )
    assert FAR_FROM_PLAN == 15


def test_no_clock_out_once_the_planned_end_has_passed() -> None:
    running = shift(actual=(7 * H, None))
    assert irregularities(running, (), ORIGIN + 14 * H) == ()  # still at work
    assert irregularities(running, (), ORIGIN + 15 * H + 16) == ("no clock-out",)


def test_an_unplanned_shift_and_one_longer_than_sixteen_hours() -> None:
    assert irregularities(shift(planned=None, actual=(6 * H, 22 * H + 1)), (), NOON_AFTER) == (
        "not planned",
        "longer than 16 h",
    )
    assert irregularities(shift(planned=None, actual=(6 * H, 22 * H)), (), NOON_AFTER) == (
        "not planned",
    )


def test_overlapping_shifts_across_midnight_are_marked_on_both() -> None:
    night = shift(1, planned=(22 * H, 30 * H), actual=(22 * H, 30 * H))
    morning = shift(2, planned=(5 * H, 13 * H), actual=(5 * H, 13 * H), day=1)
    later = shift(3, planned=(6 * H, 14 * H), actual=(6 * H, 14 * H), day=2)
    both = (night, morning, later)
    assert irregularities(night, both, NOON_AFTER) == ("overlaps another shift",)
    assert irregularities(morning, both, NOON_AFTER) == ("overlaps another shift",)
    assert irregularities(later, both, NOON_AFTER + DAY) == ()


def test_an_open_shift_overlaps_only_up_to_its_planned_end() -> None:
    """A forgotten clock-out does not make every later shift of the week overlap it."""
    forgotten = shift(1, actual=(7 * H, None))
    next_day = shift(2, day=1)
    assert irregularities(next_day, (forgotten, next_day), NOON_AFTER) == ()


def test_work_on_a_day_off_is_marked_with_the_day() -> None:
    assert irregularities(shift(), (), NOON_AFTER, "a holiday (Test Day)") == (
        "work on a holiday (Test Day)",
    )


def test_a_day_off_has_no_window_every_minute_is_outside() -> None:
    """07:00-15:00 on a day off: 8 h outside; the % rates and day length stay."""
    off = day_off_rules(RULES)
    assert split_minutes(7 * H, 15 * H, off) == PaySplit(0, 0, 8 * H)
    assert (off.over_day_bp, off.outside_bp, off.day_length) == (5000, 10000, 8 * H)


@given(
    start=st.integers(0, DAY - 1),
    length=st.integers(1, DAY),
    plan_start=st.integers(0, DAY - 1),
    plan_length=st.integers(1, 16 * H),
)
def test_a_settled_shift_is_marked_only_for_what_it_is(
    start: int, length: int, plan_start: int, plan_length: int
) -> None:
    """Each mark follows from the times: far from plan, too long; nothing else on its own."""
    marks = irregularities(
        shift(planned=(plan_start, plan_start + plan_length), actual=(start, start + length)),
        (),
        ORIGIN + 3 * DAY,
    )
    far_start = abs(start - plan_start) > FAR_FROM_PLAN
    far_end = abs(start + length - plan_start - plan_length) > FAR_FROM_PLAN
    assert any(m.startswith("start ") for m in marks) == far_start
    assert any(m.startswith("end ") for m in marks) == far_end
    assert ("longer than 16 h" in marks) == (length > 16 * H)
    assert len(marks) == far_start + far_end + (length > 16 * H)


def test_time_kept_at_another_project_than_planned_marks_both() -> None:
    """Planned at the warehouse (project 1) 07:00-15:00; clocked in at the depot (project 2)
    instead: the depot's shift is not planned and at another place than the plan, the plan
    shows that the day was worked elsewhere. A plan at the same project, on another day,
    already started, or later in the day than the time kept elsewhere is no such mark (a day
    split between two sites is regular)."""
    plan = shift(1, actual=(None, None), project=1)
    depot = shift(2, planned=None, actual=(7 * H, 15 * H), project=2)
    assert irregularities(depot, (plan, depot), NOON_AFTER) == (
        "not planned",
        "clocked in at another project than planned",
    )
    assert irregularities(plan, (plan, depot), NOON_AFTER) == (
        "worked at another project that day",
    )
    same_place = shift(2, planned=None, actual=(16 * H, 18 * H), project=1)
    assert irregularities(same_place, (plan, same_place), NOON_AFTER) == ("not planned",)
    next_day = shift(3, actual=(None, None), day=1, project=1)
    assert irregularities(depot, (next_day, depot), NOON_AFTER) == ("not planned",)
    started = shift(1, actual=(6 * H, 7 * H), project=1)
    assert irregularities(depot, (started, depot), NOON_AFTER) == ("not planned",)
    afternoon = shift(4, planned=(15 * H, 18 * H), actual=(None, None), project=3)
    morning = shift(5, planned=(7 * H, 12 * H), actual=(7 * H, 12 * H), project=1)
    assert irregularities(afternoon, (morning, afternoon), ORIGIN + 13 * H) == ()
    extra = shift(6, planned=None, actual=(7 * H, 12 * H), project=2)
    assert irregularities(afternoon, (extra, afternoon), ORIGIN + 13 * H) == ()
    assert irregularities(extra, (extra, afternoon), ORIGIN + 13 * H) == ("not planned",)
