"""``modelreg serve``: run the team server (FastAPI on uvicorn) over the configured catalog.

fastapi and uvicorn are imported only when the command runs (the ``server`` extra), so no
other command pays for them at start-up.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registry.cli.context import state
from registry.cli.output import say

if TYPE_CHECKING:
    from registry.config import Settings


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Addresses of the TLS proxy whose X-Forwarded-For/-Proto to trust "
            "(comma-separated; default 127.0.0.1).",
        ),
    ] = None,
    max_body_mb: Annotated[
        int, typer.Option("--max-body-mb", help="Largest request body accepted (MiB).")
    ] = 16,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow browser calls from this origin (repeatable)."),
    ] = None,
    pool_size: Annotated[
        int, typer.Option("--pool-size", help="PostgreSQL connections per worker.")
    ] = 8,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    webhook_allow_private: Annotated[
        bool,
        typer.Option(
            "--webhook-allow-private",
            help="Allow webhooks to private, loopback and link-local addresses.",
        ),
    ] = False,
) -> None:
    """Run the team server: a JSON API under /api/v1 over this catalog (needs the server extra).

    Every request needs an API token (modelreg admin token create). Run it behind a TLS
    proxy; more processes behind a load balancer share one PostgreSQL catalog.
    """
    from registry.compliance.policies import load_policies
    from registry.db.engine import open_catalog
    from registry.errors import InvalidInputError, MissingDependencyError

    try:
        import uvicorn

        import registry.server.app  # noqa: F401  (fastapi and pydantic are there)
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            f"modelreg serve needs {exc.name}", hint="pip install 'modelreg[server]'"
        ) from None
    from registry.server.config import ENV_CONFIG, MIB, ServerConfig

    if workers < 1 or not 1 <= port <= 65535 or max_body_mb < 1 or pool_size < 1:
        raise InvalidInputError("--workers, --port, --max-body-mb and --pool-size must be positive")
    settings = state(ctx).settings()
    open_catalog(settings).dispose()  # at head (the default SQLite file is migrated) or exit 4
    load_policies(settings.policy_dirs.value)  # a broken policy directory stops us here
    config = ServerConfig(
        database_url=settings.database_url.value,
        policy_dirs=[str(p) for p in settings.policy_dirs.value],
        max_body_bytes=max_body_mb * MIB,
        pool_size=pool_size,
        cors_origins=list(cors_origin or []),
        **_signing(settings),
        **_release_and_webhooks(settings, webhook_allow_private),
    )
    os.environ[ENV_CONFIG] = config.to_env()
    say(f"modelreg serve: http://{host}:{port}/ and /api/v1 ({workers} worker(s))")
    options: dict[str, Any] = {
        "app": "registry.server.app:app_from_env",
        "factory": True,
        "host": host,
        "port": port,
        "proxy_headers": True,
        "forwarded_allow_ips": forwarded_allow_ips,
        "server_header": False,
        "log_level": log_level,
    }
    from registry.server import workers as worker_processes

    if workers > 1 and worker_processes.supported():  # a socket per worker: balanced
        worker_processes.run_workers(options, workers)
    else:
        uvicorn.run(**options, workers=workers)


def _signing(settings: Settings) -> dict[str, Any]:
    """The config file's ``[signing]`` table for the workers (they parse it again)."""
    found = settings.extra.get("signing")
    if found is None:
        return {}
    from registry.config import read_config_file

    table = read_config_file(settings.config_file)["signing"]
    return {"signing": table, "signing_source": found.source}


def _release_and_webhooks(settings: Settings, allow_private: bool) -> dict[str, Any]:
    """The config file's ``[release]`` rules and ``[server]`` options (with ``[server.oidc]``)."""
    out: dict[str, Any] = {"webhook_allow_private": allow_private}
    release = settings.extra.get("release")
    if release is not None:
        out["release"] = release.value.to_dict()
    server = settings.extra.get("server")
    if server is not None and server.value.webhook_allow_private:
        out["webhook_allow_private"] = True
    if server is not None and server.value.oidc is not None:
        from registry.identity.oidc_config import read_client_secret

        read_client_secret(server.value.oidc)  # an unreadable secret file stops us here
        out["oidc"] = server.value.oidc.to_dict()
        out["oidc_source"] = server.source
    return out


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
