"""The exact half-precision form of one float32 tensor, read with numpy from its file.

See :mod:`registry.provenance.half_digests`: a float32 tensor whose every value survives a
round trip through bfloat16 (else float16) gets the XXH3-128 digest of that half-precision
form. Kept apart so that ``add`` imports numpy only for a checkpoint that has such tensors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import xxhash

from registry.checkpoints.manifest import TensorEntry
from registry.provenance.half_digests import elements

CHUNK_ELEMENTS = 1 << 20
PROBE_ELEMENTS = 4096


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


def lossless_forms(path: Path, tensor: TensorEntry) -> list[tuple[str, str]]:
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
