"""Working-time helpers shared by subcontracts and crew pay: yes/no fields, the firm-wide
types of work, non-standard rates per type of work typed as text, the organisation's rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..data import models as m
from ..domain.pay import PayRules
from ..domain.validation import Form
from ..domain.values import id_or_none, name_key
from ..errors import shown
from .base import organisation

YES = ("yes", "y", "true", "1", "on")
NO = ("no", "n", "false", "0", "off")


def pay_rules(session: Session, over_day_bp: int, outside_bp: int) -> PayRules:
    """The organisation's working window and day length with these % rates."""
    org = organisation(session)
    return PayRules(
        window_start=org.workday_start_minute,
        window_end=org.workday_end_minute,
        day_length=org.day_length_minutes,
        over_day_bp=over_day_bp,
        outside_bp=outside_bp,
    )


def yes_no(check: Form, field: str, text: str, default: bool | None) -> bool | None:
    """``text`` as yes or no (blank: ``default``; a blank with no default is refused)."""
    cleaned = (text or "").strip().lower()
    if not cleaned:
        if default is None:
            check.add(field, "is required: yes or no")
        return default
    if cleaned in YES:
        return True
    if cleaned in NO:
        return False
    check.add(field, "must be yes or no")
    return default


def work_type_id(session: Session, check: Form, field: str, text: str) -> int | None:
    """The id of the active type of work named (or numbered) ``text``."""
    key = (text or "").strip()
    if not key:
        check.add(field, "is required")
        return None
    if key.isascii() and key.isdigit():
        found = session.execute(
            select(m.WorkType.id).where(
                m.WorkType.id == (id_or_none(key) or 0),
                m.WorkType.is_active.is_(True),  # type: ignore[attr-defined]
            )
        ).scalar_one_or_none()
    else:
        found = session.execute(
            select(m.WorkType.id).where(
                m.WorkType.name_key == name_key(key),
                m.WorkType.is_active.is_(True),  # type: ignore[attr-defined]
            )
        ).scalar_one_or_none()
    if found is None:
        check.add(field, f"{shown(key)} is not an active type of work in the list")
    return found


def clean_rates(
    session: Session, check: Form, field: str, text: str, currency: str
) -> dict[int, int] | None:
    """``"Roofing=55.00; Bricklaying=48"`` as {work type id: cents}; "-" clears them; blank
    keeps them (None)."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    if cleaned == "-":
        return {}
    found: dict[int, int] = {}
    for part in cleaned.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        name, sep, amount = part.partition("=")
        if not sep:
            check.add(field, f"{shown(part.strip())} must be written as type of work=rate")
            continue
        ident = work_type_id(session, check, field, name)
        rate = check.money(field, amount, currency, min_cents=1)
        if ident is not None and rate is not None:
            if ident in found:
                check.add(field, f"{shown(name.strip())} is given twice")
            found[ident] = rate.cents
    return found


def store_type_rates(
    session: Session, kept: Iterable[Any], rates: dict[int, int], make: Callable[[int, int], Any]
) -> None:
    """Make the stored non-standard rates (rows with ``work_type_id`` and
    ``hourly_rate_cents``: ``kept``) those of ``rates`` ({work type id: cents}): rows of types
    no longer named are deleted, the others set, new ones made by ``make(type_id, cents)``."""
    by_type = {row.work_type_id: row for row in kept}
    for type_id, row in by_type.items():
        if type_id not in rates:
            session.delete(row)
    for type_id, cents in rates.items():
        if type_id in by_type:
            by_type[type_id].hourly_rate_cents = cents
        else:
            session.add(make(type_id, cents))
    session.flush()
