"""The forms of the users screen: a user (created or edited) and an invitation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.permissions import Role
from ..services.administration.users import UserForm
from ..services.administration.views import UserView
from ..widgets.fields import FieldSpec
from ..widgets.formatting import plain_amount


@dataclass(frozen=True)
class InvitationDraft:
    """An invitation as typed: who, and as what role."""

    email: str = ""
    role: str = Role.STAFF.value


@dataclass(frozen=True)
class UserChoices:
    """What the user form's drop-downs offer: possible supervisors and client companies."""

    supervisors: tuple[tuple[str, int], ...]
    companies: tuple[tuple[str, int], ...]


def invitation_specs(*, may_choose_role: bool) -> tuple[FieldSpec, ...]:
    """The invitation form's fields; only user managers may invite into roles above staff."""
    roles = list(Role) if may_choose_role else [Role.STAFF]
    return (
        FieldSpec("email", "E-mail of the person to invite"),
        FieldSpec(
            "role",
            "Role",
            kind="select",
            options=tuple((r.label, r.value) for r in roles),
            allow_blank=False,
        ),
    )


def invitation_draft(values: dict[str, Any]) -> InvitationDraft:
    """The invitation as typed."""
    return InvitationDraft(**values)


def user_specs(choices: UserChoices, *, editing: bool) -> tuple[FieldSpec, ...]:
    """The user form's fields; the password may stay empty (crew, or keep the current one)."""
    password_hint = "empty keeps the current password" if editing else "empty: no login (crew)"
    return (
        FieldSpec("name", "Name"),
        FieldSpec("email", "E-mail (needed to log in)"),
        FieldSpec(
            "role",
            "Role",
            kind="select",
            options=tuple((r.label, r.value) for r in Role),
            allow_blank=False,
        ),
        FieldSpec(
            "supervisor_id",
            "Supervisor (whose staff)",
            kind="select",
            options=choices.supervisors,
            placeholder="(no supervisor)",
        ),
        FieldSpec(
            "company_id",
            "Company (client users only)",
            kind="select",
            options=choices.companies,
            placeholder="(none)",
        ),
        FieldSpec("pay_rate", "Pay rate per hour"),
        FieldSpec("password", "Password", kind="password", placeholder=password_hint),
        FieldSpec("is_active", "Active", kind="switch"),
    )


def user_form(values: dict[str, Any]) -> UserForm:
    """The service's user form from the typed values."""
    return UserForm(**values)


def draft_for(user: UserView) -> UserForm:
    """The user form filled with ``user``'s current values (password left empty)."""
    return UserForm(
        name=user.name,
        email=user.email,
        role=user.role.value,
        supervisor_id=user.supervisor_id,
        company_id=user.company_id,
        pay_rate=plain_amount(user.pay_rate),
        password="",
        is_active=user.is_active,
    )
