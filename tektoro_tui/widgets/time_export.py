"""Exporting the Time Report: the file written and the mail's words.

The file is written by the service as it reads the entries (``TimeService.export_report``),
exactly as the CLI's ``export time`` does; the format is asked by
:class:`~.dialogs.export_choice.ExportDialog`. "Mail to me" attaches the same table
(``TimeService.report_table``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import TektoroError
from ..exports.tables import table_to_xlsx_bytes
from ..paths import ensure_dir, exports_dir
from ..services.pipeline.views import ReportFilter, Totals
from .dialogs.confirm import NoticeDialog
from .formatting import hours
from .time_filter_bar import period_text

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services
    from ..services.mail import MailReceipt


def report_path(folder: Path, fmt: str, now: datetime) -> Path:
    """Where an export made at ``now`` goes: ``time-report-2024-05-06-090000.xlsx``."""
    return folder / f"time-report-{now:%Y-%m-%d-%H%M%S}.{fmt}"


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


def export_report(
    services: Services,
    actor: Actor,
    flt: ReportFilter,
    fmt: str,
    progress: Callable[[int, int], object] | None = None,
) -> Path:
    """Write the Time Report for ``flt`` into the exports folder as it is read (memory stays
    flat), telling ``progress`` (entries written, entries expected); the file's path."""
    folder = ensure_dir(exports_dir())
    path = report_path(folder, fmt, services.clock.now())
    return services.time.export_report(actor, flt, fmt, path, progress)


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
        from ..services.base import write_file

        ensure_dir(path.parent)
        return Mailed(None, error, write_file(path, data))
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
