"""Every pickle of a byte stream, to its end: stacked pickles and torch's legacy format.

A loader may call ``pickle.load`` again and again on one stream, so after each ``STOP`` the
next bytes are walked as the next pickle, whatever its protocol, until the end of the data.

Bytes that do not parse as a pickle decide by what came before them. Code runs only once a
global is imported, so data whose walked prefix imported none (a tensor whose first bytes
happen to read ``PROTO 2``, a note that starts ``N.``) is not a pickle, unless the stream is
declared one (a pickle suffix, an object ``.npy``), where any defect is refused. Once a
global has been imported, a truncated pickle or trailing bytes that are not a pickle are
refused: the scanner could not see all the stream holds.

Torch's legacy format (``torch.save(..., _use_new_zipfile_serialization=False)``) is five
pickles (a magic number, the protocol version, system info, the object, the storage keys)
followed by raw storage bytes. Those bytes are accepted only as the format declares them:
each key of the fifth pickle was declared by a persistent id of the fourth
(``('storage', torch.FloatStorage, key, location, numel, ...)``), and the tail is exactly,
key after key, an 8-byte element count equal to ``numel`` and ``numel`` x element size bytes,
to the end of the file. Anything else after the fifth pickle is refused, so no pickle can
hide behind storage bytes.
"""

from __future__ import annotations

from typing import Any

from registry.checkpoints.pickle_calls import Node, Ref
from registry.checkpoints.pickle_report import (
    ByteSource,
    PickleFormatError,
    PickleReport,
    format_error,
)
from registry.checkpoints.pickle_walk import Walker

TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
MAX_STORAGES = 1_000_000
_ELEMENT_SIZE = {
    "Double": 8, "Float": 4, "Half": 2, "BFloat16": 2, "Long": 8, "Int": 4, "Short": 2,
    "Char": 1, "Byte": 1, "Bool": 1, "ComplexFloat": 8, "ComplexDouble": 16, "QInt8": 1,
    "QUInt8": 1, "QInt32": 4, "QUInt4x2": 1, "QUInt2x4": 1, "Untyped": 1,
}  # fmt: skip


def scan_stream(src: ByteSource, report: PickleReport, *, declared: bool) -> bool:
    """Walk every pickle in ``src`` into ``report``; False if ``src`` holds no pickle.

    Raises ``PickleFormatError`` for a stream that is a pickle but cannot be walked to its
    end (see the module docstring).
    """
    imported = False
    count = 0
    while True:
        walker = Walker(src, report)
        try:
            value = walker.walk()
        except PickleFormatError:
            if not (imported or walker.imported or declared):
                return False
            raise
        imported = imported or walker.imported
        count += 1
        report.pickles += 1
        if count == 1 and value == TORCH_LEGACY_MAGIC and type(value) is int:
            _scan_legacy_rest(src, report)
            report.container = "torch-legacy"
            return True
        if src.at_end():
            if report.container in ("pickle", "stream"):
                report.container = "pickle" if report.pickles == 1 else "stream"
            return True


class _Storages:
    """Storage declarations of a legacy torch file: key -> (element size, element count)."""

    def __init__(self) -> None:
        self.declared: dict[str, tuple[int, int]] = {}
        self.bad: str | None = None

    def __call__(self, pid: Any) -> None:
        items = pid.items if isinstance(pid, Node) else []
        if len(items) < 5 or items[0] != "storage":
            self.bad = self.bad or "a persistent id that is not a storage"
            return
        kind, key, numel = items[1], items[2], items[4]
        size = None
        if isinstance(kind, Ref) and kind.module in ("torch", "torch.storage", "torch.cuda"):
            size = _ELEMENT_SIZE.get(kind.name.removesuffix("Storage"))
        if size is None or not isinstance(key, str) or not isinstance(numel, int) or numel < 0:
            self.bad = self.bad or "a storage declaration it cannot read"
            return
        if len(self.declared) >= MAX_STORAGES:
            self.bad = self.bad or f"more than {MAX_STORAGES} storages"
            return
        self.declared[key] = (size, numel)


def _scan_legacy_rest(src: ByteSource, report: PickleReport) -> None:
    """Pickles 2-5 of a legacy torch file, then its storage bytes exactly as declared."""
    storages = _Storages()
    keys: list[str] = []
    for index in range(2, 6):
        walker = Walker(
            src,
            report,
            on_persistent_id=storages if index == 4 else None,
            strings=keys if index == 5 else None,
        )
        walker.walk()
        report.pickles += 1
    if storages.bad:
        raise format_error(f"torch legacy file with {storages.bad}")
    for key in keys:
        if key not in storages.declared:
            raise format_error(f"torch legacy file lists undeclared storage {key!r}")
        size, numel = storages.declared[key]
        count = int.from_bytes(src.read(8), "little", signed=True)
        if count != numel:
            raise format_error(
                f"torch legacy storage {key!r} holds {count} elements, declared {numel}"
            )
        src.skip(numel * size)
    if not src.at_end():
        raise format_error("torch legacy file has bytes after its declared storages")
