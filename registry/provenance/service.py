"""``modelreg provenance`` and the check run by ``add``: compare a variant's weights with the
registered variants they may come from, store each result, return them.

Tier 1 (exact reuse) asks the digest index about every registered variant at once. Tiers 2
and 3 read weights, so they run against the candidates whose embedding width matches and
whose vocabulary overlaps (the profile each variant gets at ``add``): all of them on
demand, the ``ADD_CANDIDATES`` most likely ones on ``add`` (variants without declared
parents first: a laundered model hides its base, and bases are what it launders).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from registry.catalog.variants import get_variant
from registry.db.engine import Catalog
from registry.db.models import Variant
from registry.errors import CheckpointError
from registry.progress import NULL_PROGRESS, Progress
from registry.provenance.exact import find_reuse
from registry.provenance.records import PairResult, combine
from registry.provenance.store import save_results


@dataclass(frozen=True)
class _Target:
    id: int
    name: str
    root: Path | None


def local_root(source_uri: str | None) -> Path | None:
    """The checkpoint directory of a variant registered from disk (None for the Hub)."""
    if not source_uri or source_uri.startswith("hf:"):
        return None
    raw = source_uri[7:] if source_uri.startswith("file://") else source_uri
    path = Path(raw)
    return path.parent if path.is_file() else path


def _target(variant: Variant) -> _Target:
    return _Target(variant.id, variant.name, local_root(variant.source_uri))


def _subject(session: Session, name: str) -> _Target:
    target = _target(get_variant(session, name))
    if target.root is None or not target.root.exists():
        raise CheckpointError(
            name,
            "provenance reads the weights, and this variant has no checkpoint on disk "
            f"(registered from {get_variant(session, name).source_uri or 'nowhere'})",
        )
    return target


def run_provenance(
    catalog: Catalog,
    name: str,
    *,
    against: Sequence[str] = (),
    on_add: bool = False,
    progress: Progress = NULL_PROGRESS,
) -> list[PairResult]:
    """Compare ``name`` with ``against`` (default: every candidate; on ``add``, the
    ``ADD_CANDIDATES`` most likely) and store the results."""
    started = time.perf_counter()
    with catalog.session() as session:
        subject = _subject(session, name)
        others = {
            t.id: t
            for t in (_target(get_variant(session, n)) for n in against)
            if t.id != subject.id
        }
        only = set(others) if against else None
        assert subject.root is not None
        try:
            exact = find_reuse(session, subject.id, subject.root, only)
        except OSError as exc:
            raise CheckpointError(name, f"cannot read its weights: {exc}") from None
        for vid in exact:
            if vid not in others:
                others[vid] = _target(session.get_one(Variant, vid))
    results: list[tuple[int, PairResult]] = []
    for other in sorted(others.values(), key=lambda t: t.name):
        methods = [exact[other.id]] if other.id in exact else []
        results.append(
            (other.id, combine(subject.name, other.name, methods, time.perf_counter() - started))
        )
    with catalog.session(write=True) as session:
        save_results(session, subject.id, results)
    return [r for _, r in results]
