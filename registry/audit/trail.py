"""Reading the audit trail: filtered keyset pages, the chain check, the JSON Lines export.

``verify_trail`` walks the whole trail in ``seq`` order, in batches, and recomputes each
event's hash from its stored columns: an edited row, a deleted or inserted one, or a
reordering breaks the chain at the first event affected. Deleting the newest events leaves a
valid but shorter chain; ``expect_head`` (a hash written down earlier) catches that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.audit.chain import GENESIS_HASH, event_hash, iso
from registry.db.models import AuditEvent
from registry.errors import InvalidInputError

BATCH = 1000
MAX_PAGE = 5000


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    target: str | None = None
    action: str | None = None  # exact, or a prefix ending in "." or "*" ("org." matches org.add)
    since: dt.datetime | None = None


def parse_since(text: str | None) -> dt.datetime | None:
    """An ISO date or date-time (UTC unless it names its offset)."""
    if text is None or not text.strip():
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"--since {text!r} is not an ISO date or date-time (2025-01-31, 2025-01-31T12:00)"
        ) from None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def to_dict(e: AuditEvent) -> dict[str, Any]:
    return {
        "seq": int(e.seq),
        "at": iso(e.at),
        "actor": e.actor,
        "actor_kind": e.actor_kind,
        "token_id": e.token_id,
        "request_id": e.request_id,
        "action": e.action,
        "target": e.target,
        "before": e.before,
        "after": e.after,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


def list_events(
    session: Session,
    flt: AuditFilter = AuditFilter(),
    *,
    after: int = 0,
    limit: int = 100,
    before: int | None = None,
) -> list[dict[str, Any]]:
    """Events matching ``flt`` with ``seq > after``, oldest first, at most ``limit``;
    with ``before``, newest first from below that ``seq`` (0: from the newest)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit must be between 1 and {MAX_PAGE}")
    stmt = select(AuditEvent).where(AuditEvent.seq > after)
    if before:
        stmt = stmt.where(AuditEvent.seq < before)
    if flt.actor:
        stmt = stmt.where(AuditEvent.actor == flt.actor)
    if flt.target:
        stmt = stmt.where(AuditEvent.target == flt.target)
    if flt.action:
        action = flt.action.rstrip("*")
        if action.endswith(".") or flt.action.endswith("*"):
            stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
        else:
            stmt = stmt.where(AuditEvent.action == action)
    if flt.since:
        stmt = stmt.where(AuditEvent.at >= flt.since)
    order = AuditEvent.seq.desc() if before is not None else AuditEvent.seq
    return [to_dict(e) for e in session.scalars(stmt.order_by(order).limit(limit))]


def iter_events(session: Session) -> Iterator[AuditEvent]:
    """Every event in ``seq`` order, read in batches."""
    last = 0
    while True:
        batch = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(BATCH)
            )
        )
        yield from batch
        if len(batch) < BATCH:
            return
        last = int(batch[-1].seq)


@dataclass(frozen=True)
class TrailCheck:
    """The outcome of :func:`verify_trail`: ``ok``, or the first broken event and why."""

    ok: bool
    events: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "broken_seq": self.broken_seq,
            "problem": self.problem,
        }


def verify_trail(session: Session, expect_head: str | None = None) -> TrailCheck:
    """Recompute the chain; with ``expect_head``, that hash must be an event of the chain."""
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    seen_expected = expect_head is None
    for e in iter_events(session):
        fields = to_dict(e)
        fields["at"] = e.at
        if int(e.seq) != expected_seq:
            problem = f"event #{expected_seq} is missing (next is #{e.seq})"
            return TrailCheck(False, count, expected_seq - 1, prev, expected_seq, problem)
        if e.prev_hash != prev:
            problem = f"event #{e.seq} does not follow event #{e.seq - 1} (prev_hash differs)"
            return TrailCheck(False, count, expected_seq - 1, prev, int(e.seq), problem)
        if event_hash(fields) != e.hash:
            problem = f"event #{e.seq} ({e.action} {e.target}) was changed after it was written"
            return TrailCheck(False, count, expected_seq - 1, prev, int(e.seq), problem)
        if e.hash == expect_head:
            seen_expected = True
        prev = e.hash
        expected_seq += 1
        count += 1
    if not seen_expected:
        problem = (
            f"expected head {expect_head} is not in the trail: events were removed from "
            f"its end (it ends at #{count}) or the trail was rewritten"
        )
        return TrailCheck(False, count, count, prev, count + 1, problem)
    return TrailCheck(True, count, count, prev)
