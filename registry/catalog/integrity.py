"""Storing and reading the integrity records of a variant's files (tensors, format, stats).

Written in the same transaction as the variant (``create_variant``); ``verify`` reads and
updates them over the plain DBAPI (``registry/catalog/verify_records.py``), ``show`` reads
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from registry.checkpoints.manifest import FileEntry, FileStat
from registry.db.base import utcnow
from registry.db.models import FileChunks, FileInfo, TensorRecord, VariantFile


def _file_ids(session: Session, variant_id: int) -> dict[str, int]:
    rows = session.execute(
        select(VariantFile.path, VariantFile.id).where(VariantFile.variant_id == variant_id)
    )
    return {str(path): int(fid) for path, fid in rows}


def _stat_columns(stat: FileStat | None) -> dict[str, Any]:
    if stat is None:
        return {"stat_size": None, "stat_mtime_ns": None, "stat_inode": None, "stat_device": None}
    return {
        "stat_size": stat.size,
        "stat_mtime_ns": stat.mtime_ns,
        "stat_inode": str(stat.inode),
        "stat_device": str(stat.device),
    }


def record_file_details(session: Session, variant_id: int, files: Sequence[FileEntry]) -> None:
    """Insert the format, details, stat and tensors of each file (bulk, one statement each)."""
    ids = _file_ids(session, variant_id)
    now = utcnow()
    info_rows = [
        {
            "file_id": ids[f.path],
            "format": f.format,
            "details": dict(f.details),
            "verified_at": now if f.stat is not None else None,
            **_stat_columns(f.stat),
        }
        for f in files
    ]
    if info_rows:
        session.execute(insert(FileInfo), info_rows)
    tensor_rows = [
        {
            "file_id": ids[f.path],
            "name": t.name,
            "dtype": t.dtype,
            "shape": list(t.shape),
            "start_offset": t.start,
            "end_offset": t.end,
            "digest": t.digest,
        }
        for f in files
        for t in f.tensors
    ]
    if tensor_rows:
        session.execute(insert(TensorRecord), tensor_rows)
    chunk_rows = [
        {"file_id": ids[f.path], "chunk_bytes": f.chunk_bytes, "digests": list(f.chunks)}
        for f in files
        if f.chunks
    ]
    if chunk_rows:
        session.execute(insert(FileChunks), chunk_rows)
