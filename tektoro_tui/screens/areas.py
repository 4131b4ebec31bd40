"""The areas of the app a user can open, with their keys and who may open them.

The home menu, the Go to dialog (Ctrl+G, then the area's letter) and the command palette are all
built from this one list.
Whether an area is offered is only a courtesy: each service checks the permission itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from ..domain.permissions import OUTSIDERS, Perm

if TYPE_CHECKING:
    from ..services.base import Actor
    from .base import AreaScreen


@dataclass(frozen=True)
class Area:
    """One screen reachable by key and from the command palette."""

    key: str
    title: str
    short: str
    hotkey: str
    summary: str
    module: str
    class_name: str
    needs_any: tuple[Perm, ...] = ()
    words: str = ""
    """More words the command palette finds the area by (what a bookkeeper would type)."""
    firm_only: bool = False
    """Offered only to the firm's own people, never to a client's user or a foreman."""

    def open_to(self, actor: Actor) -> bool:
        """Whether ``actor``'s role is offered this area (any of ``needs_any``, or nothing;
        with ``firm_only``, nobody from outside the firm)."""
        if self.firm_only and actor.role in OUTSIDERS:
            return False
        return not self.needs_any or any(actor.may(perm) for perm in self.needs_any)

    def screen_class(self) -> type[AreaScreen]:
        """The screen class, imported on first use."""
        module = import_module(f"{__package__}.{self.module}")
        screen: type[AreaScreen] = getattr(module, self.class_name)
        return screen


AREAS: tuple[Area, ...] = (
    Area(
        "home",
        "Home",
        "Home",
        "h",
        "Your work at a glance",
        "home",
        "HomeScreen",
        words="dashboard start overview",
    ),
    Area(
        "time_card",
        "Time Card",
        "Time card",
        "c",
        "Enter the time you spent on a project",
        "time_card",
        "TimeCardScreen",
        (Perm.TIME_ENTER,),
        words="timesheet hours log time enter time",
    ),
    Area(
        "time_report",
        "Time Report",
        "Report",
        "t",
        "Review, edit and accept your and your staff's entries",
        "time_report",
        "TimeReportScreen",
        (Perm.TIME_ENTER,),
        words="timesheet hours entries accept my time",
    ),
    Area(
        "approvals",
        "Approvals",
        "Approvals",
        "a",
        "Approve or reject your staff's accepted entries",
        "approvals",
        "ApprovalsScreen",
        (Perm.STAFF_INVITE, Perm.TIME_APPROVE_ANY),
        words="approve reject sign off staff time",
    ),
    Area(
        "wip",
        "Work in progress",
        "WIP",
        "w",
        "Allocate approved work to bill, write down or hold; process it",
        "wip",
        "WipScreen",
        (Perm.WIP_MANAGE,),
        words="unbilled work in progress allocate bill write down hold process",
    ),
    Area(
        "documenter",
        "Documenter",
        "Documenter",
        "d",
        "Assemble invoices from document records and issue them",
        "documenter",
        "DocumenterScreen",
        (Perm.DOCUMENTER_USE, Perm.INVOICE_ISSUE),
        words="draft invoice issue create invoice adjustments expenses",
    ),
    Area(
        "printer",
        "Invoice Printer",
        "Printer",
        "i",
        "Print issued invoices, record client payments, credit notes",
        "printer",
        "PrinterScreen",
        (Perm.INVOICE_VIEW_ALL,),
        words="print pdf html record payment payment received paid credit note receipts",
    ),
    Area(
        "revenue",
        "Account Revenue",
        "Revenue",
        "v",
        "Recognised revenue, receivables aging, overdue notices, booking",
        "revenue",
        "RevenueScreen",
        (Perm.INVOICE_VIEW_ALL,),
        words="revenue income aging receivables debtors overdue notice book",
    ),
    Area(
        "contractor_invoices",
        "Master invoices",
        "Master inv.",
        "m",
        "Contractors' master invoices: generate, approve, record payments; your own pay",
        "contractor_invoices",
        "ContractorInvoicesScreen",
        (Perm.CONTRACTOR_INVOICES, Perm.TIME_ENTER),
        words="contractor pay master invoice payables generate approve payment",
    ),
    Area(
        "client_invoices",
        "Client invoices",
        "Client inv.",
        "l",
        "Every client invoice with its status: send, mark paid, cancel, export",
        "client_invoices",
        "ClientInvoicesScreen",
        (Perm.INVOICE_VIEW_ALL, Perm.INVOICE_VIEW_OWN_PROJECTS, Perm.INVOICE_VIEW_OWN_CLIENT),
        words="invoices sent paid mark paid status cancel credit note export",
    ),
    Area(
        "projects",
        "Projects",
        "Projects",
        "j",
        "Projects as contracts: settlement invoices, costs, changes, financial balance",
        "projects",
        "ProjectsScreen",
        (Perm.INVOICE_VIEW_ALL, Perm.INVOICE_VIEW_OWN_PROJECTS, Perm.PROJECT_COSTS),
        words="contracts projects settlement invoices costs change orders balance budget",
    ),
    Area(
        "costs",
        "Project costs",
        "Costs",
        "k",
        "The cost register: material, salary, equipment and other costs of projects",
        "projects",
        "CostsScreen",
        (Perm.PROJECT_COSTS,),
        words="costs expenses material salary equipment purchases supplier invoices register",
    ),
    Area(
        "subcontracts",
        "Subcontracts",
        "Subcontract",
        "b",
        "Subcontracting agreements: schedules, daily reports, settlement stages",
        "subcontracts",
        "SubcontractsScreen",
        (Perm.SUBCONTRACT_CREATE, Perm.SUBCONTRACT_SETTLE, Perm.SUBCONTRACT_REPORT),
        words="subcontractors agreements foremen crews daily reports work schedule settle",
    ),
    Area(
        "pay",
        "Pay",
        "Pay",
        "y",
        "Crew pay: work shifts day by day, approval, transfer to accounting; your own pay",
        "pay",
        "PayScreen",
        words="payroll wages salary shifts clock remuneration crew settle month transfer",
        firm_only=True,
    ),
    Area(
        "metrics",
        "Financial metrics",
        "Metrics",
        "f",
        "Hours and revenue by status, per project, weekly and monthly charts, by role",
        "metrics",
        "MetricsScreen",
        (Perm.INVOICE_VIEW_ALL,),
        words="reports charts hours revenue statistics",
    ),
    Area(
        "notifications",
        "Notifications",
        "Notices",
        "n",
        "Messages for you, such as a paid master invoice",
        "notifications",
        "NotificationsScreen",
        words="messages notices inbox",
    ),
    Area(
        "terms",
        "Payment terms",
        "Terms",
        "e",
        "Reusable payment-terms messages printed on client invoices",
        "terms",
        "TermsScreen",
        (Perm.PAYMENT_TERMS_MANAGE,),
        words="payment terms conditions late fee template",
    ),
    Area(
        "compliance",
        "Compliance documents",
        "Compliance",
        "o",
        "Contractors' contracts, tax forms and insurance certificates with expiry dates",
        "compliance",
        "ComplianceScreen",
        (Perm.CONTRACTOR_INVOICES,),
        words="contracts tax forms insurance certificates expiry documents",
    ),
    Area(
        "users",
        "Users and staff",
        "Users",
        "u",
        "People, staff groups and invitations",
        "users",
        "UsersScreen",
        (Perm.USERS_VIEW, Perm.USERS_MANAGE, Perm.STAFF_INVITE),
        words="people staff employees accounts invite",
    ),
    Area(
        "presets",
        "Code presets",
        "Presets",
        "p",
        "Clients, projects, tasks, activities, rate codes",
        "presets",
        "PresetsScreen",
        (Perm.PRESETS_VIEW, Perm.PRESETS_MANAGE),
        words="clients projects tasks activities rate codes codes",
    ),
    Area(
        "permissions",
        "Permissions",
        "Permissions",
        "r",
        "Which role may do what",
        "permissions",
        "PermissionsScreen",
        (Perm.PERMISSIONS_MANAGE,),
        words="roles rights access",
    ),
    Area(
        "settings",
        "Organisation settings",
        "Settings",
        "s",
        "Company, invoicing, VAT, working time, e-mail",
        "settings",
        "SettingsScreen",
        (Perm.SETTINGS_MANAGE,),
        words="company organisation vat currency smtp e-mail period lock",
    ),
)

AREAS_BY_KEY = {area.key: area for area in AREAS}


def areas_for(actor: Actor) -> list[Area]:
    """The areas ``actor`` is offered, in menu order."""
    return [area for area in AREAS if area.open_to(actor)]
