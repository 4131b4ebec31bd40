"""The frozen-record guards: which triggers protect the ledger, on each backend.

The trigger migration (``0002_ledger_triggers``) creates them (``0014_project_settlements``
recreates the invoice's with its new frozen columns and guards the attachments,
``0016_subcontracts`` guards the settlement stages and files of subcontracts,
``0017_crew_pay`` the shifts and periods of the payroll lock); ``tektoro check``
verifies that a database still holds every one, enabled, on its table, and
defined exactly as shipped (:data:`GUARD_FINGERPRINTS`: the digest of each
trigger's definition and, on PostgreSQL, its function's, as the catalog shows
them), so a guard replaced by one with the same name and marker that never
fires is caught. The migration
keeps its own copy of these definitions, because a revision must emit the same
SQL forever while this table follows the schema at head; a test compares the
triggers a migrated database holds with this table, so the two cannot drift.
"""

from __future__ import annotations

import hashlib
import re
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
    "invoice_attachment",
    "subcontract_settlement",
    "subcontract_attachment",
    "work_shift",
    "payroll_period",
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
    GuardTrigger("tektoro_invoice_attachment_no_update", "invoice_attachment", "BEFORE UPDATE"),
    GuardTrigger("tektoro_invoice_attachment_no_delete", "invoice_attachment", "BEFORE DELETE"),
    GuardTrigger(
        "tektoro_subcontract_settlement_no_update", "subcontract_settlement", "BEFORE UPDATE"
    ),
    GuardTrigger(
        "tektoro_subcontract_settlement_no_delete", "subcontract_settlement", "BEFORE DELETE"
    ),
    GuardTrigger(
        "tektoro_subcontract_attachment_no_update", "subcontract_attachment", "BEFORE UPDATE"
    ),
    GuardTrigger(
        "tektoro_subcontract_attachment_no_delete", "subcontract_attachment", "BEFORE DELETE"
    ),
    GuardTrigger("tektoro_work_shift_frozen_update", "work_shift", "BEFORE UPDATE"),
    GuardTrigger("tektoro_work_shift_frozen_delete", "work_shift", "BEFORE DELETE"),
    GuardTrigger("tektoro_work_shift_frozen_insert", "work_shift", "BEFORE INSERT"),
    GuardTrigger("tektoro_work_shift_frozen_move", "work_shift", "BEFORE UPDATE"),
    GuardTrigger("tektoro_payroll_period_no_update", "payroll_period", "BEFORE UPDATE"),
    GuardTrigger("tektoro_payroll_period_no_delete", "payroll_period", "BEFORE DELETE"),
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
    GuardTrigger("tektoro_guard_invoice_attachment", "invoice_attachment", _ROW_EVENTS, _REFUSE),
    GuardTrigger(
        "tektoro_guard_invoice_attachment_truncate", "invoice_attachment", _TRUNCATE, _REFUSE
    ),
    GuardTrigger(
        "tektoro_guard_subcontract_settlement", "subcontract_settlement", _ROW_EVENTS, _REFUSE
    ),
    GuardTrigger(
        "tektoro_guard_subcontract_settlement_truncate",
        "subcontract_settlement",
        _TRUNCATE,
        _REFUSE,
    ),
    GuardTrigger(
        "tektoro_guard_subcontract_attachment", "subcontract_attachment", _ROW_EVENTS, _REFUSE
    ),
    GuardTrigger(
        "tektoro_guard_subcontract_attachment_truncate",
        "subcontract_attachment",
        _TRUNCATE,
        _REFUSE,
    ),
    GuardTrigger(
        "tektoro_guard_work_shift",
        "work_shift",
        "BEFORE INSERT OR UPDATE OR DELETE",
        "tektoro_guard_work_shift",
    ),
    GuardTrigger("tektoro_guard_work_shift_truncate", "work_shift", _TRUNCATE, _REFUSE),
    GuardTrigger("tektoro_guard_payroll_period", "payroll_period", _ROW_EVENTS, _REFUSE),
    GuardTrigger("tektoro_guard_payroll_period_truncate", "payroll_period", _TRUNCATE, _REFUSE),
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


# ==============================================================================================
# Definitions as shipped
# ==============================================================================================

_SPACE = re.compile(r"\s+")
_SCHEMA = re.compile(r"\b(ON|FUNCTION|PROCEDURE) [A-Za-z_][A-Za-z0-9_]*\.")


def definition_fingerprint(trigger_sql: str, function_sql: str = "") -> str:
    """The digest of a trigger's definition (and its function's) as the catalog shows them.

    Whitespace is collapsed and schema qualifiers dropped, so the same definition reads
    the same in any schema; ``EXECUTE PROCEDURE`` is PostgreSQL's older spelling.
    """
    text = f"{trigger_sql}\n{function_sql}".replace("EXECUTE PROCEDURE", "EXECUTE FUNCTION")
    text = _SCHEMA.sub(lambda m: f"{m.group(1)} ", _SPACE.sub(" ", text).strip())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


GUARD_FINGERPRINTS: dict[str, dict[str, str]] = {
    "sqlite": {
        "tektoro_audit_event_no_delete": "d554ea7bfdef08af",
        "tektoro_audit_event_no_update": "a0a67784ecbe2988",
        "tektoro_document_line_no_delete": "be7cf678902b9eef",
        "tektoro_document_line_no_update": "e51d6077b15e8f70",
        "tektoro_document_record_no_delete": "c8c0403a42c3e207",
        "tektoro_document_record_no_update": "d3016b6119a05fc1",
        "tektoro_invoice_frozen_delete": "64ea6e4268a9a37d",
        "tektoro_invoice_attachment_no_delete": "7e251b5ff4f0af18",
        "tektoro_invoice_attachment_no_update": "80efbe282a71a08b",
        "tektoro_invoice_frozen_update": "2048f2053706f2d8",
        "tektoro_invoice_line_frozen_delete": "d20522c7da45f3e8",
        "tektoro_invoice_line_frozen_insert": "e6ad9fdaa26ca241",
        "tektoro_invoice_line_frozen_update": "7a04c01ad686c557",
        "tektoro_invoice_no_redraft": "99f605d6c25869e6",
        "tektoro_master_invoice_frozen_delete": "bca3b38214e2e5cc",
        "tektoro_master_invoice_frozen_update": "12c6ae0374789443",
        "tektoro_master_invoice_line_no_delete": "e483d76bd83c0aa8",
        "tektoro_master_invoice_line_no_update": "9b8d63747d71245d",
        "tektoro_payment_no_delete": "de007cc55b0ec46a",
        "tektoro_payment_no_update": "d3913c15974b2a6d",
        "tektoro_subcontract_attachment_no_delete": "1abcf7274cc6020a",
        "tektoro_subcontract_attachment_no_update": "7a4d6f6339ae488a",
        "tektoro_subcontract_settlement_no_delete": "e7a70c91be79a823",
        "tektoro_subcontract_settlement_no_update": "a7af560e040ed02b",
        "tektoro_time_entry_frozen_delete": "43249ab49d152761",
        "tektoro_time_entry_frozen_status": "8c00230b83dadcd5",
        "tektoro_time_entry_frozen_update": "a0a2eccc07878345",
        "tektoro_payroll_period_no_delete": "0842708ff77b5a8e",
        "tektoro_payroll_period_no_update": "ef4d81a4fd1a789f",
        "tektoro_work_shift_frozen_delete": "38c248a676244cb5",
        "tektoro_work_shift_frozen_insert": "604ce099c9e39bdf",
        "tektoro_work_shift_frozen_move": "57e63dd8a6bb0746",
        "tektoro_work_shift_frozen_update": "8256f7aef4963a6d",
    },
    "postgresql": {
        "tektoro_guard_audit_event": "3edaea3bd3463ddc",
        "tektoro_guard_audit_event_truncate": "8e38f1c96ea654f9",
        "tektoro_guard_document_line": "385cdb1eb6b0baa0",
        "tektoro_guard_document_line_truncate": "e9063b878ad6de8a",
        "tektoro_guard_document_record": "7436b61527034ba8",
        "tektoro_guard_document_record_truncate": "49a31c3caff648b7",
        "tektoro_guard_invoice": "ba673a986ceabac4",
        "tektoro_guard_invoice_attachment": "96c5b6e0a49b2432",
        "tektoro_guard_invoice_attachment_truncate": "11328c9b471f8719",
        "tektoro_guard_invoice_line": "b6a6a606425bf7c3",
        "tektoro_guard_invoice_line_truncate": "3832721531d66791",
        "tektoro_guard_invoice_truncate": "a9f40c02c66d8f84",
        "tektoro_guard_master_invoice": "e01ebbdd73f917b6",
        "tektoro_guard_master_invoice_line": "2ca3895ae96732f2",
        "tektoro_guard_master_invoice_line_truncate": "5b3cbeca6d034126",
        "tektoro_guard_master_invoice_truncate": "07c8b948138233e4",
        "tektoro_guard_payment": "ecd3ec6e0a1fd31a",
        "tektoro_guard_payment_truncate": "0ef65f82354ce2a0",
        "tektoro_guard_subcontract_attachment": "bbaeafb7a7f9400b",
        "tektoro_guard_subcontract_attachment_truncate": "5a7369bbad537e71",
        "tektoro_guard_subcontract_settlement": "68e30ce4e17bf3b7",
        "tektoro_guard_subcontract_settlement_truncate": "c8c545c874bc5d5e",
        "tektoro_guard_time_entry": "ad541b69de0d41b9",
        "tektoro_guard_time_entry_truncate": "04d647c0aec760bb",
        "tektoro_guard_payroll_period": "f1cfc6b00dbeaf2f",
        "tektoro_guard_payroll_period_truncate": "b5533bbc68c8f2bf",
        "tektoro_guard_work_shift": "6d0f76f626f640c4",
        "tektoro_guard_work_shift_truncate": "5b592c01b3e62039",
    },
}
"""The :func:`definition_fingerprint` of every guard as the migrations create it, per backend
(a test keeps these equal to a freshly migrated database's)."""


def expected_fingerprint(backend: str, name: str) -> str | None:
    """The shipped definition's fingerprint of guard ``name`` on ``backend``."""
    return GUARD_FINGERPRINTS.get(backend, {}).get(name)
