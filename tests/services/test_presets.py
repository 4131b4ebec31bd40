"""Code presets and the rule that time cards need all five."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tektoro_tui.data import models as m
from tektoro_tui.errors import PermissionDenied, ValidationError
from tektoro_tui.services.administration.presets import (
    ActivityForm,
    CompanyForm,
    ContactForm,
    PresetsMissing,
    ProjectForm,
    RateCodeForm,
    TaskForm,
)
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tests.builders import join


def test_time_cards_wait_for_every_preset(services: Services, admin: Actor) -> None:
    with pytest.raises(PresetsMissing) as caught:
        services.presets.require_presets()
    assert "Clients, Projects, Tasks, Activities, Rate codes" in caught.value.message
    client = services.presets.save_company(admin, CompanyForm(name="Acme"))
    project = services.presets.save_project(admin, ProjectForm(name="Roof", client_id=client.id))
    services.presets.save_task(admin, TaskForm(project_id=project.id, name="Survey"))
    services.presets.save_activity(admin, ActivityForm(name="Design"))
    assert services.presets.missing_presets() == ["Rate codes"]
    rate = services.presets.save_rate_code(admin, RateCodeForm(name="Senior", hourly_rate="95.00"))
    services.presets.require_presets()
    services.presets.set_active(admin, "rate_code", rate.id, False)
    assert services.presets.missing_presets() == ["Rate codes"]


def test_project_form_reports_every_problem(services: Services, admin: Actor) -> None:
    with pytest.raises(ValidationError) as caught:
        services.presets.save_project(
            admin,
            ProjectForm(
                name="",
                client_id=999,
                valuation="fixed",
                progress_pct="140",
                start_date="2026-05-01",
                end_date="2026-04-01",
            ),
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {"name", "client_id", "contract_amount", "progress_pct", "end_date"}
    with services.db.read() as session:
        assert session.execute(select(m.Project)).first() is None


def test_fixed_project_keeps_its_contract_amount_in_cents(services: Services, admin: Actor) -> None:
    client = services.presets.save_company(admin, CompanyForm(name="Acme", tax_id="PL123"))
    project = services.presets.save_project(
        admin,
        ProjectForm(
            name="Hall", client_id=client.id, valuation="fixed", contract_amount="120 000,50"
        ),
    )
    assert project.contract_amount is not None and project.contract_amount.cents == 12_000_050
    assert project.client_name == "Acme"
    edited = services.presets.save_project(
        admin,
        ProjectForm(name="Hall B", client_id=client.id, valuation="fixed", contract_amount="1000"),
        project.id,
    )
    assert edited.id == project.id and edited.name == "Hall B"


def test_contacts_belong_to_companies(services: Services, admin: Actor) -> None:
    sub = services.presets.save_company(admin, CompanyForm(name="Bricks Ltd", kind="subcontractor"))
    services.presets.save_contact(
        admin, ContactForm(company_id=sub.id, name="Fred Foreman", position="foreman")
    )
    assert [c.name for c in services.presets.list_contacts(admin, sub.id)] == ["Fred Foreman"]
    assert services.presets.list_companies(admin, "client").items == ()
    assert [c.name for c in services.presets.list_companies(admin, None).items] == ["Bricks Ltd"]


def test_rate_code_list_pages_and_searches(services: Services, admin: Actor) -> None:
    for name in ["Junior", "Senior", "Principal", "Site visit"]:
        services.presets.save_rate_code(admin, RateCodeForm(name=name, hourly_rate="60"))
    first = services.presets.list_rate_codes(admin, limit=2)
    assert [r.name for r in first.items] == ["Junior", "Principal"]
    second = services.presets.list_rate_codes(admin, after=first.next_after, limit=2)
    assert [r.name for r in second.items] == ["Senior", "Site visit"] and second.next_after is None
    assert [r.name for r in services.presets.list_rate_codes(admin, search="sen").items] == [
        "Senior"
    ]


def test_staff_may_view_but_not_change_presets(services: Services, admin: Actor) -> None:
    ann = join(services, admin, "ann@example.com", "Ann")
    services.presets.save_activity(admin, ActivityForm(name="Design"))
    assert [a.name for a in services.presets.list_activities(ann).items] == ["Design"]
    with pytest.raises(PermissionDenied):
        services.presets.save_activity(ann, ActivityForm(name="Hack"))


def test_every_write_is_audited_with_before_and_after(services: Services, admin: Actor) -> None:
    rate = services.presets.save_rate_code(admin, RateCodeForm(name="Senior", hourly_rate="95"))
    services.presets.save_rate_code(admin, RateCodeForm(name="Senior", hourly_rate="99"), rate.id)
    with services.db.read() as session:
        events = (
            session.execute(
                select(m.AuditEvent)
                .where(m.AuditEvent.entity == "rate_code")
                .order_by(m.AuditEvent.id)
            )
            .scalars()
            .all()
        )
    assert [e.action for e in events] == ["rate_code.create", "rate_code.update"]
    assert '"hourly_rate_cents":9500' in events[1].before_json
    assert '"hourly_rate_cents":9900' in events[1].after_json
    assert events[1].prev_hash == events[0].hash
