"""Walking a byte range of a file in cache-sized slices, without copying when possible.

``mapped`` maps the file read-only in ``WINDOW``-byte windows (``MAP_POPULATE``: the pages are
mapped in one call) and hands out ``CHUNK``-byte slices of each; ``read`` does the same with
``readinto`` into one buffer, for files that cannot be mapped. Each slice is given to
``feed(slice, file_offset)`` and must not be kept after the call; ``tick(n)`` reports progress.
"""

from __future__ import annotations

import errno
import io
import mmap
import os
from collections.abc import Callable

CHUNK = 1024 * 1024
WINDOW = 64 * 1024 * 1024  # per hashing thread (two per core): what is mapped at once
USE_MMAP = hasattr(mmap, "MAP_POPULATE")
_MAP_FLAGS = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)


def mapped(
    fh: io.FileIO,
    begin: int,
    stop: int,
    feed: Callable[[memoryview, int], None],
    tick: Callable[[int], None],
) -> None:
    """Feed [begin, stop) from read-only mappings of ``WINDOW`` bytes, in ``CHUNK`` slices.

    No copy out of the page cache (the reason: a ``read`` copy costs ~10% of SHA-256 speed);
    each slice is hashed by every hasher while it is in the CPU cache. The size is checked
    before each window, so a file that shrank is an error rather than a fault.
    """
    fd = fh.fileno()
    pos = begin
    while pos < stop:
        base = pos - pos % mmap.ALLOCATIONGRANULARITY
        length = min(WINDOW, stop - base)
        if os.fstat(fd).st_size < base + length:
            raise OSError(errno.EIO, "file shrank while being read")
        mapped = mmap.mmap(fd, length, flags=_MAP_FLAGS, prot=mmap.PROT_READ, offset=base)
        try:
            with memoryview(mapped) as window:
                at = pos - base
                while at < length:
                    with window[at : at + CHUNK] as chunk:
                        feed(chunk, base + at)
                        n = len(chunk)
                    at += n
                    tick(n)
        finally:
            mapped.close()
        pos = base + length


def read(
    fh: io.FileIO,
    begin: int,
    stop: int,
    feed: Callable[[memoryview, int], None],
    tick: Callable[[int], None],
) -> None:
    """The same as ``mapped`` with ``readinto`` (files that cannot be mapped)."""
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    fh.seek(begin)
    pos = begin
    while pos < stop:
        n = fh.readinto(view[: min(CHUNK, stop - pos)])
        if not n:
            raise OSError(errno.EIO, "file shrank while being read")
        feed(view[:n], pos)
        tick(n)
        pos += n
