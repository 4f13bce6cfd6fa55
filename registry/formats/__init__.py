"""Renderers that return ``str`` (the CLI prints them): check results, CycloneDX ML-BOM.

:class:`CheckFormat` lists the formats of ``modelreg check``; :data:`CHECK_RENDERERS` maps
the machine formats to their renderer here, and the CLI adds the ``table`` renderer (rich).
A test asserts every format has a renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: keeps `modelreg --help` from importing the engine
    from registry.compliance.model import CheckResult, Finding


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"
    junit = "junit"


CheckRenderer = Callable[[Sequence["CheckResult"], bool], str]


def _json(results: Sequence[CheckResult], many: bool) -> str:
    from registry.formats.json import render_checks

    return render_checks(results, many)


def _sarif(results: Sequence[CheckResult], many: bool) -> str:
    from registry.formats.sarif import render_sarif

    return render_sarif(results, many)


def _junit(results: Sequence[CheckResult], many: bool) -> str:
    from registry.formats.junit import render_junit

    return render_junit(results, many)


CHECK_RENDERERS: dict[CheckFormat, CheckRenderer] = {
    CheckFormat.json: _json,
    CheckFormat.sarif: _sarif,
    CheckFormat.junit: _junit,
}


def summary_counts(results: Sequence[CheckResult]) -> dict[str, int]:
    counts = {"compliant": 0, "non_compliant": 0, "needs_review": 0}
    for r in results:
        counts[r.verdict] += 1
    return counts


def sorted_findings(result: CheckResult) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by license, failing groups first, fail/review/pass/n-a within."""
    rank = {"fail": 0, "review": 1, "pass": 2, "n/a": 3}
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        groups.setdefault(f.license, []).append(f)
    ordered = []
    for lic, fs in groups.items():
        fs.sort(key=lambda f: rank[f.status])
        ordered.append((min(rank[f.status] for f in fs), lic, fs))
    ordered.sort(key=lambda t: t[0])
    return [(lic, fs) for _, lic, fs in ordered]
