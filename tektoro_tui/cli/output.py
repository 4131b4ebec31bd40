"""How commands print what they read: JSON and the lines of the reports.

Without typer, so that the quick reads of :mod:`.quick` print exactly what the commands of
:mod:`.pipeline` print, with the same code.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.money import Money

if TYPE_CHECKING:
    from ..services.invoicing.recognition import RevenueRow
    from ..services.pipeline.summary import ProjectHours


def jsonable(value: Any) -> Any:
    """Turn views into JSON-ready data: Money as {amount, currency}, dates as ISO text."""
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, Decimal, Path)):
        return str(value) if not isinstance(value, date) else value.isoformat()
    return value


def json_text(data: Any) -> str:
    """``data`` as the JSON a command prints."""
    return json.dumps(jsonable(data), indent=2, ensure_ascii=False)


def hours(minutes: int) -> str:
    """90 -> '1:30'."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def project_hours_lines(rows: Sequence[ProjectHours]) -> list[str]:
    """``tektoro time summary``: a line per project (client, project, entries, hours, value),
    then the total."""
    lines = [
        f"{r.client_name[:24]:<24} {r.project_name[:28]:<28} {r.entries:>8} "
        f"{hours(r.minutes):>10}  {r.value.format():>14}"
        for r in rows
    ]
    minutes = sum(r.minutes for r in rows)
    count = sum(r.entries for r in rows)
    total = ""
    if rows:
        value = Money(sum(r.value.cents for r in rows), rows[0].value.currency)
        total = f", {value.format()} {value.currency}"
    lines.append(f"Total: {len(rows)} projects, {count} entries, {hours(minutes)} h{total}")
    return lines


def revenue_lines(rows: Sequence[RevenueRow]) -> list[str]:
    """``tektoro revenue report``: a heading, then a line per month, client and project."""
    return [
        f"{'Month':<7}  {'Client':<24} {'Project':<24} {'Revenue (net)':>14} {'VAT':>12} "
        f"{'Received':>14}",
        *(
            f"{row.month}  {row.client_name[:24]:<24} {row.project_name[:24]:<24} "
            f"{row.amount.format():>14} {row.vat.format():>12} {row.received.format():>14}"
            for row in rows
        ),
    ]
