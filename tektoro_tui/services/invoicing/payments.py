"""Payments on client invoices and on contractor master invoices: one set of rules.

A payment is validated the same way on both sides (amount in the currency's cents, date
between the issue date and today outside locked periods, never more than is still due), is
recorded against the invoice row the caller has locked, and moves it to partially paid or
paid. Account numbers are masked everywhere but for administrators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money
from ...domain.permissions import Perm
from ...domain.states import (
    InvoiceAction,
    InvoiceStatus,
    MasterInvoiceAction,
    MasterInvoiceStatus,
    invoice_transition,
    master_invoice_transition,
)
from ...domain.validation import Form
from ...errors import (
    IllegalTransition,
    NotFound,
    Problem,
    ValidationError,
)
from ..base import Actor, ServiceBase, UnitOfWork, org_today, organisation, row_dict
from .common import CREDIT_NOTE, PAYABLE_STATUSES, lock_invoice
from .read_models import invoice_view
from .views import (
    CONTRACTOR_PAYMENT_METHODS,
    PAYMENT_METHODS,
    InvoiceView,
    PaymentForm,
    PaymentView,
)

PAID = "paid"
"""The status both kinds of invoice reach when payments cover them."""


class PaymentActions(ServiceBase):
    """Client payments recorded from the Invoice Printer."""

    def record_payment(
        self, actor: Actor, number: str, form: PaymentForm, *, line_limit: int | None = None
    ) -> InvoiceView:
        """Record a client payment (recognise revenue); partial payments are allowed.

        ``line_limit``: the lines the invoice is returned with, as :func:`invoice_view` takes
        it (all when None).

        The invoice row is locked first, so two people paying the same invoice at once are
        served one after the other and the second sees the first one's payment.

        Raises:
            ValidationError: bad fields, more than is still due, a date before the issue date.
            IllegalTransition: a draft, a cancelled or paid invoice, or a credit note.
        """
        with self._write(actor, Perm.INVOICE_RECORD_PAYMENT) as uow:
            session = uow.session
            invoice = lock_invoice(session, m.Invoice.number == number, f"Invoice {number}")
            apply_payment(uow, invoice, form)
            return invoice_view(session, invoice, line_limit=line_limit)


def apply_payment(
    uow: UnitOfWork,
    invoice: m.Invoice | m.MasterInvoice,
    form: PaymentForm,
    *,
    recorded_via: str = "office",
) -> m.Payment:
    """Record a payment on a client invoice or a contractor master invoice the caller locked.

    The one place where a payment is checked and written, for both sides: the form's fields
    (every problem at once), the invoice's state, a date between the issue date and today
    outside the locked period, never more than is still due. The payment is inserted, the
    invoice moves to partially paid or paid, and both changes are audited, all inside the
    caller's transaction.

    Raises:
        ValidationError: bad fields, more than is still due, a date out of range.
        IllegalTransition: the invoice may not be paid in its state (or is a credit note).
    """
    side = _side(invoice)
    session = uow.session
    org = organisation(session)
    currency = invoice.currency if isinstance(invoice, m.Invoice) else org.currency
    check = Form()
    fields = payment_fields(check, form, currency, side.methods)
    side.refuse_unpayable(invoice)
    check_payment_date(
        check, fields["paid_on"], invoice, org_today(uow.session, uow.now), org, side.label
    )
    due = side.total(invoice) - invoice.paid_cents
    if fields["amount_cents"] is not None and fields["amount_cents"] > due:
        check.add(
            "amount", f"only {Money(due, currency)} is still due on {side.label} {invoice.number}"
        )
    check.raise_if_any()
    before = row_dict(invoice)
    paid = invoice.paid_cents + fields["amount_cents"]
    status = side.status_after(invoice, paid)
    assert uow.actor is not None and invoice.id is not None
    payment = m.Payment(
        invoice_id=invoice.id if side.entity == "invoice" else None,
        master_invoice_id=invoice.id if side.entity == "master_invoice" else None,
        recorded_by_id=uow.actor.user_id,
        recorded_via=recorded_via,
        recorded_at=uow.now,
        **fields,
    )
    session.add(payment)
    invoice.paid_cents = paid
    invoice.status = status
    if status == PAID:
        invoice.paid_at = uow.now
    session.flush()
    uow.audit("payment.record", "payment", payment.id, None, payment_audit_image(payment))
    uow.audit(f"{side.entity}.payment", side.entity, invoice.id, before, row_dict(invoice))
    return payment


@dataclass(frozen=True)
class _Side:
    """What differs between paying a client invoice and paying a contractor master invoice."""

    entity: str  # the audit entity: "invoice" or "master_invoice"
    label: str  # how messages name it
    methods: tuple[str, ...]
    total: Callable[[Any], int]
    refuse_unpayable: Callable[[Any], None]
    status_after: Callable[[Any, int], str]


def _refuse_unpayable_client(invoice: m.Invoice) -> None:
    """Credit notes are never paid; drafts, cancelled and paid invoices refuse by state."""
    if invoice.kind == CREDIT_NOTE:
        raise IllegalTransition(
            "credit note",
            "a credit note",
            "record a payment on",
            "a credit note is settled against the invoice it cancels, not paid",
        )
    if invoice.status not in PAYABLE_STATUSES:
        invoice_transition(
            InvoiceStatus(invoice.status),
            InvoiceAction.RECORD_PAYMENT,
            paid_cents=invoice.paid_cents,
            total_cents=invoice.gross_cents,
        )


def _refuse_unpayable_master(invoice: m.MasterInvoice) -> None:
    """Only approved or partially paid master invoices take payments."""
    if invoice.status not in (MasterInvoiceStatus.APPROVED, MasterInvoiceStatus.PARTIALLY_PAID):
        master_invoice_transition(
            MasterInvoiceStatus(invoice.status), MasterInvoiceAction.RECORD_PAYMENT
        )


_CLIENT = _Side(
    entity="invoice",
    label="invoice",
    methods=PAYMENT_METHODS,
    total=lambda invoice: invoice.gross_cents,
    refuse_unpayable=_refuse_unpayable_client,
    status_after=lambda invoice, paid: (
        invoice_transition(
            InvoiceStatus(invoice.status),
            InvoiceAction.RECORD_PAYMENT,
            paid_cents=paid,
            total_cents=invoice.gross_cents,
        ).value
    ),
)
_CONTRACTOR = _Side(
    entity="master_invoice",
    label="contractor invoice",
    methods=CONTRACTOR_PAYMENT_METHODS,
    total=lambda invoice: invoice.total_cents,
    refuse_unpayable=_refuse_unpayable_master,
    status_after=lambda invoice, paid: (
        master_invoice_transition(
            MasterInvoiceStatus(invoice.status),
            MasterInvoiceAction.RECORD_PAYMENT,
            paid_cents=paid,
            total_cents=invoice.total_cents,
        ).value
    ),
)


def _side(invoice: m.Invoice | m.MasterInvoice) -> _Side:
    return _CLIENT if isinstance(invoice, m.Invoice) else _CONTRACTOR


def payment_fields(
    check: Form, form: PaymentForm, currency: str, methods: tuple[str, ...]
) -> dict[str, Any]:
    """The payment's column values from the form (None where a field is wrong)."""
    amount = check.money("amount", form.amount, currency, min_cents=1, allow_zero=False)
    return {
        "amount_cents": amount.cents if amount is not None else None,
        "paid_on": check.date("paid_on", form.paid_on),
        "method": check.choice("method", form.method.strip().lower(), methods),
        "reference": check.text("reference", form.reference, required=False),
        "account_holder": check.text("account_holder", form.account_holder, required=False),
        "account_number": check.text(
            "account_number", form.account_number, required=False, max_length=64
        ),
    }


def check_payment_date(
    check: Form,
    paid_on: date | None,
    invoice: m.Invoice | m.MasterInvoice,
    today: date,
    org: m.Organisation,
    label: str,
) -> None:
    """A payment is dated between the invoice's issue date and today, outside locked periods
    (``label`` names the invoice in the message: "invoice", "contractor invoice")."""
    if paid_on is None:
        return
    if invoice.issue_date is not None and paid_on < invoice.issue_date:
        check.add(
            "paid_on",
            f"must not be before {invoice.issue_date}, the issue date of {label} {invoice.number}",
        )
    elif paid_on > today:
        check.add("paid_on", f"must not be after today ({today})")
    elif org.period_lock_date is not None and paid_on <= org.period_lock_date:
        check.add("paid_on", f"falls in the locked period (closed up to {org.period_lock_date})")


def lock_by_number(session: Session, number: str, *conditions: Any) -> m.Invoice:
    """An issued invoice by number, locked for this transaction like every payment needs.

    ``conditions`` narrow which invoices may be found (e.g. the actor's own company's); one
    that exists but does not match is NotFound too, so its existence is not revealed.
    """
    wanted = number.strip()
    own = session.execute(
        select(m.Invoice.id).where(m.Invoice.number == wanted, *conditions)
    ).scalar_one_or_none()
    if own is None:
        # an invoice recorded from another program, by its own number, if only one has it
        recorded = (
            session.execute(
                select(m.Invoice.id)
                .where(m.Invoice.external_number == wanted, *conditions)
                .limit(2)
            )
            .scalars()
            .all()
        )
        if len(recorded) > 1:
            raise ValidationError(
                [
                    Problem(
                        "number",
                        f"{wanted} is the number of invoices recorded on several projects; "
                        "pay it from its project",
                    )
                ]
            )
        own = recorded[0] if recorded else None
    if own is None:
        raise NotFound(f"Invoice {wanted} does not exist.")
    return lock_invoice(session, m.Invoice.id == own, f"Invoice {wanted}")


def mask_account(number: str) -> str:
    """An account number with all but its last four characters hidden ("••••••1234").

    Numbers of four characters or fewer are hidden whole, so no short number leaks.
    """
    if not number:
        return ""
    return "•" * len(number) if len(number) <= 4 else "•" * (len(number) - 4) + number[-4:]


def payment_audit_image(row: m.Payment) -> dict[str, Any]:
    """A payment as the audit log keeps it: the account number masked, like every log."""
    image = row_dict(row)
    image["account_number"] = mask_account(row.account_number)
    return image


def payment_view(row: m.Payment, recorded_by: str, currency: str, unmasked: bool) -> PaymentView:
    """A payment as shown to people."""
    return PaymentView(
        id=row.id or 0,
        invoice_id=row.invoice_id,
        master_invoice_id=row.master_invoice_id,
        method=row.method,
        paid_on=row.paid_on,
        amount=Money(row.amount_cents, currency),
        account_holder=row.account_holder,
        account_number=row.account_number if unmasked else mask_account(row.account_number),
        reference=row.reference,
        recorded_by_name=recorded_by,
        recorded_at=row.recorded_at,
    )
