"""A realistic demo firm, "Northwind Studio", built in one empty database.

The people and the code presets go through the real services, so validation
and the audit log see them like any other set-up. The year of time cards
behind them is too large for one service call each, so it is written in bulk
inside a single write transaction (one audit event records it): SQLAlchemy Core
``executemany`` on SQLite and ``COPY`` on PostgreSQL.

Every entry is consistent with the pipeline rules: a supervisor approves, the
oldest work is processed onto document records (one invoice record per client
per month, plus statements of write-downs) whose totals equal their frozen
lines, and the most recent weeks are still draft.

The money side of issue 4 is written in the same transaction with direct inserts that keep
the same rules as the services: a few contractor master invoices (awaiting approval,
approved, partially paid, paid) over whole months of approved tickets, numbered gaplessly
in the MI series, their tickets' pay status and master invoice set, payments with bank
details, a notification for each paid invoice; payment-terms templates; the contractors'
compliance documents (some missing, some expired).

The daily time summary (``time_day_total``) would otherwise be updated by a trigger for
each of the million inserted entries; its triggers are dropped for the bulk load and
re-created from their stored definitions, and the table is rebuilt with one grouped
``INSERT ... SELECT``, all inside the one transaction. Every later write goes through the
triggers.

Last, once the history is committed, the bookkeeper invoices each client's three newest
invoice records through the real services (Documenter draft, the standard payment terms,
issue, payments), so numbering, frozen lines, terms text and audit are the real ones: the
oldest of the three is paid in full, the middle one partly, the newest is unpaid (and
overdue once past its due date); the unpaid ones but the last are marked sent. Issuing
costs time per line, so a client's invoices bill at most ``CLIENT_INVOICE_LINE_BUDGET``
record lines: the largest demos invoice fewer, smaller records (a lone one part-paid).
"""

from __future__ import annotations

import calendar
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.orm import Session

from ..data import models as m
from ..domain.money import Money
from ..domain.permissions import Perm, Role
from ..domain.rounding import RoundingMode, divide_to_int
from ..domain.states import InvoiceStatus, PayStatus, TimeEntryStatus
from ..errors import ConflictError, Problem, ValidationError
from .administration.presets import (
    ActivityForm,
    CompanyForm,
    ContactForm,
    ProjectForm,
    RateCodeForm,
    TaskForm,
)
from .administration.users import UserForm
from .base import Actor, ServiceBase, local_today
from .hub import Services
from .invoicing.views import DraftForm, InvoiceView, PaymentForm
from .pipeline.views import WRITE_DOWN_REASONS

ORGANISATION = "Northwind Studio"
DEMO_PASSWORD = "demo-pass-2026"
DAYS_OF_HISTORY = 365
ROWS_PER_INSERT = 25_000
Progress = Callable[[str], None]

# --------------------------------------------------------------------------------------------
# The cast and the code presets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    """One member of the demo firm; ``supervisor`` and ``company`` are keys of this cast."""

    key: str
    name: str
    email: str
    role: Role
    supervisor: str | None = None
    pay_rate: str = "0"
    rate_code: str = ""
    projects: tuple[str, ...] = ()
    weight: float = 1.0
    company: str | None = None


ADMIN = _Person("owner", "Agnieszka Wróbel", "agnieszka.wrobel@northwind.example",
                Role.ADMINISTRATOR)  # fmt: skip

PEOPLE: tuple[_Person, ...] = (
    _Person("juergen", "Jürgen Köhler", "juergen.koehler@northwind.example", Role.MANAGER,
            "owner", "72.00", "principal", ("cm1", "cm2", "hf1"), 0.6),
    _Person("malgorzata", "Małgorzata Zielińska", "malgorzata.zielinska@northwind.example",
            Role.MANAGER, "owner", "72.00", "principal", ("ze1", "ze2", "hf2"), 0.6),
    _Person("lukasz", "Łukasz Kowalczyk", "lukasz.kowalczyk@northwind.example", Role.STAFF,
            "juergen", "48.00", "senior", ("cm1", "cm2", "hf1"), 1.0),
    _Person("emilie", "Émilie Dubois", "emilie.dubois@northwind.example", Role.STAFF,
            "juergen", "46.00", "senior", ("cm1", "hf1", "hf2"), 1.0),
    _Person("soeren", "Søren Østergaard", "soeren.ostergaard@northwind.example", Role.STAFF,
            "juergen", "44.50", "senior", ("cm2", "hf1"), 1.0),
    _Person("tomasz", "Tomasz Górski", "tomasz.gorski@northwind.example", Role.STAFF,
            "malgorzata", "47.00", "senior", ("ze1", "ze2"), 1.0),
    _Person("anja", "Anja Weiß", "anja.weiss@northwind.example", Role.STAFF,
            "malgorzata", "45.00", "senior", ("ze1", "ze2", "hf2"), 1.0),
    _Person("pawel", "Paweł Nowicki", "pawel.nowicki@northwind.example", Role.STAFF,
            "lukasz", "31.00", "junior", ("cm1", "cm2"), 0.9),
    _Person("katarzyna", "Katarzyna Wiśniewska", "katarzyna.wisniewska@northwind.example",
            Role.STAFF, "lukasz", "30.00", "junior", ("cm1", "hf1"), 0.9),
    _Person("helga", "Helga Schröder", "helga.schroeder@northwind.example", Role.ACCOUNTANT,
            "owner", "52.00"),
    _Person("sabine", "Sabine Müller", "sabine.mueller@cafe-mueller.example", Role.CLIENT,
            company="cafe"),
    _Person("jonas", "Jonas Becker", "jonas.becker@cafe-mueller.example", Role.CLIENT,
            company="cafe"),
    _Person("zofia", "Zofia Kamińska", "zofia.kaminska@ze-lodz.example", Role.CLIENT,
            company="zel"),
    _Person("siobhan", "Siobhán O'Neill", "siobhan.oneill@harbourfield.example", Role.CLIENT,
            company="hf"),
)  # fmt: skip

ORGANISATION_ADDRESS = "Am Kupfergraben 6\n10117 Berlin\nGermany"

# key, name, tax id, address, e-mail, phone, (contact name, contact e-mail, position)
CLIENTS: tuple[tuple[str, str, str, str, str, str, tuple[str, str, str]], ...] = (
    ("cafe", "Café Müller GmbH", "DE298765431",
     "Schönhauser Allee 112\n10439 Berlin\nGermany", "buchhaltung@cafe-mueller.example",
     "+49 30 4405 2210", ("Sabine Müller", "sabine.mueller@cafe-mueller.example", "Owner")),
    ("zel", "Zakład Energetyczny Łódź Sp. z o.o.", "PL7251801126",
     "ul. Piotrkowska 204/210\n90-369 Łódź\nPoland", "faktury@ze-lodz.example",
     "+48 42 636 1500", ("Zofia Kamińska", "zofia.kaminska@ze-lodz.example",
                         "Kierownik projektu")),
    ("hf", "Harbour & Field Ltd", "GB356712894",
     "14 Quayside\nNewcastle upon Tyne NE1 3DX\nUnited Kingdom", "accounts@harbourfield.example",
     "+44 191 496 0321", ("Siobhán O'Neill", "siobhan.oneill@harbourfield.example",
                          "Facilities director")),
)  # fmt: skip

# key, code, name, client key, valuation, contract amount, progress %, manager key, tasks
PROJECTS: tuple[tuple[str, str, str, str, str, str, str, str, tuple[str, ...]], ...] = (
    ("cm1", "CM-01", "Café Müller – interior redesign", "cafe", "fixed", "48000.00", "65",
     "juergen", ("Survey and measurements", "Concept design", "Detailed drawings",
                 "Site supervision")),
    ("cm2", "CM-02", "Café Müller – website and menu boards", "cafe", "tm", "", "0",
     "juergen", ("Visual identity", "Web pages")),
    ("ze1", "ZEL-01", "Substation 7 modernisation", "zel", "fixed", "120000.00", "40",
     "malgorzata", ("Feasibility study", "Permit documentation", "Technical design",
                    "Construction oversight")),
    ("ze2", "ZEL-02", "Grid documentation audit", "zel", "tm", "", "0", "malgorzata",
     ("Document review", "Findings report", "Workshops")),
    ("hf1", "HF-01", "Dockside warehouse survey", "hf", "tm", "", "0", "juergen",
     ("Structural survey", "Survey report")),
    ("hf2", "HF-02", "Visitor centre concept", "hf", "fixed", "36500.00", "20", "malgorzata",
     ("Brief and research", "Concept options", "Presentation")),
)  # fmt: skip

# key, name, billable by default
ACTIVITIES: tuple[tuple[str, str, bool], ...] = (
    ("design", "Design", True),
    ("visit", "Site visit", True),
    ("meeting", "Client meeting", True),
    ("docs", "Documentation", True),
    ("training", "Internal training", False),
)

ACTIVITY_KEYS: tuple[str, ...] = tuple(key for key, _name, _billable in ACTIVITIES)
ACTIVITY_WEIGHTS: tuple[float, ...] = (5, 2, 2, 3, 0.5)

# key, name, hourly rate
RATE_CODES: tuple[tuple[str, str, str], ...] = (
    ("junior", "Junior", "60.00"),
    ("senior", "Senior", "95.00"),
    ("principal", "Principal", "140.00"),
    ("visit", "Site visit", "75.00"),
)

DESCRIPTIONS: tuple[str, ...] = (
    "Site measurements and photo survey",
    "Concept sketches, first round",
    "Revised floor plan after client comments",
    "Coordination call with the structural engineer",
    "Abstimmung mit dem Bauherrn vor Ort",
    "Przegląd dokumentacji technicznej",
    "Uzgodnienia z wykonawcą na budowie",
    "Detailed drawings: joinery and fittings",
    "Material schedule and supplier quotes",
    "Meeting minutes and action list",
    "Permit application package",
    "Quality check of the drawing set",
    "Lighting layout – Überarbeitung",
    "Presentation boards for the client workshop",
    "Cost estimate update",
    "Travel to site and inspection",
    "Zestawienie materiałów – aktualizacja",
    "Internal review with the team",
    "Mängelliste nach Begehung",
    "Report writing: findings and recommendations",
)

REJECTION_REASONS: tuple[str, ...] = (
    "Wrong project: this belongs to the website work.",
    "Please split the day into the separate tasks.",
    "Hours look too high for a site visit – please check.",
    "Description missing the meeting's subject.",
    "Zły kod zadania – proszę poprawić.",
)
NON_BILLABLE_REASON = "Non-billable"
HOLD_DAYS = (14, 30, 45)

MINUTE_CHOICES: tuple[int, ...] = tuple(range(15, 481, 15))
# Mostly one to four hours; full days and quarter hours are rarer.
MINUTE_WEIGHTS: tuple[float, ...] = tuple(
    1.0 + 6.0 * max(0.0, 1.0 - abs(minutes - 150) / 180) for minutes in MINUTE_CHOICES
)

_S = TimeEntryStatus
# How likely each status is for work of a given age (days before today), oldest last.
STATUS_BY_AGE: tuple[tuple[int, tuple[tuple[TimeEntryStatus, float], ...]], ...] = (
    (10, ((_S.DRAFT, 0.85), (_S.ACCEPTED, 0.15))),
    (21, ((_S.DRAFT, 0.20), (_S.ACCEPTED, 0.35), (_S.REJECTED, 0.10), (_S.APPROVED, 0.35))),
    (45, ((_S.ACCEPTED, 0.05), (_S.REJECTED, 0.05), (_S.APPROVED, 0.30), (_S.ALLOCATED, 0.60))),
    (75, ((_S.REJECTED, 0.02), (_S.ALLOCATED, 0.28), (_S.PROCESSED, 0.70))),
    (10_000, ((_S.REJECTED, 0.01), (_S.ALLOCATED, 0.02), (_S.PROCESSED, 0.97))),
)

TIME_ENTRY_COLUMNS: tuple[str, ...] = (
    "id", "owner_id", "entered_by_id", "project_id", "task_id", "activity_id", "rate_code_id",
    "work_date", "minutes", "start_minute", "end_minute", "description", "billable", "status",
    "pay_status", "rate_cents", "value_cents", "rejection_reason", "accepted_by_id",
    "accepted_at", "approved_by_id", "approved_at", "allocation", "write_down_cents",
    "write_down_reason", "write_down_note", "hold_until", "document_id", "master_invoice_id",
    "created_at", "updated_at", "version",
)  # fmt: skip
DOCUMENT_COLUMNS: tuple[str, ...] = (
    "id", "reference", "kind", "client_id", "project_id", "total_minutes", "value_cents",
    "billed_cents", "write_down_cents", "created_by_id", "created_at",
)  # fmt: skip
LINE_COLUMNS: tuple[str, ...] = (
    "id", "document_id", "time_entry_id", "work_date", "person_name", "project_name",
    "task_name", "activity_name", "description", "minutes", "rate_cents", "value_cents",
    "billed_cents", "write_down_cents", "write_down_reason",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------


class DemoLogin(NamedTuple):
    """One person who can log in to the demo firm."""

    name: str
    email: str
    role: str
    supervisor: str


@dataclass(frozen=True)
class DemoResult:
    """What :func:`build_demo` made: who can log in and how many records of each kind."""

    organisation: str
    password: str
    logins: tuple[DemoLogin, ...]
    status_counts: Mapping[str, int]
    pay_status_counts: Mapping[str, int]
    documents: int
    document_lines: int
    elapsed_seconds: float
    first_day: date | None = None
    last_day: date | None = None
    finance: Mapping[str, int] = field(default_factory=dict)

    @property
    def entries(self) -> int:
        """How many time entries were generated."""
        return sum(self.status_counts.values())

    def summary(self) -> str:
        """A printable account of the demo firm: its logins, the shared password, the counts."""
        lines = [
            f"Demo firm '{self.organisation}' is ready ({self.elapsed_seconds:.1f} s).",
            f"Every login below uses the password: {self.password}",
            "",
        ]
        widths = [max(len(row[i]) for row in [*self.logins, _LOGIN_HEADER]) for i in range(3)]
        for row in (_LOGIN_HEADER, *self.logins):
            lines.append(
                f"  {row.name:<{widths[0]}}  {row.email:<{widths[1]}}  "
                f"{row.role:<{widths[2]}}  {row.supervisor}".rstrip()
            )
        span = (
            f" from {self.first_day:%Y-%m-%d} to {self.last_day:%Y-%m-%d}"
            if self.first_day and self.last_day
            else ""
        )
        lines += ["", f"Time entries: {self.entries:,}{span}"]
        for status in TimeEntryStatus:
            lines.append(f"  {status.value:<10} {self.status_counts.get(status.value, 0):>10,}")
        lines.append(
            "Pay status: "
            + ", ".join(
                f"{status.value} {self.pay_status_counts.get(status.value, 0):,}"
                for status in PayStatus
            )
        )
        lines.append(f"Document records: {self.documents:,} with {self.document_lines:,} lines.")
        if self.finance:
            lines += self._finance_lines()
        return "\n".join(lines)

    def _finance_lines(self) -> list[str]:
        """The client and contractor invoices, terms and compliance documents made."""
        counts = self.finance
        issued = counts.get("client_invoices", 0)
        paid = counts.get("client_invoices_paid", 0)
        partly = counts.get("client_invoices_partially_paid", 0)
        return [
            f"Client invoices: {issued} issued ({paid} paid, {partly} partially paid, "
            f"{issued - paid - partly} unpaid; {counts.get('client_invoices_sent', 0)} marked "
            f"sent) with {counts.get('client_payments', 0)} payments.",
            f"Contractor master invoices: {counts.get('master_invoices', 0)} with "
            f"{counts.get('payments', 0)} payments; "
            f"{counts.get('payment_terms', 0)} payment-terms templates; "
            f"{counts.get('compliance_documents', 0)} compliance documents.",
        ]


_LOGIN_HEADER = DemoLogin("Name", "E-mail", "Role", "Supervisor")


# --------------------------------------------------------------------------------------------
# Building the firm
# --------------------------------------------------------------------------------------------


BULK_TABLES = (
    "time_entry",
    "document_record",
    "document_line",
    "time_day_total",
    "master_invoice_line",
)


def _refresh_statistics(services: Services) -> None:
    """Give the planner fresh statistics after the bulk load.

    On PostgreSQL a freshly COPY-loaded table has no visibility map, so index-only scans
    fall back to reading the table; VACUUM ANALYZE (outside a transaction) fixes both.
    """
    engine = services.db.engine
    if services.db.backend == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in BULK_TABLES:
                conn.execute(text(f"VACUUM ANALYZE {table}"))
    else:
        with services.db.write() as session:
            session.execute(text("ANALYZE"))


def build_demo(
    services: Services,
    *,
    entries: int = 2000,
    seed: int = 7,
    progress: Progress | None = None,
    today: date | None = None,
) -> DemoResult:
    """Build the demo firm in an empty database and return its logins and counts.

    Args:
        services: the services of the (empty) database to fill.
        entries: how many time entries to generate over the last year.
        seed: the random seed; the same seed builds the same firm.
        progress: called with a line of text after each step and each month written.
        today: the day the history ends before (default: today).

    Raises:
        ConflictError: the database already has an organisation; nothing is changed.
        ValidationError: ``entries`` is negative.
    """
    if entries < 0:
        raise ValidationError([Problem("entries", "must not be negative")])
    started = time.perf_counter()
    say: Progress = progress or (lambda _line: None)
    if services.auth.is_initialised():
        raise ConflictError(
            "This database already has an organisation; the demo firm needs an empty "
            "database. Point --db at a new file or database.",
            title="Not an empty database",
        )
    rng = random.Random(seed)
    admin = services.auth.init_organisation(ORGANISATION, ADMIN.email, ADMIN.name, DEMO_PASSWORD)
    _describe_organisation(services, admin)
    say(f"Organisation '{ORGANISATION}' created; administrator {ADMIN.email}.")
    firm = _Firm(admin=admin)
    _create_presets(services, firm)
    logins = _create_people(services, firm)
    _create_projects(services, firm)
    say(f"{len(logins)} users created, all with the password '{DEMO_PASSWORD}'.")
    say(
        f"Code presets: {len(CLIENTS)} clients, {len(PROJECTS)} projects, "
        f"{sum(len(p[8]) for p in PROJECTS)} tasks, {len(ACTIVITIES)} activities, "
        f"{len(RATE_CODES)} rate codes."
    )
    day = today or date.today()
    stats = _BulkHistory(services, firm, rng, day, say).write(entries)
    _refresh_statistics(services)
    say("Planner statistics refreshed.")
    billing_started = time.perf_counter()
    billing = _ClientBilling(services, firm, stats.invoice_records, day, say).run()
    say(
        f"{billing['client_invoices']} client invoices issued with "
        f"{billing['client_payments']} payments "
        f"({time.perf_counter() - billing_started:.1f} s)."
    )
    return DemoResult(
        organisation=ORGANISATION,
        password=DEMO_PASSWORD,
        logins=tuple(logins),
        status_counts={s.value: stats.statuses.get(s.value, 0) for s in TimeEntryStatus},
        pay_status_counts={s.value: stats.pay.get(s.value, 0) for s in PayStatus},
        documents=stats.documents,
        document_lines=stats.lines,
        elapsed_seconds=time.perf_counter() - started,
        first_day=stats.first_day,
        last_day=stats.last_day,
        finance={**stats.finance, **billing},
    )


@dataclass
class _Firm:
    """The ids of everything the services created, by the keys of the cast and presets."""

    admin: Actor
    users: dict[str, int] = field(default_factory=dict)
    clients: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    activities: dict[str, int] = field(default_factory=dict)
    rate_codes: dict[str, tuple[int, int]] = field(default_factory=dict)


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


def _create_presets(services: Services, firm: _Firm) -> None:
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


def _create_people(services: Services, firm: _Firm) -> list[DemoLogin]:
    """The two staff tiers, the accountant and the client users."""
    names = {ADMIN.key: ADMIN.name}
    firm.users[ADMIN.key] = firm.admin.user_id
    logins = [DemoLogin(ADMIN.name, ADMIN.email, ADMIN.role.label, "")]
    for person in PEOPLE:
        supervisor = firm.users[person.supervisor] if person.supervisor else None
        company = firm.clients[person.company] if person.company else None
        view = services.users.create_user(
            firm.admin,
            UserForm(
                name=person.name,
                email=person.email,
                role=person.role.value,
                supervisor_id=supervisor,
                company_id=company,
                pay_rate=person.pay_rate,
                password=DEMO_PASSWORD,
            ),
        )
        firm.users[person.key] = view.id
        names[person.key] = person.name
        boss = names[person.supervisor] if person.supervisor else ""
        logins.append(DemoLogin(person.name, person.email, person.role.label, boss))
    return logins


def _create_projects(services: Services, firm: _Firm) -> None:
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


# --------------------------------------------------------------------------------------------
# The bulk history
# --------------------------------------------------------------------------------------------


@dataclass
class _Stats:
    """Running totals of what the bulk writer has written."""

    statuses: Counter[str] = field(default_factory=Counter)
    pay: Counter[str] = field(default_factory=Counter)
    documents: int = 0
    lines: int = 0
    first_day: date | None = None
    last_day: date | None = None
    finance: dict[str, int] = field(default_factory=dict)
    invoice_records: dict[int, date] = field(default_factory=dict)  # id -> day processed


@dataclass
class _Document:
    """A document record being assembled from the processed entries of one month."""

    id: int
    kind: str
    client_id: int
    minutes: int = 0
    value: int = 0
    billed: int = 0
    write_down: int = 0

    def add(self, minutes: int, value: int, billed: int, write_down: int) -> None:
        """Count one more line into the totals."""
        self.minutes += minutes
        self.value += value
        self.billed += billed
        self.write_down += write_down


@dataclass
class _MonthRows:
    """The rows of one calendar month, written together as one chunk."""

    processed_at: datetime
    entries: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    documents: dict[tuple[str, int], _Document] = field(default_factory=dict)
    records: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class _Worker:
    """Someone who books time: who approves their entries, what they work on, how much."""

    user_id: int
    name: str
    supervisor_id: int
    rate_code: str
    projects: tuple[str, ...]
    weight: float


class _Card(NamedTuple):
    """What the time card itself says."""

    worker: _Worker
    day: date
    minutes: int
    project: str
    project_id: int
    task_id: int
    task_name: str
    activity: str
    activity_id: int
    rate_code_id: int
    rate: int
    value: int
    billable: bool
    description: str
    start: int | None
    end: int | None


class _Review(NamedTuple):
    """Acceptance by the owner or supervisor, then the supervisor's decision."""

    accepted_by: int | None
    accepted_at: datetime | None
    approved_by: int | None
    approved_at: datetime | None
    rejection: str
    updated: datetime | None


class _Wip(NamedTuple):
    """Where WIP sent the entry: allocation, write-down, hold, document, pay status."""

    allocation: str | None
    write_down: int
    reason: str
    note: str
    hold_until: date | None
    document_id: int | None
    pay: str
    updated: datetime | None


_DRAFT = _Review(None, None, None, None, "", None)
_NOT_IN_WIP = _Wip(None, 0, "", "", None, None, PayStatus.UNPAID.value, None)


class _DemoWriter(ServiceBase):
    """Gives the bulk writer the real unit of work (permission check, audit, change event)."""


class _BulkHistory:
    """Generates a year of time entries month by month and writes them in bulk."""

    def __init__(
        self, services: Services, firm: _Firm, rng: random.Random, today: date, say: Progress
    ) -> None:
        self.services = services
        self.firm = firm
        self.rng = rng
        self.today = today
        self.say = say
        self.now = services.clock.now()
        self.stats = _Stats()
        self.workers = self._workers()
        self.project_names = {p[0]: p[2] for p in PROJECTS}
        self.project_clients = {p[0]: firm.clients[p[3]] for p in PROJECTS}
        self.worker_weights = [w.weight for w in self.workers]
        self.activity_names = {key: name for key, name, _b in ACTIVITIES}
        self.activity_billable = {key: billable for key, _n, billable in ACTIVITIES}
        self._values: dict[tuple[int, int], int] = {}
        self.entry_id = self.document_id = self.line_id = 0

    def _workers(self) -> list[_Worker]:
        users = self.firm.users
        return [
            _Worker(
                user_id=users[p.key],
                name=p.name,
                supervisor_id=users[p.supervisor or ADMIN.key],
                rate_code=p.rate_code,
                projects=p.projects,
                weight=p.weight,
            )
            for p in PEOPLE
            if p.projects
        ]

    # --- the transaction --------------------------------------------------------------------

    def write(self, count: int) -> _Stats:
        """Write ``count`` entries and their document records in one transaction, audited."""
        writer = _DemoWriter(self.services.db, self.services.clock)
        with writer._write(self.firm.admin, Perm.SETTINGS_MANAGE) as uow:
            session = uow.session
            bulk = _BulkInserter(session, self.services.db.backend)
            summary_triggers = _drop_summary_triggers(session, self.services.db.backend)
            self.entry_id = _max_id(session, m.TimeEntry)
            self.document_id = _max_id(session, m.DocumentRecord)
            self.line_id = _max_id(session, m.DocumentLine)
            per_day = self._entries_per_day(count)
            tables = m.metadata.tables
            written = 0
            for month_days in _months(sorted(per_day)):
                month = self._month(month_days, per_day)
                bulk.insert(tables["document_record"], DOCUMENT_COLUMNS, month.records)
                bulk.insert(tables["time_entry"], TIME_ENTRY_COLUMNS, month.entries)
                bulk.insert(tables["document_line"], LINE_COLUMNS, month.lines)
                written += len(month.entries)
                self.say(
                    f"{month_days[0]:%Y-%m}: {written:,} of {count:,} time entries, "
                    f"{self.stats.documents:,} document records"
                )
            bulk.finish()
            finance = _Finance(session, self.firm, self.today, self.now, self.stats).write()
            _rebuild_summary(session, summary_triggers)
            self.say(
                f"Daily time summary rebuilt; {finance['master_invoices']} contractor master "
                f"invoices, {finance['payments']} payments."
            )
            uow.audit("demo.finance", "organisation", 1, None, finance)
            uow.audit(
                "demo.generate",
                "organisation",
                1,
                None,
                {
                    "time_entries": written,
                    "document_records": self.stats.documents,
                    "document_lines": self.stats.lines,
                    "by_status": dict(sorted(self.stats.statuses.items())),
                    "by_pay_status": dict(sorted(self.stats.pay.items())),
                },
            )
        return self.stats

    # --- when work happened -----------------------------------------------------------------

    def _entries_per_day(self, count: int) -> Counter[date]:
        """Spread ``count`` entries over the year before today, mostly on working days."""
        days = [self.today - timedelta(days=back) for back in range(DAYS_OF_HISTORY, 0, -1)]
        weights = [(10.0, 10.0, 10.0, 10.0, 9.0, 1.2, 0.4)[d.weekday()] for d in days]
        picked = Counter(self.rng.choices(days, weights=weights, k=count))
        if picked:
            self.stats.first_day, self.stats.last_day = min(picked), max(picked)
        return picked

    # --- one month --------------------------------------------------------------------------

    def _month(self, days: Sequence[date], per_day: Mapping[date, int]) -> _MonthRows:
        """The entries of one month's days, its document records and their lines."""
        processed_day = _month_end(days[-1]) + timedelta(days=10)
        month = _MonthRows(processed_at=min(_at(processed_day, 10 * 60), self.now))
        for day in days:
            self._day(day, per_day[day], month)
        month.records = [
            (
                doc.id,
                f"DR-{doc.id:06d}",
                doc.kind,
                doc.client_id,
                None,
                doc.minutes,
                doc.value,
                doc.billed,
                doc.write_down,
                self.firm.admin.user_id,
                month.processed_at,
            )
            for doc in month.documents.values()
        ]
        for doc in month.documents.values():
            if doc.kind == "invoice":
                self.stats.invoice_records[doc.id] = month.processed_at.date()
        self.stats.documents += len(month.records)
        self.stats.lines += len(month.lines)
        return month

    def _day(self, day: date, count: int, month: _MonthRows) -> None:
        """Generate the ``count`` entries of one day into ``month``."""
        rng = self.rng
        age = (self.today - day).days
        names, cumulative = _status_table(age)
        statuses = rng.choices(names, cum_weights=cumulative, k=count)
        workers = rng.choices(self.workers, weights=self.worker_weights, k=count)
        minutes = rng.choices(MINUTE_CHOICES, weights=MINUTE_WEIGHTS, k=count)
        evening = _at(day, 16 * 60)
        for worker, status, spent in zip(workers, statuses, minutes, strict=True):
            created = evening + timedelta(minutes=rng.randrange(0, 180))
            self.entry_id += 1
            card = self._card(worker, day, spent)
            review = self._review(worker, status, created)
            wip = self._wip(card, status, age, month) if review.approved_by else _NOT_IN_WIP
            self.stats.statuses[status] += 1
            self.stats.pay[wip.pay] += 1
            month.entries.append(
                (
                    self.entry_id,
                    worker.user_id,
                    worker.user_id,
                    card.project_id,
                    card.task_id,
                    card.activity_id,
                    card.rate_code_id,
                    day,
                    spent,
                    card.start,
                    card.end,
                    card.description,
                    card.billable,
                    status,
                    wip.pay,
                    card.rate,
                    card.value,
                    review.rejection,
                    review.accepted_by,
                    review.accepted_at,
                    review.approved_by,
                    review.approved_at,
                    wip.allocation,
                    wip.write_down,
                    wip.reason,
                    wip.note,
                    wip.hold_until,
                    wip.document_id,
                    None,
                    created,
                    wip.updated or review.updated,
                    1,
                )
            )

    def _card(self, worker: _Worker, day: date, minutes: int) -> _Card:
        """What a time card says: project, task, activity, rate code, text, value."""
        rng, firm = self.rng, self.firm
        project = rng.choice(worker.projects)
        task_id, task_name = rng.choice(firm.tasks[project])
        activity = rng.choices(ACTIVITY_KEYS, weights=ACTIVITY_WEIGHTS)[0]
        billable = self.activity_billable[activity] and rng.random() < 0.96
        rate_code_id, rate = firm.rate_codes["visit" if activity == "visit" else worker.rate_code]
        start = end = None
        if rng.random() < 0.3:
            start = rng.randrange(7 * 60, 10 * 60 + 1, 15)
            end = start + minutes
        return _Card(
            worker=worker,
            day=day,
            minutes=minutes,
            project=project,
            project_id=firm.projects[project],
            task_id=task_id,
            task_name=task_name,
            activity=activity,
            activity_id=firm.activities[activity],
            rate_code_id=rate_code_id,
            rate=rate,
            value=self._value(minutes, rate),
            billable=billable,
            description=rng.choice(DESCRIPTIONS),
            start=start,
            end=end,
        )

    def _review(self, worker: _Worker, status: str, created: datetime) -> _Review:
        """Who accepted the entry and when; the supervisor's approval or rejection."""
        if status == "draft":
            return _DRAFT
        rng, now = self.rng, self.now
        accepted_by = worker.user_id if rng.random() < 0.8 else worker.supervisor_id
        accepted_at = min(created + timedelta(minutes=rng.randrange(30, 2 * 1440)), now)
        if status == "accepted":
            return _Review(accepted_by, accepted_at, None, None, "", accepted_at)
        decided = min(accepted_at + timedelta(minutes=rng.randrange(60, 4 * 1440)), now)
        if status == "rejected":
            reason = rng.choice(REJECTION_REASONS)
            return _Review(accepted_by, accepted_at, None, None, reason, decided)
        return _Review(accepted_by, accepted_at, worker.supervisor_id, decided, "", decided)

    def _wip(self, card: _Card, status: str, age: int, month: _MonthRows) -> _Wip:
        """How WIP sent an approved entry on, filing processed ones on a document record."""
        if status == "approved":
            return _NOT_IN_WIP
        processed = status == "processed"
        allocation, write_down, reason, note = self._allocation(card, processed)
        if not processed:
            hold = None
            if allocation == "hold":
                hold = _month_end(self.today, self.rng.choice(HOLD_DAYS))
            return _Wip(allocation, write_down, reason, note, hold, None, "unpaid", None)
        kind = "invoice" if allocation == "bill" else "write_down"
        client = self.project_clients[card.project]
        doc = month.documents.get((kind, client))
        if doc is None:
            self.document_id += 1
            doc = month.documents[(kind, client)] = _Document(self.document_id, kind, client)
        billed = card.value - write_down
        doc.add(card.minutes, card.value, billed, write_down)
        self.line_id += 1
        month.lines.append(
            (
                self.line_id,
                doc.id,
                self.entry_id,
                card.day,
                card.worker.name,
                self.project_names[card.project],
                card.task_name,
                self.activity_names[card.activity],
                card.description,
                card.minutes,
                card.rate,
                card.value,
                billed,
                write_down,
                reason,
            )
        )
        pay = PayStatus.UNPAID.value  # paid only through a master invoice (see _Payables)
        return _Wip(allocation, write_down, reason, note, None, doc.id, pay, month.processed_at)

    def _allocation(self, card: _Card, processed: bool) -> tuple[str, int, str, str]:
        """Bill, write down or hold: (allocation, write-down cents, reason, note)."""
        if not card.billable:
            return "write_down", card.value, NON_BILLABLE_REASON, "Internal or non-billable work."
        roll = self.rng.random()
        if roll < 0.06:
            reason = self.rng.choice(WRITE_DOWN_REASONS)
            return "write_down", card.value, reason, "Agreed with the project manager."
        if not processed and roll < 0.2:
            return "hold", 0, "", ""
        return "bill", 0, "", ""

    def _value(self, minutes: int, rate: int) -> int:
        """minutes × hourly rate ÷ 60, rounded half up to the cent (cached)."""
        key = (minutes, rate)
        value = self._values.get(key)
        if value is None:
            value = self._values[key] = divide_to_int(minutes * rate, 60, RoundingMode.HALF_UP)
        return value


def _month_end(day: date, days: int = 0) -> date:
    """The last day of the month ``days`` after ``day`` (a month-end to hold work until)."""
    later = day + timedelta(days=days)
    return later.replace(day=calendar.monthrange(later.year, later.month)[1])


def _status_table(age: int) -> tuple[list[str], list[float]]:
    """The statuses possible at ``age`` days and their cumulative weights."""
    for limit, table in STATUS_BY_AGE:
        if age <= limit:
            names = [status.value for status, _w in table]
            cumulative: list[float] = []
            total = 0.0
            for _status, weight in table:
                total += weight
                cumulative.append(total)
            return names, cumulative
    raise AssertionError("STATUS_BY_AGE must end with an open-ended age")


def _months(days: Iterable[date]) -> list[list[date]]:
    """Consecutive ``days`` grouped by calendar month."""
    months: list[list[date]] = []
    for day in days:
        if months and (months[-1][0].year, months[-1][0].month) == (day.year, day.month):
            months[-1].append(day)
        else:
            months.append([day])
    return months


def _at(day: date, minute: int) -> datetime:
    """``day`` at ``minute`` past midnight, UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minute)


def _max_id(session: Session, model: type[Any]) -> int:
    """The highest id in ``model``'s table (0 when empty)."""
    return int(session.execute(select(func.coalesce(func.max(model.id), 0))).scalar_one())


class _BulkInserter:
    """Inserts many rows fast: Core ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""

    def __init__(self, session: Session, backend: str) -> None:
        self.session = session
        self.backend = backend
        self.tables: set[str] = set()
        if backend == "sqlite":
            # A larger page cache for this one connection keeps the index updates in memory.
            session.execute(text("PRAGMA cache_size = -262144"))

    def insert(self, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
        if not rows:
            return
        self.tables.add(table.name)
        if self.backend == "postgresql":
            self._copy(table, columns, rows)
            return
        connection = self.session.connection()
        statement = insert(table)
        for start in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[start : start + ROWS_PER_INSERT]
            connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in chunk])

    def _copy(self, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        raw = self.session.connection().connection.driver_connection
        sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        """On PostgreSQL, move each id sequence past the explicit ids written."""
        if self.backend != "postgresql":
            return
        for name in sorted(self.tables):
            self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
            )


# --------------------------------------------------------------------------------------------
# The daily time summary around the bulk load
# --------------------------------------------------------------------------------------------

SUMMARY_TRIGGER_PREFIX = "time_day_total_"
SUMMARY_KEY = "work_date, owner_id, project_id, status, pay_status, billable"


def _drop_summary_triggers(session: Session, backend: str) -> list[str]:
    """Drop the summary triggers of ``time_entry``; return the SQL that re-creates them."""
    connection = session.connection()
    if backend == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'time_entry' ORDER BY name"
        ).all()
        found = [(name, sql) for name, sql in rows if name.startswith(SUMMARY_TRIGGER_PREFIX)]
        for name, _sql in found:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        return [sql for _name, sql in found]
    rows = connection.exec_driver_sql(
        "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relname = 'time_entry' AND NOT t.tgisinternal ORDER BY t.tgname"
    ).all()
    found = [(name, sql) for name, sql in rows if name.startswith(SUMMARY_TRIGGER_PREFIX)]
    for name, _sql in found:
        connection.exec_driver_sql(f"DROP TRIGGER {name} ON time_entry")
    return [sql for _name, sql in found]


def _rebuild_summary(session: Session, triggers: Sequence[str]) -> None:
    """Refill the daily time summary from the entries, then re-create its triggers."""
    connection = session.connection()
    connection.exec_driver_sql("DELETE FROM time_day_total")
    connection.exec_driver_sql(
        f"INSERT INTO time_day_total ({SUMMARY_KEY}, entries, minutes, value_cents) "
        f"SELECT {SUMMARY_KEY}, COUNT(*), SUM(minutes), SUM(value_cents) FROM time_entry "
        f"GROUP BY {SUMMARY_KEY}"
    )
    for sql in triggers:
        connection.exec_driver_sql(sql)


# --------------------------------------------------------------------------------------------
# Issue 4: master invoices, payments, terms, compliance documents
# --------------------------------------------------------------------------------------------

# months before this one, contractor key, what became of the invoice (oldest first)
MASTER_INVOICE_PLAN: tuple[tuple[int, str, str], ...] = (
    (5, "lukasz", "paid"),
    (5, "emilie", "paid"),
    (5, "tomasz", "paid"),
    (4, "lukasz", "paid"),
    (4, "anja", "partially_paid"),
    (4, "soeren", "approved"),
    (3, "emilie", "approved"),
    (3, "pawel", "draft"),
    (3, "katarzyna", "draft"),
)
PAYABLE_TICKETS = ("approved", "allocated", "processed")
BANK_ACCOUNTS = {
    "lukasz": "PL61 1090 1014 0000 0712 1981 2874",
    "emilie": "FR76 3000 6000 0112 3456 7890 189",
    "tomasz": "PL27 1140 2004 0000 3002 0135 5387",
    "anja": "DE44 5001 0517 5407 3249 31",
}

TERMS_TEMPLATES: tuple[tuple[str, str, str], ...] = (
    ("Standard terms – 14 days", "standard",
     "Payable within 14 days of the invoice date without deduction. "
     "Please quote the invoice number with your payment."),
    ("Bank transfer instructions", "instructions",
     "Please pay by bank transfer to Northwind Studio, IBAN DE89 3704 0044 0532 0130 00, "
     "BIC COBADEFFXXX."),
    ("Late-fee policy", "late_fee",
     "Invoices unpaid 30 days after the due date incur interest of 1% per month "
     "and a reminder fee of EUR 40."),
)  # fmt: skip

# contractor key, document type, days from today to its expiry (None: does not expire)
COMPLIANCE_DOCUMENTS: tuple[tuple[str, str, int | None], ...] = (
    ("lukasz", "contract", 300), ("lukasz", "tax_form", None), ("lukasz", "insurance", 200),
    ("emilie", "contract", 250), ("emilie", "tax_form", None), ("emilie", "insurance", -20),
    ("soeren", "contract", 180), ("soeren", "tax_form", None), ("soeren", "insurance", 12),
    ("tomasz", "contract", 400), ("tomasz", "tax_form", None),
    ("anja", "contract", 330), ("anja", "tax_form", None), ("anja", "insurance", 150),
    ("anja", "nda", None),
    ("pawel", "contract", -45), ("pawel", "tax_form", None), ("pawel", "insurance", 90),
    ("katarzyna", "contract", 365),
)  # fmt: skip


class _Finance:
    """Writes the issue-4 records of the demo firm with direct inserts, keeping the rules."""

    def __init__(
        self, session: Session, firm: _Firm, today: date, now: datetime, stats: _Stats
    ) -> None:
        self.session = session
        self.connection = session.connection()
        self.firm = firm
        self.today = today
        self.now = now
        self.stats = stats
        self.tables = m.metadata.tables

    def write(self) -> dict[str, int]:
        """Terms, compliance documents, master invoices with payments; returns the counts."""
        counts = {
            "payment_terms": self._terms(),
            "compliance_documents": self._compliance(),
        }
        counts.update(self._master_invoices())
        self.stats.finance = counts
        return counts

    def _insert(self, table: str, **values: Any) -> int:
        result = self.connection.execute(insert(self.tables[table]).values(**values))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def _sql(self, sql: str, **params: Any) -> Any:
        return self.connection.execute(text(sql), params)

    def _terms(self) -> int:
        for name, kind, body in TERMS_TEMPLATES:
            self._insert(
                "payment_terms_template", name=name, kind=kind, body=body, created_at=self.now
            )
        return len(TERMS_TEMPLATES)

    def _compliance(self) -> int:
        for key, doc_type, days in COMPLIANCE_DOCUMENTS:
            self._insert(
                "contractor_document",
                user_id=self.firm.users[key],
                doc_type=doc_type,
                file_path=f"compliance/{key}/{doc_type}.pdf",
                expires_on=None if days is None else self.today + timedelta(days=days),
                created_at=self.now,
            )
        return len(COMPLIANCE_DOCUMENTS)

    def _master_invoices(self) -> dict[str, int]:
        series = self._sql("SELECT id, prefix FROM invoice_series WHERE code = 'MI'").one()
        seq = int(self._sql("SELECT last_number FROM invoice_series WHERE code = 'MI'").scalar())
        made = payments = 0
        last_issue: date | None = None
        for months_back, key, state in MASTER_INVOICE_PLAN:
            first = _month_start(self.today, months_back)
            last = _month_end(first)
            issue = last + timedelta(days=3)
            if issue > self.today:
                continue
            invoice = self._master_invoice(series, seq + 1, key, first, last, issue)
            if invoice is None:
                continue
            seq, made, last_issue = seq + 1, made + 1, issue
            payments += self._settle(invoice, key, state, issue)
        if made:
            series_table = self.tables["invoice_series"]
            self.connection.execute(
                update(series_table)
                .where(series_table.c.code == "MI")
                .values(last_number=seq, last_issue_date=last_issue)
            )
        return {"master_invoices": made, "payments": payments}

    def _master_invoice(
        self, series: Any, seq: int, key: str, first: date, last: date, issue: date
    ) -> tuple[int, str, int, int] | None:
        """A draft master invoice of the contractor's approved tickets of one month.

        Returns (id, number, total minutes, total cents), or None without tickets.
        """
        owner = self.firm.users[key]
        rate = int(
            self._sql("SELECT pay_rate_cents FROM user_account WHERE id = :u", u=owner).scalar()
        )
        tickets = (
            "FROM time_entry WHERE owner_id = :owner AND work_date BETWEEN :a AND :b "
            "AND status IN ('approved', 'allocated', 'processed') "
            "AND master_invoice_id IS NULL AND pay_status = 'unpaid'"
        )
        window = {"owner": owner, "a": first, "b": last}
        if not self._sql(f"SELECT COUNT(*) {tickets}", **window).scalar():
            return None
        number = f"{series.prefix}/{issue.year}/{seq:05d}"
        invoice_id = self._insert(
            "master_invoice",
            series_id=series.id,
            seq=seq,
            number=number,
            contractor_id=owner,
            period_start=first,
            period_end=last,
            issue_date=issue,
            status="draft",
            created_by_id=self.firm.admin.user_id,
            created_at=_at(issue, 9 * 60),
        )
        self._sql(
            "INSERT INTO master_invoice_line (master_invoice_id, time_entry_id, work_date, "
            "description, minutes, pay_rate_cents, amount_cents) "
            "SELECT :mi, id, work_date, description, minutes, :rate, "
            f"(minutes * :rate + 30) / 60 {tickets}",
            mi=invoice_id,
            rate=rate,
            **window,
        )
        minutes, cents = self._sql(
            "SELECT SUM(minutes), SUM(amount_cents) FROM master_invoice_line "
            "WHERE master_invoice_id = :mi",
            mi=invoice_id,
        ).one()
        self._sql(
            "UPDATE master_invoice SET total_minutes = :m, total_cents = :c WHERE id = :mi",
            m=int(minutes),
            c=int(cents),
            mi=invoice_id,
        )
        return invoice_id, number, int(minutes), int(cents)

    def _settle(self, invoice: tuple[int, str, int, int], key: str, state: str, issue: date) -> int:
        """Approve and pay the invoice as planned; set its tickets' pay status. Returns payments."""
        invoice_id, number, _minutes, total = invoice
        paid_parts: list[tuple[date, int]] = []
        if state == "paid":
            first_part = total * 6 // 10 if key == "lukasz" else total
            paid_parts = [(issue + timedelta(days=7), first_part)]
            if first_part < total:
                paid_parts.append((issue + timedelta(days=21), total - first_part))
        elif state == "partially_paid":
            paid_parts = [(issue + timedelta(days=10), total * 4 // 10)]
        paid_parts = [(day, cents) for day, cents in paid_parts if cents > 0]
        for day, cents in paid_parts:
            self._payment(invoice_id, number, key, day, cents)
        pay_status = "paid" if state == "paid" else "invoiced"
        moved = self._sql(
            "UPDATE time_entry SET master_invoice_id = :mi, pay_status = :ps, "
            "version = version + 1 WHERE id IN (SELECT time_entry_id FROM master_invoice_line "
            "WHERE master_invoice_id = :mi)",
            mi=invoice_id,
            ps=pay_status,
        ).rowcount
        self.stats.pay["unpaid"] -= moved
        self.stats.pay[pay_status] += moved
        if state != "draft":
            paid = sum(cents for _day, cents in paid_parts)
            paid_at = _at(paid_parts[-1][0], 11 * 60) if state == "paid" else None
            invoices = self.tables["master_invoice"]
            self.connection.execute(
                update(invoices)
                .where(invoices.c.id == invoice_id)
                .values(
                    status=state,
                    paid_cents=paid,
                    approved_by_id=self.firm.admin.user_id,
                    approved_at=_at(issue + timedelta(days=2), 10 * 60),
                    paid_at=paid_at,
                )
            )
        if state == "paid":
            self._insert(
                "notification",
                user_id=self.firm.users[key],
                kind="master_invoice_paid",
                message=(
                    f"Your invoice {number} was paid in full: {Money(total, 'EUR')}, "
                    f"on {paid_parts[-1][0]}."
                ),
                created_at=_at(paid_parts[-1][0], 11 * 60),
            )
        return len(paid_parts)

    def _payment(self, invoice_id: int, number: str, key: str, day: date, cents: int) -> None:
        name = next(p.name for p in PEOPLE if p.key == key)
        self._insert(
            "payment",
            master_invoice_id=invoice_id,
            method="wire" if key != "tomasz" else "ach",
            paid_on=day,
            amount_cents=cents,
            account_holder=name,
            account_number=BANK_ACCOUNTS.get(key, "GB33 BUKB 2020 1555 5555 55"),
            reference=f"{number} payout {day:%Y%m%d}",
            recorded_by_id=self.firm.admin.user_id,
            recorded_at=_at(day, 11 * 60),
        )


def _month_start(day: date, months_back: int) -> date:
    """The first day of the month ``months_back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


# --------------------------------------------------------------------------------------------
# Client invoices, issued, sent and paid through the real services
# --------------------------------------------------------------------------------------------

CLIENT_INVOICES_PER_CLIENT = 3
# Issuing costs the services about 0.75 ms per invoice line (the draft, three re-pricings,
# audit images and views of every line), so each client's invoices together bill at most
# this many record lines: all three newest records up to ~200,000 entries, only the newest
# (partial) month in the largest demos.
CLIENT_INVOICE_LINE_BUDGET = 15_000
ISSUE_DAYS_AFTER_PROCESSING = 2
BILLING_CLERK = "helga"  # the accountant issues the invoices and records the payments
STANDARD_TERMS = TERMS_TEMPLATES[0][0]
# What a client pays of its invoices, oldest first, by how many it has: (per cent of the
# total, days after the issue date). The newest of three stays unpaid (and overdue once its
# 14 days have passed); a lone invoice is part-paid, so it shows revenue and a balance.
CLIENT_PAYMENT_PLANS: dict[int, tuple[tuple[int, int], ...]] = {
    1: ((40, 21),),
    2: ((100, 10), (0, 0)),
    3: ((100, 10), (40, 21), (0, 0)),
}
CLIENT_BANK_ACCOUNTS = {
    "cafe": "DE02 1203 0000 0000 2020 51",
    "zel": "PL83 1010 0071 2222 3147 2000 0000",
    "hf": "GB29 NWBK 6016 1331 9268 19",
}


class _PlannedInvoice(NamedTuple):
    """One invoice record to invoice: when, for whom, and how much of it gets paid."""

    issue_date: date
    document_id: int
    client: str
    paid_percent: int
    paid_after_days: int


class _ClientBilling:
    """Invoices each client's newest invoice records as the bookkeeper would, in the TUI.

    The Documenter opens the draft, the standard payment terms are chosen, the invoice is
    issued, and payments are recorded, all through the real services, so the rules of real
    invoices hold: gapless numbers in issue-date order, frozen lines, the terms text, audit.
    Dates never pass the services' today (their clock, in the firm's time zone).
    """

    def __init__(
        self,
        services: Services,
        firm: _Firm,
        record_days: Mapping[int, date],
        today: date,
        say: Progress,
    ) -> None:
        self.services = services
        self.firm = firm
        self.record_days = record_days
        self.say = say
        clerk = next(person for person in PEOPLE if person.key == BILLING_CLERK)
        self.clerk = Actor(firm.users[clerk.key], clerk.email, clerk.name, clerk.role)
        zone = services.settings.get(firm.admin).timezone
        self.today = min(today, local_today(services.clock.now(), zone))

    def run(self) -> dict[str, int]:
        """Issue, pay and send the invoices (oldest first); returns the counts."""
        planned = sorted(self._plan())
        terms_id = self._standard_terms()
        issued = [(item, self._issue(item, terms_id)) for item in planned]
        paid = [self._pay(item, invoice) for item, invoice in issued]
        unpaid = [invoice for invoice, payment in zip(issued, paid, strict=True) if payment is None]
        # The newest unpaid invoices went out to the client; the very last one is not sent yet.
        for _item, invoice in unpaid[:-1]:
            assert invoice.number is not None
            self.services.client_invoices.mark_sent(self.clerk, invoice.number, email=False)
        statuses = Counter(view.status for view in paid if view is not None)
        return {
            "client_invoices": len(issued),
            "client_invoices_paid": statuses[InvoiceStatus.PAID.value],
            "client_invoices_partially_paid": statuses[InvoiceStatus.PARTIALLY_PAID.value],
            "client_invoices_sent": max(len(unpaid) - 1, 0),
            "client_payments": sum(statuses.values()),
        }

    def _plan(self) -> list[_PlannedInvoice]:
        """Each client's newest invoice records that fit its line budget, with issue dates
        and what will be paid of each."""
        planned = []
        for key, *_details in CLIENTS:
            chosen = self._records_of(self.firm.clients[key])
            plan = CLIENT_PAYMENT_PLANS.get(len(chosen), ())
            for document_id, (percent, days) in zip(chosen, plan, strict=True):
                processed = self.record_days[document_id]
                issue = min(processed + timedelta(days=ISSUE_DAYS_AFTER_PROCESSING), self.today)
                planned.append(_PlannedInvoice(issue, document_id, key, percent, days))
        return planned

    def _records_of(self, client_id: int) -> list[int]:
        """Up to three of the client's newest uninvoiced invoice records, oldest first.

        Newest first, a record is taken when its lines fit what is left of the client's
        line budget; a larger one is passed over for an older, smaller one.
        """
        records = self.services.wip.documents(
            self.clerk, kind="invoice", client_id=client_id, uninvoiced_only=True
        )
        left, chosen = CLIENT_INVOICE_LINE_BUDGET, list[int]()
        for record in records:
            if len(chosen) == CLIENT_INVOICES_PER_CLIENT:
                break
            if record.id is None or record.id not in self.record_days:
                continue
            if 0 < record.entries <= left:
                chosen.append(record.id)
                left -= record.entries
        return chosen[::-1]

    def _standard_terms(self) -> int:
        """The id of the standard payment-terms template."""
        options = self.services.invoices.payment_terms_options(self.clerk)
        return next(ident for ident, name in options if name == STANDARD_TERMS)

    def _issue(self, item: _PlannedInvoice, terms_id: int) -> InvoiceView:
        """Open the record in the Documenter, choose the standard terms, issue it."""
        invoices, clerk = self.services.invoices, self.clerk
        started = time.perf_counter()
        draft = invoices.open_record(clerk, item.document_id)
        invoices.update_draft(clerk, draft.id, DraftForm(payment_terms_id=terms_id))
        issued = invoices.issue(clerk, draft.id, issue_date=item.issue_date)
        self.say(
            f"Client invoice {issued.number} of {issued.issue_date} issued to "
            f"{issued.client_name}: {issued.gross} for {len(issued.lines):,} lines "
            f"({time.perf_counter() - started:.1f} s)."
        )
        return issued

    def _pay(self, item: _PlannedInvoice, invoice: InvoiceView) -> InvoiceView | None:
        """Record the client's payment of the planned share; the invoice after it, if paid."""
        cents = invoice.gross.cents * item.paid_percent // 100
        if cents <= 0 or invoice.number is None:
            return None
        client = next(details for details in CLIENTS if details[0] == item.client)
        paid_on = min(item.issue_date + timedelta(days=item.paid_after_days), self.today)
        return self.services.invoices.record_payment(
            self.clerk,
            invoice.number,
            PaymentForm(
                amount=str(Money(cents, invoice.currency).amount),
                paid_on=paid_on.isoformat(),
                method="wire",
                reference=invoice.number,
                account_holder=client[1],
                account_number=CLIENT_BANK_ACCOUNTS[item.client],
            ),
        )
