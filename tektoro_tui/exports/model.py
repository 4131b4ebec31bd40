"""What the writers take in: plain, frozen descriptions of a document or a table.

Services build these from the database; the writers (HTML, PDF, XLSX, CSV) turn
them into bytes without knowing where they came from, so the TUI and the CLI
export exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..domain.money import Money


@dataclass(frozen=True)
class Party:
    """A seller or a buyer as printed on an invoice."""

    name: str
    address: str = ""
    tax_id: str = ""
    email: str = ""
    phone: str = ""
    bank_account: str = ""


@dataclass(frozen=True)
class DocumentLine:
    """One printed line: what, how much, and its VAT."""

    position: int
    kind: str
    description: str
    detail: str
    quantity: str  # as printed: "1:30 h", "1", ""
    unit_price: Money | None
    net: Money
    vat_bp: int
    vat: Money
    gross: Money


@dataclass(frozen=True)
class VatRow:
    """One row of the VAT breakdown."""

    rate_bp: int
    net: Money
    vat: Money
    gross: Money


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything an invoice shows, frozen at issue."""

    number: str
    kind: str  # standard, credit_note, partial, ...
    title: str  # "Invoice", "Credit note", ...
    issue_date: date
    sale_date: date | None
    due_date: date | None
    seller: Party
    buyer: Party
    currency: str
    lines: tuple[DocumentLine, ...]
    vat_rows: tuple[VatRow, ...]
    net: Money
    vat: Money
    gross: Money
    paid: Money
    due: Money
    commentary: str = ""
    attached_text: str = ""
    payment_terms: str = ""
    footer: str = ""
    overdue_notice_days: int | None = None
    credited_number: str | None = None
    logo_path: str = ""


@dataclass(frozen=True)
class RenderOptions:
    """Choices when printing: identical options give identical documents."""

    show_line_details: bool = True


CellValue = str | int | Decimal | Money | date | None


@dataclass(frozen=True)
class Column:
    """A table column: its heading and the kind of values (text, int, money, date, hours)."""

    heading: str
    kind: str = "text"
    currency: str = ""
    """For a money column: the currency of amounts given as ints of minor units (a streamed
    table's rows are plain values); without it an int is hundredths."""


@dataclass(frozen=True)
class Table:
    """A report as rows and columns, with an optional totals row; written to CSV or XLSX."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[CellValue, ...], ...]
    totals: tuple[CellValue, ...] | None = None
    subtitle: str = ""


@dataclass(frozen=True)
class StreamedTable:
    """A report too large to hold: its rows are read from the database while the file is
    written, one at a time, so memory stays flat however many there are. The totals row is
    asked for once every row has gone by (it sums what was written)."""

    title: str
    columns: tuple[Column, ...]
    rows: Iterable[tuple[CellValue, ...]]
    totals: Callable[[], tuple[CellValue, ...] | None]
    subtitle: str = ""
    expected: int = 0
    """How many rows are coming (for progress); 0 when unknown."""
