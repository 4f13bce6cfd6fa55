"""Validation of a safetensors shard index (``*.safetensors.index.json``).

An index must be a JSON object whose ``weight_map`` maps each tensor name to a shard file
that is a relative path inside the checkpoint, is present, and declares that tensor in its
header; every tensor of every shard it names must be in the map. ``metadata.total_size``
is checked when present (a mismatch is a warning: writers disagree on what it counts).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from pathlib import Path

from registry.checkpoints.safetensors_format import SafetensorsHeader
from registry.errors import CheckpointError

INDEX_SUFFIX = ".safetensors.index.json"
MAX_INDEX_BYTES = 64 * 1024 * 1024


class ShardIndexError(CheckpointError):
    """A shard index that does not match the shards it names."""


def is_index(rel: str) -> bool:
    return rel.endswith(INDEX_SUFFIX)


def validate_index(
    root: Path, rel: str, size: int, headers: Mapping[str, SafetensorsHeader]
) -> list[str]:
    """Check the index at ``root/rel`` against the parsed ``headers`` (keyed by relative path).

    Returns warnings (strings); raises ``ShardIndexError`` on an inconsistency.
    """
    if size > MAX_INDEX_BYTES:
        raise ShardIndexError(rel, f"shard index larger than {MAX_INDEX_BYTES} bytes")
    try:
        doc = json.loads((root / rel).read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ShardIndexError(rel, f"shard index is not valid JSON: {str(exc)[:80]}") from None
    except OSError as exc:
        raise CheckpointError(rel, f"cannot read: {exc.strerror or exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("weight_map"), dict):
        raise ShardIndexError(rel, "shard index has no weight_map object")
    base = posixpath.dirname(rel)
    by_shard: dict[str, set[str]] = {}
    for tensor, shard in doc["weight_map"].items():
        if not isinstance(shard, str) or not shard:
            raise ShardIndexError(rel, f"weight_map entry {tensor!r} is not a file name")
        target = _inside(rel, base, shard)
        if target not in headers:
            raise ShardIndexError(
                rel, f"weight_map names {shard!r}, which is not a safetensors file here"
            )
        by_shard.setdefault(target, set()).add(tensor)
    total = 0
    for shard, names in sorted(by_shard.items()):
        declared = {t.name for t in headers[shard].tensors}
        missing = sorted(names - declared)
        if missing:
            raise ShardIndexError(
                rel, f"weight_map puts {missing[0]!r} in {shard!r}, whose header lacks it"
            )
        unlisted = sorted(declared - names)
        if unlisted:
            raise ShardIndexError(
                rel, f"tensor {unlisted[0]!r} of {shard!r} is missing from the weight_map"
            )
        total += sum(t.nbytes for t in headers[shard].tensors)
    warnings = []
    meta = doc.get("metadata")
    declared_total = meta.get("total_size") if isinstance(meta, dict) else None
    if isinstance(declared_total, int) and declared_total != total:
        warnings.append(
            f"{rel}: metadata.total_size is {declared_total}, the shards hold {total} bytes"
        )
    return warnings


def _inside(rel: str, base: str, shard: str) -> str:
    if shard.startswith("/") or "\\" in shard or "\0" in shard:
        raise ShardIndexError(rel, f"weight_map points outside the checkpoint ({shard!r})")
    joined = posixpath.normpath(posixpath.join(base, shard))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        raise ShardIndexError(rel, f"weight_map points outside the checkpoint ({shard!r})")
    return joined
