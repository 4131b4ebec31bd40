"""The demo firm's subcontracts (DESIGN.md §9), written through the real services.

Three subcontractors with their foremen (Piotr Nowak of Dach-Bud logs in as a foreman), and
agreements in every state on the construction projects: completed and fully paid, active and
partly paid, overdue, completed but not fully paid, fully paid for less while the work goes on,
and one not started. Dach-Bud's time-and-material roofing agreement has a month of planned days
and daily reports (a few differing from the plan, one without a plan) and a first stage paid.

At scale the firm also has one fixed agreement per 1,000 time entries on its many small sites,
and one time-and-material agreement with 1,000 daily reports (four crews), loaded in bulk in
one audited transaction (the rows are sealed like the services' own).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.pay import amount_cents, split_minutes
from ..administration.presets import CompanyForm, ContactForm, WorkTypeForm
from ..hub import Services
from ..subcontracts.rules import number_text
from ..subcontracts.views import AgreementForm, ReportForm, ScheduleForm, StageForm
from ..worktime import pay_rules
from .bulk import AuditedBulkWriter, BulkInserter, max_id
from .cast import ADMIN, DEMO_PASSWORD
from .people import Firm
from .result import DemoLogin, Progress

WORK_TYPES = ("Groundworks", "Bricklaying", "Roofing", "Electrical installation", "Scaffolding")

# key, name, tax id, address, e-mail, contacts (name, e-mail, position)
SUBCONTRACTORS: tuple[tuple[str, str, str, str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("dachbud", "Dach-Bud Sp. j.", "PL7792401137", "ul. Dekarzy 4\n61-001 Poznań\nPoland",
     "biuro@dach-bud.example",
     (("Piotr Nowak", "piotr.nowak@dach-bud.example", "Foreman, crew 1"),
      ("Rafał Mazur", "rafal.mazur@dach-bud.example", "Foreman, crew 2"))),
    ("elektro", "Elektro Schmidt GmbH", "DE301554219",
     "Industriestraße 9\n14776 Brandenburg an der Havel\nGermany", "info@elektro-schmidt.example",
     (("Uwe Schmidt", "uwe.schmidt@elektro-schmidt.example", "Meister"),)),
    ("groundline", "Groundline Civils Ltd", "GB448812390",
     "Unit 3, Quay Road\nHarbourfield HF2 7QT\nUnited Kingdom", "office@groundline.example",
     (("Declan Walsh", "declan.walsh@groundline.example", "Site foreman"),)),
)  # fmt: skip
FOREMAN_LOGIN = ("dachbud", "Piotr Nowak")
"""The foreman who logs in to the demo: he sees only his crew's agreement."""

BULK_AGREEMENTS_PER_ENTRIES = 1000
BULK_REPORTS = 1000
"""Daily reports of the large time-and-material agreement."""
BULK_CREWS = ("Niall Brennan", "Aoife Doyle", "Cormac Byrne")
"""Groundline's other foremen, who lead the large agreement's crews with Declan Walsh."""


class SubcontractBooks:
    """Writes the subcontractors, their agreements, schedules, reports and stages."""

    def __init__(
        self,
        services: Services,
        firm: Firm,
        projects: dict[str, int],
        day: Callable[[int], str],
        entries: int,
        say: Progress,
    ) -> None:
        self.services = services
        self.firm = firm
        self.projects = projects
        self.day = day
        self.entries = entries
        self.say = say
        self.office = firm.actor("malgorzata")
        self.accountant = firm.actor("helga")
        self.companies: dict[str, int] = {}
        self.contacts: dict[str, int] = {}

    def run(self) -> tuple[dict[str, int], list[DemoLogin]]:
        """Everything written through the services; the counts and the foreman's login."""
        self._companies()
        numbers = self._agreements()
        reports = self._roofing_month(numbers["roofing"]) + self._depot_reports(numbers["depot"])
        stages = self._stages(numbers)
        login = self._foreman_login()
        self.say(
            f"Subcontracts: {len(numbers)} agreements, {reports} daily reports, {stages} "
            f"settlement stages; {FOREMAN_LOGIN[1]} logs in as a foreman."
        )
        counts = {
            "subcontract_agreements": len(numbers),
            "daily_reports": reports,
            "settlement_stages": stages,
        }
        return counts, [login]

    def at_scale(self) -> dict[str, int]:
        """The bulk agreements on the small sites (after they exist); the counts added."""
        agreements, reports, stages = self._bulk()
        if agreements:
            self.say(
                f"Subcontracts at scale: {agreements} more agreements, {reports} daily reports "
                f"of one of them, {stages} stages."
            )
        return {
            "subcontract_agreements": agreements,
            "daily_reports": reports,
            "settlement_stages": stages,
        }

    # --- the firms and their foremen -------------------------------------------------------------

    def _companies(self) -> None:
        admin = self.firm.admin
        presets = self.services.presets
        for name in WORK_TYPES:
            presets.save_work_type(admin, WorkTypeForm(name=name))
        for key, name, tax_id, address, email, contacts in SUBCONTRACTORS:
            company = presets.save_company(
                admin,
                CompanyForm(
                    name=name,
                    kind="subcontractor",
                    tax_id=tax_id,
                    billing_address=address,
                    email=email,
                ),
            )
            self.companies[key] = company.id
            for contact_name, contact_email, position in contacts:
                self.contacts[contact_name] = presets.save_contact(
                    admin,
                    ContactForm(
                        company_id=company.id,
                        name=contact_name,
                        email=contact_email,
                        position=position,
                    ),
                ).id

    def _foreman_login(self) -> DemoLogin:
        name = FOREMAN_LOGIN[1]
        token = self.services.subcontracts.invite_foreman(self.firm.admin, self.contacts[name])
        actor = self.services.auth.register(token, name, DEMO_PASSWORD)
        return DemoLogin(actor.name, actor.email, actor.role.label, ADMIN.name)

    # --- the agreements -----------------------------------------------------------------------

    def _add(
        self, project: str, company: str, scope: str, start: int, end: int, **terms: str
    ) -> str:
        form = AgreementForm(
            project=str(self.projects[project]),
            subcontractor=str(self.companies[company]),
            scope=scope,
            contract_date=self.day(start),
            # past the span's end a deadline lies that far after today: the work goes on
            deadline=(
                self.day(end)
                if end <= 270
                else (self.services.subcontracts.today() + timedelta(days=end - 270)).isoformat()
            ),
            **terms,
        )
        return self.services.subcontracts.add(self.office, form).row.number

    def _agreements(self) -> dict[str, str]:
        add = self._add
        return {
            "earthworks": add("rv", "groundline", "Excavation and ground beams, riverside block",
                              10, 90, time_and_material="no", fixed_amount="120000.00"),
            "slating": add("th", "dachbud", "Strip and re-slate the south pitch",
                           20, 60, time_and_material="no", fixed_amount="30000.00"),
            "wiring": add("ns", "elektro", "Electrical installation of the extension",
                          30, 250, time_and_material="no", fixed_amount="45000.00"),
            "depot": add("dm", "elektro", "Emergency electrical repairs at the depot",
                         100, 300, time_and_material="yes", hourly_rate="55.00"),
            "roofing": add("rv", "dachbud", "Roof membrane and flashing, paid by the hour",
                           150, 320, time_and_material="yes", hourly_rate="42.00",
                           rates="Roofing=48.00; Scaffolding=38.00",
                           note="Crew of 4-6; the foreman reports daily"),
            "landscaping": add("ns", "groundline", "Playground groundworks after handover",
                               240, 330, time_and_material="no", fixed_amount="18000.00"),
        }  # fmt: skip

    def _roofing_month(self, number: str) -> int:
        """A month of Piotr's crew planned, and a report for each day (a few off the plan)."""
        subs = self.services.subcontracts
        first, last = self.day(170), self.day(199)
        planned = subs.plan(
            self.office,
            number,
            ScheduleForm(
                work_date=first,
                date_to=last,
                planned_start="07:00",
                planned_end="15:00",
                work_type="Roofing",
                foreman="Piotr Nowak",
                planned_headcount="5",
            ),
        )
        chooser = random.Random(170)
        count = 0
        for plan in planned.created:
            people, end = "5", "15:00"
            roll = chooser.random()
            if roll < 0.2:
                people = str(chooser.choice((4, 6)))
            elif roll < 0.35:
                end = chooser.choice(("16:30", "17:45", "13:00"))
            kind = "Scaffolding" if chooser.random() < 0.1 else ""
            subs.add_report(
                self.office,
                number,
                ReportForm(plan.work_date.isoformat(), "07:00", end, people, work_type=kind),
            )
            count += 1
        # a Saturday's catch-up by Rafał's crew, never planned
        saturday = date.fromisoformat(first)
        while saturday.isoweekday() != 6:
            saturday += timedelta(days=1)
        subs.add_report(
            self.office,
            number,
            ReportForm(saturday.isoformat(), "08:00", "14:00", "3", "Roofing", "Rafał Mazur"),
        )
        return count + 1

    def _depot_reports(self, number: str) -> int:
        subs = self.services.subcontracts
        for offset, start, end, people in ((110, "07:00", "15:30", "2"),
                                           (140, "18:00", "23:00", "2"),
                                           (165, "06:00", "17:00", "3")):  # fmt: skip
            subs.add_report(
                self.office,
                number,
                ReportForm(
                    self.day(offset), start, end, people, "Electrical installation", "Uwe Schmidt"
                ),
            )
        return 3

    def _stages(self, numbers: dict[str, str]) -> int:
        """Every state: completed and fully paid, overdue, completed but not fully paid,
        fully paid for less while the work goes on, partly paid, not started."""
        subs = self.services.subcontracts
        plan: list[tuple[str, int, str, str, bool, bool]] = [
            ("earthworks", 40, "50000.00", "First stage, as agreed", False, False),
            ("slating", 50, "10000.00", "Advance on materials", False, False),
            ("earthworks", 95, "70000.00", "Final, per contract", True, True),
            ("wiring", 120, "20000.00", "Stage 1: first fix", False, False),
            ("depot", 180, "0", "", True, False),
            ("wiring", 200, "20000.00", "Stage 2: second fix; 5,000.00 held for snagging",
             False, True),
            ("roofing", 190, "0", "", False, False),
        ]  # fmt: skip
        count = 0
        for key, offset, amount, description, fully, done in sorted(plan, key=lambda p: p[1]):
            number = numbers[key]
            if amount == "0":  # pay what the reports so far make, rounded down to 100
                owed = subs.detail(self.accountant, number).row.contract_amount
                whole = owed.cents // 10_000 * 100
                amount = f"{whole}.00" if key == "depot" else f"{whole * 6 // 10}.00"
                description = (
                    "Paid in full for the repairs so far; further call-outs on a new order"
                    if key == "depot"
                    else "Stage 1: first two weeks of roofing"
                )
            subs.settle(
                self.accountant,
                number,
                StageForm(
                    amount=amount,
                    settled_on=self.day(offset),
                    description=description,
                    fully_paid=fully,
                    work_completed=done,
                ),
            )
            count += 1
        return count

    # --- at scale ---------------------------------------------------------------------------

    def _bulk(self) -> tuple[int, int, int]:
        """Fixed agreements on the small sites and one agreement with 1,000 daily reports,
        in one audited transaction."""
        count = self.entries // BULK_AGREEMENTS_PER_ENTRIES
        if count == 0:
            return 0, 0, 0
        for name in BULK_CREWS:
            self.contacts[name] = self.services.presets.save_contact(
                self.firm.admin,
                ContactForm(
                    company_id=self.companies["groundline"], name=name, position="Site foreman"
                ),
            ).id
        writer = AuditedBulkWriter(self.services.db, self.services.clock)
        with writer.load(self.firm.admin) as uow:
            session = uow.session
            bulk = BulkInserter(session, self.services.db.backend)
            sites = list(
                session.execute(
                    select(m.Project.id)
                    .where(m.Project.code.like("S-%"))  # type: ignore[attr-defined]
                    .order_by(m.Project.id)
                ).scalars()
            )
            if not sites:
                return 0, 0, 0
            today = date.fromisoformat(self.day(270))
            year = today.year
            seqs = {
                int(y): int(n)
                for y, n in session.execute(
                    select(m.SubcontractCounter.year, m.SubcontractCounter.last_number)
                ).all()
            }
            seq = seqs.get(year, 0)
            chooser = random.Random(1000)
            companies = list(self.companies.values())
            creator = self.firm.admin.user_id
            now = uow.now
            first_id = max_id(session, m.SubcontractAgreement) + 1
            agreements, stages = [], []
            stage_id = max_id(session, m.SubcontractSettlement) + 1
            for n in range(count):
                seq += 1
                amount = chooser.randrange(5_000, 200_000) * 100
                paid = amount // 2 if n % 3 == 0 else 0
                signed = date(year, 1, 1) + timedelta(days=chooser.randrange(0, 200))
                agreements.append(
                    (first_id + n, 1, number_text(year, seq), year, seq, sites[n % len(sites)],
                     companies[n % len(companies)], f"Site works package {n + 1}", signed,
                     signed + timedelta(days=chooser.randrange(90, 540)), False, amount, None,
                     5000, 10000, "", 0, paid,
                     False, False, creator, now)
                )  # fmt: skip
                if paid:
                    stages.append(
                        (stage_id, first_id + n, 1, signed + timedelta(days=30), paid, 0, amount,
                         "First stage", False, False, creator, now)
                    )  # fmt: skip
                    stage_id += 1
            seqs[year] = seq
            big_id = first_id + count
            reports = self._big_reports(session, big_id, chooser, today)
            total = sum(int(r[-3]) for r in reports)
            signed = min(r[5] for r in reports)
            seqs[signed.year] = big_seq = seqs.get(signed.year, 0) + 1
            agreements.append(
                (big_id, 1, number_text(signed.year, big_seq), signed.year, big_seq,
                 self.projects["dm"], self.companies["groundline"],
                 "Framework agreement: site crews by the hour",
                 signed, today + timedelta(days=365), True, None,
                 4500, 5000, 10000, "1,000 daily reports", total, 0, False, False, creator, now)
            )  # fmt: skip
            tables = m.metadata.tables
            bulk.insert(tables["subcontract_agreement"], AGREEMENT_COLUMNS, agreements)
            bulk.insert(tables["subcontract_settlement"], STAGE_COLUMNS, stages)
            bulk.insert(tables["daily_report"], REPORT_COLUMNS, reports)
            bulk.finish()
            for counter_year, last in seqs.items():
                found = session.get(m.SubcontractCounter, counter_year)
                if found is None:
                    session.add(m.SubcontractCounter(year=counter_year, last_number=last))
                else:
                    found.last_number = last
            session.flush()
            uow.audit(
                "demo.subcontracts",
                "subcontract_agreement",
                None,
                None,
                {"agreements": len(agreements), "stages": len(stages), "reports": len(reports)},
            )
        return len(agreements), len(reports), len(stages)

    def _big_reports(
        self, session: Session, agreement_id: int, chooser: random.Random, today: date
    ) -> list[tuple[Any, ...]]:
        """1,000 reports of four crews on the working days before ``today``."""
        rules = pay_rules(session, 5000, 10000)
        type_id = session.execute(
            select(m.WorkType.id).where(m.WorkType.name == "Groundworks")
        ).scalar_one()
        foremen = [self.contacts[name] for name in ("Declan Walsh", *BULK_CREWS)]
        days: list[date] = []
        day = today - timedelta(days=1)
        while len(days) * len(foremen) < BULK_REPORTS:
            if day.isoweekday() <= 5:
                days.append(day)
            day -= timedelta(days=1)
        first_id = max_id(session, m.DailyReport) + 1
        rows: list[tuple[Any, ...]] = []
        crews = [(day, f) for day in reversed(days) for f in foremen]
        for n, (day, foreman) in enumerate(crews[:BULK_REPORTS]):
            people = chooser.randrange(2, 9)
            end = chooser.choice((15 * 60, 15 * 60 + 30, 16 * 60, 17 * 60 + 30))
            split = split_minutes(7 * 60, end, rules)
            amount = amount_cents(split, 4500, rules, headcount=people)
            rows.append(
                (first_id + n, 1, agreement_id, None, foreman, day, 7 * 60, end, people, type_id,
                 "", 4500, 5000, 10000, split.standard, split.over_day, split.outside, amount,
                 self.firm.admin.user_id, self.services.clock.now())
            )  # fmt: skip
        return rows


AGREEMENT_COLUMNS = (
    "id", "version", "number", "year", "seq", "project_id", "subcontractor_id", "scope",
    "contract_date", "deadline", "time_and_material", "fixed_amount_cents", "hourly_rate_cents",
    "over_day_bp", "outside_window_bp", "note", "tm_amount_cents", "paid_cents", "fully_paid",
    "work_completed", "created_by_id", "created_at",
)  # fmt: skip
STAGE_COLUMNS = (
    "id", "agreement_id", "stage", "settled_on", "paid_cents", "paid_before_cents",
    "contract_cents", "description", "fully_paid", "work_completed", "created_by_id",
    "created_at",
)  # fmt: skip
REPORT_COLUMNS = (
    "id", "version", "agreement_id", "schedule_id", "foreman_contact_id", "report_date",
    "actual_start", "actual_end", "headcount", "work_type_id", "note", "hourly_rate_cents",
    "over_day_bp", "outside_window_bp", "standard_minutes", "over_day_minutes",
    "outside_window_minutes", "amount_cents", "entered_by_id", "entered_at",
)  # fmt: skip
