"""Users and staff-group visibility (one level down only)."""

from __future__ import annotations

import pytest

from tektoro_tui.domain.permissions import Role
from tektoro_tui.errors import NotFound, PermissionDenied, ValidationError
from tektoro_tui.services.administration.users import UserForm
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tests.builders import join


def test_staff_see_themselves_and_direct_staff_only(services: Services, admin: Actor) -> None:
    ann = join(services, admin, "ann@example.com", "Ann")
    bob = join(services, ann, "bob@example.com", "Bob")
    join(services, bob, "cid@example.com", "Cid")
    names = [u.name for u in services.users.list_users(ann).items]
    assert names == ["Ann", "Bob"]
    assert [u.name for u in services.users.direct_staff(ann)] == ["Bob"]
    with pytest.raises(NotFound):
        services.users.get_user(ann, services.users.list_users(bob).items[-1].id)
    everyone = [u.name for u in services.users.list_users(admin).items]
    assert everyone == ["Ann", "Bob", "Cid", "Olga Owner"]


def test_keyset_pages_cover_everyone_once(services: Services, admin: Actor) -> None:
    for i in range(7):
        services.users.create_user(admin, UserForm(name=f"Crew {i % 3}", role="staff"))
    seen: list[int] = []
    after = None
    while True:
        page = services.users.list_users(admin, after=after, limit=3)
        seen.extend(u.id for u in page.items)
        if page.next_after is None:
            break
        after = page.next_after
    assert len(seen) == 8 and len(set(seen)) == 8


def test_crew_without_login_and_every_problem_at_once(services: Services, admin: Actor) -> None:
    crew = services.users.create_user(admin, UserForm(name="Piotr Żółw", pay_rate="31.50"))
    assert not crew.can_login and crew.email == "" and crew.pay_rate.cents == 3150
    with pytest.raises(ValidationError) as caught:
        services.users.create_user(
            admin,
            UserForm(name="", email="bad", role="wizard", pay_rate="-4", password="x"),
        )
    assert {p.field for p in caught.value.problems} >= {
        "name",
        "email",
        "role",
        "pay_rate",
        "password",
    }


def test_duplicate_email_is_refused_case_insensitively(services: Services, admin: Actor) -> None:
    services.users.create_user(
        admin, UserForm(name="A", email="a@example.com", password="pass-1234")
    )
    with pytest.raises(ValidationError, match="already belongs"):
        services.users.create_user(admin, UserForm(name="B", email="A@EXAMPLE.COM"))


def test_only_user_managers_create_users(services: Services, admin: Actor) -> None:
    ann = join(services, admin, "ann@example.com", "Ann")
    with pytest.raises(PermissionDenied, match="create and edit users"):
        services.users.create_user(ann, UserForm(name="Sneaky"))


def test_admin_cannot_demote_themself(services: Services, admin: Actor) -> None:
    with pytest.raises(PermissionDenied):
        services.users.update_user(
            admin, admin.user_id, UserForm(name="Olga", email="owner@example.com", role="staff")
        )


def test_role_change_takes_effect_on_the_next_action(services: Services, admin: Actor) -> None:
    ann = join(services, admin, "ann@example.com", "Ann")
    services.users.update_user(
        admin, ann.user_id, UserForm(name="Ann", email="ann@example.com", role="administrator")
    )
    # Ann's Actor still says staff, but the service reads the live role.
    services.users.create_user(ann, UserForm(name="Made by Ann"))
    assert services.auth.actor(ann.user_id).role is Role.ADMINISTRATOR
