"""Browser sessions of the web pages: an API token exchanged for a session cookie.

Only the SHA-256 of the cookie's secret is stored, with the token it was opened with (a
revoked or expired token ends its sessions: they authenticate through it) and the CSRF
token the session's forms must carry.
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
    token_id: Mapped[int] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[utc_timestamp]
    expires_at: Mapped[dt.datetime]
