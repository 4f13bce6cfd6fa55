"""``built-with`` (§1.b.i): the "Built with ..." text is displayed; only an attestation can
say so (it is shown on a website or in documentation, not in the checkpoint)."""

from __future__ import annotations

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules.base import RuleContext, finding, use_not_covered

RULE_ID = "built-with"


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    if ctx.usage.use not in spec.uses:
        return use_not_covered(spec, lic, ctx.usage.use)
    text = policy.built_with
    if "built-with" in ctx.usage.attestations:
        return finding(spec, lic, "pass", f"attested: {text!r} is displayed")
    return finding(spec, lic, "fail", f"{text!r} must be displayed; no built-with attestation")
