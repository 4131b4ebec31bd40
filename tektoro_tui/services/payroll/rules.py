"""The reading side of crew pay shared by the service, the project figures, ``check`` and the
demo: who is paid, which terms hold on a day, which days are days off, how a day's shifts are
priced and what makes a shift irregular.

Nothing here commits; :func:`price_day` sets the priced columns of the shift rows it is given.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ...data import models as m
from ...domain.pay import (
    PayRules,
    ShiftTimes,
    bucket_amounts,
    day_off_rules,
    irregularities,
    split_minutes,
)
from ...domain.permissions import OUTSIDERS, Perm
from ...domain.timeparse import WEEKDAY_FULL_NAMES
from ...domain.values import id_or_none
from ...errors import NotFound, shown
from ..base import Actor, chunks, local_time, organisation

MINUTES_PER_DAY = 24 * 60
PAY_PERMS = (Perm.PAYROLL_SETTLE, Perm.PAYROLL_RATES, Perm.PAYROLL_TRANSFER, Perm.PAYROLL_EXPORT)
"""Permissions that show everyone's pay."""
_CHUNK = 900


# --- people ------------------------------------------------------------------------------------


def granted(session: Session, actor: Actor) -> frozenset[str]:
    """The payroll permissions the live matrix grants the actor's role."""
    role = session.execute(
        select(m.UserAccount.role).where(m.UserAccount.id == actor.user_id)
    ).scalar_one_or_none()
    if role is None:
        return frozenset()
    return frozenset(
        session.execute(
            select(m.RolePermission.permission).where(
                m.RolePermission.role == role,
                m.RolePermission.permission.in_([p.value for p in PAY_PERMS]),  # type: ignore[attr-defined]
            )
        ).scalars()
    )


def find_employee(session: Session, key: str | int) -> m.UserAccount:
    """The person named by e-mail, #id or exact name (a name must be unique), inside the firm.

    Raises:
        NotFound: nobody of the firm is called that.
    """
    text = str(key).strip()
    ident = id_or_none(text.removeprefix("#"))
    query = select(m.UserAccount).where(firm_people())
    if ident is not None:
        query = query.where(m.UserAccount.id == ident)
    else:
        lowered = text.lower()
        query = query.where(
            or_(m.UserAccount.email_key == lowered, func.lower(m.UserAccount.name) == lowered)
        )
    found = list(session.execute(query.order_by(m.UserAccount.id).limit(2)).scalars())
    if not found:
        raise NotFound(f"Nobody of the firm is called {shown(text)}.")
    if len(found) > 1:
        raise NotFound(f"More than one person is called {shown(text)}; name them by e-mail.")
    return found[0]


def firm_people() -> ColumnElement[bool]:
    """The firm's own people (not a client's user nor a subcontractor's foreman): whose pay
    there can be."""
    return m.UserAccount.role.notin_([x.value for x in OUTSIDERS])  # type: ignore[attr-defined,no-any-return]


# --- terms -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """The pay terms in force on a day, with the non-standard rates by type of work."""

    pay_id: int
    effective_from: date
    external: bool
    hourly_rate_cents: int
    over_day_bp: int | None
    outside_window_bp: int | None
    type_rates: dict[int, int]

    def rate_for(self, work_type_id: int | None) -> int:
        """The hourly rate of a type of work (the standard rate where none is set)."""
        if work_type_id is not None and work_type_id in self.type_rates:
            return self.type_rates[work_type_id]
        return self.hourly_rate_cents


class TermsBook:
    """Every terms row of some employees, to find the one in force on any day."""

    def __init__(self, session: Session, employee_ids: Iterable[int]) -> None:
        self._by_employee: dict[int, list[Terms]] = defaultdict(list)
        ids = sorted(set(employee_ids))
        rows: list[m.EmployeePay] = []
        for chunk in chunks(ids, _CHUNK):
            rows.extend(
                session.execute(
                    select(m.EmployeePay)
                    .where(m.EmployeePay.employee_id.in_(chunk))  # type: ignore[attr-defined]
                    .order_by(m.EmployeePay.employee_id, m.EmployeePay.effective_from)
                ).scalars()
            )
        rates: dict[int, dict[int, int]] = defaultdict(dict)
        for chunk in chunks([r.id for r in rows if r.id is not None], _CHUNK):
            for pay_id, type_id, cents in session.execute(
                select(
                    m.EmployeePayRate.pay_id,
                    m.EmployeePayRate.work_type_id,
                    m.EmployeePayRate.hourly_rate_cents,
                ).where(m.EmployeePayRate.pay_id.in_(chunk))  # type: ignore[attr-defined]
            ).all():
                rates[int(pay_id)][int(type_id)] = int(cents)
        for row in rows:
            assert row.id is not None
            self._by_employee[row.employee_id].append(
                Terms(
                    row.id,
                    row.effective_from,
                    row.external,
                    row.hourly_rate_cents,
                    row.over_day_bp,
                    row.outside_window_bp,
                    rates.get(row.id, {}),
                )
            )

    def on(self, employee_id: int, day: date) -> Terms | None:
        """The terms in force on ``day`` (None before the first)."""
        rows = self._by_employee.get(employee_id, [])
        at = bisect_right([t.effective_from for t in rows], day)
        return rows[at - 1] if at else None


# --- calendar ----------------------------------------------------------------------------------


class Calendar:
    """Which days are working days: the organisation's working weekdays and holidays."""

    def __init__(self, session: Session, first: date, last: date) -> None:
        org = organisation(session)
        self.weekdays = {int(c) for c in org.working_weekdays if c.isdigit()}
        self.holidays: dict[date, str] = {
            d: n
            for d, n in session.execute(
                select(m.Holiday.holiday_date, m.Holiday.name).where(
                    m.Holiday.holiday_date.between(first, last)  # type: ignore[attr-defined]
                )
            ).all()
        }

    def day_off(self, day: date) -> str:
        """Why ``day`` is no working day ("" when it is one)."""
        if day in self.holidays:
            name = self.holidays[day]
            return f"a holiday ({name})" if name else "a holiday"
        if day.isoweekday() not in self.weekdays:
            return f"a day off ({WEEKDAY_FULL_NAMES[day.weekday()]})"
        return ""


# --- pricing -----------------------------------------------------------------------------------


def org_rules(org: m.Organisation) -> PayRules:
    """The organisation's working window, day length and % rates."""
    return PayRules(
        window_start=org.workday_start_minute,
        window_end=org.workday_end_minute,
        day_length=org.day_length_minutes,
        over_day_bp=org.overtime_over_day_bp,
        outside_bp=org.overtime_outside_window_bp,
    )


def shift_rules(base: PayRules, shift: m.WorkShift, terms: Terms, day_off: bool) -> PayRules:
    """The rules one shift is paid by: the shift's own % rates, else the employee's, else the
    organisation's; no window on a day off."""
    over = shift.over_day_bp if shift.custom_rates else terms.over_day_bp
    outside = shift.outside_window_bp if shift.custom_rates else terms.outside_window_bp
    rules = PayRules(
        base.window_start,
        base.window_end,
        base.day_length,
        base.over_day_bp if over is None else over,
        base.outside_bp if outside is None else outside,
    )
    return day_off_rules(rules) if day_off else rules


def price_day(
    shifts: Sequence[m.WorkShift], base: PayRules, terms: Terms | None, day_off: bool
) -> None:
    """Price one employee's shifts of one day in time order: each shift counts towards the
    day length what the earlier ones counted. A shift without both actual times (or without
    terms) is unsettled: no pay, no buckets, no copy of rates."""
    counted = 0
    for shift in sorted(shifts, key=lambda s: (s.actual_start is None, s.actual_start or 0, s.id)):
        if (
            terms is None
            or terms.external
            or shift.actual_start is None
            or shift.actual_end is None
        ):
            _unsettle(shift)
            continue
        rules = shift_rules(base, shift, terms, day_off)
        rate = terms.rate_for(shift.work_type_id)
        split = split_minutes(
            shift.actual_start, shift.actual_end, rules, shift.lunch_minutes, counted=counted
        )
        counted += split.standard + split.over_day
        amounts = bucket_amounts(split, rate, rules)
        shift.rate_cents = rate
        shift.rate_over_day_bp = rules.over_day_bp
        shift.rate_outside_bp = rules.outside_bp
        shift.window_start, shift.window_end = rules.window_start, rules.window_end
        shift.day_length = rules.day_length
        shift.day_off = day_off
        shift.standard_minutes = split.standard
        shift.over_day_minutes = split.over_day
        shift.outside_window_minutes = split.outside
        shift.standard_cents = amounts.standard
        shift.over_day_cents = amounts.over_day
        shift.outside_cents = amounts.outside
        shift.pay_cents = amounts.total


def _unsettle(shift: m.WorkShift) -> None:
    shift.rate_cents = shift.rate_over_day_bp = shift.rate_outside_bp = None
    shift.window_start = shift.window_end = shift.day_length = None
    shift.day_off = False
    shift.standard_minutes = shift.over_day_minutes = shift.outside_window_minutes = 0
    shift.standard_cents = shift.over_day_cents = shift.outside_cents = 0
    shift.pay_cents = None


def _price_days(session: Session, shifts: Sequence[m.WorkShift]) -> None:
    """Price ``shifts`` again, each employee's day as a whole (its shifts in time order),
    with the organisation's rules and calendar and the terms in force on that day."""
    if not shifts:
        return
    base = org_rules(organisation(session))
    days = [shift.shift_date for shift in shifts]
    calendar = Calendar(session, min(days), max(days))
    book = TermsBook(session, (shift.employee_id for shift in shifts))
    by_day: dict[tuple[int, date], list[m.WorkShift]] = defaultdict(list)
    for shift in shifts:
        by_day[(shift.employee_id, shift.shift_date)].append(shift)
    for (employee_id, day), rows in by_day.items():
        price_day(rows, base, book.on(employee_id, day), bool(calendar.day_off(day)))


def reprice(session: Session, employee_id: int, days: Iterable[date]) -> None:
    """Price again every shift of the employee on these days (none of them transferred)."""
    wanted = sorted(set(days))
    if not wanted:
        return
    shifts = session.execute(
        select(m.WorkShift)
        .where(
            m.WorkShift.employee_id == employee_id,
            m.WorkShift.shift_date.between(wanted[0], wanted[-1]),  # type: ignore[attr-defined]
            m.WorkShift.payroll_period_id.is_(None),  # type: ignore[union-attr]
        )
        .with_for_update()
    ).scalars()
    chosen = set(wanted)
    _price_days(session, [shift for shift in shifts if shift.shift_date in chosen])


def reprice_open(session: Session) -> list[int]:
    """Price again every settled shift not transferred, after the organisation's working
    window, day length, % rates, working weekdays or holidays changed; a shift whose pay
    changes loses its approval (it must be looked at again). The ids of the changed shifts."""
    shifts = list(
        session.execute(
            select(m.WorkShift)
            .where(
                m.WorkShift.payroll_period_id.is_(None),  # type: ignore[union-attr]
                m.WorkShift.actual_start.is_not(None),  # type: ignore[union-attr]
            )
            .order_by(m.WorkShift.employee_id, m.WorkShift.shift_date)
            .with_for_update()
        ).scalars()
    )
    before = {x.id: x.pay_cents for x in shifts}
    _price_days(session, shifts)
    changed = []
    for shift in shifts:
        if shift.pay_cents != before[shift.id]:
            shift.approved_by_id, shift.approved_at = None, None
            shift.version += 1
            changed.append(int(shift.id or 0))
    session.flush()
    return changed


# --- irregularities ----------------------------------------------------------------------------


def now_minute(moment: datetime, timezone: str) -> int:
    """The present moment as minutes from the same origin as :func:`times`."""
    local = local_time(moment, timezone)
    return local.date().toordinal() * MINUTES_PER_DAY + local.hour * 60 + local.minute


def times(shift: m.WorkShift) -> ShiftTimes:
    """A shift's times for :func:`~...domain.pay.irregularities`."""
    assert shift.id is not None
    return ShiftTimes(
        shift.id,
        shift.shift_date.toordinal() * MINUTES_PER_DAY,
        shift.planned_start,
        shift.planned_end,
        shift.actual_start,
        shift.actual_end,
        shift.project_id,
    )


def marks(
    shifts: Sequence[m.WorkShift], neighbours: Sequence[m.WorkShift], now: int, calendar: Calendar
) -> dict[int, tuple[str, ...]]:
    """Each shift's irregularities; ``neighbours`` are every shift of the same employees from
    the day before the first to the day after the last (the shifts themselves included)."""
    near: dict[int, list[ShiftTimes]] = defaultdict(list)
    for other in neighbours:
        near[other.employee_id].append(times(other))
    found: dict[int, tuple[str, ...]] = {}
    for shift in shifts:
        assert shift.id is not None
        found[shift.id] = irregularities(
            times(shift),
            tuple(near[shift.employee_id]),
            now,
            calendar.day_off(shift.shift_date),
        )
    return found


def neighbours_of(
    session: Session, employee_ids: Iterable[int], first: date, last: date
) -> list[m.WorkShift]:
    """Every shift of these employees from the day before ``first`` to the day after ``last``."""
    found: list[m.WorkShift] = []
    for chunk in chunks(sorted(set(employee_ids)), _CHUNK):
        found.extend(
            session.execute(
                select(m.WorkShift).where(
                    m.WorkShift.employee_id.in_(chunk),  # type: ignore[attr-defined]
                    m.WorkShift.shift_date.between(  # type: ignore[attr-defined]
                        first - timedelta(days=1), last + timedelta(days=1)
                    ),
                )
            ).scalars()
        )
    return found


# --- figures for the projects ------------------------------------------------------------------


def settled_shift() -> ColumnElement[bool]:
    """The shifts whose pay a project counts as labour: approved or transferred."""
    return or_(
        m.WorkShift.approved_at.is_not(None),  # type: ignore[union-attr]
        m.WorkShift.payroll_period_id.is_not(None),  # type: ignore[union-attr]
    )


def labour_sums(
    session: Session,
    project_ids: Sequence[int],
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> tuple[dict[int, int], dict[int, int]]:
    """Per project, the pay of its settled shifts (approved or transferred) and the number of
    its shifts left out as not settled yet (open, irregular or not approved), dated within the
    dates given: the crew labour of the balance and of a time-and-material suggestion."""
    settled: dict[int, int] = defaultdict(int)
    open_: dict[int, int] = defaultdict(int)
    shift = m.WorkShift
    done = settled_shift()
    for chunk in chunks(sorted(set(project_ids)), _CHUNK):
        query = (
            select(shift.project_id, done.label("done"), func.sum(shift.pay_cents), func.count())
            .where(shift.project_id.in_(chunk))  # type: ignore[attr-defined]
            .group_by(shift.project_id, done)
        )
        if date_from is not None:
            query = query.where(shift.shift_date >= date_from)
        if date_to is not None:
            query = query.where(shift.shift_date <= date_to)
        for pid, is_done, total, count in session.execute(query).all():
            if is_done:
                settled[int(pid)] += int(total or 0)
            else:
                open_[int(pid)] += int(count)
    return dict(settled), dict(open_)
