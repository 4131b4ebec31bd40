"""State machines: every (status, action) pair, legal or refused with a reason."""

from __future__ import annotations

import itertools
from enum import StrEnum

import pytest

from tektoro_tui.domain.states import (
    EDITABLE_TIME_STATUSES,
    InvoiceAction,
    InvoiceStatus,
    MasterInvoiceAction,
    MasterInvoiceStatus,
    PayStatus,
    TimeAction,
    TimeEntryStatus,
    editable_statuses,
    invoice_transition,
    is_frozen,
    master_invoice_transition,
    time_entry_transition,
)
from tektoro_tui.errors import IllegalTransition

TS, TA = TimeEntryStatus, TimeAction
IS, IA = InvoiceStatus, InvoiceAction
MS, MA = MasterInvoiceStatus, MasterInvoiceAction


def words(value: StrEnum) -> str:
    """How a status or action is named in a refusal message."""
    if value.value == "record_payment":
        return "record a payment on"
    return value.value.replace("_", " ")


def assert_refusal(error: IllegalTransition, entity: str, status: StrEnum, action: StrEnum) -> None:
    """The message names the action, the entity and the state, and gives a reason."""
    assert f"Cannot {words(action)} a {entity} that is {words(status)}: " in str(error)
    assert error.reason
    assert error.reason in str(error)


# -- time entries ----------------------------------------------------------------------------------

TIME_LEGAL = {
    (TS.DRAFT, TA.EDIT): TS.DRAFT,
    (TS.REJECTED, TA.EDIT): TS.REJECTED,
    (TS.DRAFT, TA.DELETE): TS.DRAFT,
    (TS.REJECTED, TA.DELETE): TS.REJECTED,
    (TS.DRAFT, TA.ACCEPT): TS.ACCEPTED,
    (TS.REJECTED, TA.ACCEPT): TS.ACCEPTED,
    (TS.ACCEPTED, TA.APPROVE): TS.APPROVED,
    (TS.ACCEPTED, TA.REJECT): TS.REJECTED,
    (TS.APPROVED, TA.ALLOCATE): TS.ALLOCATED,
    (TS.ALLOCATED, TA.ALLOCATE): TS.ALLOCATED,
    (TS.ALLOCATED, TA.RELEASE): TS.APPROVED,
    (TS.ALLOCATED, TA.PROCESS): TS.PROCESSED,
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(TS, TA)))
def test_every_time_entry_move(status: TimeEntryStatus, action: TimeAction) -> None:
    expected = TIME_LEGAL.get((status, action))
    if expected is not None:
        assert time_entry_transition(status, action) is expected
        return
    with pytest.raises(IllegalTransition) as caught:
        time_entry_transition(status, action)
    assert_refusal(caught.value, "time entry", status, action)
    assert caught.value.entity == "time entry"


@pytest.mark.parametrize(
    ("status", "action", "reason"),
    [
        (TS.DRAFT, TA.APPROVE, "accept the entry before approving it"),
        (TS.REJECTED, TA.APPROVE, "only accepted entries can be approved"),
        (TS.APPROVED, TA.APPROVE, "already approved"),
        (TS.PROCESSED, TA.EDIT, "processed entries are frozen on a document record"),
        (TS.PROCESSED, TA.RELEASE, "processed entries are frozen on a document record"),
        (TS.APPROVED, TA.EDIT, "entries in WIP can no longer change"),
        (TS.ALLOCATED, TA.DELETE, "entries in WIP can no longer change"),
        (TS.ACCEPTED, TA.EDIT, "the supervisor must reject it"),
        (TS.APPROVED, TA.PROCESS, "allocate the entry"),
        (TS.APPROVED, TA.RELEASE, "only allocated entries can be released"),
        (TS.DRAFT, TA.ALLOCATE, "only approved entries in WIP can be allocated"),
        (TS.ACCEPTED, TA.ACCEPT, "already accepted"),
    ],
)
def test_time_entry_reasons(status: TimeEntryStatus, action: TimeAction, reason: str) -> None:
    with pytest.raises(IllegalTransition, match=reason):
        time_entry_transition(status, action)


def test_time_entry_transition_accepts_text_values() -> None:
    assert time_entry_transition(TS("accepted"), TA("approve")) is TS.APPROVED


def test_editable_and_frozen_statuses() -> None:
    assert editable_statuses() == EDITABLE_TIME_STATUSES == {TS.DRAFT, TS.REJECTED}
    assert {status for status in TS if is_frozen(status)} == {
        TS.APPROVED,
        TS.ALLOCATED,
        TS.PROCESSED,
    }
    for status in editable_statuses():
        assert time_entry_transition(status, TA.EDIT) is status


def test_full_pipeline() -> None:
    status = TS.DRAFT
    for action in (
        TA.EDIT,
        TA.ACCEPT,
        TA.REJECT,
        TA.EDIT,
        TA.ACCEPT,
        TA.APPROVE,
        TA.ALLOCATE,
        TA.RELEASE,
        TA.ALLOCATE,
        TA.ALLOCATE,
        TA.PROCESS,
    ):
        status = time_entry_transition(status, action)
    assert status is TS.PROCESSED


# -- client invoices -------------------------------------------------------------------------------

# Each action is tried with these arguments: a part payment, and a cancellation by credit note.
INVOICE_KWARGS: dict[InvoiceAction, dict[str, int | bool]] = {
    IA.RECORD_PAYMENT: {"paid_cents": 4000, "total_cents": 10000},
    IA.CANCEL: {"paid_cents": 0, "total_cents": 10000, "via_credit_note": True},
}
INVOICE_LEGAL = {
    (IS.DRAFT, IA.EDIT): IS.DRAFT,
    (IS.DRAFT, IA.ISSUE): IS.ISSUED,
    (IS.ISSUED, IA.SEND): IS.SENT,
    (IS.SENT, IA.SEND): IS.SENT,
    (IS.PARTIALLY_PAID, IA.SEND): IS.PARTIALLY_PAID,
    (IS.ISSUED, IA.RECORD_PAYMENT): IS.PARTIALLY_PAID,
    (IS.SENT, IA.RECORD_PAYMENT): IS.PARTIALLY_PAID,
    (IS.PARTIALLY_PAID, IA.RECORD_PAYMENT): IS.PARTIALLY_PAID,
    (IS.PAID, IA.BOOK): IS.BOOKED,
    (IS.ISSUED, IA.CANCEL): IS.CANCELLED,
    (IS.SENT, IA.CANCEL): IS.CANCELLED,
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(IS, IA)))
def test_every_invoice_move(status: InvoiceStatus, action: InvoiceAction) -> None:
    kwargs = INVOICE_KWARGS.get(action, {})
    expected = INVOICE_LEGAL.get((status, action))
    if expected is not None:
        assert invoice_transition(status, action, **kwargs) is expected  # type: ignore[arg-type]
        return
    with pytest.raises(IllegalTransition) as caught:
        invoice_transition(status, action, **kwargs)  # type: ignore[arg-type]
    assert_refusal(caught.value, "client invoice", status, action)


@pytest.mark.parametrize("status", [IS.ISSUED, IS.SENT, IS.PARTIALLY_PAID])
def test_payment_of_the_rest_makes_the_invoice_paid(status: InvoiceStatus) -> None:
    paid = invoice_transition(status, IA.RECORD_PAYMENT, paid_cents=10000, total_cents=10000)
    assert paid is IS.PAID


@pytest.mark.parametrize(
    ("paid", "total", "reason"),
    [
        (10001, 10000, "exceed the invoice total"),
        (0, 10000, "more than zero"),
        (-5, 10000, "more than zero"),
    ],
)
def test_bad_payments_are_refused(paid: int, total: int, reason: str) -> None:
    with pytest.raises(IllegalTransition, match=reason):
        invoice_transition(IS.SENT, IA.RECORD_PAYMENT, paid_cents=paid, total_cents=total)


@pytest.mark.parametrize(
    ("status", "action", "kwargs", "reason"),
    [
        (IS.ISSUED, IA.EDIT, {}, "issued invoices are frozen; correct them with a credit note"),
        (IS.DRAFT, IA.SEND, {}, "issue the invoice before sending it"),
        (IS.DRAFT, IA.RECORD_PAYMENT, {"paid_cents": 1, "total_cents": 2}, "issue the invoice"),
        (IS.PAID, IA.RECORD_PAYMENT, {"paid_cents": 1, "total_cents": 2}, "already fully paid"),
        (IS.PARTIALLY_PAID, IA.BOOK, {}, "only fully paid invoices can be booked"),
        (IS.SENT, IA.BOOK, {}, "only fully paid invoices can be booked"),
        (IS.BOOKED, IA.BOOK, {}, "already booked"),
        (IS.ISSUED, IA.CANCEL, {}, "an issued invoice is cancelled only by issuing a credit note"),
        (
            IS.SENT,
            IA.CANCEL,
            {"via_credit_note": False},
            "an issued invoice is cancelled only by issuing a credit note",
        ),
        (
            IS.SENT,
            IA.CANCEL,
            {"via_credit_note": True, "paid_cents": 100},
            "an invoice with payments cannot be cancelled; issue a credit note for the unpaid part",
        ),
        (
            IS.PARTIALLY_PAID,
            IA.CANCEL,
            {"via_credit_note": True},
            "an invoice with payments cannot be cancelled",
        ),
        (IS.PAID, IA.CANCEL, {"via_credit_note": True}, "an invoice with payments"),
        (IS.DRAFT, IA.CANCEL, {"via_credit_note": True}, "deleted, not cancelled"),
        (IS.CANCELLED, IA.SEND, {}, "cancelled invoices cannot change"),
        (IS.ISSUED, IA.ISSUE, {}, "already issued"),
    ],
)
def test_invoice_reasons(
    status: InvoiceStatus, action: InvoiceAction, kwargs: dict[str, int | bool], reason: str
) -> None:
    with pytest.raises(IllegalTransition, match=reason):
        invoice_transition(status, action, **kwargs)  # type: ignore[arg-type]


def test_invoice_life() -> None:
    status = invoice_transition(IS.DRAFT, IA.ISSUE)
    status = invoice_transition(status, IA.SEND)
    status = invoice_transition(status, IA.RECORD_PAYMENT, paid_cents=300, total_cents=1000)
    status = invoice_transition(status, IA.SEND)
    assert status is IS.PARTIALLY_PAID
    status = invoice_transition(status, IA.RECORD_PAYMENT, paid_cents=1000, total_cents=1000)
    assert invoice_transition(status, IA.BOOK) is IS.BOOKED


# -- contractor master invoices --------------------------------------------------------------------

MASTER_LEGAL = {
    (MS.DRAFT, MA.EDIT): MS.DRAFT,
    (MS.DRAFT, MA.APPROVE): MS.APPROVED,
    (MS.APPROVED, MA.RECORD_PAYMENT): MS.PARTIALLY_PAID,
    (MS.PARTIALLY_PAID, MA.RECORD_PAYMENT): MS.PARTIALLY_PAID,
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(MS, MA)))
def test_every_master_invoice_move(
    status: MasterInvoiceStatus, action: MasterInvoiceAction
) -> None:
    expected = MASTER_LEGAL.get((status, action))
    kwargs = {"paid_cents": 500, "total_cents": 1000}
    if expected is not None:
        assert master_invoice_transition(status, action, **kwargs) is expected
        return
    with pytest.raises(IllegalTransition) as caught:
        master_invoice_transition(status, action, **kwargs)
    assert_refusal(caught.value, "contractor invoice", status, action)


def test_master_invoice_payments() -> None:
    paid = master_invoice_transition(MS.APPROVED, MA.RECORD_PAYMENT, paid_cents=10, total_cents=10)
    assert paid is MS.PAID
    with pytest.raises(IllegalTransition, match="approve the invoice before paying it"):
        master_invoice_transition(MS.DRAFT, MA.RECORD_PAYMENT, paid_cents=1, total_cents=10)
    with pytest.raises(IllegalTransition, match="exceed"):
        master_invoice_transition(MS.APPROVED, MA.RECORD_PAYMENT, paid_cents=11, total_cents=10)
    with pytest.raises(IllegalTransition, match="already fully paid"):
        master_invoice_transition(MS.PAID, MA.RECORD_PAYMENT, paid_cents=10, total_cents=10)


def test_pay_status_values() -> None:
    assert [status.value for status in PayStatus] == ["unpaid", "invoiced", "paid"]
