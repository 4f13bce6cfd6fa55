"""What ``verify`` proves and remembers: chunk digests of large files, the latest result.

``file_chunks``: for a file registered with them, the SHA-256 of each consecutive
``chunk_bytes``-long range (the last one shorter), in file order. ``verify`` hashes the
chunks of one large file on every core and treats this list, bound to the recorded file
size, as the authority for the file's integrity (see ``registry/checkpoints/chunked.py``).

``verify_results``: one row per variant, the outcome of the latest ``verify`` of its
registered location, whichever machine or shard ran it (``verify --summary``).
"""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, big_int, json_list, utc_timestamp

VERIFY_STATUSES = ("ok", "failed")
_STATUS_SQL = "status IN (" + ", ".join(f"'{s}'" for s in VERIFY_STATUSES) + ")"


class FileChunks(Base):
    """The SHA-256 of each fixed-size chunk of one variant file."""

    __tablename__ = "file_chunks"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("variant_files.id", ondelete="CASCADE"), primary_key=True
    )
    chunk_bytes: Mapped[big_int]
    digests: Mapped[json_list]


class VerifyResult(Base):
    """The latest verify of one variant: ``ok`` or ``failed``, what failed, where, when."""

    __tablename__ = "verify_results"
    __table_args__ = (
        CheckConstraint(_STATUS_SQL, name="status"),
        Index("ix_verify_results_verified_at", "verified_at"),
    )

    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(8))
    files_checked: Mapped[int] = mapped_column(Integer)
    bytes_read: Mapped[big_int]
    problems: Mapped[json_list]  # "modified PATH", "missing PATH", "extra PATH"
    quick: Mapped[bool] = mapped_column(Boolean)
    shard: Mapped[str | None] = mapped_column(String(32))
    host: Mapped[str] = mapped_column(String(255))
    verified_at: Mapped[utc_timestamp]
