"""Projects as contracts (DESIGN.md §9): the list, change orders, settlement invoices, balance.

Settlement invoices are invoices of the one ledger: they take the next number of series INV
(:func:`~tektoro_tui.services.invoicing.issuing.issue_prepared`), are frozen by the same
triggers, printed, paid, aged and credited like every other. What this service adds is the
rules of ``domain/settlement.py``: which kind may come next, the suggested net and how it was
reached, the cap of a fixed contract and the final invoice's deductions. Issuing locks the
project row first, so two people settling the same project at once are served one after the
other, and the second sees the first one's invoice.

Invoices issued in another program are *recorded*: their own number (never one of ours), date,
net and VAT, optionally their PDF; they count in every balance and suggestion and are frozen
once recorded (a recorded credit note cancels one).
"""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money, sum_money
from ...domain.permissions import Perm
from ...domain.rounding import divide_to_int
from ...domain.settlement import (
    FIXED,
    TIME_AND_MATERIAL,
    SettledInvoice,
    SettlementKind,
    SettlementLine,
    SettlementMethod,
    Suggestion,
    check_net,
    check_next_kind,
    final_invoice_lines,
    fixed_suggestion,
    live,
    project_balance,
    project_method,
    single_line,
    time_and_material_suggestion,
)
from ...domain.states import InvoiceStatus
from ...domain.validation import Form
from ...domain.vat import check_rate
from ...errors import IllegalTransition, NotFound, Problem, StaleEdit, ValidationError, shown
from ...exports.filenames import safe_filename
from ...exports.model import Column, Table
from ...paths import ensure_dir, exports_dir
from ..base import (
    Actor,
    ServiceBase,
    UnitOfWork,
    export_format,
    insert_rows,
    org_currency,
    org_today,
    organisation,
    row_dict,
    write_file,
    write_table,
)
from ..invoicing.common import LINE_TABLE, SERIES_CREDIT_NOTE, SERIES_INVOICE, line_records
from ..invoicing.issuing import issue_prepared
from ..invoicing.numbering import series_row
from ..invoicing.payments import apply_payment
from ..invoicing.read_models import audit_image
from ..invoicing.views import PaymentForm
from ..payroll.rules import labour_sums
from ..subcontracts.rules import settled_sums
from . import figures as f
from .views import (
    BILLING_LABELS,
    PROJECT_STATUSES,
    BalanceView,
    ChangeForm,
    ChangeView,
    ExternalForm,
    IssuedSettlement,
    MonthFigures,
    ProjectDetail,
    ProjectFilter,
    ProjectList,
    ProjectRow,
    SettledRow,
    SettlementForm,
    SuggestionView,
)

PAGE = 50
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
KIND_NAMES = tuple(kind.value for kind in SettlementKind)


class ProjectService(ServiceBase):
    """Projects, their change orders, settlement invoices and financial balance."""

    # --- reading ---------------------------------------------------------------------------

    def list(
        self,
        actor: Actor,
        flt: ProjectFilter | None = None,
        *,
        offset: int = 0,
        limit: int | None = PAGE,
    ) -> ProjectList:
        """The projects the actor may see, by name, a page at a time, with their figures."""
        chosen = flt or ProjectFilter()
        with self._read(actor) as session:
            scope = f.project_scope(session, actor)
            query = _filtered(_list_query(scope), chosen)
            total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            query = query.order_by(m.Project.name, m.Project.id).offset(max(offset, 0))
            if limit is not None:
                query = query.limit(limit)
            found = session.execute(query).all()
            rows = _rows(session, found, org_currency(session))
            return ProjectList(rows, int(total))

    def detail(self, actor: Actor, key: str | int) -> ProjectDetail:
        """One project with its invoices, change orders and balance."""
        with self._read(actor) as session:
            scope = f.project_scope(session, actor)
            project = f.find_project(session, scope, key)
            return _detail(session, project)

    def addresses(self, actor: Actor, key: str | int) -> tuple[str, ...]:
        """Where a settlement invoice of the project may be e-mailed: the client's contacts'
        addresses and the company's, the default first."""
        with self._read(actor) as session:
            project = f.find_project(session, f.project_scope(session, actor), key)
            return client_addresses(session, project.client_id)

    def save_attachment(
        self, actor: Actor, key: str | int, number: str, *, out: Path | None = None
    ) -> Path:
        """Write the PDF kept with invoice ``number`` recorded on the project (its own number)
        to ``out`` (a file or a folder) or the exports folder; the path written.

        Raises:
            NotFound: no such recorded invoice on a project the actor may see, or none kept.
            ConfigError: the file cannot be written there.
        """
        with self._read(actor) as session:
            project = f.find_project(session, f.project_scope(session, actor), key)
            found = session.execute(
                select(m.InvoiceAttachment.file_name, m.InvoiceAttachment.content)
                .join(m.Invoice, m.Invoice.id == m.InvoiceAttachment.invoice_id)
                .where(
                    m.Invoice.project_id == project.id,
                    m.Invoice.external_number == number.strip(),
                )
            ).first()
        if found is None:
            raise NotFound(
                f"No PDF is kept with an invoice {shown(number.strip())} recorded on "
                f"{project.name}."
            )
        name = safe_filename(Path(str(found.file_name)).stem) + ".pdf"
        target = ensure_dir(exports_dir()) / name if out is None else out
        try:
            if target.is_dir():
                target = target / name
        except OSError:
            pass
        return write_file(target, bytes(found.content))

    def balance(self, actor: Actor, key: str | int) -> BalanceView:
        """A project's financial balance with invoiced and costs per month."""
        with self._read(actor) as session:
            scope = f.project_scope(session, actor)
            project = f.find_project(session, scope, key)
            currency = org_currency(session)
            balance = _balance_of(session, project, currency)
            months = tuple(
                MonthFigures(key_, invoiced, costs)
                for key_, invoiced, costs in f.monthly(session, _pid(project), currency)
            )
            return BalanceView(_pid(project), project.name, balance, months)

    def summary(self, actor: Actor) -> tuple[ProjectList, dict[str, Money]]:
        """Every project the actor may see with the firm-wide totals of their figures."""
        listing = self.list(actor, limit=None)
        with self._read(actor) as session:
            currency = org_currency(session)
        rows = listing.rows
        totals = {
            "contract_with_changes": sum_money(
                (r.contract_with_changes for r in rows if r.contract_with_changes is not None),
                currency,
            ),
            "invoiced": sum_money((r.invoiced for r in rows), currency),
            "paid": sum_money((r.paid for r in rows), currency),
            "costs": sum_money((r.costs for r in rows), currency),
            "result": sum_money((r.result for r in rows), currency),
        }
        return listing, totals

    def table(self, actor: Actor, flt: ProjectFilter | None = None) -> Table:
        """The project list as a table for CSV/XLSX; refused without ``invoice.export``."""
        with self._read(actor, Perm.INVOICE_EXPORT):
            pass
        listing = self.list(actor, flt, limit=None)
        return Table(
            title="Projects",
            subtitle=f"As of {self.today().isoformat()}",
            columns=_PROJECT_COLUMNS,
            rows=tuple(_project_cells(row) for row in listing.rows),
        )

    def export(self, actor: Actor, fmt: str, out: Path, flt: ProjectFilter | None = None) -> Path:
        """Write the project list as CSV or XLSX."""
        kind = export_format(fmt)
        return write_table(self.table(actor, flt), kind, out)

    # --- change orders -----------------------------------------------------------------------

    def changes(self, actor: Actor, key: str | int) -> tuple[ChangeView, ...]:
        """A project's change orders by number."""
        with self._read(actor) as session:
            project = f.find_project(session, f.project_scope(session, actor), key)
            return _changes(session, project)

    def add_change(self, actor: Actor, key: str | int, form: ChangeForm) -> ChangeView:
        """Add a change order under the project's next number.

        Raises:
            ValidationError: no description, a bad date or amount.
        """
        with self._write(actor, Perm.PROJECT_COSTS) as uow:
            session = uow.session
            project = f.find_project(session, f.project_scope(session, actor), key, lock=True)
            values = _clean_change(form, org_currency(session), org_today(session, uow.now))
            _refuse_shrinking(session, project, values)
            number = (
                session.execute(
                    select(func.coalesce(func.max(m.ProjectChange.number), 0)).where(
                        m.ProjectChange.project_id == project.id
                    )
                ).scalar_one()
                + 1
            )
            row = m.ProjectChange(
                project_id=_pid(project),
                number=int(number),
                created_by_id=actor.user_id,
                created_at=uow.now,
                **values,
            )
            if row.approved:
                row.approved_by_id = actor.user_id
                row.approved_at = uow.now
            session.add(row)
            session.flush()
            uow.audit("project.change_add", "project_change", row.id, None, row_dict(row))
            return _change_view(session, row, project.name)

    def edit_change(
        self,
        actor: Actor,
        key: str | int,
        number: int | str,
        form: ChangeForm,
        *,
        version: int | None = None,
    ) -> ChangeView:
        """Edit a change order that is not approved yet, or approve it.

        Raises:
            StaleEdit: someone saved it since ``version``.
            IllegalTransition: it is approved already (an approved change is part of the
                contract: add another change to correct it).
        """
        with self._write(actor, Perm.PROJECT_COSTS) as uow:
            session = uow.session
            project = f.find_project(session, f.project_scope(session, actor), key, lock=True)
            row = _lock_change(session, project, number)
            if version is not None and row.version != version:
                raise StaleEdit(
                    f"Change {row.number} of {project.name} was saved by someone else since "
                    "you opened it; nothing was written. Open it again."
                )
            if row.approved:
                raise IllegalTransition(
                    "change",
                    "approved",
                    "edit",
                    "an approved change is part of the contract; add another change to correct it",
                )
            values = _clean_change(form, org_currency(session), org_today(session, uow.now))
            _refuse_shrinking(session, project, values)
            before = row_dict(row)
            for name, value in values.items():
                setattr(row, name, value)
            if row.approved:
                row.approved_by_id = actor.user_id
                row.approved_at = uow.now
            row.version += 1
            session.flush()
            uow.audit("project.change_edit", "project_change", row.id, before, row_dict(row))
            return _change_view(session, row, project.name)

    # --- settlement invoices -----------------------------------------------------------------

    def suggest(
        self,
        actor: Actor,
        key: str | int,
        kind: str,
        *,
        period_from: str | date | None = None,
        period_to: str | date | None = None,
    ) -> SuggestionView:
        """The suggested net of the next settlement invoice of ``kind``, explained.

        Raises:
            ValidationError: an unknown kind or a bad period.
            IllegalTransition: the project may not take an invoice of that kind now.
        """
        with self._read(actor) as session:
            project = f.find_project(session, f.project_scope(session, actor), key)
            today = org_today(session, self.clock.now())
            check = Form()
            chosen = _kind(check, kind)
            start, end = _period(check, period_from, period_to, today)
            check.raise_if_any()
            assert chosen is not None
            return _suggest(session, project, chosen, start, end or today)

    def issue(
        self, actor: Actor, key: str | int, form: SettlementForm, *, dry_run: bool = False
    ) -> IssuedSettlement:
        """Issue a settlement invoice of the project in one transaction: the invoice, its
        payment when one is given, the project's progress when asked; the e-mail goes out after
        the commit. With ``dry_run`` everything is checked and nothing is written.

        Raises:
            ValidationError: any field wrong (all are named at once); a net over what the
                contract has left.
            IllegalTransition: a kind the project may not take now; a project billed through
                the time pipeline.
        """
        with self._write(actor, Perm.INVOICE_ISSUE, dry_run=dry_run) as uow:
            session = uow.session
            project = f.find_project(session, f.project_scope(session, actor), key, lock=True)
            result = _issue(uow, project, form)
        if dry_run:
            return replace(result, dry_run=True)
        address = form.send_to.strip()
        if address:
            from ..invoicing.client_invoices import ClientInvoiceService

            mail = ClientInvoiceService(self.db, self.clock)
            if result.paid.cents == 0:
                sent = mail.mark_sent(actor, result.number, address=address).mail_status
            else:
                sent = mail.send_copy(actor, result.number, address)
            result = replace(result, sent=sent)
        return result

    def record_external(
        self, actor: Actor, key: str | int, form: ExternalForm, *, dry_run: bool = False
    ) -> IssuedSettlement:
        """Record an invoice (or the credit note of one) issued in another program.

        Raises:
            ValidationError: a missing or repeated number, a bad date or amount, gross not net
                plus VAT, an attachment that is not a readable PDF.
            IllegalTransition: as for an invoice of ours of that kind.
        """
        with self._write(actor, Perm.INVOICE_ISSUE, dry_run=dry_run) as uow:
            session = uow.session
            project = f.find_project(session, f.project_scope(session, actor), key, lock=True)
            result = _record_external(uow, project, form)
        return replace(result, dry_run=dry_run)


# ==============================================================================================
# The list
# ==============================================================================================


def _pid(project: m.Project) -> int:
    assert project.id is not None
    return project.id


def _list_query(scope: Any) -> Any:
    return (
        select(
            m.Project.id,
            m.Project.code,
            m.Project.name,
            m.Company.name.label("client_name"),  # type: ignore[attr-defined]
            m.Project.valuation,
            m.Project.status,
            m.Project.progress_pct,
            m.Project.contract_amount_cents,
        )
        .join(m.Company, m.Company.id == m.Project.client_id)
        .where(scope)
    )


def _filtered(query: Any, flt: ProjectFilter) -> Any:
    check = Form()
    valuation = check.choice("valuation", flt.valuation, (FIXED, TIME_AND_MATERIAL), required=False)
    status = check.choice("status", flt.status, PROJECT_STATUSES, required=False)
    check.raise_if_any()
    if valuation:
        query = query.where(m.Project.valuation == valuation)
    if status:
        query = query.where(m.Project.status == status)
    if flt.client_id is not None:
        query = query.where(m.Project.client_id == flt.client_id)
    term = flt.search.strip().lower()
    if term:
        query = query.where(
            or_(
                func.lower(m.Project.name).contains(term, autoescape=True),
                func.lower(m.Project.code).contains(term, autoescape=True),
                func.lower(m.Company.name).contains(term, autoescape=True),
            )
        )
    return query


def _rows(session: Session, found: Sequence[Any], currency: str) -> tuple[ProjectRow, ...]:
    ids = [int(r.id) for r in found]
    sums = f.invoice_sums(session, ids)
    changes = f.approved_changes(session, ids)
    costs = f.balance_costs(session, ids, currency)
    routes = f.billing_routes(session, ids)
    rows = []
    for r in found:
        pid = int(r.id)
        net, _gross, paid = sums.get(pid, (0, 0, 0))
        total_costs = sum_money(costs[pid].values(), currency)
        contract = r.contract_amount_cents
        whole = (
            None
            if r.valuation != FIXED or contract is None
            else Money(int(contract) + changes.get(pid, 0), currency)
        )
        invoiced = Money(net, currency)
        rows.append(
            ProjectRow(
                id=pid,
                code=r.code or "",
                name=r.name,
                client_name=r.client_name,
                valuation=r.valuation,
                status=r.status,
                progress_pct=int(r.progress_pct),
                billing=routes.get(pid, ""),
                contract_with_changes=whole,
                invoiced=invoiced,
                paid=Money(paid, currency),
                costs=total_costs,
                result=invoiced - total_costs,
            )
        )
    return tuple(rows)


_PROJECT_COLUMNS = (
    Column("Code"),
    Column("Project"),
    Column("Client"),
    Column("Valuation"),
    Column("Billing"),
    Column("Status"),
    Column("Progress %", "int"),
    Column("Contract with changes", "money"),
    Column("Invoiced", "money"),
    Column("Paid", "money"),
    Column("Costs", "money"),
    Column("Result", "money"),
)


def _project_cells(row: ProjectRow) -> tuple[Any, ...]:
    return (
        row.code,
        row.name,
        row.client_name,
        row.valuation_label,
        BILLING_LABELS.get(row.billing, row.billing),
        row.status.replace("_", " "),
        row.progress_pct,
        row.contract_with_changes,
        row.invoiced,
        row.paid,
        row.costs,
        row.result,
    )


# ==============================================================================================
# One project
# ==============================================================================================


def _contract(project: m.Project, currency: str) -> Money | None:
    if project.valuation != FIXED or project.contract_amount_cents is None:
        return None
    return Money(project.contract_amount_cents, currency)


def _balance_of(
    session: Session,
    project: m.Project,
    currency: str,
    settled: Sequence[SettledInvoice] | None = None,
    changes: Money | None = None,
) -> Any:
    """The project's balance (``settled`` and ``changes`` when the caller has read them)."""
    pid = _pid(project)
    if settled is None:
        settled = f.settled_invoices(session, pid, currency)
    if changes is None:
        changes = Money(f.approved_changes(session, [pid]).get(pid, 0), currency)
    sums = f.invoice_sums(session, [pid]).get(pid, (0, 0, 0))
    others = Money(sums[0], currency) - _live_net(settled, currency)
    invoices = list(settled)
    if others.cents:
        # invoices of the time pipeline count in what was invoiced, as one figure
        invoices.append(SettledInvoice("time pipeline", SettlementKind.PARTIAL, others))
    return project_balance(
        contract=_contract(project, currency),
        approved_changes=changes,
        invoices=invoices,
        gross_invoiced=Money(sums[1], currency),
        paid=Money(sums[2], currency),
        costs=f.balance_costs(session, [pid], currency)[pid],
    )


def _live_net(settled: Sequence[SettledInvoice], currency: str) -> Money:
    """The net of the live settlement invoices."""
    return sum_money((invoice.net for invoice in live(settled)), currency)


def _detail(session: Session, project: m.Project) -> ProjectDetail:
    currency = org_currency(session)
    pid = _pid(project)
    found = session.execute(_list_query(m.Project.id == pid)).one()
    row = _rows(session, [found], currency)[0]
    settled = f.settled_invoices(session, pid, currency)
    changes = Money(f.approved_changes(session, [pid]).get(pid, 0), currency)
    method = project_method(settled)
    manager = ""
    if project.project_manager_id is not None:
        manager = str(
            session.execute(
                select(m.UserAccount.name).where(m.UserAccount.id == project.project_manager_id)
            ).scalar_one_or_none()
            or ""
        )
    return ProjectDetail(
        row=row,
        contract=_contract(project, currency),
        approved_changes=changes,
        method=method.value if method else None,
        next_kinds=_next_kinds(project, settled, row.billing),
        invoices=_settled_rows(session, pid, currency),
        changes=_changes(session, project),
        balance=_balance_of(session, project, currency, settled, changes),
        start_date=project.start_date,
        end_date=project.end_date,
        project_manager=manager,
        client_contact_email=next(iter(client_addresses(session, project.client_id)), ""),
    )


def _next_kinds(
    project: m.Project, settled: Sequence[SettledInvoice], billing: str
) -> tuple[str, ...]:
    if billing == "time":
        return ()
    allowed = []
    for kind in SettlementKind:
        try:
            check_next_kind(project.valuation, settled, kind)
        except IllegalTransition:
            continue
        allowed.append(kind.value)
    return tuple(allowed)


def client_addresses(session: Session, client_id: int) -> tuple[str, ...]:
    """The addresses a settlement invoice may be e-mailed to: the client's contacts' and the
    company's own, the default first."""
    found = [
        str(email)
        for (email,) in session.execute(
            select(m.Contact.email)
            .where(m.Contact.company_id == client_id, m.Contact.email != "")
            .order_by(m.Contact.id)
        ).all()
    ]
    company = session.execute(
        select(m.Company.email).where(m.Company.id == client_id)
    ).scalar_one_or_none()
    if company and company not in found:
        found.append(str(company))
    return tuple(found)


def _settled_rows(session: Session, project_id: int, currency: str) -> tuple[SettledRow, ...]:
    change = m.ProjectChange
    rows = session.execute(
        select(
            m.Invoice.id,
            m.Invoice.number,
            m.Invoice.external_number,
            m.Invoice.kind,
            change.number.label("change_number"),  # type: ignore[attr-defined]
            m.Invoice.issue_date,
            m.Invoice.status,
            m.Invoice.net_cents,
            m.Invoice.vat_cents,
            m.Invoice.gross_cents,
            m.Invoice.paid_cents,
        )
        .outerjoin(change, change.id == m.Invoice.project_change_id)
        .where(m.Invoice.project_id == project_id, m.Invoice.status != f.DRAFT)
        .order_by(m.Invoice.issue_date, m.Invoice.id)  # type: ignore[arg-type]
    ).all()
    return tuple(
        SettledRow(
            id=int(r.id),
            number=r.external_number or r.number or "",
            kind=r.kind,
            external=r.external_number is not None,
            change_number=r.change_number,
            issue_date=r.issue_date,
            status=r.status,
            net=Money(int(r.net_cents), currency),
            vat=Money(int(r.vat_cents), currency),
            gross=Money(int(r.gross_cents), currency),
            paid=Money(int(r.paid_cents), currency),
        )
        for r in rows
    )


# ==============================================================================================
# Change orders
# ==============================================================================================


def _clean_change(form: ChangeForm, currency: str, today: date) -> dict[str, Any]:
    check = Form()
    description = check.text("description", form.description, max_length=2000)
    when = check.date("change_date", form.change_date, required=False) or today
    amount = check.money("amount", form.amount, currency, allow_zero=False)
    check.raise_if_any()
    assert amount is not None
    return {
        "description": description,
        "change_date": when,
        "amount_cents": amount.cents,
        "approved": bool(form.approved),
    }


def _refuse_shrinking(session: Session, project: m.Project, values: dict[str, Any]) -> None:
    """An approved change may not take a fixed contract below what its invoices took."""
    if not values["approved"]:
        return
    problems = f.contract_problems(
        session,
        _pid(project),
        project.valuation,
        project.contract_amount_cents,
        change_cents=values["amount_cents"],
    )
    if problems:
        raise ValidationError([Problem(field, message) for field, message in problems])


def _lock_change(session: Session, project: m.Project, number: int | str) -> m.ProjectChange:
    check = Form()
    wanted = check.positive_int("number", number)
    check.raise_if_any()
    row = session.execute(
        select(m.ProjectChange)
        .where(m.ProjectChange.project_id == project.id, m.ProjectChange.number == wanted)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"Project {project.name} has no change {shown(str(number))}.")
    return row


def _changes(session: Session, project: m.Project) -> tuple[ChangeView, ...]:
    rows = session.execute(
        select(m.ProjectChange)
        .where(m.ProjectChange.project_id == project.id)
        .order_by(m.ProjectChange.number)
    ).scalars()
    return tuple(_change_view(session, row, project.name) for row in rows)


def _change_view(session: Session, row: m.ProjectChange, project_name: str) -> ChangeView:
    currency = org_currency(session)
    invoiced = tuple(
        str(number or external)
        for number, external in session.execute(
            select(m.Invoice.number, m.Invoice.external_number)
            .where(m.Invoice.project_change_id == row.id, m.Invoice.status != f.DRAFT)
            .order_by(m.Invoice.id)
        ).all()
    )
    assert row.id is not None
    return ChangeView(
        id=row.id,
        version=row.version,
        project_id=row.project_id,
        project_name=project_name,
        number=row.number,
        description=row.description,
        change_date=row.change_date,
        amount=Money(row.amount_cents, currency),
        approved=row.approved,
        invoiced_by=invoiced,
    )


# ==============================================================================================
# Suggestion and issuing
# ==============================================================================================


def _kind(check: Form, kind: str | None) -> SettlementKind | None:
    text = (kind or "").strip().lower()
    if not text:
        check.add("kind", f"is required: one of {', '.join(KIND_NAMES)}")
        return None
    chosen = check.choice("kind", text, KIND_NAMES)
    return SettlementKind(chosen) if chosen else None


def _period(
    check: Form, start: str | date | None, end: str | date | None, today: date
) -> tuple[date | None, date | None]:
    first = check.date("period_from", start, required=False) if start else None
    last = check.date("period_to", end, required=False) if end else None
    if last is not None and last > today:
        check.add("period_to", f"must not be after today ({today})")
    if first and last and first > last:
        check.add("period_from", f"must not be after the end of the period ({last})")
    return first, last


def _suggest(
    session: Session, project: m.Project, kind: SettlementKind, start: date | None, end: date
) -> SuggestionView:
    org = organisation(session)
    currency = org.currency
    pid = _pid(project)
    _refuse_time_billed(session, project)
    settled = f.settled_invoices(session, pid, currency)
    check_next_kind(project.valuation, settled, kind)
    suggestion, notes = _explained(session, project, kind, settled, start, end, currency)
    return SuggestionView(
        project_id=pid,
        project_name=project.name,
        kind=kind.value,
        suggestion=suggestion,
        period_from=start,
        period_to=end,
        vat_bp=org.default_vat_bp,
        payment_days=org.payment_deadline_days,
        footer=org.invoice_footer,
        notes=notes,
    )


def _explained(
    session: Session,
    project: m.Project,
    kind: SettlementKind,
    settled: Sequence[SettledInvoice],
    start: date | None,
    end: date,
    currency: str,
) -> tuple[Suggestion, tuple[str, ...]]:
    pid = _pid(project)
    if project.valuation == FIXED:
        contract = _contract(project, currency)
        if contract is None:
            raise IllegalTransition(
                "project",
                "without a contract amount",
                f"issue a {kind.value} invoice for",
                f"project {project.name} is valued at a fixed contract but has no contract "
                "amount; enter it in the project first",
            )
        changes = Money(f.approved_changes(session, [pid]).get(pid, 0), currency)
        return fixed_suggestion(contract, changes, settled), ()
    labour, minutes, entries = f.billed_labour(session, pid, start, end)
    shift_pay, shifts_left_out = labour_sums(session, [pid], date_from=start, date_to=end)
    crews, unsettled = shift_pay.get(pid, 0), shifts_left_out.get(pid, 0)
    costs = f.cost_sums(session, [pid], date_from=start, date_to=end).get(pid, {})
    subcontracts = settled_sums(session, [pid], date_from=start, date_to=end).get(pid, 0)
    in_period = (
        settled if start is None else f.settled_invoices(session, pid, currency, since=start)
    )
    suggestion = time_and_material_suggestion(
        labour=Money(labour + crews, currency),
        materials=Money(costs.get("material", 0), currency),
        other_labour=Money(costs.get("salary", 0) + subcontracts, currency),
        other_costs=Money(costs.get("equipment", 0) + costs.get("other", 0), currency),
        invoices=in_period,
    )
    notes = [f"Labour: {entries} approved billable entries, {_hours(minutes)} h"]
    if crews:
        notes.append(
            f"Labour includes {Money(crews, currency).format()} of the crews' settled work "
            "shifts (approved or transferred to accounting, dated in the period)"
        )
    if subcontracts:
        notes.append(
            f"Other labour includes {Money(subcontracts, currency).format()} paid to "
            "subcontractors (settlement stages dated in the period)"
        )
    waiting, waiting_minutes = f.unapproved_time(session, pid, start, end)
    if waiting:
        notes.append(
            f"Left out: {waiting} entries ({_hours(waiting_minutes)} h) not approved yet; "
            "they count in a later settlement once approved"
        )
    if unsettled:
        notes.append(
            f"Left out: {unsettled} work shift{'s' if unsettled != 1 else ''} not settled yet "
            "(open, irregular or not approved); they count in a later settlement once settled"
        )
    return suggestion, tuple(notes)


def _hours(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _refuse_time_billed(session: Session, project: m.Project) -> None:
    """A project whose time went through WIP is billed there, never by settlement invoices."""
    if f.billing_routes(session, [_pid(project)]).get(_pid(project)) == "time":
        raise IllegalTransition(
            "project",
            "billed through the time pipeline",
            "issue a settlement invoice for",
            f"the time of project {project.name} is billed through WIP and the Documenter; "
            "a project is billed one way or the other, never both",
        )


def _issue(uow: UnitOfWork, project: m.Project, form: SettlementForm) -> IssuedSettlement:
    session = uow.session
    org = organisation(session)
    currency = org.currency
    today = org_today(session, uow.now)
    check = Form()
    kind = _kind(check, form.kind)
    when = check.date("issue_date", form.issue_date, required=False) or today
    due = check.date("due_date", form.due_date, required=False)
    service = check.text("service", form.service, required=False, max_length=500)
    net = check.money("net", form.net, currency, required=False)
    vat_bp = check.percent_bp("vat_rate", form.vat_rate, required=False)
    footer = (
        None
        if form.footer is None
        else check.text("footer", form.footer, required=False, max_length=2000)
    )
    progress = check.int_range("progress_pct", form.progress_pct, 0, 100, required=False)
    paid = check.money("paid_amount", form.paid_amount, currency, required=False, min_cents=0)
    if form.send_to.strip():
        check.email("send_to", form.send_to)
    start, end = _period(check, form.period_from, form.period_to, today)
    change = _change_of(check, session, project, form.change_number)
    check.raise_if_any()
    assert kind is not None
    suggested = _suggest(session, project, kind, start, end or today)
    settled = f.settled_invoices(session, _pid(project), currency)
    rate = check_rate(org.default_vat_bp if vat_bp is None else vat_bp)
    name = service or project.name
    lines = _lines(kind, name, net, rate, suggested, settled, project, currency)
    own_net = sum_money((line.net for line in lines), currency)
    _check_net(session, project, kind, own_net, settled)
    invoice = _draft(uow, project, kind, name, lines, currency, progress, change)
    invoice.settlement_basis = _basis(suggested)
    records = _insert_lines(session, invoice, lines)
    issue_prepared(uow, invoice, records, when, due_date=due, footer=footer)
    if progress is not None and progress != project.progress_pct:
        before = row_dict(project)
        project.progress_pct = progress
        project.version += 1
        session.flush()
        uow.audit("project.progress", "project", project.id, before, row_dict(project))
    paid_total = _pay_at_once(uow, invoice, form.paid_in_full, paid, when)
    return _issued(invoice, lines, paid_total, progress)


def _check_net(
    session: Session,
    project: m.Project,
    kind: SettlementKind,
    net: Money,
    settled: Sequence[SettledInvoice],
) -> None:
    """Refuse, naming the net field, a net the project cannot take (the contract's cap)."""
    try:
        check_net(
            kind,
            net,
            valuation=project.valuation,
            contract_with_changes=_with_changes(session, project, net.currency),
            invoices=settled,
        )
    except ValueError as error:
        raise ValidationError([Problem("net", str(error))]) from None


def _with_changes(session: Session, project: m.Project, currency: str) -> Money | None:
    contract = _contract(project, currency)
    if contract is None:
        return None
    return contract + Money(
        f.approved_changes(session, [_pid(project)]).get(_pid(project), 0), currency
    )


def _change_of(
    check: Form, session: Session, project: m.Project, number: str
) -> m.ProjectChange | None:
    if not (number or "").strip():
        return None
    wanted = check.positive_int("change_number", number)
    if wanted is None:
        return None
    row = session.execute(
        select(m.ProjectChange).where(
            m.ProjectChange.project_id == project.id, m.ProjectChange.number == wanted
        )
    ).scalar_one_or_none()
    if row is None:
        check.add("change_number", f"project {project.name} has no change {wanted}")
        return None
    if not row.approved:
        check.add("change_number", f"change {wanted} is not approved yet")
        return None
    return row


def _lines(
    kind: SettlementKind,
    service: str,
    net: Money | None,
    rate: int,
    suggested: SuggestionView,
    settled: Sequence[SettledInvoice],
    project: m.Project,
    currency: str,
) -> tuple[SettlementLine, ...]:
    if kind is SettlementKind.FINAL:
        whole = net
        if whole is None:
            contract_line = next(
                line for line in suggested.suggestion.lines if line.label == "Contract with changes"
            )
            whole = contract_line.amount
        try:
            return final_invoice_lines(service, whole, rate, settled)
        except ValueError as error:
            raise ValidationError([Problem("net", str(error))]) from None
    amount = suggested.suggestion.net if net is None else net
    if amount.cents <= 0:
        raise ValidationError(
            [
                Problem(
                    "net",
                    f"nothing is left to invoice on project {project.name} "
                    f"(suggested {amount.format()} {currency})",
                )
            ]
        )
    return (single_line(service, amount, rate),)


def _draft(
    uow: UnitOfWork,
    project: m.Project,
    kind: SettlementKind,
    service: str,
    lines: Sequence[SettlementLine],
    currency: str,
    progress: int | None,
    change: m.ProjectChange | None,
) -> m.Invoice:
    session = uow.session
    assert uow.actor is not None
    net = sum_money((line.net for line in lines), currency)
    vat = sum_money((line.vat for line in lines), currency)
    invoice = m.Invoice(
        series_id=series_row(session, SERIES_INVOICE).id,
        kind=kind.value,
        status=InvoiceStatus.DRAFT.value,
        client_id=project.client_id,
        project_id=project.id,
        currency=currency,
        service_name=service,
        net_cents=net.cents,
        vat_cents=vat.cents,
        gross_cents=(net + vat).cents,
        progress_pct_update=progress,
        project_change_id=None if change is None else change.id,
        created_by_id=uow.actor.user_id,
        created_at=uow.now,
    )
    session.add(invoice)
    session.flush()
    return invoice


def _insert_lines(
    session: Session, invoice: m.Invoice, lines: Sequence[SettlementLine]
) -> list[Any]:
    insert_rows(
        session,
        LINE_TABLE,
        [
            {
                "invoice_id": invoice.id,
                "position": position,
                "kind": "service",
                "description": line.description,
                "detail": "",
                "minutes": None,
                "unit_price_cents": None,
                "net_cents": line.net.cents,
                "vat_bp": line.vat_bp,
                "vat_cents": line.vat.cents,
                "gross_cents": line.gross.cents,
                "expense_date": None,
                "reason": "",
                "document_line_id": None,
            }
            for position, line in enumerate(lines, 1)
        ],
    )
    return line_records(session, invoice.id)


def _basis(suggested: SuggestionView) -> str:
    """The suggestion as the invoice keeps it (frozen with it; costs may change later)."""
    lines = [
        {
            "label": line.label,
            "cents": line.amount.cents,
            "deducted": line.deducted,
        }
        for line in suggested.suggestion.lines
    ]
    period = {
        "from": suggested.period_from.isoformat() if suggested.period_from else None,
        "to": suggested.period_to.isoformat(),
    }
    return json.dumps({"lines": lines, "period": period, "notes": list(suggested.notes)})


def _pay_at_once(
    uow: UnitOfWork, invoice: m.Invoice, in_full: bool, amount: Money | None, when: date
) -> Money:
    currency = invoice.currency
    if in_full:
        amount = Money(invoice.gross_cents, currency)
    if amount is None or amount.cents == 0:
        return Money.zero(currency)
    apply_payment(
        uow,
        invoice,
        PaymentForm(amount=str(amount.amount), paid_on=when.isoformat(), method="wire"),
    )
    return amount


def _issued(
    invoice: m.Invoice,
    lines: Sequence[SettlementLine],
    paid: Money,
    progress: int | None,
) -> IssuedSettlement:
    currency = invoice.currency
    assert invoice.id is not None
    return IssuedSettlement(
        invoice_id=invoice.id,
        number=invoice.number or invoice.external_number or "",
        kind=invoice.kind,
        net=Money(invoice.net_cents, currency),
        vat=Money(invoice.vat_cents, currency),
        gross=Money(invoice.gross_cents, currency),
        lines=tuple((line.description, line.net, line.vat_bp, line.vat) for line in lines),
        paid=paid,
        progress_pct=progress,
    )


# ==============================================================================================
# Invoices issued elsewhere
# ==============================================================================================


def _record_external(uow: UnitOfWork, project: m.Project, form: ExternalForm) -> IssuedSettlement:
    session = uow.session
    org = organisation(session)
    currency = org.currency
    today = org_today(session, uow.now)
    check = Form()
    number = check.text("number", form.number, max_length=60)
    when = check.date("issue_date", form.issue_date)
    due = check.date("due_date", form.due_date, required=False)
    service = check.text("service", form.service, required=False, max_length=500)
    attachment = _attachment(check, form.attachment)
    if when is not None:
        if when > today:
            check.add("issue_date", f"must not be after today ({today})")
        elif org.period_lock_date is not None and when <= org.period_lock_date:
            check.add(
                "issue_date", f"falls in the locked period (closed up to {org.period_lock_date})"
            )
    if number and _external_taken(session, project, number):
        check.add("number", f"invoice {number} is already recorded on project {project.name}")
    if form.credits.strip():
        check.raise_if_any()
        assert number is not None and when is not None
        return _record_external_credit(uow, project, form.credits, number, when, attachment)
    net = check.money("net", form.net, currency, min_cents=1)
    vat = check.money("vat", form.vat, currency, min_cents=0)
    gross = check.money("gross", form.gross, currency, required=False)
    rate = check.percent_bp("vat_rate", form.vat_rate, required=False)
    paid = check.money("paid_amount", form.paid_amount, currency, required=False, min_cents=0)
    paid_on = check.date("paid_on", form.paid_on, required=False)
    settled = f.settled_invoices(session, _pid(project), currency)
    kind = _external_kind(check, form.kind, project, settled)
    change = _change_of(check, session, project, form.change_number)
    if net is not None and vat is not None and gross is not None and gross != net + vat:
        check.add("gross", f"must be net + VAT ({(net + vat).format()})")
    check.raise_if_any()
    assert net is not None and vat is not None and kind is not None and when is not None
    if due is not None and due < when:
        raise ValidationError([Problem("due_date", f"must not be before the issue date ({when})")])
    _refuse_time_billed(session, project)
    check_next_kind(project.valuation, settled, kind)
    _check_net(session, project, kind, net, settled)
    rate_bp = rate if rate is not None else divide_to_int(vat.cents * 10_000, net.cents)
    line = SettlementLine(service or project.name, net, rate_bp, vat)
    invoice = _draft(uow, project, kind, line.description, (line,), currency, None, change)
    invoice.external_number = number
    records = _insert_lines(session, invoice, (line,))
    due_on = due or when + timedelta(days=org.payment_deadline_days)
    _freeze_recorded(uow, invoice, records, when, due_on, attachment)
    paid_total = _pay_at_once(uow, invoice, form.paid_in_full, paid, paid_on or when)
    return _issued(invoice, (line,), paid_total, None)


def _external_taken(session: Session, project: m.Project, number: str) -> bool:
    return (
        session.execute(
            select(m.Invoice.id).where(
                m.Invoice.project_id == project.id, m.Invoice.external_number == number
            )
        ).first()
        is not None
    )


def _external_kind(
    check: Form, text: str, project: m.Project, settled: Sequence[SettledInvoice]
) -> SettlementKind | None:
    if (text or "").strip():
        return _kind(check, text)
    method = project_method(settled)
    if method is SettlementMethod.ADVANCE_FINAL:
        return SettlementKind.ADVANCE
    return SettlementKind.PARTIAL


def _attachment(check: Form, path: str) -> tuple[str, bytes] | None:
    text = (path or "").strip()
    if not text:
        return None
    try:
        source = Path(text).expanduser()
        found = source.stat()
        if not stat.S_ISREG(found.st_mode):
            check.add("attachment", "must be a file")
            return None
        if found.st_size > MAX_ATTACHMENT_BYTES:
            check.add("attachment", "must be at most 20 MB")
            return None
        with source.open("rb") as opened:
            content = opened.read(MAX_ATTACHMENT_BYTES + 1)
    except (OSError, ValueError, RuntimeError) as error:
        reason = getattr(error, "strerror", None) or "no such readable file"
        check.add("attachment", f"cannot be read: {reason}")
        return None
    if len(content) > MAX_ATTACHMENT_BYTES:
        check.add("attachment", "must be at most 20 MB")
        return None
    if not content.startswith(b"%PDF-"):
        check.add("attachment", "must be a PDF file")
        return None
    return source.name[:255], content


def _freeze_recorded(
    uow: UnitOfWork,
    invoice: m.Invoice,
    records: Sequence[Any],
    when: date,
    due: date,
    attachment: tuple[str, bytes] | None,
) -> None:
    """Move a recorded invoice from draft to issued, with its attachment, audited."""
    session = uow.session
    assert uow.actor is not None
    before = audit_image(session, invoice, records)
    client = session.get(m.Company, invoice.client_id)
    org = organisation(session)
    if attachment is not None:
        name, content = attachment
        invoice.attachment_sha256 = hashlib.sha256(content).hexdigest()
        session.add(
            m.InvoiceAttachment(
                invoice_id=invoice.id, file_name=name, content=content, created_at=uow.now
            )
        )
    invoice.issue_date = when
    invoice.sale_date = when
    invoice.due_date = due
    invoice.seller_name = org.name
    invoice.seller_address = org.billing_address
    invoice.seller_tax_id = org.tax_id
    if client is not None:
        invoice.buyer_name = client.name
        invoice.buyer_address = client.billing_address
        invoice.buyer_tax_id = client.tax_id
    invoice.issued_by_id = uow.actor.user_id
    invoice.issued_at = uow.now
    invoice.status = InvoiceStatus.ISSUED.value
    session.flush()
    uow.audit(
        "invoice.record_external", "invoice", invoice.id, before, audit_image(session, invoice)
    )


def _record_external_credit(
    uow: UnitOfWork,
    project: m.Project,
    credits: str,
    number: str,
    when: date,
    attachment: tuple[str, bytes] | None,
) -> IssuedSettlement:
    """Record the credit note (issued elsewhere) that cancels a recorded invoice whole."""
    session = uow.session
    original = session.execute(
        select(m.Invoice)
        .where(m.Invoice.project_id == project.id, m.Invoice.external_number == credits.strip())
        .with_for_update()
    ).scalar_one_or_none()
    if original is None or original.kind == f.CREDIT_NOTE:
        raise ValidationError(
            [Problem("credits", f"no invoice {credits.strip()} is recorded on {project.name}")]
        )
    if original.status == InvoiceStatus.CANCELLED.value:
        raise ValidationError(
            [Problem("credits", f"invoice {credits.strip()} is already cancelled")]
        )
    if original.paid_cents > 0:
        raise IllegalTransition(
            "recorded invoice",
            "paid",
            "cancel",
            f"payments are recorded on invoice {credits.strip()}; a credit note cancels only an "
            "invoice on which nothing has been paid",
        )
    if original.issue_date is not None and when < original.issue_date:
        raise ValidationError([Problem("issue_date", f"must not be before {original.issue_date}")])
    assert uow.actor is not None
    note = m.Invoice(
        series_id=series_row(session, SERIES_CREDIT_NOTE).id,
        kind=f.CREDIT_NOTE,
        status=InvoiceStatus.DRAFT.value,
        client_id=original.client_id,
        project_id=original.project_id,
        credited_invoice_id=original.id,
        currency=original.currency,
        service_name=original.service_name,
        net_cents=-original.net_cents,
        vat_cents=-original.vat_cents,
        gross_cents=-original.gross_cents,
        external_number=number,
        created_by_id=uow.actor.user_id,
        created_at=uow.now,
    )
    session.add(note)
    session.flush()
    currency = original.currency
    lines = tuple(
        SettlementLine(
            row.description,
            Money(-row.net_cents, currency),
            row.vat_bp,
            Money(-row.vat_cents, currency),
        )
        for row in line_records(session, original.id)
    )
    records = _insert_lines(session, note, lines)
    _freeze_recorded(uow, note, records, when, when, attachment)
    before = row_dict(original)
    original.status = InvoiceStatus.CANCELLED.value
    original.cancelled_at = uow.now
    session.flush()
    uow.audit("invoice.cancel", "invoice", original.id, before, row_dict(original))
    return _issued(note, lines, Money.zero(currency), None)
