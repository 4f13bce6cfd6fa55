"""The engine: effective licenses + organisation + usage → one finding per rule and license.

:func:`resolve_licenses` turns the rows of the lineage walk (see
:mod:`registry.compliance.lineage`) into :class:`LicenseSource` values; :func:`evaluate` runs
every rule of every license that reaches the model and derives the verdict. Both are pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from registry.compliance.model import (
    CheckResult,
    Finding,
    LicenseSource,
    ModelFacts,
    OrgFacts,
    Usage,
    verdict_of,
)
from registry.compliance.policies import PolicySet
from registry.compliance.rules import RULES, RuleContext, undeclared_lineage
from registry.compliance.rules.license_inheritance import evaluate_once


@dataclass(frozen=True)
class WalkRow:
    """One row of the lineage walk: a node reached with a distill flag at a depth, and the
    node (and flag) it was reached from through ``relation``."""

    key: tuple[int | str, bool]
    depth: int
    prev: tuple[int | str, bool] | None
    relation: str | None
    name: str
    license_id: str
    license_name: str | None


def resolve_licenses(rows: Iterable[WalkRow], policies: PolicySet) -> tuple[LicenseSource, ...]:
    """Group the walk by effective license; keep the shortest path of the right kind.

    A license reached by any path without a ``distill`` edge is ``full``; the path shown is
    then the shortest such path, else the shortest distill path. Order: by that path's
    length, then license id (the model's own license comes first).
    """
    best: dict[tuple[int | str, bool], WalkRow] = {}

    def order(key: tuple[int | str, bool] | None) -> tuple[int, int, str, bool]:
        if key is None:
            return (0, 0, "", False)
        node, flag = key
        return (0, node, "", flag) if isinstance(node, int) else (1, 0, node, flag)

    for row in sorted(rows, key=lambda r: (r.depth, order(r.prev), order(r.key))):
        if row.key not in best:
            best[row.key] = row

    def path_of(key: tuple[int | str, bool]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        names: list[str] = []
        rels: list[str] = []
        cur: tuple[int | str, bool] | None = key
        while cur is not None:
            row = best[cur]
            names.append(row.name)
            if row.relation is not None:
                rels.append(row.relation)
            cur = row.prev
        names.reverse()
        rels.reverse()
        return tuple(names), tuple(rels)

    effective = _map_other_on_llama1(rows, best, policies)
    by_license: dict[str, list[tuple[WalkRow, str]]] = {}
    for row in best.values():
        for raw, lid in effective[row.key[0]]:
            by_license.setdefault(lid, []).append((row, raw))
    out: list[tuple[int, str, LicenseSource]] = []
    for lid, found in by_license.items():
        full = [f for f in found if not f[0].key[1]]
        distilled = [f for f in found if f[0].key[1]]
        pick, raw = min(full or distilled, key=lambda f: f[0].depth)
        names, rels = path_of(pick.key)
        out.append(
            (
                pick.depth,
                lid,
                LicenseSource(
                    license_id=lid,
                    full=bool(full),
                    full_ancestor=any(r.depth > 0 for r, _ in full),
                    via_distill=bool(distilled),
                    path=names,
                    relations=rels,
                    declared_as=(pick.license_name or raw) if raw in ("other", "unknown") else raw,
                ),
            )
        )
    out.sort(key=lambda t: (t[0], t[1]))
    return tuple(src for _, _, src in out)


def _map_other_on_llama1(
    rows: Iterable[WalkRow],
    best: dict[tuple[int | str, bool], WalkRow],
    policies: PolicySet,
) -> dict[int | str, tuple[tuple[str, str], ...]]:
    """Each node's (declared id, policy id) pairs; ``other`` on a LLaMA 1 base (no edge
    ``distill``) is ``llama1``.

    COMPLIANCE.md §1.2: LLaMA 1 has no Hugging Face id, so its derivatives' cards say
    ``other``. The walk's rows hold every edge of the ancestry, so the base is found here.
    """
    ids = {
        row.key[0]: policies.effective_ids(row.license_id, row.license_name)
        for row in best.values()
    }

    def has(node: int | str, lid: str) -> bool:
        return any(p == lid for _, p in ids[node])

    if not any(has(n, "llama1") for n in ids) or not any(has(n, "other") for n in ids):
        return ids
    parents: dict[int | str, set[int | str]] = {}
    for row in rows:
        if row.prev is not None and row.relation != "distill":
            parents.setdefault(row.prev[0], set()).add(row.key[0])
    for node in list(ids):
        if not has(node, "other"):
            continue
        seen, todo = {node}, [node]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        if any(has(n, "llama1") for n in seen if n != node):
            mapped: dict[str, str] = {}
            for raw, p in ids[node]:
                mapped.setdefault("llama1" if p == "other" else p, raw)
            ids[node] = tuple((raw, p) for p, raw in mapped.items())
    return ids


def evaluate(
    model: ModelFacts,
    org: OrgFacts,
    usage: Usage,
    policies: PolicySet,
    *,
    inputs: dict[str, Any] | None = None,
    deployment: str | None = None,
) -> CheckResult:
    """Every finding for this model, organisation and usage, and the verdict."""
    ctx = RuleContext(model, org, usage, policies.policies)
    findings: list[Finding] = [evaluate_once(ctx), undeclared_lineage.evaluate_once(ctx)]
    for lic in model.licenses:
        policy = policies.policies[lic.license_id]
        for rule_id, spec in policy.rules.items():
            if rule_id == "license-inheritance":
                continue
            if not lic.full and not spec.outputs:
                continue  # reached only through distill: only the rules on outputs travel
            findings.append(RULES[rule_id](ctx, lic, policy, spec))
    return CheckResult(
        model=model.name,
        org=org.name,
        use=usage.use,
        verdict=verdict_of(findings),
        findings=tuple(findings),
        inputs=inputs or {},
        policy_digests=policies.digests(),
        deployment=deployment,
    )
