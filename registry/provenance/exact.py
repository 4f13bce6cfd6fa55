"""Tier 1, exact reuse: a non-trivial tensor whose digest another variant also has.

Non-trivial means at least a million elements and not constant (a zero-initialised tensor
has the same digest in every model that has one). The lookup is one probe of the index on
``tensors.digest`` (and on ``tensor_half_digests.digest``, for the exact half-precision form
of float32 tensors) per tensor of the variant, so it costs the same at 100,000 registered
variants as at ten. Equal XXH3-128 digests of distinct non-constant tensors are taken as
equal bytes: the digest is not collision-resistant against an adversary, but an adversary
laundering weights wants the opposite of a collision.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.checkpoints.safetensors_format import DTYPE_BITS
from registry.db.models import TensorHalfDigest, TensorRecord, VariantFile
from registry.provenance.half_digests import MIN_ELEMENTS, HalfDigests, elements
from registry.provenance.records import DERIVED, MethodResult

METHOD = "exact-reuse"
IN_BATCH = 500
SHOWN_TENSORS = 16


@dataclass(frozen=True)
class _Mine:
    id: int
    path: str
    name: str
    dtype: str
    count: int
    start: int
    digest: str


def record_half_digests(session: Session, variant_id: int, found: HalfDigests) -> None:
    """Store the half-precision digests computed at ``add`` (the caller's transaction)."""
    if not found:
        return
    rows = session.execute(
        select(TensorRecord.id, VariantFile.path, TensorRecord.name)
        .join(VariantFile, VariantFile.id == TensorRecord.file_id)
        .where(VariantFile.variant_id == variant_id)
    )
    ids = {(str(path), str(name)): int(tid) for tid, path, name in rows}
    session.add_all(
        TensorHalfDigest(tensor_id=ids[key], dtype=dtype, digest=digest)
        for key, forms in found.items()
        if key in ids
        for dtype, digest in forms
    )
    session.flush()


def _batches(values: Sequence[str]) -> Iterable[list[str]]:
    for i in range(0, len(values), IN_BATCH):
        yield list(values[i : i + IN_BATCH])


def _my_tensors(session: Session, variant_id: int) -> tuple[list[_Mine], dict[int, list[str]]]:
    rows = session.execute(
        select(
            TensorRecord.id,
            VariantFile.path,
            TensorRecord.name,
            TensorRecord.dtype,
            TensorRecord.shape,
            TensorRecord.start_offset,
            TensorRecord.digest,
        )
        .join(VariantFile, VariantFile.id == TensorRecord.file_id)
        .where(VariantFile.variant_id == variant_id)
    )
    mine = [
        _Mine(int(i), str(p), str(n), str(d), elements(s), int(o), str(g))
        for i, p, n, d, s, o, g in rows
        if elements(s) >= MIN_ELEMENTS
    ]
    halves: dict[int, list[str]] = {}
    ids = [m.id for m in mine]
    for i in range(0, len(ids), IN_BATCH):
        for tid, digest in session.execute(
            select(TensorHalfDigest.tensor_id, TensorHalfDigest.digest).where(
                TensorHalfDigest.tensor_id.in_(ids[i : i + IN_BATCH])
            )
        ):
            halves.setdefault(int(tid), []).append(str(digest))
    return mine, halves


def is_constant(path: Path, start: int, count: int, dtype: str) -> bool:
    """Whether every element of the tensor has the same bit pattern (read until one differs)."""
    bits = DTYPE_BITS.get(dtype, 8)
    view = {8: np.uint8, 16: np.uint16, 32: np.uint32, 64: np.uint64}.get(bits)
    if view is None:  # sub-byte dtypes: compare bytes
        view, count = np.uint8, count * bits // 8
    data = np.memmap(path, dtype=view, mode="r", offset=start, shape=(count,))
    first = data[0]
    step = 4096
    for pos in range(0, count, step):
        if not np.all(data[pos : pos + step] == first):
            return False
        step = min(step * 4, 1 << 22)
    return True


def find_reuse(
    session: Session, variant_id: int, root: Path, only: set[int] | None = None
) -> dict[int, MethodResult]:
    """Other variants (by id) sharing a non-trivial tensor with this one, with the evidence.

    ``root`` is the variant's checkpoint directory, read only to prove a shared tensor is not
    constant. ``only`` restricts the answer to those variant ids.
    """
    started = time.perf_counter()
    mine, halves = _my_tensors(session, variant_id)
    by_digest: dict[str, list[tuple[_Mine, str]]] = {}
    for m in mine:
        by_digest.setdefault(m.digest, []).append((m, "same bytes"))
        for half in halves.get(m.id, []):
            by_digest.setdefault(half, []).append((m, "upcast to float32"))
    plain = sorted({m.digest for m in mine})
    probes = sorted(by_digest)
    hits: list[tuple[str, int, str, bool]] = []  # digest, other variant, its tensor, theirs half
    for batch in _batches(probes):
        hits.extend(
            (str(d), int(v), str(n), False)
            for d, v, n in session.execute(
                select(TensorRecord.digest, VariantFile.variant_id, TensorRecord.name)
                .join(VariantFile, VariantFile.id == TensorRecord.file_id)
                .where(TensorRecord.digest.in_(batch), VariantFile.variant_id != variant_id)
            )
        )
    for batch in _batches(plain):
        hits.extend(
            (str(d), int(v), str(n), True)
            for d, v, n in session.execute(
                select(TensorHalfDigest.digest, VariantFile.variant_id, TensorRecord.name)
                .join(TensorRecord, TensorRecord.id == TensorHalfDigest.tensor_id)
                .join(VariantFile, VariantFile.id == TensorRecord.file_id)
                .where(TensorHalfDigest.digest.in_(batch), VariantFile.variant_id != variant_id)
            )
        )
    constant: dict[int, bool] = {}
    shared: dict[int, list[str]] = {}
    for digest, other, their_name, theirs_half in hits:
        if only is not None and other not in only:
            continue
        for m, how in by_digest.get(digest, []):
            if theirs_half:
                if digest != m.digest:
                    continue
                how = "their float32 upcast of these bytes"
            if m.id not in constant:
                constant[m.id] = is_constant(root / m.path, m.start, m.count, m.dtype)
            if constant[m.id]:
                continue
            shared.setdefault(other, []).append(f"{m.name} = {their_name} ({how})")
    seconds = time.perf_counter() - started
    out: dict[int, MethodResult] = {}
    for other, pairs in shared.items():
        pairs = sorted(set(pairs))
        out[other] = MethodResult(
            method=METHOD,
            verdict=DERIVED,
            statistic=float(len(pairs)),
            summary=f"{len(pairs)} non-trivial tensor(s) identical, e.g. {pairs[0]}",
            tensors=pairs[:SHOWN_TENSORS],
            seconds=seconds,
        )
    return out
