"""Proving that the bytes on disk are the bytes registered (``modelreg verify``).

Runs over the plain DBAPI (:mod:`registry.catalog.verify_records`), so the command starts
in a fraction of the time SQLAlchemy takes to import. Variants are verified one after
another, each file set on every core; after each variant, in one short transaction, the
stat of the files a full read of the registered location proved unchanged (what a later
``--quick`` trusts) and the variant's result (``verify --summary``) are recorded.
``--all`` can be split over machines with ``--shard K/N`` (``registry/catalog/shards.py``);
it skips variants without a local checkpoint (registered from the Hub), naming them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from registry.catalog.shards import Shard
from registry.catalog.verify_records import (
    VariantRef,
    all_refs,
    load_recorded,
    record_outcome,
    variant_ref,
)
from registry.checkpoints import VerifyReport, verify_checkpoint
from registry.db.writer import Writer
from registry.errors import InvalidInputError
from registry.progress import NULL_PROGRESS, Progress


@dataclass
class VariantVerification:
    name: str
    report: VerifyReport

    @property
    def ok(self) -> bool:
        return self.report.ok


def _is_local(ref: VariantRef) -> bool:
    return bool(ref.source_uri) and not str(ref.source_uri).startswith("hf:")


def _refs(
    writer: Writer, names: Sequence[str], all_: bool, path: Path | None, shard: Shard | None
) -> list[VariantRef]:
    if all_ and names:
        raise InvalidInputError("give variant names or --all, not both")
    if not all_ and not names:
        raise InvalidInputError("give at least one variant name, or --all")
    if path is not None and (all_ or len(names) != 1):
        raise InvalidInputError("--path goes with exactly one variant name")
    if shard is not None and not all_:
        raise InvalidInputError("--shard goes with --all")
    if all_:
        return all_refs(writer, shard)
    refs = [variant_ref(writer, n) for n in dict.fromkeys(names)]
    for ref in refs:
        if path is None and not _is_local(ref):
            raise InvalidInputError(
                f"{ref.name!r} was registered from {ref.source_uri or 'nowhere'}; "
                "give the local copy with --path"
            )
    return refs


def iter_verify(
    writer: Writer,
    names: Sequence[str] = (),
    *,
    all_: bool = False,
    path: Path | None = None,
    quick: bool = False,
    shard: Shard | None = None,
    progress: Progress = NULL_PROGRESS,
    skipped: Callable[[str], None] = lambda name: None,
) -> Iterator[VariantVerification]:
    """Verify each variant in turn, recording its outcome; yields as each one finishes.

    With ``all_``, variants without a local checkpoint are passed to ``skipped``.
    """
    for ref in _refs(writer, names, all_, path, shard):
        if path is None and not _is_local(ref):
            skipped(ref.name)
            continue
        files = load_recorded(writer, ref.id)
        root = Path(path).expanduser() if path is not None else Path(str(ref.source_uri))
        report = verify_checkpoint(root, files, progress, quick=quick)
        stats = report.stats if path is None else {}
        record_outcome(writer, ref.id, report, stats=stats, quick=quick, shard=shard)
        yield VariantVerification(ref.name, report)
