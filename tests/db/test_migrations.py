"""One Alembic tree for both databases: upgrade, downgrade, and no drift from the models."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

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


def test_a_migration_waits_for_a_writer_on_sqlite(tmp_path: Path) -> None:
    """A migration run beside a writer (a running server's sweep) waits for it to commit.

    Begun as a read, it would take its snapshot while the writer holds the lock and then
    fail with "database is locked" once that writer committed under it.
    """
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    migrate.upgrade(url)
    writing, done = threading.Event(), threading.Event()

    def writer() -> None:
        conn = sqlite3.connect(tmp_path / "catalog.db", isolation_level=None, timeout=60)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE alembic_version SET version_num = version_num")
        writing.set()
        time.sleep(1.0)
        conn.execute("COMMIT")
        conn.close()
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        migrate.downgrade(url, "0009_releases")
        assert done.is_set()  # it waited for the writer rather than failing under it
    finally:
        thread.join()
    assert migrate.current(url) == "0009_releases"
