"""Building the demo firm, step by step: set-up, the year of history, the invoices."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from datetime import date

from ...domain.states import PayStatus, TimeEntryStatus
from ...errors import ConflictError, Problem, ValidationError
from ..hub import Services
from .bulk import refresh_statistics
from .cast import ACTIVITIES, ADMIN, CLIENTS, DEMO_PASSWORD, ORGANISATION, PROJECTS, RATE_CODES
from .clients import ClientBilling
from .construction import ConstructionBooks
from .contractors import ContractorBooks
from .crews import CrewBooks
from .history import BulkHistory, HistoryStats
from .people import set_up_firm
from .result import DemoLogin, DemoResult, Progress


def build_demo(
    services: Services,
    *,
    entries: int = 2000,
    seed: int = 7,
    progress: Progress | None = None,
    today: date | None = None,
) -> DemoResult:
    """Build the demo firm in an empty database and return its logins and counts.

    The people and presets first, then the year of time cards in bulk, then what the firm
    did with money (contractor master invoices, the construction projects settled by
    invoices, the field crews' pay, client invoices) through the services.

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
    _refuse_unless_empty(services, entries)
    started = time.perf_counter()
    say: Progress = progress or _silent
    firm, logins = set_up_firm(services)
    _report_set_up(say, logins)
    day = today or date.today()
    stats = BulkHistory(services, firm, random.Random(seed), day, say).write(entries)
    refresh_statistics(services.db)
    say("Planner statistics refreshed.")
    # The services refuse dates after their own today (their clock, the firm's time zone).
    office_day = min(day, services.settings.today())
    books = ContractorBooks(services, firm, stats.payable, office_day, say)
    finance = books.run()
    stats.pay.update(books.pay_moves)
    billing = ClientBilling(services, firm, stats.invoice_records, office_day, say)
    # settlement invoices share the client invoices' series, which is chronological: they
    # are dated up to the first client invoice the billing will issue
    last_day = billing.first_issue_day() or office_day
    books_of_sites = ConstructionBooks(services, firm, last_day, entries, say)
    construction = books_of_sites.run()
    crews = CrewBooks(services, firm, books_of_sites.projects, office_day, entries, say)
    finance |= crews.run()
    logins = [*logins, *books_of_sites.logins, *crews.logins]
    cards = construction["settled_time_cards"]
    stats.statuses[TimeEntryStatus.APPROVED.value] = stats.statuses.get("approved", 0) + cards
    stats.pay[PayStatus.UNPAID.value] = stats.pay.get(PayStatus.UNPAID.value, 0) + cards
    finance |= construction
    finance |= billing.run()
    return _result(logins, stats, finance, time.perf_counter() - started)


def _refuse_unless_empty(services: Services, entries: int) -> None:
    """Refuse a negative number of entries, and a database that already has a firm."""
    if entries < 0:
        raise ValidationError([Problem("entries", "must not be negative")])
    if services.auth.is_initialised():
        raise ConflictError(
            "This database already has an organisation; the demo firm needs an empty "
            "database. Point --db at a new file or database.",
            title="Not an empty database",
        )


def _silent(_line: str) -> None:
    """Progress that goes nowhere."""


def _report_set_up(say: Progress, logins: Sequence[DemoLogin]) -> None:
    """Say what the set-up made."""
    say(f"Organisation '{ORGANISATION}' created; administrator {ADMIN.email}.")
    say(f"{len(logins)} users created, all with the password '{DEMO_PASSWORD}'.")
    say(
        f"Code presets: {len(CLIENTS)} clients, {len(PROJECTS)} projects, "
        f"{sum(len(p[8]) for p in PROJECTS)} tasks, {len(ACTIVITIES)} activities, "
        f"{len(RATE_CODES)} rate codes."
    )


def _result(
    logins: Sequence[DemoLogin], stats: HistoryStats, finance: Mapping[str, int], elapsed: float
) -> DemoResult:
    """What was made, with every status counted (zero where none)."""
    return DemoResult(
        organisation=ORGANISATION,
        password=DEMO_PASSWORD,
        logins=tuple(logins),
        status_counts={s.value: stats.statuses.get(s.value, 0) for s in TimeEntryStatus},
        pay_status_counts={s.value: stats.pay.get(s.value, 0) for s in PayStatus},
        documents=stats.documents,
        document_lines=stats.lines,
        elapsed_seconds=elapsed,
        first_day=stats.first_day,
        last_day=stats.last_day,
        finance=dict(finance),
    )
