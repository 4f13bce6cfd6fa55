"""Appending an audit event through the ORM, inside the caller's write transaction.

Appends are serialised so the trail stays one chain: on PostgreSQL by a transaction-scoped
advisory lock (taken when a write session begins, see :mod:`registry.db.engine`, and again
here), on SQLite by the ``BEGIN IMMEDIATE`` of every write transaction. ``seq`` is the primary
key, so two appends that raced anyway could never both commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from registry.audit.actor import actor_of
from registry.audit.chain import GENESIS_HASH, WRITE_LOCK_KEY, clean, event_hash, now
from registry.db.models import AuditEvent

PG_LOCK_SQL = "SELECT pg_advisory_xact_lock(:key)"


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
) -> AuditEvent:
    """Append one event for a write made in this session (flushed, committed with it)."""
    session.flush()
    lock_chain(session)
    seq, prev = head(session)
    actor = actor_of(session)
    fields: dict[str, Any] = {
        "seq": seq + 1,
        "at": now(),
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
    event = AuditEvent(**fields, hash=event_hash(fields))
    session.add(event)
    session.flush()
    return event
