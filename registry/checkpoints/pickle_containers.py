"""Open what can hold a pickle, by content, and refuse what cannot be looked into.

``inspect`` reads the first bytes of a stream and dispatches on them, whatever the name:

- zip (``PK``): every member, by content (torch's ``archive/data.pkl``, an ``.npz``'s arrays,
  a pickle under any name), except the raw tensor storages of a torch checkpoint
  (``PREFIX/data/KEY`` beside ``PREFIX/data.pkl``, never unpickled by ``torch.load``);
  encrypted members and members compressed with a method the standard library cannot read
  are refused; nested archives are copied to a temporary file
  first (at most ``MAX_SPOOL`` bytes) so that opening them stays linear;
- ``.npy`` (``\\x93NUMPY``): an array whose dtype holds objects is a pickle after the header;
- gzip, bzip2 and xz streams: decompressed on the fly (at most ``MAX_INFLATED`` bytes per
  file) and their content inspected in turn; tar archives: every regular member;
- 7z, RAR, zstd, LZ4 and CAB archives: refused, the standard library cannot open them;
- anything else: walked as a stream of pickles (``pickle_stream``).

Nesting stops at ``MAX_DEPTH``; an archive with more than ``MAX_MEMBERS`` members, or whose
zip central directory exceeds ``MAX_CENTRAL_DIRECTORY`` bytes, is refused before it is read.
"""

from __future__ import annotations

import lzma
import tarfile
import tempfile
import zipfile
import zlib
from typing import IO, cast

from registry.checkpoints import npy_header, zip_limits
from registry.checkpoints.decompressed import Decompressed
from registry.checkpoints.pickle_report import (
    ByteSource,
    PickleReport,
    TruncatedPickleError,
    format_error,
)
from registry.checkpoints.pickle_stream import scan_stream

SNIFF = 64 * 1024
MAX_DEPTH = 4
MAX_MEMBERS = 100_000
MAX_SPOOL = 1 << 30
PICKLE_SUFFIXES = (".pkl", ".pickle", ".pt", ".pth", ".ckpt", ".joblib")
_REFUSED = {
    b"7z\xbc\xaf\x27\x1c": "7z archive",
    b"Rar!\x1a\x07": "RAR archive",
    b"\x28\xb5\x2f\xfd": "zstd stream",
    b"\x04\x22\x4d\x18": "LZ4 frame",
    b"MSCF\x00\x00\x00\x00": "CAB archive",
}
_COMPRESSED_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError)


def kind_of(head: bytes) -> str | None:
    """The container a head of bytes starts, or None for a possible pickle or plain data."""
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:6] == npy_header.MAGIC:
        return "npy"
    if head[:2] == b"\x1f\x8b" and head[2:3] == b"\x08":
        return "gzip"
    if head[:3] == b"BZh" and head[4:10] == b"1AY&SY":
        return "bz2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if head[257:263] == b"ustar\x00" or head[257:265] == b"ustar  \x00":  # POSIX, GNU
        return "tar"
    for magic, what in _REFUSED.items():
        if head.startswith(magic):
            return what
    return None


def inspect(
    fh: IO[bytes], size: int | None, report: PickleReport, *, declared: bool, depth: int = 0
) -> bool:
    """Scan everything ``fh`` holds into ``report``; True if it holds a pickle somewhere."""
    head = fh.read(SNIFF)
    kind = kind_of(head)
    if kind is None:
        return scan_stream(ByteSource(fh, size, head), report, declared=declared)
    if depth >= MAX_DEPTH:
        raise format_error(f"archives nested more than {MAX_DEPTH} deep cannot be inspected")
    if report.container in ("pickle", "stream"):
        report.container = kind
    if kind == "npy":
        return _npy(ByteSource(fh, size, head), report)
    if kind == "zip":
        if depth == 0 and fh.seekable():
            fh.seek(0)
            return _zip(fh, report, depth)
        with _spooled(fh, head) as spool:
            return _zip(spool, report, depth)
    if kind == "tar":
        return _tar(_chain(head, fh), report, depth)
    if kind in ("gzip", "bz2", "xz"):
        return _compressed(kind, _chain(head, fh), report, declared=declared, depth=depth)
    raise format_error(f"{kind} cannot be inspected for pickles (refused)")


def _npy(src: ByteSource, report: PickleReport) -> bool:
    try:
        objects = npy_header.holds_objects(src)
    except TruncatedPickleError:
        return False  # a header cut short: numpy cannot load it either
    if not objects:
        return False
    scan_stream(src, report, declared=True)
    return True


def _zip(fh: IO[bytes], report: PickleReport, depth: int) -> bool:
    zip_limits.check_central_directory(fh)
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise format_error(f"unreadable zip archive: {exc}") from None
    with zf:
        return _zip_members(zf, report, depth)


def torch_storages(names: list[str]) -> set[str]:
    """The members of a torch zip checkpoint that hold raw tensor storage.

    ``torch.save`` writes ``PREFIX/data.pkl`` (the one pickle ``torch.load`` unpickles) and
    one ``PREFIX/data/KEY`` per storage, which it reads back as raw bytes through the
    pickle's persistent ids and never unpickles. Their bytes are tensor data: scanning them
    as pickles would refuse a benign checkpoint whenever random weights happen to begin
    with an opcode (an ``EXT1`` byte, say); a pickle hidden there would never run.
    """
    prefixes = {n[: -len("data.pkl")] for n in names if n == "data.pkl" or n.endswith("/data.pkl")}
    return {
        n
        for n in names
        for prefix in prefixes
        if n.startswith(prefix + "data/") and n[len(prefix) + 5 :].isdigit()
    }


def _zip_members(zf: zipfile.ZipFile, report: PickleReport, depth: int) -> bool:
    members = [i for i in zf.infolist() if not i.is_dir()]
    if len(members) > MAX_MEMBERS:
        raise format_error(f"zip archive with more than {MAX_MEMBERS} members")
    storages = torch_storages([i.filename for i in members])
    found = False
    outer = report.location
    for info in members:
        report.location = f"{outer}/{info.filename}" if outer else info.filename
        if info.flag_bits & 0x1:
            raise format_error("zip member is encrypted and cannot be inspected")
        if info.filename in storages:
            continue
        declared = info.filename.lower().endswith(PICKLE_SUFFIXES)
        try:
            with zf.open(info) as member:
                found |= inspect(member, info.file_size, report, declared=declared, depth=depth + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error) as exc:
            raise format_error(f"unreadable zip member: {exc}") from None
    report.location = outer
    return found


def _tar(fh: IO[bytes], report: PickleReport, depth: int) -> bool:
    found = False
    outer = report.location
    try:
        with tarfile.open(fileobj=fh, mode="r|") as tf:
            for count, member in enumerate(tf):
                if count >= MAX_MEMBERS:
                    raise format_error(f"tar archive with more than {MAX_MEMBERS} members")
                if not member.isfile():
                    continue
                report.location = f"{outer}/{member.name}" if outer else member.name
                stream = tf.extractfile(member)
                if stream is None:
                    continue
                declared = member.name.lower().endswith(PICKLE_SUFFIXES)
                found |= inspect(stream, member.size, report, declared=declared, depth=depth + 1)
    except (tarfile.TarError, *_COMPRESSED_ERRORS) as exc:
        raise format_error(f"unreadable tar archive: {exc}") from None
    report.location = outer
    return found


def _compressed(
    kind: str, fh: IO[bytes], report: PickleReport, *, declared: bool, depth: int
) -> bool:
    before = report.distinct
    stream = cast(IO[bytes], Decompressed(fh, kind, report))
    try:
        return inspect(stream, None, report, declared=declared, depth=depth + 1)
    except _COMPRESSED_ERRORS as exc:
        if declared or report.distinct != before:
            raise format_error(f"unreadable {kind} stream: {exc}") from None
        return False


def _chain(head: bytes, fh: IO[bytes]) -> IO[bytes]:
    return cast(IO[bytes], _Chain(head, fh))


def _spooled(fh: IO[bytes], head: bytes) -> IO[bytes]:
    """A nested archive copied to a temporary file, so that opening it stays linear."""
    spool = tempfile.TemporaryFile()
    spool.write(head)
    copied = len(head)
    while chunk := fh.read(1 << 20):
        copied += len(chunk)
        if copied > MAX_SPOOL:
            spool.close()
            raise format_error(f"nested archive larger than {MAX_SPOOL} bytes cannot be inspected")
        spool.write(chunk)
    spool.seek(0)
    return spool


class _Chain:
    """A read-only stream: ``head`` then the rest of ``fh`` (short reads allowed)."""

    def __init__(self, head: bytes, fh: IO[bytes]) -> None:
        self._head = head
        self._fh = fh

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n < 0:
                data, self._head = self._head + self._fh.read(), b""
                return data
            data, self._head = self._head[:n], self._head[n:]
            return data
        return self._fh.read(n)

    def readable(self) -> bool:
        return True
