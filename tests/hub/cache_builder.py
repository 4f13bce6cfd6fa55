"""Fabricate a Hugging Face cache tree the way ``huggingface_hub`` lays it out on disk."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tests.hub.fake_hub import commit_id, git_blob_id


def cache_repo(
    cache: Path,
    repo_id: str,
    source: Path,
    *,
    commit: str | None = None,
    refs: tuple[str, ...] = ("main",),
) -> Path:
    """Add ``source``'s files as one snapshot of ``repo_id``; return the snapshot directory.

    Blobs are named by SHA-256 (safetensors, as LFS files are) or git blob id (the rest);
    ``snapshots/COMMIT/PATH`` are relative symlinks to ``../../blobs/NAME``.
    """
    commit = commit or commit_id(f"{repo_id}:{source}")
    repo_dir = cache / ("models--" + repo_id.replace("/", "--"))
    blobs = repo_dir / "blobs"
    snap = repo_dir / "snapshots" / commit
    blobs.mkdir(parents=True, exist_ok=True)
    snap.mkdir(parents=True, exist_ok=True)
    for src in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = src.relative_to(source)
        data = src.read_bytes()
        if src.suffix == ".safetensors":
            blob_name = hashlib.sha256(data).hexdigest()
        else:
            blob_name = git_blob_id(data)
        (blobs / blob_name).write_bytes(data)
        link = snap / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        target = os.path.relpath(blobs / blob_name, link.parent)
        link.symlink_to(target)
    for ref in refs:
        ref_file = repo_dir / "refs" / ref
        ref_file.parent.mkdir(parents=True, exist_ok=True)
        ref_file.write_text(commit)
    return snap
