"""What every rule module shares: the context of one check and finding builders.

A rule module exposes ``RULE_ID`` and ``evaluate(ctx, lic, policy, spec) -> Finding``: one
finding for one license that reaches the model (``lic``), under that license's ``policy``.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.compliance.model import (
    Finding,
    LicenseSource,
    ModelFacts,
    OrgFacts,
    Policy,
    RuleSpec,
    Usage,
)


@dataclass(frozen=True)
class RuleContext:
    model: ModelFacts
    org: OrgFacts
    usage: Usage
    policies: dict[str, Policy]


def finding(spec: RuleSpec, lic: LicenseSource, status: str, reason: str) -> Finding:
    return Finding(
        rule=spec.id,
        license=lic.license_id,
        status=status,
        reason=reason,
        clause=spec.clause,
        path=lic.path,
        relations=lic.relations,
    )


def use_not_covered(spec: RuleSpec, lic: LicenseSource, use: str) -> Finding:
    return finding(spec, lic, "n/a", f"applies to use {' or '.join(spec.uses)}, not {use}")


def fmt_int(n: int) -> str:
    return f"{n:,}"
