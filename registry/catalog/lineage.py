"""Walking lineage with recursive CTEs: ancestors, descendants, cycle checks.

The CTEs collect edges with ``UNION`` (not ``UNION ALL``), so a diamond-shaped or even a
corrupt cyclic graph terminates; depths are computed afterwards over the small edge set.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from registry.db.models import LineageEdge, Variant


@dataclass(frozen=True)
class Edge:
    child_id: int
    parent_id: int
    relation: str


_ANCESTOR_EDGES = text(
    """
    WITH RECURSIVE anc(child_id, parent_id, relation) AS (
        SELECT child_id, parent_id, relation FROM lineage_edges WHERE child_id = :start
        UNION
        SELECT e.child_id, e.parent_id, e.relation
        FROM lineage_edges e JOIN anc ON e.child_id = anc.parent_id
    )
    SELECT child_id, parent_id, relation FROM anc
    """
)

_DESCENDANT_EDGES = text(
    """
    WITH RECURSIVE des(child_id, parent_id, relation) AS (
        SELECT child_id, parent_id, relation FROM lineage_edges WHERE parent_id = :start
        UNION
        SELECT e.child_id, e.parent_id, e.relation
        FROM lineage_edges e JOIN des ON e.parent_id = des.child_id
    )
    SELECT child_id, parent_id, relation FROM des
    """
)


def ancestor_edges(session: Session, variant_id: int) -> list[Edge]:
    rows = session.execute(_ANCESTOR_EDGES, {"start": variant_id}).all()
    return [Edge(int(c), int(p), str(r)) for c, p, r in rows]


def descendant_edges(session: Session, variant_id: int) -> list[Edge]:
    rows = session.execute(_DESCENDANT_EDGES, {"start": variant_id}).all()
    return [Edge(int(c), int(p), str(r)) for c, p, r in rows]


def depths(start: int, edges: list[Edge], *, upward: bool) -> dict[int, int]:
    """Shortest distance from ``start`` to every variant the edges reach."""
    adj: dict[int, list[int]] = {}
    for e in edges:
        a, b = (e.child_id, e.parent_id) if upward else (e.parent_id, e.child_id)
        adj.setdefault(a, []).append(b)
    dist = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in adj.get(node, []):
            if nxt not in dist:
                dist[nxt] = dist[node] + 1
                queue.append(nxt)
    return dist


def names_of(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Variant.id, Variant.name).where(Variant.id.in_(ids))).all()
    return {int(i): str(n) for i, n in rows}


def would_create_cycle(session: Session, child_id: int, parent_id: int) -> bool:
    """True if making ``parent_id`` a parent of ``child_id`` closes a loop."""
    if child_id == parent_id:
        return True
    return any(e.child_id == parent_id for e in descendant_edges(session, child_id))


def parents_of(session: Session, variant_id: int) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Variant.name, LineageEdge.relation)
        .join(LineageEdge, LineageEdge.parent_id == Variant.id)
        .where(LineageEdge.child_id == variant_id)
        .order_by(Variant.name)
    ).all()
    return [(str(n), str(r)) for n, r in rows]


def children_of(session: Session, variant_id: int) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Variant.name, LineageEdge.relation)
        .join(LineageEdge, LineageEdge.child_id == Variant.id)
        .where(LineageEdge.parent_id == variant_id)
        .order_by(Variant.name)
    ).all()
    return [(str(n), str(r)) for n, r in rows]
