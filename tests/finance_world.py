"""A small firm with money moving, built only through the services, for the issue-4 tests.

The clock of the service tests stands at 2026-03-10 09:30 UTC. ``build_world`` gives:

- Olga Owner (administrator, pay rate 0), Mona Manager (manager), Adam Accountant (accountant)
- contractors under Olga: Carl Contractor (staff, pay rate 40.00/h) and Dora Developer
  (staff, pay rate 50.00/h)
- clients Acme Sp. z o.o. (project Roof, task Survey) and Bolt GmbH (project Hall, task Build),
  each with a client user: Cleo Client (Acme), Boris Bolt (Bolt)
- activity Design, rate code Senior at 100.00/h
- Carl's tickets: February 2, 3, 4 (120 min each) approved and processed into invoice
  ``acme_invoice`` (3 × 200.00 net = 600.00, VAT 23 % → 738.00 gross, issued 2026-02-20,
  due 2026-03-06: overdue on 2026-03-10). March: one draft (60 min, 03-02), one accepted
  (90 min, 03-03), two approved (120 min 03-04, 60 min 03-05), one rejected (30 min, 03-06).
- Dora's tickets: February 9 and 10 (180 min each on Hall) approved and processed into
  ``bolt_invoice`` (2 × 300.00 = 600.00 net, 738.00 gross, issued 2026-03-09, due 03-23).

Every figure above is what the dashboard and metrics tests compute by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update

from tektoro_tui.data import models as m
from tektoro_tui.services.administration.presets import (
    ActivityForm,
    CompanyForm,
    ProjectForm,
    RateCodeForm,
    TaskForm,
)
from tektoro_tui.services.administration.users import UserForm
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import InvoiceView
from tektoro_tui.services.pipeline.views import AllocationForm, TimeCardForm

PASSWORD = "pass-word-123"


@dataclass
class World:
    """Who and what ``build_world`` made (ids and signed-in actors)."""

    services: Services
    admin: Actor
    manager: Actor
    accountant: Actor
    carl: Actor
    dora: Actor
    cleo: Actor  # client user of Acme
    boris: Actor  # client user of Bolt
    acme_id: int
    bolt_id: int
    roof_id: int
    hall_id: int
    survey_id: int
    build_id: int
    activity_id: int
    rate_id: int
    acme_invoice: InvoiceView
    bolt_invoice: InvoiceView
    carl_march: dict[str, list[int]]  # status -> entry ids of Carl's March tickets
    carl_february: list[int]
    dora_february: list[int]

    def login(self, email: str) -> Actor:
        """Sign in one of the world's users again (e.g. after a role change)."""
        return self.services.auth.login(email, PASSWORD)


def _user(
    services: Services,
    admin: Actor,
    name: str,
    role: str,
    *,
    pay_rate: str = "0",
    company_id: int | None = None,
    supervisor_id: int | None = None,
) -> Actor:
    email = f"{name.split()[0].lower()}@example.com"
    services.users.create_user(
        admin,
        UserForm(
            name=name,
            email=email,
            role=role,
            password=PASSWORD,
            pay_rate=pay_rate,
            company_id=company_id,
            supervisor_id=supervisor_id,
        ),
    )
    return services.auth.login(email, PASSWORD)


def build_world(services: Services, admin: Actor) -> World:
    """Build the firm described in the module docstring (the clock must read 2026-03-10)."""
    presets = services.presets
    with services.db.write() as session:
        session.execute(
            update(m.Organisation)
            .where(m.Organisation.id == 1)
            .values(billing_address="1 Harbour Road\nGdynia", tax_id="PL9570000000")
        )
    acme = presets.save_company(
        admin, CompanyForm(name="Acme Sp. z o.o.", email="billing@acme.example")
    )
    bolt = presets.save_company(admin, CompanyForm(name="Bolt GmbH", email="ap@bolt.example"))
    roof = presets.save_project(
        admin, ProjectForm(name="Roof", client_id=acme.id, progress_pct="40")
    )
    hall = presets.save_project(
        admin,
        ProjectForm(
            name="Hall",
            client_id=bolt.id,
            valuation="fixed",
            contract_amount="10000",
            progress_pct="10",
        ),
    )
    survey = presets.save_task(admin, TaskForm(project_id=roof.id, name="Survey"))
    build = presets.save_task(admin, TaskForm(project_id=hall.id, name="Build"))
    activity = presets.save_activity(admin, ActivityForm(name="Design"))
    rate = presets.save_rate_code(admin, RateCodeForm(name="Senior", hourly_rate="100"))

    manager = _user(services, admin, "Mona Manager", "manager")
    accountant = _user(services, admin, "Adam Accountant", "accountant")
    carl = _user(services, admin, "Carl Contractor", "staff", pay_rate="40", supervisor_id=1)
    dora = _user(services, admin, "Dora Developer", "staff", pay_rate="50", supervisor_id=1)
    cleo = _user(services, admin, "Cleo Client", "client", company_id=acme.id)
    boris = _user(services, admin, "Boris Bolt", "client", company_id=bolt.id)

    def card(owner: Actor, day: str, minutes: int, *, hall_project: bool = False) -> int:
        form = TimeCardForm(
            project_id=hall.id if hall_project else roof.id,
            task_id=build.id if hall_project else survey.id,
            activity_id=activity.id,
            rate_code_id=rate.id,
            time_spent=f"{minutes}m",
            work_date=day,
            description=f"Work of {owner.name} on {day}",
            owner_id=owner.user_id,
        )
        return services.time.add_entry(admin, form).id

    time, wip, invoices = services.time, services.wip, services.invoices

    def invoice_for(ids: list[int], client_id: int, issue_date: date) -> InvoiceView:
        time.accept(admin, ids)
        time.approve(admin, ids)
        wip.allocate(admin, ids, AllocationForm(kind="bill"))
        result = wip.process(admin, client_id=client_id)
        (document,) = [d for d in result.documents if d.kind == "invoice"]
        assert document.id is not None
        draft = invoices.open_record(admin, document.id)
        return invoices.issue(admin, draft.id, issue_date=issue_date)

    carl_february = [card(carl, f"2026-02-{d:02d}", 120) for d in (2, 3, 4)]
    acme_invoice = invoice_for(carl_february, acme.id, date(2026, 2, 20))
    dora_february = [card(dora, f"2026-02-{d:02d}", 180, hall_project=True) for d in (9, 10)]
    bolt_invoice = invoice_for(dora_february, bolt.id, date(2026, 3, 9))

    march = {
        "draft": [card(carl, "2026-03-02", 60)],
        "accepted": [card(carl, "2026-03-03", 90)],
        "approved": [card(carl, "2026-03-04", 120), card(carl, "2026-03-05", 60)],
        "rejected": [card(carl, "2026-03-06", 30)],
    }
    time.accept(admin, march["accepted"] + march["approved"] + march["rejected"])
    time.approve(admin, march["approved"])
    time.reject(admin, march["rejected"], reason="Wrong task")

    return World(
        services=services,
        admin=admin,
        manager=manager,
        accountant=accountant,
        carl=carl,
        dora=dora,
        cleo=cleo,
        boris=boris,
        acme_id=acme.id,
        bolt_id=bolt.id,
        roof_id=roof.id,
        hall_id=hall.id,
        survey_id=survey.id,
        build_id=build.id,
        activity_id=activity.id,
        rate_id=rate.id,
        acme_invoice=acme_invoice,
        bolt_invoice=bolt_invoice,
        carl_march=march,
        carl_february=carl_february,
        dora_february=dora_february,
    )
