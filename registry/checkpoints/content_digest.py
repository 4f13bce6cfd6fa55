"""The content digest: one SHA-256 over the tensors, whatever files they are split into.

Canonical form (version 1): the line ``modelreg-content-v1 <tensor digest algorithm>``, then
one line per tensor sorted by (name, dtype, shape, digest), each ``name NUL dtype NUL
comma-joined shape NUL digest``, UTF-8, newline-terminated. File names, shard boundaries,
header padding, ``__metadata__`` and tensor order inside files do not enter it, so a
re-sharded copy of the same weights has the same content digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from registry.checkpoints.hashing import TENSOR_DIGEST

VERSION_LINE = f"modelreg-content-v1 {TENSOR_DIGEST}\n"


def content_digest(tensors: Iterable[tuple[str, str, tuple[int, ...], str]]) -> str | None:
    """SHA-256 hex over (name, dtype, shape, digest) tuples; None when there are none."""
    rows = sorted(tensors)
    if not rows:
        return None
    h = hashlib.sha256(VERSION_LINE.encode())
    for name, dtype, shape, digest in rows:
        line = f"{name}\0{dtype}\0{','.join(map(str, shape))}\0{digest}\n"
        h.update(line.encode("utf-8", "surrogatepass"))
    return h.hexdigest()
