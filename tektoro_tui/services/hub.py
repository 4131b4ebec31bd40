"""One object that opens the database and holds every service; both faces start here.

Each service is built, and its module imported, on first use: signing in loads the auth
service, not invoicing, metrics or the dashboards, so the TUI's login and one-shot commands
such as ``tektoro whoami`` start sooner. Services keep no state of their own beyond the
database and the clock, so building one lazily changes nothing else.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from ..data.engine import Database
from .base import Clock, SystemClock

if TYPE_CHECKING:
    from .administration.auth import AuthService
    from .administration.permissions import PermissionService
    from .administration.presets import PresetService
    from .administration.settings import SettingsService
    from .administration.users import UserService
    from .changes import ChangeFeed
    from .contractor_invoices.compliance import ComplianceService
    from .contractor_invoices.master_invoices import ContractorInvoiceService
    from .invoicing.client_invoices import ClientInvoiceService
    from .invoicing.service import InvoiceService
    from .invoicing.terms import PaymentTermsService
    from .mail import MailService
    from .payroll.service import PayrollService
    from .pipeline.time import TimeService
    from .pipeline.wip import WipService
    from .projects.costs import CostService
    from .projects.service import ProjectService
    from .reporting.dashboards import DashboardService
    from .reporting.home import HomeService
    from .reporting.metrics import MetricsService
    from .subcontracts.service import SubcontractService


class Services:
    """The services of one database, sharing its engine and clock."""

    def __init__(self, db: Database, clock: Clock) -> None:
        """Services around the open database ``db``, telling time by ``clock``."""
        self.db = db
        self.clock = clock

    @classmethod
    def connect(
        cls, url: str, clock: Clock | None = None, *, migrate: bool = True, create: bool = True
    ) -> Services:
        """Open ``url``; an empty database gets the schema on first use.

        With ``create`` false a database that does not exist, or an empty one, is refused
        instead (every command but those that make a firm).
        """
        db = Database.open(url, create=create)
        if migrate:
            from ..data.migrate import ensure_schema

            try:
                ensure_schema(db, create=create)
            except BaseException:
                db.dispose()
                raise
        return cls.build(db, clock or SystemClock())

    @classmethod
    def build(cls, db: Database, clock: Clock) -> Services:
        """Wire the services around an open database."""
        return cls(db, clock)

    def ping(self) -> None:
        """Reach the database (after it was lost).

        Raises:
            DatabaseUnreachable: it cannot be reached yet.
        """
        self.db.ping()

    @cached_property
    def auth(self) -> AuthService:
        """Signing up and in, invitations, CLI sessions."""
        from .administration.auth import AuthService

        return AuthService(self.db, self.clock)

    @cached_property
    def users(self) -> UserService:
        """Users and staff groups."""
        from .administration.users import UserService

        return UserService(self.db, self.clock)

    @cached_property
    def presets(self) -> PresetService:
        """Clients, projects, tasks, activities and rate codes."""
        from .administration.presets import PresetService

        return PresetService(self.db, self.clock)

    @cached_property
    def settings(self) -> SettingsService:
        """The organisation's settings."""
        from .administration.settings import SettingsService

        return SettingsService(self.db, self.clock)

    @cached_property
    def permissions(self) -> PermissionService:
        """The permission matrix."""
        from .administration.permissions import PermissionService

        return PermissionService(self.db, self.clock)

    @cached_property
    def home(self) -> HomeService:
        """The home screen's summary."""
        from .reporting.home import HomeService

        return HomeService(self.db, self.clock)

    @cached_property
    def time(self) -> TimeService:
        """Time entries: entering, reporting, accepting and approving."""
        from .pipeline.time import TimeService

        return TimeService(self.db, self.clock)

    @cached_property
    def wip(self) -> WipService:
        """Work in progress and its processing into documents."""
        from .pipeline.wip import WipService

        return WipService(self.db, self.clock)

    @cached_property
    def invoices(self) -> InvoiceService:
        """Invoices: drafting, issuing, printing and payments."""
        from .invoicing.service import InvoiceService

        return InvoiceService(self.db, self.clock)

    @cached_property
    def mail(self) -> MailService:
        """Sending documents by e-mail."""
        from .mail import MailService

        return MailService(self.db, self.clock)

    @cached_property
    def contractor_invoices(self) -> ContractorInvoiceService:
        """Contractor master invoices and their payments."""
        from .contractor_invoices.master_invoices import ContractorInvoiceService

        return ContractorInvoiceService(self.db, self.clock)

    @cached_property
    def client_invoices(self) -> ClientInvoiceService:
        """Client invoices and receipts."""
        from .invoicing.client_invoices import ClientInvoiceService

        return ClientInvoiceService(self.db, self.clock)

    @cached_property
    def terms(self) -> PaymentTermsService:
        """Payment-terms templates."""
        from .invoicing.terms import PaymentTermsService

        return PaymentTermsService(self.db, self.clock)

    @cached_property
    def compliance(self) -> ComplianceService:
        """Compliance documents."""
        from .contractor_invoices.compliance import ComplianceService

        return ComplianceService(self.db, self.clock)

    @cached_property
    def dashboards(self) -> DashboardService:
        """The role dashboards."""
        from .reporting.dashboards import DashboardService

        return DashboardService(self.db, self.clock)

    @cached_property
    def metrics(self) -> MetricsService:
        """The financial metrics."""
        from .reporting.metrics import MetricsService

        return MetricsService(self.db, self.clock)

    @cached_property
    def projects(self) -> ProjectService:
        """Projects as contracts: change orders, settlement invoices, the balance."""
        from .projects.service import ProjectService

        return ProjectService(self.db, self.clock)

    @cached_property
    def costs(self) -> CostService:
        """The project cost register."""
        from .projects.costs import CostService

        return CostService(self.db, self.clock)

    @cached_property
    def payroll(self) -> PayrollService:
        """Crew pay: pay terms, work shifts, the monthly settlement, the payroll lock."""
        from .payroll.service import PayrollService

        return PayrollService(self.db, self.clock)

    @cached_property
    def subcontracts(self) -> SubcontractService:
        """Subcontracting agreements, schedules, daily reports and settlement stages."""
        from .subcontracts.service import SubcontractService

        return SubcontractService(self.db, self.clock)

    @cached_property
    def changes(self) -> ChangeFeed:
        """Subscriptions to other sessions' changes."""
        from .changes import ChangeFeed

        return ChangeFeed(self.db, self.clock)

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()
