"""catalog: variants, files, lineage

Revision ID: 0001_catalog
Revises:
Create Date: 2026-11-26 14:39:52.059329
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_catalog"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("license_id", sa.String(length=64), nullable=False),
        sa.Column("license_name", sa.String(length=255), nullable=True),
        sa.Column("modalities", sa.JSON(), nullable=False),
        sa.Column("source_uri", sa.Text(), nullable=True),
        sa.Column("architecture", sa.String(length=255), nullable=True),
        sa.Column("parameter_count", sa.BigInteger(), nullable=True),
        sa.Column("total_bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variants")),
        sa.UniqueConstraint("name", name=op.f("uq_variants_name")),
    )
    op.create_table(
        "lineage_edges",
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "relation IN ('finetune', 'adapter', 'quantized', 'merge', 'distill')",
            name=op.f("ck_lineage_edges_relation"),
        ),
        sa.CheckConstraint("child_id <> parent_id", name=op.f("ck_lineage_edges_not_self")),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["variants.id"],
            name=op.f("fk_lineage_edges_child_id_variants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["variants.id"],
            name=op.f("fk_lineage_edges_parent_id_variants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("child_id", "parent_id", name=op.f("pk_lineage_edges")),
    )
    with op.batch_alter_table("lineage_edges", schema=None) as batch_op:
        batch_op.create_index("ix_lineage_edges_parent", ["parent_id"], unique=False)

    op.create_table(
        "unresolved_parents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=512), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "relation IN ('finetune', 'adapter', 'quantized', 'merge', 'distill')",
            name=op.f("ck_unresolved_parents_relation"),
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_unresolved_parents_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unresolved_parents")),
        sa.UniqueConstraint("variant_id", "reference", name="variant_reference"),
    )
    op.create_table(
        "variant_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("git_oid", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_variant_files_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variant_files")),
        sa.UniqueConstraint("variant_id", "path", name="variant_path"),
    )


def downgrade() -> None:
    op.drop_table("variant_files")
    op.drop_table("unresolved_parents")
    with op.batch_alter_table("lineage_edges", schema=None) as batch_op:
        batch_op.drop_index("ix_lineage_edges_parent")

    op.drop_table("lineage_edges")
    op.drop_table("variants")
