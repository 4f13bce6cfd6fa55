"""One read of every byte: the file SHA-256 and the per-tensor digests, on all cores.

Design (the numbers behind it are in ``bench/hashing.py``):

- **One pass per file.** A worker maps a file read-only in 64 MiB windows (``mmap`` with
  ``MAP_POPULATE``: no copy out of the page cache, which a ``read`` into a buffer costs,
  about 10% of SHA-256 speed) and walks each window in 1 MiB slices. Each slice feeds the
  file's SHA-256 and then, cut at tensor boundaries, the digest of the tensor it belongs to,
  while it is still in the CPU cache. Every byte is read once; memory is at most one window
  per worker whatever the checkpoint's size. Files that cannot be mapped are read with
  ``readinto`` into a 1 MiB buffer instead. The size is checked before each window; a file
  truncated by another process in the instant between that check and the hashing of its
  window can still end the process with SIGBUS (nothing is written to the catalog before
  hashing ends, so the catalog stays consistent).
- **Why two hash functions.** The file SHA-256 is the identity the Hugging Face Hub
  publishes for LFS files, so it must be SHA-256, and SHA-256 is sequential within a file.
  A second SHA-256 per tensor would double the CPU work and cap ``add`` at half the
  machine's SHA-256 limit. Tensor digests are XXH3-128 (``TENSOR_DIGEST``): about 20× the
  speed of SHA-NI, so ``add`` costs barely more than the SHA-256 alone. They localise
  changes and make the sharding-independent content digest; they are not a security seal.
  Integrity against an adversary rests on the file SHA-256, which ``verify`` checks first.
- **Parallelism.** Files go to a thread pool, largest first (hashlib and xxhash release the
  GIL on large buffers, so threads use every core). The pool has twice as many threads as
  cores (``THREADS_PER_CORE``): with one thread per core, each core takes a fixed share of
  the files, and a core slowed by anything else (another process, the thread that opens
  the catalog) leaves the other idle at the end; with more threads than cores the
  scheduler shares the cores among the files still being read, so they end together (4
  shards on 2 cores: 5% faster, median of 6). Memory stays one window per thread. A
  single file's SHA-256 cannot be split; when only tensor digests are needed (``verify``
  localising a changed file) a large file is split at tensor boundaries into ranges hashed
  in parallel.
- **Fail fast, no partial trust.** The first error stops the other workers at their next
  chunk. A file that grows or shrinks while read is an error, never a digest.
"""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import xxhash

from registry.checkpoints import chunks
from registry.errors import CheckpointError
from registry.progress import NULL_PROGRESS, Progress

PROGRESS_EVERY = 32 * 1024 * 1024
MIN_RANGE_BYTES = 64 * 1024 * 1024
TENSOR_DIGEST = "xxh3-128"

THREADS_PER_CORE = 2

T = TypeVar("T")


def default_workers() -> int:
    return max(1, min(32, os.cpu_count() or 1))


def tensor_hasher() -> xxhash.xxh3_128:
    return xxhash.xxh3_128()


@dataclass(frozen=True, slots=True)
class Segment:
    """A named byte range of a file, [start, end) in file offsets."""

    name: str
    start: int
    end: int


@dataclass
class FileDigest:
    sha256: str | None
    tensors: dict[str, str] = field(default_factory=dict)
    prefix: str | None = None  # XXH3 of the bytes before the first segment (the header)


class _Stop(Exception):
    """Another worker failed; this one gives up at its next chunk."""


class Reporter:
    """Batches progress from worker threads (one lock, a call every 32 MiB)."""

    def __init__(self, progress: Progress, stop: threading.Event) -> None:
        self._progress = progress
        self._lock = threading.Lock()
        self._pending = 0
        self.stop = stop

    def add(self, n: int) -> None:
        if self.stop.is_set():
            raise _Stop
        with self._lock:
            self._pending += n
            if self._pending >= PROGRESS_EVERY:
                self._progress.advance(self._pending)
                self._pending = 0

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self._progress.advance(self._pending)
                self._pending = 0


class _Digester:
    """Consumes the bytes of [begin, stop) in order: file SHA-256, header digest, tensors."""

    def __init__(
        self, rel: str, segments: Sequence[Segment], file_sha: bool, prefix_len: int
    ) -> None:
        self.rel = rel
        self.segments = segments
        self.sha = hashlib.sha256() if file_sha else None
        self.prefix_end = prefix_len if file_sha else 0
        self.prefix = xxhash.xxh3_128() if self.prefix_end else None
        self.digests: dict[str, str] = {}
        self.i = 0
        self.current = tensor_hasher()

    def feed(self, chunk: memoryview, pos: int) -> None:
        n = len(chunk)
        if self.sha is not None:
            self.sha.update(chunk)
        end = pos + n
        if self.prefix is not None and pos < self.prefix_end:
            self.prefix.update(chunk[: min(n, self.prefix_end - pos)])
        segments = self.segments
        while self.i < len(segments):
            seg = segments[self.i]
            if seg.start >= end and seg.end > end:
                break
            lo, hi = max(seg.start, pos), min(seg.end, end)
            if lo < hi:
                self.current.update(chunk[lo - pos : hi - pos])
            if seg.end > end:
                break
            self.digests[seg.name] = self.current.hexdigest()
            self.current = tensor_hasher()
            self.i += 1

    def finish(self) -> FileDigest:
        for seg in self.segments[self.i :]:  # only empty tensors at the very end remain
            if seg.start != seg.end:
                raise CheckpointError(self.rel, "file shrank while being read")
            self.digests[seg.name] = tensor_hasher().hexdigest()
        return FileDigest(
            self.sha.hexdigest() if self.sha is not None else None,
            self.digests,
            self.prefix.hexdigest() if self.prefix is not None else None,
        )


def digest_file(
    path: Path,
    rel: str,
    size: int,
    segments: Sequence[Segment] = (),
    *,
    file_sha: bool = True,
    prefix_len: int = 0,
    reporter: Reporter | None = None,
) -> FileDigest:
    """Read ``path`` once: its SHA-256 (when ``file_sha``) and a digest per segment.

    ``segments`` are sorted, contiguous where they touch, inside ``size``. Without
    ``file_sha`` only the bytes from the first segment's start to the last one's end are read.
    ``prefix_len``: also digest the first bytes (a header) to prove they did not change.
    """
    begin = 0 if file_sha or not segments else segments[0].start
    stop = size if file_sha or not segments else segments[-1].end
    digester = _Digester(rel, segments, file_sha, prefix_len)
    tick = reporter.add if reporter is not None else _no_tick
    try:
        with open(path, "rb", buffering=0) as fh:
            if os.fstat(fh.fileno()).st_size < stop:
                raise CheckpointError(rel, "file shrank while being read")
            mapped = chunks.USE_MMAP and stop - begin >= chunks.CHUNK
            try:
                if mapped:
                    chunks.mapped(fh, begin, stop, digester.feed, tick)
                else:
                    chunks.read(fh, begin, stop, digester.feed, tick)
            except (ValueError, OSError) as exc:
                if not mapped or (isinstance(exc, OSError) and exc.errno == errno.EIO):
                    raise
                digester = _Digester(rel, segments, file_sha, prefix_len)  # cannot map: read
                chunks.read(fh, begin, stop, digester.feed, tick)
            if file_sha and os.fstat(fh.fileno()).st_size != size:
                raise CheckpointError(rel, "file grew while being read")
    except OSError as exc:
        if exc.errno == errno.EIO and "shrank" in str(exc):
            raise CheckpointError(rel, "file shrank while being read") from None
        raise CheckpointError(rel, f"cannot read: {exc.strerror or exc}") from None
    return digester.finish()


def _no_tick(n: int) -> None:
    return None


def run_parallel(
    tasks: Sequence[tuple[int, Callable[[Reporter], T]]],
    *,
    progress: Progress = NULL_PROGRESS,
    workers: int | None = None,
) -> list[T]:
    """Run ``(weight, task)`` pairs on a thread pool, heaviest first; results in input order.

    The first exception stops the other tasks at their next chunk and is raised here.
    """
    if not tasks:
        return []
    stop = threading.Event()
    reporter = Reporter(progress, stop)
    order = sorted(range(len(tasks)), key=lambda k: -tasks[k][0])
    n_workers = min(workers or default_workers() * THREADS_PER_CORE, len(tasks))
    with ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="modelreg-hash") as pool:
        futures = {k: pool.submit(tasks[k][1], reporter) for k in order}
        done, _ = wait(futures.values(), return_when=FIRST_EXCEPTION)
        for fut in done:
            exc = fut.exception()
            if exc is not None and not isinstance(exc, _Stop):
                stop.set()
                pool.shutdown(wait=True, cancel_futures=True)
                raise exc
    reporter.flush()
    return [futures[k].result() for k in range(len(tasks))]


def split_ranges(segments: Sequence[Segment], parts: int) -> list[list[Segment]]:
    """Cut sorted segments at tensor boundaries into up to ``parts`` groups of similar bytes."""
    total = sum(s.end - s.start for s in segments)
    target = max(MIN_RANGE_BYTES, -(-total // max(1, parts)))
    groups: list[list[Segment]] = [[]]
    filled = 0
    for seg in segments:
        if filled >= target:
            groups.append([])
            filled = 0
        groups[-1].append(seg)
        filled += seg.end - seg.start
    return [g for g in groups if g]


def tensor_digests(
    path: Path,
    rel: str,
    segments: Sequence[Segment],
    *,
    progress: Progress = NULL_PROGRESS,
    workers: int | None = None,
) -> dict[str, str]:
    """Digests of the named ranges only (no file SHA-256), a large file split across threads."""
    groups = split_ranges(segments, workers or default_workers())

    def task(group: list[Segment]) -> Callable[[Reporter], dict[str, str]]:
        def run(reporter: Reporter) -> dict[str, str]:
            return digest_file(path, rel, 0, group, file_sha=False, reporter=reporter).tensors

        return run

    out: dict[str, str] = {}
    weighted = [(g[-1].end - g[0].start, task(g)) for g in groups]
    for part in run_parallel(weighted, progress=progress, workers=workers):
        out.update(part)
    return out


def sha256_file(path: Path, rel: str, progress: Progress = NULL_PROGRESS) -> str:
    """The SHA-256 of one file, read once in large chunks."""
    size = _size(path, rel)
    digest = digest_file(path, rel, size, reporter=Reporter(progress, threading.Event()))
    assert digest.sha256 is not None
    return digest.sha256


def hash_files(
    root: Path,
    rel_paths: Sequence[str],
    *,
    progress: Progress = NULL_PROGRESS,
    workers: int | None = None,
) -> dict[str, str]:
    """SHA-256 of each file (relative to ``root``), several files at a time."""

    def task(rel: str, size: int) -> Callable[[Reporter], str]:
        def run(reporter: Reporter) -> str:
            sha = digest_file(root / rel, rel, size, reporter=reporter).sha256
            assert sha is not None
            return sha

        return run

    sizes = [_size(root / rel, rel) for rel in rel_paths]
    tasks = [(size, task(rel, size)) for rel, size in zip(rel_paths, sizes, strict=True)]
    results = run_parallel(tasks, progress=progress, workers=workers)
    return dict(zip(rel_paths, results, strict=True))


def _size(path: Path, rel: str) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise CheckpointError(rel, f"cannot read: {exc.strerror or exc}") from None


def git_blob_oid(path: Path, rel: str) -> str:
    """The git blob id (SHA-1 of ``blob <size>\\0`` + content) the Hub gives non-LFS files."""
    try:
        size = path.stat().st_size
        h = hashlib.sha1(f"blob {size}\0".encode(), usedforsecurity=False)
        with open(path, "rb") as fh:
            while chunk := fh.read(chunks.CHUNK):
                h.update(chunk)
    except OSError as exc:
        raise CheckpointError(rel, f"cannot read: {exc.strerror or exc}") from None
    return h.hexdigest()
