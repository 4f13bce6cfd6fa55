"""What ``verify`` reads from and writes to the catalog, over the plain DBAPI.

Reading: the variants to verify and, per variant, its files with their digests, tensors,
chunk digests and last stat. Writing, in one transaction per variant: the stat of each
file a full read proved unchanged (what ``verify --quick`` trusts) and the variant's
latest result (``verify --summary``). The tables are the ORM's (``registry/db/models``).
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from registry.catalog.shards import Shard
from registry.checkpoints.manifest import FileEntry, FileStat, TensorEntry, VerifyReport
from registry.db.reader import Reader, as_datetime, as_list, iso_utc
from registry.db.writer import Writer
from registry.errors import NotFoundError


@dataclass(frozen=True)
class VariantRef:
    id: int
    name: str
    source_uri: str | None


def variant_ref(reader: Reader, name: str) -> VariantRef:
    row = reader.row("SELECT id, name, source_uri FROM variants WHERE name = :n", {"n": name})
    if row is None:
        raise NotFoundError(f"no variant named {name!r}", hint="`modelreg list` shows them")
    return VariantRef(int(row[0]), str(row[1]), row[2])


def all_refs(reader: Reader, shard: Shard | None = None) -> list[VariantRef]:
    """Every variant by name (those of ``shard`` only, when given)."""
    rows = reader.rows("SELECT id, name, source_uri FROM variants ORDER BY name")
    refs = [VariantRef(int(i), str(n), s) for i, n, s in rows]
    return [r for r in refs if shard is None or shard.holds(r.name)]


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


def problems(report: VerifyReport) -> list[str]:
    """``STATUS PATH`` of every file that is not ok."""
    return [f"{f.status} {f.path}" for f in report.files if f.status != "ok"]


def record_outcome(
    writer: Writer,
    variant_id: int,
    report: VerifyReport,
    *,
    stats: Mapping[str, FileStat],
    quick: bool,
    shard: Shard | None,
) -> None:
    """Remember the stat of the files proven unchanged and the variant's latest result."""
    now = writer.timestamp_param(dt.datetime.now(dt.UTC))
    ids = {
        str(p): int(i)
        for i, p in writer.rows(
            "SELECT id, path FROM variant_files WHERE variant_id = :v", {"v": variant_id}
        )
    }
    stat_rows = [
        {
            "file_id": ids[path],
            "details": writer.json_param({}),
            "size": st.size,
            "mtime": st.mtime_ns,
            "inode": str(st.inode),
            "device": str(st.device),
            "at": now,
        }
        for path, st in stats.items()
        if path in ids
    ]
    with writer.transaction():
        writer.execute_many(
            "INSERT INTO file_info (file_id, format, details, stat_size, stat_mtime_ns, "
            "stat_inode, stat_device, verified_at) VALUES (:file_id, 'other', :details, :size, "
            ":mtime, :inode, :device, :at) ON CONFLICT (file_id) DO UPDATE SET "
            "stat_size = excluded.stat_size, stat_mtime_ns = excluded.stat_mtime_ns, "
            "stat_inode = excluded.stat_inode, stat_device = excluded.stat_device, "
            "verified_at = excluded.verified_at",
            stat_rows,
        )
        writer.execute(
            "INSERT INTO verify_results (variant_id, status, files_checked, bytes_read, "
            "problems, quick, shard, host, verified_at) VALUES (:v, :status, :files, :bytes, "
            ":problems, :quick, :shard, :host, :at) ON CONFLICT (variant_id) DO UPDATE SET "
            "status = excluded.status, files_checked = excluded.files_checked, "
            "bytes_read = excluded.bytes_read, problems = excluded.problems, "
            "quick = excluded.quick, shard = excluded.shard, host = excluded.host, "
            "verified_at = excluded.verified_at",
            {
                "v": variant_id,
                "status": "ok" if report.ok else "failed",
                "files": len(report.files),
                "bytes": report.bytes_read,
                "problems": writer.json_param(problems(report)),
                "quick": quick,
                "shard": None if shard is None else str(shard),
                "host": socket.gethostname()[:255],
                "at": now,
            },
        )


def verify_summary(reader: Reader, since: dt.datetime | None = None) -> Iterator[dict[str, Any]]:
    """The latest verify result of every variant, by name (older than ``since``: none).

    ``local``: whether the variant has a local checkpoint (``verify --all`` skips the others).
    """
    for name, source, status, files, nbytes, probs, quick, shard, host, at in reader.stream(
        "SELECT v.name, v.source_uri, r.status, r.files_checked, r.bytes_read, "
        "CAST(r.problems AS TEXT), r.quick, r.shard, r.host, r.verified_at FROM variants v "
        "LEFT JOIN verify_results r ON r.variant_id = v.id ORDER BY v.name"
    ):
        fresh = at is not None and (since is None or as_datetime(at) >= since)
        yield {
            "name": name,
            "local": bool(source) and not str(source).startswith("hf:"),
            "status": status if fresh else None,
            "verified_at": iso_utc(at) if at is not None else None,
            "files_checked": int(files) if fresh else None,
            "bytes_read": int(nbytes) if fresh else None,
            "problems": as_list(probs) if fresh else [],
            "quick": bool(quick) if fresh else None,
            "shard": shard if fresh else None,
            "host": host if fresh else None,
        }
