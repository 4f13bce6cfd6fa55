"""The CLI as a user meets it: help texts, the README, the installed console script."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli

REPO = Path(__file__).resolve().parents[2]


def command_names() -> list[str]:
    from typer.main import get_command

    from registry.cli.app import app

    group = get_command(app)
    names: list[str] = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(cmd, "commands", None)
        if sub:
            names.extend(f"{name} {s}" for s in sub)
        else:
            names.append(name)
    return names


def test_every_command_has_help_and_appears_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    cli = Cli(None)
    for name in command_names():
        res = cli(*name.split(), "--help")
        assert res.exit_code == 0, name
        assert "Usage:" in res.stdout
        doc = res.stdout.split("Options")[0]
        assert len(doc.strip().splitlines()) >= 3, f"{name} has no help text"
        assert f"modelreg {name}" in readme, f"`modelreg {name}` is not in README.md"


def test_help_mentions_it_is_not_legal_advice() -> None:
    res = Cli(None)("--help")
    assert "not legal advice" in " ".join(res.stdout.split())


def test_usage_error_exit_code() -> None:
    res = Cli(None)("add")
    assert res.exit_code == 2
    res = Cli(None)("no-such-command")
    assert res.exit_code == 2


def test_installed_console_script(tmp_path: Path) -> None:
    exe = shutil.which("modelreg")
    if exe is None:
        if os.environ.get("MODELREG_TEST_REQUIRE_INSTALLED"):
            pytest.fail("modelreg is not on PATH but MODELREG_TEST_REQUIRE_INSTALLED is set")
        pytest.skip("modelreg is not installed (pip install . puts it on PATH)")
    env = {**os.environ, "MODELREG_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    res = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 0 and re.match(r"modelreg \d+\.\d+", res.stdout)
    res = subprocess.run([exe, "list"], capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 4 and "modelreg db upgrade" in res.stderr
    up = subprocess.run([exe, "db", "upgrade"], capture_output=True, text=True, env=env, timeout=60)
    assert up.returncode == 0, up.stderr
    res = subprocess.run([exe, "list", "-f", "json"], capture_output=True, text=True, env=env)
    assert res.returncode == 0 and res.stdout.strip() == "[]"
