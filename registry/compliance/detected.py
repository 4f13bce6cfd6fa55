"""The weight evidence of a check: stored provenance results, set against declared lineage.

For each variant whose weights were found ``derived`` from (or ``inconclusive`` with) the
checked model's, in either direction of the stored comparison, this gathers which licenses
reach that variant fully (its own lineage walk) and whether declared lineage explains the
relation: the other is a declared non-distill ancestor or descendant, or the two share a
declared non-distill ancestor (siblings resemble each other through their parent).
"""

from __future__ import annotations

from registry.compliance.engine import WalkRow, resolve_licenses
from registry.compliance.lineage import walk
from registry.compliance.model import Detection
from registry.compliance.policies import PolicySet
from registry.compliance.store import RawDB

_RELATED_SQL = """
SELECT r.other_id, r.verdict, r.method, r.statistic, r.evidence
FROM provenance_results r WHERE r.variant_id = ? AND r.verdict IN ('derived', 'inconclusive')
UNION ALL
SELECT r.variant_id, r.verdict, r.method, r.statistic, r.evidence
FROM provenance_results r WHERE r.other_id = ? AND r.verdict IN ('derived', 'inconclusive')
"""


def _full_ancestry(rows: list[WalkRow]) -> set[int]:
    """Registered variants reached without a distill edge, the walk's start included."""
    return {int(r.key[0]) for r in rows if not r.key[1] and isinstance(r.key[0], int)}


def detections(
    db: RawDB, variant_id: int, rows: list[WalkRow], policies: PolicySet
) -> tuple[Detection, ...]:
    """Every stored weight relation of the variant, with what declared lineage says of it."""
    related = db.rows(_RELATED_SQL, (variant_id, variant_id))
    if not related:
        return ()
    mine = _full_ancestry(rows)
    out: list[Detection] = []
    seen: set[int] = set()
    # a pair compared from both sides is one relation; a derived verdict is kept first
    for other_id, verdict, method, statistic, evidence in sorted(
        related, key=lambda r: (int(r[0]), r[1] != "derived")
    ):
        if int(other_id) in seen:
            continue
        seen.add(int(other_id))
        other_rows = walk(db, int(other_id))
        theirs = _full_ancestry(other_rows)
        if int(other_id) in mine:
            explained = "ancestor"
        elif variant_id in theirs:
            explained = "descendant"
        elif (mine - {variant_id}) & (theirs - {int(other_id)}):
            explained = "common-ancestor"
        else:
            explained = ""
        carried = tuple(
            (src.license_id, src.path[-1])
            for src in resolve_licenses(other_rows, policies)
            if src.full
        )
        data = db.json_value(evidence) or {}
        out.append(
            Detection(
                other=next(r.name for r in other_rows if r.depth == 0),
                verdict=str(verdict),
                method=str(method),
                statistic=None if statistic is None else float(statistic),
                summary=str(data.get("summary", "")),
                registered_first=int(other_id) < variant_id,
                explained=explained,
                carried=carried,
            )
        )
    return tuple(out)
