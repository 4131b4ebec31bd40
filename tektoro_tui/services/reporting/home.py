"""The home screen's own figures: the organisation's name and the missing code presets.

Everything else on Home is the role's dashboard (``services/dashboards.py``).
"""

from __future__ import annotations

from ...data import models as m
from ..administration.presets import missing_presets
from ..administration.views import HomeSummary
from ..base import Actor, ServiceBase


class HomeService(ServiceBase):
    """Who the signed-in user is and whether time cards can be entered yet."""

    def summary(self, actor: Actor) -> HomeSummary:
        """The organisation's name, the user's name and role, and the missing code presets."""
        with self._read(actor) as session:
            org = session.get(m.Organisation, 1)
            missing = missing_presets(session)
            return HomeSummary(
                organisation=org.name if org else "",
                user_name=actor.name,
                role=actor.role,
                missing_presets=tuple(missing),
            )

    def organisation_name(self, actor: Actor) -> str:
        """The organisation's name, for the title bar of every screen."""
        with self._read(actor) as session:
            org = session.get(m.Organisation, 1)
            return org.name if org else ""
