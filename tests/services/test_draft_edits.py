"""A field given changes only what it names: drafts, payment terms, settings, users, presets.

Each test prepares a record with every field set, changes one field, and compares every other
field before and after. Issuing a record with options is one transaction, and its dry run
writes nothing.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tektoro_tui.data import models as m
from tektoro_tui.domain.validation import UNCHANGED, Form, keep_unchanged
from tektoro_tui.errors import ValidationError
from tektoro_tui.services.administration.presets import (
    ActivityForm,
    CompanyForm,
    ProjectForm,
    RateCodeForm,
    TaskForm,
)
from tektoro_tui.services.administration.settings import SettingsForm, settings_form_of
from tektoro_tui.services.administration.users import UserForm
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import DraftForm, InvoiceView, TermsForm, TermsView
from tests.builders import add_job
from tests.db_snapshot import db_snapshot
from tests.services.test_invoices import TODAY, Books, make_books, two_line_record

NET_30 = TermsForm(name="Net 30", kind="standard", body="Pay within 30 days.", days="30")
PREPARED = DraftForm(
    commentary="Phase 1",
    attached_text="Site report attached.",
    markup_percent="10",
    markup_on_whole=True,
    due_days="21",
    vat_rate="8",
)


@pytest.fixture
def books(services: Services, admin: Actor) -> Books:
    """The firm the invoice tests work in."""
    return make_books(services, admin)


def fields_of(view: InvoiceView) -> dict[str, Any]:
    """A draft's editable fields as the Documenter shows them."""
    return dataclasses.asdict(DraftForm.of(view, 2300))


def terms(books: Books, form: TermsForm = NET_30) -> TermsView:
    return books.services.terms.add(books.admin, form)


def prepared_draft(books: Books) -> InvoiceView:
    """A draft with every field set away from the defaults, as prepared in the Documenter."""
    chosen = terms(books)
    draft = books.invoices.open_record(books.admin, two_line_record(books))
    form = dataclasses.replace(PREPARED, payment_terms_id=chosen.id)
    return books.invoices.update_draft(books.admin, draft.id, form)


def audit_count(books: Books) -> int:
    with books.services.db.read() as session:
        return int(session.execute(select(func.count()).select_from(m.AuditEvent)).scalar_one())


# --- the one mechanism --------------------------------------------------------------------------


def test_keep_unchanged_takes_only_the_fields_given() -> None:
    current = DraftForm(
        commentary="a",
        attached_text="b",
        markup_percent="5",
        markup_on_whole=False,
        payment_terms_id=3,
        due_days="14",
        vat_rate="23",
    )
    assert keep_unchanged(DraftForm(), current) == current
    assert keep_unchanged(DraftForm(payment_terms_id=None), current) == dataclasses.replace(
        current, payment_terms_id=None
    )
    assert DraftForm().commentary is UNCHANGED


# --- drafts -------------------------------------------------------------------------------------


OTHER_VALUES = {
    "commentary": "Phase 2",
    "attached_text": "",
    "markup_percent": "0",
    "markup_on_whole": False,
    "due_days": "45",
    "vat_rate": "23",
    "payment_terms_id": None,
}


@pytest.mark.parametrize("field", sorted(OTHER_VALUES))
def test_a_draft_field_given_changes_only_that_field(books: Books, field: str) -> None:
    before = prepared_draft(books)
    after = books.invoices.update_draft(
        books.admin, before.id, DraftForm(**{field: OTHER_VALUES[field]})
    )
    old, new = fields_of(before), fields_of(after)
    assert new[field] != old[field]
    assert {k: v for k, v in new.items() if k != field} == {
        k: v for k, v in old.items() if k != field
    }


def test_an_empty_draft_form_changes_nothing(books: Books) -> None:
    before = prepared_draft(books)
    after = books.invoices.update_draft(books.admin, before.id, DraftForm())
    assert fields_of(after) == fields_of(before)
    assert (after.net, after.vat, after.gross) == (before.net, before.vat, before.gross)


def test_issuing_a_record_with_one_option_keeps_everything_else(books: Books) -> None:
    """The bookkeeper's case: a draft prepared in the Documenter, issued from the CLI with a
    commentary, is issued with its markup, VAT rate, due days and payment terms."""
    before = prepared_draft(books)
    issued = books.invoices.issue_record(
        books.admin, before.document_id or 0, DraftForm(commentary="Final phase")
    )
    assert issued.status == "issued" and issued.number == "INV/2026/00001"
    assert fields_of(issued) == {**fields_of(before), "commentary": "Final phase"}
    assert (issued.markup_bp, issued.markup_on_whole, issued.due_days) == (1_000, True, 21)
    assert issued.due_date == TODAY + timedelta(days=21)
    assert issued.payment_terms_text == "Pay within 30 days."
    assert {line.vat_bp for line in issued.lines if line.kind == "time"} == {800}
    assert issued.gross == before.gross


def test_issuing_a_record_edits_and_issues_in_one_transaction(books: Books) -> None:
    before = prepared_draft(books)
    events = audit_count(books)
    with pytest.raises(ValidationError) as caught:
        books.invoices.issue_record(
            books.admin,
            before.document_id or 0,
            DraftForm(commentary="Never saved"),
            issue_date=TODAY + timedelta(days=1),
        )
    assert [p.field for p in caught.value.problems] == ["issue_date"]
    after = books.invoices.get(books.admin, before.id)
    assert after.status == "draft" and after.commentary == "Phase 1"
    assert audit_count(books) == events


def test_a_record_without_a_draft_is_issued_with_the_firm_defaults(books: Books) -> None:
    record = two_line_record(books)
    issued = books.invoices.issue_record(books.admin, record, DraftForm(vat_rate="8"))
    assert issued.status == "issued" and issued.due_days == 14
    assert {line.vat_bp for line in issued.lines if line.kind == "time"} == {800}


def test_a_dry_run_checks_everything_and_writes_nothing(books: Books, db_url: str) -> None:
    before = prepared_draft(books)
    fresh = two_line_record(books)
    snapshot = db_snapshot(db_url)
    would = books.invoices.issue_record(
        books.admin, before.document_id or 0, DraftForm(commentary="X"), dry_run=True
    )
    assert would.number == "INV/2026/00001" and would.commentary == "X"
    new = books.invoices.issue_record(books.admin, fresh, DraftForm(), dry_run=True)
    assert new.number == "INV/2026/00001" and new.status == "issued"
    with pytest.raises(ValidationError) as caught:
        books.invoices.issue_record(
            books.admin, fresh, DraftForm(commentary="X"), issue_date="2026-02-30", dry_run=True
        )
    assert [p.field for p in caught.value.problems] == ["issue_date"]
    assert db_snapshot(db_url) == snapshot
    issued = books.invoices.issue_record(books.admin, fresh, DraftForm())
    assert issued.number == "INV/2026/00001"  # the dry runs took no number


# --- payment terms and their due days ----------------------------------------------------------


def test_choosing_terms_sets_the_draft_due_days(books: Books) -> None:
    net_30 = terms(books)
    instructions = terms(
        books, TermsForm(name="Bank details", kind="instructions", body="IBAN …", days="")
    )
    draft = books.invoices.open_record(books.admin, two_line_record(books))
    assert draft.due_days == 14 and draft.payment_terms_id is None
    chosen = books.invoices.update_draft(
        books.admin, draft.id, DraftForm(payment_terms_id=net_30.id)
    )
    assert (chosen.payment_terms_id, chosen.due_days) == (net_30.id, 30)
    # terms that set no deadline leave the due days as they are
    other = books.invoices.update_draft(
        books.admin, draft.id, DraftForm(payment_terms_id=instructions.id)
    )
    assert (other.payment_terms_id, other.due_days) == (instructions.id, 30)
    # due days given with the terms win; given alone they override the terms' days
    both = books.invoices.update_draft(
        books.admin, draft.id, DraftForm(payment_terms_id=net_30.id, due_days="10")
    )
    assert (both.payment_terms_id, both.due_days) == (net_30.id, 10)
    # the TUI gives every field: the unchanged due days do not stop the terms from setting them
    tui = dataclasses.replace(DraftForm.of(both, 2300), payment_terms_id=instructions.id)
    tui = books.invoices.update_draft(books.admin, draft.id, tui)
    tui = dataclasses.replace(DraftForm.of(tui, 2300), payment_terms_id=net_30.id)
    assert books.invoices.update_draft(books.admin, draft.id, tui).due_days == 30
    # blank due days: the terms' days
    blank = books.invoices.update_draft(books.admin, draft.id, DraftForm(due_days=""))
    assert blank.due_days == 30
    cleared = books.invoices.update_draft(books.admin, draft.id, DraftForm(payment_terms_id=None))
    assert (cleared.payment_terms_id, cleared.due_days) == (None, 30)
    assert books.invoices.update_draft(books.admin, draft.id, DraftForm(due_days="")).due_days == 14


def test_a_new_draft_gets_the_firm_default_terms(books: Books) -> None:
    net_30 = terms(books)
    settings = books.services.settings
    settings.update(books.admin, SettingsForm(default_payment_terms_id=net_30.id))
    assert settings.get(books.admin).default_payment_terms_id == net_30.id
    draft = books.invoices.open_record(books.admin, two_line_record(books))
    assert (draft.payment_terms_id, draft.due_days) == (net_30.id, 30)
    issued = books.invoices.issue(books.admin, draft.id)
    assert issued.due_date == TODAY + timedelta(days=30)
    assert issued.payment_terms_text == "Pay within 30 days."
    # deleting the default terms leaves the firm without default terms
    books.services.terms.delete(books.admin, net_30.id)
    assert settings.get(books.admin).default_payment_terms_id is None
    again = books.invoices.open_record(books.admin, two_line_record(books))
    assert (again.payment_terms_id, again.due_days) == (None, 14)


def test_default_terms_must_exist(books: Books) -> None:
    with pytest.raises(ValidationError) as caught:
        books.services.settings.update(books.admin, SettingsForm(default_payment_terms_id=999))
    assert [p.field for p in caught.value.problems] == ["default_payment_terms_id"]


def test_terms_days_are_checked(books: Books) -> None:
    with pytest.raises(ValidationError) as caught:
        terms(books, dataclasses.replace(NET_30, days="400"))
    assert [p.field for p in caught.value.problems] == ["days"]
    assert terms(books).days == 30


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Net 30 (2027)"), ("kind", "late_fee"), ("body", "New text."), ("days", "")],
)
def test_a_terms_field_given_changes_only_that_field(books: Books, field: str, value: str) -> None:
    before = terms(books)
    after = books.services.terms.edit(books.admin, before.id, TermsForm(**{field: value}))
    old = {"name": before.name, "kind": before.kind, "body": before.body, "days": before.days}
    new = {"name": after.name, "kind": after.kind, "body": after.body, "days": after.days}
    assert new[field] != old[field]
    assert {k: v for k, v in new.items() if k != field} == {
        k: v for k, v in old.items() if k != field
    }


# --- settings -----------------------------------------------------------------------------------


def test_a_setting_given_changes_only_that_setting(books: Books) -> None:
    settings = books.services.settings
    prepared = dataclasses.replace(
        settings.form_for(settings.get(books.admin)),
        currency="PLN",
        default_vat="8",
        payment_deadline_days="30",
        timezone="Europe/Warsaw",
        invoice_footer="Old footer",
        period_lock_date="2026-01-31",
    )
    settings.update(books.admin, prepared)
    before = settings_form_of(settings.get(books.admin))
    settings.update(books.admin, SettingsForm(invoice_footer="Thank you."))
    after = settings_form_of(settings.get(books.admin))
    assert after == dataclasses.replace(before, invoice_footer="Thank you.")
    assert after.period_lock_date == "2026-01-31" and after.currency == "PLN"


def test_a_form_left_incomplete_is_a_programming_error() -> None:
    """A service that forgot keep_unchanged fails loudly instead of saving a default."""
    with pytest.raises(TypeError, match="keep_unchanged"):
        Form().text("commentary", DraftForm().commentary)


# --- users and code presets ---------------------------------------------------------------------


def user_fields(services: Services, admin: Actor, user_id: int) -> dict[str, Any]:
    view = services.users.get_user(admin, user_id)
    return {
        "name": view.name,
        "email": view.email,
        "role": view.role.value,
        "supervisor_id": view.supervisor_id,
        "company_id": view.company_id,
        "pay_rate": view.pay_rate,
        "is_active": view.is_active,
    }


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("name", "Ann Nowak", "Ann Nowak"),
        ("email", "ann.nowak@example.com", "ann.nowak@example.com"),
        ("role", "manager", "manager"),
        ("pay_rate", "45.50", None),
        ("supervisor_id", None, None),
    ],
)
def test_a_user_field_given_changes_only_that_field(
    services: Services, admin: Actor, field: str, value: Any, shown: Any
) -> None:
    ann = services.users.create_user(
        admin,
        UserForm(
            name="Ann Żak",
            email="ann@example.com",
            role="accountant",
            supervisor_id=admin.user_id,
            pay_rate="30",
            password="pass-1234-word",
        ),
    )
    before = user_fields(services, admin, ann.id)
    services.users.update_user(admin, ann.id, UserForm(**{field: value}))
    after = user_fields(services, admin, ann.id)
    assert after[field] != before[field]
    if shown is not None:
        assert after[field] == shown
    assert {k: v for k, v in after.items() if k != field} == {
        k: v for k, v in before.items() if k != field
    }
    assert services.auth.login("ann.nowak@example.com" if field == "email" else "ann@example.com",
                               "pass-1234-word").user_id == ann.id  # fmt: skip


def test_a_project_field_given_changes_only_that_field(services: Services, admin: Actor) -> None:
    presets = services.presets
    client = presets.save_company(admin, CompanyForm(name="Acme", tax_id="PL1", email="a@acme.pl"))
    project = presets.save_project(
        admin,
        ProjectForm(
            name="Hall",
            client_id=client.id,
            code="H-1",
            valuation="fixed",
            contract_amount="120000.50",
            progress_pct="40",
            start_date="2026-01-05",
            end_date="2026-06-30",
        ),
    )
    renamed = presets.save_project(admin, ProjectForm(name="Hall B"), project.id)
    assert renamed == dataclasses.replace(project, name="Hall B", version=project.version + 1)
    done = presets.save_project(admin, ProjectForm(status="completed"), project.id)
    assert done == dataclasses.replace(renamed, status="completed", version=renamed.version + 1)
    moved = presets.save_company(admin, CompanyForm(phone="+48 58 000"), client.id)
    assert (moved.name, moved.tax_id, moved.email, moved.kind, moved.phone) == (
        "Acme",
        "PL1",
        "a@acme.pl",
        "client",
        "+48 58 000",
    )


def test_a_rate_task_or_activity_field_given_changes_only_that_field(
    services: Services, admin: Actor
) -> None:
    presets = services.presets
    rate = presets.save_rate_code(admin, RateCodeForm(name="Senior", hourly_rate="97.50"))
    assert presets.save_rate_code(admin, RateCodeForm(name="Lead"), rate.id) == (
        dataclasses.replace(rate, name="Lead", version=rate.version + 1)
    )
    design = presets.save_activity(admin, ActivityForm(name="Design", billable_default=False))
    assert presets.save_activity(admin, ActivityForm(name="Drawing"), design.id) == (
        dataclasses.replace(design, name="Drawing", version=design.version + 1)
    )
    job = add_job(services, admin, "Acme", "Roof", "Survey")
    task = presets.save_task(admin, TaskForm(is_active=False), job.task_id)
    assert (task.name, task.project_id, task.is_active) == ("Survey", job.project_id, False)
