"""A message ends in one full stop, whatever name closes it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tektoro_tui.domain.wording import sentence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saved client Acme Sp. z o.o.", "Saved client Acme Sp. z o.o."),
        ("Saved client Bolt GmbH", "Saved client Bolt GmbH."),
        ("Hello, Ann ", "Hello, Ann."),
        ("Really?", "Really?"),
    ],
)
def test_one_full_stop(text: str, expected: str) -> None:
    assert sentence(text) == expected


@given(st.text())
def test_never_two_full_stops_at_the_end(name: str) -> None:
    said = sentence(f"Saved {name}")
    assert said.endswith((".", "!", "?", "…"))
    assert not said.endswith("..") or name.rstrip().endswith("..")


def test_a_list_reads_as_a_sentence() -> None:
    from tektoro_tui.domain.wording import listed, missing_details

    assert [listed(()), listed(("a",)), listed(("a", "b")), listed(("a", "b", "c"))] == [
        "",
        "a",
        "a and b",
        "a, b and c",
    ]
    assert missing_details("the firm's", ("tax ID",)) == "the firm's tax ID is missing"
