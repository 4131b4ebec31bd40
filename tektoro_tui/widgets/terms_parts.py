"""The Payment terms screen's pieces: how a template reads in the list, and its form."""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from ..services.invoicing.views import TERMS_KIND_LABELS, TermsForm, TermsView
from .dialogs.form import FormModal
from .fields import FieldSpec
from .printer_detail import amount_cell, clipped

TERMS_COLUMNS = ("Name", "Kind", "Used on")

TERMS_SPECS = (
    FieldSpec("name", "Name"),
    FieldSpec(
        "kind",
        "Kind",
        kind="select",
        options=tuple((label, kind) for kind, label in TERMS_KIND_LABELS.items()),
        placeholder="(choose a kind)",
    ),
    FieldSpec("days", "Due days", placeholder="e.g. 14 for Net 14; blank: sets none"),
    FieldSpec("body", "Text printed on the invoice", kind="textarea"),
)


def terms_cells(terms: TermsView) -> tuple[object, ...]:
    """One row of the library: name, kind, and how many issued invoices carry its text."""
    used = f"{terms.used_on} invoice{'s' if terms.used_on != 1 else ''}"
    return (clipped(terms.name, 36), terms.kind_label, amount_cell(used))


def terms_draft(terms: TermsView | None) -> TermsForm:
    """The form of an existing template, or an empty one."""
    if terms is None:
        return TermsForm(name="", kind="standard", body="", days="")
    days = "" if terms.days is None else str(terms.days)
    return TermsForm(name=terms.name, kind=terms.kind, body=terms.body, days=days)


def terms_modal(
    terms: TermsView | None, draft: TermsForm, problems: tuple[Problem, ...]
) -> FormModal[TermsForm]:
    """The form for a new template, or for changing ``terms``."""

    def build(values: dict[str, Any]) -> TermsForm:
        return TermsForm(
            name=values["name"], kind=values["kind"] or "", body=values["body"], days=values["days"]
        )

    if terms is None:
        title = "New payment terms"
        intro = "Chosen on a draft invoice and printed on it; its due days set the draft's."
    else:
        title = f"Edit payment terms: {terms.name}"
        intro = "Invoices already issued keep the text they were issued with."
    return FormModal(title, TERMS_SPECS, draft, build, problems, intro=intro)
