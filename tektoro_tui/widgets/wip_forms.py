"""The WIP screen's forms (allocate, process options) and the words of its confirmations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from textual.dom import DOMNode

from ..errors import Problem
from ..services.pipeline.views import (
    ALLOCATIONS,
    WRITE_DOWN_REASONS,
    AllocationForm,
    BatchResult,
    ProcessResult,
)
from .calls import push_dialog
from .dialogs.confirm import NoticeDialog, YesNoDialog
from .dialogs.form import FormModal
from .fields import FieldSpec
from .formatting import hours
from .wip_cells import KIND_LABELS, entries_text

MAX_SKIPPED_SHOWN = 5
D = TypeVar("D")
MakeForm = Callable[[D, tuple[Problem, ...]], FormModal[D]]


def allocation_specs() -> tuple[FieldSpec, ...]:
    """Bill, write down or hold; the write-down amount, reason and note; the hold date."""
    return (
        FieldSpec(
            "kind",
            "Allocate to",
            kind="select",
            options=tuple((KIND_LABELS[kind], kind) for kind in ALLOCATIONS),
            allow_blank=False,
        ),
        FieldSpec(
            "write_down_amount",
            "Write down per entry",
            placeholder="blank: nothing (bill) / all (write down)",
        ),
        FieldSpec(
            "reason",
            "Write-down reason",
            kind="select",
            options=tuple((reason, reason) for reason in WRITE_DOWN_REASONS),
            placeholder="(only for a write-down)",
        ),
        FieldSpec("note", "Note on the write-down"),
        FieldSpec("hold_until", "Hold until", placeholder="YYYY-MM-DD; blank: until released"),
    )


def allocation_form(values: dict[str, Any]) -> AllocationForm:
    """The service's allocation form from the typed values."""
    return AllocationForm(
        kind=values["kind"] or "",
        write_down_amount=values["write_down_amount"],
        reason=values["reason"] or "",
        note=values["note"],
        hold_until=values["hold_until"],
    )


def allocation_modal(count: int) -> MakeForm[AllocationForm]:
    """Makes the allocation form for ``count`` entries (again, marked with problems)."""
    intro = f"{entries_text(count)}. Amounts are per entry."

    def make(draft: AllocationForm, problems: tuple[Problem, ...]) -> FormModal[AllocationForm]:
        specs = allocation_specs()
        return FormModal("Allocate WIP", specs, draft, allocation_form, problems, intro=intro)

    return make


@dataclass(frozen=True)
class ProcessOptions:
    """What to process, as typed: one client or all, per client or per project, as of a day."""

    client_id: int | None = None
    per_project: bool = False
    as_of: str = ""


def process_specs(clients: tuple[tuple[str, int], ...]) -> tuple[FieldSpec, ...]:
    """The process options form: client (blank = all), per project, as-of date."""
    return (
        FieldSpec(
            "client_id", "Client", kind="select", options=clients, placeholder="(all clients)"
        ),
        FieldSpec("per_project", "One record per project", kind="switch"),
        FieldSpec("as_of", "As of (held work due by)", placeholder="YYYY-MM-DD; blank: today"),
    )


def process_options(values: dict[str, Any]) -> ProcessOptions:
    """The process options as typed."""
    return ProcessOptions(**values)


def process_modal(clients: tuple[tuple[str, int], ...]) -> MakeForm[ProcessOptions]:
    """Makes the process options form (again, marked with the problems of the last try)."""
    intro = "Allocated work becomes document records: invoice records and write-downs."

    def make(options: ProcessOptions, problems: tuple[Problem, ...]) -> FormModal[ProcessOptions]:
        specs = process_specs(clients)
        return FormModal("Process WIP", specs, options, process_options, problems, intro=intro)

    return make


def describe_allocation(form: AllocationForm) -> str:
    """The allocation in words, e.g. 'Bill, writing down 10.00 each (Goodwill)'."""
    label = KIND_LABELS.get(form.kind, form.kind)
    if form.kind == "hold":
        return f"{label} until {form.hold_until}" if form.hold_until else f"{label} until released"
    text = label
    amount = form.write_down_amount.strip()
    if form.kind == "write_down":
        text += f" {amount} of each entry" if amount else " the whole value"
    elif amount:
        text += f", writing down {amount} of each entry"
    return f"{text} ({form.reason})" if form.reason else text


def batch_question(result: BatchResult, doing: str) -> str:
    """What a dry run found: the entries, their time and value, and what is skipped and why."""
    totals = result.totals
    lines = [
        f"{doing}.",
        f"{entries_text(totals.entries)} · {hours(totals.minutes)} h · value {totals.value}",
    ]
    lines += skipped_lines(result)
    return "\n".join(lines)


def skipped_lines(result: BatchResult) -> list[str]:
    """The entries a batch leaves alone, with the reasons (the first few)."""
    if not result.skipped:
        return []
    lines = [f"Skipped {len(result.skipped)}:"]
    lines += [f"  #{s.entry_id}: {s.reason}" for s in result.skipped[:MAX_SKIPPED_SHOWN]]
    if len(result.skipped) > MAX_SKIPPED_SHOWN:
        lines.append(f"  … and {len(result.skipped) - MAX_SKIPPED_SHOWN} more")
    return lines


def ask_to_apply(
    node: DOMNode,
    result: BatchResult,
    title: str,
    doing: str,
    on_yes: Callable[[], object],
    on_no: Callable[[], object] | None = None,
) -> None:
    """Show what a dry run found and call ``on_yes`` on Yes (a notice when nothing changes),
    only while ``node``'s screen is on top. ``on_no`` is called on No (e.g. to go back to the
    form that asked, its values kept)."""
    if not result.entry_ids:
        text = "\n".join(["Nothing would change.", *skipped_lines(result)])
        push_dialog(node, NoticeDialog(title, text))
        return

    def answered(yes: bool | None) -> None:
        if yes:
            on_yes()
        elif on_no is not None:
            on_no()

    question = f"{batch_question(result, doing)}\n\nGo ahead?"
    push_dialog(node, YesNoDialog(title, question), answered)


def problems_of(result: BatchResult) -> tuple[Problem, ...]:
    """The skips a form's value caused, as problems to mark on that form (one per field).

    When nothing at all would change because of them, the form is what needs fixing, not a
    notice to close: "Write down per entry: the write-down of 50.00 EUR is more than the
    entry's value (20.00 EUR)".
    """
    found: dict[str, str] = {}
    for skip in result.skipped:
        if skip.field is not None:
            found.setdefault(skip.field, skip.reason)
    return tuple(Problem(field, reason) for field, reason in found.items())


def process_summary(result: ProcessResult) -> str:
    """The totals of a processing run: entries, time, billed and written down."""
    totals = result.totals
    return (
        f"Total: {entries_text(totals.entries)}, {hours(totals.minutes)} h, "
        f"billed {result.billed.format()}, written down {result.written_down.format()} "
        f"{result.billed.currency}"
    )
