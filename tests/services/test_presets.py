"""Code presets and the rule that time cards need all five."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

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

NOW = datetime(2026, 3, 10, tzinfo=UTC)


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


def _problem(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {p.field: p.message for p in caught.value.problems}


def test_names_and_codes_are_unique_per_preset_whatever_their_case(
    services: Services, admin: Actor
) -> None:
    presets = services.presets
    acme = presets.save_company(admin, CompanyForm(name="Brücke AG"))
    with pytest.raises(ValidationError) as caught:
        presets.save_company(admin, CompanyForm(name="  BRÜCKE   ag "))
    assert _problem(caught) == {"name": "another client is already called 'BRÜCKE ag'"}
    presets.save_company(admin, CompanyForm(name="brücke ag", kind="supplier"))  # other kind
    roof = presets.save_project(admin, ProjectForm(name="Roof", client_id=acme.id, code="R-1"))
    with pytest.raises(ValidationError) as caught:
        presets.save_project(admin, ProjectForm(name="ROOF", client_id=acme.id, code="r-1"))
    assert _problem(caught) == {
        "name": "this client already has a project called 'ROOF'",
        "code": "another project has the code 'r-1'",
    }
    other = presets.save_company(admin, CompanyForm(name="Globex"))
    presets.save_project(admin, ProjectForm(name="Roof", client_id=other.id))  # another client
    presets.save_project(admin, ProjectForm(name="Hall", client_id=other.id))  # no code: fine
    presets.save_task(admin, TaskForm(project_id=roof.id, name="Prüfung"))
    with pytest.raises(ValidationError) as caught:
        presets.save_task(admin, TaskForm(project_id=roof.id, name="PRÜFUNG"))
    assert _problem(caught) == {"name": "this project already has a task called 'PRÜFUNG'"}
    presets.save_activity(admin, ActivityForm(name="Design"))
    with pytest.raises(ValidationError):
        presets.save_activity(admin, ActivityForm(name="design"))
    presets.save_rate_code(admin, RateCodeForm(name="Senior", hourly_rate="95"))
    with pytest.raises(ValidationError):
        presets.save_rate_code(admin, RateCodeForm(name="SENIOR", hourly_rate="90"))
    renamed = presets.save_project(
        admin, ProjectForm(name="roof", client_id=acme.id, code="R-1"), roof.id
    )
    assert (renamed.name, renamed.code) == ("roof", "R-1")  # a row may keep its own name
    with services.db.read() as session:
        assert session.execute(select(func.count()).select_from(m.Activity)).scalar_one() == 1


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (lambda ids: m.Activity(name=" DESIGN"), "name"),
        (lambda ids: m.Company(name="acme", kind="client", created_at=NOW), "name"),
        (lambda ids: m.Project(name="x", code="r-1 ", client_id=ids[0], created_at=NOW), "code"),
        (lambda ids: m.Task(name="survey", project_id=ids[1]), "name"),
        (
            lambda ids: m.UserAccount(
                email="OWNER@example.com",
                email_key="owner@example.com",
                name="x",
                role="staff",
                created_at=NOW,
            ),
            "email",
        ),
    ],
)
def test_the_database_itself_refuses_a_duplicate_in_words(
    services: Services, admin: Actor, row: Any, field: str
) -> None:
    """A save that slips past the services' check (two at once) meets the unique index."""
    client = services.presets.save_company(admin, CompanyForm(name="Acme"))
    project = services.presets.save_project(
        admin, ProjectForm(name="Roof", client_id=client.id, code="R-1")
    )
    services.presets.save_task(admin, TaskForm(project_id=project.id, name="Survey"))
    services.presets.save_activity(admin, ActivityForm(name="Design"))
    with pytest.raises(ValidationError) as caught, services.db.write() as session:
        session.add(row((client.id, project.id)))
    assert [p.field for p in caught.value.problems] == [field]


def test_a_name_with_control_characters_is_refused_by_its_field_on_every_backend(
    services: Services, admin: Actor
) -> None:
    """A NUL (which PostgreSQL cannot store, so it was a bare database error there) or a
    terminal escape (which would act on whoever's terminal the name is printed to later) is
    refused as the field's problem, and nothing is written."""
    for name in ("Acme\x00GmbH", "Acme\x1b]0;owned\x07"):
        with pytest.raises(ValidationError) as caught:
            services.presets.save_company(admin, CompanyForm(name))
        assert [p.field for p in caught.value.problems] == ["name"]
    with services.db.read() as session:
        assert session.execute(select(func.count()).select_from(m.Company)).scalar_one() == 0
