"""The evidence a release rests on, gathered from the catalog (raw SQL, like the check path).

One function, :func:`gather`, serves both the request (the evidence frozen into the release)
and staleness (the same facts as they are now), so the two can never be gathered
differently. The evidence holds:

- the deployment as registered, and the check of it: verdict, findings, inputs, and the
  SHA-256 of every policy file in force;
- ``policies``: the policy files of the licenses that reach the model (their SHA-256);
- the variant: content digest, declared license, file manifest (path, size, SHA-256);
- its latest verification and its latest passing smoke run;
- the facts the verdict used: the organisation's country and corporate family with each
  member's parent, the family's MAU in the months the Llama licenses measure, the grants
  for those licenses, and the lineage (every ancestor with its license, every edge with its
  relation, unresolved parents) with the path by which each license reaches the model.

:func:`digest` is the SHA-256 of the evidence's canonical JSON (sorted keys, no spaces).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from registry.compliance.engine import resolve_licenses
from registry.compliance.lineage import EDGES_SQL, NODES_SQL, UNRESOLVED_SQL, walk
from registry.compliance.model import CheckResult
from registry.compliance.policies import PolicySet
from registry.compliance.service import CheckRequest
from registry.compliance.store import RawDB
from registry.errors import NotFoundError

SCHEMA = 1


def digest(evidence: dict[str, Any]) -> str:
    text = json.dumps(evidence, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def deployment_doc(req: CheckRequest) -> dict[str, Any]:
    return {
        "name": req.deployment,
        "model": req.model,
        "org": req.org,
        "use": req.use,
        "public_name": req.public_name,
        "purposes": list(req.purposes),
        "attestations": [a.get("kind") for a in req.attestations],
        "end_user": req.end_user,
    }


def _variant(db: RawDB, name: str) -> tuple[int, dict[str, Any]]:
    rows = db.rows(
        "SELECT id, content_digest, license_id, license_name FROM variants WHERE name = ?",
        (name,),
    )
    if not rows:
        raise NotFoundError(f"no variant named {name!r}")
    vid, content, license_id, license_name = rows[0]
    files = db.rows(
        "SELECT path, size, sha256 FROM variant_files WHERE variant_id = ? ORDER BY path",
        (int(vid),),
    )
    return int(vid), {
        "name": name,
        "content_digest": content,
        "license": license_id,
        "license_name": license_name,
        "files": [{"path": p, "size": int(s), "sha256": h} for p, s, h in files],
    }


def latest_verification(db: RawDB, vid: int) -> dict[str, Any] | None:
    rows = db.rows(
        "SELECT id, verified_at, verified_by, ok, counts, problems, root, quick "
        "FROM verifications WHERE variant_id = ? ORDER BY id DESC LIMIT 1",
        (vid,),
    )
    if not rows:
        return None
    rid, at, by, ok, counts, problems, root, quick = rows[0]
    return {
        "id": int(rid),
        "verified_at": iso(db.timestamp_value(at)),
        "verified_by": by,
        "ok": bool(ok),
        "counts": db.json_value(counts) or {},
        "problems": [
            {"path": p.get("path"), "status": p.get("status")}
            for p in db.json_value(problems) or []
        ],
        "root": root,
        "quick": bool(quick),
    }


def latest_smoke(db: RawDB, vid: int) -> dict[str, Any] | None:
    rows = db.rows(
        "SELECT id, created_at, device_type, dtype, content_digest, tokens_per_second "
        "FROM smoke_runs WHERE variant_id = ? AND status = 'pass' ORDER BY id DESC LIMIT 1",
        (vid,),
    )
    if not rows:
        return None
    rid, at, device, dtype, content, tps = rows[0]
    return {
        "id": int(rid),
        "at": iso(db.timestamp_value(at)),
        "device_type": device,
        "dtype": dtype,
        "content_digest": content,
        "tokens_per_second": tps,
    }


def _lineage(db: RawDB, vid: int) -> dict[str, Any]:
    names: dict[int, str] = {}
    nodes: dict[str, list[Any]] = {}
    with db.index_joins():
        for nid, _distilled, name, license_id, license_name in db.rows(NODES_SQL, (vid,)):
            names[int(nid)] = str(name)
            nodes[str(name)] = [license_id, license_name]
        edges = {
            (names[int(c)], names[int(p)], str(r))
            for c, p, r in db.rows(EDGES_SQL, (vid,))
            if int(c) in names and int(p) in names
        }
        unresolved = {
            (names[int(c)], str(ref), str(r))
            for c, ref, r in db.rows(UNRESOLVED_SQL, (vid,))
            if int(c) in names
        }
    return {
        "nodes": nodes,
        "edges": [list(e) for e in sorted(edges)],
        "unresolved": [list(u) for u in sorted(unresolved)],
    }


def _org(db: RawDB, org: str, months: list[str], licenses: set[str]) -> dict[str, Any]:
    from registry.compliance.facts import org_facts

    facts = org_facts(db, org, months)
    family = list(facts.family)
    marks = ", ".join("?" for _ in family)
    parents = {
        str(n): (None if p is None else str(p))
        for n, p in db.rows(
            "SELECT o.name, p.name FROM organisations o "
            f"LEFT JOIN organisations p ON p.id = o.parent_id WHERE o.name IN ({marks})",
            tuple(family),
        )
    }
    return {
        "org": {"name": org, "country": facts.country, "family": family, "parents": parents},
        "mau": {m: dict(sorted(facts.mau.get(m, {}).items())) for m in months},
        "grants": {
            lic: sorted([list(g) for g in refs])
            for lic, refs in sorted(facts.grants.items())
            if lic in licenses
        },
    }


def gather(
    db: RawDB, policies: PolicySet, req: CheckRequest, result: CheckResult | None
) -> dict[str, Any]:
    """The evidence of ``req`` (a deployment's check request) and its check ``result``
    (None when only the facts are wanted, to compare them with a release's)."""
    vid, variant = _variant(db, req.model)
    sources = resolve_licenses(walk(db, vid), policies)
    used: dict[str, dict[str, str]] = {}
    measured: dict[str, str] = {}
    for src in sources:
        policy = policies.resolve(src.license_id) or policies.resolve("unknown")
        if policy is None:
            continue
        used[policy.id] = {"file": policy.path, "sha256": policy.digest}
        if policy.measured_month and "mau-threshold" in policy.rules:
            measured[policy.id] = policy.measured_month
    months = sorted(set(measured.values()))
    facts = _org(db, req.org, months, set(used))
    facts["measured_months"] = dict(sorted(measured.items()))
    facts["lineage"] = _lineage(db, vid)
    facts["licenses"] = [
        {
            "license": s.license_id,
            "path": list(s.path),
            "relations": list(s.relations),
            "full": s.full,
            "via_distill": s.via_distill,
        }
        for s in sources
    ]
    return {
        "schema": SCHEMA,
        "deployment": deployment_doc(req),
        "check": None
        if result is None
        else {
            "verdict": result.verdict,
            "findings": [f.to_dict() for f in result.findings],
            "inputs": result.inputs,
            "policy_digests": result.policy_digests,
        },
        "policies": dict(sorted(used.items())),
        "variant": variant,
        "verification": latest_verification(db, vid),
        "smoke": latest_smoke(db, vid),
        "facts": facts,
    }
