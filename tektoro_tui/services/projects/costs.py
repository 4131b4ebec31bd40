"""The project cost register: material, salary, equipment and other costs of a project.

Created, viewed, edited and deleted with ``project_costs.manage`` on the projects the user may
see (project managers and estimators: only their own). Every change is audited; an edit names
the version its form was opened on and is refused when someone saved the cost since. A cost
already counted in a time-and-material invoice's suggestion stays editable: the invoice keeps
the figures it was issued with (``invoice.settlement_basis``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money
from ...domain.permissions import Perm
from ...domain.validation import Form
from ...errors import NotFound, StaleEdit, shown
from ...exports.model import CellValue, Column, StreamedTable, Table
from ..base import (
    STREAM_BATCH,
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

if TYPE_CHECKING:
    from ...exports.tables import Progress


class CostService(ServiceBase):
    """The cost register."""

    def list(
        self, actor: Actor, flt: CostFilter | None = None, *, limit: int | None = None
    ) -> CostList:
        """The costs of the projects the actor may see, newest first (the first ``limit`` of
        them when given: a screen shows a page), with the total, the total by type and the
        count of all that match."""
        chosen = flt or CostFilter()
        with self._read(actor, Perm.PROJECT_COSTS) as session:
            return _listing(session, actor, chosen, limit)

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
        """The register as a table for CSV/XLSX; refused without ``invoice.export``. Every
        cost in memory: :meth:`export` writes them as they are read."""
        chosen = flt or CostFilter()
        with self._read(actor, Perm.PROJECT_COSTS, Perm.INVOICE_EXPORT) as session:
            listing = _listing(session, actor, chosen)
            today = org_today(session, self.clock.now())
        rows = tuple(_cells(c) for c in listing.rows)
        return Table(
            title=_TITLE,
            subtitle=_as_of(today),
            columns=_COLUMNS,
            rows=rows,
            totals=_totals(len(rows), listing.total),
        )

    def export(
        self,
        actor: Actor,
        fmt: str,
        out: Path,
        flt: CostFilter | None = None,
        progress: Progress | None = None,
    ) -> Path:
        """Write the register as CSV or XLSX as it is read (memory stays flat however many
        costs there are), telling ``progress`` (costs written, costs expected)."""
        kind = export_format(fmt)
        chosen = flt or CostFilter()
        with self._read(actor, Perm.PROJECT_COSTS, Perm.INVOICE_EXPORT) as session:
            query = _filtered(session, actor, chosen)
            currency = org_currency(session)
            expected, _total, _by_type = _sums(session, actor, chosen, currency)
            today = org_today(session, self.clock.now())
            ordered = _newest_first(query).execution_options(yield_per=STREAM_BATCH)
            written = [0, 0]  # costs and cents as written: the totals row sums the rows above

            def rows() -> Iterator[tuple[CellValue, ...]]:
                for row, name in session.execute(ordered):
                    written[0] += 1
                    written[1] += row.amount_cents
                    yield _cells(_view(session, row, name, currency))

            table = StreamedTable(
                _TITLE,
                _COLUMNS,
                rows(),
                lambda: _totals(written[0], Money(written[1], currency)),
                _as_of(today),
                expected,
            )
            return write_table(table, kind, out, progress)


def _cells(cost: CostView) -> tuple[CellValue, ...]:
    """One cost as a row of the register's table."""
    return (
        cost.project_name,
        cost.cost_date,
        cost.type_label,
        cost.name,
        cost.supplier_invoice_number,
        cost.note,
        cost.amount,
    )


_TITLE = "Project costs"


def _as_of(today: date) -> str:
    """The register's subtitle: the day it was written."""
    return f"As of {today.isoformat()}"


def _totals(count: int, total: Money) -> tuple[CellValue, ...]:
    """The register's totals row."""
    return ("Total", None, f"{count} costs", "", "", "", total)


_COLUMNS = (
    Column("Project"),
    Column("Date", "date"),
    Column("Type"),
    Column("Name"),
    Column("Supplier invoice"),
    Column("Note"),
    Column("Amount", "money"),
)


def _listing(session: Session, actor: Actor, flt: CostFilter, limit: int | None = None) -> CostList:
    """The costs ``flt`` matches, newest first (the first ``limit`` when given), with the
    total, the total by type and the count of all of them, summed by the database."""
    query = _filtered(session, actor, flt)
    currency = org_currency(session)
    count, total, by_type = _sums(session, actor, flt, currency)
    ordered = _newest_first(query)
    if limit is not None:
        ordered = ordered.limit(limit)
    rows = tuple(_view(session, row, name, currency) for row, name in session.execute(ordered))
    return CostList(rows, total, by_type, None if limit is None else count)


def _filtered(session: Session, actor: Actor, flt: CostFilter, *columns: Any) -> Select[Any]:
    """The costs (with their project's name; or ``columns`` of them) of the projects the
    actor may see that ``flt`` matches, unordered.

    Raises:
        ValidationError: an unknown cost type.
    """
    scope = f.project_scope(session, actor)
    check = Form()
    kind = check.choice("cost_type", flt.cost_type, COST_TYPES, required=False)
    check.raise_if_any()
    query = (
        select(*(columns or (m.ProjectCost, m.Project.name)))
        .select_from(m.ProjectCost)
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
    return query


def _newest_first(query: Select[Any]) -> Select[Any]:
    return query.order_by(m.ProjectCost.cost_date.desc(), m.ProjectCost.id.desc())  # type: ignore[attr-defined,union-attr]


def _sums(
    session: Session, actor: Actor, flt: CostFilter, currency: str
) -> tuple[int, Money, tuple[tuple[str, Money], ...]]:
    """How many costs ``flt`` matches, their total and their total by type (every type, in
    :data:`COST_TYPES` order, zero where none), summed by the database."""
    kind, cents = m.ProjectCost.cost_type, m.ProjectCost.amount_cents
    query = _filtered(session, actor, flt, kind, func.count(), func.sum(cents)).group_by(kind)
    found = {str(k): (int(n), int(total or 0)) for k, n, total in session.execute(query)}
    by_type = tuple((k, Money(found.get(k, (0, 0))[1], currency)) for k in COST_TYPES)
    count = sum(n for n, _cents in found.values())
    return count, Money(sum(total for _n, total in found.values()), currency), by_type


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
