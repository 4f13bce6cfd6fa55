"""The console script's fast path for ``check`` agrees with the typer command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from registry.cli.entry import fast_check
from tests.compliance.conftest import Zoo
from tests.compliance.test_rules import SMALL

REPO = Path(__file__).resolve().parents[2]


def _setup(zoo: Zoo) -> None:
    zoo.org("acme", mau=SMALL)
    zoo.variant("llama-3-8b", "llama3")
    zoo.variant("acme-chat", "llama3", parents=[("llama-3-8b", "finetune")])


def _strip(doc: dict[str, Any]) -> dict[str, Any]:
    doc = dict(doc)
    doc["inputs"] = {k: v for k, v in doc["inputs"].items() if k != "attestations"}
    return doc


def test_fast_path_matches_typer(
    db_url: str, zoo: Zoo, cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(zoo)
    args = [
        "check",
        "acme-chat",
        "--org",
        "acme",
        "--use",
        "service",
        "--purpose",
        "code-assistant",
        "--attest=aup",
        "--format",
        "json",
    ]
    code = fast_check(["--db", db_url, *args])
    fast = capsys.readouterr()
    slow = cli(*args)
    assert code == slow.exit_code == 1
    assert _strip(json.loads(fast.out)) == _strip(slow.json())
    code = fast_check(["--db", db_url, "check", "acme-chat", "--org", "ghost", "--use", "service"])
    err = capsys.readouterr()
    assert (
        code == 2
        and err.err == "error: no organisation named 'ghost'; add it with `modelreg org add`\n"
        and err.out == ""
    )
    code = fast_check(["--db", db_url, "check", "--history", "acme-chat", "--format", "json"])
    assert code == 0 and len(json.loads(capsys.readouterr().out)) == 2


def test_anything_unusual_goes_to_typer() -> None:
    for argv in (
        ["check", "--help"],
        ["--version"],
        ["list"],
        ["check", "x", "--bogus"],
        ["--db", "sqlite:///x", "--weird", "check", "x"],
        ["check", "x", "--org"],  # missing value
    ):
        assert fast_check(argv) is None, argv


def test_the_installed_entry_point_runs_check(db_url: str, zoo: Zoo) -> None:
    _setup(zoo)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "registry",
            "--db",
            db_url,
            "check",
            "acme-chat",
            "--org",
            "acme",
            "--use",
            "internal",
            "--purpose",
            "research",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["verdict"] == "compliant"
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "registry",
            "--db",
            db_url,
            "check",
            "acme-chat",
            "--org",
            "acme",
            "--use",
            "internal",
            "--purpose",
            "warfare",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 2 and "vocabulary" in bad.stderr and bad.stdout == ""
