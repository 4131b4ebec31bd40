"""Payment-terms templates: the library's rules, and that issuing copies the text for good."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tektoro_tui.data import models as m
from tektoro_tui.errors import NotFound, PermissionDenied, ValidationError
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import DraftForm, InvoiceView, TermsForm
from tests.builders import bill
from tests.finance_world import World

STANDARD = TermsForm(name="Net 14", kind="standard", body="Pay within 14 days of the issue date.")


def problems(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    """The refused fields and their messages."""
    return {p.field: p.message for p in error.value.problems}


def draft_for(world: World, entry_id: int, terms_id: int | None) -> InvoiceView:
    """A draft invoice for Acme of one of Carl's approved March tickets, with ``terms_id``."""
    services, admin = world.services, world.admin
    draft = services.invoices.open_record(
        admin, bill(services, admin, [entry_id], client_id=world.acme_id)
    )
    return services.invoices.update_draft(admin, draft.id, DraftForm(payment_terms_id=terms_id))


def pdf_text(world: World, number: str, folder: Path) -> str:
    """The text of the invoice's rendered PDF, read back with pypdf."""
    path = world.services.invoices.render(world.admin, number, out=folder)
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def stored_terms_text(services: Services, invoice_id: int) -> str:
    """The payment-terms text frozen on the invoice row."""
    with services.db.read() as session:
        return str(
            session.execute(
                select(m.Invoice.payment_terms_text).where(m.Invoice.id == invoice_id)
            ).scalar_one()
        )


def test_add_list_get_edit_and_delete(services: Services, admin: Actor) -> None:
    late = services.terms.add(
        admin, TermsForm(name="  Late fees ", kind="LATE_FEE", body=" 1% a month after due. ")
    )
    net = services.terms.add(admin, STANDARD)
    assert (late.name, late.kind, late.body, late.used_on) == (
        "Late fees",
        "late_fee",
        "1% a month after due.",
        0,
    )
    assert late.kind_label == "Late-fee policy" and late.updated_at is None
    assert [t.name for t in services.terms.list(admin)] == ["Late fees", "Net 14"]

    edited = services.terms.edit(
        admin, net.id, TermsForm(name="Net 30", kind="instructions", body="IBAN PL61 1090")
    )
    assert (edited.name, edited.kind, edited.body) == ("Net 30", "instructions", "IBAN PL61 1090")
    assert edited.updated_at is not None
    assert services.terms.get(admin, net.id) == edited

    services.terms.delete(admin, net.id)
    assert [t.id for t in services.terms.list(admin)] == [late.id]
    with pytest.raises(NotFound):
        services.terms.get(admin, net.id)
    with pytest.raises(NotFound):
        services.terms.edit(admin, net.id, STANDARD)
    with pytest.raises(NotFound):
        services.terms.delete(admin, net.id)
    with services.db.read() as session:  # a soft delete: the row stays for issued invoices
        row = session.get(m.PaymentTermsTemplate, net.id)
        assert row is not None and row.is_deleted and row.body == "IBAN PL61 1090"
    # The name of a deleted template is free again.
    assert services.terms.add(admin, TermsForm("net 30", "standard", "Again")).name == "net 30"


def test_every_bad_field_is_named_and_nothing_is_written(services: Services, admin: Actor) -> None:
    services.terms.add(admin, STANDARD)
    with pytest.raises(ValidationError) as blank:
        services.terms.add(admin, TermsForm(name=" ", kind="weekly", body=""))
    assert set(problems(blank)) == {"name", "kind", "body"}
    assert "standard, instructions, late_fee" in problems(blank)["kind"]

    with pytest.raises(ValidationError) as taken:
        services.terms.add(admin, TermsForm(name="NET 14", kind="standard", body="x" * 4001))
    found = problems(taken)
    assert "already exists" in found["name"] and "4000" in found["body"]
    assert len(services.terms.list(admin)) == 1
    # 4000 characters are fine; renaming a template to its own name (another case) too.
    (only,) = services.terms.list(admin)
    kept = services.terms.edit(admin, only.id, TermsForm("net 14", "standard", "y" * 4000))
    assert kept.name == "net 14" and len(kept.body) == 4000
    other = services.terms.add(admin, TermsForm("Other", "standard", "z"))
    with pytest.raises(ValidationError) as clash:
        services.terms.edit(admin, other.id, TermsForm("Net 14", "standard", "z"))
    assert set(problems(clash)) == {"name"}
    assert services.terms.get(admin, other.id).name == "Other"


def test_who_may_read_and_who_may_manage(world: World) -> None:
    services = world.services
    template = services.terms.add(world.admin, STANDARD)
    # Accountants (see all invoices) and managers (Documenter) read the library ...
    assert [t.id for t in services.terms.list(world.accountant)] == [template.id]
    assert services.terms.get(world.manager, template.id).name == "Net 14"
    # ... but only administrators change it; staff and clients do not even read it.
    for actor in (world.accountant, world.manager, world.carl, world.cleo):
        with pytest.raises(PermissionDenied):
            services.terms.add(actor, TermsForm("Mine", "standard", "text"))
        with pytest.raises(PermissionDenied):
            services.terms.edit(actor, template.id, STANDARD)
        with pytest.raises(PermissionDenied):
            services.terms.delete(actor, template.id)
    for actor in (world.carl, world.cleo):
        with pytest.raises(PermissionDenied):
            services.terms.list(actor)
    assert services.terms.get(world.admin, template.id).body == STANDARD.body


def test_issued_invoices_keep_their_copy_of_the_text(world: World, tmp_path: Path) -> None:
    services, admin = world.services, world.admin
    first_text = "Pay within 14 days to IBAN PL61."
    edited_text = "Pay within 30 days to IBAN DE89."
    template = services.terms.add(admin, TermsForm("Bank transfer", "instructions", first_text))
    early, later = world.carl_march["approved"]

    issued = services.invoices.issue(admin, draft_for(world, early, template.id).id)
    draft = draft_for(world, later, template.id)
    assert issued.payment_terms_text == first_text and issued.number is not None
    assert first_text in pdf_text(world, issued.number, tmp_path)
    assert services.terms.get(admin, template.id).used_on == 1  # the draft does not count

    services.terms.edit(admin, template.id, TermsForm("Bank transfer", "instructions", edited_text))
    assert stored_terms_text(services, issued.id) == first_text
    text = pdf_text(world, issued.number, tmp_path)
    assert first_text in text and edited_text not in text

    # The draft picks up the edited text when it is issued.
    second = services.invoices.issue(admin, draft.id)
    assert second.payment_terms_text == edited_text and second.number is not None
    assert edited_text in pdf_text(world, second.number, tmp_path)
    assert services.terms.get(admin, template.id).used_on == 2
    assert (template.id, "Bank transfer") in services.invoices.payment_terms_options(admin)

    services.terms.delete(admin, template.id)
    assert stored_terms_text(services, issued.id) == first_text
    assert stored_terms_text(services, second.id) == edited_text
    assert first_text in pdf_text(world, issued.number, tmp_path)
    assert edited_text in pdf_text(world, second.number, tmp_path)
    assert services.invoices.get(admin, second.id).payment_terms_id == template.id
    # The Documenter no longer offers it.
    assert all(ident != template.id for ident, _ in services.invoices.payment_terms_options(admin))


def test_deleting_a_template_clears_it_from_drafts(world: World) -> None:
    services, admin = world.services, world.admin
    template = services.terms.add(admin, STANDARD)
    spare = services.terms.add(admin, TermsForm("Spare", "standard", "Spare text"))
    draft = draft_for(world, world.carl_march["approved"][0], template.id)
    services.terms.delete(admin, template.id)
    assert services.invoices.get(admin, draft.id).payment_terms_id is None
    with pytest.raises(ValidationError) as gone:
        services.invoices.update_draft(admin, draft.id, DraftForm(payment_terms_id=template.id))
    assert set(problems(gone)) == {"payment_terms_id"}
    assert services.invoices.issue(admin, draft.id).payment_terms_text == ""
    assert services.terms.get(admin, spare.id).used_on == 0
