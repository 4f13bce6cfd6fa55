"""The FastAPI application: routers under ``/api/v1``, health checks, middleware, errors.

``create_app(config)`` builds it; ``app_from_env`` is what each uvicorn worker calls (the
configuration travels in ``MODELREG_SERVE_CONFIG``, set by ``modelreg serve``). CORS is
closed unless origins are configured. The interactive docs pages are off (they would load
scripts from a CDN, which the Content-Security-Policy forbids); the OpenAPI document is at
``/api/v1/openapi.json``.
"""

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from registry import __version__
from registry.server import errors
from registry.server.access import PUBLIC
from registry.server.config import ServerConfig
from registry.server.middleware import BodyLimit, Idempotency, RequestContext
from registry.server.routers import (
    compliance,
    health,
    identity,
    records,
    releases,
    variants,
    webhooks,
)
from registry.server.state import ServerState

API = "/api/v1"
THREADS = 4
OPENAPI_URL = f"{API}/openapi.json"
# Routes FastAPI adds itself cannot take a dependency; their rule is declared here.
BUILTIN_RULES = {OPENAPI_URL: PUBLIC}


def create_app(config: ServerConfig) -> FastAPI:
    state = ServerState(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        # fewer threads than anyio's default 40: the hot reads, single checks and
        # verification records run on the event loop; the pool serves the slower paths
        # (registrations, filtered lists, summaries, --all checks), and a writer holding the
        # catalog's write lock there waits less for the GIL among four threads than forty
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        worker = None
        if config.worker:
            from registry.server.worker import Worker

            worker = Worker(state)
            worker.start()
        yield
        if worker is not None:
            worker.stop()
        state.close()

    app = FastAPI(
        title="modelreg",
        version=__version__,
        description="The team server of modelreg: catalog, compliance facts and checks, "
        "accounts, audit trail. Not legal advice.",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.server = state
    errors.install(app)
    app.include_router(health.router)
    for module in (variants, records, compliance, identity, releases, webhooks):
        app.include_router(module.router, prefix=API)
    from registry.server.web import errors as web_errors
    from registry.server.web import oidc_pages, pages

    web_errors.install(app)
    app.include_router(pages.router)
    app.include_router(oidc_pages.router)
    # the last added runs first: context (headers, request id) > body cap > idempotency
    app.add_middleware(Idempotency)
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    if config.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
        )
    app.add_middleware(RequestContext)
    return app


def route_table(app: FastAPI) -> list[tuple[str, str, Any]]:
    """``(method, path, route)`` for every route the app serves, included routers flattened
    (recent FastAPI keeps an included router as one branch of the app's routes)."""
    out: list[tuple[str, str, Any]] = []

    def walk(routes: Iterable[Any], prefix: str) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes, prefix + getattr(route.include_context, "prefix", ""))
                continue
            for method in sorted(getattr(route, "methods", None) or ()):
                if method != "HEAD":
                    out.append((method, prefix + route.path, route))

    walk(app.routes, "")
    return out


def app_from_env() -> FastAPI:
    """The uvicorn factory of each worker process."""
    return create_app(ServerConfig.from_env())
