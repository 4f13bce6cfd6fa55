"""Registering a local checkpoint: inspect it once, then write it in one short transaction.

Defaults come from the checkpoint itself: ``config.json`` (architecture, modalities,
parameter count) and the model card's front matter (``license``, ``base_model``,
``base_model_relation``). A base model that is already registered becomes a parent; one that
is not is kept as an unresolved parent and shown as such by ``tree``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from registry.catalog import licenses
from registry.catalog.bases import link_bases, settle_references
from registry.catalog.variants import check_name, check_relation, create_variant, find_variant
from registry.checkpoints import FileEntry, config_json, inspect_checkpoint
from registry.checkpoints.manifest import ModelCard
from registry.db.engine import Catalog
from registry.db.models import Variant
from registry.errors import AlreadyExistsError, InvalidInputError
from registry.progress import NULL_PROGRESS, Progress
from registry.provenance.exact import record_half_digests
from registry.provenance.half_digests import half_digests

MODALITIES = ("text", "vision", "audio")


@dataclass(frozen=True)
class ParentSpec:
    name: str
    relation: str = "finetune"

    @classmethod
    def parse(cls, raw: str) -> ParentSpec:
        """``NAME`` or ``NAME:RELATION`` (split at the last colon; ``hf:org/x`` is a name)."""
        name, sep, relation = raw.strip().rpartition(":")
        if sep and name and relation.isalpha():
            return cls(name.strip(), check_relation(relation))
        return cls(raw.strip(), "finetune")


def infer_relation(files: Sequence[FileEntry], n_bases: int) -> str:
    """What the Hub infers when a card names bases but no ``base_model_relation``."""
    names = {Path(f.path).name for f in files}
    if "adapter_config.json" in names:
        return "adapter"
    if any(n.endswith(".gguf") for n in names):
        return "quantized"
    return "merge" if n_bases > 1 else "finetune"


def card_license(card: ModelCard | None) -> tuple[str, str | None]:
    """(license id, raw license name) from a model card, or ``unknown`` without one."""
    return licenses.license_from_card(
        card.license if card else None, card.license_name if card else None
    )


def card_lineage(
    session: Session,
    parents: Sequence[ParentSpec],
    card: ModelCard | None,
    files: Sequence[FileEntry],
    progress: Progress,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(resolved, unresolved) parents: the explicit ones, else the card's base models."""
    if parents or not card or not card.base_models:
        return [(p.name, p.relation) for p in parents], []
    relation = card.base_model_relation or infer_relation(files, len(card.base_models))
    return link_bases(session, card.base_models, check_relation(relation), progress)


def check_modalities(values: Sequence[str]) -> list[str]:
    out = []
    for m in values:
        m = m.strip().lower()
        if m not in MODALITIES:
            raise InvalidInputError(f"unknown modality {m!r}; use {', '.join(MODALITIES)}")
        out.append(m)
    return sorted(set(out) | {"text"})


def add_checkpoint(
    catalog: Catalog,
    path: Path,
    *,
    name: str,
    license_id: str | None = None,
    parents: Sequence[ParentSpec] = (),
    modalities: Sequence[str] = (),
    progress: Progress = NULL_PROGRESS,
    allow_pickle: bool = False,
) -> Variant:
    """Inspect and hash ``path``, then register it as ``name`` (all or nothing).

    A pickle file importing dangerous globals is refused unless ``allow_pickle``.
    """
    name = check_name(name)
    lic = licenses.license_from_option(license_id) if license_id else None
    mods = check_modalities(modalities) if modalities else None
    with catalog.session() as session:  # fail fast, before hashing hundreds of GB
        if find_variant(session, name) is not None:
            raise AlreadyExistsError(f"a variant named {name!r} is already registered")
    manifest = inspect_checkpoint(path, progress, allow_pickle=allow_pickle)
    half = half_digests(manifest.root, manifest.files)  # provenance: exact upcast digests
    card = manifest.card
    license_name = None
    if lic is None:
        lic, license_name = card_license(card)
    with catalog.session(write=True) as session:
        resolved, unresolved = card_lineage(session, parents, card, manifest.files, progress)
        variant = create_variant(
            session,
            name=name,
            license_id=lic,
            license_name=license_name,
            parents=resolved,
            unresolved_parents=unresolved,
            modalities=mods or config_json.modalities(manifest.config),
            source_uri=str(Path(path).expanduser().resolve()),
            architecture=config_json.architecture(manifest.config),
            parameter_count=config_json.parameter_count(manifest.config),
            files=manifest.files,
            content_digest=manifest.content_digest,
        )
        record_half_digests(session, variant.id, half)
        settle_references(session, variant)
        return variant
