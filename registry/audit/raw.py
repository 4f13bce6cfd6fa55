"""Appending an audit event on the check path's plain DBAPI connection (no SQLAlchemy).

Same chain, same hash as :mod:`registry.audit.log`; the caller has already called
:meth:`registry.compliance.store.RawDB.begin_write`, which holds the write lock, and commits
the event together with its own insert.
"""

from __future__ import annotations

from typing import Any

from registry.audit.actor import Actor
from registry.audit.chain import GENESIS_HASH, clean, event_hash, now
from registry.compliance.store import RawDB
from registry.webhooks.outbox import enqueue_raw


def record_raw(
    db: RawDB, actor: Actor, action: str, target: str, *, before: Any = None, after: Any = None
) -> None:
    rows = db.rows("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
    seq, prev = (0, GENESIS_HASH) if not rows else (int(rows[0][0]), str(rows[0][1]))
    at = now()
    fields: dict[str, Any] = {
        "seq": seq + 1,
        "at": at,
        "actor": actor.name,
        "actor_kind": actor.kind,
        "token_id": actor.token_id,
        "request_id": actor.request_id,
        "action": action,
        "target": target,
        "before": clean(before),
        "after": clean(after),
        "prev_hash": prev,
    }
    digest = event_hash(fields)
    db.execute(
        "INSERT INTO audit_events (seq, at, actor, actor_kind, token_id, request_id, action, "
        "target, before, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            fields["seq"],
            db.timestamp_param(at),
            actor.name,
            actor.kind,
            actor.token_id,
            actor.request_id,
            action,
            target,
            None if before is None else db.json_param(fields["before"]),
            None if after is None else db.json_param(fields["after"]),
            prev,
            digest,
        ),
    )
    enqueue_raw(db, fields, digest)  # webhook deliveries, in this same transaction
