"""Organisation settings and the editable permission matrix."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tektoro_tui.domain.permissions import DEFAULT_MATRIX, Perm, Role
from tektoro_tui.errors import PermissionDenied, ValidationError
from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm
from tektoro_tui.services.administration.settings import SettingsForm
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tektoro_tui.services.payroll.views import ShiftForm, TermsForm
from tests.builders import join


def test_settings_roundtrip_through_the_form(services: Services, admin: Actor) -> None:
    view = services.settings.get(admin)
    form = services.settings.form_for(view)
    assert form.default_vat == "23" and form.workday_start == "07:00" and form.day_length == "8:00"
    saved = services.settings.update(
        admin,
        replace(
            form,
            default_vat="8.5",
            workday_start="06:30",
            day_length="7:30",
            timezone="Europe/Warsaw",
            currency="pln",
            period_lock_date="2026-01-31",
            payment_deadline_days="30",
        ),
    )
    assert saved.default_vat_bp == 850 and saved.workday_start_minute == 390
    assert saved.day_length_minutes == 450 and saved.currency == "PLN"
    assert saved.period_lock_date is not None and saved.period_lock_date.isoformat() == "2026-01-31"
    assert services.settings.form_for(saved).default_vat == "8.5"


def test_bad_settings_name_every_field_and_change_nothing(services: Services, admin: Actor) -> None:
    before = services.settings.get(admin)
    form = replace(
        services.settings.form_for(before),
        name="",
        timezone="Mars/Olympus",
        workday_start="16:00",
        workday_end="15:00",
        default_vat="abc",
        smtp_port="70000",
        currency="EURO",
    )
    with pytest.raises(ValidationError) as caught:
        services.settings.update(admin, form)
    fields = {p.field for p in caught.value.problems}
    assert fields == {"name", "timezone", "workday_end", "default_vat", "smtp_port", "currency"}
    assert services.settings.get(admin) == before


def test_the_default_lunch_break_is_a_setting(services: Services, admin: Actor) -> None:
    """A new firm's shifts have no lunch break unless one is set; 30 minutes saved is the lunch
    the settings form shows and a new work shift takes; 0 to 240 minutes, named when wrong."""
    view = services.settings.get(admin)
    assert view.default_lunch_minutes == 0
    assert services.settings.form_for(view).default_lunch == "0"
    saved = services.settings.update(admin, SettingsForm(default_lunch="30"))
    assert saved.default_lunch_minutes == 30
    assert services.settings.form_for(saved).default_lunch == "30"
    for wrong in ("241", "-1", "half an hour", "", "1.5"):
        with pytest.raises(ValidationError) as caught:
            services.settings.update(admin, SettingsForm(default_lunch=wrong))
        assert [p.field for p in caught.value.problems] == ["default_lunch"], wrong
    assert services.settings.get(admin).default_lunch_minutes == 30
    client = services.presets.save_company(admin, CompanyForm(name="Acme Build")).id
    services.presets.save_project(admin, ProjectForm("Warehouse", client))
    services.payroll.set_terms(
        admin, admin.user_id, TermsForm(effective_from="2026-01-01", hourly_rate="40")
    )
    shift = services.payroll.add(
        admin,
        ShiftForm(
            employees=admin.email,
            project="Warehouse",
            shift_date="2026-03-02",
            planned_start="07:00",
            planned_end="15:30",
        ),
    )
    assert shift.lunch_minutes == 30
    saved = services.settings.update(admin, SettingsForm(default_lunch="240"))
    assert saved.default_lunch_minutes == 240


def test_smtp_password_without_keyring_gives_advice(services: Services, admin: Actor) -> None:
    from tektoro_tui.errors import ConfigError

    with pytest.raises(ConfigError, match="TEKTORO_SMTP_PASSWORD"):
        services.settings.set_smtp_password(admin, "secret")


def test_permission_matrix_changes_apply_immediately(services: Services, admin: Actor) -> None:
    matrix = services.permissions.matrix(admin)
    assert matrix[Role.ACCOUNTANT] == DEFAULT_MATRIX[Role.ACCOUNTANT]
    assert Perm.INVOICE_EXPORT not in matrix[Role.ACCOUNTANT]
    services.permissions.set_grant(admin, Role.ACCOUNTANT, Perm.INVOICE_EXPORT, True)
    assert Perm.INVOICE_EXPORT in services.permissions.matrix(admin)[Role.ACCOUNTANT]
    services.permissions.set_grant(admin, Role.STAFF, Perm.STAFF_INVITE, False)
    token_holder = join(services, admin, "ann@example.com", "Ann")
    with pytest.raises(PermissionDenied, match="invite"):
        services.auth.invite(token_holder, "friend@example.com")
    services.permissions.reset_role(admin, Role.STAFF)
    assert services.auth.invite(token_holder, "friend@example.com").token


def test_administrators_cannot_lock_themselves_out(services: Services, admin: Actor) -> None:
    with pytest.raises(PermissionDenied, match="always keep"):
        services.permissions.set_grant(admin, Role.ADMINISTRATOR, Perm.PERMISSIONS_MANAGE, False)


def test_only_permission_managers_see_the_matrix(services: Services, admin: Actor) -> None:
    ann = join(services, admin, "ann@example.com", "Ann")
    with pytest.raises(PermissionDenied):
        services.permissions.matrix(ann)


def test_a_new_firm_works_from_seven_to_five_monday_to_friday(
    services: Services, admin: Actor
) -> None:
    """DESIGN §9's defaults, so the seed's pay example (07:00-15:30 on an 8 h day) is possible:
    window 07:00-17:00, 8 h day, Monday to Friday, no holidays."""
    view = services.settings.get(admin)
    assert (view.workday_start_minute, view.workday_end_minute) == (7 * 60, 17 * 60)
    assert view.day_length_minutes == 8 * 60
    assert (view.working_weekdays, view.holidays) == ("12345", ())
    form = services.settings.form_for(view)
    assert (form.workday_end, form.working_weekdays) == ("17:00", "Mon-Fri")
