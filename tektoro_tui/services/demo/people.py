"""The demo firm's organisation, people and code presets, made through the real services.

Settings, users, clients with their contacts, activities, rate codes, projects and tasks are
each one ordinary service call, so validation and the audit log see them like any other
set-up. :class:`Firm` keeps the ids the services gave them, by the keys of the cast.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..administration.presets import (
    ActivityForm,
    CompanyForm,
    ContactForm,
    ProjectForm,
    RateCodeForm,
    TaskForm,
)
from ..administration.users import UserForm
from ..base import Actor
from ..hub import Services
from .cast import (
    ACTIVITIES,
    ADMIN,
    CLIENTS,
    DEMO_PASSWORD,
    ORGANISATION,
    ORGANISATION_ADDRESS,
    PEOPLE,
    PROJECTS,
    RATE_CODES,
    person,
)
from .result import DemoLogin


@dataclass
class Firm:
    """The ids of everything the services created, by the keys of the cast and presets."""

    admin: Actor
    users: dict[str, int] = field(default_factory=dict)
    clients: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    activities: dict[str, int] = field(default_factory=dict)
    rate_codes: dict[str, tuple[int, int]] = field(default_factory=dict)

    def actor(self, key: str) -> Actor:
        """The member of the cast with ``key`` as the services' acting user."""
        member = person(key)
        return Actor(self.users[key], member.email, member.name, member.role)


def set_up_firm(services: Services) -> tuple[Firm, list[DemoLogin]]:
    """The organisation, its presets and its people in an empty database; who can log in."""
    admin = services.auth.init_organisation(ORGANISATION, ADMIN.email, ADMIN.name, DEMO_PASSWORD)
    _describe_organisation(services, admin)
    firm = Firm(admin=admin)
    _create_presets(services, firm)
    logins = _create_people(services, firm)
    _create_projects(services, firm)
    return firm, logins


def _describe_organisation(services: Services, admin: Actor) -> None:
    """Fill in the firm's address, tax id and contact details through the settings service."""
    form = services.settings.form_for(services.settings.get(admin))
    services.settings.update(
        admin,
        replace(
            form,
            billing_address=ORGANISATION_ADDRESS,
            tax_id="DE314159265",
            email="office@northwind.example",
            phone="+49 30 2589 1400",
            bank_account="DE89 3704 0044 0532 0130 00",
            currency="EUR",
            timezone="Europe/Berlin",
            default_vat="19",
            invoice_footer="Northwind Studio · Am Kupfergraben 6 · 10117 Berlin · Danke!",
        ),
    )


def _create_presets(services: Services, firm: Firm) -> None:
    """Clients with a contact each, activities and rate codes (projects need the managers)."""
    presets, admin = services.presets, firm.admin
    for key, name, tax_id, address, email, phone, contact in CLIENTS:
        company = presets.save_company(
            admin,
            CompanyForm(
                name=name, tax_id=tax_id, billing_address=address, email=email, phone=phone
            ),
        )
        firm.clients[key] = company.id
        contact_name, contact_email, position = contact
        presets.save_contact(
            admin,
            ContactForm(
                company_id=company.id, name=contact_name, email=contact_email, position=position
            ),
        )
    for key, name, billable in ACTIVITIES:
        firm.activities[key] = presets.save_activity(
            admin, ActivityForm(name=name, billable_default=billable)
        ).id
    for key, name, rate in RATE_CODES:
        view = presets.save_rate_code(admin, RateCodeForm(name=name, hourly_rate=rate))
        firm.rate_codes[key] = (view.id, view.hourly_rate.cents)


def _create_people(services: Services, firm: Firm) -> list[DemoLogin]:
    """The two staff tiers, the accountant and the client users."""
    names = {ADMIN.key: ADMIN.name}
    firm.users[ADMIN.key] = firm.admin.user_id
    logins = [DemoLogin(ADMIN.name, ADMIN.email, ADMIN.role.label, "")]
    for member in PEOPLE:
        supervisor = firm.users[member.supervisor] if member.supervisor else None
        company = firm.clients[member.company] if member.company else None
        view = services.users.create_user(
            firm.admin,
            UserForm(
                name=member.name,
                email=member.email,
                role=member.role.value,
                supervisor_id=supervisor,
                company_id=company,
                pay_rate=member.pay_rate,
                password=DEMO_PASSWORD,
            ),
        )
        firm.users[member.key] = view.id
        names[member.key] = member.name
        boss = names[member.supervisor] if member.supervisor else ""
        logins.append(DemoLogin(member.name, member.email, member.role.label, boss))
    return logins


def _create_projects(services: Services, firm: Firm) -> None:
    """The projects (each run by a manager) and their tasks."""
    for key, code, name, client, valuation, amount, progress, manager, tasks in PROJECTS:
        project = services.presets.save_project(
            firm.admin,
            ProjectForm(
                name=name,
                code=code,
                client_id=firm.clients[client],
                valuation=valuation,
                contract_amount=amount,
                progress_pct=progress,
                project_manager_id=firm.users[manager],
            ),
        )
        firm.projects[key] = project.id
        firm.tasks[key] = [
            (services.presets.save_task(firm.admin, TaskForm(project.id, task)).id, task)
            for task in tasks
        ]
