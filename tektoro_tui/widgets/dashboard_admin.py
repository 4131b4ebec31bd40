"""The administrator's dashboard: the firm's money, what contractors are owed, compliance."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label, Static

from ..services.contractor_invoices.views import DOCUMENT_TYPE_LABELS, ComplianceRow
from ..services.reporting.views import AdminDashboard
from .dashboard_common import DashboardPanel, FigureTable, amount, currency_note, plural

GENERATOR_HINT = "g: generate a master invoice (Master invoices)"


def document_names(types: tuple[str, ...]) -> str:
    """Document types as people say them, comma separated."""
    return ", ".join(DOCUMENT_TYPE_LABELS.get(t, t) for t in types)


def compliance_line(row: ComplianceRow) -> str:
    """'Carl Contractor: missing Contract, Tax form; expired Insurance certificate'."""
    parts = [
        f"{what} {document_names(types)}"
        for what, types in (
            ("missing", row.missing),
            ("expired", row.expired),
            ("expiring soon", row.expiring),
        )
        if types
    ]
    return f"{row.user_name}: {'; '.join(parts)}"


class AdminPanel(DashboardPanel[AdminDashboard]):
    """Invoiced, paid, outstanding and overdue; contractors' master invoices; compliance."""

    def compose(self) -> ComposeResult:
        """The figures, top to bottom."""
        yield Label("Client invoices", id="money-title", classes="dashboard-head")
        yield FigureTable(("", ""), numeric=(1,), id="money", show_header=False)
        yield Static("", id="awaiting", classes="dashboard-line", markup=False)
        yield Label("Contractors", classes="dashboard-head")
        yield FigureTable(
            ("Contractor", "Inv.", "Invoiced", "Paid", "Owed"),
            numeric=(1, 2, 3, 4),
            id="contractors",
        )
        yield Static("", id="owed", classes="dashboard-line", markup=False)
        yield Label("Compliance", id="compliance-title", classes="dashboard-head")
        yield Static("", id="compliance-note", classes="dashboard-hint", markup=False)
        yield Static("", id="compliance", classes="dashboard-line", markup=False)

    def fill(self, board: AdminDashboard) -> None:
        """Show the administrator's figures."""
        self.query_one("#money-title", Label).update(
            f"Client invoices{currency_note([board.invoiced])}"
        )
        self.query_one("#money", FigureTable).fill(
            [
                ("Invoiced (gross)", amount(board.invoiced)),
                ("Paid", amount(board.paid)),
                ("Revenue (net of VAT)", amount(board.revenue)),
                ("Outstanding", amount(board.outstanding)),
                (f"Overdue ({plural(board.overdue_count, 'invoice')})", amount(board.overdue)),
            ]
        )
        awaiting = self.query_one("#awaiting", Static)
        hint = f" · {GENERATOR_HINT}" if board.may_generate else ""
        awaiting.update(f"Master invoices awaiting approval: {board.awaiting_approval}{hint}")
        awaiting.set_class(board.awaiting_approval > 0, "dashboard-alert")
        self.query_one("#contractors", FigureTable).fill(
            (
                row.name,
                str(row.invoices),
                amount(row.invoiced),
                amount(row.paid),
                amount(row.outstanding),
            )
            for row in board.contractors
        )
        self.query_one("#owed", Static).update(
            f"Owed to contractors: {board.contractors_outstanding}"
        )
        self._show_compliance(board.compliance)

    def _show_compliance(self, rows: tuple[ComplianceRow, ...] | None) -> None:
        for part in ("#compliance-title", "#compliance-note", "#compliance"):
            self.query_one(part).display = rows is not None
        if rows is None:  # the viewer does not keep the register: say nothing about it
            return
        problems = [row for row in rows if not row.compliant]
        note = (
            f"{plural(len(problems), 'contractor')} missing documents or with expired ones"
            if problems
            else "Every contractor's required documents are on file and valid."
        )
        self.query_one("#compliance-note", Static).update(note + " (the register: Compliance)")
        lines = [compliance_line(row) for row in rows if row.missing or row.expired or row.expiring]
        box = self.query_one("#compliance", Static)
        box.display = bool(lines)
        box.update("\n".join(lines))
