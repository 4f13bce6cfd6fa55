"""Recording what a verification found, and reading a variant's verification history.

The hashing runs where the files are (:mod:`registry.catalog.verify`); what it found is a
:class:`VerificationOutcome`, plain data that a client can also send to the team server. One
call records it: a :class:`~registry.db.models.Verification` row, the stat of the files a
full read of the registered location proved unchanged (what ``verify --quick`` trusts), and
the audit event ``verify.record``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.audit.actor import actor_of
from registry.audit.chain import iso
from registry.audit.log import record
from registry.catalog.integrity import record_verified
from registry.catalog.variants import get_variant
from registry.checkpoints.manifest import FileStat, FileStatus, VerifyReport
from registry.db.models import Verification
from registry.errors import InvalidInputError

STATES = ("ok", "modified", "missing", "extra")


@dataclass(frozen=True)
class VerificationOutcome:
    """What one verification of one variant found (JSON-ready through :meth:`to_dict`)."""

    name: str
    root: str
    at_source: bool
    quick: bool
    files: tuple[FileStatus, ...]
    stats: Mapping[str, FileStat] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(f.status == "ok" for f in self.files)

    @classmethod
    def of(
        cls, name: str, report: VerifyReport, *, at_source: bool, quick: bool
    ) -> VerificationOutcome:
        return cls(
            name,
            str(report.root),
            at_source,
            quick,
            tuple(report.files),
            dict(report.stats) if at_source else {},
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
                )
            )
        stats = {
            str(p): FileStat(int(s["size"]), int(s["mtime_ns"]), int(s["inode"]), int(s["device"]))
            for p, s in (doc.get("stats") or {}).items()
        }
        return cls(
            str(doc["name"]),
            str(doc["root"]),
            bool(doc["at_source"]),
            bool(doc["quick"]),
            tuple(files),
            stats,
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
    }


def _view(v: Verification, name: str) -> dict[str, Any]:
    return {
        "id": v.id,
        "variant": name,
        "verified_at": iso(v.verified_at),
        "verified_by": v.verified_by,
        "root": v.root,
        "at_source": v.at_source,
        "quick": v.quick,
        "ok": v.ok,
        "counts": dict(v.counts),
        "problems": list(v.problems),
    }


def record_verification(session: Session, outcome: VerificationOutcome) -> dict[str, Any]:
    """Store one verification (and, at the source, the fresh stats); return the record."""
    variant = get_variant(session, outcome.name)
    counts = {s: sum(1 for f in outcome.files if f.status == s) for s in STATES}
    problems = [file_status_dict(f) for f in outcome.files if f.status != "ok"]
    if outcome.at_source and outcome.stats:
        record_verified(session, variant.id, outcome.stats)
    row = Verification(
        variant_id=variant.id,
        verified_by=actor_of(session).name,
        root=outcome.root,
        at_source=outcome.at_source,
        quick=outcome.quick,
        ok=outcome.ok,
        counts=counts,
        problems=problems,
    )
    session.add(row)
    session.flush()
    after = {"id": row.id, "ok": row.ok, "counts": counts, "root": row.root, "quick": row.quick}
    record(session, "verify.record", variant.name, after=after)
    return _view(row, variant.name)


def verification_history(
    session: Session, name: str, *, after: int | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """A variant's verifications, newest first (``after``: ids below it, for paging)."""
    variant = get_variant(session, name)
    stmt = select(Verification).where(Verification.variant_id == variant.id)
    if after is not None:
        stmt = stmt.where(Verification.id < after)
    stmt = stmt.order_by(Verification.id.desc())
    rows = session.scalars(stmt if limit is None else stmt.limit(limit))
    return [_view(v, variant.name) for v in rows]
