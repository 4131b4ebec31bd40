"""Compliance documents: each contractor's contract, tax form and insurance certificate.

The register lists every document with its expiry date and whether it is still valid; under
it, the overview names per contractor what is missing, expired or about to expire. An
administrator adds, edits and removes documents; the service checks every field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from ..services.contractor_invoices.views import (
    DOCUMENT_TYPE_LABELS,
    ComplianceRow,
    ContractorDocumentForm,
    ContractorDocumentView,
)
from ..widgets import keymap
from ..widgets.compliance_parts import (
    OverviewTable,
    RegisterTable,
    document_draft,
    document_modal,
)
from ..widgets.dialogs.confirm import YesNoDialog
from .base import AreaScreen, call_service, edit_in_form, push_dialog

if TYPE_CHECKING:
    from ..errors import Problem
    from ..services.base import Actor
    from ..services.hub import Services
    from ..widgets.dialogs.form import FormModal

Loaded = tuple[tuple[ContractorDocumentView, ...], tuple[ComplianceRow, ...]]


class ComplianceScreen(AreaScreen):
    """The document register, and who is missing or has expired documents."""

    TITLE_TEXT = "Compliance documents"
    HELP = (
        "Every compliance document on file: whose it is, its type, when it expires and "
        "whether it is valid, expiring within 30 days or expired (red). Under it, each "
        "contractor's missing, expired and expiring documents. n adds a document, Enter or e "
        "edits the highlighted one, Delete removes it (after asking). The list updates by "
        "itself when someone else changes the register."
    )
    BINDINGS = [
        Binding(keymap.NEW, "new", "New"),
        Binding(keymap.EDIT, "edit", "Edit"),
        Binding(keymap.DELETE, "remove", "Delete"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
    ]
    REFRESH_ON = frozenset({"contractor_document"})
    DEFAULT_CSS = """
    ComplianceScreen {
        .compliance-title {
            text-style: bold;
            color: $text-accent;
            padding: 0 1;
        }
        #compliance-summary {
            height: auto;
            padding: 0 1;
            color: $text-muted;
        }
    }
    """

    def __init__(self, services: Services, actor: Actor) -> None:
        """The screen, empty until the register has been read."""
        super().__init__(services, actor)
        self.overview: tuple[ComplianceRow, ...] = ()

    def compose_body(self) -> ComposeResult:
        """Register, then the overview."""
        yield Label("Register", classes="compliance-title")
        yield RegisterTable(id="register")
        yield Label("Per contractor", classes="compliance-title")
        yield Static("", id="compliance-summary", markup=False)
        yield OverviewTable(id="overview")

    @property
    def register(self) -> RegisterTable:
        """The list of documents."""
        return self.query_one(RegisterTable)

    def on_mount(self) -> None:
        """Load the register."""
        super().on_mount()
        self.register.focus()
        self.action_reload()

    def refresh_data(self) -> None:
        """The register changed in another session: read it again."""
        self.action_reload()

    def action_reload(self, keep: int | None = None) -> None:
        """Read the documents and the overview; keep the cursor on document ``keep``."""

        def fetch() -> Loaded:
            compliance = self.services.compliance
            return compliance.documents(self.actor), compliance.overview(self.actor)

        call_service(
            self, fetch, lambda loaded: self._show(loaded, keep), group="load", exclusive=True
        )

    def _show(self, loaded: Loaded, keep: int | None) -> None:
        documents, overview = loaded
        self.overview = overview
        self.register.show(documents, keep)
        lacking = [row for row in overview if not row.compliant]
        self.query_one("#compliance-summary", Static).update(
            f"{len(lacking)} of {len(overview)} contractors miss a required document or hold "
            "an expired one."
            if lacking
            else f"All {len(overview)} contractors have every required document, valid."
        )
        self.query_one(OverviewTable).show(overview)

    # --- adding, editing, removing -------------------------------------------------------------

    def _people(self, view: ContractorDocumentView | None) -> list[tuple[str, int]]:
        people = [(row.user_name, row.user_id) for row in self.overview]
        if view is not None and view.user_id not in {ident for _, ident in people}:
            people.append((view.user_name, view.user_id))
        return people

    def _open_form(self, view: ContractorDocumentView | None) -> None:
        people = self._people(view)

        def make_form(
            draft: ContractorDocumentForm, problems: tuple[Problem, ...]
        ) -> FormModal[ContractorDocumentForm]:
            return document_modal(people, draft, problems, editing=view is not None)

        def save(form: ContractorDocumentForm) -> ContractorDocumentView:
            if view is None:
                return self.services.compliance.add(self.actor, form)
            return self.services.compliance.edit(self.actor, view.id, form, version=view.version)

        edit_in_form(self, make_form, document_draft(view), save, self._saved)

    def action_new(self) -> None:
        """Add a document."""
        self._open_form(None)

    def action_edit(self) -> None:
        """Edit the highlighted document."""
        if self.register.current is not None:
            self._open_form(self.register.current)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a document edits it."""
        event.stop()
        self.action_edit()

    def _saved(self, view: ContractorDocumentView) -> None:
        label = DOCUMENT_TYPE_LABELS.get(view.doc_type, view.doc_type)
        self.notify(f"{label} of {view.user_name} saved.", title="Saved", markup=False)
        self.action_reload(keep=view.id)

    def action_remove(self) -> None:
        """Remove the highlighted document, after asking."""
        view = self.register.current
        if view is None:
            return
        label = DOCUMENT_TYPE_LABELS.get(view.doc_type, view.doc_type)
        question = f"Remove the {label.lower()} of {view.user_name} from the register?"

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self,
                    lambda: self.services.compliance.delete(self.actor, view.id),
                    lambda _: self._removed(label, view.user_name),
                )

        push_dialog(self, YesNoDialog("Remove document", question), answered)

    def _removed(self, label: str, name: str) -> None:
        self.notify(f"{label} of {name} removed.", title="Removed", markup=False)
        self.action_reload()
