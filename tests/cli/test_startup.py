"""Start-up by structure: the everyday commands import neither pydantic nor SQLAlchemy
nor numpy, on a direct database or through the team server (remote mode), and ``verify``
loads no file-format parser (the pickle scanner, GGUF, YAML) while every file is ``ok``.

typer would import pydantic to convert arguments (``registry/cli/coercion.py`` prevents it)
and SQLAlchemy costs about half a second to import; a typer release or an import that
brings either back into these commands fails here (``bench/startup.py`` has the timings).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import write_checkpoint
from tests.conftest import Cli

REPO = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
from registry.cli.entry import main
sys.argv = ["modelreg", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = [m for m in ("pydantic", "sqlalchemy", "torch", "alembic", "numpy") if m in sys.modules]
parsers = ("registry.checkpoints.file_formats", "registry.checkpoints.pickle_scan", "yaml")
heavy += [m for m in parsers if m in sys.modules and "verify" in sys.argv]
sys.stderr.write("\\nHEAVY " + json.dumps(heavy) + "\\n")
"""


def heavy_modules(*args: str, env: dict[str, str] | None = None) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        timeout=120,
    )
    line = [ln for ln in run.stderr.splitlines() if ln.startswith("HEAVY ")][-1]
    return list(json.loads(line[6:]))


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--license", "mit", "--limit", "5"),
        ("list", "-f", "jsonl"),
        ("show", "m"),
        ("tree", "m"),
        ("verify", "m"),
        ("verify", "--summary"),
        ("smoke", "--summary"),
        ("check", "m", "--org", "nobody", "--use", "internal"),
        ("smoke", "m", "--max-new-tokens", "0"),
    ],
)
def test_commands_start_without_heavy_imports(
    cli: Cli, db_url: str, tmp_path: Path, args: tuple[str, ...]
) -> None:
    assert cli("add", write_checkpoint(tmp_path / "m"), "--name", "m").exit_code == 0
    if cli.remote:  # remote mode: the team server does the database work
        assert cli.server_url is not None
        remote = {"MODELREG_URL": cli.server_url, "MODELREG_TOKEN": cli.token}
        assert heavy_modules(*args, env=remote) == []
    else:
        assert heavy_modules("--db", db_url, *args) == []


def test_help_shows_plain_metavars() -> None:
    res = Cli(None)("--help")
    assert "--policies DIR" in res.stdout and "list[Path]" not in res.stdout


@pytest.mark.parametrize("provenance", [False, True])
def test_add_writes_without_sqlalchemy(
    cli: Cli, db_url: str, tmp_path: Path, provenance: bool
) -> None:
    """``add`` registers over the plain DBAPI; the weight comparison after it needs numpy
    (and only that) when it runs."""
    assert cli("add", write_checkpoint(tmp_path / "m"), "--name", "m").exit_code == 0
    args = ("add", str(write_checkpoint(tmp_path / "n", seed=1)), "--name", "n")
    args += () if provenance else ("--no-provenance",)
    if cli.remote:
        assert cli.server_url is not None
        remote = {"MODELREG_URL": cli.server_url, "MODELREG_TOKEN": cli.token}
        assert heavy_modules(*args, env=remote) == []
    else:
        # numpy only where the weights can be compared (tiny_tensors has an embedding)
        allowed = ["numpy"] if provenance else []
        assert heavy_modules("--db", db_url, *args) == allowed
    assert cli("show", "n").exit_code == 0
