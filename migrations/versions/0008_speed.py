"""speed: chunk digests of large files, latest verify result per variant, created_at index

Revision ID: 0008_speed
Revises: 0004_smoke_runs
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_speed"
down_revision = "0004_smoke_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_chunks",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("chunk_bytes", sa.BigInteger(), nullable=False),
        sa.Column("digests", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["variant_files.id"],
            name=op.f("fk_file_chunks_file_id_variant_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_file_chunks")),
    )
    op.create_table(
        "verify_results",
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("files_checked", sa.Integer(), nullable=False),
        sa.Column("bytes_read", sa.BigInteger(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("quick", sa.Boolean(), nullable=False),
        sa.Column("shard", sa.String(length=32), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('ok', 'failed')", name=op.f("ck_verify_results_status")),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_verify_results_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("variant_id", name=op.f("pk_verify_results")),
    )
    with op.batch_alter_table("verify_results", schema=None) as batch_op:
        batch_op.create_index("ix_verify_results_verified_at", ["verified_at"], unique=False)
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.create_index("ix_variants_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.drop_index("ix_variants_created_at")
    with op.batch_alter_table("verify_results", schema=None) as batch_op:
        batch_op.drop_index("ix_verify_results_verified_at")
    op.drop_table("verify_results")
    op.drop_table("file_chunks")
