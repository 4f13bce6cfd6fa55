"""Gather what a bill of materials says about a variant: files, license, whole lineage.

Returns :class:`registry.formats.bom_input.ModelBom`, plain data the renderers turn into a
document. It reads through the fast read-only :class:`~registry.db.reader.Reader`, reusing
``describe`` (files, license, source) and ``lineage`` (every ancestor, any depth). Base
models known only by a Hub id (unresolved parents) of the variant or of any ancestor are
included and marked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from registry.catalog.describe import describe, lineage
from registry.db.reader import Reader
from registry.formats.bom_input import BomAncestor, BomFile, ModelBom


def _details(reader: Reader, names: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """name → (license_name, source_uri) for the ancestors."""
    if not names:
        return {}
    params: dict[str, Any] = {}
    where = reader.in_clause("n", names, params)
    rows = reader.rows(
        f"SELECT name, license_name, source_uri FROM variants WHERE name IN {where}", params
    )
    return {str(n): (ln, src) for n, ln, src in rows}


def _parents(node: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    edges = sorted((e["name"], e["relation"]) for e in node["edges"])
    refs = sorted((u["reference"], u["relation"]) for u in node["unresolved_parents"])
    return tuple(edges + refs)


def collect_model_bom(reader: Reader, name: str) -> ModelBom:
    data = describe(reader, name)
    tree = lineage(reader, name)
    root = tree["variant"]
    nodes = [root, *tree["ancestors"]]
    details = _details(reader, [a["name"] for a in tree["ancestors"]])

    # the relation of the edge through which a shortest path reaches each ancestor
    reached_by: dict[str, str] = {}
    for node in sorted(nodes, key=lambda n: (n["depth"], n["name"])):
        for e in node["edges"]:
            reached_by.setdefault(e["name"], e["relation"])

    ancestors: list[BomAncestor] = []
    for a in tree["ancestors"]:
        license_name, source = details.get(a["name"], (None, None))
        ancestors.append(
            BomAncestor(
                name=a["name"],
                distance=int(a["depth"]),
                relation=reached_by.get(a["name"], "finetune"),
                license_id=a["license"],
                license_name=license_name,
                source_uri=source,
                parents=_parents(a),
            )
        )
    known = {n["name"] for n in nodes}
    for node in sorted(nodes, key=lambda n: (n["depth"], n["name"])):
        for u in node["unresolved_parents"]:
            if u["reference"] in known:
                continue
            known.add(u["reference"])
            ancestors.append(
                BomAncestor(
                    name=u["reference"],
                    distance=int(node["depth"]) + 1,
                    relation=u["relation"],
                    unresolved=True,
                )
            )
    return ModelBom(
        name=data["name"],
        license_id=data["license"],
        license_name=data["license_name"],
        modalities=tuple(data["modalities"]),
        architecture=data["architecture"],
        parameter_count=data["parameter_count"],
        source_uri=data["source"],
        total_bytes=int(data["total_bytes"]),
        created_at=dt.datetime.fromisoformat(data["created_at"]) if data["created_at"] else None,
        files=tuple(
            BomFile(f["path"], f["size"], f["sha256"], f["git_oid"]) for f in data["files"]
        ),
        parents=_parents(root),
        ancestors=tuple(ancestors),
    )
