"""The Invoice Printer: issued invoices and credit notes, read and rendered as PDF or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from ...data import models as m
from ...domain.permissions import Perm, Role
from ...exports.filenames import safe_filename
from ...exports.model import (
    InvoiceDocument,
    RenderOptions,
)
from ...paths import ensure_dir, exports_dir
from ..base import Actor, ServiceBase, write_file
from .views import (
    InvoiceView,
    PaymentView,
)

if TYPE_CHECKING:
    pass
from .common import (
    PRINTER_STATUSES,
    RENDER_FORMATS,
    actor_role,
    invalid_field,
    invoice_by_number,
    require_visible,
)
from .payments import payment_view
from .read_models import invoice_document, invoice_view


class PrinterReads(ServiceBase):
    """The Invoice Printer: issued invoices read, listed and rendered."""

    def printer_list(self, actor: Actor, *, lines: bool = True) -> tuple[InvoiceView, ...]:
        """Issued invoices and credit notes not yet booked, newest first.

        Args:
            actor: Who reads the list (needs ``invoice.view_all``).
            lines: False leaves each view's ``lines`` and ``vat_breakdown`` empty, for list
                screens: an invoice can have thousands of lines, while every total, date and
                name comes from the invoice row. Read one invoice whole with :meth:`get`.
        """
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            rows = session.execute(
                select(m.Invoice, m.Company.name, m.DocumentRecord.reference)
                .outerjoin(m.Company, m.Company.id == m.Invoice.client_id)
                .outerjoin(m.DocumentRecord, m.DocumentRecord.id == m.Invoice.document_id)
                .where(m.Invoice.status.in_(PRINTER_STATUSES))  # type: ignore[attr-defined]
                .order_by(m.Invoice.issue_date.desc(), m.Invoice.id.desc())  # type: ignore[union-attr]
            ).all()
            return tuple(
                invoice_view(session, row, lines=lines, names=(client or "", reference or ""))
                for row, client, reference in rows
            )

    def get(self, actor: Actor, invoice_id: int) -> InvoiceView:
        """One invoice: any with ``invoice.view_all``, drafts also for Documenter users."""
        with self._read(actor) as session:
            invoice = self._get(session, m.Invoice, invoice_id, "Invoice")
            require_visible(session, actor, invoice)
            return invoice_view(session, invoice)

    def get_by_number(
        self, actor: Actor, number: str, *, line_limit: int | None = None
    ) -> InvoiceView:
        """One issued invoice or credit note by its number.

        With ``line_limit`` only the first that many lines are read (the totals, the VAT
        breakdown and ``line_count`` still cover every line): a screen that shows a few hundred
        lines of a ten-thousand-line invoice need not build the rest.
        """
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            return invoice_view(session, invoice_by_number(session, number), line_limit=line_limit)

    def payments(self, actor: Actor, number: str) -> tuple[PaymentView, ...]:
        """The payments recorded on an invoice, oldest first; account numbers masked except
        for administrators."""
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            invoice = invoice_by_number(session, number)
            unmasked = actor_role(session, actor) is Role.ADMINISTRATOR
            rows = session.execute(
                select(m.Payment, m.UserAccount.name)
                .join(m.UserAccount, m.UserAccount.id == m.Payment.recorded_by_id)
                .where(m.Payment.invoice_id == invoice.id)
                .order_by(m.Payment.paid_on, m.Payment.id)
            ).all()
            return tuple(payment_view(row, name, invoice.currency, unmasked) for row, name in rows)

    def document_for(self, actor: Actor, number: str) -> InvoiceDocument:
        """What the printed invoice shows, from the frozen invoice row and its lines."""
        with self._read(actor, Perm.INVOICE_VIEW_ALL) as session:
            return invoice_document(session, invoice_by_number(session, number))

    def render(
        self,
        actor: Actor,
        number: str,
        *,
        fmt: str = "pdf",
        out: Path | None = None,
        show_line_details: bool = True,
    ) -> Path:
        """Write the invoice as PDF or HTML and return the file's path.

        The file goes to ``out`` (a file, or a folder to put it in) or to the exports folder as
        ``<number>.<fmt>`` with the number made file-safe ("INV-2026-00001.pdf"). Rendering reads
        only; identical options give identical bytes.
        """
        if fmt not in RENDER_FORMATS:
            raise invalid_field("format", "must be pdf or html")
        document = self.document_for(actor, number)
        options = RenderOptions(show_line_details=show_line_details)
        if fmt == "pdf":
            from ...exports.pdf import render_invoice_pdf

            data = render_invoice_pdf(document, options)
        else:
            from ...exports.html import render_invoice_html

            data = render_invoice_html(document, options).encode("utf-8")
        name = f"{safe_filename(number)}.{fmt}"
        target = ensure_dir(exports_dir()) / name if out is None else out
        if _is_folder(target):
            target = target / name
        return write_file(target, data)


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is an existing folder; a path the system cannot even look at (a name
    too long) is not, and :func:`write_file` then says why it cannot be written."""
    try:
        return path.is_dir()
    except OSError:
        return False
