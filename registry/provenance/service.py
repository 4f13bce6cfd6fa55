"""``modelreg provenance`` and the check run by ``add``: compare a variant's weights with the
registered variants they may come from, store each result, return them.

Tier 1 (exact reuse) asks the digest index about every registered variant at once. Tiers 2
and 3 read weights, so they run against candidates: variants with a weight profile (taken
the first time a variant's provenance is examined, at ``add`` for new ones) of the same
hidden size whose vocabulary sketch overlaps. On demand every candidate is compared; on
``add`` the ``ADD_CANDIDATES`` most likely (variants without declared parents first: a
laundered model hides its base, and bases are what it launders; then the newest).

Everything here runs on the plain DBAPI (:class:`~registry.compliance.store.RawDB`, from
:meth:`Connections.raw <registry.store.connections.Connections.raw>`), so the check ``add``
runs after registering does not import SQLAlchemy. The profile is saved in its own write;
the results and their audit event (:mod:`registry.audit.raw`) in one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.audit.raw import record_raw
from registry.errors import CheckpointError, NotFoundError, OperationalError
from registry.progress import NULL_PROGRESS, Progress
from registry.provenance.exact import find_reuse, in_batches
from registry.provenance.records import NOT_COMPARABLE, MethodResult, PairResult, combine
from registry.provenance.store import save_results
from registry.provenance.vocab import sketch, sketch_overlap
from registry.provenance.weights import Weights, open_weights

if TYPE_CHECKING:
    from registry.audit.actor import Actor
    from registry.compliance.store import RawDB
    from registry.store.connections import Connections

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


def _target(row: Sequence[Any]) -> _Target:
    """A target from a row (id, name, source_uri) of ``variants``."""
    vid, name, source_uri = row
    return _Target(int(vid), str(name), local_root(source_uri))


def _variant(db: RawDB, name: str) -> Sequence[Any]:
    """(id, name, source_uri) of the variant named ``name``."""
    from registry.catalog.bases import find_by_name

    found = find_by_name(db, name)
    if found is None:
        raise NotFoundError(f"no variant named {name!r}", hint="`modelreg list` shows them")
    return (found.id, found.name, found.source_uri)


def _by_id(db: RawDB, ids: Sequence[int]) -> list[_Target]:
    """The variants with these ids (one that was removed meanwhile is left out)."""
    out: list[_Target] = []
    for marks, batch in in_batches(ids):
        sql = f"SELECT id, name, source_uri FROM variants WHERE id IN ({marks})"
        out.extend(_target(row) for row in db.rows(sql, batch))
    return out


def _subject(db: RawDB, name: str) -> _Target:
    row = _variant(db, name)
    target = _target(row)
    if target.root is None or not target.root.exists():
        raise CheckpointError(
            name,
            "provenance reads the weights, and this variant has no checkpoint on disk "
            f"(registered from {row[2] or 'nowhere'})",
        )
    return target


@contextmanager
def _writing(conns: Connections, name: str) -> Iterator[RawDB]:
    """A write transaction, committed at the end unless it raised (then rolled back by
    :meth:`Connections.raw`); a concurrent writer of the same rows is an operational error."""
    conflict = OperationalError(
        f"another process recorded provenance of {name!r} at the same time; "
        f"run `modelreg provenance {name}` again"
    )
    with conns.raw() as db, db.conflicts_raise(conflict):
        yield db
        db.commit()


_SAVE_PROFILE = (
    "INSERT INTO provenance_profiles (variant_id, hidden_size, layers, vocab_size, "
    "vocab_sketch) VALUES (?, ?, ?, ?, ?) ON CONFLICT (variant_id) DO UPDATE SET "
    "hidden_size = excluded.hidden_size, layers = excluded.layers, "
    "vocab_size = excluded.vocab_size, vocab_sketch = excluded.vocab_sketch"
)


def _save_profile(conns: Connections, variant_id: int, name: str, weights: Weights) -> list[int]:
    marks = sketch(weights.tokens)
    size = weights.shape("embed")[0] if weights.has("embed") else 0
    with _writing(conns, name) as db:
        db.execute(
            _SAVE_PROFILE,
            (variant_id, int(weights.hidden), int(weights.layers), int(size), db.json_param(marks)),
        )
    return marks


_PROFILED = (
    "SELECT v.id, v.name, v.source_uri, p.vocab_sketch FROM variants v "
    "JOIN provenance_profiles p ON p.variant_id = v.id WHERE p.hidden_size = ? AND v.id <> ?"
)


def _candidates(
    db: RawDB, subject_id: int, hidden: int, marks: list[int], limit: int | None
) -> list[_Target]:
    """Profiled variants of the same hidden size whose vocabulary overlaps, likeliest first."""
    rows = db.rows(_PROFILED, (int(hidden), subject_id))
    with_parents = {int(r[0]) for r in db.rows("SELECT DISTINCT child_id FROM lineage_edges")}
    found = [
        (int(vid) in with_parents, -int(vid), _target((vid, name, source)))
        for vid, name, source, other in rows
        if sketch_overlap(marks, list(db.json_value(other) or [])) >= MIN_VOCAB_OVERLAP
    ]
    found.sort(key=lambda t: (t[0], t[1]))
    targets = [t for _, _, t in found]
    return targets if limit is None else targets[:limit]


def _open(target: _Target) -> Weights:
    if target.root is None or not target.root.exists():
        raise CheckpointError(target.name, "no checkpoint on disk")
    return open_weights(target.root)


def preload(root: Path) -> None:
    """Import, while the files of the checkpoint at ``root`` hash, what comparing its
    weights will need: numpy and the comparisons, only when its weights have a hidden size
    (a candidate must share it); opening them and the exact-reuse check need neither."""
    try:
        weights = open_weights(root)
    except CheckpointError:
        return
    if weights.hidden:
        import registry.provenance.compare  # noqa: F401


def run_provenance(
    conns: Connections,
    actor: Actor,
    name: str,
    *,
    against: Sequence[str] = (),
    on_add: bool = False,
    progress: Progress = NULL_PROGRESS,
) -> list[PairResult]:
    """Compare ``name`` with ``against`` (default: every candidate; on ``add``, the
    ``ADD_CANDIDATES`` most likely) and store the results; ``actor`` is who the audit trail
    names for them."""
    with conns.raw() as db:
        subject = _subject(db, name)
        named = [_target(_variant(db, n)) for n in against]
    assert subject.root is not None
    mine = open_weights(subject.root)
    marks = _save_profile(conns, subject.id, subject.name, mine)
    with conns.raw() as db:
        others = {t.id: t for t in named if t.id != subject.id}
        only = set(others) if against else None
        try:
            exact = find_reuse(db, subject.id, subject.root, only)
        except OSError as exc:
            raise CheckpointError(name, f"cannot read its weights: {exc}") from None
        for t in _by_id(db, sorted(set(exact) - set(others))):
            others[t.id] = t
        if not against and mine.hidden:
            limit = ADD_CANDIDATES if on_add else None
            for t in _candidates(db, subject.id, mine.hidden, marks, limit):
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
                    from registry.provenance.compare import compare_weights  # numpy

                    methods = compare_weights(mine, _open(other), bases)
                except CheckpointError as exc:
                    progress.warn(f"{other.name} not compared: {exc.message}")
                    results.append((-1, _skipped(subject.name, other.name, exc.message)))
                    continue
                except (ValueError, FloatingPointError) as exc:  # numpy's LinAlgError too
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
    if stored:
        with _writing(conns, subject.name) as db:
            save_results(db, subject.id, stored)
            # a result is evidence a check cites; the profile is a cache, not audited
            db.begin_write()  # after the writes: the lock is held for the append and commit
            after = {r.other: r.verdict for _, r in stored}
            record_raw(db, actor, "provenance.record", subject.name, after=after)
    return [r for _, r in results]


def _skipped(name: str, other: str, reason: str) -> PairResult:
    """A pair that could not be compared this time (reported, never stored: an earlier
    result stays)."""
    method = MethodResult("read", NOT_COMPARABLE, None, f"not compared: {reason}")
    return combine(name, other, [method], 0.0)
