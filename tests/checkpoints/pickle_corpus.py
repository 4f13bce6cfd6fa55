"""The pickle corpus shared by the tests and ``bench/pickle_peers.py``.

One malicious sample per gadget family (``pickle_gadgets``) and per advisory class of issue
9 (here: Python 2 names, dotted names, attribute chains, BUILD, long protocol 0/1 pickles,
stacked pickles, truncation, containers), hand-assembled from opcodes (``pickle_asm``) so
that nothing here ever runs code, not even while building; plus the benign checkpoints of
``pickle_benign`` made with the real torch, numpy and transformers. ``Sample.names`` are
the words a refusal must contain (the global or defect).

    write_corpus(folder) -> list[tuple[Sample, Path]]
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

from tests.checkpoints import pickle_asm as asm
from tests.checkpoints.pickle_gadgets import GADGETS, Sample


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return buf.getvalue()


def _encrypted_zip() -> bytes:
    """A zip whose member carries the encrypted flag (bit 0) in both headers."""
    data = bytearray(_zip({"archive/data.pkl": asm.pickle_call("posix", "system", "id")}))
    data[6] |= 1  # local file header: general purpose flags
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 1
    return bytes(data)


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, mtime=0)


_SYSTEM = asm.pickle_call("posix", "system", "id")
_SYSTEM0 = asm.pickle_call("os", "system", "id", protocol=0)
_BENIGN4 = asm.proto(4) + asm.EMPTY_DICT + asm.STOP


def _long_protocol0() -> bytes:
    """A protocol 0 list longer than the 64 KiB sniff window, then ``os.system``."""
    body = b"(lp0\n" + b"I1\na" * 20_000 + asm.POP
    return body + asm.call("os", "system", "id", protocol=0) + asm.STOP


def _long_protocol1() -> bytes:
    body = asm.EMPTY_LIST + asm.MARK + b"K\x01" * 40_000 + asm.APPENDS + asm.POP
    return body + asm.call("subprocess", "getoutput", "id", protocol=1) + asm.STOP


def _getattr_chain() -> bytes:
    """``getattr(numpy.__builtins__, "get")("eval")("...")``: builtins reached by attributes."""
    return (
        asm.proto(4)
        + asm.glob("builtins", "getattr", 4)
        + asm.MARK + asm.glob("numpy", "__builtins__", 4) + asm.text("get") + asm.TUPLE
        + asm.REDUCE
        + asm.args("eval") + asm.REDUCE
        + asm.args("print(1)") + asm.REDUCE
        + asm.STOP
    )  # fmt: skip


def _build_plants_setstate() -> bytes:
    """An ``argparse.Namespace`` whose ``__setstate__`` is set by BUILD, then called."""
    state = asm.EMPTY_DICT + asm.text("__setstate__") + asm.glob("builtins", "exec", 4)
    return (
        asm.proto(4)
        + asm.glob("argparse", "Namespace", 4) + asm.EMPTY_TUPLE + asm.NEWOBJ
        + asm.NONE + state + asm.SETITEM + asm.TUPLE2 + asm.BUILD
        + asm.text("print(1)") + asm.BUILD
        + asm.STOP
    )  # fmt: skip


def _build_patches_module() -> bytes:
    """BUILD on the module ``torch._utils`` replaces its tensor rebuild function."""
    state = asm.EMPTY_DICT + asm.text("_rebuild_tensor_v2") + asm.glob("posix", "system", 4)
    return (
        asm.proto(4) + asm.glob("torch", "_utils", 4) + state + asm.SETITEM + asm.BUILD
        + asm.STOP
    )  # fmt: skip


def _method_caller() -> bytes:
    """``operator.methodcaller("system", "id")(pathlib.os)``."""
    return (
        asm.proto(4) + asm.glob("operator", "methodcaller", 4) + asm.args("system", "id")
        + asm.REDUCE + asm.MARK + asm.glob("pathlib", "os", 4) + asm.TUPLE + asm.REDUCE
        + asm.STOP
    )  # fmt: skip


def _attr_getter() -> bytes:
    """``operator.attrgetter("system")(pathlib.os)("id")``."""
    return (
        asm.proto(4) + asm.glob("_operator", "attrgetter", 4) + asm.args("system") + asm.REDUCE
        + asm.MARK + asm.glob("pathlib", "os", 4) + asm.TUPLE + asm.REDUCE
        + asm.args("id") + asm.REDUCE + asm.STOP
    )  # fmt: skip


def _partial() -> bytes:
    """``functools.partial(os.system, "id")()``."""
    return (
        asm.proto(2) + asm.glob("functools", "partial") + asm.MARK + asm.glob("os", "system")
        + asm.text("id") + asm.TUPLE + asm.REDUCE + asm.MARK + asm.TUPLE + asm.REDUCE
        + asm.STOP
    )  # fmt: skip


def _resolve_name() -> bytes:
    """``pkgutil.resolve_name("os:system")("id")``."""
    return (
        asm.proto(2)
        + asm.call("pkgutil", "resolve_name", "os:system")
        + asm.args("id")
        + asm.REDUCE
        + asm.STOP
    )


def _computed_name() -> bytes:
    """A STACK_GLOBAL whose module is a string too long for any scanner to keep."""
    return (
        asm.proto(4) + asm.long_text("os" + "_" * 300) + asm.text("system")
        + b"\x93" + asm.args("id") + asm.REDUCE + asm.STOP
    )  # fmt: skip


def _ext_code() -> bytes:
    """``EXT1`` loads a global from copyreg's extension registry, by number."""
    return asm.proto(2) + b"\x82\x01" + asm.args("id") + asm.REDUCE + asm.STOP


def _stacked(*pickles: bytes) -> bytes:
    return b"".join(pickles)


CONSTRUCTS: list[Sample] = [
    Sample("numpy-builtins-getattr", "chain.pkl", True, _getattr_chain, ("builtins.eval",)),
    Sample("build-plants-setstate", "state.pkl", True, _build_plants_setstate, ("builtins.exec",)),
    Sample("build-patches-module", "patch.pkl", True, _build_patches_module, ("posix.system",)),
    Sample("operator-methodcaller", "mc.pkl", True, _method_caller, ("pathlib.os",)),
    Sample("operator-attrgetter", "ag.pkl", True, _attr_getter, ("pathlib.os",)),
    Sample("functools-partial", "partial.pkl", True, _partial, ("posix.system", "os.system")),
    Sample("pkgutil-resolve-name", "resolve.pkl", True, _resolve_name, ("pkgutil.resolve_name",)),
    Sample("computed-name", "computed.pkl", True, _computed_name, ("?.?",)),
    Sample("ext-code", "ext.pkl", True, _ext_code, ("extension code",)),
    Sample("protocol0-long", "long0.pkl", True, _long_protocol0, ("os.system",)),
    Sample("protocol1-long", "long1.bin", True, _long_protocol1, ("subprocess.getoutput",)),
    Sample("protocol0-long-no-suffix", "data", True, _long_protocol0, ("os.system",)),
    Sample(
        "stacked-p4-then-p0",
        "stacked.bin",
        True,
        lambda: _stacked(_BENIGN4, _SYSTEM0),
        ("os.system",),
    ),  # fmt: skip
    Sample(
        "stacked-ten",
        "stacked10.pt",
        True,
        lambda: _stacked(*[_BENIGN4] * 9, _SYSTEM),
        ("posix.system",),
    ),  # fmt: skip
    Sample(
        "stacked-after-text-start",
        "notes",
        True,
        lambda: _stacked(b"N.", _SYSTEM0),
        ("os.system",),
    ),  # fmt: skip
    Sample(
        "truncated-pkl",
        "model.pkl",
        True,
        lambda: asm.proto(2) + asm.EMPTY_LIST + asm.MARK,
        ("truncated",),
    ),  # fmt: skip
    Sample("truncated-with-global", "weights.dat", True, lambda: _SYSTEM0[:-2], ("os.system",)),
    Sample(
        "npy-object-array",
        "array.npy",
        True,
        lambda: asm.npy_object_header() + _SYSTEM,
        ("posix.system",),
    ),  # fmt: skip
    Sample(
        "npz-object-member",
        "arrays.npz",
        True,
        lambda: _zip({"arr_0.npy": asm.npy_object_header() + _SYSTEM}),
        ("posix.system",),
    ),  # fmt: skip
    Sample(
        "zip-odd-member-name",
        "model.bin",
        True,
        lambda: _zip({"archive/blob": _SYSTEM, "archive/version": b"3\n"}),
        ("posix.system",),
    ),  # fmt: skip
    Sample(
        "zip-nested",
        "bundle.zip",
        True,
        lambda: _zip({"inner.zip": _zip({"x/data.pkl": _SYSTEM})}),
        ("posix.system",),
    ),  # fmt: skip
    Sample("zip-encrypted-member", "model.pt", True, _encrypted_zip, ("encrypted",)),
    Sample(
        "7z-archive",
        "model.7z",
        True,
        lambda: b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 24 + _SYSTEM,
        ("7z",),
    ),  # fmt: skip
    Sample(
        "tar-member", "model.tar", True, lambda: _tar({"m/data.pkl": _SYSTEM}), ("posix.system",)
    ),  # noqa: E501
    Sample("gzip-pickle", "model.pkl.gz", True, lambda: _gzip(_SYSTEM), ("posix.system",)),
]


def malicious() -> list[Sample]:
    return GADGETS + CONSTRUCTS


def samples() -> list[Sample]:
    """Every sample: malicious first, then the benign checkpoints (needs torch)."""
    from tests.checkpoints.pickle_benign import benign

    return malicious() + benign()


def write_corpus(folder: Path, chosen: list[Sample] | None = None) -> list[tuple[Sample, Path]]:
    """Write each sample to its own sub-folder of ``folder``; returns (sample, file) pairs."""
    written = []
    for sample in samples() if chosen is None else chosen:
        target = folder / sample.name / sample.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(sample.build())
        written.append((sample, target))
    return written
