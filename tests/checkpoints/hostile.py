"""Crafted hostile checkpoints: each builder writes one defect into a fresh directory.

``HOSTILE`` maps a case id to (builder, the file the error must name, words of the defect).
Every builder starts from a valid tiny checkpoint (config.json and a safetensors file)
and breaks one thing, so the defect is the only reason ``add`` can refuse.
"""

from __future__ import annotations

import json
import os
import pickle
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save

GOOD = "model.safetensors"


def tensors() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    return {
        "a.weight": rng.standard_normal((4, 4), dtype=np.float32),
        "b.weight": rng.standard_normal((8,), dtype=np.float32),
    }


def safetensors_bytes(header: Any, data: bytes, *, length: int | None = None) -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    n = len(raw) if length is None else length
    return struct.pack("<Q", n) + raw + data


def valid_header() -> tuple[dict[str, Any], bytes]:
    t = tensors()
    header = {
        "a.weight": {"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 64]},
        "b.weight": {"dtype": "F32", "shape": [8], "data_offsets": [64, 96]},
    }
    return header, t["a.weight"].tobytes() + t["b.weight"].tobytes()


def base(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    return path


def _write(path: Path, name: str, data: bytes) -> None:
    (base(path) / name).write_bytes(data)


class _System:
    """Pickles to ``os.system('true')`` (the payload never runs: nothing unpickles)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, ("true",))


def _with_header(mutate: Callable[[dict[str, Any]], None], data: bytes | None = None) -> bytes:
    header, payload = valid_header()
    mutate(header)
    return safetensors_bytes(header, payload if data is None else data)


def _sharded(path: Path, shard_name: str, extra: str | None = None) -> None:
    base(path)
    (path / "model-00001-of-00001.safetensors").write_bytes(save(tensors()))
    index = {"metadata": {}, "weight_map": dict.fromkeys(tensors(), shard_name)}
    if extra:
        index["weight_map"][extra] = shard_name
    (path / "model.safetensors.index.json").write_text(json.dumps(index))


def _zip_of_pickle() -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps(_System(), protocol=2))
        zf.writestr("archive/version", "3\n")
    return buf.getvalue()


def _set(key: str, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(h: dict[str, Any]) -> None:
        h[key][field] = value

    return mutate


Builder = Callable[[Path], None]

HOSTILE: dict[str, tuple[Builder, str, str]] = {
    "truncated-header": (lambda p: _write(p, GOOD, b"\x10\x00\x00"), GOOD, "truncated"),
    "length-beyond-file": (
        lambda p: _write(p, GOOD, struct.pack("<Q", 4096) + b'{"a": 1}'),
        GOOD,
        "past the end",
    ),
    "length-2^63": (
        lambda p: _write(p, GOOD, struct.pack("<Q", 2**63) + b"{}" * 8),
        GOOD,
        "exceeds",
    ),
    "non-utf8": (
        lambda p: _write(p, GOOD, safetensors_bytes(b'{"\xff\xfe": {"dtype": "F32"}}', b"")),
        GOOD,
        "UTF-8",
    ),
    "duplicate-keys": (
        lambda p: _write(
            p,
            GOOD,
            safetensors_bytes(
                b'{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},'
                b' "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}',
                b"\0" * 4,
            ),
        ),
        GOOD,
        "duplicate key",
    ),
    "overlapping-offsets": (
        lambda p: _write(
            p, GOOD, _with_header(_set("b.weight", "data_offsets", [32, 64]), b"\0" * 64)
        ),
        GOOD,
        "overlaps",
    ),
    "gap-between-tensors": (
        lambda p: _write(
            p,
            GOOD,
            _with_header(_set("b.weight", "data_offsets", [96, 128]), b"\0" * 128),
        ),
        GOOD,
        "gap",
    ),
    "shape-size-mismatch": (
        lambda p: _write(p, GOOD, _with_header(_set("a.weight", "shape", [4, 5]))),
        GOOD,
        "does not fill",
    ),
    "unknown-dtype": (
        lambda p: _write(p, GOOD, _with_header(_set("a.weight", "dtype", "F128"))),
        GOOD,
        "unknown dtype",
    ),
    "header-not-object": (
        lambda p: _write(p, GOOD, safetensors_bytes([1, 2, 3], b"")),
        GOOD,
        "not a JSON object",
    ),
    "trailing-bytes": (
        lambda p: _write(p, GOOD, _with_header(lambda h: None, valid_header()[1] + b"\0" * 8)),
        GOOD,
        "after the last tensor",
    ),
    "metadata-not-strings": (
        lambda p: _write(
            p, GOOD, _with_header(lambda h: h.update({"__metadata__": {"format": 1}}))
        ),
        GOOD,
        "__metadata__",
    ),
    "index-outside": (
        lambda p: _sharded(p, "../../outside.safetensors"),
        "model.safetensors.index.json",
        "outside the checkpoint",
    ),
    "index-unknown-shard": (
        lambda p: _sharded(p, "model-00002-of-00002.safetensors"),
        "model.safetensors.index.json",
        "not a safetensors file here",
    ),
    "index-tensor-not-in-shard": (
        lambda p: _sharded(p, "model-00001-of-00001.safetensors", extra="c.weight"),
        "model.safetensors.index.json",
        "whose header lacks it",
    ),
    "pickle-named-safetensors": (
        lambda p: _write(p, GOOD, pickle.dumps(_System(), protocol=4)),
        GOOD,
        "pickle data disguised as safetensors (imports posix.system",
    ),
    "pickle-os-system-bin": (
        lambda p: _write(p, "pytorch_model.bin", pickle.dumps(_System(), protocol=2)),
        "pytorch_model.bin",
        "dangerous globals (posix.system)",
    ),
    "truncated-pickle-bin": (
        lambda p: _write(p, "pytorch_model.bin", pickle.dumps({"w": [1.0] * 64}, protocol=2)[:-9]),
        "pytorch_model.bin",
        "truncated",
    ),
    "zip-of-pickles-unnamed": (
        lambda p: _write(p, "weights.dat", _zip_of_pickle()),
        "weights.dat",
        "dangerous globals (posix.system)",
    ),
    "symlink-etc-passwd": (
        lambda p: os.symlink("/etc/passwd", base(p) / GOOD),
        GOOD,
        "escapes the checkpoint",
    ),
    "fifo": (lambda p: os.mkfifo(base(p) / "weights.bin"), "weights.bin", "FIFO"),
    "empty-file": (lambda p: _write(p, GOOD, b""), GOOD, "empty file"),
    "gguf-garbage": (
        lambda p: _write(p, "model.gguf", b"GGUF" + b"\xff" * 60),
        "model.gguf",
        "unsupported GGUF version 4294967295",
    ),
}
