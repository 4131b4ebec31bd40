"""One object that opens the database and holds every service; both faces start here."""

from __future__ import annotations

from dataclasses import dataclass

from ..data.engine import Database
from .administration.auth import AuthService
from .administration.permissions import PermissionService
from .administration.presets import PresetService
from .administration.settings import SettingsService
from .administration.users import UserService
from .base import Clock, SystemClock
from .changes import ChangeFeed
from .contractor_invoices.compliance import ComplianceService
from .contractor_invoices.master_invoices import ContractorInvoiceService
from .invoicing.client_invoices import ClientInvoiceService
from .invoicing.service import InvoiceService
from .invoicing.terms import PaymentTermsService
from .mail import MailService
from .pipeline.time import TimeService
from .pipeline.wip import WipService
from .reporting.dashboards import DashboardService
from .reporting.home import HomeService
from .reporting.metrics import MetricsService


@dataclass
class Services:
    """The services of one database, sharing its engine and clock."""

    db: Database
    clock: Clock
    auth: AuthService
    users: UserService
    presets: PresetService
    settings: SettingsService
    permissions: PermissionService
    home: HomeService
    time: TimeService
    wip: WipService
    invoices: InvoiceService
    mail: MailService
    contractor_invoices: ContractorInvoiceService
    client_invoices: ClientInvoiceService
    terms: PaymentTermsService
    compliance: ComplianceService
    dashboards: DashboardService
    metrics: MetricsService
    changes: ChangeFeed

    @classmethod
    def connect(cls, url: str, clock: Clock | None = None, *, migrate: bool = True) -> Services:
        """Open ``url``; an empty database gets the schema on first use."""
        db = Database.open(url)
        if migrate:
            from ..data.migrate import ensure_schema

            ensure_schema(db)
        return cls.build(db, clock or SystemClock())

    @classmethod
    def build(cls, db: Database, clock: Clock) -> Services:
        """Wire the services around an open database."""
        return cls(
            db=db,
            clock=clock,
            auth=AuthService(db, clock),
            users=UserService(db, clock),
            presets=PresetService(db, clock),
            settings=SettingsService(db, clock),
            permissions=PermissionService(db, clock),
            home=HomeService(db, clock),
            time=TimeService(db, clock),
            wip=WipService(db, clock),
            invoices=InvoiceService(db, clock),
            mail=MailService(db, clock),
            contractor_invoices=ContractorInvoiceService(db, clock),
            client_invoices=ClientInvoiceService(db, clock),
            terms=PaymentTermsService(db, clock),
            compliance=ComplianceService(db, clock),
            dashboards=DashboardService(db, clock),
            metrics=MetricsService(db, clock),
            changes=ChangeFeed(db, clock),
        )

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()
