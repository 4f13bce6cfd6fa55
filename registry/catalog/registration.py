"""A registration as plain data: what was found where the files are, ready to be written.

``modelreg add`` inspects and hashes a checkpoint on the machine that holds it (or reads the
Hub's metadata) and produces a :class:`Registration`: the name, the license, the explicit
parents and the base models the card names, the files with their digests and tensors. The
catalog side, :func:`register_manifest`, resolves the card's base models against the catalog
and writes everything in the caller's transaction. In remote mode the registration travels
to the team server as JSON (:meth:`Registration.to_dict` / :meth:`Registration.from_dict`,
which validates what a hostile client could send); the weights never do. The write runs
on the plain DBAPI (:class:`registry.compliance.store.RawDB`), so ``add`` never imports
SQLAlchemy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from registry.catalog.validation import check_name, check_relation
from registry.checkpoints.manifest import FileEntry, FileStat, TensorEntry
from registry.errors import InvalidInputError
from registry.progress import NULL_PROGRESS, Progress

if TYPE_CHECKING:
    from registry.audit.actor import Actor
    from registry.compliance.store import RawDB

MODALITIES = ("text", "vision", "audio")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_DIGEST = re.compile(r"^[0-9a-f]{16,64}$")
MAX_FILES = 100_000
MAX_TENSORS = 1_000_000


@dataclass(frozen=True)
class Registration:
    name: str
    license_id: str
    license_name: str | None = None
    parents: tuple[tuple[str, str], ...] = ()  # explicit --parent NAME:RELATION
    card_bases: tuple[str, ...] = ()  # base_model of the card (used without explicit parents)
    card_relation: str | None = None  # the relation those bases have to this checkpoint
    # one relation per card base where they differ (a bill of materials); else card_relation
    base_relations: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ("text",)
    source_uri: str | None = None
    architecture: str | None = None
    parameter_count: int | None = None
    content_digest: str | None = None
    files: tuple[FileEntry, ...] = field(default=())
    # provenance: (file, tensor, dtype, digest) of the exact half-precision forms of tensors
    half_digests: tuple[tuple[str, str, str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "license_id": self.license_id,
            "license_name": self.license_name,
            "parents": [{"name": n, "relation": r} for n, r in self.parents],
            "card_bases": list(self.card_bases),
            "card_relation": self.card_relation,
            "base_relations": list(self.base_relations),
            "modalities": list(self.modalities),
            "source_uri": self.source_uri,
            "architecture": self.architecture,
            "parameter_count": self.parameter_count,
            "content_digest": self.content_digest,
            "files": [file_to_dict(f) for f in self.files],
            "half_digests": [list(row) for row in self.half_digests],
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Registration:
        """Validate a registration sent by a client (InvalidInputError on anything odd)."""
        files = doc.get("files") or []
        if len(files) > MAX_FILES:
            raise InvalidInputError(f"a registration has at most {MAX_FILES} files")
        entries = tuple(file_from_dict(f) for f in files)
        if len({f.path for f in entries}) != len(entries):
            raise InvalidInputError("a file path is listed twice")
        if sum(len(f.tensors) for f in entries) > MAX_TENSORS:
            raise InvalidInputError(f"a registration has at most {MAX_TENSORS} tensors")
        digest = doc.get("content_digest")
        if digest is not None and not _HEX64.match(str(digest)):
            raise InvalidInputError("content_digest must be 64 lowercase hex digits")
        count = doc.get("parameter_count")
        if count is not None and (not isinstance(count, int) or count < 0):
            raise InvalidInputError("parameter_count must be a whole number >= 0")
        return cls(
            name=check_name(str(doc["name"])),
            license_id=_text(doc.get("license_id"), "license_id", 64) or "unknown",
            license_name=_text(doc.get("license_name"), "license_name", 255),
            parents=tuple(
                (
                    _text(p.get("name"), "parent", 255) or "",
                    check_relation(str(p.get("relation", "finetune"))),
                )
                for p in doc.get("parents") or []
            ),
            card_bases=tuple(
                _text(b, "card_bases", 512) or "" for b in doc.get("card_bases") or []
            ),
            card_relation=(
                check_relation(str(doc["card_relation"])) if doc.get("card_relation") else None
            ),
            base_relations=tuple(check_relation(str(r)) for r in doc.get("base_relations") or []),
            modalities=tuple(check_modalities([str(m) for m in doc.get("modalities") or []])),
            source_uri=_text(doc.get("source_uri"), "source_uri", 4096),
            architecture=_text(doc.get("architecture"), "architecture", 255),
            parameter_count=count,
            content_digest=digest,
            files=entries,
            half_digests=_half_rows(doc.get("half_digests") or []),
        )


def _half_rows(rows: Any) -> tuple[tuple[str, str, str, str], ...]:
    if not isinstance(rows, list) or len(rows) > 2 * MAX_TENSORS:
        raise InvalidInputError(f"half_digests: a list of at most {2 * MAX_TENSORS} rows")
    out = []
    for row in rows:
        if not (isinstance(row, list | tuple) and len(row) == 4):
            raise InvalidInputError("half_digests rows are [file, tensor, dtype, digest]")
        file, tensor, dtype, digest = (str(x) for x in row)
        if dtype not in ("BF16", "F16") or not re.fullmatch(r"[0-9a-f]{32}", digest):
            raise InvalidInputError("half_digests: dtype BF16 or F16, digest 32 hex digits")
        out.append((file, tensor, dtype, digest))
    return tuple(out)


def check_modalities(values: Sequence[str]) -> list[str]:
    out = []
    for m in values:
        m = m.strip().lower()
        if m not in MODALITIES:
            raise InvalidInputError(f"unknown modality {m!r}; use {', '.join(MODALITIES)}")
        out.append(m)
    return sorted(set(out) | {"text"})


def _text(value: Any, what: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit or "\0" in value:
        raise InvalidInputError(f"{what} must be text of at most {limit} characters")
    return value


def _check_path(path: Any) -> str:
    if not isinstance(path, str) or not path or len(path) > 4096:
        raise InvalidInputError("a file path must be non-empty text")
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        raise InvalidInputError(f"file path {path!r} must be relative, without '..'")
    if any(ord(c) < 32 for c in path):
        raise InvalidInputError("a file path must not contain control characters")
    return path


def _nat(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"{what} must be a whole number >= 0")
    return value


def _size(value: Any) -> int:
    """A file size, or -1 where a bill of materials did not state it."""
    return -1 if value == -1 else _nat(value, "a file size")


def file_to_dict(f: FileEntry) -> dict[str, Any]:
    return {
        "path": f.path,
        "size": f.size,
        "sha256": f.sha256,
        "git_oid": f.git_oid,
        "format": f.format,
        "details": dict(f.details),
        "tensors": [
            {
                "name": t.name,
                "dtype": t.dtype,
                "shape": list(t.shape),
                "start": t.start,
                "end": t.end,
                "digest": t.digest,
            }
            for t in f.tensors
        ],
        "stat": None
        if f.stat is None
        else {
            "size": f.stat.size,
            "mtime_ns": f.stat.mtime_ns,
            "inode": f.stat.inode,
            "device": f.stat.device,
        },
        "chunk_bytes": f.chunk_bytes,
        "chunks": list(f.chunks),
    }


def file_from_dict(doc: Mapping[str, Any]) -> FileEntry:
    if not isinstance(doc, Mapping):
        raise InvalidInputError("each file must be an object")
    sha = doc.get("sha256")
    oid = doc.get("git_oid")
    if sha is not None and not _HEX64.match(str(sha)):
        raise InvalidInputError(f"{doc.get('path')!r}: sha256 must be 64 lowercase hex digits")
    if oid is not None and not _HEX40.match(str(oid)):
        raise InvalidInputError(f"{doc.get('path')!r}: git_oid must be 40 lowercase hex digits")
    if sha is None and oid is None:
        raise InvalidInputError(f"{doc.get('path')!r}: a file needs a sha256 or a git_oid")
    tensors = []
    for t in doc.get("tensors") or []:
        shape = t.get("shape") or []
        if not isinstance(shape, list):
            raise InvalidInputError("a tensor shape must be a list")
        if not _DIGEST.match(str(t.get("digest", ""))):
            raise InvalidInputError("a tensor digest must be hex")
        tensors.append(
            TensorEntry(
                _text(t.get("name"), "tensor name", 4096) or "",
                _text(t.get("dtype"), "tensor dtype", 16) or "",
                tuple(_nat(d, "a tensor dimension") for d in shape),
                _nat(t.get("start"), "tensor start"),
                _nat(t.get("end"), "tensor end"),
                str(t["digest"]),
            )
        )
    stat = doc.get("stat")
    details = doc.get("details") or {}
    if not isinstance(details, Mapping):
        raise InvalidInputError("file details must be an object")
    chunks = doc.get("chunks") or []
    if not isinstance(chunks, list) or not all(_HEX64.match(str(c)) for c in chunks):
        raise InvalidInputError(f"{doc.get('path')!r}: chunks must be SHA-256 digests")
    chunk_bytes = _nat(doc.get("chunk_bytes") or 0, "chunk_bytes")
    size = _size(doc.get("size"))
    if chunks and (chunk_bytes < 1 or len(chunks) != -(-size // chunk_bytes)):
        raise InvalidInputError(
            f"{doc.get('path')!r}: chunks must hold one digest per chunk_bytes of the file"
        )
    return FileEntry(
        _check_path(doc.get("path")),
        size,
        sha,
        oid,
        format=_text(doc.get("format"), "format", 16) or "other",
        tensors=tuple(tensors),
        details=dict(details),
        stat=None
        if not stat
        else FileStat(
            _nat(stat.get("size"), "stat size"),
            _nat(stat.get("mtime_ns"), "stat mtime"),
            _nat(stat.get("inode"), "stat inode"),
            _nat(stat.get("device"), "stat device"),
        ),
        chunk_bytes=chunk_bytes if chunks else 0,
        chunks=tuple(str(c) for c in chunks),
    )


def card_lineage(
    db: RawDB, reg: Registration, progress: Progress
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(resolved, unresolved) parents: the explicit ones, else the card's base models."""
    from registry.catalog.bases import link_bases

    if reg.parents or not reg.card_bases:
        return list(reg.parents), []
    if reg.base_relations:
        if len(reg.base_relations) != len(reg.card_bases):
            raise InvalidInputError("base_relations must give one relation per card base")
        resolved: list[tuple[str, str]] = []
        unresolved: list[tuple[str, str]] = []
        for base, relation in zip(reg.card_bases, reg.base_relations, strict=True):
            done, pending = link_bases(db, [base], relation, progress)
            resolved += [d for d in done if d[0] not in {r[0] for r in resolved}]
            unresolved += pending
        return resolved, unresolved
    return link_bases(db, reg.card_bases, reg.card_relation or "finetune", progress)


def register_manifest(
    db: RawDB, actor: Actor, reg: Registration, progress: Progress = NULL_PROGRESS
) -> int:
    """Write a registration in the caller's transaction: the variant, its files, its
    lineage; settle waiting children. Takes the write lock first (the caller commits).
    Returns the new variant's id."""
    from registry.catalog.bases import settle_references
    from registry.catalog.variant_insert import insert_variant, record_half_digests

    db.begin_write()
    resolved, unresolved = card_lineage(db, reg, progress)
    variant = insert_variant(
        db,
        actor,
        name=reg.name,
        license_id=reg.license_id,
        license_name=reg.license_name,
        parents=resolved,
        unresolved_parents=unresolved,
        modalities=reg.modalities,
        source_uri=reg.source_uri,
        architecture=reg.architecture,
        parameter_count=reg.parameter_count,
        files=reg.files,
        content_digest=reg.content_digest,
    )
    if reg.half_digests:
        from registry.provenance.half_digests import from_rows

        record_half_digests(db, variant.id, from_rows(reg.half_digests))
    settle_references(db, actor, variant)
    return variant.id
