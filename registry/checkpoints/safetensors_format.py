"""A strict safetensors header parser: nothing in a file is trusted before it validates.

Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON (an object), then the
data area. Rules enforced here (each violation is a ``SafetensorsFormatError`` naming the
file and the defect):

- N is at most ``MAX_HEADER_BYTES`` (100 MB, the cap the reference implementation uses) and
  fits in the file; the header starts with ``{``; it is strict UTF-8 and strict JSON (no
  duplicate keys, no NaN/Infinity);
- every entry other than ``__metadata__`` is an object with exactly ``dtype`` (a known
  dtype), ``shape`` (non-negative integers) and ``data_offsets`` ([begin, end]);
- element count × dtype size equals ``end - begin`` (Python integers: no overflow);
- sorted by offset, the tensors are contiguous, never overlap, start at 0 and end exactly at
  the end of the data area (no gap, no trailing bytes);
- ``__metadata__``, when present, maps strings to strings.

The parser works on bytes it is given; it never reads more than the header it validated.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

from registry.errors import CheckpointError

MAX_HEADER_BYTES = 100_000_000
LENGTH_BYTES = 8

# Bits per element of every dtype the safetensors format defines.
DTYPE_BITS: Mapping[str, int] = {
    "BOOL": 8,
    "U8": 8,
    "I8": 8,
    "F8_E5M2": 8,
    "F8_E4M3": 8,
    "F8_E8M0": 8,
    "F4": 4,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
    "I16": 16,
    "U16": 16,
    "F16": 16,
    "BF16": 16,
    "I32": 32,
    "U32": 32,
    "F32": 32,
    "C64": 64,
    "F64": 64,
    "I64": 64,
    "U64": 64,
}

_ENTRY_KEYS = frozenset({"dtype", "shape", "data_offsets"})


class SafetensorsFormatError(CheckpointError):
    """A safetensors file whose header breaks a rule of the format."""


@dataclass(frozen=True, slots=True)
class TensorInfo:
    """One tensor as its header declares it; ``begin``/``end`` are offsets in the data area."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    begin: int
    end: int

    @property
    def nbytes(self) -> int:
        return self.end - self.begin


@dataclass(frozen=True, slots=True)
class SafetensorsHeader:
    """A validated header: ``data_start`` is the file offset of the data area."""

    header_length: int
    data_start: int
    file_size: int
    tensors: tuple[TensorInfo, ...]  # sorted by offset
    metadata: dict[str, str]

    def file_range(self, tensor: TensorInfo) -> tuple[int, int]:
        """The tensor's [start, end) in the file."""
        return self.data_start + tensor.begin, self.data_start + tensor.end


def read_header(path: str, fh: IO[bytes], file_size: int) -> SafetensorsHeader:
    """Read and validate the header of an open safetensors file of ``file_size`` bytes."""
    fh.seek(0)
    prefix = fh.read(LENGTH_BYTES)
    length = _header_length(path, prefix, file_size)
    raw = fh.read(length)
    if len(raw) != length:
        raise SafetensorsFormatError(path, "safetensors header truncated (file shrank while read)")
    return parse_header(path, prefix + raw, file_size)


def parse_header(path: str, data: bytes, file_size: int) -> SafetensorsHeader:
    """Validate the first bytes of a safetensors file (length prefix and whole header)."""
    length = _header_length(path, data[:LENGTH_BYTES], file_size)
    raw = data[LENGTH_BYTES : LENGTH_BYTES + length]
    if len(raw) != length:
        raise SafetensorsFormatError(path, "safetensors header truncated")
    obj = _decode_json(path, raw)
    data_start = LENGTH_BYTES + length
    data_size = file_size - data_start
    metadata: dict[str, str] = {}
    tensors: list[TensorInfo] = []
    for key, value in obj.items():
        if key == "__metadata__":
            metadata = _metadata(path, value)
        else:
            tensors.append(_tensor(path, key, value, data_size))
    tensors.sort(key=lambda t: (t.begin, t.end))
    _check_layout(path, tensors, data_size)
    return SafetensorsHeader(length, data_start, file_size, tuple(tensors), metadata)


def _header_length(path: str, prefix: bytes, file_size: int) -> int:
    if file_size == 0:
        raise SafetensorsFormatError(path, "empty file, not a safetensors file")
    if len(prefix) < LENGTH_BYTES or file_size < LENGTH_BYTES:
        raise SafetensorsFormatError(
            path, f"truncated safetensors header: {file_size} bytes, the length alone takes 8"
        )
    (length,) = struct.unpack("<Q", prefix[:LENGTH_BYTES])
    if length > MAX_HEADER_BYTES:
        raise SafetensorsFormatError(
            path,
            f"safetensors header length {length} exceeds the {MAX_HEADER_BYTES}-byte cap",
        )
    if length > file_size - LENGTH_BYTES:
        raise SafetensorsFormatError(
            path,
            f"safetensors header length {length} runs past the end of the file ({file_size} bytes)",
        )
    if length < 2:
        raise SafetensorsFormatError(path, f"safetensors header length {length} is too short")
    return int(length)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _decode_json(path: str, raw: bytes) -> dict[str, Any]:
    if raw[:1] != b"{":
        raise SafetensorsFormatError(
            path, "safetensors header is not a JSON object (does not start with '{')"
        )
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise SafetensorsFormatError(
            path, f"safetensors header is not valid UTF-8 (byte {exc.start})"
        ) from None
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except _DuplicateKey as dup:
        raise SafetensorsFormatError(
            path, f"safetensors header has a duplicate key {_short(dup.key)}"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise SafetensorsFormatError(
            path, f"safetensors header is not valid JSON: {_short(str(exc), 80)}"
        ) from None
    if not isinstance(obj, dict):
        raise SafetensorsFormatError(path, "safetensors header is not a JSON object")
    return obj


def _metadata(path: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SafetensorsFormatError(path, "safetensors __metadata__ is not an object")
    for key, item in value.items():
        if not isinstance(item, str):
            raise SafetensorsFormatError(
                path, f"safetensors __metadata__ value of {_short(key)} is not a string"
            )
    return dict(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _tensor(path: str, name: str, entry: Any, data_size: int) -> TensorInfo:
    label = f"tensor {_short(name)}"
    if not name or "\0" in name or not _encodable(name):
        raise SafetensorsFormatError(path, f"{label}: empty or unrepresentable tensor name")
    if not isinstance(entry, dict):
        raise SafetensorsFormatError(path, f"{label}: entry is not an object")
    if set(entry) != _ENTRY_KEYS:
        missing = sorted(_ENTRY_KEYS - set(entry))
        extra = sorted(set(entry) - _ENTRY_KEYS)
        what = f"missing {missing}" if missing else f"unexpected keys {_short(str(extra))}"
        raise SafetensorsFormatError(path, f"{label}: {what}")
    dtype = entry["dtype"]
    if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
        raise SafetensorsFormatError(path, f"{label}: unknown dtype {_short(str(dtype))}")
    shape = entry["shape"]
    if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
        raise SafetensorsFormatError(path, f"{label}: shape is not a list of integers >= 0")
    offsets = entry["data_offsets"]
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(_is_int(o) and o >= 0 for o in offsets)
    ):
        raise SafetensorsFormatError(path, f"{label}: data_offsets is not [begin, end]")
    begin, end = offsets
    if begin > end:
        raise SafetensorsFormatError(path, f"{label}: data_offsets end before they begin")
    if end > data_size:
        raise SafetensorsFormatError(
            path, f"{label}: data_offsets [{begin}, {end}] run past the data area ({data_size})"
        )
    nbits = DTYPE_BITS[dtype]
    for dim in shape:  # stop early: a product larger than the file cannot match
        nbits *= dim
        if nbits > 8 * data_size:
            break
    if nbits % 8 or nbits // 8 != end - begin:
        raise SafetensorsFormatError(
            path,
            f"{label}: shape {_short(str(shape), 60)} × {dtype} does not fill its "
            f"{end - begin} bytes",
        )
    return TensorInfo(name, dtype, tuple(shape), begin, end)


def _check_layout(path: str, tensors: list[TensorInfo], data_size: int) -> None:
    position = 0
    previous: TensorInfo | None = None
    for t in tensors:
        if t.begin < position:
            other = _short(previous.name) if previous else "?"
            raise SafetensorsFormatError(
                path, f"tensor {_short(t.name)} overlaps tensor {other} at byte {t.begin}"
            )
        if t.begin > position:
            raise SafetensorsFormatError(
                path,
                f"gap of {t.begin - position} bytes in the data area before tensor "
                f"{_short(t.name)}",
            )
        position = t.end
        previous = t
    if position != data_size:
        raise SafetensorsFormatError(
            path,
            f"data area has {data_size - position} bytes after the last tensor "
            f"(tensors cover {position} of {data_size})",
        )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \\uD800 escape
        return False
    return True


def _short(text: str, limit: int = 60) -> str:
    """A name quoted for a one-line message, with control characters escaped and cut."""
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."
