"""``aup`` (Acceptable Use Policy): no declared purpose is prohibited by the license. A
failing finding names each prohibited purpose with the AUP item it falls under."""

from __future__ import annotations

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.purposes import PURPOSES
from registry.compliance.rules.base import RuleContext, finding

RULE_ID = "aup"


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    purposes = ctx.usage.purposes
    banned = [p for p in purposes if p in policy.prohibited_purposes]
    if banned:
        what = "; ".join(f"{p}: {PURPOSES[p]}" for p in banned)
        return finding(spec, lic, "fail", f"{policy.id} prohibits {what}")
    if purposes:
        return finding(spec, lic, "pass", f"purposes {', '.join(purposes)}: none prohibited")
    if "aup" in ctx.usage.attestations:
        return finding(spec, lic, "pass", "attested: aup")
    return finding(spec, lic, "review", "no purpose declared and no aup attestation")
