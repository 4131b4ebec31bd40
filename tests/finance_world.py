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
from datetime import UTC, date, datetime

from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import InvoiceView
from tests.builders import (
    PASSWORD,
    Codes,
    add_job,
    add_person,
    add_time_cards,
    add_work_codes,
    approve_all,
    bill,
    codes_of,
    issue_invoice,
    set_organisation,
)

__all__ = ["NOW", "PASSWORD", "World", "build_world"]

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
"""The moment the world is built at (a clock standing here makes Acme's invoice overdue)."""


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
    roof: Codes  # a ticket on Acme's Roof: task Survey, Design, Senior
    hall: Codes  # a ticket on Bolt's Hall: task Build, Design, Senior
    acme_invoice: InvoiceView
    bolt_invoice: InvoiceView
    carl_march: dict[str, list[int]]  # status -> entry ids of Carl's March tickets
    carl_february: list[int]
    dora_february: list[int]

    @property
    def acme_id(self) -> int:
        """Acme Sp. z o.o., the client of Roof."""
        return self.roof.client_id

    @property
    def bolt_id(self) -> int:
        """Bolt GmbH, the client of Hall."""
        return self.hall.client_id

    @property
    def roof_id(self) -> int:
        """Acme's project Roof."""
        return self.roof.project_id

    @property
    def hall_id(self) -> int:
        """Bolt's fixed-price project Hall."""
        return self.hall.project_id

    def login(self, email: str) -> Actor:
        """Sign in one of the world's users again (e.g. after a role change)."""
        return self.services.auth.login(email, PASSWORD)


def build_world(services: Services, admin: Actor) -> World:
    """Build the firm described in the module docstring (the clock must read 2026-03-10)."""
    set_organisation(services, billing_address="1 Harbour Road\nGdynia", tax_id="PL9570000000")
    acme = CompanyForm(name="Acme Sp. z o.o.", email="billing@acme.example")
    acme_roof = ProjectForm("Roof", None, progress_pct="40")
    bolt = CompanyForm(name="Bolt GmbH", email="ap@bolt.example")
    bolt_hall = ProjectForm(
        "Hall", None, valuation="fixed", contract_amount="10000", progress_pct="10"
    )
    jobs = [
        add_job(services, admin, acme, acme_roof, "Survey"),
        add_job(services, admin, bolt, bolt_hall, "Build"),
    ]
    activity, rate = add_work_codes(services, admin, "Design", "Senior", "100")
    roof, hall = (codes_of(job, activity, rate) for job in jobs)

    manager = add_person(services, admin, "Mona Manager", "manager")
    accountant = add_person(services, admin, "Adam Accountant", "accountant")
    carl = add_person(services, admin, "Carl Contractor", pay_rate="40", supervisor_id=1)
    dora = add_person(services, admin, "Dora Developer", pay_rate="50", supervisor_id=1)
    cleo = add_person(services, admin, "Cleo Client", "client", company_id=roof.client_id)
    boris = add_person(services, admin, "Boris Bolt", "client", company_id=hall.client_id)

    def cards(owner: Actor, minutes: int, *days: str, codes: Codes = roof) -> list[int]:
        described = [
            codes.card(f"{minutes}m", day, f"Work of {owner.name} on {day}", owner=owner)
            for day in days
        ]
        return add_time_cards(services, admin, described)

    def invoice_for(ids: list[int], codes: Codes, issue_date: date) -> InvoiceView:
        approve_all(services, ids, admin)
        record = bill(services, admin, ids, client_id=codes.client_id)
        return issue_invoice(services, admin, record, issue_date)

    carl_february = cards(carl, 120, "2026-02-02", "2026-02-03", "2026-02-04")
    acme_invoice = invoice_for(carl_february, roof, date(2026, 2, 20))
    dora_february = cards(dora, 180, "2026-02-09", "2026-02-10", codes=hall)
    bolt_invoice = invoice_for(dora_february, hall, date(2026, 3, 9))

    march = {
        "draft": cards(carl, 60, "2026-03-02"),
        "accepted": cards(carl, 90, "2026-03-03"),
        "approved": cards(carl, 120, "2026-03-04") + cards(carl, 60, "2026-03-05"),
        "rejected": cards(carl, 30, "2026-03-06"),
    }
    time = services.time
    time.accept(admin, march["accepted"] + march["approved"] + march["rejected"])
    time.approve(admin, march["approved"])
    time.reject(admin, march["rejected"], reason="Wrong task")

    people = (manager, accountant, carl, dora, cleo, boris)
    return World(
        services, admin, *people, roof, hall, acme_invoice, bolt_invoice, march, carl_february,
        dora_february,
    )  # fmt: skip
