"""The webhook events, derived from the audit trail's actions, and the body each one sends.

Every event is a write that the audit trail records, so deriving events from audit events
(at the moment each is appended) puts them in the outbox in the same transaction as the
change, through every write path at once. The body follows the Standard Webhooks shape::

    {"type": "release.approved", "timestamp": "2025-01-31T12:00:00.000000+00:00",
     "data": {"seq": 42, "action": "release.approve", "target": "chat-prod",
              "actor": "carol", "after": {...}}}
"""

from __future__ import annotations

import json
from typing import Any

EVENTS = (
    "variant.registered",
    "verify.failed",
    "check.failed",
    "release.requested",
    "release.approved",
    "release.rejected",
    "release.stale",
    "policy.changed",
)
_BY_ACTION = {
    "variant.add": "variant.registered",
    "release.request": "release.requested",
    "release.approve": "release.approved",
    "release.reject": "release.rejected",
    "release.stale": "release.stale",
    "policy.change": "policy.changed",
}


def event_of(action: str, after: Any) -> str | None:
    """The webhook event an audit action announces, or None."""
    doc = after if isinstance(after, dict) else {}
    if action == "verify.record":
        return None if doc.get("ok", True) else "verify.failed"
    if action == "check.run":
        return "check.failed" if doc.get("verdict") == "non_compliant" else None
    return _BY_ACTION.get(action)


def message_id(event_hash: str) -> str:
    """The ``webhook-id``: from the audit event's hash, the same for every retry."""
    return f"msg_{event_hash[:32]}"


def body(event: str, fields: dict[str, Any]) -> str:
    """The exact JSON text that is signed and posted (kept as text in the outbox)."""
    at = fields["at"]
    doc = {
        "type": event,
        "timestamp": at if isinstance(at, str) else at.isoformat(timespec="microseconds"),
        "data": {
            "seq": fields["seq"],
            "action": fields["action"],
            "target": fields["target"],
            "actor": fields["actor"],
            "after": fields.get("after"),
        },
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def subscribed(events: Any, event: str) -> bool:
    return isinstance(events, list) and (event in events or "*" in events)
