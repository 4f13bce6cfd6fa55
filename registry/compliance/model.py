"""The plain data the engine works on: policies, the facts of a check, findings, results.

Nothing here touches the database: :mod:`registry.compliance.facts` gathers these from the
catalog, :mod:`registry.compliance.engine` turns them into findings, so the engine can be
tested (and property-tested) on plain values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("pass", "fail", "review", "n/a")
VERDICTS = ("compliant", "non_compliant", "needs_review")
VERDICT_EXIT = {"compliant": 0, "non_compliant": 1, "needs_review": 3}
RESTRICTIVE_KINDS = ("llama", "non-commercial")


@dataclass(frozen=True)
class RuleSpec:
    """One rule a policy applies, with its clause and parameters (``uses``, ``threshold``...)."""

    id: str
    clause: str
    outputs: bool = False
    uses: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    kind: str
    spdx: str
    path: str
    digest: str
    huggingface_id: str | None = None
    aliases: tuple[str, ...] = ()
    release_date: dt.date | None = None
    license_url: str | None = None
    license_title: str | None = None
    agreement_sentences: tuple[str, ...] = ()
    agreement_min_sentences: int = 0
    license_links: tuple[str, ...] = ()
    notice: str | None = None
    built_with: str | None = None
    name_prefix: str | None = None
    prohibited_purposes: tuple[str, ...] = ()
    rules: dict[str, RuleSpec] = field(default_factory=dict, hash=False, compare=False)

    @property
    def measured_month(self) -> str | None:
        """The calendar month before the release date (§2), as ``YYYY-MM``."""
        if self.release_date is None:
            return None
        first = self.release_date.replace(day=1)
        prev = first - dt.timedelta(days=1)
        return f"{prev.year:04d}-{prev.month:02d}"

    @property
    def agreement_evidence(self) -> tuple[tuple[str, ...], int]:
        """The sentences a copy of the agreement holds and how many of them it must hold.

        A policy without ``agreement_sentences`` falls back to its ``license_title``, one
        phrase that must appear (the only evidence schema 1 policies could give).
        """
        if self.agreement_sentences:
            need = self.agreement_min_sentences or len(self.agreement_sentences)
            return self.agreement_sentences, need
        return ((self.license_title,), 1) if self.license_title else ((), 0)


@dataclass(frozen=True)
class LicenseSource:
    """How one license reaches the checked model: whether fully and by which shortest path.

    ``full``: reached by a path with no ``distill`` edge (the model itself counts, depth 0).
    ``full_ancestor``: reached that way through at least one edge (a non-distill ancestor).
    ``via_distill``: also (or only) reached by a path containing a ``distill`` edge.
    ``path``: variant names from the checked model to the one declaring the license;
    ``relations``: the relation of each edge along it (one fewer than the names).
    """

    license_id: str
    full: bool
    full_ancestor: bool
    via_distill: bool
    path: tuple[str, ...]
    relations: tuple[str, ...]
    declared_as: str = ""

    @property
    def path_text(self) -> str:
        out = self.path[0]
        for rel, name in zip(self.relations, self.path[1:], strict=True):
            out += f" <-{rel}- {name}"
        return out


@dataclass(frozen=True)
class Evidence:
    """What the checkpoint directory shows (see :mod:`registry.compliance.evidence`).

    ``notice_texts``: (file name, text in typography form) of its notice files;
    ``license_texts``: (file name, text in words form) of its license files and model card.
    """

    notice_texts: tuple[tuple[str, str], ...] = ()
    license_texts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Detection:
    """What the weights say about one other registered variant (``modelreg provenance``).

    ``explained``: declared lineage accounts for it (``ancestor``, ``descendant`` or
    ``common-ancestor``), else ``""``. ``carried``: (license id, declaring variant) of each
    license reaching ``other`` without a ``distill`` edge, its own first.
    """

    other: str
    verdict: str
    method: str
    statistic: float | None
    summary: str
    registered_first: bool
    explained: str
    carried: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ModelFacts:
    """The checked variant; ``declared`` holds its own licenses (a card may list several)."""

    name: str
    declared: tuple[str, ...]
    modalities: tuple[str, ...]
    has_parents: bool
    licenses: tuple[LicenseSource, ...]
    evidence: Evidence = Evidence()
    detected: tuple[Detection, ...] = ()


@dataclass(frozen=True)
class OrgFacts:
    """The licensee, its corporate family, and what the family recorded."""

    name: str
    country: str | None
    family: tuple[str, ...]
    mau: dict[str, dict[str, int]] = field(default_factory=dict, hash=False)
    grants: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Usage:
    use: str
    public_name: str
    purposes: tuple[str, ...] = ()
    attestations: tuple[str, ...] = ()
    end_user: bool = False


@dataclass(frozen=True)
class Finding:
    rule: str
    license: str
    status: str
    reason: str
    clause: str
    path: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        return cls(
            rule=str(d["rule"]),
            license=str(d["license"]),
            status=str(d["status"]),
            reason=str(d["reason"]),
            clause=str(d["clause"]),
            path=tuple(d.get("path") or ()),
            relations=tuple(d.get("relations") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "license": self.license,
            "status": self.status,
            "reason": self.reason,
            "clause": self.clause,
            "path": list(self.path),
            "relations": list(self.relations),
        }


@dataclass(frozen=True)
class CheckResult:
    model: str
    org: str
    use: str
    verdict: str
    findings: tuple[Finding, ...]
    inputs: dict[str, Any] = field(default_factory=dict, hash=False)
    policy_digests: dict[str, dict[str, str]] = field(default_factory=dict, hash=False)
    deployment: str | None = None
    # a deployment's release state (registry.releases.workflow.deployment_state)
    release: dict[str, Any] | None = field(default=None, hash=False, compare=False)

    @property
    def exit_code(self) -> int:
        return VERDICT_EXIT[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "org": self.org,
            "use": self.use,
            "deployment": self.deployment,
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.findings],
            "inputs": self.inputs,
            "policy_digests": self.policy_digests,
        } | ({} if self.release is None else {"release": self.release})

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckResult:
        """The inverse of :meth:`to_dict` (a result the team server evaluated)."""
        return cls(
            model=str(d["model"]),
            org=str(d["org"]),
            use=str(d["use"]),
            verdict=str(d["verdict"]),
            findings=tuple(Finding.from_dict(f) for f in d.get("findings") or ()),
            inputs=dict(d.get("inputs") or {}),
            policy_digests=dict(d.get("policy_digests") or {}),
            deployment=d.get("deployment"),
            release=d.get("release"),
        )


def verdict_of(findings: tuple[Finding, ...] | list[Finding]) -> str:
    statuses = {f.status for f in findings}
    if "fail" in statuses:
        return "non_compliant"
    if "review" in statuses:
        return "needs_review"
    return "compliant"


def worst_verdict(verdicts: list[str]) -> str:
    if "non_compliant" in verdicts:
        return "non_compliant"
    if "needs_review" in verdicts:
        return "needs_review"
    return "compliant"
