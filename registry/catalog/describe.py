"""Read models of the catalog for ``list``, ``show`` and ``tree`` (plain, JSON-ready data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.catalog.lineage import (
    ancestor_edges,
    children_of,
    depths,
    descendant_edges,
    parents_of,
)
from registry.catalog.variants import get_variant
from registry.db.models import UnresolvedParent, Variant, VariantFile


def summary(v: Variant) -> dict[str, Any]:
    return {
        "name": v.name,
        "license": v.license_id,
        "architecture": v.architecture,
        "modalities": list(v.modalities),
        "total_bytes": v.total_bytes,
        "created_at": v.created_at.isoformat(),
    }


def list_summaries(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(Variant).order_by(Variant.name))
    return [summary(v) for v in rows]


def unresolved_of(session: Session, variant_ids: set[int]) -> dict[int, list[dict[str, str]]]:
    if not variant_ids:
        return {}
    out: dict[int, list[dict[str, str]]] = {}
    rows = session.scalars(
        select(UnresolvedParent)
        .where(UnresolvedParent.variant_id.in_(variant_ids))
        .order_by(UnresolvedParent.reference)
    )
    for u in rows:
        out.setdefault(u.variant_id, []).append({"reference": u.reference, "relation": u.relation})
    return out


def describe(session: Session, name: str) -> dict[str, Any]:
    """Everything ``show`` prints about one variant."""
    v = get_variant(session, name)
    files = session.scalars(
        select(VariantFile).where(VariantFile.variant_id == v.id).order_by(VariantFile.path)
    )
    data = summary(v)
    data.update(
        {
            "license_name": v.license_name,
            "source": v.source_uri,
            "parameter_count": v.parameter_count,
            "created_by": v.created_by,
            "parents": [{"name": n, "relation": r} for n, r in parents_of(session, v.id)],
            "unresolved_parents": unresolved_of(session, {v.id}).get(v.id, []),
            "children": [{"name": n, "relation": r} for n, r in children_of(session, v.id)],
            "files": [
                {"path": f.path, "size": f.size, "sha256": f.sha256, "git_oid": f.git_oid}
                for f in files
            ],
        }
    )
    return data


def lineage(session: Session, name: str) -> dict[str, Any]:
    """Ancestors and descendants as flat lists of nodes with their edges (any depth)."""
    v = get_variant(session, name)
    up = ancestor_edges(session, v.id)
    down = descendant_edges(session, v.id)
    up_depth = depths(v.id, up, upward=True)
    down_depth = depths(v.id, down, upward=False)
    ids = set(up_depth) | set(down_depth)
    variants = {x.id: x for x in session.scalars(select(Variant).where(Variant.id.in_(ids)))}
    unresolved = unresolved_of(session, set(up_depth))

    def node(vid: int, depth: int, edges: list[dict[str, str]]) -> dict[str, Any]:
        x = variants[vid]
        return {
            "name": x.name,
            "license": x.license_id,
            "depth": depth,
            "edges": edges,
            "unresolved_parents": unresolved.get(vid, []),
        }

    def edges_from(vid: int, edges: list[Any], upward: bool) -> list[dict[str, str]]:
        out = []
        for e in edges:
            src, dst = (e.child_id, e.parent_id) if upward else (e.parent_id, e.child_id)
            if src == vid:
                out.append({"name": variants[dst].name, "relation": e.relation})
        return sorted(out, key=lambda d: d["name"])

    ancestors = [
        node(i, d, edges_from(i, up, True))
        for i, d in sorted(up_depth.items(), key=lambda kv: (kv[1], variants[kv[0]].name))
        if i != v.id
    ]
    descendants = [
        node(i, d, edges_from(i, down, False))
        for i, d in sorted(down_depth.items(), key=lambda kv: (kv[1], variants[kv[0]].name))
        if i != v.id
    ]
    root = node(v.id, 0, edges_from(v.id, up, True))
    root["children"] = edges_from(v.id, down, False)
    return {"variant": root, "ancestors": ancestors, "descendants": descendants}
