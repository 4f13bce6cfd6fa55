"""``non-commercial``: ``llama1`` and ``cc-by-nc-*`` allow only non-commercial research."""

from __future__ import annotations

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules.base import RuleContext, finding

RULE_ID = "non-commercial"


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    allowed = tuple(spec.params.get("allowed_uses", ["research"]))
    use = ctx.usage.use
    if use in allowed:
        return finding(spec, lic, "pass", f"use {use} is non-commercial research")
    return finding(
        spec,
        lic,
        "fail",
        f"{policy.id} allows only {'/'.join(allowed)}; use is {use} (via {lic.path_text})",
    )
