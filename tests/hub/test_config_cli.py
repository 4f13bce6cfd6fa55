"""``modelreg config show|path``, shell completion: settings, their sources, secrets masked."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import Cli


@pytest.fixture
def nodb() -> Cli:
    return Cli(None)


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "modelreg.toml"
    path.write_text(text)
    monkeypatch.setenv("MODELREG_CONFIG", str(path))
    return path


def test_show_masks_the_password_and_names_the_sources(
    nodb: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(
        tmp_path,
        monkeypatch,
        'database_url = "postgresql://reg:s3cr3t-pw@db.example:5432/catalog"\n'
        'default_org = "acme"\npolicy_dirs = ["/etc/modelreg/policies"]\n',
    )
    monkeypatch.setenv("HF_TOKEN", "hf_tokensecret")
    res = nodb("config", "show")
    assert res.exit_code == 0, res.stderr
    assert "s3cr3t-pw" not in res.stdout + res.stderr
    assert "hf_tokensecret" not in res.stdout + res.stderr
    assert "postgresql://reg:***@db.example:5432/catalog" in res.stdout
    assert f"[config file {path}]" in res.stdout
    data = nodb("config", "show", "--format", "json").json()
    assert isinstance(data, dict)
    s = data["settings"]
    assert data["config_file"] == {"path": str(path), "exists": True}
    assert s["database_url"]["source"] == f"config file {path}"
    assert s["default_org"] == {"value": "acme", "source": f"config file {path}"}
    assert s["policy_dirs"]["value"] == ["/etc/modelreg/policies"]
    assert s["hf_token"] == {"value": "***", "source": "environment HF_TOKEN"}
    assert s["hf_endpoint"]["value"] == "https://huggingface.co"


def test_command_line_and_environment_win_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        tmp_path, monkeypatch, 'database_url = "sqlite:////x/file.db"\ndefault_org = "a"\n'
    )
    monkeypatch.setenv("MODELREG_ORG", "b")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    data = Cli("sqlite:////x/flag.db")("config", "show", "-f", "json").json()
    assert isinstance(data, dict)
    s = data["settings"]
    assert s["database_url"] == {"value": "sqlite:////x/flag.db", "source": "--db"}
    assert s["default_org"] == {"value": "b", "source": "environment MODELREG_ORG"}
    assert s["hf_cache"] == {"value": str(tmp_path / "cache"), "source": "environment HF_HUB_CACHE"}


def test_defaults_without_a_file(nodb: Cli, isolated_home: Path) -> None:
    data = nodb("config", "show", "--format", "json").json()
    assert isinstance(data, dict)
    expected = isolated_home / "config" / "modelreg" / "config.toml"
    assert data["config_file"] == {"path": str(expected), "exists": False}
    assert data["settings"]["database_url"]["source"] == "default"
    assert data["settings"]["hf_cache"]["value"] == str(isolated_home / "hf" / "hub")
    assert nodb("config", "path").stdout.strip() == str(expected)


def test_a_broken_file_is_a_usage_error_but_path_still_works(
    nodb: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path, monkeypatch, "database_url = \n")
    res = nodb("config", "show")
    assert res.exit_code == 2 and "is not valid TOML" in res.stderr
    assert nodb("config", "path").stdout.strip() == str(path)
    write_config(tmp_path, monkeypatch, 'databse_url = "x"\n')
    res = nodb("config", "show")
    assert res.exit_code == 2 and "unknown key(s) databse_url" in res.stderr


def test_shell_completion_script_is_offered() -> None:
    from registry.cli.app import app

    res = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name="modelreg")
    assert res.exit_code == 0
    assert "complete" in res.stdout and "_MODELREG_COMPLETE" in res.stdout


def test_a_password_in_the_query_string_is_masked_too(
    nodb: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        tmp_path,
        monkeypatch,
        'database_url = "postgresql://reg@db/catalog?sslmode=require&password=qu3ry-pw"\n',
    )
    res = nodb("config", "show")
    assert res.exit_code == 0
    assert "qu3ry-pw" not in res.stdout
    assert "postgresql://reg@db/catalog?sslmode=require&password=***" in res.stdout
