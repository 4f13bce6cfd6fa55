"""``modelreg org add|mau|grant|list|show``: licensees, their MAU per month, their grants."""

from typing import Annotated

import typer

from registry.cli.context import state
from registry.cli.output import emit, say

app = typer.Typer(
    help="Organisations (licensees): country, parent, MAU, grants.", no_args_is_help=True
)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ORG")],
    country: Annotated[
        str | None, typer.Option("--country", help="ISO 3166 alpha-2 code (principal place).")
    ] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="Parent organisation.")] = None,
) -> None:
    """Register an organisation."""
    org = state(ctx).store().org_add(name, country=country, parent=parent)
    say(f"added organisation {org['name']}" + (f" ({org['country']})" if org["country"] else ""))


@app.command("mau")
def mau(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ORG")],
    month: Annotated[str, typer.Option("--month", help="Calendar month, YYYY-MM.")],
    users: Annotated[str, typer.Option("--users", help="Monthly active users (whole number).")],
) -> None:
    """Record an organisation's monthly active users for a month (again: replaces it)."""
    row = state(ctx).store().org_mau(name, month, users)
    old = row["previous"]
    change = f" (was {old:,})" if old is not None else ""
    say(f"{name}: {row['month']} = {row['users']:,} monthly active users{change}")


@app.command("grant")
def grant(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ORG")],
    license_id: Annotated[str, typer.Option("--license", help="Policy id the grant is for.")],
    ref: Annotated[str, typer.Option("--ref", help="Reference of Meta's license.")],
) -> None:
    """Record an additional license from Meta for one policy id."""
    grant = state(ctx).store().org_grant(name, license_id, ref)
    say(f"{name}: grant for {grant['license']} ({ref})")


@app.command("set")
def set_(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ORG")],
    country: Annotated[
        str | None, typer.Option("--country", help="ISO 3166 alpha-2 code ('' clears it).")
    ] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="New parent organisation.")] = None,
    no_parent: Annotated[bool, typer.Option("--no-parent", help="Remove the parent.")] = False,
) -> None:
    """Change an organisation's country or parent (a parent loop is refused)."""
    from registry.errors import InvalidInputError

    if parent is not None and no_parent:
        raise InvalidInputError("give --parent or --no-parent, not both")
    if country is None and parent is None and not no_parent:
        raise InvalidInputError("nothing to change: give --country, --parent or --no-parent")
    view = state(ctx).store().org_set(name, country=country, parent=parent, clear_parent=no_parent)
    say(f"{name}: country {view['country'] or '-'}, parent {view['parent'] or '-'}")


@app.command("list")
def list_(ctx: typer.Context, fmt: Annotated[str, typer.Option("--format")] = "table") -> None:
    """List organisations."""
    import json

    rows = state(ctx).store().orgs()
    if fmt == "json":
        emit(json.dumps(rows, indent=2))
        return
    emit(
        "\n".join(f"{o['name']}\t{o['country'] or '-'}\t{o['parent'] or '-'}" for o in rows)
        or "(no organisations)"
    )


@app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ORG")],
    fmt: Annotated[str, typer.Option("--format")] = "table",
) -> None:
    """Show an organisation, its corporate family, MAU and grants."""
    import json

    view = state(ctx).store().org_show(name)
    if fmt == "json":
        emit(json.dumps(view, indent=2))
        return
    lines = [
        f"name: {view['name']}",
        f"country: {view['country'] or '-'}",
        f"parent: {view['parent'] or '-'}",
        f"corporate family: {', '.join(view['family'])}",
    ]
    lines += [f"mau {m}: {u:,}" for m, u in view["mau"]]
    lines += [f"grant {lid}: {ref}" for lid, ref in view["grants"]]
    emit("\n".join(lines))
