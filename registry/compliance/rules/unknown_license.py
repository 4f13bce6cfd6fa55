"""``unknown-license``: a declared or inherited ``other``/``unknown`` license; rights cannot be
established, so the finding is always ``review``."""

from __future__ import annotations

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules.base import RuleContext, finding

RULE_ID = "unknown-license"


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    source = lic.path[-1]
    said = f" (declared as {lic.declared_as!r})" if lic.declared_as not in ("", policy.id) else ""
    where = "the model itself" if len(lic.path) == 1 else f"{source} via {lic.path_text}"
    return finding(
        spec,
        lic,
        "review",
        f"license of {where} is {policy.id}{said}: no policy establishes the rights",
    )
