"""Payment terms: the library of reusable messages printed on client invoices.

Standard terms, payment instructions and late-fee policies. One is chosen on a draft invoice
in the Documenter; issuing copies its text into the invoice, so editing or deleting a template
here never changes an invoice already issued.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from ..errors import Problem
from ..services.invoicing.views import TermsForm, TermsView
from ..widgets import keymap
from ..widgets.dialogs.confirm import YesNoDialog
from ..widgets.dialogs.form import FormModal
from ..widgets.keyed_table import KeyedTable
from ..widgets.stable_table import highlighted_key
from ..widgets.terms_parts import TERMS_COLUMNS, terms_cells, terms_draft, terms_modal
from .base import AreaScreen, call_service, edit_in_form, push_dialog

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

EMPTY = "No payment terms yet. Press n to write the first one."


class TermsScreen(AreaScreen):
    """The templates by name above the highlighted one's text."""

    TITLE_TEXT = "Payment terms"
    HELP = (
        "Reusable payment-terms messages: standard terms, payment instructions and late-fee "
        "policies, with how many issued invoices carry each one's text. n writes a new one, "
        "Enter or e edits the highlighted one, Delete removes it. Issued invoices keep the "
        "text they were issued with, whatever happens here."
    )
    BINDINGS = [
        Binding(keymap.NEW, "new", "New"),
        Binding(keymap.EDIT, "edit", "Edit"),
        Binding(keymap.DELETE, "delete", "Delete"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
    ]
    REFRESH_ON = frozenset({"payment_terms_template"})
    DEFAULT_CSS = """
    TermsScreen {
        #terms-list {
            height: auto;
            max-height: 10;
        }
        #terms-preview {
            height: 1fr;
            padding: 0 1;
            border-top: solid $primary-muted;
        }
        #terms-body {
            height: auto;
        }
    }
    """

    def __init__(self, services: Services, actor: Actor) -> None:
        """The library acting as ``actor``."""
        super().__init__(services, actor)
        self._terms: dict[str, TermsView] = {}

    def compose_body(self) -> ComposeResult:
        """The list and the text of the highlighted template."""
        yield KeyedTable(id="terms-list", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="terms-preview"):
            yield Static("", id="terms-body")

    def on_mount(self) -> None:
        """Set up the list and load it."""
        super().on_mount()
        self.table.add_columns(*TERMS_COLUMNS)
        self.table.focus()
        self.load_terms()

    @property
    def table(self) -> KeyedTable:
        """The list of templates."""
        return self.query_one("#terms-list", KeyedTable)

    @property
    def current(self) -> TermsView | None:
        """The highlighted template (None while there is none)."""
        key = highlighted_key(self, "#terms-list")
        return None if key is None else self._terms.get(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Edit and Delete need a highlighted template."""
        if action in ("edit", "delete"):
            return self.current is not None or None
        return True

    # --- loading ----------------------------------------------------------------------------

    def refresh_data(self) -> None:
        """Another session changed the library: read it again."""
        self.load_terms()

    def action_reload(self) -> None:
        """Read the library again."""
        self.load_terms()

    def load_terms(self, then_show: int | None = None) -> None:
        """Read the templates, in place (the cursor stays on its template, or goes to
        ``then_show``)."""
        call_service(
            self,
            lambda: self.services.terms.list(self.actor),
            lambda found: self._show(found, then_show),
            group="terms-list",
            exclusive=True,
        )

    def _show(self, found: tuple[TermsView, ...], then_show: int | None) -> None:
        self._terms = {str(terms.id): terms for terms in found}
        self.table.show_rows((str(terms.id), terms_cells(terms)) for terms in found)
        if str(then_show) in self._terms:
            self.table.move_to(str(then_show))
        self._show_current()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Show the highlighted template's text."""
        self._show_current()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        """Enter on a template edits it."""
        self.action_edit()

    def _show_current(self) -> None:
        terms = self.current
        body = self.query_one("#terms-body", Static)
        if terms is None:
            body.update(Text(EMPTY, style="dim"))
        else:
            due = "" if terms.days is None else f" · due in {terms.days} days"
            text = Text(f"{terms.name} · {terms.kind_label}{due}\n", style="bold")
            text.append(terms.body or "(no text)", style="" if terms.body else "dim")
            body.update(text)
        self.refresh_bindings()

    # --- writing ------------------------------------------------------------------------------

    def action_new(self) -> None:
        """Write a new template."""
        self._open_form(None)

    def action_edit(self) -> None:
        """Change the highlighted template."""
        if self.current is not None:
            self._open_form(self.current)

    def _open_form(self, terms: TermsView | None) -> None:
        def make_form(draft: TermsForm, problems: tuple[Problem, ...]) -> FormModal[TermsForm]:
            return terms_modal(terms, draft, problems)

        def save(form: TermsForm) -> TermsView:
            if terms is None:
                return self.services.terms.add(self.actor, form)
            return self.services.terms.edit(self.actor, terms.id, form, version=terms.version)

        edit_in_form(self, make_form, terms_draft(terms), save, self._saved)

    def _saved(self, terms: TermsView) -> None:
        self.notify(f"Saved “{terms.name}”.", title="Payment terms", timeout=4, markup=False)
        self.load_terms(then_show=terms.id)

    def action_delete(self) -> None:
        """Delete the highlighted template, after confirming."""
        terms = self.current
        if terms is None:
            return
        question = (
            f"Delete “{terms.name}”? Invoices already issued keep their copy of the text"
            f" ({terms.used_on} so far); drafts that chose it fall back to none."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self,
                    lambda: self.services.terms.delete(self.actor, terms.id),
                    lambda _none: self._deleted(terms),
                )

        push_dialog(self, YesNoDialog("Delete payment terms", question), answered)

    def _deleted(self, terms: TermsView) -> None:
        self.notify(f"Deleted “{terms.name}”.", title="Payment terms", timeout=4, markup=False)
        self.load_terms()
