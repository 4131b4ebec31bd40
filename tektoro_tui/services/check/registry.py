"""Every rule ``tektoro check`` runs, in one table, grouped by invariant.

Adding a rule is adding one entry to the ``RULES`` of its family module; a new
family is a new module with its invariant added to ``core.INVARIANTS`` and its
rules added here.
"""

from __future__ import annotations

from . import (
    audit,
    billing,
    documents,
    guards,
    numbering,
    payments,
    payroll,
    projects,
    seals,
    subcontracts,
    time_summary,
    totals,
)
from .core import INVARIANTS, Rule

RULES: tuple[Rule, ...] = (
    *numbering.RULES,
    *totals.RULES,
    *documents.RULES,
    *billing.RULES,
    *payments.RULES,
    *audit.RULES,
    *seals.RULES,
    *guards.RULES,
    *time_summary.RULES,
    *projects.RULES,
    *subcontracts.RULES,
    *payroll.RULES,
)
"""All the rules, in the order they run (the families in the order of INVARIANTS)."""


def rules_of(invariant: str) -> tuple[Rule, ...]:
    """The rules of one invariant, in the order they run."""
    return tuple(rule for rule in RULES if rule.invariant == invariant)


def _validate(rules: tuple[Rule, ...]) -> None:
    """Refuse a registry with a duplicated rule name or a rule outside every invariant."""
    names = [rule.name for rule in rules]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ValueError(f"check rules named twice: {', '.join(duplicated)}")
    strays = sorted(rule.name for rule in rules if rule.invariant not in INVARIANTS)
    if strays:
        raise ValueError(f"check rules of no known invariant: {', '.join(strays)}")


_validate(RULES)
