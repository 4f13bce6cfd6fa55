"""Delivering the outbox: claim due deliveries, post them signed, retry with backoff.

:func:`deliver_due` is one pass of the server's worker. It *claims* a batch of due
deliveries by moving their ``next_attempt_at`` a lease into the future, in a short
transaction (PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED``, so several server processes
never claim the same row; SQLite: under ``BEGIN IMMEDIATE``), then posts each one outside
any transaction, then records the attempt. A process that dies mid-delivery leaves the row
to be retried when the lease ends. A 2xx answer delivers; anything else (another status, a
timeout, a refused target) is retried after ``base * 2^(attempt-1)`` seconds (at most an
hour) until ``max_attempts`` attempts failed. Every attempt is appended to the delivery's
log: time, HTTP status or error, duration.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from registry import __version__
from registry.compliance.store import RawDB
from registry.errors import InvalidInputError
from registry.webhooks.signing import headers as signed_headers
from registry.webhooks.targets import check_target

MAX_BACKOFF_S = 3600.0
LOG_KEEP = 20


@dataclass(frozen=True)
class DeliveryPolicy:
    allow_private: bool = False
    max_attempts: int = 8
    backoff_base_s: float = 5.0
    timeout_s: float = 10.0
    lease_s: float = 60.0
    batch: int = 20

    def backoff(self, attempt: int) -> dt.timedelta:
        return dt.timedelta(seconds=min(self.backoff_base_s * 2 ** (attempt - 1), MAX_BACKOFF_S))


@dataclass(frozen=True)
class Claimed:
    id: int
    message_id: str
    event: str
    payload: str
    attempts: int
    url: str
    secret: str


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None
    error: str | None
    seconds: float


_CLAIM_SQL = (
    "SELECT d.id, d.message_id, d.event, d.payload, d.attempts, w.url, w.secret "
    "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
    "WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id "
    "LIMIT ?"
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def claim(db: RawDB, policy: DeliveryPolicy) -> list[Claimed]:
    """Take up to ``policy.batch`` due deliveries for this process (committed lease)."""
    now = _now()
    due = db.rows(
        "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
        "LIMIT 1",
        (db.timestamp_param(now),),
    )
    db.commit()
    if not due:
        return []
    if db.dialect == "sqlite":
        db.conn.begin_immediate()
        sql = _CLAIM_SQL
    else:
        sql = _CLAIM_SQL + " FOR UPDATE OF d SKIP LOCKED"
    rows = db.rows(sql, (db.timestamp_param(now), policy.batch))
    lease = db.timestamp_param(now + dt.timedelta(seconds=policy.lease_s))
    for row in rows:
        db.execute(
            "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?", (lease, row[0])
        )
    db.commit()
    return [
        Claimed(int(i), str(m), str(e), str(p), int(a), str(u), str(s))
        for i, m, e, p, a, u, s in rows
    ]


def post(item: Claimed, policy: DeliveryPolicy, client: Any) -> Outcome:
    """One attempt: the target checked again, the body posted with its signature."""
    started = time.monotonic()
    try:
        check_target(item.url, policy.allow_private)
    except InvalidInputError as exc:
        return Outcome(False, None, f"refused: {exc.message}", 0.0)
    import httpx

    stamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": f"modelreg-webhooks/{__version__}",
        **signed_headers(item.secret, item.message_id, stamp, item.payload),
    }
    try:
        res = client.post(item.url, content=item.payload.encode(), headers=headers)
    except httpx.TimeoutException:
        return Outcome(False, None, "timed out", time.monotonic() - started)
    except httpx.HTTPError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Outcome(False, None, reason[:300], time.monotonic() - started)
    ok = 200 <= res.status_code < 300
    error = None if ok else f"HTTP {res.status_code}"
    return Outcome(ok, res.status_code, error, time.monotonic() - started)


def record(db: RawDB, item: Claimed, outcome: Outcome, policy: DeliveryPolicy) -> str:
    """Store the attempt; return the delivery's new status."""
    now = _now()
    attempts = item.attempts + 1
    rows = db.rows("SELECT attempt_log FROM webhook_deliveries WHERE id = ?", (item.id,))
    if not rows:  # the webhook was removed meanwhile
        db.commit()
        return "gone"
    log = list(db.json_value(rows[0][0]) or [])
    log.append(
        {
            "at": now.isoformat(timespec="seconds"),
            "status": outcome.status,
            "error": outcome.error,
            "ms": round(outcome.seconds * 1000),
        }
    )
    if outcome.ok:
        status, next_at = "delivered", now
    elif attempts >= policy.max_attempts:
        status, next_at = "failed", now
    else:
        status, next_at = "pending", now + policy.backoff(attempts)
    db.execute(
        "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, "
        "last_attempt_at = ?, last_status = ?, last_error = ?, delivered_at = ?, "
        "attempt_log = ? WHERE id = ?",
        (
            status,
            attempts,
            db.timestamp_param(next_at),
            db.timestamp_param(now),
            outcome.status,
            outcome.error,
            db.timestamp_param(now) if outcome.ok else None,
            db.json_param(log[-LOG_KEEP:]),
            item.id,
        ),
    )
    db.commit()
    return status


def deliver_due(db: RawDB, policy: DeliveryPolicy, client: Any) -> int:
    """One pass: claim, post and record due deliveries; the number attempted."""
    items = claim(db, policy)
    for item in items:
        record(db, item, post(item, policy, client), policy)
    return len(items)
