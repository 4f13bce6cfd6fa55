"""The team server: ``modelreg serve``, a JSON API over the same catalog (FastAPI, uvicorn).

A thin front end, like ``registry/cli/``: routers per resource (``routers/``), pydantic
request and response schemas (``schemas/``), one store call per endpoint (the library's
:class:`~registry.store.local.LocalStore`, with the request's user as the actor the audit
trail names). The permission rule of each route is declared beside it (``access.py``).
``app.py`` assembles the application; ``middleware.py`` holds what every request goes
through (request ids, security headers, the body cap, idempotency keys); ``errors.py``
turns library errors into ``{"error": {"code", "message", "exit_code"}}``. The only place
that imports fastapi, starlette, uvicorn or pydantic.
"""
