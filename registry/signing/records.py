"""Storing the signature verifications that succeeded (table ``signature_verifications``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.audit.log import record
from registry.checkpoints import FileEntry
from registry.db.models import SignatureRecord
from registry.signing.trust import files_digest


def digest_of(files: Sequence[FileEntry]) -> str:
    return files_digest((f.path, f.sha256, f.git_oid) for f in files)


def record_signature(
    session: Session, variant_id: int, variant_name: str, **columns: Any
) -> SignatureRecord:
    """Store a verified signature, with its audit event in the same transaction."""
    row = SignatureRecord(variant_id=variant_id, **columns)
    session.add(row)
    session.flush()
    record(
        session,
        "signature.verify",
        variant_name,
        after={
            "method": row.method,
            "key_fingerprint": row.key_fingerprint,
            "identity": row.identity,
            "issuer": row.issuer,
            "bundle_sha256": row.bundle_sha256,
        },
    )
    return row


def signatures_of(session: Session, variant_id: int) -> list[SignatureRecord]:
    return list(
        session.scalars(
            select(SignatureRecord)
            .where(SignatureRecord.variant_id == variant_id)
            .order_by(SignatureRecord.verified_at, SignatureRecord.id)
        )
    )
