"""Organisation set-up, login with slow-down, invitations and CLI sessions."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tektoro_tui.data import models as m
from tektoro_tui.domain.permissions import DEFAULT_MATRIX, Perm, Role
from tektoro_tui.errors import (
    AuthenticationError,
    ConflictError,
    PermissionDenied,
    ValidationError,
)
from tektoro_tui.services.administration.auth import WRONG_LOGIN
from tektoro_tui.services.administration.users import UserForm
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.hub import Services

from .conftest import ADMIN_PASSWORD, NOW


def test_init_creates_organisation_admin_and_default_matrix(
    services: Services, admin: Actor
) -> None:
    assert admin.role is Role.ADMINISTRATOR
    assert admin.email == "owner@example.com"
    assert set(admin.permissions) == {p.value for p in Perm}
    assert services.auth.is_initialised()
    with services.db.read() as session:
        grants = session.execute(select(m.RolePermission)).scalars().all()
        stored = {(g.role, g.permission) for g in grants}
        hashed = session.execute(select(m.UserAccount.password_hash)).scalar_one()
    expected = {(r.value, p.value) for r, perms in DEFAULT_MATRIX.items() for p in perms}
    assert stored == expected
    assert hashed is not None and hashed.startswith("$argon2") and ADMIN_PASSWORD not in hashed


def test_product_hashes_use_argon2ids_own_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite hashes cheaply (tests/conftest.py); the product keeps argon2-cffi's cost."""
    from argon2 import PasswordHasher

    from tektoro_tui.services.administration import auth

    monkeypatch.setattr(auth, "HASH_COST", {})
    hashed = auth.hash_password("a-long-password")
    default = PasswordHasher()
    assert hashed.startswith(
        f"$argon2id$v=19$m={default.memory_cost},t={default.time_cost},p={default.parallelism}$"
    )
    assert default.memory_cost >= 65536 and default.time_cost >= 3
    assert auth.verify_password(hashed, "a-long-password")
    assert not auth.verify_password(hashed, "a-long-passworD")


def test_init_twice_is_refused(services: Services, admin: Actor) -> None:
    with pytest.raises(ConflictError):
        services.auth.init_organisation("Other", "x@example.com", "X", "password-123")


def test_init_reports_every_bad_field_and_writes_nothing(services: Services) -> None:
    with pytest.raises(ValidationError) as caught:
        services.auth.init_organisation("", "not-an-email", "Name", "short")
    fields = {p.field for p in caught.value.problems}
    assert fields == {"company", "admin_email", "password"}
    assert not services.auth.is_initialised()


def test_init_keeps_the_sellers_details_and_refuses_them_too_long(services: Services) -> None:
    with pytest.raises(ValidationError) as caught:
        services.auth.init_organisation(
            "Acme", "a@example.com", "A", "password-123", tax_id="9" * 51, bank_account="x" * 101
        )
    assert {p.field for p in caught.value.problems} == {"tax_id", "bank_account"}
    assert not services.auth.is_initialised()
    actor = services.auth.init_organisation(
        "Acme",
        "a@example.com",
        "A",
        "password-123",
        billing_address=" ul. Długa 5\n00-001 Warszawa ",
        tax_id="PL5260001246",
    )
    firm = services.settings.get(actor)
    assert (firm.billing_address, firm.tax_id, firm.bank_account) == (
        "ul. Długa 5\n00-001 Warszawa",
        "PL5260001246",
        "",
    )


def test_login_is_case_insensitive_on_email(services: Services, admin: Actor) -> None:
    actor = services.auth.login("  owner@EXAMPLE.com ", ADMIN_PASSWORD)
    assert actor.user_id == admin.user_id


def test_repeated_failures_lock_the_account_for_growing_time(
    services: Services, admin: Actor, clock: FixedClock
) -> None:
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="wrong"):
            services.auth.login("owner@example.com", "nope-nope")
    with pytest.raises(AuthenticationError, match="Wait 1 seconds"):
        services.auth.login("owner@example.com", "nope-nope")
    # Even the right password is refused while locked.
    with pytest.raises(AuthenticationError, match="Try again in"):
        services.auth.login("owner@example.com", ADMIN_PASSWORD)
    clock.advance(seconds=2)
    with pytest.raises(AuthenticationError, match="Wait 2 seconds"):
        services.auth.login("Owner@Example.com ", "nope-nope")  # the same address
    clock.advance(seconds=3)
    assert services.auth.login("owner@example.com", ADMIN_PASSWORD).user_id == admin.user_id
    with services.db.read() as session:
        assert session.get(m.LoginThrottle, "owner@example.com") is None  # the count starts over


def _answers(services: Services, clock: FixedClock, email: str, password: str) -> list[str]:
    """What the login says to five wrong passwords in a row and then one more guess."""
    said = []
    for typed in ["wrong-pass-1"] * 4 + ["wrong-pass-2", password]:
        with pytest.raises(AuthenticationError) as refused:
            services.auth.login(email, typed)
        said.append(refused.value.message)
    clock.advance(seconds=60)  # the next address starts at the same point
    return said


def test_the_answers_never_tell_whether_an_account_exists(
    services: Services, admin: Actor, clock: FixedClock
) -> None:
    """An unknown address is counted and locked exactly like a real one: the same answers in
    the same order, the lock-out included."""
    real = _answers(services, clock, "owner@example.com", "still-not-it")
    ghost = _answers(services, clock, "ghost@example.com", "still-not-it")
    assert real == ghost
    assert "Too many wrong passwords" in real[2] and "Try again in" in real[3]
    with services.db.read() as session:
        counts = {
            row.email_key: row.failed_logins for row in session.scalars(select(m.LoginThrottle))
        }
    assert counts == {"owner@example.com": 3, "ghost@example.com": 3}


def test_a_deactivated_account_says_so_only_to_whom_knows_its_password(
    services: Services, admin: Actor
) -> None:
    user = services.users.create_user(
        admin, UserForm(name="Dee Parted", email="dee@example.com", password="dee-pass-123")
    )
    services.users.set_active(admin, user.id, False)
    with pytest.raises(AuthenticationError) as guessed:
        services.auth.login("dee@example.com", "a-guess-123")
    assert guessed.value.message == WRONG_LOGIN
    with pytest.raises(AuthenticationError, match="deactivated"):
        services.auth.login("dee@example.com", "dee-pass-123")


def _attempt(url: str, start: threading.Barrier, answers: list[str]) -> None:
    services = Services.connect(url, FixedClock(NOW), migrate=False)
    try:
        start.wait(30)
        services.auth.login("owner@example.com", "a-wrong-one")
    except AuthenticationError as refused:
        answers.append(refused.message)
    finally:
        services.close()


def test_simultaneous_wrong_passwords_are_counted_one_by_one(
    services: Services, admin: Actor, db_url: str
) -> None:
    """Eight wrong passwords at the same moment, each on its own connection: the lock-out is
    checked before the password under a lock, so three are tried and five refused unchecked,
    and the count is exactly the number tried (no lost update)."""
    start, answers = threading.Barrier(8), []
    threads = [threading.Thread(target=_attempt, args=(db_url, start, answers)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    tried = [said for said in answers if said.startswith(WRONG_LOGIN)]
    refused = [said for said in answers if said.startswith("Too many") and "Try again" in said]
    assert (len(tried), len(refused)) == (3, 5), answers
    with services.db.read() as session:
        throttle = session.get(m.LoginThrottle, "owner@example.com")
        assert throttle is not None and throttle.failed_logins == 3


def test_unknown_email_gets_the_same_message_as_a_wrong_password(
    services: Services, admin: Actor
) -> None:
    with pytest.raises(AuthenticationError) as unknown:
        services.auth.login("ghost@example.com", "whatever-123")
    with pytest.raises(AuthenticationError) as wrong:
        services.auth.login("owner@example.com", "whatever-123")
    assert unknown.value.message == wrong.value.message


def test_invitation_registers_staff_under_the_inviter(services: Services, admin: Actor) -> None:
    invitation = services.auth.invite(admin, "Ann@Example.com")
    info = services.auth.invitation_info(invitation.token)
    assert info.email == "ann@example.com" and info.inviter_name == "Olga Owner"
    ann = services.auth.register(invitation.token, "Ann Staff", "ann-pass-123")
    assert ann.role is Role.STAFF and ann.supervisor_id == admin.user_id
    with pytest.raises(AuthenticationError, match="already been used"):
        services.auth.register(invitation.token, "Ann Again", "ann-pass-123")


def test_staff_invite_their_own_sub_staff_but_only_as_staff(
    services: Services, admin: Actor
) -> None:
    ann = services.auth.register(
        services.auth.invite(admin, "ann@example.com").token, "Ann", "ann-pass-123"
    )
    with pytest.raises(PermissionDenied, match="as staff only"):
        services.auth.invite(ann, "boss@example.com", "administrator")
    bob = services.auth.register(
        services.auth.invite(ann, "bob@example.com").token, "Bob", "bob-pass-123"
    )
    assert bob.supervisor_id == ann.user_id
    assert [i.email for i in services.auth.list_invitations(ann)] == ["bob@example.com"]


def test_invitation_expires(services: Services, admin: Actor, clock: FixedClock) -> None:
    token = services.auth.invite(admin, "late@example.com").token
    clock.advance(days=8)
    with pytest.raises(AuthenticationError, match="expired"):
        services.auth.register(token, "Late", "late-pass-123")


def test_client_users_cannot_invite(services: Services, admin: Actor) -> None:
    from tektoro_tui.services.administration.presets import CompanyForm

    company = services.presets.save_company(admin, CompanyForm(name="Acme"))
    services.users.create_user(
        admin,
        UserForm(
            name="Carl Client",
            email="carl@acme.test",
            role="client",
            company_id=company.id,
            password="carl-pass-123",
        ),
    )
    carl = services.auth.login("carl@acme.test", "carl-pass-123")
    with pytest.raises(PermissionDenied):
        services.auth.invite(carl, "friend@acme.test")


def test_cli_session_roundtrip_and_logout(services: Services, admin: Actor) -> None:
    token = services.auth.start_session(admin)
    assert services.auth.resume_session(token).user_id == admin.user_id
    assert services.auth.end_session(token)
    with pytest.raises(AuthenticationError, match="tektoro login"):
        services.auth.resume_session(token)


def test_session_of_a_deactivated_user_is_refused(services: Services, admin: Actor) -> None:
    crew = services.users.create_user(
        admin, UserForm(name="Dora", email="dora@example.com", password="dora-pass-123")
    )
    dora = services.auth.login("dora@example.com", "dora-pass-123")
    token = services.auth.start_session(dora)
    services.users.set_active(admin, crew.id, False)
    with pytest.raises(AuthenticationError):
        services.auth.resume_session(token)
    with pytest.raises(AuthenticationError, match="deactivated"):
        services.auth.login("dora@example.com", "dora-pass-123")
