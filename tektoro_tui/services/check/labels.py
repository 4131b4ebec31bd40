"""How the check names the rows it reports: invoices, series and amounts."""

from __future__ import annotations

from typing import Any


def invoice_label(row: Any, prefix: str = "invoice") -> str:
    """'invoice INV/2026/0001 (#12)', or 'invoice #12' for one without a number."""
    number = getattr(row, "number", None)
    return f"{prefix} {number} (#{row.id})" if number else f"{prefix} #{row.id}"


def contractor_invoice_label(row: Any) -> str:
    """'contractor invoice MI/2026/0001 (#3)', or 'contractor invoice #3'."""
    return invoice_label(row, "contractor invoice")


def series_label(row: Any) -> str:
    """'series INV', or 'series #4' for a series that no longer exists."""
    code = getattr(row, "code", None)
    return f"series {code}" if code else f"series #{row.series_id}"


def source_label(src: str) -> str:
    """What a numbered row is: a client invoice ('invoice') or a contractor invoice."""
    return "client invoice" if src == "invoice" else "contractor invoice"


def money(cents: Any) -> str:
    """Cents with thousands separators ('30,750'), 'NULL' for a missing amount."""
    return f"{int(cents):,}" if cents is not None else "NULL"
