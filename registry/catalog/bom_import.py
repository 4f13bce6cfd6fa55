"""``modelreg add --bom FILE``: register what a supplier's bill of materials declares.

The document's model becomes a variant with no local files: its declared license (mapped
onto a policy by id, SPDX id, Hugging Face id or alias; else ``other`` with the raw text
kept as its name), its direct parents (a registered variant by name or Hub id becomes a
parent, anything else an unresolved reference, as for a model card), and its files with
their SHA-256. ``modelreg verify NAME --path DIR`` then checks the files received.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.catalog.register import ParentSpec
from registry.catalog.registration import Registration
from registry.catalog.validation import check_name, check_relation
from registry.checkpoints import FileEntry
from registry.compliance.policies import PolicySet
from registry.errors import AlreadyExistsError, CheckpointError
from registry.formats.bom_read import read_bom
from registry.progress import NULL_PROGRESS, Progress

if TYPE_CHECKING:
    from registry.store.interface import Store


def bom_license(raw: str, name: str | None, policies: PolicySet) -> tuple[str, str | None]:
    """(policy id, license name) for a document's declared license."""
    for candidate in (raw, name, raw.removeprefix("LicenseRef-modelreg-")):
        policy = policies.resolve(candidate)
        if policy is not None:
            return policy.id, name
    return "other", name or raw


def add_from_bom(
    store: Store,
    path: Path,
    policies: PolicySet,
    *,
    name: str | None = None,
    license_id: str | None = None,
    parents: Sequence[ParentSpec] = (),
    progress: Progress = NULL_PROGRESS,
) -> dict[str, Any]:
    """Read the document, then register its model through the store (all or nothing).

    Returns the new variant as ``show --format json`` prints it."""
    bom = read_bom(path)
    name = check_name(name or bom.name)
    if license_id is not None:
        lic, lic_name = policies.get(license_id).id, None
    else:
        lic, lic_name = bom_license(bom.license_id, bom.license_name, policies)
    seen = set()
    for f in bom.files:
        if f.path in seen or (f.sha256 is None and f.git_oid is None):
            raise CheckpointError(str(path), f"file {f.path!r} is listed twice or has no SHA-256")
        seen.add(f.path)
    if store.variant_exists(name):
        raise AlreadyExistsError(f"a variant named {name!r} is already registered")
    bases = () if parents else bom.parents
    reg = Registration(
        name=name,
        license_id=lic,
        license_name=lic_name,
        parents=tuple((p.name, p.relation) for p in parents),
        card_bases=tuple(b for b, _ in bases),
        base_relations=tuple(check_relation(r) for _, r in bases),
        modalities=tuple(bom.modalities) or ("text",),
        source_uri=bom.source_uri,
        architecture=bom.architecture,
        parameter_count=bom.parameter_count,
        files=tuple(FileEntry(f.path, f.size, f.sha256, f.git_oid) for f in bom.files),
    )
    return store.register(reg, progress=progress)
