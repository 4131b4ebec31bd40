"""The Clients tab: client companies, and the contacts of the client under the cursor."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import DataTable, Label

from ..errors import Problem
from ..services.administration.presets import NEW_COMPANY, NEW_CONTACT, CompanyForm, ContactForm
from ..services.administration.views import CompanyView, ContactView, Page
from ..widgets.dialogs.form import FormModal
from ..widgets.fields import FieldSpec
from ..widgets.formatting import active_label
from ..widgets.keyed_table import KeyedTable
from .base import call_service, edit_in_form
from .preset_pane import ACTIVE, PresetPane, ask_to_toggle

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services


class ClientsPane(PresetPane):
    """Client companies, with the contacts of the client under the cursor below."""

    KIND = "company"
    NOUN = "client"
    COMPANY_KIND = "client"
    CONTACTS_TITLE = "Contacts of the selected client"
    COLUMNS = ("Name", "Tax id", "E-mail", "Phone", "Status")
    ENTITIES = frozenset({"company", "contact"})

    def __init__(self, services: Services, actor: Actor, *, id: str) -> None:
        """The clients tab acting as ``actor``."""
        super().__init__(services, actor, id=id)
        self.contacts: dict[int, ContactView] = {}
        self._contacts_of: int | None = None

    def compose(self) -> ComposeResult:
        """The clients list and the contacts list."""
        yield from super().compose()
        yield Label(self.CONTACTS_TITLE, id="contacts-title", classes="section-title")
        yield KeyedTable(id="contacts", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """Set up the contacts table and load the clients."""
        self.query_one("#contacts", DataTable).add_columns(
            "Name", "Position", "E-mail", "Phone", "Status"
        )
        super().on_mount()

    def fetch(self, **opts: Any) -> Page[CompanyView]:
        """A page of companies of this tab's kind."""
        return self.services.presets.list_companies(self.actor, self.COMPANY_KIND, **opts)

    def cells(self, record: CompanyView) -> tuple[str, ...]:
        """Name, tax id, e-mail, phone, status."""
        return (
            record.name,
            record.tax_id,
            record.email,
            record.phone,
            active_label(record.is_active),
        )

    def specs(self, choices: Any) -> tuple[FieldSpec, ...]:
        """The company fields (the kind is always client here)."""
        return (
            FieldSpec("name", "Name"),
            FieldSpec("tax_id", "Tax id"),
            FieldSpec("billing_address", "Billing address", kind="textarea"),
            FieldSpec("email", "E-mail"),
            FieldSpec("phone", "Phone"),
            ACTIVE,
        )

    def draft(self, record: CompanyView | None) -> CompanyForm:
        """The client's values, or a new client's."""
        if record is None:
            return replace(NEW_COMPANY, kind=self.COMPANY_KIND)
        return CompanyForm(
            name=record.name,
            kind=record.kind,
            tax_id=record.tax_id,
            billing_address=record.billing_address,
            email=record.email,
            phone=record.phone,
            is_active=record.is_active,
        )

    def build(self, values: dict[str, Any]) -> CompanyForm:
        """A company form of this tab's kind."""
        return CompanyForm(kind=self.COMPANY_KIND, **values)

    def save(self, form: CompanyForm, ident: int | None, version: int | None) -> CompanyView:
        """Save the client."""
        return self.services.presets.save_company(self.actor, form, ident, version=version)

    # --- contacts -------------------------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the contacts of the highlighted client."""
        if event.data_table is self.table:
            self.load_contacts()

    def refresh_rows(self) -> None:
        """Read the clients shown and the highlighted one's contacts again, in place."""
        super().refresh_rows()
        self.load_contacts()

    def load_contacts(self) -> None:
        """Load the contacts of the client under the cursor."""
        client = self.current()
        if client is None:
            return
        call_service(
            self,
            lambda: self.services.presets.list_contacts(self.actor, client.id),
            lambda contacts: self._show_contacts(client.id, contacts),
            group="contacts",
            exclusive=True,
        )

    def _show_contacts(self, client_id: int, contacts: list[ContactView]) -> None:
        """Show the contacts of ``client_id``: another client's from the top, the same
        client's in place."""
        table = self.query_one("#contacts", KeyedTable)
        if client_id != self._contacts_of:
            table.clear()
            self._contacts_of = client_id
        self.contacts = {c.id: c for c in contacts}
        table.show_rows(
            (str(c.id), (c.name, c.position, c.email, c.phone, active_label(c.is_active)))
            for c in contacts
        )

    @property
    def contacts_focused(self) -> bool:
        """Whether the keys should act on the contacts list."""
        return self.query_one("#contacts", DataTable).has_focus

    def current_contact(self) -> ContactView | None:
        """The contact under the cursor of the contacts list."""
        table = self.query_one("#contacts", DataTable)
        if table.row_count == 0:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.contacts.get(int(key.value or 0))

    def new(self) -> None:
        """New contact when the contacts list has the focus, else new client."""
        if self.contacts_focused:
            self.new_contact()
        else:
            super().new()

    def edit(self) -> None:
        """Edit the contact or the client under the cursor."""
        if self.contacts_focused:
            contact = self.current_contact()
            if contact is not None:
                self._edit_contact(contact)
        else:
            super().edit()

    def toggle_active(self) -> None:
        """(De)activate the contact or the client under the cursor, after asking."""
        if not self.contacts_focused:
            super().toggle_active()
            return
        contact = self.current_contact()
        if contact is None:
            return
        active = not contact.is_active

        def toggle() -> None:
            call_service(
                self,
                lambda: self.services.presets.set_active(self.actor, "contact", contact.id, active),
                lambda _: self.load_contacts(),
            )

        ask_to_toggle(self, "contact", contact.name, contact.is_active, toggle)

    def new_contact(self) -> None:
        """Add a contact to the client under the cursor."""
        client = self.current()
        if client is None:
            self.notify("Create or choose a client first.", timeout=3)
            return
        self._edit_contact(None)

    def _edit_contact(self, contact: ContactView | None) -> None:
        client = self.current()
        company_id = contact.company_id if contact else (client.id if client else None)
        specs = (
            FieldSpec("name", "Name"),
            FieldSpec("position", "Position (e.g. foreman)"),
            FieldSpec("email", "E-mail"),
            FieldSpec("phone", "Phone"),
            ACTIVE,
        )
        draft = replace(NEW_CONTACT, company_id=company_id)
        if contact is not None:
            draft = ContactForm(
                company_id=company_id,
                name=contact.name,
                email=contact.email,
                phone=contact.phone,
                position=contact.position,
                is_active=contact.is_active,
            )
        title = f"Edit contact {contact.name}" if contact else "New contact"

        def make_form(form: ContactForm, problems: tuple[Problem, ...]) -> FormModal[ContactForm]:
            return FormModal(
                title, specs, form, lambda v: ContactForm(company_id=company_id, **v), problems
            )

        def save(form: ContactForm) -> ContactView:
            if contact is None:
                return self.services.presets.save_contact(self.actor, form)
            return self.services.presets.save_contact(
                self.actor, form, contact.id, version=contact.version
            )

        edit_in_form(self, make_form, draft, save, lambda _: self.load_contacts())


class SubcontractorsPane(ClientsPane):
    """Subcontractor companies, the contacts (foremen) of the one under the cursor, and its
    subcontracting agreements."""

    NOUN = "subcontractor"
    COMPANY_KIND = "subcontractor"
    CONTACTS_TITLE = "Contacts (foremen) of the selected subcontractor"
    ENTITIES = frozenset({"company", "contact", "subcontract_agreement"})

    def compose(self) -> ComposeResult:
        """The subcontractors, their contacts and their agreements."""
        yield from super().compose()
        yield Label(
            "Subcontracting agreements of the selected subcontractor",
            id="agreements-title",
            classes="section-title",
        )
        yield KeyedTable(id="sub-agreements", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """Set up the agreements table too."""
        self.query_one("#sub-agreements", DataTable).add_columns(
            "Number", "Project", "Contract", "Paid", "Remaining", "Status"
        )
        super().on_mount()

    def load_contacts(self) -> None:
        """Load the contacts and the agreements of the subcontractor under the cursor."""
        super().load_contacts()
        company = self.current()
        if company is None:
            return
        from ..domain.permissions import Perm
        from ..services.subcontracts.views import AgreementFilter

        if not any(
            self.actor.may(p)
            for p in (Perm.SUBCONTRACT_CREATE, Perm.SUBCONTRACT_SETTLE, Perm.SUBCONTRACT_REPORT)
        ):
            return
        flt = AgreementFilter(status="all", subcontractor_id=company.id, limit=0)
        call_service(
            self,
            lambda: self.services.subcontracts.list(self.actor, flt),
            self._show_agreements,
            group="agreements",
            exclusive=True,
        )

    def _show_agreements(self, listed: Any) -> None:
        self.query_one("#sub-agreements", KeyedTable).show_rows(
            (
                row.number,
                (
                    row.number,
                    row.project_name,
                    row.contract_amount.format(),
                    row.paid.format(),
                    row.remaining.format(),
                    row.status_label,
                ),
            )
            for row in listed.rows
        )

    def invite_foreman(self) -> None:
        """Invite the highlighted contact to log in as a foreman and show the code once."""
        contact = self.current_contact()
        if contact is None:
            return

        def show(token: str) -> None:
            from ..widgets.dialogs.confirm import NoticeDialog

            self.app.push_screen(
                NoticeDialog(
                    "Foreman invited",
                    f"Give this single-use code to {contact.name} ({contact.email}):",
                    token,
                    "It is shown only now; they register with it on the login screen "
                    "(Register with an invitation code) and then see only their crews' "
                    "agreements.",
                )
            )

        call_service(
            self,
            lambda: self.services.subcontracts.invite_foreman(self.actor, contact.id),
            show,
        )
