"""The Pay screen's work on whole periods: the batch fill and the transfer to accounting,
each shown as a dry run before anything is written, and the remuneration export.

Kept apart from :mod:`.pay` so the screen stays a list with its day-by-day keys. Every call
runs in a thread worker through :func:`~.base.call_service`.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual.widgets import ProgressBar

from ..errors import PermissionDenied, Problem, ValidationError
from ..exports.filenames import safe_filename
from ..paths import ensure_dir, exports_dir
from ..services.payroll.views import FILL_BOTH, FillResult, TransferResult
from ..widgets.dialogs.export_choice import choose_format
from ..widgets.dialogs.form import FormModal
from ..widgets.dialogs.lines import LinesNotice, LinesQuestion
from ..widgets.pay_forms import (
    FillDraft,
    Options,
    TransferDraft,
    fill_modal,
    transfer_modal,
)
from ..widgets.pay_parts import fill_lines, person_key, transfer_lines
from .base import call_service, edit_in_form, push_dialog
from .preset_pane import ALL, every_page

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services
    from .pay import PayScreen


def work_choices(services: Services, actor: Actor) -> tuple[Options, Options]:
    """(name, id) of the active projects and types of work for the shift forms; empty (the
    form then takes a typed name) where the role may not list them. Run in a worker."""
    presets = services.presets
    try:
        projects = every_page(
            lambda after: presets.list_projects(actor, active_only=True, after=after, limit=ALL)
        )
    except PermissionDenied:
        projects = []
    try:
        types = every_page(
            lambda after: presets.list_work_types(actor, active_only=True, after=after, limit=ALL)
        )
    except PermissionDenied:
        types = []
    return (
        tuple((p.name, str(p.id)) for p in projects),
        tuple((t.name, str(t.id)) for t in types),
    )


@dataclass(frozen=True)
class Refused:
    """A transfer refused by its dry run: the days (or periods) that stand in the way."""

    lines: tuple[str, ...]


class PeriodWork:
    """Batch fill, transfer and export for the Pay screen it belongs to."""

    def __init__(self, screen: PayScreen) -> None:
        """Work for ``screen`` (its services, actor, period and outcome line)."""
        self.screen = screen

    def _only(self) -> str:
        """How the services name the employee shown, for "this employee only" (read on the UI
        thread when a form opens: a worker never reads a widget)."""
        person = self.screen.employee
        return "" if person is None else person_key(person)

    def _dates(self) -> tuple[str, str]:
        period = self.screen.period
        if period is None:
            return "", ""
        return period.date_from.isoformat(), period.date_to.isoformat()

    def _who(self) -> str:
        person = self.screen.employee
        return person.name if person else "the employee shown"

    # --- batch fill -----------------------------------------------------------------------

    def fill(self) -> None:
        """Choose what to fill; Save runs the dry run; its changes are asked about."""
        screen, who, only = self.screen, self._who(), self._only()

        def make_form(draft: FillDraft, problems: tuple[Problem, ...]) -> FormModal[FillDraft]:
            return fill_modal(who, draft, problems)

        def dry_run(draft: FillDraft) -> tuple[FillDraft, FillResult]:
            scoped = replace(draft, employee="" if draft.everyone else only)
            return scoped, self._fill(scoped, dry_run=True)

        first, last = self._dates()
        edit_in_form(screen, make_form, FillDraft(date_from=first, date_to=last), dry_run,
                     self._ask_fill)  # fmt: skip

    def _ask_fill(self, found: tuple[FillDraft, FillResult]) -> None:
        draft, result = found
        screen = self.screen
        what = "start and end" if draft.mode == FILL_BOTH else "end"
        if not result.changes:
            screen.tell(f"Nothing to fill: no past shift lacks its {what}.", "Batch fill")
            return

        chosen = tuple(c.shift_id for c in result.changes)

        def answered(yes: bool | None) -> None:
            if yes:  # exactly the shifts of the dry run shown
                call_service(screen, lambda: self._fill(draft, chosen), self._filled)

        question = LinesQuestion(
            "Batch fill: the dry run",
            f"Set the {what} as planned on these shifts? Nothing else changes; each change is "
            "kept in the audit log with its before and after.",
            fill_lines(result),
            f"{len(result.changes)} shift(s) to fill",
            "Fill",
        )
        push_dialog(screen, question, answered)

    def _fill(
        self, draft: FillDraft, shift_ids: tuple[int, ...] | None = None, *, dry_run: bool = False
    ) -> FillResult:
        screen = self.screen
        return screen.services.payroll.fill(
            screen.actor,
            draft.mode,
            draft.date_from,
            draft.date_to,
            employee=draft.employee,
            shift_ids=shift_ids,
            dry_run=dry_run,
        )

    def _filled(self, result: FillResult) -> None:
        self.screen.saved(f"{len(result.changes)} shift(s) filled from the plan.")

    # --- transfer to accounting -----------------------------------------------------------

    def transfer(self) -> None:
        """Choose the period; Save shows each employee's total, or the days in the way."""
        screen, who, only = self.screen, self._who(), self._only()

        def make_form(
            draft: TransferDraft, problems: tuple[Problem, ...]
        ) -> FormModal[TransferDraft]:
            return transfer_modal(who, draft, problems)

        def dry_run(draft: TransferDraft) -> tuple[TransferDraft, TransferResult | Refused]:
            scoped = replace(draft, employee="" if draft.everyone else only)
            try:
                result = self._transfer(scoped, dry_run=True)
            except ValidationError as refused:
                if all(p.field == "period" for p in refused.problems):
                    return scoped, Refused(tuple(p.message for p in refused.problems))
                raise  # a wrong date: marked in the form
            return scoped, result

        first, last = self._dates()
        edit_in_form(screen, make_form, TransferDraft(first, last), dry_run, self._ask_transfer)

    def _transfer(self, draft: TransferDraft, *, dry_run: bool = False) -> TransferResult:
        screen = self.screen
        return screen.services.payroll.transfer(
            screen.actor,
            draft.date_from,
            draft.date_to,
            employee=draft.employee,
            dry_run=dry_run,
        )

    def _ask_transfer(self, found: tuple[TransferDraft, TransferResult | Refused]) -> None:
        draft, result = found
        screen = self.screen
        if isinstance(result, Refused):
            push_dialog(
                screen,
                LinesNotice(
                    "Not ready for accounting",
                    "The period cannot be transferred while these stand in the way; settle, "
                    "approve or correct them first:",
                    result.lines,
                ),
            )
            return

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(screen, lambda: self._transfer(draft), self._transferred)

        question = LinesQuestion(
            "Transfer to accounting",
            f"Transfer the pay of {result.date_from} to {result.date_to} to accounting? The "
            "period's shifts are then locked: nothing in it can change.",
            transfer_lines(result),
            f"{len(result.lines)} employee(s), total {result.total}",
            "Transfer",
        )
        push_dialog(screen, question, answered)

    def _transferred(self, result: TransferResult) -> None:
        self.screen.saved(
            f"Transferred {result.date_from} to {result.date_to} to accounting: "
            f"{len(result.lines)} employee(s), {result.total}. The period is locked."
        )

    # --- export -----------------------------------------------------------------------------

    def export(self) -> None:
        """Ask the format, then write everyone's pay of the period shown, with progress."""
        first, last = self._dates()
        if not first:
            return
        choose_format(
            self.screen,
            f"Everyone's pay from {first} to {last}: one row per employee per day, with the "
            "minutes and money of each rate, and the totals",
            lambda fmt: self._export(fmt, first, last),
        )

    def _export(self, fmt: str, first: str, last: str) -> None:
        screen = self.screen
        bar = ProgressBar(id="pay-progress", show_eta=False)
        screen.mount(bar, before=screen.query_one("#pay-status"))

        def progress(done: int, expected: int) -> None:
            with suppress(RuntimeError):  # the app is closing
                screen.app.call_from_thread(bar.update, total=expected, progress=done)

        def write() -> Path:
            out = ensure_dir(exports_dir()) / safe_filename(f"pay-{first}-{last}.{fmt}")
            return screen.services.payroll.export(
                screen.actor, fmt, out, first, last, progress=progress
            )

        def written(path: Path) -> None:
            bar.remove()
            screen.tell(f"Written to {path}", "Pay exported")

        call_service(screen, write, written, failed=lambda _error: bar.remove())
