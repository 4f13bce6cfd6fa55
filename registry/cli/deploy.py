"""``modelreg deploy add|list``: named uses of a model that ``check --all`` re-checks."""

from typing import Annotated

import typer

from registry.cli.context import state
from registry.cli.output import emit, say

app = typer.Typer(
    help="Deployments: which organisation uses which model, how.", no_args_is_help=True
)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    model: Annotated[str, typer.Option("--model", help="The variant deployed.")],
    org: Annotated[str, typer.Option("--org", help="The licensee.")],
    use: Annotated[str, typer.Option("--use", help="research, internal, service, distribute.")],
    public_name: Annotated[str | None, typer.Option("--public-name")] = None,
    purpose: Annotated[list[str] | None, typer.Option("--purpose", help="Repeatable.")] = None,
    attest: Annotated[list[str] | None, typer.Option("--attest", help="Repeatable.")] = None,
    end_user: Annotated[bool, typer.Option("--end-user")] = False,
) -> None:
    """Register a deployment (attestations are recorded with the user and time)."""
    dep = (
        state(ctx)
        .store()
        .deploy_add(
            name,
            model=model,
            org=org,
            use=use,
            public_name=public_name,
            purposes=purpose or [],
            attestations=attest or [],
            end_user=end_user,
        )
    )
    say(f"added deployment {dep['name']}")


@app.command("rm")
def rm(ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME")]) -> None:
    """Remove a deployment (its past checks stay in the check log)."""
    state(ctx).store().deploy_rm(name)
    say(f"removed deployment {name}")


@app.command("list")
def list_(ctx: typer.Context, fmt: Annotated[str, typer.Option("--format")] = "table") -> None:
    """List deployments."""
    import json

    rows = state(ctx).store().deployments()
    if fmt == "json":
        emit(json.dumps(rows, indent=2))
        return
    emit(
        "\n".join(
            f"{r['name']}\t{r['model']}\t{r['org']}\t{r['use']}\t{r['public_name']}" for r in rows
        )
        or "(no deployments)"
    )
