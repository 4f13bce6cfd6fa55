"""One Alembic tree for both databases: upgrade, downgrade, and no drift from the models."""

from __future__ import annotations

from registry.db import migrate
from registry.db.schema import HEAD_REVISION


def test_head_constant_matches_the_migration_tree() -> None:
    assert migrate.head_revision() == HEAD_REVISION


def test_upgrade_downgrade_upgrade_and_no_drift(empty_db_url: str) -> None:
    assert migrate.current(empty_db_url) is None
    migrate.upgrade(empty_db_url)
    assert migrate.current(empty_db_url) == HEAD_REVISION
    migrate.check(empty_db_url)  # raises if models and migrations differ
    migrate.downgrade(empty_db_url, "base")
    assert migrate.current(empty_db_url) is None
    migrate.upgrade(empty_db_url)
    assert migrate.current(empty_db_url) == HEAD_REVISION
    migrate.check(empty_db_url)
