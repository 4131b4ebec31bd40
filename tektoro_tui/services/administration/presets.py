"""The five code presets a time card is made of, plus companies and their contacts.

Clients (companies of kind ``client``), projects, tasks, activities and rate
codes. They are never deleted, only deactivated, because time entries and
invoices refer to them. Time cards are refused until each of the five has at
least one active entry (:meth:`PresetService.missing_presets`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money
from ...domain.permissions import Perm
from ...domain.validation import UNCHANGED, Form, keep_unchanged
from ...domain.values import name_key
from ...errors import TektoroError, shown
from ..base import Actor, ServiceBase, UnitOfWork, org_currency, row_dict
from ..versions import check_version, locked
from .views import (
    ActivityView,
    CompanyView,
    ContactView,
    Page,
    ProjectView,
    RateCodeView,
    TaskView,
    WorkTypeView,
)

PAGE_SIZE = 50
COMPANY_KINDS = ("client", "subcontractor", "supplier")
VALUATIONS = ("fixed", "tm")
PROJECT_STATUSES = ("active", "on_hold", "completed")
PRESET_NAMES = {
    "clients": "Clients",
    "projects": "Projects",
    "tasks": "Tasks",
    "activities": "Activities",
    "rate_codes": "Rate codes",
}


class PresetsMissing(TektoroError):
    """A time card cannot be entered before every code preset has an active entry."""

    title = "Code presets missing"


@dataclass(frozen=True)
class CompanyForm:
    """A company as typed. Every form of this module defaults each field to
    :data:`UNCHANGED`: saving an existing record changes only the fields given; a new record
    starts from the ``NEW_*`` form below."""

    name: str = UNCHANGED
    kind: str = UNCHANGED
    tax_id: str = UNCHANGED
    billing_address: str = UNCHANGED
    email: str = UNCHANGED
    phone: str = UNCHANGED
    is_active: bool = UNCHANGED


@dataclass(frozen=True)
class ContactForm:
    """A contact person as typed."""

    company_id: int | None = UNCHANGED
    name: str = UNCHANGED
    email: str = UNCHANGED
    phone: str = UNCHANGED
    position: str = UNCHANGED
    is_active: bool = UNCHANGED


@dataclass(frozen=True)
class ProjectForm:
    """A project as typed."""

    name: str = UNCHANGED
    client_id: int | None = UNCHANGED
    code: str = UNCHANGED
    valuation: str = UNCHANGED
    contract_amount: str = UNCHANGED
    progress_pct: str = UNCHANGED
    status: str = UNCHANGED
    project_manager_id: int | None = UNCHANGED
    estimator_id: int | None = UNCHANGED
    start_date: str = UNCHANGED
    end_date: str = UNCHANGED
    is_active: bool = UNCHANGED


@dataclass(frozen=True)
class TaskForm:
    """A task as typed."""

    project_id: int | None = UNCHANGED
    name: str = UNCHANGED
    is_active: bool = UNCHANGED


@dataclass(frozen=True)
class ActivityForm:
    """An activity as typed."""

    name: str = UNCHANGED
    billable_default: bool = UNCHANGED
    is_active: bool = UNCHANGED


@dataclass(frozen=True)
class RateCodeForm:
    """A rate code as typed."""

    name: str = UNCHANGED
    hourly_rate: str = UNCHANGED
    is_active: bool = UNCHANGED


NEW_COMPANY = CompanyForm(
    name="", kind="client", tax_id="", billing_address="", email="", phone="", is_active=True
)
NEW_CONTACT = ContactForm(company_id=None, name="", email="", phone="", position="", is_active=True)
NEW_PROJECT = ProjectForm(
    name="",
    client_id=None,
    code="",
    valuation="tm",
    contract_amount="",
    progress_pct="0",
    status="active",
    project_manager_id=None,
    estimator_id=None,
    start_date="",
    end_date="",
    is_active=True,
)
NEW_TASK = TaskForm(project_id=None, name="", is_active=True)


@dataclass(frozen=True)
class WorkTypeForm:
    """A type of work on a site as typed."""

    name: str = UNCHANGED
    is_active: bool = UNCHANGED


NEW_ACTIVITY = ActivityForm(name="", billable_default=True, is_active=True)
NEW_WORK_TYPE = WorkTypeForm(name="", is_active=True)
NEW_RATE_CODE = RateCodeForm(name="", hourly_rate="", is_active=True)


class PresetService(ServiceBase):
    """Create, edit, deactivate and list the code presets."""

    # --- the gate for time cards ----------------------------------------------------------

    def missing_presets(self) -> list[str]:
        """The names of the presets that have no active entry yet (empty when ready)."""
        with self.db.read() as session:
            return missing_presets(session)

    def require_presets(self) -> None:
        """Refuse, naming what is missing, unless every preset has an active entry."""
        missing = self.missing_presets()
        if missing:
            raise PresetsMissing(
                "Time cards can be entered once every code preset has at least one active "
                f"entry. Missing: {', '.join(missing)}."
            )

    # --- finding a preset by what a person types -----------------------------------------

    def lookup(
        self, actor: Actor, kind: str, text: str, *, project_id: int | None = None
    ) -> tuple[int, ...]:
        """The ids of the active presets of ``kind`` that ``text`` names, by folded name.

        ``kind`` is "client", "project", "task", "activity" or "rate_code". A project is
        also found by its code; a task only among the tasks of ``project_id`` when given, so
        "Prüfung" of one project is never confused with another's. More than one id means
        the name is ambiguous in that scope (a project name may recur across clients).
        """
        model = LOOKUP_MODELS.get(kind)
        if model is None:
            raise TektoroError(f"Unknown preset kind '{shown(kind)}'.")
        key = name_key(text)
        wanted = model.name_key == key
        if model is m.Project:
            wanted = or_(wanted, m.Project.code_key == key)
        query = select(model.id).where(wanted, model.is_active.is_(True))
        if model is m.Company:
            query = query.where(m.Company.kind == "client")
        if model is m.Task and project_id is not None:
            query = query.where(m.Task.project_id == project_id)
        with self._read(actor, Perm.PRESETS_VIEW) as session:
            return tuple(session.execute(query.order_by(model.id)).scalars())

    # --- companies and contacts -----------------------------------------------------------

    def save_company(
        self,
        actor: Actor,
        form: CompanyForm,
        ident: int | None = None,
        *,
        version: int | None = None,
    ) -> CompanyView:
        """Create (``ident`` None) or update a company (only the fields ``form`` gives)."""
        with self._write(actor, Perm.PRESETS_MANAGE) as uow:
            form = _complete(
                uow.session, m.Company, ident, form, NEW_COMPANY, _company_form, version
            )
            check = Form()
            values = {
                "name": check.text("name", form.name, max_length=200),
                "kind": check.choice("kind", form.kind, COMPANY_KINDS),
                "tax_id": check.text("tax_id", form.tax_id, required=False, max_length=50),
                "billing_address": check.text(
                    "billing_address", form.billing_address, required=False, max_length=1000
                ),
                "email": check.email("email", form.email) if form.email.strip() else "",
                "phone": check.text("phone", form.phone, required=False, max_length=50),
                "is_active": form.is_active,
            }
            kind = values["kind"]
            _refuse_taken(
                uow.session,
                check,
                m.Company,
                ident,
                ("name", values["name"]),
                [m.Company.kind == kind],
                f"another {kind} is already called",
            )
            check.raise_if_any()
            row = self._save(uow, m.Company, ident, values, "company", with_created=True)
            return _company_view(row)

    def save_contact(
        self,
        actor: Actor,
        form: ContactForm,
        ident: int | None = None,
        *,
        version: int | None = None,
    ) -> ContactView:
        """Create or update a contact of a company (only the fields ``form`` gives)."""
        with self._write(actor, Perm.PRESETS_MANAGE) as uow:
            form = _complete(
                uow.session, m.Contact, ident, form, NEW_CONTACT, _contact_form, version
            )
            check = Form()
            values = {
                "company_id": check.required("company_id", form.company_id),
                "name": check.text("name", form.name, max_length=200),
                "email": check.email("email", form.email) if form.email.strip() else "",
                "phone": check.text("phone", form.phone, required=False, max_length=50),
                "position": check.text("position", form.position, required=False, max_length=100),
                "is_active": form.is_active,
            }
            check.raise_if_any()
            self._exists(uow.session, m.Company, values["company_id"], "company_id", check)
            row = self._save(uow, m.Contact, ident, values, "contact")
            return _contact_view(row)

    def list_companies(
        self, actor: Actor, kind: str | None = "client", **opts: Any
    ) -> Page[CompanyView]:
        """A page of companies by name; ``kind`` None for every kind."""
        filters = [m.Company.kind == kind] if kind else []
        return self._page(actor, m.Company, _company_view, filters, **opts)

    def list_contacts(self, actor: Actor, company_id: int) -> list[ContactView]:
        """All contacts of a company."""
        with self._read(actor, Perm.PRESETS_VIEW) as session:
            rows = session.execute(
                select(m.Contact).where(m.Contact.company_id == company_id).order_by(m.Contact.name)
            ).scalars()
            return [_contact_view(r) for r in rows]

    # --- projects and tasks ---------------------------------------------------------------

    def save_project(
        self,
        actor: Actor,
        form: ProjectForm,
        ident: int | None = None,
        *,
        version: int | None = None,
    ) -> ProjectView:
        """Create or update a project (only the fields ``form`` gives); a fixed-price project
        needs its contract amount."""
        check = Form()
        with self._write(actor, Perm.PRESETS_MANAGE) as uow:
            session = uow.session
            form = _complete(session, m.Project, ident, form, NEW_PROJECT, _project_form, version)
            currency = org_currency(session)
            valuation = check.choice("valuation", form.valuation, VALUATIONS)
            amount = (
                check.money("contract_amount", form.contract_amount, currency, min_cents=0)
                if form.contract_amount.strip()
                else None
            )
            if valuation == "fixed" and amount is None and form.contract_amount.strip() == "":
                check.add("contract_amount", "is required for a fixed-price project")
            progress = check.int_range("progress_pct", form.progress_pct or "0", 0, 100)
            values = {
                "name": check.text("name", form.name, max_length=200),
                "code": check.text("code", form.code, required=False, max_length=30),
                "client_id": check.required("client_id", form.client_id),
                "valuation": valuation,
                "contract_amount_cents": amount.cents if amount else None,
                "progress_pct": progress if progress is not None else 0,
                "status": check.choice("status", form.status, PROJECT_STATUSES),
                "project_manager_id": form.project_manager_id,
                "estimator_id": form.estimator_id,
                "start_date": check.date("start_date", form.start_date, required=False),
                "end_date": check.date("end_date", form.end_date, required=False),
                "is_active": form.is_active,
            }
            start, end = values["start_date"], values["end_date"]
            if start and end and end < start:  # type: ignore[operator]
                check.add("end_date", "must not be before the start date")
            self._exists(session, m.Company, values["client_id"], "client_id", check)
            for key in ("project_manager_id", "estimator_id"):
                self._exists(session, m.UserAccount, values[key], key, check)
            _refuse_taken(
                session,
                check,
                m.Project,
                ident,
                ("name", values["name"]),
                [m.Project.client_id == values["client_id"]],
                "this client already has a project called",
            )
            _refuse_taken(
                session,
                check,
                m.Project,
                ident,
                ("code", values["code"]),
                [],
                "another project has",
            )
            if ident is not None:
                from ..projects.figures import contract_problems

                for field, message in contract_problems(
                    session, ident, valuation, values["contract_amount_cents"]
                ):
                    check.add(field, message)
            check.raise_if_any()
            row = self._save(uow, m.Project, ident, values, "project", with_created=True)
            return self._project_view(session, row)

    def list_projects(self, actor: Actor, **opts: Any) -> Page[ProjectView]:
        """A page of projects by name."""
        with self._read(actor, Perm.PRESETS_VIEW) as session:
            page = self._page_in(session, m.Project, lambda r: r, [], **opts)
            return Page(tuple(self._project_view(session, r) for r in page.items), page.next_after)

    def save_task(
        self, actor: Actor, form: TaskForm, ident: int | None = None, *, version: int | None = None
    ) -> TaskView:
        """Create or update a task of a project (only the fields ``form`` gives)."""
        with self._write(actor, Perm.PRESETS_MANAGE) as uow:
            form = _complete(uow.session, m.Task, ident, form, NEW_TASK, _task_form, version)
            check = Form()
            values = {
                "project_id": check.required("project_id", form.project_id),
                "name": check.text("name", form.name, max_length=200),
                "is_active": form.is_active,
            }
            check.raise_if_any()
            self._exists(uow.session, m.Project, values["project_id"], "project_id", check)
            _refuse_taken(
                uow.session,
                check,
                m.Task,
                ident,
                ("name", values["name"]),
                [m.Task.project_id == values["project_id"]],
                "this project already has a task called",
            )
            check.raise_if_any()
            row = self._save(uow, m.Task, ident, values, "task")
            return self._task_view(uow.session, row)

    def list_tasks(
        self, actor: Actor, project_id: int | None = None, **opts: Any
    ) -> Page[TaskView]:
        """A page of tasks by name, optionally of one project."""
        filters = [m.Task.project_id == project_id] if project_id else []
        with self._read(actor, Perm.PRESETS_VIEW) as session:
            page = self._page_in(session, m.Task, lambda r: r, filters, **opts)
            return Page(tuple(self._task_view(session, r) for r in page.items), page.next_after)

    # --- activities and rate codes --------------------------------------------------------

    def save_activity(
        self,
        actor: Actor,
        form: ActivityForm,
        ident: int | None = None,
        *,
        version: int | None = None,
    ) -> ActivityView:
        """Create or update an activity (only the fields ``form`` gives)."""
        with self._write(actor, Perm.PRESETS_MANAGE) as uow:
            form = _complete(
                uow.session, m.Activity, ident, form, NEW_ACTIVITY, _activity_form, version
            )
            check = Form()
            values = {
                "name": check.text("name", form.name, max_length=200),
                "billable_default": form.billable_default,
                "is_active": form.is_active,
            }
            _refuse_taken(
                uow.session,
                check,
                m.Activity,
                ident,
                ("name", values["name"]),
                [],
                "another activity is already called",
            )
            check.raise_if_any()
            return _activity_view(self._save(uow, m.Activity, ident, values, "activity"))

    def list_activities(self, actor: Actor, **opts: Any) -> Page[ActivityView]:
        """A page of activities by name."""
        return self._page(actor, m.Activity, _activity_view, [], **opts)

    def save_work_type(
        self,
        actor: Actor,
        form: WorkTypeForm,
        ident: int | None = None,
        *,
        version: int | None = None,
    ) -> WorkTypeView:
        """Create or update a type of work (the list subcontracts name; only the fields
        ``form`` gives)."""
        with self._write(actor, Perm.PRESETS_MANAGE) as uow:
            form = _complete(
                uow.session, m.WorkType, ident, form, NEW_WORK_TYPE, _work_type_form, version
            )
            check = Form()
            values = {
                "name": check.text("name", form.name, max_length=200),
                "is_active": form.is_active,
            }
            _refuse_taken(
                uow.session,
                check,
                m.WorkType,
                ident,
                ("name", values["name"]),
                [],
                "another type of work is already called",
            )
            check.raise_if_any()
            return _work_type_view(self._save(uow, m.WorkType, ident, values, "work_type"))

    def list_work_types(self, actor: Actor, **opts: Any) -> Page[WorkTypeView]:
        """A page of types of work by name."""
        return self._page(actor, m.WorkType, _work_type_view, [], **opts)

    def save_rate_code(
        self,
        actor: Actor,
        form: RateCodeForm,
        ident: int | None = None,
        *,
        version: int | None = None,
    ) -> RateCodeView:
        """Create or update a rate code (a named hourly rate; only the fields ``form`` gives)."""
        check = Form()
        with self._write(actor, Perm.PRESETS_MANAGE) as uow:
            form = _complete(
                uow.session, m.RateCode, ident, form, NEW_RATE_CODE, _rate_form, version
            )
            currency = org_currency(uow.session)
            rate = check.money("hourly_rate", form.hourly_rate, currency, min_cents=0)
            values = {
                "name": check.text("name", form.name, max_length=200),
                "hourly_rate_cents": rate.cents if rate else 0,
                "is_active": form.is_active,
            }
            _refuse_taken(
                uow.session,
                check,
                m.RateCode,
                ident,
                ("name", values["name"]),
                [],
                "another rate code is already called",
            )
            check.raise_if_any()
            row = self._save(uow, m.RateCode, ident, values, "rate_code")
            return _rate_view(row, currency)

    def list_rate_codes(self, actor: Actor, **opts: Any) -> Page[RateCodeView]:
        """A page of rate codes by name."""
        with self._read(actor, Perm.PRESETS_VIEW) as session:
            currency = org_currency(session)
            return self._page_in(session, m.RateCode, lambda r: _rate_view(r, currency), [], **opts)

    def set_active(self, actor: Actor, kind: str, ident: int, active: bool) -> None:
        """Deactivate or reactivate any preset; ``kind`` is a key of :data:`MODELS`."""
        model = MODELS.get(kind)
        if model is None:
            raise TektoroError(f"Unknown preset kind '{kind}'.")
        with self._write(actor, Perm.PRESETS_MANAGE) as uow:
            what = kind.replace("_", " ").capitalize()
            row = locked(uow.session, model, ident, what)
            check_version(uow.session, row, None, kind, f"{what} {row.name}")
            row.is_active = active
            uow.audit(f"{kind}.{'activate' if active else 'deactivate'}", kind, ident)

    # --- shared machinery -----------------------------------------------------------------

    def _save(
        self,
        uow: UnitOfWork,
        model: type[Any],
        ident: int | None,
        values: dict[str, Any],
        entity: str,
        *,
        with_created: bool = False,
    ) -> Any:
        """Insert or update one row and audit it."""
        session = uow.session
        if ident is None:
            extra = {"created_at": uow.now} if with_created else {}
            row = model(**values, **extra)
            session.add(row)
            session.flush()
            uow.audit(f"{entity}.create", entity, row.id, None, row_dict(row))
            return row
        row = self._get(session, model, ident, entity.replace("_", " ").capitalize())
        before = row_dict(row)
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        uow.audit(f"{entity}.update", entity, row.id, before, row_dict(row))
        return row

    @staticmethod
    def _exists(session: Session, model: type[Any], ident: Any, field: str, check: Form) -> None:
        if ident is not None and session.get(model, ident) is None:
            check.add(field, "does not exist")

    def _page(
        self,
        actor: Actor,
        model: type[Any],
        view: Callable[[Any], Any],
        filters: list[Any],
        **opts: Any,
    ) -> Page[Any]:
        with self._read(actor, Perm.PRESETS_VIEW) as session:
            return self._page_in(session, model, view, filters, **opts)

    @staticmethod
    def _page_in(
        session: Session,
        model: type[Any],
        view: Callable[[Any], Any],
        filters: list[Any],
        *,
        search: str = "",
        active_only: bool = False,
        after: tuple[object, ...] | None = None,
        limit: int = PAGE_SIZE,
    ) -> Page[Any]:
        """Keyset pagination by (name, id) with an optional name search."""
        query = select(model).where(*filters)
        if search.strip():
            query = query.where(model.name.ilike(f"%{search.strip()}%"))
        if active_only:
            query = query.where(model.is_active.is_(True))
        if after is not None:
            name, ident = after
            query = query.where(or_(model.name > name, (model.name == name) & (model.id > ident)))
        rows = list(
            session.execute(query.order_by(model.name, model.id).limit(limit + 1)).scalars()
        )
        items = tuple(view(r) for r in rows[:limit])
        more = len(rows) > limit
        last = rows[limit - 1] if more else None
        return Page(items, (last.name, last.id) if last is not None else None)

    def _project_view(self, session: Session, row: m.Project) -> ProjectView:
        client = session.get(m.Company, row.client_id)
        currency = org_currency(session)
        amount = row.contract_amount_cents
        return ProjectView(
            id=row.id or 0,
            code=row.code,
            name=row.name,
            client_id=row.client_id,
            client_name=client.name if client else "",
            valuation=row.valuation,
            contract_amount=Money(amount, currency) if amount is not None else None,
            billing_method=row.billing_method,
            progress_pct=row.progress_pct,
            status=row.status,
            project_manager_id=row.project_manager_id,
            estimator_id=row.estimator_id,
            start_date=row.start_date,
            end_date=row.end_date,
            is_active=row.is_active,
            version=row.version,
        )

    @staticmethod
    def _task_view(session: Session, row: m.Task) -> TaskView:
        project = session.get(m.Project, row.project_id)
        return TaskView(
            id=row.id or 0,
            project_id=row.project_id,
            project_name=project.name if project else "",
            name=row.name,
            is_active=row.is_active,
            version=row.version,
        )


LOOKUP_MODELS: dict[str, type[Any]] = {
    "client": m.Company,
    "project": m.Project,
    "task": m.Task,
    "activity": m.Activity,
    "rate_code": m.RateCode,
    "work_type": m.WorkType,
}

MODELS: dict[str, type[Any]] = {
    "company": m.Company,
    "contact": m.Contact,
    "project": m.Project,
    "task": m.Task,
    "activity": m.Activity,
    "rate_code": m.RateCode,
    "work_type": m.WorkType,
}
ENTITIES: dict[type[Any], str] = {model: kind for kind, model in MODELS.items()}
"""Each preset model's audit entity."""


def _refuse_taken(
    session: Session,
    check: Form,
    model: type[Any],
    ident: int | None,
    field: tuple[str, object],
    scope: list[Any],
    clash: str,
) -> None:
    """Record a problem when another row of ``model`` in ``scope`` has the same folded name
    (or code): names and codes are unique per preset whatever their case or spacing.

    The unique index on the key refuses the same in the database, should two saves race.
    """
    name, value = field
    if not isinstance(value, str) or not name_key(value):
        return
    column = model.code_key if name == "code" else model.name_key
    query = select(model.id).where(column == name_key(value), *scope)
    if ident is not None:
        query = query.where(model.id != ident)
    if session.execute(query.limit(1)).first() is not None:
        what = f"the code '{shown(value)}'" if name == "code" else f"'{shown(value)}'"
        check.add(name, f"{clash} {what}")


def missing_presets(session: Session) -> list[str]:
    """The names of the code presets that have no active entry yet (time cards need all)."""
    checks = {
        "clients": select(func.count()).where(
            m.Company.kind == "client",
            m.Company.is_active.is_(True),  # type: ignore[attr-defined]
        ),
        "projects": select(func.count()).where(m.Project.is_active.is_(True)),  # type: ignore[attr-defined]
        "tasks": select(func.count()).where(m.Task.is_active.is_(True)),  # type: ignore[attr-defined]
        "activities": select(func.count()).where(m.Activity.is_active.is_(True)),  # type: ignore[attr-defined]
        "rate_codes": select(func.count()).where(m.RateCode.is_active.is_(True)),  # type: ignore[attr-defined]
    }
    return [PRESET_NAMES[k] for k, q in checks.items() if not session.execute(q).scalar_one()]


F = TypeVar("F")


def _complete(
    session: Session,
    model: type[Any],
    ident: int | None,
    form: F,
    new: F,
    form_of: Any,
    version: int | None,
) -> F:
    """``form`` with the fields it leaves out taken from record ``ident`` (locked and read in
    the write that saves it, and refused if it is no longer at ``version``), or from ``new``
    for a new record."""
    if ident is None:
        return keep_unchanged(form, new)
    entity = ENTITIES[model]
    what = entity.replace("_", " ").capitalize()
    row = locked(session, model, ident, what)
    check_version(session, row, version, entity, f"{what} {row.name}")
    return keep_unchanged(form, form_of(session, row))


def _plain_amount(session: Session, cents: int | None) -> str:
    """Stored minor units as an amount a form holds ("1234.50"); "" for none."""
    return "" if cents is None else str(Money(cents, org_currency(session)).amount)


def _copied(form_class: type[F], row: Any, **shown: object) -> F:
    """A form holding ``row``'s saved values: each field read from the column of its name,
    unless ``shown`` gives it as the form shows it (amounts, dates, percentages as text)."""
    values = {
        field.name: shown[field.name] if field.name in shown else getattr(row, field.name)
        for field in fields(form_class)  # type: ignore[arg-type]
    }
    return form_class(**values)


def _company_form(_session: Session, row: m.Company) -> CompanyForm:
    return _copied(CompanyForm, row)


def _contact_form(_session: Session, row: m.Contact) -> ContactForm:
    return _copied(ContactForm, row)


def _project_form(session: Session, row: m.Project) -> ProjectForm:
    return _copied(
        ProjectForm,
        row,
        contract_amount=_plain_amount(session, row.contract_amount_cents),
        progress_pct=str(row.progress_pct),
        start_date=row.start_date.isoformat() if row.start_date else "",
        end_date=row.end_date.isoformat() if row.end_date else "",
    )


def _task_form(_session: Session, row: m.Task) -> TaskForm:
    return _copied(TaskForm, row)


def _activity_form(_session: Session, row: m.Activity) -> ActivityForm:
    return _copied(ActivityForm, row)


def _work_type_form(_session: Session, row: m.WorkType) -> WorkTypeForm:
    return _copied(WorkTypeForm, row)


def _work_type_view(row: m.WorkType) -> WorkTypeView:
    return WorkTypeView(id=row.id or 0, name=row.name, is_active=row.is_active, version=row.version)


def _rate_form(session: Session, row: m.RateCode) -> RateCodeForm:
    return _copied(RateCodeForm, row, hourly_rate=_plain_amount(session, row.hourly_rate_cents))


def _company_view(row: m.Company) -> CompanyView:
    return CompanyView(
        id=row.id or 0,
        kind=row.kind,
        name=row.name,
        tax_id=row.tax_id,
        billing_address=row.billing_address,
        email=row.email,
        phone=row.phone,
        is_active=row.is_active,
        version=row.version,
    )


def _contact_view(row: m.Contact) -> ContactView:
    return ContactView(
        id=row.id or 0,
        company_id=row.company_id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        position=row.position,
        is_active=row.is_active,
        version=row.version,
    )


def _activity_view(row: m.Activity) -> ActivityView:
    return ActivityView(
        id=row.id or 0,
        name=row.name,
        billable_default=row.billable_default,
        is_active=row.is_active,
        version=row.version,
    )


def _rate_view(row: m.RateCode, currency: str) -> RateCodeView:
    return RateCodeView(
        id=row.id or 0,
        name=row.name,
        hourly_rate=Money(row.hourly_rate_cents, currency),
        is_active=row.is_active,
        version=row.version,
    )
