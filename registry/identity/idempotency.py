"""Remembered answers to POST requests sent with an ``Idempotency-Key``.

The first request with a key claims it (a row with no answer yet) in its own short
transaction, runs, and stores its answer; a retry with the same key and the same request
gets that answer again instead of writing twice. A retry while the first is still running
is refused (409), the same key with a different request too (422). A request that failed on
the server's side (5xx) releases its key, so it can be retried. Keys expire after a day.
These rows are bookkeeping of the server, not catalog facts: they are not audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from registry.db.base import utcnow
from registry.db.models import IdempotencyKey
from registry.errors import AlreadyExistsError, InvalidInputError

TTL = dt.timedelta(hours=24)
MAX_KEY = 255


@dataclass(frozen=True)
class Stored:
    status: int
    body: str


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise InvalidInputError(f"Idempotency-Key must be 1 to {MAX_KEY} printable characters")
    return key


def claim(session: Session, owner: str, key: str, fingerprint: str) -> Stored | None:
    """Claim ``key`` for a new request (None), or return the stored answer of an earlier one.

    Raises AlreadyExistsError while the earlier request runs, InvalidInputError when the key
    was used for a different request.
    """
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - TTL))
    row = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key)
    )
    if row is None:
        session.add(IdempotencyKey(owner=owner, key=check_key(key), fingerprint=fingerprint))
        try:
            session.flush()
        except sa_exc.IntegrityError:
            raise AlreadyExistsError(
                "a request with this Idempotency-Key is still in progress"
            ) from None
        return None
    if row.fingerprint != fingerprint:
        raise InvalidInputError("this Idempotency-Key was used for a different request")
    if row.status is None:
        raise AlreadyExistsError("a request with this Idempotency-Key is still in progress")
    return Stored(row.status, row.body or "")


def complete(session: Session, owner: str, key: str, status: int, body: str) -> None:
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.owner == owner, IdempotencyKey.key == key)
        .values(status=status, body=body)
    )


def release(session: Session, owner: str, key: str) -> None:
    session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key)
    )
