"""The compliance register's pieces: the document list, the overview and the document form.

The register shows each document with its state (valid, expiring within 30 days, expired) as
the compliance service judged it on the organisation's today; the overview names, per
contractor, the required documents missing and the documents expired or expiring.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.text import Text

from ..errors import Problem
from ..services.contractor_invoices.views import (
    DOCUMENT_TYPE_LABELS,
    DOCUMENT_TYPES,
    EXPIRY_WARNING_DAYS,
    ComplianceRow,
    ContractorDocumentForm,
    ContractorDocumentView,
)
from .dashboard_admin import document_names
from .dialogs.form import FormModal
from .fields import FieldSpec
from .formatting import day
from .keyed_table import KeyedTable

STATE_STYLES = {"valid": "green", "expiring": "bold yellow", "expired": "bold red"}
STATE_WORDS = {
    "valid": "valid",
    "expiring": f"expiring (≤{EXPIRY_WARNING_DAYS} d)",
    "expired": "EXPIRED",
}
REGISTER_COLUMNS = ("Person", "Document", "Expires", "State", "File")
OVERVIEW_COLUMNS = ("Contractor", "Missing", "Expired", "Expiring soon")

PROBLEM_FIELDS = {"type": "doc_type", "file": "file_path", "expires": "expires_on"}
"""The service names its problems after what they are about; the form's fields are named
after the form's attributes."""


def state_cell(state: str) -> Text:
    """A document's state, coloured: green valid, yellow expiring, red expired."""
    return Text(STATE_WORDS.get(state, state), style=STATE_STYLES.get(state, ""))


class RegisterTable(KeyedTable):
    """Every document of the register, one row each, keyed by document id."""

    DEFAULT_CSS = """
    RegisterTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        """An empty register."""
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._documents: dict[str, ContractorDocumentView] = {}

    def on_mount(self) -> None:
        """Add the columns."""
        for heading in REGISTER_COLUMNS:
            self.add_column(heading, key=heading)

    def show(self, documents: Iterable[ContractorDocumentView], keep: int | None = None) -> None:
        """Show ``documents`` in place; the cursor goes to document ``keep`` if it is listed,
        else stays on its document (or the nearest one left)."""
        self._documents = {str(view.id): view for view in documents}
        self.show_rows((key, _register_cells(view)) for key, view in self._documents.items())
        if str(keep) in self._documents:
            self.move_to(str(keep))

    @property
    def current(self) -> ContractorDocumentView | None:
        """The highlighted document."""
        key = self.current_key
        return None if key is None else self._documents.get(key)


def _register_cells(view: ContractorDocumentView) -> tuple[object, ...]:
    return (
        view.user_name,
        DOCUMENT_TYPE_LABELS.get(view.doc_type, view.doc_type),
        day(view.expires_on) or "never",
        state_cell(view.state),
        view.file_path,
    )


class OverviewTable(KeyedTable):
    """Per contractor: required documents missing, expired, expiring soon."""

    DEFAULT_CSS = """
    OverviewTable {
        height: auto;
        max-height: 8;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        """An empty overview."""
        super().__init__(id=id, cursor_type="none", show_cursor=False, zebra_stripes=True)
        self.can_focus = False

    def on_mount(self) -> None:
        """Add the columns."""
        for heading in OVERVIEW_COLUMNS:
            self.add_column(heading, key=heading)

    def show(self, rows: Iterable[ComplianceRow]) -> None:
        """Show ``rows`` in place; a contractor with everything on file reads 'all on file'."""
        self.show_rows((str(row.user_id), _overview_cells(row)) for row in rows)


def _overview_cells(row: ComplianceRow) -> tuple[object, ...]:
    missing = document_names(row.missing)
    return (
        row.user_name,
        Text(missing or "all on file", style="bold red" if missing else "green"),
        Text(document_names(row.expired), style="red"),
        Text(document_names(row.expiring), style="yellow"),
    )


def document_draft(view: ContractorDocumentView | None = None) -> ContractorDocumentForm:
    """A blank form, or the form of ``view`` for editing."""
    if view is None:
        return ContractorDocumentForm(contractor="", doc_type="contract")
    return ContractorDocumentForm(
        contractor=str(view.user_id),
        doc_type=view.doc_type,
        file_path=view.file_path,
        expires_on=day(view.expires_on),
    )


def document_modal(
    people: Sequence[tuple[str, int]],
    draft: ContractorDocumentForm,
    problems: Sequence[Problem],
    *,
    editing: bool,
) -> FormModal[ContractorDocumentForm]:
    """The add / edit form: contractor, type, file path, expiry date (blank: never)."""
    specs = (
        FieldSpec(
            "contractor",
            "Contractor",
            "select",
            tuple((name, str(ident)) for name, ident in people),
            placeholder="(choose a person)",
        ),
        FieldSpec(
            "doc_type",
            "Document type",
            "select",
            tuple((DOCUMENT_TYPE_LABELS[t], t) for t in DOCUMENT_TYPES),
            allow_blank=False,
        ),
        FieldSpec("file_path", "File (path of the scan)", placeholder="contracts/carl.pdf"),
        FieldSpec("expires_on", "Expires on", placeholder="YYYY-MM-DD, blank: never"),
    )
    return FormModal(
        "Edit compliance document" if editing else "Add compliance document",
        specs,
        draft,
        _document_form,
        problems,
        field_names=PROBLEM_FIELDS,
    )


def _document_form(values: dict[str, Any]) -> ContractorDocumentForm:
    return ContractorDocumentForm(
        contractor=str(values.get("contractor") or ""),
        doc_type=str(values.get("doc_type") or ""),
        file_path=str(values.get("file_path") or ""),
        expires_on=str(values.get("expires_on") or ""),
    )
