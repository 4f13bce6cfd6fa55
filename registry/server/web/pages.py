"""The web pages: catalog, variant, organisation, releases, audit log, login.

Each route makes one library call (:mod:`registry.views`, the store) and renders a template;
forms post back here and are answered with a redirect (303) to the page that shows the
result. Reading needs the viewer role in some scope; requesting a release the contributor
role and deciding one the approver role, for the variant's namespace (the library checks
the namespace, and that the approver is not the requester).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from registry.errors import AuthenticationError, InvalidInputError, NotFoundError
from registry.server.access import PUBLIC, READ, SIGNED_IN, Rule
from registry.server.schemas.releases import IdPath
from registry.server.state import server_state
from registry.server.web.auth import (
    COOKIE,
    LOGIN_COOKIE,
    Viewer,
    clear_session_cookie,
    form_value,
    login_token,
    page_requires,
    read_form,
    safe_next,
    set_login_cookie,
    set_session_cookie,
)
from registry.server.web.render import HERE, page

router = APIRouter(include_in_schema=False)

REQUESTER = Rule("contributor", anywhere=True)
DECIDER = Rule("approver", anywhere=True)
QUEUE, LATEST = 100, 50  # requests waiting; releases of the chosen state
STATIC = {"web.css": "text/css; charset=utf-8", "favicon.svg": "image/svg+xml"}


def _store(request: Request, viewer: Viewer) -> Any:
    return server_state(request).store(viewer.principal, getattr(request.state, "request_id", None))


def _see_other(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


@router.get("/static/{name}")
def static(*, name: str, who: Annotated[None, Depends(page_requires(PUBLIC))]) -> Response:
    if name not in STATIC:
        raise NotFoundError(f"no static file {name!r}")
    body = (HERE / "static" / name).read_bytes()
    return Response(body, media_type=STATIC[name], headers={"cache-control": "max-age=3600"})


@router.get("/login")
def login_form(
    *,
    request: Request,
    who: Annotated[None, Depends(page_requires(PUBLIC))],
    next: str = "/",  # noqa: A002 - the query parameter's name
) -> Response:
    return login_page(request, safe_next(next), None)


def login_page(request: Request, target: str, error: str | None, status: int = 200) -> Response:
    """The login form (and the OpenID Connect link when configured), with an error if any."""
    csrf = login_token(request)
    oidc = server_state(request).oidc
    context = {
        "next": target,
        "csrf": csrf,
        "error": error,
        "oidc_host": None if oidc is None else oidc.settings.host,
        "oidc_href": "/login/oidc?" + urlencode({"next": target}),
    }
    out = page(request, "login.html", context, status)
    set_login_cookie(request, out, csrf)
    return out


@router.post("/login")
async def login(
    *, request: Request, who: Annotated[None, Depends(page_requires(PUBLIC))]
) -> Response:
    """Exchange an API token for a session cookie."""
    from registry.identity.tokens import authenticate
    from registry.identity.web_sessions import open_session, token_expiry
    from registry.server.access import client_of

    form = await read_form(request, request.cookies.get(LOGIN_COOKIE))
    target = safe_next(form.get("next"))
    srv = server_state(request)
    client = client_of(request)
    srv.limiter.check(client)

    def sign_in() -> str:
        with srv.conns.reader() as reader:
            found = authenticate(reader, form.get("token", "").strip())
            assert found.principal.token_id is not None
            expires = token_expiry(reader, found.principal.token_id)
        with srv.conns.catalog().session(write=True) as s:
            secret, _csrf = open_session(s, found.principal, expires)
        return secret

    try:
        secret = await run_in_threadpool(sign_in)
    except AuthenticationError as exc:
        srv.limiter.fail(client)
        return login_page(request, target, exc.message, 401)
    response = _see_other(target)
    set_session_cookie(request, response, secret)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(
    *, request: Request, who: Annotated[Viewer, Depends(page_requires(SIGNED_IN))]
) -> Response:
    from registry.identity.web_sessions import close_session

    await read_form(request, who.csrf)
    srv = server_state(request)

    def close() -> None:
        with srv.conns.catalog().session(write=True) as s:
            close_session(s, str(request.cookies.get(COOKIE)))

    await run_in_threadpool(close)
    response = _see_other("/login")
    clear_session_cookie(response)
    return response


@router.get("/")
def catalog(
    *,
    request: Request,
    who: Annotated[Viewer, Depends(page_requires(READ))],
    q: str = "",
    license: str = "",  # noqa: A002
    namespace: str = "",
    verification: str = "",
    release: str = "",
    after: str | None = None,
) -> Response:
    from registry.views.catalog import RELEASE, VERIFICATION, CatalogQuery, catalog_page

    params = {
        "q": q,
        "license": license,
        "namespace": namespace,
        "verification": verification,
        "release": release,
    }
    srv = server_state(request)
    with srv.conns.reader() as reader:
        found = catalog_page(reader, CatalogQuery(**params, after=after))
    context = {
        "found": found,
        "params": params,
        "after": after,
        "licenses": sorted(srv.conns.policies().policies),
        "verifications": VERIFICATION,
        "releases": RELEASE,
    }
    return page(request, "catalog.html", context)


@router.get("/variants/{name:path}")
def variant(
    *, name: str, request: Request, who: Annotated[Viewer, Depends(page_requires(READ))]
) -> Response:
    from registry.catalog.variants import namespace_of
    from registry.server.web.svg import lineage_svg
    from registry.views.variant import variant_page

    data = variant_page(server_state(request).conns, name)
    context = {
        **data,
        "graph_svg": lineage_svg(data["graph"], f"lineage of {name}"),
        "may_request": who.principal.can("contributor", namespace_of(name)),
    }
    return page(request, "variant.html", context)


@router.get("/orgs/{name:path}")
def organisation(
    *, name: str, request: Request, who: Annotated[Viewer, Depends(page_requires(READ))]
) -> Response:
    from registry.server.web.svg import mau_svg
    from registry.views.org import org_page

    data = org_page(server_state(request).conns, name)
    chart = mau_svg(data["mau"], data["measured"], data["threshold"])
    return page(request, "org.html", {**data, "chart": chart})


@router.get("/releases")
def releases(
    *,
    request: Request,
    who: Annotated[Viewer, Depends(page_requires(READ))],
    state: str = "",
) -> Response:
    store = _store(request, who)
    pending = store.releases(state="pending", limit=QUEUE)
    shown = store.releases(state=state or None, limit=LATEST)
    return page(request, "releases.html", {"pending": pending, "shown": shown, "state": state})


@router.post("/releases")
async def request_release(
    *, request: Request, who: Annotated[Viewer, Depends(page_requires(REQUESTER))]
) -> Response:
    form = await read_form(request, who.csrf)
    deployment = form_value(form, "deployment", 255)
    note = form_value(form, "note") or None
    rel = await run_in_threadpool(_store(request, who).release_request, deployment, note)
    return _see_other(f"/releases/{rel['id']}")


@router.get("/releases/{release_id}")
def release(
    *, release_id: IdPath, request: Request, who: Annotated[Viewer, Depends(page_requires(READ))]
) -> Response:
    rel = _store(request, who).release_show(release_id)
    may_decide = (
        rel["status"] == "pending"
        and rel["requested_by"] != who.name
        and who.principal.can("approver", rel["namespace"])
    )
    return page(request, "release.html", {"rel": rel, "may_decide": may_decide})


@router.post("/releases/{release_id}/decide")
async def decide(
    *,
    release_id: IdPath,
    request: Request,
    who: Annotated[Viewer, Depends(page_requires(DECIDER))],
) -> Response:
    form = await read_form(request, who.csrf)
    decision = form.get("decision")
    if decision not in ("approve", "reject"):
        raise InvalidInputError("decision must be approve or reject")
    reason = form_value(form, "reason")
    store = _store(request, who)
    await run_in_threadpool(store.release_decide, release_id, decision == "approve", reason)
    return _see_other(f"/releases/{release_id}")


@router.get("/audit")
def audit(
    *,
    request: Request,
    who: Annotated[Viewer, Depends(page_requires(READ))],
    actor: str = "",
    target: str = "",
    action: str = "",
    since: str = "",
    before: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> Response:
    from registry.views.audit import audit_page

    params = {"actor": actor, "target": target, "action": action, "since": since}
    for value in params.values():
        if len(value) > 255:
            raise InvalidInputError("filters are at most 255 characters")
    found = audit_page(server_state(request).conns, **params, before=before)
    return page(request, "audit.html", {"found": found, "params": params, "before": before})
