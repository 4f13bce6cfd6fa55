"""Recording what a verification found, and reading verifications back.

The hashing runs where the files are (:mod:`registry.catalog.verify`); what it found is a
:class:`VerificationOutcome`, plain data that a client can also send to the team server. One
call records it, in one transaction: a ``verifications`` row, the stat of the files a full
read of the registered location proved unchanged (what ``verify --quick`` trusts), and the
audit event ``verify.record``. Everything here runs over the plain DBAPI (the check path's
:class:`~registry.compliance.store.RawDB` for the write, :class:`~registry.db.reader.Reader`
for reads), so ``verify`` starts without SQLAlchemy; the audit event goes through
:mod:`registry.audit.raw`, the same chain and hash as the ORM's writes.

``verify --summary`` and ``list --verified`` read the latest verification of each variant
(highest id), whichever machine or shard recorded it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from registry.audit.chain import iso
from registry.catalog.shards import parse_shard
from registry.checkpoints.manifest import FileStat, FileStatus, VerifyReport
from registry.db.reader import Reader, as_datetime, as_dict, as_list, iso_utc
from registry.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from registry.audit.actor import Actor
    from registry.compliance.store import RawDB

STATES = ("ok", "modified", "missing", "extra")
_COLUMNS = (
    "r.id, r.verified_at, r.verified_by, r.root, r.at_source, r.quick, r.ok, "
    "CAST(r.counts AS TEXT), CAST(r.problems AS TEXT), r.bytes_read, r.shard, r.host"
)


@dataclass(frozen=True)
class VerificationOutcome:
    """What one verification of one variant found (JSON-ready through :meth:`to_dict`)."""

    name: str
    root: str
    at_source: bool
    quick: bool
    files: tuple[FileStatus, ...]
    stats: Mapping[str, FileStat] = field(default_factory=dict)
    bytes_read: int | None = None
    shard: str | None = None  # the --shard K/N that ran it
    host: str | None = None  # the machine that ran it

    @property
    def ok(self) -> bool:
        return all(f.status == "ok" for f in self.files)

    @classmethod
    def of(
        cls,
        name: str,
        report: VerifyReport,
        *,
        at_source: bool,
        quick: bool,
        shard: str | None = None,
        host: str | None = None,
    ) -> VerificationOutcome:
        return cls(
            name,
            str(report.root),
            at_source,
            quick,
            tuple(report.files),
            dict(report.stats) if at_source else {},
            report.bytes_read,
            shard,
            host,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "root": self.root,
            "at_source": self.at_source,
            "quick": self.quick,
            "files": [file_status_dict(f) for f in self.files],
            "stats": {
                p: {"size": s.size, "mtime_ns": s.mtime_ns, "inode": s.inode, "device": s.device}
                for p, s in self.stats.items()
            },
            "bytes_read": self.bytes_read,
            "shard": self.shard,
            "host": self.host,
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> VerificationOutcome:
        files = []
        for f in doc.get("files", []):
            if f["status"] not in STATES:
                raise InvalidInputError(f"unknown file status {f['status']!r}")
            files.append(
                FileStatus(
                    path=str(f["path"]),
                    status=f["status"],
                    expected_sha256=f.get("expected_sha256"),
                    actual_sha256=f.get("actual_sha256"),
                    changed_tensors=[str(t) for t in f.get("changed_tensors") or []],
                    note=f.get("note"),
                    quick=bool(f.get("quick", False)),
                    chunks=int(f.get("chunks") or 0),
                )
            )
        stats = {
            str(p): FileStat(int(s["size"]), int(s["mtime_ns"]), int(s["inode"]), int(s["device"]))
            for p, s in (doc.get("stats") or {}).items()
        }
        shard = doc.get("shard")
        nbytes = doc.get("bytes_read")
        return cls(
            str(doc["name"]),
            str(doc["root"]),
            bool(doc["at_source"]),
            bool(doc["quick"]),
            tuple(files),
            stats,
            None if nbytes is None else int(nbytes),
            None if shard is None else str(parse_shard(str(shard))),
            None if doc.get("host") is None else str(doc["host"])[:255],
        )


def file_status_dict(f: FileStatus) -> dict[str, Any]:
    return {
        "path": f.path,
        "status": f.status,
        "expected_sha256": f.expected_sha256,
        "actual_sha256": f.actual_sha256,
        "changed_tensors": list(f.changed_tensors),
        "note": f.note,
        "quick": f.quick,
        "chunks": f.chunks,
    }


def _view(row: Any, name: str) -> dict[str, Any]:
    vid, at, by, root, at_source, quick, ok, counts, problems, nbytes, shard, host = row
    return {
        "id": int(vid),
        "variant": name,
        "verified_at": iso(as_datetime(at)),
        "verified_by": by,
        "root": root,
        "at_source": bool(at_source),
        "quick": bool(quick),
        "ok": bool(ok),
        "counts": as_dict(counts),
        "problems": [dict(p) for p in as_list(problems)],
        "bytes_read": None if nbytes is None else int(nbytes),
        "shard": shard,
        "host": host,
    }


def _stat_rows(
    db: RawDB, variant_id: int, stats: Mapping[str, FileStat], at: Any
) -> list[tuple[Any, ...]]:
    ids = {
        str(p): int(i)
        for i, p in db.rows(
            "SELECT id, path FROM variant_files WHERE variant_id = ?", (variant_id,)
        )
    }
    return [
        (ids[p], db.json_param({}), s.size, s.mtime_ns, str(s.inode), str(s.device), at)
        for p, s in stats.items()
        if p in ids
    ]


def record_verification(db: RawDB, actor: Actor, outcome: VerificationOutcome) -> dict[str, Any]:
    """Store one verification (and, at the source, the fresh stats) with its audit event,
    in one transaction; return the record."""
    from registry.audit.raw import record_raw

    found = db.rows("SELECT id, name FROM variants WHERE name = ?", (outcome.name,))
    if not found:
        raise NotFoundError(f"no variant named {outcome.name!r}", hint="`modelreg list` shows them")
    variant_id, name = int(found[0][0]), str(found[0][1])
    now = dt.datetime.now(dt.UTC)
    at = db.timestamp_param(now)
    if outcome.at_source and outcome.stats:
        for row in _stat_rows(db, variant_id, outcome.stats, at):
            db.execute(
                "INSERT INTO file_info (file_id, format, details, stat_size, stat_mtime_ns, "
                "stat_inode, stat_device, verified_at) VALUES (?, 'other', ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (file_id) DO UPDATE SET stat_size = excluded.stat_size, "
                "stat_mtime_ns = excluded.stat_mtime_ns, stat_inode = excluded.stat_inode, "
                "stat_device = excluded.stat_device, verified_at = excluded.verified_at",
                row,
            )
    counts = {s: sum(1 for f in outcome.files if f.status == s) for s in STATES}
    problems = [file_status_dict(f) for f in outcome.files if f.status != "ok"]
    inserted = db.rows(
        "INSERT INTO verifications (variant_id, verified_at, verified_by, root, at_source, "
        "quick, ok, counts, problems, bytes_read, shard, host) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            variant_id,
            at,
            actor.name,
            outcome.root,
            outcome.at_source,
            outcome.quick,
            outcome.ok,
            db.json_param(counts),
            db.json_param(problems),
            outcome.bytes_read,
            outcome.shard,
            outcome.host,
        ),
    )
    record_id = int(inserted[0][0])
    after = {
        "id": record_id,
        "ok": outcome.ok,
        "counts": counts,
        "root": outcome.root,
        "quick": outcome.quick,
    }
    db.begin_write()  # after the inserts: the lock is held for the append and the commit only
    record_raw(db, actor, "verify.record", name, after=after)
    db.commit()
    return {
        "id": record_id,
        "variant": name,
        "verified_at": iso(now),
        "verified_by": actor.name,
        "root": outcome.root,
        "at_source": outcome.at_source,
        "quick": outcome.quick,
        "ok": outcome.ok,
        "counts": counts,
        "problems": problems,
        "bytes_read": outcome.bytes_read,
        "shard": outcome.shard,
        "host": outcome.host,
    }


def verification_history(
    reader: Reader, name: str, *, after: int | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """A variant's verifications, newest first (``after``: ids below it, for paging)."""
    row = reader.row("SELECT id, name FROM variants WHERE name = :n", {"n": name})
    if row is None:
        raise NotFoundError(f"no variant named {name!r}", hint="`modelreg list` shows them")
    sql = f"SELECT {_COLUMNS} FROM verifications r WHERE r.variant_id = :v"
    params: dict[str, Any] = {"v": int(row[0])}
    if after is not None:
        sql += " AND r.id < :after"
        params["after"] = after
    sql += " ORDER BY r.id DESC" + ("" if limit is None else f" LIMIT {int(limit)}")
    return [_view(r, str(row[1])) for r in reader.rows(sql, params)]


def verify_summary(
    reader: Reader,
    since: dt.datetime | None = None,
    *,
    after: str | None = None,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """The latest verification of every variant, by name (older than ``since``: none).

    ``local``: whether the variant has a local checkpoint (``verify --all`` skips the others).
    """
    sql = (
        "SELECT v.name, v.source_uri, r.ok, CAST(r.counts AS TEXT), r.bytes_read, "
        "CAST(r.problems AS TEXT), r.quick, r.shard, r.host, r.verified_at, r.verified_by "
        "FROM variants v LEFT JOIN verifications r ON r.id = "
        "(SELECT MAX(x.id) FROM verifications x WHERE x.variant_id = v.id)"
    )
    params: dict[str, Any] = {}
    if after is not None:
        sql += " WHERE v.name > :after"
        params["after"] = after
    sql += " ORDER BY v.name" + ("" if limit is None else f" LIMIT {int(limit)}")
    for name, source, ok, counts, nbytes, probs, quick, shard, host, at, by in reader.stream(
        sql, params
    ):
        fresh = at is not None and (since is None or as_datetime(at) >= since)
        yield {
            "name": name,
            "local": bool(source) and not str(source).startswith("hf:"),
            "status": ("ok" if ok else "failed") if fresh else None,
            "verified_at": iso_utc(at) if at is not None else None,
            "verified_by": by if fresh else None,
            "files_checked": sum(as_dict(counts).values()) if fresh else None,
            "bytes_read": None if not fresh or nbytes is None else int(nbytes),
            "problems": [f"{p['status']} {p['path']}" for p in as_list(probs)] if fresh else [],
            "quick": bool(quick) if fresh else None,
            "shard": shard if fresh else None,
            "host": host if fresh else None,
        }
