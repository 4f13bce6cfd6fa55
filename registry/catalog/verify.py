"""Proving that the bytes on disk are the bytes registered (``modelreg verify``).

The catalog gives what it recorded of each variant's files (:func:`recorded_files`, also
served by the team server); the files are re-hashed where they are; the outcome is recorded
through the store (:func:`registry.catalog.verifications.record_verification`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.catalog.integrity import load_recorded
from registry.catalog.variants import get_variant
from registry.catalog.verifications import VerificationOutcome
from registry.checkpoints import FileEntry, VerifyReport, verify_checkpoint
from registry.db.models import Variant
from registry.errors import InvalidInputError
from registry.progress import NULL_PROGRESS, Progress

if TYPE_CHECKING:
    from registry.db.engine import Catalog
    from registry.store.interface import Store


@dataclass
class VariantVerification:
    name: str
    report: VerifyReport

    @property
    def ok(self) -> bool:
        return self.report.ok


@dataclass(frozen=True)
class RecordedFiles:
    """What the catalog holds about one variant's files: what verify compares against."""

    name: str
    source_uri: str | None
    files: tuple[FileEntry, ...]


def recorded_files(
    session: Session,
    names: Sequence[str],
    all_: bool,
    *,
    after: str | None = None,
    limit: int | None = None,
) -> list[RecordedFiles]:
    """The recorded files of the named variants (NotFoundError first), or of every variant
    (by name; ``after`` and ``limit`` give one keyset page)."""
    if all_:
        stmt = select(Variant).order_by(Variant.name)
        if after is not None:
            stmt = stmt.where(Variant.name > after)
        variants = list(session.scalars(stmt if limit is None else stmt.limit(limit)))
    else:
        variants = [get_variant(session, n) for n in dict.fromkeys(names)]
    return [
        RecordedFiles(v.name, v.source_uri, tuple(load_recorded(session, v.id))) for v in variants
    ]


def _check_request(names: Sequence[str], all_: bool, path: Path | None) -> None:
    if all_ and names:
        raise InvalidInputError("give variant names or --all, not both")
    if not all_ and not names:
        raise InvalidInputError("give at least one variant name, or --all")
    if path is not None and (all_ or len(names) != 1):
        raise InvalidInputError("--path goes with exactly one variant name")


def _root(rec: RecordedFiles, path: Path | None) -> Path:
    if path is not None:
        return Path(path).expanduser()
    if rec.source_uri and not rec.source_uri.startswith("hf:"):
        return Path(rec.source_uri)
    raise InvalidInputError(
        f"{rec.name!r} was registered from {rec.source_uri or 'nowhere'}; "
        "give the local copy with --path"
    )


@dataclass(frozen=True)
class Located:
    """One variant's id, recorded files and the directory holding them."""

    variant_id: int
    name: str
    root: Path
    files: list[FileEntry]


def locate(catalog: Catalog, name: str, path: Path | None) -> Located:
    """One variant's recorded files and the directory to check (``path`` or its location)."""
    with catalog.session() as session:
        variant_id = get_variant(session, name).id
        [rec] = recorded_files(session, [name], False)
    return Located(variant_id, rec.name, _root(rec, path), list(rec.files))


def verify_variants(
    store: Store,
    names: Sequence[str] = (),
    *,
    all_: bool = False,
    path: Path | None = None,
    quick: bool = False,
    progress: Progress = NULL_PROGRESS,
) -> list[VariantVerification]:
    """Re-hash the files of each variant (``quick``: trust unchanged size/mtime/inode).

    Each verification is recorded: its outcome and, after a full read of the registered
    location, the stat of each file found unchanged, which is what a later ``--quick``
    trusts.
    """
    _check_request(names, all_, path)
    targets = [(rec, _root(rec, path)) for rec in store.recorded_files(names, all_)]
    results = []
    for rec, root in targets:
        report = verify_checkpoint(root, list(rec.files), progress, quick=quick)
        outcome = VerificationOutcome.of(rec.name, report, at_source=path is None, quick=quick)
        store.record_verification(outcome)
        results.append(VariantVerification(rec.name, report))
    return results
