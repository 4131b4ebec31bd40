"""Generating a contractor's master invoice: choose, preview, write; from any screen.

Master invoices and the administrator's Home both offer it (``g``) and run it where they are:
the generator's form, then the preview, over the screen that asked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ..errors import Problem
from ..services.contractor_invoices.views import (
    ContractorOption,
    MasterInvoiceForm,
    MasterInvoicePreview,
    MasterInvoiceView,
)
from ..widgets.dialogs.form import FormModal
from ..widgets.dialogs.master_preview import MasterPreviewDialog
from ..widgets.master_invoice_forms import form_of_preview, generator_draft, generator_modal
from .base import call_service, edit_in_form, push_dialog

if TYPE_CHECKING:
    from textual.widget import Widget

    from ..services.base import Actor
    from ..services.hub import Services


def generate_master_invoice(
    node: Widget,
    services: Services,
    actor: Actor,
    generated: Callable[[MasterInvoiceView], object],
) -> None:
    """Ask for a contractor and period, preview the invoice, then write it; ``generated``
    gets the new invoice."""

    def fetch() -> tuple[tuple[ContractorOption, ...], date]:
        return services.contractor_invoices.contractors(actor), services.settings.today()

    def previewed(preview: MasterInvoicePreview) -> None:
        form = form_of_preview(preview)

        def answered(generate: bool | None) -> None:
            if generate:
                call_service(
                    node,
                    lambda: services.contractor_invoices.generate(actor, form, line_limit=0),
                    generated,
                )

        push_dialog(node, MasterPreviewDialog(preview), answered)

    def open_form(loaded: tuple[tuple[ContractorOption, ...], date]) -> None:
        options, today = loaded

        def make_form(
            draft: MasterInvoiceForm, problems: tuple[Problem, ...]
        ) -> FormModal[MasterInvoiceForm]:
            return generator_modal(options, draft, problems)

        def preview(form: MasterInvoiceForm) -> MasterInvoicePreview:
            return services.contractor_invoices.preview(actor, form)

        edit_in_form(node, make_form, generator_draft(options, today), preview, previewed)

    call_service(node, fetch, open_form)
