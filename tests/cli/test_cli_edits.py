"""CLI commands over existing state: an option changes only what it names.

Each test prepares the state (a draft prepared in the Documenter, a payment-terms template, an
issued invoice), runs one command with one option, and compares every other field before and
after. Clearing a value takes an explicit flag, never an option left out. Money typed with more
decimals than the currency has is refused, not rounded.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import DraftForm, InvoiceView, TermsForm, TermsView
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, connected, make_firm, set_organisation
from tests.db_snapshot import db_snapshot
from tests.services.test_invoices import Books, make_books

NET_30 = TermsForm(name="Net 30", kind="standard", body="Within 30 days.", days="30")
BANK = TermsForm(name="Bank details", kind="instructions", body="IBAN PL61…", days="")


@dataclass(frozen=True)
class Prepared:
    """A firm with a draft prepared in the Documenter and two payment-terms templates."""

    url: str
    draft_id: int
    reference: str
    net_30: int
    bank: int


def books_on(services: Services) -> tuple[Books, Actor]:
    admin = make_firm(services)
    return make_books(services, admin), admin


def prepare_draft(url: str) -> Prepared:
    """Markup 10 % on the whole invoice, VAT 8 %, Net 30 terms, 21 days to pay, commentary and
    attached text: nothing as a new draft has it."""
    today = date.today()
    with connected(url) as services:
        books, admin = books_on(services)
        net_30 = services.terms.add(admin, NET_30)
        bank = services.terms.add(admin, BANK)
        record = books.record(
            (today - timedelta(days=2), 90, 10_000, 15_000),
            (today - timedelta(days=1), 120, 8_000, 14_000),
        )
        draft = services.invoices.open_record(admin, record)
        services.invoices.update_draft(
            admin,
            draft.id,
            DraftForm(
                commentary="Phase 1",
                attached_text="Site report attached.",
                markup_percent="10",
                markup_on_whole=True,
                payment_terms_id=net_30.id,
                due_days="21",
                vat_rate="8",
            ),
        )
    log_in(url)
    return Prepared(url, draft.id, draft.document_reference, net_30.id, bank.id)


def log_in(url: str) -> None:
    """Start the owner's CLI session (a login writes: do it before taking a snapshot)."""
    login = CliRunner().invoke(
        app,
        ["login", "--email", OWNER_EMAIL, "--password-stdin", "--db", url],
        input=OWNER_PASSWORD + "\n",
    )
    assert login.exit_code == 0, login.output


def invoke(url: str, *args: str, code: int = 0) -> Any:
    """Run one command as the logged-in owner; expect exit ``code`` and no traceback."""
    result = CliRunner().invoke(app, [*args, "--db", url])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def invoice(url: str, invoice_id: int) -> InvoiceView:
    with connected(url) as services:
        admin = services.auth.login(OWNER_EMAIL, OWNER_PASSWORD)
        return services.invoices.get(admin, invoice_id)


def fields_of(view: InvoiceView) -> dict[str, Any]:
    return dataclasses.asdict(DraftForm.of(view, 2300))


# --- documenter create-invoice -----------------------------------------------------------------

# option(s) -> (the field it names, its value afterwards); "{bank}" is the other template's id
ONE_OPTION = {
    "--commentary Final": ("commentary", "Final"),
    "--markup 5": ("markup_percent", "5"),
    "--markup-on-expenses": ("markup_on_whole", False),
    "--vat-rate 23": ("vat_rate", "23"),
    "--due-days 45": ("due_days", "45"),
    "--terms {bank}": ("payment_terms_id", "bank"),
    "--no-terms": ("payment_terms_id", None),
}


@pytest.mark.parametrize("option", sorted(ONE_OPTION))
def test_create_invoice_with_one_option_keeps_the_rest_of_the_draft(
    db_url: str, option: str
) -> None:
    prepared = prepare_draft(db_url)
    before = fields_of(invoice(db_url, prepared.draft_id))
    args = option.format(bank=prepared.bank).split()
    invoke(db_url, "documenter", "create-invoice", prepared.reference, *args)
    issued = invoice(db_url, prepared.draft_id)
    assert issued.status == "issued"
    field, value = ONE_OPTION[option]
    expected = prepared.bank if value == "bank" else value
    assert fields_of(issued) == {**before, field: expected}


def test_create_invoice_without_options_issues_the_draft_as_prepared(db_url: str) -> None:
    prepared = prepare_draft(db_url)
    draft = invoice(db_url, prepared.draft_id)
    result = invoke(db_url, "documenter", "create-invoice", prepared.reference)
    issued = invoice(db_url, prepared.draft_id)
    assert fields_of(issued) == fields_of(draft)
    assert (issued.net, issued.vat, issued.gross) == (draft.net, draft.vat, draft.gross)
    assert issued.payment_terms_text == "Within 30 days."
    assert issued.issue_date is not None and issued.due_date is not None
    assert (issued.due_date - issued.issue_date).days == 21
    assert issued.number is not None and issued.number in result.stdout
    assert "Warning" not in result.stderr, "the firm gave its address, tax ID and bank account"


def test_create_invoice_warns_while_the_firms_details_are_missing(db_url: str) -> None:
    prepared = prepare_draft(db_url)
    with connected(db_url) as services:
        set_organisation(services, tax_id="", bank_account="", billing_address="")
    result = invoke(db_url, "documenter", "create-invoice", prepared.reference)
    assert "Warning: the firm's address, tax ID and bank account are missing" in result.stderr
    assert invoice(db_url, prepared.draft_id).status == "issued", "a warning, not a refusal"


def test_create_invoice_refuses_terms_and_no_terms_together(db_url: str) -> None:
    prepared = prepare_draft(db_url)
    before = db_snapshot(db_url)
    invoke(
        db_url,
        "documenter",
        "create-invoice",
        prepared.reference,
        "--terms",
        str(prepared.bank),
        "--no-terms",
        code=2,
    )
    assert db_snapshot(db_url) == before


def test_create_invoice_edits_nothing_when_issuing_is_refused(db_url: str) -> None:
    """Editing and issuing are one transaction: a refused issue keeps the draft as it was."""
    prepared = prepare_draft(db_url)
    before = db_snapshot(db_url)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    result = invoke(
        db_url,
        "documenter",
        "create-invoice",
        prepared.reference,
        "--commentary",
        "Never saved",
        "--issue-date",
        tomorrow,
        code=1,
    )
    assert "issue_date" in result.stderr
    assert db_snapshot(db_url) == before


# --- terms edit ---------------------------------------------------------------------------------


def terms_of(view: TermsView) -> dict[str, Any]:
    return {"name": view.name, "kind": view.kind, "body": view.body, "days": view.days}


def terms_view(url: str, terms_id: int) -> TermsView:
    with connected(url) as services:
        admin = services.auth.login(OWNER_EMAIL, OWNER_PASSWORD)
        return services.terms.get(admin, terms_id)


TERMS_OPTIONS = {
    "--name Net-30-2027": ("name", "Net-30-2027"),
    "--kind late_fee": ("kind", "late_fee"),
    "--body Pay-now.": ("body", "Pay-now."),
    "--days 45": ("days", 45),
    "--no-days": ("days", None),
}


@pytest.mark.parametrize("option", sorted(TERMS_OPTIONS))
def test_terms_edit_with_one_option_keeps_the_rest(db_url: str, option: str) -> None:
    with connected(db_url) as services:
        admin = make_firm(services)
        terms_id = services.terms.add(admin, NET_30).id
    log_in(db_url)
    before = terms_of(terms_view(db_url, terms_id))
    invoke(db_url, "terms", "edit", str(terms_id), *option.split())
    field, value = TERMS_OPTIONS[option]
    assert terms_of(terms_view(db_url, terms_id)) == {**before, field: value}


def test_terms_add_takes_the_due_days(db_url: str) -> None:
    with connected(db_url) as services:
        make_firm(services)
    log_in(db_url)
    args = ("terms", "add", "--name", "Net 14", "--kind", "standard", "--body", "14 days")
    invoke(db_url, *args, "--days", "14")
    assert "due in 14 days" in invoke(db_url, "terms", "list").stdout
    refused = invoke(db_url, "terms", "add", "--name", "Net X", "--kind", "standard", "--body",
                     "x", "--days", "x", code=1)  # fmt: skip
    assert "days" in refused.stderr


# --- invoice notice ---------------------------------------------------------------------------


def overdue_invoice(url: str) -> str:
    """An invoice issued 100 days ago, due 14 days later: more than 60 days overdue."""
    issued_on = date.today() - timedelta(days=100)
    with connected(url) as services:
        books, _admin = books_on(services)
        view = books.issued(20_000, issued_on)
    log_in(url)
    assert view.number is not None
    return view.number


def test_invoice_notice_is_cleared_only_by_clear(db_url: str) -> None:
    number = overdue_invoice(db_url)
    invoke(db_url, "invoice", "notice", number, "--days", "60")
    with connected(db_url) as services:
        admin = services.auth.login(OWNER_EMAIL, OWNER_PASSWORD)
        invoice_id = services.invoices.printer_list(admin)[0].id
    assert invoice(db_url, invoice_id).overdue_notice_days == 60
    left_out = invoke(db_url, "invoice", "notice", number, code=2)
    assert "--clear" in left_out.output
    invoke(db_url, "invoice", "notice", number, "--days", "90", "--clear", code=2)
    assert invoice(db_url, invoice_id).overdue_notice_days == 60
    assert "cleared" in invoke(db_url, "invoice", "notice", number, "--clear").stdout
    assert invoice(db_url, invoice_id).overdue_notice_days is None


# --- money typed with too many decimals -------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "amount"),
    [("invoice pay", "16.665"), ("invoice pay", "1.005"), ("payment record", "0.001")],
)
def test_sub_cent_amounts_are_refused_not_rounded(db_url: str, command: str, amount: str) -> None:
    number = overdue_invoice(db_url)
    before = db_snapshot(db_url)
    today = date.today().isoformat()
    args = (*command.split(), number, "--amount", amount, "--date", today)
    result = invoke(db_url, *args, code=1)
    assert f"amount: {amount} has more than 2 decimal places" in result.stderr
    assert db_snapshot(db_url) == before
    paid = invoke(db_url, *command.split(), number, "--amount", "16.66", "--date", today)
    assert "paid 16.66" in paid.stdout
