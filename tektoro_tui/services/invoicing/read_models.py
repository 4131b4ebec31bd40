"""Read models of client invoices: frozen views and printable documents from the rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money, sum_money
from ...domain.states import InvoiceStatus
from ...errors import (
    IllegalTransition,
)
from ...exports.model import (
    DocumentLine,
    InvoiceDocument,
    Party,
    VatRow,
)
from ..base import organisation, row_dict
from .views import (
    InvoiceLineView,
    InvoiceView,
    VatBreakdown,
)

if TYPE_CHECKING:
    pass
from .common import CREDIT_NOTE, TITLES, LineRecord, line_records


def _stored_breakdown(
    session: Session, invoice_id: int | None, currency: str
) -> tuple[int, tuple[VatBreakdown, ...]]:
    """The number of lines and the net, VAT and gross per rate, summed by the database (the
    same figures as :func:`_breakdown` of every line)."""
    line = m.InvoiceLine
    rows = session.execute(
        select(
            line.vat_bp,
            func.count(line.id),
            func.sum(line.net_cents),
            func.sum(line.vat_cents),
            func.sum(line.gross_cents),
        )
        .where(line.invoice_id == invoice_id)
        .group_by(line.vat_bp)
        .order_by(line.vat_bp)
    ).all()
    count = sum(int(n) for _rate, n, *_sums in rows)
    return count, tuple(
        VatBreakdown(
            int(rate),
            Money(int(net), currency),
            Money(int(vat), currency),
            Money(int(gross), currency),
        )
        for rate, _n, net, vat, gross in rows
    )


def audit_image(
    session: Session, invoice: m.Invoice, lines: Sequence[LineRecord] | None = None
) -> dict[str, Any]:
    """The full image of an invoice for the audit log: its row and every line.

    ``lines`` are the invoice's :func:`line_records` when the caller has just read them.
    """
    session.flush()
    records = line_records(session, invoice.id) if lines is None else lines
    keys = records[0]._fields if records else ()
    return {
        "invoice": row_dict(invoice),
        "lines": [dict(zip(keys, row, strict=True)) for row in records],
    }


def _amount_due(invoice: m.Invoice) -> int:
    """What the client still owes: nothing on cancelled invoices and credit notes."""
    if invoice.kind == CREDIT_NOTE or invoice.status == InvoiceStatus.CANCELLED:
        return 0
    return max(invoice.gross_cents - invoice.paid_cents, 0)


def _line_view(row: LineRecord, currency: str) -> InvoiceLineView:
    """One stored line as shown."""
    return InvoiceLineView(
        id=row.id or 0,
        position=row.position,
        kind=row.kind,
        description=row.description,
        detail=row.detail,
        minutes=row.minutes,
        unit_price=None if row.unit_price_cents is None else Money(row.unit_price_cents, currency),
        net=Money(row.net_cents, currency),
        vat_bp=row.vat_bp,
        vat=Money(row.vat_cents, currency),
        gross=Money(row.gross_cents, currency),
        expense_date=row.expense_date,
        reason=row.reason,
    )


def _breakdown(lines: Sequence[InvoiceLineView], currency: str) -> tuple[VatBreakdown, ...]:
    """Net, VAT and gross per rate, from the stored lines, sorted by rate."""
    out = []
    for rate in sorted({line.vat_bp for line in lines}):
        group = [line for line in lines if line.vat_bp == rate]
        out.append(
            VatBreakdown(
                rate,
                sum_money((line.net for line in group), currency),
                sum_money((line.vat for line in group), currency),
                sum_money((line.gross for line in group), currency),
            )
        )
    return tuple(out)


def invoice_names(session: Session, invoice: m.Invoice) -> tuple[str, str]:
    """The invoice's client name and document record reference ("" when there is none)."""
    client = session.get(m.Company, invoice.client_id)
    record = session.get(m.DocumentRecord, invoice.document_id) if invoice.document_id else None
    return (client.name if client else "", record.reference if record else "")


def invoice_view(
    session: Session,
    invoice: m.Invoice,
    *,
    lines: bool = True,
    names: tuple[str, str] | None = None,
    line_limit: int | None = None,
    records: Sequence[LineRecord] | None = None,
) -> InvoiceView:
    """The frozen read model of an invoice (a draft shows due days, not provisional dates).

    Args:
        session: The open session.
        invoice: The invoice row.
        lines: False leaves the lines and the VAT breakdown empty (a list needs only the
            totals, which the invoice row holds).
        names: The client name and document reference when the caller has read them already
            (a list joins them in its one query); looked up otherwise.
        line_limit: Show only the first that many lines (0: none), for a screen that shows
            a page of them or only the totals; the VAT breakdown and ``line_count`` are then
            summed by the database over every line.
        records: Every line (:func:`line_records`) when the caller has just read them (so
            they are not read again).
    """
    currency = invoice.currency
    client_name, document_reference = (
        names if names is not None else invoice_names(session, invoice)
    )
    if not lines:
        rows: Sequence[LineRecord] = ()
    elif records is not None:
        rows = records if line_limit is None else records[:line_limit]
    else:
        rows = line_records(session, invoice.id, line_limit)
    lines_shown = tuple(_line_view(row, currency) for row in rows)
    line_count: int | None = None
    if lines and line_limit is not None:
        line_count, breakdown = _stored_breakdown(session, invoice.id, currency)
    else:
        breakdown = _breakdown(lines_shown, currency)
    draft = invoice.status == InvoiceStatus.DRAFT
    days = (
        (invoice.due_date - invoice.issue_date).days
        if invoice.due_date and invoice.issue_date
        else None
    )
    return InvoiceView(
        id=invoice.id or 0,
        number=invoice.number,
        kind=invoice.kind,
        status=invoice.status,
        client_id=invoice.client_id,
        client_name=client_name,
        project_id=invoice.project_id,
        document_id=invoice.document_id,
        document_reference=document_reference,
        issue_date=None if draft else invoice.issue_date,
        due_date=None if draft else invoice.due_date,
        currency=currency,
        vat_mode=invoice.vat_mode,
        lines=lines_shown,
        vat_breakdown=breakdown,
        net=Money(invoice.net_cents, currency),
        vat=Money(invoice.vat_cents, currency),
        gross=Money(invoice.gross_cents, currency),
        paid=Money(invoice.paid_cents, currency),
        due=Money(_amount_due(invoice), currency),
        markup_bp=invoice.markup_bp,
        markup_on_whole=invoice.markup_on_whole,
        commentary=invoice.commentary,
        attached_text=invoice.attached_text,
        payment_terms_id=invoice.payment_terms_id,
        payment_terms_text=invoice.payment_terms_text,
        footer=invoice.footer,
        overdue_notice_days=invoice.overdue_notice_days,
        credited_invoice_id=invoice.credited_invoice_id,
        issued_at=invoice.issued_at,
        booked_at=invoice.booked_at,
        due_days=days,
        line_count=line_count,
        seller_missing=seller_gaps(organisation(session)) if draft and lines else (),
        version=draft_version(session, invoice) if draft and lines else "",
    )


def draft_version(session: Session, invoice: m.Invoice) -> str:
    """A fingerprint of what a draft holds: its editable fields and totals, and a summary of
    its lines (how many, the newest, and sums of what each holds), so that any save to the
    draft or its lines gives another. Read with one aggregate query, whatever the line count.

    A draft keeps no version column (the invoice table is sealed); this is what the Documenter
    saves against instead.
    """
    line = m.InvoiceLine
    summary = session.execute(
        select(
            func.count(),
            func.coalesce(func.max(line.id), 0),
            func.coalesce(func.sum(line.net_cents), 0),
            func.coalesce(func.sum(line.gross_cents * line.position), 0),
            func.coalesce(func.sum(line.vat_bp * line.position), 0),
            func.coalesce(func.sum(func.length(line.description) * line.position), 0),
            func.coalesce(func.sum(func.length(line.reason)), 0),
        ).where(line.invoice_id == invoice.id)
    ).one()
    fields = [
        invoice.markup_bp,
        invoice.markup_on_whole,
        invoice.commentary,
        invoice.attached_text,
        invoice.payment_terms_id,
        invoice.payment_terms_text,
        invoice.footer,
        invoice.vat_mode,
        invoice.issue_date and invoice.issue_date.isoformat(),
        invoice.due_date and invoice.due_date.isoformat(),
        invoice.net_cents,
        invoice.vat_cents,
        invoice.gross_cents,
        [int(value) for value in summary],
    ]
    digest = hashlib.sha256(json.dumps(fields, default=str).encode()).hexdigest()
    return digest[:16]


SELLER_DETAILS = (
    ("billing_address", "address"),
    ("tax_id", "tax ID"),
    ("bank_account", "bank account"),
)
"""What an invoice prints of its seller besides the name, as the warning names each."""


def seller_gaps(org: m.Organisation) -> tuple[str, ...]:
    """The seller details the firm has not given yet ("address", "tax ID", "bank account")."""
    return tuple(label for field, label in SELLER_DETAILS if not str(getattr(org, field)).strip())


def _quantity(row: LineRecord) -> str:
    """The printed quantity: hours as h:mm for time, 1 for an expense, nothing otherwise."""
    if row.kind == "time" and row.minutes is not None:
        return f"{row.minutes // 60}:{row.minutes % 60:02d} h"
    if row.kind == "expense":
        return "1"
    return ""


def _printed_line(row: LineRecord, currency: str) -> DocumentLine:
    """One line as printed (an expense shows its date before its description)."""
    description = row.description
    if row.kind == "expense" and row.expense_date is not None:
        description = f"{row.expense_date.isoformat()} {description}"
    unit = row.unit_price_cents if row.kind in ("time", "expense") else None
    return DocumentLine(
        position=row.position,
        kind=row.kind,
        description=description,
        detail=row.detail,
        quantity=_quantity(row),
        unit_price=None if unit is None else Money(unit, currency),
        net=Money(row.net_cents, currency),
        vat_bp=row.vat_bp,
        vat=Money(row.vat_cents, currency),
        gross=Money(row.gross_cents, currency),
    )


def _seller(invoice: m.Invoice, org: m.Organisation) -> Party:
    """The seller as printed: the snapshot taken at issue, contact details as set now."""
    return Party(
        name=invoice.seller_name,
        address=invoice.seller_address,
        tax_id=invoice.seller_tax_id,
        email=org.email,
        phone=org.phone,
        bank_account=org.bank_account,
    )


def invoice_document(session: Session, invoice: m.Invoice) -> InvoiceDocument:
    """The printable document of an issued invoice, from its frozen columns.

    The seller's e-mail, phone and bank account are not frozen on the invoice, so they come
    from the current settings; name, address and tax id are the snapshot taken at issue.
    """
    if invoice.status == InvoiceStatus.DRAFT or invoice.number is None:
        raise IllegalTransition("client invoice", "a draft", "print", "issue it first")
    org = organisation(session)
    currency = invoice.currency
    rows = line_records(session, invoice.id)
    rates = _breakdown(tuple(_line_view(row, currency) for row in rows), currency)
    credited = (
        session.get(m.Invoice, invoice.credited_invoice_id) if invoice.credited_invoice_id else None
    )
    assert invoice.issue_date is not None
    return InvoiceDocument(
        number=invoice.number,
        kind=invoice.kind,
        title=TITLES.get(invoice.kind, "Invoice"),
        issue_date=invoice.issue_date,
        sale_date=invoice.sale_date,
        due_date=invoice.due_date,
        seller=_seller(invoice, org),
        buyer=Party(
            name=invoice.buyer_name, address=invoice.buyer_address, tax_id=invoice.buyer_tax_id
        ),
        currency=currency,
        lines=tuple(_printed_line(row, currency) for row in rows),
        vat_rows=tuple(VatRow(r.rate_bp, r.net, r.vat, r.gross) for r in rates),
        net=Money(invoice.net_cents, currency),
        vat=Money(invoice.vat_cents, currency),
        gross=Money(invoice.gross_cents, currency),
        paid=Money(invoice.paid_cents, currency),
        due=Money(_amount_due(invoice), currency),
        commentary=invoice.commentary,
        attached_text=invoice.attached_text,
        payment_terms=invoice.payment_terms_text,
        footer=invoice.footer,
        overdue_notice_days=invoice.overdue_notice_days,
        credited_number=credited.number if credited else None,
        logo_path=org.logo_path,
    )
