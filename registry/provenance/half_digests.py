"""Digests of the exact half-precision form of float32 tensors, computed at ``add``.

A checkpoint saved in float32 from a bfloat16 or float16 model holds the same values as its
parent, but not the same bytes, so the per-tensor digests differ. For each float32 tensor of
at least ``MIN_ELEMENTS`` elements this module checks whether every value survives a
round trip through bfloat16 (the low 16 bits of each word are zero), else through float16,
and records the XXH3-128 digest of the half-precision form that holds it exactly: the
digest the parent's own tensor has. The check stops at the first value that does not
survive, which for a tensor trained in float32 is within the first few thousand elements,
so ``add`` pays nothing for half-precision checkpoints and next to nothing for float32
ones that are not upcasts; only a real upcast copy is read a second time (from the page
cache, just hashed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import xxhash

from registry.checkpoints.hashing import default_workers
from registry.checkpoints.manifest import FileEntry, TensorEntry

MIN_ELEMENTS = 1_000_000
CHUNK_ELEMENTS = 1 << 20
PROBE_ELEMENTS = 4096

# (file, tensor) -> [(dtype, digest)]: each half-precision form that holds the values exactly
HalfDigests = dict[tuple[str, str], list[tuple[str, str]]]
# the same as rows (file, tensor, dtype, digest): how a registration carries them
HalfRows = tuple[tuple[str, str, str, str], ...]


def as_rows(found: HalfDigests) -> HalfRows:
    return tuple((f, t, d, g) for (f, t), forms in sorted(found.items()) for d, g in forms)


def from_rows(rows: HalfRows) -> HalfDigests:
    found: HalfDigests = {}
    for f, t, d, g in rows:
        found.setdefault((f, t), []).append((d, g))
    return found


def elements(shape: Sequence[int]) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _as_bf16(chunk: np.ndarray) -> memoryview | None:
    halves = chunk.view(np.uint16).reshape(-1, 2)  # little-endian words: [low, high]
    if halves[:, 0].any():
        return None
    return np.ascontiguousarray(halves[:, 1]).data


def _as_f16(chunk: np.ndarray) -> memoryview | None:
    with np.errstate(over="ignore"):
        half = chunk.astype(np.float16)
    return half.data if np.array_equal(half.astype(np.float32), chunk) else None


def _exact_digest(
    data: np.ndarray, encode: Callable[[np.ndarray], memoryview | None]
) -> str | None:
    """The digest of the encoded tensor, or None at the first chunk that does not encode."""
    hasher = xxhash.xxh3_128()
    pos, step = 0, PROBE_ELEMENTS  # a small first chunk: a trained tensor fails at once
    while pos < len(data):
        encoded = encode(np.asarray(data[pos : pos + step]))
        if encoded is None:
            return None
        hasher.update(encoded)
        pos += step
        step = CHUNK_ELEMENTS
    return hasher.hexdigest()


def _lossless_forms(path: Path, tensor: TensorEntry) -> list[tuple[str, str]]:
    """(dtype, digest) of the exact BF16 form, else of the exact F16 form, else nothing.

    Float16 is tried only once bfloat16 failed: values with at most bfloat16's 8 significant
    bits across a million elements came from bfloat16, and checking float16 as well would
    double the cost for exactly the checkpoints that pay it.
    """
    count = elements(tensor.shape)
    data = np.memmap(path, dtype=np.float32, mode="r", offset=tensor.start, shape=(count,))
    try:
        for dtype, encode in (("BF16", _as_bf16), ("F16", _as_f16)):
            digest = _exact_digest(data, encode)
            if digest is not None:
                return [(dtype, digest)]
        return []
    finally:
        del data


def half_digests(root: Path, files: Sequence[FileEntry]) -> HalfDigests:
    """The half-precision digests of every large float32 tensor that has an exact one."""
    work = [
        (f.path, t)
        for f in files
        if f.format == "safetensors"
        for t in f.tensors
        if t.dtype == "F32" and elements(t.shape) >= MIN_ELEMENTS
    ]
    if not work:
        return {}
    with ThreadPoolExecutor(max_workers=min(default_workers(), len(work))) as pool:
        found = list(pool.map(lambda item: _lossless_forms(root / item[0], item[1]), work))
    return {(rel, t.name): forms for (rel, t), forms in zip(work, found, strict=True) if forms}
