"""The canonical form of an audit event and the hash that chains it to the one before.

``hash = SHA-256(canonical JSON of {seq, at, actor, actor_kind, token_id, request_id, action,
target, before, after, prev_hash})`` with sorted keys, no spaces, UTF-8, and ``at`` as ISO 8601
UTC with microseconds. The first event's ``prev_hash`` is 64 zeros. Anyone holding an export
(``modelreg audit export``) can recompute every hash with this module alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from typing import Any

GENESIS_HASH = "0" * 64
# The PostgreSQL advisory lock (pg_advisory_xact_lock) every write transaction holds, so the
# trail stays one chain: "modelreg" in ASCII as a signed 64-bit integer.
WRITE_LOCK_KEY = 0x6D6F64656C726567
HASHED_FIELDS = (
    "seq",
    "at",
    "actor",
    "actor_kind",
    "token_id",
    "request_id",
    "action",
    "target",
    "before",
    "after",
    "prev_hash",
)


def iso(at: dt.datetime) -> str:
    """The timestamp as it is hashed: UTC, ISO 8601, microseconds."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def clean(value: Any) -> Any:
    """A JSON value that survives both databases unchanged (non-finite floats become None)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def canonical(fields: dict[str, Any]) -> bytes:
    doc = {k: fields[k] for k in HASHED_FIELDS}
    if isinstance(doc["at"], dt.datetime):
        doc["at"] = iso(doc["at"])
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def now() -> dt.datetime:
    """The current time at the precision both databases keep (microseconds, UTC)."""
    return dt.datetime.now(dt.UTC)
