"""Frozen read models the services hand to the faces (never live ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from ...domain.money import Money
from ...domain.permissions import Role

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; ``next_after`` is the keyset cursor for the next page, or None."""

    items: tuple[T, ...]
    next_after: tuple[object, ...] | None


@dataclass(frozen=True)
class UserView:
    """A user as lists and forms show it."""

    id: int
    email: str
    name: str
    role: Role
    supervisor_id: int | None
    supervisor_name: str
    company_id: int | None
    company_name: str
    pay_rate: Money
    is_active: bool
    can_login: bool
    last_login_at: datetime | None
    version: int = 1  # what a form opened on this view saves against


@dataclass(frozen=True)
class InvitationView:
    """An invitation as the inviter sees it; ``token`` is shown only once, at creation."""

    id: int
    email: str
    role: Role
    inviter_name: str
    expires_at: datetime
    used: bool
    token: str = ""


@dataclass(frozen=True)
class CompanyView:
    """A client, subcontractor or supplier."""

    id: int
    kind: str
    name: str
    tax_id: str
    billing_address: str
    email: str
    phone: str
    is_active: bool
    version: int = 1  # what a form opened on this view saves against


@dataclass(frozen=True)
class ContactView:
    """A person at a company."""

    id: int
    company_id: int
    name: str
    email: str
    phone: str
    position: str
    is_active: bool
    version: int = 1  # what a form opened on this view saves against


@dataclass(frozen=True)
class ProjectView:
    """A project with its client's name."""

    id: int
    code: str
    name: str
    client_id: int
    client_name: str
    valuation: str
    contract_amount: Money | None
    billing_method: str | None
    progress_pct: int
    status: str
    project_manager_id: int | None
    estimator_id: int | None
    start_date: date | None
    end_date: date | None
    is_active: bool
    version: int = 1  # what a form opened on this view saves against


@dataclass(frozen=True)
class TaskView:
    """A task of a project."""

    id: int
    project_id: int
    project_name: str
    name: str
    is_active: bool
    version: int = 1  # what a form opened on this view saves against


@dataclass(frozen=True)
class WorkTypeView:
    """A type of work on a site (bricklaying, roofing ...)."""

    id: int
    name: str
    is_active: bool
    version: int = 1  # what a form opened on this view saves against


@dataclass(frozen=True)
class ActivityView:
    """A kind of work."""

    id: int
    name: str
    billable_default: bool
    is_active: bool
    version: int = 1  # what a form opened on this view saves against


@dataclass(frozen=True)
class RateCodeView:
    """A named hourly rate."""

    id: int
    name: str
    hourly_rate: Money
    is_active: bool
    version: int = 1  # what a form opened on this view saves against


@dataclass(frozen=True)
class OrganisationView:
    """Every organisation setting (the SMTP password is never part of it)."""

    name: str
    billing_address: str
    tax_id: str
    email: str
    phone: str
    bank_account: str
    logo_path: str
    currency: str
    timezone: str
    default_vat_bp: int
    vat_mode: str
    rounding_mode: str
    payment_deadline_days: int
    invoice_footer: str
    workday_start_minute: int
    workday_end_minute: int
    day_length_minutes: int
    overtime_over_day_bp: int
    overtime_outside_window_bp: int
    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_sender: str
    smtp_security: str
    smtp_password_set: bool
    period_lock_date: date | None
    work_date_window_days: int
    default_payment_terms_id: int | None = None  # the terms a new draft invoice starts with
    version: int = 1  # what the settings form saves against
    working_weekdays: str = "12345"  # ISO weekday numbers, Monday = 1
    holidays: tuple[tuple[date, str], ...] = ()  # the firm's public holidays, by date
    default_lunch_minutes: int = 0  # a new shift's unpaid lunch break unless one is typed


@dataclass(frozen=True)
class HomeSummary:
    """What the home screen shows besides the dashboard: who the user is, where, and which
    code presets time cards still lack."""

    organisation: str
    user_name: str
    role: Role
    missing_presets: tuple[str, ...]
