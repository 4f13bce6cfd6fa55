"""What inspecting a checkpoint yields: its files with sizes and digests, config and card."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

FileState = Literal["ok", "modified", "missing", "extra"]


@dataclass(frozen=True)
class TensorEntry:
    """A tensor of a safetensors or GGUF file: [start, end) are offsets in the file.

    ``dtype`` is the safetensors dtype or the ggml type (``Q8_0``, ``F16``, ...); ``shape``
    is row-major (for GGUF, ggml's dimension list reversed)."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    start: int
    end: int
    digest: str


@dataclass(frozen=True)
class FileStat:
    """What ``verify --quick`` compares: size, modification time, inode and device."""

    size: int
    mtime_ns: int
    inode: int
    device: int


@dataclass(frozen=True)
class FileEntry:
    """A file of a checkpoint, relative to its root (POSIX separators).

    ``format`` is ``safetensors``, ``gguf``, ``pickle``, ``index`` or ``other``;
    ``details`` holds what the format reader found (GGUF metadata, pickle globals).
    ``chunks``: the SHA-256 of each ``chunk_bytes``-long range, for large files that have
    them (``registry/checkpoints/chunked.py``); empty otherwise.
    """

    path: str
    size: int
    sha256: str | None
    git_oid: str | None = None
    format: str = "other"
    tensors: tuple[TensorEntry, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    stat: FileStat | None = None
    chunk_bytes: int = 0
    chunks: tuple[str, ...] = ()


def tensor_parameter_count(
    files: Sequence[FileEntry], file_format: str = "safetensors"
) -> int | None:
    """The number of elements of the tensors of the files of ``file_format``, or None.

    The parameter count when ``config.json`` does not give one (for packed quantized
    tensors it counts stored elements, not logical weights)."""
    total, seen = 0, False
    for f in files:
        if f.format == file_format:
            for t in f.tensors:
                seen = True
                total += math.prod(t.shape)
    return total if seen else None


@dataclass(frozen=True)
class ModelCard:
    """The front matter of a Hugging Face model card (README.md) that modelreg uses.

    ``licenses``: the ``license:`` value, one entry per license (the Hub allows a list).
    """

    licenses: tuple[str, ...] = ()
    license_name: str | None = None
    base_models: tuple[str, ...] = ()
    base_model_relation: str | None = None


@dataclass
class CheckpointManifest:
    root: Path
    files: list[FileEntry]
    config: dict[str, Any] | None = None
    card: ModelCard | None = None
    content_digest: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass
class FileStatus:
    path: str
    status: FileState
    expected_sha256: str | None = None
    actual_sha256: str | None = None
    changed_tensors: list[str] = field(default_factory=list)
    note: str | None = None
    quick: bool = False  # ok because size, mtime and inode matched (nothing read)
    chunks: int = 0  # verified by this many chunk digests (no whole-file SHA-256 computed)


@dataclass
class VerifyReport:
    root: Path
    files: list[FileStatus]
    # Fresh stats of the files a full read proved unchanged (recorded for --quick).
    stats: dict[str, FileStat] = field(default_factory=dict)
    bytes_read: int = 0

    @property
    def ok(self) -> bool:
        return all(f.status == "ok" for f in self.files)
