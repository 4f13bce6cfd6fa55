"""A gzip, bzip2 or xz stream decompressed on the fly, in bounded steps, for the scanner.

The standard library's file wrappers (``gzip.GzipFile`` ...) drop the data of a read that
hits a truncated end; the scanner needs those bytes (a pickle may end before the damage,
or import a global just before it). This reader decompresses at most 1 MiB per step, hands
back what it has when the input ends early (the walker then reports the truncation), reads
concatenated members as the standard readers do, and counts every decompressed byte against
the file's ``inflated_left`` budget.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from typing import IO, Any

from registry.checkpoints.pickle_report import PickleReport, format_error

_STEP = 1 << 20
_INPUT = 1 << 16


def _decompressor(kind: str) -> Any:
    if kind == "gzip":
        return zlib.decompressobj(wbits=31)
    if kind == "bz2":
        return bz2.BZ2Decompressor()
    return lzma.LZMADecompressor()


class Decompressed:
    """``read`` and ``readline`` over the decompressed content of ``fh``."""

    def __init__(self, fh: IO[bytes], kind: str, report: PickleReport) -> None:
        self._fh = fh
        self._kind = kind
        self._report = report
        self._engine = _decompressor(kind)
        self._pending = b""  # compressed input not yet given to the engine
        self._buf = b""
        self._pos = 0
        self._ended = False

    def _step(self) -> None:
        engine = self._engine
        if engine.eof:
            rest = engine.unused_data + self._fh.read(_INPUT)
            if not rest.strip(b"\0"):
                self._ended = True
                return
            self._engine = engine = _decompressor(self._kind)  # a concatenated member
            self._pending = rest
        tail = getattr(engine, "unconsumed_tail", b"")
        if tail:
            data = tail
        elif self._pending:
            data, self._pending = self._pending, b""
        elif getattr(engine, "needs_input", True):
            data = self._fh.read(_INPUT)
            if not data:
                self._ended = True  # input ended before the end-of-stream marker
                return
        else:
            data = b""
        out = engine.decompress(data, _STEP)
        self._report.inflated_left -= len(out)
        if self._report.inflated_left < 0:
            raise format_error("decompressed data too large to inspect")
        self._buf = self._buf[self._pos :] + out
        self._pos = 0

    def _available(self) -> int:
        return len(self._buf) - self._pos

    def read(self, n: int = -1) -> bytes:
        want = _STEP if n < 0 else n
        while self._available() < want and not self._ended:
            self._step()
        data = self._buf[self._pos : self._pos + want]
        self._pos += len(data)
        return data

    def readline(self, limit: int = -1) -> bytes:
        limit = _STEP if limit < 0 else limit
        while True:
            cut = self._buf.find(b"\n", self._pos, self._pos + limit)
            if cut >= 0:
                return self.read(cut + 1 - self._pos)
            if self._available() >= limit or self._ended:
                return self.read(limit)
            self._step()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False
