"""Users and staff groups.

Who sees whom: users with ``users.view`` see everybody; anybody else sees
themself and their direct staff (one level down, never further). Only
``users.manage`` creates, edits or deactivates users directly (including crew
without a login); everyone else grows their group through invitations.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from ...data import models as m
from ...domain.money import Money
from ...domain.permissions import Perm, Role, parse_role
from ...domain.validation import UNCHANGED, Form, keep_unchanged
from ...errors import NotFound, PermissionDenied, Problem, ValidationError
from ..base import Actor, ServiceBase, has_permission, org_currency, row_dict
from ..versions import check_version, locked
from .auth import check_password_rules, hash_password
from .views import Page, UserView

PAGE_SIZE = 50


@dataclass(frozen=True)
class UserForm:
    """What an administrator types to create or edit a user (all text, as typed).

    Every field defaults to :data:`UNCHANGED`: editing changes only the fields given (an empty
    password keeps the current one too); a new user starts from :data:`NEW_USER`.
    """

    name: str = UNCHANGED
    email: str = UNCHANGED
    role: str = UNCHANGED
    supervisor_id: int | None = UNCHANGED
    company_id: int | None = UNCHANGED
    pay_rate: str = UNCHANGED
    password: str = UNCHANGED
    is_active: bool = UNCHANGED


NEW_USER = UserForm(
    name="",
    email="",
    role=Role.STAFF.value,
    supervisor_id=None,
    company_id=None,
    pay_rate="0",
    password="",
    is_active=True,
)
"""A new user's form before anything is typed: staff, no supervisor, no pay rate, active."""


class UserService(ServiceBase):
    """Listing, creating and editing users; staff-group membership."""

    def list_users(
        self,
        actor: Actor,
        *,
        search: str = "",
        include_inactive: bool = True,
        after: tuple[object, ...] | None = None,
        limit: int = PAGE_SIZE,
    ) -> Page[UserView]:
        """One page of the users ``actor`` may see, by name (keyset pagination)."""
        with self._read(actor) as session:
            sup = aliased(m.UserAccount)
            query = (
                select(m.UserAccount, sup.name, m.Company.name)
                .outerjoin(sup, sup.id == m.UserAccount.supervisor_id)
                .outerjoin(m.Company, m.Company.id == m.UserAccount.company_id)
            )
            if not has_permission(session, actor, Perm.USERS_VIEW):
                query = query.where(
                    or_(
                        m.UserAccount.id == actor.user_id,
                        m.UserAccount.supervisor_id == actor.user_id,
                    )
                )
            if search.strip():
                pattern = f"%{search.strip().lower()}%"
                query = query.where(
                    or_(
                        m.UserAccount.name.ilike(pattern),  # type: ignore[attr-defined]
                        m.UserAccount.email_key.like(pattern),  # type: ignore[union-attr]
                    )
                )
            if not include_inactive:
                query = query.where(m.UserAccount.is_active.is_(True))  # type: ignore[attr-defined]
            if after is not None:
                name, ident = str(after[0]), int(str(after[1]))
                query = query.where(
                    or_(
                        m.UserAccount.name > name,
                        (m.UserAccount.name == name) & (m.UserAccount.id > ident),  # type: ignore[operator]
                    )
                )
            query = query.order_by(m.UserAccount.name, m.UserAccount.id).limit(limit + 1)
            rows = session.execute(query).all()
            currency = org_currency(session)
            views = tuple(_user_view(u, s, c, currency) for u, s, c in rows[:limit])
            more = len(rows) > limit
            return Page(views, (views[-1].name, views[-1].id) if more and views else None)

    def get_user(self, actor: Actor, user_id: int) -> UserView:
        """One user ``actor`` may see."""
        with self._read(actor) as session:
            visible = (
                user_id == actor.user_id
                or has_permission(session, actor, Perm.USERS_VIEW)
                or self._is_direct_staff(session, actor.user_id, user_id)
            )
            if not visible:
                raise NotFound(f"User #{user_id} does not exist.")
            user = self._get(session, m.UserAccount, user_id, "User")
            return self._view(session, user)

    def direct_staff(self, actor: Actor) -> list[UserView]:
        """``actor``'s direct staff (one level only)."""
        with self._read(actor) as session:
            rows = session.execute(
                select(m.UserAccount)
                .where(m.UserAccount.supervisor_id == actor.user_id)
                .order_by(m.UserAccount.name)
            ).scalars()
            return [self._view(session, u) for u in rows]

    def create_user(self, actor: Actor, form: UserForm) -> UserView:
        """Create a user directly (administrators); crew may have no e-mail and no login."""
        with self._write(actor, Perm.USERS_MANAGE) as uow:
            session = uow.session
            values = self._validate(session, keep_unchanged(form, NEW_USER), existing=None)
            user = m.UserAccount(created_at=uow.now, **values)
            session.add(user)
            session.flush()
            uow.audit("user.create", "user", user.id, None, row_dict(user))
            return self._view(session, user)

    def update_user(
        self, actor: Actor, user_id: int, form: UserForm, *, version: int | None = None
    ) -> UserView:
        """Edit a user (administrators): only the fields ``form`` gives change. An empty
        password keeps the current one. Refused if someone saved the user after the form was
        opened on ``version``."""
        with self._write(actor, Perm.USERS_MANAGE) as uow:
            session = uow.session
            user = locked(session, m.UserAccount, user_id, "User")
            check_version(session, user, version, "user", f"User {user.name}")
            before = row_dict(user)
            whole = keep_unchanged(form, _form_of(user, org_currency(session)))
            values = self._validate(session, whole, existing=user)
            if user.id == actor.user_id and (
                values["role"] != Role.ADMINISTRATOR.value or not values["is_active"]
            ):
                raise PermissionDenied(
                    "You cannot take away your own administrator role or deactivate yourself."
                )
            for key, value in values.items():
                setattr(user, key, value)
            session.flush()
            uow.audit("user.update", "user", user.id, before, row_dict(user))
            return self._view(session, user)

    def set_active(self, actor: Actor, user_id: int, active: bool) -> UserView:
        """Deactivate (or reactivate) a user; their history stays."""
        with self._write(actor, Perm.USERS_MANAGE) as uow:
            user = locked(uow.session, m.UserAccount, user_id, "User")
            if user.id == actor.user_id and not active:
                raise PermissionDenied("You cannot deactivate yourself.")
            check_version(uow.session, user, None, "user", f"User {user.name}")
            user.is_active = active
            uow.audit("user.activate" if active else "user.deactivate", "user", user.id)
            return self._view(uow.session, user)

    # --- helpers --------------------------------------------------------------------------

    def _validate(
        self, session: Session, form: UserForm, existing: m.UserAccount | None
    ) -> dict[str, object]:
        """Check a user form; every problem at once. Returns column values."""
        check = Form()
        name = check.text("name", form.name, max_length=200)
        email = check.email("email", form.email) if form.email.strip() else None
        try:
            role = parse_role(form.role)
        except ValueError as exc:
            check.add("role", str(exc))
            role = Role.STAFF
        currency = org_currency(session)
        pay = check.money("pay_rate", form.pay_rate or "0", currency, min_cents=0)
        wants_login = bool(form.password) or (existing is not None and existing.password_hash)
        if form.password:
            check_password_rules(check, "password", form.password)
        if wants_login and not email:
            check.add("email", "is required for a user who logs in")
        if role is Role.CLIENT and form.company_id is None:
            check.add("company_id", "a client user must belong to a client company")
        if email:
            clash = session.execute(
                select(m.UserAccount.id).where(m.UserAccount.email_key == email.lower())
            ).scalar_one_or_none()
            if clash is not None and (existing is None or clash != existing.id):
                check.add("email", "already belongs to another user")
        if form.supervisor_id is not None:
            if existing is not None and form.supervisor_id == existing.id:
                check.add("supervisor_id", "a user cannot supervise themself")
            elif session.get(m.UserAccount, form.supervisor_id) is None:
                check.add("supervisor_id", "no such user")
        if form.company_id is not None and session.get(m.Company, form.company_id) is None:
            check.add("company_id", "no such company")
        check.raise_if_any()
        values: dict[str, object] = {
            "name": name,
            "email": email,
            "email_key": email.lower() if email else None,
            "role": role.value,
            "supervisor_id": form.supervisor_id,
            "company_id": form.company_id,
            "pay_rate_cents": pay.cents if pay else 0,
            "is_active": form.is_active,
        }
        if form.password:
            values["password_hash"] = hash_password(form.password)
        return values

    @staticmethod
    def _is_direct_staff(session: Session, supervisor_id: int, user_id: int) -> bool:
        found = session.execute(
            select(m.UserAccount.id).where(
                m.UserAccount.id == user_id, m.UserAccount.supervisor_id == supervisor_id
            )
        ).first()
        return found is not None

    def _view(self, session: Session, user: m.UserAccount) -> UserView:
        sup = session.get(m.UserAccount, user.supervisor_id) if user.supervisor_id else None
        company = session.get(m.Company, user.company_id) if user.company_id else None
        return _user_view(
            user,
            sup.name if sup else None,
            company.name if company else None,
            org_currency(session),
        )


def _form_of(user: m.UserAccount, currency: str) -> UserForm:
    """A user as they stand, as a form with every field given (the password left empty)."""
    return UserForm(
        name=user.name,
        email=user.email or "",
        role=user.role,
        supervisor_id=user.supervisor_id,
        company_id=user.company_id,
        pay_rate=str(Money(user.pay_rate_cents, currency).amount),
        password="",
        is_active=user.is_active,
    )


def _user_view(
    user: m.UserAccount, supervisor: str | None, company: str | None, currency: str
) -> UserView:
    if user.id is None:
        raise ValidationError([Problem("user", "was not saved")])
    return UserView(
        id=user.id,
        email=user.email or "",
        name=user.name,
        role=Role(user.role),
        supervisor_id=user.supervisor_id,
        supervisor_name=supervisor or "",
        company_id=user.company_id,
        company_name=company or "",
        pay_rate=Money(user.pay_rate_cents, currency),
        is_active=user.is_active,
        version=user.version,
        can_login=bool(user.password_hash),
        last_login_at=user.last_login_at,
    )
