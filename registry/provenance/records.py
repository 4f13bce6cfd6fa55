"""What a comparison yields: one record per method that ran, and the verdict of a pair.

Every method records its statistic, the null it was compared to (how many null draws and
the largest), the tensors it used and the seconds it took, so a finding can cite exactly
what the weights showed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DERIVED = "derived"
INCONCLUSIVE = "inconclusive"
INDEPENDENT = "independent"
NOT_COMPARABLE = "not-comparable"


@dataclass
class MethodResult:
    """One test: ``statistic`` against a null of ``null_size`` draws whose largest is
    ``null_max`` (``None`` where the method has no sampled null, e.g. exact digests)."""

    method: str
    verdict: str
    statistic: float | None
    summary: str
    null_size: int = 0
    null_max: float | None = None
    tensors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "verdict": self.verdict,
            "statistic": self.statistic,
            "summary": self.summary,
            "null": {"size": self.null_size, "max": self.null_max},
            "tensors": list(self.tensors),
            "seconds": round(self.seconds, 3),
            **({"extra": self.extra} if self.extra else {}),
        }


@dataclass
class PairResult:
    """The comparison of ``variant`` with ``other``; the verdict comes from the first
    conclusive method (exact reuse, then aligned cosine, then the robust statistics)."""

    variant: str
    other: str
    verdict: str
    methods: list[MethodResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def deciding(self) -> MethodResult | None:
        for m in self.methods:
            if m.verdict == self.verdict:
                return m
        return self.methods[-1] if self.methods else None

    @property
    def method(self) -> str:
        m = self.deciding
        return m.method if m else "none"

    @property
    def statistic(self) -> float | None:
        m = self.deciding
        return m.statistic if m else None

    @property
    def summary(self) -> str:
        m = self.deciding
        return m.summary if m else "no method could compare these weights"

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "other": self.other,
            "verdict": self.verdict,
            "method": self.method,
            "statistic": self.statistic,
            "summary": self.summary,
            "seconds": round(self.seconds, 3),
            "methods": [m.to_dict() for m in self.methods],
        }


ROBUST_METHODS = ("cka", "zhu")


def combine(variant: str, other: str, methods: list[MethodResult], seconds: float) -> PairResult:
    """The pair's verdict: derived if any method says so; otherwise the robust statistics
    settle what the aligned cosine left open, when they ran; else the strongest remaining."""
    robust = [m for m in methods if m.method in ROBUST_METHODS and m.verdict != NOT_COMPARABLE]
    basis = methods if any(m.verdict == DERIVED for m in methods) or not robust else robust
    verdict = NOT_COMPARABLE
    for v in (DERIVED, INCONCLUSIVE, INDEPENDENT, NOT_COMPARABLE):
        if any(m.verdict == v for m in basis):
            verdict = v
            break
    return PairResult(variant, other, verdict, methods, seconds)
