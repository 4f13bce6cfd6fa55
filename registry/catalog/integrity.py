"""Storing and reading the integrity records of a variant's files (tensors, format, stats).

Written in the same transaction as the variant (``create_variant``), read by ``verify``
(to name changed tensors and to trust ``--quick``) and by ``show``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from registry.checkpoints.manifest import FileEntry, FileStat, TensorEntry
from registry.db.base import utcnow
from registry.db.models import FileInfo, TensorRecord, VariantFile


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


def load_recorded(session: Session, variant_id: int) -> list[FileEntry]:
    """The files of a variant as verify needs them: digests, tensors, last stat."""
    files = list(
        session.scalars(
            select(VariantFile)
            .where(VariantFile.variant_id == variant_id)
            .order_by(VariantFile.path)
        )
    )
    ids = [f.id for f in files]
    infos = {
        i.file_id: i for i in session.scalars(select(FileInfo).where(FileInfo.file_id.in_(ids)))
    }
    tensors: dict[int, list[TensorEntry]] = {}
    rows = session.scalars(
        select(TensorRecord)
        .where(TensorRecord.file_id.in_(ids))
        .order_by(TensorRecord.file_id, TensorRecord.start_offset)
    )
    for t in rows:
        tensors.setdefault(t.file_id, []).append(
            TensorEntry(t.name, t.dtype, tuple(t.shape), t.start_offset, t.end_offset, t.digest)
        )
    out = []
    for f in files:
        info = infos.get(f.id)
        stat = None
        if info is not None and info.stat_size is not None and info.stat_inode is not None:
            stat = FileStat(
                info.stat_size,
                int(info.stat_mtime_ns or 0),
                int(info.stat_inode),
                int(info.stat_device or 0),
            )
        out.append(
            FileEntry(
                f.path,
                f.size,
                f.sha256,
                f.git_oid,
                format=info.format if info else "other",
                tensors=tuple(tensors.get(f.id, ())),
                details=dict(info.details) if info else {},
                stat=stat,
            )
        )
    return out


def record_verified(session: Session, variant_id: int, stats: Mapping[str, FileStat]) -> None:
    """Remember the stat of files a full verify read and found unchanged (for ``--quick``)."""
    if not stats:
        return
    ids = _file_ids(session, variant_id)
    now = utcnow()
    existing = set(
        session.scalars(select(FileInfo.file_id).where(FileInfo.file_id.in_(ids.values())))
    )
    for path, stat in stats.items():
        fid = ids.get(path)
        if fid is None:
            continue
        values = {**_stat_columns(stat), "verified_at": now}
        if fid in existing:
            session.execute(update(FileInfo).where(FileInfo.file_id == fid).values(**values))
        else:
            session.execute(
                insert(FileInfo).values(file_id=fid, format="other", details={}, **values)
            )
