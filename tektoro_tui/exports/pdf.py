"""An invoice as an A4 PDF (fpdf2) with the DejaVu fonts shipped in the package.

The PDF says exactly what the HTML page says (the wording comes from :mod:`.html`), prints
Polish, German or French names, repeats the lines table's heading row on every page it spans and
numbers the pages "Page 1/2". It is deterministic: the creation date is the issue date and the
file id is a hash of the content, so the same invoice and options give byte-identical files.
fpdf2 is imported inside the functions so that importing this module stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from .html import (
    LINE_HEADINGS,
    LOGO_TYPES,
    VAT_HEADINGS,
    credit_note_reference,
    date_rows,
    document_heading,
    line_cells,
    overdue_notice,
    party_lines,
    text_blocks,
    total_rows,
    vat_cells,
)
from .keep_together import bind
from .model import DocumentLine, InvoiceDocument, Party, RenderOptions

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FAMILY = "DejaVu"
MARGIN = 15.0
BOTTOM_MARGIN = 18.0
CONTENT_WIDTH = 210.0 - 2 * MARGIN
# Column widths of the lines table, in LINE_HEADINGS order; they add up to CONTENT_WIDTH.
LINE_WIDTHS = (7.0, 56.0, 16.0, 22.0, 22.0, 14.0, 20.0, 23.0)
VAT_WIDTHS = (20.0, 26.0, 26.0, 26.0)
TABLE_SIZE = 8.0
DETAIL_SIZE = 7.0
ROW_LINE = 4.2
DETAIL_LINE = 3.5
MAX_CARRIED_ROWS = 8  # the most line rows carried over to keep the texts off a page alone
GREY = (90, 90, 90)
RULE_GREY = 200
ALERT_RED = (176, 0, 32)


@dataclass(frozen=True)
class _RowLayout:
    """One lines-table row broken into printed lines, with its height."""

    line: DocumentLine
    description: list[str]
    detail: list[str]

    @property
    def height(self) -> float:
        """The row's height in mm, padding included."""
        return len(self.description) * ROW_LINE + len(self.detail) * DETAIL_LINE + 1.6


def render_invoice_pdf(doc: InvoiceDocument, options: RenderOptions) -> bytes:
    """The whole invoice as PDF bytes; identical arguments give byte-identical output.

    Args:
        doc: the issued invoice, frozen.
        options: printing choices (line details shown or hidden).
    """
    pdf, alone = _laid_out(doc, options, carry=0)
    # The texts and footer would sit alone on a last page: take the last few rows of the
    # lines table (and so the totals) over to that page with them, when that keeps them
    # together; otherwise the first layout stands (the texts are longer than a page).
    for carry in range(1, min(len(doc.lines), MAX_CARRIED_ROWS) + 1):
        if not alone:
            break
        candidate, still_alone = _laid_out(doc, options, carry=carry)
        if not still_alone:
            pdf, alone = candidate, False
    return bytes(pdf.output())


def _laid_out(doc: InvoiceDocument, options: RenderOptions, *, carry: int) -> tuple[Any, bool]:
    """The document laid out, the last ``carry`` line rows starting a new page; and whether
    the texts and footer ended up on pages of their own (a page holding nothing else)."""
    pdf = _new_pdf(doc)
    pdf.add_page()
    _header(pdf, doc)
    _overdue(pdf, doc)
    _parties(pdf, doc)
    _lines_table(pdf, doc, options, break_before=len(doc.lines) - carry if carry else None)
    _vat_and_totals(pdf, doc)
    totals_page = pdf.page_no()
    _text_blocks(pdf, doc)
    _footer_text(pdf, doc)
    return pdf, pdf.page_no() > totals_page


def preload() -> None:
    """Import fpdf2 ahead of the first render (about 150 ms); call it from a background worker."""
    _pdf_class()


# --- the document ---------------------------------------------------------------------------


@cache
def _pdf_class() -> type[Any]:
    """An FPDF subclass with our running header and the "Page n/N" footer (built once)."""
    from fpdf import FPDF

    class InvoicePDF(FPDF):  # type: ignore[misc]
        """FPDF that prints the document heading and page numbers on every page."""

        running_title = ""

        def header(self) -> None:
            """On continuation pages, say whose pages these are."""
            if self.page_no() > 1:
                _set_font(self, "", 8, GREY)
                self.cell(0, 5, f"{self.running_title} (continued)", new_x="LMARGIN", new_y="NEXT")
                self.ln(2)
                _reset_colour(self)

        def footer(self) -> None:
            """The document heading on the left, "Page n/N" on the right."""
            self.set_y(-12)
            _set_font(self, "", 8, GREY)
            self.cell(CONTENT_WIDTH / 2, 5, self.running_title)
            self.cell(CONTENT_WIDTH / 2, 5, f"Page {self.page_no()}/{{nb}}", align="R")
            _reset_colour(self)

    return InvoicePDF


def _new_pdf(doc: InvoiceDocument) -> Any:
    """An A4 document with the fonts loaded and deterministic metadata."""
    pdf = _pdf_class()(orientation="P", unit="mm", format="A4")
    pdf.running_title = document_heading(doc)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=BOTTOM_MARGIN)
    pdf.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_creation_date(datetime.combine(doc.issue_date, time(0, 0), tzinfo=UTC))
    pdf.set_title(document_heading(doc))
    pdf.set_author(_plain(doc.seller.name))
    pdf.set_subject(f"{doc.title} for {_plain(doc.buyer.name)}")
    pdf.set_creator("TekToro TUI")
    pdf.set_producer("TekToro TUI")
    pdf.set_lang("en")
    return pdf


def _plain(text: str) -> str:
    """Text as the PDF fonts can print it: tabs as spaces, no carriage returns."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")


def _clean(text: str) -> str:
    """Printed text: plain, with account numbers and legal forms bound so that no line break
    falls inside them (fpdf2 prints the non-breaking spaces as plain ones)."""
    return bind(_plain(text))


def _set_font(
    pdf: Any, style: str, size: float, colour: tuple[int, int, int] | None = None
) -> None:
    """Switch to DejaVu in ``style`` ("" or "B") at ``size`` points, optionally coloured."""
    pdf.set_font(FAMILY, style, size)
    if colour is not None:
        pdf.set_text_color(*colour)


def _reset_colour(pdf: Any) -> None:
    """Back to black text."""
    pdf.set_text_color(0, 0, 0)


def _text(pdf: Any, text: str, height: float, width: float = 0, **kwargs: Any) -> None:
    """A wrapped paragraph that ends at the left margin on the next line."""
    pdf.multi_cell(width, height, _clean(text), align="L", new_x="LMARGIN", new_y="NEXT", **kwargs)


# --- header, notice, parties ----------------------------------------------------------------


def _header(pdf: Any, doc: InvoiceDocument) -> None:
    """Logo on the right; title, number, credited invoice and dates on the left."""
    logo_bottom = _logo(pdf, doc.logo_path)
    _set_font(pdf, "B", 18)
    _text(pdf, document_heading(doc), 9, width=CONTENT_WIDTH - 60)
    credited = credit_note_reference(doc)
    if credited:
        _set_font(pdf, "B", 10)
        _text(pdf, credited, 6, width=CONTENT_WIDTH - 60)
    pdf.ln(1)
    for label, value in date_rows(doc):
        _set_font(pdf, "", 9, GREY)
        pdf.cell(24, 5, label)
        _set_font(pdf, "", 9, (0, 0, 0))
        pdf.cell(40, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), logo_bottom) + 4)


def _logo(pdf: Any, path: str) -> float:
    """Place the logo top right when it is a readable image; return the y below it."""
    file = Path(path).expanduser() if path else None
    if file is None or file.suffix.lower() not in LOGO_TYPES or not file.is_file():
        return pdf.get_y()
    try:
        pdf.image(str(file), x=210 - MARGIN - 55, y=MARGIN, w=55, h=18, keep_aspect_ratio=True)
    except Exception:  # noqa: BLE001 - a broken logo file must never stop an invoice printing
        return pdf.get_y()
    return MARGIN + 18


def _overdue(pdf: Any, doc: InvoiceDocument) -> None:
    """The late-payment notice in a red box, when one is set."""
    notice = overdue_notice(doc)
    if not notice:
        return
    _set_font(pdf, "B", 10, ALERT_RED)
    pdf.set_draw_color(*ALERT_RED)
    pdf.set_line_width(0.6)
    _text(pdf, notice, 5.5, border=1, padding=2)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    _reset_colour(pdf)
    pdf.ln(4)


def _parties(pdf: Any, doc: InvoiceDocument) -> None:
    """Seller and buyer side by side; the page continues below the longer block."""
    top = pdf.get_y()
    half = CONTENT_WIDTH / 2 - 5
    if pdf.will_page_break(_party_height(doc.seller) + 2):
        pdf.add_page()
        top = pdf.get_y()
    bottoms = []
    for offset, label, party in ((0.0, "Seller", doc.seller), (half + 10, "Buyer", doc.buyer)):
        pdf.set_xy(MARGIN + offset, top)
        bottoms.append(_party(pdf, label, party, half))
    pdf.set_xy(MARGIN, max(bottoms) + 6)


def _party_height(party: Party) -> float:
    """A rough height of a party block, to keep it on one page."""
    return 10 + 4.5 * (1 + len(party_lines(party)))


def _party(pdf: Any, label: str, party: Party, width: float) -> float:
    """One party block at the current position; returns the y below it."""
    left = pdf.get_x()
    _set_font(pdf, "B", 8, GREY)
    pdf.cell(width, 5, label.upper(), new_x="LEFT", new_y="NEXT")
    _set_font(pdf, "B", 10, (0, 0, 0))
    pdf.multi_cell(width, 5, _clean(party.name), align="L", new_x="LEFT", new_y="NEXT")
    _set_font(pdf, "", 9)
    for line in party_lines(party):
        pdf.set_x(left)
        pdf.multi_cell(width, 4.5, _clean(line), align="L", new_x="LEFT", new_y="NEXT")
    return float(pdf.get_y())


# --- the lines table ------------------------------------------------------------------------


def _lines_table(
    pdf: Any, doc: InvoiceDocument, options: RenderOptions, *, break_before: int | None = None
) -> None:
    """Every line; a row never splits, and the heading row repeats on each new page.

    ``break_before`` starts a new page at that row (by index), to carry the last rows over.
    """
    pdf.set_draw_color(RULE_GREY)
    layouts = [_layout(pdf, line, options) for line in doc.lines]
    first_height = layouts[0].height if layouts else 0
    if pdf.will_page_break(6 + first_height):
        pdf.add_page()
    _table_heading(pdf, LINE_HEADINGS, LINE_WIDTHS, text_column=1)
    for index, layout in enumerate(layouts):
        if index == break_before or pdf.will_page_break(layout.height):
            pdf.add_page()
            _table_heading(pdf, LINE_HEADINGS, LINE_WIDTHS, text_column=1)
        _line_row(pdf, layout)
    pdf.set_draw_color(0, 0, 0)
    pdf.ln(4)


def _layout(pdf: Any, line: DocumentLine, options: RenderOptions) -> _RowLayout:
    """Break a line's description (and detail, when shown) into printed lines."""
    width = LINE_WIDTHS[1] - 2
    _set_font(pdf, "", TABLE_SIZE)
    description = _wrap(pdf, line.description, width) or [""]
    detail: list[str] = []
    if options.show_line_details and line.detail.strip():
        _set_font(pdf, "", DETAIL_SIZE)
        detail = _wrap(pdf, line.detail.strip(), width)
    return _RowLayout(line, description, detail)


def _wrap(pdf: Any, text: str, width: float) -> list[str]:
    """``text`` wrapped to ``width`` mm in the current font, as printed lines."""
    if not text.strip():
        return []
    lines = pdf.multi_cell(width, ROW_LINE, _clean(text), dry_run=True, output="LINES")
    return [str(line) for line in lines]


def _table_heading(
    pdf: Any, headings: tuple[str, ...], widths: tuple[float, ...], text_column: int
) -> None:
    """A grey heading row; text columns left-aligned, number columns right-aligned."""
    _set_font(pdf, "B", TABLE_SIZE)
    pdf.set_fill_color(235, 235, 235)
    for index, (heading, width) in enumerate(zip(headings, widths, strict=True)):
        align = "L" if index == text_column else "R"
        pdf.cell(width, 6, heading, fill=True, align=align)
    pdf.ln(6)


def _line_row(pdf: Any, layout: _RowLayout) -> None:
    """One lines-table row: number cells on the first text line, a rule underneath."""
    top = pdf.get_y() + 0.8
    left = MARGIN
    _set_font(pdf, "", TABLE_SIZE)
    pdf.set_xy(left, top)
    _fitted_cell(pdf, LINE_WIDTHS[0], str(layout.line.position), "R")
    x = left + LINE_WIDTHS[0]
    y = top
    for text in layout.description:
        pdf.set_xy(x + 1, y)
        pdf.cell(LINE_WIDTHS[1] - 2, ROW_LINE, text)
        y += ROW_LINE
    _set_font(pdf, "", DETAIL_SIZE, GREY)
    for text in layout.detail:
        pdf.set_xy(x + 1, y)
        pdf.cell(LINE_WIDTHS[1] - 2, DETAIL_LINE, text)
        y += DETAIL_LINE
    _set_font(pdf, "", TABLE_SIZE, (0, 0, 0))
    pdf.set_xy(x + LINE_WIDTHS[1], top)
    for text, width in zip(line_cells(layout.line), LINE_WIDTHS[2:], strict=True):
        _fitted_cell(pdf, width, text, "R")
    bottom = top - 0.8 + layout.height
    pdf.line(MARGIN, bottom, MARGIN + CONTENT_WIDTH, bottom)
    pdf.set_xy(MARGIN, bottom)


def _fitted_cell(pdf: Any, width: float, text: str, align: str) -> None:
    """A one-line cell whose font shrinks when a long amount would overflow the column."""
    size = pdf.font_size_pt
    while size > 5 and pdf.get_string_width(text) > width - 1:
        size -= 0.5
        pdf.set_font_size(size)
    pdf.cell(width, ROW_LINE, text, align=align)
    pdf.set_font_size(TABLE_SIZE)


# --- VAT breakdown, totals, texts -----------------------------------------------------------


def _vat_and_totals(pdf: Any, doc: InvoiceDocument) -> None:
    """The VAT breakdown per rate on the left, the totals on the right, kept on one page."""
    totals = total_rows(doc)
    height = 8 + 6 + ROW_LINE * max(len(doc.vat_rows) + 1, len(totals))
    if pdf.will_page_break(height):
        pdf.add_page()
    top = pdf.get_y()
    _set_font(pdf, "B", 9)
    pdf.cell(sum(VAT_WIDTHS), 6, f"VAT breakdown ({doc.currency})", new_x="LMARGIN", new_y="NEXT")
    _table_heading(pdf, VAT_HEADINGS, VAT_WIDTHS, text_column=0)
    _set_font(pdf, "", TABLE_SIZE)
    for row in doc.vat_rows:
        for index, (text, width) in enumerate(zip(vat_cells(row), VAT_WIDTHS, strict=True)):
            _fitted_cell(pdf, width, text, "L" if index == 0 else "R")
        pdf.ln(ROW_LINE)
    vat_bottom = pdf.get_y()
    _totals(pdf, totals, top)
    pdf.set_xy(MARGIN, max(vat_bottom, pdf.get_y()) + 5)


def _totals(pdf: Any, rows: list[tuple[str, str]], top: float) -> None:
    """The totals block, right-aligned; gross and amount due in bold."""
    label_width, amount_width = 30.0, 40.0
    left = MARGIN + CONTENT_WIDTH - label_width - amount_width
    pdf.set_xy(left, top)
    _set_font(pdf, "B", 9)
    pdf.cell(label_width + amount_width, 6, "Totals", new_x="LEFT", new_y="NEXT")
    for label, value in rows:
        bold = label in ("Total gross", "Amount due")
        _set_font(pdf, "B" if bold else "", 9)
        pdf.set_x(left)
        pdf.cell(label_width, 5.5, label)
        pdf.cell(amount_width, 5.5, value, align="R", new_x="LEFT", new_y="NEXT")
        pdf.set_x(left)


def _text_blocks(pdf: Any, doc: InvoiceDocument) -> None:
    """Comments, attached text and payment terms, each under its heading."""
    for heading, text in text_blocks(doc):
        if pdf.will_page_break(12):
            pdf.add_page()
        _set_font(pdf, "B", 9)
        pdf.cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        _set_font(pdf, "", 9)
        _text(pdf, text, 4.5)
        pdf.ln(3)


def _footer_text(pdf: Any, doc: InvoiceDocument) -> None:
    """The organisation's invoice footer, small and grey, under a rule."""
    footer = doc.footer.strip()
    if not footer:
        return
    if pdf.will_page_break(10):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_draw_color(RULE_GREY)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + CONTENT_WIDTH, pdf.get_y())
    pdf.set_draw_color(0, 0, 0)
    pdf.ln(2)
    _set_font(pdf, "", 8, GREY)
    _text(pdf, footer, 4)
    _reset_colour(pdf)
