"""The tables of the whole product (DESIGN.md section 4).

Money is always integer minor units in columns ending in ``_cents``; VAT rates
and percentages are basis points (``_bp``); durations are minutes; clock times
are UTC datetimes (:class:`UTCDateTime`). Identifiers people see (invoice and
agreement numbers) are separate from the integer primary keys.

No relationships are declared on purpose: services query explicitly and hand
out frozen read models, never live ORM objects.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, LargeBinary, MetaData, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from ..domain.values import name_key
from .types import Cents, UTCDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


class _Table(SQLModel):
    """The base of every table: pydantic builds a model's validation schema when it is first
    needed, not when the module is imported (a one-shot command never validates a row)."""

    model_config = {"defer_build": True}  # type: ignore[assignment]


def _ts(nullable: bool = False) -> object:
    """A UTC timestamp column."""
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


def _key() -> Any:
    """A name's folded key (:func:`~tektoro_tui.domain.values.name_key`), kept by
    :func:`keep_name_keys` on every insert and update; unique per scope by an index."""
    return Field(default="", max_length=400)


# --------------------------------------------------------------------------------------------
# Organisation, users, access
# --------------------------------------------------------------------------------------------


class Organisation(_Table, table=True):
    """The firm itself and every setting an administrator controls (one row, id 1)."""

    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    name: str = Field(max_length=200)
    billing_address: str = Field(default="", max_length=1000)
    tax_id: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=50)
    bank_account: str = Field(default="", max_length=100)
    logo_path: str = Field(default="", max_length=500)
    currency: str = Field(default="EUR", max_length=3)
    timezone: str = Field(default="UTC", max_length=64)
    default_vat_bp: int = Field(default=2300)
    vat_mode: str = Field(default="per_line", max_length=20)
    rounding_mode: str = Field(default="half_up", max_length=20)
    payment_deadline_days: int = Field(default=14)
    invoice_footer: str = Field(default="", max_length=2000)
    workday_start_minute: int = Field(default=7 * 60)
    workday_end_minute: int = Field(default=17 * 60)  # new firms: 07:00-17:00 (DESIGN §9)
    day_length_minutes: int = Field(default=8 * 60)
    overtime_over_day_bp: int = Field(default=5000)
    overtime_outside_window_bp: int = Field(default=10000)
    smtp_host: str = Field(default="", max_length=200)
    smtp_port: int = Field(default=587)
    smtp_username: str = Field(default="", max_length=200)
    smtp_sender: str = Field(default="", max_length=254)
    smtp_security: str = Field(default="starttls", max_length=20)
    period_lock_date: date | None = Field(default=None)
    default_payment_terms_id: int | None = Field(
        default=None, foreign_key="payment_terms_template.id"
    )
    work_date_window_days: int = Field(default=366)
    working_weekdays: str = Field(
        default="12345", max_length=7, sa_column_kwargs={"server_default": "12345"}
    )  # ISO weekday numbers, Monday = 1
    default_lunch_minutes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = _ts()  # type: ignore[assignment]
    updated_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]


class Company(_Table, table=True):
    """A client, a subcontractor or a supplier; people there are :class:`Contact` rows."""

    __tablename__ = "company"
    __table_args__ = (
        CheckConstraint("kind IN ('client','subcontractor','supplier')", name="kind"),
        Index("ix_company_kind_name", "kind", "name", "id"),
        Index("uq_company_kind_name_key", "kind", "name_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    kind: str = Field(default="client", max_length=20)
    name: str = Field(max_length=200)
    name_key: str = _key()
    tax_id: str = Field(default="", max_length=50)
    billing_address: str = Field(default="", max_length=1000)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=50)
    is_active: bool = Field(default=True)
    created_at: datetime = _ts()  # type: ignore[assignment]


class Contact(_Table, table=True):
    """A person at a company: the client's contact, a subcontractor's foreman."""

    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    company_id: int = Field(foreign_key="company.id", index=True)
    name: str = Field(max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=50)
    position: str = Field(default="", max_length=100)
    is_active: bool = Field(default=True)


class UserAccount(_Table, table=True):
    """Anyone the firm knows by name: login users, clients' users, crew without a login."""

    __tablename__ = "user_account"
    __table_args__ = (Index("ix_user_account_role_name", "role", "name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    email: str | None = Field(default=None, max_length=254)
    email_key: str | None = Field(default=None, max_length=254, unique=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=30)
    password_hash: str | None = Field(default=None, max_length=300)
    supervisor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    contact_id: int | None = Field(default=None)  # a foreman's contact (no key: added in place)
    pay_rate_cents: int = Field(default=0, sa_type=Cents)
    overtime_over_day_bp: int | None = Field(default=None)
    overtime_outside_window_bp: int | None = Field(default=None)
    is_active: bool = Field(default=True)
    failed_logins: int = Field(default=0)  # unused since 0009: see LoginThrottle
    locked_until: datetime | None = _ts(nullable=True)  # type: ignore[assignment]  # unused
    last_login_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    created_at: datetime = _ts()  # type: ignore[assignment]


class LoginThrottle(_Table, table=True):
    """Wrong passwords in a row per e-mail address typed, known to the firm or not, and when
    the next attempt may be made (so the login's answer never tells which accounts exist)."""

    __tablename__ = "login_throttle"

    email_key: str = Field(primary_key=True, max_length=254)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    updated_at: datetime = _ts()  # type: ignore[assignment]


class Invitation(_Table, table=True):
    """A single-use, expiring invitation into the inviter's staff group."""

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    email: str = Field(max_length=254)
    role: str = Field(max_length=30)
    inviter_id: int = Field(foreign_key="user_account.id", index=True)
    contact_id: int | None = Field(default=None)  # a foreman's contact (no key: added in place)
    created_at: datetime = _ts()  # type: ignore[assignment]
    expires_at: datetime = _ts()  # type: ignore[assignment]
    used_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    used_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    revoked_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]


class LoginSession(_Table, table=True):
    """A session token (stored hashed) that lets later CLI commands act as a user."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    origin: str = Field(default="cli", max_length=20)
    created_at: datetime = _ts()  # type: ignore[assignment]
    expires_at: datetime = _ts()  # type: ignore[assignment]
    revoked_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]


class RolePermission(_Table, table=True):
    """One granted permission of one role; the matrix administrators edit."""

    __tablename__ = "role_permission"

    role: str = Field(primary_key=True, max_length=30)
    permission: str = Field(primary_key=True, max_length=60)


# --------------------------------------------------------------------------------------------
# Code presets
# --------------------------------------------------------------------------------------------


class Project(_Table, table=True):
    """Work done for a client, valued at a fixed contract amount or time and material."""

    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint("valuation IN ('fixed','tm')", name="valuation"),
        CheckConstraint("progress_pct BETWEEN 0 AND 100", name="progress"),
        Index("ix_project_active_name", "is_active", "name", "id"),
        Index("uq_project_client_name_key", "client_id", "name_key", unique=True),
        Index("uq_project_code_key", "code_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    code: str = Field(default="", max_length=30)
    code_key: str | None = Field(default=None, max_length=60)
    name: str = Field(max_length=200)
    name_key: str = _key()
    client_id: int = Field(foreign_key="company.id", index=True)
    valuation: str = Field(default="tm", max_length=10)
    contract_amount_cents: int | None = Field(default=None, sa_type=Cents)
    billing_method: str | None = Field(default=None, max_length=20)
    progress_pct: int = Field(default=0)
    status: str = Field(default="active", max_length=20)
    project_manager_id: int | None = Field(default=None, foreign_key="user_account.id")
    estimator_id: int | None = Field(default=None, foreign_key="user_account.id")
    start_date: date | None = Field(default=None)
    end_date: date | None = Field(default=None)
    is_active: bool = Field(default=True)
    created_at: datetime = _ts()  # type: ignore[assignment]


class Task(_Table, table=True):
    """A piece of a project that time is booked against."""

    __tablename__ = "task"
    __table_args__ = (Index("uq_task_project_name_key", "project_id", "name_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    project_id: int = Field(foreign_key="project.id", index=True)
    name: str = Field(max_length=200)
    name_key: str = _key()
    is_active: bool = Field(default=True)


class Activity(_Table, table=True):
    """The kind of work done (design, site visit, meeting ...)."""

    __tablename__ = "activity"
    __table_args__ = (Index("uq_activity_name_key", "name_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    name: str = Field(max_length=200)
    name_key: str = _key()
    billable_default: bool = Field(default=True)
    is_active: bool = Field(default=True)


class RateCode(_Table, table=True):
    """A named hourly billing rate."""

    __tablename__ = "rate_code"
    __table_args__ = (Index("uq_rate_code_name_key", "name_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    name: str = Field(max_length=200)
    name_key: str = _key()
    hourly_rate_cents: int = Field(default=0, sa_type=Cents)
    is_active: bool = Field(default=True)


# --------------------------------------------------------------------------------------------
# Time pipeline
# --------------------------------------------------------------------------------------------


class TimeEntry(_Table, table=True):
    """A time card: who worked how long on what, and where it stands in the pipeline."""

    __tablename__ = "time_entry"
    __table_args__ = (
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes"),
        CheckConstraint(
            "status IN ('draft','accepted','approved','rejected','allocated','processed')",
            name="status",
        ),
        CheckConstraint("pay_status IN ('unpaid','invoiced','paid')", name="pay_status"),
        Index(
            "ix_time_entry_owner_status",
            *("owner_id", "status", "work_date", "id", "minutes", "value_cents"),
        ),
        Index("ix_time_entry_status_date", "status", "work_date", "id"),
        Index(
            "ix_time_entry_owner_date",
            *("owner_id", "work_date", "id", "status", "minutes", "value_cents"),
        ),
        Index("ix_time_entry_project_status", "project_id", "status"),
        Index(
            "ix_time_entry_status_allocation",
            *("status", "project_id", "allocation", "minutes", "value_cents", "write_down_cents"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user_account.id")
    entered_by_id: int = Field(foreign_key="user_account.id")
    project_id: int = Field(foreign_key="project.id")
    task_id: int = Field(foreign_key="task.id")
    activity_id: int = Field(foreign_key="activity.id")
    rate_code_id: int = Field(foreign_key="rate_code.id")
    work_date: date
    minutes: int
    start_minute: int | None = Field(default=None)
    end_minute: int | None = Field(default=None)
    description: str = Field(default="", max_length=2000)
    billable: bool = Field(default=True)
    status: str = Field(default="draft", max_length=20)
    pay_status: str = Field(default="unpaid", max_length=20)
    rate_cents: int = Field(default=0, sa_type=Cents)
    value_cents: int = Field(default=0, sa_type=Cents)
    rejection_reason: str = Field(default="", max_length=1000)
    accepted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    accepted_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    approved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    approved_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    allocation: str | None = Field(default=None, max_length=20)
    write_down_cents: int = Field(default=0, sa_type=Cents)
    write_down_reason: str = Field(default="", max_length=100)
    write_down_note: str = Field(default="", max_length=1000)
    hold_until: date | None = Field(default=None)
    document_id: int | None = Field(default=None, foreign_key="document_record.id", index=True)
    master_invoice_id: int | None = Field(default=None, foreign_key="master_invoice.id", index=True)
    created_at: datetime = _ts()  # type: ignore[assignment]
    updated_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    version: int = Field(default=1)


class DocumentRecord(_Table, table=True):
    """The frozen result of processing WIP: an invoice record or a statement of write-downs."""

    __tablename__ = "document_record"
    __table_args__ = (CheckConstraint("kind IN ('invoice','write_down')", name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=30, unique=True)
    kind: str = Field(max_length=20)
    client_id: int = Field(foreign_key="company.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id")
    total_minutes: int = Field(default=0)
    value_cents: int = Field(default=0, sa_type=Cents)
    billed_cents: int = Field(default=0, sa_type=Cents)
    write_down_cents: int = Field(default=0, sa_type=Cents)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = _ts()  # type: ignore[assignment]


class DocumentLine(_Table, table=True):
    """A frozen copy of one processed time entry on a document record."""

    __tablename__ = "document_line"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document_record.id", index=True)
    time_entry_id: int = Field(foreign_key="time_entry.id", unique=True)
    work_date: date
    person_name: str = Field(max_length=200)
    project_name: str = Field(max_length=200)
    task_name: str = Field(max_length=200)
    activity_name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    minutes: int
    rate_cents: int = Field(sa_type=Cents)
    value_cents: int = Field(sa_type=Cents)
    billed_cents: int = Field(sa_type=Cents)
    write_down_cents: int = Field(default=0, sa_type=Cents)
    write_down_reason: str = Field(default="", max_length=100)


# --------------------------------------------------------------------------------------------
# Invoices, payments
# --------------------------------------------------------------------------------------------


class InvoiceSeries(_Table, table=True):
    """A gapless numbering series; the counter row is updated in the issuing transaction."""

    __tablename__ = "invoice_series"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=20)
    last_number: int = Field(default=0)
    last_issue_date: date | None = Field(default=None)


class PaymentTermsTemplate(_Table, table=True):
    """Reusable payment-terms text; copied into an invoice when it is issued."""

    __tablename__ = "payment_terms_template"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    name: str = Field(max_length=200)
    kind: str = Field(default="standard", max_length=30)
    body: str = Field(max_length=4000)
    days: int | None = Field(default=None)  # due days after the issue date ("Net 14": 14)
    is_deleted: bool = Field(default=False)
    created_at: datetime = _ts()  # type: ignore[assignment]
    updated_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]


class Invoice(_Table, table=True):
    """A client invoice (receivable). Frozen from the moment it is issued."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("series_id", "seq", name="uq_invoice_series_seq"),
        CheckConstraint(
            "status IN ('draft','issued','sent','partially_paid','paid','booked','cancelled')",
            name="status",
        ),
        CheckConstraint(
            "kind IN ('standard','partial','total','advance','final','credit_note')", name="kind"
        ),
        CheckConstraint("gross_cents = net_cents + vat_cents", name="gross"),
        Index("ix_invoice_status_date", "status", "issue_date", "id"),
        Index("ix_invoice_client_status", "client_id", "status"),
        Index("uq_invoice_project_external", "project_id", "external_number", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="invoice_series.id")
    seq: int | None = Field(default=None)
    number: str | None = Field(default=None, max_length=40, unique=True)
    kind: str = Field(default="standard", max_length=20)
    status: str = Field(default="draft", max_length=20)
    client_id: int = Field(foreign_key="company.id")
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    document_id: int | None = Field(default=None, foreign_key="document_record.id", index=True)
    credited_invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    currency: str = Field(default="EUR", max_length=3)
    vat_mode: str = Field(default="per_line", max_length=20)
    rounding_mode: str = Field(default="half_up", max_length=20)
    issue_date: date | None = Field(default=None)
    sale_date: date | None = Field(default=None)
    due_date: date | None = Field(default=None)
    service_name: str = Field(default="", max_length=500)
    net_cents: int = Field(default=0, sa_type=Cents)
    vat_cents: int = Field(default=0, sa_type=Cents)
    gross_cents: int = Field(default=0, sa_type=Cents)
    paid_cents: int = Field(default=0, sa_type=Cents)
    markup_bp: int = Field(default=0)
    markup_on_whole: bool = Field(default=False)
    commentary: str = Field(default="", max_length=4000)
    attached_text: str = Field(default="", max_length=8000)
    payment_terms_id: int | None = Field(default=None, foreign_key="payment_terms_template.id")
    payment_terms_text: str = Field(default="", max_length=4000)
    footer: str = Field(default="", max_length=2000)
    seller_name: str = Field(default="", max_length=200)
    seller_address: str = Field(default="", max_length=1000)
    seller_tax_id: str = Field(default="", max_length=50)
    buyer_name: str = Field(default="", max_length=200)
    buyer_address: str = Field(default="", max_length=1000)
    buyer_tax_id: str = Field(default="", max_length=50)
    progress_pct_update: int | None = Field(default=None)
    overdue_notice_days: int | None = Field(default=None)
    # settlement invoices (migration 0014; NULL on every other invoice, so no digest changes)
    project_change_id: int | None = Field(default=None)  # a change of its own project
    external_number: str | None = Field(default=None, max_length=60)  # issued elsewhere
    attachment_sha256: str | None = Field(default=None, max_length=64)
    settlement_basis: str | None = Field(default=None, max_length=4000)  # the suggestion, frozen
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = _ts()  # type: ignore[assignment]
    issued_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    issued_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    sent_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    paid_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    booked_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    cancelled_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]


class InvoiceAttachment(_Table, table=True):
    """The PDF of an invoice issued in another program, kept with the invoice recorded for it
    (its SHA-256 is frozen on the invoice row, so a swapped file shows in ``check``)."""

    __tablename__ = "invoice_attachment"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", unique=True)
    file_name: str = Field(max_length=255)
    content: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = _ts()  # type: ignore[assignment]


class InvoiceProjectShare(_Table, table=True):
    """What an issued invoice without a project of its own (a client's whole period) bills of
    each project's time: the net of its lines per project, written when it is issued (its lines
    are frozen then, so are these). Project figures read these few rows instead of joining
    every line to its time entry; ``tektoro check`` re-derives them from the lines."""

    __tablename__ = "invoice_project_share"
    __table_args__ = (
        UniqueConstraint("invoice_id", "project_id", name="uq_invoice_project_share"),
        Index("ix_invoice_project_share_project", "project_id", "invoice_id", "net_cents"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id")
    project_id: int = Field(foreign_key="project.id")
    net_cents: int = Field(sa_type=Cents)


class InvoiceLine(_Table, table=True):
    """One line of a client invoice; frozen with its invoice."""

    __tablename__ = "invoice_line"
    __table_args__ = (
        CheckConstraint("gross_cents = net_cents + vat_cents", name="gross"),
        CheckConstraint("kind IN ('time','adjustment','expense','markup','service')", name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    position: int
    kind: str = Field(default="service", max_length=20)
    description: str = Field(default="", max_length=2000)
    detail: str = Field(default="", max_length=2000)
    minutes: int | None = Field(default=None)
    unit_price_cents: int | None = Field(default=None, sa_type=Cents)
    net_cents: int = Field(sa_type=Cents)
    vat_bp: int
    vat_cents: int = Field(sa_type=Cents)
    gross_cents: int = Field(sa_type=Cents)
    expense_date: date | None = Field(default=None)
    reason: str = Field(default="", max_length=500)
    document_line_id: int | None = Field(default=None, foreign_key="document_line.id")


class MasterInvoice(_Table, table=True):
    """What the firm owes a contractor for a period of approved tickets (a payable)."""

    __tablename__ = "master_invoice"
    __table_args__ = (
        UniqueConstraint("series_id", "seq", name="uq_master_invoice_series_seq"),
        CheckConstraint("status IN ('draft','approved','partially_paid','paid')", name="status"),
        Index("ix_master_invoice_contractor", "contractor_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="invoice_series.id")
    seq: int
    number: str = Field(max_length=40, unique=True)
    contractor_id: int = Field(foreign_key="user_account.id")
    period_start: date
    period_end: date
    issue_date: date
    status: str = Field(default="draft", max_length=20)
    total_minutes: int = Field(default=0)
    total_cents: int = Field(default=0, sa_type=Cents)
    paid_cents: int = Field(default=0, sa_type=Cents)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = _ts()  # type: ignore[assignment]
    approved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    approved_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    paid_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]


class MasterInvoiceLine(_Table, table=True):
    """A frozen copy of one ticket on a contractor master invoice."""

    __tablename__ = "master_invoice_line"

    id: int | None = Field(default=None, primary_key=True)
    master_invoice_id: int = Field(foreign_key="master_invoice.id", index=True)
    time_entry_id: int = Field(foreign_key="time_entry.id", unique=True)
    work_date: date
    description: str = Field(default="", max_length=2000)
    minutes: int
    pay_rate_cents: int = Field(sa_type=Cents)
    amount_cents: int = Field(sa_type=Cents)


class Payment(_Table, table=True):
    """Money received on a client invoice or paid on a contractor invoice. Append-only."""

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("(invoice_id IS NULL) <> (master_invoice_id IS NULL)", name="one_target"),
        CheckConstraint("amount_cents > 0", name="amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    master_invoice_id: int | None = Field(default=None, foreign_key="master_invoice.id", index=True)
    method: str = Field(max_length=20)
    paid_on: date
    amount_cents: int = Field(sa_type=Cents)
    account_holder: str = Field(default="", max_length=200)
    account_number: str = Field(default="", max_length=64)
    reference: str = Field(default="", max_length=200)
    recorded_by_id: int = Field(foreign_key="user_account.id")
    recorded_via: str = Field(default="office", max_length=20)
    recorded_at: datetime = _ts()  # type: ignore[assignment]


class Notification(_Table, table=True):
    """An in-app message for one user (e.g. 'your invoice MI/2026/0003 was paid')."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    kind: str = Field(max_length=40)
    message: str = Field(max_length=1000)
    created_at: datetime = _ts()  # type: ignore[assignment]
    read_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]


class ContractorDocument(_Table, table=True):
    """A compliance document of a contractor: contract, tax form, insurance certificate."""

    __tablename__ = "contractor_document"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    user_id: int = Field(foreign_key="user_account.id", index=True)
    doc_type: str = Field(max_length=40)
    file_path: str = Field(default="", max_length=500)
    expires_on: date | None = Field(default=None)
    created_at: datetime = _ts()  # type: ignore[assignment]


# --------------------------------------------------------------------------------------------
# Project settlements: costs, subcontracts, payroll
# --------------------------------------------------------------------------------------------


class ProjectChange(_Table, table=True):
    """A change in the project (change order): numbered per project, ± amount; once approved
    it adds to the contract amount and is no longer edited."""

    __tablename__ = "project_change"
    __table_args__ = (UniqueConstraint("project_id", "number", name="uq_project_change_number"),)

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    project_id: int = Field(foreign_key="project.id")
    number: int
    description: str = Field(max_length=2000)
    change_date: date
    amount_cents: int = Field(sa_type=Cents)
    approved: bool = Field(default=False)
    approved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    approved_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = _ts()  # type: ignore[assignment]


class ProjectCost(_Table, table=True):
    """A cost incurred on a project besides staff time: material, salary, equipment, other."""

    __tablename__ = "project_cost"
    __table_args__ = (
        CheckConstraint("cost_type IN ('material','salary','equipment','other')", name="cost_type"),
        Index("ix_project_cost_project_date", "project_id", "cost_date", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    project_id: int = Field(foreign_key="project.id")
    name: str = Field(max_length=200)
    supplier_invoice_number: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=2000)
    cost_date: date
    cost_type: str = Field(max_length=20)
    amount_cents: int = Field(sa_type=Cents)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = _ts()  # type: ignore[assignment]


class WorkType(_Table, table=True):
    """A type of work on a site (bricklaying, roofing ...): the firm-wide list that a
    subcontract's schedule, its daily reports and its non-standard hourly rates name."""

    __tablename__ = "work_type"
    __table_args__ = (Index("uq_work_type_name_key", "name_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    name: str = Field(max_length=200)
    name_key: str = _key()
    is_active: bool = Field(default=True)


class Holiday(_Table, table=True):
    """A public holiday: no working day, whatever its weekday."""

    __tablename__ = "holiday"

    id: int | None = Field(default=None, primary_key=True)
    holiday_date: date = Field(unique=True)
    name: str = Field(default="", max_length=200)


class SubcontractCounter(_Table, table=True):
    """The gapless agreement numbers of one year (SA/2026/00001 ...): the row is locked and
    raised in the transaction that creates the agreement."""

    __tablename__ = "subcontract_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = Field(default=0)


class SubcontractAgreement(_Table, table=True):
    """A written agreement with a subcontractor for a scope of a project.

    ``paid_cents``, ``tm_amount_cents``, ``fully_paid`` and ``work_completed`` follow from its
    settlement stages and daily reports; the service keeps them and ``check`` re-derives them.
    """

    __tablename__ = "subcontract_agreement"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_subcontract_agreement_year_seq"),
        Index("ix_subcontract_agreement_project_id", "project_id"),
        Index("ix_subcontract_agreement_subcontractor_id", "subcontractor_id"),
        Index("ix_subcontract_agreement_open", "work_completed", "contract_date", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    number: str = Field(max_length=40, unique=True)
    year: int
    seq: int
    project_id: int = Field(foreign_key="project.id")
    subcontractor_id: int = Field(foreign_key="company.id")
    scope: str = Field(max_length=4000)
    contract_date: date
    deadline: date
    time_and_material: bool = Field(default=False)
    fixed_amount_cents: int | None = Field(default=None, sa_type=Cents)
    hourly_rate_cents: int | None = Field(default=None, sa_type=Cents)
    over_day_bp: int
    outside_window_bp: int
    note: str = Field(default="", max_length=2000)
    tm_amount_cents: int = Field(default=0, sa_type=Cents)
    paid_cents: int = Field(default=0, sa_type=Cents)
    fully_paid: bool = Field(default=False)
    work_completed: bool = Field(default=False)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = _ts()  # type: ignore[assignment]


class SubcontractRate(_Table, table=True):
    """An agreement's non-standard hourly rate for one type of work."""

    __tablename__ = "subcontract_rate"
    __table_args__ = (
        UniqueConstraint("agreement_id", "work_type_id", name="uq_subcontract_rate_type"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="subcontract_agreement.id")
    work_type_id: int = Field(foreign_key="work_type.id")
    hourly_rate_cents: int = Field(sa_type=Cents)


class SubcontractAttachment(_Table, table=True):
    """A file kept with an agreement (the signed contract): stored in the database, so the
    shared server needs no file share; insert-only, its checksum re-derived by ``check``."""

    __tablename__ = "subcontract_attachment"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="subcontract_agreement.id", index=True)
    file_name: str = Field(max_length=255)
    size_bytes: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=LargeBinary)
    added_by_id: int = Field(foreign_key="user_account.id")
    added_at: datetime = _ts()  # type: ignore[assignment]


class WorkSchedule(_Table, table=True):
    """One planned working day of a subcontract's crew: times, type of work, foreman, crew."""

    __tablename__ = "work_schedule"
    __table_args__ = (
        UniqueConstraint(
            "agreement_id", "work_date", "foreman_contact_id", name="uq_work_schedule_day"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    agreement_id: int = Field(foreign_key="subcontract_agreement.id")
    work_date: date
    planned_start: int  # minutes after midnight
    planned_end: int  # minutes after midnight; past 1440 runs into the next morning
    work_type_id: int = Field(foreign_key="work_type.id")
    foreman_contact_id: int = Field(foreign_key="contact.id", index=True)
    planned_headcount: int
    custom_rates: bool = Field(default=False)
    over_day_bp: int | None = Field(default=None)
    outside_window_bp: int | None = Field(default=None)
    note: str = Field(default="", max_length=2000)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = _ts()  # type: ignore[assignment]


class DailyReport(_Table, table=True):
    """A foreman's report of one day: when the crew worked, how many, on what type of work.

    The rate and % rates it was priced at and its minutes by rate are kept with it, so its
    amount reads the same later and ``check`` can price it again.
    """

    __tablename__ = "daily_report"
    __table_args__ = (
        UniqueConstraint(
            "agreement_id", "report_date", "foreman_contact_id", name="uq_daily_report_day"
        ),
        Index("ix_daily_report_foreman", "foreman_contact_id", "report_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    agreement_id: int = Field(foreign_key="subcontract_agreement.id")
    schedule_id: int | None = Field(default=None, foreign_key="work_schedule.id")
    foreman_contact_id: int = Field(foreign_key="contact.id")
    report_date: date
    actual_start: int  # minutes after midnight
    actual_end: int
    headcount: int
    work_type_id: int = Field(foreign_key="work_type.id")
    note: str = Field(default="", max_length=2000)
    hourly_rate_cents: int = Field(sa_type=Cents)
    over_day_bp: int
    outside_window_bp: int
    standard_minutes: int
    over_day_minutes: int
    outside_window_minutes: int
    amount_cents: int = Field(sa_type=Cents)
    entered_by_id: int = Field(foreign_key="user_account.id")
    entered_at: datetime = _ts()  # type: ignore[assignment]


class SubcontractSettlement(_Table, table=True):
    """One settlement stage of an agreement: append-only (a database trigger refuses any
    change); a mistake is corrected by a new stage with a negative amount and a reason."""

    __tablename__ = "subcontract_settlement"
    __table_args__ = (
        UniqueConstraint("agreement_id", "stage", name="uq_subcontract_settlement_stage"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="subcontract_agreement.id")
    stage: int
    settled_on: date
    paid_cents: int = Field(sa_type=Cents)
    paid_before_cents: int = Field(sa_type=Cents)
    contract_cents: int = Field(sa_type=Cents)  # the contract amount when the stage was settled
    description: str = Field(max_length=1000)
    fully_paid: bool = Field(default=False)
    work_completed: bool = Field(default=False)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = _ts()  # type: ignore[assignment]


class EmployeePay(_Table, table=True):
    """An employee's pay terms from a date on (the "HR" tab): the standard gross hourly rate,
    own % rates over the organisation's, and whether the person is an employee at all
    (externals are paid through their subcontract and never appear in payroll).

    The terms in force on a day are the row with the latest ``effective_from`` on or before
    it; a change of rates is a new row from its date.
    """

    __tablename__ = "employee_pay"
    __table_args__ = (
        UniqueConstraint("employee_id", "effective_from", name="uq_employee_pay_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    employee_id: int = Field(foreign_key="user_account.id")
    effective_from: date
    external: bool = Field(default=False)
    hourly_rate_cents: int = Field(default=0, sa_type=Cents)
    over_day_bp: int | None = Field(default=None)
    outside_window_bp: int | None = Field(default=None)
    note: str = Field(default="", max_length=2000)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = _ts()  # type: ignore[assignment]


class EmployeePayRate(_Table, table=True):
    """A non-standard hourly rate of an employee's pay terms for one type of work."""

    __tablename__ = "employee_pay_rate"
    __table_args__ = (UniqueConstraint("pay_id", "work_type_id", name="uq_employee_pay_rate_type"),)

    id: int | None = Field(default=None, primary_key=True)
    pay_id: int = Field(foreign_key="employee_pay.id")
    work_type_id: int = Field(foreign_key="work_type.id")
    hourly_rate_cents: int = Field(sa_type=Cents)


class PayrollPeriod(_Table, table=True):
    """A period of one employee's pay transferred to accounting: its shifts are frozen by
    database triggers (no change, no new shift in its dates) and its totals kept; insert-only,
    and ``check`` re-derives the totals from the shifts."""

    __tablename__ = "payroll_period"
    __table_args__ = (Index("ix_payroll_period_employee", "employee_id", "period_start"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="user_account.id")
    period_start: date
    period_end: date
    shift_count: int
    standard_minutes: int
    over_day_minutes: int
    outside_window_minutes: int
    total_cents: int = Field(sa_type=Cents)
    transferred_at: datetime = _ts()  # type: ignore[assignment]
    transferred_by_id: int = Field(foreign_key="user_account.id")


class WorkShift(_Table, table=True):
    """One working day (or piece of a day) of an employee on a project: planned and actual
    times (minutes after midnight of ``shift_date``; past 1440 runs into the next morning),
    lunch, and the rates and rules it was priced with, its minutes and money by bucket.

    ``pay_cents`` is empty while the shift is not settled (no actual start or end). Approved
    days carry who approved them; a transferred day its payroll period, after which the
    database refuses any change.
    """

    __tablename__ = "work_shift"
    __table_args__ = (
        Index("ix_work_shift_employee_date", "employee_id", "shift_date", "id"),
        Index("ix_work_shift_project_date", "project_id", "shift_date"),
        Index("ix_work_shift_date", "shift_date", "employee_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(
        default=1, sa_column_kwargs={"server_default": "1"}
    )  # raised by every save
    employee_id: int = Field(foreign_key="user_account.id")
    project_id: int = Field(foreign_key="project.id")
    work_type_id: int | None = Field(default=None, foreign_key="work_type.id")
    shift_date: date
    planned_start: int | None = Field(default=None)
    planned_end: int | None = Field(default=None)
    actual_start: int | None = Field(default=None)
    actual_end: int | None = Field(default=None)
    lunch_minutes: int = Field(default=0)
    custom_rates: bool = Field(default=False)
    over_day_bp: int | None = Field(default=None)  # the shift's own % rates (custom_rates)
    outside_window_bp: int | None = Field(default=None)
    note: str = Field(default="", max_length=2000)  # the reason of the last change by hand
    # the copy it was priced with
    rate_cents: int | None = Field(default=None, sa_type=Cents)
    rate_over_day_bp: int | None = Field(default=None)
    rate_outside_bp: int | None = Field(default=None)
    window_start: int | None = Field(default=None)
    window_end: int | None = Field(default=None)
    day_length: int | None = Field(default=None)
    day_off: bool = Field(default=False)
    standard_minutes: int = Field(default=0)
    over_day_minutes: int = Field(default=0)
    outside_window_minutes: int = Field(default=0)
    standard_cents: int = Field(default=0, sa_type=Cents)
    over_day_cents: int = Field(default=0, sa_type=Cents)
    outside_cents: int = Field(default=0, sa_type=Cents)
    pay_cents: int | None = Field(default=None, sa_type=Cents)
    approved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    approved_at: datetime | None = _ts(nullable=True)  # type: ignore[assignment]
    payroll_period_id: int | None = Field(default=None, foreign_key="payroll_period.id", index=True)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = _ts()  # type: ignore[assignment]


# --------------------------------------------------------------------------------------------
# Audit and change feed
# --------------------------------------------------------------------------------------------


class AuditEvent(_Table, table=True):
    """One write, who made it and what changed; append-only and hash-chained.

    ``seals`` holds the content digests of the ledger rows the write left behind
    (``domain.audit.encode_seals``; hashed with the event), ``mark`` the keyed HMAC of
    ``hash`` under the audit key kept outside the database.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = _ts()  # type: ignore[assignment]
    actor_id: int | None = Field(default=None)
    actor_label: str = Field(max_length=254)
    action: str = Field(max_length=60)
    entity: str = Field(max_length=60)
    entity_id: str | None = Field(default=None, max_length=60)
    before_json: str = Field(default="")
    after_json: str = Field(default="")
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    seals: str = Field(default="", sa_column_kwargs={"server_default": ""})
    mark: str | None = Field(default=None, max_length=64)


class AuditHead(_Table, table=True):
    """The end of the audit chain; locking this row serialises appends (one row, id 1).

    ``key_id`` is the fingerprint of the audit key the chain is keyed with (None until
    the database is keyed) and ``keyed_from`` the first event marked under that key.
    """

    __tablename__ = "audit_head"

    id: int | None = Field(default=None, primary_key=True)
    last_event_id: int = Field(default=0)
    last_hash: str = Field(max_length=64)
    key_id: str | None = Field(default=None, max_length=64)
    keyed_from: int | None = Field(default=None)


class TimeDayTotal(_Table, table=True):
    """Time entries summed per day, owner, project, status, pay status and billable flag.

    Kept by database triggers on ``time_entry`` (migration 0005) in the same transaction as
    every insert, update and delete, so dashboards and metrics read tens of thousands of
    summary rows instead of a million entries. ``tektoro check`` re-derives it from the raw
    entries.
    """

    __tablename__ = "time_day_total"
    __table_args__ = (
        UniqueConstraint(
            "work_date",
            "owner_id",
            "project_id",
            "status",
            "pay_status",
            "billable",
            name="uq_time_day_total_key",
        ),
        Index("ix_time_day_total_owner", "owner_id", "work_date"),
        Index("ix_time_day_total_project", "project_id", "work_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    work_date: date
    owner_id: int
    project_id: int
    status: str = Field(max_length=20)
    pay_status: str = Field(max_length=20)
    billable: bool
    entries: int = Field(default=0)
    minutes: int = Field(default=0)
    value_cents: int = Field(default=0, sa_type=Cents)


class ChangeEvent(_Table, table=True):
    """A row of the real-time feed: which entity changed, for open screens to refresh."""

    __tablename__ = "change_event"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = _ts()  # type: ignore[assignment]
    entity: str = Field(max_length=60)
    entity_id: str | None = Field(default=None, max_length=60)
    action: str = Field(max_length=60)
    actor_id: int | None = Field(default=None)
    owner_id: int | None = Field(default=None)
    """The user whose record changed (a time entry's owner, a notification's recipient); None
    for records of nobody in particular, which concern every open screen."""


ALL_TABLES = tuple(metadata.sorted_tables)


# --------------------------------------------------------------------------------------------
# Folded keys of names and codes
# --------------------------------------------------------------------------------------------

KEYED_NAMES: tuple[type[SQLModel], ...] = (Company, Project, Task, Activity, RateCode, WorkType)
"""Tables whose ``name_key`` the ORM keeps equal to ``name_key(name)``."""


def keep_name_keys(_mapper: Any, _connection: Any, row: Any) -> None:
    """Set a row's folded keys from its name (and a project's code) before it is written.

    Every insert and update through the ORM passes here, so no service can forget a key; the
    unique indexes on the keys then refuse a second "Roof" or "ROOF " in the same scope.
    """
    row.name_key = name_key(row.name or "")
    if isinstance(row, Project):
        row.code_key = name_key(row.code or "") or None


for _model in KEYED_NAMES:
    event.listen(_model, "before_insert", keep_name_keys)
    event.listen(_model, "before_update", keep_name_keys)


UNIQUE_KEYS: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "uq_company_kind_name_key": (
        "company",
        ("kind", "name_key"),
        "name",
        "another company of this kind already has this name",
    ),
    "uq_project_client_name_key": (
        "project",
        ("client_id", "name_key"),
        "name",
        "this client already has a project with this name",
    ),
    "uq_project_code_key": ("project", ("code_key",), "code", "another project has this code"),
    "uq_task_project_name_key": (
        "task",
        ("project_id", "name_key"),
        "name",
        "this project already has a task with this name",
    ),
    "uq_activity_name_key": (
        "activity",
        ("name_key",),
        "name",
        "another activity already has this name",
    ),
    "uq_rate_code_name_key": (
        "rate_code",
        ("name_key",),
        "name",
        "another rate code already has this name",
    ),
    "uq_user_account_email_key": (
        "user_account",
        ("email_key",),
        "email",
        "already belongs to another user",
    ),
}
"""The unique keys a person can collide with: index name -> (table, columns, the form field
it concerns, what is wrong). ``engine.translate_db_error`` turns the database's refusal of a
duplicate into that field's problem, for the rare save that races another past the services'
own check."""
