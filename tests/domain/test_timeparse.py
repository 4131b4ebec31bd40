"""Time spent as people type it, read into whole minutes."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tektoro_tui.domain.timeparse import (
    MAX_MINUTES_PER_DAY,
    ParsedTime,
    format_minutes,
    format_range,
    parse_time_spent,
)

T = datetime.time


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1:30", 90),
        ("0:05", 5),
        ("10:00", 600),
        ("24:00", 1440),
        ("1.5", 90),
        ("1,5", 90),
        ("0.25", 15),
        (".5", 30),
        ("2", 120),
        ("0.0084", 1),  # 0.504 minutes rounds half-up to 1
        ("1.0083", 60),  # 60.498 minutes rounds to 60
        ("90m", 90),
        ("90 min", 90),
        ("45 minutes", 45),
        ("2h", 120),
        ("2 h", 120),
        ("2hours", 120),
        ("1.5h", 90),
        ("2h30m", 150),
        ("2h 30m", 150),
        ("2h30", 150),
        ("2H30M", 150),
        ("  1:30  ", 90),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_time_spent(text) == ParsedTime(minutes)


def test_decimal_hours_round_half_up() -> None:
    assert parse_time_spent("0.0250").minutes == 2  # exactly 1.5 minutes -> 2
    assert parse_time_spent("0.025").minutes == 2
    assert parse_time_spent("1.0125").minutes == 61  # 60.75 -> 61


@pytest.mark.parametrize(
    ("text", "minutes", "start", "end"),
    [
        ("08:00-09:30", 90, T(8, 0), T(9, 30)),
        ("8:00\u20139:30", 90, T(8, 0), T(9, 30)),
        ("8:00 - 9:30", 90, T(8, 0), T(9, 30)),
        ("8.00-16.15", 495, T(8, 0), T(16, 15)),
        ("22:00-02:00+1", 240, T(22, 0), T(2, 0)),
        ("22:00-02:00 +1", 240, T(22, 0), T(2, 0)),
        ("23:59-00:00+1", 1, T(23, 59), T(0, 0)),
        ("08:00-08:00+1", 1440, T(8, 0), T(8, 0)),
        ("00:00-23:59", 1439, T(0, 0), T(23, 59)),
    ],
)
def test_ranges(text: str, minutes: int, start: T, end: T) -> None:
    assert parse_time_spent(text) == ParsedTime(minutes, start, end)


@pytest.mark.parametrize("text", ["09:30-08:00", "22:00-02:00", "23:59-00:00", "9.30-8.00"])
def test_a_backwards_range_is_refused_not_read_as_overnight(text: str) -> None:
    with pytest.raises(ValueError, match=r"ends before it starts; .* write 22:00-02:00\+1"):
        parse_time_spent(text)


def test_an_overnight_range_longer_than_a_day_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 24 hours"):
        parse_time_spent("08:00-09:00+1")


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [(480, 570, "08:00-09:30"), (1320, 120, "22:00-02:00+1"), (480, 480, "08:00-08:00+1")],
)
def test_format_range_writes_what_parses_back(start: int, end: int, text: str) -> None:
    assert format_range(start, end) == text
    parsed = parse_time_spent(text)
    assert parsed.start == T(start // 60, start % 60) and parsed.end == T(end // 60, end % 60)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "1:3",
        "1::30",
        "h",
        "m",
        "1..5",
        "1h-30m",
        "8:00-",
        "-x",
        "12:00-ab:cd",
        "1" * 100,
    ],
)
def test_garbage_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"1:30, 1\.5, 90m, 2h30m or a range like 08:00-09:30"):
        parse_time_spent(text)


@pytest.mark.parametrize(
    "text", ["0", "0:00", "0m", "0h", "0.0", "08:00-08:00", "-1:30", "-2h", "0.0083"]
)
def test_zero_or_negative_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="time must be more than zero"):
        parse_time_spent(text)


@pytest.mark.parametrize("text", ["25", "24:01", "1441m", "25h", "24h1m"])
def test_more_than_a_day_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="at most 24 hours"):
        parse_time_spent(text)


def test_minutes_of_sixty_or_more_are_refused() -> None:
    with pytest.raises(ValueError, match="below 60"):
        parse_time_spent("1:75")


@pytest.mark.parametrize("text", ["25:00-26:00", "08:00-24:00", "8:60-9:00"])
def test_impossible_clock_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a time of day"):
        parse_time_spent(text)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(90, "1:30"), (5, "0:05"), (0, "0:00"), (600, "10:00"), (1500, "25:00"), (-30, "-0:30")],
)
def test_format_minutes(minutes: int, text: str) -> None:
    assert format_minutes(minutes) == text


def test_max_minutes_per_day() -> None:
    assert MAX_MINUTES_PER_DAY == 1440


@given(st.integers(1, MAX_MINUTES_PER_DAY))
def test_format_then_parse_round_trips(minutes: int) -> None:
    assert parse_time_spent(format_minutes(minutes)).minutes == minutes
    assert parse_time_spent(f"{minutes}m").minutes == minutes


@given(st.integers(0, 1439), st.integers(0, 1439))
def test_ranges_run_forwards_or_say_they_end_next_day(start: int, end: int) -> None:
    text = f"{start // 60:02d}:{start % 60:02d}-{end // 60}:{end % 60:02d}"
    if start == end:
        with pytest.raises(ValueError, match="more than zero"):
            parse_time_spent(text)
    elif end < start:
        with pytest.raises(ValueError, match="ends before it starts"):
            parse_time_spent(text)
    else:
        assert parse_time_spent(text).minutes == end - start
    overnight = parse_time_spent(format_range(start, end)) if end <= start else None
    if overnight is not None:
        assert overnight.minutes == end - start + MAX_MINUTES_PER_DAY
        assert overnight.start == T(start // 60, start % 60)
        assert overnight.end == T(end // 60, end % 60)
