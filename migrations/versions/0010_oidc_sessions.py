"""web sessions without a token (OpenID Connect sign-in)

A browser session belonged to the API token it was opened with. A session opened through
OpenID Connect has no token, so a session now names its user (filled in from the token for
the sessions that exist), its token becomes optional, and ``via`` says how it was opened.

Revision ID: 0010_oidc_sessions
Revises: 0009_releases
Create Date: 2026-12-01 04:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_oidc_sessions"
down_revision = "0009_releases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("via", sa.String(length=16), nullable=False, server_default="token")
        )
    op.execute(
        "UPDATE web_sessions SET user_id = "
        "(SELECT t.user_id FROM api_tokens t WHERE t.id = web_sessions.token_id)"
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "via", existing_type=sa.String(length=16), server_default=None, nullable=False
        )
        batch_op.alter_column("token_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_web_sessions_user_id_users"),
            "users",
            ["user_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM web_sessions WHERE token_id IS NULL")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))
        batch_op.drop_constraint(batch_op.f("fk_web_sessions_user_id_users"), type_="foreignkey")
        batch_op.alter_column("token_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("via")
        batch_op.drop_column("user_id")
