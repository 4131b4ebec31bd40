"""What the project service hands out and takes in: frozen rows and forms of text fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ...domain.money import Money
from ...domain.settlement import ProjectBalance, Suggestion

COST_TYPES = ("material", "salary", "equipment", "other")
"""The types of a project cost, as stored."""

COST_TYPE_LABELS = {
    "material": "Material",
    "salary": "Salary",
    "equipment": "Equipment",
    "other": "Other",
}
VALUATION_LABELS = {"fixed": "Fixed", "tm": "Time and material"}
BILLING_LABELS = {"": "not billed yet", "time": "time pipeline", "settlement": "settlement"}
PROJECT_STATUSES = ("active", "on_hold", "completed")


@dataclass(frozen=True)
class ProjectFilter:
    """Filters of the project list; empty fields filter nothing."""

    search: str = ""  # part of the name, the code or the client's name
    client_id: int | None = None
    valuation: str = ""  # fixed | tm
    status: str = ""  # active | on_hold | completed


@dataclass(frozen=True)
class ProjectRow:
    """One project of the list with its money at a glance."""

    id: int
    code: str
    name: str
    client_name: str
    valuation: str
    status: str
    progress_pct: int
    billing: str  # "", "time" or "settlement": what its first invoice decided
    contract_with_changes: Money | None
    invoiced: Money
    paid: Money
    costs: Money
    result: Money

    @property
    def valuation_label(self) -> str:
        """Fixed or time and material, in words."""
        return VALUATION_LABELS.get(self.valuation, self.valuation)


@dataclass(frozen=True)
class ProjectList:
    """A page of the project list and how many match in all."""

    rows: tuple[ProjectRow, ...]
    total: int


@dataclass(frozen=True)
class ChangeView:
    """A change order of a project."""

    id: int
    version: int
    project_id: int
    project_name: str
    number: int
    description: str
    change_date: date
    amount: Money
    approved: bool
    invoiced_by: tuple[str, ...] = ()  # numbers of the invoices that name it


@dataclass(frozen=True)
class ChangeForm:
    """Adding or editing a change order: every field as typed."""

    description: str = ""
    change_date: str = ""  # blank: today
    amount: str = ""  # may be negative
    approved: bool = False


@dataclass(frozen=True)
class SettledRow:
    """An invoice of a project, as its Invoices tab shows it."""

    id: int
    number: str
    kind: str
    external: bool
    change_number: int | None
    issue_date: date | None
    status: str
    net: Money
    vat: Money
    gross: Money
    paid: Money


@dataclass(frozen=True)
class ProjectDetail:
    """One project: its figures, invoices, changes and balance (the tabs of its screen)."""

    row: ProjectRow
    contract: Money | None
    approved_changes: Money
    method: str | None  # "partial_total" | "advance_final" once an invoice fixed it
    next_kinds: tuple[str, ...]  # the kinds of settlement invoice it may take now
    invoices: tuple[SettledRow, ...]
    changes: tuple[ChangeView, ...]
    balance: ProjectBalance
    start_date: date | None
    end_date: date | None
    project_manager: str
    client_contact_email: str


@dataclass(frozen=True)
class MonthFigures:
    """Invoiced (net) and costs of one calendar month, for the balance's bars."""

    month: str  # 2026-03
    invoiced: Money
    costs: Money


@dataclass(frozen=True)
class BalanceView:
    """A project's financial balance with a bar per month."""

    project_id: int
    project_name: str
    balance: ProjectBalance
    months: tuple[MonthFigures, ...]


@dataclass(frozen=True)
class SuggestionView:
    """The suggested net of the next settlement invoice and how it was reached."""

    project_id: int
    project_name: str
    kind: str
    suggestion: Suggestion
    period_from: date | None
    period_to: date
    vat_bp: int
    payment_days: int
    footer: str
    notes: tuple[str, ...] = ()  # what was left out and why (e.g. unapproved time)


@dataclass(frozen=True)
class SettlementForm:
    """The settlement invoice form: every field as typed; blanks take the suggestion or the
    organisation's default."""

    kind: str = ""  # partial | total | advance | final
    issue_date: str = ""  # blank: today
    due_date: str = ""  # blank: issue date + the organisation's payment days
    service: str = ""  # the name of the goods or service
    net: str = ""  # blank: the suggested net
    vat_rate: str = ""  # percent; blank: the organisation's default rate
    footer: str | None = None  # None: the organisation's footer
    progress_pct: str = ""  # blank: leave the project's progress as it is
    paid_amount: str = ""  # records a payment at once
    paid_in_full: bool = False
    change_number: str = ""  # the change order this invoice settles
    period_from: str = ""
    period_to: str = ""
    send_to: str = ""  # e-mail the PDF to this address after issuing


@dataclass(frozen=True)
class ExternalForm:
    """An invoice issued in another program, recorded against a project."""

    number: str = ""
    issue_date: str = ""
    net: str = ""
    vat: str = ""  # the VAT amount as on the document
    gross: str = ""  # optional: checked to be net + VAT
    kind: str = ""  # blank: partial or advance, as the project is settled
    vat_rate: str = ""  # percent; blank: worked out from net and VAT when it is a usual rate
    due_date: str = ""
    service: str = ""
    change_number: str = ""
    credits: str = ""  # the external number of the recorded invoice this credit note cancels
    attachment: str = ""  # path of the PDF to keep with it
    paid_amount: str = ""  # records a payment at once
    paid_in_full: bool = False
    paid_on: str = ""  # blank: its issue date


@dataclass(frozen=True)
class IssuedSettlement:
    """What issuing a settlement invoice did."""

    invoice_id: int
    number: str
    kind: str
    net: Money
    vat: Money
    gross: Money
    lines: tuple[tuple[str, Money, int, Money], ...]  # description, net, VAT rate, VAT
    paid: Money
    progress_pct: int | None
    sent: str = ""  # what happened to the e-mail
    dry_run: bool = False


@dataclass(frozen=True)
class CostFilter:
    """Filters of the cost register."""

    project_id: int | None = None
    cost_type: str = ""
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""


@dataclass(frozen=True)
class CostView:
    """One project cost."""

    id: int
    version: int
    project_id: int
    project_name: str
    name: str
    supplier_invoice_number: str
    note: str
    cost_date: date
    cost_type: str
    amount: Money

    @property
    def type_label(self) -> str:
        """The type in words."""
        return COST_TYPE_LABELS.get(self.cost_type, self.cost_type)


@dataclass(frozen=True)
class CostForm:
    """The cost form: every field as typed."""

    project: str = ""  # the project's id, code or name
    name: str = ""
    supplier_invoice_number: str = ""
    note: str = ""
    cost_date: str = ""  # blank: today
    cost_type: str = ""
    amount: str = ""


@dataclass(frozen=True)
class CostList:
    """A filtered cost register (its newest costs, or the first page of them) with the total,
    the total by type and the count of every cost the filter matches."""

    rows: tuple[CostView, ...]
    total: Money
    by_type: tuple[tuple[str, Money], ...] = field(default_factory=tuple)
    count: int | None = None
    """How many costs match when ``rows`` is a page of them; None when ``rows`` is all."""

    @property
    def total_count(self) -> int:
        """How many costs match, whether or not all of them were read."""
        return len(self.rows) if self.count is None else self.count
