"""``agreement-copy``: a copy of the license goes with the model.

Evidence, in order: a license file or the model card holding the agreement's text (at
least ``agreement_min_sentences`` of the policy's ``agreement_sentences``, compared in the
:func:`~registry.compliance.license_text.words` form); for a license that accepts a link
instead of the text (CC BY §3(a)(1)(C)), a license file or the card holding one of the
policy's ``license_links``; an ``agreement-copy`` attestation.
"""

from __future__ import annotations

from registry.compliance.license_text import contains, sentences_present
from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules.base import RuleContext, finding, use_not_covered

RULE_ID = "agreement-copy"


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    if ctx.usage.use not in spec.uses:
        return use_not_covered(spec, lic, ctx.usage.use)
    sentences, need = policy.agreement_evidence
    texts = ctx.model.evidence.license_texts
    best: tuple[int, str] = (0, "")
    for name, text in texts:
        found = sentences_present(text, sentences)
        if need and found >= need:
            return finding(
                spec,
                lic,
                "pass",
                f"{name} holds the {policy.id} agreement ({found} of {len(sentences)} "
                "distinctive sentences)",
            )
        best = max(best, (found, name))
    for name, text in texts:
        link = next((u for u in policy.license_links if contains(text, u)), None)
        if link is not None:
            return finding(spec, lic, "pass", f"{name} links the license ({link})")
    if "agreement-copy" in ctx.usage.attestations:
        return finding(spec, lic, "pass", "attested: agreement-copy")
    closest = f"; closest: {best[1]} with {best[0]}" if best[0] else ""
    links = f" or a link to {' / '.join(policy.license_links)}" if policy.license_links else ""
    return finding(
        spec,
        lic,
        "fail",
        f"use {ctx.usage.use} needs a copy of {policy.id}: no license file or model card "
        f"holds its text ({need} of {len(sentences)} distinctive sentences{closest}){links}, "
        "and no agreement-copy attestation",
    )
