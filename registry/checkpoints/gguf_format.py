"""A strict, bounded GGUF header parser: nothing in a file is trusted before it validates.

Layout (little-endian, versions 2 and 3): magic ``GGUF``, u32 version, u64 tensor count,
u64 key/value count; the key/value pairs (string key, u32 value type, value); one info per
tensor (string name, u32 dimension count, u64 per dimension, u32 ggml type, u64 offset in
the data area); then the data area, starting at the header's end rounded up to the
alignment (``general.alignment``, default 32). A string is a u64 length and its bytes.

Rules enforced here (each violation is a ``GGUFFormatError`` naming the file and defect):

- the magic, a version of 2 or 3 (big-endian files and version 1 are refused);
- at most ``MAX_TENSORS`` tensors and ``MAX_KEYS`` keys, and no more than the file's
  remaining bytes could hold; the header ends within ``MAX_HEADER_BYTES``;
- every length (strings, arrays) fits in the file before anything is read or allocated;
  keys are non-empty UTF-8 of at most 65,535 bytes, tensor names of at most 64, neither
  repeated nor holding a NUL byte; value types are the thirteen GGUF defines (an array of
  arrays is refused, as llama.cpp refuses it); ``general.alignment`` is a uint32 power of
  two;
- a tensor has at most 4 dimensions, each below 2^63, a known ggml type, a first dimension
  that is a whole number of the type's blocks, an offset that is a multiple of the
  alignment; sorted by offset, each tensor starts where the previous one ends rounded up to
  the alignment (llama.cpp's rule: no overlap, no gap), ends inside the file, and after the
  last one there is at most its padding.

The file is read through a bounded buffer: large arrays and strings are skipped (their
lengths checked against the file) rather than read, and only scalar values are kept,
strings cut at ``MAX_KEPT_STRING`` bytes. Shapes are recorded in row-major order (ggml's
dimension list reversed), as numpy and torch see the tensor.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import IO, Any, NoReturn

from registry.checkpoints.ggml_types import GGML_TYPES
from registry.checkpoints.safetensors_format import TensorInfo, _short
from registry.errors import CheckpointError

GGUF_MAGIC = b"GGUF"
VERSIONS = (2, 3)
FIXED_BYTES = 24  # magic, version, tensor count, key/value count
DEFAULT_ALIGNMENT = 32
MAX_HEADER_BYTES = 256 * 1024 * 1024
MAX_TENSORS = 1 << 20
MAX_KEYS = 1 << 20
MAX_KEY_BYTES = 65535
MAX_TENSOR_NAME_BYTES = 64
MAX_DIMS = 4
MAX_DIM = 2**63 - 1
MAX_KEPT_STRING = 64 * 1024
MIN_KV_BYTES = 8 + 1 + 4 + 1  # key length, one key byte, value type, a one-byte value
MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 4 + 8  # name length, one byte, dims, type, offset
READ_CHUNK = 1024 * 1024
_U32, _U64 = struct.Struct("<I"), struct.Struct("<Q")

STRING, ARRAY = 8, 9
# Fixed-size value types: id -> (name, struct format).
SCALARS: dict[int, tuple[str, str]] = {
    0: ("uint8", "<B"),
    1: ("int8", "<b"),
    2: ("uint16", "<H"),
    3: ("int16", "<h"),
    4: ("uint32", "<I"),
    5: ("int32", "<i"),
    6: ("float32", "<f"),
    7: ("bool", "<B"),
    10: ("uint64", "<Q"),
    11: ("int64", "<q"),
    12: ("float64", "<d"),
}


class GGUFFormatError(CheckpointError):
    """A GGUF file whose header breaks a rule of the format."""


@dataclass(frozen=True, slots=True)
class GGUFArray:
    """An array value, kept as its item type and length only."""

    item_type: str
    length: int


@dataclass(frozen=True, slots=True)
class GGUFHeader:
    """A validated header; ``data_start`` is the file offset of the data area."""

    version: int
    alignment: int
    data_start: int
    file_size: int
    tensors: tuple[TensorInfo, ...]  # sorted by offset; ``dtype`` is the ggml type name
    metadata: dict[str, Any]  # scalar values (strings cut); arrays as GGUFArray
    value_types: dict[str, str]

    def file_range(self, tensor: TensorInfo) -> tuple[int, int]:
        """The tensor's [start, end) in the file."""
        return self.data_start + tensor.begin, self.data_start + tensor.end


def _align(n: int, alignment: int) -> int:
    return -(-n // alignment) * alignment


class _Cursor:
    """Reads a file front to back through a bounded buffer, checking every length first."""

    def __init__(self, rel: str, fh: IO[bytes], size: int) -> None:
        self.rel = rel
        self.fh = fh
        self.size = size
        self.buf = b""
        self.at = 0  # index into buf
        self.base = 0  # file offset of buf[0]

    @property
    def pos(self) -> int:
        return self.base + self.at

    def fail(self, defect: str) -> NoReturn:
        raise GGUFFormatError(self.rel, defect)

    def room(self, n: int, what: str) -> None:
        """Fail unless ``n`` more bytes exist in the file and within the header cap."""
        end = self.pos + n
        if end > self.size:
            self.fail(f"{what} runs past the end of the file ({self.size} bytes)")
        if end > MAX_HEADER_BYTES:
            self.fail(f"GGUF header larger than the {MAX_HEADER_BYTES}-byte cap")

    def take(self, n: int, what: str) -> bytes:
        self.room(n, what)
        if self.at + n > len(self.buf):
            rest = self.buf[self.at :]
            self.base, self.at = self.pos, 0
            self.fh.seek(self.base + len(rest))
            want = min(max(n - len(rest), READ_CHUNK), self.size - self.base - len(rest))
            self.buf = rest + self.fh.read(want)
            if len(self.buf) < n:
                self.fail("file shrank while being read")
        out = self.buf[self.at : self.at + n]
        self.at += n
        return out

    def skip(self, n: int, what: str) -> None:
        self.room(n, what)
        if self.at + n <= len(self.buf):
            self.at += n
        else:
            self.base, self.at, self.buf = self.pos + n, 0, b""

    def scalar(self, fmt: str, what: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))[0]

    def u32(self, what: str) -> int:
        return int(_U32.unpack(self.take(4, what))[0])

    def u64(self, what: str) -> int:
        return int(_U64.unpack(self.take(8, what))[0])

    def skip_strings(self, count: int, what: str) -> None:
        """Skip ``count`` strings (a tokenizer's vocabulary), each length checked."""
        for _ in range(count):
            self.skip(self.u64(what), what)

    def name(self, what: str, limit: int) -> str:
        """A key or tensor name: non-empty, at most ``limit`` bytes, strict UTF-8."""
        n = self.u64(f"{what} length")
        if n == 0 or n > limit:
            self.fail(f"{what} is {n} bytes long (1 to {limit} allowed)")
        raw = self.take(n, what)
        if b"\0" in raw:
            self.fail(f"{what} contains a NUL byte")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.fail(f"{what} is not valid UTF-8")

    def string(self, what: str) -> str:
        n = self.u64(f"{what} length")
        self.room(n, f"{what} ({n} bytes)")
        kept = self.take(min(n, MAX_KEPT_STRING), what)
        if n > MAX_KEPT_STRING:
            self.skip(n - MAX_KEPT_STRING, what)
        return kept.decode("utf-8", "replace")


def _value(c: _Cursor, key: str, vtype: int) -> tuple[str, Any]:
    label = f"value of {_short(key)}"
    if vtype in SCALARS:
        tname, fmt = SCALARS[vtype]
        value = c.scalar(fmt, label)
        return tname, bool(value) if vtype == 7 else value
    if vtype == STRING:
        return "string", c.string(label)
    if vtype != ARRAY:
        c.fail(f"key {_short(key)} has an unknown value type {vtype}")
    item = c.u32(label)
    if item == ARRAY:
        c.fail(f"key {_short(key)} is an array of arrays (not supported)")
    if item != STRING and item not in SCALARS:
        c.fail(f"key {_short(key)} is an array of an unknown value type {item}")
    count = c.u64(label)
    width = 8 if item == STRING else struct.calcsize(SCALARS[item][1])
    if count * width > c.size - c.pos:
        c.fail(
            f"array {_short(key)} of {count} items runs past the end of the file ({c.size} bytes)"
        )
    if item == STRING:
        c.skip_strings(count, f"a string of array {_short(key)}")
        return "array[string]", GGUFArray("string", count)
    c.skip(count * width, label)
    return f"array[{SCALARS[item][0]}]", GGUFArray(SCALARS[item][0], count)


def _counts(c: _Cursor) -> tuple[int, int, int]:
    if c.size == 0:
        c.fail("empty file, not a GGUF file")
    if c.take(min(4, c.size), "magic") != GGUF_MAGIC:
        c.fail("not a GGUF file (bad magic)")
    if c.size < FIXED_BYTES:
        c.fail(f"truncated GGUF header: {c.size} bytes, the fixed part alone takes {FIXED_BYTES}")
    version = c.u32("version")
    if version not in VERSIONS:
        if version & 0xFFFF == 0 and (version >> 24) in VERSIONS:
            c.fail("big-endian GGUF file (not supported)")
        c.fail(f"unsupported GGUF version {version} (versions 2 and 3 are read)")
    n_tensors, n_keys = c.u64("tensor count"), c.u64("key/value count")
    for what, n, cap in (("tensor", n_tensors, MAX_TENSORS), ("key/value", n_keys, MAX_KEYS)):
        if n > cap:
            c.fail(f"{what} count {n} exceeds the cap of {cap}")
    need = n_keys * MIN_KV_BYTES + n_tensors * MIN_TENSOR_INFO_BYTES
    if need > c.size - c.pos:
        c.fail(
            f"{n_tensors} tensors and {n_keys} keys cannot fit in a file of {c.size} bytes "
            f"(absurd counts)"
        )
    return version, n_tensors, n_keys


def _alignment(c: _Cursor, metadata: dict[str, Any], types: dict[str, str]) -> int:
    if "general.alignment" not in metadata:
        return DEFAULT_ALIGNMENT
    value = metadata["general.alignment"]
    if types["general.alignment"] != "uint32" or value <= 0 or value & (value - 1):
        c.fail(f"general.alignment must be a uint32 power of two, not {_short(repr(value))}")
    return int(value)


def _tensor_info(c: _Cursor, i: int, alignment: int) -> tuple[str, str, tuple[int, ...], int, int]:
    name = c.name(f"tensor #{i} name", MAX_TENSOR_NAME_BYTES)
    label = f"tensor {_short(name)}"
    n_dims = c.u32(f"{label} dimension count")
    if n_dims > MAX_DIMS:
        c.fail(f"{label} has {n_dims} dimensions (at most {MAX_DIMS})")
    ne = [c.u64(f"{label} dimensions") for _ in range(n_dims)]
    if any(d > MAX_DIM for d in ne):
        c.fail(f"{label} has a dimension of 2^63 or more")
    type_id = c.u32(f"{label} type")
    if type_id not in GGML_TYPES:
        c.fail(f"{label} has an unknown ggml type {type_id}")
    dtype, block, type_size = GGML_TYPES[type_id]
    offset = c.u64(f"{label} offset")
    shape = tuple(reversed(ne))
    if (ne[0] if ne else 1) % block:
        c.fail(
            f"{label}: shape {list(shape)} × {dtype} is not a whole number "
            f"of {block}-element blocks"
        )
    if offset % alignment:
        c.fail(f"{label}: offset {offset} is misaligned (alignment {alignment})")
    return name, dtype, shape, offset, math.prod(ne) // block * type_size


def _layout(
    c: _Cursor,
    infos: list[tuple[str, str, tuple[int, ...], int, int]],
    data_start: int,
    alignment: int,
) -> tuple[TensorInfo, ...]:
    tensors = sorted(
        (TensorInfo(name, dtype, shape, off, off + n) for name, dtype, shape, off, n in infos),
        key=lambda t: (t.begin, t.end),
    )
    data_size = c.size - data_start
    expected = 0
    previous: TensorInfo | None = None
    for t in tensors:
        label = f"tensor {_short(t.name)}"
        if t.end > data_size:
            c.fail(
                f"{label}: data [{t.begin}, {t.end}) runs past the end of the file "
                f"(data area of {max(data_size, 0)} bytes)"
            )
        if t.begin < expected:
            other = _short(previous.name) if previous else "?"
            c.fail(f"{label} overlaps tensor {other} at data offset {t.begin}")
        if t.begin > expected:
            c.fail(f"gap of {t.begin - expected} bytes in the data area before {label}")
        expected = _align(t.end, alignment)
        previous = t
    if not tensors:  # the header's own padding at most
        expected = _align(data_start, alignment) - data_start
    if data_size > expected:
        what = "the last tensor and its padding" if tensors else "the header and its padding"
        c.fail(f"{data_size - expected} bytes of trailing data after {what}")
    return tuple(tensors)


def read_gguf_header(rel: str, fh: IO[bytes], size: int) -> GGUFHeader:
    """Read and validate the header of an open GGUF file of ``size`` bytes."""
    fh.seek(0)
    c = _Cursor(rel, fh, size)
    version, n_tensors, n_keys = _counts(c)
    metadata: dict[str, Any] = {}
    types: dict[str, str] = {}
    for i in range(n_keys):
        key = c.name(f"key #{i}", MAX_KEY_BYTES)
        if key in metadata:
            c.fail(f"duplicate key {_short(key)}")
        types[key], metadata[key] = _value(c, key, c.u32(f"type of key {_short(key)}"))
    alignment = _alignment(c, metadata, types)
    infos = []
    names: set[str] = set()
    for i in range(n_tensors):
        info = _tensor_info(c, i, alignment)
        if info[0] in names:
            c.fail(f"duplicate tensor name {_short(info[0])}")
        names.add(info[0])
        infos.append(info)
    header_end = c.pos
    data_start = _align(header_end, alignment) if infos else header_end
    if infos and data_start > size:
        c.fail(f"data area would start at byte {data_start}, past the end of the file ({size})")
    tensors = _layout(c, infos, data_start, alignment)
    return GGUFHeader(version, alignment, data_start, size, tensors, metadata, types)
