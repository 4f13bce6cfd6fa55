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
    from registry.catalog.orgs import add_org

    with state(ctx).catalog().session(write=True) as s:
        org = add_org(s, name, country=country, parent=parent)
        say(f"added organisation {org.name}" + (f" ({org.country})" if org.country else ""))


@app.command("mau")
def mau(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ORG")],
    month: Annotated[str, typer.Option("--month", help="Calendar month, YYYY-MM.")],
    users: Annotated[str, typer.Option("--users", help="Monthly active users (whole number).")],
) -> None:
    """Record an organisation's monthly active users for a month (again: replaces it)."""
    from registry.catalog.orgs import set_mau
    from registry.compliance.service import os_user

    with state(ctx).catalog().session(write=True) as s:
        row, old = set_mau(s, name, month, users, by=os_user())
        change = f" (was {old:,})" if old is not None else ""
        say(f"{name}: {row.month} = {row.users:,} monthly active users{change}")


@app.command("grant")
def grant(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ORG")],
    license_id: Annotated[str, typer.Option("--license", help="Policy id the grant is for.")],
    ref: Annotated[str, typer.Option("--ref", help="Reference of Meta's license.")],
) -> None:
    """Record an additional license from Meta for one policy id."""
    from registry.catalog.orgs import add_grant
    from registry.compliance.policies import load_policies
    from registry.compliance.service import os_user

    policy = load_policies(state(ctx).settings().policy_dirs.value).get(license_id)
    with state(ctx).catalog().session(write=True) as s:
        add_grant(s, name, policy.id, ref, by=os_user())
        say(f"{name}: grant for {policy.id} ({ref})")


@app.command("list")
def list_(ctx: typer.Context, fmt: Annotated[str, typer.Option("--format")] = "table") -> None:
    """List organisations."""
    import json

    from registry.catalog.orgs import list_orgs

    with state(ctx).catalog().session() as s:
        rows = list_orgs(s)
    if fmt == "json":
        emit(json.dumps([{"name": n, "country": c, "parent": p} for n, c, p in rows], indent=2))
        return
    emit("\n".join(f"{n}\t{c or '-'}\t{p or '-'}" for n, c, p in rows) or "(no organisations)")


@app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ORG")],
    fmt: Annotated[str, typer.Option("--format")] = "table",
) -> None:
    """Show an organisation, its corporate family, MAU and grants."""
    import dataclasses
    import json

    from registry.catalog.orgs import show_org

    with state(ctx).catalog().session() as s:
        view = show_org(s, name)
    if fmt == "json":
        emit(json.dumps(dataclasses.asdict(view), indent=2))
        return
    lines = [
        f"name: {view.name}",
        f"country: {view.country or '-'}",
        f"parent: {view.parent or '-'}",
        f"corporate family: {', '.join(view.family)}",
    ]
    lines += [f"mau {m}: {u:,}" for m, u in view.mau]
    lines += [f"grant {lid}: {ref}" for lid, ref in view.grants]
    emit("\n".join(lines))
