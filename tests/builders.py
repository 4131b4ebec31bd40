"""Builders for test firms, made only through the services the app uses.

Each builder does one thing a firm does: set up the organisation, take on a person, add a
client's project, add the work codes, enter time cards, accept and approve them, bill them and
issue the invoice. Each returns the ids and signed-in actors it made, so a test module
composes just the firm it needs::

    admin = make_firm(services)
    carl = add_person(services, admin, "Carl Contractor", pay_rate="40")
    codes = add_codes(services, admin)
    ids = add_time_cards(services, admin, [codes.card("2:00", "2026-03-02", owner=carl)])
    approve_all(services, ids, admin)
    invoice = issue_invoice(services, admin, bill(services, admin, ids))

What tests assert on (names, e-mail addresses, amounts, dates) is passed in by the caller; the
defaults are the Northwind Studio firm of the service tests. Each table's rows are made in the
order of the calls, so a module that calls the builders in the same order gets the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select, update

from tektoro_tui.data import models as m
from tektoro_tui.services.administration.presets import (
    ActivityForm,
    CompanyForm,
    ProjectForm,
    RateCodeForm,
    TaskForm,
)
from tektoro_tui.services.administration.users import UserForm
from tektoro_tui.services.base import Actor, Clock
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import InvoiceView
from tektoro_tui.services.pipeline.views import AllocationForm, TimeCardForm

OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "owner-pass-123"
PASSWORD = "pass-word-123"
"""The password of everyone the builders take on, unless told otherwise."""


@contextmanager
def connected(url: str, clock: Clock | None = None) -> Iterator[Services]:
    """Services on ``url`` (with ``clock``, else the system's), closed when the block ends."""
    services = Services.connect(url, clock=clock)
    try:
        yield services
    finally:
        services.close()


# --- the organisation and its people ------------------------------------------------------------


def make_firm(
    services: Services,
    *,
    company: str = "Northwind Studio",
    email: str = OWNER_EMAIL,
    name: str = "Olga Owner",
    password: str = OWNER_PASSWORD,
) -> Actor:
    """Set up the organisation as its first run does; its first administrator."""
    return services.auth.init_organisation(company, email, name, password)


def set_organisation(services: Services, **details: Any) -> None:
    """Fill in the organisation's details (billing address, tax id, bank account, ...).

    Written straight to the table: the settings service edits only what the settings screen
    shows, and these tests want the details an invoice prints.
    """
    with services.db.write() as session:
        session.execute(update(m.Organisation).where(m.Organisation.id == 1).values(**details))


def add_person(
    services: Services,
    admin: Actor,
    name: str,
    role: str = "staff",
    *,
    email: str | None = None,
    password: str = PASSWORD,
    pay_rate: str = "0",
    supervisor_id: int | None = None,
    company_id: int | None = None,
    sign_in: bool = True,
) -> Actor:
    """Take ``name`` on as ``admin`` does on the Users screen; the new person as an actor.

    The e-mail address is the first name at example.com unless given. With ``sign_in`` the
    person logs in once (as a real user would before acting); otherwise the actor is read
    without a login, which writes nothing.
    """
    address = email if email is not None else f"{name.split()[0].lower()}@example.com"
    form = UserForm(
        name=name,
        email=address,
        role=role,
        supervisor_id=supervisor_id,
        company_id=company_id,
        pay_rate=pay_rate,
        password=password,
    )
    user = services.users.create_user(admin, form)
    return services.auth.login(address, password) if sign_in else services.auth.actor(user.id)


def join(
    services: Services, inviter: Actor, email: str, name: str, password: str = PASSWORD
) -> Actor:
    """Invite ``email`` and register with the code: the newcomer joins the inviter's staff."""
    token = services.auth.invite(inviter, email).token
    return services.auth.register(token, name, password)


# --- code presets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """A client's project and its tasks."""

    client_id: int
    project_id: int
    task_ids: tuple[int, ...]

    @property
    def task_id(self) -> int:
        """The project's first task."""
        return self.task_ids[0]


@dataclass(frozen=True)
class Codes:
    """Everything a time card names: a client's project and task, an activity, a rate code."""

    client_id: int
    project_id: int
    task_id: int
    activity_id: int
    rate_code_id: int

    def card(
        self,
        time_spent: str,
        work_date: str = "",
        description: str = "",
        *,
        owner: Actor | None = None,
        **changes: Any,
    ) -> TimeCardForm:
        """A time card on these codes (for ``owner``, else whoever enters it); ``changes``
        override any other field."""
        form = TimeCardForm(
            project_id=self.project_id,
            task_id=self.task_id,
            activity_id=self.activity_id,
            rate_code_id=self.rate_code_id,
            time_spent=time_spent,
            work_date=work_date,
            description=description,
            owner_id=owner.user_id if owner is not None else None,
        )
        return replace(form, **changes)


def add_job(
    services: Services,
    admin: Actor,
    client: str | CompanyForm | int,
    project: str | ProjectForm,
    *tasks: str,
) -> Job:
    """A project with ``tasks`` for ``client``: a new client by name or form, or an existing
    one by id."""
    presets = services.presets
    if isinstance(client, int):
        client_id = client
    else:
        form = client if isinstance(client, CompanyForm) else CompanyForm(name=client)
        client_id = presets.save_company(admin, form).id
    shape = project if isinstance(project, ProjectForm) else ProjectForm(project, None)
    project_id = presets.save_project(admin, replace(shape, client_id=client_id)).id
    task_ids = tuple(
        presets.save_task(admin, TaskForm(project_id=project_id, name=task)).id for task in tasks
    )
    return Job(client_id, project_id, task_ids)


def add_work_codes(
    services: Services,
    admin: Actor,
    activity: str | ActivityForm = "Design",
    rate: str = "Senior",
    hourly_rate: str = "100",
) -> tuple[int, int]:
    """An activity and a rate code of ``hourly_rate``; their ids."""
    presets = services.presets
    form = activity if isinstance(activity, ActivityForm) else ActivityForm(name=activity)
    activity_id = presets.save_activity(admin, form).id
    rate_id = presets.save_rate_code(admin, RateCodeForm(name=rate, hourly_rate=hourly_rate)).id
    return activity_id, rate_id


def add_codes(
    services: Services,
    admin: Actor,
    client: str | CompanyForm | int = "Acme",
    project: str | ProjectForm = "Roof",
    task: str = "Survey",
    activity: str | ActivityForm = "Design",
    rate: str = "Senior",
    hourly_rate: str = "100",
) -> Codes:
    """One of every code preset, so time cards can be entered: a client's project and task,
    an activity and a rate code."""
    job = add_job(services, admin, client, project, task)
    activity_id, rate_id = add_work_codes(services, admin, activity, rate, hourly_rate)
    return Codes(job.client_id, job.project_id, job.task_id, activity_id, rate_id)


def codes_of(job: Job, activity_id: int, rate_code_id: int) -> Codes:
    """The codes of ``job``'s first task with an activity and a rate code."""
    return Codes(job.client_id, job.project_id, job.task_id, activity_id, rate_code_id)


# --- the time pipeline ----------------------------------------------------------------------------


def add_time_cards(services: Services, actor: Actor, cards: Iterable[TimeCardForm]) -> list[int]:
    """Enter ``cards`` as ``actor``, in order; the entry ids."""
    return [services.time.add_entry(actor, card).id for card in cards]


APPROVER = "Vera Approver"
"""The manager who approves an administrator's own entries (nobody approves their own)."""


def approve_all(
    services: Services, ids: Sequence[int], accepted_by: Actor, approved_by: Actor | None = None
) -> None:
    """Accept the entries ``ids`` as ``accepted_by`` and approve them as ``approved_by`` (the
    same person unless given). Entries of the approver's own are approved by the firm's
    :func:`second_approver`, as nobody approves their own work."""
    services.time.accept(accepted_by, ids)
    approver = approved_by or accepted_by
    result = services.time.approve(approver, ids)
    own = [skip.entry_id for skip in result.skipped if "their own" in skip.reason]
    if own:
        result = services.time.approve(second_approver(services, approver), own)
    assert not result.skipped, result.skipped


def second_approver(services: Services, admin: Actor) -> Actor:
    """The firm's manager who approves ``admin``'s own entries (taken on at the first need)."""
    with services.db.read() as session:
        found = session.execute(
            select(m.UserAccount.id).where(m.UserAccount.name == APPROVER)
        ).scalar_one_or_none()
    if found is not None:
        return services.auth.actor(found)
    return add_person(services, admin, APPROVER, "manager", sign_in=False)


def bill(
    services: Services,
    admin: Actor,
    ids: Sequence[int],
    *,
    client_id: int | None = None,
    per_project: bool = False,
) -> int:
    """Allocate the approved entries ``ids`` to bill and process WIP (for one client, or
    all); the id of the invoice record made."""
    services.wip.allocate(admin, ids, AllocationForm(kind="bill"))
    result = services.wip.process(admin, client_id=client_id, per_project=per_project)
    (record,) = [document for document in result.documents if document.kind == "invoice"]
    assert record.id is not None
    return record.id


def issue_invoice(
    services: Services, admin: Actor, record_id: int, issue_date: date | None = None
) -> InvoiceView:
    """Open the document record in the Documenter and issue its invoice (dated today unless
    given)."""
    draft = services.invoices.open_record(admin, record_id)
    return services.invoices.issue(admin, draft.id, issue_date=issue_date)
