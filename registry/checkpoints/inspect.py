"""Reading a checkpoint for ``add``: each file classified and validated, then hashed once.

``inspect_checkpoint`` reads a checkpoint once and returns its manifest (no database): each
file classified and validated from its bytes (``file_formats``), then one read of every
byte for the file SHA-256 and the per-tensor digests of safetensors and GGUF files
(``hashing``), chunk digests of large files (``chunked``), and the content digest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

from registry.checkpoints import chunked
from registry.checkpoints.config_json import read_config
from registry.checkpoints.content_digest import content_digest
from registry.checkpoints.discovery import discover_files, file_stat
from registry.checkpoints.file_formats import analyse, header_segments
from registry.checkpoints.gguf_format import GGUFHeader
from registry.checkpoints.hashing import (
    FileDigest,
    Reporter,
    default_workers,
    digest_file,
    run_parallel,
)
from registry.checkpoints.manifest import CheckpointManifest, FileEntry, TensorEntry
from registry.checkpoints.safetensors_format import SafetensorsHeader
from registry.checkpoints.shard_index import validate_index
from registry.errors import CheckpointError
from registry.progress import NULL_PROGRESS, Progress


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
    from registry.checkpoints.modelcard import read_model_card  # YAML: once hashing started

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
