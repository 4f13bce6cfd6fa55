"""Inserting a newly registered variant over the plain DBAPI (no SQLAlchemy).

One function writes everything a registration adds, in the caller's transaction: the
variant row, its files, each file's integrity records (format and details, the stat of the
read that hashed it, its tensors, its chunk digests), the half-precision digests provenance
matches on, its lineage edges and unresolved base references, and the ``variant.add`` audit
event. ``add`` on a database, the team server and the Hub and bill-of-materials imports all
come here through :func:`registry.catalog.registration.register_manifest`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from registry.audit.actor import Actor
from registry.catalog.bases import Found, find_by_name
from registry.catalog.validation import check_name, check_relation
from registry.checkpoints.manifest import FileEntry, FileStat
from registry.compliance.store import RawDB
from registry.errors import AlreadyExistsError, LineageError, NotFoundError
from registry.provenance.half_digests import HalfDigests


def variant_audit_view(
    *,
    license_id: str,
    license_name: str | None,
    parents: Sequence[tuple[str, str]],
    unresolved: Sequence[tuple[str, str]],
    modalities: Sequence[str],
    source_uri: str | None,
    content_digest: str | None,
    files: int,
    total_bytes: int,
) -> dict[str, Any]:
    """What the audit trail records of a variant when it is added or removed."""
    return {
        "license": license_id,
        "license_name": license_name,
        "parents": [{"name": n, "relation": r} for n, r in sorted(parents)],
        "unresolved_parents": [{"reference": n, "relation": r} for n, r in sorted(unresolved)],
        "modalities": list(modalities),
        "source": source_uri,
        "content_digest": content_digest,
        "files": files,
        "total_bytes": total_bytes,
    }


def _parent_rows(db: RawDB, name: str, parents: Sequence[tuple[str, str]]) -> list[tuple[int, str]]:
    rows: list[tuple[int, str]] = []
    seen: set[str] = set()
    for parent_name, relation in parents:
        rel = check_relation(relation)
        if parent_name == name:
            raise LineageError(f"{name!r} cannot be its own parent (lineage cycle)")
        if parent_name in seen:
            raise LineageError(f"parent {parent_name!r} is given twice")
        seen.add(parent_name)
        parent = find_by_name(db, parent_name)
        if parent is None:
            raise NotFoundError(f"unknown parent {parent_name!r}", hint="register the parent first")
        rows.append((parent.id, rel))
    return rows


def _stat(stat: FileStat | None) -> tuple[Any, ...]:
    if stat is None:
        return (None, None, None, None)
    return (stat.size, stat.mtime_ns, str(stat.inode), str(stat.device))


def insert_files(db: RawDB, variant_id: int, files: Sequence[FileEntry], now: Any) -> None:
    """The files of a new variant and their integrity records (one statement per table)."""
    db.execute_many(
        "INSERT INTO variant_files (variant_id, path, size, sha256, git_oid) "
        "VALUES (?, ?, ?, ?, ?)",
        [(variant_id, f.path, f.size, f.sha256, f.git_oid) for f in files],
    )
    ids = {
        str(path): int(fid)
        for fid, path in db.rows(
            "SELECT id, path FROM variant_files WHERE variant_id = ?", (variant_id,)
        )
    }
    db.execute_many(
        "INSERT INTO file_info (file_id, format, details, verified_at, stat_size, "
        "stat_mtime_ns, stat_inode, stat_device) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                ids[f.path],
                f.format,
                db.json_param(dict(f.details)),
                now if f.stat is not None else None,
                *_stat(f.stat),
            )
            for f in files
        ],
    )
    db.execute_many(
        "INSERT INTO tensors (file_id, name, dtype, shape, start_offset, end_offset, digest) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (ids[f.path], t.name, t.dtype, db.json_param(list(t.shape)), t.start, t.end, t.digest)
            for f in files
            for t in f.tensors
        ],
    )
    db.execute_many(
        "INSERT INTO file_chunks (file_id, chunk_bytes, digests) VALUES (?, ?, ?)",
        [(ids[f.path], f.chunk_bytes, db.json_param(list(f.chunks))) for f in files if f.chunks],
    )


def record_half_digests(db: RawDB, variant_id: int, found: HalfDigests) -> None:
    """Store the half-precision digests computed at ``add`` (the caller's transaction)."""
    if not found:
        return
    ids = {
        (str(path), str(name)): int(tid)
        for tid, path, name in db.rows(
            "SELECT t.id, f.path, t.name FROM tensors t "
            "JOIN variant_files f ON f.id = t.file_id WHERE f.variant_id = ?",
            (variant_id,),
        )
    }
    db.execute_many(
        "INSERT INTO tensor_half_digests (tensor_id, dtype, digest) VALUES (?, ?, ?)",
        [
            (ids[key], dtype, digest)
            for key, forms in found.items()
            if key in ids
            for dtype, digest in forms
        ],
    )


def insert_variant(
    db: RawDB,
    actor: Actor,
    *,
    name: str,
    license_id: str = "unknown",
    license_name: str | None = None,
    parents: Sequence[tuple[str, str]] = (),
    unresolved_parents: Sequence[tuple[str, str]] = (),
    modalities: Sequence[str] = ("text",),
    source_uri: str | None = None,
    architecture: str | None = None,
    parameter_count: int | None = None,
    files: Sequence[FileEntry] = (),
    content_digest: str | None = None,
) -> Found:
    """Insert a variant with its files and lineage (the caller's transaction, which holds
    the write lock: :meth:`RawDB.begin_write`) and append its ``variant.add`` event."""
    from registry.audit.raw import record_raw

    name = check_name(name)
    if find_by_name(db, name) is not None:
        raise AlreadyExistsError(f"a variant named {name!r} is already registered")
    parent_rows = _parent_rows(db, name, parents)
    unresolved = list({ref: (ref, check_relation(rel)) for ref, rel in unresolved_parents}.values())
    mods = sorted(set(modalities) or {"text"})
    total = sum(f.size for f in files)
    now = db.timestamp_param(dt.datetime.now(dt.UTC))
    inserted = db.rows(
        "INSERT INTO variants (name, license_id, license_name, modalities, source_uri, "
        "architecture, parameter_count, total_bytes, content_digest, created_at, created_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            name,
            license_id,
            license_name,
            db.json_param(mods),
            source_uri,
            architecture,
            parameter_count,
            total,
            content_digest,
            now,
            actor.name,
        ),
    )
    variant = Found(int(inserted[0][0]), name, source_uri)
    insert_files(db, variant.id, files, now)
    db.execute_many(
        "INSERT INTO lineage_edges (child_id, parent_id, relation) VALUES (?, ?, ?)",
        [(variant.id, pid, rel) for pid, rel in parent_rows],
    )
    db.execute_many(
        "INSERT INTO unresolved_parents (variant_id, reference, relation, created_at) "
        "VALUES (?, ?, ?, ?)",
        [(variant.id, ref, rel) + (now,) for ref, rel in unresolved],
    )
    after = variant_audit_view(
        license_id=license_id,
        license_name=license_name,
        parents=[(p, check_relation(r)) for p, r in parents],
        unresolved=unresolved,
        modalities=mods,
        source_uri=source_uri,
        content_digest=content_digest,
        files=len(files),
        total_bytes=total,
    )
    record_raw(db, actor, "variant.add", name, after=after)
    return variant
