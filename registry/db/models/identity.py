"""Who may use the team server: users, their roles, their API tokens, idempotency keys.

A role is held globally (``namespace`` is the empty string) or for one namespace (the part
of a variant name before its first ``/``). An API token is stored only as the SHA-256 of
its secret, with a short visible prefix to recognise it by; it carries scopes, an optional
expiry, when it was last used and when it was revoked. An idempotency key remembers the
answer to a POST so that a client retrying it gets the same answer, not a second write.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, intpk, json_list, name_str, sha256_hex, utc_timestamp

ROLES = ("viewer", "contributor", "approver", "admin")
_ROLE_SQL = "role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")"


class User(Base):
    """A person (or a robot, such as CI) who talks to the server."""

    __tablename__ = "users"

    id: Mapped[intpk]
    name: Mapped[name_str] = mapped_column(unique=True)
    created_at: Mapped[utc_timestamp]
    created_by: Mapped[str | None] = mapped_column(String(255))


class RoleGrant(Base):
    """One role of one user, globally (``namespace == ""``) or for one namespace."""

    __tablename__ = "role_grants"
    __table_args__ = (
        CheckConstraint(_ROLE_SQL, name="role"),
        UniqueConstraint("user_id", "namespace", name="user_namespace"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    namespace: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[utc_timestamp]
    created_by: Mapped[str | None] = mapped_column(String(255))


class ApiToken(Base):
    """An API token: only the SHA-256 of the secret is kept, never the secret."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str | None] = mapped_column(String(255))
    prefix: Mapped[str] = mapped_column(String(32))
    secret_sha256: Mapped[sha256_hex] = mapped_column(unique=True)
    scopes: Mapped[json_list]
    created_at: Mapped[utc_timestamp]
    created_by: Mapped[str | None] = mapped_column(String(255))
    expires_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class IdempotencyKey(Base):
    """The stored answer to a POST sent with an ``Idempotency-Key`` header.

    ``owner`` is the SHA-256 of the caller's token (keys of two callers never meet);
    ``fingerprint`` the SHA-256 of method, path and body, so a key reused for a different
    request is refused. ``status`` is None while the first request is still running.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key", name="owner_key"),)

    id: Mapped[intpk]
    owner: Mapped[sha256_hex]
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[sha256_hex]
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[utc_timestamp]
