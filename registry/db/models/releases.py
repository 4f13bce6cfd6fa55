"""Releases: a deployment signed off by an approver, bound to the evidence it rested on.

A release is requested (``pending``), then ``approved`` or ``rejected`` by an approver who is
not its requester. ``evidence`` is frozen at the request with its own SHA-256
(``evidence_sha256`` over its canonical JSON); it is never changed afterwards. Whether an
approved release is still *fresh* is computed by comparing that evidence with the catalog's
current facts (:mod:`registry.releases.staleness`); ``stale_at`` and ``stale_causes`` record
the first time the server's sweep saw it stale (and fired ``release.stale``), after which it
stays stale. No foreign keys: like the check log, a release outlives the deployment and
variant it names.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, intpk, json_dict, json_list, name_str, sha256_hex, utc_timestamp

RELEASE_STATUSES = ("pending", "approved", "rejected")
_STATUS_SQL = "status IN (" + ", ".join(f"'{s}'" for s in RELEASE_STATUSES) + ")"


class Release(Base):
    """One request to release a deployment, its decision, and the evidence it rests on."""

    __tablename__ = "releases"
    __table_args__ = (
        CheckConstraint(_STATUS_SQL, name="status"),
        Index("ix_releases_deployment", "deployment_name", "id"),
        Index("ix_releases_variant", "variant_name", "id"),
        Index("ix_releases_status", "status", "id"),
    )

    id: Mapped[intpk]
    deployment_name: Mapped[name_str]
    variant_name: Mapped[name_str]
    namespace: Mapped[str] = mapped_column(String(255), default="")
    org_name: Mapped[name_str]
    status: Mapped[str] = mapped_column(String(16))
    verdict: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[json_dict]
    evidence_sha256: Mapped[sha256_hex]
    requested_by: Mapped[str] = mapped_column(String(255))
    requested_at: Mapped[utc_timestamp]
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[dt.datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    stale_at: Mapped[dt.datetime | None]
    stale_causes: Mapped[json_list]
