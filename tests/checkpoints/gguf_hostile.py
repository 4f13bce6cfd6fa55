"""Crafted GGUF files: a raw encoder that can put a defect anywhere, and the hostile cases.

``gguf_bytes`` writes the GGUF layout byte by byte (not with the ``gguf`` package, which
refuses to write most of these defects). ``HOSTILE_GGUF`` maps a case id to (builder, the
words of the defect the error must contain); every builder writes ``model.gguf`` into a
fresh directory, starting from the valid ``good()`` file and breaking one thing.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

NAME = "model.gguf"
STRING, ARRAY, UINT32, INT32 = 8, 9, 4, 5
Q8_0, F32 = 8, 0


def s(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def kv(key: str | bytes, vtype: int, payload: bytes) -> bytes:
    return s(key) + struct.pack("<I", vtype) + payload


def kv_str(key: str, value: str) -> bytes:
    return kv(key, STRING, s(value))


def kv_u32(key: str, value: int) -> bytes:
    return kv(key, UINT32, struct.pack("<I", value))


def kv_array(key: str, item: int, count: int, items: bytes) -> bytes:
    return kv(key, ARRAY, struct.pack("<IQ", item, count) + items)


def tensor_info(name: str | bytes, ne: Sequence[int], ggml_type: int, offset: int) -> bytes:
    dims = struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", d) for d in ne)
    return s(name) + dims + struct.pack("<IQ", ggml_type, offset)


def gguf_bytes(
    kvs: Sequence[bytes] = (),
    tensors: Sequence[bytes] = (),
    data: bytes = b"",
    *,
    version: int = 3,
    n_tensors: int | None = None,
    n_kv: int | None = None,
    alignment: int = 32,
    pad: bool = True,
) -> bytes:
    head = b"GGUF" + struct.pack("<IQQ", version, len(tensors) if n_tensors is None else n_tensors,
                                 len(kvs) if n_kv is None else n_kv)  # fmt: skip
    head += b"".join(kvs) + b"".join(tensors)
    if pad and tensors:
        head += b"\0" * (-len(head) % alignment)
    return head + data


def f32_data(n: int, seed: float = 0.5) -> bytes:
    return struct.pack(f"<{n}f", *(seed + i for i in range(n)))


def good_parts() -> tuple[list[bytes], list[bytes], bytes]:
    """A valid file: architecture and license, an F32 tensor of 4x8 and a Q8_0 tensor of 2x32."""
    kvs = [kv_str("general.architecture", "llama"), kv_str("general.license", "llama3.1")]
    tensors = [tensor_info("a.weight", [8, 4], F32, 0), tensor_info("b.weight", [32, 2], Q8_0, 128)]
    data = f32_data(32) + bytes(range(68)) + b"\0" * 28  # 128 + 68 bytes, padded to 224
    return kvs, tensors, data


def good() -> bytes:
    return gguf_bytes(*good_parts())


Builder = Callable[[Path], None]


def _write(data: bytes) -> Builder:
    def build(path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / NAME).write_bytes(data)

    return build


def _with(**changes: Any) -> bytes:
    kvs, tensors, data = good_parts()
    parts = {"kvs": kvs, "tensors": tensors, "data": data}
    options = {k: changes.pop(k) for k in list(changes) if k not in parts}
    parts.update(changes)
    return gguf_bytes(parts["kvs"], parts["tensors"], parts["data"], **options)


def _one(ne: Sequence[int], ggml_type: int = F32, name: str | bytes = "a.weight") -> Builder:
    """The good file with a single tensor declared instead of its two."""
    return _write(_with(tensors=[tensor_info(name, ne, ggml_type, 0)]))


def _second(
    ne: Sequence[int] = (32, 2),
    ggml_type: int = Q8_0,
    offset: int = 128,
    name: str = "b.weight",
    **changes: Any,
) -> Builder:
    """The good file with its second tensor declared differently."""
    first = tensor_info("a.weight", [8, 4], F32, 0)
    return _write(_with(tensors=[first, tensor_info(name, ne, ggml_type, offset)], **changes))


HOSTILE_GGUF: dict[str, tuple[Builder, str]] = {
    "bad-magic": (_write(b"GGUX" + good()[4:]), "not a GGUF file (bad magic)"),
    "truncated-fixed-part": (_write(good()[:10]), "truncated GGUF header: 10 bytes"),
    "truncated-in-metadata": (
        _write(gguf_bytes([kv_str("general.name", "x" * 200)])[:100]),
        "value of 'general.name' (200 bytes) runs past the end of the file (100 bytes)",
    ),
    "truncated-in-tensor-infos": (
        _write(good()[: len(gguf_bytes(good_parts()[0])) + 20]),
        "runs past the end of the file",
    ),
    "unsupported-version": (_write(_with(version=7)), "unsupported GGUF version 7"),
    "version-1": (_write(_with(version=1)), "unsupported GGUF version 1"),
    "big-endian": (_write(_with(version=3 << 24)), "big-endian GGUF file"),
    "absurd-tensor-count": (
        _write(_with(n_tensors=2**60)),
        "tensor count 1152921504606846976 exceeds",
    ),
    "absurd-kv-count": (_write(_with(n_kv=10**5)), "cannot fit in a file of"),
    "string-length-beyond-file": (
        _write(_with(kvs=[kv("general.name", STRING, struct.pack("<Q", 2**40) + b"x")])),
        "value of 'general.name' (1099511627776 bytes) runs past the end of the file",
    ),
    "array-length-beyond-file": (
        _write(_with(kvs=[kv_array("tokenizer.ggml.scores", 6, 2**50, b"\0" * 8)])),
        "array 'tokenizer.ggml.scores' of 1125899906842624 items runs past the end",
    ),
    "string-in-array-beyond-file": (
        _write(
            _with(
                kvs=[
                    kv_array("tokenizer.ggml.tokens", STRING, 2, s("a") + struct.pack("<Q", 2**33))
                ]
            )
        ),
        "a string of array 'tokenizer.ggml.tokens' runs past the end of the file",
    ),
    "unknown-value-type": (
        _write(_with(kvs=[kv("general.x", 13, b"\0" * 8)])),
        "unknown value type 13",
    ),
    "array-of-arrays": (
        _write(_with(kvs=[kv_array("general.tags", ARRAY, 1, b"\0" * 16)])),
        "array of arrays",
    ),
    "duplicate-key": (
        _write(_with(kvs=[kv_str("general.name", "a"), kv_str("general.name", "b")])),
        "duplicate key 'general.name'",
    ),
    "key-not-utf8": (
        _write(_with(kvs=[kv(b"general.\xff", UINT32, b"\0" * 4)])),
        "not valid UTF-8",
    ),
    "empty-key": (_write(_with(kvs=[kv(b"", UINT32, b"\0" * 4)])), "key #0 is 0 bytes long"),
    "alignment-not-power-of-two": (
        _write(_with(kvs=[kv_u32("general.alignment", 24)])),
        "general.alignment must be a uint32 power of two",
    ),
    "unknown-ggml-type": (
        _one([8, 4], ggml_type=4),
        "tensor 'a.weight' has an unknown ggml type 4",
    ),
    "too-many-dimensions": (_one([2, 2, 2, 2, 2]), "has 5 dimensions (at most 4)"),
    "tensor-name-too-long": (_one([8, 4], name="w" * 65), "tensor #0 name is 65 bytes long"),
    "tensor-name-with-nul": (_one([8, 4], name=b"a\0weight"), "tensor #0 name contains a NUL byte"),
    "dimension-too-large": (_one([2**63, 1]), "has a dimension of 2^63 or more"),
    "duplicate-tensor-name": (_second(name="a.weight"), "duplicate tensor name 'a.weight'"),
    "misaligned-offset": (
        _second(offset=132),
        "tensor 'b.weight': offset 132 is misaligned (alignment 32)",
    ),
    "overlapping-tensors": (_second(offset=96), "overlaps tensor 'a.weight' at data offset 96"),
    "gap-between-tensors": (
        _second(offset=160, data=good_parts()[2] + b"\0" * 32),
        "gap of 32 bytes in the data area before tensor 'b.weight'",
    ),
    "tensor-out-of-bounds": (
        _second(offset=2**40),
        "tensor 'b.weight': data [1099511627776, 1099511627844) runs past the end of the file",
    ),
    "data-truncated": (_write(good()[:-60]), "runs past the end of the file"),
    "shape-not-whole-blocks": (
        _second(ne=(16, 2)),
        "shape [2, 16] × Q8_0 is not a whole number of 32-element blocks",
    ),
    "shape-larger-than-data": (
        _second(ne=(2**62, 2**62), ggml_type=F32),
        "runs past the end of the file",
    ),
    "trailing-data": (
        _write(good() + b"\0" * 64),
        "64 bytes of trailing data after the last tensor",
    ),
}
