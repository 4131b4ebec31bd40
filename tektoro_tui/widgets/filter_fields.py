"""Reading a filter bar's inputs: an optional from/to date pair and the values of Selects.

Kept apart from ``fields.py`` (which the login screen imports at start-up) so that the form
helpers stay free of ``Select`` and the validation rules until a filter bar is shown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widget import Widget
from textual.widgets import Input, Select

from ..domain.validation import Form


def date_range(
    root: Widget, start_selector: str, end_selector: str
) -> tuple[date | None, date | None] | None:
    """The optional from/to dates typed into a filter bar's two inputs, or None while one is
    not a date (that input is marked ``-invalid``; a good one is unmarked)."""
    check = Form()
    start_input = root.query_one(start_selector, Input)
    end_input = root.query_one(end_selector, Input)
    start = check.date("date_from", start_input.value, required=False)
    end = check.date("date_to", end_input.value, required=False)
    bad = {problem.field for problem in check.problems}
    start_input.set_class("date_from" in bad, "-invalid")
    end_input.set_class("date_to" in bad, "-invalid")
    return None if bad else (start, end)


def chosen(root: Widget, selector: str) -> Any:
    """The value chosen in a Select under ``root``, or None when nothing is chosen."""
    value = root.query_one(selector, Select).value
    return None if value is Select.NULL else value
