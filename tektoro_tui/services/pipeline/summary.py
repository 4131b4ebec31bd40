"""The Time Report summed per project: a view of its own, so that a one-shot command can
print it without loading the pipeline's other views (:mod:`tektoro_tui.services.quick`)."""

from __future__ import annotations

from dataclasses import dataclass

from ...domain.money import Money


@dataclass(frozen=True)
class ProjectHours:
    """The entries of one project in a Time Report: how many, how long, how much."""

    project_id: int
    client_name: str
    project_name: str
    entries: int
    minutes: int
    value: Money
