"""API tokens: created with a random secret shown once, stored as its SHA-256, revocable.

A token reads ``mr_<8 hex>_<43 url-safe characters>`` (256 bits of randomness); the first
part, ``mr_<8 hex>``, is its visible prefix, kept in clear so a person can tell their tokens
apart. The catalog keeps only the SHA-256 of the whole token: a high-entropy secret needs no
slow password hash, and a leaked catalog yields no usable token. Authentication looks the
hash up, then refuses a revoked or expired token, with one message for every failure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from registry.audit.actor import actor_of
from registry.audit.chain import iso
from registry.audit.log import record
from registry.db.base import utcnow
from registry.db.models import ApiToken, User
from registry.db.reader import Reader, as_datetime, as_list
from registry.errors import AuthenticationError, InvalidInputError, NotFoundError
from registry.identity.roles import Principal, check_scopes
from registry.identity.users import get_user

TOKEN_RE = re.compile(r"^mr_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")
DEFAULT_EXPIRY = "90d"
TOUCH_EVERY = dt.timedelta(minutes=5)
BAD_TOKEN = "invalid, expired or revoked API token"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """(token, visible prefix)."""
    prefix = f"mr_{secrets.token_hex(4)}"
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


def parse_expiry(text: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """``90d``, ``12h``, ``2w``, an ISO date or date-time, or ``never``."""
    now = now or utcnow()
    raw = (text or DEFAULT_EXPIRY).strip().lower()
    if raw == "never":
        return None
    m = re.fullmatch(r"(\d{1,5})([hdw])", raw)
    if m:
        n = int(m.group(1))
        if n == 0:
            raise InvalidInputError("--expires must be in the future")
        unit = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}
        return now + n * unit[m.group(2)]
    try:
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInputError(
            f"--expires {text!r}: use a duration (90d, 12h, 2w), a date, or never"
        ) from None
    when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when
    if when <= now:
        raise InvalidInputError("--expires must be in the future")
    return when


def state_of(token: ApiToken, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def _view(token: ApiToken, user: str) -> dict[str, Any]:
    def ts(v: dt.datetime | None) -> str | None:
        return None if v is None else iso(v)

    return {
        "id": token.id,
        "user": user,
        "label": token.label,
        "prefix": token.prefix,
        "scopes": list(token.scopes),
        "created_at": iso(token.created_at),
        "created_by": token.created_by,
        "expires_at": ts(token.expires_at),
        "last_used_at": ts(token.last_used_at),
        "revoked_at": ts(token.revoked_at),
        "state": state_of(token),
    }


def create_token(
    session: Session,
    user: str,
    *,
    scopes: list[str] | None = None,
    expires: str | None = None,
    label: str | None = None,
    granter: Principal | None = None,
) -> tuple[dict[str, Any], str]:
    """Create a token for ``user``; return its record and the secret (shown once)."""
    if granter is not None and granter.name != user:
        granter.require("admin")
    chosen = check_scopes(scopes)
    expires_at = parse_expiry(expires)
    owner = get_user(session, user)
    secret, prefix = new_secret()
    token = ApiToken(
        user_id=owner.id,
        label=(label or "").strip()[:255] or None,
        prefix=prefix,
        secret_sha256=token_digest(secret),
        scopes=chosen,
        created_by=actor_of(session).name,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    view = _view(token, owner.name)
    after = {k: view[k] for k in ("id", "prefix", "label", "scopes", "expires_at")}
    record(session, "token.create", owner.name, after=after)
    return view, secret


def list_tokens(
    session: Session, *, user: str | None = None, after: int | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    stmt = select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
    if user is not None:
        stmt = stmt.where(ApiToken.user_id == get_user(session, user).id)
    if after is not None:
        stmt = stmt.where(ApiToken.id > after)
    stmt = stmt.order_by(ApiToken.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_view(t, name) for t, name in session.execute(stmt)]


def _find(session: Session, ref: str) -> tuple[ApiToken, str]:
    ref = ref.strip()
    conds = [ApiToken.prefix == ref]
    if ref.isdigit():
        conds.append(ApiToken.id == int(ref))
    row = session.execute(
        select(ApiToken, User.name).join(User, User.id == ApiToken.user_id).where(or_(*conds))
    ).first()
    if row is None:
        raise NotFoundError(f"no token {ref!r} (give its id or its prefix)")
    return row[0], row[1]


def revoke_token(session: Session, ref: str, *, granter: Principal | None = None) -> dict[str, Any]:
    """Revoke a token by id or prefix (an admin, or the token's own user)."""
    token, owner = _find(session, ref)
    if granter is not None and granter.name != owner:
        granter.require("admin")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        record(session, "token.revoke", owner, after={"id": token.id, "prefix": token.prefix})
    return _view(token, owner)


@dataclass(frozen=True)
class Authenticated:
    principal: Principal
    stale_use: bool  # last_used_at is older than TOUCH_EVERY: worth a write


_AUTH_SQL = (
    "SELECT t.id, t.user_id, u.name, CAST(t.scopes AS TEXT), t.expires_at, t.revoked_at, "
    "t.last_used_at, g.namespace, g.role FROM api_tokens t JOIN users u ON u.id = t.user_id "
    "LEFT JOIN role_grants g ON g.user_id = t.user_id WHERE t.secret_sha256 = :digest"
)


def authenticate(reader: Reader, secret: str | None) -> Authenticated:
    """The principal a bearer token stands for; :class:`AuthenticationError` otherwise.

    One indexed query on the fast read path (every request of the server makes it).
    """
    if not secret or not TOKEN_RE.match(secret):
        raise AuthenticationError(BAD_TOKEN)
    rows = reader.rows(_AUTH_SQL, {"digest": token_digest(secret)})
    if not rows:
        raise AuthenticationError(BAD_TOKEN)
    token_id, user_id, name, scopes, expires, revoked, last_used = rows[0][:7]
    now = utcnow()
    if revoked is not None or (expires is not None and as_datetime(expires) <= now):
        raise AuthenticationError(BAD_TOKEN)
    principal = Principal(
        user_id=int(user_id),
        name=str(name),
        roles={str(r[7]): str(r[8]) for r in rows if r[8] is not None},
        scopes=frozenset(as_list(scopes)),
        token_id=int(token_id),
    )
    stale = last_used is None or now - as_datetime(last_used) > TOUCH_EVERY
    return Authenticated(principal, stale)


def touch_token(session: Session, token_id: int) -> None:
    """Record that a token was used now (bookkeeping: not an audited catalog write)."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))
