"""Registering a local checkpoint: inspect and hash it where it is, then send one registration.

Defaults come from the checkpoint itself: ``config.json`` (architecture, modalities,
parameter count), the model card's front matter (``license``, ``base_model``,
``base_model_relation``) and what GGUF files state about themselves (``gguf_defaults``:
license, base models, architecture, parameter count, name), which the card and
``config.json`` override. A base model that is already registered becomes a parent; one that
is not is kept as an unresolved parent and shown as such by ``tree``. The catalog side
(resolving the card's bases, writing) is :func:`registry.catalog.registration.register_manifest`,
reached through a store: the local catalog, or the team server. The store gets ready to
write (a local catalog imports SQLAlchemy and opens its engine) while the files hash.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.catalog import licenses
from registry.catalog.names import name_from_title
from registry.catalog.registration import MODALITIES, Registration, check_modalities
from registry.catalog.validation import check_name, check_relation
from registry.checkpoints import FileEntry, config_json
from registry.checkpoints.gguf_defaults import GGUFDefaults, gguf_defaults, gguf_name
from registry.checkpoints.inspect import inspect_checkpoint
from registry.checkpoints.manifest import ModelCard, tensor_parameter_count
from registry.errors import AlreadyExistsError, InvalidInputError
from registry.progress import NULL_PROGRESS, Progress
from registry.provenance.half_digests import as_rows, half_digests

if TYPE_CHECKING:
    from registry.store.interface import Store

__all__ = ["MODALITIES", "ParentSpec", "add_checkpoint", "check_modalities"]


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


def registration(
    *,
    name: str,
    license_id: str | None,
    parents: Sequence[ParentSpec],
    modalities: Sequence[str] | None,
    card: ModelCard | None,
    config: dict[str, Any] | None,
    files: Sequence[FileEntry],
    source_uri: str,
    content_digest: str | None = None,
    gguf: GGUFDefaults | None = None,
) -> Registration:
    """A registration from what was found: explicit options first, then card and config."""
    license_name = None
    if license_id is None:
        license_id, license_name = card_license(card)
    bases = tuple(card.base_models) if card else ()
    relation = None
    if card is not None and bases:
        relation = check_relation(card.base_model_relation or infer_relation(files, len(bases)))
    return Registration(
        name=name,
        license_id=license_id,
        license_name=license_name,
        parents=tuple((p.name, p.relation) for p in parents),
        card_bases=bases,
        card_relation=relation,
        modalities=tuple(modalities or config_json.modalities(config)),
        source_uri=source_uri,
        architecture=config_json.architecture(config) or (gguf.architecture if gguf else None),
        parameter_count=config_json.parameter_count(config)
        or (gguf.parameter_count if gguf else None)
        or tensor_parameter_count(files),
        content_digest=content_digest,
        files=tuple(files),
    )


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
    """The name for ``add`` without ``--name``: the GGUF's ``general.name``, made a catalog
    name (``Tiny Llama 3.1`` is ``Tiny-Llama-3.1``)."""
    title = gguf_name(path)
    name = name_from_title(title) if title is not None else ""
    if not name:
        raise InvalidInputError(
            "--name is required when registering a local checkpoint "
            "(only a GGUF stating general.name names itself)"
        )
    return name


def add_checkpoint(
    store: Store,
    path: Path,
    *,
    name: str | None,
    license_id: str | None = None,
    parents: Sequence[ParentSpec] = (),
    modalities: Sequence[str] = (),
    progress: Progress = NULL_PROGRESS,
    allow_pickle: bool = False,
    while_hashing: Sequence[Callable[[], object]] = (),
) -> dict[str, Any]:
    """Inspect and hash ``path``, then register it as ``name`` (all or nothing).

    Without ``name``, a GGUF's ``general.name`` is the name. A pickle reaching a dangerous
    global is refused; one importing a global outside the safe list is refused unless
    ``allow_pickle``. While the files hash (threads that release the GIL), one more thread
    gets the store ready to write and then runs ``while_hashing``: work the caller does
    next, such as loading what it needs afterwards, so that it costs no time after the read.
    """
    name = check_name(name if name is not None else default_name(path))
    lic = licenses.license_from_option(license_id) if license_id else None
    mods = check_modalities(modalities) if modalities else None
    if store.variant_exists(name):  # fail fast, before hashing hundreds of GB
        raise AlreadyExistsError(f"a variant named {name!r} is already registered")
    with ThreadPoolExecutor(1, thread_name_prefix="modelreg-open") as opener:
        ready: list[Future[object]] = [opener.submit(store.prepare_write)]
        ready.append(opener.submit(_load_after_hashing))
        ready += [opener.submit(work) for work in while_hashing]
        manifest = inspect_checkpoint(path, progress, allow_pickle=allow_pickle)
        for done in ready:
            done.result()
    gguf = gguf_defaults(manifest.files)
    half = half_digests(manifest.root, manifest.files)  # provenance: exact upcast digests
    reg = registration(
        name=name,
        license_id=lic,
        parents=parents,
        modalities=mods,
        card=with_gguf(manifest.card, gguf, progress),
        config=manifest.config,
        files=with_evidence(manifest.files, Path(path)),
        source_uri=str(Path(path).expanduser().resolve()),
        content_digest=manifest.content_digest,
        gguf=gguf,
    )
    reg = dataclasses.replace(reg, half_digests=as_rows(half))
    return store.register(reg, progress=progress)


def _load_after_hashing() -> None:
    """Import what runs once the files are hashed while they hash, rather than before."""
    import registry.checkpoints.modelcard  # noqa: F401  (YAML)
    import registry.compliance.evidence  # noqa: F401


def with_evidence(files: Sequence[FileEntry], root: Path) -> list[FileEntry]:
    """Record the text of top-level NOTICE*/LICENSE* files in their details (see
    :mod:`registry.compliance.evidence`), so a check finds it where the files are not."""
    from registry.compliance.evidence import EVIDENCE_KEY, evidence_texts

    texts = evidence_texts(root)
    return [
        dataclasses.replace(f, details={**f.details, EVIDENCE_KEY: texts[f.path]})
        if f.path in texts
        else f
        for f in files
    ]
