"""The strict GGUF header parser: files the ``gguf`` writer makes parse exactly as its own
reader sees them; the bounds hold; and no input makes it fail other than with one line."""

from __future__ import annotations

import io
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.checkpoints import gguf_format
from registry.checkpoints.ggml_types import GGML_TYPES, is_quantized
from registry.checkpoints.gguf_format import GGUFArray, GGUFFormatError, read_gguf_header
from tests.checkpoints import gguf_builders as gb
from tests.checkpoints.gguf_hostile import (
    F32,
    UINT32,
    gguf_bytes,
    good,
    kv,
    kv_array,
    kv_str,
    kv_u32,
    tensor_info,
)
from tests.checkpoints.mutations import damage


def parse(data: bytes) -> gguf_format.GGUFHeader:
    return read_gguf_header("m.gguf", io.BytesIO(data), len(data))


def test_ggml_type_table_matches_the_gguf_package() -> None:
    import gguf

    theirs = {int(t): (t.name, *sizes) for t, sizes in gguf.GGML_QUANT_SIZES.items()}
    shared = set(theirs) & set(GGML_TYPES)
    assert len(shared) >= 30
    assert {t: GGML_TYPES[t] for t in shared} == {t: theirs[t] for t in shared}


@pytest.mark.parametrize("qtype", ["Q8_0", "F16", "BF16", "Q4_0", "F32"])
def test_writer_files_parse_as_the_gguf_reader_sees_them(tmp_path: Path, qtype: str) -> None:
    import gguf

    path = gb.write_gguf(
        tmp_path / "m.gguf",
        gb.llama_weights(vocab=gb.vocab_size(True)),
        qtype=qtype,
        metadata=gb.LLAMA31_META,
        tokenizer=True,
    )
    header = parse(path.read_bytes())
    reader = gguf.GGUFReader(str(path))
    theirs = {
        t.name: (
            t.tensor_type.name,
            tuple(int(d) for d in reversed(t.shape)),
            int(t.data_offset),
            int(t.n_bytes),
        )
        for t in reader.tensors
    }
    ours = {t.name: (t.dtype, t.shape, *header.file_range(t)) for t in header.tensors}
    assert {n: (d, s, a, b - a) for n, (d, s, a, b) in ours.items()} == theirs
    assert header.data_start == reader.data_offset
    assert header.metadata["general.license"] == "llama3.1"
    assert header.metadata["general.base_model.count"] == 1
    tokens = header.metadata["tokenizer.ggml.tokens"]
    assert tokens == GGUFArray("string", len(gb.tiny_tokenizer()[0]))
    assert header.value_types["tokenizer.ggml.token_type"] == "array[int32]"
    assert is_quantized(header.metadata["general.file_type"], []) is (qtype in ("Q8_0", "Q4_0"))


def test_a_file_without_tensors_and_its_padding() -> None:
    header = parse(gguf_bytes([kv_str("general.name", "x")]))
    assert header.tensors == () and header.metadata == {"general.name": "x"}
    padded = gguf_bytes([kv_str("general.name", "x")], [], b"\0" * 7)
    assert parse(padded).data_start == len(padded) - 7
    with pytest.raises(GGUFFormatError, match="trailing data after the header"):
        parse(gguf_bytes([kv_str("general.name", "x")], [], b"\0" * 40))


def test_zero_element_tensors_alignment_and_order() -> None:
    kvs = [kv_u32("general.alignment", 64)]
    infos = [
        tensor_info("late", [4], F32, 64),  # declared first, stored second
        tensor_info("early", [8], F32, 0),
        tensor_info("empty", [0, 3], F32, 128),
    ]
    data = b"\1" * 32 + b"\0" * 32 + b"\2" * 16 + b"\0" * 48
    header = parse(gguf_bytes(kvs, infos, data, alignment=64))
    assert header.alignment == 64
    assert [(t.name, t.begin, t.end) for t in header.tensors] == [
        ("early", 0, 32),
        ("late", 64, 80),
        ("empty", 128, 128),
    ]
    assert header.tensors[2].shape == (3, 0) and header.tensors[2].nbytes == 0


def test_the_last_tensor_may_lack_its_padding() -> None:
    data = good()
    assert parse(data[:-28]).tensors[-1].end == 196


def test_long_strings_are_kept_cut_and_arrays_as_their_length() -> None:
    text = "y" * (gguf_format.MAX_KEPT_STRING + 10)
    kvs = [kv_str("general.description", text), kv_array("v", UINT32, 3, b"\0" * 12)]
    header = parse(gguf_bytes(kvs))
    assert header.metadata["general.description"] == text[: gguf_format.MAX_KEPT_STRING]
    assert header.metadata["v"] == GGUFArray("uint32", 3)


def test_header_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gguf_format, "MAX_HEADER_BYTES", 200)
    with pytest.raises(GGUFFormatError, match="larger than the 200-byte cap"):
        parse(gguf_bytes([kv_str("general.name", "z" * 300)]))


def test_tensor_count_cap_and_error_type() -> None:
    from registry.errors import CheckpointError

    with pytest.raises(CheckpointError) as info:
        parse(gguf_bytes(n_tensors=gguf_format.MAX_TENSORS + 1))
    assert info.value.exit_code == 4 and info.value.path == "m.gguf"
    assert "exceeds the cap" in info.value.defect


def test_a_real_tokenizer_header_is_skipped_not_read(tmp_path: Path) -> None:
    """128k tokens and 280k merges, as a Llama 3 GGUF carries, parse with a small buffer."""
    import gguf

    path = tmp_path / "big.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_token_list([f"token{i}" for i in range(128_256)])
    writer.add_token_merges([f"a{i} b{i}" for i in range(280_147)])
    writer.add_tensor("x", np.zeros(8, np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with path.open("rb") as fh:
        header = read_gguf_header("big.gguf", fh, path.stat().st_size)
    assert header.metadata["tokenizer.ggml.merges"] == GGUFArray("string", 280_147)
    assert header.tensors[0].shape == (8,)


# --------------------------------------------------------------------------- property

_KEYS = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=12)
_NAMES = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20)
_TYPES = st.sampled_from(sorted(GGML_TYPES))


@st.composite
def valid_files(
    draw: st.DrawFn,
) -> tuple[bytes, dict[str, Any], list[tuple[str, str, tuple[int, ...]]]]:
    """A valid GGUF built from random keys, values and tensors, with what it declares."""
    alignment = draw(st.sampled_from([8, 32, 64]))
    meta: dict[str, Any] = {}
    kvs = [kv_u32("general.alignment", alignment)]
    for key in draw(st.lists(_KEYS, max_size=5, unique=True)):
        key = f"k.{key}"
        if draw(st.booleans()):
            meta[key] = draw(st.text(max_size=10))
            kvs.append(kv_str(key, meta[key]))
        else:
            meta[key] = draw(st.integers(0, 2**32 - 1))
            kvs.append(kv(key, UINT32, struct.pack("<I", meta[key])))
    infos, data, declared = [], b"", []
    for name in draw(st.lists(_NAMES, max_size=5, unique=True)):
        tid = draw(_TYPES)
        tname, block, size = GGML_TYPES[tid]
        ne = [block * draw(st.integers(0, 3)), *draw(st.lists(st.integers(1, 3), max_size=2))]
        infos.append(tensor_info(name, ne, tid, len(data)))
        nbytes = math.prod(ne) // block * size
        data += draw(st.binary(min_size=nbytes, max_size=nbytes))
        data += b"\0" * (-len(data) % alignment)
        declared.append((name, tname, tuple(reversed(ne))))
    return gguf_bytes(kvs, infos, data, alignment=alignment), meta, declared


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_files())
def test_valid_files_round_trip(built: tuple[bytes, dict[str, Any], list[Any]]) -> None:
    data, meta, declared = built
    header = parse(data)
    assert {k: v for k, v in header.metadata.items() if k.startswith("k.")} == meta
    assert sorted((t.name, t.dtype, t.shape) for t in header.tensors) == sorted(declared)


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(valid_files())[0] if draw(st.booleans()) else good())
    kind = draw(st.sampled_from(["bytes", "count", "truncate"]))
    if kind == "bytes":
        return damage(draw, data)
    if kind == "count":  # a tensor count, key count or a length anywhere
        pos = draw(st.integers(4, max(4, len(data) - 8)))
        data[pos : pos + 8] = struct.pack("<Q", draw(st.integers(0, 2**64 - 1)))
        return bytes(data)
    return bytes(data[: draw(st.integers(0, len(data)))])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_files())
def test_mutated_files_fail_only_with_the_parser_error(data: bytes) -> None:
    try:
        header = parse(data)
    except GGUFFormatError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("m.gguf: ")
        return
    # Whatever passes is self-consistent: aligned, in order, inside the file, no overlap.
    position = 0
    for t in header.tensors:
        assert t.begin % header.alignment == 0 and t.begin == position
        assert header.data_start + t.end <= len(data)
        position = -(-t.end // header.alignment) * header.alignment
    assert header.data_start <= len(data)
    assert len(data) - header.data_start <= max(position, header.alignment)
