"""What each file of a checkpoint is, decided from its bytes before any of it is trusted.

``analyse`` opens a file (a regular file only: a FIFO swapped in after discovery is refused
by ``fstat`` without blocking), sniffs its first bytes and reads what its format declares:

- ``.safetensors``: the strict header (``safetensors_format``); pickle bytes under that
  name are refused outright, whatever ``--allow-pickle`` says;
- GGUF (by magic or name): the strict header (``gguf_format``), its tensors and metadata;
- pickle (by content, or a pickle-ish name whose content is a pickle or a zip of pickles):
  the globals it imports, from the opcodes; dangerous ones refuse unless allowed;
- ``*.safetensors.index.json``: checked later against the shard headers;
- anything else: hashed only.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import xxhash

from registry.checkpoints import pickle_scan
from registry.checkpoints.gguf_format import GGUF_MAGIC, GGUFHeader, read_gguf_header
from registry.checkpoints.gguf_meta import gguf_details
from registry.checkpoints.hashing import Segment
from registry.checkpoints.safetensors_format import SafetensorsHeader, read_header
from registry.checkpoints.shard_index import is_index
from registry.errors import CheckpointError

SNIFF_BYTES = 64 * 1024


class DangerousPickleError(CheckpointError):
    """A pickle that imports callables able to run arbitrary code."""


@dataclass
class Analysis:
    format: str
    header: SafetensorsHeader | GGUFHeader | None = None
    header_digest: str | None = None  # XXH3 of the bytes before the data area
    details: dict[str, Any] = field(default_factory=dict)
    warning: str | None = None


def header_segments(header: SafetensorsHeader | GGUFHeader | None) -> list[Segment]:
    """Each tensor's [start, end) in the file, sorted by offset (none without a header)."""
    if header is None:
        return []
    start = header.data_start
    return [Segment(t.name, start + t.begin, start + t.end) for t in header.tensors]


def open_regular(path: Path, rel: str) -> IO[bytes]:
    """Open a file for reading only if it is (still) a regular file; never blocks on a FIFO."""
    try:
        fd = os.open(os.path.realpath(path), os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        raise CheckpointError(rel, f"cannot read: {exc.strerror or exc}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise CheckpointError(rel, "refused: not a regular file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def analyse(path: Path, rel: str, size: int, *, allow_pickle: bool = False) -> Analysis:
    """Classify one file and validate what its format declares (see the module docstring)."""
    suffix = Path(rel).suffix.lower()
    with open_regular(path, rel) as fh:
        head = fh.read(SNIFF_BYTES)
        kind = pickle_scan.sniff(head)
        if suffix == ".safetensors":
            if kind is not None:
                report = _try_scan(rel, fh, size)
                if report is not None:
                    imports = ", ".join(report.globals[:5]) or "no globals"
                    raise DangerousPickleError(
                        rel, f"pickle data disguised as safetensors (imports {imports}); refused"
                    )
            header = read_header(rel, fh, size)
            fh.seek(0)
            digest = xxhash.xxh3_128(fh.read(header.data_start)).hexdigest()
            details: dict[str, Any] = {"tensor_count": len(header.tensors)}
            return Analysis("safetensors", header, digest, details)
        if head[:4] == GGUF_MAGIC or suffix == ".gguf":
            gguf = read_gguf_header(rel, fh, size)
            return Analysis("gguf", gguf, _prefix_digest(fh, gguf.data_start), gguf_details(gguf))
        if kind is not None or suffix in pickle_scan.PICKLE_SUFFIXES:
            if suffix in pickle_scan.PICKLE_SUFFIXES and not allow_pickle:
                report = pickle_scan.scan_file(rel, fh, size)  # unparseable: refused
            else:
                report = _try_scan(rel, fh, size)
            if report is not None:
                return _pickle_analysis(rel, report, allow_pickle)
    if is_index(rel):
        return Analysis("index")
    return Analysis("other")


def _prefix_digest(fh: IO[bytes], n: int) -> str:
    """XXH3 of the first ``n`` bytes (a header), read in bounded chunks."""
    h = xxhash.xxh3_128()
    fh.seek(0)
    while n > 0 and (chunk := fh.read(min(n, SNIFF_BYTES * 16))):
        h.update(chunk)
        n -= len(chunk)
    return h.hexdigest()


def _try_scan(rel: str, fh: IO[bytes], size: int) -> pickle_scan.PickleReport | None:
    """A scan where bytes that merely look like a pickle at first are not one (a
    safetensors length of 0x280 starts with the bytes of ``PROTO 2``)."""
    try:
        return pickle_scan.scan_file(rel, fh, size)
    except pickle_scan.PickleFormatError:
        return None


def _pickle_analysis(rel: str, report: pickle_scan.PickleReport, allow: bool) -> Analysis:
    dangerous = report.dangerous
    if dangerous and not allow:
        shown = ", ".join(dangerous[:5]) + (" ..." if len(dangerous) > 5 else "")
        raise DangerousPickleError(
            rel,
            f"pickle imports dangerous globals ({shown}); refused (--allow-pickle overrides)",
        )
    details = {
        "risk": "code-execution",
        "container": report.container,
        "globals": report.globals,
        "dangerous": dangerous,
        "distinct_globals": report.distinct,
    }
    warning = f"{rel}: pickle file, runs code when loaded (imports {report.distinct} globals)"
    if dangerous:
        warning += f"; DANGEROUS: {', '.join(dangerous[:5])} (allowed by --allow-pickle)"
    return Analysis("pickle", details=details, warning=warning)
