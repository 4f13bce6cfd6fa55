"""Alembic environment for modelreg: one version tree for SQLite and PostgreSQL.

The connection is handed in by ``registry.db.migrate`` (``config.attributes``); running
``alembic`` from the command line uses ``sqlalchemy.url`` / ``MODELREG_DATABASE_URL``.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

import registry.db.models  # noqa: F401  (registers every table on Base.metadata)
from registry.db.base import Base, UTCDateTime
from registry.db.engine import make_engine, normalise_url

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render the project's column types as plain SQLAlchemy types in migration files."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.attributes.get("database_url") or os.environ.get("MODELREG_DATABASE_URL")
    url = url or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set MODELREG_DATABASE_URL or sqlalchemy.url")
    engine = make_engine(normalise_url(url))
    with engine.begin() as conn:
        _configure(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported")
run_migrations_online()
