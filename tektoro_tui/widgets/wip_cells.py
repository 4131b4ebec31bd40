"""How the WIP screen's tables read: groups, entries and realisation rows as cells."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from ..domain.money import percent_text
from ..domain.wording import counted
from ..services.pipeline.views import RealisationRow, TimeEntryView, WipGroup
from .formatting import day, hours

GROUP_COLUMNS = ("Client", "Project", "Open", "Value", "To bill", "Written down", "On hold")
ENTRY_COLUMNS = ("✓", "Date", "Person", "Hours", "Value", "Allocation", "Description")
REALISATION_COLUMNS = ("Name", "Value", "Billed", "Written down", "Realised")
NAME_WIDTH = 18
MIN_NAME_WIDTH = 10
TEXT_WIDTH = 30

FILTERS: tuple[tuple[str | None, str], ...] = (
    (None, "all"),
    ("unallocated", "unallocated"),
    ("bill", "to bill"),
    ("write_down", "written down"),
    ("hold", "on hold"),
)
"""The entry filters in the order the filter key walks through them, with their labels."""

KIND_LABELS = {"bill": "Bill", "write_down": "Write down", "hold": "Hold"}


def entries_text(count: int) -> str:
    """'1 entry', '3 entries'."""
    return counted(count, "entry", "entries")


def number(text: str) -> Text:
    """A figure for a table cell, aligned to the right."""
    return Text(text, justify="right")


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def group_figures(group: WipGroup) -> tuple[str, ...]:
    """What a group has open (entries, value), to bill, written down and on hold."""
    return (
        str(group.unallocated.entries),
        group.unallocated.value.format(),
        group.to_bill.value.format(),
        group.written_down.format(),
        group.on_hold.value.format(),
    )


def group_cells(group: WipGroup, name_width: int) -> tuple[str | Text, ...]:
    """One client-and-project line of WIP, the names cut to ``name_width``."""
    if group.settled_by_invoices:  # its time is labour of settlement invoices, not WIP
        project: str | Text = Text(
            shorten(f"{group.project_name} · settled by project invoices", name_width),
            style="dim italic",
        )
    else:
        project = shorten(group.project_name, name_width)
    return (
        shorten(group.client_name, name_width),
        project,
        *(number(figure) for figure in group_figures(group)),
    )


def name_width(groups: Iterable[WipGroup], width: int) -> int:
    """How wide client and project names may be so that every figure stays in view."""
    widths = [len(label) for label in GROUP_COLUMNS[2:]]
    for group in groups:
        widths = [max(w, len(f)) for w, f in zip(widths, group_figures(group), strict=True)]
    room = width - sum(widths) - 2 * len(GROUP_COLUMNS) - 2  # cell padding and a scrollbar
    return max(MIN_NAME_WIDTH, room // 2)


def allocation_text(entry: TimeEntryView) -> str:
    """Where an entry stands in WIP: open, bill (with any write-down), write down or hold."""
    if entry.status == "approved" or entry.allocation is None:
        return "open"
    if entry.allocation == "hold":
        return f"hold to {day(entry.hold_until)}" if entry.hold_until else "hold"
    if entry.allocation == "bill" and entry.write_down.is_positive:
        return f"bill, −{entry.write_down.format()} down"
    return KIND_LABELS.get(entry.allocation, entry.allocation).lower()


def entry_cells(entry: TimeEntryView, selected: bool) -> tuple[str | Text, ...]:
    """One entry of the highlighted group, with a tick when it is selected."""
    return (
        "✓" if selected else "",
        day(entry.work_date),
        shorten(entry.owner_name, NAME_WIDTH),
        number(hours(entry.minutes)),
        number(entry.value.format()),
        allocation_text(entry),
        shorten(entry.description or entry.task_name, TEXT_WIDTH),
    )


def realisation_cells(row: RealisationRow) -> tuple[str | Text, ...]:
    """Value, billed, written down and the share billed of one client or staff member."""
    return (
        shorten(row.name, NAME_WIDTH + 6),
        number(row.value.format()),
        number(row.billed.format()),
        number(row.written_down.format()),
        number(f"{percent_text(row.realisation_bp)} %"),
    )
