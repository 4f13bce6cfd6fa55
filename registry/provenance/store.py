"""Saving comparison results (plain DBAPI, no SQLAlchemy: ``add`` runs this).

A pair is stored once per direction it was computed in (the variant whose provenance was
asked, the other one); the newest result for a pair replaces the older one, whichever
direction that was. ``tree`` (:mod:`registry.provenance.related`) and ``check``
(:mod:`registry.compliance.detected`) read both directions: derivation evidence is
symmetric, who came first is not in the weights.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from registry.provenance.records import PairResult

if TYPE_CHECKING:
    from registry.compliance.store import RawDB

_DELETE_PAIR = (
    "DELETE FROM provenance_results "
    "WHERE (variant_id = ? AND other_id = ?) OR (variant_id = ? AND other_id = ?)"
)
_INSERT = (
    "INSERT INTO provenance_results (variant_id, other_id, verdict, method, statistic, "
    "evidence, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def save_results(db: RawDB, variant_id: int, results: Sequence[tuple[int, PairResult]]) -> None:
    """Replace the stored results of these pairs (both directions) with the new ones, in the
    caller's transaction."""
    for other_id, _ in results:
        db.execute(_DELETE_PAIR, (variant_id, other_id, other_id, variant_id))
    at = db.timestamp_param(dt.datetime.now(dt.UTC))
    for other_id, r in results:
        evidence = {"summary": r.summary, "methods": [m.to_dict() for m in r.methods]}
        db.execute(
            _INSERT,
            (
                variant_id,
                other_id,
                r.verdict,
                r.method,
                None if r.statistic is None else float(r.statistic),
                db.json_param(evidence),
                float(r.seconds),
                at,
            ),
        )
