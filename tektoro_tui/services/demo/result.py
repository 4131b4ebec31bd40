"""What building the demo firm made (its logins, how many records of each kind), and how it
reports progress on the way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from ...domain.states import PayStatus, TimeEntryStatus

Progress = Callable[[str], None]
"""Told a line of text after each step of the build (the command line prints it)."""


class DemoLogin(NamedTuple):
    """One person who can log in to the demo firm."""

    name: str
    email: str
    role: str
    supervisor: str


@dataclass(frozen=True)
class DemoResult:
    """What :func:`build_demo` made: who can log in and how many records of each kind."""

    organisation: str
    password: str
    logins: tuple[DemoLogin, ...]
    status_counts: Mapping[str, int]
    pay_status_counts: Mapping[str, int]
    documents: int
    document_lines: int
    elapsed_seconds: float
    first_day: date | None = None
    last_day: date | None = None
    finance: Mapping[str, int] = field(default_factory=dict)

    @property
    def entries(self) -> int:
        """How many time entries were generated."""
        return sum(self.status_counts.values())

    def summary(self) -> str:
        """A printable account of the demo firm: its logins, the shared password, the counts."""
        lines = [
            f"Demo firm '{self.organisation}' is ready ({self.elapsed_seconds:.1f} s).",
            f"Every login below uses the password: {self.password}",
            "",
        ]
        widths = [max(len(row[i]) for row in [*self.logins, _LOGIN_HEADER]) for i in range(3)]
        for row in (_LOGIN_HEADER, *self.logins):
            lines.append(
                f"  {row.name:<{widths[0]}}  {row.email:<{widths[1]}}  "
                f"{row.role:<{widths[2]}}  {row.supervisor}".rstrip()
            )
        span = (
            f" from {self.first_day:%Y-%m-%d} to {self.last_day:%Y-%m-%d}"
            if self.first_day and self.last_day
            else ""
        )
        lines += ["", f"Time entries: {self.entries:,}{span}"]
        for status in TimeEntryStatus:
            lines.append(f"  {status.value:<10} {self.status_counts.get(status.value, 0):>10,}")
        lines.append(
            "Pay status: "
            + ", ".join(
                f"{status.value} {self.pay_status_counts.get(status.value, 0):,}"
                for status in PayStatus
            )
        )
        lines.append(f"Document records: {self.documents:,} with {self.document_lines:,} lines.")
        if self.finance:
            lines += self._finance_lines()
        return "\n".join(lines)

    def _finance_lines(self) -> list[str]:
        """The client and contractor invoices, terms and compliance documents made."""
        counts = self.finance
        issued = counts.get("client_invoices", 0)
        paid = counts.get("client_invoices_paid", 0)
        partly = counts.get("client_invoices_partially_paid", 0)
        crews = (
            [
                f"Crew pay: {counts['crew_members']} crew members, "
                f"{counts.get('work_shifts', 0):,} work shifts, "
                f"{counts.get('payroll_periods', 0)} periods transferred to accounting."
            ]
            if counts.get("crew_members")
            else []
        )
        return [
            f"Client invoices: {issued} issued ({paid} paid, {partly} partially paid, "
            f"{issued - paid - partly} unpaid; {counts.get('client_invoices_sent', 0)} marked "
            f"sent) with {counts.get('client_payments', 0)} payments.",
            f"Contractor master invoices: {counts.get('master_invoices', 0)} with "
            f"{counts.get('payments', 0)} payments; "
            f"{counts.get('payment_terms', 0)} payment-terms templates; "
            f"{counts.get('compliance_documents', 0)} compliance documents.",
            *crews,
        ]


_LOGIN_HEADER = DemoLogin("Name", "E-mail", "Role", "Supervisor")
