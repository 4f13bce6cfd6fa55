"""The strict safetensors header parser: valid files pass, every rule has a refusal."""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.numpy import save

from registry.checkpoints.safetensors_format import (
    MAX_HEADER_BYTES,
    SafetensorsFormatError,
    parse_header,
)
from tests.checkpoints.hostile import safetensors_bytes, tensors, valid_header
from tests.checkpoints.mutations import damage


def parse(data: bytes) -> Any:
    return parse_header("f.safetensors", data, len(data))


def test_real_file_parses_with_ranges() -> None:
    data = save(tensors(), metadata={"format": "pt"})
    header = parse(data)
    assert [t.name for t in header.tensors] == ["a.weight", "b.weight"]
    assert header.metadata == {"format": "pt"}
    a = header.tensors[0]
    assert (a.dtype, a.shape, a.nbytes) == ("F32", (4, 4), 64)
    start, end = header.file_range(header.tensors[-1])
    assert end == len(data) and header.data_start + 64 == start


def test_zero_size_tensors_and_padding_accepted() -> None:
    header = {
        "empty": {"dtype": "F16", "shape": [0, 3], "data_offsets": [0, 0]},
        "x": {"dtype": "BOOL", "shape": [2], "data_offsets": [0, 2]},
        "f4": {"dtype": "F4", "shape": [4], "data_offsets": [2, 4]},
    }
    raw = json.dumps(header).encode() + b"   "  # the format pads with spaces
    parsed = parse(safetensors_bytes(raw, b"\1\0\7\7"))
    assert {t.name for t in parsed.tensors} == {"empty", "x", "f4"}


@pytest.mark.parametrize(
    ("mutation", "words"),
    [
        (lambda h: h["a.weight"].update(shape=[4, -4]), "shape"),
        (lambda h: h["a.weight"].update(shape=[True, 16]), "shape"),
        (lambda h: h["a.weight"].update(data_offsets=[0]), "data_offsets"),
        (lambda h: h["a.weight"].update(data_offsets=[64, 0]), "data_offsets"),
        (lambda h: h["a.weight"].update(extra=1), "unexpected keys"),
        (lambda h: h["a.weight"].pop("dtype"), "missing"),
        (lambda h: h.update({"__metadata__": [1]}), "__metadata__"),
        (lambda h: h.update({"": h.pop("a.weight")}), "tensor name"),
        (lambda h: h["a.weight"].update(shape=[2**62, 2**62, 2**62]), "does not fill"),
        (lambda h: h["b.weight"].update(data_offsets=[64, 2**70]), "past the data area"),
    ],
)
def test_rule_violations(mutation: Any, words: str) -> None:
    header, payload = valid_header()
    mutation(header)
    with pytest.raises(SafetensorsFormatError, match=words):
        parse(safetensors_bytes(header, payload))


def test_nan_and_cap() -> None:
    with pytest.raises(SafetensorsFormatError, match="JSON"):
        parse(safetensors_bytes(b'{"a": NaN}', b""))
    with pytest.raises(SafetensorsFormatError, match="cap"):
        parse(struct.pack("<Q", MAX_HEADER_BYTES + 1) + b"{}")


def test_error_is_a_checkpoint_error_with_exit_4() -> None:
    from registry.errors import CheckpointError

    with pytest.raises(CheckpointError) as info:
        parse(b"")
    assert info.value.exit_code == 4 and info.value.path == "f.safetensors"


# --------------------------------------------------------------------------- property

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=10,
)


@st.composite
def mutated_headers(draw: st.DrawFn) -> bytes:
    header, payload = valid_header()
    kind = draw(st.sampled_from(["json", "bytes", "length", "payload"]))
    if kind == "json":
        target = draw(st.sampled_from(["a.weight", "b.weight", "__metadata__", "new"]))
        field = draw(st.sampled_from(["dtype", "shape", "data_offsets", "other", None]))
        value = draw(_json)
        if field is None or target not in header:
            header[target] = value
        else:
            header[target][field] = value
        return safetensors_bytes(header, payload)
    data = bytearray(safetensors_bytes(header, payload))
    if kind == "bytes":
        return damage(draw, data)
    if kind == "length":
        data[:8] = struct.pack("<Q", draw(st.integers(0, 2**64 - 1)))
        return bytes(data)
    return bytes(data[: draw(st.integers(0, len(data)))]) + draw(st.binary(max_size=16))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_headers())
def test_mutated_headers_fail_only_with_the_parser_error(data: bytes) -> None:
    try:
        header = parse(data)
    except SafetensorsFormatError as exc:
        assert "\n" not in str(exc)
        return
    # Whatever passes is self-consistent: contiguous tensors covering the data area.
    position = 0
    for t in header.tensors:
        assert t.begin == position
        position = t.end
    assert header.data_start + position == len(data)
