"""Exporting a shown report to the exports folder, and mailing it to oneself.

These run in a screen's thread worker. A report is always written to a file before it is
mailed, so when the mail server fails nothing is lost: the error says so and the file stays.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.validation import Form
from ..errors import TektoroError
from ..exports.filenames import safe_filename
from ..exports.model import Table
from ..paths import ensure_dir, exports_dir

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services
    from ..services.mail import MailReceipt

EXPORT_FORMATS = ("csv", "xlsx")


def report_file_name(report: Table, fmt: str) -> str:
    """'Receivables-aging-As-of-2024-05-06.xlsx' from the report's title and subtitle."""
    return f"{safe_filename(f'{report.title} {report.subtitle}'.strip())}.{fmt}"


def export_report(report: Table, fmt: str) -> Path:
    """Write ``report`` as CSV or XLSX into the exports folder and return the file's path."""
    from ..services.base import write_table

    return write_table(report, fmt, exports_folder() / report_file_name(report, fmt))


def exports_folder() -> Path:
    """The exports folder, made if it is not there.

    Raises:
        TektoroError: it cannot be made.
    """
    try:
        return ensure_dir(exports_dir())
    except OSError as exc:
        raise TektoroError(
            f"Could not make the exports folder {exports_dir()}: {exc.strerror or exc}.",
            title="Could not save the file",
        ) from exc


def report_summary(report: Table) -> str:
    """The mail's short summary: what the report is, how many rows, and each of its totals.

    Every total is named by its column ("Revenue (net): 120.00 EUR."), so a report with net, VAT
    and gross totals never leaves the reader to guess which one a bare "Total" means.
    """
    lines = [report.title]
    if report.subtitle:
        lines.append(report.subtitle)
    lines.append(f"{len(report.rows)} row(s).")
    if report.totals is not None:
        for column, total in zip(report.columns, report.totals, strict=False):
            if column.kind == "money" and total not in (None, ""):
                lines.append(f"{column.heading}: {total}.")
    return "\n".join(lines)


def mail_report(services: Services, actor: Actor, report: Table, path: Path) -> MailReceipt:
    """Mail ``report``, already written to ``path`` as XLSX, to ``actor``'s own address.

    Raises:
        MailError, ConfigError: nothing was sent; the written file is kept.
    """
    return services.mail.send_to_self(
        actor,
        subject=f"{report.title} ({report.subtitle})" if report.subtitle else report.title,
        body=report_summary(report),
        attachment_name=path.name,
        attachment=path.read_bytes(),
    )


def report_dates(fields: dict[str, str]) -> dict[str, date | None]:
    """Typed dates of a report by field name (blank is None); every bad one at once.

    Raises:
        ValidationError: a date that cannot be read.
    """
    check = Form()
    dates = {name: check.date(name, text, required=False) for name, text in fields.items()}
    check.raise_if_any()
    return dates
