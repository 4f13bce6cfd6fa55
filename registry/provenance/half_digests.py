"""Digests of the exact half-precision form of float32 tensors, computed at ``add``.

A checkpoint saved in float32 from a bfloat16 or float16 model holds the same values as its
parent, but not the same bytes, so the per-tensor digests differ. For each float32 tensor of
at least ``MIN_ELEMENTS`` elements this module checks whether every value survives a
round trip through bfloat16 (the low 16 bits of each word are zero) and through float16,
and records the XXH3-128 digest of each half-precision form that holds it exactly: the
digest the parent's own tensor has. The check stops at the first value that does not
survive, which for a tensor trained in float32 is within the first few thousand elements,
so ``add`` pays nothing for half-precision checkpoints and next to nothing for float32
ones that are not upcasts; only a real upcast copy is read a second time (from the page
cache, just hashed).
"""

from __future__ import annotations

from collections.abc import Sequence
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


def elements(shape: Sequence[int]) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _lossless_forms(path: Path, tensor: TensorEntry) -> list[tuple[str, str]]:
    """(dtype, digest) of the exact BF16 and F16 forms (none, one or both)."""
    count = elements(tensor.shape)
    data = np.memmap(path, dtype=np.float32, mode="r", offset=tensor.start, shape=(count,))
    hashers = {"BF16": xxhash.xxh3_128(), "F16": xxhash.xxh3_128()}
    pos = 0
    step = PROBE_ELEMENTS  # probe the first elements before committing to whole chunks
    while pos < count and hashers:
        chunk = np.asarray(data[pos : pos + step])
        pos += step
        step = CHUNK_ELEMENTS
        if "BF16" in hashers:
            halves = chunk.view(np.uint16).reshape(-1, 2)  # little-endian: [low, high]
            if halves[:, 0].any():
                del hashers["BF16"]
            else:
                hashers["BF16"].update(np.ascontiguousarray(halves[:, 1]).data)
        if "F16" in hashers:
            with np.errstate(over="ignore"):
                half = chunk.astype(np.float16)
            if not np.array_equal(half.astype(np.float32), chunk):
                del hashers["F16"]
            else:
                hashers["F16"].update(half.data)
    del data
    return [(dtype, h.hexdigest()) for dtype, h in hashers.items()]


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
