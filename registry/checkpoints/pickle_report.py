"""What a pickle scan found in one file, the errors it raises, and the byte source it reads.

``PickleReport`` collects, across every pickle of a file (stacked, or inside containers),
the globals imported (normalised, each tiered once) and the findings that are not globals
(a ``BUILD`` that modifies a global, a name computed on the stack). It also carries the
per-file budgets that keep a hostile file from costing unbounded time or memory.

``ByteSource`` reads any binary stream (a file, a zip member, a decompressed stream) with an
already-read prefix in front, so containers sniff a head without seeking back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import IO, Any

from registry.checkpoints.pickle_globals import classify, dotted, normalise
from registry.errors import CheckpointError

MAX_LISTED = 1000  # globals listed in a report (more are counted)
MAX_DISTINCT = 10_000  # distinct globals in one file; real checkpoints hold tens
MAX_OPCODES = 20_000_000  # opcodes in one file, every pickle together
MAX_INFLATED = 4 << 30  # bytes read out of compressed streams in one file


class PickleFormatError(CheckpointError):
    """A pickle stream or container that cannot be inspected to its end (exit 4).

    ``report`` holds what the scan found before the defect, so a caller can name the
    dangerous globals of a stream that is also malformed.
    """

    report: PickleReport | None = None


class TruncatedPickleError(PickleFormatError):
    """The data ends inside a pickle (or an argument claims more bytes than there are)."""


def format_error(defect: str) -> PickleFormatError:
    """A defect found deep in a scan; ``scan_file`` names the file and member."""
    return PickleFormatError("<pickle>", defect)


@dataclass
class PickleReport:
    """Globals and findings of every pickle in one file."""

    container: str  # pickle, stream, torch-legacy, zip, npy, tar, gzip, bz2, xz
    globals: list[str] = field(default_factory=list)  # first MAX_LISTED, in order
    dangerous: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    pickles: int = 0
    distinct: int = 0
    location: str = ""  # the member being scanned ("" for the file itself)
    first_location: dict[str, str] = field(default_factory=dict)  # flagged name -> member
    opcodes_left: int = field(default_factory=lambda: MAX_OPCODES)
    inflated_left: int = field(default_factory=lambda: MAX_INFLATED)
    refs: dict[str, Any] = field(default_factory=dict, repr=False)  # interned symbolic globals
    _seen: set[str] = field(default_factory=set, repr=False)

    def add_global(self, module: str, name: str, *, raw: bool = True) -> tuple[str, str]:
        """Record a global (as written when ``raw``); returns its normalised module and name."""
        if raw:
            module, name = normalise(module, name)
        full = dotted(module, name)
        if full not in self._seen:
            self._add(full, classify(module, name))
        return module, name

    def add_finding(self, text: str) -> None:
        """A dangerous construct that is not a plain global (named in ``dangerous``)."""
        if text not in self._seen:
            self._add(text, "dangerous")

    def _add(self, full: str, tier: str) -> None:
        self._seen.add(full)
        self.distinct += 1
        if self.distinct > MAX_DISTINCT:
            raise PickleFormatError(
                self.location or "<pickle>", f"more than {MAX_DISTINCT} distinct globals"
            )
        if len(self.globals) < MAX_LISTED:
            self.globals.append(full)
        flagged = self.dangerous if tier == "dangerous" else self.unknown
        if tier != "safe" and len(flagged) < MAX_LISTED:
            flagged.append(full)
            self.first_location.setdefault(full, self.location)


class ByteSource:
    """Sequential reads over ``fh`` after ``prefix``; ``size`` is the total length if known."""

    def __init__(self, fh: IO[bytes], size: int | None, prefix: bytes = b"") -> None:
        self._fh = fh
        self._buf = prefix
        self.size = size
        self.pos = 0

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes, or ``TruncatedPickleError``."""
        if self._buf:
            data, self._buf = self._buf[:n], self._buf[n:]
            if len(data) < n:
                data += self._fh.read(n - len(data))
        else:
            data = self._fh.read(n)
        self.pos += len(data)
        if len(data) != n:
            raise TruncatedPickleError("<pickle>", "pickle truncated")
        return data

    def readline(self, limit: int) -> bytes:
        """One line with its newline, or ``TruncatedPickleError`` (none within ``limit``)."""
        if self._buf:
            cut = self._buf.find(b"\n", 0, limit)
            if cut >= 0:
                line, self._buf = self._buf[: cut + 1], self._buf[cut + 1 :]
            else:
                line, self._buf = self._buf[:limit], self._buf[limit:]
                if len(line) < limit and not self._buf:
                    line += self._fh.readline(limit - len(line))
        else:
            line = self._fh.readline(limit)
        self.pos += len(line)
        if not line.endswith(b"\n"):
            raise TruncatedPickleError("<pickle>", "pickle truncated (line without end)")
        return line

    def skip(self, n: int) -> None:
        """Pass over ``n`` bytes without keeping them (seek where the stream allows)."""
        if self.size is not None and self.pos + n > self.size:
            raise TruncatedPickleError(
                "<pickle>", f"pickle truncated: an argument of {n} bytes runs past the end"
            )
        if self._buf:
            taken = min(n, len(self._buf))
            self._buf = self._buf[taken:]
            self.pos += taken
            n -= taken
        if n and self.size is not None and _cheap_seek(self._fh):
            self._fh.seek(n, io.SEEK_CUR)
            self.pos += n
            return
        while n:
            chunk = self._fh.read(min(n, 1 << 20))
            if not chunk:
                raise TruncatedPickleError("<pickle>", "pickle truncated")
            self.pos += len(chunk)
            n -= len(chunk)

    def at_end(self) -> bool:
        if self._buf:
            return False
        if self.size is not None:
            return self.pos >= self.size
        self._buf = self._fh.read(1)
        return not self._buf


def _cheap_seek(fh: IO[bytes]) -> bool:
    """Only real files seek in O(1); a decompressing stream seeks by reading anyway."""
    return isinstance(fh, io.BufferedReader | io.FileIO | io.BytesIO)
