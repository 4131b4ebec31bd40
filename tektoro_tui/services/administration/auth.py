"""Signing up, signing in and staying signed in.

* ``init_organisation`` creates the firm and its first administrator (once).
* ``login`` checks an argon2 password hash; after three wrong passwords in a
  row for an e-mail address (an account's or not) the address is locked for a time
  that doubles with each further failure (up to five minutes), so guessing slows
  down and the answers never tell which accounts exist.
* Invitations are single-use, expiring tokens kept only as SHA-256 hashes; the
  invitee registers with one and becomes the inviter's staff.
* CLI sessions are tokens (stored hashed) that let later commands act as a user.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.permissions import DEFAULT_MATRIX, Perm, Role, can_invite, parse_role
from ...domain.validation import Form
from ...domain.values import hash_token
from ...errors import AuthenticationError, ConflictError, PermissionDenied, Problem, ValidationError
from ..base import Actor, ServiceBase, UnitOfWork, has_permission
from .views import InvitationView

INVITATION_DAYS = 7
CLI_SESSION_DAYS = 30
FREE_FAILURES = 3
MAX_LOCK_SECONDS = 300
MIN_PASSWORD_LENGTH = 8
WRONG_LOGIN = "The e-mail or the password is wrong."
TOO_MANY = "Too many wrong passwords for this e-mail."
MAX_EMAIL_KEY = 254


def create_invitation(
    uow: UnitOfWork,
    actor: Actor,
    address: str,
    role: Role,
    token: str,
    *,
    contact_id: int | None = None,
) -> m.Invitation:
    """Store and audit an invitation of ``address`` as ``role`` (a foreman's with the
    ``contact_id`` the login will be of), expiring in :data:`INVITATION_DAYS`.

    Raises:
        ValidationError: the address already belongs to a user.
    """
    session = uow.session
    if session.execute(
        select(m.UserAccount.id).where(m.UserAccount.email_key == address.lower())
    ).first():
        raise ValidationError([Problem("email", "already belongs to a user")])
    invitation = m.Invitation(
        token_hash=hash_token(token),
        email=address,
        role=role.value,
        inviter_id=actor.user_id,
        contact_id=contact_id,
        created_at=uow.now,
        expires_at=uow.now + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    after: dict[str, object] = {"email": address, "role": role.value}
    if contact_id is not None:
        after["contact_id"] = contact_id
    uow.audit("invitation.create", "invitation", invitation.id, None, after)
    return invitation


HASH_COST: dict[str, int] = {}
"""Overrides of argon2-cffi's default cost parameters for new hashes (none in the product).

Every hash records the parameters it was made with, so any stored hash verifies whatever this
holds. The test suite lowers the cost: it creates and signs in thousands of users, and the
strength of its throw-away hashes protects nothing."""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    from argon2 import PasswordHasher

    return PasswordHasher(**HASH_COST).hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False for any malformed hash)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def lock_seconds(failed_logins: int) -> int:
    """How long an account stays locked after ``failed_logins`` failures in a row."""
    if failed_logins < FREE_FAILURES:
        return 0
    return min(2 ** (failed_logins - FREE_FAILURES), MAX_LOCK_SECONDS)


def check_password_rules(form: Form, field: str, password: str) -> None:
    """Add a problem to ``form`` when ``password`` is too weak."""
    if len(password) < MIN_PASSWORD_LENGTH:
        form.add(field, f"must be at least {MIN_PASSWORD_LENGTH} characters long")


def actor_for(session: Session, user: m.UserAccount) -> Actor:
    """The :class:`Actor` of a user row, with the permissions its role has now."""
    perms = frozenset(
        session.execute(
            select(m.RolePermission.permission).where(m.RolePermission.role == user.role)
        ).scalars()
    )
    return Actor(
        user_id=user.id or 0,
        email=user.email or "",
        name=user.name,
        role=Role(user.role),
        supervisor_id=user.supervisor_id,
        company_id=user.company_id,
        permissions=perms,
    )


@dataclass(frozen=True)
class InvitationInfo:
    """What a registration form shows about the invitation it was opened with."""

    email: str
    role: Role
    inviter_name: str
    organisation: str
    expires_at: datetime


class AuthService(ServiceBase):
    """Organisation set-up, login, invitations and CLI sessions."""

    # --- set-up ---------------------------------------------------------------------------

    def is_initialised(self) -> bool:
        """Whether the organisation and its first administrator exist."""
        with self.db.read() as session:
            return (
                session.execute(select(func.count()).select_from(m.Organisation)).scalar_one() > 0
            )

    def init_organisation(
        self,
        company: str,
        admin_email: str,
        admin_name: str,
        password: str,
        *,
        billing_address: str = "",
        tax_id: str = "",
        bank_account: str = "",
    ) -> Actor:
        """Create the organisation, its permission matrix and the first administrator.

        The seller details an invoice prints (address, tax id, bank account) may be given now
        or later in Settings; issuing warns while they are missing.
        """
        form = Form()
        company_name = form.text("company", company, max_length=200)
        email = form.email("admin_email", admin_email)
        name = form.text("admin_name", admin_name or (admin_email or "").split("@")[0])
        check_password_rules(form, "password", password)
        seller = {
            "billing_address": form.text(
                "billing_address", billing_address, required=False, max_length=1000
            ),
            "tax_id": form.text("tax_id", tax_id, required=False, max_length=50),
            "bank_account": form.text("bank_account", bank_account, required=False, max_length=100),
        }
        form.raise_if_any()
        email = email or ""
        with self._write(None) as uow:
            session = uow.session
            if session.execute(select(func.count()).select_from(m.Organisation)).scalar_one():
                raise ConflictError(
                    "This database already has an organisation. Log in instead, or point "
                    "--db at a new database.",
                    title="Already set up",
                )
            org = m.Organisation(
                id=1,
                name=company_name,
                billing_address=seller["billing_address"] or "",
                tax_id=seller["tax_id"] or "",
                bank_account=seller["bank_account"] or "",
                created_at=uow.now,
            )
            session.add(org)
            for role, perms in DEFAULT_MATRIX.items():
                for perm in perms:
                    session.add(m.RolePermission(role=role.value, permission=perm.value))
            admin = m.UserAccount(
                email=email,
                email_key=email.lower(),
                name=name,
                role=Role.ADMINISTRATOR.value,
                password_hash=hash_password(password),
                created_at=uow.now,
            )
            session.add(admin)
            session.flush()
            # a random chain id makes this chain's first event (its name among the audit heads
            # seen on this machine) unlike any other database's, even one made at the same moment
            chain = secrets.token_hex(8)
            uow.audit(
                "organisation.create",
                "organisation",
                1,
                None,
                {"name": company_name, "chain": chain},
            )
            uow.audit("user.create", "user", admin.id, None, {"email": email, "role": admin.role})
            uow.key_chain(_audit_key())
            return actor_for(session, admin)

    # --- login ----------------------------------------------------------------------------

    def login(self, email: str, password: str) -> Actor:
        """Check the password and return the user's :class:`Actor`, or refuse.

        Wrong passwords are counted per e-mail address typed, whether an account has it or not
        (``login_throttle``), and the lock-out is checked before the password, under a lock
        on the address's row: simultaneous attempts are taken one at a time, none loses a
        count, and once an address is locked no password is tried for it. Every answer is the
        same for a known and an unknown address (an unknown one is checked against a dummy
        hash, so it takes as long); only someone who knows a deactivated account's password
        is told it is deactivated.
        """
        key = (email or "").strip().lower()
        if not key or not password:
            raise AuthenticationError("Enter your e-mail and your password.")
        key = key[:MAX_EMAIL_KEY]
        failure: str | None = None
        with self._write(None) as uow:
            session = uow.session
            throttle = _locked_throttle(session, key, uow.now, uow.backend)
            if throttle.locked_until is not None and throttle.locked_until > uow.now:
                wait = int((throttle.locked_until - uow.now).total_seconds()) + 1
                failure = f"{TOO_MANY} Try again in {wait} seconds."
            else:
                user = session.execute(
                    select(m.UserAccount).where(m.UserAccount.email_key == key)
                ).scalar_one_or_none()
                stored = user.password_hash if user is not None else None
                right = verify_password(stored or _dummy_hash(), password) and bool(stored)
                if user is None or not right:
                    throttle.failed_logins += 1
                    throttle.updated_at = uow.now
                    pause = lock_seconds(throttle.failed_logins)
                    throttle.locked_until = uow.now + timedelta(seconds=pause) if pause else None
                    if user is not None:
                        uow.audit(
                            "user.login_failed",
                            "user",
                            user.id,
                            None,
                            {"failed": throttle.failed_logins},
                        )
                    failure = WRONG_LOGIN
                    if pause:
                        failure += f" {TOO_MANY} Wait {pause} seconds before the next try."
                elif not user.is_active:
                    failure = "This account is deactivated. Ask an administrator."
                else:
                    session.delete(throttle)
                    user.last_login_at = uow.now
                    uow.audit("user.login", "user", user.id)
                    return actor_for(session, user)
        raise AuthenticationError(failure)

    def actor(self, user_id: int) -> Actor:
        """The current :class:`Actor` of a user (after a role or permission change)."""
        with self.db.read() as session:
            user = session.get(m.UserAccount, user_id)
            if user is None or not user.is_active:
                raise AuthenticationError("This account no longer exists or is deactivated.")
            return actor_for(session, user)

    def change_password(self, actor: Actor, current: str, new: str) -> None:
        """Let a user replace their own password."""
        form = Form()
        check_password_rules(form, "new_password", new)
        form.raise_if_any()
        with self._write(actor) as uow:
            user = self._get(uow.session, m.UserAccount, actor.user_id, "User")
            if not user.password_hash or not verify_password(user.password_hash, current):
                raise ValidationError([Problem("current_password", "is not your current password")])
            user.password_hash = hash_password(new)
            uow.audit("user.password_change", "user", user.id)

    # --- CLI sessions ---------------------------------------------------------------------

    def start_session(self, actor: Actor, origin: str = "cli") -> str:
        """Open a session for ``actor`` and return its token (shown to nobody else)."""
        token = secrets.token_urlsafe(32)
        with self._write(actor) as uow:
            uow.session.add(
                m.LoginSession(
                    token_hash=hash_token(token),
                    user_id=actor.user_id,
                    origin=origin,
                    created_at=uow.now,
                    expires_at=uow.now + timedelta(days=CLI_SESSION_DAYS),
                )
            )
            uow.audit("session.start", "user", actor.user_id, None, {"origin": origin})
        return token

    def resume_session(self, token: str) -> Actor:
        """The :class:`Actor` of a live session token, or refuse with a hint to log in."""
        with self.db.read() as session:
            row = session.execute(
                select(m.LoginSession).where(m.LoginSession.token_hash == hash_token(token))
            ).scalar_one_or_none()
            if row is None or row.revoked_at is not None or row.expires_at <= self.clock.now():
                raise AuthenticationError(
                    "Your session has ended. Run 'tektoro login' again.", title="Not logged in"
                )
            user = session.get(m.UserAccount, row.user_id)
            if user is None or not user.is_active:
                raise AuthenticationError("This account is deactivated.", title="Not logged in")
            return actor_for(session, user)

    def end_session(self, token: str) -> bool:
        """Revoke a session token; False if it was not live."""
        with self._write(None) as uow:
            result = uow.session.execute(
                update(m.LoginSession)
                .where(
                    m.LoginSession.token_hash == hash_token(token),
                    m.LoginSession.revoked_at.is_(None),  # type: ignore[union-attr]
                )
                .values(revoked_at=uow.now)
            )
            ended = bool(result.rowcount)  # type: ignore[attr-defined]
            if ended:
                uow.audit("session.end", "session", None)
            return ended

    # --- invitations ----------------------------------------------------------------------

    def invite(self, actor: Actor, email: str, role: str = Role.STAFF.value) -> InvitationView:
        """Invite someone into ``actor``'s staff group; returns the view with the token."""
        form = Form()
        address = form.email("email", email)
        try:
            chosen = parse_role(role)
        except ValueError as exc:
            form.add("role", str(exc))
            chosen = Role.STAFF
        form.raise_if_any()
        address = address or ""
        if not can_invite(actor.role):
            raise PermissionDenied(
                "People outside the firm (clients, foremen) cannot invite people."
            )
        token = secrets.token_urlsafe(24)
        with self._write(actor, Perm.STAFF_INVITE) as uow:
            session = uow.session
            if chosen is not Role.STAFF and not has_permission(session, actor, Perm.USERS_MANAGE):
                raise PermissionDenied(
                    "You can invite people as staff only; an administrator can give other roles."
                )
            invitation = create_invitation(uow, actor, address, chosen, token)
            return InvitationView(
                id=invitation.id or 0,
                email=address,
                role=chosen,
                inviter_name=actor.name,
                expires_at=invitation.expires_at,
                used=False,
                token=token,
            )

    def list_invitations(self, actor: Actor) -> list[InvitationView]:
        """The invitations ``actor`` sent (all of them for user managers)."""
        with self._read(actor, Perm.STAFF_INVITE) as session:
            query = select(m.Invitation, m.UserAccount.name).join(
                m.UserAccount, m.UserAccount.id == m.Invitation.inviter_id
            )
            if not has_permission(session, actor, Perm.USERS_MANAGE):
                query = query.where(m.Invitation.inviter_id == actor.user_id)
            rows = session.execute(query.order_by(m.Invitation.id.desc())).all()  # type: ignore[union-attr]
            return [
                InvitationView(
                    id=inv.id or 0,
                    email=inv.email,
                    role=Role(inv.role),
                    inviter_name=inviter,
                    expires_at=inv.expires_at,
                    used=inv.used_at is not None,
                )
                for inv, inviter in rows
            ]

    def invitation_info(self, token: str) -> InvitationInfo:
        """Describe a live invitation, or refuse when it is unknown, used or expired."""
        with self.db.read() as session:
            invitation = self._live_invitation(session, token)
            inviter = session.get(m.UserAccount, invitation.inviter_id)
            org = session.get(m.Organisation, 1)
            return InvitationInfo(
                email=invitation.email,
                role=Role(invitation.role),
                inviter_name=inviter.name if inviter else "",
                organisation=org.name if org else "",
                expires_at=invitation.expires_at,
            )

    def register(self, token: str, name: str, password: str) -> Actor:
        """Create the invitee's account as the inviter's staff and use up the invitation."""
        form = Form()
        clean_name = form.text("name", name, max_length=200)
        check_password_rules(form, "password", password)
        form.raise_if_any()
        with self._write(None) as uow:
            session = uow.session
            invitation = self._live_invitation(session, token)
            key = invitation.email.lower()
            if session.execute(
                select(m.UserAccount.id).where(m.UserAccount.email_key == key)
            ).first():
                raise ValidationError([Problem("email", "already belongs to a user")])
            user = m.UserAccount(
                email=invitation.email,
                email_key=key,
                name=clean_name,
                role=invitation.role,
                password_hash=hash_password(password),
                supervisor_id=invitation.inviter_id,
                created_at=uow.now,
                last_login_at=uow.now,
            )
            if invitation.contact_id is not None:  # a foreman: the login of that contact
                contact = session.get(m.Contact, invitation.contact_id)
                user.contact_id = invitation.contact_id
                user.company_id = contact.company_id if contact is not None else None
            session.add(user)
            session.flush()
            invitation.used_at = uow.now
            invitation.used_by_id = user.id
            uow.audit(
                "user.register",
                "user",
                user.id,
                None,
                {
                    "email": user.email,
                    "role": user.role,
                    "supervisor_id": user.supervisor_id,
                    "contact_id": user.contact_id,
                },
            )
            return actor_for(session, user)

    # --- helpers --------------------------------------------------------------------------

    def _live_invitation(self, session: Session, token: str) -> m.Invitation:
        invitation = session.execute(
            select(m.Invitation).where(m.Invitation.token_hash == hash_token(token.strip()))
        ).scalar_one_or_none()
        if invitation is None or invitation.revoked_at is not None:
            raise AuthenticationError("This invitation code is not valid.", title="Invitation")
        if invitation.used_at is not None:
            raise AuthenticationError("This invitation has already been used.", title="Invitation")
        if invitation.expires_at <= self.clock.now():
            raise AuthenticationError(
                "This invitation has expired. Ask for a new one.", title="Invitation"
            )
        return invitation


def _audit_key() -> bytes:
    """The audit key a new organisation's chain is keyed with (created on the first one)."""
    from ..audit_key import ensure_key

    key = ensure_key().key
    assert key is not None
    return key


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    """A hash no password matches, made once, to check unknown addresses against."""
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_urlsafe(24)))
    return _DUMMY[0]


def _locked_throttle(session: Session, key: str, now: datetime, backend: str) -> m.LoginThrottle:
    """The throttle row of ``key``, created if missing and locked until the transaction ends.

    On SQLite the write transaction (``BEGIN IMMEDIATE``) already holds the database's write
    lock; on PostgreSQL the row is created if missing without a race (``ON CONFLICT DO
    NOTHING``) and then read ``FOR UPDATE``, so a second attempt waits for the first's count.
    """
    values = {"email_key": key, "failed_logins": 0, "locked_until": None, "updated_at": now}
    if backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(m.LoginThrottle).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(m.LoginThrottle).values(**values).on_conflict_do_nothing())
    return session.execute(
        select(m.LoginThrottle)
        .where(m.LoginThrottle.email_key == key)  # type: ignore[arg-type]
        .with_for_update()
    ).scalar_one()
