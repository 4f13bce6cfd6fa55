"""Pickle detection and scanning from the opcodes alone: a pickle is never unpickled.

A pickle runs code when loaded: every ``GLOBAL`` / ``STACK_GLOBAL`` / ``INST`` imports a
callable the stream may then call. ``scan_file`` finds every pickle a file holds, by
content (a pickle of any protocol, stacked pickles, torch's legacy stream, a zip or tar
member of any name, an object ``.npy``, a compressed stream: ``pickle_containers``), walks
each one's opcodes (``pickle_walk``) and tiers every global it reaches by allowlist
(``pickle_globals``, data in ``pickle_tiers``): safe, dangerous, or unknown.

Large arguments are skipped with a seek, so memory stays flat whatever length a hostile file
claims; opcodes, memo, stack, members, nesting and decompressed bytes are capped, and a cap
reached refuses the file rather than ending the scan early.
"""

from __future__ import annotations

import io
from typing import IO

from registry.checkpoints.pickle_containers import PICKLE_SUFFIXES, inspect, kind_of
from registry.checkpoints.pickle_globals import classify, is_dangerous, normalise
from registry.checkpoints.pickle_report import (
    MAX_LISTED,
    ByteSource,
    PickleFormatError,
    PickleReport,
    TruncatedPickleError,
)
from registry.checkpoints.pickle_walk import Walker

__all__ = [
    "MAX_LISTED",
    "PICKLE_SUFFIXES",
    "PickleFormatError",
    "PickleReport",
    "TruncatedPickleError",
    "classify",
    "is_dangerous",
    "normalise",
    "scan_file",
    "sniff",
]


def sniff(head: bytes) -> str | None:
    """``"zip"``, ``"pickle"`` or None from the first bytes of a file (up to 64 KiB).

    A head is a pickle when its opcodes parse to a ``STOP``, or to the end of the head when
    the head is a full window, or until a defect after a global was imported.
    """
    kind = kind_of(head)
    if kind is not None:
        return "zip" if kind == "zip" else None
    walker = Walker(ByteSource(io.BytesIO(head), len(head)), PickleReport("pickle"))
    try:
        walker.walk()
    except TruncatedPickleError:
        return "pickle" if walker.imported or len(head) >= 1 << 16 else None
    except PickleFormatError:
        return "pickle" if walker.imported else None
    return "pickle"


def scan_file(
    path: str, fh: IO[bytes], size: int, *, declared: bool = False, lenient: bool = False
) -> PickleReport | None:
    """Every pickle ``fh`` holds, or None when it holds none.

    ``declared``: the name says pickle (a defect is refused even before any import);
    ``lenient``: a container or pickle defect with nothing imported is not a pickle (for
    ``.safetensors``, whose length prefix may start with pickle or archive bytes).
    Raises ``PickleFormatError`` (exit 4, its ``report`` holding what was found) for
    content that cannot be inspected to its end.
    """
    fh.seek(0)
    report = PickleReport("pickle")
    try:
        found = inspect(fh, size, report, declared=declared)
    except PickleFormatError as exc:
        if lenient and not report.distinct:
            return None
        where = f" in {report.location}" if report.location else ""
        error = type(exc)(path, f"{exc.defect}{where}")
        error.report = report
        raise error from None
    return report if found else None
