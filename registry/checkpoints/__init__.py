"""Checkpoints on disk: discovery, validation, hashing, config and model card, verification.

``inspect_checkpoint`` reads a checkpoint once and returns its manifest (no database): each
file classified and validated from its bytes (``file_formats``), then one read of every
byte for the file SHA-256 and the per-tensor digests of safetensors and GGUF files
(``hashing``), and the content digest. ``verify_checkpoint`` compares the files on disk
with a recorded manifest: file SHA-256 first, tensor digests only for files with tensors
that changed, to name the tensors.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from registry.checkpoints import chunked
from registry.checkpoints.config_json import read_config
from registry.checkpoints.content_digest import content_digest
from registry.checkpoints.discovery import discover_files
from registry.checkpoints.file_formats import analyse, header_segments
from registry.checkpoints.gguf_format import GGUFHeader
from registry.checkpoints.hashing import (
    FileDigest,
    Reporter,
    default_workers,
    digest_file,
    git_blob_oid,
    run_parallel,
)
from registry.checkpoints.localise import localise_change
from registry.checkpoints.manifest import (
    CheckpointManifest,
    FileEntry,
    FileStat,
    FileState,
    FileStatus,
    TensorEntry,
    VerifyReport,
)
from registry.checkpoints.modelcard import read_model_card
from registry.checkpoints.safetensors_format import SafetensorsHeader
from registry.checkpoints.shard_index import validate_index
from registry.errors import CheckpointError, InvalidInputError
from registry.progress import NULL_PROGRESS, Progress

__all__ = [
    "CheckpointManifest",
    "FileEntry",
    "FileStat",
    "FileStatus",
    "TensorEntry",
    "VerifyReport",
    "inspect_checkpoint",
    "verify_checkpoint",
]


def file_stat(path: Path, rel: str) -> FileStat:
    """Size, mtime, inode and device of a file (following the links discovery allowed)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise CheckpointError(rel, f"cannot read: {exc.strerror or exc}") from None
    return FileStat(st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def _tensor_entries(
    header: SafetensorsHeader | GGUFHeader, digests: dict[str, str]
) -> tuple[TensorEntry, ...]:
    at = {s.name: s for s in header_segments(header)}
    return tuple(
        TensorEntry(t.name, t.dtype, t.shape, at[t.name].start, at[t.name].end, digests[t.name])
        for t in header.tensors
    )


def inspect_checkpoint(
    path: Path, progress: Progress = NULL_PROGRESS, *, allow_pickle: bool = False
) -> CheckpointManifest:
    """Discover, validate and hash every file of a checkpoint (directory or single file).

    Raises ``CheckpointError`` (exit 4) for a malformed or hostile file before anything is
    hashed; a pickle reaching a dangerous global is refused, one importing a global outside
    the safe list unless ``allow_pickle``.
    """
    root, found = discover_files(path)
    analyses = {
        rel: analyse(root / rel, rel, size, allow_pickle=allow_pickle) for rel, size in found
    }
    headers = {
        rel: a.header for rel, a in analyses.items() if isinstance(a.header, SafetensorsHeader)
    }
    warnings = [a.warning for a in analyses.values() if a.warning]
    for rel, size in found:
        if analyses[rel].format == "index":
            warnings.extend(validate_index(root, rel, size, headers))
    for w in warnings:
        progress.warn(w)
    before = {rel: file_stat(root / rel, rel) for rel, _ in found}

    def task(rel: str, size: int) -> Callable[[Reporter], FileDigest]:
        def run(reporter: Reporter) -> FileDigest:
            analysis = analyses[rel]
            prefix = analysis.header.data_start if analysis.header is not None else 0
            segs = header_segments(analysis.header)
            return digest_file(root / rel, rel, size, segs, prefix_len=prefix, reporter=reporter)

        return run

    chunked_files = chunked.plan_chunked(dict(found), default_workers())
    tasks: list[tuple[int, Callable[[Reporter], FileDigest | str]]] = [
        (size, task(rel, size)) for rel, size in found
    ]
    for rel, size in found:
        if rel in chunked_files:
            tasks.extend(chunked.chunk_tasks(root / rel, rel, size, chunked.CHUNK_BYTES))
    total = sum(size for _, size in found) + sum(s for r, s in found if r in chunked_files)
    progress.start("hashing", total)
    try:
        results = run_parallel(tasks, progress=progress)
    finally:
        progress.finish()
    digests = cast(list[FileDigest], results[: len(found)])  # the tasks' order: files first
    chunk_digests = iter(cast(list[str], results[len(found) :]))
    file_chunks = {
        rel: tuple(next(chunk_digests) for _ in chunked.spans(size, chunked.CHUNK_BYTES))
        for rel, size in found
        if rel in chunked_files
    }
    files = []
    for (rel, size), digest in zip(found, digests, strict=True):
        analysis = analyses[rel]
        if before[rel] != file_stat(root / rel, rel) or digest.prefix != analysis.header_digest:
            raise CheckpointError(rel, "file changed while being read; try again")
        tensors: tuple[TensorEntry, ...] = ()
        if analysis.header is not None:
            tensors = _tensor_entries(analysis.header, digest.tensors)
        files.append(
            FileEntry(
                rel,
                size,
                digest.sha256,
                format=analysis.format,
                tensors=tensors,
                details=analysis.details,
                stat=before[rel],
                chunk_bytes=chunked.CHUNK_BYTES if rel in file_chunks else 0,
                chunks=file_chunks.get(rel, ()),
            )
        )
    single_file = Path(path).is_file()
    config = None if single_file else read_config(root)
    card = None if single_file else read_model_card(root)
    content = content_digest((t.name, t.dtype, t.shape, t.digest) for f in files for t in f.tensors)
    return CheckpointManifest(
        root=root,
        files=files,
        config=config,
        card=card,
        content_digest=content,
        warnings=warnings,
    )


def verify_checkpoint(
    root: Path,
    recorded: Sequence[FileEntry],
    progress: Progress = NULL_PROGRESS,
    *,
    quick: bool = False,
) -> VerifyReport:
    """Re-hash every recorded file under ``root``; report ok / modified / missing / extra.

    With ``quick``, a file whose size, mtime, inode and device equal those recorded at the
    last full read is trusted without reading it (a speed-for-safety trade: a tool that
    rewrites bytes and restores the mtime goes unnoticed). Otherwise every byte is re-read.
    """
    root = Path(root)
    single = root.is_file()
    base = root.parent if single else root
    on_disk: dict[str, int] = {}
    if single or root.is_dir():
        try:
            _, found = discover_files(root)
            on_disk = dict(found)
        except InvalidInputError:  # an empty directory: every file is missing
            pass
    expected = {f.path: f for f in recorded}
    statuses: dict[str, FileStatus] = {}
    to_read: list[str] = []
    before: dict[str, FileStat] = {}
    for rel, entry in sorted(expected.items()):
        if rel not in on_disk:
            statuses[rel] = FileStatus(rel, "missing", expected_sha256=entry.sha256)
            continue
        before[rel] = file_stat(base / rel, rel)
        if quick and entry.stat is not None and entry.stat == before[rel]:
            statuses[rel] = FileStatus(rel, "ok", entry.sha256, entry.sha256, quick=True)
        else:
            to_read.append(rel)

    def task(rel: str) -> Callable[[Reporter], FileDigest]:
        def run(reporter: Reporter) -> FileDigest:
            if expected[rel].sha256 is None:  # from the Hub outside LFS: its git blob id
                return FileDigest(git_blob_oid(base / rel, rel))
            return digest_file(base / rel, rel, before[rel].size, reporter=reporter)

        return run

    # A file with chunk digests and its recorded size: its chunks, on every core (the chunk
    # list is the authority, see registry/checkpoints/chunked.py). Others: whole-file SHA.
    by_chunks = [
        r
        for r in to_read
        if expected[r].chunks
        and expected[r].chunk_bytes
        and on_disk[r] == expected[r].size
        and len(expected[r].chunks) == len(chunked.spans(on_disk[r], expected[r].chunk_bytes))
    ]
    whole = [r for r in to_read if r not in set(by_chunks)]
    tasks: list[tuple[int, Callable[[Reporter], FileDigest | str]]] = [
        (on_disk[r], task(r)) for r in whole
    ]
    for rel in by_chunks:
        tasks.extend(chunked.chunk_tasks(base / rel, rel, on_disk[rel], expected[rel].chunk_bytes))
    report = VerifyReport(root=base, files=[], bytes_read=sum(on_disk[r] for r in to_read))
    progress.start("verifying", report.bytes_read)
    try:
        results = iter(run_parallel(tasks, progress=progress))
    finally:
        progress.finish()
    outcome: dict[str, tuple[bool, str | None, int]] = {}  # same, actual SHA-256, chunks
    for rel in whole:
        digest = next(results)
        assert isinstance(digest, FileDigest)
        entry = expected[rel]
        wanted = entry.sha256 if entry.sha256 is not None else entry.git_oid
        # size -1: registered from a bill of materials that does not state it
        same = digest.sha256 == wanted and entry.size in (-1, on_disk[rel])
        outcome[rel] = (same, digest.sha256 if entry.sha256 else None, 0)
    for rel in by_chunks:
        got = [str(next(results)) for _ in expected[rel].chunks]
        outcome[rel] = (got == list(expected[rel].chunks), None, len(got))
    for rel in to_read:
        same, actual, n_chunks = outcome[rel]
        entry = expected[rel]
        state: FileState = "ok" if same else "modified"
        if same and n_chunks:
            actual = entry.sha256  # proven equal by its chunks
        status = FileStatus(rel, state, entry.sha256, actual, chunks=n_chunks)
        if same and file_stat(base / rel, rel) == before[rel]:
            report.stats[rel] = before[rel]
        elif not same and entry.tensors:
            status.changed_tensors, status.note = localise_change(
                base / rel, rel, entry.tensors, progress, file_format=entry.format
            )
        statuses[rel] = status
    report.files = [statuses[rel] for rel in sorted(statuses)]
    if not single:
        report.files.extend(
            FileStatus(rel, "extra") for rel in sorted(set(on_disk) - set(expected))
        )
    return report
