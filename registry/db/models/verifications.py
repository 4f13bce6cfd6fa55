"""Verification records: each ``modelreg verify`` of a variant, where, by whom, and what it found.

The hashing happens where the files are (a laptop, CI, a GPU node, one shard of a cluster
job array); the catalog keeps the outcome, so the latest verification of a variant is a fact
anyone can read (``verify --summary``, ``list --verified``) and the next issue's releases can
require.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, big_int, intpk, json_dict, json_list, utc_timestamp


class Verification(Base):
    """One verification of one variant: ``ok`` or not, counts per status, the problems."""

    __tablename__ = "verifications"
    __table_args__ = (Index("ix_verifications_variant", "variant_id", "id"),)

    id: Mapped[intpk]
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    verified_at: Mapped[utc_timestamp]
    verified_by: Mapped[str | None] = mapped_column(String(255))
    root: Mapped[str] = mapped_column(Text)
    at_source: Mapped[bool] = mapped_column(default=True)
    quick: Mapped[bool] = mapped_column(default=False)
    ok: Mapped[bool]
    # {"ok": n, "modified": n, "missing": n, "extra": n}
    counts: Mapped[json_dict]
    # each {"path", "status", "changed_tensors", "note"} of a file that is not ok
    problems: Mapped[json_list]
    # bytes hashed (0 when --quick trusted every file), the --shard K/N and the machine that
    # ran it; None on records made before they were kept
    bytes_read: Mapped[big_int | None]
    shard: Mapped[str | None] = mapped_column(String(32))
    host: Mapped[str | None] = mapped_column(String(255))
