"""The Documenter: assemble invoices from document records and issue them.

The lists show the invoice records WIP processing made (with the invoice made from each, if
any) and the drafts. Enter opens a record as a draft invoice: its lines, commentary, attached
text, markup, payment terms, due days and VAT rate, with adjustments and expenses added in small
forms. The totals follow the typed figures at once: the screen composes them with the same pure
function the service uses (:func:`~tektoro_tui.domain.invoice.compose_invoice`), and the
service prices the draft again when it is saved. Create invoice saves, asks, then issues the
draft with the next gapless number; from then on it never changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ContentSwitcher, DataTable, Input, Switch

from ..domain.invoice import DraftLine, compose_invoice
from ..domain.permissions import Perm
from ..domain.rounding import RoundingMode
from ..domain.validation import Form
from ..domain.vat import VatMode
from ..services.administration.views import OrganisationView
from ..services.invoicing.common import MAX_MARKUP_BP, REMOVABLE_KINDS
from ..services.invoicing.views import AdjustmentForm, ExpenseForm, InvoiceLineView, InvoiceView
from ..services.pipeline.views import DocumentSummary
from ..widgets import keymap
from ..widgets.dialogs.confirm import YesNoDialog
from ..widgets.fields import show_problems
from ..widgets.invoice_draft import InvoiceDraftPane
from ..widgets.invoice_forms import (
    AdjustmentDraft,
    adjustment_modal,
    expense_modal,
    issue_question,
)
from ..widgets.invoice_lists import InvoiceLists
from ..widgets.unsaved import UnsavedChanges, leave_then
from .base import AreaScreen, call_service, edit_in_form, push_dialog

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

DRAFT_ACTIONS = ("save", "adjustment", "expense", "remove_line", "create_invoice")
Opened = tuple[InvoiceView, tuple[tuple[int, str], ...], OrganisationView]


class DocumenterScreen(UnsavedChanges, AreaScreen):
    """Invoice records and drafts; one draft at a time assembled and issued."""

    TITLE_TEXT = "Documenter"
    HELP = (
        "Invoice records from WIP and the drafts made from them. Enter opens one as a draft "
        "invoice. Add adjustments (j, on the highlighted time line or the whole invoice, with a "
        "reason) and expenses (n); Delete removes one. Markup, VAT rate, payment terms, due "
        "days, commentary and attached text are typed in place and the totals follow as you "
        "type; Ctrl+S saves them. Create invoice (F9) saves, asks, then issues the draft with "
        "the next number: an issued invoice never changes and goes to the Invoice Printer. "
        "Escape goes back to the lists (asking first about unsaved changes). The lists follow "
        "other sessions' changes; F5 reads them again, or the open draft as it is saved now "
        "(after someone else's save was refused)."
    )
    BINDINGS = [
        Binding(keymap.BACK, "back", "Back"),
        Binding(keymap.SAVE, "save", "Save"),
        Binding(keymap.FINISH, "create_invoice", "Create invoice"),
        Binding(keymap.ADJUSTMENT, "adjustment", "Adjustment"),
        Binding(keymap.NEW, "expense", "Expense"),
        Binding(keymap.DELETE, "remove_line", "Remove line"),
        Binding(keymap.RELOAD, "reload", "Reload"),
    ]
    UNSAVED_WHAT = "The draft invoice"

    def __init__(self, services: Services, actor: Actor) -> None:
        """The Documenter acting as ``actor``."""
        super().__init__(services, actor)
        self._org: OrganisationView | None = None
        self._composed_from: tuple[object, ...] | None = None
        """What the lines shown were last composed from (the draft and the typed figures):
        filling the form when a draft opens posts a change per field, and a draft may hold
        ten thousand lines to price and show again."""

    def compose_body(self) -> ComposeResult:
        """The lists of records and drafts, or one draft."""
        with ContentSwitcher(initial="doc-lists"):
            yield InvoiceLists(id="doc-lists")
            yield InvoiceDraftPane(id="doc-draft")

    def on_mount(self) -> None:
        """Load the lists."""
        super().on_mount()
        self.query_one(InvoiceLists).focus_records()
        self._reload_lists()

    @property
    def pane(self) -> InvoiceDraftPane:
        """The draft being assembled."""
        return self.query_one(InvoiceDraftPane)

    @property
    def drafting(self) -> bool:
        """Whether a draft is open."""
        return self.query_one(ContentSwitcher).current == "doc-draft"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Draft keys only with a draft open; Create invoice only for those who may issue."""
        if action in DRAFT_ACTIONS and not self.drafting:
            return False
        if action == "create_invoice":
            return self.actor.may(Perm.INVOICE_ISSUE)
        return True

    # --- the lists ------------------------------------------------------------------------------

    REFRESH_ON = frozenset({"document_record", "invoice"})

    def refresh_data(self) -> None:
        """Someone made or changed records or drafts: read the lists again, in place. An open
        draft is left as typed: a save over someone else's change to it is refused, and F5
        reads it again."""
        if not self.drafting:
            self._reload_lists()

    def action_reload(self) -> None:
        """F5: read the lists again, or the open draft as saved (asking first when typed
        changes would be dropped)."""
        view = self.pane.view
        if not self.drafting or view is None:
            self._reload_lists()
            return
        ident = view.id
        leave_then(
            self.app,
            [self],
            lambda: self._open(lambda: self.services.invoices.get(self.actor, ident)),
            question=(
                "The draft invoice has changes that are not saved. Read it again as it is "
                "saved now, without them?"
            ),
        )

    def _reload_lists(self) -> None:
        """Read the records and drafts again (each on its own: either may be refused)."""
        lists, actor = self.query_one(InvoiceLists), self.actor

        def records() -> tuple[DocumentSummary, ...]:
            return self.services.wip.documents(actor, kind="invoice")

        def drafts() -> tuple[InvoiceView, ...]:
            return self.services.invoices.drafts(actor)

        call_service(self, records, lists.show_records, group="records", exclusive=True)
        call_service(self, drafts, lists.show_drafts, group="drafts", exclusive=True)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a record or a draft opens the draft invoice."""
        ident = int(event.row_key.value or 0)
        if event.data_table.id == "records":
            self._open(lambda: self.services.invoices.open_record(self.actor, ident))
        elif event.data_table.id == "drafts":
            self._open(lambda: self.services.invoices.get(self.actor, ident))

    def _open(self, fetch: Callable[[], InvoiceView]) -> None:
        def load() -> Opened:
            view = fetch()
            terms = self.services.invoices.payment_terms_options(self.actor)
            return view, terms, self.services.settings.get(self.actor)

        call_service(self, load, self._opened)

    def _opened(self, opened: Opened) -> None:
        view, terms, self._org = opened
        self.query_one(ContentSwitcher).current = "doc-draft"
        self.pane.open(view, terms, self._org.default_vat_bp)
        self.refresh_bindings()
        self._recompute()

    def has_unsaved_changes(self) -> bool:
        """Whether the open draft's typed fields differ from the saved draft."""
        return self.drafting and self.pane.is_dirty()

    def unsaved_question(self) -> str:
        """The question before the open draft's changes are thrown away."""
        return (
            "The draft invoice has changes that are not saved (Ctrl+S saves them). Leave "
            "without saving them?"
        )

    async def action_back(self) -> None:
        """Back to the lists (asking first about unsaved changes), or back to home."""
        if not self.drafting:
            await self.run_action("app.go_back")
            return
        leave_then(self.app, [self], self._close_draft)

    def _close_draft(self) -> None:
        self.query_one(ContentSwitcher).current = "doc-lists"
        self.refresh_bindings()
        self.query_one(InvoiceLists).focus_records()
        self._reload_lists()

    # --- live totals ----------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        """Typed figures change the totals at once."""
        self._recompute()

    def on_switch_changed(self, event: Switch.Changed) -> None:
        """Markup on the whole invoice or on expenses only."""
        self._recompute()

    def _recompute(self) -> None:
        """Compose the lines and totals from the saved lines and the typed figures."""
        view, org = self.pane.view, self._org
        if view is None or org is None or not self.drafting:
            return
        typed = self.pane.form()
        source = (view, org, typed.markup_percent, typed.vat_rate, typed.markup_on_whole)
        if source == self._composed_from:
            return
        self._composed_from = source
        check = Form()
        markup = check.percent_bp(
            "markup_percent", typed.markup_percent or "0", max_bp=MAX_MARKUP_BP
        )
        vat: int | None = org.default_vat_bp
        if typed.vat_rate.strip():
            vat = check.percent_bp("vat_rate", typed.vat_rate)
        self.pane.mark_live(check.problems)
        if markup is None or vat is None:
            self.pane.show_composed(None)
            return
        lines = [_draft_line(line, vat) for line in view.lines if line.kind != "markup"]
        composed = compose_invoice(
            lines,
            markup_bp=markup,
            markup_on_whole=typed.markup_on_whole,
            vat_mode=VatMode(view.vat_mode),
            currency=view.currency,
            rounding=RoundingMode(org.rounding_mode),
        )
        self.pane.show_composed(composed)

    # --- changing the draft ---------------------------------------------------------------------

    def action_save(self, then: Callable[[InvoiceView], object] | None = None) -> None:
        """Save the typed fields; the service prices the draft again."""
        view, form = self.pane.view, self.pane.form()
        if view is None:
            return
        show_problems(self.pane, ())
        call_service(
            self,
            lambda: self.services.invoices.update_draft(
                self.actor, view.id, form, version=view.version
            ),
            then or self._saved,
            problems=lambda problems: show_problems(self.pane, problems),
        )

    def _saved(self, view: InvoiceView) -> None:
        self._take(view, reset_fields=True)
        self.notify(f"Draft saved: gross {view.gross}.", timeout=3, markup=False)

    def _take(self, view: InvoiceView, *, reset_fields: bool = False) -> None:
        self.pane.show_saved(view, reset_fields=reset_fields)
        self._recompute()

    def action_adjustment(self) -> None:
        """Add a ± adjustment with a reason to the highlighted time line or the invoice."""
        view, line = self.pane.view, self.pane.current_line()
        if view is None:
            return
        target = line if line is not None and line.kind == "time" else None
        intro = f"Line {target.position}: {target.description}" if target else "Whole invoice."

        def save(draft: AdjustmentDraft) -> InvoiceView:
            line_id = None if draft.whole_invoice or target is None else target.id
            form = AdjustmentForm(draft.amount, draft.reason, line_id, draft.vat_rate)
            return self.services.invoices.add_adjustment(
                self.actor, view.id, form, version=view.version
            )

        draft = AdjustmentDraft(whole_invoice=target is None)
        edit_in_form(self, adjustment_modal(intro), draft, save, self._take)

    def action_expense(self) -> None:
        """Add an out-of-pocket expense."""
        view = self.pane.view
        if view is None:
            return

        def save(form: ExpenseForm) -> InvoiceView:
            return self.services.invoices.add_expense(
                self.actor, view.id, form, version=view.version
            )

        def ask(today: date) -> None:
            draft = ExpenseForm(expense_date=today.isoformat(), description="", amount="")
            edit_in_form(self, expense_modal, draft, save, self._take)

        call_service(self, self.services.settings.today, ask)

    def action_remove_line(self) -> None:
        """Remove the highlighted adjustment or expense (after asking)."""
        view, line = self.pane.view, self.pane.current_line()
        if view is None or line is None:
            return

        def remove() -> InvoiceView:
            return self.services.invoices.remove_line(
                self.actor, view.id, line.id, version=view.version
            )

        if line.kind not in REMOVABLE_KINDS:  # the service says why not
            call_service(self, remove, self._take)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(self, remove, self._take)

        question = f"Remove the {line.kind} '{line.description}' ({line.net})?"
        push_dialog(self, YesNoDialog("Remove line", question, "Remove"), answered)

    # --- issuing --------------------------------------------------------------------------------

    def action_create_invoice(self) -> None:
        """Save what is typed, then confirm and issue the draft with the next number."""
        view = self.pane.view
        if view is None:
            return
        if self.pane.is_dirty():
            self.action_save(then=self._confirm_issue)
        else:
            self._confirm_issue(view)

    def _confirm_issue(self, view: InvoiceView) -> None:
        self._take(view, reset_fields=True)

        def answered(yes: bool | None) -> None:
            if yes:
                issue = self.services.invoices.issue
                call_service(self, lambda: issue(self.actor, view.id, line_limit=0), self._issued)

        dialog = YesNoDialog("Create invoice", issue_question(view), "Create invoice", "Keep draft")
        push_dialog(self, dialog, answered)

    def _issued(self, view: InvoiceView) -> None:
        self.notify(
            f"Invoice {view.number} issued to {view.client_name}, gross {view.gross}. "
            "It is now in the Invoice Printer (Ctrl+G i).",
            title="Invoice created",
            timeout=10,
            markup=False,
        )
        self._close_draft()


def _draft_line(line: InvoiceLineView, time_vat_bp: int) -> DraftLine:
    """A saved line as the domain composes it; time lines take the typed VAT rate."""
    return DraftLine(
        kind=line.kind,
        description=line.description,
        net=line.net,
        vat_bp=time_vat_bp if line.kind == "time" else line.vat_bp,
        detail=line.detail,
        minutes=line.minutes,
        unit_price=line.unit_price,
        expense_date=line.expense_date,
        reason=line.reason,
        line_ref=line.id,
    )
