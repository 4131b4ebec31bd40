"""Roles and the default permission matrix (DESIGN.md section 7).

The matrix is data: administrators change it per role, and the services check
the stored matrix on every call. What is here is only the starting point for a
new organisation and the list of permissions that exist.
"""

from __future__ import annotations

from enum import StrEnum

from tektoro_tui.errors import shown


class Role(StrEnum):
    """The roles a user can have."""

    ADMINISTRATOR = "administrator"
    ACCOUNTANT = "accountant"
    MANAGER = "manager"
    PROJECT_MANAGER = "project_manager"
    PM_ASSISTANT = "pm_assistant"
    ESTIMATOR = "estimator"
    HR = "hr"
    STAFF = "staff"
    CLIENT = "client"
    FOREMAN = "foreman"

    @property
    def label(self) -> str:
        """The role as people say it."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMINISTRATOR: "Administrator",
    Role.ACCOUNTANT: "Accountant",
    Role.MANAGER: "Manager",
    Role.PROJECT_MANAGER: "Project manager",
    Role.PM_ASSISTANT: "PM assistant",
    Role.ESTIMATOR: "Estimator",
    Role.HR: "HR",
    Role.STAFF: "Staff / contractor",
    Role.CLIENT: "Client",
    Role.FOREMAN: "Subcontractor's foreman",
}


class Perm(StrEnum):
    """Every permission a service checks."""

    SETTINGS_MANAGE = "settings.manage"
    USERS_MANAGE = "users.manage"
    USERS_VIEW = "users.view"
    PERMISSIONS_MANAGE = "permissions.manage"
    PRESETS_MANAGE = "presets.manage"
    PRESETS_VIEW = "presets.view"
    STAFF_INVITE = "staff.invite"
    TIME_ENTER = "time.enter"
    TIME_APPROVE_ANY = "time.approve_any"
    WIP_MANAGE = "wip.manage"
    DOCUMENTER_USE = "documenter.use"
    INVOICE_VIEW_ALL = "invoice.view_all"
    INVOICE_VIEW_OWN_PROJECTS = "invoice.view_own_projects"
    INVOICE_VIEW_OWN_CLIENT = "invoice.view_own_client"
    INVOICE_ISSUE = "invoice.issue"
    INVOICE_RECORD_PAYMENT = "invoice.record_payment"
    INVOICE_EXPORT = "invoice.export"
    PROJECT_COSTS = "project_costs.manage"
    SUBCONTRACT_CREATE = "subcontract.create"
    SUBCONTRACT_SETTLE = "subcontract.settle"
    SUBCONTRACT_REPORT = "subcontract.report"
    PAYROLL_SETTLE = "payroll.settle"
    PAYROLL_EXPORT = "payroll.export"
    PAYROLL_RATES = "payroll.rates"
    PAYROLL_TRANSFER = "payroll.transfer"
    CONTRACTOR_INVOICES = "contractor_invoices.manage"
    PAYMENT_TERMS_MANAGE = "payment_terms.manage"
    AUDIT_VIEW = "audit.view"

    @property
    def label(self) -> str:
        """What the permission allows, in words."""
        return PERM_LABELS[self]


PERM_LABELS = {
    Perm.SETTINGS_MANAGE: "Change organisation settings",
    Perm.USERS_MANAGE: "Create and edit users",
    Perm.USERS_VIEW: "See the list of users",
    Perm.PERMISSIONS_MANAGE: "Change role permissions",
    Perm.PRESETS_MANAGE: "Create and edit code presets",
    Perm.PRESETS_VIEW: "See code presets",
    Perm.STAFF_INVITE: "Invite people into own staff group",
    Perm.TIME_ENTER: "Enter time cards",
    Perm.TIME_APPROVE_ANY: "Approve anyone's time entries (never one's own)",
    Perm.WIP_MANAGE: "Allocate and process WIP",
    Perm.DOCUMENTER_USE: "See the Documenter's draft invoices",
    Perm.INVOICE_VIEW_ALL: "See all invoices",
    Perm.INVOICE_VIEW_OWN_PROJECTS: "See invoices of own projects",
    Perm.INVOICE_VIEW_OWN_CLIENT: "See own company's invoices (client portal)",
    Perm.INVOICE_ISSUE: "Create and issue invoices",
    Perm.INVOICE_RECORD_PAYMENT: "Record client payments",
    Perm.INVOICE_EXPORT: "Export the invoice list",
    Perm.PROJECT_COSTS: "Create and view project costs",
    Perm.SUBCONTRACT_CREATE: "Create subcontracting agreements",
    Perm.SUBCONTRACT_SETTLE: "Settle subcontracting agreements",
    Perm.SUBCONTRACT_REPORT: "Enter subcontractors' daily reports",
    Perm.PAYROLL_SETTLE: "Plan, settle and approve work shifts; see everyone's pay",
    Perm.PAYROLL_EXPORT: "Export payroll",
    Perm.PAYROLL_RATES: "Edit employees' pay rates (the HR tab)",
    Perm.PAYROLL_TRANSFER: "Transfer pay to accounting (locks the period)",
    Perm.CONTRACTOR_INVOICES: "Generate, approve and pay contractor invoices",
    Perm.PAYMENT_TERMS_MANAGE: "Manage payment-terms templates",
    Perm.AUDIT_VIEW: "Read the audit log",
}

_STAFF_LIKE = {Perm.TIME_ENTER, Perm.STAFF_INVITE, Perm.PRESETS_VIEW}
_SUBCONTRACTS = {Perm.SUBCONTRACT_CREATE, Perm.SUBCONTRACT_REPORT}
_PROJECT_ROLES = (
    _STAFF_LIKE
    | _SUBCONTRACTS
    | {
        Perm.INVOICE_VIEW_OWN_PROJECTS,
        Perm.PROJECT_COSTS,
    }
)

DEFAULT_MATRIX: dict[Role, frozenset[Perm]] = {
    Role.ADMINISTRATOR: frozenset(Perm),
    Role.ACCOUNTANT: frozenset(
        _STAFF_LIKE
        | {
            Perm.INVOICE_VIEW_ALL,
            Perm.INVOICE_ISSUE,
            Perm.INVOICE_RECORD_PAYMENT,
            Perm.PROJECT_COSTS,
            Perm.SUBCONTRACT_SETTLE,
            Perm.USERS_VIEW,
        }
    ),
    Role.MANAGER: frozenset(
        _STAFF_LIKE
        | {
            Perm.INVOICE_VIEW_ALL,
            Perm.PROJECT_COSTS,
            *_SUBCONTRACTS,
            Perm.TIME_APPROVE_ANY,
            Perm.WIP_MANAGE,
            Perm.DOCUMENTER_USE,
            Perm.USERS_VIEW,
            Perm.PAYROLL_SETTLE,
        }
    ),
    Role.PROJECT_MANAGER: frozenset(_PROJECT_ROLES),
    Role.PM_ASSISTANT: frozenset(_PROJECT_ROLES - {Perm.INVOICE_VIEW_OWN_PROJECTS}),
    Role.ESTIMATOR: frozenset(_PROJECT_ROLES),
    Role.HR: frozenset(
        _STAFF_LIKE
        | _SUBCONTRACTS
        | {Perm.USERS_VIEW, Perm.PAYROLL_SETTLE, Perm.PAYROLL_RATES, Perm.PAYROLL_TRANSFER}
    ),
    Role.STAFF: frozenset(_STAFF_LIKE),
    Role.CLIENT: frozenset({Perm.INVOICE_VIEW_OWN_CLIENT}),
    # a subcontractor's foreman: only the daily reports of the agreements they lead
    Role.FOREMAN: frozenset({Perm.SUBCONTRACT_REPORT}),
}

# Permissions an administrator must never lose, so nobody locks the firm out of its settings.
LOCKED_GRANTS: frozenset[tuple[Role, Perm]] = frozenset(
    {(Role.ADMINISTRATOR, Perm.PERMISSIONS_MANAGE), (Role.ADMINISTRATOR, Perm.USERS_MANAGE)}
)


def parse_role(value: str) -> Role:
    """The role named ``value`` (case-insensitive); ValueError lists the valid ones."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise ValueError(f"'{shown(value)}' is not a role; choose one of: {valid}") from None


OUTSIDERS = frozenset({Role.CLIENT, Role.FOREMAN})
"""Roles of people outside the firm: a client's user, a subcontractor's foreman."""


def can_invite(role: Role) -> bool:
    """Anyone inside the firm may invite people into their own staff group."""
    return role not in OUTSIDERS
