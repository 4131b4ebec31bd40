"""Contractor master invoices: generate from approved tickets, approve, pay, notify.

What the firm owes its contractors. An administrator (``contractor_invoices.manage``) previews
and generates a master invoice for one contractor and a period from their approved tickets at
their pay rate, numbered in its own gapless series (MI/YEAR/00001); approves it; records
payments. When payments cover the total the invoice is paid, its tickets' pay status becomes
paid and the contractor gets an in-app notification and, when SMTP is configured, an e-mail.
A contractor sees their own master invoices (masked account numbers) and notifications.
The payments export to CSV or XLSX for anyone who may list them, masked the same way.

Tickets are claimed with one conditional UPDATE (``... WHERE master_invoice_id IS NULL``), so
two administrators generating at once never put one ticket on two invoices; the unique
constraint on ``master_invoice_line.time_entry_id`` backs it. Payments lock the invoice row
first, so two payers are served one after the other and never overpay it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, case, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from ...data import models as m
from ...domain.money import Money, sum_money
from ...domain.permissions import Perm, Role
from ...domain.rounding import RoundingMode, divide_to_int
from ...domain.states import MasterInvoiceAction, MasterInvoiceStatus, master_invoice_transition
from ...domain.validation import Form
from ...domain.values import is_whole_number
from ...errors import ConflictError, NotFound, Problem, TektoroError, ValidationError, shown
from ...exports.model import Column, Table
from ..base import (
    Actor,
    ServiceBase,
    UnitOfWork,
    chunks,
    export_format,
    has_permission,
    insert_rows,
    local_time,
    org_today,
    organisation,
    row_dict,
    write_table,
)
from ..invoicing.common import actor_role
from ..invoicing.numbering import refuse_earlier_than_series, series_row, take_number
from ..invoicing.payments import apply_payment, payment_view
from ..invoicing.views import PaymentForm, PaymentView
from .views import (
    ContractorOption,
    ContractorPaymentResult,
    MasterInvoiceForm,
    MasterInvoiceLineView,
    MasterInvoicePreview,
    MasterInvoiceView,
    NotificationView,
)

SERIES_MASTER = "MI"
"""The code (and printed prefix) of the master invoices' own numbering series."""

PAYABLE_TICKETS = ("approved", "allocated", "processed")
"""Ticket statuses a supervisor has approved: what a contractor is paid for."""

UNAPPROVED_TICKETS = ("draft", "accepted", "rejected")

CONTRACTOR_ROLES = (
    Role.STAFF.value,
    Role.PROJECT_MANAGER.value,
    Role.PM_ASSISTANT.value,
    Role.ESTIMATOR.value,
)
"""Roles offered in the generator's picker (anyone but a client user may still be chosen)."""

NOTIFICATION_PAID = "master_invoice_paid"
ID_CHUNK = 500
NOTIFICATION_LIMIT = 500

TE = m.metadata.tables["time_entry"]
MIL = m.metadata.tables["master_invoice_line"]


@dataclass(frozen=True)
class _Request:
    """A checked generator form: who, which period, dated when."""

    contractor: m.UserAccount
    period_start: date
    period_end: date
    issue_date: date


@dataclass
class _Plan:
    """What generating would write: the lines and what the period holds besides."""

    request: _Request
    currency: str
    lines: list[MasterInvoiceLineView] = field(default_factory=list)
    skipped: tuple[str, ...] = ()

    @property
    def total_cents(self) -> int:
        """Sum of the lines' amounts."""
        return sum(line.amount.cents for line in self.lines)

    @property
    def total_minutes(self) -> int:
        """Sum of the lines' minutes."""
        return sum(line.minutes for line in self.lines)


@dataclass(frozen=True)
class _PaidNotice:
    """What the e-mail to a contractor paid in full says, gathered inside the transaction."""

    invoice_id: int
    number: str
    name: str
    email: str
    total: Money
    paid_on: date


class ContractorInvoiceService(ServiceBase):
    """Master invoices of contractors, their payments and the contractors' notifications."""

    # ==========================================================================================
    # Generator
    # ==========================================================================================

    def contractors(self, actor: Actor) -> tuple[ContractorOption, ...]:
        """People with a login or crew who own tickets, with their pay rate and unbilled hours.

        Staff and project roles with a pay rate (active ones) or with approved tickets not yet
        on a master invoice, by name; the unbilled figures come from one grouped query.
        """
        with self._read(actor, Perm.CONTRACTOR_INVOICES) as session:
            currency = organisation(session).currency
            unbilled = (
                select(
                    TE.c.owner_id,
                    func.sum(TE.c.minutes).label("minutes"),
                    func.count().label("entries"),
                    func.min(TE.c.work_date).label("first_day"),
                )
                .where(*_unbilled_conditions())
                .group_by(TE.c.owner_id)
                .subquery()
            )
            user = m.UserAccount
            rows = session.execute(
                select(
                    user.id,
                    user.name,
                    user.email,
                    user.role,
                    user.pay_rate_cents,
                    func.coalesce(unbilled.c.minutes, 0),
                    func.coalesce(unbilled.c.entries, 0),
                    unbilled.c.first_day,
                )
                .outerjoin(unbilled, unbilled.c.owner_id == user.id)
                .where(
                    user.role.in_(CONTRACTOR_ROLES),  # type: ignore[attr-defined]
                    or_(
                        user.is_active.is_(True) & (user.pay_rate_cents > 0),  # type: ignore[attr-defined]
                        unbilled.c.entries > 0,
                    ),
                )
                .order_by(user.name, user.id)
            ).all()
            return tuple(
                ContractorOption(
                    id=ident,
                    name=name,
                    email=email or "",
                    role=role,
                    pay_rate=Money(rate, currency),
                    unbilled_minutes=int(minutes),
                    unbilled_entries=int(entries),
                    unbilled_since=_as_date(first_day),
                )
                for ident, name, email, role, rate, minutes, entries, first_day in rows
            )

    def preview(self, actor: Actor, form: MasterInvoiceForm) -> MasterInvoicePreview:
        """What generating ``form`` would write; writes nothing.

        Raises:
            ValidationError: unknown contractor, bad dates, no pay rate, no approved tickets.
        """
        with self._read(actor, Perm.CONTRACTOR_INVOICES) as session:
            org = organisation(session)
            request = _check_form(session, form, org_today(session, self.clock.now()), org)
            plan = _plan(session, request, org.currency)
            refuse_earlier_than_series(session, SERIES_MASTER, request.issue_date)
            return _preview(plan)

    def generate(
        self, actor: Actor, form: MasterInvoiceForm, *, line_limit: int | None = None
    ) -> MasterInvoiceView:
        """Write the master invoice (draft = awaiting approval) with its next MI number.

        With ``line_limit`` the invoice is returned with only its first that many tickets (0:
        none; ``entries`` and the totals still cover all of them), for a screen that shows its
        number and totals: a master invoice may hold ten thousand tickets.

        Raises:
            ValidationError: as :meth:`preview`, or an issue date earlier than the series' last.
            ConflictError: another administrator put some of the tickets on a master invoice
                meanwhile (nothing is written).
        """
        with self._write(actor, Perm.CONTRACTOR_INVOICES) as uow:
            session = uow.session
            org = organisation(session)
            request = _check_form(session, form, org_today(session, uow.now), org)
            plan = _plan(session, request, org.currency)
            seq, number = take_number(session, SERIES_MASTER, request.issue_date)
            invoice = m.MasterInvoice(
                series_id=series_row(session, SERIES_MASTER).id,
                seq=seq,
                number=number,
                contractor_id=request.contractor.id,
                period_start=request.period_start,
                period_end=request.period_end,
                issue_date=request.issue_date,
                status=MasterInvoiceStatus.DRAFT.value,
                total_minutes=plan.total_minutes,
                total_cents=plan.total_cents,
                paid_cents=0,
                created_by_id=actor.user_id,
                created_at=uow.now,
            )
            session.add(invoice)
            session.flush()
            assert invoice.id is not None
            _claim_tickets(uow, invoice.id, [line.time_entry_id for line in plan.lines])
            lines = [_line_row(invoice.id, line) for line in plan.lines]
            insert_rows(session, MIL, lines)  # a master invoice may hold thousands
            uow.audit(
                "master_invoice.generate",
                "master_invoice",
                invoice.id,
                None,
                {"invoice": row_dict(invoice), "lines": lines},
            )
            uow.audit(
                "time_entry.master_invoice",
                "time_entry",
                None,
                {"pay_status": "unpaid", "master_invoice_id": None},
                {
                    "ids": [line.time_entry_id for line in plan.lines],
                    "pay_status": "invoiced",
                    "master_invoice_id": invoice.id,
                },
            )
            return _detailed_view(
                session, invoice, org.currency, unmasked=True, line_limit=line_limit
            )

    def approve(
        self, actor: Actor, number: str, *, line_limit: int | None = None
    ) -> MasterInvoiceView:
        """Approve a draft master invoice (only administrators).

        ``line_limit``: the tickets returned, as for :meth:`generate`.
        """
        with self._write(actor, Perm.CONTRACTOR_INVOICES) as uow:
            session = uow.session
            invoice = _lock(session, number)
            status = master_invoice_transition(
                MasterInvoiceStatus(invoice.status), MasterInvoiceAction.APPROVE
            )
            before = row_dict(invoice)
            invoice.status = status.value
            invoice.approved_by_id = actor.user_id
            invoice.approved_at = uow.now
            session.flush()
            uow.audit(
                "master_invoice.approve", "master_invoice", invoice.id, before, row_dict(invoice)
            )
            unmasked = actor_role(session, actor) is Role.ADMINISTRATOR
            return _detailed_view(
                session,
                invoice,
                organisation(session).currency,
                unmasked=unmasked,
                line_limit=line_limit,
            )

    # ==========================================================================================
    # Payments
    # ==========================================================================================

    def record_payment(
        self, actor: Actor, number: str, form: PaymentForm, *, line_limit: int | None = None
    ) -> ContractorPaymentResult:
        """Record a payment; overpaying, an unapproved invoice or a date before it is refused.

        ``line_limit``: the tickets returned, as for :meth:`generate`.

        The invoice row is locked first, so two people paying the same invoice at once are
        served one after the other and the second is told what is still due. The payment that
        completes the invoice also marks its tickets paid and notifies the contractor in the
        same transaction; the e-mail goes out after the commit and never undoes the payment.

        Raises:
            ValidationError: bad fields, more than is still due, a date before the issue date
                or after today.
            IllegalTransition: the invoice is not approved yet, or already paid.
        """
        with self._write(actor, Perm.CONTRACTOR_INVOICES) as uow:
            session = uow.session
            org = organisation(session)
            invoice = _lock(session, number)
            payment = apply_payment(uow, invoice, form)
            notice = None
            if invoice.status == MasterInvoiceStatus.PAID:
                notice = _settle(uow, invoice, payment.paid_on, org)
            unmasked = actor_role(session, actor) is Role.ADMINISTRATOR
            view = _detailed_view(
                session, invoice, org.currency, unmasked=unmasked, line_limit=line_limit
            )
            paid_view = payment_view(
                payment, _user_name(session, actor.user_id), org.currency, unmasked
            )
        mail_status = self._mail_paid(actor, notice) if notice is not None else ""
        return ContractorPaymentResult(
            invoice=view, payment=paid_view, notified=notice is not None, mail_status=mail_status
        )

    def _mail_paid(self, actor: Actor, notice: _PaidNotice) -> str:
        """E-mail the contractor that they were paid; what happened, in words (never raises)."""
        from ..mail import MailError, MailService, send_notice

        try:
            settings = MailService(self.db, self.clock).smtp_settings(actor)
        except TektoroError as exc:
            return f"not sent: {exc.message}"
        if settings is None:
            return "no SMTP configured"
        if not notice.email:
            return f"not sent: {notice.name} has no e-mail address"
        subject = f"Your invoice {notice.number} was paid"
        try:
            send_notice(
                settings,
                recipient=notice.email,
                subject=subject,
                body=_mail_body(notice),
                sent_at=self.clock.now(),
            )
        except MailError as exc:
            return f"not sent: {exc.message}"
        try:
            with self._write(actor) as uow:
                uow.audit(
                    "mail.sent",
                    "master_invoice",
                    notice.invoice_id,
                    None,
                    {"recipient": notice.email, "subject": subject},
                )
        except TektoroError:
            pass  # the message went out; a busy audit log must not say otherwise
        return f"sent to {notice.email}"

    # ==========================================================================================
    # Reading
    # ==========================================================================================

    def list(
        self, actor: Actor, *, status: str = "", contractor_id: int | None = None
    ) -> tuple[MasterInvoiceView, ...]:
        """Master invoices newest first: all for administrators, own for anyone else."""
        wanted = status.strip()
        if wanted and wanted not in tuple(MasterInvoiceStatus):
            raise ValidationError(
                [Problem("status", f"must be one of: {', '.join(MasterInvoiceStatus)}")]
            )
        with self._read(actor) as session:
            currency = organisation(session).currency
            query = _list_query()
            if not has_permission(session, actor, Perm.CONTRACTOR_INVOICES):
                query = query.where(m.MasterInvoice.contractor_id == actor.user_id)
            if contractor_id is not None:
                query = query.where(m.MasterInvoice.contractor_id == contractor_id)
            if wanted:
                query = query.where(m.MasterInvoice.status == wanted)
            return tuple(_list_view(row, currency) for row in session.execute(query).all())

    def get(self, actor: Actor, number: str, *, line_limit: int | None = None) -> MasterInvoiceView:
        """One master invoice with its lines and payments (account numbers masked but for
        administrators); with ``line_limit``, only its first that many lines (``entries``
        still counts them all): a screen shows a screenful, a master invoice may hold
        thousands of tickets."""
        with self._read(actor) as session:
            invoice = self._visible(session, actor, number)
            unmasked = actor_role(session, actor) is Role.ADMINISTRATOR
            return _detailed_view(
                session,
                invoice,
                organisation(session).currency,
                unmasked=unmasked,
                line_limit=line_limit,
            )

    def payments(
        self, actor: Actor, *, number: str = "", date_from: date | None = None
    ) -> tuple[PaymentView, ...]:
        """Payments on master invoices (one invoice's, or all), masked but for administrators."""
        with self._read(actor) as session:
            currency = organisation(session).currency
            unmasked = actor_role(session, actor) is Role.ADMINISTRATOR
            rows = self._payment_rows(session, actor, number, date_from)
            return tuple(
                payment_view(row, name, currency, unmasked) for row, name, _mi, _who in rows
            )

    def payments_table(
        self, actor: Actor, *, number: str = "", date_from: date | None = None
    ) -> Table:
        """The payments :meth:`payments` lists, as a table for CSV/XLSX.

        Each row names its master invoice and contractor; the account number is masked but
        for administrators, and "recorded at" is in the organisation's time zone.
        """
        with self._read(actor) as session:
            org = organisation(session)
            unmasked = actor_role(session, actor) is Role.ADMINISTRATOR
            rows = self._payment_rows(session, actor, number, date_from)
            today = org_today(session, self.clock.now())
            return _payments_table(
                [
                    (payment_view(row, name, org.currency, unmasked), invoice, contractor)
                    for row, name, invoice, contractor in rows
                ],
                org,
                _payments_subtitle(today, number, date_from),
            )

    def export_payments(
        self,
        actor: Actor,
        fmt: str,
        out: Path,
        *,
        number: str = "",
        date_from: date | None = None,
    ) -> Path:
        """Write :meth:`payments_table` as CSV or XLSX to ``out`` (atomically); returns the path.

        Raises:
            ValidationError: ``fmt`` is neither csv nor xlsx (nothing is written).
            TektoroError: the file cannot be written.
        """
        kind = export_format(fmt)
        table = self.payments_table(actor, number=number, date_from=date_from)
        return write_table(table, kind, out)

    def _payment_rows(
        self, session: Session, actor: Actor, number: str, date_from: date | None
    ) -> Sequence[Any]:
        """(payment, recorded by, invoice number, contractor) the actor may see, oldest first.

        One invoice's when ``number`` is given (another contractor's is NotFound); else every
        payment for ``contractor_invoices.manage``, one's own for anyone else.
        """
        recorder = aliased(m.UserAccount)
        contractor = aliased(m.UserAccount)
        query = (
            select(m.Payment, recorder.name, m.MasterInvoice.number, contractor.name)
            .join(recorder, recorder.id == m.Payment.recorded_by_id)
            .join(m.MasterInvoice, m.MasterInvoice.id == m.Payment.master_invoice_id)
            .join(contractor, contractor.id == m.MasterInvoice.contractor_id)
            .order_by(m.Payment.paid_on, m.Payment.id)
        )
        if number.strip():
            invoice = self._visible(session, actor, number)
            query = query.where(m.Payment.master_invoice_id == invoice.id)
        elif not has_permission(session, actor, Perm.CONTRACTOR_INVOICES):
            query = query.where(m.MasterInvoice.contractor_id == actor.user_id)
        if date_from is not None:
            query = query.where(m.Payment.paid_on >= date_from)
        return session.execute(query).all()

    def _visible(self, session: Session, actor: Actor, number: str) -> m.MasterInvoice:
        """A master invoice the actor may see; another contractor's is NotFound, not revealed."""
        wanted = number.strip()
        invoice = session.execute(
            select(m.MasterInvoice).where(m.MasterInvoice.number == wanted)
        ).scalar_one_or_none()
        if invoice is None or (
            invoice.contractor_id != actor.user_id
            and not has_permission(session, actor, Perm.CONTRACTOR_INVOICES)
        ):
            raise NotFound(f"Contractor invoice {shown(wanted)} does not exist.")
        return invoice

    # ==========================================================================================
    # Notifications
    # ==========================================================================================

    def notifications(
        self, actor: Actor, *, unread_only: bool = False
    ) -> tuple[NotificationView, ...]:
        """The signed-in user's notifications, newest first."""
        with self._read(actor) as session:
            query = (
                select(m.Notification)
                .where(m.Notification.user_id == actor.user_id)
                .order_by(m.Notification.id.desc())  # type: ignore[union-attr]
                .limit(NOTIFICATION_LIMIT)
            )
            if unread_only:
                query = query.where(m.Notification.read_at.is_(None))  # type: ignore[union-attr]
            return tuple(
                NotificationView(
                    id=row.id or 0,
                    kind=row.kind,
                    message=row.message,
                    created_at=row.created_at,
                    read=row.read_at is not None,
                )
                for row in session.execute(query).scalars()
            )

    def mark_read(self, actor: Actor, ids: tuple[int, ...] = ()) -> int:
        """Mark own notifications read (all unread ones when ``ids`` is empty); returns count."""
        with self._write(actor) as uow:
            note = m.Notification
            statement = (
                update(note)
                .where(note.user_id == actor.user_id, note.read_at.is_(None))  # type: ignore[union-attr]
                .values(read_at=uow.now)
                .returning(note.id)
            )
            if ids:
                statement = statement.where(note.id.in_(sorted(set(ids))))  # type: ignore[union-attr]
            marked = sorted(int(ident) for ident in uow.session.execute(statement).scalars())
            if marked:
                uow.audit(
                    "notification.read",
                    "notification",
                    None,
                    None,
                    {"ids": marked},
                    owners=[actor.user_id],
                )
            return len(marked)

    def mark_unread(self, actor: Actor, ids: tuple[int, ...]) -> int:
        """Mark own read notifications ``ids`` unread again (undoes :meth:`mark_read`);
        returns how many changed."""
        if not ids:
            return 0
        with self._write(actor) as uow:
            note = m.Notification
            statement = (
                update(note)
                .where(
                    note.user_id == actor.user_id,
                    note.read_at.is_not(None),  # type: ignore[union-attr]
                    note.id.in_(sorted(set(ids))),  # type: ignore[union-attr]
                )
                .values(read_at=None)
                .returning(note.id)
            )
            marked = sorted(int(ident) for ident in uow.session.execute(statement).scalars())
            if marked:
                uow.audit(
                    "notification.unread",
                    "notification",
                    None,
                    None,
                    {"ids": marked},
                    owners=[actor.user_id],
                )
            return len(marked)


# ==============================================================================================
# Generating
# ==============================================================================================


def _check_form(
    session: Session, form: MasterInvoiceForm, today: date, org: m.Organisation
) -> _Request:
    """The contractor, the period and the issue date, every problem named at once."""
    check = Form()
    contractor = _contractor(session, check, form.contractor)
    start = check.date("period_start", form.period_start)
    end = check.date("period_end", form.period_end)
    if start is not None and end is not None and end < start:
        check.add("period_end", f"must not be before the start of the period ({start})")
    issue = check.date("issue_date", form.issue_date, required=False) or today
    if issue > today:
        check.add("issue_date", f"must not be after today ({today})")
    elif org.period_lock_date is not None and issue <= org.period_lock_date:
        check.add("issue_date", f"falls in the locked period (closed up to {org.period_lock_date})")
    if contractor is not None and contractor.pay_rate_cents <= 0:
        check.add(
            "contractor",
            f"{contractor.name} has no pay rate; an administrator sets one under Users first",
        )
    check.raise_if_any()
    assert contractor is not None and start is not None and end is not None
    return _Request(contractor, start, end, issue)


def _contractor(session: Session, check: Form, value: str) -> m.UserAccount | None:
    """The person a user id or e-mail names; unknown people and client users are refused.

    Inactive people are allowed: someone who has left must still be paid for approved work.
    """
    text = (value or "").strip()
    if not text:
        check.add("contractor", "is required (a user id or e-mail address)")
        return None
    user = m.UserAccount
    if is_whole_number(text):
        ident = check.id("contractor", text)
        if ident is None:
            return None
        row = session.get(user, ident)
    elif "@" in text:
        row = session.execute(
            select(user).where(user.email_key == text.lower())
        ).scalar_one_or_none()
    else:
        check.add("contractor", "must be a user id or an e-mail address")
        return None
    if row is None:
        check.add("contractor", f"nobody with the id or e-mail '{shown(text)}' exists")
        return None
    if row.role == Role.CLIENT:
        check.add(
            "contractor",
            f"{row.name} is a client user; master invoices pay contractors and staff",
        )
        return None
    return cast(m.UserAccount, row)


def _unbilled_conditions() -> tuple[Any, ...]:
    """Approved tickets not yet on any master invoice."""
    return (
        TE.c.status.in_(PAYABLE_TICKETS),
        TE.c.master_invoice_id.is_(None),
        TE.c.pay_status == "unpaid",
    )


def _plan(session: Session, request: _Request, currency: str) -> _Plan:
    """The lines of the contractor's payable tickets of the period, or a ValidationError."""
    contractor = request.contractor
    rate = contractor.pay_rate_cents
    rows = session.execute(
        select(
            TE.c.id,
            TE.c.work_date,
            TE.c.minutes,
            TE.c.description,
            m.Project.name,
            m.Task.name,
        )
        .join(m.Project, m.Project.id == TE.c.project_id)
        .join(m.Task, m.Task.id == TE.c.task_id)
        .where(
            TE.c.owner_id == contractor.id,
            TE.c.work_date >= request.period_start,
            TE.c.work_date <= request.period_end,
            *_unbilled_conditions(),
        )
        .order_by(TE.c.work_date, TE.c.id)
    ).all()
    plan = _Plan(request, currency, skipped=_skipped(session, request))
    for ident, work_date, minutes, description, project, task in rows:
        amount = divide_to_int(minutes * rate, 60, RoundingMode.HALF_UP)
        plan.lines.append(
            MasterInvoiceLineView(
                time_entry_id=ident,
                work_date=work_date,
                project_name=project,
                task_name=task,
                description=description,
                minutes=minutes,
                pay_rate=Money(rate, currency),
                amount=Money(amount, currency),
            )
        )
    if not plan.lines:
        facts = "; ".join(plan.skipped)
        raise ValidationError(
            [
                Problem(
                    "contractor",
                    f"{contractor.name} has no approved tickets from {request.period_start} to "
                    f"{request.period_end} that are not on a master invoice yet"
                    + (f" ({facts})" if facts else ""),
                )
            ]
        )
    return plan


def _skipped(session: Session, request: _Request) -> tuple[str, ...]:
    """What else the period holds: tickets not approved yet, tickets already invoiced."""
    unapproved, invoiced = session.execute(
        select(
            func.coalesce(func.sum(case((TE.c.status.in_(UNAPPROVED_TICKETS), 1), else_=0)), 0),
            func.coalesce(func.sum(case((TE.c.master_invoice_id.is_not(None), 1), else_=0)), 0),
        ).where(
            TE.c.owner_id == request.contractor.id,
            TE.c.work_date >= request.period_start,
            TE.c.work_date <= request.period_end,
        )
    ).one()
    facts = []
    if unapproved:
        facts.append(f"{_tickets(int(unapproved))} not approved yet")
    if invoiced:
        facts.append(f"{_tickets(int(invoiced))} already on another master invoice")
    return tuple(facts)


def _tickets(count: int) -> str:
    """'1 ticket of the period is' / '3 tickets of the period are'."""
    if count == 1:
        return "1 ticket of the period is"
    return f"{count} tickets of the period are"


def _preview(plan: _Plan) -> MasterInvoicePreview:
    """The read model of a plan."""
    request = plan.request
    return MasterInvoicePreview(
        contractor_id=request.contractor.id or 0,
        contractor_name=request.contractor.name,
        period_start=request.period_start,
        period_end=request.period_end,
        issue_date=request.issue_date,
        lines=tuple(plan.lines),
        total_minutes=plan.total_minutes,
        total=Money(plan.total_cents, plan.currency),
        skipped=plan.skipped,
    )


def _claim_tickets(uow: UnitOfWork, invoice_id: int, ids: Sequence[int]) -> None:
    """Put the tickets on the invoice with a conditional UPDATE; refuse if any was taken."""
    claimed = 0
    for chunk in chunks(ids, ID_CHUNK):
        result = uow.session.execute(
            update(TE)
            .where(
                TE.c.id.in_(chunk), TE.c.master_invoice_id.is_(None), TE.c.pay_status == "unpaid"
            )
            .values(
                master_invoice_id=invoice_id,
                pay_status="invoiced",
                updated_at=uow.now,
                version=TE.c.version + 1,
            )
        )
        claimed += int(cast(CursorResult[Any], result).rowcount)
    if claimed != len(ids):
        raise ConflictError(
            f"{len(ids) - claimed} of the {len(ids)} tickets were put on another master invoice "
            "by someone else meanwhile. Nothing was saved; preview again and generate."
        )


def _line_row(invoice_id: int, line: MasterInvoiceLineView) -> dict[str, Any]:
    """The frozen copy of one ticket, as inserted."""
    return {
        "master_invoice_id": invoice_id,
        "time_entry_id": line.time_entry_id,
        "work_date": line.work_date,
        "description": line.description,
        "minutes": line.minutes,
        "pay_rate_cents": line.pay_rate.cents,
        "amount_cents": line.amount.cents,
    }


# ==============================================================================================
# Paying
# ==============================================================================================


def _lock(session: Session, number: str) -> m.MasterInvoice:
    """A master invoice by number, locked for this transaction (re-read, never stale)."""
    wanted = number.strip()
    invoice = session.execute(
        select(m.MasterInvoice)
        .where(m.MasterInvoice.number == wanted)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if invoice is None:
        raise NotFound(f"Contractor invoice {shown(wanted)} does not exist.")
    return invoice


def _settle(
    uow: UnitOfWork, invoice: m.MasterInvoice, paid_on: date, org: m.Organisation
) -> _PaidNotice:
    """Mark the invoice's tickets paid and notify the contractor (same transaction)."""
    session = uow.session
    assert invoice.id is not None
    ids = sorted(
        session.execute(
            update(TE)
            .where(TE.c.master_invoice_id == invoice.id)
            .values(pay_status="paid", updated_at=uow.now, version=TE.c.version + 1)
            .returning(TE.c.id)
        ).scalars()
    )
    uow.audit(
        "time_entry.paid",
        "time_entry",
        None,
        {"pay_status": "invoiced"},
        {"ids": ids, "pay_status": "paid", "master_invoice_id": invoice.id},
    )
    contractor = session.get(m.UserAccount, invoice.contractor_id)
    assert contractor is not None
    total = Money(invoice.total_cents, org.currency)
    note = m.Notification(
        user_id=invoice.contractor_id,
        kind=NOTIFICATION_PAID,
        message=f"Your invoice {invoice.number} was paid in full: {total}, on {paid_on}.",
        created_at=uow.now,
    )
    session.add(note)
    session.flush()
    uow.audit(
        "notification.create", "notification", note.id, None, row_dict(note), owners=[note.user_id]
    )
    return _PaidNotice(
        invoice_id=invoice.id,
        number=invoice.number,
        name=contractor.name,
        email=(contractor.email or "").strip(),
        total=total,
        paid_on=paid_on,
    )


def _mail_body(notice: _PaidNotice) -> str:
    """The text of the e-mail telling a contractor they were paid (no bank details)."""
    return (
        f"Hello {notice.name},\n\n"
        f"your invoice {notice.number} was paid in full: {notice.total}, "
        f"the last payment dated {notice.paid_on}.\n\n"
        "You can see its lines and payments under My invoices in TekToro."
    )


# ==============================================================================================
# Read models
# ==============================================================================================


def _user_name(session: Session, user_id: int | None) -> str:
    """A user's name ('' for none)."""
    if user_id is None:
        return ""
    name = session.execute(
        select(m.UserAccount.name).where(m.UserAccount.id == user_id)
    ).scalar_one_or_none()
    return name or ""


def _list_query() -> Any:
    """Master invoices with the names around them and their line count, newest first."""
    contractor = aliased(m.UserAccount)
    creator = aliased(m.UserAccount)
    approver = aliased(m.UserAccount)
    invoice = m.MasterInvoice
    lines = (
        select(func.count())
        .select_from(MIL)
        .where(MIL.c.master_invoice_id == invoice.id)
        .correlate(invoice)
        .scalar_subquery()
    )
    return (
        select(invoice, contractor.name, creator.name, approver.name, lines)
        .join(contractor, contractor.id == invoice.contractor_id)
        .join(creator, creator.id == invoice.created_by_id)
        .outerjoin(approver, approver.id == invoice.approved_by_id)
        .order_by(invoice.issue_date.desc(), invoice.id.desc())  # type: ignore[attr-defined,union-attr]
    )


def _list_view(row: Any, currency: str) -> MasterInvoiceView:
    """One row of :func:`_list_query` as shown."""
    invoice, contractor, creator, approver, entries = row
    return _view(invoice, currency, contractor, creator, approver or "", int(entries))


def _view(
    invoice: m.MasterInvoice,
    currency: str,
    contractor: str,
    creator: str,
    approver: str,
    entries: int,
    lines: tuple[MasterInvoiceLineView, ...] = (),
    payments: tuple[PaymentView, ...] = (),
) -> MasterInvoiceView:
    """A master invoice as shown."""
    return MasterInvoiceView(
        id=invoice.id or 0,
        number=invoice.number,
        contractor_id=invoice.contractor_id,
        contractor_name=contractor,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        issue_date=invoice.issue_date,
        status=invoice.status,
        total_minutes=invoice.total_minutes,
        total=Money(invoice.total_cents, currency),
        paid=Money(invoice.paid_cents, currency),
        due=Money(max(invoice.total_cents - invoice.paid_cents, 0), currency),
        created_by_name=creator,
        approved_by_name=approver,
        approved_at=invoice.approved_at,
        paid_at=invoice.paid_at,
        entries=entries,
        lines=lines,
        payments=payments,
    )


def _detailed_view(
    session: Session,
    invoice: m.MasterInvoice,
    currency: str,
    *,
    unmasked: bool,
    line_limit: int | None = None,
) -> MasterInvoiceView:
    """A master invoice with its lines (the first ``line_limit`` when given) and payments."""
    session.flush()
    lines = _lines(session, invoice.id, currency, line_limit)
    entries = len(lines)
    if line_limit is not None and entries >= line_limit:
        entries = session.execute(
            select(func.count()).where(MIL.c.master_invoice_id == invoice.id)
        ).scalar_one()
    return _view(
        invoice,
        currency,
        _user_name(session, invoice.contractor_id),
        _user_name(session, invoice.created_by_id),
        _user_name(session, invoice.approved_by_id),
        entries,
        lines,
        _payments(session, invoice.id, currency, unmasked),
    )


def _lines(
    session: Session, invoice_id: int | None, currency: str, limit: int | None = None
) -> tuple[MasterInvoiceLineView, ...]:
    """The frozen lines of a master invoice with the current names of project and task (the
    first ``limit`` of them when given)."""
    query = (
        select(
            MIL.c.time_entry_id,
            MIL.c.work_date,
            m.Project.name,
            m.Task.name,
            MIL.c.description,
            MIL.c.minutes,
            MIL.c.pay_rate_cents,
            MIL.c.amount_cents,
        )
        .join(TE, TE.c.id == MIL.c.time_entry_id)
        .join(m.Project, m.Project.id == TE.c.project_id)
        .join(m.Task, m.Task.id == TE.c.task_id)
        .where(MIL.c.master_invoice_id == invoice_id)
        .order_by(MIL.c.work_date, MIL.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    return tuple(
        MasterInvoiceLineView(
            time_entry_id=entry_id,
            work_date=work_date,
            project_name=project,
            task_name=task,
            description=description,
            minutes=minutes,
            pay_rate=Money(rate, currency),
            amount=Money(amount, currency),
        )
        for entry_id, work_date, project, task, description, minutes, rate, amount in rows
    )


def _payments(
    session: Session, invoice_id: int | None, currency: str, unmasked: bool
) -> tuple[PaymentView, ...]:
    """The payments of a master invoice, oldest first, masked unless ``unmasked``."""
    rows = session.execute(
        select(m.Payment, m.UserAccount.name)
        .join(m.UserAccount, m.UserAccount.id == m.Payment.recorded_by_id)
        .where(m.Payment.master_invoice_id == invoice_id)
        .order_by(m.Payment.paid_on, m.Payment.id)
    ).all()
    return tuple(payment_view(row, name, currency, unmasked) for row, name in rows)


# ==============================================================================================
# Export
# ==============================================================================================

_PAYMENT_COLUMNS = (
    Column("Invoice"),
    Column("Contractor"),
    Column("Paid on", "date"),
    Column("Method"),
    Column("Amount", "money"),
    Column("Currency"),
    Column("Account holder"),
    Column("Account number"),
    Column("Reference"),
    Column("Recorded at", "date"),
)


def _payments_table(
    rows: Sequence[tuple[PaymentView, str, str]], org: m.Organisation, subtitle: str
) -> Table:
    """Payments (each with its invoice number and contractor) as a table with a total."""
    total = sum_money((payment.amount for payment, _number, _name in rows), org.currency)
    return Table(
        title="Contractor payments",
        subtitle=subtitle,
        columns=_PAYMENT_COLUMNS,
        rows=tuple(
            (
                number,
                contractor,
                payment.paid_on,
                payment.method,
                payment.amount,
                payment.amount.currency,
                payment.account_holder,
                payment.account_number,
                payment.reference,
                local_time(payment.recorded_at, org.timezone),
            )
            for payment, number, contractor in rows
        ),
        totals=(
            "Total",
            "1 payment" if len(rows) == 1 else f"{len(rows)} payments",
            None,
            "",
            total,
            total.currency,
            "",
            "",
            "",
            None,
        ),
    )


def _payments_subtitle(today: date, number: str, date_from: date | None) -> str:
    """The export's filter in words."""
    parts = [f"As of {today.isoformat()}"]
    if number.strip():
        parts.append(f"invoice {number.strip()}")
    if date_from is not None:
        parts.append(f"paid from {date_from.isoformat()}")
    return " · ".join(parts)


def _as_date(value: object) -> date | None:
    """A work date as read back (SQLite may give ISO text for an aggregate)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
