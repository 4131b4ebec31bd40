"""Invoices as HTML and PDF: content, escaping, Unicode names, determinism, pages, speed."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest

from tektoro_tui.domain.money import Money, sum_money
from tektoro_tui.exports.html import render_invoice_html
from tektoro_tui.exports.model import DocumentLine, InvoiceDocument, Party, RenderOptions, VatRow
from tektoro_tui.exports.pdf import render_invoice_pdf

SHOW = RenderOptions(show_line_details=True)
HIDE = RenderOptions(show_line_details=False)
RATES = (2300, 800)


def eur(cents: int) -> Money:
    """An amount in euro cents."""
    return Money(cents, "EUR")


def make_line(position: int, rate_bp: int = 2300) -> DocumentLine:
    """A time line whose net grows with its position, VAT rounded half-up."""
    net = eur(10_000 + position * 123)
    vat = net.percent(rate_bp)
    return DocumentLine(
        position=position,
        kind="time",
        description=f"Design work {position}",
        detail=f"2026-03-02 · Łukasz Wróbel · detail {position}",
        quantity="1:30 h",
        unit_price=eur(9_500),
        net=net,
        vat_bp=rate_bp,
        vat=vat,
        gross=net + vat,
    )


def make_invoice(count: int = 3, **changes: object) -> InvoiceDocument:
    """An issued invoice with ``count`` lines alternating between 23 % and 8 % VAT."""
    lines = tuple(make_line(i, RATES[i % 2]) for i in range(1, count + 1))
    vat_rows = tuple(
        VatRow(
            rate,
            sum_money((x.net for x in lines if x.vat_bp == rate), "EUR"),
            sum_money((x.vat for x in lines if x.vat_bp == rate), "EUR"),
            sum_money((x.gross for x in lines if x.vat_bp == rate), "EUR"),
        )
        for rate in sorted({x.vat_bp for x in lines}, reverse=True)
    )
    net = sum_money((x.net for x in lines), "EUR")
    vat = sum_money((x.vat for x in lines), "EUR")
    doc = InvoiceDocument(
        number="FV/2026/03/0007",
        kind="standard",
        title="Invoice",
        issue_date=date(2026, 3, 10),
        sale_date=date(2026, 3, 9),
        due_date=date(2026, 3, 24),
        seller=Party(
            "Jürgen Groß GmbH",
            "Hauptstraße 5\n10115 Berlin",
            "DE123456789",
            bank_account="DE89 3704 0044 0532 0130 00",
        ),
        buyer=Party("Łukasz Wróbel sp. z o.o.", "ul. Długa 5\n00-001 Warszawa", "PL5260001246"),
        currency="EUR",
        lines=lines,
        vat_rows=vat_rows,
        net=net,
        vat=vat,
        gross=net + vat,
        paid=eur(0),
        due=net + vat,
        commentary="Work for François Dupont in March.",
        attached_text="Timesheets are attached.",
        payment_terms="Pay within 14 days by bank transfer.",
        footer="Registered in Berlin, HRB 12345",
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def pdf_pages(data: bytes) -> list[str]:
    """The text of every page of a PDF."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def one_line(text: str) -> str:
    """Text with its line breaks turned into spaces (PDF text wraps)."""
    return " ".join(text.split())


# --- HTML -----------------------------------------------------------------------------------


def test_html_shows_number_lines_vat_per_rate_and_totals() -> None:
    doc = make_invoice(3)
    page = render_invoice_html(doc, SHOW)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "FV/2026/03/0007" in page
    for line in doc.lines:
        assert f"Design work {line.position}" in page
        assert line.gross.format() in page
    by_rate = {row.rate_bp: row for row in doc.vat_rows}
    assert by_rate[2300].vat.format() in page and ">23%<" in page
    assert by_rate[800].vat.format() in page and ">8%<" in page
    assert f"{doc.gross.format()} EUR" in page and f"{doc.net.format()} EUR" in page
    for date_text in ("2026-03-10", "2026-03-09", "2026-03-24"):
        assert date_text in page
    assert "DE89 3704 0044 0532 0130 00" in page and "PL5260001246" in page
    assert "Pay within 14 days" in page and "HRB 12345" in page
    assert 'class="overdue"' not in page


def test_html_shows_paid_and_amount_due_only_after_a_payment() -> None:
    doc = make_invoice(2)
    assert "Amount due" not in render_invoice_html(doc, SHOW)
    part = replace(doc, paid=eur(5_000), due=doc.gross - eur(5_000))
    page = render_invoice_html(part, SHOW)
    assert "Paid</th><td>50.00 EUR" in page
    assert f"Amount due</th><td>{(doc.gross - eur(5_000)).format()} EUR" in page


def test_html_overdue_notice_names_days_and_outstanding_amount() -> None:
    doc = make_invoice(2, paid=eur(1_000), overdue_notice_days=60)
    doc = replace(doc, due=doc.gross - eur(1_000))
    page = render_invoice_html(doc, SHOW)
    expected = (
        f"This invoice is 60 days overdue. Please pay the outstanding amount of "
        f"{doc.due.format()} EUR immediately."
    )
    assert f'<div class="overdue" role="alert">{expected}</div>' in page


def test_html_escapes_everything_users_typed() -> None:
    evil = "<script>alert('x')</script>"
    line = replace(make_line(1), description=evil, detail=f"& {evil}")
    doc = make_invoice(1, lines=(line,), buyer=Party(evil, evil), commentary=evil, number=evil)
    page = render_invoice_html(doc, SHOW)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&amp; &lt;script&gt;" in page


def test_html_line_details_follow_the_toggle() -> None:
    doc = make_invoice(2)
    assert "Łukasz Wróbel · detail 1" in render_invoice_html(doc, SHOW)
    hidden = render_invoice_html(doc, HIDE)
    assert "detail 1" not in hidden and "Design work 1" in hidden


def test_html_credit_note_names_the_credited_invoice() -> None:
    doc = make_invoice(
        1, kind="credit_note", title="Credit note", credited_number="FV/2026/03/0001"
    )
    page = render_invoice_html(doc, SHOW)
    assert "Credit note for invoice FV/2026/03/0001" in page
    assert "Credit note for invoice" not in render_invoice_html(make_invoice(1), SHOW)


def test_html_is_deterministic_and_embeds_a_readable_logo(tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (40, 20), (200, 30, 30)).save(logo)
    doc = make_invoice(2, logo_path=str(logo))
    page = render_invoice_html(doc, SHOW)
    assert page == render_invoice_html(doc, SHOW)
    assert '<img src="data:image/png;base64,iVBOR' in page
    missing = render_invoice_html(replace(doc, logo_path=str(tmp_path / "gone.png")), SHOW)
    assert "<img" not in missing


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_text_shows_number_lines_vat_and_totals() -> None:
    doc = make_invoice(3, paid=eur(1_000), overdue_notice_days=90)
    doc = replace(doc, due=doc.gross - eur(1_000))
    text = one_line("\n".join(pdf_pages(render_invoice_pdf(doc, SHOW))))
    assert "Invoice FV/2026/03/0007" in text
    for line in doc.lines:
        assert f"Design work {line.position}" in text
        assert line.vat.format() in text and line.gross.format() in text
    for row in doc.vat_rows:
        assert f"{row.net.format()} {row.vat.format()} {row.gross.format()}" in text
    assert f"Total net {doc.net.format()} EUR" in text
    assert f"Total VAT {doc.vat.format()} EUR" in text
    assert f"Total gross {doc.gross.format()} EUR" in text
    assert f"Amount due {doc.due.format()} EUR" in text
    assert (
        f"This invoice is 90 days overdue. Please pay the outstanding amount of "
        f"{doc.due.format()} EUR immediately."
    ) in text
    assert "Pay within 14 days by bank transfer." in text


def test_pdf_prints_polish_german_and_french_names() -> None:
    text = one_line("\n".join(pdf_pages(render_invoice_pdf(make_invoice(2), SHOW))))
    for name in ("Łukasz Wróbel", "Jürgen Groß", "Hauptstraße", "ul. Długa", "François Dupont"):
        assert name in text


def test_pdf_line_details_follow_the_toggle() -> None:
    doc = make_invoice(2)
    assert "detail 1" in "".join(pdf_pages(render_invoice_pdf(doc, SHOW)))
    hidden = "".join(pdf_pages(render_invoice_pdf(doc, HIDE)))
    assert "detail 1" not in hidden and "Design work 1" in hidden


def test_pdf_renders_are_byte_identical(tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 30), (20, 90, 160)).save(logo)
    doc = make_invoice(5, logo_path=str(logo), overdue_notice_days=60)
    first = render_invoice_pdf(doc, SHOW)
    assert first.startswith(b"%PDF-")
    assert render_invoice_pdf(doc, SHOW) == first
    assert b"/Subtype /Image" in first
    assert render_invoice_pdf(doc, HIDE) != first


def test_long_invoice_breaks_pages_with_heading_repeated_and_page_numbers() -> None:
    doc = make_invoice(60)
    pages = pdf_pages(render_invoice_pdf(doc, SHOW))
    count = len(pages)
    assert count >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number}/{count}" in text
    for position in range(1, 61):
        assert sum(t.count(f"Design work {position}\n") for t in pages) == 1
    pages_with_lines = [t for t in pages if "Design work" in t]
    assert len(pages_with_lines) >= 2
    for text in pages_with_lines:
        assert "# Description Quantity Unit price Net VAT % VAT Gross" in text
    assert f"Total gross {doc.gross.format()} EUR" in one_line(pages[-1] + pages[-2])


@pytest.mark.parametrize("days", [60, 90])
def test_pdf_overdue_notice_uses_the_days_set(days: int) -> None:
    doc = make_invoice(1, overdue_notice_days=days)
    text = one_line(pdf_pages(render_invoice_pdf(doc, SHOW))[0])
    assert f"This invoice is {days} days overdue." in text
    assert f"{doc.gross.format()} EUR immediately." in text


# --- layout: words kept together, no page of texts alone --------------------------------------

IBAN = "PL61 1090 1014 0000 0712 1981 2874"


@pytest.mark.parametrize("extra", range(0, 24, 3))
def test_pdf_never_breaks_an_account_number_or_a_legal_form(extra: int) -> None:
    # Names of growing length: at some lengths a plain wrap would split the legal form or
    # the account number over two lines of the party block.
    name = "Przedsiębiorstwo Budowlane " + "X" * extra + " Kowalski Sp. z o.o."
    seller = Party(name, "ul. Długa 5\n00-001 Warszawa", "PL5260001246", bank_account=IBAN)
    buyer = Party("Müller Bau " + "Y" * extra + " GmbH & Co. KG", "Hauptstraße 5", "DE1")
    doc = make_invoice(2, seller=seller, buyer=buyer, payment_terms=f"Pay to {IBAN} in 14 days.")
    lines = pdf_pages(render_invoice_pdf(doc, SHOW))[0].splitlines()
    assert any("Sp. z o.o." in line for line in lines)
    assert any("GmbH & Co. KG" in line for line in lines)
    assert sum(IBAN in line for line in lines) == 2, "whole, in the party block and the terms"
    html = render_invoice_html(doc, SHOW)
    assert f'<span class="nobr">{IBAN}</span>' in html


@pytest.mark.parametrize("count", range(8, 45))
def test_pdf_never_leaves_the_texts_and_footer_alone_on_the_last_page(count: int) -> None:
    pages = pdf_pages(render_invoice_pdf(make_invoice(count), SHOW))
    assert "Total gross" in pages[-1] or "Design work" in pages[-1]
    text = one_line("\n".join(pages))
    assert "Timesheets are attached." in text and "Registered in Berlin, HRB 12345" in text
    for position in range(1, count + 1):
        assert sum(page.count(f"Design work {position}\n") for page in pages) == 1


def test_pdf_and_html_print_labels_not_field_names() -> None:
    doc = make_invoice(1)
    for text in (
        one_line(pdf_pages(render_invoice_pdf(doc, SHOW))[0]),
        render_invoice_html(doc, SHOW),
    ):
        assert "Notes" in text and "Timesheets are attached." in text
        assert "Attached text" not in text and "attached_text" not in text
