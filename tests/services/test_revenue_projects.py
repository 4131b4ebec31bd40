"""Revenue by project when one invoice covers a client's work on several projects."""

from __future__ import annotations

from tektoro_tui.services.administration.presets import (
    ActivityForm,
    CompanyForm,
    ProjectForm,
    RateCodeForm,
    TaskForm,
)
from tektoro_tui.services.base import Actor
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import PaymentForm
from tektoro_tui.services.pipeline.views import AllocationForm, TimeCardForm


def test_a_payment_is_shared_between_the_projects_of_its_invoice(
    services: Services, admin: Actor
) -> None:
    client = services.presets.save_company(admin, CompanyForm(name="Acme"))
    activity = services.presets.save_activity(admin, ActivityForm(name="Design"))
    rate = services.presets.save_rate_code(admin, RateCodeForm(name="Std", hourly_rate="100"))
    ids = []
    for name, hours in (("Roof", "1:00"), ("Hall", "2:00")):
        project = services.presets.save_project(admin, ProjectForm(name=name, client_id=client.id))
        task = services.presets.save_task(admin, TaskForm(project_id=project.id, name="Work"))
        entry = services.time.add_entry(
            admin,
            TimeCardForm(project.id, task.id, activity.id, rate.id, hours, work_date="2026-03-02"),
        )
        ids.append(entry.id)
    services.time.accept(admin, ids)
    services.time.approve(admin, ids)
    services.wip.allocate(admin, ids, AllocationForm(kind="bill"))
    record = services.wip.process(admin).documents[0]
    invoice = services.invoices.issue(admin, services.invoices.open_record(admin, record.id).id)
    assert invoice.project_id is None and invoice.gross.cents == 36_900
    services.invoices.record_payment(
        admin, invoice.number or "", PaymentForm("100.00", "2026-03-10")
    )

    rows = services.invoices.revenue(admin)
    assert [(r.project_name, r.amount.cents) for r in rows] == [("Hall", 6_667), ("Roof", 3_333)]
    assert sum(r.amount.cents for r in rows) == 10_000
