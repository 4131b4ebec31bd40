"""The compliance document register: who may keep it, what it accepts, what it reports.

The clock stands at 2026-03-10, so a document expiring by 2026-04-09 (30 days on) is
"expiring", one that expired before 2026-03-10 is "expired".
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tektoro_tui.data import models as m
from tektoro_tui.errors import NotFound, PermissionDenied, ValidationError
from tektoro_tui.services.base import Actor
from tektoro_tui.services.contractor_invoices.compliance import document_state
from tektoro_tui.services.contractor_invoices.views import ContractorDocumentForm
from tektoro_tui.services.hub import Services
from tests.finance_world import World

ALL_REQUIRED = ("contract", "tax_form", "insurance")


def add(world: World, who: Actor, doc_type: str, expires: str = "", path: str = "") -> int:
    """Register a document for ``who`` as the administrator."""
    form = ContractorDocumentForm(str(who.user_id), doc_type, file_path=path, expires_on=expires)
    return world.services.compliance.add(world.admin, form).id


def audit_count(services: Services) -> int:
    """Audit events about the register."""
    with services.db.read() as session:
        return int(
            session.execute(
                select(func.count(m.AuditEvent.id)).where(
                    m.AuditEvent.entity == "contractor_document"
                )
            ).scalar_one()
        )


def test_states_around_the_warning_window() -> None:
    today = date(2026, 3, 10)
    assert document_state(None, today) == "valid"
    assert document_state(date(2026, 3, 9), today) == "expired"
    assert document_state(date(2026, 3, 10), today) == "expiring"  # valid through today
    assert document_state(date(2026, 4, 9), today) == "expiring"  # 30 days on
    assert document_state(date(2026, 4, 10), today) == "valid"  # 31 days on


def test_overview_lists_missing_expired_and_expiring(world: World) -> None:
    services = world.services
    rows = services.compliance.overview(world.admin)
    # contractors: the two staff members; the owner, manager, accountant and clients are not
    assert [(r.user_name, r.missing, r.compliant) for r in rows] == [
        ("Carl Contractor", ALL_REQUIRED, False),
        ("Dora Developer", ALL_REQUIRED, False),
    ]
    add(world, world.carl, "contract", path="/docs/carl/contract.pdf")
    add(world, world.carl, "tax_form", "2026-03-20")  # 10 days on: expiring
    add(world, world.carl, "insurance", "2026-03-01")  # expired
    add(world, world.carl, "nda", "2026-02-28")  # expired, not required
    carl, dora = services.compliance.overview(world.admin)
    assert carl.missing == ()  # an expired insurance is on file: expired, not also missing
    assert carl.expired == ("insurance", "nda")
    assert carl.expiring == ("tax_form",)
    assert not carl.compliant
    assert dora.missing == ALL_REQUIRED and dora.expired == () and dora.expiring == ()

    add(world, world.carl, "insurance", "2027-01-01")  # a new certificate replaces it
    carl, _ = services.compliance.overview(world.admin)
    assert carl.missing == () and carl.expired == ("nda",) and carl.expiring == ("tax_form",)
    assert not carl.compliant  # the expired NDA, though not required, is still expired
    # seen on 2027-01-02 everything with a date has expired
    later, _ = services.compliance.overview(world.admin, as_of=date(2027, 1, 2))
    assert later.missing == () and not later.compliant
    assert later.expired == ("tax_form", "insurance", "nda")


def test_only_problems_leaves_out_compliant_contractors(world: World) -> None:
    services = world.services
    for doc_type in ALL_REQUIRED:
        add(world, world.carl, doc_type, "2027-06-30")
    rows = services.compliance.overview(world.admin, only_problems=True)
    assert [r.user_name for r in rows] == ["Dora Developer"]
    (carl, _dora) = services.compliance.overview(world.admin)
    assert carl.compliant and carl.missing == carl.expired == carl.expiring == ()


def test_documents_with_their_state(world: World) -> None:
    services = world.services
    add(world, world.carl, "insurance", "2026-03-01", "/scans/ins.pdf")
    add(world, world.carl, "contract")
    add(world, world.dora, "tax_form", "2026-04-01")
    listed = services.compliance.documents(world.admin)
    assert [(d.user_name, d.doc_type, d.state) for d in listed] == [
        ("Carl Contractor", "contract", "valid"),
        ("Carl Contractor", "insurance", "expired"),
        ("Dora Developer", "tax_form", "expiring"),
    ]
    assert listed[1].file_path == "/scans/ins.pdf"
    assert listed[1].expires_on == date(2026, 3, 1)
    only_dora = services.compliance.documents(world.admin, user_id=world.dora.user_id)
    assert [d.doc_type for d in only_dora] == ["tax_form"]
    # on 2026-02-15 the insurance (03-01) is 14 days from expiry, the tax form (04-01) 45
    seen_earlier = services.compliance.documents(world.admin, as_of=date(2026, 2, 15))
    assert [d.state for d in seen_earlier] == ["valid", "expiring", "valid"]


def test_a_contractor_lists_only_their_own_documents(world: World) -> None:
    services = world.services
    add(world, world.carl, "contract")
    add(world, world.dora, "contract")
    own = services.compliance.documents(world.carl)
    assert [d.user_id for d in own] == [world.carl.user_id]
    assert services.compliance.documents(world.carl, user_id=world.carl.user_id) == own
    with pytest.raises(PermissionDenied):
        services.compliance.documents(world.carl, user_id=world.dora.user_id)


def test_only_administrators_keep_the_register(world: World) -> None:
    services = world.services
    doc = add(world, world.carl, "contract")
    form = ContractorDocumentForm(str(world.carl.user_id), "tax_form")
    for who in (world.carl, world.manager, world.accountant, world.cleo):
        with pytest.raises(PermissionDenied):
            services.compliance.add(who, form)
        with pytest.raises(PermissionDenied):
            services.compliance.edit(who, doc, form)
        with pytest.raises(PermissionDenied):
            services.compliance.delete(who, doc)
        with pytest.raises(PermissionDenied):
            services.compliance.overview(who)
    assert len(services.compliance.documents(world.admin)) == 1


def test_bad_input_names_every_field_and_writes_nothing(world: World) -> None:
    services = world.services
    form = ContractorDocumentForm(
        contractor=str(world.cleo.user_id),
        doc_type="passport",
        file_path="x" * 501,
        expires_on="someday",
    )
    with pytest.raises(ValidationError) as caught:
        services.compliance.add(world.admin, form)
    assert {p.field for p in caught.value.problems} == {"contractor", "type", "file", "expires"}
    assert "client" in str(caught.value)
    with pytest.raises(ValidationError) as unknown:
        services.compliance.add(
            world.admin, ContractorDocumentForm("nobody@example.com", "contract")
        )
    assert [p.field for p in unknown.value.problems] == ["contractor"]
    assert services.compliance.documents(world.admin) == ()
    assert audit_count(services) == 0


def test_contractor_by_email_and_type_in_capitals(world: World) -> None:
    view = world.services.compliance.add(
        world.admin, ContractorDocumentForm("Carl@Example.com", " Insurance ", "", "2026-05-01")
    )
    assert (view.user_id, view.doc_type, view.state) == (world.carl.user_id, "insurance", "valid")


def test_edit_and_delete_are_audited(world: World) -> None:
    services = world.services
    doc = add(world, world.carl, "insurance", "2026-03-01")
    assert audit_count(services) == 1
    edited = services.compliance.edit(
        world.admin,
        doc,
        ContractorDocumentForm(str(world.carl.user_id), "insurance", "/scans/new.pdf", ""),
    )
    assert edited.expires_on is None and edited.state == "valid"
    assert edited.file_path == "/scans/new.pdf"
    assert audit_count(services) == 2
    services.compliance.delete(world.admin, doc)
    assert services.compliance.documents(world.admin) == ()
    with services.db.read() as session:
        actions = list(
            session.execute(
                select(m.AuditEvent.action)
                .where(m.AuditEvent.entity == "contractor_document")
                .order_by(m.AuditEvent.id)
            ).scalars()
        )
    assert actions == ["compliance.add", "compliance.edit", "compliance.delete"]
    with pytest.raises(NotFound):
        services.compliance.delete(world.admin, doc)
    with pytest.raises(NotFound):
        services.compliance.edit(
            world.admin, doc, ContractorDocumentForm(str(world.carl.user_id), "contract")
        )
