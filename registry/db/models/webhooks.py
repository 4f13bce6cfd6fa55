"""Webhooks: subscriptions, and the outbox of their deliveries with each attempt logged.

A delivery row is written in the same transaction as the change it announces (from the
audit event of that change, :mod:`registry.webhooks.outbox`), so an event is announced if
and only if its change committed. The server's worker claims due rows, posts them signed,
and records every attempt (``attempt_log``) until one is answered 2xx (``delivered``) or the
attempts run out (``failed``). ``secret`` is kept as given: signing needs it in clear, so
the catalog database must be guarded like the secret itself. ``registry_state`` holds small
facts the server keeps between runs (the digests of the policies it last announced).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, intpk, json_dict, json_list, utc_timestamp

DELIVERY_STATUSES = ("pending", "delivered", "failed")
_STATUS_SQL = "status IN (" + ", ".join(f"'{s}'" for s in DELIVERY_STATUSES) + ")"


class Webhook(Base):
    """An HTTP endpoint that receives the events it subscribed to."""

    __tablename__ = "webhooks"

    id: Mapped[intpk]
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[json_list]
    secret: Mapped[str] = mapped_column(Text)
    created_at: Mapped[utc_timestamp]
    created_by: Mapped[str | None] = mapped_column(String(255))


class WebhookDelivery(Base):
    """One event for one webhook: the exact body signed, its state, every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(_STATUS_SQL, name="status"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
    )

    id: Mapped[intpk]
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[utc_timestamp]
    last_attempt_at: Mapped[dt.datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None]
    attempt_log: Mapped[json_list]
    created_at: Mapped[utc_timestamp]


class RegistryState(Base):
    """A small named fact the server keeps between runs (``policy_digests``...)."""

    __tablename__ = "registry_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[json_dict]
    updated_at: Mapped[utc_timestamp]
