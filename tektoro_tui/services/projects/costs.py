"""The project cost register: material, salary, equipment and other costs of a project.

Created, viewed, edited and deleted with ``project_costs.manage`` on the projects the user may
see (project managers and estimators: only their own). Every change is audited; an edit names
the version its form was opened on and is refused when someone saved the cost since. A cost
already counted in a time-and-material invoice's suggestion stays editable: the invoice keeps
the figures it was issued with (``invoice.settlement_basis``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money, sum_money
from ...domain.permissions import Perm
from ...domain.validation import Form
from ...errors import NotFound, StaleEdit, shown
from ...exports.model import Column, Table
from ..base import (
    Actor,
    ServiceBase,
    export_format,
    org_currency,
    org_today,
    row_dict,
    write_table,
)
from . import figures as f
from .views import COST_TYPES, CostFilter, CostForm, CostList, CostView


class CostService(ServiceBase):
    """The cost register."""

    def list(self, actor: Actor, flt: CostFilter | None = None) -> CostList:
        """The costs of the projects the actor may see, newest first, with their total."""
        chosen = flt or CostFilter()
        with self._read(actor, Perm.PROJECT_COSTS) as session:
            return _listing(session, actor, chosen)

    def get(self, actor: Actor, cost_id: int) -> CostView:
        """One cost."""
        with self._read(actor, Perm.PROJECT_COSTS) as session:
            row = _visible(session, actor, cost_id)
            return _view(session, row)

    def add(self, actor: Actor, form: CostForm) -> CostView:
        """Record a cost.

        Raises:
            ValidationError: no project or name, a bad date, type or amount.
        """
        with self._write(actor, Perm.PROJECT_COSTS) as uow:
            session = uow.session
            values = _clean(session, actor, form, org_today(session, uow.now))
            row = m.ProjectCost(created_by_id=actor.user_id, created_at=uow.now, **values)
            session.add(row)
            session.flush()
            uow.audit("project_cost.add", "project_cost", row.id, None, row_dict(row))
            return _view(session, row)

    def edit(
        self, actor: Actor, cost_id: int, form: CostForm, *, version: int | None = None
    ) -> CostView:
        """Change a cost (every field of the form; a blank project keeps the project).

        Raises:
            StaleEdit: someone saved it since ``version``.
        """
        with self._write(actor, Perm.PROJECT_COSTS) as uow:
            session = uow.session
            row = _visible(session, actor, cost_id, lock=True)
            _check_version(row, version)
            if not form.project.strip():
                form = CostForm(**{**form.__dict__, "project": str(row.project_id)})
            values = _clean(session, actor, form, org_today(session, uow.now))
            before = row_dict(row)
            for name, value in values.items():
                setattr(row, name, value)
            row.version += 1
            session.flush()
            uow.audit("project_cost.edit", "project_cost", row.id, before, row_dict(row))
            return _view(session, row)

    def delete(self, actor: Actor, cost_id: int, *, version: int | None = None) -> CostView:
        """Delete a cost (the audit log keeps what it was).

        Raises:
            StaleEdit: someone saved it since ``version``.
        """
        with self._write(actor, Perm.PROJECT_COSTS) as uow:
            session = uow.session
            row = _visible(session, actor, cost_id, lock=True)
            _check_version(row, version)
            view = _view(session, row)
            before = row_dict(row)
            session.delete(row)
            session.flush()
            uow.audit("project_cost.delete", "project_cost", cost_id, before, None)
            return view

    def table(self, actor: Actor, flt: CostFilter | None = None) -> Table:
        """The register as a table for CSV/XLSX; refused without ``invoice.export``."""
        chosen = flt or CostFilter()
        with self._read(actor, Perm.PROJECT_COSTS, Perm.INVOICE_EXPORT) as session:
            listing = _listing(session, actor, chosen)
            today = org_today(session, self.clock.now())
        rows = tuple(
            (
                c.project_name,
                c.cost_date,
                c.type_label,
                c.name,
                c.supplier_invoice_number,
                c.note,
                c.amount,
            )
            for c in listing.rows
        )
        totals = ("Total", None, f"{len(rows)} costs", "", "", "", listing.total)
        return Table(
            title="Project costs",
            subtitle=f"As of {today.isoformat()}",
            columns=_COLUMNS,
            rows=rows,
            totals=totals,
        )

    def export(self, actor: Actor, fmt: str, out: Path, flt: CostFilter | None = None) -> Path:
        """Write the register as CSV or XLSX."""
        kind = export_format(fmt)
        return write_table(self.table(actor, flt), kind, out)


_COLUMNS = (
    Column("Project"),
    Column("Date", "date"),
    Column("Type"),
    Column("Name"),
    Column("Supplier invoice"),
    Column("Note"),
    Column("Amount", "money"),
)


def _listing(session: Session, actor: Actor, flt: CostFilter) -> CostList:
    scope = f.project_scope(session, actor)
    check = Form()
    kind = check.choice("cost_type", flt.cost_type, COST_TYPES, required=False)
    check.raise_if_any()
    query = (
        select(m.ProjectCost, m.Project.name)
        .join(m.Project, m.Project.id == m.ProjectCost.project_id)
        .join(m.Company, m.Company.id == m.Project.client_id)
        .where(scope)
    )
    if flt.project_id is not None:
        query = query.where(m.ProjectCost.project_id == flt.project_id)
    if kind:
        query = query.where(m.ProjectCost.cost_type == kind)
    if flt.date_from is not None:
        query = query.where(m.ProjectCost.cost_date >= flt.date_from)
    if flt.date_to is not None:
        query = query.where(m.ProjectCost.cost_date <= flt.date_to)
    term = flt.search.strip().lower()
    if term:
        query = query.where(
            or_(
                func.lower(m.ProjectCost.name).contains(term, autoescape=True),
                func.lower(m.ProjectCost.supplier_invoice_number).contains(term, autoescape=True),
                func.lower(m.Project.name).contains(term, autoescape=True),
            )
        )
    query = query.order_by(m.ProjectCost.cost_date.desc(), m.ProjectCost.id.desc())  # type: ignore[attr-defined,union-attr]
    currency = org_currency(session)
    rows = tuple(_view(session, row, name, currency) for row, name in session.execute(query))
    by_type = tuple(
        (
            kind_,
            sum_money((r.amount for r in rows if r.cost_type == kind_), currency),
        )
        for kind_ in COST_TYPES
    )
    return CostList(rows, sum_money((r.amount for r in rows), currency), by_type)


def _visible(session: Session, actor: Actor, cost_id: int, *, lock: bool = False) -> m.ProjectCost:
    scope = f.project_scope(session, actor)
    query = (
        select(m.ProjectCost)
        .join(m.Project, m.Project.id == m.ProjectCost.project_id)
        .where(m.ProjectCost.id == cost_id, scope)
    )
    if lock:
        query = query.with_for_update(of=m.ProjectCost)  # type: ignore[arg-type]
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound(f"Cost #{shown(str(cost_id))} does not exist.")
    return row


def _check_version(row: m.ProjectCost, version: int | None) -> None:
    if version is not None and row.version != version:
        raise StaleEdit(
            f"Cost #{row.id} was saved by someone else since you opened it; nothing was "
            "written. Open it again."
        )


def _clean(session: Session, actor: Actor, form: CostForm, today: Any) -> dict[str, Any]:
    check = Form()
    project_key = check.text("project", form.project, max_length=200)
    name = check.text("name", form.name, max_length=200)
    invoice_number = check.text(
        "supplier_invoice_number", form.supplier_invoice_number, required=False, max_length=100
    )
    note = check.text("note", form.note, required=False, max_length=2000)
    when = check.date("cost_date", form.cost_date, required=False) or today
    kind = check.choice("cost_type", (form.cost_type or "").strip().lower(), COST_TYPES)
    amount = check.money("amount", form.amount, org_currency(session), min_cents=1)
    project_id = None
    if project_key:
        try:
            project_id = f.find_project(session, f.project_scope(session, actor), project_key).id
        except NotFound as error:
            check.add("project", error.message)
    check.raise_if_any()
    assert amount is not None
    return {
        "project_id": project_id,
        "name": name,
        "supplier_invoice_number": invoice_number or "",
        "note": note or "",
        "cost_date": when,
        "cost_type": kind,
        "amount_cents": amount.cents,
    }


def _view(
    session: Session, row: m.ProjectCost, project_name: str | None = None, currency: str = ""
) -> CostView:
    if project_name is None:
        project_name = str(
            session.execute(
                select(m.Project.name).where(m.Project.id == row.project_id)
            ).scalar_one()
        )
    assert row.id is not None
    return CostView(
        id=row.id,
        version=row.version,
        project_id=row.project_id,
        project_name=project_name,
        name=row.name,
        supplier_invoice_number=row.supplier_invoice_number,
        note=row.note,
        cost_date=row.cost_date,
        cost_type=row.cost_type,
        amount=Money(row.amount_cents, currency or org_currency(session)),
    )
