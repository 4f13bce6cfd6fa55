"""Queueing webhook deliveries in the transaction of the audit event that announces them.

Called by the two places that append to the audit trail (:mod:`registry.audit.log` through
the ORM, :mod:`registry.audit.raw` on the check path's raw connection), right after each
event is added: one ``webhook_deliveries`` row per webhook subscribed to the event. A
transaction that rolls back queues nothing; one that commits cannot lose its deliveries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from registry.webhooks.events import body, event_of, message_id, subscribed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from registry.compliance.store import RawDB


def enqueue_orm(session: Session, fields: dict[str, Any], event_hash: str) -> None:
    event = event_of(fields["action"], fields.get("after"))
    if event is None:
        return
    from sqlalchemy import select

    from registry.db.models import Webhook, WebhookDelivery

    at = fields["at"]
    for hook_id, events in session.execute(select(Webhook.id, Webhook.events)):
        if subscribed(events, event):
            session.add(
                WebhookDelivery(
                    webhook_id=hook_id,
                    message_id=message_id(event_hash),
                    event=event,
                    payload=body(event, fields),
                    status="pending",
                    attempts=0,
                    next_attempt_at=at,
                    attempt_log=[],
                    created_at=at,
                )
            )


def enqueue_raw(db: RawDB, fields: dict[str, Any], event_hash: str) -> None:
    event = event_of(fields["action"], fields.get("after"))
    if event is None:
        return
    at = db.timestamp_param(fields["at"])
    for hook_id, events in db.rows("SELECT id, events FROM webhooks ORDER BY id"):
        if subscribed(db.json_value(events), event):
            db.execute(
                "INSERT INTO webhook_deliveries (webhook_id, message_id, event, payload, "
                "status, attempts, next_attempt_at, attempt_log, created_at) "
                "VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
                (
                    int(hook_id),
                    message_id(event_hash),
                    event,
                    body(event, fields),
                    at,
                    db.json_param([]),
                    at,
                ),
            )
