"""What every request goes through, as plain ASGI middleware.

- :class:`RequestContext`: a request id (the client's ``X-Request-ID`` when it is sane, else
  a new one) for the log and the audit trail, and security headers on every response
  (``nosniff``, no framing, no referrer, a closed Content-Security-Policy, ``no-store``, HSTS
  behind TLS); a header the response already has (the web pages' own CSP) is kept.
- :class:`BodyLimit`: a request body larger than the cap is refused with 413 before it is
  parsed (by ``Content-Length`` up front, by counting when the body is streamed).
- :class:`Idempotency`: a POST with an ``Idempotency-Key`` header runs once; a retry gets
  the stored answer (see :mod:`registry.identity.idempotency`).
"""

import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool

from registry.errors import EXIT_USAGE, AuthenticationError, ModelregError
from registry.server.errors import error_body, status_of

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def send_json(send: Send, status: int, doc: Any, extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps(doc).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + extra})
    await send({"type": "http.response.body", "body": body})


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = header(scope, b"x-request-id")
        rid = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        extra = [*SECURITY_HEADERS, (b"x-request-id", rid.encode())]
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=31536000"))
        if "\0" in scope.get("path", "") or b"%00" in scope.get("query_string", b"").lower():
            # no catalog name or value holds NUL, and PostgreSQL cannot even compare one
            doc = error_body("invalid_input", "NUL characters are not accepted", EXIT_USAGE)
            await send_json(send, 422, doc, extra)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                present = {bytes(k).lower() for k, _ in own}  # a page sets its own CSP
                message["headers"] = own + [(k, v) for k, v in extra if k not in present]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"request body larger than {self.max_bytes} bytes"
        length = header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await send_json(send, 413, error_body("payload_too_large", message, EXIT_USAGE), [])
            return
        seen = 0
        started = False
        refused = False

        async def counted() -> Message:
            nonlocal seen, started, refused
            if refused:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    # answer now; the app sees a client that went away, and whatever it
                    # answers to that is dropped
                    refused = True
                    if not started:
                        started = True
                        doc = error_body("payload_too_large", message, EXIT_USAGE)
                        await send_json(send, 413, doc, [])
                    return {"type": "http.disconnect"}
            return msg

        async def tracking(msg: Message) -> None:
            nonlocal started
            if refused:
                return
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        await self.app(scope, counted, tracking)


# answers that say "not now" rather than "this is the result": the key is released
RETRYABLE = (401, 403, 408, 409, 425, 429)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the app a body already read, then the client's events."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class Idempotency:
    """Replays the stored answer of a POST retried with the same ``Idempotency-Key``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = header(scope, b"idempotency-key") if scope["type"] == "http" else None
        auth = header(scope, b"authorization")
        if key is None or scope.get("method") != "POST" or not auth:
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            msg = await receive()
            if msg["type"] != "http.request":
                return  # the client went away
            chunks.append(msg.get("body", b""))
            if not msg.get("more_body"):
                break
        body = b"".join(chunks)
        owner = hashlib.sha256(auth.encode()).hexdigest()
        fingerprint = hashlib.sha256(
            scope["method"].encode()
            + b"\0"
            + scope["path"].encode()
            + b"\0"
            + scope.get("query_string", b"")
            + b"\0"
            + body
        ).hexdigest()
        from registry.identity import idempotency as idem
        from registry.identity.tokens import authenticate

        catalog = scope["app"].state.server.conns.catalog()
        token = auth.partition(" ")[2].strip()

        def claim() -> idem.Stored | None:
            with scope["app"].state.server.conns.reader() as reader:
                authenticate(reader, token)  # no key is stored for a caller who is nobody
            with catalog.session(write=True) as s:
                return idem.claim(s, owner, key, fingerprint)

        try:
            stored = await run_in_threadpool(claim)
        except AuthenticationError:
            await self.app(scope, _replaying(body, receive), send)  # 401, counted there
            return
        except ModelregError as exc:
            doc = error_body(exc.code, exc.message, exc.exit_code)
            await send_json(send, status_of(exc), doc, [])
            return
        if stored is not None:
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(stored.body.encode())).encode()),
                (b"idempotent-replayed", b"true"),
            ]
            await send({"type": "http.response.start", "status": stored.status, "headers": headers})
            await send({"type": "http.response.body", "body": stored.body.encode()})
            return

        status = 500
        held: list[Message] = []

        def finish(answer: str) -> None:
            with catalog.session(write=True) as s:
                if status < 500 and status not in RETRYABLE:
                    idem.complete(s, owner, key, status, answer)
                else:
                    idem.release(s, owner, key)

        async def capture(msg: Message) -> None:
            # the answer is stored before the client sees it, so a retry sent the moment
            # the first answer arrives is replayed, never told "still in progress"
            nonlocal status
            if msg["type"] == "http.response.start":
                status = int(msg["status"])
            held.append(msg)
            if msg["type"] == "http.response.body" and not msg.get("more_body"):
                body_out = b"".join(m.get("body", b"") for m in held[1:])
                await run_in_threadpool(finish, body_out.decode("utf-8", errors="replace"))
                for m in held:
                    await send(m)
                held.clear()

        try:
            await self.app(scope, _replaying(body, receive), capture)
        except BaseException:
            if held or status >= 500:
                await run_in_threadpool(finish, "")
            raise
