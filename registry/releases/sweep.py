"""The server's periodic pass over releases and policies, announcing what changed.

- :func:`mark_stale`: every approved release not yet recorded as stale is compared with the
  catalog now; one that differs gets ``stale_at`` and its causes, and the audit event
  ``release.stale`` (hence the ``release.stale`` webhook), once: the update only applies to
  a row still unmarked, so two server processes sweeping at once announce it once.
- :func:`note_policies`: the digests of the policy files in force are compared with those
  last recorded in ``registry_state``; a difference is recorded with the audit event
  ``policy.change`` (the ``policy.changed`` webhook). The first record only sets the
  baseline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from registry.audit.actor import Actor
from registry.audit.raw import record_raw
from registry.compliance.policies import PolicySet
from registry.compliance.store import RawDB
from registry.releases import records
from registry.releases.staleness import current_causes

SYSTEM = Actor("modelreg-server", "system")
POLICY_KEY = "policy_digests"


def mark_stale(db: RawDB, policies: PolicySet, actor: Actor = SYSTEM) -> list[int]:
    """Record every approved release that turned stale; the ids newly recorded."""
    marked = []
    candidates = records.select(db, unmarked_approved=True)
    db.commit()
    for rel in candidates:
        causes = current_causes(db, policies, rel["evidence"])
        db.commit()
        if not causes:
            continue
        db.begin_write()
        if records.mark_stale(db, rel["id"], causes, dt.datetime.now(dt.UTC)):
            after = {"id": rel["id"], "variant": rel["variant"], "causes": causes}
            record_raw(db, actor, "release.stale", rel["deployment"], after=after)
            marked.append(rel["id"])
        db.commit()
    return marked


def _stored(db: RawDB) -> dict[str, Any] | None:
    rows = db.rows("SELECT value FROM registry_state WHERE key = ?", (POLICY_KEY,))
    return None if not rows else dict(db.json_value(rows[0][0]) or {})


def note_policies(db: RawDB, policies: PolicySet, actor: Actor = SYSTEM) -> bool:
    """Record the policy digests in force; True when they changed (and were announced)."""
    now = {pid: d["sha256"] for pid, d in policies.digests().items()}
    if _stored(db) == now:
        db.commit()
        return False
    db.begin_write()
    old = _stored(db)
    if old == now:
        db.commit()
        return False
    stamp = db.timestamp_param(dt.datetime.now(dt.UTC))
    if old is None:
        db.execute(
            "INSERT INTO registry_state (key, value, updated_at) VALUES (?, ?, ?)",
            (POLICY_KEY, db.json_param(now), stamp),
        )
    else:
        db.execute(
            "UPDATE registry_state SET value = ?, updated_at = ? WHERE key = ?",
            (db.json_param(now), stamp, POLICY_KEY),
        )
        changed = {
            pid: {"before": old.get(pid), "after": now.get(pid)}
            for pid in sorted(set(old) | set(now))
            if old.get(pid) != now.get(pid)
        }
        files = {pid: d["file"] for pid, d in policies.digests().items() if pid in changed}
        record_raw(
            db, actor, "policy.change", "policies", after={"changed": changed, "files": files}
        )
    db.commit()
    return old is not None
