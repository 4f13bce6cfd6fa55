"""The root ``modelreg`` command, its global options, and the one error handler.

Every ``ModelregError`` raised below becomes one line on stderr and its exit code. Nothing
here prints a traceback for a user error or a database password.
"""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from registry import __version__
from registry.cli import admin as admin_cmd
from registry.cli import audit as audit_cmd
from registry.cli import check as check_cmd
from registry.cli import config as config_cmd
from registry.cli import db as db_cmd
from registry.cli import deploy as deploy_cmd
from registry.cli import export as export_cmd
from registry.cli import hub as hub_cmd
from registry.cli import login as login_cmd
from registry.cli import org as org_cmd
from registry.cli import policy as policy_cmd
from registry.cli import provenance as provenance_cmd
from registry.cli import release as release_cmd
from registry.cli import serve as serve_cmd
from registry.cli import signature as signature_cmd
from registry.cli import smoke as smoke_cmd
from registry.cli import variants as variants_cmd
from registry.cli import verify as verify_cmd
from registry.cli import webhook as webhook_cmd
from registry.cli.coercion import install
from registry.cli.context import CliState, state
from registry.errors import ModelregError

NOT_LEGAL_ADVICE = (
    "modelreg encodes a literal reading of the license texts and shows the clause behind "
    "every finding. It is not legal advice."
)


class ModelregGroup(TyperGroup):
    """The root group: turns library errors into a message and their exit code.

    Its parameters and every command's are given pydantic-free converters
    (:mod:`registry.cli.coercion`) before the command line is parsed.
    """

    def get_params(self, ctx: Any) -> list[Any]:
        if not self._plain:
            self._plain = True
            install(self, ctx)
        return super().get_params(ctx)

    _plain = False

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ModelregError as exc:
            _report(exc, ctx.obj.db if isinstance(ctx.obj, CliState) else None)
            ctx.exit(exc.exit_code)
        finally:
            obj = ctx.obj
            if isinstance(obj, CliState):
                obj.close()


def _report(exc: ModelregError, db: str | None) -> None:
    from registry.config import scrub

    sys.stderr.write(f"error: {scrub(exc.message, db)}\n")
    if exc.hint:
        sys.stderr.write(f"hint: {exc.hint}\n")


app = typer.Typer(
    name="modelreg",
    cls=ModelregGroup,
    help="A registry and license-compliance gate for Llama-derived models. " + NOT_LEGAL_ADVICE,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"modelreg {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Catalog database URL (sqlite:///PATH or postgresql://...)."),
    ] = None,
    policies: Annotated[
        list[Path] | None,
        typer.Option("--policies", metavar="DIR", help="Extra policy directory (repeatable)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """modelreg: register, verify, license-check and smoke-test model checkpoints."""
    st = state(ctx)
    st.db = db
    st.policy_dirs = list(policies or [])


app.add_typer(db_cmd.app, name="db")
variants_cmd.register(app)
verify_cmd.register(app)
signature_cmd.register(app)
hub_cmd.register(app)
export_cmd.register(app)
config_cmd.register(app)
smoke_cmd.register(app)
app.add_typer(policy_cmd.app, name="policy")
app.add_typer(org_cmd.app, name="org")
app.add_typer(deploy_cmd.app, name="deploy")
check_cmd.register(app)
app.add_typer(admin_cmd.app, name="admin")
app.add_typer(audit_cmd.app, name="audit")
serve_cmd.register(app)
login_cmd.register(app)
provenance_cmd.register(app)
release_cmd.register(app)
webhook_cmd.register(app)


# global options that take a value: the word after them is not the command's name
_VALUE_OPTIONS = ("--db", "--policies")


def invoked_name(argv: list[str]) -> str | None:
    """The command a command line names after the global options (None when it names none)."""
    words = iter(argv)
    for word in words:
        if word in _VALUE_OPTIONS:
            next(words, None)
        elif word == "--" or not word.startswith("-"):
            return next(words, None) if word == "--" else word
    return None


def app_for(argv: list[str]) -> typer.Typer:
    """The app with only the command ``argv`` names, since typer builds the parameters of
    every command it holds before it parses (about 30 ms for all of them, on every run).

    The whole app when ``argv`` names no command or an unknown one (the help and "No such
    command" list them all), and for shell completion.
    """
    import copy
    import os

    name = invoked_name(argv)
    if name is None or any(k.endswith("_COMPLETE") for k in os.environ):
        return app
    commands = [
        c
        for c in app.registered_commands
        if (c.name or typer.main.get_command_name(getattr(c.callback, "__name__", ""))) == name
    ]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def main() -> None:
    """Console-script entry point."""
    try:
        app_for(sys.argv[1:])()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
