"""Raw safetensors writing for provenance tests (any dtype, bfloat16 included)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np


def bf16_bytes(values: np.ndarray) -> bytes:
    """bfloat16 encoding of float32 values by truncation (their top 16 bits)."""
    words = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)
    return (words >> 16).astype(np.uint16).tobytes()


def bf16_round(values: np.ndarray) -> np.ndarray:
    """float32 values that are exactly bfloat16 (low 16 bits cleared)."""
    words = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32) & np.uint32(0xFFFF0000)
    return words.view(np.float32)


def write_raw(path: Path, tensors: dict[str, tuple[str, tuple[int, ...], bytes]]) -> Path:
    """A safetensors file from (dtype, shape, raw bytes) per tensor."""
    header: dict[str, object] = {}
    offset = 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {
            "dtype": dtype,
            "shape": list(shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        offset += len(raw)
    blob = json.dumps(header).encode()
    blob += b" " * (-len(blob) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(blob)))
        fh.write(blob)
        for _, _, raw in tensors.values():
            fh.write(raw)
    return path


def checkpoint(path: Path, tensors: dict[str, tuple[str, tuple[int, ...], bytes]]) -> Path:
    """A checkpoint directory with one safetensors file and a Llama config."""
    write_raw(path / "model.safetensors", tensors)
    (path / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"]}))
    return path


def f32(values: np.ndarray) -> tuple[str, tuple[int, ...], bytes]:
    v = np.ascontiguousarray(values, dtype=np.float32)
    return ("F32", v.shape, v.tobytes())


def f16(values: np.ndarray) -> tuple[str, tuple[int, ...], bytes]:
    v = np.ascontiguousarray(values, dtype=np.float16)
    return ("F16", v.shape, v.tobytes())


def bf16(values: np.ndarray) -> tuple[str, tuple[int, ...], bytes]:
    return ("BF16", values.shape, bf16_bytes(values))
