"""The reading side of subcontracts shared by the service, the project figures and the screens:
who sees which agreements, how they are found, priced and summed.

Every function takes an open session and reads plain rows; nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ...data import models as m
from ...domain.pay import PayRules, PaySplit, amount_cents, split_minutes
from ...domain.permissions import Perm, Role
from ...domain.values import id_or_none
from ...errors import NotFound, PermissionDenied, shown
from ..base import Actor, chunks

SUBCONTRACT_PERMS = (Perm.SUBCONTRACT_CREATE, Perm.SUBCONTRACT_SETTLE, Perm.SUBCONTRACT_REPORT)
_CHUNK = 900


def number_text(year: int, seq: int) -> str:
    """An agreement's number: SA/2026/00001."""
    return f"SA/{year}/{seq:05d}"


# --- who sees what -----------------------------------------------------------------------------


class Viewer:
    """What an actor may do with subcontracts, read once per call from the live matrix."""

    def __init__(self, session: Session, actor: Actor) -> None:
        row = session.execute(
            select(m.UserAccount.role, m.UserAccount.contact_id).where(
                m.UserAccount.id == actor.user_id
            )
        ).one()
        self.actor = actor
        self.role = Role(row.role)
        self.contact_id: int | None = row.contact_id
        self.granted = set(
            session.execute(
                select(m.RolePermission.permission).where(m.RolePermission.role == row.role)
            ).scalars()
        )
        if not any(p.value in self.granted for p in SUBCONTRACT_PERMS):
            raise PermissionDenied(
                f"Your role ({self.role.label}) may not see subcontracting agreements. "
                "An administrator can change this under Permissions."
            )

    def may(self, perm: Perm) -> bool:
        """Whether the live matrix grants ``perm``."""
        return perm.value in self.granted

    @property
    def office(self) -> bool:
        """Creates or settles agreements (sees them by project), rather than leading a crew."""
        return self.may(Perm.SUBCONTRACT_CREATE) or self.may(Perm.SUBCONTRACT_SETTLE)

    @property
    def foreman_only(self) -> bool:
        """Sees only the agreements whose crews they lead, and only their own reports."""
        return not self.office

    def require(self, perm: Perm, what: str) -> None:
        """Refuse unless the live matrix grants ``perm``."""
        if not self.may(perm):
            raise PermissionDenied(
                f"Your role ({self.role.label}) may not {what}. "
                "An administrator can change this under Permissions."
            )

    def projects(self) -> ColumnElement[bool]:
        """The condition on ``project`` rows the viewer works on: their own projects when the
        role sees only its own (project managers, estimators), else every project."""
        if self.may(Perm.INVOICE_VIEW_OWN_PROJECTS) and not self.may(Perm.INVOICE_VIEW_ALL):
            return or_(  # type: ignore[return-value]
                m.Project.project_manager_id == self.actor.user_id,
                m.Project.estimator_id == self.actor.user_id,
            )
        return true()

    def scope(self) -> ColumnElement[bool]:
        """The condition on ``subcontract_agreement`` (joined to ``project``) rows seen."""
        if self.office:
            return self.projects()
        if self.contact_id is None:
            raise PermissionDenied(
                "Your login is not a subcontractor's foreman: it leads no crew. "
                "An administrator can link it to the foreman's contact."
            )
        agreement = m.SubcontractAgreement.id
        return or_(  # type: ignore[return-value]
            agreement.in_(  # type: ignore[union-attr]
                select(m.WorkSchedule.agreement_id).where(
                    m.WorkSchedule.foreman_contact_id == self.contact_id
                )
            ),
            agreement.in_(  # type: ignore[union-attr]
                select(m.DailyReport.agreement_id).where(
                    m.DailyReport.foreman_contact_id == self.contact_id
                )
            ),
        )


def find_agreement(
    session: Session, viewer: Viewer, key: str | int, *, lock: bool = False
) -> m.SubcontractAgreement:
    """The agreement named by its number (SA/2026/00001, or just 00001 / 1 of this year's
    series when unique) or id ``#12`` that ``viewer`` may see.

    Raises:
        NotFound: none the viewer may see (never says whether one exists).
    """
    text = str(key).strip()
    agreement = m.SubcontractAgreement
    ident = id_or_none(text[1:]) if text.startswith("#") else None
    if text.startswith("#") and text[1:].isascii() and text[1:].isdigit():
        condition: ColumnElement[bool] = agreement.id == (ident or 0)  # type: ignore[assignment]
    elif text.isascii() and text.isdigit():
        condition = agreement.seq == (id_or_none(text) or 0)  # type: ignore[assignment]
    else:
        condition = func.upper(agreement.number) == text.upper()  # type: ignore[assignment]
    query = (
        select(agreement)
        .join(m.Project, m.Project.id == agreement.project_id)
        .where(condition, viewer.scope())
        .order_by(agreement.year.desc(), agreement.id.desc())  # type: ignore[attr-defined,union-attr]
    )
    if lock:
        query = query.with_for_update(of=agreement)  # type: ignore[arg-type]
    found = list(session.execute(query.limit(2)).scalars())
    if not found:
        raise NotFound(f"Subcontracting agreement {shown(text)} does not exist.")
    if len(found) > 1 and not text.startswith("#") and "/" not in text:
        raise NotFound(
            f"More than one agreement is numbered {shown(text)}; give the whole number, "
            "e.g. SA/2026/00001."
        )
    return found[0]


# --- money --------------------------------------------------------------------------------------


def contract_cents(row: m.SubcontractAgreement) -> int:
    """The contract amount: fixed, or the sum of a time-and-material agreement's reports."""
    return row.tm_amount_cents if row.time_and_material else (row.fixed_amount_cents or 0)


def remaining_cents(row: m.SubcontractAgreement) -> int:
    """What is still to pay: nothing once fully paid, else contract − paid so far."""
    return 0 if row.fully_paid else contract_cents(row) - row.paid_cents


def last_settled_on(session: Session, agreement_id: int) -> date | None:
    """The date of the agreement's latest settlement stage: reports up to it are settled."""
    found = session.execute(
        select(func.max(m.SubcontractSettlement.settled_on)).where(
            m.SubcontractSettlement.agreement_id == agreement_id
        )
    ).scalar_one_or_none()
    return found


def price(
    rules: PayRules, start: int, end: int, headcount: int, hourly_rate_cents: int
) -> tuple[PaySplit, int]:
    """A day's minutes by rate (per person) and what the crew's day costs."""
    split = split_minutes(start, end, rules)
    return split, amount_cents(split, hourly_rate_cents, rules, headcount=headcount)


# --- figures for the projects -----------------------------------------------------------------


def settled_sums(
    session: Session,
    project_ids: Sequence[int],
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[int, int]:
    """What each project's subcontractors were paid (the settlement stages, cents), dated
    within the dates given: the "subcontracts" of the balance, the "other labour" of a
    time-and-material suggestion."""
    found: dict[int, int] = defaultdict(int)
    stage, agreement = m.SubcontractSettlement, m.SubcontractAgreement
    for chunk in chunks(sorted(set(project_ids)), _CHUNK):
        query = (
            select(agreement.project_id, func.sum(stage.paid_cents))
            .join(agreement, agreement.id == stage.agreement_id)
            .where(agreement.project_id.in_(chunk))  # type: ignore[attr-defined]
            .group_by(agreement.project_id)
        )
        if date_from is not None:
            query = query.where(stage.settled_on >= date_from)
        if date_to is not None:
            query = query.where(stage.settled_on <= date_to)
        for pid, total in session.execute(query).all():
            found[int(pid)] = int(total or 0)
    return dict(found)
