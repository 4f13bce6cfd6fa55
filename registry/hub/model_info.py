"""What the Hub says about a model, validated: references, files, model info parsing.

``parse_model_info`` checks the JSON of ``/api/models/{repo}/revision/{rev}?blobs=true``
strictly (commit id, file names that stay inside the repository, sizes, LFS SHA-256 or git
blob id per file) and turns any deviation into a :class:`~registry.errors.HubError`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from registry.errors import HubError, InvalidInputError

_REPO_ID = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class HubRef:
    """A model repository on the Hub and an optional revision (branch, tag or commit)."""

    repo_id: str
    revision: str | None = None

    @classmethod
    def parse(cls, text: str) -> HubRef:
        """Parse ``hf:ORG/NAME[@REVISION]`` (the ``hf:`` prefix is optional here)."""
        body = text[3:] if text.startswith("hf:") else text
        repo_id, sep, revision = body.partition("@")
        if not _REPO_ID.match(repo_id) or ".." in repo_id or (sep and not revision):
            raise InvalidInputError(
                f"not a Hugging Face model reference: {text!r} (expected hf:ORG/NAME[@REVISION])"
            )
        return cls(repo_id, revision or None)

    def __str__(self) -> str:
        return f"{self.repo_id}@{self.revision}" if self.revision else self.repo_id


@dataclass(frozen=True)
class HubFile:
    """A file of a repository at one commit: size, and SHA-256 (LFS) or git blob id."""

    path: str
    size: int
    sha256: str | None
    git_oid: str | None


@dataclass(frozen=True)
class HubModel:
    """What the Hub says about a model repository at one commit."""

    repo_id: str
    revision: str
    files: tuple[HubFile, ...]
    gated: bool
    card_data: dict[str, Any] = field(default_factory=dict)
    pipeline_tag: str | None = None

    def has_file(self, path: str) -> bool:
        return any(f.path == path for f in self.files)


def _malformed(ref: HubRef, why: str) -> HubError:
    return HubError(f"the Hub's answer for hf:{ref} is malformed: {why}")


def _safe_path(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and "\\" not in path and ".." not in parts


def parse_model_info(body: bytes, ref: HubRef) -> HubModel:
    """Validate and convert the JSON of ``/api/models/{repo}/revision/{rev}?blobs=true``."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _malformed(ref, "not JSON") from None
    if not isinstance(data, dict):
        raise _malformed(ref, "not a JSON object")
    sha = data.get("sha")
    if not isinstance(sha, str) or not _SHA1.match(sha):
        raise _malformed(ref, "no commit id ('sha')")
    siblings = data.get("siblings")
    if not isinstance(siblings, list):
        raise _malformed(ref, "no file list ('siblings')")
    files: list[HubFile] = []
    for item in siblings:
        files.append(_parse_sibling(item, ref))
    if len({f.path for f in files}) != len(files):
        raise _malformed(ref, "a file is listed twice")
    card = data.get("cardData")
    pipeline = data.get("pipeline_tag")
    return HubModel(
        repo_id=str(data.get("id") or data.get("modelId") or ref.repo_id),
        revision=sha,
        files=tuple(sorted(files, key=lambda f: f.path)),
        gated=bool(data.get("gated")),
        card_data=card if isinstance(card, dict) else {},
        pipeline_tag=pipeline if isinstance(pipeline, str) else None,
    )


def _parse_sibling(item: object, ref: HubRef) -> HubFile:
    if not isinstance(item, dict):
        raise _malformed(ref, "a file entry is not an object")
    path = item.get("rfilename")
    if not isinstance(path, str) or not _safe_path(path):
        raise _malformed(ref, f"unsafe or missing file name {path!r}")
    size = item.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise _malformed(ref, f"{path}: no size (was ?blobs=true ignored?)")
    lfs = item.get("lfs")
    blob = item.get("blobId")
    if isinstance(lfs, dict):
        sha256 = lfs.get("sha256")
        if not isinstance(sha256, str) or not _SHA256.match(sha256):
            raise _malformed(ref, f"{path}: LFS entry without a SHA-256")
        if isinstance(lfs.get("size"), int) and lfs["size"] != size:
            raise _malformed(ref, f"{path}: LFS size {lfs['size']} differs from size {size}")
        return HubFile(path, size, sha256, None)
    if lfs is not None:
        raise _malformed(ref, f"{path}: 'lfs' is not an object")
    if not isinstance(blob, str) or not _SHA1.match(blob):
        raise _malformed(ref, f"{path}: neither an LFS SHA-256 nor a git blob id")
    return HubFile(path, size, None, blob)
