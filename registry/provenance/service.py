"""``modelreg provenance`` and the check run by ``add``: compare a variant's weights with the
registered variants they may come from, store each result, return them.

Tier 1 (exact reuse) asks the digest index about every registered variant at once. Tiers 2
and 3 read weights, so they run against candidates: variants with a weight profile (taken
the first time a variant's provenance is examined, at ``add`` for new ones) of the same
hidden size whose vocabulary sketch overlaps. On demand every candidate is compared; on
``add`` the ``ADD_CANDIDATES`` most likely (variants without declared parents first: a
laundered model hides its base, and bases are what it launders; then the newest).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.audit.log import record
from registry.catalog.variants import get_variant
from registry.db.engine import Catalog
from registry.db.models import LineageEdge, ProvenanceProfile, Variant
from registry.errors import CheckpointError, OperationalError
from registry.progress import NULL_PROGRESS, Progress
from registry.provenance.compare import compare_weights
from registry.provenance.exact import find_reuse
from registry.provenance.records import NOT_COMPARABLE, MethodResult, PairResult, combine
from registry.provenance.store import save_results
from registry.provenance.vocab import sketch, sketch_overlap
from registry.provenance.weights import Weights, open_weights

ADD_CANDIDATES = 16
MIN_VOCAB_OVERLAP = 0.05


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
    variant = get_variant(session, name)
    target = _target(variant)
    if target.root is None or not target.root.exists():
        raise CheckpointError(
            name,
            "provenance reads the weights, and this variant has no checkpoint on disk "
            f"(registered from {variant.source_uri or 'nowhere'})",
        )
    return target


@contextmanager
def _writing(catalog: Catalog, name: str) -> Iterator[Session]:
    """A write transaction; a concurrent writer of the same rows is an operational error."""
    try:
        with catalog.session(write=True) as session:
            yield session
    except sa_exc.IntegrityError:
        raise OperationalError(
            f"another process recorded provenance of {name!r} at the same time; "
            f"run `modelreg provenance {name}` again"
        ) from None


def _save_profile(catalog: Catalog, variant_id: int, name: str, weights: Weights) -> list[int]:
    marks = sketch(weights.tokens)
    size = weights.shape("embed")[0] if weights.has("embed") else 0
    with _writing(catalog, name) as session:
        row = session.get(ProvenanceProfile, variant_id)
        if row is None:
            row = ProvenanceProfile(variant_id=variant_id)
            session.add(row)
        row.hidden_size = weights.hidden
        row.layers = weights.layers
        row.vocab_size = int(size)
        row.vocab_sketch = marks
    return marks


def _candidates(
    session: Session, subject_id: int, hidden: int, marks: list[int], limit: int | None
) -> list[_Target]:
    """Profiled variants of the same hidden size whose vocabulary overlaps, likeliest first."""
    rows = session.execute(
        select(Variant, ProvenanceProfile.vocab_sketch)
        .join(ProvenanceProfile, ProvenanceProfile.variant_id == Variant.id)
        .where(ProvenanceProfile.hidden_size == hidden, Variant.id != subject_id)
    ).all()
    with_parents = set(session.scalars(select(LineageEdge.child_id).distinct()))
    found = [
        (v.id in with_parents, -v.id, _target(v))
        for v, other in rows
        if sketch_overlap(marks, list(other or [])) >= MIN_VOCAB_OVERLAP
    ]
    found.sort(key=lambda t: (t[0], t[1]))
    targets = [t for _, _, t in found]
    return targets if limit is None else targets[:limit]


def _open(target: _Target) -> Weights:
    if target.root is None or not target.root.exists():
        raise CheckpointError(target.name, "no checkpoint on disk")
    return open_weights(target.root)


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
    with catalog.session() as session:
        subject = _subject(session, name)
        named = [_target(get_variant(session, n)) for n in against]
    assert subject.root is not None
    mine = open_weights(subject.root)
    marks = _save_profile(catalog, subject.id, subject.name, mine)
    with catalog.session() as session:
        others = {t.id: t for t in named if t.id != subject.id}
        only = set(others) if against else None
        try:
            exact = find_reuse(session, subject.id, subject.root, only)
        except OSError as exc:
            raise CheckpointError(name, f"cannot read its weights: {exc}") from None
        for vid in exact:
            others.setdefault(vid, _target(session.get_one(Variant, vid)))
        if not against and mine.hidden:
            limit = ADD_CANDIDATES if on_add else None
            for t in _candidates(session, subject.id, mine.hidden, marks, limit):
                others.setdefault(t.id, t)
    bases = max(1, len(others))
    results: list[tuple[int, PairResult]] = []
    progress.start("comparing weights", len(others))
    try:
        for other in sorted(others.values(), key=lambda t: t.name):
            started = time.perf_counter()
            if other.id in exact:
                methods = [exact[other.id]]
            else:
                try:
                    methods = compare_weights(mine, _open(other), bases)
                except CheckpointError as exc:
                    progress.warn(f"{other.name} not compared: {exc.message}")
                    results.append((-1, _skipped(subject.name, other.name, exc.message)))
                    continue
                except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
                    reason = f"the comparison failed numerically ({exc})"
                    progress.warn(f"{other.name} not compared: {reason}")
                    results.append((-1, _skipped(subject.name, other.name, reason)))
                    continue
            seconds = time.perf_counter() - started
            results.append((other.id, combine(subject.name, other.name, methods, seconds)))
            progress.advance(1)
    finally:
        progress.finish()
    stored = [(i, r) for i, r in results if i >= 0]
    with _writing(catalog, subject.name) as session:
        save_results(session, subject.id, stored)
        if stored:  # a result is evidence a check cites; the profile is a cache, not audited
            record(
                session,
                "provenance.record",
                subject.name,
                after={r.other: r.verdict for _, r in stored},
            )
    return [r for _, r in results]


def _skipped(name: str, other: str, reason: str) -> PairResult:
    """A pair that could not be compared this time (reported, never stored: an earlier
    result stays)."""
    method = MethodResult("read", NOT_COMPARABLE, None, f"not compared: {reason}")
    return combine(name, other, [method], 0.0)
