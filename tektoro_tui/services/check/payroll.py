"""Crew pay (DESIGN.md §9): the payroll lock and the pay of every shift, re-derived from rows.

A period transferred to accounting keeps the totals of the shifts that carry its id; those
shifts are its employee's and lie within its dates, and no other shift of that employee lies
within them (the database's own guard, ``0017_crew_pay``, refuses both; this is what it
leaves behind); an employee's transferred periods never overlap. Every priced shift is priced
again by the pay rule of ``domain/pay.py`` from the copy of the rates and rules it keeps, the
day's earlier shifts counting towards the day length first, as the service prices a day; a
shift without both actual times has no pay, and a transferred shift has its pay.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ...domain.pay import PayRules, bucket_amounts, split_minutes
from .core import PAYROLL, ComputedRule, QueryRule, Rule
from .labels import money

STREAM_BATCH = 5_000
"""Priced shifts fetched from the driver at a time while they are priced again."""


def _who(name: object, ident: object) -> str:
    return f"{name} (#{ident})" if name else f"user #{ident}"


def _period(r: Any) -> str:
    return (
        f"payroll period #{r.id} of {_who(r.employee, r.employee_id)} "
        f"({r.period_start} to {r.period_end})"
    )


def _shift(r: Any) -> str:
    return _shift_label(r.id, r.employee, r.employee_id, r.shift_date)


def _shift_label(ident: object, name: object, employee_id: object, day: object) -> str:
    return f"work shift #{ident} of {_who(name, employee_id)} on {day}"


def _minutes(standard: object, over_day: object, outside: object) -> str:
    return f"{standard}/{over_day}/{outside} min (standard/over the day/outside)"


def _describe_totals(r: Any) -> str:
    return (
        f"{_period(r)} keeps {r.shift_count} shifts, "
        f"{_minutes(r.standard_minutes, r.over_day_minutes, r.outside_window_minutes)}, "
        f"{money(r.total_cents)} in all; the shifts that carry its id make {r.shifts} shifts, "
        f"{_minutes(r.s_standard, r.s_over_day, r.s_outside)}, {money(r.s_total)}"
    )


def _describe_misplaced(r: Any) -> str:
    if r.period_employee is None:
        return f"{_shift(r)} carries payroll period #{r.payroll_period_id}, which does not exist"
    problems = []
    if r.employee_id != r.period_employee:
        problems.append(f"the period is {_who(r.period_name, r.period_employee)}'s")
    if str(r.shift_date) < str(r.period_start) or str(r.shift_date) > str(r.period_end):
        problems.append(f"the period runs from {r.period_start} to {r.period_end}")
    return (
        f"{_shift(r)} is transferred in payroll period #{r.payroll_period_id}, but "
        + " and ".join(problems)
    )


def _describe_left_out(r: Any) -> str:
    carried = (
        "belongs to no payroll period"
        if r.payroll_period_id is None
        else f"belongs to payroll period #{r.payroll_period_id}"
    )
    return (
        f"{_shift(r)} {carried}, yet lies in payroll period #{r.period_id} "
        f"({r.period_start} to {r.period_end}) transferred for the same employee"
    )


@dataclass(frozen=True)
class Offence:
    """One shift whose stored pay is not what the pay rule makes of it, described."""

    label: str
    problem: str


_PRICED_SQL = """
    SELECT s.id, s.employee_id, u.name AS employee, s.shift_date, s.actual_start, s.actual_end,
           s.lunch_minutes, s.rate_cents, s.window_start, s.window_end, s.day_length,
           s.rate_over_day_bp, s.rate_outside_bp, s.standard_minutes, s.over_day_minutes,
           s.outside_window_minutes, s.standard_cents, s.over_day_cents, s.outside_cents,
           s.pay_cents
      FROM work_shift s LEFT JOIN user_account u ON u.id = s.employee_id
     WHERE s.pay_cents IS NOT NULL AND s.actual_start IS NOT NULL AND s.actual_end IS NOT NULL
     ORDER BY s.employee_id, s.shift_date, s.actual_start, s.id
"""


@lru_cache(maxsize=65_536)
def _priced(
    rules: tuple[int, int, int, int, int], times: tuple[int, int, int], rate: int, counted: int
) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(minutes, cents) by rate of work from ``times`` (start, end, lunch) at ``rate`` with
    ``counted`` minutes of the day before it, under ``rules`` (the :class:`PayRules` fields).

    Raises:
        ValueError: what the pay rule refuses (an end before the start, a lunch too long).
    """
    pay_rules = PayRules(*rules)
    split = split_minutes(*times[:2], pay_rules, times[2], counted=counted)
    amounts = bucket_amounts(split, rate, pay_rules)
    return (
        (split.standard, split.over_day, split.outside),
        (amounts.standard, amounts.over_day, amounts.outside),
    )


def priced_shifts(conn: Connection) -> Iterator[Offence]:
    """Each priced shift, in the order the service prices a day (by actual start, then id),
    priced again from its copy of the rates and rules: its minutes and money by rate, and its
    pay the sum of the money. The day's earlier shifts count towards the day length what the
    rule gives them (a wrong one is reported itself, not again in every shift after it)."""
    day: tuple[Any, Any] | None = None
    counted = 0
    result = conn.execute(text(_PRICED_SQL).execution_options(yield_per=STREAM_BATCH))
    for row in result:
        (ident, employee_id, name, shift_date, start, end, lunch, rate, *copy) = row[:13]
        stored, cents = tuple(row[13:16]), tuple(row[16:19])
        pay = row[19]
        if (employee_id, shift_date) != day:
            day, counted = (employee_id, shift_date), 0
        label = _shift_label(ident, name, employee_id, shift_date)
        if rate is None or any(value is None for value in copy):
            counted += stored[0] + stored[1]
            yield Offence(label, "is priced but keeps no copy of the rates it was priced at")
            continue
        try:
            derived, made = _priced(tuple(copy), (start, end, lunch), rate, counted)
        except ValueError as exc:
            counted += stored[0] + stored[1]
            yield Offence(label, f"cannot be priced by the pay rule: {exc}")
            continue
        counted += derived[0] + derived[1]
        if stored != derived:
            yield Offence(
                label,
                f"keeps {_minutes(*stored)}, but the pay rule makes {_minutes(*derived)} of "
                f"{_span(start, end, lunch)}",
            )
        elif cents != made:
            yield Offence(
                label,
                f"keeps {' + '.join(money(c) for c in cents)} by rate, but at "
                f"{money(rate)}/h its minutes make {' + '.join(money(c) for c in made)}",
            )
        elif pay != sum(made):
            yield Offence(
                label,
                f"is paid {money(pay)}, but its money by rate adds up to {money(sum(made))}",
            )


def _span(start: int, end: int, lunch: int) -> str:
    less = f" less {lunch} min of lunch" if lunch else ""
    return f"{_clock(start)}-{_clock(end)}{less}"


def _clock(minute: int) -> str:
    days, rest = divmod(int(minute), 24 * 60)
    return f"{rest // 60:02d}:{rest % 60:02d}" + (f"+{days}" if days else "")


_SHIFT_COLUMNS = "s.id, s.employee_id, u.name AS employee, s.shift_date"

RULES: tuple[Rule, ...] = (
    QueryRule(
        name="a payroll period keeps the totals of its shifts",
        invariant=PAYROLL,
        sql="""
            SELECT p.id, p.employee_id, u.name AS employee, p.period_start, p.period_end,
                   p.shift_count, p.standard_minutes, p.over_day_minutes,
                   p.outside_window_minutes, p.total_cents,
                   COALESCE(s.shifts, 0) AS shifts, COALESCE(s.s_standard, 0) AS s_standard,
                   COALESCE(s.s_over_day, 0) AS s_over_day,
                   COALESCE(s.s_outside, 0) AS s_outside, COALESCE(s.s_total, 0) AS s_total
              FROM payroll_period p
              LEFT JOIN user_account u ON u.id = p.employee_id
              LEFT JOIN (SELECT payroll_period_id, COUNT(*) AS shifts,
                                SUM(standard_minutes) AS s_standard,
                                SUM(over_day_minutes) AS s_over_day,
                                SUM(outside_window_minutes) AS s_outside,
                                SUM(COALESCE(pay_cents, 0)) AS s_total
                           FROM work_shift WHERE payroll_period_id IS NOT NULL
                          GROUP BY payroll_period_id) s ON s.payroll_period_id = p.id
             WHERE p.shift_count <> COALESCE(s.shifts, 0)
                OR p.standard_minutes <> COALESCE(s.s_standard, 0)
                OR p.over_day_minutes <> COALESCE(s.s_over_day, 0)
                OR p.outside_window_minutes <> COALESCE(s.s_outside, 0)
                OR p.total_cents <> COALESCE(s.s_total, 0)
             ORDER BY p.id
        """,
        describe=_describe_totals,
    ),
    QueryRule(
        name="a transferred shift is its period's employee's, within its dates",
        invariant=PAYROLL,
        sql=f"""
            SELECT {_SHIFT_COLUMNS}, s.payroll_period_id, p.employee_id AS period_employee,
                   pu.name AS period_name, p.period_start, p.period_end
              FROM work_shift s
              LEFT JOIN user_account u ON u.id = s.employee_id
              LEFT JOIN payroll_period p ON p.id = s.payroll_period_id
              LEFT JOIN user_account pu ON pu.id = p.employee_id
             WHERE s.payroll_period_id IS NOT NULL
               AND (p.id IS NULL OR s.employee_id <> p.employee_id
                    OR s.shift_date < p.period_start OR s.shift_date > p.period_end)
             ORDER BY s.id
        """,
        describe=_describe_misplaced,
    ),
    QueryRule(
        name="no other shift of the employee lies in a transferred period",
        invariant=PAYROLL,
        sql=f"""
            SELECT {_SHIFT_COLUMNS}, s.payroll_period_id, p.id AS period_id, p.period_start,
                   p.period_end
              FROM payroll_period p
              JOIN work_shift s ON s.employee_id = p.employee_id
                             AND s.shift_date BETWEEN p.period_start AND p.period_end
              LEFT JOIN user_account u ON u.id = s.employee_id
             WHERE s.payroll_period_id IS NULL OR s.payroll_period_id <> p.id
             ORDER BY s.id, p.id
        """,
        describe=_describe_left_out,
    ),
    QueryRule(
        name="an employee's transferred periods do not overlap",
        invariant=PAYROLL,
        sql="""
            SELECT a.id, a.employee_id, u.name AS employee, a.period_start, a.period_end,
                   b.id AS other_id, b.period_start AS other_start, b.period_end AS other_end
              FROM payroll_period a
              JOIN payroll_period b ON b.employee_id = a.employee_id AND b.id > a.id
                                   AND b.period_start <= a.period_end
                                   AND b.period_end >= a.period_start
              LEFT JOIN user_account u ON u.id = a.employee_id
             ORDER BY a.id, b.id
        """,
        describe=lambda r: (
            f"{_period(r)} overlaps payroll period #{r.other_id} ({r.other_start} to "
            f"{r.other_end}) of the same employee"
        ),
    ),
    ComputedRule(
        name="a priced shift's pay is the pay rule's",
        invariant=PAYROLL,
        find=priced_shifts,
        describe=lambda o: f"{o.label} {o.problem}",
    ),
    QueryRule(
        name="a shift without both actual times has no pay",
        invariant=PAYROLL,
        sql=f"""
            SELECT {_SHIFT_COLUMNS}, s.actual_start, s.actual_end, s.pay_cents,
                   s.standard_minutes + s.over_day_minutes + s.outside_window_minutes
                       AS minutes_,
                   s.standard_cents + s.over_day_cents + s.outside_cents AS cents_
              FROM work_shift s LEFT JOIN user_account u ON u.id = s.employee_id
             WHERE (s.actual_start IS NULL OR s.actual_end IS NULL)
               AND (s.pay_cents IS NOT NULL
                    OR s.standard_minutes <> 0 OR s.over_day_minutes <> 0
                    OR s.outside_window_minutes <> 0
                    OR s.standard_cents <> 0 OR s.over_day_cents <> 0 OR s.outside_cents <> 0)
             ORDER BY s.id
        """,
        describe=lambda r: (
            f"{_shift(r)} has no actual {'start' if r.actual_start is None else 'end'}, yet "
            f"is paid {money(r.pay_cents)} ({r.minutes_} min, {money(r.cents_)} by rate)"
        ),
    ),
    QueryRule(
        name="a transferred shift is settled",
        invariant=PAYROLL,
        sql=f"""
            SELECT {_SHIFT_COLUMNS}, s.payroll_period_id
              FROM work_shift s LEFT JOIN user_account u ON u.id = s.employee_id
             WHERE s.payroll_period_id IS NOT NULL AND s.pay_cents IS NULL
             ORDER BY s.id
        """,
        describe=lambda r: (
            f"{_shift(r)} is transferred in payroll period #{r.payroll_period_id} but has "
            "no pay (not settled)"
        ),
    ),
)
"""The payroll rules, in the order they run."""
