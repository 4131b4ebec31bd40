"""Permissions: which role holds which permission, changed one cell at a time."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ..domain.permissions import LOCKED_GRANTS, Perm, Role
from ..widgets import keymap
from ..widgets.dialogs.confirm import YesNoDialog
from ..widgets.permission_grid import PermissionGrid
from .base import AreaScreen, call_service, push_dialog
from .messages import PermissionsChanged

Matrix = dict[Role, frozenset[Perm]]


class PermissionsScreen(AreaScreen):
    """Administrators: a grid of permissions by role; space toggles the cell under the cursor."""

    TITLE_TEXT = "Permissions"
    HELP = (
        "Rows are permissions, columns are roles; a tick means the role holds it. Space or "
        "Enter grants or takes away the permission under the cursor, at once (press it again "
        "to undo). 0 puts the role under the cursor back to its defaults, after asking. "
        "Administrators always keep the right to change permissions and users, so nobody is "
        "locked out."
    )
    BINDINGS = [Binding(keymap.CLEAR, "reset_role", "Reset role to defaults")]
    DEFAULT_CSS = """
    PermissionsScreen {
        #permissions-hint {
            padding: 0 1;
        }
        #grid {
            height: 1fr;
        }
    }
    """

    def compose_body(self) -> ComposeResult:
        """A hint line and the grid."""
        yield Static(
            "Space/Enter toggles the cell under the cursor; 0 resets its role.",
            id="permissions-hint",
            classes="hint",
        )
        yield PermissionGrid(id="grid")

    def on_mount(self) -> None:
        """Load the matrix."""
        super().on_mount()
        self.query_one(PermissionGrid).focus()
        self.load_matrix()

    REFRESH_ON = frozenset({"role_permission"})

    def refresh_data(self) -> None:
        """Another administrator changed the matrix: show it as stored (the cursor stays)."""
        self.load_matrix()

    def load_matrix(self) -> None:
        """Read the stored matrix in a worker."""
        call_service(self, lambda: self.services.permissions.matrix(self.actor), self.show_matrix)

    def show_matrix(self, matrix: Matrix) -> None:
        """Show ``matrix`` in the grid."""
        granted = {(role.value, perm.value) for role, perms in matrix.items() for perm in perms}
        locked = {(role.value, perm.value) for role, perm in LOCKED_GRANTS}
        self.query_one(PermissionGrid).show_matrix(
            [(role.value, role.label) for role in Role],
            [(perm.value, perm.label) for perm in Perm],
            granted,
            locked,
        )

    def on_permission_grid_toggle_wanted(self, event: PermissionGrid.ToggleWanted) -> None:
        """Grant or take away one permission, then show the stored matrix again."""
        role, perm, grant = Role(event.role), Perm(event.perm), event.grant

        def change() -> Matrix:
            self.services.permissions.set_grant(self.actor, role, perm, grant)
            return self.services.permissions.matrix(self.actor)

        call_service(self, change, self._changed)

    def _changed(self, matrix: Matrix) -> None:
        self.show_matrix(matrix)
        self.post_message(PermissionsChanged())

    def action_reset_role(self) -> None:
        """Put the role under the cursor back to its default permissions, after confirming."""
        key = self.query_one(PermissionGrid).current_role
        if key is None:
            self.notify("Move the cursor to a role's column first.", timeout=3)
            return
        role = Role(key)

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(self, lambda: self._reset(role), self._changed)

        push_dialog(
            self,
            YesNoDialog(
                "Reset role",
                f"Put {role.label} back to the default permissions? Changes made to this "
                "role are lost.",
            ),
            answered,
        )

    def _reset(self, role: Role) -> Matrix:
        self.services.permissions.reset_role(self.actor, role)
        return self.services.permissions.matrix(self.actor)
