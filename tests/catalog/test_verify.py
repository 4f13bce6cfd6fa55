"""``modelreg verify``: ok, modified, missing, extra, and the exit codes."""

from __future__ import annotations

from pathlib import Path

from tests.builders import write_checkpoint
from tests.conftest import Cli


def statuses(res_json: object) -> dict[str, str]:
    variants = res_json["variants"]  # type: ignore[index]
    return {f["path"]: f["status"] for f in variants[0]["files"]}


def test_verify_reports_each_kind_of_change(cli: Cli, tmp_path: Path) -> None:
    ckpt = write_checkpoint(tmp_path / "m", shards=2)
    assert cli("add", ckpt, "--name", "m").exit_code == 0
    ok = cli("verify", "m", "--format", "json")
    assert ok.exit_code == 0 and ok.json()["ok"] is True  # type: ignore[index]

    (ckpt / "config.json").write_text('{"changed": true}')
    (ckpt / "model-00002-of-00002.safetensors").unlink()
    (ckpt / "stray.txt").write_text("new")
    res = cli("verify", "m", "--format", "json")
    assert res.exit_code == 1
    got = statuses(res.json())
    assert got["config.json"] == "modified"
    assert got["model-00002-of-00002.safetensors"] == "missing"
    assert got["stray.txt"] == "extra"
    assert got["model-00001-of-00002.safetensors"] == "ok"
    text = cli("verify", "m")
    assert text.exit_code == 1 and "MISMATCH" in text.stdout and "modified" in text.stdout


def test_verify_path_checks_another_copy(cli: Cli, tmp_path: Path) -> None:
    import shutil

    ckpt = write_checkpoint(tmp_path / "m")
    assert cli("add", ckpt, "--name", "m").exit_code == 0
    copy = tmp_path / "copy"
    shutil.copytree(ckpt, copy)
    assert cli("verify", "m", "--path", copy).exit_code == 0
    (copy / "model.safetensors").write_bytes(b"\0" * 10)
    assert cli("verify", "m", "--path", copy).exit_code == 1


def test_verify_all_and_usage_errors(cli: Cli, tmp_path: Path) -> None:
    for i, n in enumerate(("a", "b")):
        assert cli("add", write_checkpoint(tmp_path / n, seed=i), "--name", n).exit_code == 0
    res = cli("verify", "--all", "--format", "json")
    assert res.exit_code == 0
    assert [v["name"] for v in res.json()["variants"]] == ["a", "b"]  # type: ignore[index]
    assert cli("verify").exit_code == 2
    assert cli("verify", "a", "--all").exit_code == 2
    assert cli("verify", "a", "b", "--path", tmp_path).exit_code == 2
    missing = cli("verify", "nope")
    assert missing.exit_code == 2 and "no variant named 'nope'" in missing.stderr


def test_verify_when_checkpoint_directory_is_gone(cli: Cli, tmp_path: Path) -> None:
    import shutil

    ckpt = write_checkpoint(tmp_path / "m")
    assert cli("add", ckpt, "--name", "m").exit_code == 0
    shutil.rmtree(ckpt)
    res = cli("verify", "m", "--format", "json")
    assert res.exit_code == 1
    assert set(statuses(res.json()).values()) == {"missing"}
