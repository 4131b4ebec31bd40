"""The home screen's figures for the signed-in user."""

from __future__ import annotations

from sqlalchemy import func, select

from ..data import models as m
from ..domain.states import TimeEntryStatus
from .base import Actor, ServiceBase
from .presets import PresetService
from .views import HomeSummary


class HomeService(ServiceBase):
    """Where the signed-in user's own work stands, in a few indexed counts."""

    def summary(self, actor: Actor) -> HomeSummary:
        """Own entries by status, staff size, entries waiting for approval, missing presets."""
        with self._read(actor) as session:
            org = session.get(m.Organisation, 1)
            rows = session.execute(
                select(
                    m.TimeEntry.status,
                    func.count(),
                    func.coalesce(func.sum(m.TimeEntry.minutes), 0),
                )
                .where(m.TimeEntry.owner_id == actor.user_id)
                .group_by(m.TimeEntry.status)
            ).all()
            found = {status: (count, minutes) for status, count, minutes in rows}
            by_status = tuple((s.value, *found.get(s.value, (0, 0))) for s in TimeEntryStatus)
            staff_ids = select(m.UserAccount.id).where(m.UserAccount.supervisor_id == actor.user_id)
            staff_count = session.execute(
                select(func.count()).select_from(staff_ids.subquery())
            ).scalar_one()
            pending = 0
            if staff_count:
                pending = session.execute(
                    select(func.count()).where(
                        m.TimeEntry.owner_id.in_(staff_ids),  # type: ignore[attr-defined]
                        m.TimeEntry.status == TimeEntryStatus.ACCEPTED.value,
                    )
                ).scalar_one()
            missing = PresetService(self.db, self.clock).missing_presets()
            return HomeSummary(
                organisation=org.name if org else "",
                user_name=actor.name,
                role=actor.role,
                entries_by_status=by_status,
                staff_count=staff_count,
                pending_approvals=pending,
                missing_presets=tuple(missing),
            )
