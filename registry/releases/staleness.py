"""What changed since a release's evidence was frozen: each change named, in words.

Staleness is computed on read: the release's frozen evidence is compared with the same facts
gathered now (:func:`registry.releases.evidence.gather`), so no write path can change an
input without the release noticing. A change of any input is a *cause*
(``{"kind", "what"}``): the deployment itself, a policy file of a license that reaches the
model, the variant's files (or a later verification that found them modified or missing),
the organisation's country, corporate family or a member's parent, the family's MAU in a
measured month, a grant, and the lineage (an ancestor, an edge, a license, an unresolved
parent). Nothing else counts: a new smoke run or a later ``ok`` verification does not make
a release stale.
"""

from __future__ import annotations

from typing import Any

from registry.compliance.policies import PolicySet
from registry.compliance.service import deployment_request
from registry.compliance.store import RawDB
from registry.errors import NotFoundError
from registry.releases.evidence import gather

Cause = dict[str, str]


def _cause(kind: str, what: str) -> Cause:
    return {"kind": kind, "what": what}


def _users(n: int | None) -> str:
    return "not recorded" if n is None else f"{n:,}"


def current_facts(db: RawDB, policies: PolicySet, deployment: str) -> dict[str, Any] | str:
    """The facts of ``deployment`` gathered now, or why there are none."""
    try:
        req = deployment_request(db, deployment)
        return gather(db, policies, req, None)
    except NotFoundError as exc:
        return f"deployment {deployment} is gone: {exc.message}"


def current_causes(
    db: RawDB,
    policies: PolicySet,
    frozen: dict[str, Any],
    now: dict[str, Any] | str | None = None,
) -> list[Cause]:
    """The changes between ``frozen`` evidence and the catalog now (empty: still fresh);
    ``now``: the facts :func:`current_facts` gathered already."""
    if now is None:
        now = current_facts(db, policies, str(frozen["deployment"]["name"]))
    if isinstance(now, str):
        return [_cause("deployment", now)]
    return compare(frozen, now, policies)


def compare(frozen: dict[str, Any], now: dict[str, Any], policies: PolicySet) -> list[Cause]:
    out: list[Cause] = []
    out += _deployment(frozen["deployment"], now["deployment"])
    out += _policies(frozen["policies"], policies)
    out += _files(frozen["variant"], now["variant"])
    out += _verification(frozen.get("verification"), now.get("verification"))
    f, n = frozen["facts"], now["facts"]
    out += _org(f["org"], n["org"])
    out += _mau(f["mau"], n["mau"])
    out += _grants(f["grants"], n["grants"])
    out += _lineage(f["lineage"], n["lineage"])
    return out


def _deployment(old: dict[str, Any], new: dict[str, Any]) -> list[Cause]:
    changed = [f"{k} {old.get(k)!r} -> {new.get(k)!r}" for k in old if old.get(k) != new.get(k)]
    if not changed:
        return []
    return [_cause("deployment", f"deployment {old['name']} changed: {'; '.join(changed)}")]


def _policies(used: dict[str, dict[str, str]], policies: PolicySet) -> list[Cause]:
    out = []
    for pid, was in sorted(used.items()):
        current = policies.policies.get(pid)
        if current is None:
            out.append(_cause("policy", f"policy {pid} ({was['file']}) is no longer loaded"))
        elif current.digest != was["sha256"]:
            out.append(
                _cause(
                    "policy",
                    f"policy file of {pid} changed ({current.path}): sha256 "
                    f"{was['sha256'][:12]}... -> {current.digest[:12]}...",
                )
            )
    return out


def _files(old: dict[str, Any], new: dict[str, Any]) -> list[Cause]:
    before = {f["path"]: (f["size"], f["sha256"]) for f in old["files"]}
    after = {f["path"]: (f["size"], f["sha256"]) for f in new["files"]}
    parts = [f"{p} added" for p in sorted(set(after) - set(before))]
    parts += [f"{p} removed" for p in sorted(set(before) - set(after))]
    parts += [f"{p} changed" for p in sorted(set(before) & set(after)) if before[p] != after[p]]
    if not parts and old["content_digest"] == new["content_digest"]:
        return []
    detail = ", ".join(parts) if parts else "content digest differs"
    return [_cause("files", f"files of {old['name']} changed: {detail}")]


def _verification(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Cause]:
    if new is None or new["ok"] or (old is not None and new["id"] == old["id"]):
        return []
    counts = ", ".join(f"{n} {s}" for s, n in sorted(new["counts"].items()) if s != "ok" and n)
    files = ", ".join(str(p["path"]) for p in new["problems"][:5])
    return [
        _cause(
            "verification",
            f"verification #{new['id']} on {new['verified_at']} found {counts or 'problems'}"
            + (f": {files}" if files else ""),
        )
    ]


def _org(old: dict[str, Any], new: dict[str, Any]) -> list[Cause]:
    out = []
    name = old["name"]
    if old["country"] != new["country"]:
        out.append(_cause("org", f"country of {name}: {old['country']} -> {new['country']}"))
    added = sorted(set(new["family"]) - set(old["family"]))
    removed = sorted(set(old["family"]) - set(new["family"]))
    if added or removed:
        diff = ", ".join([f"+{o}" for o in added] + [f"-{o}" for o in removed])
        out.append(_cause("org", f"corporate family of {name} changed: {diff}"))
    for org in sorted(set(old["parents"]) & set(new["parents"])):
        was, now = old["parents"][org], new["parents"][org]
        if was != now:
            out.append(_cause("org", f"parent of {org}: {was or 'none'} -> {now or 'none'}"))
    return out


def _mau(old: dict[str, dict[str, int]], new: dict[str, dict[str, int]]) -> list[Cause]:
    out = []
    for month in sorted(set(old) & set(new)):
        for org in sorted(set(old[month]) | set(new[month])):
            was, now = old[month].get(org), new[month].get(org)
            if was != now:
                out.append(
                    _cause("mau", f"MAU of {org} in {month}: {_users(was)} -> {_users(now)}")
                )
    return out


def _grants(old: dict[str, list[Any]], new: dict[str, list[Any]]) -> list[Cause]:
    out = []
    for lic in sorted(set(old) | set(new)):
        was = {tuple(g) for g in old.get(lic, [])}
        now = {tuple(g) for g in new.get(lic, [])}
        parts = [f"+{o}: {r}" for o, r in sorted(now - was)]
        parts += [f"-{o}: {r}" for o, r in sorted(was - now)]
        if parts:
            out.append(_cause("grant", f"grants for {lic} changed: {'; '.join(parts)}"))
    return out


def _lineage(old: dict[str, Any], new: dict[str, Any]) -> list[Cause]:
    out = []
    on, nn = old["nodes"], new["nodes"]
    for name in sorted(set(nn) - set(on)):
        out.append(_cause("lineage", f"ancestor {name} ({nn[name][0]}) joined the lineage"))
    for name in sorted(set(on) - set(nn)):
        out.append(_cause("lineage", f"ancestor {name} left the lineage"))
    for name in sorted(set(on) & set(nn)):
        if list(on[name]) != list(nn[name]):
            was = on[name][0] + (f" ({on[name][1]})" if on[name][1] else "")
            now = nn[name][0] + (f" ({nn[name][1]})" if nn[name][1] else "")
            out.append(_cause("license", f"license of {name}: {was} -> {now}"))
    for kind, key in (("edge", "edges"), ("unresolved parent", "unresolved")):
        was = {tuple(e) for e in old[key]}
        now = {tuple(e) for e in new[key]}
        for c, p, r in sorted(now - was):
            out.append(_cause("lineage", f"lineage {kind} {c} -{r}-> {p} added"))
        for c, p, r in sorted(was - now):
            out.append(_cause("lineage", f"lineage {kind} {c} -{r}-> {p} removed"))
    return out
