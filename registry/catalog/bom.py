"""Gather what a bill of materials says about a variant: files, license, whole lineage.

Returns :class:`registry.formats.bom_input.ModelBom`, plain data the renderers turn into a
document. It reads through the fast read-only :class:`~registry.db.reader.Reader`, reusing
``describe`` (files, license, source) and ``lineage`` (every ancestor, any depth). Base
models known only by a Hub id (unresolved parents) of the variant or of any ancestor are
included and marked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from registry.catalog.describe import describe, lineage
from registry.db.reader import Reader
from registry.formats.bom_input import BomAncestor, BomFile, CardSections, ModelBom


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


def _effective(tree: dict[str, Any]) -> tuple[str, ...]:
    """Licenses reached from the model through edges other than ``distill`` (own first).

    A base model known only by reference counts as ``unknown`` (policies/README.md, 3).
    """
    by_name = {n["name"]: n for n in [tree["variant"], *tree["ancestors"]]}
    found: list[str] = []
    seen: set[str] = set()
    todo = [tree["variant"]["name"]]
    while todo:
        node = by_name[todo.pop(0)]
        if node["name"] in seen:
            continue
        seen.add(node["name"])
        found.append(node["license"])
        todo += [e["name"] for e in node["edges"] if e["relation"] != "distill"]
        if any(u["relation"] != "distill" for u in node["unresolved_parents"]):
            found.append("unknown")
    return tuple(dict.fromkeys(found))


def _local_extras(source: str | None) -> tuple[CardSections | None, tuple[tuple[str, str], ...]]:
    """Model-card prose and LICENSE* texts of a checkpoint still on this machine."""
    from registry.compliance.evidence import license_files, local_dir
    from registry.formats.card_sections import read_sections

    root = local_dir(source)
    if root is None:
        return None, ()
    return read_sections(root), license_files(source)


def with_local_extras(model: ModelBom) -> ModelBom:
    """The BOM with its model card's prose and its license texts, read from the checkpoint
    directory when it is on this machine (the client's, in remote mode)."""
    card, texts = _local_extras(model.source_uri)
    return dataclasses.replace(model, card=card, license_texts=texts)


def collect_model_bom(reader: Reader, name: str) -> ModelBom:
    """The variant as BOM data, from the catalog alone."""
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
        effective_licenses=_effective(tree),
    )
