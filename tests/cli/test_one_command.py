"""The console script builds only the command it runs (``registry.cli.app.app_for``).

typer builds every command's parameters before parsing; the entry point hands it an app
holding just the named command, and the whole app where the help or an error must list them
all. These tests hold that the shortcut changes nothing a user sees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from registry.cli.app import app, app_for, invoked_name

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        ([], None),
        (["--help"], None),
        (["list"], "list"),
        (["--db", "sqlite:///x.db", "show", "m"], "show"),
        (["--policies", "list", "verify", "m"], "verify"),  # "list" is the option's value
        (["--db=sqlite:///x.db", "tree", "m"], "tree"),
        (["--", "list"], "list"),
        (["--version"], None),
    ],
)
def test_the_command_name_is_found_after_the_global_options(
    argv: list[str], name: str | None
) -> None:
    assert invoked_name(argv) == name


def test_only_the_named_command_is_held() -> None:
    one = app_for(["show", "m"])
    assert [c.name for c in one.registered_commands] == ["show"] and not one.registered_groups
    group = app_for(["db", "upgrade"])
    assert [g.name for g in group.registered_groups] == ["db"]
    assert app_for(["nosuch"]) is app and app_for([]) is app
    assert len(app.registered_commands) > 10  # the shortcut never changes the whole app


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "registry", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_help_and_errors_are_those_of_the_whole_app(tmp_path: Path) -> None:
    top = _run("--help")
    assert top.returncode == 0 and "release" in top.stdout and "verify" in top.stdout
    unknown = _run("lst")
    assert unknown.returncode == 2 and "No such command 'lst'" in unknown.stderr
    sub = _run("add", "--help")
    assert sub.returncode == 0 and "Usage: python -m registry add" in sub.stdout
    assert "--no-provenance" in sub.stdout
    bad = _run("list", "--limit", "x")
    assert bad.returncode == 2 and "'--limit'" in bad.stderr
