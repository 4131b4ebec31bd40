"""The daily time summary: ``time_day_total`` is the raw entries summed, key by key.

Triggers on ``time_entry`` keep the summary that dashboards and metrics read;
it is no ledger (no frozen-record guard protects it), so the check re-derives
it from the entries per day, owner, project, status, pay status and billable flag.
"""

from __future__ import annotations

from typing import Any

from .core import TIME_SUMMARY, QueryRule, Rule
from .labels import money

_SUMMARY_KEY = "work_date, owner_id, project_id, status, pay_status, billable"


def _describe_summary_mismatch(r: Any) -> str:
    owner = f"{r.owner} (#{r.owner_id})" if r.owner else f"user #{r.owner_id}"
    project = f"{r.project} (#{r.project_id})" if r.project else f"project #{r.project_id}"
    key = (
        f"{r.work_date}, {owner}, {project}, {r.status}, pay {r.pay_status}, "
        f"{'billable' if r.billable else 'non-billable'}"
    )
    entries = f"{r.t_entries} entries, {r.t_minutes} min, value {money(r.t_value)}"
    if r.rows_ == 0:
        return f"daily time summary lacks the row of {key}: the entries give {entries}"
    if r.rows_ > 1:
        return f"daily time summary holds {r.rows_} rows for {key} (one expected)"
    held = f"{r.s_entries} entries, {r.s_minutes} min, value {money(r.s_value)}"
    if r.t_entries == 0:
        return f"daily time summary row of {key} says {held} but no time entry has that key"
    return f"daily time summary row of {key} says {held} but the entries give {entries}"


RULES: tuple[Rule, ...] = (
    # Both sides go through one grouped query (summary rows and grouped entries as a
    # UNION ALL), so a key missing on either side, a wrong figure or a duplicated summary
    # row all show up as one mismatching key.
    QueryRule(
        name="daily totals are the time entries summed",
        invariant=TIME_SUMMARY,
        sql=f"""
            SELECT q.work_date, q.owner_id, u.name AS owner, q.project_id, p.name AS project,
                   q.status, q.pay_status, q.billable, q.rows_, q.s_entries, q.s_minutes,
                   q.s_value, q.t_entries, q.t_minutes, q.t_value
              FROM (SELECT {_SUMMARY_KEY}, SUM(n) AS rows_,
                           SUM(s_entries) AS s_entries, SUM(s_minutes) AS s_minutes,
                           SUM(s_value) AS s_value, SUM(t_entries) AS t_entries,
                           SUM(t_minutes) AS t_minutes, SUM(t_value) AS t_value
                      FROM (SELECT {_SUMMARY_KEY}, 1 AS n, entries AS s_entries,
                                   minutes AS s_minutes, value_cents AS s_value,
                                   0 AS t_entries, 0 AS t_minutes, 0 AS t_value
                              FROM time_day_total
                            UNION ALL
                            SELECT {_SUMMARY_KEY}, 0, 0, 0, 0,
                                   COUNT(*), SUM(minutes), SUM(value_cents)
                              FROM time_entry
                             GROUP BY {_SUMMARY_KEY}) both_sides
                     GROUP BY {_SUMMARY_KEY}
                    HAVING SUM(n) <> 1 OR SUM(s_entries) <> SUM(t_entries)
                        OR SUM(s_minutes) <> SUM(t_minutes) OR SUM(s_value) <> SUM(t_value)) q
              LEFT JOIN user_account u ON u.id = q.owner_id
              LEFT JOIN project p ON p.id = q.project_id
             ORDER BY q.work_date, q.owner_id, q.project_id, q.status, q.pay_status, q.billable
        """,
        describe=_describe_summary_mismatch,
    ),
)
"""The daily-summary rules, in the order they run."""
