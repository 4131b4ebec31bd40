"""The demo firm's field crews and their pay (DESIGN.md §9), written through the real services.

Ingrid Hoffmann of HR keeps the pay terms (own % rates for some, a roofing or an electrical
rate for others, one raise from a date) and transfers pay to accounting; Małgorzata Zielińska
plans and approves. Two crews work three months: the roofing crew of Krzysztof Wójcik on the
Riverside apartments and the electricians of Stefan Braun at the depot (the crew leaders log
in and see their crew's day). The oldest of the three months is approved and transferred to
accounting; the next is approved but for its irregular days (a late start, a missing
clock-out, work on a Saturday), a long emergency day approved as it is, and a night call-out
past midnight besides a day's shift; the current month is settled up to yesterday, not
approved yet, and planned to its end. The firm's fixed-date public holidays of the span are
in the settings (no shift is planned on them).

At scale the firm also has one more crew member per :data:`MEMBERS_PER_ENTRIES` time entries
on its many small sites (crews of six under a leader), with the same three months: loaded in
bulk in one audited transaction (the rows sealed like the services' own), each settled day
priced by the service's own :func:`~..payroll.rules.price_day` with the terms and calendar of
its day, the oldest month approved and transferred with the totals of its shifts, the next
approved.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...data import models as m
from ..administration.settings import SettingsForm
from ..administration.users import UserForm
from ..base import Actor, organisation
from ..hub import Services
from ..payroll import rules as pay_rules
from ..payroll.views import ShiftForm, ShiftView, TermsForm
from .bulk import AuditedBulkWriter, BulkInserter, max_id
from .cast import DEMO_PASSWORD, person
from .dates import month_end, month_start
from .people import Firm
from .result import DemoLogin, Progress


@dataclass(frozen=True)
class Worker:
    """A crew member's pay terms as HR types them (blank: the organisation's % rates)."""

    name: str
    rate: str
    over_day: str = ""
    outside: str = ""
    type_rates: str = ""
    email: str = ""  # a crew leader's login; members have none


@dataclass(frozen=True)
class Crew:
    """A crew on one project and type of work, its leader first."""

    project: str  # a key of the construction projects
    work_type: str
    leader: Worker
    members: tuple[Worker, ...]

    @property
    def people(self) -> tuple[Worker, ...]:
        """The leader and the members."""
        return (self.leader, *self.members)


HR = ("Ingrid Hoffmann", "ingrid.hoffmann@northwind.example")
PLANNER = "malgorzata"
"""The manager who plans and approves the crews' shifts."""

CREWS: tuple[Crew, ...] = (
    Crew("rv", "Roofing",
         Worker("Krzysztof Wójcik", "34.00", type_rates="Roofing=38.00",
                email="krzysztof.wojcik@northwind.example"),
         (Worker("Marek Dąbrowski", "28.50", "25", "75", "Roofing=32.00"),
          Worker("Jan Kamiński", "27.00"),
          Worker("Dawid Szymański", "26.00", "40", "80", "Roofing=29.50"))),
    Crew("dm", "Electrical installation",
         Worker("Stefan Braun", "36.00", type_rates="Electrical installation=41.00",
                email="stefan.braun@northwind.example"),
         (Worker("Lena Vogel", "29.50"),
          Worker("Tobias Krüger", "31.00", "60", "120"))),
)  # fmt: skip
RAISE = ("Jan Kamiński", "28.00")
"""A raise from the first day of last month: the HR tab shows two terms."""
HOLIDAYS = (
    (1, 1, "New Year's Day"),
    (5, 1, "Labour Day"),
    (10, 3, "Day of German Unity"),
    (12, 25, "Christmas Day"),
    (12, 26, "Second Day of Christmas"),
)
"""(month, day, name): the fixed-date public holidays, set for the days of the span."""
PLANNED = ("07:00", "15:30", "30")
"""Start, end and lunch of a planned day: 8 h paid."""

MEMBERS_PER_ENTRIES = 1000
CREW_SIZE = 6
FIRST_NAMES = (
    "Adam", "Agata", "Bartek", "Ewa", "Filip", "Greta", "Hubert", "Iwona", "Jonas", "Karin",
    "Lukas", "Maja", "Nils", "Ola", "Pavel", "Rita", "Sven", "Tereza", "Uwe", "Wiktor",
)  # fmt: skip
LAST_NAMES = (
    "Adler", "Baran", "Czerny", "Dorn", "Engel", "Fuchs", "Głowacki", "Hahn", "Igiełka",
    "Jäger", "Kowal", "Lang", "Maier", "Nowak", "Ostrowski", "Pohl", "Rutkowski", "Schulz",
    "Tomczak", "Urban", "Vogt", "Wolf", "Zając", "Ziegler", "Brandt",
)  # fmt: skip
SITE_TYPES = ("Groundworks", "Bricklaying", "Roofing", "Scaffolding")


class CrewBooks:
    """Writes the crews, their pay terms, three months of shifts and the payroll lock."""

    def __init__(
        self,
        services: Services,
        firm: Firm,
        projects: dict[str, int],
        today: date,
        entries: int,
        say: Progress,
    ) -> None:
        """Shifts of the month of ``today`` and the two before; bulk crews scaled to
        ``entries``."""
        self.services = services
        self.firm = firm
        self.projects = projects
        self.today = today
        self.first = month_start(today, 2)
        self.last = month_end(today)
        self.entries = entries
        self.say = say
        self.planner = firm.actor(PLANNER)
        self.people: dict[str, int] = {}
        self.logins: list[DemoLogin] = []

    # --- the months -----------------------------------------------------------------------

    @property
    def transferred_month(self) -> tuple[date, date]:
        """The oldest complete month: approved and transferred to accounting."""
        return self.first, month_start(self.today, 1) - timedelta(days=1)

    @property
    def approved_month(self) -> tuple[date, date]:
        """Last month: approved but for its irregular days."""
        return month_start(self.today, 1), month_start(self.today) - timedelta(days=1)

    def run(self) -> dict[str, int]:
        """The crews through the services, then the bulk crews; the counts."""
        started = time.perf_counter()
        admin = self.firm.admin
        holidays = self._holidays(admin)
        hr = self._people(admin)
        self._terms(hr)
        planned = self._plan()
        accepted = self._irregular_days(planned)
        self._approve(planned, accepted)
        transfer = self.services.payroll.transfer(hr, *self.transferred_month)
        with self.services.db.read() as session:
            shifts = session.execute(select(func.count()).select_from(m.WorkShift)).scalar_one()
        people = len(self.people)
        self.say(
            f"Crews: {len(CREWS)} crews of {people} people, {shifts} work shifts over three "
            f"months, a few irregular; {transfer.date_from:%B %Y} transferred to "
            f"accounting ({transfer.total.format()}); {holidays} holiday(s) in the settings "
            f"({time.perf_counter() - started:.1f} s)."
        )
        counts = {
            "crew_members": people,
            "work_shifts": shifts,
            "payroll_periods": len(transfer.lines),
        }
        for name, count in self._bulk(hr.user_id).items():
            counts[name] += count
        return counts

    # --- people, terms, holidays ------------------------------------------------------------

    def _holidays(self, admin: Actor) -> int:
        """The fixed-date holidays that fall in the three months."""
        found = []
        for year in range(self.first.year, self.last.year + 1):
            for month, day, name in HOLIDAYS:
                when = date(year, month, day)
                if self.first <= when <= self.last:
                    found.append(f"{when.isoformat()} {name}")
        if found:
            self.services.settings.update(admin, SettingsForm(holidays="\n".join(found)))
        return len(found)

    def _people(self, admin: Actor) -> Actor:
        """HR and the crews (leaders under the planner, members under their leader); HR's
        actor."""
        users = self.services.users
        boss = self.firm.users[PLANNER]
        name, email = HR
        hr = users.create_user(
            admin,
            UserForm(
                name=name,
                email=email,
                role="hr",
                supervisor_id=admin.user_id,
                pay_rate="48.00",
                password=DEMO_PASSWORD,
            ),
        )
        self.logins.append(DemoLogin(name, email, hr.role.label, self.firm.admin.name))
        for crew in CREWS:
            leader = self._worker(crew.leader, boss)
            for member in crew.members:
                self._worker(member, leader)
        return Actor(hr.id, email, name, hr.role)

    def _worker(self, worker: Worker, supervisor: int) -> int:
        view = self.services.users.create_user(
            self.firm.admin,
            UserForm(
                name=worker.name,
                email=worker.email,
                role="staff",
                supervisor_id=supervisor,
                pay_rate=worker.rate,
                password=DEMO_PASSWORD if worker.email else "",
            ),
        )
        self.people[worker.name] = view.id
        if worker.email:  # a crew leader, under the planner
            self.logins.append(
                DemoLogin(worker.name, worker.email, view.role.label, person(PLANNER).name)
            )
        return view.id

    def _terms(self, hr: Actor) -> None:
        pay = self.services.payroll
        for crew in CREWS:
            for worker in crew.people:
                pay.set_terms(
                    hr,
                    str(self.people[worker.name]),
                    TermsForm(
                        effective_from=self.first.isoformat(),
                        hourly_rate=worker.rate,
                        over_day=worker.over_day,
                        outside_window=worker.outside,
                        rates=worker.type_rates,
                    ),
                )
        name, rate = RAISE
        pay.set_terms(
            hr,
            str(self.people[name]),
            TermsForm(
                effective_from=self.approved_month[0].isoformat(),
                hourly_rate=rate,
                note="Raise after the probation period",
            ),
        )

    # --- shifts -------------------------------------------------------------------------------

    def _plan(self) -> dict[str, list[ShiftView]]:
        """Every working day of the three months for each crew (the days past settled as
        planned: a schedule filled in afterwards); the shifts by the worker's name."""
        start, end, lunch = PLANNED
        found: dict[str, list[ShiftView]] = defaultdict(list)
        for crew in CREWS:
            result = self.services.payroll.plan(
                self.planner,
                ShiftForm(
                    employees=", ".join(str(self.people[w.name]) for w in crew.people),
                    project=str(self.projects[crew.project]),
                    shift_date=self.first.isoformat(),
                    date_to=self.last.isoformat(),
                    work_type=crew.work_type,
                    planned_start=start,
                    planned_end=end,
                    lunch=lunch,
                ),
            )
            for view in result.created:
                found[view.employee].append(view)
        return found

    def _irregular_days(self, planned: dict[str, list[ShiftView]]) -> int:
        """Last month's irregular days, by hand: a late start, a missing clock-out, a long
        emergency day, a Saturday on the roof; and a night call-out past midnight, planned
        and regular. The long day's shift id (it is approved as it is)."""
        pay = self.services.payroll
        first, last = self.approved_month

        def day_of(name: str, index: int) -> ShiftView:
            days = [v for v in planned[name] if first <= v.shift_date <= last]
            return days[index]

        late = day_of("Marek Dąbrowski", 1)
        pay.edit(
            self.planner,
            late.id,
            ShiftForm(actual_start="07:50", reason="Late start: the crew van broke down"),
        )
        open_ = day_of("Jan Kamiński", 2)
        pay.edit(
            self.planner,
            open_.id,
            ShiftForm(
                actual_start="06:58",
                actual_end="-",
                reason="Clocked in at the site terminal; no clock-out recorded",
            ),
        )
        long_day = day_of("Stefan Braun", 3)
        pay.edit(
            self.planner,
            long_day.id,
            ShiftForm(actual_end="19:30", reason="Emergency repair of the conveyor drive"),
        )
        with self.services.db.read() as session:
            holidays = pay_rules.Calendar(session, first, last).holidays
        saturday = first
        while saturday.isoweekday() != 6 or saturday in holidays:
            saturday += timedelta(days=1)
        for name in ("Krzysztof Wójcik", "Marek Dąbrowski"):
            pay.add(
                self.planner,
                ShiftForm(
                    employees=str(self.people[name]),
                    project=str(self.projects["rv"]),
                    shift_date=saturday.isoformat(),
                    work_type="Roofing",
                    planned_start="08:00",
                    planned_end="13:00",
                    lunch="0",
                ),
            )
        night = day_of("Lena Vogel", 4)
        pay.add(
            self.planner,
            ShiftForm(
                employees=str(self.people["Lena Vogel"]),
                project=str(self.projects["dm"]),
                shift_date=night.shift_date.isoformat(),
                work_type="Electrical installation",
                planned_start="22:00",
                planned_end="02:00",
                lunch="0",
            ),
        )
        return long_day.id

    def _approve(self, planned: dict[str, list[ShiftView]], accepted: int) -> None:
        """Every settled regular day of the two complete months, and the ``accepted`` day
        named with its marks accepted."""
        pay = self.services.payroll
        first, _ = self.transferred_month
        _, last = self.approved_month
        for name in planned:
            pay.approve(
                self.planner, employee=str(self.people[name]), date_from=first, date_to=last
            )
        pay.approve(self.planner, [accepted], accept_irregular=True)

    # --- at scale ---------------------------------------------------------------------------

    def _bulk(self, hr: int) -> dict[str, int]:
        """One crew member per :data:`MEMBERS_PER_ENTRIES` entries on the small sites, with
        their terms, three months of shifts and the oldest month transferred by ``hr``."""
        count = self.entries // MEMBERS_PER_ENTRIES
        zero = {"crew_members": 0, "work_shifts": 0, "payroll_periods": 0}
        if count == 0:
            return zero
        started = time.perf_counter()
        writer = AuditedBulkWriter(self.services.db, self.services.clock)
        with writer.load(self.firm.admin) as uow:
            session = uow.session
            sites = list(
                session.execute(
                    select(m.Project.id)
                    .where(m.Project.code.like("S-%"))  # type: ignore[attr-defined]
                    .order_by(m.Project.id)
                ).scalars()
            )
            if not sites:
                return zero
            load = _BulkCrews(self, session, uow.now, hr, random.Random(2000))
            counts = load.write(count, sites)
            uow.audit("demo.crews", "work_shift", None, None, counts)
        self.say(
            f"Crews at scale: {counts['crew_members']} more crew members on the small sites, "
            f"{counts['work_shifts']} work shifts, {counts['payroll_periods']} periods "
            f"transferred ({time.perf_counter() - started:.1f} s)."
        )
        return counts


class _BulkCrews:
    """The rows of the bulk crews, made and priced in one transaction."""

    def __init__(
        self, books: CrewBooks, session: Session, now: datetime, hr: int, chooser: random.Random
    ) -> None:
        self.books = books
        self.session = session
        self.now = now
        self.hr = hr
        self.chooser = chooser
        self.bulk = BulkInserter(session, books.services.db.backend)
        self.creator = books.firm.admin.user_id
        self.approver = books.firm.users[PLANNER]

    def write(self, count: int, sites: Sequence[int]) -> dict[str, int]:
        """Users, terms, shifts and periods of ``count`` crew members; the counts."""
        tables = m.metadata.tables
        people = self._users(count)
        self.bulk.insert(tables["user_account"], USER_COLUMNS, people)
        rates = {int(row[0]): int(row[8]) for row in people}
        types: dict[str, int] = {
            str(name): int(ident)
            for name, ident in self.session.execute(
                select(m.WorkType.name, m.WorkType.id).where(
                    m.WorkType.name.in_(SITE_TYPES)  # type: ignore[attr-defined]
                )
            ).all()
        }
        terms, type_rates = self._terms(rates, types)
        self.bulk.insert(tables["employee_pay"], PAY_COLUMNS, terms)
        self.bulk.insert(tables["employee_pay_rate"], PAY_RATE_COLUMNS, type_rates)
        ids = list(rates)
        shifts = self._shifts(ids, sites, types)
        periods = self._periods(shifts)
        self.bulk.insert(tables["payroll_period"], PERIOD_COLUMNS, periods)
        rows = [tuple(shift[name] for name in SHIFT_COLUMNS) for shift in shifts]
        self.bulk.insert(tables["work_shift"], SHIFT_COLUMNS, rows)
        self.bulk.finish()
        return {"crew_members": count, "work_shifts": len(shifts), "payroll_periods": len(periods)}

    def _users(self, count: int) -> list[tuple[Any, ...]]:
        """Crews of :data:`CREW_SIZE` under a leader, the leaders under the two managers."""
        first = max_id(self.session, m.UserAccount) + 1
        managers = [self.books.firm.users["juergen"], self.books.firm.users[PLANNER]]
        rows: list[tuple[Any, ...]] = []
        combos = len(FIRST_NAMES) * len(LAST_NAMES)
        for n in range(count):
            ident = first + n
            leader = first + n - n % CREW_SIZE
            name = (
                f"{FIRST_NAMES[n % len(FIRST_NAMES)]} "
                f"{LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]}"
                + (f" {n // combos + 1}" if n >= combos else "")
            )
            rate = self.chooser.randrange(24, 43) * 100 + self.chooser.choice((0, 50))
            supervisor = managers[(n // CREW_SIZE) % 2] if ident == leader else leader
            rows.append(
                (ident, 1, None, None, name, "staff", None, supervisor, rate, True, 0, self.now)
            )
        return rows

    def _terms(
        self, rates: dict[int, int], types: dict[str, int]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """One terms row each from the first day (every seventh with own % rates) and, for
        every third, a rate for the crew's type of work 3.50 above the standard one."""
        first = max_id(self.session, m.EmployeePay) + 1
        rate_id = max_id(self.session, m.EmployeePayRate) + 1
        rows: list[tuple[Any, ...]] = []
        type_rates: list[tuple[Any, ...]] = []
        for n, (ident, rate) in enumerate(rates.items()):
            own = n % 7 == 3
            rows.append(
                (first + n, 1, ident, self.books.first, False, rate,
                 4000 if own else None, 8000 if own else None, "", self.creator, self.now)
            )  # fmt: skip
            if n % 3 == 1:
                crew_type = types[SITE_TYPES[(n // CREW_SIZE) % len(SITE_TYPES)]]
                type_rates.append((rate_id, first + n, crew_type, rate + 350))
                rate_id += 1
        return rows, type_rates

    def _shifts(
        self, ids: Sequence[int], sites: Sequence[int], types: dict[str, int]
    ) -> list[dict[str, Any]]:
        """Every working day of the three months (as rows of :data:`SHIFT_COLUMNS`); the days
        before today settled as planned and priced as the service prices a day."""
        session, books = self.session, self.books
        pricing = _Pricing(session, ids, self.approver)
        calendar = pay_rules.Calendar(session, books.first, books.last)
        days = [
            books.first + timedelta(days=i)
            for i in range((books.last - books.first).days + 1)
            if not calendar.day_off(books.first + timedelta(days=i))
        ]
        settled_until = books.approved_month[1]
        first_id = max_id(session, m.WorkShift) + 1
        shifts: list[dict[str, Any]] = []
        for n, ident in enumerate(ids):
            crew = n // CREW_SIZE
            site = sites[crew % len(sites)]
            work_type = types[SITE_TYPES[crew % len(SITE_TYPES)]]
            start = 6 * 60 if crew % 3 == 0 else 7 * 60
            for day in days:
                end = start + (10 * 60 if self.chooser.random() < 0.1 else 8 * 60 + 30)
                past = day < books.today
                row = (
                    pricing.priced(ident, day, work_type, start, end)
                    if past
                    else {**pricing.unsettled}
                )
                approved = past and day <= settled_until
                row.update(
                    id=first_id + len(shifts),
                    employee_id=ident,
                    project_id=site,
                    work_type_id=work_type,
                    shift_date=day,
                    planned_start=start,
                    planned_end=end,
                    approved_by_id=self.approver if approved else None,
                    approved_at=self.now if approved else None,
                    created_by_id=self.approver,
                    created_at=self.now,
                )
                shifts.append(row)
        return shifts

    def _periods(self, shifts: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The oldest month of each crew member transferred, with the totals of its shifts
        (as the service's transfer keeps them); its shifts carry the period."""
        first, last = self.books.transferred_month
        by_person: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for shift in shifts:
            if first <= shift["shift_date"] <= last:
                by_person[shift["employee_id"]].append(shift)
        next_id = max_id(self.session, m.PayrollPeriod) + 1
        rows: list[tuple[Any, ...]] = []
        for employee, mine in by_person.items():
            sums = {name: sum(int(s[name] or 0) for s in mine) for name in PERIOD_SUMS}
            for shift in mine:
                shift["payroll_period_id"] = next_id
            rows.append(
                (next_id, employee, first, last, len(mine), sums["standard_minutes"],
                 sums["over_day_minutes"], sums["outside_window_minutes"], sums["pay_cents"],
                 self.now, self.hr)
            )  # fmt: skip
            next_id += 1
        return rows


class _Pricing:
    """A working day of one shift priced by the service's :func:`~..payroll.rules.price_day`,
    once per set of terms, type of work and times: with the organisation's rules and a
    30-minute lunch, its pay depends on nothing else."""

    def __init__(self, session: Session, ids: Sequence[int], creator: int) -> None:
        self.base = pay_rules.org_rules(organisation(session))
        self.terms = pay_rules.TermsBook(session, ids)
        self.creator = creator
        self.seen: dict[tuple[int, int, int, int], dict[str, Any]] = {}
        self.unsettled = self._columns(None, None, 0, None, None)

    def priced(
        self, employee: int, day: date, work_type: int, start: int, end: int
    ) -> dict[str, Any]:
        """A fresh row of a shift worked from ``start`` to ``end`` as planned, priced."""
        terms = self.terms.on(employee, day)
        assert terms is not None
        key = (terms.pay_id, work_type, start, end)
        if key not in self.seen:
            self.seen[key] = self._columns(terms, work_type, employee, start, end)
        return {**self.seen[key]}

    def _columns(
        self,
        terms: pay_rules.Terms | None,
        work_type: int | None,
        employee: int,
        start: int | None,
        end: int | None,
    ) -> dict[str, Any]:
        shift = m.WorkShift(
            employee_id=employee,
            project_id=0,
            work_type_id=work_type,
            shift_date=date.min,
            actual_start=start,
            actual_end=end,
            lunch_minutes=30,
            created_by_id=self.creator,
        )
        pay_rules.price_day([shift], self.base, terms, False)
        return {name: getattr(shift, name) for name in SHIFT_COLUMNS}


USER_COLUMNS = (
    "id", "version", "email", "email_key", "name", "role", "password_hash", "supervisor_id",
    "pay_rate_cents", "is_active", "failed_logins", "created_at",
)  # fmt: skip
PAY_COLUMNS = (
    "id", "version", "employee_id", "effective_from", "external", "hourly_rate_cents",
    "over_day_bp", "outside_window_bp", "note", "created_by_id", "created_at",
)  # fmt: skip
PAY_RATE_COLUMNS = ("id", "pay_id", "work_type_id", "hourly_rate_cents")
PERIOD_SUMS = ("standard_minutes", "over_day_minutes", "outside_window_minutes", "pay_cents")
PERIOD_COLUMNS = (
    "id", "employee_id", "period_start", "period_end", "shift_count", "standard_minutes",
    "over_day_minutes", "outside_window_minutes", "total_cents", "transferred_at",
    "transferred_by_id",
)  # fmt: skip
SHIFT_COLUMNS = (
    "id", "version", "employee_id", "project_id", "work_type_id", "shift_date", "planned_start",
    "planned_end", "actual_start", "actual_end", "lunch_minutes", "custom_rates", "over_day_bp",
    "outside_window_bp", "note", "rate_cents", "rate_over_day_bp", "rate_outside_bp",
    "window_start", "window_end", "day_length", "day_off", "standard_minutes",
    "over_day_minutes", "outside_window_minutes", "standard_cents", "over_day_cents",
    "outside_cents", "pay_cents", "approved_by_id", "approved_at", "payroll_period_id",
    "created_by_id", "created_at",
)  # fmt: skip
