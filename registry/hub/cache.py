"""Find model snapshots in a local Hugging Face cache (the layout ``huggingface_hub`` writes).

::

    CACHE_DIR/models--ORG--NAME/
        blobs/<sha256 or git blob id>          the file contents
        snapshots/<commit>/<path>               relative symlinks into ../../blobs
        refs/main                               the commit a branch or tag points at

The cache directory defaults to ``HF_HUB_CACHE``, else ``HF_HOME/hub``, else
``~/.cache/huggingface/hub`` (``XDG_CACHE_HOME`` honoured), as ``huggingface_hub`` does.
Only ``models--`` entries are considered; datasets and spaces are not models.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from pathlib import Path

from registry.errors import InvalidInputError

DEFAULT_NAME_TEMPLATE = "{repo_id}@{short_revision}"
SHORT_REVISION_LEN = 7
TEMPLATE_FIELDS = ("repo_id", "org", "name", "revision", "short_revision", "ref")

_COMMIT = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class CachedSnapshot:
    """One snapshot directory: a repository at one commit, and the refs pointing at it."""

    repo_id: str
    revision: str
    path: Path
    refs: tuple[str, ...]

    @property
    def short_revision(self) -> str:
        return self.revision[:SHORT_REVISION_LEN]

    @property
    def source_uri(self) -> str:
        return f"hf:{self.repo_id}@{self.revision}"


@dataclass(frozen=True)
class Unreadable:
    """Something in the cache that looked like a model snapshot but could not be used."""

    path: Path
    reason: str


def default_cache_dir() -> Path:
    """Where ``huggingface_hub`` keeps its cache on this machine."""
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(var):
            return Path(os.environ[var]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(xdg).expanduser() / "huggingface" / "hub"


def check_name_template(template: str) -> None:
    """Raise InvalidInputError unless every ``{field}`` of the template is known."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise InvalidInputError(f"name template {template!r}: {exc}") from None
    bad = [f for f in fields if f not in TEMPLATE_FIELDS]
    if bad or not fields:
        raise InvalidInputError(
            f"name template {template!r} must use only the fields "
            + ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)
        )


def snapshot_name(template: str, snap: CachedSnapshot) -> str:
    """The variant name a snapshot gets under a (checked) name template."""
    org, _, name = snap.repo_id.rpartition("/")
    values = {
        "repo_id": snap.repo_id,
        "org": org,
        "name": name,
        "revision": snap.revision,
        "short_revision": snap.short_revision,
        "ref": snap.refs[0] if snap.refs else snap.short_revision,
    }
    return template.format_map(values)


def _read_refs(repo_dir: Path) -> dict[str, list[str]]:
    """commit → names of the refs (branches, tags, ``refs/pr/N``) that point at it."""
    refs_dir = repo_dir / "refs"
    found: dict[str, list[str]] = {}
    if not refs_dir.is_dir():
        return found
    for ref_file in sorted(refs_dir.rglob("*")):
        if not ref_file.is_file():
            continue
        try:
            commit = ref_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if _COMMIT.match(commit):
            found.setdefault(commit, []).append(ref_file.relative_to(refs_dir).as_posix())
    return found


def find_snapshots(cache_dir: Path) -> tuple[list[CachedSnapshot], list[Unreadable]]:
    """Every model snapshot under a cache directory, and what could not be read."""
    if not cache_dir.is_dir():
        raise InvalidInputError(f"{cache_dir} is not a directory (no Hugging Face cache there)")
    snapshots: list[CachedSnapshot] = []
    unreadable: list[Unreadable] = []
    for repo_dir in sorted(cache_dir.iterdir()):
        if not repo_dir.name.startswith("models--") or not repo_dir.is_dir():
            continue
        repo_id = repo_dir.name[len("models--") :].replace("--", "/")
        snap_root = repo_dir / "snapshots"
        if not snap_root.is_dir():
            unreadable.append(Unreadable(repo_dir, "no snapshots directory"))
            continue
        refs = _read_refs(repo_dir)
        for snap in sorted(snap_root.iterdir()):
            if not snap.is_dir():
                continue
            if not _COMMIT.match(snap.name):
                unreadable.append(Unreadable(snap, "snapshot name is not a commit id"))
                continue
            snapshots.append(
                CachedSnapshot(repo_id, snap.name, snap, tuple(sorted(refs.get(snap.name, []))))
            )
    return snapshots, unreadable
