"""The header of a ``.npy`` array, read without numpy's loader: does its dtype hold objects?

An ``.npy`` file is ``\\x93NUMPY``, a version, a header length and a Python-literal dict
(``descr``, ``fortran_order``, ``shape``). When the dtype holds Python objects, the data
after the header is a pickle (``np.load(..., allow_pickle=True)`` unpickles it); numeric
data is raw bytes. The header is parsed with ``ast.literal_eval`` (as numpy does) and the
dtype built by ``numpy.lib.format.descr_to_dtype``; a header numpy itself could not read
makes an array numpy cannot load, so it holds no pickle.
"""

from __future__ import annotations

import ast
import struct

from registry.checkpoints.pickle_report import ByteSource, format_error

MAGIC = b"\x93NUMPY"
MAX_HEADER = 1 << 20  # numpy reads 10 kB headers by default, any size with allow_pickle


def holds_objects(src: ByteSource) -> bool:
    """Read the header from ``src`` (left at the start of the data); True for object dtypes."""
    src.read(6)
    major = src.read(2)[0]
    if major not in (1, 2, 3):
        return False
    width = 2 if major == 1 else 4
    (length,) = struct.unpack("<H" if width == 2 else "<I", src.read(width))
    if length > MAX_HEADER:
        raise format_error(f".npy header of {length} bytes is too large to inspect")
    raw = src.read(length)
    try:
        header = ast.literal_eval(raw.decode("utf-8" if major == 3 else "latin-1"))
    except (ValueError, SyntaxError, MemoryError, RecursionError, UnicodeDecodeError):
        return False
    if not isinstance(header, dict) or "descr" not in header:
        return False
    from numpy.lib.format import descr_to_dtype

    try:
        return bool(descr_to_dtype(header["descr"]).hasobject)
    except (TypeError, ValueError, KeyError, IndexError, RecursionError):
        return False
