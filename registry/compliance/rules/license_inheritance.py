"""``license-inheritance``: a permissive license declared over a Llama or non-commercial
ancestor reached without a ``distill`` edge is license laundering (one finding, filed under
the declared license)."""

from __future__ import annotations

from registry.compliance.model import RESTRICTIVE_KINDS, Finding
from registry.compliance.rules.base import RuleContext

RULE_ID = "license-inheritance"


def evaluate_once(ctx: RuleContext) -> Finding:
    declared = ctx.policies[ctx.model.declared]
    own = (ctx.model.name,)
    if declared.kind != "permissive":
        return Finding(
            RULE_ID,
            declared.id,
            "pass",
            f"declared license {declared.id} is not permissive ({declared.kind})",
            "lineage",
            own,
        )
    for lic in ctx.model.licenses:
        policy = ctx.policies[lic.license_id]
        spec = policy.rules.get(RULE_ID)
        if lic.full_ancestor and policy.kind in RESTRICTIVE_KINDS and spec is not None:
            return Finding(
                RULE_ID,
                declared.id,
                "fail",
                f"declared {declared.id} (permissive) but ancestor {lic.path[-1]} is under "
                f"{policy.id} ({policy.kind}) via {lic.path_text}: license laundering",
                f"{policy.id} {spec.clause}",
                lic.path,
                lic.relations,
            )
    return Finding(
        RULE_ID,
        declared.id,
        "pass",
        f"declared {declared.id}; no non-distill ancestor under a Llama or non-commercial license",
        "lineage",
        own,
    )
