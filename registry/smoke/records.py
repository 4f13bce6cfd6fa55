"""Smoke runs in the catalog: which checkpoint a variant is, drift, and recording runs.

A variant's checkpoint is the local directory of its ``source_uri`` (a path or a
``file://`` URI), or the GGUF file it names (or the one GGUF of a directory without
safetensors). An adapter (a lineage edge of relation ``adapter``) runs on its parent's
directory. ``content_digest`` names the bytes: SHA-256 over the variant's registered files
(path, size, SHA-256 or git blob id, sorted by path), preceded by the parent's digest for an
adapter; a variant registered without files is its own content (``variant:<id>``).

Drift: a run that passes is compared with the last passing run of the same content on the
same device type and dtype with the same prompt ids; if the generated tokens differ (over
the shorter of the two lengths) the run is ``drift``, unless drift is accepted, in which
case it is ``pass`` and the new reference.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from registry.audit.chain import iso
from registry.audit.log import record
from registry.catalog.shards import Shard
from registry.catalog.variants import get_variant
from registry.db.models import LineageEdge, SmokeRun, Variant, VariantFile
from registry.smoke.gguf import find_gguf
from registry.smoke.runner import SmokeResult, SmokeTarget

REFERENCE_WINDOW = 100


@dataclass(frozen=True)
class SmokeSubject:
    """What the catalog says a variant's smoke run loads: its content and local directories."""

    name: str
    content_digest: str
    source_uri: str | None
    adapter_parent: str | None = None  # the parent an adapter is loaded onto
    adapter_parent_source: str | None = None


@dataclass(frozen=True)
class PlannedRun:
    """A variant resolved to what to load, or to the reason it cannot be."""

    name: str
    content_digest: str
    target: SmokeTarget | None
    problem: str | None = None


@dataclass(frozen=True)
class Judgement:
    status: str  # pass | fail | drift
    reason: str | None
    reference_run_id: int | None
    drift: bool


def local_path(source_uri: str | None) -> Path | None:
    """The local directory a ``source_uri`` names, or None for a remote or missing one."""
    if not source_uri:
        return None
    parsed = urlparse(source_uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:  # hf://, https://, s3:// (not C:\)
        return None
    return Path(source_uri).expanduser()


def content_digest(variant_id: int, files: Iterable[VariantFile], parent: str | None) -> str:
    rows = sorted(files, key=lambda f: f.path)
    if not rows and parent is None:
        return hashlib.sha256(f"variant:{variant_id}".encode()).hexdigest()
    h = hashlib.sha256()
    if parent is not None:
        h.update(f"adapter-of:{parent}\n".encode())
    for f in rows:
        ident = f.sha256 or f"git:{f.git_oid}"
        h.update(f"{f.path}\0{f.size}\0{ident}\n".encode())
    return h.hexdigest()


def _files(session: Session, variant_id: int) -> list[VariantFile]:
    return list(session.scalars(select(VariantFile).where(VariantFile.variant_id == variant_id)))


def _adapter_parent(session: Session, variant_id: int) -> Variant | None:
    stmt = (
        select(Variant)
        .join(LineageEdge, LineageEdge.parent_id == Variant.id)
        .where(LineageEdge.child_id == variant_id, LineageEdge.relation == "adapter")
    )
    return session.scalars(stmt).first()


def subject_of(session: Session, variant: Variant) -> SmokeSubject:
    parent = _adapter_parent(session, variant.id)
    parent_digest = None
    if parent is not None:
        parent_digest = content_digest(parent.id, _files(session, parent.id), None)
    digest = content_digest(variant.id, _files(session, variant.id), parent_digest)
    return SmokeSubject(
        variant.name,
        digest,
        variant.source_uri,
        parent.name if parent is not None else None,
        parent.source_uri if parent is not None else None,
    )


def smoke_subjects(
    session: Session,
    names: Sequence[str],
    all_: bool,
    *,
    shard: Shard | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> list[SmokeSubject]:
    """Subjects of the named variants (in order, duplicates dropped, NotFoundError first), or
    of every variant (of ``shard``) by name (those without a local checkpoint included;
    ``after`` and ``limit`` give one keyset page)."""
    if all_:
        stmt = select(Variant).order_by(Variant.name)
        if after is not None:
            stmt = stmt.where(Variant.name > after)
        if shard is None:
            variants = list(session.scalars(stmt if limit is None else stmt.limit(limit)))
        else:
            held = (v for v in session.scalars(stmt) if shard.holds(v.name))
            variants = list(held if limit is None else islice(held, limit))
    else:
        variants = [get_variant(session, n) for n in dict.fromkeys(names)]
    return [subject_of(session, v) for v in variants]


def plan_subject(subject: SmokeSubject) -> PlannedRun:
    """Where the files of a subject are on this machine, or why they cannot be loaded."""
    base_path = None
    problem = None
    if subject.adapter_parent is not None:
        base_path = local_path(subject.adapter_parent_source)
        if base_path is None:
            problem = f"adapter parent {subject.adapter_parent} has no local checkpoint directory"
    path = local_path(subject.source_uri)
    if path is None:
        problem = f"{subject.name} has no local checkpoint directory (source {subject.source_uri})"
    gguf_file, gguf_problem = find_gguf(path) if path is not None else (None, None)
    problem = problem or gguf_problem
    if gguf_file is not None:
        path = gguf_file.parent
    target = None if path is None else SmokeTarget(subject.name, path, base_path, gguf_file)
    if problem is None:
        for where in (path, base_path):
            if where is not None and not where.is_dir():
                problem = f"checkpoint directory {where} does not exist"
                break
    return PlannedRun(subject.name, subject.content_digest, target, problem)


def has_passing_run(session: Session, digest: str, device_type: str, dtype: str) -> bool:
    stmt = select(
        exists().where(
            SmokeRun.content_digest == digest,
            SmokeRun.device_type == device_type,
            SmokeRun.dtype == dtype,
            SmokeRun.status == "pass",
        )
    )
    return bool(session.scalar(stmt))


def reference_run(session: Session, digest: str, result: SmokeResult) -> SmokeRun | None:
    """The last passing run of the same content, device type, dtype and prompt."""
    stmt = (
        select(SmokeRun)
        .where(
            SmokeRun.content_digest == digest,
            SmokeRun.device_type == result.env.device_type,
            SmokeRun.dtype == result.dtype,
            SmokeRun.status == "pass",
        )
        .order_by(SmokeRun.id.desc())
        .limit(REFERENCE_WINDOW)
    )
    return next((r for r in session.scalars(stmt) if r.prompt_ids == result.prompt_ids), None)


def first_difference(a: Sequence[int], b: Sequence[int]) -> int | None:
    """The first position where two token sequences differ, over the shorter length."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)


def judge(session: Session, digest: str, result: SmokeResult, accept_drift: bool) -> Judgement:
    if result.status != "pass":
        return Judgement("fail", result.error, None, False)
    ref = reference_run(session, digest, result)
    if ref is None:
        return Judgement("pass", None, None, False)
    at = first_difference(ref.generated_ids, result.generated_ids)
    if at is None:
        return Judgement("pass", None, ref.id, False)
    reason = (
        f"generated tokens differ from run #{ref.id} at position {at} "
        f"({ref.generated_ids[at]} then, {result.generated_ids[at]} now)"
    )
    if accept_drift:
        return Judgement("pass", f"drift accepted: {reason}", ref.id, True)
    return Judgement("drift", reason, ref.id, True)


def record_run(
    session: Session, name: str, result: SmokeResult, accept_drift: bool
) -> tuple[SmokeRun, Judgement]:
    """Judge ``result`` against the catalog and add it as a run of ``name`` (the caller
    commits). The content digest is the catalog's, not the client's."""
    variant = get_variant(session, name)
    subject = subject_of(session, variant)
    verdict = judge(session, subject.content_digest, result, accept_drift)
    env = result.env
    run = SmokeRun(
        variant_id=variant.id,
        content_digest=subject.content_digest,
        status=verdict.status,
        error=verdict.reason if verdict.status != "pass" else None,
        device_type=env.device_type,
        device_name=env.device_name,
        dtype=result.dtype,
        torch_version=env.torch_version,
        transformers_version=env.transformers_version,
        cuda_version=env.cuda_version,
        load_seconds=result.load_seconds,
        ttft_seconds=result.ttft_seconds,
        tokens_per_second=result.tokens_per_second,
        peak_memory_bytes=result.peak_memory_bytes,
        memory_kind=env.memory_kind,
        max_new_tokens=result.max_new_tokens,
        prompt_ids=list(result.prompt_ids),
        generated_ids=list(result.generated_ids),
        logits_fingerprint=result.logits_fingerprint,
        reference_run_id=verdict.reference_run_id,
    )
    session.add(run)
    session.flush()
    after = {
        "run_id": run.id,
        "status": run.status,
        "reason": run.error,
        "device_type": run.device_type,
        "dtype": run.dtype,
        "content_digest": run.content_digest,
    }
    record(session, "smoke.record", variant.name, after=after)
    return run, verdict


def run_history(
    session: Session, name: str, *, after: int | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """A variant's smoke runs, newest first (``after``: ids below it, for paging)."""
    variant = get_variant(session, name)
    stmt = select(SmokeRun).where(SmokeRun.variant_id == variant.id)
    if after is not None:
        stmt = stmt.where(SmokeRun.id < after)
    stmt = stmt.order_by(SmokeRun.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        {
            "id": r.id,
            "variant": variant.name,
            "status": r.status,
            "reason": r.error,
            "content_digest": r.content_digest,
            "device_type": r.device_type,
            "device_name": r.device_name,
            "dtype": r.dtype,
            "torch_version": r.torch_version,
            "transformers_version": r.transformers_version,
            "cuda_version": r.cuda_version,
            "load_seconds": r.load_seconds,
            "ttft_seconds": r.ttft_seconds,
            "tokens_per_second": r.tokens_per_second,
            "peak_memory_bytes": r.peak_memory_bytes,
            "memory_kind": r.memory_kind,
            "max_new_tokens": r.max_new_tokens,
            "generated_ids": list(r.generated_ids),
            "logits_fingerprint": r.logits_fingerprint,
            "reference_run_id": r.reference_run_id,
            "created_at": iso(r.created_at),
        }
        for r in session.scalars(stmt)
    ]
