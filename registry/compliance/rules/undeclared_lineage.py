"""``undeclared-lineage``: the weights show derivation that declared lineage does not.

One finding per check, filed under the declared license. For each variant whose weights
were found ``derived`` from the model's (``modelreg provenance``, run on ``add``) and whose
relation declared lineage does not explain, the licenses reaching that variant fully but
not the model are "carried by the weights" without being declared:

- ``fail`` when that variant was registered first (the presumed source) and the model's
  declared license is more permissive than the strictest such license (license laundering:
  a Llama fine-tune relabelled ``apache-2.0``);
- ``pass`` when it was registered later (presumed derived from the model) and carries no
  license stricter than the model's own;
- ``review`` otherwise (the weights cannot tell which of two related models came first).

``inconclusive`` evidence (4 <= z < 10) is named in the reason and never changes the status.
Distillation from a teacher's outputs leaves no trace in the student's weights, so a
``distill`` parent can only be declared: this rule neither finds nor needs one.
"""

from __future__ import annotations

from registry.compliance.model import Detection, Finding, Policy
from registry.compliance.rules.base import RuleContext

RULE_ID = "undeclared-lineage"
# higher is more permissive; unknown licenses have no place on the scale
PERMISSIVENESS = {"permissive": 3, "llama": 2, "non-commercial": 1}


def _rank(policy: Policy | None) -> int | None:
    return PERMISSIVENESS.get(policy.kind) if policy is not None else None


def _evidence(d: Detection) -> str:
    stat = "" if d.statistic is None else f" {d.statistic:.3g}"
    return f"{d.method}{stat}: {d.summary}" if d.summary else f"{d.method}{stat}"


def _judge(ctx: RuleContext, d: Detection, reached: set[str]) -> tuple[str, str, str] | None:
    """(status, reason, clause) for one unexplained derived relation, None if it passes."""
    missing = [(lid, who) for lid, who in d.carried if lid not in reached]
    if not missing:
        return None
    ranks = [r for lid in ctx.model.declared if (r := _rank(ctx.policies.get(lid))) is not None]
    known = [
        (rank, lid) for lid, _ in missing if (rank := _rank(ctx.policies.get(lid))) is not None
    ]
    strictest = min(known) if known else None
    mine = max(ranks) if ranks else None  # the most permissive declared license
    names = ", ".join(f"{lid} (declared by {who})" for lid, who in missing)
    head = f"weights of {ctx.model.name} are derived from {d.other} [{_evidence(d)}]; {names}"
    policy = ctx.policies.get(strictest[1]) if strictest else None
    spec = policy.rules.get("license-inheritance") if policy else None
    clause = f"{policy.id} {spec.clause}" if policy and spec else "lineage"
    hint = f"; `modelreg link {ctx.model.name} {d.other}` declares it once confirmed"
    if d.registered_first and mine is not None and strictest and mine > strictest[0]:
        reason = (
            f"{head} not reached through declared lineage, and the declared "
            f"{' AND '.join(ctx.model.declared)} is more permissive: license laundering{hint}"
        )
        return "fail", reason, clause
    if not d.registered_first and mine is not None and len(known) == len(missing):
        if all(rank >= mine for rank, _ in known):
            return None
    order = "registered first" if d.registered_first else f"registered after {ctx.model.name}"
    reason = f"{head} not reached through declared lineage ({d.other} {order}){hint}"
    return "review", reason, clause


def evaluate_once(ctx: RuleContext) -> Finding:
    declared = ctx.model.declared[0]  # filed under the declared license, as license-inheritance
    own = (ctx.model.name,)
    reached = {lic.license_id for lic in ctx.model.licenses if lic.full}
    worst: tuple[str, str, str, str] | None = None
    noted: list[str] = []
    for d in ctx.model.detected:
        if d.verdict != "derived":
            noted.append(f"{d.other} ({d.verdict}, {_evidence(d)})")
            continue
        if d.explained:
            noted.append(f"{d.other} (derived; declared lineage: {d.explained})")
            continue
        judged = _judge(ctx, d, reached)
        if judged is None:
            noted.append(f"{d.other} (derived; its licenses reach this model or are no stricter)")
            continue
        if worst is None or (judged[0] == "fail" and worst[0] != "fail"):
            worst = (*judged, d.other)
    if worst is not None:
        status, reason, clause, other = worst
        return Finding(
            RULE_ID, declared, status, reason, clause, (ctx.model.name, other), ("weights",)
        )
    if not ctx.model.detected:
        reason = "no weight evidence of derivation from a registered variant"
    else:
        reason = "weight evidence explained or not conclusive: " + "; ".join(noted)
    return Finding(RULE_ID, declared, "pass", reason, "lineage", own)
