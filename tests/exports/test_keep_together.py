"""Account numbers and legal forms are bound so no line break falls inside them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tektoro_tui.exports.keep_together import NBSP, bind


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("Acme Sp. z o.o.", "Acme Sp. z o.o."),
        ("Jürgen Groß GmbH", "Groß GmbH"),
        ("Müller GmbH & Co. KG", "Müller GmbH & Co. KG"),
        ("IBAN PL61 1090 1014 0000 0712 1981 2874", "PL61 1090 1014 0000 0712 1981 2874"),
        ("Konto 12 3456 7890 1234", "12 3456 7890 1234"),
    ],
)
def test_the_run_is_bound(text: str, bound: str) -> None:
    assert bound.replace(" ", NBSP) in bind(text)


def test_ordinary_words_still_break() -> None:
    assert bind("Pay within 14 days by bank transfer.") == "Pay within 14 days by bank transfer."
    assert bind("Agnes AGB") == "Agnes AGB"


@given(st.text())
def test_only_spaces_change(text: str) -> None:
    assert bind(text).split() == text.split()  # the same words; only the spaces between differ
