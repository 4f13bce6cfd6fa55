"""Signature verifications: which signer vouched for a variant's files, and how it was checked.

One row per successful ``modelreg verify NAME --signature FILE``: the method (``key``,
``certificate``, ``sigstore``), the signing key's fingerprint, the certificate's fingerprint,
identity and issuer where there is one, whether a certificate chain was verified to a trust
anchor, the SHA-256 of the bundle file, ``files_digest`` (a SHA-256 over the registered
files and digests the signature was found to cover, so the ``signature`` rule can tell
that the record still speaks for what the catalog holds), the location verified, the
signing time where the bundle proves one, and the list of what was and was not verified.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, UTCDateTime, intpk, json_dict, sha256_hex, utc_timestamp

SIGNATURE_METHODS = ("key", "certificate", "sigstore")
_METHOD_SQL = "method IN (" + ", ".join(f"'{m}'" for m in SIGNATURE_METHODS) + ")"


class SignatureRecord(Base):
    """A signature bundle that verified against a variant's files."""

    __tablename__ = "signature_verifications"
    __table_args__ = (
        CheckConstraint(_METHOD_SQL, name="method"),
        Index("ix_signature_verifications_variant", "variant_id"),
    )

    id: Mapped[intpk]
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(16))
    key_fingerprint: Mapped[sha256_hex]
    certificate_fingerprint: Mapped[sha256_hex | None]
    identity: Mapped[str | None] = mapped_column(String(512))
    issuer: Mapped[str | None] = mapped_column(String(512))
    chain_verified: Mapped[bool] = mapped_column(Boolean)
    bundle_sha256: Mapped[sha256_hex]
    files_digest: Mapped[sha256_hex]
    location: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    checks: Mapped[json_dict]
    verified_by: Mapped[str | None] = mapped_column(String(255))
    verified_at: Mapped[utc_timestamp]
