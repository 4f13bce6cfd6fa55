"""What a smoke run needs to know about a checkpoint directory before importing torch.

The weight files and their tensor sizes (from the safetensors or GGUF headers, without
reading the tensors), the dtype the config declares, whether the checkpoint carries a tokenizer, and
whether a tokenizer file that its tokenizer config names is missing.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from registry.smoke import gguf

ADAPTER_CONFIG = "adapter_config.json"
TOKENIZER_CONFIG = "tokenizer_config.json"
# Files any one of which makes a directory carry a tokenizer.
TOKENIZER_MARKERS = ("tokenizer.json", TOKENIZER_CONFIG, "tokenizer.model")
# Files that can back a tokenizer (one must exist when tokenizer_config.json does).
TOKENIZER_BACKING = ("tokenizer.json", "tokenizer.model", "vocab.json", "vocab.txt", "spiece.model")
MAX_HEADER_BYTES = 100 * 1024 * 1024

# Bytes per element of the safetensors dtype codes.
ST_ITEMSIZE = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1,
    "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
}  # fmt: skip
ST_FLOAT = {"F64", "F32", "F16", "BF16"}
TORCH_ITEMSIZE = {"float32": 4, "bfloat16": 2, "float16": 2}


def weight_files(root: Path) -> list[Path]:
    """The safetensors files of a checkpoint directory, sorted."""
    return sorted(p for p in root.glob("*.safetensors") if p.is_file())


def safetensors_header(path: Path) -> dict[str, Any]:
    """The JSON header of a safetensors file; ValueError if it is not one."""
    with path.open("rb") as fh:
        raw = fh.read(8)
        if len(raw) != 8:
            raise ValueError("shorter than a safetensors header")
        (length,) = struct.unpack("<Q", raw)
        if length > MAX_HEADER_BYTES:
            raise ValueError("safetensors header too large")
        header = json.loads(fh.read(length))
    if not isinstance(header, dict):
        raise ValueError("safetensors header is not an object")
    return header


def load_bytes(root: Path, dtype: str) -> int:
    """Bytes the weights of ``root`` (a directory or a GGUF file) take once cast to ``dtype``.

    Floating tensors are counted at ``dtype``'s width, others at their own; a file whose
    header cannot be read counts at its size on disk (the load will fail and say why).
    """
    width = TORCH_ITEMSIZE.get(dtype, 4)
    if root.is_file():  # a GGUF file: every tensor is dequantized to ``dtype``
        return gguf.load_bytes(root, width)
    total = 0
    for path in weight_files(root):
        try:
            header = safetensors_header(path)
        except (OSError, ValueError):
            total += path.stat().st_size
            continue
        for name, info in header.items():
            if name == "__metadata__" or not isinstance(info, dict):
                continue
            numel = 1
            for dim in info.get("shape", []):
                numel *= int(dim)
            code = str(info.get("dtype", "F32"))
            total += numel * (width if code in ST_FLOAT else ST_ITEMSIZE.get(code, 4))
    return total


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object file, or None when it is absent or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def declared_dtype(root: Path) -> str | None:
    """The dtype config.json declares (``dtype`` or the older ``torch_dtype``), or a GGUF
    file's float type."""
    if root.is_file():
        return gguf.declared_dtype(root)
    config = read_json(root / "config.json") or {}
    value = config.get("dtype") or config.get("torch_dtype")
    return str(value) if value else None


def has_tokenizer(root: Path) -> bool:
    return any((root / name).is_file() for name in TOKENIZER_MARKERS)


def missing_tokenizer_file(root: Path) -> str | None:
    """A one-line defect when the tokenizer config names a file that is not there."""
    config_path = root / TOKENIZER_CONFIG
    if not config_path.is_file():
        return None
    config = read_json(config_path)
    if config is None:
        return f"{TOKENIZER_CONFIG} is not a JSON object"
    for key, value in sorted(config.items()):
        if key.endswith("_file") and isinstance(value, str) and value:
            if not (root / Path(value).name).is_file():
                return f"tokenizer file {value} named by {TOKENIZER_CONFIG} ({key}) is missing"
    if not any((root / name).is_file() for name in TOKENIZER_BACKING):
        return f"{TOKENIZER_CONFIG} present but no tokenizer file ({', '.join(TOKENIZER_BACKING)})"
    return None
