"""Hostile input stays bounded: random bytes raise only the documented error, caps hold.

The walker and the container layer may only answer with ``PickleFormatError`` (exit 4) or a
result, whatever bytes they get; retained memory is capped whatever a stream pushes, memos
or nests; archive members, nesting, central directories, decompressed bytes and ``.npy``
headers are capped before they are read.
"""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.checkpoints import pickle_containers, pickle_report, pickle_walk, zip_limits
from registry.checkpoints.pickle_report import ByteSource, PickleFormatError, PickleReport
from registry.checkpoints.pickle_scan import scan_file
from registry.checkpoints.pickle_walk import Walker
from tests.checkpoints import pickle_asm as asm

PREFIXES = [b"", b"\x80\x02", b"\x80\x04\x95", b"(", b"c", b"PK\x03\x04", b"\x93NUMPY\x01\x00",
            b"\x1f\x8b\x08", b"]q\x00(", b"S'"]  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=600))
def test_walker_raises_only_the_documented_error(prefix: bytes, body: bytes) -> None:
    data = prefix + body
    try:
        Walker(ByteSource(io.BytesIO(data), len(data)), PickleReport("pickle")).walk()
    except PickleFormatError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=600), declared=st.booleans())
def test_scan_raises_only_the_documented_error(prefix: bytes, body: bytes, declared: bool) -> None:
    data = prefix + body
    try:
        scan_file("f", io.BytesIO(data), len(data), declared=declared)
    except PickleFormatError:
        pass


def _peak(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "hostile.pkl"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        with path.open("rb") as fh:
            scan_file("f", fh, len(data))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memoised_strings_beyond_the_kept_budget_cost_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pickle_walk, "MAX_KEPT_BYTES", 1 << 20)
    one = b"X" + struct.pack("<I", 250) + b"%s" + b"\x94" + asm.POP  # BINUNICODE, MEMOIZE, POP
    body = b"".join(one.replace(b"%s", f"{i:0250d}".encode()) for i in range(60_000))
    data = asm.proto(4) + body + asm.NONE + asm.STOP  # 15 MB of distinct memoised strings
    assert _peak(data, tmp_path) < 12 << 20


def test_nested_containers_beyond_the_node_budget_cost_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pickle_walk, "MAX_NODES", 10_000)
    data = asm.proto(2) + asm.NONE + b"\x85" * 300_000 + asm.STOP  # TUPLE1 around TUPLE1 ...
    assert _peak(data, tmp_path) < 6 << 20


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _refused(data: bytes, match: str) -> None:
    with pytest.raises(PickleFormatError, match=match):
        scan_file("f", io.BytesIO(data), len(data))


def test_zip_central_directory_is_capped_before_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zip_limits, "MAX_CENTRAL_DIRECTORY", 1000)
    _refused(_zip({f"m{i}": b"x" for i in range(100)}), "central directory of .* too large")


def test_zip_members_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickle_containers, "MAX_MEMBERS", 5)
    _refused(_zip({f"m{i}": b"x" for i in range(10)}), "more than 5 members")


def test_nesting_is_capped() -> None:
    data = pickle.dumps({"a": 1})
    for level in range(6):
        data = _zip({f"level{level}.zip": data})
    _refused(data, "nested more than")


def test_decompressed_bytes_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickle_report, "MAX_INFLATED", 1 << 16)
    _refused(gzip.compress(pickle.dumps([b"\0" * (1 << 20)], protocol=4)), "too large")


def test_npy_header_is_capped() -> None:
    _refused(b"\x93NUMPY\x02\x00" + struct.pack("<I", 1 << 30) + b"{", "too large to inspect")


def test_unsupported_zip_compression_is_one_error() -> None:
    data = bytearray(_zip({"archive/data.pkl": pickle.dumps({"a": 1})}))
    data[8] = 99  # local header: compression method
    central = data.rfind(b"PK\x01\x02")
    data[central + 10] = 99
    _refused(bytes(data), "unreadable zip member")


def test_truncated_compressed_pickle_after_an_import_is_refused() -> None:
    data = gzip.compress(asm.pickle_call("collections", "OrderedDict"))
    _refused(data[:-12], "truncated")
    assert scan_file("f", io.BytesIO(b"\x1f\x8b\x08junk"), 7) is None  # nothing imported
