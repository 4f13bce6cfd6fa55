"""Checkpoints on disk: discovery, validation, hashing, config and model card, verification.

The package itself holds only the manifest types (light to import); the work is in its
modules, imported by the commands that need them: ``inspect.inspect_checkpoint`` reads and
hashes a checkpoint for ``add``, ``verify_files.verify_checkpoint`` checks the files on disk
against a recorded manifest for ``verify`` and ``sign`` without loading a format parser.
"""

from __future__ import annotations

from registry.checkpoints.manifest import (
    CheckpointManifest,
    FileEntry,
    FileStat,
    FileStatus,
    TensorEntry,
    VerifyReport,
)

__all__ = [
    "CheckpointManifest",
    "FileEntry",
    "FileStat",
    "FileStatus",
    "TensorEntry",
    "VerifyReport",
]
