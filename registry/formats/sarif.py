"""SARIF 2.1.0: the rule ids are the tool's rules; ``fail`` and ``review`` findings are
results (levels ``error`` and ``warning``), located at the model by a logical location."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from registry import __version__
from registry.compliance.model import CheckResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"fail": "error", "review": "warning"}


def render_sarif(results: Sequence[CheckResult], many: bool) -> str:
    rule_ids: list[str] = []
    out: list[dict[str, Any]] = []
    for result in results:
        for f in result.findings:
            if f.rule not in rule_ids:
                rule_ids.append(f.rule)
            if f.status not in LEVEL:
                continue
            out.append(
                {
                    "ruleId": f.rule,
                    "ruleIndex": rule_ids.index(f.rule),
                    "level": LEVEL[f.status],
                    "message": {"text": f"[{f.license}] {f.reason} ({f.clause})"},
                    "locations": [
                        {
                            "logicalLocations": [
                                {
                                    "name": result.model,
                                    "fullyQualifiedName": (
                                        f"{result.deployment or result.org}/{result.model}"
                                    ),
                                    "kind": "module",
                                }
                            ]
                        }
                    ],
                    "properties": {
                        "license": f.license,
                        "clause": f.clause,
                        "status": f.status,
                        "path": list(f.path),
                        "org": result.org,
                        "use": result.use,
                        "deployment": result.deployment,
                    },
                }
            )
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "modelreg",
                        "version": __version__,
                        "informationUri": "https://github.com/modelreg/modelreg",
                        "rules": [
                            {"id": r, "name": r, "shortDescription": {"text": f"license rule {r}"}}
                            for r in rule_ids
                        ],
                    }
                },
                "results": out,
                "properties": {
                    "verdicts": {f"{r.deployment or r.model}": r.verdict for r in results}
                },
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
