"""The ``tektoro`` command: opens the TUI, or runs one-shot commands for scripts.

Every command takes ``--db URL`` (else ``TEKTORO_DATABASE_URL``, the config
file, the default SQLite file). Commands that print data take ``--json``.
Refusals go to stderr with exit code 1. Heavy libraries (SQLModel, Textual)
are imported inside the commands so that ``tektoro --help`` starts fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Collection, Sequence
from typing import Annotated, Any

import typer

from ..domain.values import MAX_WHOLE_NUMBER
from ..errors import TektoroError
from .common import (
    OUTER_DB,
    DbOption,
    JsonOption,
    current_actor,
    fail,
    print_json,
    read_password,
    services_for,
    whole_number,
)

HELP = "\n\n".join(
    (
        "TekToro: time cards to invoices, payments and pay, from the terminal.",
        "Exit codes: 0 when the command did its work; 1 when it was refused (bad input, not "
        "allowed, a database that does not exist: the reason is one line on stderr and "
        "nothing was changed); 2 for a usage error (an unknown command or option, a missing "
        "one, or a value of the wrong kind, reported by the command line itself).",
        "Only init, demo and db upgrade create a database; every other command refuses one "
        "that does not exist.",
    )
)

MAX_DEMO_ENTRIES = 10_000_000

commands = typer.Typer(
    help=HELP,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
"""The ``tektoro`` command: this module's own commands, then the modules' that a call needs
(:func:`load_commands`). ``app`` is the whole of it."""
db_app = typer.Typer(help="Database schema: status and upgrade.", no_args_is_help=True)
users_app = typer.Typer(help="Users and staff groups.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log's key and seals.", no_args_is_help=True)
commands.add_typer(db_app, name="db")
commands.add_typer(audit_app, name="audit")
commands.add_typer(users_app, name="users")

COMMAND_MODULES: tuple[str, ...] = (
    "pipeline",
    "contractor_invoices",
    "client_invoices",
    "dashboards",
    "projects",
    "subcontracts",
    "payroll",
)
"""The modules of this package that add commands, in the order ``--help`` lists them."""

MODULES_OF: dict[str, tuple[str, ...]] = {
    "time": ("pipeline",),
    "wip": ("pipeline",),
    "documenter": ("pipeline",),
    "invoice": ("pipeline",),
    "revenue": ("pipeline",),
    "export": ("pipeline", "client_invoices", "projects", "subcontracts", "payroll"),
    "contractor-invoice": ("contractor_invoices",),
    "payment": ("contractor_invoices",),
    "terms": ("client_invoices",),
    "invoices": ("client_invoices",),
    "dashboard": ("dashboards",),
    "compliance": ("dashboards",),
    "project": ("projects",),
    "cost": ("projects",),
    "subcontract": ("subcontracts",),
    "work-type": ("subcontracts",),
    "shift": ("payroll",),
    "clock": ("payroll",),
    "pay": ("payroll",),
}
"""The modules each of their top-level commands needs (``export`` gathers the exports of five;
``tests/cli/test_cli.py`` holds this against what each module registers)."""

_registered: list[str] = []


def load_commands(modules: Collection[str] = COMMAND_MODULES) -> typer.Typer:
    """Add the commands of ``modules`` (each once, in the order of ``--help``); the command."""
    for name in COMMAND_MODULES:
        if name in modules and name not in _registered:
            importlib.import_module(f".{name}", __package__).register(commands)
            _registered.append(name)
    return commands


def modules_for(argv: Sequence[str]) -> Collection[str]:
    """The command modules a call with ``argv`` needs: those of the command it names, none
    for one of this module's, all when it names none (``--help``) or an unknown one (whose
    refusal suggests the nearest names). A one-shot command then loads and builds only what
    it runs instead of the whole tree of about a hundred commands."""
    args = list(argv)
    if args[:1] == ["--db"]:
        args = args[2:]
    elif args and args[0].startswith("--db="):
        args = args[1:]
    if not args or args[0].startswith("-"):
        return COMMAND_MODULES
    name = args[0]
    if name in MODULES_OF:
        return MODULES_OF[name]
    own = {group.name for group in commands.registered_groups} | {
        command.name or command.callback.__name__.replace("_", "-")
        for command in commands.registered_commands
        if command.callback is not None
    }
    return () if name in own else COMMAND_MODULES


def __getattr__(name: str) -> Any:
    """``app``: the whole command, every module's commands loaded."""
    if name == "app":
        return load_commands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@commands.callback(invoke_without_command=True)
def main(ctx: typer.Context, db: DbOption = None) -> None:
    """Open the TekToro TUI (or run one of the commands below)."""
    OUTER_DB.set(db)  # a --db before the command's name is the command's database
    if ctx.invoked_subcommand is not None:
        return
    from ..config import resolve_database

    try:
        choice = resolve_database(db)
    except TektoroError as exc:
        fail(exc.message, exc.title)
        return
    from ..app import run_app

    run_app(choice.url)


@commands.command()
def init(
    company: Annotated[str, typer.Option(help="The organisation's name.")],
    admin_email: Annotated[str, typer.Option(help="E-mail of the first administrator.")],
    admin_name: Annotated[str, typer.Option(help="Name of the first administrator.")] = "",
    address: Annotated[
        str, typer.Option(help="The firm's address, printed on invoices (or later in Settings).")
    ] = "",
    tax_id: Annotated[str, typer.Option(help="The firm's tax ID (VAT number).")] = "",
    bank_account: Annotated[str, typer.Option(help="The firm's bank account (IBAN).")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create the organisation and its first administrator."""
    password = read_password(password_stdin, "Administrator password", confirm=True)
    with services_for(db, create=True) as services:
        actor = services.auth.init_organisation(
            company,
            admin_email,
            admin_name,
            password,
            billing_address=address.replace("\\n", "\n"),
            tax_id=tax_id,
            bank_account=bank_account,
        )
        typer.echo(f"Created '{company}' with administrator {actor.email}.")
        typer.echo(f"Database: {services.db.display_url}")
        missing = [
            label
            for label, given in (("--address", address), ("--tax-id", tax_id),
                                 ("--bank-account", bank_account))
            if not given.strip()
        ]  # fmt: skip
        if missing:
            typer.echo(
                f"Invoices print only what the firm has given: add {', '.join(missing)} "
                "later on the Settings screen, before issuing the first invoice.",
                err=True,
            )


@commands.command()
def login(
    email: Annotated[str | None, typer.Option(help="Your e-mail.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Log in once so later commands run as you."""
    from ..credentials import save_session_token

    if not email:
        if not sys.stdin.isatty():
            fail("Pass --email when there is no terminal to ask.", "Login")
        email = str(typer.prompt("E-mail"))
    password = read_password(password_stdin)
    with services_for(db) as services:
        actor = services.auth.login(email, password)
        token = services.auth.start_session(actor)
        where = save_session_token(services.db.display_url, token)
        typer.echo(f"Logged in as {actor.name} <{actor.email}> ({actor.role.label}).")
        typer.echo(f"Session kept in: {where}")


@commands.command()
def logout(db: DbOption = None) -> None:
    """End the stored CLI session."""
    from ..credentials import clear_session_token, load_session_token

    with services_for(db) as services:
        key = services.db.display_url
        token = load_session_token(key)
        if token:
            services.auth.end_session(token)
        clear_session_token(key)
        typer.echo("Logged out." if token else "No session was open.")


@commands.command()
def whoami(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show the logged-in user."""
    with services_for(db) as services:
        actor = current_actor(services)
        data = {
            "id": actor.user_id,
            "email": actor.email,
            "name": actor.name,
            "role": actor.role.value,
            "permissions": sorted(actor.permissions),
        }
        if as_json:
            print_json(data)
        else:
            typer.echo(f"{actor.name} <{actor.email}> ({actor.role.label})")


@commands.command()
def check(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Re-derive every ledger invariant from the raw rows; exit 1 naming each broken one."""
    from ..services.check import run_check

    with services_for(db) as services:
        report = run_check(services.db)
    if as_json:
        print_json(report.as_dict())
    else:
        for line in report.lines():
            typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("seal")
def audit_seal(
    db: DbOption = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask; seal if nothing stands in the way.")
    ] = False,
) -> None:
    """Key the audit log and vouch for every ledger row as it stands (asks first).

    For a database from before keyed audit logs, a lost key, or a backup restored on
    purpose. Refused while `tektoro check` finds anything sealing would paper over.
    """
    from ..services.check.sealing import prepare_seal, seal_ledger

    with services_for(db) as services:
        plan = prepare_seal(services.db)
        if plan.blockers:
            for failure in plan.blockers:  # listed as check lists them; the refusal is one line
                typer.echo(f"FAIL {failure.invariant}: {failure.detail}")
            fail(
                # no count: check's own list ends in "... and N more like the above" lines
                "sealing would vouch for the problems listed: correct them (or restore a "
                "backup) first. Nothing was written.",
                "Not sealed",
            )
        if not yes:
            if not sys.stdin.isatty():
                fail("Pass --yes when there is no terminal to ask.", "Not sealed")
            typer.confirm(plan.question, abort=True)
        result = seal_ledger(services.db, services.clock)
    typer.echo(result.summary())


@commands.command()
def demo(
    db: DbOption = None,
    entries: Annotated[
        int,
        typer.Option(
            help="How many time entries to generate.", parser=whole_number(0, MAX_DEMO_ENTRIES)
        ),
    ] = 2000,
    seed: Annotated[
        int,
        typer.Option(
            help="Random seed, for a repeatable firm.", parser=whole_number(0, MAX_WHOLE_NUMBER)
        ),
    ] = 7,
) -> None:
    """Build a realistic demo firm to explore, and print its logins."""
    from ..services.demo import build_demo

    with services_for(db, create=True) as services:
        result = build_demo(services, entries=entries, seed=seed, progress=typer.echo)
    typer.echo(result.summary())


@db_app.command("status")
def db_status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show the schema revision and whether an upgrade is pending."""
    from ..data.migrate import schema_status

    with services_for(db, migrate=False) as services:
        status = schema_status(services.db)
        data = {
            "database": services.db.display_url,
            "current": status.current,
            "head": status.head,
            "up_to_date": status.up_to_date,
            "pending": list(status.pending),
        }
    if as_json:
        print_json(data)
        return
    typer.echo(f"Database: {data['database']}")
    typer.echo(f"Schema revision: {status.current or '(empty database)'}; latest: {status.head}")
    typer.echo("Up to date." if status.up_to_date else f"Pending: {', '.join(status.pending)}")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply every pending schema migration."""
    from ..data.migrate import upgrade

    with services_for(db, migrate=False, create=True) as services:
        status = upgrade(services.db)
        typer.echo(f"Schema at {status.current} ({services.db.display_url}).")


@users_app.command("list")
def users_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the users you may see."""
    with services_for(db) as services:
        actor = current_actor(services)
        rows: list[Any] = []
        after = None
        while True:
            page = services.users.list_users(actor, after=after, limit=500)
            rows.extend(page.items)
            if page.next_after is None:
                break
            after = page.next_after
    if as_json:
        print_json(
            [
                {
                    "id": u.id,
                    "name": u.name,
                    "email": u.email,
                    "role": u.role.value,
                    "supervisor": u.supervisor_name,
                    "active": u.is_active,
                }
                for u in rows
            ]
        )
        return
    for u in rows:
        flag = "" if u.is_active else " (inactive)"
        typer.echo(f"{u.id:>5}  {u.name:<28} {u.email:<32} {u.role.label}{flag}")


@users_app.command("invite")
def users_invite(
    email: Annotated[str, typer.Argument(help="E-mail of the person to invite.")],
    role: Annotated[str, typer.Option(help="Role of the new user.")] = "staff",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invite someone into your staff group; prints the single-use code."""
    with services_for(db) as services:
        actor = current_actor(services)
        view = services.auth.invite(actor, email, role)
    if as_json:
        print_json(
            {
                "email": view.email,
                "role": view.role.value,
                "code": view.token,
                "expires_at": view.expires_at.isoformat(),
            }
        )
        return
    until = f"{view.expires_at:%Y-%m-%d %H:%M} UTC"
    typer.echo(f"Invitation for {view.email} ({view.role.label}), valid until {until}.")
    typer.echo(f"Code: {view.token}")
    typer.echo(
        "They register with: tektoro register --code CODE (or 'Register' on the login screen)."
    )


@commands.command()
def register(
    code: Annotated[str, typer.Option(help="The invitation code.")],
    name: Annotated[str, typer.Option(help="Your name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create your account from an invitation code."""
    password = read_password(password_stdin, "Choose a password", confirm=True)
    with services_for(db) as services:
        actor = services.auth.register(code, name, password)
        typer.echo(f"Welcome, {actor.name}. You can now log in as {actor.email}.")


def run() -> None:
    """Console-script entry point."""
    from ..loading import pause_collection

    pause_collection()  # resumed once the database is open
    load_commands(modules_for(sys.argv[1:]))
    commands()


if __name__ == "__main__":
    run()
