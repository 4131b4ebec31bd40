"""Messages the screens send up to the app, named as facts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from ..widgets.calls import ActionFailed, DatabaseLost

if TYPE_CHECKING:
    from ..services.base import Actor

__all__ = [
    "ActionFailed",
    "AreaWanted",
    "DataChanged",
    "DatabaseLost",
    "LoginShown",
    "OrganisationNamed",
    "PermissionsChanged",
    "SignedIn",
]


class LoginShown(Message):
    """The login screen has been painted for the first time."""


class SignedIn(Message):
    """Someone logged in, registered or set up the organisation."""

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor


class OrganisationNamed(Message):
    """The organisation's name was read or changed (the title bar shows it)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class AreaWanted(Message):
    """The user chose an area from a menu."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


class PermissionsChanged(Message):
    """The permission matrix changed; the signed-in user's menus may need refreshing."""


class DataChanged(Message):
    """Another session (or this one) committed changes to these tables (the real-time feed)."""

    def __init__(self, entities: frozenset[str]) -> None:
        """Changes to ``entities``, each of them concerning every screen that shows it."""
        super().__init__()
        self.touched: frozenset[tuple[str, int | None]] = frozenset(
            (entity, None) for entity in entities
        )
        """Each table changed with whose records changed in it (a user id, or None for
        records of nobody in particular)."""

    @classmethod
    def of(cls, touched: frozenset[tuple[str, int | None]]) -> DataChanged:
        """The changes of one read of the feed (:attr:`ChangeBatch.touched`)."""
        message = cls(frozenset())
        message.touched = touched
        return message

    @property
    def entities(self) -> frozenset[str]:
        """The tables changed."""
        return frozenset(entity for entity, _ in self.touched)
