"""Bar charts drawn in the terminal with Unicode block characters.

A chart is a list of :class:`Bar` values: a label, the number the bar's length stands for (the
widget only scales it to the room it has) and the value as printed. Bars run horizontally (one
line each, label on the left, value on the right) or vertically (columns of eighth blocks over
a line of labels). :func:`horizontal_lines` and :func:`vertical_lines` do the drawing as plain
strings, so they are easy to test; :class:`BarChart` shows them at the widget's width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

FULL = "█"
ACROSS = " ▏▎▍▌▋▊▉█"
"""Eighths of a character cell, filled from the left (index = eighths)."""
UPWARD = " ▁▂▃▄▅▆▇█"
"""Eighths of a character cell, filled from the bottom (index = eighths)."""

Orientation = Literal["horizontal", "vertical"]


@dataclass(frozen=True)
class Bar:
    """One bar: its label, the size it stands for, and that value as people read it."""

    label: str
    value: int
    shown: str


def _eighths(value: int, top: int, cells: int) -> int:
    """How many eighths of ``cells`` character cells ``value`` fills when ``top`` fills all."""
    if top <= 0 or value <= 0 or cells <= 0:
        return 0
    return min(cells * 8, round(value * cells * 8 / top))


def horizontal_bar(value: int, top: int, cells: int) -> str:
    """One bar across ``cells`` cells: whole blocks, then one partial block."""
    whole, part = divmod(_eighths(value, top, cells), 8)
    return FULL * whole + (ACROSS[part] if part else "")


def horizontal_lines(bars: Sequence[Bar], width: int) -> list[str]:
    """One line per bar, ``width`` characters at most: label, bar, value.

    The longest bar fills the room left between the widest label and the widest value.
    """
    if not bars:
        return []
    label_width = max(len(bar.label) for bar in bars)
    value_width = max(len(bar.shown) for bar in bars)
    room = max(1, width - label_width - value_width - 2)
    top = max(bar.value for bar in bars)
    return [
        f"{bar.label:<{label_width}} {horizontal_bar(bar.value, top, room):<{room}} "
        f"{bar.shown:>{value_width}}"
        for bar in bars
    ]


def vertical_lines(bars: Sequence[Bar], width: int, height: int) -> list[str]:
    """``height`` lines of upright bars, then a line with the first and last label.

    The highest bar's printed value stands on the axis at its top, "0" at its bottom. Each bar
    is up to three cells wide with a gap; when the bars do not fit, only the latest ones are
    drawn (the labels line says from which one).
    """
    if not bars or height < 1:
        return []
    top_bar = max(bars, key=lambda bar: bar.value)
    axis = max(len(top_bar.shown), 1)
    room = max(1, width - axis - 1)
    step = max(1, min(4, room // len(bars)))
    count = min(len(bars), room // step)
    shown = list(bars)[len(bars) - count :]
    cell, gap = (step - 1, " ") if step > 1 else (1, "")
    lines = []
    for row in range(height - 1, -1, -1):
        prefix = top_bar.shown if row == height - 1 else ("0" if row == 0 else "")
        cells = "".join(
            _upright_cell(bar, top_bar.value, height, row) * cell + gap for bar in shown
        )
        lines.append(f"{prefix:>{axis}}│{cells}".rstrip())
    lines.append(_label_line(shown, axis, step * len(shown)))
    return lines


def _upright_cell(bar: Bar, top: int, height: int, row: int) -> str:
    """The character of ``bar`` on line ``row`` (0 is the bottom line)."""
    filled = _eighths(bar.value, top, height) - row * 8
    return UPWARD[max(0, min(8, filled))]


def _label_line(bars: Sequence[Bar], axis: int, span: int) -> str:
    """The first label under the first bar and the last label ending under the last bar."""
    first, last = bars[0].label, bars[-1].label
    gap = span - len(first) - len(last)
    text = first if len(bars) == 1 else f"{first}{' ' * max(1, gap)}{last}"
    return f"{'':>{axis}}└{text}"


class BarChart(Widget):
    """A titled bar chart that redraws itself at whatever width it is given."""

    DEFAULT_CSS = """
    BarChart {
        width: 1fr;
        height: auto;
        padding: 0 1;
    }
    BarChart > .bar-chart--bar {
        color: $accent;
    }
    BarChart > .bar-chart--title {
        text-style: bold;
        color: $text-accent;
    }
    """
    COMPONENT_CLASSES = {"bar-chart--bar", "bar-chart--title"}

    def __init__(
        self,
        title: str = "",
        *,
        orientation: Orientation = "horizontal",
        bar_height: int = 6,
        id: str | None = None,
    ) -> None:
        """An empty chart; ``bar_height`` is the height of upright bars in lines."""
        super().__init__(id=id)
        self.title = title
        self.orientation: Orientation = orientation
        self.bar_height = bar_height
        self.bars: tuple[Bar, ...] = ()
        self.empty_text = "Nothing to show."

    def show(self, bars: Sequence[Bar], title: str | None = None) -> None:
        """Draw ``bars`` (and a new title, if given)."""
        self.bars = tuple(bars)
        if title is not None:
            self.title = title
        self.refresh(layout=True)

    def lines(self, width: int) -> list[str]:
        """The chart's lines (without the title) at ``width`` characters."""
        if not self.bars:
            return [self.empty_text]
        if self.orientation == "vertical":
            return vertical_lines(self.bars, width, self.bar_height)
        return horizontal_lines(self.bars, width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The title line and the chart's lines."""
        return len(self.lines(width)) + (1 if self.title else 0)

    def render(self) -> Text:
        """The title, then the chart with its bars coloured."""
        width = self.content_size.width or self.size.width
        bar_style = self.get_component_rich_style("bar-chart--bar")
        text = Text(no_wrap=True, overflow="crop")
        if self.title:
            text.append(self.title + "\n", style=self.get_component_rich_style("bar-chart--title"))
        body = "\n".join(self.lines(width))
        text.append(body)
        _colour_blocks(text, bar_style)
        return text


def _colour_blocks(text: Text, style: Style) -> None:
    """Give every block character of ``text`` the bar style."""
    blocks = set(ACROSS[1:]) | set(UPWARD[1:])
    plain = text.plain
    start = None
    for index, char in enumerate([*plain, ""]):
        if char in blocks and char:
            start = index if start is None else start
        elif start is not None:
            text.stylize(style, start, index)
            start = None


def meter(percent: int, cells: int = 10) -> str:
    """A progress bar ``cells`` wide for ``percent`` (0–100), e.g. ``"████░░░░░░"``."""
    clamped = max(0, min(100, percent))
    whole, part = divmod(round(clamped * cells * 8 / 100), 8)
    body = FULL * whole + (ACROSS[part] if part else "")
    return body + "░" * (cells - len(body))
