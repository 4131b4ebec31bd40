"""Code presets: clients (with contacts), projects, tasks, activities and rate codes; and for
subcontracts the subcontractors (with their foremen and agreements) and the types of work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, TabbedContent, TabPane

from ..domain.permissions import Perm
from ..widgets import keymap
from .base import AreaScreen
from .client_pane import ClientsPane, SubcontractorsPane
from .messages import DataChanged
from .preset_pane import PresetPane
from .preset_tabs import ActivitiesPane, ProjectsPane, RateCodesPane, TasksPane, WorkTypesPane

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

TABS: tuple[tuple[str, str, type[PresetPane]], ...] = (
    ("clients", "Clients", ClientsPane),
    ("projects", "Projects", ProjectsPane),
    ("tasks", "Tasks", TasksPane),
    ("activities", "Activities", ActivitiesPane),
    ("rate_codes", "Rate codes", RateCodesPane),
    ("subcontractors", "Subcontractors", SubcontractorsPane),
    ("work_types", "Types of work", WorkTypesPane),
)
WRITE_ACTIONS = ("new", "edit", "toggle_active")
PRESET_TABLES = frozenset().union(*(pane.ENTITIES for _, _, pane in TABS))


class PresetsScreen(AreaScreen):
    """One tab per preset; each a list loaded page by page, with forms to create and edit."""

    TITLE_TEXT = "Code presets"
    HELP = (
        "The five presets every time card is made of: clients, projects, tasks, activities "
        "and rate codes. n creates one, e or Enter edits the highlighted one. Presets are "
        "never deleted, only deactivated: d deactivates or reactivates, after asking. In "
        "Clients, the contacts of the highlighted client are listed below it; Tab moves into "
        "them, where n adds a contact. Subcontractors list their contacts (a foreman is one; i "
        "on a contact invites them to log in as the foreman) and their agreements the same "
        "way; Types of work are what subcontracts are planned, reported and priced by. Keys 1 "
        "to 5 switch to the first five tabs; the tab bar (Shift+Tab) and its arrows reach all."
    )
    BINDINGS = [
        Binding(keymap.NEW, "new", "New"),
        Binding(keymap.EDIT, "edit", "Edit"),
        Binding(keymap.ACTIVATE, "toggle_active", "(De)activate"),
        Binding(keymap.RELOAD, "reload", "Reload"),
        Binding(keymap.INVITE, "invite", "Invite foreman"),
        *[
            Binding(keymap.TABS[number - 1], f"show_tab('{key}')", title, show=False)
            for number, (key, title, _) in enumerate(TABS[: len(keymap.TABS)], start=1)
        ],
    ]
    DEFAULT_CSS = """
    PresetsScreen {
        TabPane {
            padding: 0;
        }
        #contacts {
            height: 7;
        }
        #sub-agreements {
            height: 6;
        }
        #task-filter {
            margin: 0 1;
            width: 60;
        }
    }
    """

    REFRESH_ON = PRESET_TABLES

    def __init__(self, services: Services, actor: Actor) -> None:
        """The presets acting as ``actor``."""
        super().__init__(services, actor)
        self._changed: set[str] = set()

    def compose_body(self) -> ComposeResult:
        """The tabs."""
        with TabbedContent(initial="clients"):
            for key, title, pane in TABS:
                with TabPane(title, id=key):
                    yield pane(self.services, self.actor, id=f"{key}-pane")

    def on_mount(self) -> None:
        """Start in the clients list."""
        super().on_mount()
        self.pane.focus_list()

    @property
    def pane(self) -> PresetPane:
        """The pane of the open tab."""
        active = self.query_one(TabbedContent).active or "clients"
        return self.query_one(f"#{active}-pane", PresetPane)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Write keys only for those who may manage presets; inviting a foreman only on a
        subcontractor's contact, for those who manage users."""
        if action == "invite":
            return (
                isinstance(self.pane, SubcontractorsPane)
                and self.pane.contacts_focused
                and self.actor.may(Perm.USERS_MANAGE)
            )
        return action not in WRITE_ACTIONS or self.actor.may(Perm.PRESETS_MANAGE)

    def action_invite(self) -> None:
        """i: invite the highlighted contact of a subcontractor to log in as its foreman."""
        pane = self.pane
        if isinstance(pane, SubcontractorsPane):
            pane.invite_foreman()

    def on_descendant_focus(self, _event: object) -> None:
        """Offer the invite key when the contacts list takes the focus, and no longer after."""
        self.refresh_bindings()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Refresh the key hints and focus the new tab's list."""
        self.refresh_bindings()
        self.pane.focus_list()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row edits it (for those who may)."""
        if self.actor.may(Perm.PRESETS_MANAGE):
            self.pane.edit()

    def action_new(self) -> None:
        """Create a preset of the open tab (or a contact, in the contacts list)."""
        self.pane.new()

    def action_edit(self) -> None:
        """Edit the record under the cursor."""
        self.pane.edit()

    def action_toggle_active(self) -> None:
        """Deactivate or reactivate the record under the cursor."""
        self.pane.toggle_active()

    def action_show_tab(self, key: str) -> None:
        """Switch to the tab ``key``."""
        self.query_one(TabbedContent).active = key

    def action_reload(self) -> None:
        """Read the open list again, in place."""
        self.pane.refresh_rows()

    def on_data_changed(self, message: DataChanged) -> None:
        """Note which tables changed, for :meth:`refresh_data` (Textual calls the base
        class's handler after this one, which reloads now or when the screen is shown)."""
        self._changed |= message.entities & self.REFRESH_ON

    def refresh_data(self) -> None:
        """Read again, in place, the lists that show a table someone changed."""
        changed, self._changed = self._changed, set()
        for pane in self.query(PresetPane):
            if pane.ENTITIES & changed or not changed:
                pane.refresh_rows()
