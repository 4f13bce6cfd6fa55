"""Registration defaults a GGUF file states about itself: license, lineage, architecture, size.

``add`` takes them when nothing stronger says otherwise (the command line, then the model
card; ``config.json`` for architecture and size). They are read from the details recorded for
each GGUF file of the checkpoint (``gguf_meta``):

- license: ``general.license``, with ``general.license.name`` for ``other``; returned as a
  ``ModelCard`` so that it is mapped by exactly the rules of a card's ``license`` and
  ``license_name``;
- base models: ``general.base_model.N`` for N below ``general.base_model.count``; each is
  referred to by the Hub repository of its ``repo_url`` (``https://huggingface.co/ORG/NAME``),
  else by that URL, else by its ``name``; the relation is ``quantized`` when the file is a
  quantization (``general.file_type``, else its tensor types), else ``finetune`` (``merge``
  for several bases);
- architecture: ``general.architecture``; parameter count: the elements of every tensor
  (summed over the parts of a split GGUF).

The name (``general.name``) comes from ``gguf_name``, which reads only the headers (no
hashing), so that ``add`` without ``--name`` refuses a name that is taken before it reads
hundreds of gigabytes.

A checkpoint holding several GGUF files (several quantizations of one model) gets a default
only where the files agree; where they disagree the field is left out with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.checkpoints.discovery import discover_files
from registry.checkpoints.file_formats import open_regular
from registry.checkpoints.ggml_types import is_quantized
from registry.checkpoints.gguf_format import GGUF_MAGIC, read_gguf_header
from registry.checkpoints.manifest import FileEntry, ModelCard
from registry.errors import CheckpointError

_HUB_URL = re.compile(
    r"^https?://(?:www\.)?huggingface\.co/(?!datasets/|spaces/)"
    r"(?P<repo>[\w.-]+/[\w.-]+?)(?:\.git)?/?(?:[/?#].*)?$"
)


MAX_NAME = 255
# The longest value each default may have: the catalog columns it is stored in.
LIMITS = {
    "general.license": 255,
    "general.license.name": 255,
    "general.architecture": 255,
    "general.base_model": 512,
}


@dataclass(frozen=True)
class GGUFDefaults:
    """What the GGUF files of a checkpoint say, as ``add`` uses it (None: not stated)."""

    source: str  # the file (or files) the defaults come from, for messages
    card: ModelCard  # license, license name, base models and relation, as a card states them
    architecture: str | None = None
    parameter_count: int | None = None
    warnings: list[str] = field(default_factory=list)


def base_reference(base: Mapping[str, Any]) -> str | None:
    """How a ``general.base_model.N`` entry is referred to in the catalog."""
    url = base.get("repo_url")
    if isinstance(url, str) and url.strip():
        m = _HUB_URL.match(url.strip())
        return m.group("repo") if m else url.strip()
    name = base.get("name")
    return name.strip() if isinstance(name, str) and name.strip() else None


def _fits(key: str, value: Any, warnings: list[str]) -> bool:
    """Whether a stated value fits the catalog column it goes to (else warned and dropped)."""
    limit = LIMITS.get(key)
    texts = value if isinstance(value, list) else [value]
    if limit is None or all(not isinstance(t, str) or len(t) <= limit for t in texts):
        return True
    warnings.append(f"{key} is longer than {limit} characters; not used as a default")
    return False


def _agreed(
    ggufs: Sequence[FileEntry], key: str, warnings: list[str], values: Iterable[Any] | None = None
) -> Any:
    stated = {
        f.path: v
        for f, v in zip(ggufs, values or (f.details.get(key) for f in ggufs), strict=True)
        if v not in (None, [], "") and _fits(key, v, warnings)
    }
    distinct = {repr(v): v for v in stated.values()}
    if len(distinct) == 1:
        return next(iter(distinct.values()))
    if len(distinct) > 1:
        shown = ", ".join(f"{path}: {v}" for path, v in sorted(stated.items()))
        warnings.append(f"GGUF files disagree on {key} ({shown}); not used as a default")
    return None


def _parameter_count(ggufs: Sequence[FileEntry], warnings: list[str]) -> int | None:
    counts = [f.details.get("parameter_count") for f in ggufs]
    if all(isinstance(f.details.get("split.count"), int) for f in ggufs):  # one split model
        return sum(c for c in counts if isinstance(c, int))
    return _agreed(ggufs, "parameter count", warnings, counts)  # type: ignore[no-any-return]


def _relation(ggufs: Sequence[FileEntry], n_bases: int) -> str:
    quantized = any(
        is_quantized(f.details.get("general.file_type"), (t.dtype for t in f.tensors))
        for f in ggufs
    )
    if quantized:
        return "quantized"
    return "merge" if n_bases > 1 else "finetune"


def gguf_defaults(files: Sequence[FileEntry]) -> GGUFDefaults | None:
    """The defaults the GGUF files among ``files`` state, or None when there are none."""
    ggufs = [f for f in files if f.format == "gguf"]
    if not ggufs:
        return None
    warnings: list[str] = []
    license = _agreed(ggufs, "general.license", warnings)
    license_name = _agreed(ggufs, "general.license.name", warnings)
    bases_per_file = [
        [r for b in f.details.get("general.base_model", ()) if (r := base_reference(b))]
        for f in ggufs
    ]
    bases = _agreed(ggufs, "general.base_model", warnings, bases_per_file) or []
    card = ModelCard(
        licenses=(license.strip().lower(),) if isinstance(license, str) and license.strip() else (),
        license_name=license_name.strip() if isinstance(license_name, str) else None,
        base_models=tuple(bases),
        base_model_relation=_relation(ggufs, len(bases)) if bases else None,
    )
    return GGUFDefaults(
        source=", ".join(f.path for f in ggufs),
        card=card,
        architecture=_agreed(ggufs, "general.architecture", warnings),
        parameter_count=_parameter_count(ggufs, warnings),
        warnings=warnings,
    )


def gguf_name(path: Path) -> str | None:
    """``general.name`` of the GGUF files at ``path`` when they state one and agree on it.

    A file that is not a valid GGUF is passed over here; ``add`` reports it when it reads
    the checkpoint for real.
    """
    root, found = discover_files(path)
    names = set()
    for rel, size in found:
        with open_regular(root / rel, rel) as fh:
            if fh.read(4) != GGUF_MAGIC:
                continue
            try:
                value = read_gguf_header(rel, fh, size).metadata.get("general.name")
            except CheckpointError:
                continue
        if isinstance(value, str) and value.strip() and value.isprintable():
            names.add(value.strip()[:MAX_NAME])
    return names.pop() if len(names) == 1 else None
