"""Who may call a route: authentication, and the permission rule declared beside each route.

Every route of the API takes exactly one dependency made by :func:`requires` with its
:class:`Rule` (``tests/server/test_routes.py`` fails for a route without one):

- ``PUBLIC``: no token (health checks, the OpenAPI document);
- ``SIGNED_IN``: any valid token;
- ``READ``: ``viewer`` in some scope (reading is catalog-wide);
- ``Rule(role, namespace=...)``: that role globally or in the namespace of the variant the
  request is about, taken from a path parameter, a body field, or a deployment's model.

A request carries ``Authorization: Bearer <token>`` (never a query parameter: URLs end up in
logs). Failed authentications are counted per client address and answered 429 beyond the
limit, before the token is even looked at.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from registry.catalog.variants import namespace_of
from registry.errors import AuthenticationError, NotFoundError
from registry.identity.roles import Principal
from registry.identity.tokens import authenticate, touch_token
from registry.server.state import server_state


@dataclass(frozen=True)
class Rule:
    """A route's permission: ``role`` (None: any signed-in user) in which scope."""

    role: str | None = None
    public: bool = False
    anywhere: bool = False  # the role in any scope (reads)
    # "path:P", "body:F", "deployment:P", "body_deployment:F" or "release:P"; None: global
    namespace: str | None = None

    def describe(self) -> str:
        if self.public:
            return "public"
        if self.role is None:
            return "any signed-in user"
        if self.anywhere:
            return f"{self.role} (any scope)"
        if self.namespace:
            return f"{self.role} (global, or for the variant's namespace)"
        return f"{self.role} (global)"


PUBLIC = Rule(public=True)
SIGNED_IN = Rule()
READ = Rule("viewer", anywhere=True)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate_request(request: Request) -> Principal:
    """The request's principal; 401 for a missing or bad token, 429 after too many."""
    srv = server_state(request)
    client = client_of(request)
    srv.limiter.check(client)
    try:
        token = bearer(request)
        if token is None:
            raise AuthenticationError("this needs an API token: Authorization: Bearer <token>")
        with srv.conns.reader() as reader:
            found = authenticate(reader, token)
    except AuthenticationError:
        srv.limiter.fail(client)
        raise
    if found.stale_use and found.principal.token_id is not None:
        with srv.conns.catalog().session(write=True) as s:
            touch_token(s, found.principal.token_id)
    return found.principal


async def _namespace(request: Request, source: str) -> str | None:
    kind, _, key = source.partition(":")
    if kind == "path":
        return namespace_of(str(request.path_params.get(key, "")))
    if kind == "body":
        try:
            body = await request.json()
        except ValueError:
            return None
        value = body.get(key) if isinstance(body, dict) else None
        return namespace_of(value) if isinstance(value, str) else None
    if kind in ("deployment", "body_deployment", "release"):
        return await _namespace_of_object(request, kind, key)
    raise ValueError(f"unknown namespace source {source!r}")


async def _namespace_of_object(request: Request, kind: str, key: str) -> str | None:
    """The namespace of the variant a deployment deploys (named by a path parameter or a
    body field), or of a release's variant (its id a path parameter)."""
    if kind == "release":
        from registry.releases.records import get

        try:
            rid = int(str(request.path_params.get(key, "")))
        except ValueError:
            return None

        def release_ns() -> str | None:
            try:
                with server_state(request).conns.raw() as db:
                    return get(db, rid)["namespace"]  # type: ignore[no-any-return]
            except NotFoundError:
                return None

        return await run_in_threadpool(release_ns)
    if kind == "body_deployment":
        try:
            body = await request.json()
        except ValueError:
            return None
        value = body.get(key) if isinstance(body, dict) else None
        name = value if isinstance(value, str) else ""
    else:
        name = str(request.path_params.get(key, ""))

    def model() -> str | None:
        try:
            view = server_state(request).store(None, None).deploy_show(name)
        except NotFoundError:
            return None
        return str(view["model"])

    found = await run_in_threadpool(model)
    return namespace_of(found) if found else None


def requires(rule: Rule) -> Callable[[Request], Awaitable[Principal | None]]:
    """The dependency that enforces ``rule`` (and carries it, for the route-table test)."""

    async def check(request: Request) -> Principal | None:
        if rule.public:
            return None
        # on the event loop: one indexed lookup (under a millisecond) costs less than a
        # hop to the thread pool and back
        principal = authenticate_request(request)
        request.state.principal = principal
        if rule.role is not None:
            ns = await _namespace(request, rule.namespace) if rule.namespace else None
            principal.require(rule.role, ns, anywhere=rule.anywhere)
        return principal

    check.rule = rule  # type: ignore[attr-defined]
    return check


def rule_of(dependency: Any) -> Rule | None:
    rule = getattr(dependency, "rule", None)
    return rule if isinstance(rule, Rule) else None
