"""Write benchmarks of the time pipeline on a throw-away copy of the large demo database.

    python benchmarks/pipeline.py [--source benchmarks/bench.db]

Prints: accepting 1,000 entries in one action (goal < 1 s), approving 1,000 (goal < 1 s),
processing a WIP of 10,000 entries (goal < 5 s) and rendering a 20-line invoice PDF (goal
< 300 ms). The source database (built by benchmarks/run.py) is copied first and never changed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PASSWORD = "demo-pass-2026"
PIPELINE_FIGURES: list[tuple[str, float, str]] = []


def timed(label: str, goal: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` once, record its wall time under ``label``, return its result."""
    start = time.perf_counter()
    result = fn()
    PIPELINE_FIGURES.append((label, (time.perf_counter() - start) * 1000, goal))
    return result


def ids_where(services: Any, sql: str, **params: Any) -> list[int]:
    """Entry ids chosen with plain SQL (set-up only, not measured)."""
    from sqlalchemy import text

    with services.db.read() as session:
        return [row[0] for row in session.execute(text(sql), params)]


def owner_with(services: Any, status: str, at_least: int) -> int:
    """An owner with at least ``at_least`` entries of ``status`` who has a supervisor."""
    found = ids_where(
        services,
        "SELECT t.owner_id FROM time_entry t JOIN user_account u ON u.id = t.owner_id "
        "WHERE t.status = :s AND u.supervisor_id IS NOT NULL "
        "GROUP BY t.owner_id HAVING count(*) >= :n ORDER BY count(*) DESC LIMIT 1",
        s=status,
        n=at_least,
    )
    if not found:
        raise SystemExit(f"no owner with {at_least} {status} entries in the source database")
    return found[0]


def bench(services: Any) -> None:
    """Run each measured action once on the copy."""
    from tektoro_tui.services.pipeline.views import AllocationForm

    admin_id = ids_where(services, "SELECT id FROM user_account WHERE role='administrator'")[0]
    admin = services.auth.actor(admin_id)

    drafter = services.auth.actor(owner_with(services, "draft", 1000))
    drafts = ids_where(
        services,
        "SELECT id FROM time_entry WHERE owner_id=:o AND status='draft' LIMIT 1000",
        o=drafter.user_id,
    )
    timed("accept 1,000 entries", "goal < 1000 ms", lambda: services.time.accept(drafter, drafts))

    owner = owner_with(services, "accepted", 1000)
    supervisor_id = ids_where(
        services, "SELECT supervisor_id FROM user_account WHERE id=:o", o=owner
    )[0]
    supervisor = services.auth.actor(supervisor_id)
    accepted = ids_where(
        services,
        "SELECT id FROM time_entry WHERE owner_id=:o AND status='accepted' LIMIT 1000",
        o=owner,
    )
    timed(
        "approve 1,000 entries",
        "goal < 1000 ms",
        lambda: services.time.approve(supervisor, accepted),
    )

    allocated = ids_where(services, "SELECT id FROM time_entry WHERE status='allocated'")
    services.wip.release(admin, allocated)
    approved = ids_where(
        services, "SELECT id FROM time_entry WHERE status='approved' ORDER BY id LIMIT 10000"
    )
    services.wip.allocate(admin, approved, AllocationForm(kind="bill"))
    result = timed(
        "process a WIP of 10,000 entries", "goal < 5000 ms", lambda: services.wip.process(admin)
    )
    print(f"  processed {result.totals.entries:,} entries into {len(result.documents)} records")

    record = next(d for d in result.documents if d.kind == "invoice")
    draft = services.invoices.open_record(admin, record.id)
    lines = len(draft.lines)
    issued = services.invoices.issue(admin, draft.id)
    pdf_ms = pdf_render_ms(services, admin, issued.number, tempfile.mkdtemp())
    PIPELINE_FIGURES.append((f"invoice PDF ({lines} lines), median of 5", pdf_ms, "for scale"))
    small = twenty_line_invoice(services, admin)
    PIPELINE_FIGURES.append(
        (
            "invoice PDF (20 lines), median of 5",
            pdf_render_ms(services, admin, small, tempfile.mkdtemp()),
            "goal < 300 ms",
        )
    )


def twenty_line_invoice(services: Any, admin: Any) -> str:
    """Issue an invoice of exactly 20 billed entries and return its number."""
    from tektoro_tui.services.pipeline.views import AllocationForm

    client = ids_where(services, "SELECT id FROM company WHERE kind='client' ORDER BY id")[0]
    twenty = ids_where(
        services,
        "SELECT t.id FROM time_entry t JOIN project p ON p.id = t.project_id "
        "WHERE t.status='approved' AND p.client_id=:c ORDER BY t.id LIMIT 20",
        c=client,
    )
    services.wip.allocate(admin, twenty, AllocationForm(kind="bill"))
    result = services.wip.process(admin, client_id=client)
    record = next(d for d in result.documents if d.kind == "invoice")
    draft = services.invoices.open_record(admin, record.id)
    return str(services.invoices.issue(admin, draft.id).number)


def pdf_render_ms(services: Any, admin: Any, number: str, folder: str) -> float:
    """Median milliseconds of rendering the invoice as PDF (first render excluded)."""
    services.invoices.render(admin, number, fmt="pdf", out=Path(folder))
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        services.invoices.render(admin, number, fmt="pdf", out=Path(folder))
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    """Copy the source database, run the measured actions, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(HERE / "bench.db"))
    args = parser.parse_args()
    source = Path(args.source)
    if not source.exists():
        raise SystemExit("build the source first: python benchmarks/run.py")
    os.environ.setdefault("TEKTORO_HOME", str(HERE / ".home"))
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copyfile(source, copy)
        from tektoro_tui.services.hub import Services

        services = Services.connect(f"sqlite:///{copy}")
        try:
            bench(services)
        finally:
            services.close()
    width = max(len(label) for label, _, _ in PIPELINE_FIGURES)
    print(f"\n{'measure'.ljust(width)}  ms        note")
    for label, ms, goal in PIPELINE_FIGURES:
        print(f"{label.ljust(width)}  {ms:8.1f}  {goal}")


if __name__ == "__main__":
    main()
