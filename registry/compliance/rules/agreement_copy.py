"""``agreement-copy``: a copy of the license goes with the model (a ``LICENSE*`` file in the
checkpoint whose text contains the license's title, or an ``agreement-copy`` attestation)."""

from __future__ import annotations

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules.base import RuleContext, finding, use_not_covered

RULE_ID = "agreement-copy"


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    if ctx.usage.use not in spec.uses:
        return use_not_covered(spec, lic, ctx.usage.use)
    title = policy.license_title or ""
    wanted = " ".join(title.split()).casefold()
    for name, text in ctx.model.evidence.license_texts:
        if wanted and wanted in text.casefold():
            return finding(spec, lic, "pass", f"{name} contains {title!r}")
    if "agreement-copy" in ctx.usage.attestations:
        return finding(spec, lic, "pass", "attested: agreement-copy")
    return finding(
        spec,
        lic,
        "fail",
        f"use {ctx.usage.use} needs a copy of {policy.id}: no LICENSE* file containing "
        f"{title!r} and no agreement-copy attestation",
    )
