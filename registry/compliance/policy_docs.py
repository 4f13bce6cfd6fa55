"""The policies in force as JSON-ready documents (``policy list`` and ``policy show``)."""

from __future__ import annotations

from typing import Any

from registry.compliance.model import Policy
from registry.compliance.policies import PolicySet


def policy_summary(p: Policy) -> dict[str, Any]:
    return {"id": p.id, "kind": p.kind, "name": p.name, "spdx": p.spdx, "file": p.path}


def policy_summaries(ps: PolicySet) -> list[dict[str, Any]]:
    return [policy_summary(p) for p in sorted(ps.policies.values(), key=lambda p: p.id)]


def policy_doc(p: Policy) -> dict[str, Any]:
    """Everything ``policy show`` prints: facts, texts, purposes, rules and clauses."""
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "spdx": p.spdx,
        "huggingface_id": p.huggingface_id,
        "aliases": list(p.aliases),
        "release_date": p.release_date.isoformat() if p.release_date else None,
        "measured_month": p.measured_month,
        "license_url": p.license_url,
        "license_title": p.license_title,
        "agreement_sentences": list(p.agreement_sentences),
        "agreement_min_sentences": p.agreement_min_sentences or None,
        "license_links": list(p.license_links),
        "notice": p.notice,
        "built_with": p.built_with,
        "name_prefix": p.name_prefix,
        "prohibited_purposes": list(p.prohibited_purposes),
        "rules": {
            r.id: {"clause": r.clause, "uses": list(r.uses), "outputs": r.outputs, **r.params}
            for r in p.rules.values()
        },
        "file": p.path,
        "sha256": p.digest,
    }
