"""The audit trail: one hash-chained event per write, appended in the write's transaction.

``seq`` numbers the events 1, 2, 3... with no gaps; ``hash`` is the SHA-256 of the event's
canonical form (:mod:`registry.audit.chain`), which includes ``prev_hash``, the hash of the
event before it. Editing, deleting or inserting a row breaks the chain where it happened;
``modelreg audit verify`` finds it. On PostgreSQL (and SQLite) triggers refuse UPDATE and
DELETE outright. No foreign keys: the trail outlives what it names.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, sha256_hex, utc_timestamp

ACTOR_KINDS = ("user", "os")


class AuditEvent(Base):
    """One write: who (actor, token, request), what (action, target, before, after), when."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_actor", "actor", "seq"),
        Index("ix_audit_events_target", "target", "seq"),
        Index("ix_audit_events_action", "action", "seq"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[utc_timestamp]
    actor: Mapped[str] = mapped_column(String(255))
    actor_kind: Mapped[str] = mapped_column(String(8))
    token_id: Mapped[int | None] = mapped_column(Integer)
    request_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text)
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    prev_hash: Mapped[sha256_hex]
    hash: Mapped[sha256_hex] = mapped_column(unique=True)
