"""Gather what a bill of materials says about a variant: files, license, whole lineage.

Returns :class:`registry.formats.bom_input.ModelBom`, plain data the renderers turn into a
document. Ancestors come from one recursive query (any depth); base models known only by a
Hub id (unresolved parents) of the variant or of any ancestor are included and marked.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.catalog.describe import unresolved_of
from registry.catalog.lineage import ancestor_edges, depths
from registry.catalog.variants import get_variant
from registry.db.models import Variant, VariantFile
from registry.formats.bom_input import BomAncestor, BomFile, ModelBom


def collect_model_bom(session: Session, name: str) -> ModelBom:
    v = get_variant(session, name)
    edges = ancestor_edges(session, v.id)
    dist = depths(v.id, edges, upward=True)
    ids = set(dist)
    rows = session.scalars(select(Variant).where(Variant.id.in_(ids))).all()
    variants = {x.id: x for x in rows}
    unresolved = unresolved_of(session, ids)

    parents: dict[int, list[tuple[str, str]]] = {}
    reached_by: dict[int, str] = {}
    for e in sorted(edges, key=lambda e: (dist.get(e.child_id, 0), variants[e.child_id].name)):
        parents.setdefault(e.child_id, []).append((variants[e.parent_id].name, e.relation))
        if dist.get(e.parent_id) == dist.get(e.child_id, 0) + 1:
            reached_by.setdefault(e.parent_id, e.relation)

    def own_parents(vid: int) -> tuple[tuple[str, str], ...]:
        listed = sorted(parents.get(vid, []))
        listed += sorted((u["reference"], u["relation"]) for u in unresolved.get(vid, []))
        return tuple(listed)

    ancestors: list[BomAncestor] = []
    for vid, d in sorted(dist.items(), key=lambda kv: (kv[1], variants[kv[0]].name)):
        if vid == v.id:
            continue
        a = variants[vid]
        ancestors.append(
            BomAncestor(
                name=a.name,
                distance=d,
                relation=reached_by.get(vid, "finetune"),
                license_id=a.license_id,
                license_name=a.license_name,
                source_uri=a.source_uri,
                parents=own_parents(vid),
            )
        )
    known = {a.name for a in ancestors} | {v.name}
    seen_refs: set[str] = set()
    for vid, d in sorted(dist.items(), key=lambda kv: kv[1]):
        for u in unresolved.get(vid, []):
            ref = u["reference"]
            if ref in known or ref in seen_refs:
                continue
            seen_refs.add(ref)
            ancestors.append(
                BomAncestor(name=ref, distance=d + 1, relation=u["relation"], unresolved=True)
            )

    files = session.scalars(
        select(VariantFile).where(VariantFile.variant_id == v.id).order_by(VariantFile.path)
    )
    return ModelBom(
        name=v.name,
        license_id=v.license_id,
        license_name=v.license_name,
        modalities=tuple(v.modalities),
        architecture=v.architecture,
        parameter_count=v.parameter_count,
        source_uri=v.source_uri,
        total_bytes=v.total_bytes,
        created_at=v.created_at,
        files=tuple(BomFile(f.path, f.size, f.sha256, f.git_oid) for f in files),
        parents=own_parents(v.id),
        ancestors=tuple(ancestors),
    )
