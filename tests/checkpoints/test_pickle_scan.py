"""The opcode-only pickle scanner: globals tiered, every pickle walked, nothing loaded."""

from __future__ import annotations

import collections
import io
import pickle
import struct

import pytest

from registry.checkpoints import pickle_report, pickle_walk
from registry.checkpoints.pickle_scan import PickleFormatError, PickleReport, scan_file, sniff
from tests.checkpoints import pickle_asm as asm
from tests.checkpoints.hostile import _System, _zip_of_pickle


def scan(data: bytes, *, declared: bool = False) -> PickleReport | None:
    return scan_file("f.bin", io.BytesIO(data), len(data), declared=declared)


def found(data: bytes, *, declared: bool = False) -> PickleReport:
    report = scan(data, declared=declared)
    assert report is not None
    return report


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_globals_tiered_for_every_protocol(protocol: int) -> None:
    data = pickle.dumps([collections.OrderedDict(), _System()], protocol=protocol)
    report = found(data)
    assert "collections.OrderedDict" in report.globals
    assert report.dangerous == ["posix.system"] and report.unknown == []


def test_unknown_global_is_its_own_tier() -> None:
    report = found(asm.pickle_call("mypackage.models", "Llama", 1))
    assert report.unknown == ["mypackage.models.Llama"] and report.dangerous == []


def test_zip_of_pickles_detected_by_content() -> None:
    report = found(_zip_of_pickle())
    assert report.container == "zip" and report.dangerous == ["posix.system"]
    assert report.first_location["posix.system"] == "archive/data.pkl"


def test_plain_data_is_not_a_pickle() -> None:
    assert sniff(b"# a README\n") is None
    assert scan(b'{"model_type": "llama"}') is None
    assert scan(b"N.B. this text starts like a pickle") is None  # no global: no code


def test_sniff_counts_an_unfinished_protocol0_window_as_a_pickle() -> None:
    window = (b"(lp0\n" + b"I1\na" * 20_000)[: 1 << 16]
    assert sniff(window) == "pickle"
    assert sniff(b"cos\nsystem\n(S'id'\n") == "pickle"  # truncated after an import
    assert sniff(b"(lp0\nI1\na") is None  # a short head without STOP or import


def test_huge_claimed_length_is_not_allocated() -> None:
    data = b"\x80\x04" + b"\x8e" + struct.pack("<Q", 2**62) + b"xx"  # BINBYTES8 of 4 EiB
    with pytest.raises(PickleFormatError, match="truncated"):
        scan(data, declared=True)


def test_large_inline_bytes_skipped_and_globals_after_them_found() -> None:
    data = pickle.dumps([b"\0" * (1 << 20), _System()], protocol=4)
    assert found(data).dangerous == ["posix.system"]


def test_every_stacked_pickle_is_walked_whatever_its_protocol() -> None:
    benign = [pickle.dumps({"i": i}, protocol=i % 6) for i in range(12)]
    report = found(b"".join(benign) + pickle.dumps(_System(), protocol=0))
    assert report.pickles == 13 and report.dangerous == ["posix.system"]
    assert report.container == "stream"


def test_trailing_bytes_after_an_import_are_refused() -> None:
    data = pickle.dumps(collections.OrderedDict(), protocol=2) + b"\x00garbage"
    with pytest.raises(PickleFormatError, match="not a valid pickle") as info:
        scan(data)
    assert info.value.report is not None
    assert info.value.report.globals == ["collections.OrderedDict"]


def test_torch_legacy_stream_layout_is_checked() -> None:
    torch = pytest.importorskip("torch")
    buf = io.BytesIO()
    state = collections.OrderedDict(w=torch.ones(3), b=torch.zeros(2, dtype=torch.float16))
    torch.save(state, buf, _use_new_zipfile_serialization=False)
    data = buf.getvalue()
    report = found(data)
    assert report.container == "torch-legacy" and report.pickles == 5
    assert report.dangerous == report.unknown == []
    for hostile, defect in [
        (data + b"\0" * 8, "after its declared storages"),
        (data + pickle.dumps(_System()), "after its declared storages"),
        (data[:-1], "truncated"),
    ]:
        with pytest.raises(PickleFormatError, match=defect):
            scan(hostile)


def test_legacy_magic_with_undeclared_storage_bytes_is_refused() -> None:
    magic = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
    data = magic + b"".join(pickle.dumps(x, protocol=2) for x in (1001, {}, {}, ["k"]))
    with pytest.raises(PickleFormatError, match="undeclared storage 'k'"):
        scan(data + struct.pack("<q", 1) + b"\0")


def test_unresolvable_stack_global_counts_as_dangerous() -> None:
    data = asm.proto(4) + asm.long_text("m" * 1000) + asm.text("system") + b"\x93" + asm.STOP
    assert found(data).dangerous == ["?.?"]


def test_memo_growth_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickle_walk, "MAX_MEMO", 100)
    data = pickle.dumps([str(i) for i in range(500)], protocol=4)
    with pytest.raises(PickleFormatError, match="memo"):
        scan(data, declared=True)


def test_stack_depth_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickle_walk, "MAX_STACK", 1000)
    with pytest.raises(PickleFormatError, match="stack deeper"):
        scan(asm.proto(2) + asm.MARK * 2000, declared=True)


def test_opcodes_are_capped_across_stacked_pickles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickle_report, "MAX_OPCODES", 1000)
    with pytest.raises(PickleFormatError, match="too many pickle opcodes"):
        scan(b"N." * 600, declared=True)


def test_many_globals_listed_up_to_a_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickle_report, "MAX_LISTED", 3)
    body = b"".join(f"cmod{i}\nname\n".encode() + b"0" for i in range(10))  # GLOBAL, POP
    report = found(body + b"cos\nsystem\n.")
    assert report.distinct == 11 and len(report.globals) == 3
    assert report.dangerous == ["os.system"]


def test_distinct_globals_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickle_report, "MAX_DISTINCT", 50)
    body = b"".join(f"cmod{i}\nname\n".encode() + b"0" for i in range(60))
    with pytest.raises(PickleFormatError, match="more than 50 distinct globals"):
        scan(body + b"N.")


def test_escaped_protocol0_strings_are_decoded_before_naming() -> None:
    data = b"S'\\x6fs'\nS'sys\\x74em'\n\x93(S'id'\ntR."  # STACK_GLOBAL from escaped strings
    assert found(data).dangerous == ["os.system"]
