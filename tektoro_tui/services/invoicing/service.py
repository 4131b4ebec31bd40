"""Client invoices from draft to booked revenue: the one service the faces call.

Each responsibility lives in its own module (the Documenter, issuing, the Invoice Printer,
payments, Account Revenue); this class puts their actions together behind one name.
"""

from __future__ import annotations

from .documenter import DocumenterActions
from .issuing import IssuingActions
from .payments import PaymentActions
from .printer import PrinterReads
from .revenue import RevenueActions


class InvoiceService(
    DocumenterActions, IssuingActions, PrinterReads, PaymentActions, RevenueActions
):
    """Drafts, issuing, credit notes, printing, payments and the revenue reports."""
