"""GGUF metadata (architecture, license, base models) read with the ``gguf`` package.

The file is hashed like any other; this module only reads the key/value header. A file
the reader cannot parse is a ``CheckpointError`` naming it: the ``gguf`` reader raises
many exception types on malformed input, and none of them may reach the user as a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from registry.errors import CheckpointError

GGUF_MAGIC = b"GGUF"
_SCALAR_KEYS = (
    "general.architecture",
    "general.name",
    "general.license",
    "general.license.name",
    "general.file_type",
    "general.quantization_version",
)
_BASE_FIELDS = ("name", "organization", "repo_url", "version")
MAX_BASE_MODELS = 64


def read_gguf_metadata(path: Path, rel: str) -> dict[str, Any]:
    """The keys modelreg uses, as plain JSON-ready values; absent keys are left out."""
    try:
        import gguf

        reader = gguf.GGUFReader(path, "r")
        fields = reader.fields
        out: dict[str, Any] = {}
        for key in _SCALAR_KEYS:
            if key in fields:
                out[key] = _value(fields[key].contents())
        if "general.base_model.count" in fields:
            count = int(fields["general.base_model.count"].contents())
            bases = []
            for i in range(min(max(count, 0), MAX_BASE_MODELS)):
                base = {
                    f: _value(fields[k].contents())
                    for f in _BASE_FIELDS
                    if (k := f"general.base_model.{i}.{f}") in fields
                }
                if base:
                    bases.append(base)
            out["general.base_model"] = bases
        out["tensor_count"] = len(reader.tensors)
    except CheckpointError:
        raise
    except Exception as exc:  # the reader fails in many ways on a malformed file
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise CheckpointError(rel, f"malformed GGUF file: {detail}") from None
    return out


def _value(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list):
        return [_value(v) for v in value[:64]]
    return str(value)
