"""What inspecting a checkpoint yields: its files with sizes and digests, config and card."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

FileState = Literal["ok", "modified", "missing", "extra"]


@dataclass(frozen=True)
class FileEntry:
    """A file of a checkpoint, relative to its root (POSIX separators)."""

    path: str
    size: int
    sha256: str | None
    git_oid: str | None = None


@dataclass(frozen=True)
class ModelCard:
    """The front matter of a Hugging Face model card (README.md) that modelreg uses."""

    license: str | None = None
    license_name: str | None = None
    base_models: tuple[str, ...] = ()
    base_model_relation: str | None = None


@dataclass
class CheckpointManifest:
    root: Path
    files: list[FileEntry]
    config: dict[str, Any] | None = None
    card: ModelCard | None = None

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


@dataclass
class VerifyReport:
    root: Path
    files: list[FileStatus]

    @property
    def ok(self) -> bool:
        return all(f.status == "ok" for f in self.files)
