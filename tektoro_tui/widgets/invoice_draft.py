"""The Documenter's draft invoice: its lines, the fields the user edits, and the totals.

The pane shows what the screen gives it: the draft as last saved (:class:`InvoiceView`) and,
while the user types, the lines and totals the screen composed from the typed fields. It
computes nothing itself; when the typed figures cannot be read it shows "—" for the totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Select, Static, Switch, TextArea

from ..domain.invoice import ComposedInvoice
from ..domain.money import percent_text
from ..errors import Problem
from ..services.invoicing.views import DraftForm, InvoiceLineView, InvoiceView
from .fields import FieldSpec, FormField, read_values
from .invoice_forms import LINE_COLUMNS, MARKUP_KEY, line_rows
from .keyed_table import KeyedTable

MARKUP = FieldSpec("markup_percent", "Markup %")
WHOLE = FieldSpec("markup_on_whole", "on whole", kind="switch")
VAT = FieldSpec("vat_rate", "VAT %", placeholder="default")
DUE = FieldSpec("due_days", "Due days", placeholder="default")
TERMS = FieldSpec("payment_terms_id", "Payment terms", kind="select", placeholder="(none)")
COMMENTARY = FieldSpec("commentary", "Comments")
ATTACHED = FieldSpec("attached_text", "Notes printed on the invoice", kind="textarea")
LIVE_FIELDS = ("markup_percent", "vat_rate")
NO_TOTAL = "—"


def draft_form_of(view: InvoiceView, default_vat_bp: int) -> DraftForm:
    """The draft's saved values as the fields show them."""
    return DraftForm.of(view, default_vat_bp)


class InvoiceDraftPane(Vertical):
    """One draft invoice being assembled."""

    DEFAULT_CSS = """
    InvoiceDraftPane {
        height: 1fr;
    }
    InvoiceDraftPane > #draft-heading {
        height: 1;
        padding: 0 1;
        text-style: bold;
        color: $text-accent;
    }
    InvoiceDraftPane > #draft-lines {
        height: 1fr;
        min-height: 4;
    }
    InvoiceDraftPane > #draft-numbers {
        height: auto;
    }
    InvoiceDraftPane > #draft-numbers > FormField {
        width: 1fr;
    }
    InvoiceDraftPane > #draft-numbers > #field-markup_on_whole {
        width: 16;
    }
    InvoiceDraftPane FormField.-inline {
        margin: 0 1 0 0;
    }
    InvoiceDraftPane FormField.-inline > .field-row > .field-label {
        width: auto;
        padding: 0 1;
    }
    InvoiceDraftPane > FormField.-inline > .field-row > .field-label {
        width: 16;
    }
    InvoiceDraftPane > FormField.-inline > .field-problem {
        padding-left: 16;
    }
    InvoiceDraftPane FormField.-inline > .field-row > TextArea {
        height: 2;
    }
    InvoiceDraftPane > #draft-terms-text {
        height: auto;
        max-height: 2;
        padding: 0 1 0 17;
        color: $text-muted;
    }
    InvoiceDraftPane > #draft-totals {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        """An empty pane; :meth:`open` shows a draft."""
        super().__init__(id=id)
        self.view: InvoiceView | None = None
        self._default_vat_bp = 0
        self._terms: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        """Heading, lines, the editable fields and the totals."""
        yield Static("", id="draft-heading", markup=False)
        yield KeyedTable(id="draft-lines", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="draft-numbers"):
            for spec in (MARKUP, WHOLE, VAT, DUE):
                yield FormField(spec, "", compact=True)
        yield FormField(TERMS, None, compact=True)
        yield Static("", id="draft-terms-text", markup=False)
        yield FormField(COMMENTARY, "", compact=True)
        yield FormField(ATTACHED, "", compact=True)
        yield Static("", id="draft-totals", markup=False)

    def on_mount(self) -> None:
        """Add the line columns."""
        self.lines_table.add_columns(*LINE_COLUMNS)

    @property
    def lines_table(self) -> KeyedTable:
        """The draft's lines."""
        return self.query_one("#draft-lines", KeyedTable)

    def open(
        self, view: InvoiceView, terms: Iterable[tuple[int, str]], default_vat_bp: int
    ) -> None:
        """Show a draft with its saved values in the fields."""
        self._default_vat_bp = default_vat_bp
        self._terms = dict(terms)
        select: Select[int] = self.query_one("#input-payment_terms_id", Select)
        select.set_options((name, ident) for ident, name in self._terms.items())
        self.show_saved(view, reset_fields=True)
        self.lines_table.focus()

    def show_saved(self, view: InvoiceView, *, reset_fields: bool) -> None:
        """Take the draft as the service returned it; keep what is typed unless ``reset_fields``."""
        self.view = view
        heading = f"Draft #{view.id} · {view.document_reference} · {view.client_name}"
        self.query_one("#draft-heading", Static).update(heading)
        if reset_fields:
            self._fill(draft_form_of(view, self._default_vat_bp))
        self._show_terms_text()

    def _fill(self, form: DraftForm) -> None:
        for field in self.query(FormField):
            value = getattr(form, field.field_name)
            control = field.control
            if isinstance(control, Input):
                control.value = str(value)
            elif isinstance(control, Switch):
                control.value = bool(value)
            elif isinstance(control, TextArea):
                control.load_text(str(value))
            elif isinstance(control, Select):
                control.value = value if value in self._terms else Select.NULL
            field.set_problem(None)

    def form(self) -> DraftForm:
        """The fields as typed."""
        return DraftForm(**read_values(self))

    def is_dirty(self) -> bool:
        """Whether the typed fields differ from the saved draft."""
        if self.view is None:
            return False
        return self.form() != draft_form_of(self.view, self._default_vat_bp)

    def mark_live(self, problems: tuple[Problem, ...]) -> None:
        """Mark the figures that cannot be read as the user types (or clear the marks)."""
        found = {problem.field: problem.message for problem in problems}
        for name in LIVE_FIELDS:
            self.query_one(f"#field-{name}", FormField).set_problem(found.get(name))

    def on_select_changed(self, event: Select.Changed) -> None:
        """Show the chosen payment terms."""
        self._show_terms_text()

    def _show_terms_text(self) -> None:
        chosen = self.form().payment_terms_id if self.view else None
        if self.view is not None and self.view.payment_terms_text:
            text = self.view.payment_terms_text
        elif chosen is not None:
            text = f"'{self._terms.get(chosen, '')}': its text is printed on the invoice."
        else:
            text = "No payment-terms message: the invoice shows the due date only."
        self.query_one("#draft-terms-text", Static).update(text)

    # --- lines and totals -------------------------------------------------------------------

    def show_composed(self, composed: ComposedInvoice | None) -> None:
        """Show the lines and totals composed from the typed fields; None: they cannot be."""
        view = self.view
        if view is None:
            return
        if composed is None:
            keys = [str(line.id) for line in view.lines]
            self._show_lines(line_rows(view.lines, keys))
            self.query_one("#draft-totals", Static).update(
                f"Net {NO_TOTAL}   VAT {NO_TOTAL}   Gross {NO_TOTAL}\n"
                "Correct the marked figure to see the totals."
            )
            return
        keys = [
            f"{MARKUP_KEY}-{index}" if ln.line_ref is None else str(ln.line_ref)
            for index, ln in enumerate(composed.lines)
        ]
        self._show_lines(line_rows(composed.lines, keys))
        self.query_one("#draft-totals", Static).update(totals_text(composed, view.currency))

    def _show_lines(self, rows: list[tuple[str, tuple[Any, ...]]]) -> None:
        # In place: a figure typed into Markup % or VAT % changes a few cells of a draft
        # that may hold ten thousand lines. Columns fit the lines shown again (narrower too)
        # when lines come or go; measuring every line of every column on each keystroke
        # took a second on such a draft.
        table = self.lines_table
        changed = [key for key, _cells in rows] != table.keys()
        table.show_rows(rows, fit_columns=changed)

    def _current_key(self) -> str | None:
        table = self.lines_table
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def current_line(self) -> InvoiceLineView | None:
        """The saved line under the cursor (a typed-in markup line maps to the saved one)."""
        key, view = self._current_key(), self.view
        if key is None or view is None:
            return None
        if key.startswith(f"{MARKUP_KEY}-"):
            return next((line for line in view.lines if line.kind == "markup"), None)
        return next((line for line in view.lines if str(line.id) == key), None)


def totals_text(composed: ComposedInvoice, currency: str) -> str:
    """Net, VAT and gross of the invoice, then the VAT of each rate."""
    totals = composed.totals
    first = (
        f"Net {totals.net.format()}   VAT {totals.vat.format()}   "
        f"Gross {totals.gross.format()} {currency}"
    )
    rates = " · ".join(
        f"{percent_text(rate.rate_bp)}% on {rate.net.format()} = {rate.vat.format()}"
        for rate in totals.by_rate
    )
    return f"{first}\nVAT per rate: {rates or 'none'}"
