"""Per-file integrity records: tensors of safetensors and GGUF files, format, verify stats.

``tensors``: one row per tensor of a safetensors or GGUF file (name, dtype, shape, byte range in
the file, XXH3-128 digest) so ``verify`` can name what changed. ``file_info``: one row per
file with its format, what the format reader found (GGUF metadata, pickle globals) and the
size/mtime/inode/device seen at the last full read, which ``verify --quick`` trusts.
Inode and device are strings: some file systems use all 64 unsigned bits. ``file_chunks``:
for a file registered with them, the SHA-256 of each consecutive ``chunk_bytes``-long range
(the last one shorter), in file order; ``verify`` hashes the chunks of one large file on every
core and treats this list, bound to the recorded file size, as the authority for the file's
integrity (see ``registry/checkpoints/chunked.py``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db.base import Base, big_int, intpk, json_dict, json_list


class TensorRecord(Base):
    """A tensor of a safetensors or GGUF file: [start, end) are offsets in the file."""

    __tablename__ = "tensors"
    __table_args__ = (UniqueConstraint("file_id", "name", name="file_name"),)

    id: Mapped[intpk]
    file_id: Mapped[int] = mapped_column(ForeignKey("variant_files.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    dtype: Mapped[str] = mapped_column(String(16))
    shape: Mapped[json_list]
    start_offset: Mapped[big_int]
    end_offset: Mapped[big_int]
    digest: Mapped[str] = mapped_column(String(64))


class FileInfo(Base):
    """Format, format details and the stat of the last full read of one variant file."""

    __tablename__ = "file_info"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("variant_files.id", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[str] = mapped_column(String(16), default="other")
    details: Mapped[json_dict]
    stat_size: Mapped[big_int | None]
    stat_mtime_ns: Mapped[big_int | None]
    stat_inode: Mapped[str | None] = mapped_column(String(32))
    stat_device: Mapped[str | None] = mapped_column(String(32))
    verified_at: Mapped[dt.datetime | None]


class FileChunks(Base):
    """The SHA-256 of each fixed-size chunk of one variant file."""

    __tablename__ = "file_chunks"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("variant_files.id", ondelete="CASCADE"), primary_key=True
    )
    chunk_bytes: Mapped[big_int]
    digests: Mapped[json_list]
