"""Saving comparison results and reading them back for ``tree`` and ``check``.

A pair is stored once per direction it was computed in (the variant whose provenance was
asked, the other one); the newest result for a pair replaces the older one. Readers take
both directions: derivation evidence is symmetric, who came first is not in the weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from registry.db.base import utcnow
from registry.db.models import ProvenanceResult
from registry.provenance.records import PairResult

# (this variant id, other variant id, other name, verdict, method, statistic, evidence JSON)
RELATED_SQL = """
SELECT r.variant_id, r.other_id, v.name, r.verdict, r.method, r.statistic,
       CAST(r.evidence AS TEXT), v.license_id, v.created_at, v.id
FROM provenance_results r JOIN variants v ON v.id = r.other_id
WHERE r.variant_id = :id
UNION ALL
SELECT r.other_id, r.variant_id, v.name, r.verdict, r.method, r.statistic,
       CAST(r.evidence AS TEXT), v.license_id, v.created_at, v.id
FROM provenance_results r JOIN variants v ON v.id = r.variant_id
WHERE r.other_id = :id
"""


def save_results(
    session: Session, variant_id: int, results: Sequence[tuple[int, PairResult]]
) -> None:
    """Replace the stored results of these pairs (both directions) with the new ones."""
    for other_id, _ in results:
        session.execute(
            delete(ProvenanceResult).where(
                (
                    (ProvenanceResult.variant_id == variant_id)
                    & (ProvenanceResult.other_id == other_id)
                )
                | (
                    (ProvenanceResult.variant_id == other_id)
                    & (ProvenanceResult.other_id == variant_id)
                )
            )
        )
    rows: list[dict[str, Any]] = [
        {
            "variant_id": variant_id,
            "other_id": other_id,
            "verdict": r.verdict,
            "method": r.method,
            "statistic": r.statistic,
            "evidence": {"summary": r.summary, "methods": [m.to_dict() for m in r.methods]},
            "seconds": r.seconds,
            "created_at": utcnow(),
        }
        for other_id, r in results
    ]
    if rows:
        session.execute(insert(ProvenanceResult), rows)
