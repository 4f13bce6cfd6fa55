"""Errors on the web pages as pages: a login redirect, or an HTML page with the message.

The API's error handlers answer JSON; these take over for every path outside ``/api/`` and
the health checks, so a person in a browser sees a page (with its status code) rather than
a JSON document. The message is the library's one line, escaped like everything else.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from registry.errors import ModelregError, RateLimitedError
from registry.server import errors as api_errors
from registry.server.web.auth import LoginRequired, login_redirect
from registry.server.web.render import page

API_PATHS = ("/api/", "/healthz", "/readyz")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PATHS)


def _html(request: Request, status: int, message: str) -> Response:
    return page(request, "error.html", {"status": status, "message": message}, status)


async def on_login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(login_redirect(exc.target), status_code=303)


async def on_library_error(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        return await api_errors.on_library_error(request, exc)
    assert isinstance(exc, ModelregError)
    response = _html(request, api_errors.status_of(exc), exc.message)
    if isinstance(exc, RateLimitedError):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def on_validation_error(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        return await api_errors.on_validation_error(request, exc)
    return _html(request, 422, "the request's parameters are not valid")


async def on_http_error(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        return await api_errors.on_http_error(request, exc)
    assert isinstance(exc, StarletteHTTPException)
    return _html(request, exc.status_code, str(exc.detail))


def install(app: FastAPI) -> None:
    """After :func:`registry.server.errors.install`: the same handlers, pages for pages."""
    handlers: list[tuple[Any, Any]] = [
        (LoginRequired, on_login_required),
        (ModelregError, on_library_error),
        (RequestValidationError, on_validation_error),
        (StarletteHTTPException, on_http_error),
    ]
    for exc_class, handler in handlers:
        app.add_exception_handler(exc_class, handler)
