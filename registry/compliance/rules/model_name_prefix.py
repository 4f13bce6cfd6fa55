"""``model-name-prefix`` (§1.b.i): a derived model's public name begins with the prefix.

The model name is the public name without a Hub namespace (``org/``) and without a
revision (``@rev``): ``acme/Llama-3-chat@0a1b2c3`` is named ``Llama-3-chat``. The comparison
is case-insensitive, with space, ``-`` and ``_`` treated alike, character by character.
"""

from __future__ import annotations

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules.base import RuleContext, finding, use_not_covered

RULE_ID = "model-name-prefix"


def normalise(name: str) -> str:
    return name.casefold().replace("-", " ").replace("_", " ")


def model_name(public: str) -> str:
    """``public`` without its ``org/`` namespace and ``@revision``."""
    return public.partition("@")[0].rpartition("/")[2].strip()


def evaluate(ctx: RuleContext, lic: LicenseSource, policy: Policy, spec: RuleSpec) -> Finding:
    if ctx.usage.use not in spec.uses:
        return use_not_covered(spec, lic, ctx.usage.use)
    if not ctx.model.has_parents:
        return finding(spec, lic, "n/a", f"{ctx.model.name} has no parent: not a derived model")
    prefix = policy.name_prefix or ""
    public = ctx.usage.public_name
    name = model_name(public)
    shown = repr(public) if name == public else f"{name!r} (of {public!r})"
    if normalise(name).startswith(normalise(prefix)):
        return finding(spec, lic, "pass", f"model name {shown} begins with {prefix!r}")
    return finding(spec, lic, "fail", f"model name {shown} does not begin with {prefix!r}")
