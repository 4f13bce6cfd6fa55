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

from registry.catalog.bases import link_bases, settle_references
from registry.catalog.register import ParentSpec
from registry.catalog.variants import check_name, check_relation, create_variant, find_variant
from registry.checkpoints import FileEntry
from registry.compliance.policies import PolicySet
from registry.db.engine import Catalog
from registry.db.models import Variant
from registry.errors import AlreadyExistsError, CheckpointError
from registry.formats.bom_read import read_bom
from registry.progress import NULL_PROGRESS, Progress


def bom_license(raw: str, name: str | None, policies: PolicySet) -> tuple[str, str | None]:
    """(policy id, license name) for a document's declared license."""
    for candidate in (raw, name, raw.removeprefix("LicenseRef-modelreg-")):
        policy = policies.resolve(candidate)
        if policy is not None:
            return policy.id, name
    return "other", name or raw


def add_from_bom(
    catalog: Catalog,
    path: Path,
    policies: PolicySet,
    *,
    name: str | None = None,
    license_id: str | None = None,
    parents: Sequence[ParentSpec] = (),
    progress: Progress = NULL_PROGRESS,
) -> Variant:
    """Read the document, then register its model in one transaction (all or nothing)."""
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
    files = [FileEntry(f.path, f.size, f.sha256, f.git_oid) for f in bom.files]
    with catalog.session(write=True) as session:
        if find_variant(session, name) is not None:
            raise AlreadyExistsError(f"a variant named {name!r} is already registered")
        resolved: list[tuple[str, str]] = [(p.name, p.relation) for p in parents]
        unresolved: list[tuple[str, str]] = []
        for parent, relation in () if parents else bom.parents:
            done, pending = link_bases(session, [parent], check_relation(relation), progress)
            resolved += [d for d in done if d[0] not in {r[0] for r in resolved}]
            unresolved += pending
        variant = create_variant(
            session,
            name=name,
            license_id=lic,
            license_name=lic_name,
            parents=resolved,
            unresolved_parents=unresolved,
            modalities=bom.modalities,
            source_uri=bom.source_uri,
            architecture=bom.architecture,
            parameter_count=bom.parameter_count,
            files=files,
        )
        settle_references(session, variant)
        return variant
