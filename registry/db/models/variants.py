"""Variants (registered checkpoints), their files and their lineage edges."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db.base import Base, big_int, intpk, json_list, name_str, sha256_hex, utc_timestamp
from registry.relations import RELATIONS

_RELATION_SQL = "relation IN (" + ", ".join(f"'{r}'" for r in RELATIONS) + ")"


class Variant(Base):
    """One registered checkpoint: a base model, fine-tune, adapter, quantization, merge..."""

    __tablename__ = "variants"
    __table_args__ = (
        Index("ix_variants_created_at", "created_at"),  # list --created-since
    )

    id: Mapped[intpk]
    name: Mapped[name_str] = mapped_column(unique=True)
    license_id: Mapped[str] = mapped_column(String(64), default="unknown")
    license_name: Mapped[str | None] = mapped_column(String(255))
    modalities: Mapped[json_list]
    source_uri: Mapped[str | None] = mapped_column(Text)
    architecture: Mapped[str | None] = mapped_column(String(255))
    parameter_count: Mapped[big_int | None]
    total_bytes: Mapped[big_int] = mapped_column(default=0)
    # SHA-256 over the sorted (name, dtype, shape, tensor digest): independent of sharding.
    content_digest: Mapped[sha256_hex | None]
    created_at: Mapped[utc_timestamp]
    created_by: Mapped[str | None] = mapped_column(String(255))

    files: Mapped[list[VariantFile]] = relationship(
        back_populates="variant",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="VariantFile.path",
    )


class VariantFile(Base):
    """A file of a checkpoint: its path relative to the checkpoint root, size and SHA-256."""

    __tablename__ = "variant_files"
    __table_args__ = (UniqueConstraint("variant_id", "path", name="variant_path"),)

    id: Mapped[intpk]
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[big_int]
    # None only for a file registered from the Hub that is not in LFS: the Hub publishes
    # its git blob id (``git_oid``) instead, and verify checks that.
    sha256: Mapped[sha256_hex | None]
    git_oid: Mapped[str | None] = mapped_column(String(40))

    variant: Mapped[Variant] = relationship(back_populates="files", lazy="raise")


class LineageEdge(Base):
    """A parent → child edge; ``relation`` says how the child was made from the parent."""

    __tablename__ = "lineage_edges"
    __table_args__ = (
        CheckConstraint(_RELATION_SQL, name="relation"),
        CheckConstraint("child_id <> parent_id", name="not_self"),
        Index("ix_lineage_edges_parent", "parent_id"),
    )

    child_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True
    )
    parent_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="RESTRICT"), primary_key=True
    )
    relation: Mapped[str] = mapped_column(String(16), default="finetune")


class UnresolvedParent(Base):
    """A base model named by a model card or the Hub that is not (yet) registered."""

    __tablename__ = "unresolved_parents"
    __table_args__ = (
        CheckConstraint(_RELATION_SQL, name="relation"),
        UniqueConstraint("variant_id", "reference", name="variant_reference"),
    )

    id: Mapped[intpk]
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    reference: Mapped[str] = mapped_column(String(512))
    relation: Mapped[str] = mapped_column(String(16), default="finetune")
    created_at: Mapped[utc_timestamp]
