"""Users and staff: the people this user may see, their invitations, and (for user managers)
creating, editing and deactivating accounts; the HR tab shows the highlighted person's pay
terms, saved from a date by HR and the administrator."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Label, TabbedContent, TabPane

from ..domain.permissions import Perm, can_invite
from ..domain.wording import sentence
from ..errors import Problem
from ..services.administration.users import NEW_USER, UserForm
from ..services.administration.views import InvitationView, Page, UserView
from ..widgets import keymap
from ..widgets.dialogs.confirm import NoticeDialog, YesNoDialog
from ..widgets.dialogs.form import FormModal
from ..widgets.formatting import active_label, moment, money, yes_no
from ..widgets.keyed_table import KeyedTable
from ..widgets.paged_table import PagedTable
from .base import AreaScreen, call_service, edit_in_form, push_dialog
from .pay_terms_pane import PayTermsPane
from .user_forms import (
    InvitationDraft,
    UserChoices,
    draft_for,
    invitation_draft,
    invitation_specs,
    user_form,
    user_specs,
)

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

ALL_PAGES = 500
TABS = (("people", "People"), ("hr", "HR"))
PEOPLE_ACTIONS = frozenset({"new_user", "edit_user", "toggle_active", "search"})


class UsersScreen(AreaScreen):
    """The users list (searchable, loaded page by page) and the invitations sent."""

    TITLE_TEXT = "Users and staff"
    HELP = (
        "Everyone you may see: all users for user managers, otherwise yourself and your "
        "direct staff. i invites people into your staff group with a single-use code. User "
        "managers create users with n (crew may have no login), edit them with e or Enter, "
        "and deactivate or reactivate them with d (after asking). / searches. The HR tab "
        "(2) shows the pay terms of the person highlighted on the People tab (1): their "
        "standard hourly rate, own % rates, rates by type of work, external or not, each from "
        "a date; HR and the administrator save terms from a new date with n and change the "
        "highlighted ones with e."
    )
    BINDINGS = [
        Binding(keymap.NEW, "new_user", "New user"),
        Binding(keymap.EDIT, "edit_user", "Edit"),
        Binding(keymap.ACTIVATE, "toggle_active", "(De)activate"),
        Binding(keymap.INVITE, "invite", "Invite"),
        Binding(keymap.SEARCH, "search", "Search", show=False),
        Binding(keymap.NEW, "new", "New terms"),
        Binding(keymap.EDIT, "edit", "Edit terms"),
        *[
            Binding(keymap.TABS[number - 1], f"show_tab('{key}')", f"{title} tab", show=False)
            for number, (key, title) in enumerate(TABS, start=1)
        ],
    ]
    DEFAULT_CSS = """
    UsersScreen {
        #search {
            margin: 0 1;
        }
        #invitations {
            height: 7;
        }
        TabbedContent, TabbedContent > ContentSwitcher {
            height: 1fr;
        }
        TabPane {
            padding: 0;
            height: 1fr;
        }
    }
    """

    REFRESH_ON: ClassVar[frozenset[str]] = frozenset({"user", "invitation", "employee_pay"})

    def __init__(self, services: Services, actor: Actor) -> None:
        """The users screen acting as ``actor``."""
        super().__init__(services, actor)
        self._users: dict[int, UserView] = {}

    def compose_body(self) -> ComposeResult:
        """The People tab (search box, users table, invitations) and the HR tab."""
        with TabbedContent(initial="people"):
            with TabPane("People", id="people"):
                yield Input(placeholder="Search by name or e-mail  (/)", id="search", compact=True)
                yield PagedTable(
                    (
                        "Name", "E-mail", "Role", "Status", "Supervisor", "Company",
                        "Pay rate", "Login",
                    ),
                    id="users",
                )  # fmt: skip
                if self._may_invite:
                    yield Label("Invitations sent", id="invitations-title", classes="section-title")
                    yield KeyedTable(id="invitations", cursor_type="row", zebra_stripes=True)
            with TabPane("HR", id="hr"):
                yield PayTermsPane(self.services, self.actor, id="hr-pane")

    @property
    def _may_invite(self) -> bool:
        return can_invite(self.actor.role) and self.actor.may(Perm.STAFF_INVITE)

    @property
    def tab(self) -> str:
        """The open tab."""
        tabs = self.query(TabbedContent)
        return (tabs.first().active if tabs else "") or "people"

    @property
    def hr_pane(self) -> PayTermsPane:
        """The HR tab's pay terms."""
        return self.query_one(PayTermsPane)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show the write keys only to those who may use them, each on its tab."""
        if action in PEOPLE_ACTIONS and self.tab != "people":
            return False
        if action in ("new_user", "edit_user", "toggle_active"):
            return self.actor.may(Perm.USERS_MANAGE)
        if action == "invite":
            return self._may_invite
        if action in ("new", "edit"):
            pane = self.hr_pane
            shown = pane.terms is not None and (action == "new" or bool(pane.terms))
            return self.tab == "hr" and pane.may_edit and shown
        return True

    def action_show_tab(self, key: str) -> None:
        """Switch to the tab ``key``."""
        self.query_one(TabbedContent).active = key

    def on_tabbed_content_tab_activated(self, _event: TabbedContent.TabActivated) -> None:
        """The HR tab reads the pay terms of the person highlighted on the People tab."""
        if self.tab == "hr":
            self.hr_pane.show_for(self._current())
            self.hr_pane.focus_list()
        else:
            self.users_table.focus()
        self.refresh_bindings()

    def action_new(self) -> None:
        """n on the HR tab: pay terms from a new date."""
        self.hr_pane.new_terms()

    def action_edit(self) -> None:
        """e on the HR tab: change the highlighted pay terms."""
        self.hr_pane.edit_terms()

    def on_mount(self) -> None:
        """Load the first page of users and the invitations."""
        super().on_mount()
        if self._may_invite:
            self.query_one("#invitations", DataTable).add_columns(
                "E-mail", "Role", "Invited by", "Valid until", "Used"
            )
            self.load_invitations()
        self.users_table.focus()
        self.load_users()

    # --- loading ----------------------------------------------------------------------------

    def load_users(self, after: tuple[object, ...] | None = None) -> None:
        """Load one page of users matching the search."""
        search = self.query_one("#search", Input).value

        def fetch() -> Page[UserView]:
            return self.services.users.list_users(self.actor, search=search, after=after)

        call_service(self, fetch, self._add_page, group="users", exclusive=after is None)

    def _add_page(self, page: Page[UserView]) -> None:
        self._users.update((user.id, user) for user in page.items)
        self.users_table.add_page(_user_rows(page), page.next_after)

    @property
    def users_table(self) -> PagedTable:
        """The list of users."""
        return self.query_one("#users", PagedTable)

    def refresh_data(self) -> None:
        """Read the users shown and the invitations again, in place (someone changed them, or
        this screen did): the cursors stay on their rows."""
        self.refresh_users()
        if self._may_invite:
            self.load_invitations()
        if self.tab == "hr":
            self.hr_pane.reload()

    def refresh_users(self) -> None:
        """Read the users shown again for the same search, in place."""
        search = self.query_one("#search", Input).value
        limit = self.users_table.refresh_limit

        def fetch() -> Page[UserView]:
            return self.services.users.list_users(self.actor, search=search, limit=limit)

        def refreshed(page: Page[UserView]) -> None:
            self._users = {user.id: user for user in page.items}
            self.users_table.refresh_page(_user_rows(page), page.next_after)

        call_service(self, fetch, refreshed, group="users", exclusive=True)

    def on_paged_table_page_wanted(self, event: PagedTable.PageWanted) -> None:
        """The cursor reached the end: load the next page."""
        self.load_users(event.after)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search as you type."""
        if event.input.id == "search":
            self.users_table.start_over()
            self.load_users()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search box moves to the list."""
        self.users_table.focus()

    def load_invitations(self) -> None:
        """Load the invitations this user sent (all of them for user managers)."""
        call_service(
            self, lambda: self.services.auth.list_invitations(self.actor), self._show_invitations
        )

    def _show_invitations(self, invitations: list[InvitationView]) -> None:
        table = self.query_one("#invitations", KeyedTable)
        table.show_rows((str(item.id), _invitation_cells(item)) for item in invitations)

    # --- actions ------------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a user edits them (for user managers)."""
        if event.data_table.id == "users" and self.actor.may(Perm.USERS_MANAGE):
            self.action_edit_user()

    def action_search(self) -> None:
        """Focus the search box."""
        self.query_one("#search", Input).focus()

    def _current(self) -> UserView | None:
        ident = self.users_table.current_id
        return self._users.get(ident) if ident is not None else None

    def action_new_user(self) -> None:
        """Create a user in a form."""
        self._open_user_form(None)

    def action_edit_user(self) -> None:
        """Edit the user under the cursor."""
        user = self._current()
        if user is not None:
            self._open_user_form(user)

    def _open_user_form(self, user: UserView | None) -> None:
        call_service(self, self._load_choices, lambda choices: self._edit_user(user, choices))

    def _load_choices(self) -> UserChoices:
        supervisors: list[tuple[str, int]] = []
        after: tuple[object, ...] | None = None
        while True:
            page = self.services.users.list_users(
                self.actor, include_inactive=False, after=after, limit=ALL_PAGES
            )
            supervisors += [(u.name, u.id) for u in page.items]
            if page.next_after is None:
                break
            after = page.next_after
        companies: list[tuple[str, int]] = []
        if self.actor.may(Perm.PRESETS_VIEW):
            clients = self.services.presets.list_companies(self.actor, "client", limit=ALL_PAGES)
            companies = [(c.name, c.id) for c in clients.items]
        return UserChoices(tuple(supervisors), tuple(companies))

    def _edit_user(self, user: UserView | None, choices: UserChoices) -> None:
        specs = user_specs(choices, editing=user is not None)
        title = f"Edit {user.name}" if user else "New user"

        def make_form(draft: UserForm, problems: tuple[Problem, ...]) -> FormModal[UserForm]:
            return FormModal(title, specs, draft, user_form, problems)

        def save(form: UserForm) -> UserView:
            if user is None:
                return self.services.users.create_user(self.actor, form)
            return self.services.users.update_user(self.actor, user.id, form, version=user.version)

        draft = draft_for(user) if user else replace(NEW_USER, supervisor_id=self.actor.user_id)
        edit_in_form(self, make_form, draft, save, self._saved)

    def _saved(self, user: UserView) -> None:
        """Show the saved user at once with the cursor on them; then read the list again, so
        that they take their place in it."""
        self._users[user.id] = user
        table = self.users_table
        table.update_record(user.id, _user_cells(user))
        table.move_to(user.id)
        self.notify(sentence(f"Saved {user.name}"), timeout=3)
        self.refresh_users()

    def action_toggle_active(self) -> None:
        """Deactivate or reactivate the user under the cursor, after confirming."""
        user = self._current()
        if user is None:
            return
        if user.is_active:
            title = "Deactivate user"
            question = f"Deactivate {user.name}? They can no longer log in; their history stays."
        else:
            title = "Reactivate user"
            question = f"Reactivate {user.name}? They can log in again."

        def answered(yes: bool | None) -> None:
            if yes:
                self._set_active(user, not user.is_active)

        push_dialog(self, YesNoDialog(title, question, title.split()[0]), answered)

    def _set_active(self, user: UserView, active: bool) -> None:
        call_service(
            self, lambda: self.services.users.set_active(self.actor, user.id, active), self._saved
        )

    def action_invite(self) -> None:
        """Invite someone into this user's staff group and show the code."""
        specs = invitation_specs(may_choose_role=self.actor.may(Perm.USERS_MANAGE))

        def make_form(draft: InvitationDraft, problems: tuple[Problem, ...]) -> FormModal[Any]:
            return FormModal("Invite", specs, draft, invitation_draft, problems)

        def save(draft: InvitationDraft) -> InvitationView:
            return self.services.auth.invite(self.actor, draft.email, draft.role)

        edit_in_form(self, make_form, InvitationDraft(), save, self._invited)

    def _invited(self, invitation: InvitationView) -> None:
        self.load_invitations()
        # Shown whatever is on top: the code is shown only now, and a notice takes no input.
        self.app.push_screen(
            NoticeDialog(
                "Invitation created",
                f"Give this single-use code to {invitation.email} ({invitation.role.label}):",
                invitation.token,
                f"Valid until {moment(invitation.expires_at)}. It is shown only now; they "
                "register with it on the login screen (Register with an invitation code).",
            )
        )


def _user_rows(page: Page[UserView]) -> list[tuple[int, tuple[str, ...]]]:
    return [(user.id, _user_cells(user)) for user in page.items]


def _invitation_cells(item: InvitationView) -> tuple[str, ...]:
    return (
        item.email,
        item.role.label,
        item.inviter_name,
        moment(item.expires_at),
        yes_no(item.used),
    )


def _user_cells(user: UserView) -> tuple[str, ...]:
    return (
        user.name,
        user.email,
        user.role.label,
        active_label(user.is_active),
        user.supervisor_name,
        user.company_name,
        money(user.pay_rate),
        yes_no(user.can_login),
    )
