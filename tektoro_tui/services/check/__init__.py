"""``tektoro check``: re-derive every ledger invariant from the raw rows.

Nothing here trusts the services, the ORM or a cached total: every invariant is
recomputed with plain SQL over the tables (aggregated in the database with
``GROUP BY`` and window functions), except the audit chain, whose hashes are
recomputed in Python while the events stream in id order in batches, and the
guards, read from each backend's trigger catalog, and the ledger rows, each
digested and compared with the seal of the audit event that last wrote it. All the checks read one
consistent snapshot; an invariant that cannot be checked is reported and the
others still run.

Every invariant is a family of named rules (``registry.RULES``, one module per
family). Every broken rule is reported, not only the first; within one query
rule at most :data:`MAX_EXAMPLES` offending rows are listed, followed by how
many more there are.
"""

from __future__ import annotations

from ...data.guards import GUARDED_TABLES
from ...domain.audit import ChainVerdict, verify_chain
from .context import AUDIT_BATCH, CheckContext
from .core import (
    AUDIT_CHAIN,
    DOCUMENT_RECORDS,
    IMMUTABILITY_GUARDS,
    INVARIANTS,
    INVOICE_NUMBERING,
    INVOICE_TOTALS,
    MAX_EXAMPLES,
    NO_DOUBLE_BILLING,
    PAYMENTS,
    PAYROLL,
    PROJECT_SETTLEMENTS,
    SEALED_ROWS,
    SUBCONTRACTS,
    TIME_SUMMARY,
    CheckFailure,
    CheckReport,
    ComputedRule,
    ContextRule,
    QueryRule,
    Rule,
)
from .registry import RULES, rules_of
from .runner import check_on, run_check

__all__ = [
    "AUDIT_BATCH",
    "AUDIT_CHAIN",
    "DOCUMENT_RECORDS",
    "GUARDED_TABLES",
    "IMMUTABILITY_GUARDS",
    "INVARIANTS",
    "INVOICE_NUMBERING",
    "INVOICE_TOTALS",
    "MAX_EXAMPLES",
    "NO_DOUBLE_BILLING",
    "PAYMENTS",
    "PAYROLL",
    "PROJECT_SETTLEMENTS",
    "RULES",
    "SEALED_ROWS",
    "SUBCONTRACTS",
    "TIME_SUMMARY",
    "ChainVerdict",
    "CheckContext",
    "CheckFailure",
    "CheckReport",
    "ComputedRule",
    "ContextRule",
    "QueryRule",
    "Rule",
    "check_on",
    "rules_of",
    "run_check",
    "verify_chain",
]
