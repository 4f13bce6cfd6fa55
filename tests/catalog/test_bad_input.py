"""Bad input: a clear one-line error, the documented exit code, and the catalog unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.builders import write_checkpoint
from tests.conftest import Cli, CliResult


def snapshot(cli: Cli) -> object:
    res = cli("list", "--format", "json")
    assert res.exit_code == 0, res.stderr
    return res.json()


def assert_clean_error(res: CliResult, code: int, *fragments: str) -> None:
    assert res.exit_code == code, (res.exit_code, res.stdout, res.stderr)
    assert res.stdout == ""
    assert "Traceback" not in res.stderr
    assert res.stderr.startswith("error: ")
    assert res.stderr.count("error:") == 1
    for frag in fragments:
        assert frag in res.stderr


@pytest.fixture
def seeded(cli: Cli, tmp_path: Path) -> object:
    assert cli("add", write_checkpoint(tmp_path / "base"), "--name", "base").exit_code == 0
    return snapshot(cli)


def test_missing_path(cli: Cli, tmp_path: Path, seeded: object) -> None:
    res = cli("add", tmp_path / "nowhere", "--name", "x")
    assert_clean_error(res, 2, "no such file or directory")
    assert snapshot(cli) == seeded


def test_empty_directory(cli: Cli, tmp_path: Path, seeded: object) -> None:
    (tmp_path / "empty").mkdir()
    res = cli("add", tmp_path / "empty", "--name", "x")
    assert_clean_error(res, 2, "holds no files")
    assert snapshot(cli) == seeded


def test_duplicate_name(cli: Cli, tmp_path: Path, seeded: object) -> None:
    res = cli("add", write_checkpoint(tmp_path / "other", seed=3), "--name", "base")
    assert_clean_error(res, 2, "already registered")
    assert snapshot(cli) == seeded


def test_unknown_parent(cli: Cli, tmp_path: Path, seeded: object) -> None:
    res = cli("add", write_checkpoint(tmp_path / "c", seed=1), "-n", "c", "-p", "ghost")
    assert_clean_error(res, 2, "unknown parent 'ghost'")
    assert snapshot(cli) == seeded


def test_unknown_relation(cli: Cli, tmp_path: Path, seeded: object) -> None:
    res = cli("add", write_checkpoint(tmp_path / "c", seed=1), "-n", "c", "-p", "base:forked")
    assert_clean_error(res, 2, "unknown relation 'forked'")
    assert snapshot(cli) == seeded


def test_own_parent_is_a_cycle(cli: Cli, tmp_path: Path, seeded: object) -> None:
    res = cli("add", write_checkpoint(tmp_path / "c", seed=1), "-n", "c", "-p", "c")
    assert_clean_error(res, 2, "cycle")
    assert snapshot(cli) == seeded


def test_unknown_license(cli: Cli, tmp_path: Path, seeded: object) -> None:
    res = cli("add", write_checkpoint(tmp_path / "c", seed=1), "-n", "c", "--license", "gpl-9")
    assert_clean_error(res, 2, "unknown license 'gpl-9'")
    assert snapshot(cli) == seeded


def test_dangling_link_is_unreadable(cli: Cli, tmp_path: Path, seeded: object) -> None:
    ckpt = write_checkpoint(tmp_path / "c", seed=1)
    os.symlink(ckpt / "gone.bin", ckpt / "weights.bin")
    res = cli("add", ckpt, "--name", "c")
    assert_clean_error(res, 4, "weights.bin", "dangling")
    assert snapshot(cli) == seeded


def test_unreadable_file(
    cli: Cli, tmp_path: Path, seeded: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, which reads any file, so the permission check is simulated.
    ckpt = write_checkpoint(tmp_path / "c", seed=1)
    real_access = os.access
    secret = str(ckpt / "model.safetensors")
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: str(p) != secret and real_access(p, mode, **kw)
    )
    res = cli("add", ckpt, "--name", "c")
    assert_clean_error(res, 4, "model.safetensors", "permission denied")
    assert snapshot(cli) == seeded


def test_malformed_config_json(cli: Cli, tmp_path: Path, seeded: object) -> None:
    ckpt = write_checkpoint(tmp_path / "c", seed=1)
    (ckpt / "config.json").write_text("{not json")
    res = cli("add", ckpt, "--name", "c")
    assert_clean_error(res, 4, "config.json", "not valid JSON")
    assert snapshot(cli) == seeded


def test_malformed_model_card(cli: Cli, tmp_path: Path, seeded: object) -> None:
    ckpt = write_checkpoint(tmp_path / "c", seed=1)
    (ckpt / "README.md").write_text("---\nlicense: [unclosed\n---\n")
    res = cli("add", ckpt, "--name", "c")
    assert_clean_error(res, 4, "README.md", "YAML")
    assert snapshot(cli) == seeded


def test_unknown_variant_everywhere(cli: Cli) -> None:
    for args in (("show", "nope"), ("tree", "nope"), ("rm", "nope"), ("verify", "nope")):
        assert_clean_error(cli(*args), 2, "no variant named 'nope'")
