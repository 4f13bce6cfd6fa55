"""Appending audit events through the ORM, in the same transaction as the writes they record.

:func:`record` notes an event in the session; :func:`append_pending`, called by
:meth:`registry.db.engine.Catalog.session` just before it commits, appends the noted events
to the trail: on PostgreSQL under a transaction-scoped advisory lock taken only then, so the
lock is held for the append and the commit alone (a few milliseconds), after every row lock
the transaction needs, which rules out a deadlock between writers; on SQLite under the
``BEGIN IMMEDIATE`` of every write transaction. Either way appends are serialised and the
trail stays one chain; ``seq`` is the primary key, so two appends that raced anyway could
never both commit. A transaction that rolls back appends nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from registry.audit.actor import actor_of
from registry.audit.chain import GENESIS_HASH, WRITE_LOCK_KEY, clean, event_hash, now
from registry.db.models import AuditEvent
from registry.webhooks.outbox import enqueue_orm

PG_LOCK_SQL = "SELECT pg_advisory_xact_lock(:key)"
PENDING = "audit_pending"


def lock_chain(session: Session) -> None:
    """Hold the catalog's write lock until the transaction ends (PostgreSQL; no-op on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(PG_LOCK_SQL), {"key": WRITE_LOCK_KEY})


def head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the newest event, or (0, GENESIS_HASH) for an empty trail."""
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (0, GENESIS_HASH) if row is None else (int(row[0]), str(row[1]))


def record(
    session: Session,
    action: str,
    target: str,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    """Note one event for a write made in this session; it is appended when it commits."""
    event = {"action": action, "target": target, "before": clean(before), "after": clean(after)}
    session.info.setdefault(PENDING, []).append(event)


def pending(session: Session) -> list[dict[str, Any]]:
    return list(session.info.get(PENDING, []))


def append_pending(session: Session) -> None:
    """Append the events noted in this session to the trail (just before the commit)."""
    events = session.info.pop(PENDING, [])
    if not events:
        return
    session.flush()
    lock_chain(session)
    seq, prev = head(session)
    actor = actor_of(session)
    for event in events:
        seq += 1
        fields: dict[str, Any] = {
            "seq": seq,
            "at": now(),
            "actor": actor.name,
            "actor_kind": actor.kind,
            "token_id": actor.token_id,
            "request_id": actor.request_id,
            **event,
            "prev_hash": prev,
        }
        prev = event_hash(fields)
        session.add(AuditEvent(**fields, hash=prev))
        enqueue_orm(session, fields, prev)  # webhook deliveries, in this same transaction
    session.flush()
