"""The state machines of time entries, client invoices and contractor invoices.

Each machine is a table of legal moves plus the reason every other move is refused. A transition
function either returns the next status or raises :class:`~tektoro_tui.errors.IllegalTransition`
with a reason a bookkeeper understands. Nothing here touches a database; services call these
functions before they write.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from tektoro_tui.errors import IllegalTransition

# ---------------------------------------------------------------------------------------------
# Time entries
# ---------------------------------------------------------------------------------------------


class TimeEntryStatus(StrEnum):
    """Where a time entry is in the time-to-invoice pipeline."""

    DRAFT = "draft"
    """On the time card or time report: the owner may edit or delete it."""
    ACCEPTED = "accepted"
    """Waiting for the supervisor's approval."""
    APPROVED = "approved"
    """In WIP, not yet allocated; its data is frozen."""
    REJECTED = "rejected"
    """Sent back to the time report with a reason; editable, and accepted again when fixed."""
    ALLOCATED = "allocated"
    """In WIP with an allocation: bill, write down or hold."""
    PROCESSED = "processed"
    """On a document record; immutable."""


class TimeAction(StrEnum):
    """What someone tries to do with a time entry."""

    EDIT = "edit"
    DELETE = "delete"
    ACCEPT = "accept"
    APPROVE = "approve"
    REJECT = "reject"
    ALLOCATE = "allocate"
    RELEASE = "release"
    PROCESS = "process"


_T = TimeEntryStatus
_TIME_MOVES: dict[TimeAction, dict[TimeEntryStatus, TimeEntryStatus]] = {
    # Editing a rejected entry keeps it REJECTED, so the rejection reason stays visible until the
    # entry is accepted again.
    TimeAction.EDIT: {_T.DRAFT: _T.DRAFT, _T.REJECTED: _T.REJECTED},
    # The status is unchanged: the caller deletes the row.
    TimeAction.DELETE: {_T.DRAFT: _T.DRAFT, _T.REJECTED: _T.REJECTED},
    TimeAction.ACCEPT: {_T.DRAFT: _T.ACCEPTED, _T.REJECTED: _T.ACCEPTED},
    TimeAction.APPROVE: {_T.ACCEPTED: _T.APPROVED},
    TimeAction.REJECT: {_T.ACCEPTED: _T.REJECTED},
    TimeAction.ALLOCATE: {_T.APPROVED: _T.ALLOCATED, _T.ALLOCATED: _T.ALLOCATED},
    TimeAction.RELEASE: {_T.ALLOCATED: _T.APPROVED},
    TimeAction.PROCESS: {_T.ALLOCATED: _T.PROCESSED},
}

_TIME_REASONS: dict[TimeAction, str] = {
    TimeAction.EDIT: "only draft or rejected entries can be edited",
    TimeAction.DELETE: "only draft or rejected entries can be deleted",
    TimeAction.ACCEPT: "only draft or rejected entries can be accepted",
    TimeAction.APPROVE: "only accepted entries can be approved",
    TimeAction.REJECT: "only accepted entries can be rejected",
    TimeAction.ALLOCATE: "only approved entries in WIP can be allocated",
    TimeAction.RELEASE: "only allocated entries can be released",
    TimeAction.PROCESS: "allocate the entry (bill, write down or hold) before processing it",
}

_IN_WIP = "entries in WIP can no longer change"
_WAITING = "the entry is waiting for approval; the supervisor must reject it before it can change"
_TIME_STATE_REASONS: dict[tuple[TimeEntryStatus, TimeAction], str] = {
    (_T.ACCEPTED, TimeAction.EDIT): _WAITING,
    (_T.ACCEPTED, TimeAction.DELETE): _WAITING,
    (_T.ACCEPTED, TimeAction.ACCEPT): "the entry is already accepted",
    (_T.APPROVED, TimeAction.APPROVE): "the entry is already approved",
    (_T.REJECTED, TimeAction.REJECT): "the entry is already rejected",
    (_T.DRAFT, TimeAction.APPROVE): "accept the entry before approving it",
    (_T.DRAFT, TimeAction.REJECT): "only accepted entries can be rejected; a draft can be edited",
    **{
        (status, action): _IN_WIP
        for status in (_T.APPROVED, _T.ALLOCATED)
        for action in (TimeAction.EDIT, TimeAction.DELETE, TimeAction.ACCEPT, TimeAction.REJECT)
    },
    **{
        (_T.PROCESSED, action): "processed entries are frozen on a document record"
        for action in TimeAction
    },
}

EDITABLE_TIME_STATUSES: frozenset[TimeEntryStatus] = frozenset({_T.DRAFT, _T.REJECTED})
"""Statuses in which the owner may still edit or delete an entry."""
FROZEN_TIME_STATUSES: frozenset[TimeEntryStatus] = frozenset(
    {_T.APPROVED, _T.ALLOCATED, _T.PROCESSED}
)
"""Statuses from WIP on: the entry's own data (minutes, codes, text) never changes again."""


def time_entry_transition(current: TimeEntryStatus, action: TimeAction) -> TimeEntryStatus:
    """The status a time entry has after ``action``, or IllegalTransition with the reason."""
    current, action = TimeEntryStatus(current), TimeAction(action)
    target = _TIME_MOVES[action].get(current)
    if target is None:
        reason = _TIME_STATE_REASONS.get((current, action), _TIME_REASONS[action])
        raise IllegalTransition("time entry", _label(current), _label(action), reason)
    return target


def editable_statuses() -> frozenset[TimeEntryStatus]:
    """Statuses in which a time entry may be edited or deleted (draft and rejected)."""
    return EDITABLE_TIME_STATUSES


def is_frozen(status: TimeEntryStatus) -> bool:
    """True from WIP on (approved, allocated, processed): the entry's data can never change."""
    return TimeEntryStatus(status) in FROZEN_TIME_STATUSES


# ---------------------------------------------------------------------------------------------
# Payments, shared by client and contractor invoices
# ---------------------------------------------------------------------------------------------


class PayStatus(StrEnum):
    """Whether the work behind a time entry has been invoiced and paid to its owner."""

    UNPAID = "unpaid"
    INVOICED = "invoiced"
    PAID = "paid"


def _payment_reason(paid_cents: int, total_cents: int) -> str | None:
    """Why a payment bringing the total paid to ``paid_cents`` is refused, or None if it is fine."""
    if paid_cents <= 0:
        return "a payment must be more than zero"
    if paid_cents > total_cents:
        return "the payments would exceed the invoice total; record at most the amount still due"
    return None


_ACTION_LABELS = {"record_payment": "record a payment on"}


def _label(value: StrEnum) -> str:
    """A status or action as words for a message, e.g. "partially paid"."""
    return _ACTION_LABELS.get(value.value, value.value.replace("_", " "))


# ---------------------------------------------------------------------------------------------
# Client invoices
# ---------------------------------------------------------------------------------------------


class InvoiceStatus(StrEnum):
    """The life of a client invoice: draft until issued, then sent, paid and booked."""

    DRAFT = "draft"
    ISSUED = "issued"
    SENT = "sent"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    BOOKED = "booked"
    CANCELLED = "cancelled"


class InvoiceAction(StrEnum):
    """What someone tries to do with a client invoice."""

    EDIT = "edit"
    ISSUE = "issue"
    SEND = "send"
    RECORD_PAYMENT = "record_payment"
    BOOK = "book"
    CANCEL = "cancel"


_I = InvoiceStatus
_PAYABLE = frozenset({_I.ISSUED, _I.SENT, _I.PARTIALLY_PAID})
_ISSUED_FROZEN = "issued invoices are frozen; correct them with a credit note"
_INVOICE_MOVES: dict[InvoiceAction, dict[InvoiceStatus, InvoiceStatus]] = {
    InvoiceAction.EDIT: {_I.DRAFT: _I.DRAFT},
    InvoiceAction.ISSUE: {_I.DRAFT: _I.ISSUED},
    # Sending again keeps a partially paid invoice partially paid: the payment is not forgotten.
    InvoiceAction.SEND: {
        _I.ISSUED: _I.SENT,
        _I.SENT: _I.SENT,
        _I.PARTIALLY_PAID: _I.PARTIALLY_PAID,
    },
    InvoiceAction.BOOK: {_I.PAID: _I.BOOKED},
}
_INVOICE_REASONS: dict[InvoiceAction, str] = {
    InvoiceAction.EDIT: _ISSUED_FROZEN,
    InvoiceAction.ISSUE: "the invoice is already issued",
    InvoiceAction.SEND: "the invoice is already paid",
    InvoiceAction.RECORD_PAYMENT: "the invoice is already fully paid",
    InvoiceAction.BOOK: "only fully paid invoices can be booked",
    InvoiceAction.CANCEL: "an invoice with payments cannot be cancelled; "
    "issue a credit note for the unpaid part",
}
_INVOICE_STATE_REASONS: dict[tuple[InvoiceStatus, InvoiceAction], str] = {
    (_I.DRAFT, InvoiceAction.SEND): "issue the invoice before sending it",
    (_I.DRAFT, InvoiceAction.RECORD_PAYMENT): "issue the invoice before recording a payment",
    (_I.DRAFT, InvoiceAction.CANCEL): "a draft invoice is deleted, not cancelled",
    (_I.BOOKED, InvoiceAction.BOOK): "the invoice is already booked",
    **{(_I.CANCELLED, action): "cancelled invoices cannot change" for action in InvoiceAction},
}


def invoice_transition(
    current: InvoiceStatus,
    action: InvoiceAction,
    *,
    paid_cents: int = 0,
    total_cents: int = 0,
    via_credit_note: bool = False,
) -> InvoiceStatus:
    """The status a client invoice has after ``action``, or IllegalTransition with the reason.

    Args:
        current: the invoice's status now.
        action: what is being done.
        paid_cents: for RECORD_PAYMENT, the total paid *including* this payment; for CANCEL,
            the total paid so far.
        total_cents: the invoice's gross total.
        via_credit_note: CANCEL is legal only as the effect of issuing a credit note.
    """
    current, action = InvoiceStatus(current), InvoiceAction(action)
    target, reason = _invoice_move(current, action, paid_cents, total_cents, via_credit_note)
    if target is None:
        raise IllegalTransition("client invoice", _label(current), _label(action), reason)
    return target


def _invoice_move(
    current: InvoiceStatus,
    action: InvoiceAction,
    paid_cents: int,
    total_cents: int,
    via_credit_note: bool,
) -> tuple[InvoiceStatus | None, str]:
    """(next status, "") for a legal move, (None, reason) otherwise."""
    fallback = _INVOICE_STATE_REASONS.get((current, action), _INVOICE_REASONS[action])
    if action is InvoiceAction.RECORD_PAYMENT and current in _PAYABLE:
        return _after_payment(paid_cents, total_cents, _I.PAID, _I.PARTIALLY_PAID)
    if action is InvoiceAction.CANCEL and current in (_I.ISSUED, _I.SENT) and paid_cents == 0:
        if via_credit_note:
            return _I.CANCELLED, ""
        return None, "an issued invoice is cancelled only by issuing a credit note"
    return _INVOICE_MOVES.get(action, {}).get(current), fallback


_S = TypeVar("_S", bound=StrEnum)


def _after_payment(
    paid_cents: int, total_cents: int, paid: _S, partially_paid: _S
) -> tuple[_S | None, str]:
    """Paid or partially paid after a payment, or (None, reason) if the payment is refused."""
    reason = _payment_reason(paid_cents, total_cents)
    if reason is not None:
        return None, reason
    return (paid if paid_cents >= total_cents else partially_paid), ""


# ---------------------------------------------------------------------------------------------
# Contractor master invoices
# ---------------------------------------------------------------------------------------------


class MasterInvoiceStatus(StrEnum):
    """A contractor's master invoice: drafted from approved tickets, approved, then paid."""

    DRAFT = "draft"
    APPROVED = "approved"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"


class MasterInvoiceAction(StrEnum):
    """What someone tries to do with a contractor's master invoice."""

    EDIT = "edit"
    APPROVE = "approve"
    RECORD_PAYMENT = "record_payment"


_M = MasterInvoiceStatus
_MASTER_MOVES: dict[MasterInvoiceAction, dict[MasterInvoiceStatus, MasterInvoiceStatus]] = {
    MasterInvoiceAction.EDIT: {_M.DRAFT: _M.DRAFT},
    MasterInvoiceAction.APPROVE: {_M.DRAFT: _M.APPROVED},
}
_MASTER_REASONS: dict[tuple[MasterInvoiceStatus, MasterInvoiceAction], str] = {
    (_M.DRAFT, MasterInvoiceAction.RECORD_PAYMENT): "approve the invoice before paying it",
    (_M.PAID, MasterInvoiceAction.RECORD_PAYMENT): "the invoice is already fully paid",
}
_MASTER_DEFAULT_REASONS: dict[MasterInvoiceAction, str] = {
    MasterInvoiceAction.EDIT: "only draft invoices can be edited",
    MasterInvoiceAction.APPROVE: "the invoice is already approved",
    MasterInvoiceAction.RECORD_PAYMENT: "the invoice is already fully paid",
}


def master_invoice_transition(
    current: MasterInvoiceStatus,
    action: MasterInvoiceAction,
    *,
    paid_cents: int = 0,
    total_cents: int = 0,
) -> MasterInvoiceStatus:
    """The status of a contractor master invoice after ``action``, or IllegalTransition.

    ``paid_cents`` is the total paid including this payment, as for :func:`invoice_transition`.
    """
    current, action = MasterInvoiceStatus(current), MasterInvoiceAction(action)
    if action is MasterInvoiceAction.RECORD_PAYMENT and current in (_M.APPROVED, _M.PARTIALLY_PAID):
        target, reason = _after_payment(paid_cents, total_cents, _M.PAID, _M.PARTIALLY_PAID)
    else:
        target = _MASTER_MOVES.get(action, {}).get(current)
        reason = _MASTER_REASONS.get((current, action), _MASTER_DEFAULT_REASONS[action])
    if target is None:
        raise IllegalTransition("contractor invoice", _label(current), _label(action), reason)
    return target
