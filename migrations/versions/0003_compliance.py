"""compliance: organisations, MAU, grants, deployments, check log

Revision ID: 0003_compliance
Revises: 0002_tensors
Create Date: 2026-11-26 14:47:50.886205
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_compliance"
down_revision = "0002_tensors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("os_user", sa.String(length=255), nullable=True),
        sa.Column("variant_name", sa.String(length=255), nullable=False),
        sa.Column("org_name", sa.String(length=255), nullable=False),
        sa.Column("use", sa.String(length=16), nullable=False),
        sa.Column("deployment_name", sa.String(length=255), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("policy_digests", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_log")),
    )
    with op.batch_alter_table("check_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_check_log_variant_name", ["variant_name", "checked_at"], unique=False
        )

    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organisations.id"],
            name=op.f("fk_organisations_parent_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisations_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("use", sa.String(length=16), nullable=False),
        sa.Column("public_name", sa.String(length=255), nullable=True),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("attestations", sa.JSON(), nullable=False),
        sa.Column("end_user", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.CheckConstraint(
            "use IN ('research', 'internal', 'service', 'distribute')",
            name=op.f("ck_deployments_use"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_deployments_org_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_deployments_variant_id_variants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployments")),
        sa.UniqueConstraint("name", name=op.f("uq_deployments_name")),
    )
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deployments_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deployments_variant_id"), ["variant_id"], unique=False)

    op.create_table(
        "org_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("license_id", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_org_grants_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_grants")),
        sa.UniqueConstraint("org_id", "license_id", name="org_license"),
    )
    op.create_table(
        "org_mau",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("users", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=255), nullable=True),
        sa.CheckConstraint("length(month) = 7", name=op.f("ck_org_mau_month_format")),
        sa.CheckConstraint("users >= 0", name=op.f("ck_org_mau_users_not_negative")),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_org_mau_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "month", name=op.f("pk_org_mau")),
    )


def downgrade() -> None:
    op.drop_table("org_mau")
    op.drop_table("org_grants")
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployments_variant_id"))
        batch_op.drop_index(batch_op.f("ix_deployments_org_id"))

    op.drop_table("deployments")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_parent_id"))

    op.drop_table("organisations")
    with op.batch_alter_table("check_log", schema=None) as batch_op:
        batch_op.drop_index("ix_check_log_variant_name")

    op.drop_table("check_log")
