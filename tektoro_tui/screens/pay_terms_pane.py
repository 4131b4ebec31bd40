"""The HR tab of the Users screen: one person's pay terms over time, and the form that saves
terms from a date (``payroll.rates``: HR and the administrator; read-only for the others).

The terms of a date replace those saved for that date, checked against the version read, so
a change someone saved meanwhile is never overwritten unseen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ..domain.money import percent_text
from ..domain.permissions import Perm
from ..errors import NotFound, PermissionDenied, Problem
from ..services.payroll.views import TermsForm, TermsView
from ..widgets.calls import ActionFailed
from ..widgets.dialogs.form import FormModal
from ..widgets.formatting import yes_no
from ..widgets.keyed_table import KeyedTable
from ..widgets.pay_forms import terms_draft, terms_modal
from ..widgets.pay_parts import TERMS_COLUMNS
from ..widgets.printer_detail import amount_cell
from ..widgets.stable_table import highlighted_key
from .base import call_service, edit_in_form

if TYPE_CHECKING:
    from ..services.administration.views import UserView
    from ..services.base import Actor
    from ..services.hub import Services


def terms_cells(terms: TermsView) -> tuple[object, ...]:
    """One row of the terms history."""

    def percent(bp: int | None) -> str:
        return "firm's" if bp is None else f"+{percent_text(bp)} %"

    return (
        terms.effective_from.isoformat(),
        amount_cell(terms.hourly_rate.format()),
        percent(terms.over_day_bp),
        percent(terms.outside_window_bp),
        yes_no(terms.external),
        terms.rates_text,
    )


class PayTermsPane(Vertical):
    """A person's pay terms, newest first, with New (n) and Edit (e) for HR."""

    DEFAULT_CSS = """
    PayTermsPane {
        height: 1fr;
    }
    PayTermsPane > #hr-heading {
        height: auto;
        padding: 0 1;
        text-style: bold;
    }
    PayTermsPane > #hr-terms {
        height: 1fr;
    }
    PayTermsPane > #hr-note {
        height: auto;
        padding: 0 1;
    }
    PayTermsPane > #hr-hint {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(self, services: Services, actor: Actor, *, id: str) -> None:
        """The pane acting as ``actor``, empty until a person is chosen."""
        super().__init__(id=id)
        self.services = services
        self.actor = actor
        self.person: UserView | None = None
        self.terms: tuple[TermsView, ...] | None = None
        """The person's terms as last read (None: not read, or not to be seen)."""

    def compose(self) -> ComposeResult:
        """Whose terms, the history, the highlighted terms' note and the keys."""
        yield Static("Choose a person on the People tab (1).", id="hr-heading", markup=False)
        yield KeyedTable(id="hr-terms", cursor_type="row", zebra_stripes=True)
        yield Static("", id="hr-note", markup=False)
        yield Static(self._hint, id="hr-hint", markup=False)

    def on_mount(self) -> None:
        """Set up the history's columns."""
        self.query_one("#hr-terms", KeyedTable).add_columns(*TERMS_COLUMNS)

    @property
    def may_edit(self) -> bool:
        """Whether the user may save pay terms (HR and the administrator by default)."""
        return self.actor.may(Perm.PAYROLL_RATES)

    @property
    def _hint(self) -> str:
        if self.may_edit:
            return "n: terms from a new date · e: change the highlighted terms (same date)"
        return "Read-only: HR and the administrator change pay terms."

    def focus_list(self) -> None:
        """Put the cursor in the history."""
        self.query_one("#hr-terms", KeyedTable).focus()

    # --- reading ------------------------------------------------------------------------------

    def show_for(self, person: UserView | None) -> None:
        """Read ``person``'s terms (the one highlighted on the People tab); the terms shown
        stay until they are read again when it is the same person."""
        if person is None or self.person is None or person.id != self.person.id:
            self.terms = None
        self.person = person
        if person is None:
            self._heading("Choose a person on the People tab (1).")
            self.query_one("#hr-terms", KeyedTable).show_rows(())
            return
        call_service(
            self,
            lambda: self.services.payroll.terms(self.actor, person.id),
            self._show,
            failed=self._refused,
            group="hr-terms",
            exclusive=True,
            report=False,
        )

    def reload(self) -> None:
        """Read the same person's terms again."""
        self.show_for(self.person)

    def _heading(self, text: str) -> None:
        self.query_one("#hr-heading", Static).update(text)

    def _show(self, terms: tuple[TermsView, ...]) -> None:
        person = self.person
        assert person is not None
        self.terms = terms
        count = f"{len(terms)} from {terms[-1].effective_from}" if terms else "none yet"
        self._heading(f"Pay terms of {person.name} ({person.email or 'no login'}): {count}")
        self.query_one("#hr-terms", KeyedTable).show_rows(
            (str(t.id), terms_cells(t)) for t in terms
        )
        self.show_note()
        self.screen.refresh_bindings()

    def show_note(self) -> None:
        """The highlighted terms' note."""
        current = self.highlighted
        note = current.note if current and current.note else ""
        self.query_one("#hr-note", Static).update(f"Note: {note}" if note else "")

    def _refused(self, error: BaseException) -> None:
        person = self.person
        name = person.name if person else "this person"
        if isinstance(error, PermissionDenied):
            self._heading(f"Your role may not see the pay terms of {name}.")
        elif isinstance(error, NotFound):
            self._heading(f"{name} is not one of the firm's employees: no pay terms.")
        else:
            self.app.post_message(ActionFailed(error))
            return
        self.terms = None
        self.query_one("#hr-terms", KeyedTable).show_rows(())
        self.screen.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Other terms highlighted: show their note."""
        event.stop()
        self.show_note()

    @property
    def highlighted(self) -> TermsView | None:
        """The highlighted terms."""
        key = highlighted_key(self, "#hr-terms")
        return next((t for t in self.terms or () if str(t.id) == key), None)

    # --- saving -------------------------------------------------------------------------------

    def new_terms(self) -> None:
        """n: terms from a new date, started from the latest ones."""
        if self.terms is not None:
            self._open(terms_draft(self.terms[0] if self.terms else None, same_day=False))

    def edit_terms(self) -> None:
        """e: change the highlighted terms (same date, its version checked)."""
        current = self.highlighted
        if current is not None:
            self._open(terms_draft(current, same_day=True))

    def _open(self, draft: TermsForm) -> None:
        person, held = self.person, self.terms or ()
        if person is None:
            return

        def make_form(form: TermsForm, problems: tuple[Problem, ...]) -> FormModal[TermsForm]:
            return terms_modal(person.name, form, problems)

        def save(form: TermsForm) -> TermsView:
            typed = form.effective_from.strip()
            same = next((t for t in held if t.effective_from.isoformat() == typed), None)
            return self.services.payroll.set_terms(
                self.actor, person.id, form, version=same.version if same else None
            )

        edit_in_form(self, make_form, draft, save, self._saved)

    def _saved(self, terms: TermsView) -> None:
        name = self.person.name if self.person else ""
        self.notify(
            f"Pay terms of {name} from {terms.effective_from.isoformat()} saved.",
            title="Saved",
            timeout=5,
            markup=False,
        )
        self.reload()
