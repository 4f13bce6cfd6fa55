"""Tier 1, exact reuse: a non-trivial tensor whose digest another variant also has.

Non-trivial means at least a million elements and not constant (a zero-initialised tensor
has the same digest in every model that has one). The lookup is one probe of the index on
``tensors.digest`` (and on ``tensor_half_digests.digest``, for the exact half-precision form
of float32 tensors) per tensor of the variant, so it costs the same at 100,000 registered
variants as at ten. Equal XXH3-128 digests of distinct non-constant tensors are taken as
equal bytes: the digest is not collision-resistant against an adversary, but an adversary
laundering weights wants the opposite of a collision.

The lookup runs on the plain DBAPI (:class:`~registry.compliance.store.RawDB`), so the check
``add`` runs does not import SQLAlchemy (the half-precision digests it matches are written
with the registration: :func:`registry.catalog.variant_insert.record_half_digests`).
"""

from __future__ import annotations

import errno
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from registry.checkpoints.safetensors_format import DTYPE_BITS
from registry.provenance.half_digests import MIN_ELEMENTS, elements
from registry.provenance.records import DERIVED, MethodResult

if TYPE_CHECKING:
    from registry.compliance.store import RawDB

METHOD = "exact-reuse"
CONSTANT_READ_BYTES = 4 << 20  # a multiple of every element width
IN_BATCH = 500
SHOWN_TENSORS = 16
T = TypeVar("T")


@dataclass(frozen=True)
class _Mine:
    id: int
    path: str
    name: str
    dtype: str
    count: int
    start: int
    digest: str


def in_batches(values: Sequence[T]) -> Iterator[tuple[str, list[T]]]:
    """``values`` in slices of ``IN_BATCH``, each with its ``?, ?, ...`` for ``IN (...)``."""
    for i in range(0, len(values), IN_BATCH):
        batch = list(values[i : i + IN_BATCH])
        yield ", ".join("?" for _ in batch), batch


_MY_TENSORS = (
    "SELECT t.id, f.path, t.name, t.dtype, t.shape, t.start_offset, t.digest "
    "FROM tensors t JOIN variant_files f ON f.id = t.file_id WHERE f.variant_id = ?"
)


def _my_tensors(db: RawDB, variant_id: int) -> tuple[list[_Mine], dict[int, list[str]]]:
    mine = []
    for i, p, n, d, s, o, g in db.rows(_MY_TENSORS, (variant_id,)):
        count = elements(db.json_value(s))
        if count >= MIN_ELEMENTS:
            mine.append(_Mine(int(i), str(p), str(n), str(d), count, int(o), str(g)))
    halves: dict[int, list[str]] = {}
    for marks, batch in in_batches([m.id for m in mine]):
        sql = f"SELECT tensor_id, digest FROM tensor_half_digests WHERE tensor_id IN ({marks})"
        for tid, digest in db.rows(sql, batch):
            halves.setdefault(int(tid), []).append(str(digest))
    return mine, halves


def is_constant(path: Path, start: int, count: int, dtype: str) -> bool:
    """Whether every element of the tensor has the same bit pattern (read until one differs)."""
    bits = DTYPE_BITS.get(dtype, 8)
    width = bits // 8 if bits in (8, 16, 32, 64) else 1  # sub-byte dtypes: compare bytes
    total = count * width if width > 1 or bits == 8 else count * bits // 8
    with open(path, "rb") as fh:
        fh.seek(start)
        first = fh.read(width)
        step, done = 4096 * width, 0
        fh.seek(start)
        while done < total:
            n = min(step, total - done)
            block = fh.read(n)
            if len(block) < n or len(first) < width:
                raise OSError(errno.EIO, f"tensor data ends early in {path.name}")
            if block != first * (n // width):  # n is a whole number of elements
                return False
            done += n
            step = min(step * 4, CONSTANT_READ_BYTES)
    return True


def find_reuse(
    db: RawDB, variant_id: int, root: Path, only: set[int] | None = None
) -> dict[int, MethodResult]:
    """Other variants (by id) sharing a non-trivial tensor with this one, with the evidence.

    ``root`` is the variant's checkpoint directory, read only to prove a shared tensor is not
    constant. ``only`` restricts the answer to those variant ids.
    """
    started = time.perf_counter()
    mine, halves = _my_tensors(db, variant_id)
    by_digest: dict[str, list[tuple[_Mine, str]]] = {}
    for m in mine:
        by_digest.setdefault(m.digest, []).append((m, "same bytes"))
        for half in halves.get(m.id, []):
            by_digest.setdefault(half, []).append((m, "upcast to float32"))
    plain = sorted({m.digest for m in mine})
    probes = sorted(by_digest)
    hits: list[tuple[str, int, str, bool]] = []  # digest, other variant, its tensor, theirs half
    for marks, batch in in_batches(probes):
        hits.extend(
            (str(d), int(v), str(n), False)
            for d, v, n in db.rows(
                "SELECT t.digest, f.variant_id, t.name FROM tensors t "
                "JOIN variant_files f ON f.id = t.file_id "
                f"WHERE t.digest IN ({marks}) AND f.variant_id <> ?",
                [*batch, variant_id],
            )
        )
    for marks, batch in in_batches(plain):
        hits.extend(
            (str(d), int(v), str(n), True)
            for d, v, n in db.rows(
                "SELECT h.digest, f.variant_id, t.name FROM tensor_half_digests h "
                "JOIN tensors t ON t.id = h.tensor_id JOIN variant_files f ON f.id = t.file_id "
                f"WHERE h.digest IN ({marks}) AND f.variant_id <> ?",
                [*batch, variant_id],
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
