"""``improve-other-llm`` (§1.b.v, Llama 2 and 3): outputs of a model under the license may
improve only that license's models and their derivatives. Applies when the license reaches
the model through a ``distill`` edge; passes when the student is itself, through edges that
are not ``distill``, a derivative of a model under the same license."""

from __future__ import annotations

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules.base import RuleContext, finding

RULE_ID = "improve-other-llm"


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    if not lic.via_distill:
        return finding(spec, lic, "n/a", f"{policy.id} does not reach the model through distill")
    if lic.full_ancestor:
        return finding(
            spec,
            lic,
            "pass",
            f"{ctx.model.name} is itself a {policy.id} derivative (exempt: "
            f"{spec.params.get('exempt', policy.id)})",
        )
    return finding(
        spec,
        lic,
        "fail",
        f"trained on outputs of {lic.path[-1]} ({policy.id}) via {lic.path_text}, but "
        f"{ctx.model.name} is not a {policy.id} derivative",
    )
