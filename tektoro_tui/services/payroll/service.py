"""Crew pay: employees' pay terms, work shifts (planned, clocked, filled, edited), the
monthly settlement, the transfer to accounting that locks it, and its export (seed 003,
"Employee remuneration"; DESIGN.md §9).

Who does what (the live permission matrix decides):

* ``payroll.rates`` (HR, administrator): the pay terms on the HR tab;
* ``payroll.settle`` (HR, manager, administrator): plan, add, edit, fill and approve shifts,
  and see everyone's pay;
* ``payroll.transfer`` (HR, administrator): transfer a period to accounting;
* ``payroll.export`` (administrator; grantable to the accountant): the remuneration export;
* everyone of the firm: clock in and out, and see their own days and pay; a supervisor sees
  the times of their crew's day, not its pay.

A shift is priced whenever it or another shift of its employee's day changes, by the pay rule
of ``domain/pay.py``, with a copy of the rates and rules it was priced with. A shift without
an actual start and end is unsettled: no amount. Once a period is transferred its shifts are
frozen by the database (``0017_crew_pay``) and its totals are kept; ``tektoro check``
re-derives them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money
from ...domain.permissions import Perm
from ...domain.rounding import RoundingMode, divide_to_int
from ...domain.validation import Form
from ...errors import IllegalTransition, NotFound, PermissionDenied, Problem, ValidationError
from ...exports.model import Column, StreamedTable, Table
from ..base import (
    Actor,
    ServiceBase,
    chunks,
    export_format,
    local_time,
    org_currency,
    org_today,
    organisation,
    row_dict,
    write_table,
)
from ..projects import figures as pf
from ..versions import check_version
from ..worktime import clean_rates, store_type_rates, work_type_id, yes_no
from . import rules as r
from .views import (
    FILL_END,
    FILL_MODES,
    MAX_LUNCH_MINUTES,
    MAX_PERIOD_DAYS,
    MAX_PLAN_DAYS,
    ApproveResult,
    Bucket,
    FillChange,
    FillResult,
    PayPeriod,
    PersonChoice,
    PlanResult,
    ProjectTotal,
    ShiftForm,
    ShiftView,
    TermsForm,
    TermsView,
    TransferLine,
    TransferResult,
    range_text,
    time_text,
)

MINUTES_PER_DAY = r.MINUTES_PER_DAY
HALF_UP = RoundingMode.HALF_UP
Progress = Callable[[int, int], object]


class PayrollService(ServiceBase):
    """Pay terms, work shifts, the monthly settlement and the payroll lock."""

    # --- reading ------------------------------------------------------------------------------

    def people(self, actor: Actor) -> tuple[PersonChoice, ...]:
        """Whose pay the actor may see: everyone of the firm with a pay right, else oneself."""
        with self._read(actor) as session:
            if r.granted(session, actor):
                query = select(m.UserAccount.id, m.UserAccount.name, m.UserAccount.email).where(
                    r.firm_people(),
                    m.UserAccount.is_active.is_(True),  # type: ignore[attr-defined]
                )
            else:
                query = select(m.UserAccount.id, m.UserAccount.name, m.UserAccount.email).where(
                    m.UserAccount.id == actor.user_id
                )
            return tuple(
                PersonChoice(int(i), str(n), str(e or ""))
                for i, n, e in session.execute(
                    query.order_by(m.UserAccount.name, m.UserAccount.id)
                ).all()
            )

    def terms(self, actor: Actor, employee: str | int) -> tuple[TermsView, ...]:
        """An employee's pay terms, newest first (HR, payroll, or the employee)."""
        with self._read(actor) as session:
            person = r.find_employee(session, employee)
            _may_see_pay(session, actor, person.id)
            return _terms_views(session, person.id)

    def period(
        self,
        actor: Actor,
        employee: str | int,
        date_from: str | date | None = None,
        date_to: str | date | None = None,
    ) -> PayPeriod:
        """One employee's days over a period (default this month) with their pay, what is
        unsettled, irregular or not approved, and the totals per project and period.

        Raises:
            PermissionDenied: another's pay without a pay right.
            ValidationError: a wrong date or range.
        """
        with self._read(actor) as session:
            today = org_today(session, self.clock.now())
            first, last = _range(date_from, date_to, today)
            person = r.find_employee(session, employee)
            assert person.id is not None
            _may_see_pay(session, actor, person.id)
            return _period(session, person, first, last, self.clock.now())

    def overview(
        self, actor: Actor, date_from: str | date | None = None, date_to: str | date | None = None
    ) -> tuple[PayPeriod, ...]:
        """Every employee with shifts in the period, each with their days and totals (the Pay
        screen's list, the transfer's preview)."""
        with self._read(actor) as session:
            _require_any_pay_right(session, actor)
            today = org_today(session, self.clock.now())
            first, last = _range(date_from, date_to, today)
            ids = _employees_with_shifts(session, first, last)
            people = {
                p.id: p
                for chunk in chunks(ids, 900)
                for p in session.execute(
                    select(m.UserAccount).where(m.UserAccount.id.in_(chunk))  # type: ignore[union-attr]
                ).scalars()
            }
            return _periods(session, [people[i] for i in ids], first, last, self.clock.now())

    def shifts(
        self,
        actor: Actor,
        *,
        employee: str = "",
        project: str = "",
        date_from: str | date | None = None,
        date_to: str | date | None = None,
    ) -> tuple[ShiftView, ...]:
        """Shifts by date: the actor's own, their crew's (times only) or, with a pay right,
        anyone's; filtered by employee and project."""
        with self._read(actor) as session:
            today = org_today(session, self.clock.now())
            first, last = _range(date_from, date_to, today)
            rights = r.granted(session, actor)
            query = select(m.WorkShift).where(
                m.WorkShift.shift_date.between(first, last)  # type: ignore[attr-defined]
            )
            if employee.strip():
                person = r.find_employee(session, employee)
                if (
                    not rights
                    and person.id != actor.user_id
                    and person.supervisor_id != (actor.user_id)
                ):
                    raise PermissionDenied("You may see only your own shifts and your crew's.")
                query = query.where(m.WorkShift.employee_id == person.id)
            elif not rights:
                crew = select(m.UserAccount.id).where(m.UserAccount.supervisor_id == actor.user_id)
                query = query.where(
                    (m.WorkShift.employee_id == actor.user_id) | m.WorkShift.employee_id.in_(crew)  # type: ignore[attr-defined]
                )
            if project.strip():
                found = pf.find_project(session, true(), project)
                query = query.where(m.WorkShift.project_id == found.id)
            rows = list(
                session.execute(
                    query.order_by(
                        m.WorkShift.shift_date, m.WorkShift.employee_id, m.WorkShift.id
                    ).limit(5000)
                ).scalars()
            )
            shown_pay = {actor.user_id} if not rights else None
            return _views(session, rows, first, last, self.clock.now(), shown_pay)

    def crew_day(self, actor: Actor, day: str | date | None = None) -> tuple[ShiftView, ...]:
        """The shifts of the actor's crew (the people they supervise) and their own on a day
        (default today): the supervisor's view of who is on site; pay only with a pay right."""
        with self._read(actor) as session:
            today = org_today(session, self.clock.now())
            check = Form()
            when = check.date("date", day, required=False) if day else today
            check.raise_if_any()
            assert when is not None
            crew = select(m.UserAccount.id).where(m.UserAccount.supervisor_id == actor.user_id)
            rows = list(
                session.execute(
                    select(m.WorkShift)
                    .where(
                        m.WorkShift.shift_date == when,
                        (m.WorkShift.employee_id == actor.user_id)
                        | m.WorkShift.employee_id.in_(crew),  # type: ignore[attr-defined]
                    )
                    .order_by(m.WorkShift.employee_id, m.WorkShift.id)
                ).scalars()
            )
            shown_pay = None if r.granted(session, actor) else {actor.user_id}
            return _views(session, rows, when, when, self.clock.now(), shown_pay)

    def shift(self, actor: Actor, shift_id: int) -> ShiftView:
        """One shift (one's own, or anyone's with a pay right)."""
        with self._read(actor) as session:
            row = session.get(m.WorkShift, shift_id)
            if row is None:
                raise NotFound(f"Work shift #{shift_id} does not exist.")
            rights = r.granted(session, actor)
            if not rights and row.employee_id != actor.user_id:
                crew = session.execute(
                    select(m.UserAccount.supervisor_id).where(m.UserAccount.id == row.employee_id)
                ).scalar_one_or_none()
                if crew != actor.user_id:  # a supervisor sees the crew's times, not their pay
                    raise NotFound(f"Work shift #{shift_id} does not exist.")
            return _views(
                session,
                [row],
                row.shift_date,
                row.shift_date,
                self.clock.now(),
                None if rights else {actor.user_id},
            )[0]

    def own(self, actor: Actor) -> tuple[PayPeriod, ShiftView | None] | None:
        """The actor's own days of this month and the shift they are clocked in on, in one
        read (the home screen's panel); None, after one query, for someone not on the
        payroll (no pay terms and no shift)."""
        with self._read(actor) as session:
            me = actor.user_id
            on_payroll = (
                session.execute(
                    select(m.EmployeePay.id).where(m.EmployeePay.employee_id == me).limit(1)
                ).first()
                or session.execute(
                    select(m.WorkShift.id).where(m.WorkShift.employee_id == me).limit(1)
                ).first()
            )
            if not on_payroll:
                return None
            now = self.clock.now()
            first, last = _range(None, None, org_today(session, now))
            person = session.get(m.UserAccount, me)
            assert person is not None
            period = _period(session, person, first, last, now)
            row = _open_shift(session, me)
            running = None
            if row is not None:
                running = _views(session, [row], row.shift_date, row.shift_date, now, None)[0]
            return period, running

    def open_shift(self, actor: Actor) -> ShiftView | None:
        """The actor's shift clocked in and not out yet (the clock's state)."""
        with self._read(actor) as session:
            row = _open_shift(session, actor.user_id)
            if row is None:
                return None
            return _views(session, [row], row.shift_date, row.shift_date, self.clock.now(), None)[0]

    # --- terms --------------------------------------------------------------------------------

    def set_terms(
        self, actor: Actor, employee: str | int, form: TermsForm, *, version: int | None = None
    ) -> TermsView:
        """Save an employee's pay terms from a date on (the terms of that date are replaced,
        with ``version`` checked); the shifts from that date on, not transferred, are priced
        again and lose their approval where their pay changes.

        Raises:
            ValidationError: a wrong field; external while shifts remain from that date on.
            StaleEdit: the terms of that date were saved by someone since ``version``.
        """
        with self._write(actor, Perm.PAYROLL_RATES) as uow:
            session = uow.session
            person = r.find_employee(session, employee)
            assert person.id is not None
            _lock_employee(session, person.id)
            currency = org_currency(session)
            check = Form()
            start = check.date("effective_from", form.effective_from)
            external = yes_no(check, "external", form.external, False)
            rate = check.money("hourly_rate", form.hourly_rate, currency, required=not external)
            over = check.percent_bp("over_day", form.over_day, max_bp=100_000, required=False)
            outside = check.percent_bp(
                "outside_window", form.outside_window, max_bp=100_000, required=False
            )
            rates = clean_rates(session, check, "rates", form.rates, currency)
            note = check.text("note", form.note, required=False, max_length=2000) or ""
            if rate is not None and rate.cents < 0:
                check.add("hourly_rate", "cannot be negative")
            check.raise_if_any()
            assert start is not None
            if external:
                planned = session.execute(
                    select(m.WorkShift.shift_date)
                    .where(
                        m.WorkShift.employee_id == person.id,
                        m.WorkShift.shift_date >= start,
                        m.WorkShift.payroll_period_id.is_(None),  # type: ignore[union-attr]
                    )
                    .order_by(m.WorkShift.shift_date)
                    .limit(1)
                ).scalar_one_or_none()
                if planned is not None:
                    check.add(
                        "external",
                        f"{person.name} has shifts from {planned.isoformat()} on; an external is "
                        "paid through their subcontract: delete those shifts first",
                    )
            locked = _locked_until(session, person.id)
            if locked is not None and start <= locked:
                check.add(
                    "effective_from",
                    f"must be after {locked.isoformat()}: pay up to then is transferred to "
                    "accounting",
                )
            check.raise_if_any()
            row = session.execute(
                select(m.EmployeePay)
                .where(
                    m.EmployeePay.employee_id == person.id, m.EmployeePay.effective_from == start
                )
                .with_for_update()
            ).scalar_one_or_none()
            values = {
                "external": bool(external),
                "hourly_rate_cents": rate.cents if rate is not None else 0,
                "over_day_bp": over,
                "outside_window_bp": outside,
                "note": note,
            }
            if row is None:
                row = m.EmployeePay(
                    employee_id=person.id,
                    effective_from=start,
                    created_by_id=actor.user_id,
                    created_at=uow.now,
                    **values,
                )
                session.add(row)
                session.flush()
                before = None
            else:
                check_version(
                    session,
                    row,
                    version,
                    "employee_pay",
                    f"Pay terms of {person.name} from {start}",
                )
                before = row_dict(row)
                for name, value in values.items():
                    setattr(row, name, value)
                session.flush()
            assert row.id is not None
            if rates is not None:
                _store_type_rates(session, row.id, rates)
            uow.audit("employee_pay.save", "employee_pay", row.id, before, row_dict(row))
            _reprice_from(uow, person.id, start)
            return next(v for v in _terms_views(session, person.id) if v.id == row.id)

    # --- shifts -------------------------------------------------------------------------------

    def plan(self, actor: Actor, form: ShiftForm) -> PlanResult:
        """Plan shifts for one employee or a crew (``employees`` comma-separated) on every
        working day from ``shift_date`` to ``date_to``: weekdays of the working week that are
        not holidays and where the person has no shift on that project yet. Days already past
        take actual = planned (a schedule filled in afterwards).

        Raises:
            ValidationError: a wrong field, nobody to plan, a range over a year.
        """
        with self._write(actor, Perm.PAYROLL_SETTLE) as uow:
            session = uow.session
            org = organisation(session)
            today = org_today(session, uow.now)
            check = Form()
            first = check.date("shift_date", form.shift_date)
            last = check.date("date_to", form.date_to, required=False) or first
            if first is not None and last is not None:
                if last < first:
                    check.add("date_to", "must be on or after the first day")
                elif (last - first).days >= MAX_PLAN_DAYS:
                    check.add("date_to", f"must be within {MAX_PLAN_DAYS} days of the first day")
            people = _people(session, check, form.employees)
            values = _clean_shift(session, check, form, None, org)
            for name in ("planned_start", "planned_end"):
                if values.get(name) is None and name not in _bad(check):
                    check.add(name, "is required to plan")
            for name in ("actual_start", "actual_end"):
                if getattr(form, name).strip():
                    check.add(name, "is not planned: enter it on the day's shift")
            check.raise_if_any()
            assert first is not None and last is not None
            calendar = r.Calendar(session, first, last)
            book = r.TermsBook(session, [p.id for p in people if p.id is not None])
            created: list[m.WorkShift] = []
            skipped: list[tuple[str, date, str]] = []
            for person in people:
                assert person.id is not None
                _lock_employee(session, person.id)
                locked = _locked_until(session, person.id)
                taken = set(
                    session.execute(
                        select(m.WorkShift.shift_date).where(
                            m.WorkShift.employee_id == person.id,
                            m.WorkShift.project_id == values["project_id"],
                            m.WorkShift.shift_date.between(first, last),  # type: ignore[attr-defined]
                        )
                    ).scalars()
                )
                day = first
                while day <= last:
                    reason = calendar.day_off(day)
                    terms = book.on(person.id, day)
                    if reason:
                        skipped.append((person.name, day, reason))
                    elif day in taken:
                        skipped.append((person.name, day, "already planned on this project"))
                    elif locked is not None and day <= locked:
                        skipped.append((person.name, day, "pay transferred to accounting"))
                    elif terms is None:
                        skipped.append((person.name, day, "no pay rate on this day (HR tab)"))
                    elif terms.external:
                        skipped.append((person.name, day, "external: paid by subcontract"))
                    else:
                        created.append(_new_shift(uow, person.id, day, values, today))
                    day += timedelta(days=1)
            if not created:
                raise ValidationError(
                    [
                        Problem(
                            "shift_date",
                            "the range holds no working day left to plan"
                            + (f" ({skipped[0][2]}, ...)" if skipped else ""),
                        )
                    ]
                )
            _reprice_new(session, created)
            for row in created:
                uow.audit(
                    "work_shift.plan", "work_shift", row.id, None, row_dict(row),
                    owners=[row.employee_id],
                )  # fmt: skip
            return PlanResult(_views(session, created, first, last, uow.now, None), tuple(skipped))

    def add(self, actor: Actor, form: ShiftForm) -> ShiftView:
        """Enter one shift for one employee on one day (a day off too: it is marked). A shift
        of a day already past with no actual times takes actual = planned.

        Raises:
            ValidationError: a wrong field; no pay terms on that day; an external.
        """
        with self._write(actor, Perm.PAYROLL_SETTLE) as uow:
            session = uow.session
            org = organisation(session)
            today = org_today(session, uow.now)
            check = Form()
            day = check.date("shift_date", form.shift_date)
            people = _people(session, check, form.employees, single=True)
            values = _clean_shift(session, check, form, None, org)
            if (
                values.get("planned_start") is None
                and values.get("actual_start") is None
                and not {"planned_start", "actual_start"} & set(_bad(check))
            ):
                check.add("planned_start", "is required: a planned or an actual start")
            check.raise_if_any()
            assert day is not None and people
            if day > today and values.get("actual_start") is not None:
                check.add("actual_start", "cannot be on a day still to come")
                check.raise_if_any()
            person = people[0]
            assert person.id is not None
            _lock_employee(session, person.id)
            _refuse_unpayable(session, check, person, day)
            check.raise_if_any()
            row = _new_shift(uow, person.id, day, values, today)
            r.reprice(session, person.id, [day])
            uow.audit(
                "work_shift.add", "work_shift", row.id, None, row_dict(row), owners=[person.id]
            )
            return _views(session, [row], day, day, uow.now, None)[0]

    def edit(
        self, actor: Actor, shift_id: int, form: ShiftForm, *, version: int | None = None
    ) -> ShiftView:
        """Change a shift by hand, with the reason (kept on the shift and in the audit log
        with the before and after); its approval is withdrawn. Its date and person stay.

        Raises:
            ValidationError: a wrong field or no reason.
            StaleEdit: someone saved it since ``version``.
            LedgerError: its pay is transferred to accounting.
        """
        with self._write(actor, Perm.PAYROLL_SETTLE) as uow:
            session = uow.session
            row = _shift_for_write(session, shift_id)
            check = Form()
            reason = check.text("reason", form.reason, max_length=2000)
            typed = check.date("shift_date", form.shift_date, required=False)
            if typed is not None and typed != row.shift_date:
                check.add("shift_date", "stays: enter a new shift for another day")
            if form.employees.strip():
                try:
                    other = r.find_employee(session, form.employees)
                except NotFound as missing:
                    check.add("employees", str(missing))
                else:
                    if other.id != row.employee_id:
                        check.add("employees", "stays: enter a new shift for another person")
            values = _clean_shift(session, check, form, row, organisation(session))
            if (
                row.shift_date > org_today(session, uow.now)
                and values.get("actual_start", row.actual_start) is not None
            ):
                check.add("actual_start", "cannot be on a day still to come")
            check.raise_if_any()
            check_version(session, row, version, "work_shift", f"Work shift #{row.id}")
            before = row_dict(row)
            for name, value in values.items():
                setattr(row, name, value)
            row.note = reason or ""
            row.approved_by_id, row.approved_at = None, None
            return _repriced(uow, row, "work_shift.edit", before)

    def delete(
        self, actor: Actor, shift_id: int, reason: str, *, version: int | None = None
    ) -> None:
        """Remove a shift planned by mistake, with the reason (audited).

        Raises:
            ValidationError: no reason.
            LedgerError: its pay is transferred to accounting.
        """
        with self._write(actor, Perm.PAYROLL_SETTLE) as uow:
            session = uow.session
            row = _shift_for_write(session, shift_id)
            check = Form()
            why = check.text("reason", reason, max_length=2000)
            check.raise_if_any()
            check_version(session, row, version, "work_shift", f"Work shift #{row.id}")
            before = row_dict(row)
            day, employee = row.shift_date, row.employee_id
            session.delete(row)
            session.flush()
            r.reprice(session, employee, [day])
            uow.audit(
                "work_shift.delete", "work_shift", shift_id, before, {"reason": why},
                owners=[employee],
            )  # fmt: skip

    # --- the clock ----------------------------------------------------------------------------

    def clock_in(self, actor: Actor, project: str, work_type: str = "") -> ShiftView:
        """Start one's working day now on a project: today's planned shift there, or a new
        unplanned one (marked).

        Raises:
            ValidationError: no project, a project not known, no pay terms for today.
            IllegalTransition: clocked in already.
        """
        with self._write(actor) as uow:
            session = uow.session
            _lock_employee(session, actor.user_id)
            org = organisation(session)
            local = local_time(uow.now, org.timezone)
            today, minute = local.date(), local.hour * 60 + local.minute
            running = _open_shift(session, actor.user_id)
            if running is not None:
                raise IllegalTransition(
                    "work shift",
                    "running",
                    "clock in to",
                    f"you clocked in at {time_text(running.actual_start)} on "
                    f"{running.shift_date.isoformat()}; clock out first",
                )
            check = Form()
            if not project.strip():
                check.add("project", "is required: the project you work on")
                check.raise_if_any()
            try:
                found = pf.find_project(session, true(), project)
            except NotFound as missing:
                check.add("project", str(missing))
                check.raise_if_any()
                raise
            type_id = work_type_id(session, check, "work_type", work_type) if work_type else None
            person = session.get(m.UserAccount, actor.user_id)
            assert person is not None
            _refuse_unpayable(session, check, person, today)
            check.raise_if_any()
            planned = (
                session.execute(
                    select(m.WorkShift)
                    .where(
                        m.WorkShift.employee_id == actor.user_id,
                        m.WorkShift.shift_date == today,
                        m.WorkShift.project_id == found.id,
                        m.WorkShift.actual_start.is_(None),  # type: ignore[union-attr]
                    )
                    .order_by(m.WorkShift.planned_start, m.WorkShift.id)
                    .with_for_update()
                )
                .scalars()
                .first()
            )
            if planned is None:
                row = m.WorkShift(
                    employee_id=actor.user_id,
                    project_id=found.id,
                    work_type_id=type_id,
                    shift_date=today,
                    actual_start=minute,
                    lunch_minutes=org.default_lunch_minutes,
                    created_by_id=actor.user_id,
                    created_at=uow.now,
                )
                session.add(row)
                session.flush()
                before = None
            else:
                row = planned
                before = row_dict(row)
                row.actual_start = minute
                if type_id is not None:
                    row.work_type_id = type_id
                row.version += 1
                session.flush()
            uow.audit(
                "work_shift.clock_in", "work_shift", row.id, before, row_dict(row),
                owners=[actor.user_id],
            )  # fmt: skip
            return _views(session, [row], today, today, uow.now, None)[0]

    def clock_out(self, actor: Actor) -> ShiftView:
        """End one's running shift now (past midnight it ends the next morning).

        Raises:
            IllegalTransition: not clocked in, or clocked in over 24 hours ago.
        """
        with self._write(actor) as uow:
            session = uow.session
            _lock_employee(session, actor.user_id)
            org = organisation(session)
            row = _open_shift(session, actor.user_id)
            if row is None:
                raise IllegalTransition(
                    "work shift", "not running", "clock out of", "you are not clocked in"
                )
            assert row.actual_start is not None
            local = local_time(uow.now, org.timezone)
            end = (local.date() - row.shift_date).days * MINUTES_PER_DAY + (
                local.hour * 60 + local.minute
            )
            if end - row.actual_start > MINUTES_PER_DAY:
                raise IllegalTransition(
                    "work shift",
                    "running for over 24 hours",
                    "clock out of",
                    f"the shift of {row.shift_date.isoformat()} was never ended; ask the "
                    "office to enter its end",
                )
            before = row_dict(row)
            row.actual_end = max(end, row.actual_start + 1)
            if row.lunch_minutes >= row.actual_end - row.actual_start:
                row.lunch_minutes = 0  # a short shift has no lunch break
            row.version += 1
            return _repriced(uow, row, "work_shift.clock_out", before)

    # --- batch fill and approval -------------------------------------------------------------

    def fill(
        self,
        actor: Actor,
        mode: str,
        date_from: str | date,
        date_to: str | date,
        *,
        employee: str = "",
        shift_ids: Sequence[int] | None = None,
        dry_run: bool = False,
    ) -> FillResult:
        """Fill the blanks of past shifts from their plan, the seed's batch method:

        * ``end``: the end as planned where a start exists and the end is missing or more
          than 15 minutes later than planned;
        * ``both``: start and end as planned where both are missing.

        Only shifts whose planned end has passed, not approved and not transferred; each
        change is audited with the before and after. ``dry_run`` writes nothing and shows
        exactly what would be written; ``shift_ids`` (a dry run's) limits the fill to those
        shifts, so what is confirmed is what is written.
        """
        with self._write(actor, Perm.PAYROLL_SETTLE, dry_run=dry_run) as uow:
            session = uow.session
            check = Form()
            chosen = check.choice("mode", mode, FILL_MODES)
            first = check.date("date_from", date_from)
            last = check.date("date_to", date_to)
            _check_span(check, first, last)
            check.raise_if_any()
            assert first is not None and last is not None
            org = organisation(session)
            now = r.now_minute(uow.now, org.timezone)
            query = select(m.WorkShift).where(
                m.WorkShift.shift_date.between(first, last),  # type: ignore[attr-defined]
                m.WorkShift.payroll_period_id.is_(None),  # type: ignore[union-attr]
                m.WorkShift.approved_at.is_(None),  # type: ignore[union-attr]
                m.WorkShift.planned_start.is_not(None),  # type: ignore[union-attr]
                m.WorkShift.planned_end.is_not(None),  # type: ignore[union-attr]
            )
            if employee.strip():
                person = r.find_employee(session, employee)
                query = query.where(m.WorkShift.employee_id == person.id)
            if shift_ids is not None:
                query = query.where(m.WorkShift.id.in_(list(shift_ids)))  # type: ignore[union-attr]
            if chosen == FILL_END:
                query = query.where(m.WorkShift.actual_start.is_not(None))  # type: ignore[union-attr]
            else:
                query = query.where(
                    m.WorkShift.actual_start.is_(None),  # type: ignore[union-attr]
                    m.WorkShift.actual_end.is_(None),  # type: ignore[union-attr]
                )
            rows = list(
                session.execute(
                    query.order_by(
                        m.WorkShift.employee_id, m.WorkShift.shift_date, m.WorkShift.id
                    ).with_for_update()
                ).scalars()
            )
            changes: list[tuple[m.WorkShift, str, str]] = []
            olds: dict[int, dict[str, Any]] = {}
            for row in rows:
                assert row.planned_start is not None and row.planned_end is not None
                if row.shift_date.toordinal() * MINUTES_PER_DAY + row.planned_end > now:
                    continue  # the planned end is still to come
                before_text = range_text(row.actual_start, row.actual_end) or "-"
                olds[int(row.id or 0)] = row_dict(row)
                if chosen == FILL_END:
                    assert row.actual_start is not None
                    late = row.actual_end is None or row.actual_end > row.planned_end + 15
                    if not late or row.planned_end <= row.actual_start:
                        continue
                    row.actual_end = row.planned_end
                else:
                    row.actual_start, row.actual_end = row.planned_start, row.planned_end
                if row.lunch_minutes >= row.actual_end - (row.actual_start or 0):
                    continue
                changes.append((row, before_text, range_text(row.actual_start, row.actual_end)))
            names = _names(session, {c[0].employee_id for c in changes})
            projects = _project_names(session, {c[0].project_id for c in changes})
            days: dict[int, set[date]] = defaultdict(set)
            for row, _before, _after in changes:
                _lock_employee(session, row.employee_id)
                row.version += 1
                row.note = (
                    f"batch fill ({'end' if chosen == FILL_END else 'start and end'} as planned)"
                )
                days[row.employee_id].add(row.shift_date)
            session.flush()
            for employee_id, dates in days.items():
                r.reprice(session, employee_id, dates)
            for row, _before_text, _after_text in changes:
                uow.audit(
                    "work_shift.fill", "work_shift", row.id, olds[int(row.id or 0)],
                    row_dict(row), owners=[row.employee_id],
                )  # fmt: skip
            assert chosen is not None
            return FillResult(
                chosen,
                tuple(
                    FillChange(
                        int(row.id or 0),
                        names.get(row.employee_id, ""),
                        row.shift_date,
                        projects.get(row.project_id, ""),
                        before_text,
                        after_text,
                    )
                    for row, before_text, after_text in changes
                ),
                dry_run,
            )

    def approve(
        self,
        actor: Actor,
        shift_ids: Sequence[int] = (),
        *,
        employee: str = "",
        date_from: str | date | None = None,
        date_to: str | date | None = None,
        accept_irregular: bool = False,
    ) -> ApproveResult:
        """Approve days: the shifts named, or every settled day of an employee in a period.
        An irregular day is approved only when named and ``accept_irregular`` (its marks are
        then accepted as they are); unsettled days never.

        Raises:
            ValidationError: nothing named.
        """
        with self._write(actor, Perm.PAYROLL_SETTLE) as uow:
            session = uow.session
            org = organisation(session)
            if shift_ids:
                rows = [_shift_to_approve(session, int(i)) for i in dict.fromkeys(shift_ids)]
                named = True
            else:
                if not employee.strip():
                    raise ValidationError(
                        [Problem("employee", "is required: whose days to approve")]
                    )
                today = org_today(session, uow.now)
                first, last = _range(date_from, date_to, today)
                person = r.find_employee(session, employee)
                _lock_employee(session, int(person.id or 0))
                rows = list(
                    session.execute(
                        select(m.WorkShift)
                        .where(
                            m.WorkShift.employee_id == person.id,
                            m.WorkShift.shift_date.between(first, last),  # type: ignore[attr-defined]
                            m.WorkShift.payroll_period_id.is_(None),  # type: ignore[union-attr]
                        )
                        .order_by(m.WorkShift.shift_date, m.WorkShift.id)
                        .with_for_update()
                    ).scalars()
                )
                named = False
            if not rows:
                return ApproveResult((), ())
            first = min(x.shift_date for x in rows)
            last = max(x.shift_date for x in rows)
            calendar = r.Calendar(session, first, last)
            near = r.neighbours_of(session, {x.employee_id for x in rows}, first, last)
            marks = r.marks(rows, near, r.now_minute(uow.now, org.timezone), calendar)
            done: list[m.WorkShift] = []
            skipped: list[tuple[m.WorkShift, str]] = []
            for row in rows:
                assert row.id is not None
                if row.payroll_period_id is not None:
                    skipped.append((row, "transferred to accounting"))
                elif row.pay_cents is None:
                    skipped.append((row, "not settled: no actual start or end"))
                elif row.approved_at is not None:
                    skipped.append((row, "approved already"))
                elif marks[row.id] and not (named and accept_irregular):
                    skipped.append((row, "irregular: " + "; ".join(marks[row.id])))
                else:
                    before = row_dict(row)
                    row.approved_by_id, row.approved_at = actor.user_id, uow.now
                    row.version += 1
                    done.append(row)
                    session.flush()
                    uow.audit(
                        "work_shift.approve", "work_shift", row.id, before, row_dict(row),
                        owners=[row.employee_id],
                    )  # fmt: skip
            views = {v.id: v for v in _views(session, rows, first, last, uow.now, None)}
            return ApproveResult(
                tuple(views[int(x.id or 0)] for x in done),
                tuple((views[int(x.id or 0)], why) for x, why in skipped),
            )

    # --- transfer to accounting --------------------------------------------------------------

    def transfer(
        self,
        actor: Actor,
        date_from: str | date,
        date_to: str | date,
        *,
        employee: str = "",
        dry_run: bool = False,
    ) -> TransferResult:
        """Transfer a period's pay to accounting, for one employee or everyone with shifts in
        it: refused, with the list, while a day is unsettled, irregular or not approved, or
        when the period overlaps one transferred before. Each employee's period is stored with
        its totals and its shifts are frozen by the database from then on.

        Raises:
            ValidationError: the days that stand in the way, or wrong dates.
        """
        with self._write(actor, Perm.PAYROLL_TRANSFER, dry_run=dry_run) as uow:
            session = uow.session
            check = Form()
            first = check.date("date_from", date_from)
            last = check.date("date_to", date_to)
            if first is not None and last is not None:
                if last < first:
                    check.add("date_to", "must be on or after the first day")
                elif (last - first).days >= MAX_PERIOD_DAYS:
                    check.add("date_to", f"must be within {MAX_PERIOD_DAYS} days of the first day")
            check.raise_if_any()
            assert first is not None and last is not None
            today = org_today(session, uow.now)
            if last >= today:
                check.add("date_to", "must be a day already past: today's work is not over")
                check.raise_if_any()
            if employee.strip():
                person = r.find_employee(session, employee)
                ids = [int(person.id or 0)]
            else:
                ids = _employees_with_shifts(session, first, last)
            for ident in ids:
                _lock_employee(session, ident)
            people = {
                p.id: p
                for chunk in chunks(ids, 900)
                for p in session.execute(
                    select(m.UserAccount).where(m.UserAccount.id.in_(chunk))  # type: ignore[union-attr]
                ).scalars()
            }
            periods = _periods(session, [people[i] for i in ids], first, last, uow.now)
            problems: list[str] = []
            for pay in periods:
                overlap = _overlapping_period(session, pay.employee_id, first, last)
                if overlap is not None:
                    problems.append(
                        f"{pay.employee}: overlaps the period {overlap[0].isoformat()} to "
                        f"{overlap[1].isoformat()} transferred before"
                    )
                for shift in pay.shifts:
                    if shift.transferred:
                        continue
                    reasons = []
                    if not shift.settled:
                        reasons.append("not settled (no actual end)")
                    elif not shift.approved:
                        reasons.extend(shift.irregular)
                        reasons.append("not approved")
                    if reasons:
                        problems.append(
                            f"{pay.employee} {shift.shift_date.isoformat()} ({shift.project}): "
                            + "; ".join(reasons)
                        )
            if not any(p.shifts for p in periods):
                problems.append("no work shifts in the period")
            if problems:  # every day, so each face can list and count them (the TUI scrolls)
                raise ValidationError(
                    [Problem("period", line) for line in problems],
                    title="Not ready for accounting",
                )
            currency = org_currency(session)
            lines: list[TransferLine] = []
            for pay in periods:
                if not pay.shifts:
                    continue
                shifts = list(
                    session.execute(
                        select(m.WorkShift)
                        .where(
                            m.WorkShift.employee_id == pay.employee_id,
                            m.WorkShift.shift_date.between(first, last),  # type: ignore[attr-defined]
                        )
                        .with_for_update()
                    ).scalars()
                )
                period = m.PayrollPeriod(
                    employee_id=pay.employee_id,
                    period_start=first,
                    period_end=last,
                    shift_count=len(shifts),
                    standard_minutes=sum(s.standard_minutes for s in shifts),
                    over_day_minutes=sum(s.over_day_minutes for s in shifts),
                    outside_window_minutes=sum(s.outside_window_minutes for s in shifts),
                    total_cents=sum(s.pay_cents or 0 for s in shifts),
                    transferred_at=uow.now,
                    transferred_by_id=actor.user_id,
                )
                session.add(period)
                session.flush()
                for shift_row in shifts:
                    shift_row.payroll_period_id = period.id
                session.flush()
                uow.audit(
                    "payroll.transfer", "payroll_period", period.id, None,
                    {**row_dict(period), "shifts": sorted(int(s.id or 0) for s in shifts)},
                    owners=[pay.employee_id],
                )  # fmt: skip
                lines.append(
                    TransferLine(
                        pay.employee_id,
                        pay.employee,
                        len(shifts),
                        period.standard_minutes
                        + period.over_day_minutes
                        + period.outside_window_minutes,
                        Money(period.total_cents, currency),
                    )
                )
            total = Money(sum(x.total.cents for x in lines), currency)
            return TransferResult(first, last, tuple(lines), total, dry_run)

    # --- export -------------------------------------------------------------------------------

    def export(
        self,
        actor: Actor,
        fmt: str,
        out: Path,
        date_from: str | date,
        date_to: str | date,
        *,
        employee: str = "",
        progress: Progress | None = None,
    ) -> Path:
        """Write the period's remuneration for the accounting program: one row per employee
        per day (settled days), with the minutes and money of each rate; the XLSX has a
        second sheet of totals per employee, the CSV a totals row.

        Raises:
            ValidationError: a wrong format or dates.
        """
        with self._read(actor, Perm.PAYROLL_EXPORT) as session:
            kind = export_format(fmt)
            check = Form()
            first = check.date("date_from", date_from)
            last = check.date("date_to", date_to)
            _check_span(check, first, last)
            check.raise_if_any()
            assert first is not None and last is not None
            person_id = None
            if employee.strip():
                person_id = int(r.find_employee(session, employee).id or 0)
            currency = org_currency(session)
            days, totals = _pay_tables(session, first, last, person_id, currency)
            return write_table(days, kind, out, progress, extra=(totals,))


# ==============================================================================================
# Helpers
# ==============================================================================================


def _range(
    date_from: str | date | None, date_to: str | date | None, today: date
) -> tuple[date, date]:
    """A period typed as two dates (default: this month)."""
    check = Form()
    first = check.date("date_from", date_from, required=False) if date_from else None
    last = check.date("date_to", date_to, required=False) if date_to else None
    check.raise_if_any()
    if first is None:
        first = today.replace(day=1) if last is None else last.replace(day=1)
    if last is None:
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = following - timedelta(days=1)
    if last < first:
        check.add("date_to", "must be on or after the first day")
    elif (last - first).days >= MAX_PERIOD_DAYS:
        check.add("date_to", f"must be within {MAX_PERIOD_DAYS} days of the first day")
    check.raise_if_any()
    return first, last


def _check_span(check: Form, first: date | None, last: date | None) -> None:
    if first is not None and last is not None:
        if last < first:
            check.add("date_to", "must be on or after the first day")
        elif (last - first).days >= MAX_PERIOD_DAYS:
            check.add("date_to", f"must be within {MAX_PERIOD_DAYS} days of the first day")


def _require_any_pay_right(session: Session, actor: Actor) -> None:
    if not r.granted(session, actor):
        raise PermissionDenied(
            "Your role may not see others' pay. An administrator can change this under Permissions."
        )


def _may_see_pay(session: Session, actor: Actor, employee_id: int | None) -> None:
    if employee_id != actor.user_id:
        _require_any_pay_right(session, actor)


def _lock_employee(session: Session, employee_id: int) -> None:
    """Every write of an employee's shifts locks the person first: a transfer and a new shift
    of the same person never interleave."""
    session.execute(
        select(m.UserAccount.id).where(m.UserAccount.id == employee_id).with_for_update()
    ).first()


def _locked_until(session: Session, employee_id: int) -> date | None:
    """The last day of the employee's latest transferred period."""
    return session.execute(
        select(m.PayrollPeriod.period_end)
        .where(m.PayrollPeriod.employee_id == employee_id)
        .order_by(m.PayrollPeriod.period_end.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).scalar_one_or_none()


def _overlapping_period(
    session: Session, employee_id: int, first: date, last: date
) -> tuple[date, date] | None:
    found = session.execute(
        select(m.PayrollPeriod.period_start, m.PayrollPeriod.period_end)
        .where(
            m.PayrollPeriod.employee_id == employee_id,
            m.PayrollPeriod.period_start <= last,
            m.PayrollPeriod.period_end >= first,
        )
        .limit(1)
    ).first()
    return (found[0], found[1]) if found else None


def _employees_with_shifts(session: Session, first: date, last: date) -> list[int]:
    return sorted(
        int(i)
        for i in session.execute(
            select(m.WorkShift.employee_id)
            .where(m.WorkShift.shift_date.between(first, last))  # type: ignore[attr-defined]
            .distinct()
        ).scalars()
    )


def _open_shift(session: Session, employee_id: int) -> m.WorkShift | None:
    return (
        session.execute(
            select(m.WorkShift)
            .where(
                m.WorkShift.employee_id == employee_id,
                m.WorkShift.actual_start.is_not(None),  # type: ignore[union-attr]
                m.WorkShift.actual_end.is_(None),  # type: ignore[union-attr]
                m.WorkShift.payroll_period_id.is_(None),  # type: ignore[union-attr]
            )
            .order_by(m.WorkShift.shift_date.desc(), m.WorkShift.id.desc())  # type: ignore[attr-defined, union-attr]
            .limit(1)
        )
        .scalars()
        .first()
    )


def _shift_to_approve(session: Session, shift_id: int) -> m.WorkShift:
    """A shift named for approval, locked (a transferred one is reported, not refused)."""
    row = session.get(m.WorkShift, shift_id)
    if row is None:
        raise NotFound(f"Work shift #{shift_id} does not exist.")
    _lock_employee(session, row.employee_id)
    session.refresh(row, with_for_update=row.payroll_period_id is None)
    return row


def _shift_for_write(session: Session, shift_id: int) -> m.WorkShift:
    row = session.get(m.WorkShift, shift_id)
    if row is None:
        raise NotFound(f"Work shift #{shift_id} does not exist.")
    _lock_employee(session, row.employee_id)
    session.refresh(row, with_for_update=True)
    if row.payroll_period_id is not None:
        raise IllegalTransition(
            "work shift",
            "transferred to accounting",
            "change",
            "settlement is possible only until the pay is transferred",
        )
    return row


def _people(
    session: Session, check: Form, text: str, *, single: bool = False
) -> list[m.UserAccount]:
    names = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not names:
        check.add("employees", "is required: who works the shift")
        return []
    if single and len(names) > 1:
        check.add("employees", "names one person here")
        return []
    found: dict[int, m.UserAccount] = {}
    for name in names:
        try:
            person = r.find_employee(session, name)
        except NotFound as missing:
            check.add("employees", str(missing))
            continue
        if not person.is_active:
            check.add("employees", f"{person.name} is no longer active")
            continue
        found[int(person.id or 0)] = person
    return list(found.values())


def _refuse_unpayable(session: Session, check: Form, person: m.UserAccount, day: date) -> None:
    assert person.id is not None
    terms = r.TermsBook(session, [person.id]).on(person.id, day)
    if terms is None:
        check.add(
            "employees",
            f"{person.name} has no pay rate on {day.isoformat()}: set it on the HR tab first",
        )
    elif terms.external:
        check.add(
            "employees",
            f"{person.name} is external on {day.isoformat()}: paid through their subcontract",
        )
    if _overlapping_period(session, person.id, day, day):
        check.add(
            "shift_date",
            f"{day.isoformat()} is in a period transferred to accounting; no shift can be "
            "added to it",
        )


def _clock_or_blank(
    check: Form, field: str, text: str, existing: int | None, editing: bool
) -> int | None:
    """Minutes typed as a clock time: blank keeps (an edit) or leaves empty; "-" empties (an
    edit)."""
    cleaned = (text or "").strip()
    if not cleaned:
        return existing
    if cleaned == "-":
        if not editing:
            check.add(field, "use '-' only to empty a time of a shift being edited")
        return None
    return check.clock(field, cleaned)


def _clean_shift(
    session: Session,
    check: Form,
    form: ShiftForm,
    existing: m.WorkShift | None,
    org: m.Organisation,
) -> dict[str, Any]:
    """The column values of a shift form (an edit: only what changes, blanks keep)."""
    editing = existing is not None
    values: dict[str, Any] = {}
    if form.project.strip():
        try:
            values["project_id"] = pf.find_project(session, true(), form.project).id
        except NotFound as missing:
            check.add("project", str(missing))
    elif not editing:
        check.add("project", "is required")
    if form.work_type.strip():
        if form.work_type.strip() == "-":
            values["work_type_id"] = None
        else:
            values["work_type_id"] = work_type_id(session, check, "work_type", form.work_type)
    pairs = {}
    for prefix in ("planned", "actual"):
        start_field, end_field = f"{prefix}_start", f"{prefix}_end"
        old_start = getattr(existing, start_field) if existing else None
        old_end = getattr(existing, end_field) if existing else None
        start = _clock_or_blank(check, start_field, getattr(form, start_field), old_start, editing)
        end = _clock_or_blank(check, end_field, getattr(form, end_field), old_end, editing)
        if start is not None and end is not None and end <= start:
            end += MINUTES_PER_DAY  # over midnight: it ends the next morning
        if end is not None and start is None:
            check.add(start_field, "is required with an end")
        if start_field in _bad(check) or end_field in _bad(check):
            continue
        values[start_field], values[end_field] = start, end
        pairs[prefix] = (start, end)
    if form.lunch.strip():
        values["lunch_minutes"] = check.int_range("lunch", form.lunch, 0, MAX_LUNCH_MINUTES)
    elif not editing:
        values["lunch_minutes"] = org.default_lunch_minutes
    lunch = values.get("lunch_minutes", existing.lunch_minutes if existing else 0)
    if lunch is not None:
        for prefix, (start, end) in pairs.items():
            if start is not None and end is not None and lunch >= end - start:
                check.add("lunch", f"must be shorter than the {prefix} work ({end - start} min)")
    custom = yes_no(
        check, "custom_rates", form.custom_rates, existing.custom_rates if existing else False
    )
    if custom is not None:
        values["custom_rates"] = custom
        if custom:
            over = check.percent_bp("over_day", form.over_day, max_bp=100_000, required=not editing)
            outside = check.percent_bp(
                "outside_window", form.outside_window, max_bp=100_000, required=not editing
            )
            values["over_day_bp"] = (
                over if over is not None else (existing.over_day_bp if existing else None)
            )
            values["outside_window_bp"] = (
                outside
                if outside is not None
                else (existing.outside_window_bp if existing else None)
            )
            if values["over_day_bp"] is None and "over_day" not in _bad(check):
                check.add("over_day", "is required with own % rates")
            if values["outside_window_bp"] is None and "outside_window" not in _bad(check):
                check.add("outside_window", "is required with own % rates")
        else:
            for name in ("over_day", "outside_window"):
                if getattr(form, name).strip():
                    check.add(name, "is used only with own % rates (custom rates: yes)")
            values["over_day_bp"] = values["outside_window_bp"] = None
    return values


def _new_shift(
    uow: Any, employee_id: int, day: date, values: dict[str, Any], today: date
) -> m.WorkShift:
    fields = dict(values)
    if (
        day < today
        and fields.get("actual_start") is None
        and fields.get("actual_end") is None
        and fields.get("planned_start") is not None
    ):
        # entered afterwards: the day is settled as planned (the seed's method III)
        fields["actual_start"], fields["actual_end"] = (
            fields["planned_start"],
            fields["planned_end"],
        )
    row = m.WorkShift(
        employee_id=employee_id,
        shift_date=day,
        created_by_id=uow.actor.user_id if uow.actor else 0,
        created_at=uow.now,
        **fields,
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def _repriced(uow: Any, row: m.WorkShift, action: str, before: dict[str, Any]) -> ShiftView:
    """Price the shift's day again after ``row`` changed, audit it, and its view."""
    session = uow.session
    session.flush()
    r.reprice(session, row.employee_id, [row.shift_date])
    uow.audit(action, "work_shift", row.id, before, row_dict(row), owners=[row.employee_id])
    return _views(session, [row], row.shift_date, row.shift_date, uow.now, None)[0]


def _reprice_new(session: Session, created: Sequence[m.WorkShift]) -> None:
    days: dict[int, set[date]] = defaultdict(set)
    for row in created:
        days[row.employee_id].add(row.shift_date)
    for employee_id, dates in days.items():
        r.reprice(session, employee_id, dates)


def _reprice_from(uow: Any, employee_id: int, start: date) -> None:
    """Price again the employee's shifts from ``start`` on (not transferred); a shift whose
    pay changes loses its approval."""
    session = uow.session
    rows = list(
        session.execute(
            select(m.WorkShift).where(
                m.WorkShift.employee_id == employee_id,
                m.WorkShift.shift_date >= start,
                m.WorkShift.payroll_period_id.is_(None),  # type: ignore[union-attr]
            )
        ).scalars()
    )
    if not rows:
        return
    before = {int(x.id or 0): (x.pay_cents, row_dict(x)) for x in rows}
    r.reprice(session, employee_id, {x.shift_date for x in rows})
    for row in rows:
        old_pay, old = before[int(row.id or 0)]
        if row.pay_cents != old_pay:
            if row.approved_at is not None:
                row.approved_by_id, row.approved_at = None, None
            row.version += 1
            session.flush()
            uow.audit(
                "work_shift.reprice", "work_shift", row.id, old, row_dict(row),
                owners=[employee_id],
            )  # fmt: skip


def _store_type_rates(session: Session, pay_id: int, rates: dict[int, int]) -> None:
    store_type_rates(
        session,
        session.execute(
            select(m.EmployeePayRate).where(m.EmployeePayRate.pay_id == pay_id)
        ).scalars(),
        rates,
        lambda type_id, cents: m.EmployeePayRate(
            pay_id=pay_id, work_type_id=type_id, hourly_rate_cents=cents
        ),
    )


def _terms_views(session: Session, employee_id: int) -> tuple[TermsView, ...]:
    currency = org_currency(session)
    rows = list(
        session.execute(
            select(m.EmployeePay)
            .where(m.EmployeePay.employee_id == employee_id)
            .order_by(m.EmployeePay.effective_from.desc())  # type: ignore[attr-defined]
        ).scalars()
    )
    rates: dict[int, list[tuple[str, Money]]] = defaultdict(list)
    for pay_id, name, cents in session.execute(
        select(m.EmployeePayRate.pay_id, m.WorkType.name, m.EmployeePayRate.hourly_rate_cents)
        .join(m.WorkType, m.WorkType.id == m.EmployeePayRate.work_type_id)
        .where(m.EmployeePayRate.pay_id.in_([x.id for x in rows]))  # type: ignore[attr-defined]
        .order_by(m.WorkType.name)
    ).all():
        rates[int(pay_id)].append((str(name), Money(int(cents), currency)))
    return tuple(
        TermsView(
            int(x.id or 0),
            x.version,
            x.employee_id,
            x.effective_from,
            x.external,
            Money(x.hourly_rate_cents, currency),
            x.over_day_bp,
            x.outside_window_bp,
            tuple(rates.get(int(x.id or 0), [])),
            x.note,
        )
        for x in rows
    )


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in chunks(sorted(ids), 900):
        found.update(
            (int(i), str(n))
            for i, n in session.execute(
                select(m.UserAccount.id, m.UserAccount.name).where(
                    m.UserAccount.id.in_(chunk)  # type: ignore[union-attr]
                )
            ).all()
        )
    return found


def _project_names(session: Session, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in chunks(sorted(ids), 900):
        found.update(
            (int(i), f"{c} {n}".strip())
            for i, c, n in session.execute(
                select(m.Project.id, m.Project.code, m.Project.name).where(
                    m.Project.id.in_(chunk)  # type: ignore[union-attr]
                )
            ).all()
        )
    return found


def _work_type_names(session: Session) -> dict[int, str]:
    return {
        int(i): str(n) for i, n in session.execute(select(m.WorkType.id, m.WorkType.name)).all()
    }


def _views(
    session: Session,
    rows: Sequence[m.WorkShift],
    first: date,
    last: date,
    now: Any,
    shown_pay: set[int] | None,
) -> tuple[ShiftView, ...]:
    """The views of ``rows``; pay only of the people in ``shown_pay`` (None: everyone's)."""
    if not rows:
        return ()
    org = organisation(session)
    currency = org.currency
    first = min(first, *(x.shift_date for x in rows))
    last = max(last, *(x.shift_date for x in rows))
    calendar = r.Calendar(session, first, last)
    near = r.neighbours_of(session, {x.employee_id for x in rows}, first, last)
    marks = r.marks(rows, near, r.now_minute(now, org.timezone), calendar)
    names = _names(
        session,
        {x.employee_id for x in rows} | {x.approved_by_id for x in rows if x.approved_by_id},
    )
    projects = _project_names(session, {x.project_id for x in rows})
    types = _work_type_names(session)
    return tuple(
        _view(x, names, projects, types, marks, calendar, currency, shown_pay) for x in rows
    )


def _view(
    x: m.WorkShift,
    names: dict[int, str],
    projects: dict[int, str],
    types: dict[int, str],
    marks: dict[int, tuple[str, ...]],
    calendar: r.Calendar,
    currency: str,
    shown_pay: set[int] | None,
) -> ShiftView:
    assert x.id is not None
    visible = shown_pay is None or x.employee_id in shown_pay
    settled = x.pay_cents is not None
    buckets: tuple[Bucket, ...] = ()
    if settled and visible and x.rate_cents is not None:
        buckets = tuple(
            Bucket(
                name,
                minutes,
                bp,
                Money(divide_to_int(x.rate_cents * (10_000 + bp), 10_000, HALF_UP), currency),
                Money(cents, currency),
            )
            for name, minutes, bp, cents in (
                ("standard", x.standard_minutes, 0, x.standard_cents),
                (
                    "over the day length",
                    x.over_day_minutes,
                    x.rate_over_day_bp or 0,
                    x.over_day_cents,
                ),
                (
                    "outside the window",
                    x.outside_window_minutes,
                    x.rate_outside_bp or 0,
                    x.outside_cents,
                ),
            )
            if minutes
        )
    return ShiftView(
        id=x.id,
        version=x.version,
        employee_id=x.employee_id,
        employee=names.get(x.employee_id, ""),
        project_id=x.project_id,
        project=projects.get(x.project_id, ""),
        work_type=types.get(x.work_type_id, "") if x.work_type_id else "",
        shift_date=x.shift_date,
        planned_start=x.planned_start,
        planned_end=x.planned_end,
        actual_start=x.actual_start,
        actual_end=x.actual_end,
        lunch_minutes=x.lunch_minutes,
        custom_rates=x.custom_rates,
        over_day_bp=x.over_day_bp,
        outside_window_bp=x.outside_window_bp,
        settled=settled,
        pay=Money(x.pay_cents, currency)
        if settled and visible and x.pay_cents is not None
        else None,
        buckets=buckets,
        rate=Money(x.rate_cents, currency) if visible and x.rate_cents is not None else None,
        window_start=x.window_start,
        window_end=x.window_end,
        day_length=x.day_length,
        day_off=calendar.day_off(x.shift_date),
        irregular=marks.get(x.id, ()),
        approved=x.approved_at is not None or x.payroll_period_id is not None,
        approved_by=names.get(x.approved_by_id, "") if x.approved_by_id else "",
        transferred=x.payroll_period_id is not None,
        note=x.note,
    )


def _period(
    session: Session, person: m.UserAccount, first: date, last: date, now: Any
) -> PayPeriod:
    return _periods(session, [person], first, last, now)[0]


def _periods(
    session: Session, people: Sequence[m.UserAccount], first: date, last: date, now: Any
) -> tuple[PayPeriod, ...]:
    currency = org_currency(session)
    ids = [int(p.id or 0) for p in people]
    rows: list[m.WorkShift] = []
    for chunk in chunks(ids, 900):
        rows.extend(
            session.execute(
                select(m.WorkShift)
                .where(
                    m.WorkShift.employee_id.in_(chunk),  # type: ignore[attr-defined]
                    m.WorkShift.shift_date.between(first, last),  # type: ignore[attr-defined]
                )
                .order_by(
                    m.WorkShift.employee_id,
                    m.WorkShift.shift_date,
                    m.WorkShift.actual_start,
                    m.WorkShift.id,
                )
            ).scalars()
        )
    views = _views(session, rows, first, last, now, None) if rows else ()
    by_person: dict[int, list[ShiftView]] = defaultdict(list)
    for view in views:
        by_person[view.employee_id].append(view)
    transferred: dict[int, list[tuple[date, date, Money]]] = defaultdict(list)
    for chunk in chunks(ids, 900):
        for emp, start, end, total in session.execute(
            select(
                m.PayrollPeriod.employee_id,
                m.PayrollPeriod.period_start,
                m.PayrollPeriod.period_end,
                m.PayrollPeriod.total_cents,
            )
            .where(
                m.PayrollPeriod.employee_id.in_(chunk),  # type: ignore[attr-defined]
                m.PayrollPeriod.period_start <= last,
                m.PayrollPeriod.period_end >= first,
            )
            .order_by(m.PayrollPeriod.period_start)
        ).all():
            transferred[int(emp)].append((start, end, Money(int(total), currency)))
    raw = {int(x.id or 0): x for x in rows}
    found = []
    for person in people:
        pid = int(person.id or 0)
        shifts = tuple(by_person.get(pid, []))
        projects: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        std = over = outside = total = 0
        for view in shifts:
            row = raw[view.id]
            if row.pay_cents is None:
                continue
            std += row.standard_minutes
            over += row.over_day_minutes
            outside += row.outside_window_minutes
            total += row.pay_cents
            bucket = projects[view.project]
            bucket[0] += row.standard_minutes + row.over_day_minutes + row.outside_window_minutes
            bucket[1] += row.pay_cents
        found.append(
            PayPeriod(
                employee_id=pid,
                employee=person.name,
                date_from=first,
                date_to=last,
                shifts=shifts,
                unsettled=sum(1 for s in shifts if not s.settled),
                irregular=sum(1 for s in shifts if s.irregular and not s.approved),
                unapproved=sum(1 for s in shifts if s.settled and not s.approved),
                standard_minutes=std,
                over_day_minutes=over,
                outside_minutes=outside,
                by_project=tuple(
                    ProjectTotal(name, vals[0], Money(vals[1], currency))
                    for name, vals in sorted(projects.items())
                ),
                total=Money(total, currency),
                transferred=tuple(transferred.get(pid, [])),
            )
        )
    return tuple(found)


# --- the export --------------------------------------------------------------------------------

_DAY_COLUMNS = (
    ("Employee", "text"),
    ("E-mail", "text"),
    ("Date", "date"),
    ("Projects", "text"),
    ("Standard h", "hours"),
    ("Over-day h", "hours"),
    ("Outside h", "hours"),
    ("Hours", "hours"),
    ("Standard", "money"),
    ("Over-day", "money"),
    ("Outside", "money"),
    ("Total", "money"),
    ("Status", "text"),
)


def _pay_tables(
    session: Session, first: date, last: date, person_id: int | None, currency: str
) -> tuple[StreamedTable, Table]:
    """The day rows (streamed from the database) and the totals per employee."""
    columns = tuple(Column(h, k, currency if k == "money" else "") for h, k in _DAY_COLUMNS)
    shift, user, project = m.WorkShift, m.UserAccount, m.Project
    where = [
        shift.shift_date.between(first, last),  # type: ignore[attr-defined]
        shift.pay_cents.is_not(None),  # type: ignore[union-attr]
    ]
    if person_id is not None:
        where.append(shift.employee_id == person_id)
    query = (
        select(
            shift.employee_id,
            user.name,
            user.email,
            shift.shift_date,
            project.code,
            project.name,
            shift.standard_minutes,
            shift.over_day_minutes,
            shift.outside_window_minutes,
            shift.standard_cents,
            shift.over_day_cents,
            shift.outside_cents,
            shift.pay_cents,
            shift.approved_at.is_not(None),  # type: ignore[union-attr]
            shift.payroll_period_id.is_not(None),  # type: ignore[union-attr]
        )
        .join(user, user.id == shift.employee_id)
        .join(project, project.id == shift.project_id)
        .where(*where)
        .order_by(user.name, shift.employee_id, shift.shift_date, shift.id)
    )
    expected = int(
        session.execute(select(func.count()).select_from(shift).where(*where)).scalar_one()
    )
    sums: dict[str, int] = defaultdict(int)

    def rows() -> Iterator[tuple[Any, ...]]:
        current: list[Any] | None = None
        for found in session.execute(query.execution_options(yield_per=2000)):
            rec = (*found[:4], found[4] or found[5], *found[6:])  # the code, else the name
            key = (rec[0], rec[3])
            if current is not None and current[0] == key:
                _merge(current, rec)
                continue
            if current is not None:
                yield _day_row(current, sums)
            current = [key, rec[1], rec[2] or "", rec[3], [rec[4]], *rec[5:12], rec[12], rec[13]]
        if current is not None:
            yield _day_row(current, sums)

    days = StreamedTable(
        title="Remuneration",
        columns=columns,
        rows=rows(),
        totals=lambda: (
            "Total",
            "",
            None,
            "",
            sums["std_m"],
            sums["over_m"],
            sums["out_m"],
            sums["std_m"] + sums["over_m"] + sums["out_m"],
            sums["std_c"],
            sums["over_c"],
            sums["out_c"],
            sums["total"],
            "",
        ),
        subtitle=f"{first.isoformat()} to {last.isoformat()}, settled days; amounts in {currency}",
        expected=expected,
    )
    totals_query = (
        select(
            user.name,
            user.email,
            func.count(),
            _summed(shift.standard_minutes),
            _summed(shift.over_day_minutes),
            _summed(shift.outside_window_minutes),
            _summed(shift.standard_cents),
            _summed(shift.over_day_cents),
            _summed(shift.outside_cents),
            _summed(shift.pay_cents),
        )
        .join(user, user.id == shift.employee_id)
        .where(*where)
        .group_by(shift.employee_id, user.name, user.email)
        .order_by(user.name, shift.employee_id)
    )
    total_rows = tuple(
        (
            str(name),
            str(email or ""),
            int(count),
            int(a),
            int(b),
            int(c),
            int(a) + int(b) + int(c),
            int(d),
            int(e),
            int(f),
            int(g),
        )
        for name, email, count, a, b, c, d, e, f, g in session.execute(totals_query).all()
    )
    grand = tuple(sum(int(row[i]) for row in total_rows) for i in range(2, 11))
    totals = Table(
        title="Totals",
        columns=(
            Column("Employee"),
            Column("E-mail"),
            Column("Shifts", "int"),
            Column("Standard h", "hours"),
            Column("Over-day h", "hours"),
            Column("Outside h", "hours"),
            Column("Hours", "hours"),
            Column("Standard", "money", currency),
            Column("Over-day", "money", currency),
            Column("Outside", "money", currency),
            Column("Total", "money", currency),
        ),
        rows=total_rows,
        totals=("Total", "", *grand),
        subtitle=f"{first.isoformat()} to {last.isoformat()}, per employee",
    )
    return days, totals


def _merge(current: list[Any], rec: Any) -> None:
    if rec[4] not in current[4]:
        current[4].append(rec[4])
    for index in range(5, 12):
        current[index] += rec[index]
    current[12] = current[12] and rec[12]
    current[13] = current[13] and rec[13]


def _day_row(current: list[Any], sums: dict[str, int]) -> tuple[Any, ...]:
    (_key, name, email, day, codes, std_m, over_m, out_m, std_c, over_c, out_c, total,
     approved, transferred) = current  # fmt: skip
    sums["std_m"] += std_m
    sums["over_m"] += over_m
    sums["out_m"] += out_m
    sums["std_c"] += std_c
    sums["over_c"] += over_c
    sums["out_c"] += out_c
    sums["total"] += total
    status = "transferred" if transferred else ("approved" if approved else "not approved")
    return (
        name,
        email,
        day,
        ", ".join(codes),
        std_m,
        over_m,
        out_m,
        std_m + over_m + out_m,
        std_c,
        over_c,
        out_c,
        total,
        status,
    )


def _summed(column: Any) -> Any:
    """``coalesce(sum(column), 0)``."""
    return func.coalesce(func.sum(column), 0)


def _bad(check: Form) -> set[str]:
    """The fields of a form found wrong so far."""
    return {p.field for p in check.problems}
