"""Proving that the bytes on disk are the bytes registered (``modelreg verify``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from registry.catalog.integrity import load_recorded, record_verified
from registry.catalog.variants import get_variant
from registry.checkpoints import FileEntry, VerifyReport, verify_checkpoint
from registry.db.engine import Catalog
from registry.db.models import Variant
from registry.errors import InvalidInputError
from registry.progress import NULL_PROGRESS, Progress


@dataclass
class VariantVerification:
    name: str
    report: VerifyReport

    @property
    def ok(self) -> bool:
        return self.report.ok


@dataclass
class _Target:
    variant_id: int
    name: str
    root: Path
    files: list[FileEntry]
    at_source: bool  # verifying the registered location (not a copy given with --path)


def _targets(
    catalog: Catalog, names: Sequence[str], all_: bool, path: Path | None
) -> list[_Target]:
    if all_ and names:
        raise InvalidInputError("give variant names or --all, not both")
    if not all_ and not names:
        raise InvalidInputError("give at least one variant name, or --all")
    if path is not None and (all_ or len(names) != 1):
        raise InvalidInputError("--path goes with exactly one variant name")
    targets: list[_Target] = []
    with catalog.session() as session:
        if all_:
            variants = list(session.scalars(select(Variant).order_by(Variant.name)))
        else:
            variants = [get_variant(session, n) for n in dict.fromkeys(names)]
        for v in variants:
            files = load_recorded(session, v.id)
            if path is not None:
                root = Path(path).expanduser()
            elif v.source_uri and not v.source_uri.startswith("hf:"):
                root = Path(v.source_uri)
            else:
                raise InvalidInputError(
                    f"{v.name!r} was registered from {v.source_uri or 'nowhere'}; "
                    "give the local copy with --path"
                )
            targets.append(_Target(v.id, v.name, root, files, path is None))
    return targets


def locate(catalog: Catalog, name: str, path: Path | None) -> _Target:
    """One variant's recorded files and the directory to check (``path`` or its location)."""
    return _targets(catalog, [name], False, path)[0]


def verify_variants(
    catalog: Catalog,
    names: Sequence[str] = (),
    *,
    all_: bool = False,
    path: Path | None = None,
    quick: bool = False,
    progress: Progress = NULL_PROGRESS,
) -> list[VariantVerification]:
    """Re-hash the files of each variant (``quick``: trust unchanged size/mtime/inode).

    The only write: after a full read of the registered location, the stat of each file
    found unchanged is recorded, which is what a later ``--quick`` trusts.
    """
    results = []
    for t in _targets(catalog, names, all_, path):
        report = verify_checkpoint(t.root, t.files, progress, quick=quick)
        if t.at_source and report.stats:
            with catalog.session(write=True) as session:
                record_verified(session, t.variant_id, report.stats)
        results.append(VariantVerification(t.name, report))
    return results
