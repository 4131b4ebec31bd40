"""The frozen-record guards: which triggers protect the ledger, on each backend.

The trigger migration (``0002_ledger_triggers``) creates them; ``tektoro check``
verifies that a database still holds every one, enabled, on its table, and
still refusing changes (its body carries :data:`FROZEN_MARKER`). The migration
keeps its own copy of these definitions, because a revision must emit the same
SQL forever while this table follows the schema at head; a test compares the
triggers a migrated database holds with this table, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

FROZEN_MARKER = "TEKTORO_FROZEN"
"""Every refusal's message starts with this (``engine.translate_db_error`` reads it)."""

GUARDED_TABLES: tuple[str, ...] = (
    "invoice",
    "invoice_line",
    "document_record",
    "document_line",
    "payment",
    "audit_event",
    "time_entry",
    "master_invoice",
    "master_invoice_line",
)
"""Tables whose rows frozen-record triggers guard, in the order ``check`` reports them."""


@dataclass(frozen=True)
class GuardTrigger:
    """One trigger that refuses a forbidden change to frozen ledger rows.

    ``timing`` is the trigger's timing and events as written in its definition
    (``BEFORE UPDATE OF status``); ``function`` the PostgreSQL function it runs.
    """

    name: str
    table: str
    timing: str
    function: str = ""


SQLITE_GUARDS: tuple[GuardTrigger, ...] = (
    GuardTrigger("tektoro_invoice_frozen_update", "invoice", "BEFORE UPDATE"),
    GuardTrigger("tektoro_invoice_no_redraft", "invoice", "BEFORE UPDATE OF status"),
    GuardTrigger("tektoro_invoice_frozen_delete", "invoice", "BEFORE DELETE"),
    GuardTrigger("tektoro_invoice_line_frozen_insert", "invoice_line", "BEFORE INSERT"),
    GuardTrigger("tektoro_invoice_line_frozen_update", "invoice_line", "BEFORE UPDATE"),
    GuardTrigger("tektoro_invoice_line_frozen_delete", "invoice_line", "BEFORE DELETE"),
    GuardTrigger("tektoro_master_invoice_frozen_update", "master_invoice", "BEFORE UPDATE"),
    GuardTrigger("tektoro_master_invoice_frozen_delete", "master_invoice", "BEFORE DELETE"),
    GuardTrigger("tektoro_time_entry_frozen_status", "time_entry", "BEFORE UPDATE OF status"),
    GuardTrigger("tektoro_time_entry_frozen_update", "time_entry", "BEFORE UPDATE"),
    GuardTrigger("tektoro_time_entry_frozen_delete", "time_entry", "BEFORE DELETE"),
    GuardTrigger("tektoro_document_record_no_update", "document_record", "BEFORE UPDATE"),
    GuardTrigger("tektoro_document_record_no_delete", "document_record", "BEFORE DELETE"),
    GuardTrigger("tektoro_document_line_no_update", "document_line", "BEFORE UPDATE"),
    GuardTrigger("tektoro_document_line_no_delete", "document_line", "BEFORE DELETE"),
    GuardTrigger("tektoro_master_invoice_line_no_update", "master_invoice_line", "BEFORE UPDATE"),
    GuardTrigger("tektoro_master_invoice_line_no_delete", "master_invoice_line", "BEFORE DELETE"),
    GuardTrigger("tektoro_payment_no_update", "payment", "BEFORE UPDATE"),
    GuardTrigger("tektoro_payment_no_delete", "payment", "BEFORE DELETE"),
    GuardTrigger("tektoro_audit_event_no_update", "audit_event", "BEFORE UPDATE"),
    GuardTrigger("tektoro_audit_event_no_delete", "audit_event", "BEFORE DELETE"),
)
"""SQLite: one trigger per forbidden change, each raising ``TEKTORO_FROZEN: ...``."""

_ROW_EVENTS = "BEFORE UPDATE OR DELETE"
_TRUNCATE = "BEFORE TRUNCATE"
_REFUSE = "tektoro_refuse"

POSTGRESQL_GUARDS: tuple[GuardTrigger, ...] = (
    GuardTrigger("tektoro_guard_invoice", "invoice", _ROW_EVENTS, "tektoro_guard_invoice"),
    GuardTrigger("tektoro_guard_invoice_truncate", "invoice", _TRUNCATE, _REFUSE),
    GuardTrigger(
        "tektoro_guard_invoice_line",
        "invoice_line",
        "BEFORE INSERT OR UPDATE OR DELETE",
        "tektoro_guard_invoice_line",
    ),
    GuardTrigger("tektoro_guard_invoice_line_truncate", "invoice_line", _TRUNCATE, _REFUSE),
    GuardTrigger(
        "tektoro_guard_master_invoice",
        "master_invoice",
        _ROW_EVENTS,
        "tektoro_guard_master_invoice",
    ),
    GuardTrigger("tektoro_guard_master_invoice_truncate", "master_invoice", _TRUNCATE, _REFUSE),
    GuardTrigger("tektoro_guard_time_entry", "time_entry", _ROW_EVENTS, "tektoro_guard_time_entry"),
    GuardTrigger("tektoro_guard_time_entry_truncate", "time_entry", _TRUNCATE, _REFUSE),
    GuardTrigger("tektoro_guard_document_record", "document_record", _ROW_EVENTS, _REFUSE),
    GuardTrigger("tektoro_guard_document_record_truncate", "document_record", _TRUNCATE, _REFUSE),
    GuardTrigger("tektoro_guard_document_line", "document_line", _ROW_EVENTS, _REFUSE),
    GuardTrigger("tektoro_guard_document_line_truncate", "document_line", _TRUNCATE, _REFUSE),
    GuardTrigger("tektoro_guard_master_invoice_line", "master_invoice_line", _ROW_EVENTS, _REFUSE),
    GuardTrigger(
        "tektoro_guard_master_invoice_line_truncate", "master_invoice_line", _TRUNCATE, _REFUSE
    ),
    GuardTrigger("tektoro_guard_payment", "payment", _ROW_EVENTS, _REFUSE),
    GuardTrigger("tektoro_guard_payment_truncate", "payment", _TRUNCATE, _REFUSE),
    GuardTrigger("tektoro_guard_audit_event", "audit_event", _ROW_EVENTS, _REFUSE),
    GuardTrigger("tektoro_guard_audit_event_truncate", "audit_event", _TRUNCATE, _REFUSE),
)
"""PostgreSQL: one row trigger per table (a guard function or ``tektoro_refuse``) and one
refusing TRUNCATE, which skips row triggers."""

GUARDS_BY_BACKEND: dict[str, tuple[GuardTrigger, ...]] = {
    "sqlite": SQLITE_GUARDS,
    "postgresql": POSTGRESQL_GUARDS,
}


def expected_guards(backend: str) -> tuple[GuardTrigger, ...]:
    """The guard triggers a database on ``backend`` ('sqlite' or 'postgresql') must hold."""
    return GUARDS_BY_BACKEND[backend]
