"""One module per rule of COMPLIANCE.md §2.3; :data:`RULES` maps a rule id to its module."""

from __future__ import annotations

from collections.abc import Callable

from registry.compliance.model import Finding, LicenseSource, Policy, RuleSpec
from registry.compliance.rules import (
    agreement_copy,
    aup,
    built_with,
    eu_multimodal,
    improve_other_llm,
    mau_threshold,
    model_name_prefix,
    non_commercial,
    notice_file,
    unknown_license,
)
from registry.compliance.rules.base import RuleContext

Evaluate = Callable[[RuleContext, LicenseSource, Policy, RuleSpec], Finding]

RULES: dict[str, Evaluate] = {
    m.RULE_ID: m.evaluate
    for m in (
        unknown_license,
        non_commercial,
        mau_threshold,
        agreement_copy,
        notice_file,
        built_with,
        model_name_prefix,
        improve_other_llm,
        eu_multimodal,
        aup,
    )
}

__all__ = ["RULES", "RuleContext"]
