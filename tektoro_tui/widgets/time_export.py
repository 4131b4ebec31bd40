"""Exporting the Time Report: choosing CSV or XLSX, the file written, and the mail's words.

The table itself comes from the service (``TimeService.report_table``) and is written by the
shared writers in :mod:`tektoro_tui.exports.tables`, exactly as the CLI's ``export time`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Static

from ..errors import TektoroError
from ..exports.model import Table
from ..exports.tables import table_to_xlsx_bytes
from ..paths import ensure_dir, exports_dir
from ..services.pipeline.views import ReportFilter, Totals
from .dialogs import NoticeDialog
from .formatting import hours
from .time_filter_bar import period_text

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services
    from ..services.mail import MailReceipt

FORMATS = ("csv", "xlsx")


class ExportDialog(ModalScreen[str | None]):
    """Ask for the file format; returns "csv", "xlsx" or None."""

    DEFAULT_CSS = """
    ExportDialog {
        align: center middle;
    }
    ExportDialog > Vertical {
        width: 56;
        max-width: 100%;
        height: auto;
        background: $panel;
        border: thick $primary;
        padding: 0 1;
    }
    ExportDialog #export-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ExportDialog #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ExportDialog Button {
        margin-left: 1;
    }
    """

    BINDINGS = [
        Binding("c", "choose('csv')", "CSV"),
        Binding("x", "choose('xlsx')", "XLSX"),
        Binding("escape", "choose('')", "Cancel"),
        Binding("left,right", "app.focus_next", "Other button", show=False),
    ]

    def __init__(self, what: str) -> None:
        """Ask how to export ``what`` (e.g. "12 entries · 34:30 h · 2,760.00 EUR")."""
        super().__init__()
        self._what = what

    def compose(self) -> ComposeResult:
        """The title, what is exported and one button per format."""
        with Vertical():
            yield Label("Export what is shown", id="export-title")
            yield Static(self._what, id="export-what", markup=False)
            with Horizontal(id="buttons"):
                yield Button("XLSX", variant="primary", id="xlsx")
                yield Button("CSV", id="csv")
                yield Button("Cancel", id="cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start on XLSX."""
        self.query_one("#xlsx", Button).focus()

    def action_choose(self, fmt: str) -> None:
        """Close with the chosen format ("" cancels)."""
        self.dismiss(fmt if fmt in FORMATS else None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Close with the button's format."""
        event.stop()
        self.action_choose(event.button.id or "")


def report_path(folder: Path, fmt: str, now: datetime) -> Path:
    """Where an export made at ``now`` goes: ``time-report-2024-05-06-090000.xlsx``."""
    return folder / f"time-report-{now:%Y-%m-%d-%H%M%S}.{fmt}"


def write_report(table: Table, fmt: str, path: Path) -> Path:
    """Write ``table`` to ``path`` as CSV or XLSX and return the path."""
    from ..services.base import write_table

    return write_table(table, fmt, path)


def mail_text(flt: ReportFilter, totals: Totals) -> tuple[str, str]:
    """The subject and the short summary body of "mail to me"."""
    period = period_text(flt)
    subject = f"Time report, {period}"
    lines = [
        f"Time report for {period}.",
        "",
        f"Entries: {totals.entries}",
        f"Hours:   {hours(totals.minutes)}",
        f"Value:   {totals.value}",
    ]
    if flt.statuses:
        lines.insert(1, "Status: " + ", ".join(flt.statuses))
    return subject, "\n".join(lines)


# --- the work, run in a thread worker -----------------------------------------------------------


def export_report(services: Services, actor: Actor, flt: ReportFilter, fmt: str) -> Path:
    """Write the Time Report for ``flt`` into the exports folder; the file's path."""
    table = services.time.report_table(actor, flt)
    folder = ensure_dir(exports_dir())
    return write_report(table, fmt, report_path(folder, fmt, services.clock.now()))


@dataclass(frozen=True)
class Mailed:
    """What "mail to me" did: the receipt, or the error and where the report was kept."""

    receipt: MailReceipt | None
    error: TektoroError | None = None
    kept_at: Path | None = None


def mail_report(services: Services, actor: Actor, flt: ReportFilter) -> Mailed:
    """Mail the Time Report for ``flt`` to ``actor`` as XLSX with a summary of its totals.

    When the mail cannot go, the XLSX is saved in the exports folder instead, so nothing is
    lost, and the error comes back with the file's path.
    """
    data = table_to_xlsx_bytes(services.time.report_table(actor, flt))
    subject, body = mail_text(flt, services.time.report(actor, flt, limit=1).totals)
    path = report_path(exports_dir(), "xlsx", services.clock.now())
    try:
        receipt = services.mail.send_to_self(
            actor, subject=subject, body=body, attachment_name=path.name, attachment=data
        )
    except TektoroError as error:
        ensure_dir(path.parent)
        path.write_bytes(data)
        return Mailed(None, error, path)
    return Mailed(receipt)


def not_sent_notice(outcome: Mailed) -> NoticeDialog:
    """The dialog that says why the mail did not go and where the report is kept."""
    error = outcome.error
    return NoticeDialog(
        error.title if error else "Mail not sent",
        error.message if error else "The report was not sent.",
        str(outcome.kept_at or ""),
        "The report is saved there, so nothing is lost. Press c to copy the path.",
    )
