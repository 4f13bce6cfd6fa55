"""``non-commercial``: ``llama1`` and ``cc-by-nc-*`` allow no commercial use.

``allowed_uses`` (default ``research``) always pass. ``sharing_uses`` (``distribute``) pass
only when every declared purpose is non-commercial (``research``): CC BY-NC 4.0 §2(a)(1)
lets anyone share the material for NonCommercial purposes, and the LLaMA 1 grant includes
distribution for non-commercial research, so handing the weights on is not commercial in
itself; what it is for decides. Every other use is commercial.
"""

from __future__ import annotations

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.purposes import NON_COMMERCIAL_PURPOSES
from registry.compliance.rules.base import RuleContext, finding

RULE_ID = "non-commercial"


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    allowed = tuple(spec.params.get("allowed_uses", ["research"]))
    sharing = tuple(spec.params.get("sharing_uses", []))
    use = ctx.usage.use
    if use in allowed:
        return finding(spec, lic, "pass", f"use {use} is non-commercial research")
    purposes = ctx.usage.purposes
    if use in sharing:
        if purposes and all(p in NON_COMMERCIAL_PURPOSES for p in purposes):
            return finding(
                spec,
                lic,
                "pass",
                f"use {use} for non-commercial purposes only ({', '.join(purposes)})",
            )
        said = f"declared {', '.join(purposes)}" if purposes else "no purpose declared"
        return finding(
            spec,
            lic,
            "fail",
            f"{policy.id} allows {use} only for non-commercial purposes "
            f"({'/'.join(NON_COMMERCIAL_PURPOSES)}); {said} (via {lic.path_text})",
        )
    also = f" (and {'/'.join(sharing)} for non-commercial purposes)" if sharing else ""
    return finding(
        spec,
        lic,
        "fail",
        f"{policy.id} allows only {'/'.join(allowed)}{also}; use is {use} (via {lic.path_text})",
    )
