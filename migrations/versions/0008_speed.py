"""speed: chunk digests of large files, shard and host of each verification, list indexes

Revision ID: 0008_speed
Revises: 0007_provenance
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_speed"
down_revision = "0007_provenance"
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
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bytes_read", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("shard", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.create_index("ix_variants_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.drop_index("ix_variants_created_at")
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_column("host")
        batch_op.drop_column("shard")
        batch_op.drop_column("bytes_read")
    op.drop_table("file_chunks")
