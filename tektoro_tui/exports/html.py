"""An invoice as one self-contained, print-friendly HTML5 page.

The Invoice Printer re-renders an issued invoice as often as wanted; identical inputs give an
identical string (no timestamps, no random ids). Every text from users is escaped. The wording
helpers here (rates, amounts, the overdue notice) are shared with the PDF writer so that both
documents say exactly the same thing.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from ..domain.money import Money, percent_text
from .keep_together import spans
from .model import DocumentLine, InvoiceDocument, Party, RenderOptions, VatRow

LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
MAX_LOGO_BYTES = 2_000_000

LINE_HEADINGS = ("#", "Description", "Quantity", "Unit price", "Net", "VAT %", "VAT", "Gross")
VAT_HEADINGS = ("VAT rate", "Net", "VAT", "Gross")

# --- wording shared with the PDF writer -----------------------------------------------------


def money_text(amount: Money) -> str:
    """An amount with its currency, grouped: "1,234.56 EUR"."""
    return f"{amount.format()} {amount.currency}"


def amount_text(amount: Money | None) -> str:
    """An amount without currency (for table cells); empty for no amount."""
    return "" if amount is None else amount.format()


def document_heading(doc: InvoiceDocument) -> str:
    """The document's title with its number: "Invoice FV/2026/03/0001"."""
    return f"{doc.title} {doc.number}".strip()


def credit_note_reference(doc: InvoiceDocument) -> str:
    """The line "Credit note for invoice X" for a credit note, else an empty string."""
    if not doc.credited_number:
        return ""
    return f"Credit note for invoice {doc.credited_number}"


def overdue_notice(doc: InvoiceDocument) -> str:
    """The late-payment notice when one is set (60 or 90 days), else an empty string."""
    days = doc.overdue_notice_days
    if not days:
        return ""
    outstanding = doc.due if doc.due.is_positive else doc.gross
    unit = "day" if days == 1 else "days"
    return (
        f"This invoice is {days} {unit} overdue. Please pay the outstanding amount of "
        f"{money_text(outstanding)} immediately."
    )


def date_rows(doc: InvoiceDocument) -> list[tuple[str, str]]:
    """The dates printed under the title, as (label, ISO date) pairs; missing dates left out."""
    rows = [("Issue date", doc.issue_date.isoformat())]
    if doc.sale_date is not None:
        rows.append(("Sale date", doc.sale_date.isoformat()))
    if doc.due_date is not None:
        rows.append(("Due date", doc.due_date.isoformat()))
    return rows


def party_lines(party: Party) -> list[str]:
    """A seller or buyer as printed lines: address lines, then tax id, bank account and contact."""
    lines = [line.strip() for line in party.address.splitlines() if line.strip()]
    if party.tax_id:
        lines.append(f"Tax ID: {party.tax_id}")
    if party.bank_account:
        lines.append(f"Bank account: {party.bank_account}")
    if party.email:
        lines.append(party.email)
    if party.phone:
        lines.append(party.phone)
    return lines


def total_rows(doc: InvoiceDocument) -> list[tuple[str, str]]:
    """The totals as (label, amount) pairs; paid and amount due only once something is paid."""
    rows = [
        ("Total net", money_text(doc.net)),
        ("Total VAT", money_text(doc.vat)),
        ("Total gross", money_text(doc.gross)),
    ]
    if not doc.paid.is_zero:
        rows.append(("Paid", money_text(doc.paid)))
        rows.append(("Amount due", money_text(doc.due)))
    return rows


def line_cells(line: DocumentLine) -> tuple[str, ...]:
    """The printed cells of one line after the description, in LINE_HEADINGS order."""
    return (
        line.quantity,
        amount_text(line.unit_price),
        amount_text(line.net),
        f"{percent_text(line.vat_bp)}%",
        amount_text(line.vat),
        amount_text(line.gross),
    )


def vat_cells(row: VatRow) -> tuple[str, ...]:
    """The printed cells of one row of the VAT breakdown."""
    return (
        f"{percent_text(row.rate_bp)}%",
        amount_text(row.net),
        amount_text(row.vat),
        amount_text(row.gross),
    )


def text_blocks(doc: InvoiceDocument) -> list[tuple[str, str]]:
    """The free-text sections after the totals, as (heading, text); empty ones left out."""
    blocks = [
        ("Comments", doc.commentary),
        ("Notes", doc.attached_text),
        ("Payment terms", doc.payment_terms),
    ]
    return [(heading, text.strip()) for heading, text in blocks if text.strip()]


# --- the HTML page --------------------------------------------------------------------------

_CSS = """
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;font-size:10pt;color:#111;
margin:0 auto;max-width:190mm;padding:12mm 10mm;line-height:1.35}
.nobr{white-space:nowrap}
header{display:flex;justify-content:space-between;align-items:flex-start;gap:8mm}
header img{max-height:24mm;max-width:70mm}
h1{font-size:18pt;margin:0 0 2mm 0}
h2{font-size:11pt;margin:6mm 0 2mm 0}
.dates{border-collapse:collapse}
.dates th{text-align:left;font-weight:normal;color:#555;padding:0 4mm 0 0}
.credited{font-weight:bold;margin:1mm 0}
.parties{display:flex;gap:10mm;margin-top:6mm}
.party{flex:1}
.party .name{font-weight:bold}
.party p{margin:0}
.overdue{border:2px solid #b00020;color:#b00020;font-weight:bold;padding:3mm;margin:6mm 0}
table.lines,table.vat{border-collapse:collapse;width:100%}
table.lines th,table.vat th{background:#eee;text-align:left;padding:1.5mm;font-size:9pt}
table.lines td,table.vat td{border-bottom:1px solid #ddd;padding:1.5mm;vertical-align:top}
.num{text-align:right;white-space:nowrap}
th.num{text-align:right}
.description{white-space:pre-line}
.detail{color:#555;font-size:8.5pt;margin-top:.5mm;white-space:pre-line}
.summary{display:flex;justify-content:space-between;gap:10mm;margin-top:4mm}
table.vat{width:auto}
table.totals{border-collapse:collapse;margin-left:auto}
table.totals th{text-align:left;padding:1mm 6mm 1mm 0;font-weight:normal}
table.totals td{text-align:right;padding:1mm 0;white-space:nowrap}
table.totals tr.gross th,table.totals tr.gross td,table.totals tr.due th,table.totals tr.due td{
font-weight:bold}
.text{white-space:pre-line;margin:0}
footer{margin-top:10mm;border-top:1px solid #ccc;padding-top:2mm;color:#555;font-size:8.5pt;
white-space:pre-line}
thead{display:table-header-group}
tr{page-break-inside:avoid}
@media print{body{padding:0;max-width:none}@page{size:A4;margin:15mm}}
"""


def render_invoice_html(doc: InvoiceDocument, options: RenderOptions) -> str:
    """The whole invoice as one HTML5 page with inline CSS and an embedded logo.

    Args:
        doc: the issued invoice, frozen.
        options: printing choices (line details shown or hidden).

    Returns:
        The page as text; identical arguments give an identical string.
    """
    heading = escape(document_heading(doc))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{heading}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        _header(doc),
        _overdue(doc),
        _parties(doc),
        _lines_table(doc, options),
        _summary(doc),
        _texts(doc),
        _footer(doc),
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def _text(value: str) -> str:
    """Escape user text for HTML element content and attributes."""
    return escape(value, quote=True)


def _kept(value: str) -> str:
    """Escaped text whose account numbers and legal forms never break across lines."""
    pieces: list[str] = []
    last = 0
    for start, end in spans(value):
        pieces.append(_text(value[last:start]))
        pieces.append(f'<span class="nobr">{_text(value[start:end])}</span>')
        last = end
    pieces.append(_text(value[last:]))
    return "".join(pieces)


def logo_data_uri(path: str) -> str:
    """The logo file as a base64 data URI, or "" when it is missing, unreadable or unknown."""
    if not path:
        return ""
    file = Path(path).expanduser()
    mime = LOGO_TYPES.get(file.suffix.lower())
    if mime is None:
        return ""
    try:
        if not file.is_file() or file.stat().st_size > MAX_LOGO_BYTES:
            return ""
        data = file.read_bytes()
    except OSError:
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _header(doc: InvoiceDocument) -> str:
    """Title, number, dates, the credited invoice, and the logo on the right."""
    dates = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in date_rows(doc))
    credited = credit_note_reference(doc)
    credited_html = f'<p class="credited">{_text(credited)}</p>' if credited else ""
    logo = logo_data_uri(doc.logo_path)
    logo_html = f'<img src="{logo}" alt="{_text(doc.seller.name)} logo">' if logo else ""
    return (
        "<header><div>"
        f'<h1>{_text(doc.title)} <span class="number">{_text(doc.number)}</span></h1>'
        f"{credited_html}"
        f'<table class="dates">{dates}</table>'
        f"</div>{logo_html}</header>"
    )


def _overdue(doc: InvoiceDocument) -> str:
    """The clearly visible overdue notice, when one is set."""
    notice = overdue_notice(doc)
    return f'<div class="overdue" role="alert">{_text(notice)}</div>' if notice else ""


def _party(label: str, party: Party) -> str:
    """One seller or buyer block."""
    lines = "".join(f"<p>{_kept(line)}</p>" for line in party_lines(party))
    return (
        f'<section class="party"><h2>{label}</h2>'
        f'<p class="name">{_kept(party.name)}</p>{lines}</section>'
    )


def _parties(doc: InvoiceDocument) -> str:
    """Seller and buyer side by side."""
    return f'<div class="parties">{_party("Seller", doc.seller)}{_party("Buyer", doc.buyer)}</div>'


def _lines_table(doc: InvoiceDocument, options: RenderOptions) -> str:
    """The invoice lines, each with its detail line when the options ask for it."""
    head = "".join(
        f"<th>{h}</th>" if i == 1 else f'<th class="num">{h}</th>'
        for i, h in enumerate(LINE_HEADINGS)
    )
    rows = "".join(_line_row(line, options) for line in doc.lines)
    return f'<table class="lines"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _line_row(line: DocumentLine, options: RenderOptions) -> str:
    """One row of the lines table."""
    detail = ""
    if options.show_line_details and line.detail.strip():
        detail = f'<div class="detail">{_text(line.detail.strip())}</div>'
    cells = "".join(f'<td class="num">{_text(cell)}</td>' for cell in line_cells(line))
    return (
        f'<tr><td class="num">{line.position}</td>'
        f'<td><div class="description">{_text(line.description)}</div>{detail}</td>'
        f"{cells}</tr>"
    )


def _summary(doc: InvoiceDocument) -> str:
    """The VAT breakdown per rate beside the totals."""
    head = "".join(
        f'<th class="num">{h}</th>' if i else f"<th>{h}</th>" for i, h in enumerate(VAT_HEADINGS)
    )
    vat_rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_text(cell)}</td>' if i else f"<td>{_text(cell)}</td>"
            for i, cell in enumerate(vat_cells(row))
        )
        + "</tr>"
        for row in doc.vat_rows
    )
    totals = "".join(
        f"<tr{_total_class(label)}><th>{label}</th><td>{_text(value)}</td></tr>"
        for label, value in total_rows(doc)
    )
    return (
        '<div class="summary">'
        f'<section><h2>VAT breakdown ({_text(doc.currency)})</h2><table class="vat">'
        f"<thead><tr>{head}</tr></thead><tbody>{vat_rows}</tbody></table></section>"
        f'<section><h2>Totals</h2><table class="totals">{totals}</table></section>'
        "</div>"
    )


def _total_class(label: str) -> str:
    """The class attribute of a totals row: gross and amount due are bold."""
    name = {"Total gross": "gross", "Amount due": "due"}.get(label)
    return f' class="{name}"' if name else ""


def _texts(doc: InvoiceDocument) -> str:
    """Commentary, attached text and payment terms."""
    return "".join(
        f'<section><h2>{heading}</h2><p class="text">{_kept(text)}</p></section>'
        for heading, text in text_blocks(doc)
    )


def _footer(doc: InvoiceDocument) -> str:
    """The organisation's invoice footer."""
    footer = doc.footer.strip()
    return f"<footer>{_kept(footer)}</footer>" if footer else ""
