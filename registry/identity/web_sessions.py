"""Browser sessions: an API token exchanged for a session cookie, and CSRF tokens.

Signing in to the web pages takes an API token once (checked like any bearer token) and
opens a session: a random 256-bit secret goes to the browser as a cookie, the catalog keeps
only its SHA-256, with the token it was opened with and a CSRF token that every form of the
session must carry. A session lasts :data:`SESSION_HOURS` at most, never beyond its token's
expiry, and ends at once when its token is revoked (it authenticates through the token).
Sessions are bookkeeping, like a token's last use: not audited; what is done in them is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from registry.db.base import utcnow
from registry.db.models import WebSession
from registry.db.reader import Reader, as_datetime, as_list
from registry.errors import AuthenticationError, NotFoundError
from registry.identity.roles import SCOPES, Principal
from registry.identity.users import get_user, roles_of

SESSION_HOURS = 12
BAD_SESSION = "not signed in, or the session ended"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(
    session: Session, principal: Principal, token_expires: dt.datetime | None
) -> tuple[str, str]:
    """A new session for the principal's token: (cookie secret, CSRF token)."""
    assert principal.token_id is not None
    return _open(session, principal.user_id, principal.token_id, "token", token_expires)


def open_user_session(session: Session, name: str, via: str = "oidc") -> tuple[str, str]:
    """A new session, without a token, for the existing user ``name`` (signed in ``via``).

    Refused (:class:`AuthenticationError`, nothing written) when no user has that name or
    the user holds no role: sign-in never creates users or grants roles.
    """
    try:
        user = get_user(session, name)
    except NotFoundError:
        raise AuthenticationError(
            f"the identity provider signed you in as {name!r}, but there is no modelreg user "
            "of that name; "
            "ask an admin to add one (`modelreg admin user add`)"
        ) from None
    if not roles_of(session, user.id):
        raise AuthenticationError(f"user {name!r} holds no role in this catalog")
    return _open(session, user.id, None, via, None)


def _open(
    session: Session, user_id: int, token_id: int | None, via: str, ends_by: dt.datetime | None
) -> tuple[str, str]:
    now = utcnow()
    ends = now + dt.timedelta(hours=SESSION_HOURS)
    if ends_by is not None:
        ends = min(ends, ends_by)
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.execute(delete(WebSession).where(WebSession.expires_at < now))  # housekeeping
    session.add(
        WebSession(
            secret_sha256=_digest(secret),
            user_id=user_id,
            token_id=token_id,
            via=via,
            csrf=csrf,
            expires_at=ends,
        )
    )
    session.flush()
    return secret, csrf


def close_session(session: Session, secret: str) -> None:
    session.execute(delete(WebSession).where(WebSession.secret_sha256 == _digest(secret)))


_SESSION_SQL = (
    "SELECT s.csrf, s.expires_at, s.token_id, s.user_id, u.name, CAST(t.scopes AS TEXT), "
    "t.expires_at, t.revoked_at, g.namespace, g.role FROM web_sessions s "
    "JOIN users u ON u.id = s.user_id LEFT JOIN api_tokens t ON t.id = s.token_id "
    "LEFT JOIN role_grants g ON g.user_id = s.user_id WHERE s.secret_sha256 = :digest"
)


def session_principal(reader: Reader, secret: str | None) -> tuple[Principal, str]:
    """The principal of a session cookie and the session's CSRF token."""
    if not secret or len(secret) > 128:
        raise AuthenticationError(BAD_SESSION)
    rows = reader.rows(_SESSION_SQL, {"digest": _digest(secret)})
    if not rows:
        raise AuthenticationError(BAD_SESSION)
    csrf, ends, token_id, user_id, name, scopes, expires, revoked = rows[0][:8]
    now = utcnow()
    if as_datetime(ends) <= now or revoked is not None:
        raise AuthenticationError(BAD_SESSION)
    if expires is not None and as_datetime(expires) <= now:
        raise AuthenticationError(BAD_SESSION)
    principal = Principal(
        user_id=int(user_id),
        name=str(name),
        roles={str(r[8]): str(r[9]) for r in rows if r[9] is not None},
        # a session without a token (OpenID Connect) is limited by the user's roles alone
        scopes=frozenset(SCOPES) if token_id is None else frozenset(as_list(scopes)),
        token_id=None if token_id is None else int(token_id),
    )
    return principal, str(csrf)


def token_expiry(reader: Reader, token_id: int) -> dt.datetime | None:
    row = reader.row("SELECT expires_at FROM api_tokens WHERE id = :id", {"id": token_id})
    return None if row is None or row[0] is None else as_datetime(row[0])


def same(a: Any, b: Any) -> bool:
    """Constant-time comparison of two CSRF tokens (anything but two strings is False)."""
    return isinstance(a, str) and isinstance(b, str) and hmac.compare_digest(a, b)
