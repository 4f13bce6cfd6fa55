"""Reading stored weight relations of one variant for ``tree`` (plain DBAPI, no ORM).

A stored comparison counts in both directions: which of two related models came first is
not in their weights.
"""

from __future__ import annotations

from typing import Any

from registry.db.reader import Reader, as_dict

RELATED_SQL = """
SELECT v.id, v.name, v.license_id, r.verdict, r.method, r.statistic, CAST(r.evidence AS TEXT)
FROM provenance_results r JOIN variants v ON v.id = r.other_id
WHERE r.variant_id = :id AND r.verdict IN ('derived', 'inconclusive')
UNION ALL
SELECT v.id, v.name, v.license_id, r.verdict, r.method, r.statistic, CAST(r.evidence AS TEXT)
FROM provenance_results r JOIN variants v ON v.id = r.variant_id
WHERE r.other_id = :id AND r.verdict IN ('derived', 'inconclusive')
"""


def detected_relations(reader: Reader, variant_id: int, declared: set[int]) -> list[dict[str, Any]]:
    """Variants the weights relate to this one; ``declared`` marks those lineage connects."""
    out = []
    seen: set[int] = set()
    rows = sorted(reader.rows(RELATED_SQL, {"id": variant_id}), key=lambda r: r[3] != "derived")
    for vid, name, lic, verdict, method, statistic, evidence in rows:
        if int(vid) in seen:  # compared from both sides: one relation
            continue
        seen.add(int(vid))
        out.append(
            {
                "name": name,
                "license": lic,
                "verdict": verdict,
                "method": method,
                "statistic": None if statistic is None else float(statistic),
                "summary": as_dict(evidence).get("summary", ""),
                "declared": int(vid) in declared,
            }
        )
    return sorted(out, key=lambda d: d["name"])
