"""The home screen's own figures: the organisation's name and the missing code presets.

Everything else on Home is the role's dashboard (``services/dashboards.py``).
"""

from __future__ import annotations

from ...data import models as m
from ..administration.presets import PresetService
from ..administration.views import HomeSummary
from ..base import Actor, ServiceBase


class HomeService(ServiceBase):
    """Who the signed-in user is and whether time cards can be entered yet."""

    def summary(self, actor: Actor) -> HomeSummary:
        """The organisation's name, the user's name and role, and the missing code presets."""
        with self._read(actor) as session:
            org = session.get(m.Organisation, 1)
            missing = PresetService(self.db, self.clock).missing_presets()
            return HomeSummary(
                organisation=org.name if org else "",
                user_name=actor.name,
                role=actor.role,
                missing_presets=tuple(missing),
            )
