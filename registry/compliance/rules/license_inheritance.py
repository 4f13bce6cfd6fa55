"""``license-inheritance``: a permissive license declared over a Llama or non-commercial
ancestor reached without a ``distill`` edge is license laundering (one finding, filed under
the declared license). When a card declares several licenses, a permissive one launders
an ancestor's restrictive license unless that license is declared as well."""

from __future__ import annotations

from registry.compliance.model import RESTRICTIVE_KINDS, Finding
from registry.compliance.rules.base import RuleContext

RULE_ID = "license-inheritance"


def evaluate_once(ctx: RuleContext) -> Finding:
    declared = [ctx.policies[lid] for lid in ctx.model.declared]
    own = (ctx.model.name,)
    permissive = [p for p in declared if p.kind == "permissive"]
    if not permissive:
        kinds = ", ".join(f"{p.id} ({p.kind})" for p in declared)
        return Finding(
            RULE_ID, declared[0].id, "pass", f"declared {kinds}: not permissive", "lineage", own
        )
    label = permissive[0].id
    for lic in ctx.model.licenses:
        policy = ctx.policies[lic.license_id]
        spec = policy.rules.get(RULE_ID)
        if (
            lic.full_ancestor
            and policy.kind in RESTRICTIVE_KINDS
            and spec is not None
            and lic.license_id not in ctx.model.declared
        ):
            return Finding(
                RULE_ID,
                label,
                "fail",
                f"declared {label} (permissive) but ancestor {lic.path[-1]} is under "
                f"{policy.id} ({policy.kind}) via {lic.path_text}: license laundering",
                f"{policy.id} {spec.clause}",
                lic.path,
                lic.relations,
            )
    return Finding(
        RULE_ID,
        label,
        "pass",
        f"declared {' AND '.join(p.id for p in declared)}; every non-distill ancestor under a "
        "Llama or non-commercial license has that license declared too"
        if len(declared) > 1
        else f"declared {label}; no non-distill ancestor under a Llama or non-commercial license",
        "lineage",
        own,
    )
