"""The ``releases`` table on the check path's raw connection (no SQLAlchemy import).

Reads return JSON-ready dictionaries; writes are single statements the caller runs inside
its write transaction (:meth:`registry.compliance.store.RawDB.begin_write`), so the audit
event of each write is appended in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from registry.compliance.store import RawDB
from registry.errors import InvalidInputError, NotFoundError

_BRIEF = (
    "id, deployment_name, variant_name, namespace, org_name, status, verdict, note, "
    "evidence_sha256, requested_by, requested_at, decided_by, decided_at, reason, stale_at, "
    "stale_causes"
)
_COLUMNS = _BRIEF + ", evidence"
MAX_PAGE = 1000


def _iso(db: RawDB, value: Any) -> str | None:
    if value is None:
        return None
    return db.timestamp_value(value).isoformat(timespec="seconds")


def _row(db: RawDB, row: tuple[Any, ...]) -> dict[str, Any]:
    (rid, dep, variant, ns, org, status, verdict, note, sha, req_by, req_at) = row[:11]
    dec_by, dec_at, reason, stale_at, causes = row[11:16]
    evidence = row[16] if len(row) > 16 else None
    return {
        "id": int(rid),
        "deployment": dep,
        "variant": variant,
        "namespace": ns or None,
        "org": org,
        "status": status,
        "verdict": verdict,
        "note": note,
        "evidence_sha256": sha,
        "requested_by": req_by,
        "requested_at": _iso(db, req_at),
        "decided_by": dec_by,
        "decided_at": _iso(db, dec_at),
        "reason": reason,
        "stale_at": _iso(db, stale_at),
        "stale_causes": db.json_value(causes) or [],
        "evidence": None if len(row) <= 16 else (db.json_value(evidence) or {}),
    }


def get(db: RawDB, release_id: int) -> dict[str, Any]:
    rows = db.rows(f"SELECT {_COLUMNS} FROM releases WHERE id = ?", (release_id,))
    if not rows:
        raise NotFoundError(f"no release #{release_id}", hint="`modelreg release list` shows them")
    return _row(db, rows[0])


def select(
    db: RawDB,
    *,
    status: str | None = None,
    deployment: str | None = None,
    variant: str | None = None,
    unmarked_approved: bool = False,
    after: int | None = None,
    limit: int | None = None,
    newest_first: bool = False,
    evidence: bool = True,
) -> list[dict[str, Any]]:
    """Releases by id (oldest first unless ``newest_first``; ``after``: the keyset cursor);
    without ``evidence`` its (possibly large) document is left out (None)."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    for column, value in (
        ("status", status),
        ("deployment_name", deployment),
        ("variant_name", variant),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if unmarked_approved:
        where.append("status = 'approved' AND stale_at IS NULL")
    if after is not None:
        where.append("id < ?" if newest_first else "id > ?")
        params.append(after)
    columns = _COLUMNS if evidence else _BRIEF
    sql = f"SELECT {columns} FROM releases WHERE {' AND '.join(where)} ORDER BY id"
    sql += " DESC" if newest_first else ""
    if limit is not None:
        if not 1 <= limit <= MAX_PAGE + 1:
            raise InvalidInputError(f"limit must be between 1 and {MAX_PAGE}")
        sql += " LIMIT ?"
        params.append(limit)
    return [_row(db, r) for r in db.rows(sql, tuple(params))]


def evidence_of(db: RawDB, release_id: int) -> dict[str, Any]:
    rows = db.rows("SELECT evidence FROM releases WHERE id = ?", (release_id,))
    return dict(db.json_value(rows[0][0]) or {}) if rows else {}


def insert(db: RawDB, fields: dict[str, Any], at: dt.datetime) -> int:
    rows = db.rows(
        "INSERT INTO releases (deployment_name, variant_name, namespace, org_name, status, "
        "verdict, note, evidence, evidence_sha256, requested_by, requested_at, stale_causes) "
        "VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            fields["deployment"],
            fields["variant"],
            fields["namespace"] or "",
            fields["org"],
            fields["verdict"],
            fields["note"],
            db.json_param(fields["evidence"]),
            fields["evidence_sha256"],
            fields["requested_by"],
            db.timestamp_param(at),
            db.json_param([]),
        ),
    )
    return int(rows[0][0])


def decide(db: RawDB, release_id: int, status: str, by: str, reason: str, at: dt.datetime) -> bool:
    """Set a pending release's decision; False when it was no longer pending."""
    rows = db.rows(
        "UPDATE releases SET status = ?, decided_by = ?, decided_at = ?, reason = ? "
        "WHERE id = ? AND status = 'pending' RETURNING id",
        (status, by, db.timestamp_param(at), reason, release_id),
    )
    return bool(rows)


def mark_stale(db: RawDB, release_id: int, causes: list[dict[str, str]], at: dt.datetime) -> bool:
    """Record that an approved release turned stale; False when someone already had."""
    rows = db.rows(
        "UPDATE releases SET stale_at = ?, stale_causes = ? "
        "WHERE id = ? AND status = 'approved' AND stale_at IS NULL RETURNING id",
        (db.timestamp_param(at), db.json_param(causes), release_id),
    )
    return bool(rows)
