"""The Documenter (stage 5): a document record becomes a draft invoice that people edit.

Every change re-prices the draft through :func:`tektoro_tui.domain.invoice.compose_invoice`,
the same function the screen uses for its live totals. A draft keeps a provisional issue date
(the day it was last edited) and a due date that many payment days later; issuing re-dates
both to the real issue date and keeps the number of days.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.invoice import ComposedInvoice, DraftLine, compose_invoice
from ...domain.money import Money, percent_text
from ...domain.rounding import RoundingMode
from ...domain.states import InvoiceAction, InvoiceStatus, invoice_transition
from ...domain.validation import Form, given_fields, keep_unchanged
from ...domain.vat import VatMode
from ...errors import (
    IllegalTransition,
    NotFound,
    StaleEdit,
)
from ..base import (
    Actor,
    ServiceBase,
    UnitOfWork,
    chunks,
    insert_rows,
    org_today,
    organisation,
)
from .views import (
    AdjustmentForm,
    DraftForm,
    ExpenseForm,
    InvoiceView,
)

if TYPE_CHECKING:
    pass
from ..versions import stale_message
from .common import (
    LINE_TABLE,
    MAX_DUE_DAYS,
    MAX_MARKUP_BP,
    REMOVABLE_KINDS,
    SERIES_INVOICE,
    STANDARD,
    WRITE_DOWN_DETAIL,
    LineRecord,
    invalid_field,
    is_write_down,
    line_records,
    live_invoice,
    lock_invoice,
    require_documenter,
    require_invoice_editor,
)
from .numbering import series_row
from .read_models import audit_image, draft_version, invoice_names, invoice_view


class DocumenterActions(ServiceBase):
    """The Documenter: a document record's draft invoice and its edits."""

    def open_record(self, actor: Actor, document_id: int) -> InvoiceView:
        """The draft invoice of an invoice record, created on first opening.

        Raises:
            IllegalTransition: for a statement of write-downs, or a record already invoiced.
        """
        with self._write(actor) as uow:
            require_invoice_editor(uow.session, actor)
            invoice, lines = draft_of_record(uow, document_id, actor)
            return invoice_view(uow.session, invoice, records=lines)

    def drafts(self, actor: Actor) -> tuple[InvoiceView, ...]:
        """Every draft invoice, newest first (the Documenter's list): each with its totals,
        VAT breakdown and ``line_count``, not its lines (a draft may hold ten thousand)."""
        with self._read(actor) as session:
            require_documenter(session, actor)
            rows = session.execute(
                select(m.Invoice)
                .where(m.Invoice.status == InvoiceStatus.DRAFT.value)
                .order_by(m.Invoice.created_at.desc(), m.Invoice.id.desc())  # type: ignore[attr-defined,union-attr]
            ).scalars()
            return tuple(invoice_view(session, row, line_limit=0) for row in rows)

    def payment_terms_options(self, actor: Actor) -> tuple[tuple[int, str], ...]:
        """(id, name) of the payment-terms templates a draft may use, by name."""
        with self._read(actor) as session:
            require_documenter(session, actor)
            rows = session.execute(
                select(m.PaymentTermsTemplate.id, m.PaymentTermsTemplate.name)
                .where(m.PaymentTermsTemplate.is_deleted.is_(False))  # type: ignore[attr-defined]
                .order_by(m.PaymentTermsTemplate.name, m.PaymentTermsTemplate.id)
            ).all()
            return tuple((int(ident), str(name)) for ident, name in rows)

    def update_draft(
        self, actor: Actor, invoice_id: int, form: DraftForm, *, version: str | None = None
    ) -> InvoiceView:
        """Commentary, attached text, markup, payment terms, due days and the time VAT rate.

        Only the fields ``form`` gives change; every other one keeps the draft's value. With
        ``version`` (the draft's as the form was opened on it) a draft changed meanwhile is
        refused (:class:`~tektoro_tui.errors.StaleEdit`), as every edit below.
        """
        return self._edit_draft(
            actor,
            invoice_id,
            "invoice.update_draft",
            draft_form_change(form),
            "markup_percent",
            version,
        )

    def add_adjustment(
        self, actor: Actor, invoice_id: int, form: AdjustmentForm, *, version: str | None = None
    ) -> InvoiceView:
        """A ± amount with a reason, on one time line (placed right after it) or the invoice."""

        def change(
            uow: UnitOfWork, invoice: m.Invoice, org: m.Organisation, rows: list[LineRecord]
        ) -> None:
            check = Form()
            amount = check.money("amount", form.amount, invoice.currency, allow_zero=False)
            reason = check.text("reason", form.reason, max_length=500)
            target = _adjusted_line(check, rows, form.line_id)
            default_bp = target.vat_bp if target is not None else _time_vat_bp(rows, org)
            vat_bp = _optional_rate(check, "vat_rate", form.vat_rate, default_bp)
            standing = _net_after_adjustments(rows, target) if target is not None else 0
            if amount is not None and target is not None and -amount.cents > standing:
                check.add(
                    "amount",
                    f"would take line {target.position} below zero (it is "
                    f"{Money(standing, invoice.currency).format()} after its adjustments)",
                )
            check.raise_if_any()
            assert amount is not None and reason is not None
            position = _make_room_after(uow.session, invoice, rows, target)
            _add_line(
                uow.session,
                invoice,
                position,
                kind="adjustment",
                description=f"Adjustment: {reason}",
                detail=f"Applies to: {target.description}" if target is not None else "",
                net_cents=amount.cents,
                vat_bp=vat_bp,
                reason=reason,
            )

        return self._edit_draft(
            actor, invoice_id, "invoice.add_adjustment", change, "amount", version
        )

    def add_expense(
        self, actor: Actor, invoice_id: int, form: ExpenseForm, *, version: str | None = None
    ) -> InvoiceView:
        """An out-of-pocket expense passed on to the client (after the existing lines)."""

        def change(
            uow: UnitOfWork, invoice: m.Invoice, org: m.Organisation, rows: list[LineRecord]
        ) -> None:
            check = Form()
            when = check.date("expense_date", form.expense_date)
            if when is not None and when > org_today(uow.session, uow.now):
                check.add("expense_date", "must not be in the future")
            description = check.text("description", form.description, max_length=2000)
            amount = check.money(
                "amount", form.amount, invoice.currency, min_cents=1, allow_zero=False
            )
            vat_bp = _optional_rate(check, "vat_rate", form.vat_rate, org.default_vat_bp)
            check.raise_if_any()
            assert amount is not None and description is not None
            _add_line(
                uow.session,
                invoice,
                _make_room_after(uow.session, invoice, rows, None),
                kind="expense",
                description=description,
                net_cents=amount.cents,
                unit_price_cents=amount.cents,
                vat_bp=vat_bp,
                expense_date=when,
            )

        return self._edit_draft(actor, invoice_id, "invoice.add_expense", change, "amount", version)

    def remove_line(
        self, actor: Actor, invoice_id: int, line_id: int, *, version: str | None = None
    ) -> InvoiceView:
        """Remove an adjustment or an expense; time and markup lines stay."""

        def change(
            uow: UnitOfWork, invoice: m.Invoice, org: m.Organisation, rows: list[LineRecord]
        ) -> None:
            row = next((r for r in rows if r.id == line_id), None)
            if row is None:
                raise NotFound(f"Line #{line_id} is not a line of this invoice.")
            if is_write_down(row):
                raise IllegalTransition(
                    "line",
                    "a write-down",
                    "remove",
                    "it was decided in WIP and comes from the document record",
                )
            if row.kind not in REMOVABLE_KINDS:
                reasons = {
                    "time": "time lines come from the document record; adjust them instead",
                    "markup": "the markup line follows the markup percentage; set it to 0",
                }
                reason = reasons.get(row.kind, "only adjustments and expenses can be removed")
                raise IllegalTransition("line", f"a {row.kind} line", "remove", reason)
            uow.session.execute(delete(LINE_TABLE).where(LINE_TABLE.c.id == row.id))
            rows.remove(row)

        return self._edit_draft(
            actor, invoice_id, "invoice.remove_line", change, "line_id", version
        )

    def _edit_draft(
        self,
        actor: Actor,
        invoice_id: int,
        action: str,
        change: DraftChange,
        field: str,
        version: str | None,
    ) -> InvoiceView:
        """Lock a draft, check its version, apply ``change``, re-price it, refuse a negative
        total, audit."""
        with self._write(actor) as uow:
            require_invoice_editor(uow.session, actor)
            invoice = lock_invoice(
                uow.session, m.Invoice.id == invoice_id, f"Invoice #{invoice_id}"
            )
            check_draft_version(uow.session, invoice, version)
            edit_locked_draft(uow, invoice, action, change, field)
            return invoice_view(uow.session, invoice)


def check_draft_version(session: Session, invoice: m.Invoice, expected: str | None) -> None:
    """Refuse a save made on another version of the (locked) draft than it has now.

    Raises:
        StaleEdit: someone changed the draft after the form was opened on it.
    """
    if expected is None or invoice.status != InvoiceStatus.DRAFT:
        return
    if draft_version(session, invoice) != expected:
        _client, reference = invoice_names(session, invoice)
        label = f"The draft of {reference or f'invoice #{invoice.id}'}"
        raise StaleEdit(stale_message(session, "invoice", invoice.id, label))


ID_CHUNK = 10_000
"""Ids per IN (...) list: SQLite takes at most 32,766 parameters in one statement."""

DraftChange = Callable[[UnitOfWork, m.Invoice, m.Organisation, list[LineRecord]], None]
"""One edit of a locked draft: its unit of work, the invoice, the firm, its non-markup lines
(plain rows, as read before the edit). It writes lines with Core statements; re-pricing
reads them back."""


def draft_of_record(
    uow: UnitOfWork, document_id: int, actor: Actor
) -> tuple[m.Invoice, list[LineRecord] | None]:
    """The draft invoice of an invoice record (locked), created (and audited) on first use;
    with its lines when it was created here (they are read back once, not again).

    Raises:
        NotFound: no such record.
        IllegalTransition: a statement of write-downs, or a record already invoiced.
    """
    session = uow.session
    record = session.execute(
        select(m.DocumentRecord).where(m.DocumentRecord.id == document_id).with_for_update()
    ).scalar_one_or_none()
    if record is None:
        raise NotFound(f"Document record #{document_id} does not exist.")
    _refuse_write_down(record)
    live = live_invoice(session, record.id)
    if live is not None and live.status == InvoiceStatus.DRAFT:
        return lock_invoice(session, m.Invoice.id == live.id, f"Invoice #{live.id}"), None
    if live is not None:
        raise IllegalTransition(
            "document record",
            "already invoiced",
            "open",
            f"record {record.reference} was issued as invoice {live.number}; "
            "find it in the Invoice Printer",
        )
    invoice, lines = _new_draft(session, uow, record, actor)
    uow.audit("invoice.draft", "invoice", invoice.id, None, audit_image(session, invoice, lines))
    return invoice, lines


def edit_locked_draft(
    uow: UnitOfWork, invoice: m.Invoice, action: str, change: DraftChange, field: str
) -> None:
    """Apply ``change`` to a draft locked by the caller, re-price it, refuse a negative total
    (naming ``field``), and audit ``action``."""
    session = uow.session
    org = organisation(session)
    invoice_transition(InvoiceStatus(invoice.status), InvoiceAction.EDIT)
    lines = line_records(session, invoice.id)
    before = audit_image(session, invoice, lines)
    rows = [row for row in lines if row.kind != "markup"]
    change(uow, invoice, org, rows)
    lines = recompute_draft(session, invoice, org)
    if invoice.net_cents < 0:
        net = Money(invoice.net_cents, invoice.currency)
        raise invalid_field(
            field,
            f"would make the invoice total negative ({net}); an invoice must not be "
            "for less than zero",
        )
    uow.audit(action, "invoice", invoice.id, before, audit_image(session, invoice, lines))


def draft_form_change(form: DraftForm) -> DraftChange:
    """The edit that applies the fields ``form`` gives to a draft; the others stay as they are."""

    def change(
        uow: UnitOfWork, invoice: m.Invoice, org: m.Organisation, rows: list[LineRecord]
    ) -> None:
        current = _current_form(invoice, rows, org)
        values = _check_draft_form(uow.session, form, current, org)
        days = values.pop("due_days")
        vat_bp = values.pop("vat_bp")
        for key, value in values.items():
            setattr(invoice, key, value)
        _set_provisional_dates(invoice, org_today(uow.session, uow.now), days)
        ids = [
            row.id
            for row in rows
            if (row.kind == "time" or is_write_down(row)) and row.vat_bp != vat_bp
        ]
        for chunk in chunks(ids, ID_CHUNK):
            uow.session.execute(
                update(LINE_TABLE).where(LINE_TABLE.c.id.in_(chunk)).values(vat_bp=vat_bp)
            )

    return change


def _refuse_write_down(record: m.DocumentRecord) -> None:
    """A statement of write-downs is never invoiced."""
    if record.kind != "invoice":
        raise IllegalTransition(
            "document record",
            "a statement of write-downs",
            "invoice",
            f"record {record.reference} lists written-down time, which is not billed; "
            "only invoice records become invoices",
        )


def _new_draft(
    session: Session, uow: UnitOfWork, record: m.DocumentRecord, actor: Actor
) -> tuple[m.Invoice, list[LineRecord]]:
    """A draft with one time line per record line, priced; with its lines.

    The lines are priced before they are stored and go in as one multi-row insert: a record
    may hold ten thousand."""
    org = organisation(session)
    series = series_row(session, SERIES_INVOICE)
    invoice = m.Invoice(
        series_id=series.id,
        kind=STANDARD,
        status=InvoiceStatus.DRAFT.value,
        client_id=record.client_id,
        project_id=record.project_id,
        document_id=record.id,
        currency=org.currency,
        vat_mode=org.vat_mode,
        rounding_mode=org.rounding_mode,
        created_by_id=actor.user_id,
        created_at=uow.now,
    )
    terms = live_terms(session, org.default_payment_terms_id)
    invoice.payment_terms_id = None if terms is None else terms.id
    days = org.payment_deadline_days if terms is None or terms.days is None else terms.days
    _set_provisional_dates(invoice, org_today(uow.session, uow.now), days)
    session.add(invoice)
    session.flush()
    record_lines = session.execute(
        select(
            m.DocumentLine.id,
            m.DocumentLine.work_date,
            m.DocumentLine.person_name,
            m.DocumentLine.task_name,
            m.DocumentLine.activity_name,
            m.DocumentLine.description,
            m.DocumentLine.minutes,
            m.DocumentLine.rate_cents,
            m.DocumentLine.value_cents,
            m.DocumentLine.write_down_cents,
            m.DocumentLine.write_down_reason,
        )
        .where(m.DocumentLine.document_id == record.id)
        .order_by(m.DocumentLine.work_date, m.DocumentLine.id)
    ).all()
    values = [row for line in record_lines for row in _time_lines(line, org.default_vat_bp)]
    composed = _compose(invoice, values)
    for extra in composed.lines[len(values) :]:
        values.append(
            _line_values(
                kind="markup",
                description=extra.description,
                detail=extra.detail,
                net_cents=extra.net.cents,
                vat_bp=extra.vat_bp,
            )
        )
    for position, (row, totals) in enumerate(zip(values, composed.totals.lines, strict=True), 1):
        row["invoice_id"], row["position"] = invoice.id, position
        row["net_cents"], row["vat_cents"] = totals.net.cents, totals.vat.cents
        row["gross_cents"] = totals.gross.cents
    insert_rows(session, LINE_TABLE, values)  # a record may hold ten thousand lines
    session.flush()
    return invoice, line_records(session, invoice.id)


def _time_lines(line: Row[Any], vat_bp: int) -> list[dict[str, Any]]:
    """The invoice lines billing one document line: its time at full value (hours × rate),
    then, when part of it was written down in WIP, the write-down as its own negative line.
    Column values without invoice and position; pricing fills in VAT and gross.

    So quantity × rate is the amount of every time line on the printed invoice, and the
    write-down is a figure of its own. The write-down line keeps the document line's id: it
    comes from the document record and cannot be removed in the Documenter.
    """
    description = (
        f"{line.work_date.isoformat()} {line.person_name} — {line.task_name}/{line.activity_name}"
    )
    rows = [
        _line_values(
            kind="time",
            description=description,
            detail=line.description,
            minutes=line.minutes,
            unit_price_cents=line.rate_cents,
            net_cents=line.value_cents,
            vat_bp=vat_bp,
            document_line_id=line.id,
        )
    ]
    if line.write_down_cents:
        reason = line.write_down_reason or "written down"
        rows.append(
            _line_values(
                kind="adjustment",
                description=f"Write-down: {reason}",
                detail=f"{WRITE_DOWN_DETAIL}{description}",
                net_cents=-line.write_down_cents,
                vat_bp=vat_bp,
                reason=reason,
                document_line_id=line.id,
            )
        )
    return rows


def _line_values(**given: Any) -> dict[str, Any]:
    """Every column of a new invoice line (one multi-row insert needs the same keys in each):
    ``given`` over empty defaults, gross = net until re-priced."""
    values: dict[str, Any] = {
        "kind": "service",
        "description": "",
        "detail": "",
        "minutes": None,
        "unit_price_cents": None,
        "vat_cents": 0,
        "expense_date": None,
        "reason": "",
        "document_line_id": None,
    }
    values.update(given)
    values["gross_cents"] = values["net_cents"] + values["vat_cents"]
    return values


def _set_provisional_dates(invoice: m.Invoice, today: date, days: int) -> None:
    """Date a draft as if issued today, due ``days`` later (issuing re-dates both)."""
    invoice.issue_date = today
    invoice.due_date = today + timedelta(days=days)


def due_days(invoice: m.Invoice, org: m.Organisation) -> int:
    """Payment days of an invoice: due date minus issue date, else the organisation default."""
    if invoice.issue_date is not None and invoice.due_date is not None:
        return (invoice.due_date - invoice.issue_date).days
    return org.payment_deadline_days


def live_terms(session: Session, terms_id: int | None) -> m.PaymentTermsTemplate | None:
    """The payment-terms template ``terms_id`` unless it is None or deleted."""
    if terms_id is None:
        return None
    template = session.get(m.PaymentTermsTemplate, terms_id)
    return None if template is None or template.is_deleted else template


def _current_form(invoice: m.Invoice, rows: Sequence[LineRecord], org: m.Organisation) -> DraftForm:
    """The draft as it stands, as a form with every field given."""
    return DraftForm(
        commentary=invoice.commentary,
        attached_text=invoice.attached_text,
        markup_percent=percent_text(invoice.markup_bp),
        markup_on_whole=invoice.markup_on_whole,
        payment_terms_id=invoice.payment_terms_id,
        due_days=str(due_days(invoice, org)),
        vat_rate=percent_text(_time_vat_bp(rows, org)),
    )


def _check_draft_form(
    session: Session, form: DraftForm, current: DraftForm, org: m.Organisation
) -> dict[str, Any]:
    """The draft's new values: the fields ``form`` gives, checked, over ``current``."""
    given = given_fields(form)
    whole = keep_unchanged(form, current)
    check = Form()
    values: dict[str, Any] = {
        "commentary": check.text("commentary", whole.commentary, required=False, max_length=4000),
        "attached_text": check.text(
            "attached_text", whole.attached_text, required=False, max_length=8000
        ),
        "markup_bp": check.percent_bp(
            "markup_percent", whole.markup_percent or "0", max_bp=MAX_MARKUP_BP
        ),
        "markup_on_whole": bool(whole.markup_on_whole),
        "payment_terms_id": whole.payment_terms_id,
        "vat_bp": _optional_rate(check, "vat_rate", whole.vat_rate, org.default_vat_bp),
    }
    terms = live_terms(session, whole.payment_terms_id)
    if whole.payment_terms_id is not None and terms is None:
        check.add("payment_terms_id", "no such payment-terms template")
    days = check.int_range("due_days", whole.due_days, 0, MAX_DUE_DAYS, required=False)
    terms_days = None if terms is None else terms.days
    new_terms = "payment_terms_id" in given and whole.payment_terms_id != current.payment_terms_id
    new_days = "due_days" in given and (form.due_days or "").strip() != current.due_days
    if days is None or (new_terms and not new_days and terms_days is not None):
        days = org.payment_deadline_days if terms_days is None else terms_days
    values["due_days"] = days
    check.raise_if_any()
    return values


def _optional_rate(check: Form, field: str, text: str, default_bp: int) -> int:
    """A VAT rate typed as a percentage, or ``default_bp`` when left blank."""
    if not (text or "").strip():
        return default_bp
    rate = check.percent_bp(field, text)
    return default_bp if rate is None else rate


def _adjusted_line(
    check: Form, rows: Sequence[LineRecord], line_id: int | None
) -> LineRecord | None:
    """The time line an adjustment applies to (None for the whole invoice)."""
    if line_id is None:
        return None
    target = next((row for row in rows if row.id == line_id), None)
    if target is None:
        check.add("line_id", "is not a line of this invoice")
    elif target.kind != "time":
        check.add("line_id", "only time lines can be adjusted; leave it empty for the invoice")
        return None
    return target


def _applies_to(row: LineRecord, target: LineRecord) -> bool:
    """Whether ``row`` is an adjustment (or write-down) of the time line ``target``."""
    markers = (f"Applies to: {target.description}", f"{WRITE_DOWN_DETAIL}{target.description}")
    return row.kind == "adjustment" and row.detail in markers


def _net_after_adjustments(rows: Sequence[LineRecord], target: LineRecord) -> int:
    """A time line's net less the adjustments and write-down that apply to it."""
    return target.net_cents + sum(row.net_cents for row in rows if _applies_to(row, target))


def _make_room_after(
    session: Session, invoice: m.Invoice, rows: Sequence[LineRecord], target: LineRecord | None
) -> int:
    """Where a new line goes: after ``target`` and its adjustments, else after every line.

    Later lines move down one place to make room (one UPDATE); re-pricing numbers them all
    again afterwards.
    """
    if target is None:
        return max((row.position for row in rows), default=0) + 1
    index = rows.index(target)
    while index + 1 < len(rows) and _applies_to(rows[index + 1], target):
        index += 1
    position = int(rows[index].position) + 1
    session.execute(
        update(LINE_TABLE)
        .where(LINE_TABLE.c.invoice_id == invoice.id, LINE_TABLE.c.position >= position)
        .values(position=LINE_TABLE.c.position + 1)
    )
    return position


def _add_line(session: Session, invoice: m.Invoice, position: int, **given: Any) -> None:
    """Store one new line of ``invoice`` at ``position`` (re-pricing works out its VAT)."""
    values = _line_values(**given)
    values["invoice_id"], values["position"] = invoice.id, position
    insert_rows(session, LINE_TABLE, [values])


def _time_vat_bp(rows: Sequence[LineRecord], org: m.Organisation) -> int:
    """The VAT rate of the draft's time lines (the markup line uses it too)."""
    return next((row.vat_bp for row in rows if row.kind == "time"), org.default_vat_bp)


def _draft_line(row: Mapping[Any, Any], currency: str) -> DraftLine:
    """A stored line (its column values) as the domain composes it."""
    unit_price = row["unit_price_cents"]
    return DraftLine(
        kind=row["kind"],
        description=row["description"],
        net=Money(row["net_cents"], currency),
        vat_bp=row["vat_bp"],
        detail=row["detail"],
        minutes=row["minutes"],
        unit_price=None if unit_price is None else Money(unit_price, currency),
        expense_date=row["expense_date"],
        reason=row["reason"],
        line_ref=row.get("id"),
    )


def _compose(invoice: m.Invoice, lines: Sequence[Mapping[Any, Any]]) -> ComposedInvoice:
    """Price a draft's lines (column values, markup lines left out) by the invoice's rules,
    and store the invoice's net, VAT and gross (not flushed)."""
    composed = compose_invoice(
        [_draft_line(row, invoice.currency) for row in lines],
        markup_bp=invoice.markup_bp,
        markup_on_whole=invoice.markup_on_whole,
        vat_mode=VatMode(invoice.vat_mode),
        currency=invoice.currency,
        rounding=RoundingMode(invoice.rounding_mode),
    )
    invoice.net_cents = composed.totals.net.cents
    invoice.vat_cents = composed.totals.vat.cents
    invoice.gross_cents = composed.totals.gross.cents
    return composed


def recompute_draft(
    session: Session,
    invoice: m.Invoice,
    org: m.Organisation,
    rows: Sequence[LineRecord] | None = None,
) -> list[LineRecord]:
    """Re-price a draft: regenerate the markup lines, store every line's and the invoice's
    net, VAT and gross, number the lines 1..n. Returns the lines in order.

    ``rows`` are the draft's :func:`line_records` when the caller has just read them. Lines
    are read and written as plain rows, not ORM objects (a draft may hold ten thousand), and
    only the lines whose figures change are written, all in one statement.
    """
    current = line_records(session, invoice.id) if rows is None else list(rows)
    markups = [row for row in current if row.kind == "markup"]
    kept = [row for row in current if row.kind != "markup"]
    composed = _compose(invoice, [row._mapping for row in kept])
    final: list[tuple[int, str, str, int]] = [
        (row.id, row.description, row.detail, row.vat_bp) for row in kept
    ]
    for extra in composed.lines[len(kept) :]:
        ident = markups.pop(0).id if markups else _insert_markup_row(session, invoice)
        final.append((ident, extra.description, extra.detail, extra.vat_bp))
    by_id = {row.id: row for row in current}
    changes = []
    for position, ((ident, description, detail, vat_bp), totals) in enumerate(
        zip(final, composed.totals.lines, strict=True), 1
    ):
        figures = (
            position,
            description,
            detail,
            vat_bp,
            totals.net.cents,
            totals.vat.cents,
            totals.gross.cents,
        )
        old = by_id.get(ident)
        if old is None or figures != _figures(old):
            changes.append(dict(zip(_FIGURE_KEYS, (ident, *figures), strict=True)))
    stale = [row.id for row in markups]
    _write_lines(session, changes, stale)
    session.flush()
    if not changes and not stale:
        return current
    return line_records(session, invoice.id)


_FIGURE_KEYS = (
    "line_id",
    "position",
    "description",
    "detail",
    "vat_bp",
    "net_cents",
    "vat_cents",
    "gross_cents",
)
"""What re-pricing writes on a line (``line_id`` picks the line)."""


def _figures(row: LineRecord) -> tuple[Any, ...]:
    """A stored line's values of :data:`_FIGURE_KEYS`, after ``line_id``."""
    return (
        row.position,
        row.description,
        row.detail,
        row.vat_bp,
        row.net_cents,
        row.vat_cents,
        row.gross_cents,
    )


def _insert_markup_row(session: Session, invoice: m.Invoice) -> int:
    """A new, empty markup line of ``invoice``; re-pricing fills in its text and amounts."""
    values = _line_values(kind="markup", net_cents=0, vat_bp=0)
    values["invoice_id"], values["position"] = invoice.id, 0
    return int(
        session.execute(insert(LINE_TABLE).values(values).returning(LINE_TABLE.c.id)).scalar_one()
    )


def _write_lines(session: Session, changes: list[dict[str, Any]], stale: list[int]) -> None:
    """Store re-priced figures (one executemany) and delete markup lines no longer needed."""
    table = LINE_TABLE
    if changes:
        values: dict[str, Any] = {key: bindparam(key) for key in _FIGURE_KEYS[1:]}
        session.execute(
            update(table).where(table.c.id == bindparam("line_id")).values(values), changes
        )
    if stale:
        session.execute(delete(table).where(table.c.id.in_(stale)))
