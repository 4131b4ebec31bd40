"""The Time Report's filter bar: period (from, to), person, project and status on one line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select

from ..domain.states import TimeEntryStatus
from ..services.pipeline.views import ReportFilter
from .filter_fields import chosen, date_range
from .time_fields import Options, SearchSelect

STATUS_OPTIONS = tuple((status.value, status.value) for status in TimeEntryStatus)


def period_text(flt: ReportFilter) -> str:
    """The filter's period in words: "2024-05-01 to 2024-05-31", "all dates"."""
    if flt.date_from is None and flt.date_to is None:
        return "all dates"
    start = flt.date_from.isoformat() if flt.date_from else "the beginning"
    end = flt.date_to.isoformat() if flt.date_to else "today"
    return f"{start} to {end}"


class TimeFilterBar(Horizontal):
    """Period, person, project and status; posts :class:`Changed` whenever the filter does."""

    DEFAULT_CSS = """
    TimeFilterBar {
        height: 1;
        margin: 0 1;
    }
    TimeFilterBar > Input {
        width: 12;
        margin-right: 1;
    }
    TimeFilterBar > Input.-invalid {
        background-tint: $error 40%;
    }
    TimeFilterBar > Select {
        width: 1fr;
        margin-right: 1;
    }
    TimeFilterBar > #flt-status {
        width: 15;
        margin-right: 0;
    }
    """

    class Changed(Message):
        """The filter changed (and both dates are valid)."""

        def __init__(self, flt: ReportFilter) -> None:
            super().__init__()
            self.filter = flt

    def compose(self) -> ComposeResult:
        """From, to, person, project, status."""
        yield Input(placeholder="from date", id="flt-from", compact=True)
        yield Input(placeholder="to date", id="flt-to", compact=True)
        yield SearchSelect[int]((), prompt="(everyone)", id="flt-person", compact=True)
        yield SearchSelect[int]((), prompt="(all projects)", id="flt-project", compact=True)
        yield SearchSelect(STATUS_OPTIONS, prompt="(any status)", id="flt-status", compact=True)

    def set_choices(self, people: Options, projects: Options) -> None:
        """Offer these people and projects (choosing none means all of them)."""
        self.query_one("#flt-person", Select).set_options(people)
        self.query_one("#flt-project", Select).set_options(projects)

    @property
    def filter(self) -> ReportFilter | None:
        """The filter as chosen, or None while a date is not a date (that field is marked)."""
        dates = date_range(self, "#flt-from", "#flt-to")
        if dates is None:
            return None
        status = chosen(self, "#flt-status")
        return ReportFilter(
            date_from=dates[0],
            date_to=dates[1],
            owner_id=chosen(self, "#flt-person"),
            project_id=chosen(self, "#flt-project"),
            statuses=(status,) if status else (),
        )

    def focus_first(self) -> None:
        """Put the cursor in the first field."""
        self.query_one("#flt-from", Input).focus()

    def _changed(self) -> None:
        flt = self.filter
        if flt is not None:
            self.post_message(self.Changed(flt))

    def on_input_changed(self, event: Input.Changed) -> None:
        """A date was typed."""
        event.stop()
        self._changed()

    def on_select_changed(self, event: Select.Changed) -> None:
        """A person, project or status was chosen."""
        event.stop()
        self._changed()
