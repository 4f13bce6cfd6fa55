"""The opcode-only pickle scanner: globals listed, dangerous ones classed, nothing loaded."""

from __future__ import annotations

import collections
import io
import pickle
import struct
from pathlib import Path

import pytest

from registry.checkpoints.pickle_scan import PickleFormatError, is_dangerous, scan_file, sniff
from tests.checkpoints.hostile import _System, _zip_of_pickle


def scan(data: bytes) -> object:
    return scan_file("f.bin", io.BytesIO(data), len(data))


@pytest.mark.parametrize("protocol", [0, 1, 2, 4, 5])
def test_globals_listed_for_every_protocol(protocol: int) -> None:
    data = pickle.dumps([collections.OrderedDict(), _System()], protocol=protocol)
    report = scan(data)
    assert report is not None
    assert "collections.OrderedDict" in report.globals  # type: ignore[attr-defined]
    assert report.dangerous == ["posix.system"]  # type: ignore[attr-defined]


def test_zip_of_pickles_detected_by_content() -> None:
    report = scan(_zip_of_pickle())
    assert report is not None and report.container == "zip"  # type: ignore[attr-defined]
    assert report.dangerous == ["posix.system"]  # type: ignore[attr-defined]


def test_plain_data_is_not_a_pickle() -> None:
    assert sniff(b"# a README\n") is None
    assert scan(b'{"model_type": "llama"}') is None


def test_huge_claimed_length_is_not_allocated() -> None:
    data = b"\x80\x04" + b"\x8e" + struct.pack("<Q", 2**62) + b"xx"  # BINBYTES8 of 4 EiB
    with pytest.raises(PickleFormatError, match="truncated"):
        scan(data)


def test_large_inline_bytes_skipped_and_globals_after_them_found() -> None:
    data = pickle.dumps([b"\0" * (1 << 20), _System()], protocol=4)
    assert scan(data).dangerous == ["posix.system"]  # type: ignore[attr-defined]


def test_torch_legacy_stream_of_pickles(tmp_path: Path) -> None:
    data = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(
        {"x": _System()}, protocol=2
    )
    report = scan(data + b"\0" * 64)
    assert report is not None and report.pickles == 2  # type: ignore[attr-defined]


def test_dangerous_classes() -> None:
    assert is_dangerous("os", "system") and is_dangerous("subprocess", "Popen")
    assert is_dangerous("builtins", "eval") and is_dangerous("__builtin__", "getattr")
    assert not is_dangerous("collections", "OrderedDict")
    assert not is_dangerous("torch._utils", "_rebuild_tensor_v2")
    assert not is_dangerous("builtins", "set")


def test_unresolvable_stack_global_counts_as_dangerous() -> None:
    # STACK_GLOBAL whose names come from a long (unkept) string: the scanner cannot name it
    long_name = "m" * 1000
    data = (
        b"\x80\x04"
        + b"\x8d" + struct.pack("<Q", len(long_name)) + long_name.encode()  # BINUNICODE8
        + b"\x8c\x06system"  # SHORT_BINUNICODE
        + b"\x93"  # STACK_GLOBAL
        + b"."
    )  # fmt: skip
    report = scan(data)
    assert report is not None and report.dangerous == ["?.?"]  # type: ignore[attr-defined]


def test_memo_growth_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.checkpoints import pickle_scan

    monkeypatch.setattr(pickle_scan, "MAX_MEMO", 100)
    data = pickle.dumps([str(i) for i in range(500)], protocol=4)
    with pytest.raises(PickleFormatError, match="memo"):
        scan(data)


def test_many_globals_listed_up_to_a_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.checkpoints import pickle_scan

    monkeypatch.setattr(pickle_scan, "MAX_LISTED", 3)
    body = b"".join(f"cmod{i}\nname\n".encode() + b"0" for i in range(10))  # GLOBAL, POP
    report = scan(body + b"cos\nsystem\n.")
    assert report.distinct == 11 and len(report.globals) == 3  # type: ignore[attr-defined]
    assert report.dangerous == ["os.system"]  # type: ignore[attr-defined]
