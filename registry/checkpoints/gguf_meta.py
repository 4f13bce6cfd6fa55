"""What modelreg records of a GGUF file's metadata: the ``details`` of its file entry.

Taken from the header ``gguf_format`` validated (the file is never handed to another
reader): the ``general.*`` keys registration uses (architecture, name, license, file type,
base models), the split keys of a multi-file GGUF, the tensor count, the parameter count
(elements of every tensor) and how many tensors use each ggml type. Values are plain JSON
(strings without NUL characters, cut at 1,024 characters; integers); a key of an
unexpected type is left out.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from registry.checkpoints.gguf_format import GGUFHeader

_STRING_KEYS = (
    "general.architecture",
    "general.name",
    "general.license",
    "general.license.name",
    "general.type",
)
_INT_KEYS = ("general.file_type", "general.quantization_version", "split.count", "split.no")
_BASE_FIELDS = ("name", "organization", "repo_url", "version")
MAX_BASE_MODELS = 64
MAX_SHOWN_STRING = 1024


def _string(meta: dict[str, Any], key: str) -> str | None:
    value = meta.get(key)
    return value.replace("\0", "")[:MAX_SHOWN_STRING] if isinstance(value, str) else None


def _int(meta: dict[str, Any], key: str) -> int | None:
    value = meta.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def base_models(meta: dict[str, Any]) -> list[dict[str, str]]:
    """``general.base_model.N.*`` for N below ``general.base_model.count`` (at most 64)."""
    count = _int(meta, "general.base_model.count") or 0
    out = []
    for i in range(min(max(count, 0), MAX_BASE_MODELS)):
        base = {f: v for f in _BASE_FIELDS if (v := _string(meta, f"general.base_model.{i}.{f}"))}
        if base:
            out.append(base)
    return out


def gguf_details(header: GGUFHeader) -> dict[str, Any]:
    """The JSON-ready details of a validated GGUF header; absent keys are left out."""
    meta = header.metadata
    out: dict[str, Any] = {"gguf_version": header.version}
    for key in _STRING_KEYS:
        if (text := _string(meta, key)) is not None:
            out[key] = text
    for key in _INT_KEYS:
        if (number := _int(meta, key)) is not None:
            out[key] = number
    if "general.base_model.count" in meta:
        out["general.base_model"] = base_models(meta)
    out["tensor_count"] = len(header.tensors)
    out["parameter_count"] = sum(math.prod(t.shape) for t in header.tensors)
    out["tensor_types"] = dict(sorted(Counter(t.dtype for t in header.tensors).items()))
    return out
