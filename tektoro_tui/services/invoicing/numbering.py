"""Gapless numbering series: the next number of a series, taken inside the caller's write."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...data import models as m
from ...errors import (
    NotFound,
)

if TYPE_CHECKING:
    pass
from .common import invalid_field


def series_row(session: Session, code: str) -> m.InvoiceSeries:
    """A numbering series by code."""
    series = session.execute(
        select(m.InvoiceSeries).where(m.InvoiceSeries.code == code)
    ).scalar_one_or_none()
    if series is None:
        raise NotFound(f"The numbering series {code} does not exist.")
    return series


def take_number(session: Session, code: str, when: date) -> tuple[int, str]:
    """The next number of series ``code``, taken in this transaction.

    One conditional UPDATE both refuses a date earlier than the series' last one and bumps the
    counter; the updated row stays locked until commit (PostgreSQL) or the whole write is
    serialised (SQLite BEGIN IMMEDIATE), so two issuers never get the same number and a rolled
    back issue leaves no gap.
    """
    table = m.InvoiceSeries
    result = session.execute(
        update(table)
        .where(
            table.code == code,
            (table.last_issue_date.is_(None)) | (table.last_issue_date <= when),  # type: ignore[union-attr,operator]
        )
        .values(last_number=table.last_number + 1, last_issue_date=when)
        .returning(table.last_number, table.prefix)
    ).one_or_none()
    if result is None:
        refuse_earlier_than_series(session, code, when)
        raise NotFound(f"The numbering series {code} does not exist.")
    seq, prefix = int(result[0]), str(result[1])
    return seq, f"{prefix}/{when.year}/{seq:05d}"


def refuse_earlier_than_series(session: Session, code: str, when: date) -> None:
    """Refuse an issue date before the last one of series ``code`` (numbers are chronological).

    :func:`take_number` refuses the same in its one UPDATE; a dry run asks here, writing nothing.
    """
    series = series_row(session, code)
    if series.last_issue_date is None or series.last_issue_date <= when:
        return
    last = f"{series.prefix}/{series.last_issue_date.year}/{series.last_number:05d}"
    raise invalid_field(
        "issue_date",
        f"numbers must be chronological: the last invoice of series {code} ({last}) is "
        f"dated {series.last_issue_date}; use that date or later",
    )
