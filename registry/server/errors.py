"""Library errors, validation errors and anything unexpected as one JSON error document.

``{"error": {"code": ..., "message": ..., "exit_code": ...}}`` (plus ``hint`` when the
library gave one); ``exit_code`` is the CLI's class of the error, so the CLI in remote mode
exits exactly as it would on a direct database. Nothing unexpected leaks: a bug is a 500
with a request id to look up in the server's log, never a traceback or a database URL.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from registry.errors import (
    EXIT_OPERATIONAL,
    EXIT_USAGE,
    AlreadyExistsError,
    AuthenticationError,
    DatabaseError,
    LineageError,
    ModelregError,
    NotFoundError,
    OperationalError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitedError,
    ReleaseRefusedError,
    UsageError,
)

log = logging.getLogger("modelreg.server")

STATUS = [  # most specific first
    (RateLimitedError, 429),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (AlreadyExistsError, 409),
    (LineageError, 409),
    (ReleaseRefusedError, 409),
    (PreconditionFailedError, 412),
    (UsageError, 422),
    (DatabaseError, 503),
    (OperationalError, 500),
]
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    411: "length_required",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
}


def status_of(exc: ModelregError) -> int:
    return next((status for cls, status in STATUS if isinstance(exc, cls)), 500)


def error_body(code: str, message: str, exit_code: int, hint: str | None = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message, "exit_code": exit_code}
    if hint:
        err["hint"] = hint
    return {"error": err}


def error_response(
    status: int, code: str, message: str, exit_code: int, hint: str | None = None
) -> JSONResponse:
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="modelreg"'
    return JSONResponse(error_body(code, message, exit_code, hint), status, headers=headers)


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


async def on_library_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ModelregError)
    status = status_of(exc)
    if status >= 500:
        log.error("request %s: %s: %s", _request_id(request), exc.code, exc.message)
    response = error_response(status, exc.code, exc.message, exc.exit_code, exc.hint)
    if isinstance(exc, RateLimitedError):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _location(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    message = f"{_location(first.get('loc', ()))}: {first.get('msg', 'invalid')}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return error_response(422, "invalid_input", message, EXIT_USAGE)


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    exit_code = EXIT_USAGE if 400 <= exc.status_code < 500 else EXIT_OPERATIONAL
    response = error_response(exc.status_code, code, str(exc.detail), exit_code)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("request %s failed: %s", _request_id(request), type(exc).__name__, exc_info=exc)
    message = f"internal server error (request {_request_id(request)})"
    return error_response(500, "internal", message, EXIT_OPERATIONAL)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ModelregError, on_library_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
