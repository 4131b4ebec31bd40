"""Dialogs that show a list of lines: what a dry run would write (asking Yes or No), or why
something was refused (closed with Escape or Enter).

The lines scroll, so a batch fill of a whole month or a refusal naming every day of one fits any
terminal; the totals stay in view under them.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from ..key_footer import KeyFooter
from .confirm import NoticeScreen, YesNoScreen

LINES_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 90;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    background: $panel;
    border: thick {border};
    padding: 0 1;
}}
{name} #lines-title {{
    text-style: bold;
}}
{name} #lines-box {{
    height: auto;
    max-height: 14;
    margin: 1 0 0 0;
}}
{name} #lines-totals {{
    margin-top: 1;
    text-style: bold;
    color: $text-accent;
}}
{name} #buttons {{
    height: auto;
    margin-top: 1;
    align-horizontal: right;
}}
{name} Button {{
    margin-left: 1;
}}
"""


def _compose_lines(title: str, intro: str, lines: Sequence[str], totals: str) -> ComposeResult:
    yield Label(title, id="lines-title")
    if intro:
        yield Static(intro, id="lines-intro", markup=False)
    with VerticalScroll(id="lines-box"):
        yield Static("\n".join(lines), id="lines", markup=False)
    if totals:
        yield Static(totals, id="lines-totals", markup=False)


class LinesQuestion(YesNoScreen):
    """Ask about a dry run: the lines it would write and its totals; True for Yes."""

    DEFAULT_CSS = LINES_CSS.format(name="LinesQuestion", border="$warning")

    def __init__(
        self, title: str, intro: str, lines: Sequence[str], totals: str, yes_label: str
    ) -> None:
        """Ask ``intro`` over ``lines`` and ``totals``; ``yes_label`` names the action."""
        super().__init__()
        self._title, self._intro, self._lines, self._totals = title, intro, tuple(lines), totals
        self._yes = yes_label

    def compose(self) -> ComposeResult:
        """Title, question, the lines, the totals and the two buttons."""
        with Vertical():
            yield from _compose_lines(self._title, self._intro, self._lines, self._totals)
            with Horizontal(id="buttons"):
                yield Button(self._yes, variant="warning", id="yes")
                yield Button("No", id="no")
        yield KeyFooter()


class LinesNotice(NoticeScreen):
    """Say why something was refused, one line a reason (e.g. the days in the way)."""

    DEFAULT_CSS = LINES_CSS.format(name="LinesNotice", border="$error")

    def __init__(self, title: str, intro: str, lines: Sequence[str]) -> None:
        """A notice titled ``title``: ``intro``, then ``lines``."""
        super().__init__()
        self._title, self._intro, self._lines = title, intro, tuple(lines)

    def compose(self) -> ComposeResult:
        """Title, intro, the lines and Close."""
        with Vertical():
            yield from _compose_lines(self._title, self._intro, self._lines, "")
            with Horizontal(id="buttons"):
                yield Button("Close", variant="primary", id="close")
        yield KeyFooter()
