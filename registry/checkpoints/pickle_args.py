"""Read the argument of one pickle opcode, validated, without keeping large ones.

Length-prefixed arguments longer than ``MAX_KEPT_ARG`` are skipped (a seek where the stream
allows), so a claimed length never becomes an allocation. Protocol 0 arguments (lines) are
checked the way the unpickler checks them (quoted ``STRING`` with its escapes decoded,
decimal ``INT``), so text that merely starts like a pickle fails early.
"""

from __future__ import annotations

import codecs
import pickletools
import struct
import warnings
from typing import Any

from registry.checkpoints.pickle_report import ByteSource, format_error

MAX_KEPT_ARG = 256  # longer strings are skipped, not kept (names are short)
_MAX_LINE = 1 << 16
_MAX_NAME = 1024  # a module and name of a global; real ones are under 200
_LEN_PREFIX = {
    pickletools.TAKEN_FROM_ARGUMENT1: ("<B", 1),
    pickletools.TAKEN_FROM_ARGUMENT4: ("<i", 4),
    pickletools.TAKEN_FROM_ARGUMENT4U: ("<I", 4),
    pickletools.TAKEN_FROM_ARGUMENT8U: ("<Q", 8),
}


def read_argument(src: ByteSource, op: pickletools.OpcodeInfo) -> Any:
    """The argument of ``op`` read from ``src``: kept when short, skipped when long."""
    desc = op.arg
    if desc is None:
        return None
    if desc.n in _LEN_PREFIX:
        fmt, width = _LEN_PREFIX[desc.n]
        (length,) = struct.unpack(fmt, src.read(width))
        if length < 0:
            raise format_error(f"negative length in {op.name}")
        if length > MAX_KEPT_ARG:
            src.skip(length)
            return None
        raw = src.read(length)
        if "UNICODE" in op.name:
            return raw.decode("utf-8", "surrogatepass") if _utf8(raw) else None
        if op.name.startswith("LONG"):
            value = int.from_bytes(raw, "little", signed=True)
            return value if value.bit_length() <= 128 else None
        return raw.decode("latin-1") if op.name.endswith("STRING") else None
    if desc.n == pickletools.UP_TO_NEWLINE:
        line = src.readline(_MAX_LINE)[:-1]
        if op.name in ("GLOBAL", "INST"):
            line += b" " + src.readline(_MAX_LINE)[:-1]
            if len(line) > _MAX_NAME:
                raise format_error(f"not a valid pickle ({op.name} name over {_MAX_NAME} bytes)")
        return _line_argument(op.name, line)
    if desc.n > 0:
        return _fixed_argument(op.name, src.read(desc.n))
    raise format_error(f"unsupported pickle opcode {op.name}")


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return False
    return True


def _line_argument(name: str, line: bytes) -> Any:
    """The argument of a protocol 0 opcode (its line without the newline), validated."""
    try:
        if name in ("GLOBAL", "INST"):
            return line.decode("utf-8")
        if name in ("INT", "LONG", "GET", "PUT"):
            text = line.decode("ascii").rstrip("L")
            value = int(text, 10)
            return value if name in ("GET", "PUT") or abs(value) < 1 << 63 else None
        if name == "FLOAT":
            float(line.decode("ascii"))
            return None
        if name == "STRING":
            if len(line) < 2 or line[:1] not in b"'\"" or line[-1:] != line[:1]:
                raise ValueError("unquoted STRING")
            if len(line) > MAX_KEPT_ARG:
                return None
            with warnings.catch_warnings():  # invalid escapes warn on newer Pythons
                warnings.simplefilter("ignore")
                return codecs.escape_decode(line[1:-1])[0].decode("latin-1")  # as pickle does
        if name == "UNICODE":
            return line.decode("raw-unicode-escape") if len(line) <= MAX_KEPT_ARG else None
        return line.decode("latin-1")  # PERSID
    except (UnicodeDecodeError, ValueError):
        raise format_error(f"not a valid pickle (bad {name} argument)") from None


def _fixed_argument(name: str, raw: bytes) -> Any:
    if name in ("BININT1", "BINPUT", "BINGET", "EXT1"):
        return raw[0]
    if name in ("BININT2", "EXT2"):
        return int.from_bytes(raw, "little")
    if name in ("BININT",):
        return struct.unpack("<i", raw)[0]
    if name in ("LONG_BINPUT", "LONG_BINGET", "EXT4"):
        return struct.unpack("<I", raw)[0]
    if name == "PROTO":
        return raw[0]
    return None
