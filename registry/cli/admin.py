"""``modelreg admin user|token``: accounts, roles and API tokens of the team server.

On a direct database these run as the operator (whoever can open the database may); in
remote mode they go through the server, which applies the rules: an admin of the scope, who
holds the role, and never on their own account.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from registry.cli.context import state
from registry.cli.formats import plain_table
from registry.cli.output import emit, say

app = typer.Typer(help="Users, roles and API tokens of the team server.", no_args_is_help=True)
users = typer.Typer(help="Users and their roles.", no_args_is_help=True)
tokens = typer.Typer(help="API tokens (the secret is shown once).", no_args_is_help=True)
app.add_typer(users, name="user")
app.add_typer(tokens, name="token")

RoleOpt = Annotated[str, typer.Option("--role", help="viewer, contributor, approver or admin.")]
NamespaceOpt = Annotated[
    str | None,
    typer.Option("--namespace", help="Only variants named NAMESPACE/... (default: global)."),
]
FormatOpt = Annotated[str, typer.Option("--format", help="table or json.")]


def _fmt(fmt: str) -> str:
    from registry.errors import InvalidInputError

    if fmt not in ("table", "json"):
        raise InvalidInputError(f"unknown format {fmt!r}: use table or json")
    return fmt


def _roles(user: dict[str, object]) -> str:
    roles = user["roles"]
    assert isinstance(roles, list)
    return ", ".join(f"{r['role']}@{r['namespace'] or '*'}" for r in roles) or "-"


@users.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    role: RoleOpt,
    namespace: NamespaceOpt = None,
) -> None:
    """Create a user with a role, globally or for one namespace (no password: use a token)."""
    user = state(ctx).store().user_add(name, role=role, namespace=namespace)
    say(f"added user {user['name']} ({_roles(user)})")


@users.command("list")
def user_list(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    """List users with their roles (ROLE@NAMESPACE, * for global) and token counts."""
    rows = state(ctx).store().users()
    if _fmt(fmt) == "json":
        emit(json.dumps(rows, indent=2))
        return
    if not rows:
        say("no users: `modelreg admin user add NAME --role admin` creates the first")
        return
    emit(
        plain_table(
            ("NAME", "ROLES", "TOKENS"), [(u["name"], _roles(u), str(u["tokens"])) for u in rows]
        )
    )


@users.command("grant")
def user_grant(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    role: RoleOpt,
    namespace: NamespaceOpt = None,
) -> None:
    """Give a user a role globally or in a namespace (replaces their role there)."""
    user = state(ctx).store().role_grant(name, role, namespace=namespace)
    say(f"{user['name']}: {_roles(user)}")


@users.command("revoke")
def user_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    namespace: NamespaceOpt = None,
) -> None:
    """Take away the role a user holds globally or in a namespace."""
    user = state(ctx).store().role_revoke(name, namespace=namespace)
    say(f"{user['name']}: {_roles(user)}")


@tokens.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="USER", help="The user the token acts as.")],
    scopes: Annotated[
        list[str] | None,
        typer.Option("--scopes", help="read, write, approve, admin (comma-separated; all)."),
    ] = None,
    expires: Annotated[
        str, typer.Option("--expires", help="90d, 12h, 2w, a date, or never.")
    ] = "90d",
    label: Annotated[str | None, typer.Option("--label", help="What the token is for.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Create an API token and print it once on stdout (only its SHA-256 is kept)."""
    view, secret = (
        state(ctx).store().token_create(name, scopes=scopes, expires=expires, label=label)
    )
    if _fmt(fmt) == "json":
        emit(json.dumps({**view, "token": secret}, indent=2))
        return
    emit(secret)
    say(
        f"token {view['id']} ({view['prefix']}) for {view['user']}, scopes "
        f"{','.join(view['scopes'])}, expires {view['expires_at'] or 'never'}; "
        "it is shown only this once"
    )


@tokens.command("list")
def token_list(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """List API tokens: id, prefix, user, scopes, expiry, last use, state (never the secret)."""
    rows = state(ctx).store().tokens(user=user)
    if _fmt(fmt) == "json":
        emit(json.dumps(rows, indent=2))
        return
    if not rows:
        say("no tokens")
        return
    emit(
        plain_table(
            ("ID", "PREFIX", "USER", "SCOPES", "EXPIRES", "LAST USED", "STATE", "LABEL"),
            [
                (
                    str(t["id"]),
                    t["prefix"],
                    t["user"],
                    ",".join(t["scopes"]),
                    (t["expires_at"] or "never")[:19],
                    (t["last_used_at"] or "-")[:19],
                    t["state"],
                    t["label"] or "",
                )
                for t in rows
            ],
        )
    )


@tokens.command("revoke")
def token_revoke(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="ID_OR_PREFIX")],
) -> None:
    """Revoke an API token by its id or its prefix (it stops working at once)."""
    view = state(ctx).store().token_revoke(ref)
    say(f"revoked token {view['id']} ({view['prefix']}) of {view['user']}")
