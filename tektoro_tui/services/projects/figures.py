"""A project's figures read from the database, for the rules of ``domain/settlement.py``.

Every function answers for many projects at once with grouped queries (a page of the project
list is a handful of statements, whatever its size), and reads raw rows, never ORM objects.

What counts where (DESIGN.md §9):

* *Invoiced*: every issued invoice of the project that is not cancelled (a cancelled one and
  its credit note cancel out), ours and recorded ones, settlement kinds and invoices of the
  time pipeline alike; credit notes themselves are left out.
* *Labour* in the balance is what the staff's time costs the firm: the minutes of approved
  (and later) entries on the project at each person's pay rate. In a time-and-material
  suggestion it is what the time is billed at: the value of the approved billable entries.
  Both are read from the daily time summary (``time_day_total``, kept by triggers and
  re-derived by ``check``), so a project's year of entries is a few hundred summary rows.
  The crews' settled work shifts (approved or transferred to accounting) add their pay to
  both (``payroll.rules.labour_sums``); a shift not settled yet is left out and counted.
* *Costs* by type from the cost register; *subcontracts* are what the project's
  subcontractors were paid: the settlement stages of its agreements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, extract, func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ...data import models as m
from ...domain.money import Money
from ...domain.permissions import Perm, Role
from ...domain.rounding import divide_to_int
from ...domain.settlement import RateAmount, SettledInvoice, SettlementKind
from ...domain.states import InvoiceStatus, TimeEntryStatus
from ...domain.values import id_or_none
from ...errors import NotFound, PermissionDenied, shown
from ..base import Actor, chunks, org_currency

SETTLEMENT_KINDS = tuple(kind.value for kind in SettlementKind)
CREDIT_NOTE = "credit_note"
CANCELLED = InvoiceStatus.CANCELLED.value
DRAFT = InvoiceStatus.DRAFT.value
LABOUR_STATUSES = (
    TimeEntryStatus.APPROVED.value,
    TimeEntryStatus.ALLOCATED.value,
    TimeEntryStatus.PROCESSED.value,
)
_CHUNK = 900

COST_KIND_OF_TYPE = {
    "material": "materials",
    "salary": "salary",
    "equipment": "equipment",
    "other": "other",
}
"""A cost type of the register as a cost kind of the balance."""


# --- who sees which projects -------------------------------------------------------------------


def project_scope(session: Session, actor: Actor) -> ColumnElement[bool]:
    """The condition on ``project`` rows ``actor`` may see.

    ``invoice.view_all`` sees every project; ``invoice.view_own_projects`` only the projects the
    user manages or estimates (a project manager, an estimator); ``project_costs.manage``
    without either (a PM assistant) every project, as the seed lets them see all costs.

    Raises:
        PermissionDenied: none of the three.
    """
    role = session.execute(
        select(m.UserAccount.role).where(m.UserAccount.id == actor.user_id)
    ).scalar_one()
    granted = set(
        session.execute(
            select(m.RolePermission.permission).where(
                m.RolePermission.role == role,
                m.RolePermission.permission.in_(  # type: ignore[attr-defined]
                    [
                        Perm.INVOICE_VIEW_ALL.value,
                        Perm.INVOICE_VIEW_OWN_PROJECTS.value,
                        Perm.PROJECT_COSTS.value,
                    ]
                ),
            )
        ).scalars()
    )
    if Perm.INVOICE_VIEW_ALL.value in granted:
        return true()
    if Perm.INVOICE_VIEW_OWN_PROJECTS.value in granted:
        return or_(  # type: ignore[return-value]
            m.Project.project_manager_id == actor.user_id,
            m.Project.estimator_id == actor.user_id,
        )
    if Perm.PROJECT_COSTS.value in granted:
        return true()
    raise PermissionDenied(
        f"Your role ({Role(role).label}) may not see projects. "
        "An administrator can change this under Permissions."
    )


def find_project(
    session: Session, scope: ColumnElement[bool], key: str | int, *, lock: bool = False
) -> m.Project:
    """The project named by id, code or name within ``scope`` (a name must be unique).

    Raises:
        NotFound: no such project the actor may see (never says whether one exists).
    """
    text = str(key).strip()
    condition: ColumnElement[bool]
    ident = id_or_none(text)
    if ident is not None:
        condition = m.Project.id == ident  # type: ignore[assignment]
    else:
        lowered = text.lower()
        condition = or_(  # type: ignore[assignment]
            func.lower(m.Project.code) == lowered,
            func.lower(m.Project.name) == lowered,
        )
    query = select(m.Project).where(condition, scope).order_by(m.Project.id)
    if lock:
        query = query.with_for_update()
    found = list(session.execute(query.limit(2)).scalars())
    if not found:
        raise NotFound(f"Project {shown(text)} does not exist.")
    if len(found) > 1:
        raise NotFound(
            f"More than one project is called {shown(text)}; name it by its code or number."
        )
    return found[0]


# --- invoices -------------------------------------------------------------------------------


def invoice_label(number: str | None, external: str | None) -> str:
    """How an invoice is named: our number, or a recorded one's own number marked external."""
    if external:
        return f"{external} (external)"
    return number or "draft"


def settled_invoices(
    session: Session, project_id: int, currency: str, *, since: date | None = None
) -> list[SettledInvoice]:
    """The settlement invoices of a project, oldest first, with their net and VAT per rate
    (only those issued on or after ``since`` when given)."""
    inv = m.Invoice
    query = (
        select(inv.id, inv.number, inv.external_number, inv.kind, inv.net_cents, inv.status)
        .where(
            inv.project_id == project_id,
            inv.kind.in_(SETTLEMENT_KINDS),  # type: ignore[attr-defined]
            inv.status != DRAFT,
        )
        .order_by(inv.issue_date, inv.id)  # type: ignore[arg-type]
    )
    if since is not None:
        query = query.where(inv.issue_date >= since)  # type: ignore[operator]
    rows = session.execute(query).all()
    rates: dict[int, list[RateAmount]] = defaultdict(list)
    ids = [int(r.id) for r in rows]
    for chunk in chunks(ids, _CHUNK):
        for invoice_id, rate, net, vat in session.execute(
            select(
                m.InvoiceLine.invoice_id,
                m.InvoiceLine.vat_bp,
                func.sum(m.InvoiceLine.net_cents),
                func.sum(m.InvoiceLine.vat_cents),
            )
            .where(m.InvoiceLine.invoice_id.in_(chunk))  # type: ignore[attr-defined]
            .group_by(m.InvoiceLine.invoice_id, m.InvoiceLine.vat_bp)
            .order_by(m.InvoiceLine.invoice_id, m.InvoiceLine.vat_bp)
        ).all():
            rates[int(invoice_id)].append(
                RateAmount(int(rate), Money(int(net), currency), Money(int(vat), currency))
            )
    return [
        SettledInvoice(
            number=invoice_label(r.number, r.external_number),
            kind=SettlementKind(r.kind),
            net=Money(int(r.net_cents), currency),
            rates=tuple(rates[int(r.id)]),
            cancelled=r.status == CANCELLED,
        )
        for r in rows
    ]


def _live_invoice() -> ColumnElement[bool]:
    """An issued invoice that counts: not a draft, not cancelled, not a credit note."""
    return and_(
        m.Invoice.status.notin_([DRAFT, CANCELLED]),  # type: ignore[attr-defined]
        m.Invoice.kind != CREDIT_NOTE,
    )


def invoice_sums(session: Session, project_ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    """(net, gross, paid) cents of each project's live invoices.

    An invoice of a client's whole period (no project of its own, billing time of several
    projects) counts in each project by the net of its lines that bill that project's time
    (``invoice_project_share``, kept when it was issued); its gross and what was paid on it are
    shared out in the same proportion.
    """
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    inv = m.Invoice
    wanted = sorted(set(project_ids))
    for chunk in chunks(wanted, _CHUNK):
        for pid, net, gross, paid in session.execute(
            select(
                inv.project_id,
                func.sum(inv.net_cents),
                func.sum(inv.gross_cents),
                func.sum(inv.paid_cents),
            )
            .where(inv.project_id.in_(chunk), _live_invoice())  # type: ignore[union-attr]
            .group_by(inv.project_id)
        ).all():
            found[int(pid)] = [int(net), int(gross), int(paid)]
        for pid, line_net, net, gross, paid in session.execute(_shares(chunk)).all():
            share = found[int(pid)]
            share[0] += int(line_net)
            if int(net):
                share[1] += divide_to_int(int(gross) * int(line_net), int(net))
                share[2] += divide_to_int(int(paid) * int(line_net), int(net))
    return {pid: (sums[0], sums[1], sums[2]) for pid, sums in found.items()}


def _shares(project_ids: Sequence[int]) -> Any:
    """Per live invoice of a client's period and per project of ``project_ids``: the net of its
    lines billing that project's time (kept when it was issued), and the invoice's net, gross
    and paid."""
    share = m.InvoiceProjectShare
    return (
        select(
            share.project_id,
            share.net_cents,
            m.Invoice.net_cents,
            m.Invoice.gross_cents,
            m.Invoice.paid_cents,
        )
        .join(m.Invoice, m.Invoice.id == share.invoice_id)
        .where(share.project_id.in_(project_ids), _live_invoice())  # type: ignore[attr-defined]
    )


def billing_routes(session: Session, project_ids: Sequence[int]) -> dict[int, str]:
    """How each project is billed, as its invoices decided: "settlement" once a settlement
    invoice counts, "time" once some of its time was processed into a document record or an
    invoice of the time pipeline counts; a project with neither is left out."""
    found: dict[int, str] = {}
    inv = m.Invoice
    for chunk in chunks(sorted(set(project_ids)), _CHUNK):
        for (pid,) in session.execute(
            select(m.TimeDayTotal.project_id)
            .where(
                m.TimeDayTotal.status == TimeEntryStatus.PROCESSED.value,
                m.TimeDayTotal.project_id.in_(chunk),  # type: ignore[attr-defined]
            )
            .distinct()
        ).all():
            found[int(pid)] = "time"
        for pid, kind in session.execute(
            select(inv.project_id, inv.kind)
            .where(inv.project_id.in_(chunk), _live_invoice())  # type: ignore[union-attr]
            .distinct()
        ).all():
            if kind in SETTLEMENT_KINDS:
                found[int(pid)] = "settlement"
            else:
                found.setdefault(int(pid), "time")
    return found


def settlement_billed(session: Session, project_ids: Sequence[int]) -> set[int]:
    """The projects among ``project_ids`` a live settlement invoice bills (their time is
    settled by project invoices, never through WIP)."""
    found: set[int] = set()
    inv = m.Invoice
    for chunk in chunks(sorted(set(project_ids)), _CHUNK):
        found.update(
            int(pid)
            for (pid,) in session.execute(
                select(inv.project_id)
                .where(
                    inv.project_id.in_(chunk),  # type: ignore[union-attr]
                    inv.kind.in_(SETTLEMENT_KINDS),  # type: ignore[attr-defined]
                    _live_invoice(),
                )
                .distinct()
            ).all()
        )
    return found


# --- changes and costs -----------------------------------------------------------------------


def approved_changes(session: Session, project_ids: Sequence[int]) -> dict[int, int]:
    """The sum of each project's approved change orders, in cents."""
    found: dict[int, int] = {}
    for chunk in chunks(sorted(set(project_ids)), _CHUNK):
        for pid, total in session.execute(
            select(m.ProjectChange.project_id, func.sum(m.ProjectChange.amount_cents))
            .where(
                m.ProjectChange.project_id.in_(chunk),  # type: ignore[attr-defined]
                m.ProjectChange.approved.is_(True),  # type: ignore[attr-defined]
            )
            .group_by(m.ProjectChange.project_id)
        ).all():
            found[int(pid)] = int(total)
    return found


def cost_sums(
    session: Session,
    project_ids: Sequence[int],
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[int, dict[str, int]]:
    """Each project's register costs by type (cents), within the dates when given."""
    found: dict[int, dict[str, int]] = defaultdict(dict)
    cost = m.ProjectCost
    for chunk in chunks(sorted(set(project_ids)), _CHUNK):
        query = (
            select(cost.project_id, cost.cost_type, func.sum(cost.amount_cents))
            .where(cost.project_id.in_(chunk))  # type: ignore[attr-defined]
            .group_by(cost.project_id, cost.cost_type)
        )
        if date_from is not None:
            query = query.where(cost.cost_date >= date_from)
        if date_to is not None:
            query = query.where(cost.cost_date <= date_to)
        for pid, kind, total in session.execute(query).all():
            found[int(pid)][str(kind)] = int(total)
    return found


def labour_costs(session: Session, project_ids: Sequence[int]) -> dict[int, int]:
    """What the approved (and later) time on each project costs at the people's pay rates."""
    found: dict[int, int] = {}
    day = m.TimeDayTotal
    for chunk in chunks(sorted(set(project_ids)), _CHUNK):
        for pid, cost in session.execute(
            select(day.project_id, func.sum(day.minutes * m.UserAccount.pay_rate_cents))
            .join(m.UserAccount, m.UserAccount.id == day.owner_id)
            .where(
                day.project_id.in_(chunk),  # type: ignore[attr-defined]
                day.status.in_(LABOUR_STATUSES),  # type: ignore[attr-defined]
            )
            .group_by(day.project_id)
        ).all():
            found[int(pid)] = divide_to_int(int(cost or 0), 60)
    return found


def balance_costs(
    session: Session, project_ids: Sequence[int], currency: str
) -> dict[int, dict[str, Money]]:
    """Each project's costs by the balance's kinds (labour, the crews' settled shifts among
    it, and the register's types)."""
    from ..payroll.rules import labour_sums
    from ..subcontracts.rules import settled_sums

    registers = cost_sums(session, project_ids)
    labour = labour_costs(session, project_ids)
    crews, _unsettled = labour_sums(session, project_ids)
    subcontracts = settled_sums(session, project_ids)
    out: dict[int, dict[str, Money]] = {}
    for pid in project_ids:
        kinds = {"labour": Money(labour.get(pid, 0) + crews.get(pid, 0), currency)}
        for kind, cents in registers.get(pid, {}).items():
            kinds[COST_KIND_OF_TYPE[kind]] = Money(cents, currency)
        if pid in subcontracts:
            kinds["subcontracts"] = Money(subcontracts[pid], currency)
        out[pid] = kinds
    return out


def billed_labour(
    session: Session, project_id: int, date_from: date | None, date_to: date
) -> tuple[int, int, int]:
    """(value cents, minutes, entries) of the approved billable time on a project in the
    period: what a time-and-material invoice bills for labour (read from the daily summary:
    a year of a project's entries is a few hundred rows there)."""
    day = m.TimeDayTotal
    query = select(
        func.coalesce(func.sum(day.value_cents), 0),
        func.coalesce(func.sum(day.minutes), 0),
        func.coalesce(func.sum(day.entries), 0),
    ).where(
        day.project_id == project_id,
        day.status == TimeEntryStatus.APPROVED.value,
        day.billable.is_(True),  # type: ignore[attr-defined]
        day.work_date <= date_to,
    )
    if date_from is not None:
        query = query.where(day.work_date >= date_from)
    value, minutes, count = session.execute(query).one()
    return int(value), int(minutes), int(count)


def unapproved_time(
    session: Session, project_id: int, date_from: date | None, date_to: date
) -> tuple[int, int]:
    """(entries, minutes) of time on the project in the period not approved yet: left out of a
    time-and-material suggestion and named, it counts in a later settlement."""
    day = m.TimeDayTotal
    query = select(
        func.coalesce(func.sum(day.entries), 0), func.coalesce(func.sum(day.minutes), 0)
    ).where(
        day.project_id == project_id,
        day.status.in_(  # type: ignore[attr-defined]
            [TimeEntryStatus.DRAFT.value, TimeEntryStatus.ACCEPTED.value]
        ),
        day.work_date <= date_to,
    )
    if date_from is not None:
        query = query.where(day.work_date >= date_from)
    count, minutes = session.execute(query).one()
    return int(count), int(minutes)


def monthly(session: Session, project_id: int, currency: str) -> list[tuple[str, Money, Money]]:
    """(YYYY-MM, invoiced net, costs) per month the project had either, oldest first."""
    inv = m.Invoice
    invoiced: dict[str, int] = defaultdict(int)
    costs: dict[str, int] = defaultdict(int)
    year, month = extract("year", inv.issue_date), extract("month", inv.issue_date)
    for y, mo, net in session.execute(
        select(year, month, func.sum(inv.net_cents))
        .where(inv.project_id == project_id, _live_invoice())
        .group_by(year, month)
    ).all():
        invoiced[f"{int(y):04d}-{int(mo):02d}"] += int(net)
    share = m.InvoiceProjectShare
    for y, mo, net in session.execute(
        select(year, month, func.sum(share.net_cents))
        .select_from(share)
        .join(inv, inv.id == share.invoice_id)
        .where(share.project_id == project_id, _live_invoice())
        .group_by(year, month)
    ).all():
        invoiced[f"{int(y):04d}-{int(mo):02d}"] += int(net)
    cost = m.ProjectCost
    year, month = extract("year", cost.cost_date), extract("month", cost.cost_date)
    for y, mo, amount in session.execute(
        select(year, month, func.sum(cost.amount_cents))
        .where(cost.project_id == project_id)
        .group_by(year, month)
    ).all():
        costs[f"{int(y):04d}-{int(mo):02d}"] += int(amount)
    day = m.TimeDayTotal
    year, month = extract("year", day.work_date), extract("month", day.work_date)
    for y, mo, raw in session.execute(
        select(year, month, func.sum(day.minutes * m.UserAccount.pay_rate_cents))
        .join(m.UserAccount, m.UserAccount.id == day.owner_id)
        .where(
            day.project_id == project_id,
            day.status.in_(LABOUR_STATUSES),  # type: ignore[attr-defined]
        )
        .group_by(year, month)
    ).all():
        costs[f"{int(y):04d}-{int(mo):02d}"] += divide_to_int(int(raw or 0), 60)
    for key, pay in crew_labour_by_month(session, project_id).items():
        costs[key] += pay
    stage = m.SubcontractSettlement
    year, month = extract("year", stage.settled_on), extract("month", stage.settled_on)
    for y, mo, paid in session.execute(
        select(year, month, func.sum(stage.paid_cents))
        .join(m.SubcontractAgreement, m.SubcontractAgreement.id == stage.agreement_id)
        .where(m.SubcontractAgreement.project_id == project_id)
        .group_by(year, month)
    ).all():
        costs[f"{int(y):04d}-{int(mo):02d}"] += int(paid)
    months = sorted(set(invoiced) | set(costs))
    return [
        (key, Money(invoiced.get(key, 0), currency), Money(costs.get(key, 0), currency))
        for key in months
    ]


def crew_labour_by_month(session: Session, project_id: int) -> dict[str, int]:
    """The pay of the project's settled work shifts (approved or transferred to accounting,
    the shifts ``payroll.rules.labour_sums`` counts) per month of their dates (YYYY-MM)."""
    from ..payroll.rules import settled_shift

    shift = m.WorkShift
    year, month = extract("year", shift.shift_date), extract("month", shift.shift_date)
    settled = settled_shift()
    return {
        f"{int(y):04d}-{int(mo):02d}": int(pay)
        for y, mo, pay in session.execute(
            select(year, month, func.sum(shift.pay_cents))
            .where(shift.project_id == project_id, settled, shift.pay_cents.is_not(None))  # type: ignore[union-attr]
            .group_by(year, month)
        ).all()
    }


def contract_problems(
    session: Session,
    project_id: int,
    valuation: str | None,
    contract_cents: int | None,
    *,
    change_cents: int = 0,
) -> list[tuple[str, str]]:
    """What would make a project's settlement invoices break its rules if its valuation or
    contract became these (or an approved change of ``change_cents`` were added): (field,
    message) pairs, none when the project may change so.

    A project that advance or final invoices settle stays a fixed contract; a fixed contract
    with its approved changes never drops below the net its live settlement invoices took.
    """
    found: list[tuple[str, str]] = []
    inv = m.Invoice
    rows = session.execute(
        select(inv.kind, func.sum(inv.net_cents))
        .where(
            inv.project_id == project_id,
            inv.kind.in_(SETTLEMENT_KINDS),  # type: ignore[attr-defined]
            _live_invoice(),
        )
        .group_by(inv.kind)
    ).all()
    if not rows:
        return found
    kinds = {str(kind) for kind, _net in rows}
    invoiced = sum(int(net) for _kind, net in rows)
    if valuation != "fixed" and kinds & {"advance", "final"}:
        found.append(
            (
                "valuation",
                "advance or final invoices settle this project: it stays a fixed contract",
            )
        )
    if valuation == "fixed" and contract_cents is not None:
        changes = approved_changes(session, [project_id]).get(project_id, 0)
        whole = contract_cents + changes + change_cents
        if whole < invoiced:
            currency = org_currency(session)
            found.append(
                (
                    "amount" if change_cents else "contract_amount",
                    f"would bring the contract with its approved changes to "
                    f"{Money(whole, currency).format()}, below the "
                    f"{Money(invoiced, currency).format()} its invoices already "
                    "took (issue a credit note first)",
                )
            )
    return found
