"""The construction side of the demo firm (DESIGN.md §9), written through the real services.

Four projects settled by invoices, so every screen of projects as contracts has something real
to show: a fixed contract with an approved change settled by partial invoices, one settled by
two advances and a final invoice, one with an invoice issued in another program, and a
time-and-material project with approved time and costs settled by a partial invoice. Their
invoices are dated before the first client invoice of the time pipeline the demo issues later
(the series is chronological), spread over the months before it.

At scale the firm also runs many small sites: one more project per 500 time entries and one
cost per 20 (2,000 projects and 50,000 costs beside 1,000,000 entries), loaded in bulk, as the
history is; they carry no invoices.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta

from ...data import models as m
from ...domain.values import name_key
from ..administration.presets import CompanyForm, ContactForm, ProjectForm, TaskForm
from ..administration.users import UserForm
from ..hub import Services
from ..pipeline.views import TimeCardForm
from ..projects.views import ChangeForm, CostForm, ExternalForm, SettlementForm
from .bulk import BulkInserter, max_id
from .people import Firm
from .result import DemoLogin, Progress
from .subcontracts import SubcontractBooks

# key, name, tax id, address, e-mail, (contact name, contact e-mail, position): the clients of
# the construction side (none of them uses the client portal)
BUILDERS_CLIENTS: tuple[tuple[str, str, str, str, str, tuple[str, str, str]], ...] = (
    ("riverside", "Riverside Living Sp. z o.o.", "PL5213870274",
     "ul. Wioślarska 8\n00-411 Warszawa\nPoland", "faktury@riverside-living.example",
     ("Marek Zieliński", "marek.zielinski@riverside-living.example", "Investment director")),
    ("council", "Harbourfield Borough Council", "GB654321987",
     "Civic Centre, Market Street\nHarbourfield HF1 1AA\nUnited Kingdom",
     "payables@harbourfield-council.example",
     ("Eleanor Pryce", "eleanor.pryce@harbourfield-council.example", "Estates manager")),
    ("stadtwerke", "Stadtwerke Brandenburg GmbH", "DE287766554",
     "Bahnhofstraße 21\n14770 Brandenburg an der Havel\nGermany",
     "rechnungen@stadtwerke-brb.example",
     ("Jörg Hartmann", "joerg.hartmann@stadtwerke-brb.example", "Leiter Betriebshof")),
)  # fmt: skip

# key, code, name, client key, valuation, contract amount, manager key
CONSTRUCTION: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("rv", "RV-01", "Riverside apartments – shell and core", "riverside", "fixed", "850000.00",
     "malgorzata"),
    ("ns", "NS-01", "Nursery school extension", "council", "fixed", "320000.00", "juergen"),
    ("th", "TH-01", "Town hall roof renewal", "council", "fixed", "96000.00", "juergen"),
    ("dm", "DM-01", "Depot maintenance (time and material)", "stadtwerke", "tm", "",
     "malgorzata"),
)  # fmt: skip

# project key, day offset, name, supplier invoice, type, amount
COSTS: tuple[tuple[str, int, str, str, str, str], ...] = (
    ("rv", 20, "Ready-mix concrete C30/37", "FV/2211/B", "material", "48250.00"),
    ("rv", 45, "Reinforcement steel", "ST-88412", "material", "61480.40"),
    ("rv", 70, "Tower crane hire, 3 months", "KR-2025-19", "equipment", "27900.00"),
    ("rv", 110, "Formwork system", "PERI-4471", "equipment", "18350.00"),
    ("rv", 150, "Site foremen, quarter", "", "salary", "36000.00"),
    ("rv", 200, "Waste removal", "ECO/551", "other", "4120.75"),
    ("ns", 25, "Timber frame kit", "HLZ-3310", "material", "72400.00"),
    ("ns", 95, "Scaffolding", "SC-1187", "equipment", "9800.00"),
    ("ns", 180, "Insulation and membranes", "IS-7762", "material", "21340.60"),
    ("ns", 240, "Building inspection fees", "", "other", "2850.00"),
    ("th", 30, "Roof slates", "SL-9001", "material", "18900.00"),
    ("th", 60, "Mobile elevating platform", "MEP-22", "equipment", "4600.00"),
    ("dm", 40, "Spare parts – conveyors", "SP-1201", "material", "3420.80"),
    ("dm", 100, "Welding gas and electrodes", "WG-330", "material", "612.40"),
    ("dm", 160, "Night-shift allowance", "", "salary", "1850.00"),
    ("dm", 190, "Hire of a cherry picker", "CP-77", "equipment", "940.00"),
)  # fmt: skip

DEMO_SPAN_DAYS = 270
"""How far back before the first client invoice the construction invoices start."""
CREW_MEMBER = "Bartosz Lewandowski"
TIME_CARDS = 24
"""Approved time cards on the time-and-material project."""
PROJECTS_PER_ENTRIES = 500
COSTS_PER_ENTRIES = 20
COST_TYPES = ("material", "equipment", "salary", "other")


class ConstructionBooks:
    """Writes the construction projects and their money through the services."""

    def __init__(
        self, services: Services, firm: Firm, last_day: date, entries: int, say: Progress
    ) -> None:
        """Invoices dated on or before ``last_day``; bulk sites scaled to ``entries``."""
        self.services = services
        self.firm = firm
        self.last = last_day
        self.first = last_day - timedelta(days=DEMO_SPAN_DAYS)
        self.entries = entries
        self.say = say
        self.clerk = firm.actor("helga")
        self.projects: dict[str, int] = {}
        self.clients: dict[str, int] = {}
        self.logins: list[DemoLogin] = []  # the foreman's, once the subcontracts are written

    def day(self, offset: int) -> str:
        """The day ``offset`` days into the span, never after its last day."""
        return min(self.first + timedelta(days=offset), self.last).isoformat()

    def run(self) -> dict[str, int]:
        """Projects, changes, costs, time and invoices; then the bulk sites. The counts."""
        started = time.perf_counter()
        self._projects()
        changes = self._changes()
        costs = self._costs()
        cards = self._time_cards()
        # subcontract stages dated before the depot's partial invoice count in its "other labour"
        subcontracts = SubcontractBooks(
            self.services, self.firm, self.projects, self.day, self.entries, self.say
        )
        subcontract_counts, self.logins = subcontracts.run()
        invoices, external = self._invoices()
        sites, site_costs = self._bulk_sites()
        for name, count in subcontracts.at_scale().items():
            subcontract_counts[name] += count
        self.say(
            f"Construction: {len(CONSTRUCTION)} projects settled by invoices ({invoices} "
            f"settlement invoices, {external} recorded from another program), {changes} "
            f"changes, {costs + site_costs} costs, {sites} more sites "
            f"({time.perf_counter() - started:.1f} s)."
        )
        return {
            "construction_projects": len(CONSTRUCTION) + sites,
            "settlement_invoices": invoices,
            "external_invoices": external,
            "project_changes": changes,
            "project_costs": costs + site_costs,
            "settled_time_cards": cards,
            **subcontract_counts,
        }

    def _projects(self) -> None:
        admin = self.firm.admin
        presets = self.services.presets
        for key, name, tax_id, address, email, contact in BUILDERS_CLIENTS:
            company = presets.save_company(
                admin,
                CompanyForm(name=name, tax_id=tax_id, billing_address=address, email=email),
            )
            self.clients[key] = company.id
            contact_name, contact_email, position = contact
            presets.save_contact(
                admin,
                ContactForm(
                    company_id=company.id,
                    name=contact_name,
                    email=contact_email,
                    position=position,
                ),
            )
        for key, code, name, client, valuation, amount, manager in CONSTRUCTION:
            project = self.services.presets.save_project(
                admin,
                ProjectForm(
                    name=name,
                    code=code,
                    client_id=self.clients[client],
                    valuation=valuation,
                    contract_amount=amount,
                    progress_pct="0",
                    project_manager_id=self.firm.users[manager],
                    start_date=self.first.isoformat(),
                ),
            )
            self.projects[key] = project.id

    def _changes(self) -> int:
        manager = self.firm.actor("malgorzata")
        projects = self.services.projects
        projects.add_change(
            manager,
            self.projects["rv"],
            ChangeForm("Additional underground parking level", self.day(40), "42500", True),
        )
        projects.add_change(
            manager,
            self.projects["rv"],
            ChangeForm("Simplified facade cladding (proposed)", self.day(130), "-8000", False),
        )
        return 2

    def _costs(self) -> int:
        manager = self.firm.actor("malgorzata")
        for key, offset, name, number, kind, amount in COSTS:
            self.services.costs.add(
                manager,
                CostForm(str(self.projects[key]), name, number, "", self.day(offset), kind, amount),
            )
        return len(COSTS)

    def _time_cards(self) -> int:
        """The technician's time on the depot, entered by his supervisor, accepted and approved:
        the labour of the time-and-material settlement."""
        admin = self.firm.admin
        task = self.services.presets.save_task(
            admin, TaskForm(self.projects["dm"], "Repairs and servicing")
        ).id
        boss = self.firm.actor("malgorzata")
        # a site technician of the depot, without a login (his time is entered for him)
        worker_id = self.services.users.create_user(
            admin,
            UserForm(
                name=CREW_MEMBER,
                email="",
                role="staff",
                supervisor_id=self.firm.users["malgorzata"],
                pay_rate="38.50",
                password="",
            ),
        ).id
        rate_id = self.firm.rate_codes["senior"][0]
        cards = [
            TimeCardForm(
                project_id=self.projects["dm"],
                task_id=task,
                activity_id=self.firm.activities["visit"],
                rate_code_id=rate_id,
                time_spent=("7:30", "6:00", "8:00", "4:30")[i % 4],
                work_date=self.day(30 + i * 7),
                description=f"Servicing round {i + 1}",
                owner_id=worker_id,
            )
            for i in range(TIME_CARDS)
        ]
        ids = [self.services.time.add_entry(boss, card).id for card in cards]
        self.services.time.accept(boss, ids)
        self.services.time.approve(boss, ids)
        return len(ids)

    def _issue(self, key: str, **fields: str | bool) -> None:
        self.services.projects.issue(self.clerk, self.projects[key], SettlementForm(**fields))  # type: ignore[arg-type]

    def _invoices(self) -> tuple[int, int]:
        """Every settlement invoice in date order (the series is chronological)."""
        self.services.projects.record_external(
            self.clerk,
            self.projects["th"],
            ExternalForm(
                number="FV/2025/118",
                issue_date=self.day(15),
                net="24000",
                vat="4560",
                gross="28560",
                service="Roof survey and strip-out (issued in the old program)",
                paid_in_full=True,
            ),
        )
        plan: list[tuple[int, str, dict[str, str | bool]]] = [
            (20, "ns", {"kind": "advance", "net": "96000", "paid_in_full": True,
                        "service": "Advance 30 % – nursery school extension"}),
            (30, "rv", {"kind": "partial", "net": "170000", "paid_in_full": True,
                        "progress_pct": "20", "service": "Stage 1 – foundations"}),
            (120, "rv", {"kind": "partial", "net": "255000", "paid_amount": "200000",
                         "progress_pct": "50", "service": "Stage 2 – frame to level 4"}),
            (150, "ns", {"kind": "advance", "net": "64000", "paid_in_full": True,
                         "service": "Advance 20 % – nursery school extension"}),
            (180, "th", {"kind": "partial", "net": "36000", "progress_pct": "60",
                         "service": "Slating, north and east pitches"}),
            (200, "dm", {"kind": "partial", "period_to": self.day(200),
                         "service": "Depot maintenance to date"}),
            (210, "rv", {"kind": "partial", "net": "42500", "change_number": "1",
                         "service": "Change 1 – underground parking level"}),
            (260, "ns", {"kind": "final", "progress_pct": "100",
                         "service": "Nursery school extension – final account"}),
        ]  # fmt: skip
        for offset, key, fields in plan:
            self._issue(key, issue_date=self.day(offset), **fields)
        return len(plan), 1

    def _bulk_sites(self) -> tuple[int, int]:
        """Many small sites with costs, loaded in one transaction below the services (no
        invoices, so nothing the audit log vouches for)."""
        count = self.entries // PROJECTS_PER_ENTRIES
        costs = self.entries // COSTS_PER_ENTRIES
        if count == 0:
            return 0, 0
        chooser = random.Random(2026)
        clients = list(self.clients.values())
        managers = [self.firm.users["juergen"], self.firm.users["malgorzata"]]
        now = datetime.now(UTC)
        creator = self.firm.admin.user_id
        with self.services.db.write() as session:
            bulk = BulkInserter(session, self.services.db.backend)
            first = max_id(session, m.Project) + 1
            rows = []
            for number in range(count):
                fixed = number % 3 != 2
                name = f"Site {number + 1:04d} – {chooser.choice(SITE_WORDS)}"
                rows.append(
                    (
                        first + number, 1, f"S-{number + 1:04d}", name_key(f"S-{number + 1:04d}"),
                        name, name_key(name), clients[number % len(clients)],
                        "fixed" if fixed else "tm",
                        chooser.randrange(20_000, 900_000) * 100 if fixed else None,
                        chooser.randrange(0, 101), "active", managers[number % 2], True, now,
                    )
                )  # fmt: skip
            bulk.insert(m.metadata.tables["project"], SITE_COLUMNS, rows)
            first_cost = max_id(session, m.ProjectCost) + 1
            cost_rows = []
            for number in range(costs):
                kind = COST_TYPES[number % len(COST_TYPES)]
                cost_rows.append(
                    (
                        first_cost + number, 1, first + chooser.randrange(count),
                        f"{kind.title()} purchase {number + 1}", f"FV/{number + 1:06d}", "",
                        self.first + timedelta(days=chooser.randrange(DEMO_SPAN_DAYS)), kind,
                        chooser.randrange(50_00, 25_000_00), creator, now,
                    )
                )  # fmt: skip
            bulk.insert(m.metadata.tables["project_cost"], COST_COLUMNS, cost_rows)
            bulk.finish()
        return count, costs


SITE_WORDS = (
    "roof repair", "façade renovation", "warehouse floor", "car park resurfacing",
    "office fit-out", "school gym", "boiler house", "bridge bearings", "drainage",
    "loft conversion", "retail unit", "clinic extension",
)  # fmt: skip
SITE_COLUMNS = (
    "id", "version", "code", "code_key", "name", "name_key", "client_id", "valuation",
    "contract_amount_cents", "progress_pct", "status", "project_manager_id", "is_active",
    "created_at",
)  # fmt: skip
COST_COLUMNS = (
    "id", "version", "project_id", "name", "supplier_invoice_number", "note", "cost_date",
    "cost_type", "amount_cents", "created_by_id", "created_at",
)  # fmt: skip
