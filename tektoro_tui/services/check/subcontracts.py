"""Subcontracts (DESIGN.md §9): what the agreements keep, re-derived from their rows.

An agreement's number follows its year's gapless series; what it was paid, and whether it is
fully paid or its work completed, is what its settlement stages say; the stages run in order,
each starting from what the ones before it paid and none paying beyond the contract amount of
its day; a time-and-material agreement's amount is the sum of its daily reports, and each report
is priced by the pay rule of ``domain/pay.py`` from the rate, % rates and minutes kept with it;
a file kept with an agreement is the one added.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ...domain.pay import PayRules, PaySplit, amount_cents
from .core import SUBCONTRACTS, ComputedRule, QueryRule, Rule
from .labels import money


@dataclass(frozen=True)
class Offence:
    """One agreement, stage, report or file that breaks a rule, described."""

    label: str
    problem: str


def _agreement(number: object, ident: object) -> str:
    return f"agreement {number} (#{ident})" if number else f"agreement #{ident}"


def numbering(conn: Connection) -> Iterator[Offence]:
    """Each year's agreements are numbered 1..n with no gap, as the counter says."""
    by_year: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for ident, year, seq, number in conn.execute(
        text("SELECT id, year, seq, number FROM subcontract_agreement ORDER BY year, seq, id")
    ).all():
        by_year[int(year)].append((int(ident), int(seq), str(number)))
        expected = f"SA/{int(year)}/{int(seq):05d}"
        if number != expected:
            yield Offence(_agreement(number, ident), f"should be numbered {expected}")
    counters = {
        int(y): int(n)
        for y, n in conn.execute(text("SELECT year, last_number FROM subcontract_counter")).all()
    }
    for year in sorted(set(by_year) | set(counters)):
        seqs = [seq for _i, seq, _n in by_year.get(year, [])]
        if seqs != list(range(1, len(seqs) + 1)):
            yield Offence(
                f"agreement series {year}",
                f"holds numbers {_runs(seqs)}, not 1 to {len(seqs)} without a gap",
            )
        if counters.get(year, 0) != len(seqs):
            yield Offence(
                f"agreement series {year}",
                f"its counter stands at {counters.get(year, 0)} but {len(seqs)} agreements "
                "are numbered in it",
            )


def _runs(seqs: list[int]) -> str:
    shown = ", ".join(str(s) for s in seqs[:8])
    return shown + (" ..." if len(seqs) > 8 else "")


def stage_chains(conn: Connection) -> Iterator[Offence]:
    """Each agreement's stages: numbered 1..n, each starting from what the ones before paid,
    dated in order, never paying beyond the contract amount of its day nor below zero."""
    stages = conn.execute(
        text(
            """
            SELECT s.id, s.agreement_id, a.number, s.stage, s.settled_on, s.paid_cents,
                   s.paid_before_cents, s.contract_cents
              FROM subcontract_settlement s
              LEFT JOIN subcontract_agreement a ON a.id = s.agreement_id
             ORDER BY s.agreement_id, s.stage, s.id
            """
        )
    ).all()
    current = None
    paid = expected_stage = 0
    last_day = None
    for s in stages:
        if s.agreement_id != current:
            current, paid, expected_stage, last_day = s.agreement_id, 0, 0, None
        expected_stage += 1
        label = f"{_agreement(s.number, s.agreement_id)} stage {s.stage}"
        if s.number is None:
            yield Offence(label, "belongs to no agreement")
        if int(s.stage) != expected_stage:
            yield Offence(label, f"should be stage {expected_stage}: stages have a gap")
        if int(s.paid_before_cents) != paid:
            yield Offence(
                label,
                f"starts from {money(s.paid_before_cents)} paid, but the stages before it "
                f"paid {money(paid)}",
            )
        paid += int(s.paid_cents)
        if int(s.paid_cents) > 0 and paid > int(s.contract_cents):
            yield Offence(
                label,
                f"takes the paid total to {money(paid)}, beyond the contract amount of "
                f"{money(s.contract_cents)}",
            )
        if paid < 0:
            yield Offence(label, f"takes the paid total below zero ({money(paid)})")
        if last_day is not None and s.settled_on < last_day:
            yield Offence(label, f"is dated {s.settled_on}, before the stage before it")
        last_day = s.settled_on


def priced_reports(conn: Connection) -> Iterator[Offence]:
    """Each report's minutes add up to its hours, and its amount is the pay rule's."""
    rows = conn.execute(
        text(
            """
            SELECT r.id, r.report_date, r.actual_start, r.actual_end, r.headcount,
                   r.hourly_rate_cents, r.over_day_bp, r.outside_window_bp,
                   r.standard_minutes, r.over_day_minutes, r.outside_window_minutes,
                   r.amount_cents, a.number, a.time_and_material
              FROM daily_report r JOIN subcontract_agreement a ON a.id = r.agreement_id
             ORDER BY r.id
            """
        )
    )
    for r in rows:
        label = f"daily report #{r.id} of {r.number} ({r.report_date})"
        split = PaySplit(
            int(r.standard_minutes), int(r.over_day_minutes), int(r.outside_window_minutes)
        )
        worked = int(r.actual_end) - int(r.actual_start)
        if min(split.standard, split.over_day, split.outside) < 0 or split.total != worked:
            yield Offence(
                label, f"splits {split.total} minutes by rate, but the crew worked {worked}"
            )
            continue
        if not r.time_and_material and (int(r.hourly_rate_cents) or int(r.amount_cents)):
            yield Offence(label, "is priced, but its agreement is for a fixed amount")
            continue
        # only the % rates matter for pricing a split that is already made
        rules = PayRules(0, 0, 0, int(r.over_day_bp), int(r.outside_window_bp))
        amount = amount_cents(split, int(r.hourly_rate_cents), rules, headcount=int(r.headcount))
        if amount != int(r.amount_cents):
            yield Offence(
                label,
                f"is priced {money(r.amount_cents)}, but {r.headcount} people at "
                f"{money(r.hourly_rate_cents)}/h for its minutes make {money(amount)}",
            )


def kept_files(conn: Connection) -> Iterator[Offence]:
    """Each kept file's size and SHA-256 are those recorded when it was added."""
    for f in conn.execute(
        text(
            "SELECT f.id, f.file_name, f.size_bytes, f.sha256, f.content, a.number, "
            "f.agreement_id FROM subcontract_attachment f "
            "LEFT JOIN subcontract_agreement a ON a.id = f.agreement_id ORDER BY f.id"
        )
    ):
        content = bytes(f.content)
        label = f"file {f.file_name!r} of {_agreement(f.number, f.agreement_id)}"
        if len(content) != int(f.size_bytes) or hashlib.sha256(content).hexdigest() != f.sha256:
            yield Offence(label, "is not the file that was added (its size or SHA-256 differ)")


_CONTRACT = (
    "CASE WHEN a.time_and_material THEN a.tm_amount_cents "
    "ELSE COALESCE(a.fixed_amount_cents, 0) END"
)

RULES: tuple[Rule, ...] = (
    ComputedRule(
        name="agreement numbers run without a gap in each year",
        invariant=SUBCONTRACTS,
        find=numbering,
        describe=lambda o: f"{o.label} {o.problem}",
    ),
    QueryRule(
        name="an agreement's paid total and switches are its stages'",
        invariant=SUBCONTRACTS,
        sql="""
            SELECT a.id, a.number, a.paid_cents AS kept, COALESCE(s.paid, 0) AS paid,
                   a.fully_paid, a.work_completed,
                   COALESCE(s.fully, 0) AS fully, COALESCE(s.done, 0) AS done
              FROM subcontract_agreement a
              LEFT JOIN (SELECT agreement_id, SUM(paid_cents) AS paid,
                                MAX(CASE WHEN fully_paid THEN 1 ELSE 0 END) AS fully,
                                MAX(CASE WHEN work_completed THEN 1 ELSE 0 END) AS done
                           FROM subcontract_settlement GROUP BY agreement_id) s
                ON s.agreement_id = a.id
             WHERE a.paid_cents <> COALESCE(s.paid, 0)
                OR (CASE WHEN a.fully_paid THEN 1 ELSE 0 END) <> COALESCE(s.fully, 0)
                OR (CASE WHEN a.work_completed THEN 1 ELSE 0 END) <> COALESCE(s.done, 0)
             ORDER BY a.id
        """,
        describe=lambda r: (
            f"{_agreement(r.number, r.id)} keeps {money(r.kept)} paid, "
            f"fully paid {'yes' if r.fully_paid else 'no'}, work completed "
            f"{'yes' if r.work_completed else 'no'}; its stages say {money(r.paid)}, "
            f"{'yes' if r.fully else 'no'}, {'yes' if r.done else 'no'}"
        ),
    ),
    ComputedRule(
        name="settlement stages run in order within the contract amount",
        invariant=SUBCONTRACTS,
        find=stage_chains,
        describe=lambda o: f"{o.label} {o.problem}",
    ),
    QueryRule(
        name="an agreement is never paid beyond its contract amount",
        invariant=SUBCONTRACTS,
        sql=f"""
            SELECT a.id, a.number, a.paid_cents, {_CONTRACT} AS contract
              FROM subcontract_agreement a
             WHERE a.paid_cents > {_CONTRACT}
             ORDER BY a.id
        """,
        describe=lambda r: (
            f"{_agreement(r.number, r.id)} was paid {money(r.paid_cents)}, beyond its "
            f"contract amount of {money(r.contract)}"
        ),
    ),
    QueryRule(
        name="a time-and-material agreement's amount is its daily reports'",
        invariant=SUBCONTRACTS,
        sql="""
            SELECT a.id, a.number, a.time_and_material, a.tm_amount_cents AS kept,
                   COALESCE(r.total, 0) AS reported
              FROM subcontract_agreement a
              LEFT JOIN (SELECT agreement_id, SUM(amount_cents) AS total FROM daily_report
                          GROUP BY agreement_id) r ON r.agreement_id = a.id
             WHERE a.tm_amount_cents <> COALESCE(r.total, 0)
             ORDER BY a.id
        """,
        describe=lambda r: (
            f"{_agreement(r.number, r.id)} keeps an amount of {money(r.kept)} from its "
            f"reports, but they add up to {money(r.reported)}"
        ),
    ),
    ComputedRule(
        name="a daily report is priced by the pay rule",
        invariant=SUBCONTRACTS,
        find=priced_reports,
        describe=lambda o: f"{o.label} {o.problem}",
    ),
    ComputedRule(
        name="a file kept with an agreement is the one added",
        invariant=SUBCONTRACTS,
        find=kept_files,
        describe=lambda o: f"{o.label} {o.problem}",
    ),
)
"""The subcontract rules, in the order they run."""
