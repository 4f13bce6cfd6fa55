"""``modelreg check``: may this organisation use this model this way? Exit 0, 1 or 3.

The body lives in :mod:`registry.cli.check_run`, which reads the catalog over the plain
DBAPI; this module is its typer face: options and help.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from registry.cli.context import state
from registry.formats import CheckFormat

if TYPE_CHECKING:
    from registry.compliance.model import CheckResult


def renderer(fmt: CheckFormat) -> Callable[[list[CheckResult], bool], str]:
    """The renderer of a format (table: rich, in the CLI; the others: registry.formats)."""
    from registry.cli.check_run import render

    return lambda results, many: render(fmt.value, results, many)


def check(
    ctx: typer.Context,
    variant: Annotated[str | None, typer.Argument(help="The variant to check.")] = None,
    org: Annotated[
        str | None, typer.Option("--org", help="The licensee (default: default_org).")
    ] = None,
    use: Annotated[
        str | None, typer.Option("--use", help="research, internal, service or distribute.")
    ] = None,
    public_name: Annotated[
        str | None, typer.Option("--public-name", help="Name the model is offered under.")
    ] = None,
    purpose: Annotated[
        list[str] | None, typer.Option("--purpose", help="Purpose slug (repeatable).")
    ] = None,
    attest: Annotated[
        list[str] | None,
        typer.Option("--attest", help="agreement-copy, notice-file, built-with or aup."),
    ] = None,
    end_user: Annotated[
        bool, typer.Option("--end-user", help="Receives the model inside another's product.")
    ] = False,
    deployment: Annotated[
        str | None, typer.Option("--deployment", help="Check a registered deployment.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Check every deployment.")] = False,
    history: Annotated[
        str | None,
        typer.Option("--history", metavar="VARIANT", help="List past checks of a variant."),
    ] = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", help="Output format.")] = (
        CheckFormat.table
    ),
    require_release: Annotated[
        bool,
        typer.Option(
            "--require-release",
            help="Exit 1 unless each deployment has a fresh approved release.",
        ),
    ] = False,
) -> None:
    """Check a model's licenses for an organisation and use; exit 0 compliant, 1 non-compliant,
    3 needs review. Not legal advice: a literal reading of the license texts."""
    from registry.cli.check_run import CheckOptions, execute

    st = state(ctx)
    opts = CheckOptions(
        variant=variant,
        org=org,
        use=use,
        public_name=public_name,
        purposes=purpose or [],
        attest=attest or [],
        end_user=end_user,
        deployment=deployment,
        all=all_,
        history=history,
        format=fmt.value,
        require_release=require_release,
    )
    code = execute(opts, st.settings(), st.store())
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("check")(check)
