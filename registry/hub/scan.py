"""``modelreg scan``: register every model snapshot of a Hugging Face cache not yet registered.

Each snapshot goes through :func:`registry.catalog.register.add_checkpoint`, the path of
``modelreg add DIR``: the same hashing, model-card parsing and symlink rules (links may point
into the repository's ``blobs/``, nowhere else). Snapshots are registered base models first
(ordered by the ``base_model`` of their cards), so a fine-tune found in the same cache is
linked to its base. A snapshot is skipped when its name is taken or when the same repository
and commit are already registered under any name; running a scan twice changes nothing.
Each snapshot is its own transaction: one unreadable snapshot does not undo the others.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from registry.catalog.register import add_checkpoint
from registry.checkpoints.modelcard import read_model_card
from registry.errors import AlreadyExistsError, CheckpointError, InvalidInputError
from registry.hub.cache import (
    DEFAULT_NAME_TEMPLATE,
    CachedSnapshot,
    Unreadable,
    check_name_template,
    default_cache_dir,
    find_snapshots,
    snapshot_name,
)
from registry.hub.origin import hub_uri
from registry.progress import NULL_PROGRESS, Progress

if TYPE_CHECKING:
    from registry.store.interface import Store


@dataclass(frozen=True)
class Outcome:
    name: str
    path: Path
    reason: str = ""


@dataclass
class ScanReport:
    cache_dir: Path
    added: list[Outcome] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


def _bases_first(snapshots: list[CachedSnapshot]) -> list[CachedSnapshot]:
    """Order snapshots so that a repository named as another's base_model comes first."""
    repos = {s.repo_id.casefold(): s.repo_id for s in snapshots}  # the Hub ignores case
    deps: dict[str, set[str]] = {r: set() for r in repos.values()}
    for snap in snapshots:
        try:
            card = read_model_card(snap.path)
        except (CheckpointError, OSError):
            continue  # reported when the snapshot itself is registered
        if card:
            bases = {repos.get(b.casefold()) for b in card.base_models} - {None, snap.repo_id}
            deps[snap.repo_id] |= {b for b in bases if b is not None}
    try:
        order = list(graphlib.TopologicalSorter(deps).static_order())
    except graphlib.CycleError:
        return snapshots
    rank = {repo: i for i, repo in enumerate(order)}
    return sorted(snapshots, key=lambda s: (rank[s.repo_id], s.repo_id, s.revision))


def _registered_as(store: Store, snap: CachedSnapshot, name: str) -> str | None:
    """The name under which this snapshot (by name, or repo + commit) is already registered."""
    if store.variant_exists(name):
        return name
    sources = (hub_uri(snap.repo_id, snap.revision), str(snap.path.resolve()))
    return store.find_by_source(sources)


def scan_cache(
    store: Store,
    cache_dir: Path | None = None,
    *,
    name_template: str = DEFAULT_NAME_TEMPLATE,
    progress: Progress = NULL_PROGRESS,
) -> ScanReport:
    """Register each snapshot of the cache that is not registered yet; report what happened."""
    check_name_template(name_template)
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    snapshots, unreadable = find_snapshots(root)
    report = ScanReport(cache_dir=root, unreadable=list(unreadable))
    for snap in _bases_first(snapshots):
        name = snapshot_name(name_template, snap)
        existing = _registered_as(store, snap, name)
        if existing is not None:
            why = "already registered" if existing == name else f"already registered as {existing}"
            report.skipped.append(Outcome(name, snap.path, why))
            continue
        try:
            add_checkpoint(store, snap.path, name=name, progress=progress)
        except AlreadyExistsError:
            report.skipped.append(Outcome(name, snap.path, "already registered"))
        except (CheckpointError, InvalidInputError) as exc:
            report.unreadable.append(Unreadable(snap.path, exc.message))
        else:
            report.added.append(Outcome(name, snap.path))
    return report
