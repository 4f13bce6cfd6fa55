"""``modelreg db``: migrate and inspect the catalog's schema."""

import typer

from registry.cli.context import state
from registry.cli.output import emit, say

app = typer.Typer(help="Manage the catalog database schema.", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Migrate the configured database to the newest schema (head)."""
    from registry.config import mask_url
    from registry.db.migrate import upgrade as do_upgrade

    settings = state(ctx).settings()
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

    emit(do_current(state(ctx).settings().database_url.value) or "(empty)")


@app.command()
def check(ctx: typer.Context) -> None:
    """Fail if the database schema differs from what this modelreg expects."""
    from registry.db.migrate import check as do_check

    do_check(state(ctx).settings().database_url.value)
    say("schema matches the models")
