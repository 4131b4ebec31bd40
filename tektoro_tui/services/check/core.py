"""What every rule of ``tektoro check`` is made of, and the report they add up to.

A rule is a small frozen value: its name, the invariant it belongs to, what it
reads (a query returning the offending rows, or a function computing offending
facts) and how to describe one offender in a line a bookkeeper can act on. The
invariants are the families the report shows, one ``OK``/``FAIL`` line each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from .context import CheckContext

INVOICE_NUMBERING = "invoice numbering"
INVOICE_TOTALS = "invoice totals"
DOCUMENT_RECORDS = "document records"
NO_DOUBLE_BILLING = "no double billing"
PAYMENTS = "payments"
AUDIT_CHAIN = "audit chain"
SEALED_ROWS = "sealed rows"
IMMUTABILITY_GUARDS = "immutability guards"
TIME_SUMMARY = "daily time summary"
PROJECT_SETTLEMENTS = "project settlements"
SUBCONTRACTS = "subcontracts"
PAYROLL = "payroll"

INVARIANTS: tuple[str, ...] = (
    INVOICE_NUMBERING,
    INVOICE_TOTALS,
    DOCUMENT_RECORDS,
    NO_DOUBLE_BILLING,
    PAYMENTS,
    AUDIT_CHAIN,
    SEALED_ROWS,
    IMMUTABILITY_GUARDS,
    TIME_SUMMARY,
    PROJECT_SETTLEMENTS,
    SUBCONTRACTS,
    PAYROLL,
)
"""The invariants in the order they are checked and reported."""

MAX_EXAMPLES = 20
"""At most this many offending rows of one query rule are listed, then how many more."""


# ==============================================================================================
# The report
# ==============================================================================================


@dataclass(frozen=True)
class CheckFailure:
    """One broken invariant, with what exactly is wrong (one offending row or fact).

    ``rule`` names the rule that found it ('' for a failure built by hand).
    """

    invariant: str
    detail: str
    rule: str = ""


@dataclass(frozen=True)
class CheckReport:
    """What ``run_check`` looked at and everything it found broken."""

    checked: tuple[str, ...]
    failures: tuple[CheckFailure, ...]
    counts: tuple[tuple[str, int], ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when every checked invariant holds."""
        return not self.failures

    @property
    def failed(self) -> tuple[str, ...]:
        """The names of the broken invariants, in the order they were checked."""
        broken = {f.invariant for f in self.failures}
        return tuple(name for name in self.checked if name in broken)

    @property
    def failed_rules(self) -> tuple[str, ...]:
        """The names of the rules that found something, in the order they ran."""
        return tuple(dict.fromkeys(f.rule for f in self.failures if f.rule))

    def failures_of(self, invariant: str) -> tuple[CheckFailure, ...]:
        """The failures reported for one invariant."""
        return tuple(f for f in self.failures if f.invariant == invariant)

    def lines(self) -> list[str]:
        """Human text: 'OK  name' or one 'FAIL name: detail' per failure, then a summary."""
        out: list[str] = []
        for name in self.checked:
            mine = self.failures_of(name)
            if not mine:
                out.append(f"OK   {name}")
            for failure in mine:
                out.append(f"FAIL {name}: {failure.detail}")
        out.append(self.summary())
        return out

    def summary(self) -> str:
        """One line: all good, or which invariants are broken and how many problems."""
        looked = ", ".join(f"{n:,} {what}" for what, n in self.counts)
        scope = f" ({looked})" if looked else ""
        total = len(self.checked)
        if self.ok:
            return f"All {total} ledger invariants hold{scope}."
        broken = self.failed
        return (
            f"{len(broken)} of {total} ledger invariants broken ({', '.join(broken)}); "
            f"{len(self.failures)} problem(s) reported{scope}."
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able form for ``tektoro check --json``."""
        broken = set(self.failed)
        return {
            "ok": self.ok,
            "checked": list(self.checked),
            "invariants": {name: ("fail" if name in broken else "ok") for name in self.checked},
            "failures": [{"invariant": f.invariant, "detail": f.detail} for f in self.failures],
            "counts": dict(self.counts),
            "summary": self.summary(),
        }


# ==============================================================================================
# Rules
# ==============================================================================================

Describe = Callable[[Any], str]
"""Turns one offending row (or fact) into the line the report shows."""


class Collector:
    """The connection every rule reads through, and the failures found so far."""

    def __init__(self, conn: Connection, context: CheckContext) -> None:
        self.conn = conn
        self.context = context
        self.failures: list[CheckFailure] = []

    def fail(self, rule: Rule, detail: str) -> None:
        """Record one offender of ``rule``."""
        self.failures.append(CheckFailure(rule.invariant, detail, rule.name))


class Rule(Protocol):
    """One named invariant: it runs against the snapshot and reports each offender."""

    @property
    def name(self) -> str:
        """What must hold, in a few words; unique across the registry."""
        ...

    @property
    def invariant(self) -> str:
        """The family (one of :data:`INVARIANTS`) the report files its failures under."""
        ...

    def run(self, collector: Collector) -> None:
        """Find the offenders and report each one to ``collector``."""
        ...


@dataclass(frozen=True)
class QueryRule:
    """A rule whose one query returns the offending rows: none while the invariant holds.

    The aggregation happens in the database; at most :data:`MAX_EXAMPLES` rows are
    described, followed by how many more there are.
    """

    name: str
    invariant: str
    sql: str
    describe: Describe
    params: tuple[tuple[str, Any], ...] = ()

    def run(self, collector: Collector) -> None:
        """Describe the first offending rows, then count the rest."""
        params = dict(self.params)
        result = collector.conn.execute(text(self.sql), params)
        shown = result.fetchmany(MAX_EXAMPLES + 1)
        result.close()
        for row in shown[:MAX_EXAMPLES]:
            collector.fail(self, self.describe(row))
        if len(shown) > MAX_EXAMPLES:
            total = collector.conn.execute(
                text(f"SELECT COUNT(*) FROM ({self.sql}) AS over_limit"), params
            ).scalar_one()
            collector.fail(self, f"... and {total - MAX_EXAMPLES:,} more like the above")


def _report_facts(
    rule: Rule, collector: Collector, facts: Iterable[Any], describe: Describe
) -> None:
    """Describe the first :data:`MAX_EXAMPLES` facts, then how many more there are."""
    found = iter(facts)
    for fact in islice(found, MAX_EXAMPLES):
        collector.fail(rule, describe(fact))
    more = sum(1 for _ in found)
    if more:
        collector.fail(rule, f"... and {more:,} more like the above")


@dataclass(frozen=True)
class ComputedRule:
    """A rule whose offending facts are computed in Python from what ``find`` reads.

    For invariants SQL cannot state portably: the triggers in each backend's
    catalog, number texts. At most :data:`MAX_EXAMPLES` facts are described.
    """

    name: str
    invariant: str
    find: Callable[[Connection], Iterable[Any]]
    describe: Describe

    def run(self, collector: Collector) -> None:
        """Describe the facts ``find`` returns."""
        _report_facts(self, collector, self.find(collector.conn), self.describe)


@dataclass(frozen=True)
class ContextRule:
    """A computed rule that also needs what lies outside the database: the audit key,
    the seen heads, and the audit chain as the check walked it once for every rule."""

    name: str
    invariant: str
    find: Callable[[Connection, CheckContext], Iterable[Any]]
    describe: Describe

    def run(self, collector: Collector) -> None:
        """Describe the facts ``find`` returns."""
        facts = self.find(collector.conn, collector.context)
        _report_facts(self, collector, facts, self.describe)
