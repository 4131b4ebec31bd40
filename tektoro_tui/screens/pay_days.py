"""The Pay screen's work on single days: approving a day or the period's settled days,
a shift edited by hand with its reason, added, planned for a crew, or deleted.

Each change is asked about first (a question, or the form that is its question) and runs in
a thread worker through :func:`~.base.call_service`; the screen then reads its days again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import Problem
from ..services.payroll.views import ApproveResult, PlanResult, ShiftForm, ShiftView
from ..widgets.dialogs.batch import ReasonDraft
from ..widgets.dialogs.confirm import YesNoDialog
from ..widgets.dialogs.form import FormModal
from ..widgets.fields import FieldSpec
from ..widgets.pay_forms import Options, plan_modal, shift_add_modal, shift_draft, shift_edit_modal
from ..widgets.pay_parts import day_text, marks_text, person_key, person_options
from .base import call_service, edit_in_form, push_dialog
from .pay_batch import work_choices

if TYPE_CHECKING:
    from .pay import PayScreen


TOLD = 3
"""How many of the days a batch left alone its notification names."""


def _told(head: str, lines: list[str], rest: str) -> str:
    """A notification: ``head``, the first :data:`TOLD` of ``lines``, then how many more."""
    told = [head, *lines[:TOLD]]
    if len(lines) > TOLD:
        told.append(f"... and {len(lines) - TOLD} more {rest}")
    return "\n".join(told)


class DayWork:
    """Approve, edit, add, plan and delete shifts for the Pay screen it belongs to."""

    def __init__(self, screen: PayScreen) -> None:
        """Work for ``screen`` (its services, actor, highlighted day and outcome line)."""
        self.screen = screen

    # --- approving ----------------------------------------------------------------------------

    def approve(self) -> None:
        """a: approve the highlighted day (an irregular one by accepting its marks)."""
        screen = self.screen
        shift = screen.highlighted
        if shift is None:
            return
        refusal = _not_approvable(shift)
        if refusal:
            screen.tell(refusal, "Not approved")
            return
        what = f"{shift.employee}'s day {day_text(shift)} on {shift.project} ({shift.pay})"
        if shift.irregular:
            title, yes = "Accept an irregular day", "Accept and approve"
            question = (
                f"{what} is irregular: {marks_text(shift)}.\nApprove it as it is? "
                "Its marks are then accepted."
            )
        else:
            title, yes, question = "Approve a day", "Approve", f"Approve {what}?"

        def answered(ok: bool | None) -> None:
            if ok:
                call_service(
                    screen,
                    lambda: screen.services.payroll.approve(
                        screen.actor, [shift.id], accept_irregular=bool(shift.irregular)
                    ),
                    self._approved,
                )

        push_dialog(screen, YesNoDialog(title, question, yes), answered)

    def approve_all(self) -> None:
        """A: approve every settled day of the period that is not irregular, after asking."""
        screen = self.screen
        period, person = screen.period, screen.employee
        if period is None or person is None:
            return
        question = (
            f"Approve every settled day of {period.employee} from {period.date_from} to "
            f"{period.date_to} that is not irregular? {period.unapproved} settled day(s) are "
            f"not approved yet; irregular days ({period.irregular}) are approved one by one "
            f"(a), unsettled days ({period.unsettled}) wait until they are settled."
        )
        first, last = period.date_from, period.date_to

        def answered(ok: bool | None) -> None:
            if ok:
                call_service(
                    screen,
                    lambda: screen.services.payroll.approve(
                        screen.actor, employee=str(person.id), date_from=first, date_to=last
                    ),
                    self._approved,
                )

        push_dialog(screen, YesNoDialog("Approve the period", question, "Approve all"), answered)

    def _approved(self, result: ApproveResult) -> None:
        left = [f"{day_text(view)} left: {why}" for view, why in result.skipped]
        self.screen.saved(
            _told(f"{len(result.approved)} day(s) approved.", left, "left as they were")
        )

    # --- a shift by hand ----------------------------------------------------------------------

    def edit(self) -> None:
        """e: change the highlighted day by hand, with the reason (its version is checked)."""
        screen = self.screen
        shift = screen.highlighted
        if shift is None:
            return
        if shift.transferred:
            screen.tell(
                f"The day {day_text(shift)} is transferred to accounting: settlement is "
                "possible only until the pay is transferred.",
                "Transferred",
            )
            return

        def open_form(choices: tuple[Options, Options]) -> None:
            def make_form(form: ShiftForm, problems: tuple[Problem, ...]) -> FormModal[ShiftForm]:
                return shift_edit_modal(shift, choices[1], form, problems)

            def save(form: ShiftForm) -> ShiftView:
                return screen.services.payroll.edit(
                    screen.actor, shift.id, form, version=shift.version
                )

            edit_in_form(screen, make_form, shift_draft(shift), save, self._shift_saved)

        call_service(screen, lambda: work_choices(screen.services, screen.actor), open_form)

    def _shift_saved(self, shift: ShiftView) -> None:
        screen = self.screen
        pay = f", {shift.pay}" if shift.pay is not None else ", not settled"
        screen.saved(f"{shift.employee} {day_text(shift)}: {shift.actual_text or '—'}{pay}.")

    def add(self) -> None:
        """n: add one shift of one employee on one day."""
        screen = self.screen
        person = screen.employee
        people = person_options(screen.people)

        def open_form(choices: tuple[Options, Options]) -> None:
            def make_form(form: ShiftForm, problems: tuple[Problem, ...]) -> FormModal[ShiftForm]:
                return shift_add_modal(people, *choices, form, problems)

            def save(form: ShiftForm) -> ShiftView:
                return screen.services.payroll.add(screen.actor, form)

            draft = ShiftForm(employees=str(person.id) if person else "", planned_start="07:00")
            edit_in_form(screen, make_form, draft, save, self._shift_saved)

        call_service(screen, lambda: work_choices(screen.services, screen.actor), open_form)

    def plan(self) -> None:
        """N: plan a crew over a range of working days."""
        screen = self.screen
        person = screen.employee

        def open_form(choices: tuple[Options, Options]) -> None:
            def make_form(form: ShiftForm, problems: tuple[Problem, ...]) -> FormModal[ShiftForm]:
                return plan_modal(*choices, form, problems)

            def save(form: ShiftForm) -> PlanResult:
                return screen.services.payroll.plan(screen.actor, form)

            draft = ShiftForm(employees=person_key(person) if person else "", planned_start="07:00")
            edit_in_form(screen, make_form, draft, save, self._planned)

        call_service(screen, lambda: work_choices(screen.services, screen.actor), open_form)

    def _planned(self, result: PlanResult) -> None:
        head = f"{len(result.created)} shift(s) planned, {len(result.skipped)} day(s) left out."
        left = [f"{who} {day.isoformat()}: {why}" for who, day, why in result.skipped]
        self.screen.saved(_told(head, left, "left out"))

    def delete(self) -> None:
        """Delete: remove the highlighted shift planned by mistake, saying why."""
        screen = self.screen
        shift = screen.highlighted
        if shift is None:
            return
        if shift.transferred:
            screen.tell(f"The day {day_text(shift)} is transferred to accounting.", "Transferred")
            return
        specs = (FieldSpec("reason", "Reason", placeholder="why it goes (required)"),)

        def make_form(draft: ReasonDraft, problems: tuple[Problem, ...]) -> FormModal[Any]:
            return FormModal(
                f"Delete the shift of {shift.employee}, {day_text(shift)}",
                specs,
                draft,
                lambda values: ReasonDraft(**values),
                problems,
                intro="The shift is removed; the audit log keeps it with the reason.",
            )

        def save(draft: ReasonDraft) -> None:
            screen.services.payroll.delete(
                screen.actor, shift.id, draft.reason, version=shift.version
            )

        edit_in_form(
            screen,
            make_form,
            ReasonDraft(),
            save,
            lambda _: screen.saved(f"The shift of {shift.employee}, {day_text(shift)} deleted."),
        )


def _not_approvable(shift: ShiftView) -> str:
    """Why the day cannot be approved as it stands ('' when it can)."""
    if shift.transferred:
        return f"{day_text(shift)} is transferred to accounting."
    if shift.approved:
        return f"{day_text(shift)} is approved already."
    if not shift.settled:
        return (
            f"{day_text(shift)} is not settled: it has no actual start or end. Edit it (e) or "
            "fill it from the plan (F) first."
        )
    return ""
