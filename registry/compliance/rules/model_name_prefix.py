"""``model-name-prefix`` (§1.b.i): a derived model's public name begins with the prefix
(case-insensitive; space, ``-`` and ``_`` are treated alike, character by character)."""

from __future__ import annotations

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules.base import RuleContext, finding, use_not_covered

RULE_ID = "model-name-prefix"


def normalise(name: str) -> str:
    return name.casefold().replace("-", " ").replace("_", " ")


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    if ctx.usage.use not in spec.uses:
        return use_not_covered(spec, lic, ctx.usage.use)
    if not ctx.model.has_parents:
        return finding(spec, lic, "n/a", f"{ctx.model.name} has no parent: not a derived model")
    prefix = policy.name_prefix or ""
    public = ctx.usage.public_name
    if normalise(public).startswith(normalise(prefix)):
        return finding(spec, lic, "pass", f"public name {public!r} begins with {prefix!r}")
    return finding(spec, lic, "fail", f"public name {public!r} does not begin with {prefix!r}")
