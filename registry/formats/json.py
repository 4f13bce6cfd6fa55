"""The JSON of ``check`` (DESIGN.md): model, org, use, verdict, findings[rule, license,
status, reason, clause, path]. ``check --all`` wraps the checks with a summary."""

from __future__ import annotations

import json
from collections.abc import Sequence

from registry.compliance.model import CheckResult, worst_verdict


def render_checks(results: Sequence[CheckResult], many: bool) -> str:
    if not many:
        return json.dumps(results[0].to_dict(), indent=2, ensure_ascii=False)
    from registry.formats import summary_counts

    doc = {
        "verdict": worst_verdict([r.verdict for r in results]),
        "summary": summary_counts(results),
        "checks": [r.to_dict() for r in results],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
