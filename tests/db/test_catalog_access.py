"""Opening the catalog: URL resolution, unreachable databases, schemas behind head."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from registry.db import migrate
from tests.builders import write_checkpoint
from tests.conftest import Cli


def test_default_sqlite_catalog_is_created_and_migrated(
    tmp_path: Path, isolated_home: Path
) -> None:
    cli = Cli(None)
    res = cli("add", write_checkpoint(tmp_path / "m"), "--name", "m")
    assert res.exit_code == 0, res.stderr
    db_file = isolated_home / "data" / "modelreg" / "catalog.db"
    assert db_file.is_file()
    assert cli("list", "-f", "json").json()[0]["name"] == "m"  # type: ignore[index]
    mode = sqlite3.connect(db_file).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_environment_and_config_file_choose_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_db = tmp_path / "env.db"
    migrate.upgrade(f"sqlite:///{env_db}")
    monkeypatch.setenv("MODELREG_DATABASE_URL", f"sqlite:///{env_db}")
    cli = Cli(None)
    assert cli("add", write_checkpoint(tmp_path / "m"), "--name", "via-env").exit_code == 0
    monkeypatch.delenv("MODELREG_DATABASE_URL")
    cfg_db = tmp_path / "cfg.db"
    migrate.upgrade(f"sqlite:///{cfg_db}")
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'database_url = "sqlite:///{cfg_db}"\n')
    monkeypatch.setenv("MODELREG_CONFIG", str(cfg))
    assert cli("list", "-f", "json").json() == []
    assert Cli(f"sqlite:///{env_db}")("list", "-f", "json").json()[0]["name"] == "via-env"  # type: ignore[index]


def test_unreachable_postgres_never_shows_the_password() -> None:
    cli = Cli("postgresql://alice:s3cr3t-pw@127.0.0.1:1/nothing")
    res = cli("list")
    assert res.exit_code == 4
    assert res.stderr.startswith("error: database postgresql")
    assert "s3cr3t-pw" not in res.stderr + res.stdout
    assert "***" in res.stderr
    assert "Traceback" not in res.stderr


def test_not_a_database_url() -> None:
    res = Cli("mysql://x@y/z")("list")
    assert res.exit_code == 4 and "unsupported database" in res.stderr


def test_explicit_catalog_behind_head_is_not_migrated(empty_db_url: str) -> None:
    cli = Cli(empty_db_url)
    res = cli("list")
    assert res.exit_code == 4
    assert "modelreg db upgrade" in res.stderr
    assert migrate.current(empty_db_url) is None  # nothing was migrated silently
    assert cli("db", "upgrade").exit_code == 0
    assert cli("list", "-f", "json").json() == []
    assert cli("db", "current").stdout.strip() == migrate.head_revision()


def test_catalog_at_an_older_revision_says_to_upgrade(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(empty_db_url)
    monkeypatch.setattr("registry.db.engine.HEAD_REVISION", "9999_future")
    monkeypatch.setattr("registry.db.reader.HEAD_REVISION", "9999_future")
    for args in (("list",), ("rm", "x")):  # the DBAPI read path and the ORM write path
        res = Cli(empty_db_url)(*args)
        assert res.exit_code == 4
        assert "9999_future" in res.stderr and "modelreg db upgrade" in res.stderr


def test_missing_sqlite_directory() -> None:
    res = Cli("sqlite:////nonexistent-dir/x/catalog.db")("list")
    assert res.exit_code == 4 and "does not exist" in res.stderr
