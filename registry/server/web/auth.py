"""Who is looking at a page: the session cookie, the rule of each page, CSRF-checked forms.

Every page route takes exactly one dependency made by :func:`page_requires` with its
:class:`~registry.server.access.Rule`, as the API's routes do (the route-table test reads
it). A page asked for without a session redirects to ``/login``; a role that is missing is a
403 page. The session cookie is ``httpOnly``, ``SameSite=Strict``, ``Secure`` behind HTTPS,
and holds only a random secret. Every form posts a CSRF token: the session's for signed-in
forms; for the login form, a random value in a short-lived cookie that the form repeats.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import Request, Response

from registry.errors import AuthenticationError, InvalidInputError, PermissionDeniedError
from registry.identity.roles import Principal
from registry.identity.web_sessions import SESSION_HOURS, same, session_principal
from registry.server.access import Rule
from registry.server.state import server_state

COOKIE = "modelreg_session"
LOGIN_COOKIE = "modelreg_login"
MAX_FORM = 64 * 1024


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    csrf: str

    @property
    def name(self) -> str:
        return self.principal.name


class LoginRequired(Exception):
    """A page asked for without a (valid) session: go to the login page, then back."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def safe_next(target: str | None) -> str:
    """Only a path of this site to come back to (never ``//host`` or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def page_requires(rule: Rule) -> Callable[[Request], Awaitable[Viewer | None]]:
    async def check(request: Request) -> Viewer | None:
        if rule.public:
            return None
        srv = server_state(request)
        try:
            with srv.conns.reader() as reader:
                principal, csrf = session_principal(reader, request.cookies.get(COOKIE))
        except AuthenticationError:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(here) from None
        viewer = Viewer(principal, csrf)
        request.state.viewer = viewer
        request.state.principal = principal
        if rule.role is not None:
            principal.require(rule.role, None, anywhere=True)
        return viewer

    check.rule = rule  # type: ignore[attr-defined]
    return check


async def read_form(request: Request, csrf: str | None) -> dict[str, str]:
    """The urlencoded form of a POST, once its CSRF token matches ``csrf``."""
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        raise InvalidInputError("a form must be sent as application/x-www-form-urlencoded")
    body = await request.body()
    if len(body) > MAX_FORM:
        raise InvalidInputError("form too large")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInputError("the form could not be read") from None
    form = {k: v[0] for k, v in fields.items()}
    if any("\0" in v for v in form.values()):
        raise InvalidInputError("NUL characters are not accepted")
    if csrf is None or not same(form.get("csrf"), csrf):
        raise PermissionDeniedError(
            "permission denied: the form's CSRF token is missing or wrong; reload the page"
        )
    return form


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=SESSION_HOURS * 3600,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")


def login_token(request: Request) -> str:
    """The login form's CSRF value: the one its cookie holds, or a new one."""
    value = request.cookies.get(LOGIN_COOKIE) or ""
    return value if 16 <= len(value) <= 64 else secrets.token_urlsafe(24)


def set_login_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        value,
        max_age=1800,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def login_redirect(target: str) -> str:
    return "/login?next=" + quote(safe_next(target), safe="")


def form_value(form: dict[str, Any], key: str, limit: int = 4000) -> str:
    value = str(form.get(key, "")).strip()
    if len(value) > limit:
        raise InvalidInputError(f"{key} is longer than {limit} characters")
    return value
