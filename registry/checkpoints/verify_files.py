"""Checking the files on disk against a recorded manifest (``verify``, ``sign``).

``verify_checkpoint`` re-hashes each recorded file: file SHA-256 (or its recorded chunk
digests, on every core), tensor digests only for a file that changed, to name its tensors.
It imports no file-format parser unless a file changed, so ``verify`` starts as fast as the
read-only commands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from registry.checkpoints import chunked
from registry.checkpoints.discovery import discover_files, file_stat
from registry.checkpoints.hashing import (
    FileDigest,
    Reporter,
    digest_file,
    git_blob_oid,
    run_parallel,
)
from registry.checkpoints.manifest import FileEntry, FileStat, FileState, FileStatus, VerifyReport
from registry.errors import InvalidInputError
from registry.progress import NULL_PROGRESS, Progress


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
            from registry.checkpoints.localise import localise_change  # file formats: rare path

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
