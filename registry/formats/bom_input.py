"""What a bill-of-materials renderer needs to know about a variant, as plain data.

:func:`registry.catalog.bom.collect_model_bom` fills it from the catalog (and, for a local
checkpoint, its model card and LICENSE files); the renderers in ``registry/formats``
(CycloneDX, SPDX 3) turn it into a document without touching the database.
:func:`registry.formats.bom_read.read_bom` fills the same shape from a supplier's document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class BomFile:
    path: str
    size: int
    sha256: str | None
    git_oid: str | None = None


@dataclass(frozen=True)
class BomAncestor:
    """An ancestor of the model: a registered variant, or a base model known only by id.

    ``distance`` counts edges from the model (1 = a parent); ``relation`` is the relation of
    the edge through which the shortest path reaches it; ``parents`` are its own parents
    ``(name, relation)`` so a consumer can rebuild the lineage graph.
    """

    name: str
    distance: int
    relation: str
    license_id: str | None = None
    license_name: str | None = None
    source_uri: str | None = None
    parents: tuple[tuple[str, str], ...] = ()
    unresolved: bool = False


@dataclass(frozen=True)
class CardSections:
    """Prose from the model card's body, by the section headings a Hub card uses."""

    summary: str | None = None
    intended_use: str | None = None
    limitations: str | None = None
    training: str | None = None


@dataclass(frozen=True)
class ModelBom:
    name: str
    license_id: str
    license_name: str | None
    modalities: tuple[str, ...]
    architecture: str | None
    parameter_count: int | None
    source_uri: str | None
    total_bytes: int
    created_at: dt.datetime | None
    files: tuple[BomFile, ...] = ()
    parents: tuple[tuple[str, str], ...] = ()
    ancestors: tuple[BomAncestor, ...] = field(default_factory=tuple)
    # licenses reaching the model without a distill edge (its own first): the effective ones
    effective_licenses: tuple[str, ...] = ()
    card: CardSections | None = None
    license_texts: tuple[tuple[str, str], ...] = ()  # (file name, text) of LICENSE* files


def bom_to_dict(bom: ModelBom) -> dict[str, Any]:
    """JSON-ready form (the team server sends a bill of materials' input this way)."""
    doc = dataclasses.asdict(bom)
    doc["created_at"] = bom.created_at.isoformat() if bom.created_at else None
    return doc


def bom_from_dict(doc: dict[str, Any]) -> ModelBom:
    def pairs(value: Any) -> tuple[tuple[str, str], ...]:
        return tuple((str(a), str(b)) for a, b in value or ())

    return ModelBom(
        name=doc["name"],
        license_id=doc["license_id"],
        license_name=doc.get("license_name"),
        modalities=tuple(doc.get("modalities") or ()),
        architecture=doc.get("architecture"),
        parameter_count=doc.get("parameter_count"),
        source_uri=doc.get("source_uri"),
        total_bytes=int(doc.get("total_bytes") or 0),
        created_at=dt.datetime.fromisoformat(doc["created_at"]) if doc.get("created_at") else None,
        files=tuple(BomFile(**f) for f in doc.get("files") or ()),
        parents=pairs(doc.get("parents")),
        ancestors=tuple(
            BomAncestor(**{**a, "parents": pairs(a.get("parents"))})
            for a in doc.get("ancestors") or ()
        ),
        effective_licenses=tuple(doc.get("effective_licenses") or ()),
    )
