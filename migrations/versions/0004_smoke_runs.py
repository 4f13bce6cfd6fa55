"""smoke: one row per smoke run (device, versions, timings, tokens, fingerprint)

Revision ID: 0004_smoke_runs
Revises: 0003_compliance
Create Date: 2026-11-26 14:45:23.308217
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_smoke_runs"
down_revision = "0003_compliance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "smoke_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("device_type", sa.String(length=16), nullable=False),
        sa.Column("device_name", sa.String(length=255), nullable=False),
        sa.Column("dtype", sa.String(length=16), nullable=False),
        sa.Column("torch_version", sa.String(length=64), nullable=False),
        sa.Column("transformers_version", sa.String(length=64), nullable=False),
        sa.Column("cuda_version", sa.String(length=32), nullable=True),
        sa.Column("load_seconds", sa.Float(), nullable=True),
        sa.Column("ttft_seconds", sa.Float(), nullable=True),
        sa.Column("tokens_per_second", sa.Float(), nullable=True),
        sa.Column("peak_memory_bytes", sa.BigInteger(), nullable=True),
        sa.Column("memory_kind", sa.String(length=8), nullable=False),
        sa.Column("max_new_tokens", sa.Integer(), nullable=False),
        sa.Column("prompt_ids", sa.JSON(), nullable=False),
        sa.Column("generated_ids", sa.JSON(), nullable=False),
        sa.Column("logits_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("reference_run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pass', 'fail', 'drift')", name=op.f("ck_smoke_runs_status")
        ),
        sa.ForeignKeyConstraint(
            ["reference_run_id"],
            ["smoke_runs.id"],
            name=op.f("fk_smoke_runs_reference_run_id_smoke_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_smoke_runs_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smoke_runs")),
    )
    with op.batch_alter_table("smoke_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_smoke_runs_reference",
            ["content_digest", "device_type", "dtype", "status"],
            unique=False,
        )
        batch_op.create_index("ix_smoke_runs_variant", ["variant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("smoke_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_smoke_runs_variant")
        batch_op.drop_index("ix_smoke_runs_reference")

    op.drop_table("smoke_runs")
