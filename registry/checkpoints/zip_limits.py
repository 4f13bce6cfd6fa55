"""The size of a zip's central directory, read from its end records before ``zipfile`` does.

``zipfile.ZipFile`` reads the whole central directory into memory and builds one object per
entry, trusting the size the end-of-central-directory record declares. Checking that size
first keeps a hostile archive with millions of tiny entries from costing gigabytes.
"""

from __future__ import annotations

import io
import struct
from typing import IO

from registry.checkpoints.pickle_report import format_error

MAX_CENTRAL_DIRECTORY = 16 << 20  # about 150,000 entries with torch's member names
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


def central_directory_size(fh: IO[bytes]) -> int | None:
    """The central directory size the archive declares, or None if no end record is found."""
    end = fh.seek(0, io.SEEK_END)
    start = max(0, end - (65535 + 22))
    fh.seek(start)
    tail = fh.read(end - start)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) < at + 22:
        return None
    entries, size = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries != 0xFFFF and size != 0xFFFFFFFF:
        return int(size)
    locator = tail[at - 20 : at] if at >= 20 else b""
    if not locator.startswith(_ZIP64_LOCATOR):
        return int(size)
    (offset,) = struct.unpack("<Q", locator[8:16])
    if offset > end:
        return None
    fh.seek(offset)
    record = fh.read(56)
    if not record.startswith(_ZIP64_EOCD) or len(record) < 56:
        return None
    (size64,) = struct.unpack("<Q", record[40:48])
    return int(size64)


def check_central_directory(fh: IO[bytes]) -> None:
    """Refuse an archive whose central directory is larger than ``MAX_CENTRAL_DIRECTORY``."""
    size = central_directory_size(fh)
    fh.seek(0)
    if size is not None and size > MAX_CENTRAL_DIRECTORY:
        raise format_error(f"zip central directory of {size} bytes is too large to inspect")
