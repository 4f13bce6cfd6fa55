"""Reading the tensors a test samples, by offset, as float32 rows in ``[out, in]`` order.

Safetensors files are opened through the strict header parser of
:mod:`registry.checkpoints.safetensors_format` and read with ``numpy.memmap``, so only the
rows asked for are paged in. GGUF files are read with the ``gguf`` package; only the rows
asked for are dequantized (Q8_0, Q4_0 and every type the package knows), and llama.cpp's
Q/K row permutation is undone (:func:`registry.provenance.names.unpermute_rows`). int8
weights stored with a per-row scale (``.weight_scale``, or bitsandbytes' ``.SCB``) are
dequantized with it. Memory is bounded by the rows requested, never the checkpoint.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.checkpoints.safetensors_format import read_header
from registry.errors import CheckpointError
from registry.provenance.names import Key, gguf_key, hf_key, key_text, unpermute_rows
from registry.provenance.vocab import tokens_from_tokenizer_json

if TYPE_CHECKING:
    import numpy as np

# numpy is imported where tensors are read: opening a checkpoint (headers, tokenizer) and
# the exact-reuse check need none of it
_NUMPY_TYPES = {"F32": "float32", "F16": "float16", "F64": "float64", "I8": "int8"}


@dataclass(frozen=True)
class _Tensor:
    path: Path
    name: str
    dtype: str
    shape: tuple[int, ...]
    start: int = 0  # file offset (safetensors)
    scale: _Tensor | None = None  # int8 weights: per-row scale
    scale_divisor: float = 1.0  # bitsandbytes stores absmax: weight = q * SCB / 127
    gguf_index: int = -1
    heads: int = 0  # GGUF Q/K: rows permuted by llama.cpp within this many heads


class Weights:
    """The comparable tensors of one checkpoint and its token strings."""

    def __init__(self, root: Path, fmt: str, tensors: dict[Key, _Tensor], tokens: Any) -> None:
        self.root = root
        self.format = fmt
        self.tensors = tensors
        self.tokens: list[str | None] | None = tokens
        self._gguf: dict[Path, Any] = {}
        embed = tensors.get("embed") or tensors.get("lm_head")
        q0 = tensors.get((0, "q"))
        self.hidden = int(embed.shape[1]) if embed else int(q0.shape[1]) if q0 else 0
        self.layers = 1 + max((k[0] for k in tensors if isinstance(k, tuple)), default=-1)

    def has(self, key: Key) -> bool:
        return key in self.tensors

    def shape(self, key: Key) -> tuple[int, ...]:
        return self.tensors[key].shape

    def rows(self, key: Key, index: np.ndarray | None = None) -> np.ndarray:
        """Rows of a 2-D weight (all when ``index`` is None) as float32."""
        t = self.tensors[key]
        try:
            return self._rows(t, index)
        except CheckpointError:
            raise
        except (OSError, ValueError, IndexError, TypeError, KeyError, NotImplementedError) as exc:
            raise CheckpointError(
                t.path.name, f"cannot read tensor {t.name} ({key_text(key)}): {exc}"
            ) from None

    def vector(self, key: Key, size: int) -> np.ndarray:
        """A 1-D weight (a norm) as float32; ones when the checkpoint has none."""
        import numpy as np

        if key not in self.tensors:
            return np.ones(size, dtype=np.float32)
        v = self.rows(key).reshape(-1)
        return v if v.shape[0] == size else np.ones(size, dtype=np.float32)

    def _rows(self, t: _Tensor, index: np.ndarray | None) -> np.ndarray:
        import numpy as np

        if t.gguf_index >= 0:
            return self._gguf_rows(t, index)
        shape = t.shape if len(t.shape) == 2 else (1, int(np.prod(t.shape)))
        named = _NUMPY_TYPES.get(t.dtype)
        raw_type = np.uint16 if t.dtype == "BF16" else None if named is None else np.dtype(named)
        if raw_type is None:
            raise CheckpointError(t.path.name, f"tensor {t.name}: dtype {t.dtype} not readable")
        data = np.memmap(t.path, dtype=raw_type, mode="r", offset=t.start, shape=shape)
        picked = np.asarray(data if index is None else data[index])
        if t.dtype == "BF16":
            out = (picked.astype(np.uint32) << 16).view(np.float32)
        else:
            out = picked.astype(np.float32)
        if t.scale is not None:
            scale = self._rows(t.scale, None).reshape(-1)
            scale = scale if index is None else scale[index]
            out *= (scale / t.scale_divisor)[:, None]
        return out if len(t.shape) == 2 else out.reshape(t.shape)

    def _gguf_rows(self, t: _Tensor, index: np.ndarray | None) -> np.ndarray:
        import numpy as np
        from gguf import quants

        reader = self._reader(t.path)
        tensor = reader.tensors[t.gguf_index]
        rows = np.arange(t.shape[0]) if index is None else np.asarray(index)
        if t.heads:
            rows = unpermute_rows(rows, t.shape[0], t.heads)
        data = tensor.data
        picked = np.asarray(data[rows] if data.ndim == 2 else data)
        values = np.asarray(quants.dequantize(picked, tensor.tensor_type), dtype=np.float32)
        return values.reshape(len(rows), -1) if len(t.shape) == 2 else values.reshape(t.shape)

    def _reader(self, path: Path) -> Any:
        if path not in self._gguf:
            self._gguf[path] = _gguf_reader(path)
        return self._gguf[path]


def _gguf_reader(path: Path) -> Any:
    try:
        import gguf

        return gguf.GGUFReader(path, "r")
    except Exception as exc:  # the reader fails in many ways on a malformed file
        raise CheckpointError(path.name, f"malformed GGUF file: {exc}") from None


def open_weights(root: Path) -> Weights:
    """The safetensors weights of a checkpoint directory, else its (first) GGUF file."""
    files = sorted(root.glob("*.safetensors")) if root.is_dir() else [root]
    if root.is_dir() and not files:
        files = sorted(root.glob("*.gguf"))
    if not files:
        raise CheckpointError(str(root), "no safetensors or GGUF weights to compare")
    tokens = tokens_from_tokenizer_json(root / "tokenizer.json") if root.is_dir() else None
    if files[0].suffix == ".gguf":
        return _open_gguf(root, files[0], tokens)
    return Weights(root, "safetensors", _safetensors_tensors(files), tokens)


def _safetensors_tensors(files: list[Path]) -> dict[Key, _Tensor]:
    by_name: dict[str, _Tensor] = {}
    for path in files:
        try:
            with open(path, "rb") as fh:
                header = read_header(path.name, fh, os.fstat(fh.fileno()).st_size)
        except OSError as exc:
            raise CheckpointError(path.name, f"cannot read: {exc.strerror or exc}") from None
        for info in header.tensors:
            start, _ = header.file_range(info)
            by_name[info.name] = _Tensor(path, info.name, info.dtype, info.shape, start)
    out: dict[Key, _Tensor] = {}
    for name, t in by_name.items():
        key = hf_key(name)
        if key is None:
            continue
        if t.dtype == "I8":
            base = name[: -len("weight")]
            scale = by_name.get(base + "weight_scale")
            divisor = 1.0
            if scale is None and (scale := by_name.get(base + "SCB")) is not None:
                divisor = 127.0
            if scale is None:
                continue  # int8 without a scale is not a weight we can read
            t = _Tensor(t.path, t.name, t.dtype, t.shape, t.start, scale, divisor)
        out[key] = t
    return out


def _open_gguf(root: Path, path: Path, tokens: list[str | None] | None) -> Weights:
    reader = _gguf_reader(path)
    try:
        fields = reader.fields
        arch = str(fields["general.architecture"].contents())
        heads = int(fields[f"{arch}.attention.head_count"].contents())
        kv_field = fields.get(f"{arch}.attention.head_count_kv")
        kv_heads = int(kv_field.contents()) if kv_field is not None else heads
        if tokens is None and "tokenizer.ggml.tokens" in fields:
            tokens = [str(t) for t in fields["tokenizer.ggml.tokens"].contents()]
        out: dict[Key, _Tensor] = {}
        for i, tensor in enumerate(reader.tensors):
            key = gguf_key(str(tensor.name))
            if key is None:
                continue
            shape = tuple(int(d) for d in reversed(list(tensor.shape)))
            permuted = 0
            if arch == "llama" and isinstance(key, tuple) and key[1] in ("q", "k"):
                permuted = heads if key[1] == "q" else kv_heads
            out[key] = _Tensor(
                path, str(tensor.name), str(tensor.tensor_type), shape, 0, None, 1.0, i, permuted
            )
    except CheckpointError:
        raise
    except Exception as exc:
        raise CheckpointError(path.name, f"malformed GGUF file: {exc}") from None
    weights = Weights(root, "gguf", out, tokens)
    weights._gguf[path] = reader
    return weights
