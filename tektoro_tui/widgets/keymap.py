"""The one key map: what every key means, the same on every screen.

Two kinds of key never share a key:

- **Going somewhere** is never a single letter. Ctrl+G opens "Go to", where a letter picks the
  screen (the letters are the areas' own, in ``screens/areas.py``); Ctrl+P finds any screen or
  action by name; Escape goes back. A letter typed by mistake on a button or a list therefore
  never leaves the screen, let alone a form with unsaved edits.
- **A screen's own actions** keep single keys, each with one meaning wherever it is offered:
  ``n`` is always "new", ``d`` always "(de)activate", ``p`` always "record a payment".

Screens bind their keys through the constants below (``Binding(keymap.NEW, "new", "New")``);
``tests/tui/test_keymap.py`` checks every screen's and dialog's bindings against
:data:`SCREEN_KEYS`, :data:`DIALOG_KEYS` and :data:`GLOBAL_KEYS`, and that docs/keys.md is
:func:`markdown` of this module.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- everywhere (the app's own keys) -----------------------------------------------------------

HELP = "f1,question_mark"
GO_TO = "ctrl+g"
PALETTE = "ctrl+p"
LOG_OUT = "ctrl+l"
QUIT = "ctrl+q"
BACK = "escape"

# --- a screen's own actions --------------------------------------------------------------------

NEW = "n"
EDIT = "e"
DELETE = "delete"
ACTIVATE = "d"
APPROVE = "a"
APPROVE_ALL = "A"
REJECT = "r"
REJECT_ALL = "R"
PAY = "p"
CREDIT_NOTE = "c"
OPEN_PDF = "o"
OPEN_HTML = "h"
EXPORT = "x"
MAIL = "m"
FILTER = "f"
PERIOD = "y"
PERIOD_DATES = "Y"
MARK = "space"
SELECT_ALL = "ctrl+a"
ALLOCATE = "plus"
RELEASE = "minus"
SAVE = "ctrl+s"
RELOAD = "f5"
FINISH = "f9"
GENERATE = "g"
BOOK = "b"
SEND = "s"
INVITE = "i"
ADJUSTMENT = "j"
LINE_DETAILS = "l"
COPY = "w"
MARK_READ = "k"
MARK_ALL_READ = "K"
SEARCH = "slash"
PASSWORD = "f2"
CLEAR = "0"
NOTICE_60 = "6"
NOTICE_90 = "9"
REGISTER = "ctrl+r"
CONFIRM = "enter"
RECORD_EXTERNAL = "t"
PLAN = "N"
FILL = "F"
CLOCK_IN = "I"
CLOCK_OUT = "O"
TABS = ("1", "2", "3", "4", "5")

# --- inside a dialog ---------------------------------------------------------------------------

YES = "y"
NO = "n"
CSV = "c"
XLSX = "x"
OTHER_BUTTON = "left,right"


@dataclass(frozen=True)
class KeyMeaning:
    """One key, what it means, and the actions (as bound, e.g. ``render('pdf')``) that may
    use it. An action name without its arguments allows every argument."""

    key: str
    meaning: str
    actions: frozenset[str]

    @property
    def shown(self) -> str:
        """The key as the help and the documentation write it."""
        return key_text(self.key)


def _meaning(key: str, meaning: str, *actions: str) -> KeyMeaning:
    return KeyMeaning(key, meaning, frozenset(actions))


GLOBAL_KEYS: tuple[KeyMeaning, ...] = (
    _meaning(HELP, "Help: this screen's keys and the key map", "help"),
    _meaning(GO_TO, "Go to: then a letter opens a screen (see below)", "go_to"),
    _meaning(PALETTE, "Command palette: find any screen or action by name", "command_palette"),
    _meaning(LOG_OUT, "Log out (asks first about unsaved changes)", "sign_out"),
    _meaning(QUIT, "Quit (asks first about unsaved changes)", "quit"),
    _meaning(BACK, "Back, cancel or close (asks first about unsaved changes)", "go_back"),
)
"""The app's keys, the same on every screen."""

SCREEN_KEYS: tuple[KeyMeaning, ...] = (
    _meaning(
        NEW,
        "New: create a record of the list (in the Documenter, an expense)",
        "new",
        "new_user",
        "expense",
    ),
    _meaning(PLAN, "New for many: plan work shifts for a crew over a range of days", "plan"),
    _meaning(EDIT, "Edit the highlighted record (Enter does too)", "edit", "edit_user"),
    _meaning(
        DELETE,
        "Delete or remove the highlighted (or marked) rows, after asking",
        "delete",
        "remove",
        "remove_line",
    ),
    _meaning(
        ACTIVATE, "Deactivate or reactivate the highlighted record, after asking", "toggle_active"
    ),
    _meaning(
        APPROVE, "Accept / approve the marked entries, or the highlighted one", "approve", "accept"
    ),
    _meaning(
        APPROVE_ALL,
        "Accept / approve every listed entry (asks, naming how many)",
        "approve_all",
        "accept_all",
    ),
    _meaning(REJECT, "Reject the marked entries, or the highlighted one", "reject"),
    _meaning(REJECT_ALL, "Reject every listed entry (asks, naming how many)", "reject_all"),
    _meaning(
        PAY,
        "Record a payment: of the highlighted invoice, or a subcontract's settlement stage",
        "record_payment",
        "pay",
        "settle",
    ),
    _meaning(
        CREDIT_NOTE,
        "Cancel the highlighted invoice with a credit note",
        "credit_note",
        "cancel_invoice",
    ),
    _meaning(
        OPEN_PDF,
        "Write the highlighted invoice as PDF (a kept file as it was kept)",
        "render('pdf')",
        "open_pdf",
        "open_file",
    ),
    _meaning(
        RECORD_EXTERNAL,
        "Record an invoice issued in another program (its own number)",
        "record_external",
    ),
    _meaning(OPEN_HTML, "Write the highlighted invoice as HTML", "render('html')"),
    _meaning(EXPORT, "Export what is shown to CSV or XLSX", "export"),
    _meaning(MAIL, "Mail what is shown to me", "mail"),
    _meaning(
        FILTER,
        "Filter: go to the filter, or change what is listed",
        "filter",
        "focus_filter",
        "next_filter",
        "firm_wide",
    ),
    _meaning(PERIOD, "Period: change or type the period shown", "next_period", "edit_dates"),
    _meaning(PERIOD_DATES, "Type the period's first and last day", "choose_period"),
    _meaning(MARK, "Mark or unmark the highlighted row", "mark", "toggle_entry", "select_cursor"),
    _meaning(SELECT_ALL, "Mark every row shown (or none)", "select_all"),
    _meaning(ALLOCATE, "Allocate the marked WIP (bill, write down, hold)", "allocate"),
    _meaning(RELEASE, "Release the marked WIP back to unallocated", "release"),
    _meaning(SAVE, "Save the form", "save", "create_account", "create"),
    _meaning(RELOAD, "Read again", "reload"),
    _meaning(
        FINISH,
        "The last step: process WIP, create the invoice, transfer pay to accounting",
        "process",
        "create_invoice",
        "transfer",
    ),
    _meaning(FILL, "Fill the blanks of past work shifts from their plan (a dry run first)", "fill"),
    _meaning(CLOCK_IN, "Clock in: start your working day on a project", "clock_in"),
    _meaning(CLOCK_OUT, "Clock out: end your running work shift (asks first)", "clock_out"),
    _meaning(GENERATE, "Generate a master invoice", "generate"),
    _meaning(BOOK, "Book a paid invoice", "book"),
    _meaning(SEND, "Mark the invoice sent (and e-mail it), after asking", "send"),
    _meaning(INVITE, "Invite someone with a single-use code", "invite"),
    _meaning(ADJUSTMENT, "Add an adjustment to the draft invoice", "adjustment"),
    _meaning(LINE_DETAILS, "Show or hide line descriptions on the printout", "toggle_descriptions"),
    _meaning(COPY, "Copy the path of the file written to the clipboard", "copy_path"),
    _meaning(MARK_READ, "Mark the highlighted notification read, or unread again", "mark_read"),
    _meaning(MARK_ALL_READ, "Mark every notification read (asks first)", "mark_all_read"),
    _meaning(SEARCH, "Search", "search"),
    _meaning(PASSWORD, "Set the SMTP password", "smtp_password"),
    _meaning(
        CLEAR,
        "Clear: remove the overdue notice, reset a role to its defaults",
        "notice(None)",
        "reset_role",
    ),
    _meaning(NOTICE_60, "Add a 60-day overdue notice", "notice(60)"),
    _meaning(NOTICE_90, "Add a 90-day overdue notice", "notice(90)"),
    _meaning(REGISTER, "Register with an invitation code", "register"),
    _meaning(CONFIRM, "Log in; on a list, open or edit the highlighted row", "log_in"),
    _meaning(BACK, "Back (asks first about unsaved changes)", "back", "app.go_back"),
    _meaning(",".join(TABS), "Switch to the tab with this number", "show_tab"),
)
"""The keys of the screens' own actions: each key one meaning, each action one key."""

DIALOG_KEYS: tuple[KeyMeaning, ...] = (
    _meaning(YES, "Yes", "answer(True)", "process"),
    _meaning(NO, "No", "answer(False)", "no"),
    _meaning(BACK, "No, cancel or close", "answer(False)", "cancel", "close", "choose('')"),
    _meaning(SAVE, "Save; in the preview, generate", "save", "answer(True)"),
    _meaning(GENERATE, "Generate (the master-invoice preview)", "answer(True)"),
    _meaning(CSV, "CSV (the export question)", "choose('csv')"),
    _meaning(XLSX, "XLSX (the export question)", "choose('xlsx')"),
    _meaning(COPY, "Copy the code to the clipboard", "copy"),
    _meaning(RELOAD, "Reload a record someone else changed (the form closes)", "reload_record"),
    _meaning(CONFIRM, "Close the notice", "close"),
    _meaning(OTHER_BUTTON, "The other button", "app.focus_next"),
    _meaning("f1,q,question_mark", "Close the help", "close"),
)
"""The keys inside dialogs (questions, forms, the help): a small map of their own."""

KEY_NAMES = {
    "plus": "+",
    "minus": "-",
    "space": "Space",
    "delete": "Delete",
    "escape": "Escape",
    "enter": "Enter",
    "slash": "/",
    "question_mark": "?",
    "left": "←",
    "right": "→",
}


def key_text(key: str) -> str:
    """``ctrl+a`` as "Ctrl+A", ``f9`` as "F9", ``plus`` as "+", ``A`` as "A (Shift+a)"."""
    shown = []
    for one in key.split(","):
        if one in KEY_NAMES:
            shown.append(KEY_NAMES[one])
        elif one.startswith("ctrl+"):
            shown.append("Ctrl+" + one.removeprefix("ctrl+").upper())
        elif len(one) > 1 and one[0] == "f" and one[1:].isdigit():
            shown.append(one.upper())
        elif len(one) == 1 and one.isupper():
            shown.append(f"{one} (Shift+{one.lower()})")
        else:
            shown.append(one)
    return ", ".join(shown)


def action_allowed(meaning: KeyMeaning, action: str) -> bool:
    """Whether ``action`` (as bound, with its arguments) has the meaning of ``meaning``."""
    return action in meaning.actions or action.split("(", 1)[0] in meaning.actions


def markdown(go_to: tuple[tuple[str, str], ...]) -> str:
    """docs/keys.md: the key map as a page (``go_to``: each area's letter and title)."""
    lines = [
        "# Keys",
        "",
        "<!-- Generated from tektoro_tui/widgets/keymap.py by tektoro_tui.widgets.keymap."
        "markdown; a test keeps the two equal. -->",
        "",
        "One key map for the whole app. Going somewhere is never a single letter: **Ctrl+G**",
        "then a letter opens a screen, **Ctrl+P** finds any screen or action by name, and",
        "**Escape** goes back. Single keys are a screen's own actions, and each means the same",
        "on every screen that offers it. Leaving a form with unsaved changes (Escape, Ctrl+G,",
        "the palette, logging out, quitting) always asks first. F1 shows the keys of the screen",
        "you are on.",
        "",
        "## Everywhere",
        "",
        *_table(GLOBAL_KEYS),
        "",
        "## Go to (Ctrl+G, then)",
        "",
        "| Key | Screen |",
        "| --- | --- |",
        *(f"| {letter} | {title} |" for letter, title in go_to),
        "",
        "## A screen's own actions",
        "",
        *_table(SCREEN_KEYS),
        "",
        "## In a dialog",
        "",
        *_table(DIALOG_KEYS),
        "",
    ]
    return "\n".join(lines)


def _table(meanings: tuple[KeyMeaning, ...]) -> list[str]:
    return [
        "| Key | Meaning |",
        "| --- | --- |",
        *(f"| {item.shown} | {item.meaning} |" for item in meanings),
    ]


ACTION_WORDS: dict[str, str] = {
    "new": "add create new record",
    "new_user": "add create new person account staff employee",
    "expense": "add expense cost receipt out-of-pocket disbursement",
    "edit": "change modify update correct",
    "edit_user": "change modify update person account role",
    "delete": "delete remove erase",
    "remove": "delete remove erase",
    "remove_line": "delete remove line",
    "toggle_active": "deactivate activate reactivate archive disable enable retire close",
    "approve": "approve accept sign off ok",
    "approve_all": "approve all accept all sign off everything",
    "accept": "accept submit send for approval",
    "accept_all": "accept all submit all send for approval",
    "reject": "reject send back return decline refuse",
    "reject_all": "reject all send back return decline refuse",
    "record_payment": (
        "record payment received receive money paid pay settle receipt cash bank transfer "
        "recognise revenue income"
    ),
    "pay": "record payment paid pay settle receipt cash bank transfer mark paid",
    "credit_note": "credit note cancel void reverse storno correct invoice",
    "cancel_invoice": "credit note cancel void reverse storno invoice",
    "render('pdf')": "pdf print printout document open write file",
    "render('html')": "html print web page document open write file",
    "open_pdf": "pdf print printout document open write file",
    "export": "export csv xlsx excel spreadsheet download file save",
    "mail": "mail e-mail email send to me report",
    "filter": "filter search narrow period person project status",
    "focus_filter": "filter search narrow status client",
    "next_filter": "filter show unallocated allocated hold written down",
    "firm_wide": "firm whole company everyone all staff scope",
    "next_period": "period month week date range",
    "edit_dates": "period dates from to range month year",
    "choose_period": "period dates from to range",
    "mark": "mark select tick choose",
    "toggle_entry": "mark select tick choose",
    "select_all": "select all mark all everything",
    "allocate": "allocate bill write down write off hold",
    "release": "release unallocate undo allocation",
    "save": "save store keep",
    "reload": "reload refresh read again update",
    "process": "process make invoice records bill billing run",
    "create_invoice": "create issue invoice finalise finalize number bill",
    "generate": "generate make create contractor master invoice",
    "book": "book post ledger close accounting",
    "send": "send mark sent e-mail email client deliver",
    "invite": "invite invitation code register staff",
    "adjustment": "adjustment discount write down surcharge correction",
    "toggle_descriptions": "line descriptions details printout",
    "copy_path": "copy path clipboard file",
    "mark_read": "read seen acknowledge",
    "mark_all_read": "read all seen acknowledge",
    "search": "search find look up",
    "smtp_password": "smtp mail server password",
    "notice": "overdue notice reminder dunning late 60 90",
    "reset_role": "reset role default permissions",
    "show_tab": "tab",
    "plan": "plan schedule shifts crew roster week range",
    "fill": "fill batch missing end clock-out as planned settle shifts",
    "transfer": "transfer payroll accounting lock close month salary pay",
    "clock_in": "clock in start work shift arrive punch in",
    "clock_out": "clock out end work shift leave punch out",
}
"""Words a bookkeeper may type into the command palette for each action (besides its name)."""
