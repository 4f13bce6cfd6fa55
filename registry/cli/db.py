"""``modelreg db``: migrate and inspect the catalog's schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from registry.cli.context import state
from registry.cli.output import emit, say

if TYPE_CHECKING:
    from registry.config import Settings

app = typer.Typer(help="Manage the catalog database schema.", no_args_is_help=True)


def _settings(ctx: typer.Context) -> Settings:
    """The settings of a database command: never the team server."""
    from registry.errors import UsageError

    settings = state(ctx).settings()
    if settings.remote:
        raise UsageError(
            f"`modelreg db` works on a database, not through the team server "
            f"{settings.server_url.value}; give --db URL"
        )
    return settings


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Migrate the configured database to the newest schema (head)."""
    from registry.config import mask_url
    from registry.db.migrate import upgrade as do_upgrade

    settings = _settings(ctx)
    url = settings.database_url.value
    if settings.uses_default_database:
        from registry.config import default_database_path

        default_database_path().parent.mkdir(parents=True, exist_ok=True)
    do_upgrade(url)
    say(f"catalog {mask_url(url)} is at the newest schema")


@app.command()
def current(ctx: typer.Context) -> None:
    """Print the schema revision the database is at."""
    from registry.db.migrate import current as do_current

    emit(do_current(_settings(ctx).database_url.value) or "(empty)")


@app.command()
def check(ctx: typer.Context) -> None:
    """Fail if the database schema differs from what this modelreg expects."""
    from registry.db.migrate import check as do_check

    do_check(_settings(ctx).database_url.value)
    say("schema matches the models")
