"""The installed console script runs ``check`` (a subprocess, as a user runs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.compliance.conftest import Zoo
from tests.compliance.test_rules import SMALL

REPO = Path(__file__).resolve().parents[2]


def _setup(zoo: Zoo) -> None:
    zoo.org("acme", mau=SMALL)
    zoo.variant("llama-3-8b", "llama3")
    zoo.variant("acme-chat", "llama3", parents=[("llama-3-8b", "finetune")])


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
