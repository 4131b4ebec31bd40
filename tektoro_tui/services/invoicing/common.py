"""What every part of client invoicing shares: constants, access rules and row lookups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.permissions import Perm, Role
from ...domain.states import InvoiceStatus
from ...errors import (
    NotFound,
    PermissionDenied,
    Problem,
    ValidationError,
    shown,
)
from ..base import Actor, has_permission

if TYPE_CHECKING:
    pass


SERIES_INVOICE = "INV"
SERIES_CREDIT_NOTE = "CN"
CREDIT_NOTE = "credit_note"
STANDARD = "standard"
PAYABLE_STATUSES = (
    InvoiceStatus.ISSUED.value,
    InvoiceStatus.SENT.value,
    InvoiceStatus.PARTIALLY_PAID.value,
)
PRINTER_STATUSES = (*PAYABLE_STATUSES, InvoiceStatus.PAID.value)
OVERDUE_NOTICE_DAYS = (60, 90)
MAX_DUE_DAYS = 365
MAX_MARKUP_BP = 10_000
RENDER_FORMATS = ("pdf", "html")
REMOVABLE_KINDS = ("adjustment", "expense")
WRITE_DOWN_DETAIL = "Written down from: "
TITLES = {
    STANDARD: "Invoice",
    CREDIT_NOTE: "Credit note",
    "partial": "Partial invoice",
    "total": "Invoice",
    "advance": "Advance invoice",
    "final": "Final invoice",
}
AGING_BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")


def is_write_down(row: m.InvoiceLine | LineRecord) -> bool:
    """A line carrying a write-down decided in WIP (an adjustment of a document line)."""
    return row.kind == "adjustment" and row.document_line_id is not None


def invalid_field(field: str, message: str) -> ValidationError:
    """A refusal naming the one field that is wrong."""
    return ValidationError([Problem(field, message)])


def require_documenter(session: Session, actor: Actor) -> None:
    """Refuse anyone who may neither use the Documenter nor issue invoices."""
    if has_permission(session, actor, Perm.DOCUMENTER_USE):
        return
    if has_permission(session, actor, Perm.INVOICE_ISSUE):
        return
    raise PermissionDenied(
        "Your role may not assemble invoices in the Documenter. "
        "An administrator can change this under Permissions."
    )


def require_invoice_editor(session: Session, actor: Actor) -> None:
    """Refuse anyone who may not add or edit invoices (``invoice.issue``): a manager sees the
    Documenter's drafts but neither adds nor edits them (the seed: "the Manager can view all
    invoices, but cannot add or edit them")."""
    require_documenter(session, actor)
    if has_permission(session, actor, Perm.INVOICE_ISSUE):
        return
    raise PermissionDenied(
        "Your role may see the Documenter's drafts but not add or edit invoices; the "
        "accountant does. An administrator can change this under Permissions."
    )


def require_visible(session: Session, actor: Actor, invoice: m.Invoice) -> None:
    """Any invoice with ``invoice.view_all``; drafts also for Documenter users."""
    if has_permission(session, actor, Perm.INVOICE_VIEW_ALL):
        return
    if invoice.status == InvoiceStatus.DRAFT:
        require_documenter(session, actor)
        return
    raise PermissionDenied("Your role may not see all invoices.")


def actor_role(session: Session, actor: Actor) -> Role:
    """The acting user's current role."""
    role = session.execute(
        select(m.UserAccount.role).where(m.UserAccount.id == actor.user_id)
    ).scalar_one()
    return Role(role)


def lock_invoice(session: Session, condition: Any, label: str) -> m.Invoice:
    """Load one invoice row locked for this transaction (re-read, never a stale copy)."""
    invoice = session.execute(
        select(m.Invoice)
        .where(condition)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if invoice is None:
        raise NotFound(f"{label} does not exist.")
    return invoice


def invoice_by_number(session: Session, number: str) -> m.Invoice:
    """An issued invoice by number, or NotFound."""
    invoice = session.execute(
        select(m.Invoice).where(m.Invoice.number == number.strip())
    ).scalar_one_or_none()
    if invoice is None:
        raise NotFound(f"Invoice {shown(number)} does not exist.")
    return invoice


LINE_TABLE = m.InvoiceLine.__table__  # type: ignore[attr-defined]
"""The invoice_line table, for reading and re-pricing lines without building ORM objects."""


LineRecord = Row[Any]
"""One stored invoice line read without the ORM (see :func:`line_records`)."""


def line_records(
    session: Session, invoice_id: int | None, limit: int | None = None
) -> list[LineRecord]:
    """An invoice's lines in printed order as plain rows (the first ``limit`` when given).

    A row reads like the ORM line (``row.net_cents``) and ``row._asdict()`` is the line's
    column values, as :func:`~tektoro_tui.services.base.row_dict` gives them for the audit.
    Pending ORM changes are flushed first, so the rows are what the transaction holds.
    """
    session.flush()
    query = (
        select(*LINE_TABLE.c)
        .where(LINE_TABLE.c.invoice_id == invoice_id)
        .order_by(LINE_TABLE.c.position, LINE_TABLE.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).all())


def live_invoice(session: Session, document_id: int | None) -> m.Invoice | None:
    """The record's standard invoice that is not cancelled (draft or issued), if any."""
    return (
        session.execute(
            select(m.Invoice)
            .where(
                m.Invoice.document_id == document_id,
                m.Invoice.kind == STANDARD,
                m.Invoice.status != InvoiceStatus.CANCELLED.value,
            )
            .order_by(m.Invoice.id)
        )
        .scalars()
        .first()
    )


def client_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Company names by id."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(m.Company.id, m.Company.name).where(m.Company.id.in_(wanted))  # type: ignore[union-attr]
    ).all()
    return {int(ident): str(name) for ident, name in rows}
