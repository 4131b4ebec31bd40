"""The Projects, Tasks, Activities and Rate codes tabs of the code presets screen."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Select

from ..services.administration.presets import (
    NEW_ACTIVITY,
    NEW_PROJECT,
    NEW_RATE_CODE,
    NEW_TASK,
    NEW_WORK_TYPE,
    ActivityForm,
    ProjectForm,
    RateCodeForm,
    TaskForm,
    WorkTypeForm,
)
from ..services.administration.views import (
    ActivityView,
    Page,
    ProjectView,
    RateCodeView,
    TaskView,
    WorkTypeView,
)
from ..widgets.fields import FieldSpec
from ..widgets.formatting import active_label, day, money, plain_amount, yes_no
from .base import call_service
from .preset_pane import ACTIVE, ALL, Options, PresetPane, every_page

VALUATION_LABELS = {"tm": "Time and material", "fixed": "Fixed price"}
STATUS_LABELS = {"active": "Active", "on_hold": "On hold", "completed": "Completed"}


class ProjectsPane(PresetPane):
    """Projects with their client, valuation and status."""

    KIND = "project"
    NOUN = "project"
    COLUMNS = ("Name", "Code", "Client", "Valuation", "Contract", "Progress", "Status", "Active")
    ENTITIES = frozenset({"project", "company"})

    def fetch(self, **opts: Any) -> Page[ProjectView]:
        """A page of projects."""
        return self.services.presets.list_projects(self.actor, **opts)

    def cells(self, record: ProjectView) -> tuple[str, ...]:
        """How a project reads in the list."""
        return (
            record.name,
            record.code,
            record.client_name,
            VALUATION_LABELS.get(record.valuation, record.valuation),
            money(record.contract_amount),
            f"{record.progress_pct} %",
            STATUS_LABELS.get(record.status, record.status),
            active_label(record.is_active),
        )

    def load_choices(self) -> tuple[Options, Options]:
        """Client companies and users (for project manager and estimator)."""
        presets, users = self.services.presets, self.services.users
        clients = every_page(
            lambda after: presets.list_companies(self.actor, "client", after=after, limit=ALL)
        )
        people = every_page(
            lambda after: users.list_users(
                self.actor, include_inactive=False, after=after, limit=ALL
            )
        )
        return (
            tuple((c.name, c.id) for c in clients),
            tuple((u.name, u.id) for u in people),
        )

    def specs(self, choices: tuple[Options, Options]) -> tuple[FieldSpec, ...]:
        """The project fields."""
        clients, people = choices
        return (
            FieldSpec("name", "Name"),
            FieldSpec("code", "Code"),
            FieldSpec(
                "client_id", "Client", kind="select", options=clients, placeholder="(choose)"
            ),
            FieldSpec(
                "valuation",
                "Valuation",
                kind="select",
                options=tuple((label, key) for key, label in VALUATION_LABELS.items()),
                allow_blank=False,
            ),
            FieldSpec("contract_amount", "Contract amount"),
            FieldSpec("progress_pct", "Progress %"),
            FieldSpec(
                "status",
                "Status",
                kind="select",
                options=tuple((label, key) for key, label in STATUS_LABELS.items()),
                allow_blank=False,
            ),
            FieldSpec(
                "project_manager_id",
                "Project manager",
                kind="select",
                options=people,
                placeholder="(none)",
            ),
            FieldSpec(
                "estimator_id", "Estimator", kind="select", options=people, placeholder="(none)"
            ),
            FieldSpec("start_date", "Start date", placeholder="YYYY-MM-DD"),
            FieldSpec("end_date", "End date", placeholder="YYYY-MM-DD"),
            ACTIVE,
        )

    def draft(self, record: ProjectView | None) -> ProjectForm:
        """The project's values, or a new project's."""
        if record is None:
            return NEW_PROJECT
        return ProjectForm(
            name=record.name,
            client_id=record.client_id,
            code=record.code,
            valuation=record.valuation,
            contract_amount=plain_amount(record.contract_amount),
            progress_pct=str(record.progress_pct),
            status=record.status,
            project_manager_id=record.project_manager_id,
            estimator_id=record.estimator_id,
            start_date=day(record.start_date),
            end_date=day(record.end_date),
            is_active=record.is_active,
        )

    def build(self, values: dict[str, Any]) -> ProjectForm:
        """A project form."""
        return ProjectForm(**values)

    def save(self, form: ProjectForm, ident: int | None, version: int | None) -> ProjectView:
        """Save the project."""
        return self.services.presets.save_project(self.actor, form, ident, version=version)


class TasksPane(PresetPane):
    """Tasks, optionally of one project only."""

    KIND = "task"
    NOUN = "task"
    COLUMNS = ("Name", "Project", "Status")
    ENTITIES = frozenset({"task", "project"})

    def compose(self) -> ComposeResult:
        """The project filter and the list."""
        yield Select[int]([], prompt="All projects", id="task-filter", compact=True)
        yield from super().compose()

    def on_mount(self) -> None:
        """Load the projects for the filter, then the tasks."""
        call_service(self, self._projects, self._fill_filter)
        super().on_mount()

    def _projects(self) -> Options:
        presets = self.services.presets
        found = every_page(lambda after: presets.list_projects(self.actor, after=after, limit=ALL))
        return tuple((p.name, p.id) for p in found)

    def _fill_filter(self, projects: Options) -> None:
        self.query_one("#task-filter", Select).set_options(projects)

    @property
    def project_filter(self) -> int | None:
        """The project chosen in the filter, or None for all."""
        value = self.query_one("#task-filter", Select).value
        return value if isinstance(value, int) else None

    def on_select_changed(self, event: Select.Changed) -> None:
        """Show the tasks of the chosen project."""
        if event.select.id == "task-filter":
            event.stop()
            self.reload()

    def fetch(self, **opts: Any) -> Page[TaskView]:
        """A page of tasks (of the filtered project)."""
        return self.services.presets.list_tasks(self.actor, self.project_filter, **opts)

    def cells(self, record: TaskView) -> tuple[str, ...]:
        """Name, project, status."""
        return (record.name, record.project_name, active_label(record.is_active))

    def load_choices(self) -> Options:
        """The projects a task can belong to."""
        return self._projects()

    def specs(self, choices: Options) -> tuple[FieldSpec, ...]:
        """The task fields."""
        return (
            FieldSpec(
                "project_id", "Project", kind="select", options=choices, placeholder="(choose)"
            ),
            FieldSpec("name", "Name"),
            ACTIVE,
        )

    def draft(self, record: TaskView | None) -> TaskForm:
        """The task's values, or a new task in the filtered project."""
        if record is None:
            return replace(NEW_TASK, project_id=self.project_filter)
        return TaskForm(project_id=record.project_id, name=record.name, is_active=record.is_active)

    def build(self, values: dict[str, Any]) -> TaskForm:
        """A task form."""
        return TaskForm(**values)

    def save(self, form: TaskForm, ident: int | None, version: int | None) -> TaskView:
        """Save the task."""
        return self.services.presets.save_task(self.actor, form, ident, version=version)


class ActivitiesPane(PresetPane):
    """Kinds of work, billable or not by default."""

    KIND = "activity"
    NOUN = "activity"
    COLUMNS = ("Name", "Billable by default", "Status")
    ENTITIES = frozenset({"activity"})

    def fetch(self, **opts: Any) -> Page[ActivityView]:
        """A page of activities."""
        return self.services.presets.list_activities(self.actor, **opts)

    def cells(self, record: ActivityView) -> tuple[str, ...]:
        """Name, billable, status."""
        return (record.name, yes_no(record.billable_default), active_label(record.is_active))

    def specs(self, choices: Any) -> tuple[FieldSpec, ...]:
        """The activity fields."""
        return (
            FieldSpec("name", "Name"),
            FieldSpec("billable_default", "Billable by default", kind="switch"),
            ACTIVE,
        )

    def draft(self, record: ActivityView | None) -> ActivityForm:
        """The activity's values, or a new activity's."""
        if record is None:
            return NEW_ACTIVITY
        return ActivityForm(
            name=record.name, billable_default=record.billable_default, is_active=record.is_active
        )

    def build(self, values: dict[str, Any]) -> ActivityForm:
        """An activity form."""
        return ActivityForm(**values)

    def save(self, form: ActivityForm, ident: int | None, version: int | None) -> ActivityView:
        """Save the activity."""
        return self.services.presets.save_activity(self.actor, form, ident, version=version)


class WorkTypesPane(PresetPane):
    """Types of work on a site: what subcontracts plan, report and price by."""

    KIND = "work_type"
    NOUN = "type of work"
    COLUMNS = ("Name", "Status")
    ENTITIES = frozenset({"work_type"})

    def fetch(self, **opts: Any) -> Page[WorkTypeView]:
        """A page of types of work."""
        return self.services.presets.list_work_types(self.actor, **opts)

    def cells(self, record: WorkTypeView) -> tuple[str, ...]:
        """Name, status."""
        return (record.name, active_label(record.is_active))

    def specs(self, choices: Any) -> tuple[FieldSpec, ...]:
        """The type of work's fields."""
        return (FieldSpec("name", "Name"), ACTIVE)

    def draft(self, record: WorkTypeView | None) -> WorkTypeForm:
        """The type of work's values, or a new one's."""
        if record is None:
            return NEW_WORK_TYPE
        return WorkTypeForm(name=record.name, is_active=record.is_active)

    def build(self, values: dict[str, Any]) -> WorkTypeForm:
        """A type-of-work form."""
        return WorkTypeForm(**values)

    def save(self, form: WorkTypeForm, ident: int | None, version: int | None) -> WorkTypeView:
        """Save the type of work."""
        return self.services.presets.save_work_type(self.actor, form, ident, version=version)


class RateCodesPane(PresetPane):
    """Named hourly billing rates."""

    KIND = "rate_code"
    NOUN = "rate code"
    COLUMNS = ("Name", "Hourly rate", "Status")
    ENTITIES = frozenset({"rate_code"})

    def fetch(self, **opts: Any) -> Page[RateCodeView]:
        """A page of rate codes."""
        return self.services.presets.list_rate_codes(self.actor, **opts)

    def cells(self, record: RateCodeView) -> tuple[str, ...]:
        """Name, rate, status."""
        return (record.name, money(record.hourly_rate), active_label(record.is_active))

    def specs(self, choices: Any) -> tuple[FieldSpec, ...]:
        """The rate code fields."""
        return (FieldSpec("name", "Name"), FieldSpec("hourly_rate", "Hourly rate"), ACTIVE)

    def draft(self, record: RateCodeView | None) -> RateCodeForm:
        """The rate code's values, or a new one's."""
        if record is None:
            return NEW_RATE_CODE
        return RateCodeForm(
            name=record.name,
            hourly_rate=plain_amount(record.hourly_rate),
            is_active=record.is_active,
        )

    def build(self, values: dict[str, Any]) -> RateCodeForm:
        """A rate code form."""
        return RateCodeForm(**values)

    def save(self, form: RateCodeForm, ident: int | None, version: int | None) -> RateCodeView:
        """Save the rate code."""
        return self.services.presets.save_rate_code(self.actor, form, ident, version=version)
