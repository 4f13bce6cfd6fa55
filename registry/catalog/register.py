"""Registering a local checkpoint: inspect it once, then write it in one short transaction.

Defaults come from the checkpoint itself: ``config.json`` (architecture, modalities,
parameter count), the model card's front matter (``license``, ``base_model``,
``base_model_relation``) and what GGUF files state about themselves (``gguf_defaults``:
license, base models, architecture, parameter count, name), which the card and
``config.json`` override. A base model that is already registered becomes a parent; one that
is not is kept as an unresolved parent and shown as such by ``tree``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from registry.catalog import licenses
from registry.catalog.describe import name_registered
from registry.catalog.validation import check_name, check_relation
from registry.checkpoints import FileEntry, config_json, inspect_checkpoint
from registry.checkpoints.gguf_defaults import GGUFDefaults, gguf_defaults, gguf_name
from registry.checkpoints.manifest import ModelCard, tensor_parameter_count
from registry.db.reader import Reader
from registry.errors import AlreadyExistsError, InvalidInputError
from registry.progress import NULL_PROGRESS, Progress

if TYPE_CHECKING:  # the ORM is imported when the catalog opens, while the files hash
    from sqlalchemy.orm import Session

    from registry.db.engine import Catalog
    from registry.db.models import Variant

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
    """(license id or ``a AND b``, raw license name) from a model card, or ``unknown``."""
    return licenses.license_from_card(
        card.licenses if card else (), card.license_name if card else None
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
    from registry.catalog.bases import link_bases

    relation = card.base_model_relation or infer_relation(files, len(card.base_models))
    return link_bases(session, card.base_models, check_relation(relation), progress)


def with_gguf(
    card: ModelCard | None, gguf: GGUFDefaults | None, progress: Progress
) -> ModelCard | None:
    """The model card, with what GGUF files state filling in what it leaves out.

    A license the card and the GGUF disagree on is a warning naming both (the card wins).
    """
    if gguf is None:
        return card
    for message in gguf.warnings:
        progress.warn(message)
    if card is None:
        return gguf.card
    said_by_card = bool(card.licenses or card.license_name)
    if said_by_card and (gguf.card.licenses or gguf.card.license_name):
        said, stated = card_license(card)[0], card_license(gguf.card)[0]
        if said != stated:
            progress.warn(
                f"the model card says license {said} but {gguf.source} says {stated} "
                f"(general.license); the card's {said} is used"
            )
    return ModelCard(
        licenses=card.licenses if said_by_card else gguf.card.licenses,
        license_name=card.license_name if said_by_card else gguf.card.license_name,
        base_models=card.base_models or gguf.card.base_models,
        base_model_relation=(
            card.base_model_relation if card.base_models else gguf.card.base_model_relation
        ),
    )


def default_name(path: Path) -> str:
    """The name for ``add`` without ``--name``: the GGUF's ``general.name``."""
    name = gguf_name(path)
    if name is None:
        raise InvalidInputError(
            "--name is required when registering a local checkpoint "
            "(only a GGUF stating general.name names itself)"
        )
    return name


def check_modalities(values: Sequence[str]) -> list[str]:
    out = []
    for m in values:
        m = m.strip().lower()
        if m not in MODALITIES:
            raise InvalidInputError(f"unknown modality {m!r}; use {', '.join(MODALITIES)}")
        out.append(m)
    return sorted(set(out) | {"text"})


def add_checkpoint(
    open_catalog: Callable[[], Catalog],
    path: Path,
    *,
    name: str | None,
    license_id: str | None = None,
    parents: Sequence[ParentSpec] = (),
    modalities: Sequence[str] = (),
    progress: Progress = NULL_PROGRESS,
    allow_pickle: bool = False,
    reader: Reader | None = None,
) -> Variant:
    """Inspect and hash ``path``, then register it as ``name`` (all or nothing).

    Without ``name``, a GGUF's ``general.name`` is the name. A pickle reaching a dangerous
    global is refused; one importing a global outside the safe list is refused unless
    ``allow_pickle``. With a plain-DBAPI ``reader``, the name is checked on it and the
    catalog (SQLAlchemy, about 0.3 CPU-seconds to import) is opened while the files hash.
    """
    name = check_name(name if name is not None else default_name(path))
    lic = licenses.license_from_option(license_id) if license_id else None
    mods = check_modalities(modalities) if modalities else None
    with ThreadPoolExecutor(1, thread_name_prefix="modelreg-open") as opener:
        if reader is not None:  # fail fast, before hashing hundreds of GB
            if name_registered(reader, name):
                raise AlreadyExistsError(f"a variant named {name!r} is already registered")
            opening = opener.submit(open_catalog)
        else:
            from registry.catalog.variants import find_variant

            catalog = open_catalog()
            with catalog.session() as session:
                if find_variant(session, name) is not None:
                    raise AlreadyExistsError(f"a variant named {name!r} is already registered")
        manifest = inspect_checkpoint(path, progress, allow_pickle=allow_pickle)
        if reader is not None:
            catalog = opening.result()
    gguf = gguf_defaults(manifest.files)
    card = with_gguf(manifest.card, gguf, progress)
    license_name = None
    if lic is None:
        lic, license_name = card_license(card)
    from registry.catalog.bases import settle_references
    from registry.catalog.variants import create_variant

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
            architecture=config_json.architecture(manifest.config)
            or (gguf.architecture if gguf else None),
            parameter_count=config_json.parameter_count(manifest.config)
            or (gguf.parameter_count if gguf else None)
            or tensor_parameter_count(manifest.files),
            files=manifest.files,
            content_digest=manifest.content_digest,
        )
        settle_references(session, variant)
        return variant
