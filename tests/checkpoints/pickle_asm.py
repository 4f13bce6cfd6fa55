"""Hand-assembled pickle opcode streams for the hostile corpus (never unpickled anywhere).

Each helper returns raw opcode bytes. Calls are assembled as ``GLOBAL`` (protocols 0-3) or
``STACK_GLOBAL`` (protocol 4+), an argument tuple and ``REDUCE``; protocol 0 streams are
text only (``S'...'`` strings, ``I`` ints).
"""

from __future__ import annotations

import struct
from typing import Any

STOP = b"."
REDUCE = b"R"
MARK = b"("
TUPLE = b"t"
BUILD = b"b"
POP = b"0"
EMPTY_DICT = b"}"
EMPTY_LIST = b"]"
APPENDS = b"e"
SETITEM = b"s"
SETITEMS = b"u"
NEWOBJ = b"\x81"
EMPTY_TUPLE = b")"
TUPLE2 = b"\x86"
NONE = b"N"


def proto(n: int) -> bytes:
    """The ``PROTO`` opcode for protocol 2+ (protocols 0 and 1 have none)."""
    return b"\x80" + bytes([n]) if n >= 2 else b""


def text(value: str) -> bytes:
    """``BINUNICODE`` (valid at every protocol the unpickler reads)."""
    raw = value.encode("utf-8")
    return b"X" + struct.pack("<I", len(raw)) + raw


def long_text(value: str) -> bytes:
    """``BINUNICODE8``, for strings the scanner does not keep (over 256 bytes)."""
    raw = value.encode("utf-8")
    return b"\x8d" + struct.pack("<Q", len(raw)) + raw


def value(v: Any, protocol: int = 2) -> bytes:
    """One argument: str, int, a list of those, or an empty dict."""
    if protocol == 0:
        if isinstance(v, str):
            return b"S'" + v.encode("latin-1") + b"'\n"
        if isinstance(v, int):
            return b"I" + str(v).encode() + b"\n"
        raise TypeError(v)
    if isinstance(v, str):
        return text(v)
    if isinstance(v, int):
        return b"J" + struct.pack("<i", v)
    if isinstance(v, list):
        return EMPTY_LIST + MARK + b"".join(value(x, protocol) for x in v) + APPENDS
    if isinstance(v, dict) and not v:
        return EMPTY_DICT
    raise TypeError(v)


def glob(module: str, name: str, protocol: int = 2) -> bytes:
    """Push a global: ``GLOBAL`` below protocol 4, ``STACK_GLOBAL`` from 4."""
    if protocol >= 4:
        return text(module) + text(name) + b"\x93"
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def args(*items: Any, protocol: int = 2) -> bytes:
    return MARK + b"".join(value(a, protocol) for a in items) + TUPLE


def call(module: str, name: str, *items: Any, protocol: int = 2) -> bytes:
    """The body of ``module.name(*items)`` (no ``PROTO``, no ``STOP``)."""
    return glob(module, name, protocol) + args(*items, protocol=protocol) + REDUCE


def pickle_call(module: str, name: str, *items: Any, protocol: int = 2) -> bytes:
    """A whole pickle whose value is ``module.name(*items)``."""
    return proto(protocol) + call(module, name, *items, protocol=protocol) + STOP


def npy_object_header(count: int = 1) -> bytes:
    """An ``.npy`` v1.0 header for a 1-D object array (the data that follows is a pickle)."""
    header = f"{{'descr': '|O', 'fortran_order': False, 'shape': ({count},), }}".encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header
