"""``eu-multimodal`` (AUP, 3.2 and later): the grant for a multimodal model is not given to a
company whose principal place of business is in the European Union."""

from __future__ import annotations

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules.base import RuleContext, finding

RULE_ID = "eu-multimodal"


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    if ctx.usage.end_user:
        return finding(spec, lic, "n/a", "end user of a product that incorporates the model")
    other = [m for m in ctx.model.modalities if m != "text"]
    if not other:
        return finding(spec, lic, "n/a", f"{ctx.model.name} is text-only")
    country = ctx.org.country
    modal = "/".join(other)
    if country is None:
        return finding(
            spec, lic, "review", f"{ctx.org.name} has no country recorded ({modal} model)"
        )
    if country in spec.params["countries"]:
        return finding(
            spec,
            lic,
            "fail",
            f"{ctx.org.name} is in {country} (EU) and {ctx.model.name} is multimodal ({modal})",
        )
    return finding(spec, lic, "pass", f"{ctx.org.name} is in {country}, outside the EU")
