"""signatures: one row per signature bundle verified against a variant

Revision ID: 0005_signatures
Revises: 0004_smoke_runs
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_signatures"
down_revision = "0004_smoke_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signature_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("certificate_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("identity", sa.String(length=512), nullable=True),
        sa.Column("issuer", sa.String(length=512), nullable=True),
        sa.Column("chain_verified", sa.Boolean(), nullable=False),
        sa.Column("bundle_sha256", sa.String(length=64), nullable=False),
        sa.Column("files_digest", sa.String(length=64), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("verified_by", sa.String(length=255), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "method IN ('key', 'certificate', 'sigstore')",
            name=op.f("ck_signature_verifications_method"),
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_signature_verifications_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_verifications")),
    )
    with op.batch_alter_table("signature_verifications", schema=None) as batch_op:
        batch_op.create_index("ix_signature_verifications_variant", ["variant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signature_verifications", schema=None) as batch_op:
        batch_op.drop_index("ix_signature_verifications_variant")
    op.drop_table("signature_verifications")
