"""Stream files through SHA-256 on a thread pool (hashlib releases the GIL on big buffers)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from registry.errors import CheckpointError
from registry.progress import NULL_PROGRESS, Progress

CHUNK = 4 * 1024 * 1024


def default_workers() -> int:
    return max(1, min(32, os.cpu_count() or 1))


def sha256_file(path: Path, rel: str, progress: Progress = NULL_PROGRESS) -> str:
    """The SHA-256 of one file, read once in large chunks."""
    h = hashlib.sha256()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    try:
        with open(path, "rb", buffering=0) as fh:
            while True:
                n = fh.readinto(view)
                if not n:
                    break
                h.update(view[:n])
                progress.advance(n)
    except OSError as exc:
        raise CheckpointError(rel, f"cannot read: {exc.strerror or exc}") from None
    return h.hexdigest()


def hash_files(
    root: Path,
    rel_paths: Sequence[str],
    *,
    progress: Progress = NULL_PROGRESS,
    workers: int | None = None,
) -> dict[str, str]:
    """SHA-256 of each file (relative to ``root``), several files at a time."""
    if not rel_paths:
        return {}
    with ThreadPoolExecutor(max_workers=workers or default_workers()) as pool:
        futures = {rel: pool.submit(sha256_file, root / rel, rel, progress) for rel in rel_paths}
        return {rel: fut.result() for rel, fut in futures.items()}


def git_blob_oid(path: Path, rel: str) -> str:
    """The git blob id (SHA-1 of ``blob <size>\\0`` + content) the Hub gives non-LFS files."""
    try:
        size = path.stat().st_size
        h = hashlib.sha1(f"blob {size}\0".encode(), usedforsecurity=False)
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
    except OSError as exc:
        raise CheckpointError(rel, f"cannot read: {exc.strerror or exc}") from None
    return h.hexdigest()
