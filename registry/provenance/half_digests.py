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

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from registry.checkpoints.hashing import default_workers
from registry.checkpoints.manifest import FileEntry

MIN_ELEMENTS = 1_000_000

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
    from registry.provenance.half_forms import lossless_forms  # numpy, only when needed

    with ThreadPoolExecutor(max_workers=min(default_workers(), len(work))) as pool:
        found = list(pool.map(lambda item: lossless_forms(root / item[0], item[1]), work))
    return {(rel, t.name): forms for (rel, t), forms in zip(work, found, strict=True) if forms}
