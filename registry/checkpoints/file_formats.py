"""What each file of a checkpoint is, decided from its bytes before any of it is trusted.

``analyse`` opens a file (a regular file only: a FIFO swapped in after discovery is refused
by ``fstat`` without blocking), sniffs its first bytes and reads what its format declares:

- ``.safetensors``: the strict header (``safetensors_format``); pickle bytes under that
  name are refused outright, whatever ``--allow-pickle`` says;
- GGUF (by magic or name): the strict header (``gguf_format``), its tensors and metadata;
- anything else is inspected for pickles by content (``pickle_scan``): a pickle, stacked
  pickles, torch's legacy stream, zip/tar members, object ``.npy`` arrays, compressed
  streams. Every global is tiered: a dangerous one refuses the file always, one outside the
  safe list refuses it unless ``allow_pickle``; a malformed pickle refuses it. A pickle
  suffix (``.pkl``, ``.pt``, ``.pth``, ``.ckpt``, ...), or ``.bin`` starting with a
  protocol marker, declares a pickle: then a defect refuses even before any import;
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
    """A pickle that imports callables able to run arbitrary code (never registered)."""


class UnknownPickleGlobalError(DangerousPickleError):
    """A pickle that imports globals outside the safe list (``--allow-pickle`` admits it)."""


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
        if suffix == ".safetensors":
            report = _scan(rel, fh, size, lenient=True)
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
        declared = suffix in pickle_scan.PICKLE_SUFFIXES or (
            suffix == ".bin" and head[:1] == b"\x80" and head[1:2] in _PROTOCOLS
        )
        report = _scan(rel, fh, size, declared=declared)
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


_PROTOCOLS = [bytes([p]) for p in range(6)]


def _scan(
    rel: str, fh: IO[bytes], size: int, *, declared: bool = False, lenient: bool = False
) -> pickle_scan.PickleReport | None:
    """``scan_file``, where a malformed stream that imported dangerous globals is refused
    under those names (the more useful defect to report)."""
    try:
        return pickle_scan.scan_file(rel, fh, size, declared=declared, lenient=lenient)
    except pickle_scan.PickleFormatError as exc:
        found = exc.report
        if found is not None and found.dangerous:
            raise DangerousPickleError(
                rel,
                f"{_listed('dangerous globals', found.dangerous, found)}; refused "
                f"(and {exc.defect})",
            ) from None
        raise


def _listed(what: str, names: list[str], report: pickle_scan.PickleReport) -> str:
    shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
    where = report.first_location.get(names[0], "")
    return f"pickle imports {what} ({shown})" + (f" in {where}" if where else "")


def _pickle_analysis(rel: str, report: pickle_scan.PickleReport, allow: bool) -> Analysis:
    if report.dangerous:
        raise DangerousPickleError(
            rel, f"{_listed('dangerous globals', report.dangerous, report)}; refused"
        )
    unknown = report.unknown
    if unknown and not allow:
        raise UnknownPickleGlobalError(
            rel,
            f"{_listed('globals outside the safe list', unknown, report)}; refused "
            "(--allow-pickle overrides)",
        )
    details = {
        "risk": "code-execution",
        "container": report.container,
        "pickles": report.pickles,
        "globals": report.globals,
        "unknown": unknown,
        "distinct_globals": report.distinct,
    }
    warning = f"{rel}: pickle file, runs code when loaded (imports {report.distinct} globals)"
    if unknown:
        warning += f"; outside the safe list: {', '.join(unknown[:5])} (allowed by --allow-pickle)"
    return Analysis("pickle", details=details, warning=warning)
