"""Checkpoints on disk: discovery, hashing, config and model card, verification.

``inspect_checkpoint`` reads a checkpoint once and returns its manifest (no database);
``verify_checkpoint`` compares the files on disk with a recorded manifest.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from registry.checkpoints.config_json import read_config
from registry.checkpoints.discovery import discover_files
from registry.checkpoints.hashing import git_blob_oid, hash_files
from registry.checkpoints.manifest import (
    CheckpointManifest,
    FileEntry,
    FileState,
    FileStatus,
    VerifyReport,
)
from registry.checkpoints.modelcard import read_model_card
from registry.errors import InvalidInputError
from registry.progress import NULL_PROGRESS, Progress

__all__ = [
    "CheckpointManifest",
    "FileEntry",
    "FileStatus",
    "VerifyReport",
    "inspect_checkpoint",
    "verify_checkpoint",
]


def inspect_checkpoint(path: Path, progress: Progress = NULL_PROGRESS) -> CheckpointManifest:
    """Discover, validate and hash every file of a checkpoint (directory or single file)."""
    root, found = discover_files(path)
    progress.start("hashing", sum(size for _, size in found))
    try:
        digests = hash_files(root, [rel for rel, _ in found], progress=progress)
    finally:
        progress.finish()
    files = [FileEntry(rel, size, digests[rel]) for rel, size in found]
    single_file = Path(path).is_file()
    config = None if single_file else read_config(root)
    card = None if single_file else read_model_card(root)
    return CheckpointManifest(root=root, files=files, config=config, card=card)


def verify_checkpoint(
    root: Path, recorded: Sequence[FileEntry], progress: Progress = NULL_PROGRESS
) -> VerifyReport:
    """Re-hash every recorded file under ``root``; report ok / modified / missing / extra."""
    root = Path(root)
    single = root.is_file()
    base = root.parent if single else root
    on_disk: dict[str, int] = {}
    if single:
        _, found = discover_files(root)
        on_disk = dict(found)
    elif root.is_dir():
        try:
            _, found = discover_files(root)
            on_disk = dict(found)
        except InvalidInputError:  # an empty directory: every file is missing
            pass
    expected = {f.path: f for f in recorded}
    present = [p for p in expected if p in on_disk]
    statuses: list[FileStatus] = []
    progress.start("verifying", sum(on_disk[p] for p in present))
    try:
        digests = hash_files(base, present, progress=progress)
    finally:
        progress.finish()
    for rel, entry in sorted(expected.items()):
        if rel not in on_disk:
            statuses.append(FileStatus(rel, "missing", expected_sha256=entry.sha256))
            continue
        actual = digests[rel]
        if entry.sha256 is not None:
            same = actual == entry.sha256
        else:  # registered from the Hub outside LFS: only its git blob id is known
            same = git_blob_oid(base / rel, rel) == entry.git_oid
        state: FileState = "ok" if same and on_disk[rel] == entry.size else "modified"
        statuses.append(FileStatus(rel, state, entry.sha256, actual))
    if not single:
        statuses.extend(FileStatus(rel, "extra") for rel in sorted(set(on_disk) - set(expected)))
    return VerifyReport(root=base, files=statuses)
