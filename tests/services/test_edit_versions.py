"""No save overwrites another person's: two sessions edit the same record of every kind.

Olga opens a form on a record; Bea, in a session of her own, saves a change to it; Olga then
saves hers against the version her form was opened on. Olga's save is refused naming Bea, the
time and what Bea changed, and nothing of it is written; once Olga reloads, her save goes
through. A save without a version (a one-shot command) is never refused for one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest

from tektoro_tui.errors import StaleEdit
from tektoro_tui.services.administration.presets import (
    ActivityForm,
    CompanyForm,
    ContactForm,
    ProjectForm,
    RateCodeForm,
    TaskForm,
)
from tektoro_tui.services.administration.settings import SettingsForm
from tektoro_tui.services.administration.users import UserForm
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.contractor_invoices.views import ContractorDocumentForm
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import TermsForm
from tests.builders import add_codes, add_person, connected

from .conftest import NOW

Save = Callable[[Services, Actor, Any, int | None], Any]


@dataclass(frozen=True)
class Kind:
    """How to make a record of one kind, change it, and read a field of it back."""

    name: str
    make: Callable[[Services, Actor], Any]  # the view a form is opened on
    save: Callable[[Services, Actor, Any, Any, int | None], Any]  # (view, form, version)
    theirs: Any  # Bea's change
    mine: Any  # Olga's change
    read: Callable[[Services, Actor, Any], Any]  # the field both change, as saved
    told: str  # what the refusal says Bea changed


def _rate(services: Services, admin: Actor) -> Any:
    return services.presets.save_rate_code(
        admin, RateCodeForm(name="Senior", hourly_rate="60.00", is_active=True)
    )


def _rate_read(services: Services, admin: Actor, view: Any) -> Any:
    (rate,) = services.presets.list_rate_codes(admin).items
    return (rate.name, str(rate.hourly_rate.amount))


def _company(services: Services, admin: Actor) -> Any:
    return services.presets.save_company(admin, CompanyForm(name="Acme", kind="client"))


def _companies(services: Services, admin: Actor, view: Any) -> Any:
    (company,) = services.presets.list_companies(admin, "client").items
    return (company.name, company.phone)


def _contact(services: Services, admin: Actor) -> Any:
    company = _company(services, admin)
    return services.presets.save_contact(admin, ContactForm(company_id=company.id, name="Cy"))


def _contacts(services: Services, admin: Actor, view: Any) -> Any:
    (contact,) = services.presets.list_contacts(admin, view.company_id)
    return (contact.name, contact.phone)


def _project(services: Services, admin: Actor) -> Any:
    codes = add_codes(services, admin)
    return next(p for p in services.presets.list_projects(admin).items if p.id == codes.project_id)


def _projects(services: Services, admin: Actor, view: Any) -> Any:
    (project,) = services.presets.list_projects(admin).items
    return (project.name, project.code)


def _task(services: Services, admin: Actor) -> Any:
    codes = add_codes(services, admin)
    return services.presets.list_tasks(admin, codes.project_id).items[0]


def _tasks(services: Services, admin: Actor, view: Any) -> Any:
    (task,) = services.presets.list_tasks(admin, view.project_id).items
    return (task.name, task.is_active)


def _activity(services: Services, admin: Actor) -> Any:
    return services.presets.save_activity(admin, ActivityForm(name="Design"))


def _activities(services: Services, admin: Actor, view: Any) -> Any:
    (activity,) = services.presets.list_activities(admin).items
    return (activity.name, activity.billable_default)


def _terms(services: Services, admin: Actor) -> Any:
    return services.terms.add(admin, TermsForm(name="Net 30", kind="standard", body="30 days."))


def _terms_read(services: Services, admin: Actor, view: Any) -> Any:
    (terms,) = services.terms.list(admin)
    return (terms.name, terms.body)


def _user(services: Services, admin: Actor) -> Any:
    carl = add_person(services, admin, "Carl Contractor", "staff", sign_in=False)
    return services.users.get_user(admin, carl.user_id)


def _users(services: Services, admin: Actor, view: Any) -> Any:
    user = services.users.get_user(admin, view.id)
    return (user.name, str(user.pay_rate.amount))


def _document(services: Services, admin: Actor) -> Any:
    carl = add_person(services, admin, "Carl Contractor", "staff", sign_in=False)
    form = ContractorDocumentForm(str(carl.user_id), "insurance", "/docs/a.pdf", "2026-12-31")
    return services.compliance.add(admin, form)


def _documents(services: Services, admin: Actor, view: Any) -> Any:
    (document,) = services.compliance.documents(admin)
    return (document.file_path, document.expires_on)


def _presets(method: str) -> Callable[[Services, Actor, Any, Any, int | None], Any]:
    def save(services: Services, actor: Actor, view: Any, form: Any, version: int | None) -> Any:
        return getattr(services.presets, method)(actor, form, view.id, version=version)

    return save


KINDS = (
    Kind(
        "rate code",
        _rate,
        _presets("save_rate_code"),
        RateCodeForm(hourly_rate="65.00"),
        RateCodeForm(name="Senior partner"),
        _rate_read,
        "hourly rate: 60.00 → 65.00",
    ),
    Kind(
        "client",
        _company,
        _presets("save_company"),
        CompanyForm(phone="555 0100"),
        CompanyForm(name="Acme Ltd"),
        _companies,
        "phone: (none) → 555 0100",
    ),
    Kind(
        "contact",
        _contact,
        _presets("save_contact"),
        ContactForm(phone="555 0101"),
        ContactForm(name="Cy Young"),
        _contacts,
        "phone: (none) → 555 0101",
    ),
    Kind(
        "project",
        _project,
        _presets("save_project"),
        ProjectForm(code="HR-2"),
        ProjectForm(name="Harbour refit II"),
        _projects,
        "code:",
    ),
    Kind(
        "task",
        _task,
        _presets("save_task"),
        TaskForm(is_active=False),
        TaskForm(name="Demolition works"),
        _tasks,
        "is active: True → False",
    ),
    Kind(
        "activity",
        _activity,
        _presets("save_activity"),
        ActivityForm(billable_default=False),
        ActivityForm(name="Drawing"),
        _activities,
        "billable default: True → False",
    ),
    Kind(
        "payment terms",
        _terms,
        lambda s, a, v, f, version: s.terms.edit(a, v.id, f, version=version),
        TermsForm(body="Within 30 days of the invoice."),
        TermsForm(name="Net thirty"),
        _terms_read,
        "body: 30 days. → Within 30 days of the invoice.",
    ),
    Kind(
        "user",
        _user,
        lambda s, a, v, f, version: s.users.update_user(a, v.id, f, version=version),
        UserForm(pay_rate="45"),
        UserForm(name="Carl Carpenter"),
        _users,
        "pay rate: 0.00 → 45.00",
    ),
    Kind(
        "compliance document",
        _document,
        lambda s, a, v, f, version: s.compliance.edit(a, v.id, f, version=version),
        ContractorDocumentForm("", "insurance", "/docs/b.pdf", "2027-06-30"),
        ContractorDocumentForm("", "insurance", "/docs/c.pdf", "2026-12-31"),
        _documents,
        "file path: /docs/a.pdf → /docs/b.pdf",
    ),
)


@pytest.fixture
def bea(services: Services, admin: Actor, db_url: str, clock: FixedClock) -> Iterator[Any]:
    """A second administrator, Bea Boss, in a session (a connection) of her own."""
    add_person(services, admin, "Bea Boss", "administrator", email="bea@example.com")
    later = FixedClock(NOW.replace(minute=45))
    with connected(db_url, later) as other:
        yield other, other.auth.login("bea@example.com", "pass-word-123")


def _for_document(kind: Kind, view: Any, form: Any) -> Any:
    """Compliance forms name the contractor; the others change only what they give."""
    if isinstance(form, ContractorDocumentForm):
        return ContractorDocumentForm(str(view.user_id), *list(form.__dict__.values())[1:])
    return form


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_a_save_over_someone_elses_change_is_refused(
    services: Services, admin: Actor, bea: Any, kind: Kind
) -> None:
    other, bea_actor = bea
    opened = kind.make(services, admin)  # Olga's form opens on this
    kind.save(other, bea_actor, opened, _for_document(kind, opened, kind.theirs), opened.version)
    after_bea = kind.read(services, admin, opened)

    with pytest.raises(StaleEdit) as refused:
        kind.save(services, admin, opened, _for_document(kind, opened, kind.mine), opened.version)
    message = refused.value.message
    assert "changed by Bea Boss at 2026-03-10 09:45" in message, message
    assert kind.told in message, message
    assert "Nothing was saved" in message and refused.value.title == "Changed by someone else"
    assert kind.read(services, admin, opened) == after_bea  # Bea's change stands, whole

    reloaded = kind.save(
        services, admin, opened, _for_document(kind, opened, kind.mine), opened.version + 1
    )
    assert reloaded.version == opened.version + 2
    assert kind.read(services, admin, opened) != after_bea


def test_the_settings_are_never_saved_over_another_administrators(
    services: Services, admin: Actor, bea: Any
) -> None:
    other, bea_actor = bea
    opened = services.settings.get(admin)
    other.settings.update(
        bea_actor, SettingsForm(invoice_footer="Thank you"), version=opened.version
    )
    with pytest.raises(StaleEdit, match="invoice footer: \\(none\\) → Thank you"):
        services.settings.update(admin, SettingsForm(phone="555 0199"), version=opened.version)
    saved = services.settings.get(admin)
    assert (saved.invoice_footer, saved.phone) == ("Thank you", "")
    services.settings.update(admin, SettingsForm(phone="555 0199"))  # no version: a command
    assert services.settings.get(admin).version == opened.version + 2


def test_a_time_entry_changed_in_another_session_is_not_overwritten(
    services: Services, admin: Actor, bea: Any
) -> None:
    """Olga's card, edited in her other session (another terminal), then saved from the form
    she opened first."""
    other, _bea_actor = bea
    codes = add_codes(services, admin)
    card = codes.card("1:00", date(2026, 3, 9).isoformat(), "Survey")
    opened = services.time.add_entry(admin, card)
    other.time.update_entry(admin, opened.id, replace(card, time_spent="2:00"), version=1)
    with pytest.raises(StaleEdit, match="minutes: 60 → 120"):
        services.time.update_entry(
            admin, opened.id, replace(card, description="Second look"), version=opened.version
        )
    assert services.time.get_entry(admin, opened.id).minutes == 120


def test_a_busy_sqlite_file_says_busy_not_changed(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    """Another program holds the file's write lock: the save waits, then is refused as busy
    (nothing of the record changed, so not "Changed by someone else"), and nothing is saved."""
    import sqlite3

    from tektoro_tui.data import engine
    from tektoro_tui.errors import ConflictError
    from tests.builders import make_firm

    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 50)
    with connected(sqlite_url, clock) as services:
        admin = make_firm(services)
        blocker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            blocker.execute("BEGIN IMMEDIATE")
            with pytest.raises(ConflictError) as refused:
                services.presets.save_activity(admin, ActivityForm(name="Design"))
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert refused.value.title == "Database busy"
        assert "Nothing was saved; try again" in refused.value.message
        assert services.presets.list_activities(admin).items == ()


# --- drafts in the Documenter ------------------------------------------------------------------


def _draft(services: Services, admin: Actor) -> Any:
    """A draft invoice opened in the Documenter on a two-line record."""
    from tests.services.test_invoices import make_books, two_line_record

    books = make_books(services, admin)
    return services.invoices.open_record(admin, two_line_record(books))


def test_a_draft_saved_in_another_session_is_not_overwritten(
    services: Services, admin: Actor, bea: Any
) -> None:
    """Olga has the draft open; Bea sets a 10 % markup in her session; Olga's save of the
    commentary (her form sends every field, the markup at 0 as she saw it) is refused."""
    from tektoro_tui.services.invoicing.views import DraftForm

    other, bea_actor = bea
    opened = _draft(services, admin)
    assert opened.version
    other.invoices.update_draft(bea_actor, opened.id, DraftForm(markup_percent="10"))
    mine = DraftForm(commentary="Phase one", markup_percent="0")
    with pytest.raises(StaleEdit, match=r"Bea Boss at 2026-03-10 .*markup: 0 % → 10 %"):
        services.invoices.update_draft(admin, opened.id, mine, version=opened.version)
    again = services.invoices.get(admin, opened.id)
    assert (again.markup_bp, again.commentary) == (1000, "")
    saved = services.invoices.update_draft(admin, opened.id, mine, version=again.version)
    assert (saved.markup_bp, saved.commentary) == (0, "Phase one")
    assert saved.version != again.version


def test_lines_added_or_removed_elsewhere_refuse_a_stale_draft_edit(
    services: Services, admin: Actor, bea: Any
) -> None:
    from tektoro_tui.services.invoicing.views import AdjustmentForm, ExpenseForm

    other, bea_actor = bea
    opened = _draft(services, admin)
    expense = ExpenseForm(expense_date="2026-03-09", description="Parking", amount="12.00")
    with_expense = other.invoices.add_expense(bea_actor, opened.id, expense)
    discount = AdjustmentForm(amount="-5.00", reason="Goodwill")
    with pytest.raises(StaleEdit):
        services.invoices.add_adjustment(admin, opened.id, discount, version=opened.version)
    (parking,) = [line for line in with_expense.lines if line.kind == "expense"]
    other.invoices.remove_line(bea_actor, opened.id, parking.id, version=with_expense.version)
    with pytest.raises(StaleEdit):  # the expense is gone again, but the draft is not as it was
        services.invoices.remove_line(admin, opened.id, parking.id, version=with_expense.version)
    assert services.invoices.add_adjustment(admin, opened.id, discount)  # a command: no version
