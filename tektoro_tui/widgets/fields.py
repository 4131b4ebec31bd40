"""Labelled form fields that can show what is wrong with them.

A form is a set of :class:`FormField` widgets, each named after the attribute of the form
dataclass it fills (``name``, ``client_id``, ``hourly_rate``...). The services report problems
by those names, so :func:`show_problems` can mark every bad field at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from ..errors import Problem

FieldKind = Literal["text", "password", "select", "switch", "textarea"]


@dataclass(frozen=True)
class FieldSpec:
    """How one field of a form is shown: its name, label, kind and choices."""

    name: str
    label: str
    kind: FieldKind = "text"
    options: tuple[tuple[str, Any], ...] = ()
    placeholder: str = ""
    allow_blank: bool = True


SWITCHED_ON = ("yes", "y", "true", "1", "on")
"""How a service's form writes a yes/no field that is on (its drafts hold text)."""


def switched_on(value: Any) -> bool:
    """Whether a draft's yes/no value turns its switch on: True, or text such as "yes" (the
    service's forms hold "yes"/"no", and "no" is not empty text)."""
    if isinstance(value, str):
        return value.strip().lower() in SWITCHED_ON
    return bool(value)


def make_control(spec: FieldSpec, value: Any, *, compact: bool = False) -> Widget:
    """The input widget for ``spec``, showing ``value``."""
    control_id = f"input-{spec.name}"
    if spec.kind in ("select", "switch", "textarea"):
        return _make_rich_control(spec, value, control_id, compact)
    return Input(
        str(value or ""),
        placeholder=spec.placeholder,
        password=spec.kind == "password",
        id=control_id,
        compact=compact,
    )


def _make_rich_control(spec: FieldSpec, value: Any, control_id: str, compact: bool) -> Widget:
    """A drop-down, switch or text area (imported when first needed: the login has none)."""
    from textual.widgets import Select, Switch, TextArea

    if spec.kind == "select":
        known = {option for _, option in spec.options}
        select: Select[Any] = Select(
            spec.options,
            prompt=spec.placeholder or "(none)",
            allow_blank=spec.allow_blank,
            value=value if value in known else Select.NULL,
            id=control_id,
            compact=compact,
        )
        return select
    if spec.kind == "switch":
        return Switch(switched_on(value), id=control_id)
    return TextArea(str(value or ""), id=control_id, soft_wrap=True, compact=compact)


class FormField(Vertical):
    """One labelled control with room below it for its problem."""

    DEFAULT_CSS = """
    FormField {
        height: auto;
        margin: 0 0 1 0;
    }
    FormField > .field-label {
        color: $text-muted;
    }
    FormField > .field-problem {
        display: none;
        color: $text-error;
    }
    FormField.-invalid > .field-problem {
        display: block;
    }
    FormField.-invalid > .field-label {
        color: $text-error;
    }
    FormField.-invalid > Input, FormField.-invalid > Select > SelectCurrent,
    FormField.-invalid > TextArea {
        border: tall $error;
    }
    FormField > TextArea {
        height: 5;
    }
    FormField.-inline {
        margin: 0 0 1 0;
    }
    FormField.-inline > .field-row {
        height: auto;
    }
    FormField.-inline > .field-row > * {
        width: 1fr;
    }
    FormField.-inline > .field-row > .field-label {
        width: 28;
        padding-right: 1;
        color: $text-muted;
    }
    FormField.-inline.-invalid > .field-row > .field-label {
        color: $text-error;
    }
    FormField.-inline > .field-problem {
        padding-left: 28;
    }
    FormField.-inline > .field-row > TextArea {
        height: 3;
    }
    FormField.-inline > .field-row > Switch {
        width: auto;
        border: none;
        height: 1;
        padding: 0;
    }
    FormField.-invalid > .field-row > .-textual-compact,
    FormField.-invalid > .field-row > Select.-textual-compact > *,
    FormField.-invalid > .field-row > Switch {
        background-tint: $error 30%;
    }
    """

    def __init__(self, spec: FieldSpec, value: Any, *, compact: bool = False) -> None:
        """Make the field for ``spec`` showing ``value``."""
        super().__init__(id=f"field-{spec.name}", classes="-inline" if compact else "")
        self.spec = spec
        self._value = value
        self._compact = compact

    @property
    def field_name(self) -> str:
        """The form attribute this field fills."""
        return self.spec.name

    def compose(self) -> ComposeResult:
        """The label, the control and the (hidden) problem line."""
        label = Label(self.spec.label, classes="field-label")
        control = make_control(self.spec, self._value, compact=self._compact)
        if self._compact:
            yield Horizontal(label, control, classes="field-row")
        else:
            yield label
            yield control
        yield Static("", classes="field-problem", markup=False)

    @property
    def control(self) -> Widget:
        """The input widget of this field."""
        return self.query_one(f"#input-{self.spec.name}")

    @property
    def value(self) -> Any:
        """What the user entered: text, a chosen value (None when blank) or a flag."""
        from textual.widgets import Select, Switch, TextArea

        control = self.control
        if isinstance(control, Input):
            return control.value
        if isinstance(control, Select):
            return None if control.value is Select.NULL else control.value
        if isinstance(control, Switch):
            return control.value
        if isinstance(control, TextArea):
            return control.text
        raise TypeError(f"unknown form control {control!r}")

    def set_problem(self, message: str | None) -> None:
        """Mark the field as wrong with ``message``, or clear the mark."""
        self.set_class(message is not None, "-invalid")
        self.query_one(".field-problem", Static).update(message or "")


def form_fields(
    specs: Sequence[FieldSpec], draft: Any, *, compact: bool = False
) -> list[FormField]:
    """Fields for ``specs``, prefilled from the attributes of ``draft``."""
    return [FormField(spec, getattr(draft, spec.name, None), compact=compact) for spec in specs]


def read_values(root: Widget) -> dict[str, Any]:
    """The values of every form field under ``root``, by field name."""
    return {field.field_name: field.value for field in root.query(FormField)}


def show_problems(
    root: Widget, problems: Iterable[Problem], *, focus: bool = True
) -> list[Problem]:
    """Mark every field under ``root`` that has a problem; clear the others.

    The first bad field gets the focus (unless ``focus`` is False: the user is typing).

    Returns:
        The problems that belong to no field shown under ``root``.
    """
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        by_field.setdefault(problem.field, []).append(problem.message)
    placed: set[str] = set()
    first_bad: FormField | None = None
    for field in root.query(FormField):
        messages = by_field.get(field.field_name)
        field.set_problem("; ".join(messages) if messages else None)
        if messages:
            placed.add(field.field_name)
            first_bad = first_bad or field
    if first_bad is not None and focus:
        first_bad.control.focus()
        first_bad.scroll_visible()
    return [p for p in _flatten(by_field) if p.field not in placed]


def _flatten(by_field: dict[str, list[str]]) -> list[Problem]:
    return [Problem(field, message) for field, messages in by_field.items() for message in messages]
