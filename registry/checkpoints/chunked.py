"""SHA-256 of fixed-size chunks: one large file hashed on every core.

A file's SHA-256 is sequential, so a checkpoint that is one large file (a GGUF, a single
``model.safetensors``) hashes on one core. ``add`` therefore also records, for large files,
the SHA-256 of each consecutive ``CHUNK_BYTES`` range (the last one shorter), and
``verify`` checks those chunks in parallel instead of re-reading the file for its
SHA-256.

**Why the chunk list may be the authority.** ``verify`` accepts a file with chunk digests
only if its size equals the recorded size and the SHA-256 of every chunk, at the offsets
fixed by that size, equals the recorded one. The chunks partition the file, so any change
of content changes the bytes of at least one chunk whose position and length are fixed;
passing then needs a second preimage of SHA-256 for that chunk, exactly what passing the
whole-file check needs for the whole file (and a change of length fails the size check
before anything is read). The chunk digests are recorded by the same ``add``, in the same
transaction and with the same trust as the whole-file SHA-256, so an attacker able to
rewrite one can rewrite the other. The whole-file SHA-256 stays recorded for the
Hugging Face Hub's LFS hashes, for bills of materials and for interop; ``verify`` does not
recompute it for such a file, since it would add a sequential one-core pass that proves
nothing more.

**When add records them.** A chunk pass is a second SHA-256 pass over the file, so ``add``
records chunks only where they are free: when the whole-file passes leave cores idle
(``plan_chunked``). A single large file on a machine with two or more cores always gets
them; a checkpoint of many shards that already keeps every core busy does not (its
``verify`` is parallel by file anyway).
"""

from __future__ import annotations

import errno
import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path

from registry.checkpoints import chunks
from registry.checkpoints.hashing import Reporter
from registry.errors import CheckpointError

CHUNK_BYTES = 64 * 1024 * 1024
MIN_CHUNKED_BYTES = 4 * CHUNK_BYTES  # smaller files are not worth splitting
SLACK = 0.05


def spans(size: int, chunk_bytes: int = CHUNK_BYTES) -> list[tuple[int, int]]:
    """The [start, end) of each chunk of a file of ``size`` bytes."""
    return [(at, min(at + chunk_bytes, size)) for at in range(0, size, chunk_bytes)]


def plan_chunked(sizes: Mapping[str, int], workers: int) -> set[str]:
    """The files whose chunk pass fits in the time the whole-file passes leave cores idle.

    The whole-file passes take about ``max(largest file, total / workers)``; the idle
    capacity is ``workers`` times that, less the total, plus ``SLACK`` of it (so small
    files beside one large one do not rule it out). Largest files are served first.
    """
    total = sum(sizes.values())
    if workers < 2 or not sizes:
        return set()
    span = max(max(sizes.values()), total / workers)
    idle = workers * span * (1 + SLACK) - total
    chosen = set()
    for rel, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        if size >= MIN_CHUNKED_BYTES and size <= idle:
            chosen.add(rel)
            idle -= size
    return chosen


def range_sha256(path: Path, rel: str, start: int, end: int, reporter: Reporter) -> str:
    """The SHA-256 of bytes [start, end) of ``path`` (mapped, else read)."""
    sha = hashlib.sha256()

    def feed(view: memoryview, _pos: int) -> None:
        sha.update(view)

    try:
        with open(path, "rb", buffering=0) as fh:
            if chunks.USE_MMAP and end - start >= chunks.CHUNK:
                try:
                    chunks.mapped(fh, start, end, feed, reporter.add)
                    return sha.hexdigest()
                except (ValueError, OSError) as exc:
                    if isinstance(exc, OSError) and exc.errno == errno.EIO:
                        raise
                    sha = hashlib.sha256()
            chunks.read(fh, start, end, feed, reporter.add)
    except OSError as exc:
        if exc.errno == errno.EIO:
            raise CheckpointError(rel, "file shrank while being read") from None
        raise CheckpointError(rel, f"cannot read: {exc.strerror or exc}") from None
    return sha.hexdigest()


def chunk_tasks(
    path: Path, rel: str, size: int, chunk_bytes: int = CHUNK_BYTES
) -> list[tuple[int, Callable[[Reporter], str]]]:
    """One ``(weight, task)`` per chunk, for :func:`registry.checkpoints.hashing.run_parallel`."""

    def task(start: int, end: int) -> Callable[[Reporter], str]:
        return lambda reporter: range_sha256(path, rel, start, end, reporter)

    return [(end - start, task(start, end)) for start, end in spans(size, chunk_bytes)]
