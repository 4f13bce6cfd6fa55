"""``notice-file`` (§1.b.iii): a ``NOTICE*`` file with the exact notice text in every
distributed copy, or a ``notice-file`` attestation. Compared in the
:func:`~registry.compliance.license_text.typography` form: case and words count, while
``©``/``(c)``/``(C)``, straight/curly quotes, dashes and whitespace runs are alike."""

from __future__ import annotations

from registry.compliance.license_text import typography
from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules.base import RuleContext, finding, use_not_covered

RULE_ID = "notice-file"


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    if ctx.usage.use not in spec.uses:
        return use_not_covered(spec, lic, ctx.usage.use)
    notice = typography(policy.notice or "")
    for name, text in ctx.model.evidence.notice_texts:
        if notice and notice in text:
            return finding(spec, lic, "pass", f"{name} contains the {policy.id} notice")
    if "notice-file" in ctx.usage.attestations:
        return finding(spec, lic, "pass", "attested: notice-file")
    return finding(
        spec,
        lic,
        "fail",
        f"no NOTICE* file containing {policy.notice!r} and no notice-file attestation",
    )
