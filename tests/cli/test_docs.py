"""The README is tested: its commands are the ones CI runs, and its quick start works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def readme_block(heading: str) -> str:
    text = (REPO / "README.md").read_text()
    section = text.split(f"## {heading}", 1)[1]
    match = re.search(r"```bash\n(.*?)\n```", section, re.S)
    assert match, f"no bash block under {heading}"
    return match.group(1).strip()


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    command = readme_block("Running the tests")
    assert command.startswith("python3 -m venv .venv")
    assert "pip install torch==2.13.0 && pip install" in command
    assert command in (REPO / ".ci" / "run").read_text()


def test_quick_start_runs_offline_on_the_default_catalog(
    tmp_path: Path, isolated_home: Path
) -> None:
    command = readme_block("Install and quick start")
    assert command.endswith("bash examples/quickstart.sh")
    shim_dir = tmp_path / "bin"
    shim_dir.mkdir()
    shim = shim_dir / "modelreg"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m registry "$@"\n')
    shim.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{shim_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
    }
    run = subprocess.run(
        ["bash", str(REPO / "examples" / "quickstart.sh"), str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "acme-chat-q4" in run.stdout
    assert "quantized of acme-chat" in run.stdout
    assert "verified" in run.stdout
    assert "verdict: non_compliant" in run.stdout  # the laundering fine-tune, distributed
    assert "verdict: compliant" in run.stdout  # the quantized chat model, used internally
    assert (isolated_home / "data" / "modelreg" / "catalog.db").is_file()
    again = subprocess.run(
        ["bash", str(REPO / "examples" / "quickstart.sh"), str(tmp_path / "demo2")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr  # the quick start can be run twice
