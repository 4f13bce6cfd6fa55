"""Walk a variant's ancestors with one recursive CTE, tracking distill edges and depth.

Each row of the walk is a node reached with a flag ("a ``distill`` edge lies on the way")
at some depth, with the node and flag it was reached from. ``UNION`` removes duplicate rows,
so a diamond-shaped lineage is visited once per (node, flag, depth, predecessor). The
shortest path per (node, flag) is then chosen by
:func:`registry.compliance.engine.resolve_licenses`.
"""

from __future__ import annotations

from registry.compliance.engine import WalkRow
from registry.compliance.store import RawDB
from registry.errors import LineageError

MAX_DEPTH = 10000

_WALK = """
WITH RECURSIVE walk(id, distilled, depth, prev_id, prev_distilled, relation) AS (
    SELECT CAST(? AS INTEGER), 0, 0, CAST(NULL AS INTEGER), CAST(NULL AS INTEGER),
           CAST(NULL AS VARCHAR(16))
  UNION
    SELECT e.parent_id,
           CASE WHEN w.distilled = 1 OR e.relation = 'distill' THEN 1 ELSE 0 END,
           w.depth + 1, w.id, w.distilled, e.relation
    FROM walk w JOIN lineage_edges e ON e.child_id = w.id
    WHERE w.depth < 10000
)
"""

WALK_SQL = (
    _WALK
    + """
SELECT w.id, w.distilled, w.depth, w.prev_id, w.prev_distilled, w.relation,
       v.name, v.license_id, v.license_name
FROM walk w JOIN variants v ON v.id = w.id
"""
)

UNRESOLVED_SQL = (
    _WALK
    + """
SELECT DISTINCT w.id, w.distilled, w.depth, u.reference, u.relation
FROM walk w JOIN unresolved_parents u ON u.variant_id = w.id
"""
)


def walk(db: RawDB, variant_id: int) -> list[WalkRow]:
    """Every (ancestor, distill flag, depth) of the variant, itself included at depth 0.

    A parent named by a model card but not registered (an unresolved parent) is a node
    whose license is ``unknown``: rights through it cannot be established.
    """
    rows = [
        WalkRow(
            key=(int(r[0]), bool(r[1])),
            depth=int(r[2]),
            prev=None if r[3] is None else (int(r[3]), bool(r[4])),
            relation=r[5],
            name=r[6],
            license_id=r[7],
            license_name=r[8],
        )
        for r in db.rows(WALK_SQL, (variant_id,))
    ]
    if any(r.depth >= MAX_DEPTH for r in rows):
        raise LineageError(f"lineage deeper than {MAX_DEPTH} generations, or cyclic")
    for vid, distilled, depth, reference, relation in db.rows(UNRESOLVED_SQL, (variant_id,)):
        flag = bool(distilled) or relation == "distill"
        rows.append(
            WalkRow(
                key=(f"unresolved:{reference}", flag),
                depth=int(depth) + 1,
                prev=(int(vid), bool(distilled)),
                relation=relation,
                name=f"{reference} (unregistered)",
                license_id="unknown",
                license_name=None,
            )
        )
    return rows
