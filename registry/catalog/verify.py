"""Proving that the bytes on disk are the bytes registered (``modelreg verify``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from registry.catalog.variants import get_variant
from registry.checkpoints import FileEntry, VerifyReport, verify_checkpoint
from registry.db.engine import Catalog
from registry.db.models import Variant, VariantFile
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
    name: str
    root: Path
    files: list[FileEntry]


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
            rows = session.scalars(
                select(VariantFile).where(VariantFile.variant_id == v.id).order_by(VariantFile.path)
            )
            files = [FileEntry(f.path, f.size, f.sha256, f.git_oid) for f in rows]
            if path is not None:
                root = Path(path).expanduser()
            elif v.source_uri and not v.source_uri.startswith("hf:"):
                root = Path(v.source_uri)
            else:
                raise InvalidInputError(
                    f"{v.name!r} was registered from {v.source_uri or 'nowhere'}; "
                    "give the local copy with --path"
                )
            targets.append(_Target(v.name, root, files))
    return targets


def verify_variants(
    catalog: Catalog,
    names: Sequence[str] = (),
    *,
    all_: bool = False,
    path: Path | None = None,
    progress: Progress = NULL_PROGRESS,
) -> list[VariantVerification]:
    """Re-hash the files of each variant; the catalog is only read."""
    results = []
    for t in _targets(catalog, names, all_, path):
        results.append(VariantVerification(t.name, verify_checkpoint(t.root, t.files, progress)))
    return results
