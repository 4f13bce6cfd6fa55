"""``modelreg login URL`` / ``logout``: use a team server from now on, or stop using it.

The token is asked for without echo (or read from stdin when it is not a terminal),
checked against the server, and stored with the URL in the config file, created readable by
its owner only (mode 0600). ``MODELREG_URL`` and ``MODELREG_TOKEN`` do the same for one
shell without a file.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from registry.cli.context import state
from registry.cli.output import say


def login(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The team server, e.g. https://modelreg.example.")],
) -> None:
    """Log in to a team server: the token is prompted for, checked, and stored (mode 0600)."""
    from registry.config import config_file_path
    from registry.config_file import update_config_file
    from registry.errors import InvalidInputError
    from registry.store.remote import RemoteStore

    url = url.strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise InvalidInputError(f"{url!r} is not an http(s) URL")
    if sys.stdin.isatty():
        token = typer.prompt("API token", hide_input=True)
    else:
        token = sys.stdin.readline()
    token = token.strip()
    if not token:
        raise InvalidInputError("no token given (`modelreg admin token create USER` makes one)")
    store = RemoteStore(url, token)
    try:
        me = store.whoami()
    finally:
        store.close()
    path = config_file_path()
    update_config_file(path, {"server_url": url, "token": token})
    roles = ", ".join(f"{r['role']}@{r['namespace'] or '*'}" for r in me["roles"] or []) or "none"
    say(f"logged in to {url} as {me['name']} (roles: {roles}); token stored in {path}")
    if url.startswith("http://") and not url.startswith(("http://127.", "http://localhost")):
        say("warning: the token travels unencrypted over http://; use https:// in production")
    state(ctx).close()


def logout(ctx: typer.Context) -> None:
    """Forget the team server and its token: commands use the database again."""
    from registry.config import config_file_path
    from registry.config_file import update_config_file

    path = config_file_path()
    update_config_file(path, {"server_url": None, "token": None})
    say(f"logged out: removed the server and token from {path}")


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)
