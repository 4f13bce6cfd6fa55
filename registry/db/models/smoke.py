"""Smoke runs: what loading and generating with a checkpoint did, on which device, when.

One row per run that started (a run refused before loading, for lack of memory, is not a
run and is not recorded). ``content_digest`` identifies the bytes that ran (the variant's
registered files, and its parent's for an adapter), so that ``smoke --all`` can skip
content that already passed and drift is judged against runs of the same bytes.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, big_int, intpk, json_list, sha256_hex, utc_timestamp

RUN_STATUSES = ("pass", "fail", "drift")
_STATUS_SQL = "status IN (" + ", ".join(f"'{s}'" for s in RUN_STATUSES) + ")"


class SmokeRun(Base):
    """One smoke run of one variant on one device with one dtype."""

    __tablename__ = "smoke_runs"
    __table_args__ = (
        CheckConstraint(_STATUS_SQL, name="status"),
        Index("ix_smoke_runs_reference", "content_digest", "device_type", "dtype", "status"),
        Index("ix_smoke_runs_variant", "variant_id"),
    )

    id: Mapped[intpk]
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    content_digest: Mapped[sha256_hex]
    status: Mapped[str] = mapped_column(String(8))
    error: Mapped[str | None] = mapped_column(Text)
    device_type: Mapped[str] = mapped_column(String(16))
    device_name: Mapped[str] = mapped_column(String(255))
    dtype: Mapped[str] = mapped_column(String(16))
    torch_version: Mapped[str] = mapped_column(String(64))
    transformers_version: Mapped[str] = mapped_column(String(64))
    cuda_version: Mapped[str | None] = mapped_column(String(32))
    load_seconds: Mapped[float | None] = mapped_column(Float)
    ttft_seconds: Mapped[float | None] = mapped_column(Float)
    tokens_per_second: Mapped[float | None] = mapped_column(Float)
    peak_memory_bytes: Mapped[big_int | None]
    memory_kind: Mapped[str] = mapped_column(String(8))
    max_new_tokens: Mapped[int] = mapped_column(Integer)
    prompt_ids: Mapped[json_list]
    generated_ids: Mapped[json_list]
    logits_fingerprint: Mapped[sha256_hex | None]
    reference_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("smoke_runs.id", ondelete="SET NULL")
    )
    created_at: Mapped[utc_timestamp]
