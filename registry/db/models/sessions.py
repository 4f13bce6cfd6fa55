"""Browser sessions of the web pages: an API token or an OpenID Connect sign-in.

Only the SHA-256 of the cookie's secret is stored, with the user it belongs to, the token it
was opened with if any (a revoked or expired token ends its sessions: they authenticate
through it; a session from OpenID Connect has none and simply expires) and the CSRF token the
session's forms must carry.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, intpk, sha256_hex, utc_timestamp


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[intpk]
    secret_sha256: Mapped[sha256_hex] = mapped_column(unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )
    via: Mapped[str] = mapped_column(String(16))  # "token" or "oidc"
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[utc_timestamp]
    expires_at: Mapped[dt.datetime]
