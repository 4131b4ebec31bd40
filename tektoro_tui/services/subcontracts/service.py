"""Subcontracting agreements: the agreements, their work schedules and daily reports, the
files kept with them and their settlement stages (seed 003, DESIGN.md §9).

Who does what (the live permission matrix decides):

* ``subcontract.create`` (PM assistant, HR, manager, project manager, estimator,
  administrator): agreements, schedules, files; project managers and estimators only on their
  own projects;
* ``subcontract.settle`` (accountant, administrator): settlement stages;
* ``subcontract.report``: daily reports; a login of the ``foreman`` role sees only the
  agreements whose crews it leads and enters and corrects only its own crew's reports.

Money: a fixed agreement's contract amount is typed; a time-and-material agreement's is the sum
of its daily reports, each priced by the pay rule of ``domain/pay.py`` (headcount × hours ×
rate, with the % rates for hours over the day length and outside the working window). A day is
settled once a settlement stage is dated on or after it: its report is no longer corrected.
Stages are append-only (a trigger refuses any change); paying more than the contract amount is
refused. The running totals kept on the agreement row are re-derived by ``tektoro check``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from ...data import models as m
from ...domain.money import Money
from ...domain.permissions import Perm, Role
from ...domain.timeparse import clock_text
from ...domain.validation import Form
from ...domain.values import id_or_none, name_key
from ...errors import (
    IllegalTransition,
    NotFound,
    Problem,
    ValidationError,
    shown,
)
from ...exports.model import Column, Table
from ..base import (
    Actor,
    ServiceBase,
    UnitOfWork,
    export_format,
    org_currency,
    org_today,
    organisation,
    row_dict,
    write_table,
)
from ..projects import figures as pf
from ..versions import check_version
from ..worktime import clean_rates, pay_rules, store_type_rates, work_type_id, yes_no
from . import rules as r
from .views import (
    LATE_MINUTES,
    MAX_ATTACHMENT_BYTES,
    MAX_HEADCOUNT,
    MAX_PLAN_DAYS,
    STATUS_ACTIVE,
    STATUS_COMPLETED,
    STATUSES,
    AgreementDetail,
    AgreementFilter,
    AgreementForm,
    AgreementList,
    AgreementRow,
    AttachmentView,
    PlanResult,
    RateView,
    ReportForm,
    ReportView,
    ScheduleDay,
    ScheduleForm,
    ScheduleView,
    StageForm,
    StageResult,
    StageView,
)

_PLAN_RATES = ("custom_rates", "over_day_bp", "outside_window_bp")
"""A planned day's fields that price its report."""
_FILE_OMIT = ("content",)


class SubcontractService(ServiceBase):
    """Agreements, schedules, daily reports, files and settlement stages."""

    # --- reading ------------------------------------------------------------------------------

    def list(self, actor: Actor, flt: AgreementFilter | None = None) -> AgreementList:
        """A page of the agreements the actor may see, newest first, with the money of all
        that match.

        Raises:
            ValidationError: an unknown status.
        """
        chosen = flt or AgreementFilter()
        with self._read(actor) as session:
            viewer = r.Viewer(session, actor)
            return _listing(session, viewer, chosen, org_today(session, self.clock.now()))

    def detail(self, actor: Actor, key: str | int) -> AgreementDetail:
        """One agreement with its rates, files, stages and schedule beside its reports."""
        with self._read(actor) as session:
            viewer = r.Viewer(session, actor)
            row = r.find_agreement(session, viewer, key)
            return _detail(session, viewer, row, org_today(session, self.clock.now()))

    def work_types(self, actor: Actor) -> tuple[tuple[int, str], ...]:
        """The active types of work, by name (for the forms' choices)."""
        with self._read(actor) as session:
            r.Viewer(session, actor)
            return tuple(
                (int(i), str(n))
                for i, n in session.execute(
                    select(m.WorkType.id, m.WorkType.name)
                    .where(m.WorkType.is_active.is_(True))  # type: ignore[attr-defined]
                    .order_by(m.WorkType.name, m.WorkType.id)
                ).all()
            )

    def choices(
        self, actor: Actor
    ) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
        """(name, id) of the projects an agreement may be made for (not completed) and of
        the active subcontractors, by name: the agreement form's choices."""
        with self._read(actor) as session:
            viewer = r.Viewer(session, actor)
            viewer.require(Perm.SUBCONTRACT_CREATE, "create subcontracting agreements")
            projects = tuple(
                (str(n), str(i))
                for i, n in session.execute(
                    select(m.Project.id, m.Project.name)
                    .where(viewer.projects(), m.Project.status != "completed")
                    .order_by(m.Project.name, m.Project.id)
                ).all()
            )
            companies = tuple(
                (str(n), str(i))
                for i, n in session.execute(
                    select(m.Company.id, m.Company.name)
                    .where(
                        m.Company.kind == "subcontractor",
                        m.Company.is_active.is_(True),  # type: ignore[attr-defined]
                    )
                    .order_by(m.Company.name, m.Company.id)
                ).all()
            )
            return projects, companies

    def foremen(self, actor: Actor, key: str | int) -> tuple[tuple[int, str], ...]:
        """The subcontractor's active contacts: who may lead the agreement's crews."""
        with self._read(actor) as session:
            viewer = r.Viewer(session, actor)
            row = r.find_agreement(session, viewer, key)
            return tuple(
                (int(i), str(n))
                for i, n in session.execute(
                    select(m.Contact.id, m.Contact.name)
                    .where(
                        m.Contact.company_id == row.subcontractor_id,
                        m.Contact.is_active.is_(True),  # type: ignore[attr-defined]
                    )
                    .order_by(m.Contact.name, m.Contact.id)
                ).all()
            )

    def reports(
        self, actor: Actor, key: str | int, *, date_from: date | None = None,
        date_to: date | None = None,
    ) -> tuple[ReportView, ...]:  # fmt: skip
        """The agreement's daily reports (a foreman: their crew's), oldest first."""
        with self._read(actor) as session:
            viewer = r.Viewer(session, actor)
            row = r.find_agreement(session, viewer, key)
            return _reports(session, viewer, row, date_from=date_from, date_to=date_to)

    def schedule(self, actor: Actor, key: str | int) -> tuple[ScheduleView, ...]:
        """The agreement's planned days (a foreman: their crew's), in date order."""
        with self._read(actor) as session:
            viewer = r.Viewer(session, actor)
            row = r.find_agreement(session, viewer, key)
            return _schedules(session, viewer, row)

    def attachment(self, actor: Actor, key: str | int, file_id: int) -> tuple[str, bytes]:
        """The name and bytes of a file kept with the agreement."""
        with self._read(actor) as session:
            viewer = r.Viewer(session, actor)
            row = r.find_agreement(session, viewer, key)
            found = session.execute(
                select(m.SubcontractAttachment.file_name, m.SubcontractAttachment.content).where(
                    m.SubcontractAttachment.id == file_id,
                    m.SubcontractAttachment.agreement_id == row.id,
                )
            ).one_or_none()
            if found is None:
                raise NotFound(f"Agreement {row.number} keeps no file #{file_id}.")
            return str(found.file_name), bytes(found.content)

    def table(self, actor: Actor, flt: AgreementFilter | None = None) -> Table:
        """The agreement list as a table for CSV/XLSX (every match, not one page)."""
        chosen = flt or AgreementFilter(status="all")
        with self._read(actor) as session:
            viewer = r.Viewer(session, actor)
            viewer.require(Perm.INVOICE_EXPORT, "export lists")
            today = org_today(session, self.clock.now())
            listing = _listing(
                session, viewer, AgreementFilter(**{**chosen.__dict__, "limit": 0}), today
            )
        rows = tuple(
            (
                a.number,
                a.project_name,
                a.subcontractor_name,
                a.scope,
                a.contract_date,
                a.deadline,
                "yes" if a.time_and_material else "no",
                a.contract_amount,
                a.paid,
                a.remaining,
                a.status_label,
            )
            for a in listing.rows
        )
        totals = (
            "Total",
            f"{len(rows)} agreements",
            "",
            "",
            None,
            None,
            "",
            listing.contract_amount,
            listing.paid,
            listing.remaining,
            "",
        )
        return Table(
            title="Subcontracting agreements",
            subtitle=f"As of {today.isoformat()}",
            columns=_COLUMNS,
            rows=rows,
            totals=totals,
        )

    def export(self, actor: Actor, fmt: str, out: Path, flt: AgreementFilter | None = None) -> Path:
        """Write the agreement list as CSV or XLSX."""
        kind = export_format(fmt)
        return write_table(self.table(actor, flt), kind, out)

    # --- agreements ---------------------------------------------------------------------------

    def add(self, actor: Actor, form: AgreementForm) -> AgreementDetail:
        """Make an agreement with the next number of its contract year's series.

        Raises:
            ValidationError: every field that is wrong, at once.
        """
        with self._write(actor) as uow:
            session = uow.session
            viewer = r.Viewer(session, actor)
            viewer.require(Perm.SUBCONTRACT_CREATE, "create subcontracting agreements")
            today = org_today(session, uow.now)
            values, rates = _clean_agreement(session, viewer, form, None, today)
            year = values["contract_date"].year
            seq = _next_number(session, year, uow.backend)
            row = m.SubcontractAgreement(
                number=r.number_text(year, seq),
                year=year,
                seq=seq,
                created_by_id=actor.user_id,
                created_at=uow.now,
                **values,
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            _store_rates(session, row.id, rates)
            uow.audit(
                "subcontract.add",
                "subcontract_agreement",
                row.id,
                None,
                {**row_dict(row), "rates": _rates_text(session, row.id)},
            )
            return _detail(session, viewer, row, today)

    def edit(
        self, actor: Actor, key: str | int, form: AgreementForm, *, version: int | None = None
    ) -> AgreementDetail:
        """Change an agreement (blank fields keep what is stored).

        A changed hourly rate or % rate re-prices the reports of days not yet settled.

        Raises:
            StaleEdit: someone saved it since ``version``.
            ValidationError: a wrong field, or a change that would take the contract amount
                below what was paid.
        """
        with self._write(actor) as uow:
            session = uow.session
            viewer = r.Viewer(session, actor)
            viewer.require(Perm.SUBCONTRACT_CREATE, "edit subcontracting agreements")
            row = r.find_agreement(session, viewer, key, lock=True)
            assert row.id is not None
            check_version(session, row, version, "subcontract_agreement", f"Agreement {row.number}")
            today = org_today(session, uow.now)
            before = {**row_dict(row), "rates": _rates_text(session, row.id)}
            values, rates = _clean_agreement(session, viewer, form, row, today)
            terms = ("hourly_rate_cents", "over_day_bp", "outside_window_bp")
            repricing = rates is not None or any(
                name in values and values[name] != before[name] for name in terms
            )
            for name, value in values.items():
                setattr(row, name, value)
            _store_rates(session, row.id, rates)
            session.flush()
            if repricing:
                _reprice_open_reports(session, row)
            if r.contract_cents(row) < row.paid_cents:
                raise ValidationError(
                    [
                        Problem(
                            "fixed_amount" if not row.time_and_material else "hourly_rate",
                            f"would take the contract amount to "
                            f"{_money(session, r.contract_cents(row))}, below the "
                            f"{_money(session, row.paid_cents)} already paid",
                        )
                    ]
                )
            uow.audit(
                "subcontract.edit",
                "subcontract_agreement",
                row.id,
                before,
                {**row_dict(row), "rates": _rates_text(session, row.id)},
            )
            return _detail(session, viewer, row, today)

    def attach(
        self, actor: Actor, key: str | int, file_name: str, content: bytes
    ) -> AttachmentView:
        """Keep a file with the agreement (the signed contract), in the database.

        Raises:
            ValidationError: no name, an empty file or one over the size limit.
        """
        check = Form()
        name = check.text("file_name", Path(file_name).name, max_length=255)
        if not content:
            check.add("file", "is empty")
        elif len(content) > MAX_ATTACHMENT_BYTES:
            check.add(
                "file",
                f"is {_size(len(content))}; at most {_size(MAX_ATTACHMENT_BYTES)} can be kept "
                "with an agreement",
            )
        check.raise_if_any()
        with self._write(actor) as uow:
            session = uow.session
            viewer = r.Viewer(session, actor)
            viewer.require(Perm.SUBCONTRACT_CREATE, "add files to subcontracting agreements")
            row = r.find_agreement(session, viewer, key, lock=True)
            kept = m.SubcontractAttachment(
                agreement_id=row.id,
                file_name=name,
                size_bytes=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                added_by_id=actor.user_id,
                added_at=uow.now,
            )
            session.add(kept)
            session.flush()
            uow.audit(
                "subcontract.attach",
                "subcontract_attachment",
                kept.id,
                None,
                row_dict(kept, omit=_FILE_OMIT),
            )
            assert kept.id is not None
            return AttachmentView(
                kept.id, kept.file_name, kept.size_bytes, kept.sha256, actor.name, kept.added_at
            )

    # --- the work schedule ----------------------------------------------------------------------

    def add_schedule(self, actor: Actor, key: str | int, form: ScheduleForm) -> ScheduleView:
        """Plan one working day of a crew.

        Raises:
            ValidationError: a wrong field, or a day this foreman's crew is already planned.
        """
        with self._write(actor) as uow:
            session = uow.session
            viewer = r.Viewer(session, actor)
            viewer.require(Perm.SUBCONTRACT_CREATE, "plan subcontractors' work")
            row = r.find_agreement(session, viewer, key, lock=True)
            check = Form()
            day = check.date("work_date", form.work_date)
            values = _clean_schedule(session, row, form, check)
            if day is not None and "foreman_contact_id" in values:
                _refuse_planned(session, row, day, values["foreman_contact_id"], check)
            check.raise_if_any()
            assert day is not None
            plan = _new_schedule(uow, row, day, values)
            return _schedule_view(session, plan)

    def edit_schedule(
        self, actor: Actor, schedule_id: int, form: ScheduleForm, *, version: int | None = None
    ) -> ScheduleView:
        """Change a planned day (every field of the form; its date stays).

        Raises:
            StaleEdit: someone saved it since ``version``.
        """
        with self._write(actor) as uow:
            session = uow.session
            viewer = r.Viewer(session, actor)
            viewer.require(Perm.SUBCONTRACT_CREATE, "plan subcontractors' work")
            plan = session.get(m.WorkSchedule, schedule_id, with_for_update=True)
            if plan is None:
                raise NotFound(f"Planned day #{schedule_id} does not exist.")
            row = r.find_agreement(session, viewer, f"#{plan.agreement_id}", lock=True)
            check_version(session, plan, version, "work_schedule", f"Planned day #{plan.id}")
            check = Form()
            values = _clean_schedule(session, row, form, check)
            if values.get("foreman_contact_id", plan.foreman_contact_id) != (
                plan.foreman_contact_id
            ):
                _refuse_planned(session, row, plan.work_date, values["foreman_contact_id"], check)
                if session.execute(
                    select(m.DailyReport.id).where(m.DailyReport.schedule_id == plan.id)
                ).first():
                    check.add(
                        "foreman",
                        "stays: this crew has reported the day; plan the other crew's day anew",
                    )
            check.raise_if_any()
            before = row_dict(plan)
            for name, value in values.items():
                setattr(plan, name, value)
            session.flush()
            if any(before[name] != getattr(plan, name) for name in _PLAN_RATES):
                _reprice_open_reports(session, row)
            uow.audit("work_schedule.edit", "work_schedule", plan.id, before, row_dict(plan))
            return _schedule_view(session, plan)

    def plan(self, actor: Actor, key: str | int, form: ScheduleForm) -> PlanResult:
        """Plan every working day from ``work_date`` to ``date_to`` in one step: weekdays of the
        organisation's working week that are not holidays and not planned for this foreman yet.

        Raises:
            ValidationError: a wrong field, an end before the start or a range over a year.
        """
        with self._write(actor) as uow:
            session = uow.session
            viewer = r.Viewer(session, actor)
            viewer.require(Perm.SUBCONTRACT_CREATE, "plan subcontractors' work")
            row = r.find_agreement(session, viewer, key, lock=True)
            check = Form()
            first = check.date("work_date", form.work_date)
            last = check.date("date_to", form.date_to)
            if first is not None and last is not None:
                if last < first:
                    check.add("date_to", "must be on or after the first day")
                elif (last - first).days >= MAX_PLAN_DAYS:
                    check.add("date_to", f"must be within {MAX_PLAN_DAYS} days of the first day")
            values = _clean_schedule(session, row, form, check)
            check.raise_if_any()
            assert first is not None and last is not None
            weekdays = {int(c) for c in organisation(session).working_weekdays if c.isdigit()}
            holidays = {
                d: n
                for d, n in session.execute(
                    select(m.Holiday.holiday_date, m.Holiday.name).where(
                        m.Holiday.holiday_date.between(first, last)  # type: ignore[attr-defined]
                    )
                ).all()
            }
            taken = set(
                session.execute(
                    select(m.WorkSchedule.work_date).where(
                        m.WorkSchedule.agreement_id == row.id,
                        m.WorkSchedule.foreman_contact_id == values["foreman_contact_id"],
                        m.WorkSchedule.work_date.between(first, last),  # type: ignore[attr-defined]
                    )
                ).scalars()
            )
            created: list[ScheduleView] = []
            skipped: list[tuple[date, str]] = []
            day = first
            while day <= last:
                if day.isoweekday() not in weekdays:
                    skipped.append((day, "not a working weekday"))
                elif day in holidays:
                    skipped.append((day, f"holiday{': ' + holidays[day] if holidays[day] else ''}"))
                elif day in taken:
                    skipped.append((day, "already planned for this foreman"))
                else:
                    created.append(_schedule_view(session, _new_schedule(uow, row, day, values)))
                day += timedelta(days=1)
            if not created:
                raise ValidationError(
                    [Problem("work_date", "the range holds no working day left to plan")]
                )
            return PlanResult(tuple(created), tuple(skipped))

    # --- daily reports --------------------------------------------------------------------------

    def add_report(self, actor: Actor, key: str | int, form: ReportForm) -> ReportView:
        """Enter a crew's daily report (a foreman: for their own crew only).

        Raises:
            ValidationError: a wrong field; a day already reported for this crew; a day after
                the project was completed, before the agreement or in the future.
            IllegalTransition: the day is settled already.
        """
        with self._write(actor) as uow:
            session = uow.session
            viewer = r.Viewer(session, actor)
            viewer.require(Perm.SUBCONTRACT_REPORT, "enter daily reports")
            row = r.find_agreement(session, viewer, key, lock=True)
            today = org_today(session, uow.now)
            values = _clean_report(session, viewer, row, form, None, today)
            report = m.DailyReport(
                agreement_id=row.id, entered_by_id=actor.user_id, entered_at=uow.now, **values
            )
            session.add(report)
            session.flush()
            _add_to_contract(session, row, report.amount_cents)
            uow.audit("daily_report.add", "daily_report", report.id, None, row_dict(report))
            return _report_views(session, row, [report])[0]

    def edit_report(
        self, actor: Actor, report_id: int, form: ReportForm, *, version: int | None = None
    ) -> ReportView:
        """Correct a daily report of a day not yet settled (its date and crew stay).

        Raises:
            StaleEdit: someone saved it since ``version``.
            IllegalTransition: the day is settled already.
        """
        with self._write(actor) as uow:
            session = uow.session
            viewer = r.Viewer(session, actor)
            viewer.require(Perm.SUBCONTRACT_REPORT, "correct daily reports")
            report = session.get(m.DailyReport, report_id, with_for_update=True)
            if report is None or (
                viewer.foreman_only and report.foreman_contact_id != viewer.contact_id
            ):
                raise NotFound(f"Daily report #{report_id} does not exist.")
            row = r.find_agreement(session, viewer, f"#{report.agreement_id}", lock=True)
            check_version(session, report, version, "daily_report", f"Daily report #{report.id}")
            today = org_today(session, uow.now)
            values = _clean_report(session, viewer, row, form, report, today)
            before = row_dict(report)
            old_amount = report.amount_cents
            for name, value in values.items():
                setattr(report, name, value)
            session.flush()
            _add_to_contract(session, row, report.amount_cents - old_amount)
            uow.audit("daily_report.edit", "daily_report", report.id, before, row_dict(report))
            return _report_views(session, row, [report])[0]

    # --- settlement ---------------------------------------------------------------------------

    def settle(
        self, actor: Actor, key: str | int, form: StageForm, *, dry_run: bool = False
    ) -> StageResult:
        """Settle a stage: a paid amount (negative to correct an earlier one, with the reason
        in the description), "contract fully paid" and "contractual work completed".

        Raises:
            ValidationError: a wrong field; paying more than the contract amount, or taking
                the paid total below zero.
            IllegalTransition: the agreement is fully paid already (only a correction may
                follow).
        """
        with self._write(actor, dry_run=dry_run) as uow:
            session = uow.session
            viewer = r.Viewer(session, actor)
            viewer.require(Perm.SUBCONTRACT_SETTLE, "settle subcontracting agreements")
            row = r.find_agreement(session, viewer, key, lock=True)
            assert row.id is not None
            currency = org_currency(session)
            today = org_today(session, uow.now)
            check = Form()
            amount = check.money("amount", form.amount, currency)
            when = check.date("settled_on", form.settled_on, required=False) or today
            description = check.text("description", form.description, max_length=1000)
            check.raise_if_any()
            assert amount is not None and description is not None
            last = r.last_settled_on(session, row.id)
            if when > today:
                check.add("settled_on", "cannot be in the future")
            if last is not None and when < last:
                check.add(
                    "settled_on",
                    f"cannot be before the last stage's date ({last.isoformat()})",
                )
            if when < row.contract_date:
                check.add(
                    "settled_on",
                    f"cannot be before the agreement's date ({row.contract_date.isoformat()})",
                )
            if amount.is_zero and not (form.fully_paid or form.work_completed):
                check.add("amount", "must not be zero unless the stage closes the agreement")
            contract = r.contract_cents(row)
            after = row.paid_cents + amount.cents
            if amount.cents > 0 and after > contract:
                left = max(contract - row.paid_cents, 0)
                check.add(
                    "amount",
                    f"would pay {_money(session, after)} of a contract of "
                    f"{_money(session, contract)}; at most {_money(session, left)} remains "
                    "to pay",
                )
            if after < 0:
                check.add(
                    "amount",
                    f"would take the amount paid below zero (paid so far "
                    f"{_money(session, row.paid_cents)})",
                )
            if row.fully_paid and amount.cents > 0:
                raise IllegalTransition(
                    "subcontracting agreement",
                    "fully paid",
                    "pay more on",
                    f"{row.number} was closed as fully paid; only a correction (a negative "
                    "amount with its reason) may follow",
                )
            check.raise_if_any()
            stage_no = (
                session.execute(
                    select(func.count()).where(m.SubcontractSettlement.agreement_id == row.id)
                ).scalar_one()
                + 1
            )
            stage = m.SubcontractSettlement(
                agreement_id=row.id,
                stage=stage_no,
                settled_on=when,
                paid_cents=amount.cents,
                paid_before_cents=row.paid_cents,
                contract_cents=contract,
                description=description,
                fully_paid=form.fully_paid,
                work_completed=form.work_completed,
                created_by_id=actor.user_id,
                created_at=uow.now,
            )
            session.add(stage)
            before = row_dict(row)
            row.paid_cents = after
            row.fully_paid = row.fully_paid or form.fully_paid
            row.work_completed = row.work_completed or form.work_completed
            row.version += 1
            session.flush()
            uow.audit(
                "subcontract.settle", "subcontract_settlement", stage.id, None, row_dict(stage)
            )
            uow.audit("subcontract.paid", "subcontract_agreement", row.id, before, row_dict(row))
            views = _stage_views(session, [stage])
            return StageResult(views[0], _row_view(session, row, today), dry_run)

    # --- foremen --------------------------------------------------------------------------------

    def invite_foreman(self, actor: Actor, contact: str | int, email: str = "") -> str:
        """Invite a subcontractor's contact to log in as a foreman; returns the invitation
        code (sent to them by whoever invites). The contact's e-mail is used unless another is
        given.

        Raises:
            ValidationError: the contact is not a subcontractor's, has no e-mail, or its
                address already belongs to a user.
        """
        from ..administration.auth import create_invitation

        with self._write(actor, Perm.USERS_MANAGE) as uow:
            session = uow.session
            check = Form()
            found = _contact(session, contact)
            if found is None:
                raise NotFound(f"Contact {shown(str(contact))} does not exist.")
            company = session.get(m.Company, found.company_id)
            if company is None or company.kind != "subcontractor":
                check.add("contact", "must be a contact of a subcontractor")
            address = check.email("email", email or found.email)
            check.raise_if_any()
            assert address is not None
            token = secrets.token_urlsafe(24)
            create_invitation(uow, actor, address, Role.FOREMAN, token, contact_id=found.id)
            return token


# ==============================================================================================
# Reading helpers
# ==============================================================================================

_COLUMNS = (
    Column("Number"),
    Column("Project"),
    Column("Subcontractor"),
    Column("Scope"),
    Column("Contract date", "date"),
    Column("Deadline", "date"),
    Column("T&M"),
    Column("Contract amount", "money"),
    Column("Paid", "money"),
    Column("Remaining", "money"),
    Column("Status"),
)


def _money(session: Session, cents: int) -> str:
    return Money(cents, org_currency(session)).format()


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{max(count // 1024, 1)} KB"


def _listing(
    session: Session, viewer: r.Viewer, flt: AgreementFilter, today: date
) -> AgreementList:
    check = Form()
    status = check.choice("status", (flt.status or STATUS_ACTIVE).strip().lower(), STATUSES)
    check.raise_if_any()
    a = m.SubcontractAgreement
    contract = case(
        (a.time_and_material.is_(True), a.tm_amount_cents),  # type: ignore[attr-defined]
        else_=func.coalesce(a.fixed_amount_cents, 0),
    )
    conditions: list[Any] = [viewer.scope()]
    if status == STATUS_ACTIVE:
        conditions.append(a.work_completed.is_(False))  # type: ignore[attr-defined]
    elif status == STATUS_COMPLETED:
        conditions.append(a.work_completed.is_(True))  # type: ignore[attr-defined]
    if flt.project.strip():
        try:
            project = pf.find_project(session, viewer.projects(), flt.project)
        except NotFound as error:
            raise ValidationError([Problem("project", error.message)]) from None
        conditions.append(a.project_id == project.id)
    if flt.subcontractor.strip():
        company = _company(session, flt.subcontractor)
        if company is None:
            raise ValidationError(
                [Problem("subcontractor", f"{shown(flt.subcontractor)} is not a subcontractor")]
            )
        conditions.append(a.subcontractor_id == company.id)
    if flt.project_id is not None:
        conditions.append(a.project_id == flt.project_id)
    if flt.subcontractor_id is not None:
        conditions.append(a.subcontractor_id == flt.subcontractor_id)
    if flt.time_and_material is not None:
        conditions.append(a.time_and_material.is_(flt.time_and_material))  # type: ignore[attr-defined]
    if flt.overdue:
        conditions.append(a.deadline < today)
        conditions.append(a.work_completed.is_(False))  # type: ignore[attr-defined]
    term = flt.search.strip().lower()
    if term:
        conditions.append(
            or_(
                func.lower(a.number).contains(term, autoescape=True),
                func.lower(a.scope).contains(term, autoescape=True),
                func.lower(m.Project.name).contains(term, autoescape=True),
                func.lower(m.Company.name).contains(term, autoescape=True),
            )
        )
    base = (
        select(a, m.Project.name, m.Company.name)
        .join(m.Project, m.Project.id == a.project_id)
        .join(m.Company, m.Company.id == a.subcontractor_id)
        .where(*conditions)
    )
    sums = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(contract), 0),
            func.coalesce(func.sum(a.paid_cents), 0),
            func.coalesce(
                func.sum(case((a.fully_paid.is_(True), 0), else_=contract - a.paid_cents)),  # type: ignore[attr-defined]
                0,
            ),
        )
        .select_from(a)
        .join(m.Project, m.Project.id == a.project_id)
        .join(m.Company, m.Company.id == a.subcontractor_id)
        .where(*conditions)
    ).one()
    query = base.order_by(a.year.desc(), a.seq.desc())  # type: ignore[attr-defined]
    if flt.limit:
        query = query.limit(flt.limit).offset(flt.offset)
    currency = org_currency(session)
    rows = tuple(
        _row_view(session, row, today, project, company, currency)
        for row, project, company in session.execute(query).all()
    )
    return AgreementList(
        rows=rows,
        total=int(sums[0]),
        contract_amount=Money(int(sums[1]), currency),
        paid=Money(int(sums[2]), currency),
        remaining=Money(int(sums[3]), currency),
    )


def _row_view(
    session: Session,
    row: m.SubcontractAgreement,
    today: date,
    project: str | None = None,
    company: str | None = None,
    currency: str = "",
) -> AgreementRow:
    if project is None:
        project = session.execute(
            select(m.Project.name).where(m.Project.id == row.project_id)
        ).scalar_one()
    if company is None:
        company = session.execute(
            select(m.Company.name).where(m.Company.id == row.subcontractor_id)
        ).scalar_one()
    currency = currency or org_currency(session)
    assert row.id is not None
    return AgreementRow(
        id=row.id,
        version=row.version,
        number=row.number,
        project_id=row.project_id,
        project_name=str(project),
        subcontractor_id=row.subcontractor_id,
        subcontractor_name=str(company),
        scope=row.scope,
        contract_date=row.contract_date,
        deadline=row.deadline,
        time_and_material=row.time_and_material,
        contract_amount=Money(r.contract_cents(row), currency),
        paid=Money(row.paid_cents, currency),
        remaining=Money(r.remaining_cents(row), currency),
        fully_paid=row.fully_paid,
        work_completed=row.work_completed,
        overdue=row.deadline < today and not row.work_completed,
    )


def _detail(
    session: Session, viewer: r.Viewer, row: m.SubcontractAgreement, today: date
) -> AgreementDetail:
    assert row.id is not None
    currency = org_currency(session)
    rates = tuple(
        RateView(int(i), str(n), Money(int(c), currency))
        for i, n, c in session.execute(
            select(m.WorkType.id, m.WorkType.name, m.SubcontractRate.hourly_rate_cents)
            .join(m.WorkType, m.WorkType.id == m.SubcontractRate.work_type_id)
            .where(m.SubcontractRate.agreement_id == row.id)
            .order_by(m.WorkType.name)
        ).all()
    )
    files = tuple(
        AttachmentView(int(f.id), f.file_name, int(f.size_bytes), f.sha256, f.name, f.added_at)
        for f in session.execute(
            select(
                m.SubcontractAttachment.id,
                m.SubcontractAttachment.file_name,
                m.SubcontractAttachment.size_bytes,
                m.SubcontractAttachment.sha256,
                m.SubcontractAttachment.added_at,
                m.UserAccount.name,
            )
            .join(m.UserAccount, m.UserAccount.id == m.SubcontractAttachment.added_by_id)
            .where(m.SubcontractAttachment.agreement_id == row.id)
            .order_by(m.SubcontractAttachment.id)
        ).all()
    )
    stages = _stage_views(
        session,
        list(
            session.execute(
                select(m.SubcontractSettlement)
                .where(m.SubcontractSettlement.agreement_id == row.id)
                .order_by(m.SubcontractSettlement.stage)
            ).scalars()
        ),
    )
    plans = _schedules(session, viewer, row)
    reports = _reports(session, viewer, row)
    days = _days(plans, reports, today)
    creator = session.execute(
        select(m.UserAccount.name).where(m.UserAccount.id == row.created_by_id)
    ).scalar_one()
    return AgreementDetail(
        row=_row_view(session, row, today, currency=currency),
        fixed_amount=(
            Money(row.fixed_amount_cents, currency) if row.fixed_amount_cents is not None else None
        ),
        hourly_rate=(
            Money(row.hourly_rate_cents, currency) if row.hourly_rate_cents is not None else None
        ),
        over_day_bp=row.over_day_bp,
        outside_window_bp=row.outside_window_bp,
        note=row.note,
        created_by=str(creator),
        rates=rates,
        attachments=files,
        stages=stages,
        days=days,
        reports=reports,
        reports_total=Money(sum(x.amount.cents for x in reports), currency),
        reported_minutes=sum(
            (x.standard_minutes + x.over_day_minutes + x.outside_window_minutes) * x.headcount
            for x in reports
        ),
    )


def _stage_views(
    session: Session, stages: Iterable[m.SubcontractSettlement]
) -> tuple[StageView, ...]:
    rows = list(stages)
    currency = org_currency(session)
    names: dict[int, str] = dict(
        session.execute(  # type: ignore[arg-type]
            select(m.UserAccount.id, m.UserAccount.name).where(
                m.UserAccount.id.in_({s.created_by_id for s in rows})  # type: ignore[union-attr]
            )
        ).all()
    )
    return tuple(
        StageView(
            id=s.id or 0,
            stage=s.stage,
            settled_on=s.settled_on,
            paid=Money(s.paid_cents, currency),
            paid_before=Money(s.paid_before_cents, currency),
            contract_amount=Money(s.contract_cents, currency),
            description=s.description,
            fully_paid=s.fully_paid,
            work_completed=s.work_completed,
            created_by=str(names.get(s.created_by_id, "")),
        )
        for s in rows
    )


def _schedules(
    session: Session, viewer: r.Viewer, row: m.SubcontractAgreement
) -> tuple[ScheduleView, ...]:
    query = select(m.WorkSchedule).where(m.WorkSchedule.agreement_id == row.id)
    if viewer.foreman_only:
        query = query.where(m.WorkSchedule.foreman_contact_id == viewer.contact_id)
    plans = list(
        session.execute(
            query.order_by(m.WorkSchedule.work_date, m.WorkSchedule.foreman_contact_id)
        ).scalars()
    )
    types, people = _names(session, plans)
    return tuple(_schedule_view(session, p, types, people) for p in plans)


def _names(session: Session, rows: Iterable[Any]) -> tuple[dict[int, str], dict[int, str]]:
    items = list(rows)
    types: dict[int, str] = dict(
        session.execute(  # type: ignore[arg-type]
            select(m.WorkType.id, m.WorkType.name).where(
                m.WorkType.id.in_({x.work_type_id for x in items})  # type: ignore[union-attr]
            )
        ).all()
    )
    people: dict[int, str] = dict(
        session.execute(  # type: ignore[arg-type]
            select(m.Contact.id, m.Contact.name).where(
                m.Contact.id.in_({x.foreman_contact_id for x in items})  # type: ignore[union-attr]
            )
        ).all()
    )
    return types, people


def _schedule_view(
    session: Session,
    plan: m.WorkSchedule,
    types: dict[int, str] | None = None,
    people: dict[int, str] | None = None,
) -> ScheduleView:
    if types is None or people is None:
        types, people = _names(session, [plan])
    return ScheduleView(
        id=plan.id or 0,
        version=plan.version,
        work_date=plan.work_date,
        planned_start=plan.planned_start,
        planned_end=plan.planned_end,
        work_type=str(types.get(plan.work_type_id, "")),
        foreman_contact_id=plan.foreman_contact_id,
        foreman=str(people.get(plan.foreman_contact_id, "")),
        planned_headcount=plan.planned_headcount,
        custom_rates=plan.custom_rates,
        over_day_bp=plan.over_day_bp,
        outside_window_bp=plan.outside_window_bp,
        note=plan.note,
    )


def _reports(
    session: Session,
    viewer: r.Viewer,
    row: m.SubcontractAgreement,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> tuple[ReportView, ...]:
    query = select(m.DailyReport).where(m.DailyReport.agreement_id == row.id)
    if viewer.foreman_only:
        query = query.where(m.DailyReport.foreman_contact_id == viewer.contact_id)
    if date_from is not None:
        query = query.where(m.DailyReport.report_date >= date_from)
    if date_to is not None:
        query = query.where(m.DailyReport.report_date <= date_to)
    reports = list(
        session.execute(
            query.order_by(m.DailyReport.report_date, m.DailyReport.foreman_contact_id)
        ).scalars()
    )
    return _report_views(session, row, reports)


def _report_views(
    session: Session, row: m.SubcontractAgreement, reports: list[m.DailyReport]
) -> tuple[ReportView, ...]:
    assert row.id is not None
    currency = org_currency(session)
    types, people = _names(session, reports)
    settled = r.last_settled_on(session, row.id)
    return tuple(
        ReportView(
            id=x.id or 0,
            version=x.version,
            agreement_id=row.id,
            agreement_number=row.number,
            schedule_id=x.schedule_id,
            report_date=x.report_date,
            foreman_contact_id=x.foreman_contact_id,
            foreman=str(people.get(x.foreman_contact_id, "")),
            actual_start=x.actual_start,
            actual_end=x.actual_end,
            headcount=x.headcount,
            work_type=str(types.get(x.work_type_id, "")),
            note=x.note,
            hourly_rate=Money(x.hourly_rate_cents, currency),
            over_day_bp=x.over_day_bp,
            outside_window_bp=x.outside_window_bp,
            standard_minutes=x.standard_minutes,
            over_day_minutes=x.over_day_minutes,
            outside_window_minutes=x.outside_window_minutes,
            amount=Money(x.amount_cents, currency),
            settled=settled is not None and x.report_date <= settled,
        )
        for x in reports
    )


def _days(
    plans: tuple[ScheduleView, ...], reports: tuple[ReportView, ...], today: date
) -> tuple[ScheduleDay, ...]:
    """Each planned or reported day of each crew, with what differs between plan and report."""
    by_key: dict[tuple[date, int], tuple[ScheduleView | None, ReportView | None]] = {}
    for p in plans:
        by_key[(p.work_date, p.foreman_contact_id)] = (p, None)
    for x in reports:
        plan = by_key.get((x.report_date, x.foreman_contact_id), (None, None))[0]
        by_key[(x.report_date, x.foreman_contact_id)] = (plan, x)
    days = []
    for (day, _who), (plan, report) in sorted(by_key.items(), key=lambda kv: kv[0]):
        days.append(
            ScheduleDay(
                work_date=day,
                foreman=(report or plan).foreman if (report or plan) else "",  # type: ignore[union-attr]
                plan=plan,
                report=report,
                differences=differences(plan, report, today),
            )
        )
    return tuple(days)


def differences(
    plan: ScheduleView | None, report: ReportView | None, today: date
) -> tuple[str, ...]:
    """What a day's report says differently from its plan, short enough for the schedule's
    column: "4 people (5)", "end 17:00 (15:00)", "start 06:00 (07:00)", "Roofing
    (Bricklaying)" (the planned figure in brackets), "no plan", "no report"."""
    if plan is None and report is not None:
        return ("no plan",)
    if plan is None:
        return ()
    if report is None:
        return ("no report",) if plan.work_date <= today else ()
    found = []
    if report.headcount != plan.planned_headcount:
        found.append(f"{report.headcount} people ({plan.planned_headcount})")
    if abs(report.actual_start - plan.planned_start) > LATE_MINUTES:
        found.append(f"start {clock_text(report.actual_start)} ({clock_text(plan.planned_start)})")
    if abs(report.actual_end - plan.planned_end) > LATE_MINUTES:
        found.append(f"end {clock_text(report.actual_end)} ({clock_text(plan.planned_end)})")
    if report.work_type != plan.work_type:
        found.append(f"{report.work_type} ({plan.work_type})")
    return tuple(found)


# ==============================================================================================
# Writing helpers
# ==============================================================================================


def _next_number(session: Session, year: int, backend: str) -> int:
    """Raise the year's counter under a row lock and return the new number."""
    values = {"year": year, "last_number": 0}
    if backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(m.SubcontractCounter).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(
            sqlite_insert(m.SubcontractCounter).values(**values).on_conflict_do_nothing()
        )
    counter = session.execute(
        select(m.SubcontractCounter)
        .where(m.SubcontractCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    counter.last_number += 1
    session.flush()
    return counter.last_number


def _company(session: Session, text: str) -> m.Company | None:
    key = text.strip()
    query = select(m.Company).where(m.Company.kind == "subcontractor")
    if key.isascii() and key.isdigit():
        query = query.where(m.Company.id == (id_or_none(key) or 0))
    else:
        query = query.where(m.Company.name_key == name_key(key))
    return session.execute(query).scalar_one_or_none()


def _contact(session: Session, text: str | int, company_id: int | None = None) -> m.Contact | None:
    key = str(text).strip()
    query = select(m.Contact)
    if company_id is not None:
        query = query.where(m.Contact.company_id == company_id)
    if key.isascii() and key.isdigit():
        query = query.where(m.Contact.id == (id_or_none(key) or 0))
    else:
        query = query.where(func.lower(m.Contact.name) == key.lower())
    found = list(session.execute(query.limit(2)).scalars())
    return found[0] if len(found) == 1 else None


def _clean_agreement(
    session: Session,
    viewer: r.Viewer,
    form: AgreementForm,
    row: m.SubcontractAgreement | None,
    today: date,
) -> tuple[dict[str, Any], dict[int, int] | None]:
    """Column values and the non-standard rates (None: keep them) of an agreement form."""
    check = Form()
    org = organisation(session)
    currency = org.currency
    editing = row is not None
    has_history = False
    if row is not None:
        has_history = (
            row.paid_cents != 0
            or session.execute(
                select(func.count()).where(m.DailyReport.agreement_id == row.id)
            ).scalar_one()
            > 0
            or session.execute(
                select(func.count()).where(m.SubcontractSettlement.agreement_id == row.id)
            ).scalar_one()
            > 0
        )
    values: dict[str, Any] = {}
    # project
    if form.project.strip():
        try:
            project = pf.find_project(session, viewer.projects(), form.project)
            if row is not None and project.id != row.project_id and has_history:
                check.add("project", "cannot change once reports or payments exist")
            elif project.status == "completed" and (row is None or project.id != row.project_id):
                check.add("project", f"{shown(project.name)} is completed")
            values["project_id"] = project.id
        except NotFound as error:
            check.add("project", error.message)
    elif not editing:
        check.add("project", "is required")
    # subcontractor
    if form.subcontractor.strip():
        company = _company(session, form.subcontractor)
        if company is None:
            check.add(
                "subcontractor",
                f"{shown(form.subcontractor.strip())} is not a subcontractor company",
            )
        elif not company.is_active:
            check.add("subcontractor", f"{shown(company.name)} is deactivated")
        elif row is not None and company.id != row.subcontractor_id and has_history:
            check.add("subcontractor", "cannot change once reports or payments exist")
        else:
            values["subcontractor_id"] = company.id
    elif not editing:
        check.add("subcontractor", "is required")
    if form.scope.strip() or not editing:
        values["scope"] = check.text("scope", form.scope, max_length=4000)
    signed = check.date("contract_date", form.contract_date, required=False)
    if signed is not None:
        if row is not None and signed.year != row.year:
            check.add(
                "contract_date",
                f"must stay in {row.year}: the agreement is numbered in that year's series",
            )
        values["contract_date"] = signed
    elif not editing:
        values["contract_date"] = today
    deadline = check.date("deadline", form.deadline, required=not editing)
    if deadline is not None:
        values["deadline"] = deadline
    start = values.get("contract_date", row.contract_date if row else today)
    end = values.get("deadline", row.deadline if row else None)
    if end is not None and start is not None and end < start:
        check.add("deadline", "must be on or after the contract date")
    tm = yes_no(
        check,
        "time_and_material",
        form.time_and_material,
        row.time_and_material if row is not None else None,
    )
    if row is not None and tm is not None and tm != row.time_and_material and has_history:
        check.add("time_and_material", "cannot change once reports or payments exist")
    fixed = check.money("fixed_amount", form.fixed_amount, currency, required=False, min_cents=1)
    hourly = check.money("hourly_rate", form.hourly_rate, currency, required=False, min_cents=1)
    if tm is True:
        values["time_and_material"] = True
        values["fixed_amount_cents"] = None
        if hourly is not None:
            values["hourly_rate_cents"] = hourly.cents
        elif (row is None or row.hourly_rate_cents is None) and not form.hourly_rate.strip():
            check.add("hourly_rate", "is required for a time-and-material agreement")
        if form.fixed_amount.strip() and fixed is not None:
            check.add("fixed_amount", "is not used by a time-and-material agreement")
    elif tm is False:
        values["time_and_material"] = False
        values["hourly_rate_cents"] = None
        if fixed is not None:
            values["fixed_amount_cents"] = fixed.cents
        elif (row is None or row.fixed_amount_cents is None) and not form.fixed_amount.strip():
            check.add("fixed_amount", "is required for a fixed-amount agreement")
        if form.hourly_rate.strip() and hourly is not None:
            check.add("hourly_rate", "is used only by a time-and-material agreement")
    over = check.percent_bp("over_day", form.over_day, required=False, max_bp=100_000)
    outside = check.percent_bp(
        "outside_window", form.outside_window, required=False, max_bp=100_000
    )
    values["over_day_bp"] = (
        over if over is not None else (row.over_day_bp if row else org.overtime_over_day_bp)
    )
    values["outside_window_bp"] = (
        outside
        if outside is not None
        else (row.outside_window_bp if row else org.overtime_outside_window_bp)
    )
    if form.note.strip() == "-":  # an edit's "-" clears the note (blank keeps it)
        values["note"] = ""
    elif form.note.strip() or not editing:
        values["note"] = check.text("note", form.note, required=False, max_length=2000) or ""
    rates = clean_rates(session, check, "rates", form.rates, currency)
    check.raise_if_any()
    return {k: v for k, v in values.items() if v is not None or k.endswith("_cents")}, rates


def _store_rates(session: Session, agreement_id: int, rates: dict[int, int] | None) -> None:
    if rates is None:
        return
    store_type_rates(
        session,
        session.execute(
            select(m.SubcontractRate).where(m.SubcontractRate.agreement_id == agreement_id)
        ).scalars(),
        rates,
        lambda type_id, cents: m.SubcontractRate(
            agreement_id=agreement_id, work_type_id=type_id, hourly_rate_cents=cents
        ),
    )


def _rates_text(session: Session, agreement_id: int) -> str:
    return "; ".join(
        f"{n}={c}"
        for n, c in session.execute(
            select(m.WorkType.name, m.SubcontractRate.hourly_rate_cents)
            .join(m.WorkType, m.WorkType.id == m.SubcontractRate.work_type_id)
            .where(m.SubcontractRate.agreement_id == agreement_id)
            .order_by(m.WorkType.name)
        ).all()
    )


def _clean_schedule(
    session: Session, row: m.SubcontractAgreement, form: ScheduleForm, check: Form
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    start = check.clock("planned_start", form.planned_start)
    end = check.clock("planned_end", form.planned_end)
    if start is not None and end is not None and end <= start:
        check.add("planned_end", "must be after the planned start")
    values["planned_start"], values["planned_end"] = start, end
    values["work_type_id"] = work_type_id(session, check, "work_type", form.work_type)
    if not form.foreman.strip():
        check.add("foreman", "is required: a contact of the subcontractor")
    else:
        contact = _contact(session, form.foreman, row.subcontractor_id)
        if contact is None or not contact.is_active:
            check.add(
                "foreman",
                f"{shown(form.foreman.strip())} is not an active contact of the subcontractor",
            )
        else:
            values["foreman_contact_id"] = contact.id
    values["planned_headcount"] = check.positive_int(
        "planned_headcount", form.planned_headcount, maximum=MAX_HEADCOUNT
    )
    custom = yes_no(check, "custom_rates", form.custom_rates, False)
    values["custom_rates"] = bool(custom)
    if custom:
        values["over_day_bp"] = check.percent_bp("over_day", form.over_day, max_bp=100_000)
        values["outside_window_bp"] = check.percent_bp(
            "outside_window", form.outside_window, max_bp=100_000
        )
    else:
        for name in ("over_day", "outside_window"):
            if getattr(form, name).strip():
                check.add(name, "is used only with own % rates (custom rates: yes)")
        values["over_day_bp"] = values["outside_window_bp"] = None
    values["note"] = check.text("note", form.note, required=False, max_length=2000) or ""
    return values


def _refuse_planned(
    session: Session, row: m.SubcontractAgreement, day: date, contact_id: int, check: Form
) -> None:
    if session.execute(
        select(m.WorkSchedule.id).where(
            m.WorkSchedule.agreement_id == row.id,
            m.WorkSchedule.work_date == day,
            m.WorkSchedule.foreman_contact_id == contact_id,
        )
    ).first():
        check.add("work_date", f"{day.isoformat()} is already planned for this foreman's crew")


def _new_schedule(
    uow: UnitOfWork, row: m.SubcontractAgreement, day: date, values: dict[str, Any]
) -> m.WorkSchedule:
    plan = m.WorkSchedule(
        agreement_id=row.id,
        work_date=day,
        created_by_id=uow.actor.user_id if uow.actor else 0,
        created_at=uow.now,
        **values,
    )
    uow.session.add(plan)
    uow.session.flush()
    # a report entered before the day was planned now has its plan
    uow.session.execute(
        m.DailyReport.__table__.update()  # type: ignore[attr-defined]
        .where(
            m.DailyReport.agreement_id == row.id,
            m.DailyReport.report_date == day,
            m.DailyReport.foreman_contact_id == plan.foreman_contact_id,
            m.DailyReport.schedule_id.is_(None),  # type: ignore[union-attr]
        )
        .values(schedule_id=plan.id)
    )
    uow.audit("work_schedule.add", "work_schedule", plan.id, None, row_dict(plan))
    return plan


def _clean_report(
    session: Session,
    viewer: r.Viewer,
    row: m.SubcontractAgreement,
    form: ReportForm,
    existing: m.DailyReport | None,
    today: date,
) -> dict[str, Any]:
    """The priced column values of a daily report form."""
    assert row.id is not None
    check = Form()
    if existing is None:
        day = check.date("report_date", form.report_date)
    else:
        day = existing.report_date
        typed = check.date("report_date", form.report_date, required=False)
        if typed is not None and typed != existing.report_date:
            check.add("report_date", "stays: enter a new report for another day")
    start = check.clock("actual_start", form.actual_start)
    end = check.clock("actual_end", form.actual_end)
    if start is not None and end is not None and end <= start:
        check.add("actual_end", "must be after the start")
    headcount = check.positive_int("headcount", form.headcount, maximum=MAX_HEADCOUNT)
    note = check.text("note", form.note, required=False, max_length=2000) or ""
    # whose crew
    contact_id: int | None
    if existing is not None:
        contact_id = existing.foreman_contact_id
    elif viewer.foreman_only:
        contact_id = viewer.contact_id
        if form.foreman.strip():
            named = _contact(session, form.foreman, row.subcontractor_id)
            if named is None or named.id != contact_id:
                check.add("foreman", "a foreman reports for their own crew only")
    elif form.foreman.strip():
        contact = _contact(session, form.foreman, row.subcontractor_id)
        contact_id = contact.id if contact is not None else None
        if contact is None:
            check.add(
                "foreman", f"{shown(form.foreman.strip())} is not a contact of the subcontractor"
            )
    else:
        contact_id = None
        if day is not None:
            planned = list(
                session.execute(
                    select(m.WorkSchedule.foreman_contact_id).where(
                        m.WorkSchedule.agreement_id == row.id, m.WorkSchedule.work_date == day
                    )
                ).scalars()
            )
            if len(planned) == 1:
                contact_id = planned[0]
            else:
                why = "several crews are planned" if planned else "no crew is planned"
                check.add("foreman", f"is required: {why} that day")
    plan = None
    if day is not None and contact_id is not None:
        plan = session.execute(
            select(m.WorkSchedule).where(
                m.WorkSchedule.agreement_id == row.id,
                m.WorkSchedule.work_date == day,
                m.WorkSchedule.foreman_contact_id == contact_id,
            )
        ).scalar_one_or_none()
    if form.work_type.strip():
        type_id = work_type_id(session, check, "work_type", form.work_type)
    elif existing is not None:
        type_id = existing.work_type_id
    elif plan is not None:
        type_id = plan.work_type_id
    else:
        type_id = None
        check.add("work_type", "is required when the day was not planned")
    if day is not None:
        if day > today:
            check.add("report_date", "cannot be in the future")
        if day < row.contract_date:
            check.add(
                "report_date",
                f"is before the agreement's date ({row.contract_date.isoformat()})",
            )
        project = session.get(m.Project, row.project_id)
        assert project is not None
        if project.status == "completed" and (project.end_date is None or day > project.end_date):
            ended = f" on {project.end_date.isoformat()}" if project.end_date else ""
            check.add(
                "report_date",
                f"is after project {shown(project.name)} was completed{ended}: "
                "its subcontracts stop accruing",
            )
        reported = (
            existing is None
            and contact_id is not None
            and session.execute(
                select(m.DailyReport.id).where(
                    m.DailyReport.agreement_id == row.id,
                    m.DailyReport.report_date == day,
                    m.DailyReport.foreman_contact_id == contact_id,
                )
            ).first()
        )
        if reported:
            check.add(
                "report_date",
                f"{day.isoformat()} is already reported for this crew: correct that report",
            )
    check.raise_if_any()
    assert day is not None and start is not None and end is not None
    assert headcount is not None and type_id is not None and contact_id is not None
    settled = r.last_settled_on(session, row.id)
    if settled is not None and day <= settled:
        raise IllegalTransition(
            "daily report",
            "settled",
            "enter or correct",
            f"{day.isoformat()} is settled (the agreement's last stage is dated "
            f"{settled.isoformat()}); a mistake is put right in the next settlement stage",
        )
    if row.work_completed and existing is None:
        raise IllegalTransition(
            "daily report",
            "of completed work",
            "enter",
            f"the contractual work of {row.number} is completed",
        )
    priced = _priced(session, row, plan, type_id, start, end, headcount)
    return {
        "schedule_id": plan.id if plan is not None else None,
        "foreman_contact_id": contact_id,
        "report_date": day,
        "actual_start": start,
        "actual_end": end,
        "headcount": headcount,
        "work_type_id": type_id,
        "note": note,
        **priced,
    }


def _priced(
    session: Session,
    row: m.SubcontractAgreement,
    plan: m.WorkSchedule | None,
    type_id: int,
    start: int,
    end: int,
    headcount: int,
    rates: dict[int, int] | None = None,
) -> dict[str, int]:
    """A report's rate, % rates, minutes by rate and amount under the agreement's terms (a
    fixed agreement's reports are kept for the schedule and cost nothing by themselves);
    ``rates`` are the agreement's non-standard rates by type of work, read when not given."""
    rate = 0
    if row.time_and_material:
        special = (rates if rates is not None else _rates_of(session, row)).get(type_id)
        rate = int(special if special is not None else (row.hourly_rate_cents or 0))
    over, outside = row.over_day_bp, row.outside_window_bp
    if plan is not None and plan.custom_rates:
        over = plan.over_day_bp if plan.over_day_bp is not None else over
        outside = plan.outside_window_bp if plan.outside_window_bp is not None else outside
    rules = pay_rules(session, over, outside)
    split, amount = r.price(rules, start, end, headcount, rate)
    return {
        "hourly_rate_cents": rate,
        "over_day_bp": over,
        "outside_window_bp": outside,
        "standard_minutes": split.standard,
        "over_day_minutes": split.over_day,
        "outside_window_minutes": split.outside,
        "amount_cents": amount,
    }


def _rates_of(session: Session, row: m.SubcontractAgreement) -> dict[int, int]:
    """The agreement's non-standard hourly rates by type of work."""
    return {
        int(t): int(c)
        for t, c in session.execute(
            select(m.SubcontractRate.work_type_id, m.SubcontractRate.hourly_rate_cents).where(
                m.SubcontractRate.agreement_id == row.id
            )
        ).all()
    }


def _add_to_contract(session: Session, row: m.SubcontractAgreement, delta: int) -> None:
    """Keep a time-and-material agreement's amount equal to its reports' sum."""
    if not row.time_and_material or delta == 0:
        return
    if row.tm_amount_cents + delta < row.paid_cents:
        raise ValidationError(
            [
                Problem(
                    "headcount",
                    f"would take the contract amount of {row.number} to "
                    f"{_money(session, row.tm_amount_cents + delta)}, below the "
                    f"{_money(session, row.paid_cents)} already paid",
                )
            ]
        )
    row.tm_amount_cents += delta
    row.version += 1
    session.flush()


def _reprice_open_reports(session: Session, row: m.SubcontractAgreement) -> None:
    """Price again the reports of days not yet settled, after the agreement's rates (or a
    planned day's own % rates) changed; the agreement's amount follows."""
    assert row.id is not None
    settled = r.last_settled_on(session, row.id)
    query = select(m.DailyReport).where(m.DailyReport.agreement_id == row.id)
    if settled is not None:
        query = query.where(m.DailyReport.report_date > settled)
    plans = {
        p.id: p
        for p in session.execute(
            select(m.WorkSchedule).where(m.WorkSchedule.agreement_id == row.id)
        ).scalars()
    }
    rates = _rates_of(session, row)
    total_delta = 0
    for report in session.execute(query).scalars():
        priced = _priced(
            session,
            row,
            plans.get(report.schedule_id) if report.schedule_id else None,
            report.work_type_id,
            report.actual_start,
            report.actual_end,
            report.headcount,
            rates,
        )
        if any(getattr(report, k) != v for k, v in priced.items()):
            total_delta += priced["amount_cents"] - report.amount_cents
            for name, value in priced.items():
                setattr(report, name, value)
            report.version += 1
    if row.time_and_material:
        row.tm_amount_cents += total_delta
    else:
        row.tm_amount_cents = 0
    session.flush()
