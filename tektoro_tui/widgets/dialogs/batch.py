"""The confirmation every batch action shows after its dry run, before anything is written.

The dialog states what will change and the totals the service computed (entries, hours,
value) and lists each entry that will be left alone with the reason. Yes returns True; the
caller then applies exactly the dry run's ``entry_ids``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.widgets import Button, Label, Static

from ...errors import Problem
from ...services.pipeline.views import BatchResult
from ..calls import push_dialog
from ..fields import FieldSpec
from ..key_footer import KeyFooter
from ..time_entry_table import totals_text
from .confirm import YesNoScreen
from .form import FormModal

MAX_SKIPPED_SHOWN = 50


def skipped_text(result: BatchResult) -> str:
    """One line per entry left alone: "#12: only draft or rejected entries can be accepted"."""
    lines = [f"#{skip.entry_id}: {skip.reason}" for skip in result.skipped[:MAX_SKIPPED_SHOWN]]
    more = len(result.skipped) - MAX_SKIPPED_SHOWN
    if more > 0:
        lines.append(f"… and {more} more")
    return "\n".join(lines)


def outcome_text(verb: str, result: BatchResult) -> str:
    """What an applied batch did, for a notification: "Accepted 3 entries · 4:30 h · …"."""
    text = f"{verb} {totals_text(result.totals)}."
    if result.skipped:
        text += f" {len(result.skipped)} left alone (changed by someone else or not allowed)."
    return text


class BatchDialog(YesNoScreen):
    """The dry run of a batch action: what will change, the totals, what is skipped and why."""

    DEFAULT_CSS = """
    BatchDialog {
        align: center middle;
    }
    BatchDialog > Vertical {
        width: 70;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        background: $panel;
        border: thick $warning;
        padding: 0 1;
    }
    BatchDialog #batch-title {
        text-style: bold;
    }
    BatchDialog #batch-totals {
        margin: 1 0;
        text-style: bold;
        color: $text-accent;
    }
    BatchDialog #batch-skipped-box {
        height: auto;
        max-height: 8;
    }
    BatchDialog #batch-skipped {
        color: $text-warning;
    }
    BatchDialog #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    BatchDialog Button {
        margin-left: 1;
    }
    """

    def __init__(self, title: str, question: str, result: BatchResult, yes_label: str) -> None:
        """Ask ``question`` about the dry run ``result``; ``yes_label`` names the action."""
        super().__init__()
        self._title = title
        self._question = question
        self._result = result
        self._yes = yes_label

    def compose(self) -> ComposeResult:
        """Title, question, totals, skipped entries and the two buttons."""
        with Vertical():
            yield Label(self._title, id="batch-title")
            yield Static(self._question, id="batch-question", markup=False)
            yield Static(totals_text(self._result.totals), id="batch-totals", markup=False)
            if self._result.skipped:
                count = len(self._result.skipped)
                yield Static(f"Left alone ({count}):", id="batch-skipped-title")
                with VerticalScroll(id="batch-skipped-box"):
                    yield Static(skipped_text(self._result), id="batch-skipped", markup=False)
            with Horizontal(id="buttons"):
                yield Button(self._yes, variant="warning", id="yes")
                yield Button("No", id="no")
        yield KeyFooter()


def confirm_batch(
    node: DOMNode,
    result: BatchResult,
    *,
    title: str,
    question: str,
    yes_label: str,
    apply: Callable[[tuple[int, ...]], object],
) -> None:
    """Show the dry run ``result``; on Yes call ``apply`` with exactly its entry ids.

    ``{count}`` in the question becomes the number of entries the dry run found. When it found
    nothing to change, say so (with the reasons) instead of asking. The question is shown only
    while ``node``'s screen is on top.
    """
    app = node.app
    if not result.entry_ids:
        reasons = skipped_text(result)
        message = "Nothing to change." + (f"\n{reasons}" if reasons else "")
        app.notify(message, title=title, severity="warning", timeout=8, markup=False)
        return

    def answered(yes: bool | None) -> None:
        if yes:
            apply(result.entry_ids)

    question = question.replace("{count}", f"{len(result.entry_ids):,}")
    push_dialog(node, BatchDialog(title, question, result, yes_label), answered)


Run = Callable[[Callable[[], Any], Callable[[Any], object]], object]
"""Runs a service call in a thread worker and hands its result to a callback on the UI
thread: the screens' ``call_service`` bound to a screen."""


@dataclass(frozen=True)
class BatchQuestion:
    """How a batch action asks and reports: dialog title, question (``{count}`` is replaced
    by the number of entries), Yes label, past tense."""

    title: str
    question: str
    yes_label: str
    verb: str


def confirm_and_apply(
    node: DOMNode,
    run: Run,
    ask: BatchQuestion,
    result: BatchResult,
    apply: Callable[[tuple[int, ...]], BatchResult],
    done: Callable[[BatchResult], object],
) -> None:
    """Show the dry run ``result``; on Yes apply exactly its entry ids through ``run``."""
    app = node.app

    def applied(outcome: BatchResult) -> None:
        app.notify(outcome_text(ask.verb, outcome), title=ask.title, timeout=5, markup=False)
        done(outcome)

    def confirmed(ids: tuple[int, ...]) -> None:
        run(lambda: apply(ids), applied)

    confirm_batch(
        node,
        result,
        title=ask.title,
        question=ask.question,
        yes_label=ask.yes_label,
        apply=confirmed,
    )


def run_batch(
    node: DOMNode,
    run: Run,
    ask: BatchQuestion,
    dry_run: Callable[[], BatchResult],
    apply: Callable[[tuple[int, ...]], BatchResult],
    done: Callable[[BatchResult], object],
) -> None:
    """Dry run through ``run``, ask with its totals, then apply exactly its entry ids."""
    run(dry_run, lambda result: confirm_and_apply(node, run, ask, result, apply, done))


@dataclass(frozen=True)
class ReasonDraft:
    """Why entries are rejected, as typed."""

    reason: str = ""


REASON_SPECS = (FieldSpec("reason", "Reason", placeholder="why it goes back (required)"),)


def reason_form(
    intro: str, draft: ReasonDraft, problems: tuple[Problem, ...]
) -> FormModal[ReasonDraft]:
    """The form asking why entries are rejected (the service requires a reason)."""
    return FormModal(
        "Reject entries",
        REASON_SPECS,
        draft,
        lambda values: ReasonDraft(**values),
        problems,
        intro=intro,
    )
