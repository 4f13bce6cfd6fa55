"""What ``verify`` compares against: each variant's recorded files, over the plain DBAPI.

The variants to verify (named, or every one of a ``--shard``, a keyset page at a time) and,
per variant, its files with their digests, tensors, chunk digests and the stat of the last
full read. Read through :class:`~registry.db.reader.Reader`, so ``verify`` starts without
SQLAlchemy and the team server serves ``GET /recorded-files`` from the same code. The tables
are the ORM's (``registry/db/models``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from registry.catalog.shards import Shard
from registry.checkpoints.manifest import FileEntry, FileStat, TensorEntry
from registry.db.reader import Reader, as_list
from registry.errors import NotFoundError


@dataclass(frozen=True)
class VariantRef:
    id: int
    name: str
    source_uri: str | None


@dataclass(frozen=True)
class RecordedFiles:
    """What the catalog holds about one variant's files: what verify compares against."""

    name: str
    source_uri: str | None
    files: tuple[FileEntry, ...]


def variant_ref(reader: Reader, name: str) -> VariantRef:
    row = reader.row("SELECT id, name, source_uri FROM variants WHERE name = :n", {"n": name})
    if row is None:
        raise NotFoundError(f"no variant named {name!r}", hint="`modelreg list` shows them")
    return VariantRef(int(row[0]), str(row[1]), row[2])


def iter_refs(
    reader: Reader, shard: Shard | None = None, after: str | None = None, batch: int = 1000
) -> Iterator[VariantRef]:
    """Every variant (of ``shard``) by name after ``after``, read ``batch`` at a time (a
    keyset page each: no query holds the whole catalog)."""
    while True:
        params: dict[str, object] = {"after": after}
        rows = reader.rows(
            "SELECT id, name, source_uri FROM variants"
            + (" WHERE name > :after" if after is not None else "")
            + f" ORDER BY name LIMIT {int(batch)}",
            params if after is not None else {},
        )
        for i, n, s in rows:
            if shard is None or shard.holds(str(n)):
                yield VariantRef(int(i), str(n), s)
        if len(rows) < batch:
            return
        after = str(rows[-1][1])


def load_recorded(reader: Reader, variant_id: int) -> list[FileEntry]:
    """The files of a variant as verify needs them: digests, tensors, chunks, last stat."""
    files = reader.rows(
        "SELECT f.id, f.path, f.size, f.sha256, f.git_oid, i.format, i.stat_size, "
        "i.stat_mtime_ns, i.stat_inode, i.stat_device, c.chunk_bytes, "
        "CAST(c.digests AS TEXT) FROM variant_files f "
        "LEFT JOIN file_info i ON i.file_id = f.id "
        "LEFT JOIN file_chunks c ON c.file_id = f.id "
        "WHERE f.variant_id = :v ORDER BY f.path",
        {"v": variant_id},
    )
    tensors: dict[int, list[TensorEntry]] = {}
    for fid, name, dtype, shape, start, end, digest in reader.stream(
        "SELECT t.file_id, t.name, t.dtype, CAST(t.shape AS TEXT), t.start_offset, "
        "t.end_offset, t.digest FROM tensors t JOIN variant_files f ON f.id = t.file_id "
        "WHERE f.variant_id = :v ORDER BY t.file_id, t.start_offset",
        {"v": variant_id},
    ):
        tensors.setdefault(int(fid), []).append(
            TensorEntry(name, dtype, tuple(as_list(shape)), int(start), int(end), digest)
        )
    out = []
    for fid, path, size, sha, oid, fmt, st_size, mtime, inode, device, cbytes, cdig in files:
        stat = None
        if st_size is not None and inode is not None:
            stat = FileStat(int(st_size), int(mtime or 0), int(inode), int(device or 0))
        out.append(
            FileEntry(
                path,
                int(size),
                sha,
                oid,
                format=fmt or "other",
                tensors=tuple(tensors.get(int(fid), ())),
                stat=stat,
                chunk_bytes=int(cbytes or 0),
                chunks=tuple(as_list(cdig)),
            )
        )
    return out


def recorded_files(
    reader: Reader,
    names: Sequence[str],
    all_: bool,
    *,
    shard: Shard | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> list[RecordedFiles]:
    """The recorded files of the named variants (in order, duplicates dropped, NotFoundError
    first), or of every variant (of ``shard``) by name, ``after`` and ``limit`` giving one
    keyset page."""
    if all_:
        refs = list(islice(iter_refs(reader, shard, after), limit))
    else:
        refs = [variant_ref(reader, n) for n in dict.fromkeys(names)]
    return [RecordedFiles(r.name, r.source_uri, tuple(load_recorded(reader, r.id))) for r in refs]
