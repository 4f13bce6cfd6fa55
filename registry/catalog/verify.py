"""Proving that the bytes on disk are the bytes registered (``modelreg verify``).

The store gives what the catalog recorded of each variant's files (on a direct database over
the plain DBAPI, :mod:`registry.catalog.verify_records`, so the command starts in a fraction
of the time SQLAlchemy takes to import; in remote mode from the team server). The files are
re-hashed where they are, one variant after another, each file set on every core; after each
variant its outcome is recorded through the store (one transaction with its audit event,
:func:`registry.catalog.verifications.record_verification`), with the stat of the files a
full read of the registered location proved unchanged (what a later ``--quick`` trusts).
``--all`` goes through the catalog a keyset page at a time, can be split over machines with
``--shard K/N`` (``registry/catalog/shards.py``) and skips variants without a local
checkpoint (registered from the Hub), naming them.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from registry.catalog.verifications import VerificationOutcome
from registry.catalog.verify_records import RecordedFiles
from registry.checkpoints import FileEntry, VerifyReport
from registry.checkpoints.verify_files import verify_checkpoint
from registry.errors import InvalidInputError
from registry.progress import NULL_PROGRESS, Progress

if TYPE_CHECKING:
    from registry.catalog.shards import Shard
    from registry.db.engine import Catalog
    from registry.store.interface import Store

PAGE = 100  # variants whose recorded files --all fetches at a time


@dataclass
class VariantVerification:
    name: str
    report: VerifyReport

    @property
    def ok(self) -> bool:
        return self.report.ok


def is_local(rec: RecordedFiles) -> bool:
    return bool(rec.source_uri) and not str(rec.source_uri).startswith("hf:")


def _check_request(
    names: Sequence[str], all_: bool, path: Path | None, shard: Shard | None
) -> None:
    if all_ and names:
        raise InvalidInputError("give variant names or --all, not both")
    if not all_ and not names:
        raise InvalidInputError("give at least one variant name, or --all")
    if path is not None and (all_ or len(names) != 1):
        raise InvalidInputError("--path goes with exactly one variant name")
    if shard is not None and not all_:
        raise InvalidInputError("--shard goes with --all")


def _root(rec: RecordedFiles, path: Path | None) -> Path:
    if path is not None:
        return Path(path).expanduser()
    if is_local(rec):
        return Path(str(rec.source_uri))
    raise InvalidInputError(
        f"{rec.name!r} was registered from {rec.source_uri or 'nowhere'}; "
        "give the local copy with --path"
    )


def _targets(
    store: Store, names: Sequence[str], all_: bool, shard: Shard | None
) -> Iterator[RecordedFiles]:
    if not all_:
        yield from store.recorded_files(names, False)
        return
    after = None
    while True:
        page = store.recorded_files([], True, shard=shard, after=after, limit=PAGE)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].name


def iter_verify(
    store: Store,
    names: Sequence[str] = (),
    *,
    all_: bool = False,
    path: Path | None = None,
    quick: bool = False,
    shard: Shard | None = None,
    progress: Progress = NULL_PROGRESS,
    skipped: Callable[[str], None] = lambda name: None,
) -> Iterator[VariantVerification]:
    """Re-hash the files of each variant (``quick``: trust unchanged size/mtime/inode) and
    record the outcome; yields as each one finishes.

    Named variants are all looked up (and must all have a local copy, or ``path``) before
    anything is hashed; with ``all_``, variants without a local checkpoint are passed to
    ``skipped``.
    """
    _check_request(names, all_, path, shard)
    targets: Iterable[RecordedFiles] = _targets(store, names, all_, shard)
    if not all_:
        targets = list(targets)
        for rec in targets:
            _root(rec, path)  # a Hub variant without --path: refused before any hashing
    host = socket.gethostname()[:255]
    for rec in targets:
        if path is None and not is_local(rec):
            skipped(rec.name)
            continue
        report = verify_checkpoint(_root(rec, path), list(rec.files), progress, quick=quick)
        outcome = VerificationOutcome.of(
            rec.name,
            report,
            at_source=path is None,
            quick=quick,
            shard=None if shard is None else str(shard),
            host=host,
        )
        store.record_verification(outcome)
        yield VariantVerification(rec.name, report)


@dataclass(frozen=True)
class Located:
    """One variant's id, recorded files and the directory holding them."""

    variant_id: int
    name: str
    root: Path
    files: list[FileEntry]


def locate(catalog: Catalog, name: str, path: Path | None) -> Located:
    """One variant's recorded files and the directory to check (``path`` or its location)."""
    from registry.catalog.verify_records import load_recorded, variant_ref

    with catalog.reader() as reader:
        ref = variant_ref(reader, name)
        rec = RecordedFiles(ref.name, ref.source_uri, tuple(load_recorded(reader, ref.id)))
    return Located(ref.id, rec.name, _root(rec, path), list(rec.files))
