"""Pickle detection and scanning from the opcodes alone: a pickle is never unpickled.

A pickle runs code when loaded: every ``GLOBAL``/``STACK_GLOBAL``/``INST`` opcode imports a
callable the stream may then call. This module walks the opcode stream (the opcode table of
the standard library's ``pickletools``), lists the globals it imports, and classes the
dangerous ones. It reads only the opcodes: large arguments (tensor bytes stored inline) are
skipped with a seek, so memory stays flat whatever length a hostile file claims.

Detection is by content, not name: a pickle (protocol 2+ starts with ``PROTO``; protocols
0 and 1 are recognised by parsing), a zip whose members are pickles (PyTorch's format), or
PyTorch's legacy stream of consecutive pickles.
"""

from __future__ import annotations

import io
import pickletools
import struct
import zipfile
from dataclasses import dataclass, field
from typing import IO

from registry.errors import CheckpointError

PICKLE_SUFFIXES = frozenset({".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"})

# Modules whose every callable is dangerous, and single dangerous callables.
DANGEROUS_MODULES = frozenset(
    {
        "os", "posix", "nt", "subprocess", "sys", "shutil", "socket", "importlib", "runpy",
        "pty", "webbrowser", "code", "codeop", "ctypes", "multiprocessing", "pickle",
        "_pickle", "marshal", "commands", "popen2", "platform", "signal", "asyncio",
        "http", "urllib", "requests", "ftplib", "smtplib", "telnetlib", "tempfile",
        "pathlib", "io", "_io", "glob", "zipimport", "pdb", "bdb", "timeit", "cProfile",
        "profile", "trace", "site", "sysconfig", "distutils", "setuptools", "pip",
    }
)  # fmt: skip
DANGEROUS_BUILTINS = frozenset(
    {
        "eval", "exec", "compile", "open", "__import__", "getattr", "setattr", "delattr",
        "globals", "locals", "vars", "breakpoint", "input", "execfile", "apply", "file",
        "reload", "memoryview",
    }
)  # fmt: skip
_BUILTIN_MODULES = frozenset({"builtins", "__builtin__", "__builtins__"})

MAX_OPCODES = 20_000_000
MAX_MEMO = 1_000_000  # memo entries; real checkpoints hold tens of thousands
MAX_LISTED = 1000
_MAX_LINE = 1 << 16
_MAX_KEPT_ARG = 256  # longer string arguments are skipped, not kept (names are short)
_ZIP_MAGIC = b"PK\x03\x04"
_OPCODES: dict[bytes, pickletools.OpcodeInfo] = {
    op.code.encode("latin-1"): op for op in pickletools.opcodes
}


class PickleFormatError(CheckpointError):
    """A pickle stream that cannot be walked to its end."""


def is_dangerous(module: str, name: str) -> bool:
    """Whether importing ``module.name`` gives a pickle a way to run arbitrary code.

    A name the scanner could not resolve (``?``: computed on the stack) counts as dangerous.
    """
    if module == "?" or name == "?":
        return True
    top = module.split(".", 1)[0]
    if top in DANGEROUS_MODULES:
        return True
    if module in _BUILTIN_MODULES:
        return name in DANGEROUS_BUILTINS
    return name in {"system", "popen", "exec", "eval", "spawn", "run", "call", "check_output"}


@dataclass
class PickleReport:
    """What a scan found: the globals imported (``module.name``) and the dangerous ones."""

    container: str  # "pickle", "zip" or "stream"
    globals: list[str] = field(default_factory=list)  # first MAX_LISTED, in order
    dangerous: list[str] = field(default_factory=list)  # first MAX_LISTED dangerous ones
    pickles: int = 0
    distinct: int = 0  # how many distinct globals, listed or not
    _seen: set[str] = field(default_factory=set, repr=False)


def sniff(head: bytes) -> str | None:
    """``"pickle"``, ``"zip"`` or None from the first bytes of a file (up to 64 KiB)."""
    if head[:4] == _ZIP_MAGIC:
        return "zip"
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "pickle"
    if head[:1] and head[:1] in b"(cic]}N)KJIVSX\x88\x89":  # protocol 0/1 first opcodes
        try:
            _walk(io.BytesIO(head), "<sniff>", len(head), PickleReport("pickle"))
        except (PickleFormatError, _Truncated):
            return None
        return "pickle"
    return None


def scan_file(path: str, fh: IO[bytes], size: int) -> PickleReport | None:
    """Scan a file that may be a pickle or a zip of pickles; None when it is neither."""
    fh.seek(0)
    kind = sniff(fh.read(1 << 16))
    fh.seek(0)
    if kind == "pickle":
        report = PickleReport("stream")
        while fh.tell() < size and (report.pickles == 0 or _starts_pickle(fh)):
            try:
                _walk(fh, path, size, report)
            except _Truncated:
                raise PickleFormatError(path, "pickle stream truncated") from None
            report.pickles += 1
            if report.pickles >= 8:  # torch's legacy format has 5; the rest is raw storage
                break
        report.container = "pickle" if report.pickles == 1 else "stream"
        return report
    if kind == "zip":
        return _scan_zip(path, fh)
    return None


def _starts_pickle(fh: IO[bytes]) -> bool:
    pos = fh.tell()
    head = fh.read(2)
    fh.seek(pos)
    return len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def _scan_zip(path: str, fh: IO[bytes]) -> PickleReport | None:
    try:
        zf = zipfile.ZipFile(fh)
        members = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise CheckpointError(path, f"unreadable zip archive: {exc}") from None
    report = PickleReport("zip")
    for info in members:
        try:
            with zf.open(info) as member:
                head = member.read(2)
                if not (info.filename.endswith(".pkl") or sniff(head) == "pickle"):
                    continue
                stream = zf.open(info)
            with stream:
                _walk(stream, f"{path}:{info.filename}", info.file_size, report)
        except _Truncated:
            raise PickleFormatError(path, f"pickle {info.filename!r} truncated") from None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise CheckpointError(path, f"unreadable zip member {info.filename!r}: {exc}") from None
        report.pickles += 1
    return report if report.pickles else None


class _Truncated(Exception):
    pass


def _read(fh: IO[bytes], n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise _Truncated
    return data


_LEN_PREFIX = {
    pickletools.TAKEN_FROM_ARGUMENT1: ("<B", 1),
    pickletools.TAKEN_FROM_ARGUMENT4: ("<i", 4),
    pickletools.TAKEN_FROM_ARGUMENT4U: ("<I", 4),
    pickletools.TAKEN_FROM_ARGUMENT8U: ("<Q", 8),
}
_STRING_OPS = frozenset(
    {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "STRING", "BINSTRING",
     "SHORT_BINSTRING"}
)  # fmt: skip
_MEMO_PUT = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
_MEMO_GET = frozenset({"GET", "BINGET", "LONG_BINGET"})


def _walk(fh: IO[bytes], path: str, size: int, report: PickleReport) -> None:
    """Walk one pickle to its STOP, recording imported globals; never builds objects."""
    recent: list[str | None] = []  # the last values pushed, strings or None
    memo: dict[int, str | None] = {}
    for _ in range(MAX_OPCODES):
        code = fh.read(1)
        if not code:
            raise _Truncated
        op = _OPCODES.get(code)
        if op is None:
            raise PickleFormatError(path, f"not a valid pickle (opcode {code!r})")
        arg = _argument(fh, path, size, op)
        name = op.name
        if name == "STOP":
            return
        if name in ("GLOBAL", "INST"):
            module, _, attr = str(arg).partition(" ")
            _add_global(report, module, attr)
            recent.append(None)
        elif name == "STACK_GLOBAL":
            if len(recent) >= 2 and recent[-2] is not None and recent[-1] is not None:
                _add_global(report, str(recent[-2]), str(recent[-1]))
            else:
                _add_global(report, "?", "?")  # a computed name is itself suspicious
            recent.append(None)
        elif name in _STRING_OPS:
            recent.append(arg if isinstance(arg, str) else None)
        elif name in _MEMO_PUT or name == "MEMOIZE":
            key = len(memo) if name == "MEMOIZE" else int(arg)  # type: ignore[call-overload]
            memo[key] = recent[-1] if recent else None
            if len(memo) > MAX_MEMO:
                raise PickleFormatError(path, f"pickle memo exceeds {MAX_MEMO} entries")
        elif name in _MEMO_GET:
            recent.append(memo.get(int(arg)))  # type: ignore[call-overload]
        elif name not in ("PROTO", "FRAME"):
            recent.append(None)
        if len(recent) > 64:
            del recent[:32]
    raise PickleFormatError(path, f"pickle has more than {MAX_OPCODES} opcodes")


def _argument(fh: IO[bytes], path: str, size: int, op: pickletools.OpcodeInfo) -> object:
    desc = op.arg
    if desc is None:
        return None
    if desc.n in _LEN_PREFIX:
        fmt, width = _LEN_PREFIX[desc.n]
        (length,) = struct.unpack(fmt, _read(fh, width))
        if length < 0:
            raise PickleFormatError(path, f"negative length in {op.name}")
        if length > _MAX_KEPT_ARG:
            _skip(fh, length, size)
            return None
        raw = _read(fh, length)
        return raw.decode("utf-8", "replace") if "UNICODE" in op.name else raw.decode("latin-1")
    if desc.n == pickletools.UP_TO_NEWLINE:
        line = fh.readline(_MAX_LINE)
        if not line.endswith(b"\n"):
            raise _Truncated
        if op.name in ("GLOBAL", "INST"):
            second = fh.readline(_MAX_LINE)
            if not second.endswith(b"\n"):
                raise _Truncated
            return line[:-1].decode("latin-1") + " " + second[:-1].decode("latin-1")
        text = line[:-1].decode("latin-1")
        if len(text) > _MAX_KEPT_ARG:
            return None
        if op.name in ("UNICODE", "STRING"):
            return text.strip("'\"")
        return text
    if desc.n > 0:
        raw = _read(fh, desc.n)
        if op.name in ("BINPUT", "BINGET"):
            return raw[0]
        if op.name in ("LONG_BINPUT", "LONG_BINGET"):
            return struct.unpack("<I", raw)[0]
        return raw
    raise PickleFormatError(path, f"unsupported pickle opcode {op.name}")


def _skip(fh: IO[bytes], length: int, size: int) -> None:
    """Skip an argument without reading it into memory (``size``: the stream's length)."""
    if fh.tell() + length > size:
        raise _Truncated
    if fh.seekable():
        fh.seek(length, io.SEEK_CUR)
        return
    while length:
        chunk = fh.read(min(length, 1 << 20))
        if not chunk:
            raise _Truncated
        length -= len(chunk)


def _add_global(report: PickleReport, module: str, name: str) -> None:
    dotted = f"{module}.{name}"
    if dotted in report._seen:
        return
    danger = is_dangerous(module, name)
    if len(report._seen) < MAX_LISTED * 10:
        report._seen.add(dotted)
    report.distinct += 1
    if len(report.globals) < MAX_LISTED:
        report.globals.append(dotted)
    if danger and len(report.dangerous) < MAX_LISTED:
        report.dangerous.append(dotted)
