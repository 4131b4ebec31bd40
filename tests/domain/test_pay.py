"""The pay rule of a working day (DESIGN.md §9), against figures worked out by hand.

The same rule prices a subcontractor's daily report and, with crew pay, an employee's shift.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tektoro_tui.domain.pay import (
    PayRules,
    PaySplit,
    amount_cents,
    bucket_amounts,
    split_minutes,
)

H = 60
SEED_RULES = PayRules(
    window_start=7 * H, window_end=17 * H, day_length=8 * H, over_day_bp=5000, outside_bp=10000
)


def test_the_seeds_example_pays_eight_hours_standard_and_half_an_hour_over_the_day() -> None:
    """Window 07:00-17:00, 8 h day, 07:00-15:30: 8:00 standard + 0:30 over the day length."""
    assert split_minutes(7 * H, 15 * H + 30, SEED_RULES) == PaySplit(8 * H, 30, 0)


def test_minutes_outside_the_window_are_paid_at_the_outside_rate_wherever_they_fall() -> None:
    """06:00-19:00: 1 h before the window, 10 h inside (8 standard + 2 over), 2 h after."""
    assert split_minutes(6 * H, 19 * H, SEED_RULES) == PaySplit(8 * H, 2 * H, 3 * H)


def test_work_starting_late_counts_the_day_length_in_time_order() -> None:
    """12:00-20:00: 5 h inside the window (all standard), 3 h outside."""
    assert split_minutes(12 * H, 20 * H, SEED_RULES) == PaySplit(5 * H, 0, 3 * H)


def test_lunch_comes_out_of_the_window_first_then_out_of_the_outside_minutes() -> None:
    """07:00-16:00 with a 30-minute lunch: 8:30 paid inside, 8 h standard + 0:30 over."""
    assert split_minutes(7 * H, 16 * H, SEED_RULES, lunch=30) == PaySplit(8 * H, 30, 0)
    # 17:00-20:00 is all outside: a 30-minute lunch leaves 2:30 outside
    assert split_minutes(17 * H, 20 * H, SEED_RULES, lunch=30) == PaySplit(0, 0, 150)


def test_a_night_shift_runs_into_the_next_mornings_window() -> None:
    """22:00-08:00: 9 h outside (22:00-07:00), 1 h inside the next morning's window."""
    assert split_minutes(22 * H, 32 * H, SEED_RULES) == PaySplit(H, 0, 9 * H)


def test_the_amount_is_headcount_times_hours_times_rate_with_the_supplements() -> None:
    """3 people, 06:00-19:00 at 40.00/h: 8 h × 40 + 2 h × 60 + 3 h × 80 = 680.00 each,
    2,040.00 for the crew."""
    split = split_minutes(6 * H, 19 * H, SEED_RULES)
    assert amount_cents(split, 40_00, SEED_RULES, headcount=3) == 2_040_00


def test_each_bucket_is_rounded_half_up_then_summed() -> None:
    """1 minute standard and 1 minute over the day at 0.30/h: 0.5 cent rounds up to 1, 0.75
    cent to 1, so the day is 2 cents (rounding the 1.25 cents once would give 1)."""
    split = PaySplit(1, 1, 0)
    amounts = bucket_amounts(split, 30, SEED_RULES)
    assert (amounts.standard, amounts.over_day, amounts.outside) == (1, 1, 0)
    assert amount_cents(split, 30, SEED_RULES) == amounts.total == 2


def test_a_second_piece_of_the_day_counts_the_minutes_before_it() -> None:
    """07:00-12:00 counts 5 h; 13:00-17:00 the same day has 3 h left of the 8 h day, so
    3 h standard and 1 h over the day."""
    first = split_minutes(7 * H, 12 * H, SEED_RULES)
    second = split_minutes(13 * H, 17 * H, SEED_RULES, counted=first.standard + first.over_day)
    assert first == PaySplit(5 * H, 0, 0) and second == PaySplit(3 * H, H, 0)


@pytest.mark.parametrize(
    ("start", "end", "lunch", "message"),
    [
        (8 * H, 8 * H, 0, "after the start"),
        (9 * H, 8 * H, 0, "after the start"),
        (8 * H, 9 * H, 60, "lunch"),
        (8 * H, 9 * H, -1, "lunch"),
        (0, 25 * H, 0, "24 hours"),
        (24 * H, 25 * H, 0, "time of day"),
    ],
)
def test_impossible_days_are_refused(start: int, end: int, lunch: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_minutes(start, end, SEED_RULES, lunch=lunch)


def test_rules_outside_one_day_are_refused() -> None:
    with pytest.raises(ValueError, match="window"):
        PayRules(window_start=17 * H, window_end=7 * H, day_length=480, over_day_bp=0, outside_bp=0)


@given(
    start=st.integers(0, 24 * H - 1),
    length=st.integers(1, 24 * H),
    lunch=st.integers(0, 120),
    day=st.integers(0, 12 * H),
)
def test_every_paid_minute_lands_in_exactly_one_rate(
    start: int, length: int, lunch: int, day: int
) -> None:
    if lunch >= length:
        return
    rules = PayRules(7 * H, 17 * H, day, 5000, 10000)
    split = split_minutes(start, start + length, rules, lunch=lunch)
    assert split.total == length - lunch
    assert min(split.standard, split.over_day, split.outside) >= 0
    assert split.standard <= day


@given(
    start=st.integers(0, 24 * H - 1),
    length=st.integers(1, 20 * H),
    more=st.integers(1, 4 * H),
    rate=st.integers(0, 20_000),
)
def test_pay_never_decreases_when_a_shift_is_extended(
    start: int, length: int, more: int, rate: int
) -> None:
    shorter = split_minutes(start, start + length, SEED_RULES)
    longer = split_minutes(start, start + length + more, SEED_RULES)
    assert amount_cents(longer, rate, SEED_RULES) >= amount_cents(shorter, rate, SEED_RULES)


@given(start=st.integers(0, 24 * H - 2), length=st.integers(2, 16 * H), cut=st.integers(1, 999))
def test_splitting_a_shift_keeps_every_bucket(start: int, length: int, cut: int) -> None:
    """Cut anywhere, the second part split with the window minutes the first counted: the
    buckets of the two parts add up to those of the whole shift."""
    at = start + 1 + cut % (length - 1)
    whole = split_minutes(start, start + length, SEED_RULES)
    first = split_minutes(start, at, SEED_RULES)
    if at >= 24 * H:
        return  # the second part would start on the next day's clock
    second = split_minutes(at, start + length, SEED_RULES, counted=first.standard + first.over_day)
    assert whole == PaySplit(
        first.standard + second.standard,
        first.over_day + second.over_day,
        first.outside + second.outside,
    )
