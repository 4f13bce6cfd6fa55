"""OpenID Connect sign-in to the web pages: the two routes around the provider.

``GET /login/oidc`` starts a sign-in (:meth:`registry.identity.oidc.OidcClient.begin`) and
sends the browser to the provider, keeping the pending sign-in (state, nonce, PKCE verifier,
where to go next) in a short-lived ``httpOnly`` cookie. That cookie is ``SameSite=Lax``: the
provider sends the browser back by a cross-site top-level navigation, which a ``Strict``
cookie would not accompany. ``GET /login/oidc/callback`` checks what came back
(:meth:`~registry.identity.oidc.OidcClient.finish`), opens a session for the existing user
the ID token names and sets the usual ``Strict`` session cookie. It answers with a small
same-site page that moves on to the target (meta refresh and a link, no script): a redirect
at once would continue the provider's cross-site chain, on which browsers withhold
``Strict`` cookies, and the first page would ask to sign in again. Any failure is the login
page with one line and status 401; nothing is written.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from registry.errors import AuthenticationError, NotFoundError, OperationalError
from registry.identity.oidc import PENDING_TTL_S, OidcClient, Pending
from registry.server.access import PUBLIC
from registry.server.state import server_state
from registry.server.web.auth import LOGIN_COOKIE, page_requires, safe_next, set_session_cookie
from registry.server.web.pages import login_page
from registry.server.web.render import page

router = APIRouter(include_in_schema=False)

OIDC_COOKIE = "modelreg_oidc"
OIDC_PATH = "/login/oidc"
CALLBACK = OIDC_PATH + "/callback"


def _client(request: Request) -> OidcClient:
    client = server_state(request).oidc
    if client is None:
        raise NotFoundError("OpenID Connect sign-in is not configured on this server")
    return client


def _redirect_url(request: Request, client: OidcClient) -> str:
    return client.settings.redirect_url or str(request.base_url).rstrip("/") + CALLBACK


def _failed(request: Request, target: str, message: str) -> Response:
    out = login_page(request, target, message, 401)
    out.headers["referrer-policy"] = "no-referrer"  # the URL may hold a code and state
    out.delete_cookie(OIDC_COOKIE, path=OIDC_PATH)
    return out


@router.get(OIDC_PATH)
async def oidc_start(
    *,
    request: Request,
    who: Annotated[None, Depends(page_requires(PUBLIC))],
    next: str = "/",  # noqa: A002 - the query parameter's name
) -> Response:
    """Send the browser to the identity provider."""
    client = _client(request)
    target = safe_next(next)
    try:
        url, pending = await run_in_threadpool(client.begin, _redirect_url(request, client), target)
    except (AuthenticationError, OperationalError) as exc:
        return _failed(request, target, exc.message)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        OIDC_COOKIE,
        pending.encode(),
        max_age=PENDING_TTL_S,
        path=OIDC_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get(CALLBACK)
async def oidc_callback(
    *, request: Request, who: Annotated[None, Depends(page_requires(PUBLIC))]
) -> Response:
    """Where the provider sends the browser back: check it all, open a session."""
    from registry.identity.web_sessions import open_user_session
    from registry.server.access import client_of

    client = _client(request)
    srv = server_state(request)
    peer = client_of(request)
    srv.limiter.check(peer)
    params = dict(request.query_params.items())
    target = "/"

    def sign_in() -> str:
        nonlocal target
        pending = Pending.decode(request.cookies.get(OIDC_COOKIE))
        target = safe_next(pending.next)
        name = client.finish(pending, params, _redirect_url(request, client))
        with srv.conns.catalog().session(write=True) as s:
            secret, _csrf = open_user_session(s, name)
        return secret

    try:
        secret = await run_in_threadpool(sign_in)
    except (AuthenticationError, OperationalError) as exc:
        if isinstance(exc, AuthenticationError):
            srv.limiter.fail(peer)
        return _failed(request, target, exc.message)
    out = page(request, "signed_in.html", {"next": target})
    out.headers["referrer-policy"] = "no-referrer"  # the URL holds the code and state
    out.headers["cache-control"] = "no-store"
    set_session_cookie(request, out, secret)
    out.delete_cookie(OIDC_COOKIE, path=OIDC_PATH)
    out.delete_cookie(LOGIN_COOKIE, path="/login")
    return out
