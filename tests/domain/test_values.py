"""The one reader of ids, whole numbers and dates, and the key names are compared by."""

from __future__ import annotations

import datetime

import pytest

from tektoro_tui.domain.validation import Form
from tektoro_tui.domain.values import (
    MAX_ID,
    is_whole_number,
    name_key,
    parse_date,
    parse_id,
    parse_whole_number,
)


@pytest.mark.parametrize(("text", "number"), [("1", 1), (" 42 ", 42), ("+7", 7), (5, 5)])
def test_ids(text: str | int, number: int) -> None:
    assert parse_id(text) == number


@pytest.mark.parametrize(
    "text", ["0", "-1", "", "  ", "1.5", "1e3", "²", "١٢", "9" * 5000, str(MAX_ID + 1), True]
)
def test_what_is_no_id_is_refused_in_words(text: str) -> None:
    with pytest.raises(ValueError, match=f"must be an id: a whole number from 1 to {MAX_ID}"):
        parse_id(text)


def test_whole_numbers_keep_to_their_range_and_to_ascii_digits() -> None:
    assert parse_whole_number("0010", 0, 10) == 10
    with pytest.raises(ValueError, match="from 0 to 10"):
        parse_whole_number("11", 0, 10)
    assert not is_whole_number("²") and not is_whole_number("١٢") and is_whole_number(" 12 ")
    form = Form()
    assert form.positive_int("n", "9" * 30) is None
    assert form.problems[0].message == "must be a whole number greater than zero"


@pytest.mark.parametrize(
    ("text", "day"),
    [("2026-03-31", datetime.date(2026, 3, 31)), ("31.03.2026", datetime.date(2026, 3, 31))],
)
def test_dates(text: str, day: datetime.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0001-01-01", "must be a date from 1900-01-01 to 2199-12-31"),
        ("9999-12-31", "must be a date from 1900-01-01 to 2199-12-31"),
        (datetime.date(9999, 12, 31), "must be a date from 1900-01-01 to 2199-12-31"),
        ("2026-02-30", "must be a date like 2024-03-31 or 31.03.2024"),
        ("20260310", "must be a date like 2024-03-31 or 31.03.2024"),
        ("2026-W10-2", "must be a date like 2024-03-31 or 31.03.2024"),
        ("٢٠٢٦-٠٣-١٠", "must be a date like 2024-03-31 or 31.03.2024"),
    ],
)
def test_dates_out_of_range_or_shape_are_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_date(text)


@pytest.mark.parametrize(
    ("a", "b"), [("Brücke Nord", "  BRÜCKE   nord "), ("Straße", "STRASSE"), ("R-1", "r-1")]
)
def test_names_differing_in_case_or_spacing_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_names_differing_otherwise_do_not() -> None:
    assert name_key("Brücke") != name_key("Brucke") and name_key("A B") != name_key("AB")
