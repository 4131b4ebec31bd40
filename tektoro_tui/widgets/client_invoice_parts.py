"""The Client invoices screen's pieces: list cells, the filter bar, the totals and the forms.

Everything shown comes from the client-invoice service's read models (:class:`ClientInvoiceRow`,
:class:`ClientInvoiceList`); nothing here adds up an amount or decides a status. The forms
return what was typed; the service checks it and the screen reopens them with the bad fields
marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select

from ..errors import Problem
from ..services.invoicing.views import (
    CLIENT_INVOICE_STATUSES,
    PAYMENT_METHODS,
    ClientInvoiceFilter,
    ClientInvoiceList,
    ClientInvoiceRow,
    MarkPaidForm,
)
from .dialogs.form import FormModal
from .fields import FieldSpec
from .filter_fields import chosen, date_range
from .formatting import day, moment, money
from .printer_detail import METHOD_LABELS, amount_cell, clipped

CLIENT_INVOICE_COLUMNS = (
    "Number",
    "Client",
    "Status",
    "Gross",
    "Paid",
    "Due",
    "Issued",
    "Due on",
    "Type",
    "Project",
    "Chg",
)
KIND_WORDS = {
    "standard": "invoice",
    "credit_note": "credit note",
    "partial": "partial",
    "total": "total",
    "advance": "advance",
    "final": "final",
}
TYPE_OPTIONS = tuple((words, kind) for kind, words in KIND_WORDS.items())
STATUS_STYLES = {
    "overdue": "bold red",
    "paid": "green",
    "booked": "green",
    "partially_paid": "cyan",
    "cancelled": "dim",
}


def status_words(status: str) -> str:
    """A status as people say it: 'partially_paid' -> 'partially paid'."""
    return status.replace("_", " ")


STATUS_OPTIONS = tuple((status_words(status), status) for status in CLIENT_INVOICE_STATUSES)


def status_cell(row: ClientInvoiceRow) -> Text:
    """The displayed status (overdue derived by the service), highlighted when overdue."""
    words = "credit note" if row.kind == "credit_note" else status_words(row.display_status)
    if row.display_status == "overdue" and row.days_overdue:
        words += f" {row.days_overdue}d"
    return Text(words, style=STATUS_STYLES.get(row.display_status, ""))


def client_invoice_cells(row: ClientInvoiceRow) -> tuple[object, ...]:
    """One row of the Client invoices list."""
    return (
        row.number,
        clipped(row.client_name, 18),
        status_cell(row),
        amount_cell(row.gross.format()),
        amount_cell(row.paid.format()),
        amount_cell(row.due.format()),
        day(row.issue_date),
        day(row.due_date),
        KIND_WORDS.get(row.kind, row.kind) + (" (ext)" if row.external else ""),
        clipped(row.project_name, 18),
        "" if row.change_number is None else str(row.change_number),
    )


def totals_text(listed: ClientInvoiceList) -> str:
    """'3 invoices · gross 1,476.00 EUR · paid 0.00 EUR · due 1,476.00 EUR'."""
    count = len(listed.rows)
    head = f"{count} invoice{'s' if count != 1 else ''}"
    if listed.total_gross is None:
        return f"{head} · totals not shown: the invoices are in different currencies"
    return (
        f"{head} · gross {money(listed.total_gross)} · paid {money(listed.total_paid)}"
        f" · due {money(listed.total_due)}"
    )


def row_summary(row: ClientInvoiceRow | None) -> str:
    """The highlighted invoice in one or two lines: project, dates, sent, paid, credited."""
    if row is None:
        return "No invoices match the filter."
    parts = [f"{row.number} · {row.client_name}"]
    if row.project_name:
        parts.append(row.project_name)
    if row.sent_at is not None:
        parts.append(f"sent {moment(row.sent_at)}")
    if row.paid_at is not None:
        parts.append(f"paid {moment(row.paid_at)}")
    if row.display_status == "overdue":
        parts.append(f"{row.days_overdue} days overdue")
    if row.credited_by:
        parts.append(f"cancelled by credit note {row.credited_by}")
    return " · ".join(parts)


class ClientInvoiceFilters(Horizontal):
    """Status, client (staff only), issued from / to and a search; posts :class:`Changed`."""

    DEFAULT_CSS = """
    ClientInvoiceFilters {
        height: 1;
        margin: 0 1;
    }
    ClientInvoiceFilters > Input {
        width: 12;
        margin-right: 1;
    }
    ClientInvoiceFilters > Input.-invalid {
        background-tint: $error 40%;
    }
    ClientInvoiceFilters > #cif-status {
        width: 18;
        margin-right: 1;
    }
    ClientInvoiceFilters > #cif-type {
        width: 16;
        margin-right: 1;
    }
    ClientInvoiceFilters > #cif-client {
        width: 1fr;
        margin-right: 1;
    }
    ClientInvoiceFilters > #cif-search {
        width: 1fr;
        margin-right: 0;
    }
    """

    class Changed(Message):
        """The filter changed (and both dates are valid)."""

        def __init__(self, flt: ClientInvoiceFilter) -> None:
            super().__init__()
            self.filter = flt

    def __init__(self, *, with_client: bool, id: str | None = None) -> None:
        """A filter bar; ``with_client`` adds the client choice (never for a client user)."""
        super().__init__(id=id)
        self.with_client = with_client

    def compose(self) -> ComposeResult:
        """Status, client, from, to, search."""
        yield Select(STATUS_OPTIONS, prompt="(any status)", id="cif-status", compact=True)
        yield Select(TYPE_OPTIONS, prompt="(any type)", id="cif-type", compact=True)
        if self.with_client:
            yield Select[int]((), prompt="(all clients)", id="cif-client", compact=True)
        yield Input(placeholder="issued from", id="cif-from", compact=True)
        yield Input(placeholder="issued to", id="cif-to", compact=True)
        yield Input(placeholder="search number, client, project", id="cif-search", compact=True)

    def set_clients(self, clients: tuple[tuple[str, int], ...]) -> None:
        """Offer these clients (choosing none means all of them)."""
        if self.with_client:
            self.query_one("#cif-client", Select).set_options(clients)

    @property
    def filter(self) -> ClientInvoiceFilter | None:
        """The filter as chosen, or None while a date is not a date (that field is marked)."""
        dates = date_range(self, "#cif-from", "#cif-to")
        if dates is None:
            return None
        return ClientInvoiceFilter(
            status=chosen(self, "#cif-status") or "",
            kind=chosen(self, "#cif-type") or "",
            client_id=chosen(self, "#cif-client") if self.with_client else None,
            date_from=dates[0],
            date_to=dates[1],
            search=self.query_one("#cif-search", Input).value.strip(),
        )

    def _changed(self) -> None:
        flt = self.filter
        if flt is not None:
            self.post_message(self.Changed(flt))

    def on_input_changed(self, event: Input.Changed) -> None:
        """A date or search was typed."""
        event.stop()
        self._changed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field: nothing more to do (the list follows as you type)."""
        event.stop()

    def on_select_changed(self, event: Select.Changed) -> None:
        """A status or client was chosen."""
        event.stop()
        self._changed()


# --- forms ------------------------------------------------------------------------------------

MARK_PAID_SPECS = (
    FieldSpec("paid_on", "Date paid", placeholder="YYYY-MM-DD (blank: today)"),
    FieldSpec(
        "method",
        "Method",
        kind="select",
        options=tuple((METHOD_LABELS.get(m, m), m) for m in PAYMENT_METHODS),
        allow_blank=False,
    ),
    FieldSpec("reference", "Reference"),
)
PORTAL_SPECS = (FieldSpec("reference", "Payment reference (optional)"),)
CANCEL_SPECS = (FieldSpec("reason", "Reason for the credit note"),)


@dataclass(frozen=True)
class CancelDraft:
    """Why an invoice is cancelled, as typed."""

    reason: str = ""


def _mark_paid_form(values: dict[str, Any]) -> MarkPaidForm:
    return MarkPaidForm(
        paid_on=values.get("paid_on", ""),
        method=values.get("method") or "wire",
        reference=values.get("reference", ""),
    )


def mark_paid_modal(
    row: ClientInvoiceRow, draft: MarkPaidForm, problems: tuple[Problem, ...]
) -> FormModal[MarkPaidForm]:
    """The office's "Mark paid" form: a payment of everything still due."""
    intro = f"{row.client_name}: records a payment of the {row.due} still due on {row.number}."
    return FormModal(
        f"Mark paid: {row.number}", MARK_PAID_SPECS, draft, _mark_paid_form, problems, intro=intro
    )


def portal_paid_modal(
    row: ClientInvoiceRow, draft: MarkPaidForm, problems: tuple[Problem, ...]
) -> FormModal[MarkPaidForm]:
    """The client portal's confirmation that an invoice has been paid."""
    intro = (
        f"Confirm that {row.number} ({row.due} due on {day(row.due_date)}) has been paid. "
        "Add your bank's reference if you have one, then press Enter; Escape changes nothing."
    )
    return FormModal(
        f"We paid {row.number}", PORTAL_SPECS, draft, _mark_paid_form, problems, intro=intro
    )


def cancel_modal(
    row: ClientInvoiceRow, draft: CancelDraft, problems: tuple[Problem, ...]
) -> FormModal[CancelDraft]:
    """The confirmation of a cancellation, asking for its reason."""
    intro = (
        f"Cancelling {row.number} ({row.gross}, {row.client_name}) issues a credit note for "
        "the whole invoice with the next CN number. Type the reason and press Enter to "
        "cancel it, or Escape to keep the invoice."
    )
    return FormModal(
        f"Cancel {row.number}",
        CANCEL_SPECS,
        draft,
        lambda values: CancelDraft(**values),
        problems,
        intro=intro,
    )
