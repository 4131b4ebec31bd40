"""Form checking: every problem collected at once, in plain words."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tektoro_tui.domain.money import Money
from tektoro_tui.domain.states import TimeEntryStatus
from tektoro_tui.domain.timeparse import ParsedTime
from tektoro_tui.domain.validation import CONTROL_CHARACTERS, Form
from tektoro_tui.errors import Problem, ValidationError


def problem_of(form: Form) -> str:
    """The one message a form holds."""
    assert len(form.problems) == 1, form.problems
    return form.problems[0].message


# -- collecting ------------------------------------------------------------------------------------


def test_collects_every_problem_in_order() -> None:
    form = Form()
    assert form.text("name", "") is None
    assert form.email("email", "nope") is None
    assert form.money("rate", "abc", "EUR") is None
    assert form.problems == (
        Problem("name", "is required"),
        Problem("email", "must be a valid e-mail address"),
        Problem("rate", "must be an amount like 1234.56, 1 234,56 or 1,234.56"),
    )
    assert not form.ok
    with pytest.raises(ValidationError) as caught:
        form.raise_if_any()
    assert caught.value.problems == form.problems
    assert "email: must be a valid e-mail address" in str(caught.value)


def test_clean_form_does_not_raise() -> None:
    form = Form()
    assert form.text("name", "  Ada  ") == "Ada"
    assert form.ok
    form.raise_if_any()
    assert form.problems == ()


def test_add_and_check_for_cross_field_rules() -> None:
    form = Form()
    assert form.check(True, "end", "must be after the start")
    assert not form.check(False, "end", "must be after the start")
    form.add("start", "overlaps another entry")
    assert [p.field for p in form.problems] == ["end", "start"]


def test_problems_cannot_be_changed_from_outside() -> None:
    form = Form()
    form.add("a", "b")
    assert isinstance(form.problems, tuple)


# -- required and text -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", [], ()])
def test_required_refuses_blank(value: object) -> None:
    form = Form()
    assert form.required("project", value) is None
    assert problem_of(form) == "is required"


@pytest.mark.parametrize(("value", "expected"), [(" x ", "x"), (0, 0), (False, False), ([1], [1])])
def test_required_keeps_values(value: object, expected: object) -> None:
    form = Form()
    assert form.required("project", value) == expected
    assert form.ok


def test_text_max_length() -> None:
    form = Form()
    assert form.text("name", "x" * 200) == "x" * 200
    assert form.text("name", "x" * 201) is None
    assert problem_of(form) == "must be at most 200 characters"
    other = Form()
    assert other.text("code", "abcd", max_length=3) is None
    assert problem_of(other) == "must be at most 3 characters"


@pytest.mark.parametrize("typed", ["a\x00b", "Red\x1b[31m", "bell\x07", "del\x7f", "c1\x9b2J"])
def test_text_with_control_characters_is_refused(typed: str) -> None:
    form = Form()
    assert form.text("name", typed) is None
    assert problem_of(form) == CONTROL_CHARACTERS
    other = Form()
    assert other.required("name", typed) is None
    assert problem_of(other) == CONTROL_CHARACTERS


def test_text_keeps_tabs_and_line_breaks() -> None:
    form = Form()
    assert form.text("address", "Hauptstraße 1\r\nBerlin\tDE") == "Hauptstraße 1\r\nBerlin\tDE"
    assert form.ok


def test_optional_text_may_be_empty() -> None:
    form = Form()
    assert form.text("note", "  ", required=False) == ""
    assert form.text("note", None, required=False) == ""
    assert form.ok


# -- e-mail ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ada@example.com", "ada@example.com"),
        ("  Ada.Lovelace@Example.CO.UK ", "ada.lovelace@example.co.uk"),
        ("a+tag@sub.example.org", "a+tag@sub.example.org"),
    ],
)
def test_email_accepts_and_normalises(value: str, expected: str) -> None:
    form = Form()
    assert form.email("email", value) == expected
    assert form.ok


@pytest.mark.parametrize(
    "value",
    [
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada@@example.com",
        "a da@example.com",
        "ada@example.c",
        "ada@.com",
        "ada@example..com",
        "a@" + "b" * 250 + ".com",
    ],
)
def test_email_refuses_nonsense(value: str) -> None:
    form = Form()
    assert form.email("email", value) is None
    assert problem_of(form) == "must be a valid e-mail address"


def test_optional_email() -> None:
    form = Form()
    assert form.email("email", "", required=False) is None
    assert form.ok


# -- money -----------------------------------------------------------------------------------------


def test_money_parses_in_currency() -> None:
    form = Form()
    assert form.money("rate", "1 234,56", "EUR") == Money(123456, "EUR")
    assert form.money("rate", "1,234", "JPY") is None  # ambiguous even in yen
    assert "ambiguous" in problem_of(form)


def test_money_with_sub_cent_decimals_is_a_problem_of_its_field() -> None:
    form = Form()
    assert form.money("amount", "16.665", "EUR") is None
    assert form.money("pay_rate", "1.005", "EUR") is None
    assert [(p.field, p.message) for p in form.problems] == [
        ("amount", "16.665 has more than 2 decimal places (EUR has 2; nothing is rounded)"),
        ("pay_rate", "1.005 has more than 2 decimal places (EUR has 2; nothing is rounded)"),
    ]


def test_money_minimum_and_zero() -> None:
    form = Form()
    assert form.money("amount", "-1", "EUR", min_cents=0) is None
    assert problem_of(form) == "must be at least 0.00"
    form = Form()
    assert form.money("amount", "0", "EUR", allow_zero=False) is None
    assert problem_of(form) == "must not be zero"
    form = Form()
    assert form.money("amount", "0", "EUR", min_cents=0) == Money(0)
    assert form.money("amount", "", "EUR", required=False) is None
    assert form.ok


# -- percentages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bp"),
    [
        ("23", 2300),
        ("23%", 2300),
        (" 23 % ", 2300),
        ("8.5", 850),
        ("8,5", 850),
        ("0", 0),
        ("100", 10000),
        ("12.34", 1234),
        ("0.01", 1),
    ],
)
def test_percent_bp(text: str, bp: int) -> None:
    form = Form()
    assert form.percent_bp("vat", text) == bp
    assert form.ok


@pytest.mark.parametrize("text", ["abc", "-5", "8.555", "23%%", "1e2", "%"])
def test_percent_bp_refuses_garbage(text: str) -> None:
    form = Form()
    assert form.percent_bp("vat", text) is None
    assert "must be a percentage like 23 or 8.5" in problem_of(form)


def test_percent_bp_range() -> None:
    form = Form()
    assert form.percent_bp("vat", "100.5") is None
    assert problem_of(form) == "must be between 0 and 100%"
    form = Form()
    assert form.percent_bp("markup", "60", max_bp=5000) is None
    assert problem_of(form) == "must be between 0 and 50%"
    form = Form()
    assert form.percent_bp("overtime", "150", max_bp=20000) == 15000


@given(st.integers(0, 10000))
def test_percent_bp_round_trips(bp: int) -> None:
    text = f"{bp // 100}.{bp % 100:02d}"
    assert Form().percent_bp("vat", text) == bp


# -- integers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(3, 3), ("3", 3), (" 14 ", 14), ("+2", 2)])
def test_positive_int(value: int | str, expected: int) -> None:
    form = Form()
    assert form.positive_int("days", value) == expected
    assert form.ok


@pytest.mark.parametrize("value", [0, -1, "0", "-3", "2.5", "abc", True, 2.0])
def test_positive_int_refuses(value: object) -> None:
    form = Form()
    assert form.positive_int("days", value) is None  # type: ignore[arg-type]
    assert problem_of(form) == "must be a whole number greater than zero"


def test_positive_int_maximum() -> None:
    form = Form()
    assert form.positive_int("headcount", "61", maximum=60) is None
    assert problem_of(form) == "must be at most 60"


# -- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-31", datetime.date(2024, 3, 31)),
        ("31.03.2024", datetime.date(2024, 3, 31)),
        ("1.3.2024", datetime.date(2024, 3, 1)),
        (" 2024-02-29 ", datetime.date(2024, 2, 29)),
        (datetime.date(2024, 1, 2), datetime.date(2024, 1, 2)),
        (datetime.datetime(2024, 1, 2, 13, 0), datetime.date(2024, 1, 2)),
    ],
)
def test_date(text: str | datetime.date, expected: datetime.date) -> None:
    form = Form()
    assert form.date("work_date", text) == expected
    assert form.ok


@pytest.mark.parametrize(
    "text", ["2023-02-29", "31/03/2024", "2024-3-31", "yesterday", "32.01.2024"]
)
def test_date_refuses(text: str) -> None:
    form = Form()
    assert form.date("work_date", text) is None
    assert problem_of(form) == "must be a date like 2024-03-31 or 31.03.2024"


# -- time spent and choices ------------------------------------------------------------------------


def test_time_spent() -> None:
    form = Form()
    assert form.time_spent("time", "1:30") == ParsedTime(90)
    assert form.time_spent("time", "0") is None
    assert form.time_spent("time", "soon") is None
    assert form.time_spent("time", "", required=False) is None
    assert [p.message for p in form.problems] == [
        "time must be more than zero",
        "must be a time like 1:30, 1.5, 90m, 2h30m or a range like 08:00-09:30",
    ]


def test_choice_returns_the_allowed_member() -> None:
    form = Form()
    status = form.choice("status", " draft ", TimeEntryStatus)
    assert status is TimeEntryStatus.DRAFT
    assert form.choice("method", "wire", ["wire", "cash"]) == "wire"
    assert form.ok
    assert form.choice("method", "barter", ["wire", "cash"]) is None
    assert problem_of(form) == "must be one of: wire, cash"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:00", 420),
        ("7.30", 450),
        ("0:00", 0),
        ("23:59", 1439),
        ("24:00", None),
        ("7", None),
        ("7:60", None),
        ("ab", None),
    ],
)
def test_clock_parses_times_of_day(text: str, expected: int | None) -> None:
    form = Form()
    assert form.clock("start", text) == expected
    assert form.ok is (expected is not None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0), ("100", 100), (55, 55), ("101", None), ("-1", None), ("x", None)],
)
def test_int_range_accepts_only_the_inclusive_range(value: object, expected: int | None) -> None:
    form = Form()
    assert form.int_range("progress", value, 0, 100) == expected  # type: ignore[arg-type]
    if expected is None:
        assert form.problems[0].message == "must be a whole number from 0 to 100"
